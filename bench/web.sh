#!/usr/bin/env bash
# bench/web.sh - how fast `papertrade serve` answers: builds, makes a
# portfolio of two years of sim sessions in a temporary home, starts serve on
# 127.0.0.1 with a random port and runs wrk (Debian's) for 10 s with 2
# threads and 64 connections against /api/summary and against / (the page),
# then prints requests per second, p99 latency and whether the goals are met
# (>= 20,000 req/s and p99 < 5 ms on /api/summary). Figures, not a test.
#
#   bench/web.sh [BUILD_DIR]     (default build-web; made with make BUILD=...)
set -eu
root=$(cd "$(dirname "$0")/.." && pwd)
build=${1:-build-web}
duration=${WRK_DURATION:-10s}
cd "$root"
command -v wrk >/dev/null || { echo "bench/web.sh: wrk is not installed (scripts/setup)" >&2; exit 1; }
make -s BUILD="$build" -j2 all >/dev/null
pt="$root/$build/papertrade"
tmp=$(mktemp -d)
pid=
trap '[ -n "$pid" ] && kill "$pid" 2>/dev/null; rm -rf "$tmp"' EXIT
export PAPERTRADE_HOME="$tmp/home" PAPERTRADE_NOW=2024-12-31T10:00
echo "# making a portfolio: every session of 2023 and 2024 on the sim market"
"$pt" run -q --from 2023-01-03 >/dev/null
PT=$pt
source tests/serve_bg.sh
serve_start "$tmp/err" --listen 127.0.0.1:0 --no-scheduler || true
pid=$SERVE_PID port=$SERVE_PORT
[ -n "$port" ] || { echo "bench/web.sh: serve did not start: $(cat "$tmp/err")" >&2; exit 1; }
echo "# serve on 127.0.0.1:$port, $(nproc) cores; wrk -t2 -c64 -d$duration --latency"

# run_wrk NAME PATH [HEADER] : prints the figures, sets RPS and P99_MS
run_wrk() {
	local out
	if [ $# -ge 3 ]; then
		out=$(wrk -t2 -c64 -d"$duration" --latency -H "$3" "http://127.0.0.1:$port$2")
	else
		out=$(wrk -t2 -c64 -d"$duration" --latency "http://127.0.0.1:$port$2")
	fi
	RPS=$(printf '%s\n' "$out" | awk '/^Requests\/sec:/ {print $2}')
	P99_MS=$(printf '%s\n' "$out" | awk '$1 == "99%" {v = $2;
		if (v ~ /us$/) {sub(/us$/, "", v); v /= 1000} else if (v ~ /ms$/) {sub(/ms$/, "", v)}
		else if (v ~ /s$/) {sub(/s$/, "", v); v *= 1000}
		print v}')
	local errs
	errs=$(printf '%s\n' "$out" | awk '/Non-2xx|Socket errors/ {print}')
	printf '%-34s %10.0f req/s   p99 %7.3f ms%s\n' "$1" "$RPS" "$P99_MS" "${errs:+   ($errs)}"
}

run_wrk "/api/summary" /api/summary
s_rps=$RPS s_p99=$P99_MS
run_wrk "/api/summary (gzip)" /api/summary "Accept-Encoding: gzip"
run_wrk "/ (index.html)" /
run_wrk "/vendor/chart.umd.min.js (gzip)" /vendor/chart.umd.min.js "Accept-Encoding: gzip"

goal=$(awk -v r="$s_rps" -v p="$s_p99" 'BEGIN {
	printf "%s: >= 20,000 req/s on /api/summary (%.0f)\n", (r >= 20000 ? "met" : "NOT met"), r;
	printf "%s: p99 < 5 ms on /api/summary (%.3f ms)\n", (p < 5 ? "met" : "NOT met"), p }')
echo "$goal"
kill -TERM "$pid"
wait "$pid" || true
pid=
