#!/usr/bin/env bash
# bench/run.sh - wall time and peak memory of one daily `papertrade run` on
# the simulated market, beside the same day done the brief's way in Python
# (numpy/scipy/pandas from Debian, bench/brief_daily.py) on the same data
# exported to CSV. Both run in this script, so the ratio is what counts on a
# noisy machine. Goal (issue "Core"): a run under 50 ms and 16 MiB peak RSS.
#
# The portfolio is one that ran every session of 2024-09-03..2024-11-29 and
# so has positions to settle and mark; the benchmarked session is 2024-12-02.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup >/dev/null
make -s -j2 bench-tools
command -v hyperfine >/dev/null || { echo "bench: hyperfine missing (scripts/setup)"; exit 1; }

w=$(mktemp -d)
trap 'rm -rf "$w"' EXIT
pt=$PWD/build/papertrade
day=2024-12-02
export PAPERTRADE_NOW=${day}T10:00
unset PAPERTRADE_HOME

"$pt" --home "$w/template" run -q --from 2024-09-03 --to 2024-11-29 >/dev/null
mkdir -p "$w/data"
build/bench/sim_export 20240101 "$day" "$w/data" SPY VOO VTI QQQ
"$pt" --home "$w/template" export >"$w/portfolio0.json"

printf '#!/bin/sh\nrm -rf %s/h && cp -a %s/template %s/h\n' "$w" "$w" "$w" >"$w/prep_c"
printf '#!/bin/sh\ncp %s/portfolio0.json %s/p.json\n' "$w" "$w" >"$w/prep_py"
chmod +x "$w/prep_c" "$w/prep_py"
hyperfine -N --warmup 3 --runs 40 --export-json "$w/c.json" --prepare "$w/prep_c" \
	"$pt --home $w/h run -q --date $day" >/dev/null
hyperfine -N --warmup 1 --runs 10 --export-json "$w/py.json" --prepare "$w/prep_py" \
	"/usr/bin/python3 bench/brief_daily.py $w/data $w/p.json" >/dev/null

rm -rf "$w/h" && cp -a "$w/template" "$w/h"
rss_c=$(/usr/bin/python3 bench/peak_rss.py "$pt" --home "$w/h" run -q --date "$day")
cp "$w/portfolio0.json" "$w/p.json"
rss_py=$(/usr/bin/python3 bench/peak_rss.py /usr/bin/python3 bench/brief_daily.py "$w/data" "$w/p.json")

/usr/bin/python3 - "$w/c.json" "$w/py.json" "$rss_c" "$rss_py" <<'PY'
import json, sys
c = json.load(open(sys.argv[1]))["results"][0]
p = json.load(open(sys.argv[2]))["results"][0]
rc, rp = int(sys.argv[3]), int(sys.argv[4])
ms = lambda r: (r["mean"] * 1e3, r["stddev"] * 1e3, r["median"] * 1e3)
cm, cs, cmed = ms(c)
pm, ps, pmed = ms(p)
print("one daily run, session 2024-12-02, four tickers, simulated market")
print(f"{'':28}{'mean ms':>10}{'+-':>8}{'median':>10}{'peak RSS MiB':>14}")
print(f"{'papertrade run':28}{cm:10.1f}{cs:8.1f}{cmed:10.1f}{rc/1024:14.1f}")
print(f"{'brief approach (Python)':28}{pm:10.1f}{ps:8.1f}{pmed:10.1f}{rp/1024:14.1f}")
print(f"ratio (Python / papertrade): time {pm/cm:.1f}x, memory {rp/rc:.1f}x")
print(f"goal: run < 50 ms: {'met' if cm < 50 else 'NOT met'}; peak RSS < 16 MiB: {'met' if rc < 16*1024 else 'NOT met'}")
PY
