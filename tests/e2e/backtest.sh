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

# The analytics: the JSON's figures recomputed with numpy from its own
# series and trades (docs/metrics.md), and the same figures in the text.
printf '%s' "$OUT" >"$T_TMP/bt2024.json"
got=$(/usr/bin/python3 "$PT_ROOT/tests/e2e/backtest_analytics.py" "$T_TMP/bt2024.json")
contains "--json: every analytic figure as numpy computes it" "$got" "ok "
echo "# $got"
run_pt backtest --from 2024-01-02 --to 2024-12-31 --json
same "the analytics are the same every time (the bootstrap's seed is fixed)" \
	"$(printf '%s' "$OUT" | py -c 'import json,sys; print(json.dumps(json.load(sys.stdin)["analytics"]))')" \
	"$(py -c 'import json,sys; print(json.dumps(json.load(open(sys.argv[1]))["analytics"]))' "$T_TMP/bt2024.json")"
run_pt backtest --from 2024-01-02 --to 2024-12-31
printf '%s\n' "$OUT" >"$T_TMP/bt2024.txt"
same "the text: the analytics section says what the JSON says" "$(py - "$T_TMP/bt2024.txt" "$T_TMP/bt2024.json" <<'EOF'
import json, re, sys
text = open(sys.argv[1]).read()
o = json.load(open(sys.argv[2]))
a = o["analytics"]
sec = text[text.index("ANALYTICS"):]
def row(label):
    m = re.search(r"^  %s +(.*)$" % re.escape(label), sec, re.M)
    return m.group(1) if m else "(no row %s)" % label
def p2(x):
    return "%+.2f%%" % (x * 100)
def n2(x):
    return "%.2f" % x
bad = []
def want(label, prefix):
    if not row(label).startswith(prefix):
        bad.append("%s: %r does not start with %r" % (label, row(label), prefix))
dd, ld = a["max_drawdown"], a["longest_drawdown"]
want("CAGR", "%s (252 sessions a year; %s by calendar days)" % (p2(a["cagr"]), p2(a["cagr_calendar"])))
want("Volatility", "%.2f%% a year" % (a["volatility"] * 100))
want("Sharpe", "%s, 95%% interval %s to %s (Lo 2002, IID)" % (n2(a["sharpe"]), n2(a["sharpe_interval"]["low"]), n2(a["sharpe_interval"]["high"])))
want("Sharpe, HAC interval", "95%% interval %s to %s" % (n2(a["sharpe_interval_hac"]["low"]), n2(a["sharpe_interval_hac"]["high"])))
want("Sortino", n2(a["sortino"]))
want("Tail ratio", n2(a["tail_ratio"]))
want("Max drawdown", "%s: peak %s, trough %s, %s %s (%d sessions, %d calendar days)" % (
    p2(dd["depth"]), dd["peak"], dd["trough"], "recovered" if dd["recovered"] else "not recovered by", dd["end"], dd["sessions"], dd["days"]))
want("Longest drawdown", "%s: peak %s" % (p2(ld["depth"]), ld["peak"]))
want("Calmar", n2(a["calmar"]))
t = a["trades"]
want("Closed trades", "%d: %d won, %d lost, %d even" % (t["closed"], t["wins"], t["losses"], t["even"]))
want("Win rate", "%.2f%%" % (t["win_rate"] * 100))
want("Profit factor", n2(t["profit_factor"]))
want("Average win / loss", "%s / %s" % (n2(t["average_win"]), n2(t["average_loss"])))
want("Expectancy", n2(t["expectancy"]))
want("Alpha", "%s a year (geometric %s), 95%% interval %s to %s" % (p2(a["spy"]["alpha"]), p2(a["spy"]["alpha_geometric"]), p2(a["spy"]["alpha_interval"]["low"]), p2(a["spy"]["alpha_interval"]["high"])))
want("Beta", n2(a["spy"]["beta"]))
want("Margin calls", "%d, positions closed for them: %d" % (a["margin_calls"], a["forced_closes"]))
for y, months, yr in zip(a["monthly"]["years"], a["monthly"]["months"], a["monthly"]["year"]):
    m = re.search(r"^  %d (.*)$" % y, sec, re.M)
    cells = m.group(1).split() if m else []
    exp = ["-" if v is None else "%+.2f" % (v * 100) for v in months + [yr]]
    if cells != exp:
        bad.append("monthly %d: %s, want %s" % (y, cells, exp))
for name in [x["name"] for x in a["attribution"]["ticker"]]:
    if not re.search(r"^  %s +" % name, sec, re.M):
        bad.append("no attribution row for " + name)
# each figure once: the summary no longer repeats them
for gone in ("Sharpe Ratio:", "Win Rate:", "Alpha vs SPY"):
    if gone in text:
        bad.append("the summary still says " + gone)
print("\n".join(bad) or "same")
EOF
)" same

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

# --html: one page, written whole, that fetches nothing.
# html_data FILE : the JSON of the page's <script type="application/json">
html_data() {
	py - "$1" <<'EOF'
import json, re, sys
page = open(sys.argv[1]).read()
m = re.search(r'<script type="application/json" id="pt-report">(.*?)</script>', page, re.S)
print(json.dumps(json.loads(m.group(1))) if m else "{}")
EOF
}
# fetches FILE : every URL the page would load (src, href but data:, url(), @import)
fetches() {
	py - "$1" <<'EOF'
import re, sys
page = open(sys.argv[1]).read()
found = re.findall(r'''(?:\bsrc|\bhref)\s*=\s*["']?(?!data:|#)([^"'\s>]+)''', page, re.I)
found += re.findall(r'''(?<![\w.])url\(\s*["']?(?!data:)([^"')]+)''', page, re.I)
found += re.findall(r'''@import\s+["']?([^"';]+)''', page, re.I)
found += [u for u in re.findall(r'''https?://[^\s"'<>)]+''', page) if not re.search(r'chartjs\.org|github\.com/kurkle', u)]
print(" ".join(found) or "none")
EOF
}
run_pt backtest -q --from 2024-01-02 --to 2024-12-31 --json --html "$T_TMP/bt.html"
same "--html: exit 0" "$RC" 0
check "--html: the page is written" test -s "$T_TMP/bt.html"
same "--html: it fetches nothing (no src, href, url() or @import but data:)" "$(fetches "$T_TMP/bt.html")" none
check "--html: Chart.js is inlined" grep -q 'Chart.js v4' "$T_TMP/bt.html"
check "--html: no <script src> nor <link rel=stylesheet>" bash -c "! grep -Eiq '<script[^>]+src=|<link[^>]+stylesheet' '$T_TMP/bt.html'"
printf '%s' "$OUT" >"$T_TMP/bt-html.json"
html_data "$T_TMP/bt.html" >"$T_TMP/bt-page.json"
same "--html: the page's data is the backtest's (curves, heatmap, trade list)" "$(py - "$T_TMP/bt-page.json" "$T_TMP/bt-html.json" <<'EOF'
import json, sys
d = json.load(open(sys.argv[1]))
o = json.load(open(sys.argv[2]))
a = o["analytics"]
eq = {c["name"]: c for c in d["equity"]}
s = eq["Strategy"]
ok = [
    sorted(eq) == sorted(["Strategy"] + list(o["summary"]["benchmarks"])),
    [round(v, 2) for v in s["y"]] == [round(v, 2) for v in a["series"]["value"]],
    len(s["x"]) == len(a["series"]["dates"]) == o["backtest"]["sessions"] + 1,
    all(abs(x - y) < 1e-9 for x, y in zip(d["drawdown"][0]["y"], a["series"]["drawdown"])),
    d["monthly"][0]["years"] == a["monthly"]["years"],
    all((x is None and y is None) or abs(x - y) <= 1e-9 * abs(y)
        for r1, r2 in zip(d["monthly"][0]["months"], a["monthly"]["months"]) for x, y in zip(r1, r2)),
    [t["id"] for t in d["tables"]] == ["analytics", "by-ticker", "by-strategy", "trades"],
    len([t for t in d["tables"] if t["id"] == "trades"][0]["rows"]) == len(o["trades"]),
    any(r[0] == "Sharpe" for r in d["tables"][0]["rows"]),
    len(d["rolling"][0]["y"]) == len(a["series"]["rolling_sharpe"]),
]
print(ok)
EOF
)" "[True, True, True, True, True, True, True, True, True, True]"
check "--html: \"</\" inside the data is written \"<\\/\"" bash -c "! /usr/bin/python3 -c '
import re,sys
p=open(sys.argv[1]).read()
m=re.search(r\"id=.pt-report.>(.*?)</script>\", p, re.S)
sys.exit(0 if \"</\" in m.group(1) else 1)' '$T_TMP/bt.html'"
# Errors: one line, exit 1 (as --out's), nothing written, nothing on stdout.
expect_rc "--html into a folder that does not exist" 1 backtest -q --from 2024-06-03 --to 2024-06-07 --html "$T_TMP/nowhere/r.html"
contains "--html: names the path and why" "$ERR" "papertrade: --html: $T_TMP/nowhere/r.html: No such file or directory"
same "--html: nothing on stdout when it fails" "$OUT" ""
check "--html: no file made" test ! -e "$T_TMP/nowhere"
expect_rc "--html under a file" 1 backtest -q --from 2024-06-03 --to 2024-06-07 --html "$T_TMP/afile/r.html"
mkdir -p "$T_TMP/adir"
expect_rc "--html onto a folder" 1 backtest -q --from 2024-06-03 --to 2024-06-07 --html "$T_TMP/adir"
same "--html onto a folder: the folder is as it was, no temporary left" "$(ls -A "$T_TMP/adir"; ls -A "$T_TMP" | grep -c '\.tmp\.')" 0
if [ "$(id -u)" -ne 0 ]; then
	mkdir -p "$T_TMP/ro" && chmod 555 "$T_TMP/ro"
	expect_rc "--html into a read-only folder" 1 backtest -q --from 2024-06-03 --to 2024-06-07 --html "$T_TMP/ro/r.html"
	same "--html into a read-only folder: nothing there" "$(ls -A "$T_TMP/ro")" ""
	chmod 755 "$T_TMP/ro"
else
	echo "# skipped: --html into a read-only folder (root writes anywhere)"
fi
printf 'old\n' >"$T_TMP/keep.html"
expect_rc "--html over a file: replaced whole" 0 backtest -q --from 2024-06-03 --to 2024-06-07 --html "$T_TMP/keep.html"
check "--html over a file: the new page" grep -q 'pt-report' "$T_TMP/keep.html"
expect_rc "--html without a value" 2 backtest --from 2024-06-03 --html

# Real history, each layout: the recorded AAPL day of 2025-10-29 and seven
# made-up sessions after it (backtest_history_files.py says how), imported,
# then a backtest of AAPL, SPY and VOO on it: SPY and VOO are left out and
# said so, the dates moved inside the history, the full report and page.
F="$T_TMP/hfiles"
mkdir -p "$F"
/usr/bin/python3 "$PT_ROOT/tests/e2e/history_files.py" "${PT_FIXTURES:-$PT_ROOT/tests/fixtures}" "$F" >/dev/null
same "seven sessions added to each layout" "$(/usr/bin/python3 "$PT_ROOT/tests/e2e/backtest_history_files.py" "$F")" "7 2025-10-30 2025-11-07"
hist_env() {
	env PAPERTRADE_HOME="$T_TMP/h-$1" PAPERTRADE_NOW=2025-11-12T10:00 PAPERTRADE_RISK_FREE_RATE=0.04 \
		PAPERTRADE_TARGET_DTE=2 PAPERTRADE_INITIAL_CAPITAL=100000 PAPERTRADE_SIZING=margin \
		PAPERTRADE_TICKERS=AAPL,SPY,VOO "${@:2}"
}
for layout in optionsdx cboe db; do
	case $layout in
	optionsdx) file=$F/aapl_eod_202510.txt ;;
	cboe) file=$F/aapl_cboe_eod.csv ;;
	db) file=$F/aapl_options.db ;;
	esac
	hist_env "$layout" "$PT" history import "$file" >/dev/null 2>&1
	hist_env "$layout" "$PT" backtest --provider history --from 2025-10-01 --to 2025-11-07 \
		--html "$T_TMP/h-$layout.html" >"$T_TMP/h-$layout.txt" 2>"$T_TMP/h-$layout.err"
	same "$layout: backtest --provider history --html: exit 0" "$?" 0
	same "$layout: stderr: the tickers left out, then the dates moved" "$(cat "$T_TMP/h-$layout.err")" \
		"papertrade: backtest: SPY, VOO: not in the history (see papertrade history list); replaying the others
papertrade: backtest: --from 2025-10-01 moved to 2025-10-29, the first session of AAPL in the history"
	txt=$(cat "$T_TMP/h-$layout.txt")
	contains "$layout: the report: 8 sessions of the history" "$txt" "BACKTEST 2025-10-29..2025-11-07 on history: 8 sessions in"
	contains "$layout: the report says what was left out" "$txt" "Left out: SPY, VOO: not in the history (see papertrade history list)"
	contains "$layout: and how the dates moved" "$txt" "Dates: --from 2025-10-01 moved to 2025-10-29"
	contains "$layout: the analytics" "$txt" "Closed trades          2: 2 won, 0 lost, 0 even"
	contains "$layout: no SPY, no alpha" "$txt" "Alpha                  n/a (SPY is not among the tickers)"
	contains "$layout: the monthly table" "$txt" "  2025      -      -      -      -      -      -      -      -      -  "
	same "$layout: the page fetches nothing" "$(fetches "$T_TMP/h-$layout.html")" none
	hist_env "$layout" "$PT" backtest --provider history --from 2025-10-01 --to 2025-11-07 --json \
		>"$T_TMP/h-$layout.json" 2>/dev/null
	same "$layout: --json: left out, dates, analytics as numpy computes them" "$(py - "$T_TMP/h-$layout.json" <<'EOF'
import json, sys
o = json.load(open(sys.argv[1]))
b = o["backtest"]
print([x["ticker"] + ": " + x["why"] for x in b["left_out"]], b["dates_moved"] is not None, b["from"], b["first_session"],
      b["sessions"], len(o["trades"]), o["analytics"]["spy"]["alpha"], list(o["summary"]["benchmarks"]))
EOF
)" "['SPY: not in the history', 'VOO: not in the history'] True 2025-10-01 2025-10-29 8 2 None ['AAPL']"
	got=$(/usr/bin/python3 "$PT_ROOT/tests/e2e/backtest_analytics.py" "$T_TMP/h-$layout.json")
	contains "$layout: every analytic figure as numpy computes it" "$got" "ok "
done
same "the three layouts make the same trades" "$(for l in optionsdx cboe db; do py -c '
import json,sys; print(json.dumps([(t["strike"], t["expiry"], t["pnl"]) for t in json.load(open(sys.argv[1]))["trades"]]))' "$T_TMP/h-$l.json"; done | sort -u | wc -l)" 1
# --to after the history: moved back to its last session.
run_pt_h() { hist_env db "$PT" "$@" >"$T_TMP/out" 2>"$T_TMP/err"; RC=$?; OUT=$(cat "$T_TMP/out"); ERR=$(cat "$T_TMP/err"); }
run_pt_h backtest -q --provider history --from 2025-10-29 --to 2025-11-11
same "--to after the history: exit 0" "$RC" 0
contains "--to after the history: moved to its last session" "$ERR" "--to 2025-11-11 moved to 2025-11-07, the last session of AAPL in the history"
# Nothing left: one line, exit 1.
run_pt_h backtest -q --provider history --from 2025-10-29 --to 2025-11-07 --set tickers=SPY,VOO
same "no ticker in the history: exit 1" "$RC" 1
same "no ticker in the history: one line naming them and what there is" "$ERR" \
	"papertrade: backtest: no ticker to replay: SPY, VOO: not in the history (the history has AAPL; see papertrade history list)"
run_pt_h backtest -q --provider history --from 2025-09-01 --to 2025-09-30
same "dates the history does not cover: exit 1" "$RC" 1
same "dates the history does not cover: one line" "$ERR" \
	"papertrade: backtest: no ticker to replay: AAPL: not in the history between 2025-09-01 and 2025-09-30 (it has 2025-10-29..2025-11-07); SPY, VOO: not in the history (the history has AAPL; see papertrade history list)"
hist_env empty "$PT" backtest -q --provider history --from 2025-10-29 --to 2025-11-07 >"$T_TMP/out" 2>"$T_TMP/err"
same "no history at all: exit 1" "$?" 1
same "no history at all: one line" "$(cat "$T_TMP/err")" \
	"papertrade: backtest: no ticker to replay: nothing was imported into the history (see papertrade history import)"

# Two more tickers cut from the same file: MSFT with the sessions up to
# 2025-10-30, IBM from 2025-11-05 (made-up names for the same rows).
cut_dx() { # cut_dx OUT FROM TO : OptionsDX lines of sessions FROM..TO (the header too)
	awk -F', ' -v a="$2" -v b="$3" 'NR == 1 || ($3 >= a && $3 <= b)' "$F/aapl_eod_202510.txt" >"$1"
}
cut_dx "$F/msft.txt" 2025-10-29 2025-10-30
cut_dx "$F/ibm.txt" 2025-11-05 2025-11-07
hist_env db "$PT" history import --ticker MSFT "$F/msft.txt" >/dev/null 2>&1
hist_env db "$PT" history import --ticker IBM "$F/ibm.txt" >/dev/null 2>&1
run_pt_h backtest -q --provider history --from 2025-10-29 --to 2025-11-07 --set tickers=AAPL,IBM
same "a ticker whose history starts later: exit 0" "$RC" 0
same "a ticker whose history starts later: --from moved to its first session" "$ERR" \
	"papertrade: backtest: --from 2025-10-29 moved to 2025-11-05, the first session of IBM in the history"
contains "and the replay starts there" "$OUT" "BACKTEST 2025-11-05..2025-11-07 on history: 3 sessions"
run_pt_h backtest -q --provider history --from 2025-10-29 --to 2025-11-07 --set tickers=MSFT,IBM
same "histories that do not overlap: exit 1" "$RC" 1
same "histories that do not overlap: one line" "$ERR" \
	"papertrade: backtest: the tickers' histories do not overlap: IBM starts on 2025-11-05, after MSFT ends on 2025-10-30 (see papertrade history list)"

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
