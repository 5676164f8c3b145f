#!/usr/bin/env bash
# tests/e2e/backtest.sh - `papertrade backtest` (issue 11): a year replayed in
# memory makes the same trades and the same ledger, to the cent, as the same
# year of daily runs stored in a home; the home is never touched; the JSON
# and the files of --out say the same as the report; a progress line on a
# terminal and nothing on a pipe; every bad flag a one-line error, exit 2.
# shellcheck source=tests/e2e/lib.sh
source "$PT_ROOT/tests/e2e/lib.sh"
export PAPERTRADE_NOW=2025-01-02T10:00
py() { /usr/bin/python3 "$@"; }

# A year of daily runs in a home, and the same year as a backtest.
expect_rc "2024 as daily runs" 0 run -q --from 2024-01-02 --to 2024-12-31
before=$(db_hash)
expect_rc "2024 as a backtest, --out" 0 backtest -q --from 2024-01-02 --to 2024-12-31 --out "$T_TMP/bt"
same "the home's database is untouched" "$(db_hash)" "$before"
for f in report.txt report.json equity.csv trades.csv ledger.csv portfolio_data.json; do
	check "--out wrote $f" test -s "$T_TMP/bt/$f"
done

"$PT" export --out "$T_TMP/home.json"
check "the same portfolio_data.json, byte for byte" cmp "$T_TMP/home.json" "$T_TMP/bt/portfolio_data.json"
sqlite3 -csv -header "$PAPERTRADE_HOME/papertrade.db" \
	"SELECT id, session, position_id, kind, cents, memo FROM ledger ORDER BY id" >"$T_TMP/home-ledger.csv"
same "the same ledger, row for row, to the cent" "$(py - "$T_TMP/home-ledger.csv" "$T_TMP/bt/ledger.csv" <<'EOF'
import csv, sys
a = list(csv.reader(open(sys.argv[1])))
b = list(csv.reader(open(sys.argv[2])))
print("same" if a == b else "differ at row %d of %d/%d" % (next(i for i, (x, y) in enumerate(zip(a + [None], b + [None])) if x != y), len(a), len(b)))
EOF
)" same
n=$(wc -l <"$T_TMP/home-ledger.csv")
echo "# $((n - 1)) ledger rows compared"
"$PT" trades --json >"$T_TMP/home-trades.json"
"$PT" report --json >"$T_TMP/home-report.json"
same "the same closed trades and the same summary" "$(py - "$T_TMP/home-trades.json" "$T_TMP/home-report.json" "$T_TMP/bt/report.json" <<'EOF'
import json, sys
trades = json.load(open(sys.argv[1]))
rep = json.load(open(sys.argv[2]))
bt = json.load(open(sys.argv[3]))
rep.pop("run", None)
s = bt["summary"]
s.pop("run", None)
print(trades == bt["trades"], len(trades) > 10, rep == s)
EOF
)" "True True True"

# The JSON: counts, curves and the report agree.
run_pt backtest --from 2024-01-02 --to 2024-12-31 --json
same "--json: exit 0" "$RC" 0
check "--json: nothing on stderr (no progress on a pipe)" test -z "$ERR"
same "--json: sessions, curves, last value" "$(printf '%s' "$OUT" | py -c '
import json, sys
o = json.load(sys.stdin)
b, e, s = o["backtest"], o["equity"], o["summary"]
print(b["sessions"], len(e["dates"]), len(e["value"]), len(e["drawdown"]),
      e["dates"][0], e["dates"][-1], b["first_session"], b["last_session"],
      max(e["drawdown"]) <= 0, min(e["drawdown"]) < 0,
      abs(e["value"][-1] - s["portfolio_value"]) < 0.005, b["provider"], b["option_quotes"] > 0)')" \
	"252 252 252 252 2024-01-02 2024-12-31 2024-01-02 2024-12-31 True True True sim True"
same "--json: the trades of report.json" "$(printf '%s' "$OUT" | py -c '
import json, sys
print(len(json.load(sys.stdin)["trades"]))')" "$(py -c 'import json,sys; print(len(json.load(open(sys.argv[1]))["trades"]))' "$T_TMP/bt/report.json")"

# The text: the header and the summary.
run_pt backtest --from 2024-06-03 --to 2024-06-28
same "a month: exit 0" "$RC" 0
contains "the header: dates, market, sessions" "$OUT" "BACKTEST 2024-06-03..2024-06-28 on sim: 19 sessions in"
contains "the summary follows" "$OUT" "Sessions Trading: 19 (since 2024-06-03)"
run_pt backtest --from 2024-06-01 --to 2024-06-03
contains "a --from on a weekend starts at the next session" "$OUT" "BACKTEST 2024-06-03..2024-06-03 on sim: 1 session in"

# --set changes the strategy for the backtest alone.
a=$(printf '%s' "$("$PT" backtest -q --from 2024-01-02 --to 2024-06-28 --json)" | py -c 'import json,sys; print(json.load(sys.stdin)["backtest"]["trades"])')
b=$(printf '%s' "$("$PT" backtest -q --from 2024-01-02 --to 2024-06-28 --json --set iv_edge=0.5)" | py -c 'import json,sys; print(json.load(sys.stdin)["backtest"]["trades"])')
check "--set iv_edge=0.5 trades less ($b vs $a)" test "$b" -lt "$a"
grep -q "iv_edge" "$PAPERTRADE_HOME/papertrade.ini" && check "--set is not written to the home's config" bash -c "! grep -q '^iv_edge *= *0.5' '$PAPERTRADE_HOME/papertrade.ini'"

# No home needed, none made.
PAPERTRADE_HOME="$T_TMP/none" run_pt backtest -q --from 2024-06-03 --to 2024-06-07
same "no home: exit 0" "$RC" 0
check "no home: none made" test ! -e "$T_TMP/none"

# A progress line on a terminal, cleared at the end.
TERM=xterm script -qec "'$PT' backtest --from 2023-01-03 --to 2024-12-31 >/dev/null" /dev/null >"$T_TMP/tty.txt" 2>&1
contains "a terminal: the progress line" "$(cat "$T_TMP/tty.txt")" "of 502 sessions"
contains "a terminal: sessions/s and time left" "$(cat "$T_TMP/tty.txt")" "/s, about"

# Bad flags and dates: one line, exit 2, nothing written.
expect_rc "no --from" 2 backtest
expect_rc "--from not a date" 2 backtest --from 2024-13-01
expect_rc "--from after --to" 2 backtest --from 2024-06-10 --to 2024-06-07
expect_rc "--to today" 2 backtest --from 2024-06-03 --to 2025-01-02
contains "--to today: says why" "$ERR" "is not before today (2025-01-02 in New York)"
expect_rc "--to the day before today" 0 backtest -q --from 2024-12-31 --to 2025-01-01
expect_rc "no session in the range" 2 backtest --from 2024-06-08 --to 2024-06-09
expect_rc "outside the calendar" 2 backtest --from 1999-12-01 --to 2000-01-10
expect_rc "an unknown option" 2 backtest --from 2024-06-03 --fast
expect_rc "an argument" 2 backtest --from 2024-06-03 SPY
expect_rc "a bad --set" 2 backtest --from 2024-06-03 --set iv_edge=lots
expect_rc "an unknown provider" 2 backtest --from 2024-06-03 --provider nasdaq
touch "$T_TMP/afile"
expect_rc "--out onto a file" 1 backtest -q --from 2024-06-03 --to 2024-06-07 --out "$T_TMP/afile"
same "--out onto a file: the file is as it was" "$(wc -c <"$T_TMP/afile")" 0
expect_rc "help backtest" 0 help backtest
contains "help names the equivalence" "$OUT" "makes the same trades and the same"

done_testing
