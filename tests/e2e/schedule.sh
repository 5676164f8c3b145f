#!/usr/bin/env bash
# tests/e2e/schedule.sh - the scheduler end to end (DESIGN.md erratum 6;
# sched/, cli/run.c, cli/schedule.c): `run --if-due` with PAPERTRADE_NOW as
# the clock (in Asia/Tokyo) runs each session once, at or after run_at New
# York time, never on holidays, weekends or before run_at, and across DST
# changes; `schedule --systemd` and `--cron` print units that are right in
# any machine zone; usage errors exit 2 with one line.
# shellcheck source=tests/e2e/lib.sh
source "$PT_ROOT/tests/e2e/lib.sh"
db() { sqlite3 "$PAPERTRADE_HOME/papertrade.db" "$1"; }
runs() { db 'select group_concat(session) from (select session from runs order by session)'; }
due() { PAPERTRADE_NOW=$1 run_pt run --if-due "${@:2}"; }

# Before run_at: not due, and nothing is created.
due 2024-12-02T09:00
same "before 09:35: exit 0" "$RC" 0
contains "before 09:35: says when" "$ERR" "not due: today's run is at 09:35 New York"
same "before 09:35: nothing stored" "$(db_hash)" none
same "before 09:35: no report on stdout" "$OUT" ""
due 2024-12-02T09:34
same "09:34: nothing stored" "$(db_hash)" none

# At 09:40 it runs, once.
due 2024-12-02T09:40
same "09:40: exit 0" "$RC" 0
contains "09:40: ran" "$ERR" "2024-12-02 ran:"
contains "09:40: prints the report" "$OUT" "DAILY PORTFOLIO REPORT"
same "09:40: one run stored" "$(runs)" 2024-12-02
h=$(db_hash)
due 2024-12-02T09:45
same "again: exit 0" "$RC" 0
contains "again: already ran" "$ERR" "already ran; nothing to do"
contains "again: says the next run" "$ERR" "next run 2024-12-03 09:35 New York"
same "again: no report on stdout (no cron mail every 5 minutes)" "$OUT" ""
same "again: database unchanged" "$(db_hash)" "$h"
due 2024-12-02T23:59 --quiet
same "late evening, quiet: silent" "$OUT$ERR" ""
same "late evening: database unchanged" "$(db_hash)" "$h"

# The next morning: not before 09:35; the missed evening is not an issue.
due 2024-12-03T09:34
same "next day 09:34: not due" "$(db_hash)" "$h"
due 2024-12-03T15:00
contains "same-day catch-up at 15:00" "$ERR" "2024-12-03 ran:"
same "catch-up stored" "$(runs)" 2024-12-02,2024-12-03

# Holidays and weekends: exit 0, nothing stored, the next session named.
h=$(db_hash)
due 2024-11-28T10:00
same "Thanksgiving: exit 0" "$RC" 0
contains "Thanksgiving named" "$ERR" "Thanksgiving"
due 2024-12-07T10:00
same "Saturday: exit 0" "$RC" 0
contains "Saturday is a weekend" "$ERR" "weekend"
contains "Saturday: next run Monday" "$ERR" "next run 2024-12-09 09:35 New York"
due 2024-12-25T10:00 --json
same "Christmas --json: market closed" "$OUT" '{"session": "2024-12-25", "market_open": false}'
same "holidays change nothing" "$(db_hash)" "$h"
# A clock behind the store: not due, not an error.
due 2024-11-29T10:00
same "clock behind the store: exit 0" "$RC" 0
contains "clock behind the store: says so" "$ERR" "has run up to 2024-12-03"
same "clock behind the store: nothing stored" "$(db_hash)" "$h"

# Across the DST change of 2025-03-09 in a fresh home: Friday and Monday
# each run once, at 09:35 New York (14:35 and 13:35 UTC).
export PAPERTRADE_HOME="$T_TMP/dst"
due 2025-03-07T09:35 -q
same "Friday before spring forward runs at 09:35" "$(runs)" 2025-03-07
due 2025-03-09T09:40 -q
same "Sunday of the change: nothing" "$(runs)" 2025-03-07
due 2025-03-10T09:34 -q
same "Monday after the change: not at 09:34" "$(runs)" 2025-03-07
due 2025-03-10T09:35 -q
same "Monday after the change: at 09:35" "$(runs)" 2025-03-07,2025-03-10
due 2025-03-10T09:36 -q
same "Monday: once" "$(db 'select count(*) from runs')" 2
# Fall back, 2024-11-03, with run_at from the environment.
export PAPERTRADE_HOME="$T_TMP/fall"
PAPERTRADE_RUN_AT=10:00 due 2024-11-04T09:59 -q
same "run_at 10:00 from the environment: not at 09:59" "$(db_hash)" none
PAPERTRADE_RUN_AT=10:00 due 2024-11-04T10:00 -q
same "run_at 10:00 from the environment: at 10:00" "$(runs)" 2024-11-04
# An early close with run_at after it: still runs (closing prices).
due 2024-11-29T16:30 -q --set run_at=16:30
same "run_at 16:30 on the early close of 2024-11-29" "$(runs)" 2024-11-04,2024-11-29
due 2024-11-29T16:31 --set run_at=16:30
contains "and once" "$ERR" "already ran"

# Two due runs at once: one stores the session.
export PAPERTRADE_HOME="$T_TMP/race"
PAPERTRADE_NOW=2024-03-01T09:40 "$PT" run --if-due -q >/dev/null 2>&1 &
PAPERTRADE_NOW=2024-03-01T09:40 "$PT" run --if-due -q >/dev/null 2>&1 &
wait
same "two due runs at once store one" "$(db 'select count(*) from runs')" 1

# --if-due and usage.
expect_rc "--if-due with --date" 2 run --if-due --date 2024-12-02
expect_rc "--if-due with --from" 2 run --if-due --from 2024-12-02
PAPERTRADE_NOW=1999-12-31T10:00 expect_rc "--if-due outside the calendar" 2 run --if-due

# A failed due run (the source unreachable) exits 1, so systemd marks the
# unit failed, and is logged in runs.log with its reason; a later success
# is logged too.
export PAPERTRADE_HOME="$T_TMP/ifdue-fail"
PAPERTRADE_PROVIDER=yahoo PAPERTRADE_YAHOO_URL=http://127.0.0.1:1 PAPERTRADE_YAHOO_COOKIE_URL=http://127.0.0.1:1 \
	PAPERTRADE_HTTP_RETRIES=0 due 2024-12-31T09:40
same "failed --if-due: exit 1" "$RC" 1
contains "failed --if-due: says why" "$ERR" "connection refused"
check "failed --if-due: logged with its reason" /usr/bin/python3 -c '
import json,sys
e=json.loads(open(sys.argv[1]).read().splitlines()[-1])
assert e["ok"] is False and e["trigger"] == "if-due" and e["session"] == "2024-12-31" and "connection refused" in e["message"], e' "$PAPERTRADE_HOME/runs.log"
due 2024-12-31T09:45
same "the retry on the sim: exit 0" "$RC" 0
check "the retry is logged as a success" /usr/bin/python3 -c '
import json,sys
e=json.loads(open(sys.argv[1]).read().splitlines()[-1])
assert e["ok"] is True and e["session"] == "2024-12-31", e' "$PAPERTRADE_HOME/runs.log"
due 2024-12-31T09:50
same "nothing to do is not logged" "$(wc -l <"$PAPERTRADE_HOME/runs.log")" 2

# schedule --systemd (a home that does not exist yet: schedule creates nothing)
export PAPERTRADE_HOME="$T_TMP/sched"
expect_rc "schedule --systemd" 0 schedule --systemd
contains "timer in New York time" "$OUT" "OnCalendar=Mon..Fri *-*-* 09:35:00 America/New_York"
contains "timer persistent" "$OUT" "Persistent=true"
contains "oneshot service" "$OUT" "Type=oneshot"
contains "service runs --if-due with this binary and home" "$OUT" \
	"ExecStart=$(readlink -f "$PT") --home $PAPERTRADE_HOME run --if-due"
contains "says where the units go" "$OUT" "~/.config/systemd/user/papertrade.timer"
contains "says how to enable" "$OUT" "systemctl --user enable --now papertrade.timer"
contains "timer installs" "$OUT" "WantedBy=timers.target"
PAPERTRADE_RUN_AT=16:05 expect_rc "schedule --systemd with run_at from the environment" 0 schedule --systemd
contains "run_at 16:05 in the timer" "$OUT" "*-*-* 16:05:00 America/New_York"
contains "and in the service's environment" "$OUT" "Environment=PAPERTRADE_RUN_AT=16:05"
mkdir -p "$T_TMP/h2"
printf '[schedule]\nrun_at = 10:15\n' >"$T_TMP/h2/papertrade.ini"
expect_rc "schedule --systemd --home with its own run_at" 0 schedule --systemd --home "$T_TMP/h2" --bin /opt/pt/bin/papertrade
contains "run_at of that home's config" "$OUT" "*-*-* 10:15:00 America/New_York"
contains "--bin and --home in ExecStart" "$OUT" "ExecStart=/opt/pt/bin/papertrade --home $T_TMP/h2 run --if-due"
check "no Environment line without the variable" bash -c '! grep -q "^Environment=" <<<"$1"' _ "$OUT"
(cd "$T_TMP" && "$PT" schedule --systemd --home rel/home >"$T_TMP/out" 2>&1)
contains "a relative --home made absolute" "$(cat "$T_TMP/out")" "--home $T_TMP/rel/home run"
expect_rc "a home with a space is quoted" 0 schedule --systemd --home "/srv/pt home" --bin /usr/bin/papertrade
contains "quoted for systemd" "$OUT" 'ExecStart=/usr/bin/papertrade --home "/srv/pt home" run --if-due'

contains "failed runs retried" "$OUT" "Restart=on-failure"
# The units as systemd reads them, split where the output says.
if command -v systemd-analyze >/dev/null; then
	mkdir -p "$T_TMP/units"
	run_pt schedule --systemd --home "/srv/a b%c"
	printf '%s\n' "$OUT" | awk -v d="$T_TMP/units" '/^# ---- papertrade\.(service|timer) ----$/{f=d "/" $3; next} f{print > f}'
	check "systemd-analyze verify: the units are clean" bash -c \
		'out=$(systemd-analyze verify "$1/papertrade.service" "$1/papertrade.timer" 2>&1) && [ -z "$out" ]' _ "$T_TMP/units"
	run_pt schedule --systemd
	spec=$(printf '%s\n' "$OUT" | sed -n 's/^OnCalendar=//p')
	check "systemd reads OnCalendar" bash -c 'systemd-analyze calendar "$1" >/dev/null 2>&1' _ "$spec"
fi

# schedule --cron
expect_rc "schedule --cron" 0 schedule --cron
line=$(printf '%s\n' "$OUT" | grep -v '^#')
same "one crontab line" "$(printf '%s\n' "$line" | grep -c .)" 1
same "five time fields, every 5 minutes, every day" "$(printf '%s\n' "$line" | cut -d' ' -f1-5)" "*/5 * * * *"
contains "cron runs --if-due --quiet" "$line" " run --if-due --quiet"
contains "cron uses this binary and home" "$line" "$(readlink -f "$PT") --home $PAPERTRADE_HOME run"
contains "cron comment explains the zone" "$OUT" "CRON_TZ"
contains "cron comment names run_at" "$OUT" "09:35 New York"
expect_rc "a home with a quote and a percent, for cron" 0 schedule --cron --home "/srv/it's 100%" --bin /usr/bin/papertrade
contains "shell-quoted, percent escaped" "$OUT" "--home '/srv/it'\\''s 100\\%' run"
# The line as cron runs it: '%' unescaped, then /bin/sh with the command.
printf '#!/bin/sh\nfor a; do printf "[%%s]" "$a"; done\n' >"$T_TMP/args"
chmod +x "$T_TMP/args"
run_pt schedule --cron --bin "$T_TMP/args" --home "/srv/it's 100% \"x\" \$HOME"
cmd=$(printf '%s\n' "$OUT" | grep -v '^#' | cut -d' ' -f6- | sed 's/\\%/%/g')
same "cron's shell gets the words back" "$(sh -c "$cmd")" "[--home][/srv/it's 100% \"x\" \$HOME][run][--if-due][--quiet]"
expect_rc "cron: a path with a backslash is refused" 2 schedule --cron --home '/srv/a\%b'
expect_rc "systemd: a path with a dollar" 0 schedule --systemd --home '/srv/${X}'
contains "systemd: the dollar is doubled, not expanded" "$OUT" '/srv/$${X}'
PAPERTRADE_RUN_AT=08:00 expect_rc "cron with run_at from the environment" 0 schedule --cron
contains "the environment carried into the line" "$OUT" "PAPERTRADE_RUN_AT=08:00 "

# schedule usage
expect_rc "schedule --help" 0 schedule --help
contains "--help is a usage" "$OUT" "usage: papertrade schedule"
expect_rc "schedule without --systemd or --cron" 2 schedule
expect_rc "schedule with both" 2 schedule --systemd --cron
expect_rc "schedule unknown flag" 2 schedule --systemd --bogus
expect_rc "schedule --bin without a value" 2 schedule --cron --bin
expect_rc "schedule stray argument" 2 schedule --cron now
expect_rc "schedule --bin that does not exist" 2 schedule --cron --bin ./no/such/papertrade
expect_rc "schedule --home with a newline" 2 schedule --cron --home $'/a\nb'
echo "bogus_key = 1" >>"$T_TMP/h2/papertrade.ini"
expect_rc "schedule with a bad config" 2 schedule --cron --home "$T_TMP/h2"
check "schedule creates no home" test ! -e "$T_TMP/sched"
check "schedule creates no database" test ! -e "$T_TMP/h2/papertrade.db"
done_testing
