#!/usr/bin/env bash
# bench/backtest.sh - the speed of a ten-year backtest (issue 11, point 7)
# beside the brief's logic in Python, both measured in this run, so the
# ratio is what counts on a noisy machine. Figures only: tests never assert
# on time.
#
#   1. `papertrade backtest` of 2015-01-02..2024-12-31 on the simulated
#      market (seed 20240101), SPY VOO VTI QQQ with full chains, RUNS times
#      with hyperfine: the process's wall time (start, every view built by
#      the sim, the engine, the report), median; sessions/s and option
#      quotes/s from it; peak RSS (bench/peak_rss.py). Goal: under 1 s.
#   2. The yardstick: bench/brief_backtest.py (the brief's daily logic,
#      bench/brief_daily.py's day(), in pandas and scipy) replaying the
#      sessions of PY_FROM..PY_TO (default 2015, 252 sessions: about 0.4 s a
#      session, so ten years would take some 17 minutes) from
#      build/bench/sim_export's CSV of the same market (the export is not
#      timed). Its time is the replay alone: reading the CSV is shown apart
#      and left out, which favours Python, since papertrade's time includes
#      building its market. papertrade's backtest of the same sessions is
#      timed too, and the goal is papertrade's sessions/s at least 200 times
#      Python's on those sessions.
#
# Set RUNS (10), PY_FROM and PY_TO to change what is run.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup >/dev/null
make -s -j2 bench-tools
command -v hyperfine >/dev/null || { echo "bench: hyperfine missing (scripts/setup)"; exit 1; }

w=$(mktemp -d)
trap 'rm -rf "$w"' EXIT
pt=$PWD/build/papertrade
seed=20240101
tickers=(SPY VOO VTI QQQ)
from=2015-01-01
to=2024-12-31
py_from=${PY_FROM:-2015-01-01}
py_to=${PY_TO:-2015-12-31}
runs=${RUNS:-10}
export PAPERTRADE_NOW=2025-06-02T10:00
unset PAPERTRADE_HOME

# The two backtests (the home is never written); hyperfine gets each as one line.
tick=$(IFS=,; echo "${tickers[*]}")
bt10=(backtest --from "$from" --to "$to" --set "seed=$seed" --set "tickers=$tick" -q)
btpy=(backtest --from "$py_from" --to "$py_to" --set "seed=$seed" --set "tickers=$tick" -q)
"$pt" --home "$w/h" "${bt10[@]}" --json >"$w/c10.json"
"$pt" --home "$w/h" "${btpy[@]}" --json >"$w/cpy.json"
hyperfine -N --warmup 2 --runs "$runs" --export-json "$w/h10.json" "$pt --home $w/h ${bt10[*]}" >/dev/null
hyperfine -N --warmup 2 --runs "$runs" --export-json "$w/hpy.json" "$pt --home $w/h ${btpy[*]}" >/dev/null
rss=$(/usr/bin/python3 bench/peak_rss.py "$pt" --home "$w/h" "${bt10[@]}")

mkdir "$w/data"
build/bench/sim_export "$seed" "$py_from..$py_to" "$w/data" "${tickers[@]}"
/usr/bin/python3 bench/brief_backtest.py "$w/data" >"$w/py.json"

/usr/bin/python3 - "$w" "$rss" "$runs" "${tickers[*]}" <<'PY'
import json, sys
w, rss, runs, tickers = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4]
load = lambda name: json.load(open(f"{w}/{name}"))
c10, cpy = load("c10.json")["backtest"], load("cpy.json")["backtest"]
h10, hpy = load("h10.json")["results"][0], load("hpy.json")["results"][0]
py = load("py.json")
assert (cpy["first_session"], cpy["last_session"], cpy["sessions"]) == \
    (py["first"], py["last"], py["sessions"]), "papertrade and Python ran different sessions"
print(f"backtest {c10['first_session']}..{c10['last_session']} of {tickers}, full chains, "
      f"simulated market (seed 20240101)")
print(f"Python's sessions (and the second row's): {py['first']}..{py['last']}")
print(f"{'':32}{'sessions':>9}{'median s':>10}{'min s':>8}{'max s':>8}"
      f"{'sessions/s':>12}{'quotes/s':>12}{'RSS MiB':>9}")
def row(name, sessions, quotes, med, lo=None, hi=None, rss_kib=None):
    f = lambda x, n: f"{x:{n}.3f}" if x is not None else f"{'-':>{n}}"
    print(f"{name:32}{sessions:9d}{med:10.3f}{f(lo, 8)}{f(hi, 8)}{sessions / med:12.1f}"
          f"{quotes / med:12,.0f}" + (f"{rss_kib / 1024:9.1f}" if rss_kib else f"{'-':>9}"))
row("papertrade, 10 years", c10["sessions"], c10["option_quotes"], h10["median"], h10["min"],
    h10["max"], rss)
row("papertrade, Python's sessions", cpy["sessions"], cpy["option_quotes"], hpy["median"],
    hpy["min"], hpy["max"])
row("brief approach (Python)", py["sessions"], py["option_quotes"], py["replay_seconds"],
    rss_kib=py["peak_rss_kib"])
print(f"papertrade: the process's wall time (start, every view built, engine, report), median of "
      f"{runs}; its own")
print(f"  timer (backtest.seconds, one run): {c10['seconds']:.3f} s for the 10 years; "
      f"{c10['trades']} trades in 10 years, {cpy['trades']} on Python's sessions")
print(f"Python: the replay alone, one run; reading its CSV took {py['read_seconds']:.2f} s more "
      f"(not counted); its quotes")
print(f"  are its chains' rows (every expiration a position can hold, more than papertrade's "
      f"views); {py['trades']} calls sold")
ratio = (cpy["sessions"] / hpy["median"]) / py["sessions_per_second"]
like = (cpy["sessions"] / hpy["median"]) * (py["replay_seconds"] + py["read_seconds"]) / py["sessions"]
ratio10 = (c10["sessions"] / h10["median"]) / py["sessions_per_second"]
print(f"ratio of sessions/s on the same sessions, papertrade / Python: {ratio:.0f}x")
print(f"  (counting Python's CSV reading: {like:.0f}x; papertrade's 10-year rate over Python's: "
      f"{ratio10:.0f}x)")
ok_t, ok_r = h10["median"] < 1.0, ratio >= 200
print(f"goal: 10 years under 1 s: {'PASS' if ok_t else 'FAIL'} ({h10['median']:.3f} s); "
      f">= 200x Python on the same sessions: {'PASS' if ok_r else 'FAIL'} ({ratio:.0f}x)")
PY
