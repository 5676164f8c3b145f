#!/usr/bin/python3
"""history_files.py FIXTURES OUTDIR - writes the recorded AAPL day of
2025-10-29 in each end-of-day history layout papertrade imports
(docs/history.md), for tests/e2e/history.sh. No real end-of-day history could
be shipped (tests/fixtures/history/README.md says why), so these files are
built from real recorded numbers:

* the option chain of 2025-10-29 (expiry 2025-10-31: bid, ask, last,
  volume, open interest, Yahoo's IV) is tests/fixtures/yahoo/
  yahoo-AAPL-options-2025-10-29.json, the quote at the close (16:00:01 New
  York) 269.70;
* the underlying's daily bars (open, high, low, close, volume) and its two
  dividends are tests/fixtures/yahoo/yahoo-AAPL-chart-1d-6mo-divs-2025-10-29.json.

What is not real, and why: the sessions before 2025-10-29 have no recorded
chain, so OptionsDX and Cboe files carry one line for each of them whose
option quotes are empty (dropped as "no quote" and counted) and whose
underlying price is the chart's close: those layouts give the underlying
only on option rows. Cboe's 15:45 underlying bid and ask are both set to
the close that Yahoo recorded (no 15:45 quote was recorded). Prices are
written with at most four decimals (the chart's floats rounded).

Writes aapl_eod_202510.txt (OptionsDX), aapl_cboe_eod.csv (Cboe DataShop)
and aapl_options.db (options-dataset-hist SQLite), and prints the number of
sessions before 2025-10-29 and the number of option rows of 2025-10-29 that
each file holds, "PRIOR CALLS PUTS STRIKES".
"""
import json
import sqlite3
import sys
from datetime import datetime
from zoneinfo import ZoneInfo

fx, out = sys.argv[1], sys.argv[2]
NY = ZoneInfo("America/New_York")
SESSION = "2025-10-29"
EXPIRY = "2025-10-31"

chart = json.load(open(f"{fx}/yahoo/yahoo-AAPL-chart-1d-6mo-divs-2025-10-29.json"))["chart"]["result"][0]
q = chart["indicators"]["quote"][0]
bars = []
for i, t in enumerate(chart["timestamp"]):
    d = datetime.fromtimestamp(t, NY).strftime("%Y-%m-%d")
    if q["close"][i] is None:
        continue
    bars.append((d, q["open"][i], q["high"][i], q["low"][i], q["close"][i], q["volume"][i]))
divs = {datetime.fromtimestamp(v["date"], NY).strftime("%Y-%m-%d"): v["amount"]
        for v in chart["events"]["dividends"].values()}
opt = json.load(open(f"{fx}/yahoo/yahoo-AAPL-options-2025-10-29.json"))["optionChain"]["result"][0]
spot = opt["quote"]["regularMarketPrice"]
calls = {c["strike"]: c for c in opt["options"][0]["calls"]}
puts = {p["strike"]: p for p in opt["options"][0]["puts"]}
strikes = sorted(set(calls) | set(puts))
prior = [b for b in bars if b[0] < SESSION]


def f4(x):
    return "" if x is None else "%.4f" % x


def unix(day, hhmm="16:00"):
    return int(datetime.strptime(day + " " + hhmm, "%Y-%m-%d %H:%M").replace(tzinfo=NY).timestamp())


# OptionsDX: wide rows, ", " between fields, bracketed names.
DX = ["QUOTE_UNIXTIME", "QUOTE_READTIME", "QUOTE_DATE", "QUOTE_TIME_HOURS", "UNDERLYING_LAST",
      "EXPIRE_DATE", "EXPIRE_UNIX", "DTE", "C_DELTA", "C_GAMMA", "C_VEGA", "C_THETA", "C_RHO",
      "C_IV", "C_VOLUME", "C_LAST", "C_SIZE", "C_BID", "C_ASK", "STRIKE", "P_BID", "P_ASK",
      "P_SIZE", "P_LAST", "P_DELTA", "P_GAMMA", "P_VEGA", "P_THETA", "P_RHO", "P_IV",
      "P_VOLUME", "STRIKE_DISTANCE", "STRIKE_DISTANCE_PCT"]


def dx_side(c):
    if c is None:
        return {"IV": "", "VOLUME": "", "LAST": "", "SIZE": "", "BID": "", "ASK": ""}
    return {"IV": "%.6f" % c["impliedVolatility"], "LAST": f4(c.get("lastPrice")),
            "VOLUME": "%.6f" % c["volume"] if "volume" in c else "",
            "SIZE": "", "BID": f4(c.get("bid")), "ASK": f4(c.get("ask"))}


with open(f"{out}/aapl_eod_202510.txt", "w") as f:
    f.write(", ".join("[%s]" % n for n in DX) + "\n")

    def line(day, und, k, c, p, expiry):
        v = {n: "" for n in DX}
        v.update({"QUOTE_UNIXTIME": str(unix(day)), "QUOTE_READTIME": day + " 16:00",
                  "QUOTE_DATE": day, "QUOTE_TIME_HOURS": "16.000000", "UNDERLYING_LAST": f4(und),
                  "EXPIRE_DATE": expiry, "EXPIRE_UNIX": str(unix(expiry)), "STRIKE": f4(k)})
        for side, x in (("C", c), ("P", p)):
            for key, val in dx_side(x).items():
                v[side + "_" + key] = val
        f.write(", ".join(v[n] for n in DX) + "\n")

    for b in prior:
        line(b[0], b[4], 250.0, None, None, b[0])
    for k in strikes:
        line(SESSION, spot, k, calls.get(k), puts.get(k), EXPIRY)

# Cboe DataShop / LiveVol end-of-day option quotes with calcs.
CB = ["underlying_symbol", "quote_date", "root", "expiration", "strike", "option_type", "open",
      "high", "low", "close", "trade_volume", "bid_size_1545", "bid_1545", "ask_size_1545",
      "ask_1545", "underlying_bid_1545", "underlying_ask_1545", "implied_underlying_price_1545",
      "active_underlying_price_1545", "implied_volatility_1545", "delta_1545", "gamma_1545",
      "theta_1545", "vega_1545", "rho_1545", "open_interest"]
with open(f"{out}/aapl_cboe_eod.csv", "w") as f:
    f.write(",".join(CB) + "\n")

    def row(day, und, k, right, c, expiry):
        v = {n: "" for n in CB}
        v.update({"underlying_symbol": "AAPL", "quote_date": day, "root": "AAPL",
                  "expiration": expiry, "strike": f4(k), "option_type": right,
                  "underlying_bid_1545": f4(und), "underlying_ask_1545": f4(und),
                  "active_underlying_price_1545": f4(und)})
        if c is not None:
            v.update({"close": f4(c.get("lastPrice")), "bid_1545": f4(c.get("bid")),
                      "ask_1545": f4(c.get("ask")),
                      "trade_volume": str(c["volume"]) if "volume" in c else "",
                      "open_interest": str(c["openInterest"]) if "openInterest" in c else "",
                      "implied_volatility_1545": "%.6f" % c["impliedVolatility"]})
        f.write(",".join(v[n] for n in CB) + "\n")

    for b in prior:
        row(b[0], b[4], 250.0, "C", None, b[0])
    for k in strikes:
        if k in calls:
            row(SESSION, spot, k, "C", calls[k], EXPIRY)
        if k in puts:
            row(SESSION, spot, k, "P", puts[k], EXPIRY)

# options-dataset-hist: SQLite, options_data (21 columns) and underlying_prices.
db = sqlite3.connect(f"{out}/aapl_options.db")
db.execute("""CREATE TABLE options_data (contract_id TEXT, symbol TEXT, expiration TEXT,
    strike REAL, type TEXT, last REAL, mark REAL, bid REAL, bid_size INTEGER, ask REAL,
    ask_size INTEGER, volume INTEGER, open_interest INTEGER, date TEXT,
    implied_volatility REAL, delta REAL, gamma REAL, theta REAL, vega REAL, rho REAL,
    in_the_money INTEGER)""")
db.execute("""CREATE TABLE underlying_prices (date TEXT, open REAL, high REAL, low REAL,
    close REAL, volume INTEGER, adjusted_close REAL, dividend_amount REAL,
    split_coefficient REAL)""")
for b in bars:
    close = spot if b[0] == SESSION else round(b[4], 4)
    db.execute("INSERT INTO underlying_prices VALUES (?,?,?,?,?,?,?,?,?)",
               (b[0], round(b[1], 4), round(b[2], 4), round(b[3], 4), close, b[5], close,
                divs.get(b[0], 0.0), 1.0))
for right, side in (("call", calls), ("put", puts)):
    for k in sorted(side):
        c = side[k]
        db.execute("INSERT INTO options_data VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
                   (c["contractSymbol"], "AAPL", EXPIRY, k, right, c.get("lastPrice"),
                    (c.get("bid", 0) + c.get("ask", 0)) / 2, c.get("bid"), None, c.get("ask"),
                    None, c.get("volume"), c.get("openInterest"), SESSION,
                    c["impliedVolatility"], None, None, None, None, None,
                    1 if c.get("inTheMoney") else 0))
db.commit()
db.close()
print(len(prior), len(calls), len(puts), len(strikes))
