#!/usr/bin/env bash
# tests/e2e/notify.sh - notifications (issue 10, the brief's "Add Email
# Notifications"): email through a local SMTP sink on 127.0.0.1 with a
# random port (tests/smtp_sink.py), plain and STARTTLS with a certificate
# made here, login with the password from the environment or a 0600 file;
# notify_command given the report JSON on stdin; a failure to notify is said
# and never fails the run; the password is never printed.
# shellcheck source=tests/e2e/lib.sh
source "$PT_ROOT/tests/e2e/lib.sh"
SINKS=()
trap 'kill "${SINKS[@]}" 2>/dev/null; rm -rf "$T_TMP"' EXIT
SECRET="s3cr3t-$$-pw"

start_sink() { # NAME [ARGS...]: a sink writing $T_TMP/NAME.mail; sets SINK_PORT
	local name=$1
	shift
	rm -f "$T_TMP/$name.port"
	/usr/bin/python3 "$PT_ROOT/tests/smtp_sink.py" --port-file "$T_TMP/$name.port" \
		--out "$T_TMP/$name.mail" "$@" >/dev/null 2>"$T_TMP/$name.sinkerr" &
	SINKS+=($!)
	for _ in $(seq 100); do [ -s "$T_TMP/$name.port" ] && break; sleep 0.05; done
	SINK_PORT=$(cat "$T_TMP/$name.port")
}
mail() { # NAME PYTHON-EXPR over m, the last message received
	/usr/bin/python3 -c "import json,sys; m=json.loads(open(sys.argv[1]).read().splitlines()[-1]); print($2)" \
		"$T_TMP/$1.mail"
}
due() { PAPERTRADE_NOW=$1 run_pt run --if-due; }

export PAPERTRADE_NOTIFY_ON=always PAPERTRADE_SMTP_FROM=papertrade@example.test
export PAPERTRADE_SMTP_TO="me@example.test, you@example.test"

# Plain SMTP to a local relay, with a login: the report arrives.
start_sink plain
export PAPERTRADE_HOME="$T_TMP/plain"
PAPERTRADE_SMTP_URL=smtp://127.0.0.1:$SINK_PORT PAPERTRADE_SMTP_STARTTLS=off \
	PAPERTRADE_SMTP_USERNAME=trader PAPERTRADE_SMTP_PASSWORD=$SECRET due 2024-12-31T09:40
same "a due run with email: exit 0" "$RC" 0
check "the mail arrived" test -s "$T_TMP/plain.mail"
same "envelope: from" "$(mail plain 'm["mail_from"]')" papertrade@example.test
same "envelope: both recipients" "$(mail plain '",".join(m["rcpt_to"])')" "me@example.test,you@example.test"
same "logged in with the password from the environment" "$(mail plain 'm["auth"]["user"] + " " + m["auth"]["password"]')" "trader $SECRET"
contains "subject: what the run did" "$(mail plain 'm["data"]')" "Subject: papertrade: 2024-12-31 ran:"
contains "body: the report" "$(mail plain 'm["data"]')" "DAILY PORTFOLIO REPORT"
check "the password is in no output" bash -c "! grep -rq '$SECRET' '$T_TMP/out' '$T_TMP/err' '$PAPERTRADE_HOME'"

# STARTTLS, required by default: with the server's certificate trusted
# through smtp_ca_file it is used; without, the mail is refused and the run
# still succeeds, saying so.
openssl req -x509 -newkey rsa:2048 -nodes -keyout "$T_TMP/key.pem" -out "$T_TMP/cert.pem" \
	-days 2 -subj "/CN=127.0.0.1" -addext "subjectAltName=IP:127.0.0.1" >/dev/null 2>&1
start_sink tls --cert "$T_TMP/cert.pem" --key "$T_TMP/key.pem"
export PAPERTRADE_HOME="$T_TMP/tls"
PAPERTRADE_SMTP_URL=smtp://127.0.0.1:$SINK_PORT PAPERTRADE_SMTP_CA_FILE=$T_TMP/cert.pem due 2024-12-31T09:40
same "STARTTLS: exit 0" "$RC" 0
same "STARTTLS: the mail went over TLS" "$(mail tls 'm["tls"]')" True
export PAPERTRADE_HOME="$T_TMP/tls-untrusted"
PAPERTRADE_SMTP_URL=smtp://127.0.0.1:$SINK_PORT due 2024-12-31T09:40
same "an untrusted certificate: the run still succeeds" "$RC" 0
contains "an untrusted certificate: the notification failure is said" "$ERR" "papertrade: notify: email to smtp://127.0.0.1"
same "an untrusted certificate: the run is stored" "$(sqlite3 "$PAPERTRADE_HOME/papertrade.db" 'select count(*) from runs')" 1

# STARTTLS required but not offered: nothing is sent in the clear.
start_sink notls --no-starttls
export PAPERTRADE_HOME="$T_TMP/notls"
PAPERTRADE_SMTP_URL=smtp://127.0.0.1:$SINK_PORT due 2024-12-31T09:40
same "no STARTTLS offered: the run succeeds" "$RC" 0
contains "no STARTTLS offered: the failure is said" "$ERR" "papertrade: notify: email"
check "no STARTTLS offered: nothing was sent" test ! -s "$T_TMP/notls.mail"

# The password from a file: refused when others can read it (never printed).
export PAPERTRADE_HOME="$T_TMP/pwfile"
printf '%s\n' "$SECRET" >"$T_TMP/pw"
chmod 644 "$T_TMP/pw"
PAPERTRADE_SMTP_URL=smtp://127.0.0.1:$(cat "$T_TMP/plain.port") PAPERTRADE_SMTP_STARTTLS=off \
	PAPERTRADE_SMTP_USERNAME=trader PAPERTRADE_SMTP_PASSWORD_FILE=$T_TMP/pw due 2024-12-31T09:40
same "a world-readable password file: the run succeeds" "$RC" 0
contains "a world-readable password file is refused" "$ERR" "readable by others (chmod 600 it)"
check "a refused password is printed nowhere" bash -c "! grep -q '$SECRET' '$T_TMP/err' '$T_TMP/out'"
chmod 600 "$T_TMP/pw"
export PAPERTRADE_HOME="$T_TMP/pwfile2"
PAPERTRADE_SMTP_URL=smtp://127.0.0.1:$(cat "$T_TMP/plain.port") PAPERTRADE_SMTP_STARTTLS=off \
	PAPERTRADE_SMTP_USERNAME=trader PAPERTRADE_SMTP_PASSWORD_FILE=$T_TMP/pw due 2024-12-31T09:40
same "a 0600 password file is used" "$(mail plain 'm["auth"]["password"]')" "$SECRET"

# notify_command: the report JSON on stdin; on a failure, {"ok": false, ...}.
export PAPERTRADE_HOME="$T_TMP/cmd"
PAPERTRADE_NOTIFY_COMMAND="cat >'$T_TMP/got.json'; echo \"\$PAPERTRADE_NOTIFY_OK\" >'$T_TMP/got.ok'" \
	due 2024-12-31T09:40
same "notify_command: exit 0" "$RC" 0
check "notify_command got the report JSON" /usr/bin/python3 -c '
import json,sys
r=json.load(open(sys.argv[1]))
assert r["session"] == "2024-12-31" and "portfolio_value" in r, r.keys()' "$T_TMP/got.json"
same "notify_command: PAPERTRADE_NOTIFY_OK=1" "$(cat "$T_TMP/got.ok")" 1
export PAPERTRADE_HOME="$T_TMP/cmd-fail"
PAPERTRADE_NOTIFY_COMMAND="cat >'$T_TMP/fail.json'" PAPERTRADE_PROVIDER=yahoo \
	PAPERTRADE_YAHOO_URL=http://127.0.0.1:1 PAPERTRADE_YAHOO_COOKIE_URL=http://127.0.0.1:1 \
	PAPERTRADE_HTTP_RETRIES=0 due 2024-12-31T09:40
same "a failed due run: exit 1" "$RC" 1
check "notify_command got the failure" /usr/bin/python3 -c '
import json,sys
r=json.load(open(sys.argv[1]))
assert r["ok"] is False and r["session"] == "2024-12-31" and r["trigger"] == "if-due" and "connection refused" in r["message"], r' "$T_TMP/fail.json"
export PAPERTRADE_HOME="$T_TMP/cmd-bad"
PAPERTRADE_NOTIFY_COMMAND="exit 3" due 2024-12-31T09:40
same "a failing notify_command does not fail the run" "$RC" 0
contains "a failing notify_command is said" "$ERR" "papertrade: notify: notify_command: exited with status 3"

# A manual run is an attempt too: logged in runs.log and notified, once per
# command (a catch-up sends the last session's report, not one a session);
# a run with nothing to do sends and logs nothing.
export PAPERTRADE_HOME="$T_TMP/manual"
cmd="cat >>'$T_TMP/manual.json'; echo >>'$T_TMP/manual.json'"
PAPERTRADE_NOW=2024-12-31T10:00 PAPERTRADE_NOTIFY_COMMAND=$cmd run_pt run -q --from 2024-12-02
same "a manual catch-up: exit 0" "$RC" 0
same "a manual catch-up: one notification" "$(grep -c '^{' "$T_TMP/manual.json")" 1
check "a manual catch-up: the last session's report" /usr/bin/python3 -c '
import json,sys
r=json.loads(open(sys.argv[1]).read())
assert r["session"] == "2024-12-31" and "portfolio_value" in r, r.keys()' "$T_TMP/manual.json"
check "a manual catch-up: one line in runs.log, manual and ok" /usr/bin/python3 -c '
import json,sys
ls=[json.loads(l) for l in open(sys.argv[1])]
assert len(ls) == 1 and ls[0]["trigger"] == "manual" and ls[0]["ok"] is True, ls
assert ls[0]["session"] == "2024-12-31" and ls[0]["message"].startswith("ran 21 sessions (2024-12-02..2024-12-31)"), ls' \
	"$PAPERTRADE_HOME/runs.log"
PAPERTRADE_NOW=2024-12-31T10:00 PAPERTRADE_NOTIFY_COMMAND=$cmd run_pt run -q --date 2024-12-31
same "a manual rerun: exit 0" "$RC" 0
same "a manual rerun: nothing more sent" "$(grep -c '^{' "$T_TMP/manual.json")" 1
same "a manual rerun: nothing more logged" "$(wc -l <"$PAPERTRADE_HOME/runs.log")" 1
export PAPERTRADE_HOME="$T_TMP/manual-fail"
PAPERTRADE_NOTIFY_COMMAND="cat >'$T_TMP/mfail.json'" PAPERTRADE_PROVIDER=yahoo \
	PAPERTRADE_YAHOO_URL=http://127.0.0.1:1 PAPERTRADE_YAHOO_COOKIE_URL=http://127.0.0.1:1 \
	PAPERTRADE_HTTP_RETRIES=0 PAPERTRADE_NOW=2024-12-31T10:00 run_pt run -q --date 2024-12-31
same "a failed manual run: exit 1" "$RC" 1
check "a failed manual run: notified, trigger manual" /usr/bin/python3 -c '
import json,sys
r=json.load(open(sys.argv[1]))
assert r["ok"] is False and r["trigger"] == "manual" and "connection refused" in r["message"], r' "$T_TMP/mfail.json"
check "a failed manual run: in runs.log, not ok" /usr/bin/python3 -c '
import json,sys
l=json.loads(open(sys.argv[1]).read().splitlines()[-1])
assert l["ok"] is False and l["trigger"] == "manual" and l["session"] == "2024-12-31", l' "$PAPERTRADE_HOME/runs.log"

# notify_on = failures: a run that succeeds sends nothing.
export PAPERTRADE_HOME="$T_TMP/failures-only"
rm -f "$T_TMP/quiet.json"
PAPERTRADE_NOTIFY_ON=failures PAPERTRADE_NOTIFY_COMMAND="cat >'$T_TMP/quiet.json'" due 2024-12-31T09:40
same "failures only: the run succeeds" "$RC" 0
check "failures only: nothing sent for a success" test ! -e "$T_TMP/quiet.json"

# Configuration errors are usage errors, named.
export PAPERTRADE_HOME="$T_TMP/cfg"
expect_rc "smtp_url must be smtp:// or smtps://" 2 run --date 2024-12-31 --set smtp_url=http://mail.example.test
expect_rc "smtp_url takes no password" 2 run --date 2024-12-31 --set smtp_url=smtps://u:p@mail.example.test
contains "smtp_url: says why" "$ERR" "no user or password"
env -u PAPERTRADE_SMTP_FROM "$PT" run --date 2024-12-31 --set smtp_url=smtps://mail.example.test >/dev/null 2>"$T_TMP/err"
same "smtp_url without smtp_from: exit 2" "$?" 2
contains "smtp_url without smtp_from: says so" "$(cat "$T_TMP/err")" "smtp_from and smtp_to are needed"
expect_rc "notify_on takes never, always or failures" 2 run --date 2024-12-31 --set notify_on=sometimes
done_testing
