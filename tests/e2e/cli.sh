# tests/e2e/cli.sh - catch-up feedback and command-line polish (issue 10,
# point 7): a summary of a catch-up instead of a line per session, reruns
# in one line, --from before the portfolio's start said, Ctrl-C stopping
# cleanly with how to resume, progress on a terminal, run --date today
# before run_at refused, help CMD, -V, --home after the command, quote of a
# bad symbol, the sim's synthetic tickers said, --provider errors, the
# generated ini and an empty NO_COLOR.
# shellcheck shell=bash
source "$PT_ROOT/tests/e2e/lib.sh"

lines() { printf '%s\n' "$1" | grep -c .; }
runs() { sqlite3 "$PAPERTRADE_HOME/papertrade.db" "$1"; }

# Catch-up: one summary line, no line per session.
expect_rc "a catch-up" 0 run --from 2024-09-03 --to 2024-10-04
contains "ends with a summary" "$ERR" "ran 24 sessions (2024-09-03..2024-10-04)"
same "and says nothing per session" "$(printf '%s\n' "$ERR" | grep -c ' ran: ')" "0"
contains "the report of the last session on stdout" "$OUT" "DAILY PORTFOLIO REPORT"
expect_rc "the same catch-up again" 0 run --from 2024-09-03 --to 2024-10-04
same "a rerun is one line" "$ERR" "papertrade: 24 sessions already ran (2024-09-03..2024-10-04); nothing to do"
expect_rc "a --from before the portfolio's start" 0 run --from 2024-08-01 --to 2024-10-10
contains "says so" "$ERR" "--from 2024-08-01 is before the portfolio's start (2024-09-03): 22 sessions before it skipped"
contains "summarises what already ran" "$ERR" "24 sessions already ran (2024-09-03..2024-10-04)"
contains "and what ran" "$ERR" "ran 4 sessions (2024-10-07..2024-10-10)"
expect_rc "-q says nothing" 0 run -q --from 2024-08-01 --to 2024-10-10
same "on stderr" "$ERR" ""

# Progress on a terminal only.
if command -v script >/dev/null; then
	TERM=xterm script -qec "'$PT' run --from 2024-10-11 --to 2024-12-31 >/dev/null" /dev/null >"$T_TMP/tty.txt" 2>&1
	check "a terminal gets a progress line" grep -q "of 56 sessions, .*/s, about .* left" "$T_TMP/tty.txt"
	check "and the summary" grep -q "ran 56 sessions (2024-10-11..2024-12-31)" "$T_TMP/tty.txt"
fi

# Ctrl-C in a long catch-up: the session under way is kept whole, the run
# says where it stopped and how to resume, exit 130.
export PAPERTRADE_HOME="$T_TMP/sigint"
# Twenty years take about 4 s here; the interrupt comes after one.
timeout --foreground --preserve-status -s INT 1 "$PT" run --from 2005-01-03 --to 2024-12-31 >/dev/null 2>"$T_TMP/int.err"
same "Ctrl-C exits 130" "$?" "130"
last=$(runs "select max(session) from runs")
next=$("$PT" calendar --from "$last" --to 2024-12-31 --csv | sed -n 3p | cut -d, -f1)
contains "says where it stopped and how to resume" "$(cat "$T_TMP/int.err")" "stopped after $last; resume with papertrade run --from $next --to 2024-12-31"
same "every session up to there is stored" "$(runs "select count(*) from runs")" "$("$PT" calendar --from 2005-01-03 --to "$last" --csv | tail -n +2 | grep -c .)"
check "the identities hold" /usr/bin/python3 "$PT_ROOT/tests/e2e/identities.py" < <("$PT" report --json)

# run --date today before run_at: refused, naming run_at and the time.
export PAPERTRADE_HOME="$T_TMP/early"
PAPERTRADE_NOW=2024-11-22T08:10 expect_rc "run --date today before run_at is refused" 2 run --date 2024-11-22
contains "naming run_at and the time in New York" "$ERR" "today's session runs at 09:35 New York and it is 08:10 there"
check "nothing created" test ! -e "$PAPERTRADE_HOME/papertrade.db"
PAPERTRADE_NOW=2024-11-22T09:40 expect_rc "after run_at it runs" 0 run --date 2024-11-22

# help CMD, -V, --version.
expect_rc "help run" 0 help run
same "is run --help" "$OUT" "$("$PT" run --help)"
expect_rc "help" 0 help
contains "lists the commands" "$OUT" "commands:"
expect_rc "help of an unknown command" 2 help nope
expect_rc "-V" 0 -V
same "prints the version" "$OUT" "$("$PT" --version)"
contains "papertrade and a number" "$OUT" "papertrade 0."

# --home before or after the command, for every command that uses a home.
export PAPERTRADE_HOME="$T_TMP/unused"
H=$T_TMP/after
expect_rc "init --home" 0 init --home "$H"
check "made the home given after the command" test -f "$H/papertrade.ini"
PAPERTRADE_NOW=2024-11-22T10:00 expect_rc "run --date D --home DIR" 0 run --date 2024-11-22 --home "$H"
for args in "report" "report --json" "positions" "trades" "export" "dashboard --out -" "tape list"; do
	# shellcheck disable=SC2086
	expect_rc "$args --home DIR" 0 $args --home "$H"
	# shellcheck disable=SC2086
	same "$args --home DIR = --home DIR $args" "$OUT" "$("$PT" --home "$H" $args)"
done
expect_rc "--home=DIR after the command" 0 report --home="$H"
PAPERTRADE_NOW=2024-11-22T10:00 expect_rc "scan --home DIR" 0 scan --home "$H"
expect_rc "schedule --home DIR" 0 schedule --cron --home "$H"
contains "names that home" "$OUT" "--home $H run --if-due"
check "no home made for the unused one" test ! -e "$PAPERTRADE_HOME"
expect_rc "--home without a folder" 2 report --home
expect_rc "--home with an empty one" 2 report --home ""
export PAPERTRADE_HOME=$H

# quote: a bad symbol is a usage error; the sim says when it invents one.
PAPERTRADE_NOW=2024-11-22T10:00 expect_rc "quote 'S P Y'" 2 quote 'S P Y'
contains "names it" "$ERR" "not a ticker symbol: 'S P Y'"
PAPERTRADE_NOW=2024-11-22T10:00 expect_rc "quote FOO SPY" 0 quote FOO SPY
contains "FOO is said to be synthetic" "$ERR" "FOO: synthetic: the sim knows SPY, VOO, VTI and QQQ"
contains "in its row too" "$(printf '%s\n' "$OUT" | grep '^FOO')" "synthetic"
same "SPY is not" "$(printf '%s\n' "$OUT" | grep -c '^SPY.*synthetic')" "0"
PAPERTRADE_NOW=2024-11-22T10:00 expect_rc "chain 'S P Y'" 2 chain 'S P Y'
export PAPERTRADE_HOME="$T_TMP/foo"
PAPERTRADE_NOW=2024-11-22T10:00 expect_rc "a run with a ticker the sim invents" 0 run --set tickers=SPY,FOO
contains "says so" "$ERR" "FOO: synthetic"

# --provider errors name --provider and only providers this build has.
expect_rc "run --provider nasdaq" 2 run --provider nasdaq
contains "names --provider" "$ERR" "papertrade: --provider: unknown provider 'nasdaq' (want sim, yahoo, cboe, tape or history)"
expect_rc "quote --provider nasdaq" 2 quote --provider nasdaq SPY
contains "names --provider there too" "$ERR" "papertrade: --provider:"
expect_rc "--set provider=nasdaq" 2 run --set provider=nasdaq
contains "names --set" "$ERR" "papertrade: --set: provider: unknown provider"

# The generated ini: no backtest command; the history provider, not csv.
check "the ini does not mention backtest" bash -c "! grep -qi backtest '$H/papertrade.ini'"
check "nor offer csv" bash -c "! grep -qi 'csv' '$H/papertrade.ini'"
check "but offers history" grep -q 'tape or history' "$H/papertrade.ini"

# The scan says how it chose, consistently with the ranking.
PAPERTRADE_NOW=2024-04-08T10:00 expect_rc "scan" 0 --home "$T_TMP/scan" scan
contains "the chosen contract is the one closest to the aim" "$OUT" "closest to 10% out of the money among"
check "no 'largest edge' left" bash -c "! printf '%s' \"\$1\" | grep -qi 'largest.*edge'" _ "$OUT"

# NO_COLOR: set and empty is as if unset (no-color.org).
if command -v script >/dev/null; then
	export PAPERTRADE_HOME=$H
	NO_COLOR= TERM=xterm script -qec "'$PT' report" /dev/null >"$T_TMP/c1.txt" 2>&1
	check "an empty NO_COLOR leaves colour on" grep -q $'\e\\[' "$T_TMP/c1.txt"
	NO_COLOR=1 TERM=xterm script -qec "'$PT' report" /dev/null >"$T_TMP/c2.txt" 2>&1
	check "NO_COLOR=1 turns it off" bash -c "! grep -q $'\e\\\\[' '$T_TMP/c2.txt'"
fi

done_testing
