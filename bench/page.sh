#!/usr/bin/env bash
# bench/page.sh - how fast the dashboard draws ten years of daily history:
# a portfolio run on the simulated market every session from 2016-12-01 to
# 2026-11-30 (about 2,500 snapshots, five lines of them in the performance
# chart), served by `papertrade serve` on 127.0.0.1 with a random port, then
# headless chromium loads the page N times (bench/page.mjs) and prints the
# median time from navigation start to a drawn page. Goal: under 1 s.
#
#   bench/page.sh [RUNS]        (BUILD=dir to use another build than build/)
#
# Making the history takes a while (about 30 s); it is kept in
# $BUILD/bench/page-home and reused (FRESH=1 makes it again).
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:-5}
build=${BUILD:-build}
make -s -j2 BUILD="$build" "$build/papertrade"
command -v node >/dev/null || { echo "bench: node missing (scripts/setup)"; exit 1; }
[ -x "${PT_CHROMIUM:-/usr/bin/chromium}" ] || { echo "bench: chromium missing (scripts/setup)"; exit 1; }

pt=$PWD/$build/papertrade
home=$PWD/$build/bench/page-home
export PAPERTRADE_NOW=2026-11-30T10:00
export TZ=Asia/Tokyo
unset PAPERTRADE_HOME

# Reused while it still opens (FRESH=1 makes it again).
if [ "${FRESH:-0}" = 1 ] || ! "$pt" --home "$home" report --json >/dev/null 2>&1; then
	rm -rf "$home"
	mkdir -p "$home"
	echo "bench: running every session from 2016-12-01 (once; kept in $home)" >&2
	t0=$(date +%s%N)
	"$pt" --home "$home" run -q --from 2016-12-01 >/dev/null
	t1=$(date +%s%N)
	echo "bench: ten years of history made in $(((t1 - t0) / 1000000)) ms"
fi
echo "snapshots: $(sqlite3 "$home/papertrade.db" 'select count(*) from snapshots')"

err=$(mktemp)
pid=
trap '[ -n "$pid" ] && kill "$pid" 2>/dev/null; rm -f "$err"' EXIT
PT=$pt
source tests/serve_bg.sh
PAPERTRADE_HOME=$home serve_start "$err" --listen 127.0.0.1:0 --no-scheduler || true
pid=$SERVE_PID url=$SERVE_URL
[ -n "$url" ] || { echo "bench: serve did not start: $(cat "$err")"; exit 1; }
echo "served at $url"
if command -v curl >/dev/null; then
	for k in summary snapshots positions trades health; do
		printf '  /api/%-9s %8d bytes\n' "$k" "$(curl -s "${url}api/$k" | wc -c)"
	done
fi
node bench/page.mjs "$url" "$runs"
