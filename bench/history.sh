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
#      of every session with the expiration nearest 30 days.
#
# Needs about 6 GB free under /tmp (or BENCH_TMP); everything is removed
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
echo "generated: $rows option rows, $(calc "$bytes / 1e9") GB of OptionsDX text, in $(calc "$t1 - $t0") s"
# The file is in the page cache now, as a file just downloaded would be;
# sync first, so the generator's own writing is not charged to the import
# (its 4.4 GB going to disk slowed the import's fsync by seconds). Three
# imports into fresh homes: the disk is shared, so the figures vary.
sync
for run in 1 2 3; do
	rm -rf "$tmp/home"
	sync
	t0=$(now)
	"$pt" --home "$tmp/home" history import --ticker SPY "$tmp/spy_eod.txt" >"$tmp/import.out"
	t1=$(now)
	secs=$(calc "$t1 - $t0")
	echo "import $run: $secs s, $(calc "$rows / $secs / 1e6")M rows/s (goal >= 5M rows/s)"
done
tail -1 "$tmp/import.out"
"$pt" --home "$tmp/home" history list
build/bench/history_replay "$tmp/home" SPY | sed 's/^/replay (1st, mapping the file): /'
build/bench/history_replay "$tmp/home" SPY | sed 's/^/replay (2nd): /'
t0=$(now)
"$pt" --home "$tmp/home" history verify >/dev/null
t1=$(now)
echo "history verify (both checksums of every byte): $(calc "$t1 - $t0") s"
