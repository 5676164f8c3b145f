#!/usr/bin/python3
"""cboe_bodies.py FIXTURES OUTDIR - builds Cboe delayed-quotes bodies for the
recorded AAPL day of 2025-10-29 and a fixture-server scenario serving them.

No Cboe options chain was ever recorded (tests/fixtures/RECORDING.md, "Not found"), so
these bodies are BUILT, not recorded: the field names and layout are the ones
tests/fixtures/RECORDING.md gives from OpenBB's Cboe parser (data.options[] with an OCC
`option` symbol, bid, ask, iv, volume, open_interest, last_trade_price, ...),
and the daily history follows OpenBB's charts/historical fetcher
({"data": [{"date", "open", "high", "low", "close", "volume"}]}). The numbers
are the real ones of the recorded Yahoo AAPL day (options of 2025-10-31 and
the six-month chart), so a Cboe run sees the same market as a Yahoo run."""
import json
import sys
from datetime import datetime
from zoneinfo import ZoneInfo

fx, out = sys.argv[1], sys.argv[2]
NY = ZoneInfo("America/New_York")
opt = json.load(open(f"{fx}/yahoo/yahoo-AAPL-options-2025-10-29.json"))["optionChain"]["result"][0]
chart = json.load(open(f"{fx}/yahoo/yahoo-AAPL-chart-1d-6mo-divs-2025-10-29.json"))["chart"]["result"][0]
q = opt["quote"]

rows = []
for right, key in (("C", "calls"), ("P", "puts")):
    for c in opt["options"][0][key]:
        rows.append({
            "option": "AAPL251031%s%08d" % (right, round(c["strike"] * 1000)),
            "bid": c.get("bid", 0), "bid_size": 10, "ask": c.get("ask", 0), "ask_size": 10,
            "iv": c.get("impliedVolatility", 0), "open_interest": c.get("openInterest", 0),
            "volume": c.get("volume", 0), "delta": 0, "gamma": 0, "theta": 0, "vega": 0,
            "rho": 0, "theo": 0, "change": c.get("change", 0), "open": 0, "high": 0, "low": 0,
            "tick": "no_change", "last_trade_price": c.get("lastPrice", 0),
            "last_trade_time": None, "percent_change": 0, "prev_day_close": 0,
        })
when = datetime.fromtimestamp(q["regularMarketTime"], NY).strftime("%Y-%m-%d %H:%M:%S")
chain = {"timestamp": when, "data": {
    "symbol": "AAPL", "current_price": q["regularMarketPrice"], "bid": q.get("bid", 0),
    "ask": q.get("ask", 0), "prev_day_close": q.get("regularMarketPreviousClose", 0),
    "options": rows}, "symbol": "AAPL"}
bars = []
qt = chart["indicators"]["quote"][0]
for i, t in enumerate(chart["timestamp"]):
    if qt["close"][i] is None:
        continue
    bars.append({"date": datetime.fromtimestamp(t, NY).strftime("%Y-%m-%d"),
                 "open": qt["open"][i], "high": qt["high"][i], "low": qt["low"][i],
                 "close": qt["close"][i], "volume": qt["volume"][i]})
# Cboe writes ", " and ": " separators.
json.dump(chain, open(f"{out}/cboe-options-AAPL.json", "w"), separators=(", ", ": "))
json.dump({"data": bars}, open(f"{out}/cboe-history-AAPL.json", "w"), separators=(", ", ": "))
json.dump([
    {"path": "/api/global/delayed_quotes/options/AAPL.json",
     "responses": [{"body_file": f"{out}/cboe-options-AAPL.json", "content_type": "application/json"}]},
    {"path": "/api/global/delayed_quotes/charts/historical/AAPL.json",
     "responses": [{"body_file": f"{out}/cboe-history-AAPL.json", "content_type": "application/json"}]},
], open(f"{out}/cboe-scenario.json", "w"))
