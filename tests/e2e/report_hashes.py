"""tests/e2e/report_hashes.py DB - one line per stored run of a papertrade
database: "SESSION json HASH" and "SESSION text HASH", the first 16 hex digits
of the SHA-256 of the report JSON and text stored with the run. run.sh
compares them with tests/data/regress_2024.txt, the hashes the 2024 sim
sessions gave before the session layer and the strategy table (issue 8), so
a refactor that changes a report anywhere is seen, session by session."""
import hashlib
import sqlite3
import sys

db = sqlite3.connect("file:%s?mode=ro" % sys.argv[1], uri=True)
for session, text, js in db.execute(
        "SELECT session, report_text, report_json FROM runs ORDER BY session"):
    for kind, body in (("json", js), ("text", text)):
        h = hashlib.sha256((body or "").encode()).hexdigest()[:16]
        print(session, kind, h)
