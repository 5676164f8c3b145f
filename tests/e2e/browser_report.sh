#!/usr/bin/env bash
# tests/e2e/browser_report.sh - the pages of `papertrade backtest --html`
# (and of `compare --html`, a year of the sim) in
# a real browser: two years of the sim, and a backtest of the imported
# history (an OptionsDX file: tests/e2e/history_files.py with the sessions
# tests/e2e/backtest_history_files.py adds) with tickers it lacks, each
# written with --html and --json at once; Debian's chromium driven by
# tests/browser/report.mjs (playwright-core, pinned in package-lock.json)
# opens each file from disk and checks the charts, the heatmap, the tables,
# that nothing is requested and nothing logs an error. Screenshots at
# desktop and phone widths go to test-output/ at the repository root.
# shellcheck source=tests/e2e/lib.sh
source "$(dirname "$0")/lib.sh"

CHROMIUM=${PT_CHROMIUM:-/usr/bin/chromium}
need=
command -v node >/dev/null || need="node is not installed (scripts/setup)"
[ -x "$CHROMIUM" ] || need="$CHROMIUM is missing (scripts/setup installs chromium)"
[ -d "$PT_ROOT/node_modules/playwright-core" ] || need="node_modules/playwright-core is missing (npm ci)"
if [ -n "$need" ]; then
	not_ok "browser test can run" "$need"
	done_testing
	exit 0
fi

export PAPERTRADE_NOW=2025-01-02T10:00
run_pt backtest -q --from 2023-01-03 --to 2024-12-31 --json --html "$T_TMP/sim.html"
same "two years on the sim, --json and --html" "$RC" 0
printf '%s' "$OUT" >"$T_TMP/sim.json"
# compare --html: two configurations and the reference rows, a year of the sim.
run_pt compare -q --from 2024-01-02 --to 2024-12-31 --json --html "$T_TMP/cmp.html" \
	strategies=volarb 'strategies=volarb,csp iv_edge=0.03'
same "compare on the sim, --json and --html" "$RC" 0
printf '%s' "$OUT" >"$T_TMP/cmp.json"

F="$T_TMP/files"
mkdir -p "$F"
/usr/bin/python3 "$PT_ROOT/tests/e2e/history_files.py" "${PT_FIXTURES:-$PT_ROOT/tests/fixtures}" "$F" >/dev/null &&
	/usr/bin/python3 "$PT_ROOT/tests/e2e/backtest_history_files.py" "$F" >/dev/null
check "history files in OptionsDX's layout" test -s "$F/aapl_eod_202510.txt"
export PAPERTRADE_HOME="$T_TMP/hist" PAPERTRADE_NOW=2025-11-12T10:00 PAPERTRADE_RISK_FREE_RATE=0.04 \
	PAPERTRADE_TARGET_DTE=2 PAPERTRADE_INITIAL_CAPITAL=100000 PAPERTRADE_SIZING=margin \
	PAPERTRADE_TICKERS=AAPL,SPY,VOO
expect_rc "history import" 0 history import "$F/aapl_eod_202510.txt"
run_pt backtest -q --provider history --from 2025-10-01 --to 2025-11-07 --json --html "$T_TMP/hist.html"
same "a backtest of the history, --json and --html" "$RC" 0
printf '%s' "$OUT" >"$T_TMP/hist.json"

mkdir -p "$PT_ROOT/test-output"
(cd "$PT_ROOT" && node tests/browser/report.mjs --out "$PT_ROOT/test-output" \
	"sim=$T_TMP/sim.html:$T_TMP/sim.json" "history=$T_TMP/hist.html:$T_TMP/hist.json" \
	"compare=$T_TMP/cmp.html:$T_TMP/cmp.json") \
	>"$T_TMP/browser.out" 2>"$T_TMP/browser.err"
rc=$?
# Number the browser's results into this script's TAP stream.
while IFS= read -r line; do
	case "$line" in
	"ok - "*) ok "${line#ok - }" ;;
	"not ok - "*)
		T_N=$((T_N + 1))
		echo "not ok $T_N - ${line#not ok - }"
		;;
	*) echo "$line" ;;
	esac
done <"$T_TMP/browser.out"
if [ "$rc" -ne 0 ] || ! grep -q '^ok - ' "$T_TMP/browser.out"; then
	not_ok "the browser test ran (exit $rc)" "$(head -c 2000 "$T_TMP/browser.err")"
fi
done_testing
