#!/usr/bin/env bash
# tests/run.sh BUILD_DIR - runs every test of the suite against one build:
# each cmocka unit test binary in BUILD_DIR/tests (TAP output) and each
# end-to-end script in tests/e2e/ (TAP output, driving BUILD_DIR/papertrade).
# Prints every TAP line, then "N passed, N failed"; exits 1 on any failure.
set -u
build=${1:?usage: tests/run.sh BUILD_DIR}
root=$(cd "$(dirname "$0")/.." && pwd)
build=$(cd "$build" && pwd)
export PT="$build/papertrade" PT_ROOT="$root" PT_FIXTURES="$root/tests/fixtures"
export CMOCKA_MESSAGE_OUTPUT=TAP
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=0}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
unset NO_COLOR PAPERTRADE_HOME
for v in $(env | sed -n 's/^\(PAPERTRADE_[A-Z_]*\)=.*/\1/p'); do unset "$v"; done

pass=0 fail=0
log=$(mktemp)
trap 'rm -f "$log"' EXIT

count() { # count TAP results of one test program's output in $log, $1 = name, $2 = exit status
	local p f
	p=$(grep -cE '^ok ' "$log")
	f=$(grep -cE '^not ok ' "$log")
	if [ "$p" -eq 0 ] && [ "$f" -eq 0 ]; then
		echo "not ok - $1 printed no test result (exit $2)"
		f=1
	elif [ "$2" -ne 0 ] && [ "$f" -eq 0 ]; then
		echo "not ok - $1 exited $2"
		f=1
	fi
	pass=$((pass + p)) fail=$((fail + f))
}

show() { # the results of $log with the program's name, diagnostics indented
	awk -v n="$1" '/^(not )?ok /{sub(/ - /, " - " n ": "); print; next}
		/^1\.\./ || /^# (not )?ok - / {next} {print "    " $0}' "$log" | head -200
}

for t in "$build"/tests/test_*; do
	[ -x "$t" ] || continue
	name=$(basename "$t")
	echo "# $name"
	(cd "$root" && "$t") >"$log" 2>&1
	rc=$?
	show "$name"
	count "$name" $rc
done

for t in "$root"/tests/e2e/*.sh; do
	[ -f "$t" ] && [ "$(basename "$t")" != lib.sh ] || continue
	name=$(basename "$t" .sh)
	echo "# $name"
	(cd "$root" && bash "$t") >"$log" 2>&1
	rc=$?
	show "$name"
	count "$name" $rc
done

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
