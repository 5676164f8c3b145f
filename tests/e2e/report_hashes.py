"""tests/e2e/report_hashes.py DB PT - the hashes of a papertrade database's
stored runs, the first 16 hex digits of SHA-256: "SESSION run-json HASH" and
"SESSION run-text HASH" of every session's stored run part (what happened
that session: its sections of the text report and the JSON report's "run"
object; stored zlib-compressed), then "SESSION json HASH" and "SESSION text HASH" of the last
session's whole report as `PT run --date SESSION [--json]` prints it (the
run part and the summary rendered from the tables). run.sh compares them
with tests/data/regress_2024.txt, so a refactor that changes a report
anywhere is seen, session by session. Before issue 10 the store kept every
session's whole report; the last session's "json" and "text" lines are
those hashes unchanged, and each run part was checked to be the stored
report's own sections (issue 10 point 5)."""
import hashlib
import os
import sqlite3
import subprocess
import sys
import zlib


def h(body):
    return hashlib.sha256(body).hexdigest()[:16]


def body(plain, z):
    """A stored body: zlib-compressed since issue 10, else plain."""
    return zlib.decompress(z) if z is not None else (plain or "").encode()


db = sqlite3.connect("file:%s?mode=ro" % sys.argv[1], uri=True)
last = None
for session, text, js, text_z, json_z in db.execute(
        "SELECT session, report_text, report_json, text_z, json_z FROM runs "
        "ORDER BY session"):
    for kind, b in (("run-json", body(js, json_z)), ("run-text", body(text, text_z))):
        print(session, kind, h(b))
    last = session
if last and len(sys.argv) > 2:
    env = dict(os.environ, PAPERTRADE_HOME=os.path.dirname(os.path.abspath(sys.argv[1])))
    for kind, flags in (("json", ["--json"]), ("text", [])):
        out = subprocess.run([sys.argv[2], "run", "-q", "--date", last] + flags,
                             env=env, stdout=subprocess.PIPE, check=True).stdout
        print(last, kind, h(out))
