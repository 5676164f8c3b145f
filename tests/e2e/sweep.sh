#!/usr/bin/env bash
# tests/e2e/sweep.sh - `papertrade sweep` (issue 11): the grid's values at
# their boundaries; every row equal to the same configuration's own
# `backtest` (the shared market view changes no decision); the same rows on
# one thread, two threads and two MPI ranks (byte for byte); ranking, the
# in-sample / out-of-sample split, the deflated Sharpe ratio and the
# probability of overfitting present; the home untouched; every bad input a
# one-line error, exit 2.
# shellcheck source=tests/e2e/lib.sh
source "$PT_ROOT/tests/e2e/lib.sh"
export PAPERTRADE_NOW=2025-01-02T10:00
py() { /usr/bin/python3 "$@"; }
FROM=2024-01-02
TO=2024-06-28

# ---- the grid's values ----------------------------------------------------
axes() { # SPEC... : the JSON's axes as "key:v1|v2 ..."
	run_pt sweep -q --from 2024-01-02 --to 2024-01-31 --json "$@"
	printf '%s' "$OUT" | py -c '
import json, sys
o = json.load(sys.stdin)
print(" ".join(a["key"] + ":" + "|".join(a["values"]) for a in o["axes"]), len(o["rows"]))'
}
same "first:last:step includes last" "$(axes iv_edge=0.01:0.06:0.01)" \
	"iv_edge:0.01|0.02|0.03|0.04|0.05|0.06 6"
same "... and not a value past it" "$(axes iv_edge=0.01:0.0599:0.01)" \
	"iv_edge:0.0100|0.0200|0.0300|0.0400|0.0500 5"
same "... nor a last just short of a step" "$(axes target_dte=30:59:15)" "target_dte:30|45 2"
same "a list, a single value, two axes multiply" "$(axes target_dte=30,45 iv_edge=0.05)" \
	"target_dte:30|45 iv_edge:0.05 2"

# ---- every row is its own backtest -----------------------------------------
before=$(db_hash)
run_pt sweep -q --from $FROM --to $TO --csv iv_edge=0.02,0.05 target_dte=30,45 price_edge=0.05
same "sweep: exit 0" "$RC" 0
same "the home is untouched (no database made)" "$(db_hash)" "$before"
printf '%s\n' "$OUT" >"$T_TMP/sweep.csv"
same "four rows, ranked by Sharpe, best first" "$(py - "$T_TMP/sweep.csv" <<'EOF'
import csv, sys
rows = list(csv.DictReader(open(sys.argv[1])))
s = [float(r["sharpe"]) for r in rows]
print(len(rows), s == sorted(s, reverse=True), [r["rank"] for r in rows] == ["1", "2", "3", "4"],
      sorted(r["combination"] for r in rows) == ["1", "2", "3", "4"])
EOF
)" "4 True True True"
while IFS=, read -r iv dte; do
	"$PT" backtest -q --from $FROM --to $TO --json --set iv_edge="$iv" --set target_dte="$dte" \
		--set price_edge=0.05 >"$T_TMP/bt.json"
	same "iv_edge=$iv target_dte=$dte: the row is its backtest" "$(py - "$T_TMP/sweep.csv" "$T_TMP/bt.json" "$iv" "$dte" <<'EOF'
import csv, json, sys
row = next(r for r in csv.DictReader(open(sys.argv[1]))
           if r["iv_edge"] == sys.argv[3] and r["target_dte"] == sys.argv[4])
bt = json.load(open(sys.argv[2]))
v = bt["equity"]["value"]
a = bt["analytics"]
# every figure counts from the initial capital, as backtest's analytics do
want = {"total_return": a["total_return"], "cagr": a["cagr"], "volatility": a["volatility"],
        "sharpe": a["sharpe"], "sortino": a["sortino"], "max_drawdown": a["max_drawdown"]["depth"],
        "calmar": a["calmar"], "win_rate": a["trades"]["win_rate"], "trades": a["trades"]["closed"],
        "alpha": a["spy"]["alpha"], "beta": a["spy"]["beta"]}
bad = [k for k, w in want.items() if abs(float(row[k]) - w) > 1e-12 * max(1, abs(w))]
print(float(row["final_value"]) == v[-1], int(row["orders"]) == bt["backtest"]["trades"],
      int(row["margin_calls"]) == len(bt["backtest"]["margin_calls"]),
      bad or True, bt["backtest"]["trades"] > 0)
EOF
)" "True True True True True"
done <<'EOF'
0.02,30
0.02,45
0.05,30
0.05,45
EOF

# ---- threads and ranks change nothing ---------------------------------------
GRID=(iv_edge=0.02:0.05:0.01 target_dte=30,45)
"$PT" sweep -q --from $FROM --to $TO --csv --threads 1 "${GRID[@]}" >"$T_TMP/t1.csv"
"$PT" sweep -q --from $FROM --to $TO --csv --threads 2 "${GRID[@]}" >"$T_TMP/t2.csv"
check "one thread and two: the same CSV, byte for byte" cmp "$T_TMP/t1.csv" "$T_TMP/t2.csv"
same "eight rows" "$(($(wc -l <"$T_TMP/t1.csv") - 1))" 8
if command -v mpirun >/dev/null && "$PT" sweep --help | grep -q mpirun && ldd "$PT" | grep -q libmpi; then
	export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 OMPI_MCA_plm=isolated \
		OMPI_MCA_btl=self,vader OMPI_MCA_btl_vader_single_copy_mechanism=none \
		OMPI_MCA_rmaps_base_oversubscribe=1
	# Open MPI's own allocations outlive MPI_Finalize (in components it has
	# unloaded, which no suppression can name): LeakSanitizer is off for
	# the ranks only. The same code runs without mpirun above, leaks checked.
	export ASAN_OPTIONS=${ASAN_OPTIONS:-}:detect_leaks=0
	mpirun -np 2 "$PT" sweep -q --from $FROM --to $TO --csv "${GRID[@]}" >"$T_TMP/mpi.csv" 2>"$T_TMP/mpi.err"
	same "mpirun -np 2: exit 0" "$?" 0
	check "two MPI ranks: the same CSV as one process, byte for byte" cmp "$T_TMP/t1.csv" "$T_TMP/mpi.csv"
	mpirun -np 2 "$PT" sweep -q --from $FROM --to $TO --json "${GRID[@]}" >"$T_TMP/mpi.json" 2>>"$T_TMP/mpi.err"
	"$PT" sweep -q --from $FROM --to $TO --json "${GRID[@]}" >"$T_TMP/one.json"
	same "two MPI ranks: the same JSON but for time, threads, ranks and the quotes each loaded" "$(py - "$T_TMP/one.json" "$T_TMP/mpi.json" <<'EOF'
import json, sys
a, b = (json.load(open(p)) for p in sys.argv[1:])
ranks = b["sweep"]["ranks"]
for o in (a, b):
    for k in ("seconds", "threads", "ranks", "option_quotes"):
        o["sweep"].pop(k)
print(a == b, ranks)
EOF
)" "True 2"
	mpirun -np 2 "$PT" sweep -q --from $FROM --to $TO "${GRID[@]}" --sort nope >/dev/null 2>"$T_TMP/mpi.err"
	same "under mpirun, a bad flag: said once" "$(grep -c 'papertrade: --sort' "$T_TMP/mpi.err")" 1
else
	echo "# no Open MPI in this build: the MPI checks are skipped"
fi

# ---- ranking, the split, the selection --------------------------------------
run_pt sweep -q --from $FROM --to $TO --json --sort volatility "${GRID[@]}"
same "--sort volatility: lowest first" "$(printf '%s' "$OUT" | py -c '
import json, sys
o = json.load(sys.stdin)
v = [r["whole"]["volatility"] for r in o["rows"]]
print(v == sorted(v), o["sweep"]["sort"])')" "True volatility"
run_pt sweep -q --from $FROM --to $TO --json --train-until 2024-03-28 "${GRID[@]}"
printf '%s' "$OUT" >"$T_TMP/split.json"
"$PT" backtest -q --from $FROM --to $TO --json --set iv_edge=0.02 --set target_dte=30 >"$T_TMP/bt.json"
same "--train-until: ranked in-sample; OOS ends where the whole run does" "$(py - "$T_TMP/split.json" "$T_TMP/bt.json" <<'EOF'
import json, sys
o = json.load(open(sys.argv[1]))
bt = json.load(open(sys.argv[2]))
rows = o["rows"]
s = [r["in_sample"]["sharpe"] for r in rows]
r = next(r for r in rows if r["params"] == {"iv_edge": "0.02", "target_dte": "30"})
d, v = bt["equity"]["dates"], bt["equity"]["value"]
k = max(i for i, x in enumerate(d) if x <= "2024-03-28")
print(s == sorted(s, reverse=True), r["in_sample"]["final_value"] == v[k],
      r["out_of_sample"]["final_value"] == v[-1] == r["whole"]["final_value"],
      abs((1 + r["in_sample"]["total_return"]) * (1 + r["out_of_sample"]["total_return"])
          - (1 + r["whole"]["total_return"])) < 1e-12, o["sweep"]["train_until"])
EOF
)" "True True True True 2024-03-28"
same "the selection: DSR and PBO" "$(py - "$T_TMP/split.json" <<'EOF'
import json, sys
o = json.load(open(sys.argv[1]))
s = o["selection"]
d, p = s["deflated_sharpe"], s["pbo"]
best = next(r for r in o["rows"] if r["combination"] == s["best_combination"])
print(d["trials"], 0 <= d["dsr"] <= 1, 0 <= d["psr"] <= 1, d["dsr"] <= d["psr"],
      abs(d["sharpe"] - best["in_sample"]["sharpe"]) < 1e-9, 0 <= p["pbo"] <= 1,
      p["blocks"], p["splits"])
EOF
)" "8 True True True True True 16 12870"
run_pt sweep -q --from $FROM --to $TO --blocks 4 iv_edge=0.02,0.03
contains "the table: the deflated Sharpe ratio" "$OUT" "Deflated Sharpe ratio"
contains "the table: PBO with its blocks" "$OUT" "4 blocks"
run_pt sweep -q --from $FROM --to $TO --json iv_edge=0.03
same "one combination: no DSR nor PBO, and why" "$(printf '%s' "$OUT" | py -c '
import json, sys
s = json.load(sys.stdin)["selection"]
print(s["deflated_sharpe"], s["pbo"], s["why"])')" "None None one combination: nothing to deflate"
run_pt sweep -q --from $FROM --to $TO --top 3 "${GRID[@]}"
same "--top 3: three rows in the table" "$(printf '%s\n' "$OUT" | grep -cE '^ +[0-9]+  +0\.0')" 3
contains "the header" "$OUT" "8 combinations x 124 sessions"

# ---- imported history: tickers it lacks left out, dates moved ---------------
# The made-up AAPL sessions backtest.sh uses (backtest_history_files.py).
F="$T_TMP/hfiles"
mkdir -p "$F"
py "$PT_ROOT/tests/e2e/history_files.py" "${PT_FIXTURES:-$PT_ROOT/tests/fixtures}" "$F" >/dev/null
py "$PT_ROOT/tests/e2e/backtest_history_files.py" "$F" >/dev/null
hist_env() {
	env PAPERTRADE_HOME="$T_TMP/hist" PAPERTRADE_NOW=2025-11-12T10:00 PAPERTRADE_RISK_FREE_RATE=0.04 \
		PAPERTRADE_TARGET_DTE=2 PAPERTRADE_INITIAL_CAPITAL=100000 PAPERTRADE_SIZING=margin \
		PAPERTRADE_TICKERS=AAPL,SPY,VOO "$@"
}
hist_env "$PT" history import "$F/aapl_options.db" >/dev/null 2>&1
hist_env "$PT" sweep --json --provider history --from 2025-10-01 --to 2025-11-07 iv_edge=0.01,0.03 \
	>"$T_TMP/hs.json" 2>"$T_TMP/hs.err"
same "history: exit 0" "$?" 0
same "history: stderr: the tickers left out, then the dates moved" "$(cat "$T_TMP/hs.err")" \
	"papertrade: sweep: SPY, VOO: not in the history (see papertrade history list); replaying the others
papertrade: sweep: --from 2025-10-01 moved to 2025-10-29, the first session of AAPL in the history"
hist_env "$PT" backtest -q --json --provider history --from 2025-10-01 --to 2025-11-07 --set iv_edge=0.03 \
	>"$T_TMP/hb.json" 2>/dev/null
same "history: the JSON says so, and the row is its backtest" "$(py - "$T_TMP/hs.json" "$T_TMP/hb.json" <<'EOF'
import json, sys
o = json.load(open(sys.argv[1]))
b = json.load(open(sys.argv[2]))
s = o["sweep"]
row = next(r for r in o["rows"] if r["params"]["iv_edge"] == "0.03")
print(s["from"], s["first_session"], s["sessions"], [x["ticker"] for x in s["left_out"]],
      s["dates_moved"] == b["backtest"]["dates_moved"], s["left_out"] == b["backtest"]["left_out"],
      row["whole"]["final_value"] == b["summary"]["portfolio_value"],
      row["whole"]["sharpe"] == b["analytics"]["sharpe"])
EOF
)" "2025-10-01 2025-10-29 8 ['SPY', 'VOO'] True True True True"
hist_env "$PT" sweep -q --provider history --from 2025-10-01 --to 2025-11-07 iv_edge=0.01,0.03 \
	>"$T_TMP/out" 2>/dev/null
contains "history: the text says so" "$(cat "$T_TMP/out")" "Left out: SPY, VOO: not in the history (see papertrade history list)
Dates: --from 2025-10-01 moved to 2025-10-29, the first session of AAPL in the history"
hist_env "$PT" sweep --provider history --from 2025-10-01 --to 2025-11-07 --train-until 2025-10-15 \
	iv_edge=0.01,0.03 >"$T_TMP/out" 2>"$T_TMP/err"
same "history: --train-until before the history's first session: exit 2" "$?" 2
same "... one line" "$(cat "$T_TMP/err")" \
	"papertrade: --train-until: 2025-10-15 is not inside the history's 2025-10-29..2025-11-07 (see papertrade history list)"
hist_env "$PT" sweep --provider history --from 2025-10-29 --to 2025-11-07 --set tickers=SPY,VOO \
	iv_edge=0.01,0.03 >"$T_TMP/out" 2>"$T_TMP/err"
same "history: no ticker it holds: exit 1" "$?" 1
same "... one line" "$(cat "$T_TMP/err")" \
	"papertrade: sweep: no ticker to replay: SPY, VOO: not in the history (the history has AAPL; see papertrade history list)"

# ---- progress on a terminal, nothing on a pipe ---------------------------------
TERM=xterm script -qec "'$PT' sweep --from 2023-01-03 --to $TO --csv iv_edge=0.02,0.04 >/dev/null" /dev/null >"$T_TMP/tty.txt" 2>&1
check "a terminal, --csv: no progress line (as backtest --json)" sh -c "! grep -q 'of 374 sessions' '$T_TMP/tty.txt'"
TERM=xterm script -qec "'$PT' sweep --from 2023-01-03 --to $TO iv_edge=0.02,0.04 >/dev/null" /dev/null >"$T_TMP/tty.txt" 2>&1
contains "a terminal: the progress line" "$(cat "$T_TMP/tty.txt")" "of 374 sessions"
contains "a terminal: sessions/s and time left" "$(cat "$T_TMP/tty.txt")" "/s, about"
run_pt sweep --from $FROM --to $TO iv_edge=0.02,0.04
same "a pipe: nothing on stderr" "$ERR" ""

# ---- bad input: one line, exit 2 ---------------------------------------------
S=(sweep --from $FROM --to $TO)
expect_rc "no grid" 2 "${S[@]}"
expect_rc "no --from" 2 sweep iv_edge=0.01
expect_rc "an unknown key" 2 "${S[@]}" nokey=1,2
contains "... named" "$ERR" "nokey"
expect_rc "a bad value" 2 "${S[@]}" iv_edge=0.01,abc
expect_rc "a value out of range" 2 "${S[@]}" target_dte=0,30
expect_rc "tickers cannot be swept" 2 "${S[@]}" tickers=SPY,QQQ
contains "... and why" "$ERR" "changes the market"
expect_rc "nor the seed" 2 "${S[@]}" seed=1,2
expect_rc "a zero step" 2 "${S[@]}" iv_edge=0.01:0.05:0
expect_rc "a range ending before it starts" 2 "${S[@]}" iv_edge=0.05:0.01:0.01
expect_rc "a range with two colons missing" 2 "${S[@]}" iv_edge=0.01:0.05
expect_rc "a key swept twice" 2 "${S[@]}" iv_edge=0.01 iv_edge=0.02
expect_rc "a value given twice" 2 "${S[@]}" iv_edge=0.01,0.01
expect_rc "no values" 2 "${S[@]}" iv_edge=
expect_rc "no key" 2 "${S[@]}" =0.01
expect_rc "values that together break a rule (otm_min > otm_max)" 2 "${S[@]}" otm_min=0.2 otm_max=0.1
expect_rc "--sort of no figure" 2 "${S[@]}" --sort best iv_edge=0.01
expect_rc "--blocks odd" 2 "${S[@]}" --blocks 3 iv_edge=0.01
expect_rc "--blocks above 24" 2 "${S[@]}" --blocks 26 iv_edge=0.01
expect_rc "--top 0" 2 "${S[@]}" --top 0 iv_edge=0.01
expect_rc "--threads 0" 2 "${S[@]}" --threads 0 iv_edge=0.01
expect_rc "--csv and --json" 2 "${S[@]}" --csv --json iv_edge=0.01
expect_rc "--train-until before --from" 2 "${S[@]}" --train-until 2023-12-29 iv_edge=0.01
expect_rc "--train-until on --to" 2 "${S[@]}" --train-until $TO iv_edge=0.01
expect_rc "--to today" 2 sweep --from $FROM --to 2025-01-02 iv_edge=0.01
expect_rc "an unknown option" 2 "${S[@]}" --fast iv_edge=0.01
same "the home is still untouched" "$(db_hash)" "$before"
run_pt help sweep
contains "help sweep names the MPI mode" "$OUT" "mpirun -np N"

done_testing
