#!/usr/bin/python3
"""backtest_history_files.py DIR - adds seven later sessions to the three
history files tests/e2e/history_files.py wrote into DIR (OptionsDX, Cboe
DataShop, options-dataset-hist), so that tests/e2e/backtest.sh can replay
more than one session of each layout with `backtest --provider history`.

What is real and what is not: the session of 2025-10-29 is the recorded AAPL
chain (history_files.py says which of its numbers are real). The sessions
2025-10-30 to 2025-11-07 are MADE UP from it: every price and strike of
2025-10-29 (the underlying's, each option's bid, ask and last) is multiplied
by one factor per session (FACTORS below, a small invented walk), and the
expiry is 2025-10-31 up to that day, then 2025-11-07, then 2025-11-14.
Volumes, open interest and the vendor's IV are kept. Scaling every price and
strike by the same factor keeps each chain free of arbitrage; the chains do
not age (their time value does not decay), which is good enough for a test
of the plumbing and wrong for anything else. Each file stays in its own
layout: the same columns, the same formats.

Prints the sessions added, "N FIRST LAST".
"""
import sqlite3
import sys

d = sys.argv[1]
SESSION = "2025-10-29"
FACTORS = [("2025-10-30", 1.004), ("2025-10-31", 0.997), ("2025-11-03", 1.011),
           ("2025-11-04", 1.006), ("2025-11-05", 1.013), ("2025-11-06", 1.002),
           ("2025-11-07", 1.009)]


def expiry(day):
    return "2025-10-31" if day <= "2025-10-31" else "2025-11-07" if day < "2025-11-07" else "2025-11-14"


def scaled(text, f):
    t = text.strip()
    return "%.4f" % (float(t) * f) if t else t


# OptionsDX: ", " between fields, bracketed names; the session's lines copied.
path = f"{d}/aapl_eod_202510.txt"
lines = open(path).read().splitlines()
head = [h.strip("[] ") for h in lines[0].split(", ")]
col = {h: i for i, h in enumerate(head)}
PRICES = ["UNDERLYING_LAST", "STRIKE", "C_BID", "C_ASK", "C_LAST", "P_BID", "P_ASK", "P_LAST"]
extra = []
for day, f in FACTORS:
    for l in lines[1:]:
        v = l.split(", ")
        if v[col["QUOTE_DATE"]] != SESSION:
            continue
        v[col["QUOTE_UNIXTIME"]] = "0"
        v[col["QUOTE_READTIME"]] = day + " 16:00"
        v[col["QUOTE_DATE"]] = day
        v[col["EXPIRE_DATE"]] = expiry(day)
        v[col["EXPIRE_UNIX"]] = "0"
        for n in PRICES:
            v[col[n]] = scaled(v[col[n]], f)
        extra.append(", ".join(v))
open(path, "w").write("\n".join(lines + extra) + "\n")

# Cboe DataShop: CSV.
path = f"{d}/aapl_cboe_eod.csv"
lines = open(path).read().splitlines()
head = lines[0].split(",")
col = {h: i for i, h in enumerate(head)}
PRICES = ["strike", "close", "bid_1545", "ask_1545", "underlying_bid_1545", "underlying_ask_1545",
          "active_underlying_price_1545"]
extra = []
for day, f in FACTORS:
    for l in lines[1:]:
        v = l.split(",")
        if v[col["quote_date"]] != SESSION:
            continue
        v[col["quote_date"]] = day
        v[col["expiration"]] = expiry(day)
        for n in PRICES:
            v[col[n]] = scaled(v[col[n]], f)
        extra.append(",".join(v))
open(path, "w").write("\n".join(lines + extra) + "\n")

# options-dataset-hist: SQLite.
db = sqlite3.connect(f"{d}/aapl_options.db")
rows = db.execute("SELECT * FROM options_data WHERE date = ?", (SESSION,)).fetchall()
names = [c[1] for c in db.execute("PRAGMA table_info(options_data)")]
col = {h: i for i, h in enumerate(names)}
bar = db.execute("SELECT * FROM underlying_prices WHERE date = ?", (SESSION,)).fetchone()
bnames = [c[1] for c in db.execute("PRAGMA table_info(underlying_prices)")]
bcol = {h: i for i, h in enumerate(bnames)}
spot = bar[bcol["close"]]
for day, f in FACTORS:
    for r in rows:
        v = list(r)
        v[col["date"]] = day
        v[col["expiration"]] = expiry(day)
        for n in ("strike", "last", "mark", "bid", "ask"):
            if v[col[n]] is not None:
                v[col[n]] = round(v[col[n]] * f, 4)
        db.execute("INSERT INTO options_data VALUES (%s)" % ",".join("?" * len(v)), v)
    b = list(bar)
    b[bcol["date"]] = day
    for n in ("open", "high", "low", "close", "adjusted_close"):
        b[bcol[n]] = round(spot * f, 4)
    b[bcol["dividend_amount"]] = 0.0
    db.execute("INSERT INTO underlying_prices VALUES (%s)" % ",".join("?" * len(b)), b)
db.commit()
db.close()
print(len(FACTORS), FACTORS[0][0], FACTORS[-1][0])
