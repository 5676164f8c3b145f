#!/usr/bin/env bash
# bench/store.sh - how the store grows and how fast a run stays as history
# grows (issue 10 point 5). Builds a home over 20 sim years with one
# `run --from` catch-up, then prints: the database size (per table, from
# sqlite3's dbstat when it has it), the catch-up's wall time and its ms per
# session in three legs (first ten years, next nine, last year), the first
# year alone and the last ten years alone in fresh homes, and one more daily
# run on the 20-year home (hyperfine). Figures only; tests never assert on
# time. Goals: 20 years under 20 MB; a daily run on it under 50 ms; a
# ten-year run --from under 5 s with constant cost per session.
#
#   bench/store.sh [FIRST_DAY LAST_DAY]   (default 2005-01-03 2024-12-31)
set -euo pipefail
cd "$(dirname "$0")/.."
pt=${PT:-$PWD/build/papertrade}
[ -x "$pt" ] || make -s -j2
from=${1:-2005-01-03}
to=${2:-2024-12-31}
w=$(mktemp -d)
trap 'rm -rf "$w"' EXIT
unset PAPERTRADE_HOME
export PAPERTRADE_NOW=${to}T10:00
export TZ=UTC

now_ms() { date +%s%3N; }
sessions() { # sessions FROM TO
	"$pt" calendar --from "$1" --to "$2" --csv | tail -n +2 | wc -l
}

y0=${from%%-*}
y1=${to%%-*}
last_start="$y1-01-01"
first_end="$y0-12-31"

# The whole catch-up, timed in three legs on one home (the first ten years,
# the next nine, the last year from a copy of the home as it stood), so the
# cost per session early and late can be compared.
mid_end="$((y0 + 9))-12-31"
mid_start="$((y0 + 10))-01-01"
t0=$(now_ms)
"$pt" --home "$w/h" run -q --from "$from" --to "$mid_end" >/dev/null
t1=$(now_ms)
"$pt" --home "$w/h" run -q --from "$mid_start" --to "$((y1 - 1))-12-31" >/dev/null
t2=$(now_ms)
cp -a "$w/h" "$w/before-last"
t3=$(now_ms)
"$pt" --home "$w/h" run -q --from "$last_start" --to "$to" >/dev/null
t4=$(now_ms)
total_ms=$((t2 - t0 + t4 - t3))
n_all=$(sessions "$from" "$to")
n_a=$(sessions "$from" "$mid_end")
n_b=$(sessions "$mid_start" "$((y1 - 1))-12-31")
n_last=$(sessions "$last_start" "$to")

# The first year alone, in a fresh home; the last ten years in another
# (the issue's "ten-year run --from").
t5=$(now_ms)
"$pt" --home "$w/first" run -q --from "$from" --to "$first_end" >/dev/null
t6=$(now_ms)
n_first=$(sessions "$from" "$first_end")
ten_from="$((y1 - 9))-01-01"
t7=$(now_ms)
"$pt" --home "$w/ten" run -q --from "$ten_from" --to "$to" >/dev/null
t8=$(now_ms)
n_ten=$(sessions "$ten_from" "$to")

db=$w/h/papertrade.db
sqlite3 "$db" 'PRAGMA wal_checkpoint(TRUNCATE)' >/dev/null
bytes=$(stat -c %s "$db")
echo "home over $from..$to: $n_all sessions"
printf 'database: %d bytes (%.1f MB)\n' "$bytes" "$(echo "$bytes / 1000000" | bc -l)"
if sqlite3 "$db" 'SELECT 1 FROM dbstat LIMIT 1' >/dev/null 2>&1; then
	sqlite3 -separator '  ' "$db" \
		"SELECT printf('  %-24s %10d bytes', name, sum(pgsize)) FROM dbstat
		 GROUP BY name ORDER BY sum(pgsize) DESC"
else
	echo "  (no dbstat: page_count $(sqlite3 "$db" 'PRAGMA page_count'))"
fi
printf 'catch-up (run --from, %d sessions): %.1f s\n' "$n_all" "$(echo "$total_ms / 1000" | bc -l)"
printf '  %s..%s: %d sessions, %.2f ms/session\n' "$from" "$mid_end" "$n_a" \
	"$(echo "($t1 - $t0) / $n_a" | bc -l)"
printf '  %s..%s (continuing): %d sessions, %.2f ms/session\n' "$mid_start" "$((y1 - 1))-12-31" \
	"$n_b" "$(echo "($t2 - $t1) / $n_b" | bc -l)"
printf '  %s..%s (continuing, a process of its own): %d sessions, %.2f ms/session\n' \
	"$last_start" "$to" "$n_last" "$(echo "($t4 - $t3) / $n_last" | bc -l)"
printf 'first year alone, fresh home: %d sessions, %.2f ms/session\n' "$n_first" \
	"$(echo "($t6 - $t5) / $n_first" | bc -l)"
printf 'ten-year run --from %s..%s, fresh home: %d sessions, %.1f s\n' "$ten_from" "$to" \
	"$n_ten" "$(echo "($t8 - $t7) / 1000" | bc -l)"

# One more daily run on the full home: the next session, from a fresh copy
# each time.
next=$("$pt" calendar --from "$(date -d "$to + 1 day" +%F)" --to "$(date -d "$to + 15 days" +%F)" --csv |
	sed -n 2p | cut -d, -f1)
printf '#!/bin/sh\nrm -rf %s/d && cp -a %s/h %s/d\n' "$w" "$w" "$w" >"$w/prep"
chmod +x "$w/prep"
if command -v hyperfine >/dev/null; then
	PAPERTRADE_NOW=${next}T10:00 hyperfine -N -w 2 -r 15 --prepare "$w/prep" \
		"$pt --home $w/d run -q --date $next" --export-json "$w/hf.json" >/dev/null
	python3 -c "import json,sys; r=json.load(open(sys.argv[1]))['results'][0]; \
print('daily run %s on the %s-year home: mean %.1f ms, min %.1f ms (hyperfine, %d runs)' % \
(sys.argv[2], sys.argv[3], r['mean']*1e3, r['min']*1e3, len(r['times'])))" \
		"$w/hf.json" "$next" "$((y1 - y0 + 1))"
else
	best=
	for i in 1 2 3 4 5; do
		"$w/prep"
		a=$(now_ms)
		PAPERTRADE_NOW=${next}T10:00 "$pt" --home "$w/d" run -q --date "$next" >/dev/null
		b=$(now_ms)
		ms=$((b - a))
		[ -z "$best" ] || [ "$ms" -lt "$best" ] && best=$ms
	done
	echo "daily run $next on the home: best of 5 $best ms"
fi
