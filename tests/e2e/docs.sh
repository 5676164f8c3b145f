# tests/e2e/docs.sh - the man page is mandoc-lint clean, names every command
# the binary dispatches, and every command's --help works (exit 0, usage on
# stdout) and agrees with the man page on the command's name.
source "$PT_ROOT/tests/e2e/lib.sh"
man="$PT_ROOT/docs/papertrade.1"
if command -v mandoc >/dev/null; then
	check "man page is mandoc -Tlint clean" bash -c "mandoc -Tlint -W warning '$man' 2>&1 | grep -v 'mandoc.db' | (! grep .)"
fi
cmds=$("$PT" --help | awk '/^commands:/{f=1;next} f && /^  [a-z]/{print $1}')
check "papertrade --help lists commands" test -n "$cmds"
for c in $cmds; do
	expect_rc "$c --help" 0 "$c" --help
	contains "$c --help is a usage" "$OUT" "usage: papertrade"
	check "man page documents $c" grep -q "^\.It Cm $c\b" "$man"
done
# The design document is the repository's own (docs/DESIGN.md), with the
# data flow, a module map naming every module that exists, the contracts and
# the errata; the README, HACKING, report --help and the man page point to it.
design="$PT_ROOT/docs/DESIGN.md"
check "docs/DESIGN.md exists" test -s "$design"
for h in "## 1. One trading day, as data flows" "## 2. Module map" "## 5. Contracts" "## 4. Errata"; do
	check "DESIGN.md has '$h'" grep -qF "$h" "$design"
done
for d in "$PT_ROOT"/src/*/; do
	d=$(basename "$d")
	check "DESIGN.md's module map names src/$d/" grep -qE "^  $d/ " "$design"
done
for f in docs/margin.md docs/sim.md docs/strategies.md; do
	check "DESIGN.md's errata point to $f" grep -qF "$f" "$design"
done
check "README points to docs/DESIGN.md" grep -qF "docs/DESIGN.md" "$PT_ROOT/README.md"
check "HACKING points to docs/DESIGN.md" grep -qF "docs/DESIGN.md" "$PT_ROOT/HACKING.md"
check "the man page points to DESIGN.md" grep -qF "DESIGN.md" "$man"
expect_rc "report --help" 0 report --help
contains "report --help points to docs/DESIGN.md" "$OUT" "docs/DESIGN.md"
# README: installing, upgrading and troubleshooting, the brief's four
# situations answered with what papertrade really prints (checked here
# against a run and a scan, or the source where a live source is needed).
readme=$(cat "$PT_ROOT/README.md")
for h in "## Install" "## Upgrade" "## Troubleshooting" '### "No options available"' \
	'### "Insufficient cash"' '### "No opportunities found"' '### "Dashboard not updating"'; do
	contains "README has $h" "$readme" "$h"
done
contains "README: make install PREFIX" "$readme" "make install PREFIX=~/.local"
contains "README: man papertrade" "$readme" "man papertrade"
contains "README: make uninstall" "$readme" "make uninstall PREFIX="
PAPERTRADE_HOME="$T_TMP/ts" "$PT" run --date 2024-01-02 >"$T_TMP/ts-run" 2>&1
PAPERTRADE_HOME="$T_TMP/ts" "$PT" scan --date 2024-01-02 >"$T_TMP/ts-scan" 2>&1
PAPERTRADE_HOME="$T_TMP/ts2" "$PT" run --from 2024-01-02 --to 2024-01-03 --set strategies=volarb,csp \
	>"$T_TMP/ts-bp" 2>&1
for m in "x No opportunities meeting criteria" "Executed 0 new trades today" "0 settled, 0 traded"; do
	contains "a quiet day's run says '$m'" "$(cat "$T_TMP/ts-run")" "$m"
	contains "README quotes '$m'" "$readme" "$m"
done
contains "the scan says why" "$(cat "$T_TMP/ts-scan")" "=> no call met every rule"
contains "README quotes the scan" "$readme" "=> no call met every rule"
contains "a full account refuses for buying power" "$(cat "$T_TMP/ts-bp")" "qualified, refused for buying power: needs"
contains "README quotes the refusal" "$readme" "qualified, refused for buying power: needs"
for m in "Yahoo lists no options for it" "no market data: " "serve: listening on"; do
	check "the source prints '$m'" grep -rqF "$m" "$PT_ROOT/src"
	contains "README quotes '$m'" "$readme" "$m"
done
expect_rc "--version" 0 --version
expect_rc "no command is usage" 2
done_testing
