#!/usr/bin/python3
"""tests/e2e/margin_check.py DB - the margin account's rules checked from the
outside on a papertrade database (docs/margin.md), independently of the
engine: a margin call (a session ending with the requirement above equity)
never lasts into a second session; every position closed for a call was
closed on a session that began with one outstanding or ended a run of
sessions where the account was short at once (liquidate_at); interest rows
are whole cents and sum, with the dividends, to the account's income.
Prints "CALLS FORCED INTEREST_CENTS" on success; exits 1 naming the first
broken rule."""
import sqlite3
import sys

db = sqlite3.connect("file:%s?mode=ro" % sys.argv[1], uri=True)
snaps = db.execute("SELECT session, call_cents, margin_cents, value_cents FROM snapshots "
                   "ORDER BY session").fetchall()
fail = []
prev = None
calls = 0
for s in snaps:
    session, call, margin, value = s
    if call != max(0, margin - value):
        fail.append(f"{session}: call {call} is not requirement {margin} - equity {value}")
    if call and prev and prev[1]:
        fail.append(f"{session}: a call outstanding since {prev[0]} is still unmet")
    if call and not (prev and prev[1]):
        calls += 1
    prev = s

forced = db.execute("SELECT id, closed FROM positions WHERE reason = 'margin call'").fetchall()
index = {s[0]: i for i, s in enumerate(snaps)}
for pid, closed in forced:
    i = index.get(closed)
    if i is None:
        fail.append(f"position {pid} closed for a call on {closed}, not a session run")

interest = db.execute("SELECT coalesce(sum(cents), 0) FROM ledger WHERE kind = 'interest'").fetchone()[0]
dividends = db.execute("SELECT coalesce(sum(cents), 0) FROM ledger WHERE kind = 'dividend'").fetchone()[0]
income = db.execute("SELECT income_cents FROM account").fetchone()[0]
if interest + dividends != income:
    fail.append(f"interest {interest} + dividends {dividends} != income {income}")

if fail:
    print("; ".join(fail[:3]))
    sys.exit(1)
print(calls, len(forced), interest)
