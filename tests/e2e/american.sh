#!/usr/bin/env bash
# tests/e2e/american.sh - `model = american` (issue 12; docs/american.md)
# through the real binary on the sim: the scan's theoretical value of an
# in-the-money call with an ex-dividend date before its expiry is the
# American one (at least the intrinsic value, which the European value with
# the dividend yield is not, and below Black-Scholes without the dividend)
# and differs from the European; `run` and `backtest` run with it and trade
# differently; a sweep over model = european,american, and one whose base is
# American, give each row its own backtest (the sweep's precomputed theo and
# IV are the scan's, bit for bit); `chain` shows the American columns; a
# bad value is refused.
# shellcheck source=tests/e2e/lib.sh
source "$PT_ROOT/tests/e2e/lib.sh"
export PAPERTRADE_NOW=2025-01-02T10:00
py() { /usr/bin/python3 "$@"; }

# 2019-06-03 on the sim: SPY's expiration nearest 30 days is 2019-07-05, and
# the dividend history projects an ex-date before it.
D=2019-06-03
expect_rc "scan, European" 0 scan --date $D --all --json
printf '%s\n' "$OUT" >"$T_TMP/eu.json"
expect_rc "scan --set model=american" 0 scan --date $D --all --json --set model=american
printf '%s\n' "$OUT" >"$T_TMP/am.json"
same "a deep in-the-money call before an ex-date: American theo" "$(py - "$T_TMP/eu.json" "$T_TMP/am.json" <<'EOF'
import json, math, sys

def spy(path):
    o = json.load(open(path))
    return next(t for t in o["tickers"] if t["ticker"] == "SPY" and t["strategy"] == "volarb")

eu, am = spy(sys.argv[1]), spy(sys.argv[2])
S, T, r, hv = am["spot"], am["T"], am["rate"], am["hv"]
K = max(c["strike"] for c in am["contracts"] if c["right"] == "C" and c["strike"] <= 0.8 * S)
a = next(c["theo"] for c in am["contracts"] if c["right"] == "C" and c["strike"] == K)
e = next(c["theo"] for c in eu["contracts"] if c["right"] == "C" and c["strike"] == K)
N = lambda x: 0.5 * math.erfc(-x / math.sqrt(2))
d1 = (math.log(S / K) + (r + hv * hv / 2) * T) / (hv * math.sqrt(T))
bs0 = S * N(d1) - K * math.exp(-r * T) * N(d1 - hv * math.sqrt(T))  # no dividend at all
out = []
out.append("differs" if a != e else "same as European")
out.append("at least intrinsic" if a >= S - K else "below intrinsic %.6f < %.6f" % (a, S - K))
out.append("dividend counted" if a < bs0 - 0.01 else "no dividend before expiry")
out.append("same expiry" if am["expiry"] == eu["expiry"] == "2019-07-05" else am["expiry"])
print(", ".join(out))
EOF
)" "differs, at least intrinsic, dividend counted, same expiry"

# run and backtest with the key, and the trades it changes
FROM=2019-05-01
TO=2019-08-30
expect_rc "backtest --set model=american" 0 backtest -q --from $FROM --to $TO --json --set model=american
printf '%s\n' "$OUT" >"$T_TMP/bt-am.json"
expect_rc "backtest, European" 0 backtest -q --from $FROM --to $TO --json
printf '%s\n' "$OUT" >"$T_TMP/bt-eu.json"
same "the American model trades differently" "$(py - "$T_TMP/bt-eu.json" "$T_TMP/bt-am.json" <<'EOF'
import json, sys
a, b = (json.load(open(p)) for p in sys.argv[1:3])
key = lambda t: (t["ticker"], t["strike"], t["opened"])
ta = sorted(map(key, a["trades"]))
tb = sorted(map(key, b["trades"]))
print("trades" if tb else "no trades", "differ" if ta != tb else "same")
EOF
)" "trades differ"
expect_rc "run --set model=american" 0 run -q --from $FROM --to 2019-05-10 --set model=american

# a sweep over the model: each row is that configuration's own backtest
run_pt sweep -q --from $FROM --to $TO --csv model=european,american
same "sweep model=european,american: exit 0" "$RC" 0
printf '%s\n' "$OUT" >"$T_TMP/sweep.csv"
for m in european american; do
	"$PT" backtest -q --from $FROM --to $TO --json --set model=$m >"$T_TMP/bt.json"
	same "sweep row model=$m is its backtest" "$(py - "$T_TMP/sweep.csv" "$T_TMP/bt.json" $m <<'EOF'
import csv, json, sys
row = next(r for r in csv.DictReader(open(sys.argv[1])) if r["model"] == sys.argv[3])
a = json.load(open(sys.argv[2]))["analytics"]
want = {"total_return": a["total_return"], "sharpe": a["sharpe"], "trades": a["trades"]["closed"]}
bad = [k for k, v in want.items() if abs(float(row[k]) - float(v)) > 1e-9 * max(1, abs(float(v)))]
print("same" if not bad else "differ in " + ",".join(bad))
EOF
)" same
done

# a sweep whose base is American: with eight combinations or more its
# precomputed theo and IV (the American ones) serve every row, and each row
# is still its backtest
run_pt sweep -q --from $FROM --to $TO --csv --set model=american iv_edge=0.01:0.08:0.01
same "sweep --set model=american iv_edge=0.01:0.08:0.01: exit 0" "$RC" 0
printf '%s\n' "$OUT" >"$T_TMP/sweep-am.csv"
for iv in 0.02 0.05; do
	"$PT" backtest -q --from $FROM --to $TO --json --set model=american --set iv_edge=$iv \
		>"$T_TMP/bt.json"
	same "American sweep row iv_edge=$iv is its backtest" "$(py - "$T_TMP/sweep-am.csv" "$T_TMP/bt.json" $iv <<'EOF'
import csv, json, sys
row = next(r for r in csv.DictReader(open(sys.argv[1])) if r["iv_edge"] == sys.argv[3])
a = json.load(open(sys.argv[2]))["analytics"]
want = {"total_return": a["total_return"], "sharpe": a["sharpe"], "trades": a["trades"]["closed"]}
bad = [k for k, v in want.items() if abs(float(row[k]) - float(v)) > 1e-9 * max(1, abs(float(v)))]
print("same" if not bad else "differ in " + ",".join(bad))
EOF
)" same
done

# chain: the American columns, and their help
expect_rc "chain --set model=american" 0 chain SPY --date $D --json --set model=american
printf '%s\n' "$OUT" >"$T_TMP/chain-am.json"
expect_rc "chain, European" 0 chain SPY --date $D --json
printf '%s\n' "$OUT" >"$T_TMP/chain-eu.json"
same "chain's theo and IV are the model's" "$(py - "$T_TMP/chain-eu.json" "$T_TMP/chain-am.json" <<'EOF'
import json, sys

def rows(p):
    o = json.load(open(p))
    return o["contracts"] if isinstance(o, dict) else o

eu, am = rows(sys.argv[1]), rows(sys.argv[2])
print("theo differs" if [c["theo"] for c in eu] != [c["theo"] for c in am] else "theo same",
      "iv differs" if [c["iv"] for c in eu] != [c["iv"] for c in am] else "iv same")
EOF
)" "theo differs iv differs"
run_pt chain --help
contains "chain --help names the model" "$OUT" "model=american"

expect_rc "a bad model is refused" 2 scan --date $D --set model=bermudan

done_testing
