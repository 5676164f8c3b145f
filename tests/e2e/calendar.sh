#!/usr/bin/env bash
# tests/e2e/calendar.sh - `papertrade calendar` and `papertrade expirations`
# through the real binary (market/calendar, DESIGN.md §1 first box): NYSE
# sessions and hours in New York time while the process runs in Asia/Tokyo,
# standard expirations, and the usage errors (one line, exit 2).
# shellcheck source=tests/e2e/lib.sh
source "$(dirname "$0")/lib.sh"

# absent RE : no CSV row of $OUT starts with a date matching RE
absent() { ! printf '%s\n' "$OUT" | grep -qE "^($1),"; }
# rows_match RE : every CSV row of $OUT after the header matches RE
rows_match() { ! printf '%s\n' "$OUT" | tail -n +2 | grep -qvE "^$1\$"; }

# Thanksgiving to New Year 2024.
run_pt calendar --from 2024-11-25 --to 2024-12-31 --csv
same "calendar csv exits 0" "$RC" 0
same "csv header" "$(printf '%s\n' "$OUT" | head -1)" "date,open,close"
contains "regular session 09:30-16:00" "$OUT" "2024-11-27,09:30,16:00"
contains "day after Thanksgiving closes 13:00" "$OUT" "2024-11-29,09:30,13:00"
contains "Christmas Eve closes 13:00" "$OUT" "2024-12-24,09:30,13:00"
check "Thanksgiving absent" absent 2024-11-28
check "Christmas absent" absent 2024-12-25
check "weekends absent" absent '2024-(11-30|12-01|12-28|12-29)'
same "25 sessions listed" "$(printf '%s\n' "$OUT" | tail -n +2 | wc -l)" 25
same "only two early closes" "$(printf '%s\n' "$OUT" | grep -c ',13:00$')" 2
check "every row is date,09:30,HH:MM" rows_match '[0-9]{4}-[0-9]{2}-[0-9]{2},09:30,(16|13):00'

# Session counts of whole years.
run_pt calendar --from 2024-01-01 --to 2024-12-31 --csv
same "2024 has 252 sessions" "$(printf '%s\n' "$OUT" | tail -n +2 | wc -l)" 252
run_pt calendar --from 2023-01-01 --to 2023-12-31 --csv
same "2023 has 250 sessions" "$(printf '%s\n' "$OUT" | tail -n +2 | wc -l)" 250
# A Saturday New Year's Day is not observed on the Friday before (NYSE Rule 7.2).
run_pt calendar --from 2021-12-31 --to 2021-12-31 --csv
same "2021-12-31 is a session" "$OUT" "$(printf 'date,open,close\n2021-12-31,09:30,16:00')"
# Same answer whatever the machine's zone.
TOKYO=$("$PT" calendar --from 2024-03-01 --to 2024-03-31 --csv)
LA=$(TZ=America/Los_Angeles "$PT" calendar --from 2024-03-01 --to 2024-03-31 --csv)
same "output does not depend on TZ" "$LA" "$TOKYO"

# Human table: holidays and early closes are named.
run_pt calendar --from 2024-11-25 --to 2024-12-31
same "calendar table exits 0" "$RC" 0
contains "table names Thanksgiving" "$OUT" "2024-11-28  Thu"
contains "table names the holiday" "$OUT" "Thanksgiving Day"
contains "table marks the early close" "$OUT" "2024-11-29  Fri  09:30  13:00  early close"
contains "table names Christmas" "$OUT" "Christmas Day"

# Expirations.
run_pt expirations --from 2024-03-01 --to 2024-03-31
same "expirations exits 0" "$RC" 0
same "March 2024 expirations" "$OUT" "$(printf '%s\n' 2024-03-01 2024-03-08 '2024-03-15 monthly' 2024-03-22 2024-03-28)"
run_pt expirations --from 2024-03-01 --to 2024-03-31 --csv
same "expirations csv" "$OUT" "$(printf '%s\n' date,type 2024-03-01,weekly 2024-03-08,weekly \
	2024-03-15,monthly 2024-03-22,weekly 2024-03-28,weekly)"
run_pt expirations --from 2025-04-01 --to 2025-04-30 --csv
contains "Good Friday monthly moves to Thursday" "$OUT" "2025-04-17,monthly"
run_pt expirations --from 2024-01-01 --to 2024-12-31 --csv
same "52 expirations in 2024" "$(printf '%s\n' "$OUT" | tail -n +2 | wc -l)" 52
same "12 monthlies in 2024" "$(printf '%s\n' "$OUT" | grep -c ',monthly$')" 12

# Help and usage errors.
expect_rc "calendar --help" 0 calendar --help
contains "calendar --help prints usage to stdout" "$OUT" "usage: papertrade calendar"
expect_rc "expirations --help" 0 expirations --help
contains "expirations --help prints usage to stdout" "$OUT" "usage: papertrade expirations"
expect_rc "calendar without flags" 2 calendar
expect_rc "calendar without --to" 2 calendar --from 2024-01-01
expect_rc "expirations without --from" 2 expirations --to 2024-01-01
expect_rc "bad date" 2 calendar --from 2024-02-30 --to 2024-03-01
expect_rc "not a date" 2 expirations --from yesterday --to 2024-03-01
expect_rc "from after to" 2 calendar --from 2024-12-31 --to 2024-01-01
expect_rc "before 2000" 2 calendar --from 1999-12-31 --to 2000-01-05
expect_rc "after 2035" 2 expirations --from 2035-12-01 --to 2036-01-02
expect_rc "unknown option" 2 calendar --from 2024-01-01 --to 2024-01-02 --json
expect_rc "stray argument" 2 expirations --from 2024-01-01 --to 2024-01-02 extra
expect_rc "missing value" 2 calendar --to 2024-01-02 --from
same "errors write nothing to stdout" "$OUT" ""

done_testing
