# tests/e2e/brief.sh - the brief's own portfolio_data.json example
# (tests/data/brief_example.json: the brief's "portfolio_data.json Structure"
# with the expiration of its example output and one daily snapshot as the
# brief's script writes it, the short call counted as an asset) imported
# and run on: one portfolio value in the text report, report --json and the
# dashboard's data; the difference between current_cash and the trades as
# the opening balance, not a trade; benchmarks bought by the first run; a
# position without an expiration refused, naming it (issue 10, point 6).
# shellcheck shell=bash
source "$PT_ROOT/tests/e2e/lib.sh"

EX=$PT_ROOT/tests/data/brief_example.json
jget() { # jget EXPR : evaluates EXPR on the JSON object d read from stdin
	/usr/bin/python3 -c 'import json, sys; d = json.load(sys.stdin); v = eval(sys.argv[1]); print(v)' "$1"
}

expect_rc "import the brief's example" 0 import "$EX"
contains "says what the opening balance is" "$ERR" "opening balance 350.25"
contains "says the brief's snapshots are not kept" "$ERR" "1 daily snapshots not kept"
run_pt report
text_value=$(printf '%s\n' "$OUT" | sed -n 's/^Portfolio Value: //p')
json_value=$("$PT" report --json | jget 'd["portfolio_value"]')
dash_value=$("$PT" dashboard --out - --json | jget 'd["summary"]["portfolio_value"]')
same "the text report's value" "$text_value" "350.25"
same "report --json's value" "$json_value" "350.25"
same "the dashboard's value" "$dash_value" "350.25"
same "the opening balance is the initial capital" "$("$PT" report --json | jget 'd["initial_capital"]')" "350.25"
same "no closed trade, no win rate" "$("$PT" report --json | jget '(d["closed_trades"], d["win_rate"])')" "([], None)"
check "the ledger identities hold" /usr/bin/python3 "$PT_ROOT/tests/e2e/identities.py" < <("$PT" report --json)

# The next run buys the benchmarks and says so.
export PAPERTRADE_NOW=2024-11-22T10:00
expect_rc "run the next session" 0 run --date 2024-11-22
contains "the report says the benchmarks were bought" "$OUT" "Benchmarks bought today"
run_pt report --json
same "four benchmarks" "$(printf '%s' "$OUT" | jget 'sorted(d["benchmarks"])')" "['QQQ', 'SPY', 'VOO', 'VTI']"
same "an excess return vs SPY" "$(printf '%s' "$OUT" | jget 'd["excess_return_vs_spy"] is not None')" "True"
check "the ledger identities still hold" /usr/bin/python3 "$PT_ROOT/tests/e2e/identities.py" <<<"$OUT"
json_value=$(printf '%s' "$OUT" | jget 'd["portfolio_value"]')
run_pt report
contains "the benchmarks are held from the day they were bought" "$OUT" "buy and hold from 2024-11-22"
same "text and JSON agree after the run" "$(printf '%s\n' "$OUT" | sed -n 's/^Portfolio Value: //p' | tr -d ,)" "$(printf '%.2f' "$json_value")"
same "the dashboard agrees after the run" "$("$PT" dashboard --out - --json | jget 'd["summary"]["portfolio_value"]')" "$json_value"
PAPERTRADE_NOW=2024-11-25T10:00 expect_rc "the session after" 0 run --date 2024-11-25
same "benchmarks are bought once" "$("$PT" report --json | jget 'sorted(d["benchmarks"])')" "['QQQ', 'SPY', 'VOO', 'VTI']"

# The brief's example as it stands has no expiration: refused, naming it.
export PAPERTRADE_HOME="$T_TMP/home2"
grep -v '"expiration"' "$EX" >"$T_TMP/noexp.json"
expect_rc "a position without an expiration is refused" 1 import "$T_TMP/noexp.json"
contains "naming the position" "$ERR" "positions[0].expiration: missing: SPY 605 call"
check "nothing is left behind" test ! -e "$PAPERTRADE_HOME"

# Cash the trades leave nothing of: refused.
sed 's/"current_cash": 1050.25/"current_cash": 650/' "$EX" >"$T_TMP/neg.json"
expect_rc "no opening balance left is refused" 1 import "$T_TMP/neg.json"
contains "saying why" "$ERR" "current_cash: 650.00 leaves no opening balance"

done_testing
