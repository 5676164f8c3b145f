# tests/e2e/fixtures.sh - the repository is self-contained for its tests:
# the recorded Yahoo and Cboe responses live in tests/fixtures, byte for byte
# as recorded (SHA256SUMS and index.json's sha256), the runner points
# PT_FIXTURES at them, nothing refers to a folder outside the repository,
# and the runner passes the fixture-driven tests in a copy of the tree with
# no ../shared beside it.
# shellcheck source=tests/e2e/lib.sh
source "$PT_ROOT/tests/e2e/lib.sh"
fx="$PT_ROOT/tests/fixtures"

check "tests/fixtures has a README of the provenance" test -s "$fx/README.md"
check "SHA256SUMS verifies every body" bash -c 'cd "$1" && sha256sum --quiet --strict -c SHA256SUMS' _ "$fx"
listed=$(sed 's/^[0-9a-f]*  //' "$fx/SHA256SUMS" | LC_ALL=C sort)
present=$(cd "$fx" && find . -type f ! -name README.md ! -name SHA256SUMS | sed 's|^\./||' | LC_ALL=C sort)
same "SHA256SUMS lists exactly the files present" "$present" "$listed"
check "SHA256SUMS lists the recordings" test "$(grep -c '\.json$\|\.txt$' "$fx/SHA256SUMS")" -ge 20
check "each body matches the sha256 of its index.json entry" /usr/bin/python3 -c '
import hashlib, json, sys
root = sys.argv[1]
idx = json.load(open(root + "/index.json"))
bad = [e["file"] for e in idx
       if hashlib.sha256(open(root + "/" + e["file"], "rb").read()).hexdigest() != e["sha256"]]
print("\n".join(bad), file=sys.stderr)
sys.exit(1 if bad or len(idx) < 20 else 0)' "$fx"
for f in RECORDING.md index.json; do
	contains "README points at $f" "$(cat "$fx/README.md")" "$f"
done
contains "README names the origin repositories" "$(cat "$fx/README.md")" "gadicc/node-yahoo-finance2"
contains "README names a licence" "$(cat "$fx/README.md")" "MIT"

# The runner's PT_FIXTURES and the unit tests' fallback are in the tree.
same "tests/run.sh points PT_FIXTURES at tests/fixtures" \
	"$(grep -o 'PT_FIXTURES="[^"]*"' "$PT_ROOT/tests/run.sh")" 'PT_FIXTURES="$root/tests/fixtures"'
# Nothing the repository runs or documents points outside it (the shared
# folder the project started from is not part of a clone).
# (This file and the fixtures' own provenance are the exceptions.)
refs=$(cd "$PT_ROOT" && find . \( -name .git -o -path './build*' -o -name node_modules \
	-o -name test-output -o -path ./tests/fixtures \) -prune -o -type f \
	! -path ./tests/e2e/fixtures.sh -print |
	xargs grep -lE '\.\./shared|shared/fixtures|shared/DESIGN' 2>/dev/null)
same "no file refers to ../shared or a shared fixtures folder" "$refs" ""

# A copy of the tree's tests with no ../shared anywhere near it: the runner
# passes the tests that replay the fixtures (the unit tests of http, yahoo
# and cboe, and the fixture server end to end).
build=$(dirname "$PT")
clone="$T_TMP/elsewhere/papertrade"
mkdir -p "$clone/tests/e2e" "$T_TMP/bin/tests"
cp -a "$PT_ROOT/tests/fixtures" "$PT_ROOT/tests/fixture_server.py" "$PT_ROOT/tests/run.sh" "$clone/tests/"
cp "$PT_ROOT/tests/e2e/lib.sh" "$PT_ROOT/tests/e2e/fixture_server.sh" "$clone/tests/e2e/"
ln -s "$PT" "$T_TMP/bin/papertrade"
for t in test_http test_yahoo test_cboe; do
	ln -s "$build/tests/$t" "$T_TMP/bin/tests/$t"
done
check "no ../shared beside the copy" test ! -e "$clone/../shared"
(cd / && env -u PT_FIXTURES -u PT_ROOT bash "$clone/tests/run.sh" "$T_TMP/bin") >"$T_TMP/runner.log" 2>&1
rc=$?
last=$(tail -n 1 "$T_TMP/runner.log")
same "the runner in the copy passes" "$rc" 0
case "$last" in
*" passed, 0 failed") ok "the runner reports no failure: $last" ;;
*) not_ok "the runner reports no failure" "$(tail -n 20 "$T_TMP/runner.log")" ;;
esac
check "the copy's runner ran the fixture tests" test "${last%% *}" -ge 50
done_testing
