#!/usr/bin/env bash
# tests/e2e/compare.sh - `papertrade compare` (issue 11 point 5): a row is
# the backtest of its configuration, every figure to the last digit of the
# JSON (overrides, an ini file, the buy-write's configuration); a
# buy-and-hold row is the benchmark the backtest keeps; the buy-write's
# calls checked by hand on a month against the chain and the closes (sold
# on the session after the monthly expiration, the first strike at or
# above spot, at its bid, settled at expiry), and every roll of a year
# against the calendar; -j 1 and -j 2 print the same bytes; --html; a
# progress line on a terminal and nothing on a pipe; Ctrl-C exits 130
# printing nothing; every bad CONFIG or flag is one line, exit 2, nothing
# printed or written.
# shellcheck source=tests/e2e/lib.sh
source "$PT_ROOT/tests/e2e/lib.sh"
export PAPERTRADE_NOW=2025-01-02T10:00
py() { /usr/bin/python3 "$@"; }
BW=(--set tickers=SPY --set holdings=etf --set strategies=buywrite --set sizing=premium
	--set position_pct=1 --set max_positions_per_ticker=1)

printf '[volarb]\niv_edge = 0.04\ntarget_dte = 45\n' >"$T_TMP/edge.ini"

# 2024: two configurations and the references, as JSON.
run_pt compare --from 2024-01-02 --to 2024-12-31 --json 'strategies=volarb,csp' "$T_TMP/edge.ini"
same "compare --json: exit 0" "$RC" 0
check "compare --json: nothing on stderr (no progress on a pipe)" test -z "$ERR"
printf '%s' "$OUT" >"$T_TMP/cmp.json"
check "no home needed, none made" test ! -e "$PAPERTRADE_HOME"
same "the rows: the configurations, the buy-write, buy-and-hold of each ETF" "$(py -c '
import json, sys
o = json.load(open(sys.argv[1]))
c = o["compare"]
print(c["first_session"], c["last_session"], c["sessions"], c["provider"])
for r in o["rows"]:
    print(r["name"], r["kind"], r["sessions"], r["initial_capital"])' "$T_TMP/cmp.json")" \
	"2024-01-02 2024-12-31 252 sim
strategies=volarb,csp config 252 1000.0
edge.ini config 252 1000.0
SPY buy-write (BXM-style) buywrite 252 1000.0
SPY buy-and-hold buy_and_hold 252 1000.0
VOO buy-and-hold buy_and_hold 252 1000.0
VTI buy-and-hold buy_and_hold 252 1000.0
QQQ buy-and-hold buy_and_hold 252 1000.0"

# A row is its configuration's backtest: the same final value, trades and
# every analytic figure, to the last digit of the JSON.
"$PT" backtest -q --from 2024-01-02 --to 2024-12-31 --json --set strategies=volarb,csp >"$T_TMP/bt1.json"
"$PT" backtest -q --from 2024-01-02 --to 2024-12-31 --json --set iv_edge=0.04 --set target_dte=45 >"$T_TMP/bt2.json"
"$PT" backtest -q --from 2024-01-02 --to 2024-12-31 --json "${BW[@]}" >"$T_TMP/bt3.json"
cat >"$T_TMP/same.py" <<'EOF'
import json, sys
rows = json.load(open(sys.argv[1]))["rows"]
out = []
for i, path in enumerate(sys.argv[2:]):
    r, o = rows[i], json.load(open(path))
    a, b, s = o["analytics"], o["backtest"], o["summary"]
    t, spy = a["trades"], a["spy"]
    pairs = {
        "final_value": (r["final_value"], s["portfolio_value"]),
        "orders_filled": (r["orders_filled"], b["trades"]),
        "settled": (r["settled"], b["settled"]),
        "assigned_early": (r["assigned_early"], b["assigned_early"]),
        "early listed": (r["assigned_early"], len(b["early_assignments"])),
        "trades": (r["trades"], t["closed"]),
        "closed trades listed": (r["trades"], len(o["trades"])),
        "wins": (r["wins"], t["wins"]),
        "losses": (r["losses"], t["losses"]),
        "win_rate": (r["win_rate"], t["win_rate"]),
        "profit_factor": (r["profit_factor"], t["profit_factor"]),
        "expectancy": (r["expectancy"], t["expectancy"]),
        "net_pnl": (r["net_pnl"], t["net_pnl"]),
        "total_return": (r["total_return"], a["total_return"]),
        "cagr": (r["cagr"], a["cagr"]),
        "volatility": (r["volatility"], a["volatility"]),
        "sharpe": (r["sharpe"], a["sharpe"]),
        "sharpe_lo_iid": (r["sharpe_lo_iid"], a["sharpe_interval"]["low"]),
        "sharpe_hi_hac": (r["sharpe_hi_hac"], a["sharpe_interval_hac"]["high"]),
        "hac_lags": (r["hac_lags"], a["sharpe_interval_hac"]["lags"]),
        "sortino": (r["sortino"], a["sortino"]),
        "tail_ratio": (r["tail_ratio"], a["tail_ratio"]),
        "max_drawdown": (r["max_drawdown"], a["max_drawdown"]["depth"]),
        "max_drawdown_sessions": (r["max_drawdown_sessions"], a["max_drawdown"]["sessions"]),
        "longest_drawdown_days": (r["longest_drawdown_days"], a["longest_drawdown"]["days"]),
        "calmar": (r["calmar"], a["calmar"]),
        "alpha": (r["alpha"], spy["alpha"]),
        "alpha_lo": (r["alpha_lo"], spy["alpha_interval"]["low"]),
        "alpha_hi": (r["alpha_hi"], spy["alpha_interval"]["high"]),
        "beta": (r["beta"], spy["beta"]),
        "spy_return": (r["spy_return"], spy["return"]),
        "margin_calls": (r["margin_calls"], a["margin_calls"]),
        "forced_closes": (r["forced_closes"], a["forced_closes"]),
    }
    bad = [k for k, (x, y) in pairs.items() if x != y]
    out.append("row %d: %s" % (i, "same" if not bad else "differ: " + ", ".join(bad)))
    out.append("row %d has trades: %s" % (i, r["trades"] > 5))
print("\n".join(out))
EOF
same "each row is its backtest, every figure exactly" "$(py "$T_TMP/same.py" "$T_TMP/cmp.json" "$T_TMP/bt1.json" "$T_TMP/bt2.json" "$T_TMP/bt3.json")" \
	"row 0: same
row 0 has trades: True
row 1: same
row 1 has trades: True
row 2: same
row 2 has trades: True"

# A buy-and-hold row is the benchmark the backtest keeps, to the cent.
same "buy-and-hold rows: the benchmarks' values and returns" "$(py - "$T_TMP/cmp.json" "$T_TMP/bt1.json" <<'EOF'
import json, sys
rows = json.load(open(sys.argv[1]))["rows"]
o = json.load(open(sys.argv[2]))
bench = o["summary"]["benchmarks"]
for r in rows:
    if r["kind"] != "buy_and_hold":
        continue
    b = bench[r["tickers"]]
    print(r["tickers"], r["final_value"] == b["value"], abs(r["total_return"] - b["return"]) < 5e-6,
          r["trades"], r["win_rate"], r["orders_filled"],
          r["beta"] == 1.0 if r["tickers"] == "SPY" else r["beta"] > 0.5)
spy = [r for r in rows if r["name"] == "SPY buy-and-hold"][0]
print(spy["total_return"] == o["analytics"]["spy"]["return"])
EOF
)" "SPY True True 0 None None True
VOO True True 0 None None True
VTI True True 0 None None True
QQQ True True 0 None None True
True"

# The buy-write by hand on a month: February 2024's expiration is Friday the
# 16th and Monday the 19th is Presidents' Day, so the call is sold on
# Tuesday the 20th; it expires on March 15th and settles at that close.
"$PT" chain --date 2024-02-20 --expiry 2024-03-15 --json SPY >"$T_TMP/chain.json"
"$PT" quote --date 2024-03-18 --json SPY >"$T_TMP/quote.json"
same "the 2024-02-20 call: expiry, the first strike at or above spot, its bid, settled at the 03-15 close" "$(py - "$T_TMP/bt3.json" "$T_TMP/chain.json" "$T_TMP/quote.json" <<'EOF'
import json, math, sys
o = json.load(open(sys.argv[1]))
ch = json.load(open(sys.argv[2]))
close = json.load(open(sys.argv[3]))["quotes"][0]["previous_close"]
t = [x for x in o["trades"] if x["opened"] == "2024-02-20"]
calls = sorted((c for c in ch["contracts"] if c["right"] == "C"), key=lambda c: c["strike"])
first = [c for c in calls if c["strike"] >= ch["spot"]][0]
below = [c for c in calls if c["strike"] < ch["spot"]][-1]
shares = [p for p in o["summary"]["open_positions"] if p["right"] == "S"][0]["quantity"]
t = t[0]
print(len([x for x in o["trades"] if x["opened"] == "2024-02-20"]), t["right"], t["strategy"], t["expiry"])
print("strike", t["strike"] == first["strike"], below["strike"] < ch["spot"] <= first["strike"])
print("at the bid", t["entry_price"] == first["bid"])
print("one call per 100 shares", t["quantity"] == -math.floor(shares / 100 * 1e4) / 1e4)
print("settled", t["closed"], t["reason"], abs(t["exit_price"] - max(0.0, close - t["strike"])) < 1e-9)
EOF
)" "1 C buywrite 2024-03-15
strike True True
at the bid True
one call per 100 shares True
settled 2024-03-15 $(py -c 'import json,sys; o=json.load(open(sys.argv[1])); print([x["reason"] for x in o["trades"] if x["opened"]=="2024-02-20"][0])' "$T_TMP/bt3.json") True"

# Every roll of 2024: sold on the first session, then on the first session
# after the last one ended: its monthly expiration (the calendar's), or the
# eve of an ex-dividend date when it was assigned early (errata 10: SPY's
# quarterly ex-dates are third Fridays, so an in-the-money call expiring on
# one is exercised the day before: June, September and December 2024);
# expiring at the next monthly expiration; one call at a time.
"$PT" expirations --from 2024-01-01 --to 2025-03-31 --csv >"$T_TMP/exp.csv"
"$PT" calendar --from 2024-01-01 --to 2025-03-31 --csv >"$T_TMP/cal.csv"
same "every 2024 roll, against the calendar" "$(py - "$T_TMP/bt3.json" "$T_TMP/exp.csv" "$T_TMP/cal.csv" <<'EOF'
import csv, json, sys
o = json.load(open(sys.argv[1]))
monthly = [r["date"] for r in csv.DictReader(open(sys.argv[2])) if r["type"] == "monthly"]
sessions = [r["date"] for r in csv.DictReader(open(sys.argv[3]))]
calls = sorted([t for t in o["trades"]] + [p for p in o["summary"]["open_positions"] if p["right"] == "C"],
               key=lambda t: t["opened"])
early = [t for t in calls if t.get("reason") == "assigned early"]
end = lambda t: t["closed"] if t.get("reason") == "assigned early" else t["expiry"]
ok = [
    calls[0]["opened"] == "2024-01-02"
    and all(b["opened"] == next(s for s in sessions if s > end(a)) for a, b in zip(calls, calls[1:])),
    all(t["expiry"] == next(m for m in monthly if m > t["opened"]) for t in calls),
    all(t.get("closed", t["expiry"]) == t["expiry"] for t in calls if t not in early),
    all(next(s for s in sessions if s > t["closed"]) == t["expiry"] for t in early),
    all(end(a) < b["opened"] for a, b in zip(calls, calls[1:])),
    [t["closed"] for t in early],
    len(calls),
]
print(ok)
EOF
)" "[True, True, True, True, True, ['2024-06-20', '2024-09-19', '2024-12-19'], 13]"

# -j: the same bytes whatever the threads, as text, JSON and CSV.
for fmt in "" --json --csv; do
	"$PT" compare -q -j 1 $fmt --from 2023-01-03 --to 2024-12-31 strategies=volarb strategies=csp \
		'iv_edge=0.02 target_dte=45' >"$T_TMP/j1.out" 2>&1
	"$PT" compare -q -j 2 $fmt --from 2023-01-03 --to 2024-12-31 strategies=volarb strategies=csp \
		'iv_edge=0.02 target_dte=45' >"$T_TMP/j2.out" 2>&1
	check "-j 1 and -j 2: the same bytes (${fmt:-text})" cmp "$T_TMP/j1.out" "$T_TMP/j2.out"
done
"$PT" compare -q -j 3 --csv --from 2023-01-03 --to 2024-12-31 strategies=volarb strategies=csp \
	'iv_edge=0.02 target_dte=45' >"$T_TMP/j3.out" 2>&1
check "-j 3: the same bytes" cmp "$T_TMP/j1.out" "$T_TMP/j3.out"

# The text and the CSV say what the JSON says.
run_pt compare --from 2024-01-02 --to 2024-12-31 'strategies=volarb,csp' "$T_TMP/edge.ini"
contains "text: the header" "$OUT" "COMPARE 2024-01-02..2024-12-31 on sim: 252 sessions, 2 configurations, 5 reference rows"
same "text: the final values of the JSON, row for row" "$(printf '%s\n' "$OUT" | awk 'NR > 3 && !NF {exit} NR > 3 && $1 !~ /^-+$/ {print $NF}')" \
	"$(py -c 'import json,sys; [print("%.2f" % r["final_value"]) for r in json.load(open(sys.argv[1]))["rows"]]' "$T_TMP/cmp.json")"
contains "text: the overrides name their row" "$OUT" "strategies=volarb,csp "
contains "text: the file names its row" "$OUT" "edge.ini "
"$PT" compare --csv --from 2024-01-02 --to 2024-12-31 'strategies=volarb,csp' "$T_TMP/edge.ini" >"$T_TMP/cmp.csv"
same "csv: a header and the JSON's rows and figures" "$(py - "$T_TMP/cmp.csv" "$T_TMP/cmp.json" <<'EOF'
import csv, json, sys
rows = list(csv.DictReader(open(sys.argv[1])))
js = json.load(open(sys.argv[2]))["rows"]
ok = len(rows) == len(js) and list(rows[0]) == list(js[0])
for c, j in zip(rows, js):
    for k, v in j.items():
        s = c[k]
        if v is None:
            ok &= s == ""
        elif isinstance(v, bool):
            ok &= s == str(int(v))
        elif isinstance(v, (int, float)):
            ok &= float(s) == v
        else:
            ok &= s == v
print(ok)
EOF
)" True

# No CONFIG: the home's configuration is the one row.
mkdir -p "$T_TMP/h2"
printf '[volarb]\niv_edge = 0.05\n' >"$T_TMP/h2/papertrade.ini"
PAPERTRADE_HOME="$T_TMP/h2" run_pt compare --json --from 2024-06-03 --to 2024-06-28
same "no CONFIG: one row, the home's" "$(printf '%s' "$OUT" | py -c '
import json, sys
r = json.load(sys.stdin)["rows"]
print(len(r), r[0]["name"], r[0]["kind"], r[1]["kind"])')" "6 home config buywrite"
# overrides apply over the home's config, an ini file over the defaults
PAPERTRADE_HOME="$T_TMP/h2" "$PT" compare --json --from 2024-01-02 --to 2024-06-28 target_dte=30 >"$T_TMP/h2a.json"
"$PT" compare --json --from 2024-01-02 --to 2024-06-28 'iv_edge=0.05' >"$T_TMP/h2b.json"
same "overrides lie over the home's papertrade.ini" "$(py - "$T_TMP/h2a.json" "$T_TMP/h2b.json" <<'EOF'
import json, sys
a, b = (json.load(open(p))["rows"][0] for p in sys.argv[1:])
for r in (a, b):
    r.pop("name"), r.pop("source")
print(a == b, a["trades"] > 0)
EOF
)" "True True"

# --html: one page that fetches nothing, with every row's curve.
run_pt compare -q --from 2024-01-02 --to 2024-12-31 --html "$T_TMP/cmp.html" 'strategies=volarb,csp' "$T_TMP/edge.ini"
same "--html: exit 0, the table on stdout too" "$RC $(printf '%s\n' "$OUT" | head -1 | cut -c1-7)" "0 COMPARE"
check "--html: no <script src> nor <link rel=stylesheet>" bash -c "! grep -Eiq '<script[^>]+src=|<link[^>]+stylesheet' '$T_TMP/cmp.html'"
same "--html: every row's equity and drawdown, the tables, the heatmaps" "$(py - "$T_TMP/cmp.html" "$T_TMP/cmp.json" <<'EOF'
import json, re, sys
page = open(sys.argv[1]).read()
m = re.search(r'<script type="application/json" id="pt-report">(.*?)</script>', page, re.S)
d = json.loads(m.group(1))
rows = json.load(open(sys.argv[2]))["rows"]
names = [r["name"] for r in rows]
eq = {c["name"]: c for c in d["equity"]}
print([c["name"] for c in d["equity"]] == names, [c["name"] for c in d["drawdown"]] == names,
      all(abs(eq[r["name"]]["y"][-1] - r["final_value"]) < 0.005 for r in rows),
      all(len(c["x"]) == 253 for c in d["equity"]),
      [t["id"] for t in d["tables"]] == ["compare", "rows"],
      [r[0] for r in d["tables"][0]["rows"]] == names,
      len(d["monthly"]) == 2, "Chart.js v4" in page)
EOF
)" "True True True True True True True True"
expect_rc "--html into a folder that does not exist" 1 compare -q --from 2024-06-03 --to 2024-06-07 --html "$T_TMP/nowhere/c.html" strategies=csp
contains "--html: names the path and why" "$ERR" "papertrade: --html: $T_TMP/nowhere/c.html: No such file or directory"
same "--html: nothing on stdout when it fails" "$OUT" ""

# A progress line on a terminal, cleared at the end; nothing on a pipe.
TERM=xterm script -qec "'$PT' compare --from 2023-01-03 --to 2024-12-31 strategies=csp >/dev/null" /dev/null >"$T_TMP/tty.txt" 2>&1
contains "a terminal: the progress line over every row's sessions" "$(cat "$T_TMP/tty.txt")" "of 1004 sessions"
run_pt compare --from 2024-06-03 --to 2024-06-28 strategies=csp
same "a pipe: nothing on stderr" "$ERR" ""

# Ctrl-C: exit 130, nothing printed, no page written.
timeout --foreground --preserve-status -s INT 1 "$PT" compare -j 1 --from 2000-01-03 --to 2024-12-31 \
	--html "$T_TMP/int.html" strategies=volarb strategies=csp strategies=volarb,csp \
	>"$T_TMP/int.out" 2>"$T_TMP/int.err"
same "Ctrl-C exits 130" "$?" 130
same "Ctrl-C: nothing on stdout" "$(wc -c <"$T_TMP/int.out")" 0
same "Ctrl-C: one line on stderr" "$(cat "$T_TMP/int.err")" "papertrade: compare: interrupted; nothing printed"
check "Ctrl-C: no page" test ! -e "$T_TMP/int.html"

# Imported history (the made-up AAPL sessions backtest.sh uses): rows on
# the history are its backtests too; the buy-write, with no SPY there, is
# left out and said so, once, on stderr and in the output.
F="$T_TMP/hfiles"
mkdir -p "$F"
py "$PT_ROOT/tests/e2e/history_files.py" "${PT_FIXTURES:-$PT_ROOT/tests/fixtures}" "$F" >/dev/null
py "$PT_ROOT/tests/e2e/backtest_history_files.py" "$F" >/dev/null
hist_env() {
	env PAPERTRADE_HOME="$T_TMP/hist" PAPERTRADE_NOW=2025-11-12T10:00 PAPERTRADE_RISK_FREE_RATE=0.04 \
		PAPERTRADE_TARGET_DTE=2 PAPERTRADE_INITIAL_CAPITAL=100000 PAPERTRADE_SIZING=margin "$@"
}
hist_env "$PT" history import "$F/aapl_options.db" >/dev/null 2>&1
hist_env "$PT" compare --json --provider history --from 2025-10-29 --to 2025-11-07 tickers=AAPL \
	>"$T_TMP/hc.json" 2>"$T_TMP/hc.err"
same "history: exit 0" "$?" 0
same "history: the buy-write left out, on stderr" "$(cat "$T_TMP/hc.err")" \
	"papertrade: compare: left out SPY buy-write (BXM-style): 2025-10-29: cannot start the portfolio on 2025-10-29: no price for SPY: SPY: not in the history (imported: AAPL)"
hist_env "$PT" backtest -q --json --provider history --from 2025-10-29 --to 2025-11-07 --set tickers=AAPL \
	>"$T_TMP/hb.json" 2>/dev/null
same "history: the row is the backtest, the buy-and-hold its benchmark" "$(py - "$T_TMP/hc.json" "$T_TMP/hb.json" <<'EOF'
import json, sys
c = json.load(open(sys.argv[1]))
b = json.load(open(sys.argv[2]))
r = c["rows"]
print([x["name"] for x in r], c["compare"]["provider"], c["compare"]["sessions"], c["compare"]["left_out"] is not None,
      r[0]["final_value"] == b["summary"]["portfolio_value"], r[0]["sharpe"] == b["analytics"]["sharpe"],
      r[0]["trades"] == len(b["trades"]) > 0, r[1]["final_value"] == b["summary"]["benchmarks"]["AAPL"]["value"],
      r[0]["alpha"])
EOF
)" "['tickers=AAPL', 'AAPL buy-and-hold'] history 8 True True True True True None"
# Tickers the history lacks are left out of every row and the dates moved
# inside what it holds, as backtest does; each row is still its backtest.
hist_env "$PT" compare --json --provider history --from 2025-10-01 --to 2025-11-07 \
	'tickers=AAPL,SPY,VOO' 'tickers=AAPL,QQQ iv_edge=0.03' >"$T_TMP/hl.json" 2>"$T_TMP/hl.err"
same "history, tickers it lacks: exit 0" "$?" 0
same "... stderr: the tickers left out, the dates moved, the buy-write left out" "$(cat "$T_TMP/hl.err")" \
	"papertrade: compare: SPY, VOO, QQQ: not in the history (see papertrade history list); replaying the others
papertrade: compare: --from 2025-10-01 moved to 2025-10-29, the first session of AAPL in the history
papertrade: compare: left out SPY buy-write (BXM-style): 2025-10-29: cannot start the portfolio on 2025-10-29: no price for SPY: SPY: not in the history (imported: AAPL)"
hist_env "$PT" backtest -q --json --provider history --from 2025-10-01 --to 2025-11-07 --set tickers=AAPL,QQQ \
	--set iv_edge=0.03 >"$T_TMP/hb2.json" 2>/dev/null
same "... the JSON says so; the second row is its backtest" "$(py - "$T_TMP/hl.json" "$T_TMP/hb2.json" <<'EOF'
import json, sys
c = json.load(open(sys.argv[1]))
b = json.load(open(sys.argv[2]))
h = c["compare"]
r = c["rows"]
print(h["from"], h["first_session"], [x["ticker"] for x in h["tickers_left_out"]], h["dates_moved"] is not None,
      r[1]["final_value"] == b["summary"]["portfolio_value"], r[1]["sharpe"] == b["analytics"]["sharpe"])
EOF
)" "2025-10-01 2025-10-29 ['SPY', 'VOO', 'QQQ'] True True True"
hist_env "$PT" compare --provider history --from 2025-10-01 --to 2025-11-07 'tickers=AAPL,SPY' \
	>"$T_TMP/hl.txt" 2>/dev/null
contains "... the text says so" "$(cat "$T_TMP/hl.txt")" "Tickers left out: SPY: not in the history (see papertrade history list)
Dates: --from 2025-10-01 moved to 2025-10-29, the first session of AAPL in the history"
hist_env "$PT" compare --provider history --from 2025-10-29 --to 2025-11-07 tickers=AAPL tickers=SPY,VOO \
	>"$T_TMP/out" 2>"$T_TMP/err"
same "history: a row with no ticker it holds: exit 1" "$?" 1
same "... one line naming the row" "$(cat "$T_TMP/err")" \
	"papertrade: compare: tickers=SPY,VOO: no ticker to replay: SPY, VOO: not in the history (the history has AAPL; see papertrade history list)"
same "... nothing printed" "$(cat "$T_TMP/out")" ""

# Bad CONFIGs and flags: one line naming it, exit 2, nothing printed or written.
printf '[volarb]\niv_edge = lots\n' >"$T_TMP/bad.ini"
printf '[market]\nprovider = yahoo\n' >"$T_TMP/yahoo.ini"
printf '[market]\nseed = 7\n' >"$T_TMP/seed.ini"
printf '[volarb\n' >"$T_TMP/syntax.ini"
printf '[market]\nprovider = sim\nseed = 20240101\n' >"$T_TMP/samemarket.ini"
mkdir -p "$T_TMP/adir"
bad() { # DESC WANT_IN_ERR ARGS...
	local d=$1 want=$2
	shift 2
	expect_rc "$d" 2 compare --from 2024-06-03 --to 2024-06-28 --html "$T_TMP/bad.html" "$@"
	contains "$d: says why" "$ERR" "$want"
	same "$d: nothing on stdout" "$OUT" ""
	check "$d: no page written" test ! -e "$T_TMP/bad.html"
}
bad "an unknown key" "papertrade: compare: 'ivedge=0.1': unknown key 'ivedge'" strategies=csp ivedge=0.1
bad "a bad value" "papertrade: compare: 'iv_edge=lots': iv_edge: not a number" iv_edge=lots
bad "an unknown strategy" "unknown strategy 'cps'" strategies=volarb,cps
bad "keys that disagree" "otm_min (0.2) is more than otm_max (0.1)" 'otm_min=0.2 otm_max=0.1'
bad "a piece that is not key=value" "'iv_edge=0.1 fast': 'fast' is not key=value" 'iv_edge=0.1 fast'
bad "another provider" "'provider=yahoo': provider is the comparison's market" provider=yahoo
bad "another seed" "'seed=7': seed is the comparison's market" seed=7
bad "a missing file" "'$T_TMP/none.ini': No such file or directory" "$T_TMP/none.ini"
bad "a folder" "'$T_TMP/adir': not a file" "$T_TMP/adir"
bad "a file with a bad value" "$T_TMP/bad.ini:2: iv_edge: not a number: 'lots'" "$T_TMP/bad.ini"
bad "a file with a syntax error" "$T_TMP/syntax.ini:1: section header without a closing ']'" "$T_TMP/syntax.ini"
bad "a file on another market" "$T_TMP/yahoo.ini: provider yahoo is not the comparison's sim" "$T_TMP/yahoo.ini"
bad "a file with another seed" "$T_TMP/seed.ini: seed 7 is not the comparison's 20240101" "$T_TMP/seed.ini"
bad "a word that is no file" "'csp': No such file or directory (a CONFIG is an ini file or key=value overrides)" csp
if [ "$(id -u)" -ne 0 ]; then
	printf '[volarb]\n' >"$T_TMP/locked.ini"
	chmod 000 "$T_TMP/locked.ini"
	bad "an unreadable file" "'$T_TMP/locked.ini': Permission denied" "$T_TMP/locked.ini"
else
	echo "# skipped: an unreadable file (root reads anything)"
fi
expect_rc "a file naming the comparison's own market is fine" 0 compare -q --from 2024-06-03 --to 2024-06-07 "$T_TMP/samemarket.ini"
bad "--json with --csv" "--json and --csv are exclusive" --json --csv strategies=csp
expect_rc "no --from" 2 compare strategies=csp
contains "no --from: says so" "$ERR" "--from is required"
bad "--jobs 0" "papertrade: --jobs: want a whole number from 1 to 256: '0'" -j 0 strategies=csp
bad "--to today" "is not before today (2025-01-02 in New York)" --to 2025-01-02 strategies=csp
bad "an unknown option" "unknown option '--fast'" --fast strategies=csp
bad "an unknown --provider" "papertrade: --provider:" --provider nasdaq strategies=csp
bad "the tape provider" "papertrade: compare: provider 'tape' is not served (each row needs a market of its own); replay tapes with backtest or sweep --provider tape" --provider tape strategies=csp
expect_rc "--html without a value" 2 compare --from 2024-06-03 --html
expect_rc "help compare" 0 help compare
contains "help: the CONFIG grammar" "$OUT" "An argument holding '=' is overrides, any other a file."

done_testing
