#!/usr/bin/env bash
# bench/history.sh - import and replay of a generated 17-year SPY-sized
# end-of-day option history (issue 11, Deliver 7; docs/history.md,
# "Figures"). Figures only: tests never assert on time.
#
#   1. bench/history_gen writes SPY 2008-01-02..2025-12-12 in OptionsDX's
#      layout: 5,468 option rows a session, about 24.7M rows (the size of
#      options-dataset-hist's SPY: 24,681,665 rows), about 4.4 GB of text;
#   2. `papertrade history import` of that file, timed end to end (the
#      process, reading on every core, building and writing the store's
#      file as it reads, fsync and the manifest swap): rows/s; goal 5M
#      rows/s or more;
#   3. bench/history_replay: every row read back through the store (goal
#      under 1 s; options_backtester's Rust core needs 4.2 s for the same
#      SPY history), twice (the first maps the file's pages), and the view
#      of every session with the expiration nearest 30 days;
#   4. the yardstick in the same run, on the same file: the brief's Python
#      (bench/brief_history.py, pandas from Debian's packages) reads it with
#      read_csv, parses the dates and writes a pickle; reads the pickle back
#      and selects every session's calls of the expiration nearest 30 days
#      (a groupby on the quote date); then the ratios: papertrade's median
#      import rows/s over pandas', and pandas' seconds over history_replay's
#      (2nd run) for reading every row and for the views. PY_ROWS=N gives
#      pandas only the first N option rows (scaled by rows, and said so).
#
# Needs about 6.5 GB free under /tmp (or BENCH_TMP); everything is removed
# at the end. Set ROWS_PER_DAY, FROM and TO for a smaller run.
set -euo pipefail
cd "$(dirname "$0")/.."
make -s -j2 all bench-tools >/dev/null
pt=$PWD/build/papertrade
tmp=$(mktemp -d "${BENCH_TMP:-/tmp}/pt-history-bench.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
from=${FROM:-2008-01-02}
to=${TO:-2025-12-12}
per_day=${ROWS_PER_DAY:-5468}

df -h "$tmp" | tail -1 | awk '{print "free under /tmp: " $4}'
now() { date +%s.%N; }
t0=$(now)
rows=$(build/bench/history_gen "$tmp/spy_eod.txt" "$from" "$to" "$per_day")
t1=$(now)
bytes=$(stat -c %s "$tmp/spy_eod.txt")
calc() { awk "BEGIN { printf \"%.2f\", $1 }"; }
calc3() { awk "BEGIN { printf \"%.3f\", $1 }"; }
# A / B, or n/a when B printed as zero (a small run's view pass)
ratio() { awk "BEGIN { if ($2 > 0) printf \"%.1fx\", $1 / $2; else printf \"n/a\" }"; }
echo "generated: $rows option rows, $(calc "$bytes / 1e9") GB of OptionsDX text, in $(calc "$t1 - $t0") s"
# The file is in the page cache now, as a file just downloaded would be;
# sync first, so the generator's own writing is not charged to the import
# (its 4.4 GB going to disk slowed the import's fsync by seconds). Three
# imports into fresh homes: the disk is shared, so the figures vary.
sync
import_secs=()
for run in 1 2 3; do
	rm -rf "$tmp/home"
	sync
	t0=$(now)
	"$pt" --home "$tmp/home" history import --ticker SPY "$tmp/spy_eod.txt" >"$tmp/import.out"
	t1=$(now)
	secs=$(calc "$t1 - $t0")
	import_secs+=("$secs")
	echo "import $run: $secs s, $(calc "$rows / $secs / 1e6")M rows/s (goal >= 5M rows/s)"
done
tail -1 "$tmp/import.out"
"$pt" --home "$tmp/home" history list
build/bench/history_replay "$tmp/home" SPY | sed 's/^/replay (1st, mapping the file): /'
build/bench/history_replay "$tmp/home" SPY >"$tmp/replay.out"
sed 's/^/replay (2nd): /' "$tmp/replay.out"
t0=$(now)
"$pt" --home "$tmp/home" history verify >/dev/null
t1=$(now)
echo "history verify (both checksums of every byte): $(calc "$t1 - $t0") s"

# The yardstick, in the same run on the same file: the brief's Python
# (bench/brief_history.py: pandas' read_csv, the dates parsed, to_pickle;
# then read_pickle and every session's calls nearest 30 days by a groupby
# on the quote date). PY_ROWS=N reads only the first N option rows (for a
# machine without the memory): its seconds are then scaled by rows.
rm -rf "$tmp/home"
py=/usr/bin/python3
"$py" bench/brief_history.py import "$tmp/spy_eod.txt" "$tmp/brief.store" | tee "$tmp/py_import.out"
"$py" bench/brief_history.py replay "$tmp/brief.store" | tee "$tmp/py_replay.out"
rm -f "$tmp/brief.store"
# "... N thing(s) in X s": X
secs_of() { sed -n "/$1/s/.* in \([0-9.]*\) s.*/\1/p" "$2" | head -1; }
read -r -a isecs <<<"$(printf '%s\n' "${import_secs[@]}" | sort -g | tr '\n' ' ')"
pt_rate=$(calc "$rows / ${isecs[1]}")
py_rows=$(sed -n 's/^pandas .* import: \([0-9]*\) option rows.*/\1/p' "$tmp/py_import.out")
py_rate=$(calc "$py_rows / $(secs_of 'import:' "$tmp/py_import.out")")
scale=$(awk "BEGIN { printf \"%.6f\", $rows / $py_rows }")
py_read=$(calc3 "$(secs_of 'read back' "$tmp/py_replay.out") * $scale")
py_view=$(calc3 "$(secs_of 'a session at a time' "$tmp/py_replay.out") * $scale")
py_once=$(sed -n 's/.*at once (groupby transforms): \([0-9.]*\) s.*/\1/p' "$tmp/py_replay.out")
py_once=$(calc3 "$py_once * $scale")
py_calls=$(sed -n 's/.*us a session, \([0-9]*\) calls.*/\1/p' "$tmp/py_replay.out")
pt_served=$(sed -n 's/.*, \([0-9]*\) option rows served.*/\1/p' "$tmp/replay.out")
pt_read=$(secs_of 'every row read back' "$tmp/replay.out")
pt_view=$(secs_of 'views of every session' "$tmp/replay.out")
[ "$py_rows" = "$rows" ] || echo "pandas ran on a SAMPLE of $py_rows of $rows option rows (PY_ROWS): its seconds below are scaled by rows (x$scale)"
echo "same expirations: pandas selected $py_calls calls, $((2 * py_calls)) rows with their puts; history_replay served $pt_served option rows"
echo "ratio, import: papertrade's median $(calc "$pt_rate / 1e6")M rows/s / pandas' $(calc "$py_rate / 1e6")M rows/s = $(ratio "$pt_rate" "$py_rate")"
echo "ratio, every row read back: pandas' $py_read s / history_replay's (2nd) $pt_read s = $(ratio "$py_read" "$pt_read")"
echo "ratio, every session's view, a session at a time: pandas' $py_view s / history_replay's (2nd) $pt_view s = $(ratio "$py_view" "$pt_view")"
echo "ratio, the same selection for all sessions at once in pandas: $py_once s / history_replay's (2nd) $pt_view s = $(ratio "$py_once" "$pt_view")"
