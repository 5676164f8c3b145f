#!/usr/bin/env bash
# tests/e2e/early_assignment.sh - errata 10 (issue 12): over 2015-2024 on
# the simulated market, the short calls in the money on the eve of an
# ex-dividend date whose time value after it was below the dividend are
# assigned on that eve: one, SPY's 521 call of 2019-06-21 on 2019-06-20.
# The eve is checked against the market itself (the dividend a holding of
# SPY receives on the next session), and the daily runs book the same.
# shellcheck source=tests/e2e/lib.sh
source "$PT_ROOT/tests/e2e/lib.sh"
export PAPERTRADE_NOW=2025-01-02T10:00
py() { /usr/bin/python3 "$@"; }

expect_rc "2015-2024 as a backtest" 0 backtest -q --json --from 2015-01-02 --to 2024-12-31
cp "$T_TMP/out" "$T_TMP/bt.json"
same "one early assignment, SPY's 521 call of 2019-06-21 on its eve" "$(py - "$T_TMP/bt.json" <<'EOF'
import json, sys
bt = json.load(open(sys.argv[1]))["backtest"]
print(" ".join("%s %s %g %s" % (e["date"], e["ticker"], e["strike"], e["expiry"])
               for e in bt["early_assignments"]))
EOF
)" "2019-06-20 SPY 521 2019-06-21"
check "the text report lists it" sh -c "'$PT' backtest -q --from 2015-01-02 --to 2024-12-31 | grep -q 'Assigned early, on the eve of an ex-dividend date: 1'"

# 2019-06-21 is an ex-date of SPY in the sim: shares held receive a dividend then.
expect_rc "shares held over the ex-date" 0 backtest -q --from 2019-06-19 --to 2019-06-21 \
	--set holdings=etf --set tickers=SPY --out "$T_TMP/div"
check "SPY's dividend is booked on 2019-06-21" grep -q '^[0-9]*,2019-06-21,[0-9]*,dividend,' "$T_TMP/div/ledger.csv"
check "and on no day before it" sh -c "! grep -q '^[0-9]*,2019-06-2[0],[0-9]*,dividend,' '$T_TMP/div/ledger.csv'"

# The daily runs over the weeks around it book the same assignment.
expect_rc "daily runs 2019-05-01..2019-06-24" 0 run -q --from 2019-05-01 --to 2019-06-24
"$PT" trades --json >"$T_TMP/trades.json"
same "the run's trades hold it, settled at the eve's close" "$(py - "$T_TMP/trades.json" <<'EOF'
import json, sys
t = json.load(open(sys.argv[1]))
rows = t if isinstance(t, list) else t.get("closed_trades", t.get("trades", []))
print(" ".join("%s %s %g" % (r["closed"], r["ticker"], r["strike"]) for r in rows
               if r.get("reason") == "assigned early"))
EOF
)" "2019-06-20 SPY 521"
done_testing
