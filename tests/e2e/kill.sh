# tests/e2e/kill.sh - crash safety (issue 13, Deliver 1): SIGKILL at random
# moments of catch-up runs, first runs included, then each time: the
# database passes integrity_check, the ledger identities hold, the sessions
# stored are a prefix of the calendar with none twice, and no temporary
# database is left once the next command has opened the home; at the end
# a rerun completes every session exactly once, and its reports are those
# of an undisturbed run. KILLS (default 30) sets how many; the long mode
# (KILLS=200 or more) is for bench-like runs by hand.
#
# Where each kill landed is classified from what it left: before the
# portfolio existed (no database), before the run's first session was
# stored, or after at least one (and the next session's transaction then
# rolled back, or its COMMIT completed). A kill inside a transaction or
# during COMMIT is among the last kind: SQLite's WAL either has the commit
# frame or not, and the rerun says which.
# shellcheck shell=bash
source "$PT_ROOT/tests/e2e/lib.sh"

kills=${KILLS:-30}
from=2024-09-03 to=2024-12-31
all=$("$PT" calendar --from $from --to $to --csv | tail -n +2 | cut -d, -f1)
n_all=$(printf '%s\n' "$all" | grep -c .)
seed=${KILL_SEED:-12}
RANDOM=$seed
export PAPERTRADE_HOME="$T_TMP/killed"
before_db=0 before_first=0 after=0 bad=0
for i in $(seq "$kills"); do
	# one in five from scratch: a first run killed
	[ $((i % 5)) -eq 1 ] && rm -rf "$PAPERTRADE_HOME"
	had=$( [ -f "$PAPERTRADE_HOME/papertrade.db" ] &&
		sqlite3 "$PAPERTRADE_HOME/papertrade.db" 'select count(*) from runs' || echo -1)
	"$PT" run -q --from $from --to $to >/dev/null 2>&1 &
	pid=$!
	# first runs within their first 40 ms (making the database), others
	# anywhere in the first 400 ms (a catch-up of 84 sessions)
	if [ $((i % 5)) -eq 1 ]; then ms=$((RANDOM % 40)); else ms=$((RANDOM % 400)); fi
	sleep "0.$(printf '%03d' $ms)"
	kill -9 "$pid" 2>/dev/null
	wait "$pid" 2>/dev/null
	if [ ! -f "$PAPERTRADE_HOME/papertrade.db" ]; then
		before_db=$((before_db + 1))
		continue
	fi
	now=$(sqlite3 "$PAPERTRADE_HOME/papertrade.db" 'select count(*) from runs')
	if [ "$now" -gt "$((had < 0 ? 0 : had))" ]; then after=$((after + 1)); else before_first=$((before_first + 1)); fi
	ic=$(sqlite3 "$PAPERTRADE_HOME/papertrade.db" 'pragma integrity_check')
	stored=$(sqlite3 "$PAPERTRADE_HOME/papertrade.db" 'select session from runs order by session')
	dup=$(sqlite3 "$PAPERTRADE_HOME/papertrade.db" 'select count(*) - count(distinct session) from runs')
	prefix=$(printf '%s\n' "$all" | head -n "$now")
	idn=ok
	if [ "$now" -gt 0 ]; then
		"$PT" report --json 2>/dev/null | /usr/bin/python3 "$PT_ROOT/tests/e2e/identities.py" >/dev/null 2>&1 || idn=bad
	fi
	"$PT" positions >/dev/null 2>&1
	stray=$(find "$PAPERTRADE_HOME" -name 'papertrade.db.new-*' | grep -c .)
	if [ "$ic" != ok ] || [ "$dup" != 0 ] || [ "$stored" != "$prefix" ] || [ $idn != ok ] || [ "$stray" != 0 ]; then
		bad=$((bad + 1))
		not_ok "kill $i: integrity '$ic', duplicates $dup, identities $idn, stray $stray $(find "$PAPERTRADE_HOME" -name 'papertrade.db.new-*' -printf '%f '), sessions a prefix: $([ "$stored" = "$prefix" ] && echo yes || echo no)"
	fi
done
same "$kills kills: every database sound, every ledger whole, no session twice, nothing stray" "$bad" "0"
echo "# kills by where they landed: before the database existed $before_db, before the run's first session was stored $before_first, after one or more sessions were stored $after"
check "the kills landed in more than one place" test "$((before_db > 0 || before_first > 0))" -eq 1 -a "$after" -gt 0
expect_rc "the rerun completes" 0 run -q --from $from --to $to
same "every session stored exactly once" \
	"$(sqlite3 "$PAPERTRADE_HOME/papertrade.db" 'select count(*) || " " || count(distinct session) from runs')" "$n_all $n_all"
check "the identities hold" bash -c "'$PT' report --json | /usr/bin/python3 '$PT_ROOT/tests/e2e/identities.py'"
export PAPERTRADE_HOME="$T_TMP/calm"
"$PT" run -q --from $from --to $to >/dev/null 2>&1
same "the reports are an undisturbed run's" \
	"$(sqlite3 "$T_TMP/killed/papertrade.db" 'select hex(json_z) from runs order by session' | md5sum)" \
	"$(sqlite3 "$T_TMP/calm/papertrade.db" 'select hex(json_z) from runs order by session' | md5sum)"
done_testing
