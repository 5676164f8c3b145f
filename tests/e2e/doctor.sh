#!/usr/bin/env bash
# tests/e2e/doctor.sh - `papertrade doctor` (issue 10): one line a check,
# ok / warn / FAIL; exit 0 with warnings, 1 on a failure, 2 on bad flags; a
# home damaged in each way it checks (a page overwritten, an index out of
# step with its table, a ledger that does not add up, a row pointing
# nowhere, a report that does not decompress, a tape whose checksum is
# wrong) is named as such and left exactly as it was.
# shellcheck source=tests/e2e/lib.sh
source "$PT_ROOT/tests/e2e/lib.sh"

line() { printf '%s\n' "$OUT" | grep -E "^(ok|warn|FAIL) +$1 " | head -1; }
status() { line "$1" | awk '{print $1}'; }
fp() { sha256sum "$PAPERTRADE_HOME/papertrade.db" "$PAPERTRADE_HOME/runs.log" 2>/dev/null | cut -d' ' -f1 | tr '\n' ' '; }

# Flags.
expect_rc "an unknown flag: exit 2" 2 doctor --fix
expect_rc "an argument: exit 2" 2 doctor now
expect_rc "--help: exit 0" 0 doctor --help
contains "--help lists the checks" "$OUT" "integrity_check"
expect_rc "papertrade help doctor" 0 help doctor

# No home yet: one failure, the hint, and nothing made.
run_pt doctor
same "no home: exit 1" "$RC" 1
contains "no home: says so and how to make it" "$(line home)" "no such folder; 'papertrade init'"
check "no home: none was made" test ! -e "$PAPERTRADE_HOME"
same "no home: the summary" "$(printf '%s\n' "$OUT" | tail -1)" "1 failed, 0 warnings"

# A healthy home: every check ok, nothing changed.
export PAPERTRADE_NOW=2024-12-31T10:00
expect_rc "a month of runs" 0 run --from 2024-12-02
chmod 700 "$PAPERTRADE_HOME"
before=$(fp)
run_pt doctor
same "healthy: exit 0" "$RC" 0
for c in home config database ledger reports tapes runs.log schedule notify; do
	same "healthy: $c ok" "$(status "$c")" ok
done
same "healthy: nine checks and the summary" "$(printf '%s\n' "$OUT" | grep -c .)" 10
same "healthy: the summary" "$(printf '%s\n' "$OUT" | tail -1)" "0 failed, 0 warnings"
contains "database: schema and integrity" "$(line database)" "integrity and foreign keys ok"
contains "ledger: sessions, last, positions" "$(line ledger)" "21 sessions, the last 2024-12-31;"
contains "reports: all read back" "$(line reports)" "21 stored reports read back"
contains "runs.log: the last attempt" "$(line runs.log)" "(manual, 2024-12-31 10:00 New York) ran 2024-12-31"
contains "schedule: the next run" "$(line schedule)" "next run is 2025-01-02 09:35 New York"
same "doctor changed nothing" "$(fp)" "$before"
check "doctor writes nothing to stderr" test -z "$ERR"

run_pt doctor --json
same "--json: exit 0" "$RC" 0
same "--json: ok, counts and checks" "$(printf '%s' "$OUT" | /usr/bin/python3 -c '
import json,sys
o=json.load(sys.stdin)
print(o["ok"], o["failures"], o["warnings"], " ".join(c["check"]+":"+c["status"] for c in o["checks"]))')" \
	"True 0 0 home:ok config:ok database:ok ledger:ok reports:ok tapes:ok runs.log:ok schedule:ok notify:ok"

# The home's mode: others or the group able to write is worth a warning.
chmod 755 "$PAPERTRADE_HOME"
run_pt doctor
same "home 0755: ok" "$(status home)" ok
chmod 775 "$PAPERTRADE_HOME"
run_pt doctor
same "home 0775: warn" "$(status home)" warn
same "a warning alone: exit 0" "$RC" 0
contains "home 0775: how to fix it" "$(line home)" "mode 775; chmod go-w"
same "a warning: the summary" "$(printf '%s\n' "$OUT" | tail -1)" "0 failed, 1 warning"
chmod 700 "$PAPERTRADE_HOME"

# The schedule: due at 09:35 on the next session, not a minute before.
PAPERTRADE_NOW=2025-01-02T09:34 run_pt doctor
same "09:34 on the next session: nothing due" "$(status schedule)" ok
PAPERTRADE_NOW=2025-01-02T09:35 run_pt doctor
same "09:35 on the next session, not run: warn" "$(status schedule)" warn
contains "due: says how to run it" "$(line schedule)" "2025-01-02 was due at 09:35 New York and has not run ('papertrade run --if-due'"
same "due and not run: exit 0" "$RC" 0

# The last run attempt failed: a warning naming it.
cp "$PAPERTRADE_HOME/runs.log" "$T_TMP/runs.log"
printf '%s\n' '{"at": 1735828500, "at_ny": "2025-01-02T09:35", "session": "2025-01-02", "trigger": "scheduled", "ok": false, "message": "yahoo: host not found: query2.finance.yahoo.com"}' >>"$PAPERTRADE_HOME/runs.log"
run_pt doctor
same "a failed attempt: warn" "$(status runs.log)" warn
contains "a failed attempt: when and why" "$(line runs.log)" "(scheduled, 2025-01-02 09:35 New York) failed: yahoo: host not found"
same "a failed attempt: exit 0" "$RC" 0
cp "$T_TMP/runs.log" "$PAPERTRADE_HOME/runs.log"

# A config error fails, named as config_load names it.
cp "$PAPERTRADE_HOME/papertrade.ini" "$T_TMP/ini"
printf '[strategy]\niv_edge = lots\n' >>"$PAPERTRADE_HOME/papertrade.ini"
run_pt doctor
same "a bad config: exit 1" "$RC" 1
same "a bad config: FAIL" "$(status config)" FAIL
contains "a bad config: the key" "$(line config)" "iv_edge"
cp "$T_TMP/ini" "$PAPERTRADE_HOME/papertrade.ini"

# Notifications: what is configured, the password found and safe, never printed.
SECRET="pw-$$-secret"
printf '%s\n' "$SECRET" >"$T_TMP/pw"
chmod 600 "$T_TMP/pw"
export PAPERTRADE_SMTP_URL=smtps://127.0.0.1:1 PAPERTRADE_SMTP_FROM=a@example.test PAPERTRADE_SMTP_TO=b@example.test
PAPERTRADE_SMTP_USERNAME=me run_pt doctor
same "a login with no password: FAIL" "$(status notify)" FAIL
contains "a login with no password: says where it is looked for" "$(line notify)" "smtp_password_file or PAPERTRADE_SMTP_PASSWORD"
same "a login with no password: exit 1" "$RC" 1
PAPERTRADE_SMTP_USERNAME=me PAPERTRADE_SMTP_PASSWORD_FILE="$T_TMP/pw" PAPERTRADE_NOTIFY_ON=failures run_pt doctor
same "a 0600 password file: ok" "$(status notify)" ok
contains "a 0600 password file: what goes where" "$(line notify)" "failures only, email to b@example.test through smtps://127.0.0.1:1, password from its file"
chmod 604 "$T_TMP/pw"
PAPERTRADE_SMTP_USERNAME=me PAPERTRADE_SMTP_PASSWORD_FILE="$T_TMP/pw" PAPERTRADE_NOTIFY_ON=failures run_pt doctor
same "a password file others can read (0604): FAIL" "$(status notify)" FAIL
contains "a password file others can read: chmod 600" "$(line notify)" "readable by others (chmod 600 it)"
check "the password is in no output" bash -c "! grep -q '$SECRET' '$T_TMP/out' '$T_TMP/err'"
chmod 600 "$T_TMP/pw"
PAPERTRADE_SMTP_USERNAME=me PAPERTRADE_SMTP_PASSWORD=$SECRET PAPERTRADE_NOTIFY_ON=always run_pt doctor --json
contains "password from the environment: said, not shown" "$OUT" "password from the environment"
check "the password is not in the JSON" bash -c "! grep -q '$SECRET' '$T_TMP/out' '$T_TMP/err'"
unset PAPERTRADE_SMTP_URL PAPERTRADE_SMTP_FROM PAPERTRADE_SMTP_TO

PAPERTRADE_NOTIFY_COMMAND="cat >'$T_TMP/note.json'" run_pt doctor
same "notify_command with notify_on = never: warn" "$(status notify)" warn
contains "notify_on = never: says nothing is sent" "$(line notify)" "notify_on = never, so nothing is sent: notify_command 'cat'"
PAPERTRADE_NOTIFY_COMMAND="cat >'$T_TMP/note.json'" run_pt doctor --test-notify
same "--test-notify: exit 0" "$RC" 0
same "--test-notify: ok" "$(status test)" ok
same "--test-notify: the command got the JSON" "$(/usr/bin/python3 -c 'import json,sys; o=json.load(open(sys.argv[1])); print(o["test"], o["ok"])' "$T_TMP/note.json")" "True True"
PAPERTRADE_NOTIFY_COMMAND="exit 3" run_pt doctor --test-notify
same "--test-notify, the command fails: FAIL, exit 1" "$(status test) $RC" "FAIL 1"
run_pt doctor --test-notify
same "--test-notify with no channel: FAIL" "$(status test)" FAIL
contains "--test-notify with no channel: says what to set" "$(line test)" "set smtp_url or notify_command"

# Tapes: an imported tape verifies; a response whose checksum is off fails.
/usr/bin/python3 - "$T_TMP/tape.json.gz" <<'EOF'
import gzip, json, sys
t = {"papertrade_tape": 1, "session": "2025-01-03", "asof": 1735915500, "sources": "yahoo",
     "responses": [{"url": "https://query2.finance.yahoo.com/v7/finance/quote?symbols=SPY",
                    "status": 200, "fetched_at": 1735915500, "content_type": "application/json",
                    "body": "{\"quoteResponse\": {\"result\": []}}"}]}
with gzip.open(sys.argv[1], "wt") as f:
    json.dump(t, f)
EOF
expect_rc "tape import" 0 tape import "$T_TMP/tape.json.gz"
run_pt doctor
contains "one tape verified" "$(line tapes)" "1 tape verified"
sqlite3 "$PAPERTRADE_HOME/papertrade.db" "UPDATE tape_responses SET crc32 = crc32 + 1"
before=$(fp)
run_pt doctor
same "a bad tape: FAIL, exit 1" "$(status tapes) $RC" "FAIL 1"
contains "a bad tape: names the session" "$(line tapes)" "1 of 1 tapes fail verification ('papertrade tape verify' lists them); the first, 2025-01-03:"
same "a bad tape: the file is as it was" "$(fp)" "$before"
sqlite3 "$PAPERTRADE_HOME/papertrade.db" "DELETE FROM tape_responses; DELETE FROM tapes"

good="$T_TMP/good"
cp -r "$PAPERTRADE_HOME" "$good"
restore() { rm -rf "$PAPERTRADE_HOME" && cp -r "$good" "$PAPERTRADE_HOME"; }

# A report whose compressed body is damaged.
sqlite3 "$PAPERTRADE_HOME/papertrade.db" "UPDATE runs SET json_z = X'789c0000' WHERE session = '2024-12-16'"
run_pt doctor
same "a damaged report: FAIL" "$(status reports)" FAIL
contains "a damaged report: names its session" "$(line reports)" "1 of 21 stored reports do not read back, the first of 2024-12-16"
same "a damaged report: the rest is ok" "$(status ledger) $(status database)" "ok ok"
restore

# A ledger row a cent off: the identities fail, by how much.
sqlite3 "$PAPERTRADE_HOME/papertrade.db" "UPDATE ledger SET cents = cents + 1 WHERE id = (SELECT max(id) FROM ledger)"
run_pt doctor
same "a ledger a cent off: FAIL, exit 1" "$(status ledger) $RC" "FAIL 1"
contains "a ledger a cent off: by how much" "$(line ledger)" "the books do not add up: cash"
contains "a ledger a cent off: one cent" "$(line ledger)" "(off by -1 cents)"
restore

# A ledger row pointing at a position that does not exist.
sqlite3 "$PAPERTRADE_HOME/papertrade.db" "UPDATE ledger SET position_id = 99999 WHERE id = (SELECT max(id) FROM ledger WHERE position_id IS NOT NULL)"
run_pt doctor
same "a dangling row: FAIL" "$(status database)" FAIL
contains "a dangling row: foreign_key_check" "$(line database)" "1 row points at rows that do not exist (PRAGMA foreign_key_check)"
restore

# An index out of step with its table: quick_check (serve's, at start)
# does not see it; integrity_check (doctor's) does.
sqlite3 "$PAPERTRADE_HOME/papertrade.db" "PRAGMA writable_schema = ON; UPDATE sqlite_master SET sql = 'CREATE INDEX ledger_position ON ledger(session)' WHERE name = 'ledger_position'"
same "the damaged index passes quick_check" "$(sqlite3 "$PAPERTRADE_HOME/papertrade.db" 'PRAGMA quick_check')" ok
before=$(fp)
run_pt doctor
same "a damaged index: FAIL, exit 1" "$(status database) $RC" "FAIL 1"
contains "a damaged index: names it" "$(line database)" "database is corrupt (row 1 missing from index ledger_position)"
same "a damaged index: the file is as it was" "$(fp)" "$before"
restore

# Pages overwritten with noise: corrupt, said in one line, left as it was.
pages=$(sqlite3 "$PAPERTRADE_HOME/papertrade.db" 'PRAGMA page_count')
root=$(sqlite3 "$PAPERTRADE_HOME/papertrade.db" "SELECT rootpage FROM sqlite_master WHERE name = 'runs'")
dd if=/dev/urandom of="$PAPERTRADE_HOME/papertrade.db" bs=4096 seek=$((root - 1)) count=1 conv=notrunc 2>/dev/null
before=$(fp)
run_pt doctor
same "an overwritten page: FAIL, exit 1" "$(status database) $RC" "FAIL 1"
contains "an overwritten page: corrupt" "$(line database)" "database is corrupt"
same "an overwritten page: the file is as it was" "$(fp)" "$before"
same "an overwritten page: one line a check" "$(printf '%s\n' "$OUT" | grep -cvE '^(ok|warn|FAIL) |^[0-9]+ failed, ')" 0
echo "# $pages pages, the runs table's root ($root) overwritten"
restore

# The database gone: FAIL with the hint, and the rest still checked.
rm "$PAPERTRADE_HOME/papertrade.db"
run_pt doctor
same "no database: FAIL, exit 1" "$(status database) $RC" "FAIL 1"
contains "no database: the hint" "$(line database)" "'papertrade init' makes it"
same "no database: config and runs.log still checked" "$(status config) $(status runs.log)" "ok ok"
check "no database: none made" test ! -e "$PAPERTRADE_HOME/papertrade.db"

done_testing
