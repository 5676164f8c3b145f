# tests/e2e/lib.sh - sourced by every end-to-end test. Gives a temporary home
# folder and TAP helpers; the test drives the real binary "$PT".
# shellcheck shell=bash
set -u
: "${PT:?run through tests/run.sh}"
T_N=0
T_TMP=$(mktemp -d)
trap 'rm -rf "$T_TMP"' EXIT
export PAPERTRADE_HOME="$T_TMP/home"
export TZ=${TZ_OVERRIDE:-Asia/Tokyo}   # a zone far from New York: nothing may depend on it

ok() { T_N=$((T_N + 1)); echo "ok $T_N - $1"; }
not_ok() {
	local d=$1
	shift
	T_N=$((T_N + 1))
	echo "not ok $T_N - $d"
	local l
	for l in "$@"; do echo "#   $l"; done
}
# check DESC CMD... : passes when CMD succeeds
check() {
	local d=$1
	shift
	if "$@"; then ok "$d"; else not_ok "$d" "failed: $*"; fi
}
# run_pt ARGS... : runs papertrade, output in $OUT / $ERR, status in $RC
run_pt() {
	"$PT" "$@" >"$T_TMP/out" 2>"$T_TMP/err"
	RC=$?
	OUT=$(cat "$T_TMP/out")
	ERR=$(cat "$T_TMP/err")
}
# expect_rc DESC WANT ARGS... : runs papertrade and checks the exit status and,
# on failure, that stderr is one line "papertrade: ..."
expect_rc() {
	local d=$1 want=$2
	shift 2
	run_pt "$@"
	if [ "$RC" -ne "$want" ]; then
		not_ok "$d" "exit $RC, want $want" "stderr: $ERR"
		return
	fi
	if [ "$want" -ne 0 ]; then
		local lines
		lines=$(printf '%s\n' "$ERR" | grep -c .)
		case "$ERR" in
		papertrade:*) [ "$lines" -eq 1 ] && { ok "$d"; return; } ;;
		esac
		not_ok "$d" "want one line 'papertrade: ...' on stderr, got:" "$ERR"
		return
	fi
	ok "$d"
}
# same DESC A B : passes when the strings are equal
same() {
	if [ "$2" = "$3" ]; then ok "$1"; else not_ok "$1" "got:  $2" "want: $3"; fi
}
# contains DESC HAYSTACK NEEDLE
contains() {
	case "$2" in
	*"$3"*) ok "$1" ;;
	*) not_ok "$1" "missing: $3" ;;
	esac
}
# db_hash : a fingerprint of the stored state (content of every table)
db_hash() {
	if [ -f "$PAPERTRADE_HOME/papertrade.db" ]; then
		sqlite3 "$PAPERTRADE_HOME/papertrade.db" .dump | sha256sum | cut -d' ' -f1
	else
		echo none
	fi
}
done_testing() { echo "1..$T_N"; }
