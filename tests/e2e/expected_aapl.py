#!/usr/bin/python3
"""expected_aapl.py FIXTURES CAPITAL - the brief's rules applied by hand to the
recorded AAPL day of 2025-10-29 (chart, options of 2025-10-31), computed
independently of papertrade with numpy and scipy: 30-session HV of the closes
before the session, IV solved from the bid with brentq, Black-Scholes value
at HV, the entry rules, the qualifying call closest to 10% out of the money
(the middle of 5-15%; distances to a millionth of spot, a tie to the higher
strike), and the contracts for sizing = margin, fractional (5% of the capital
in margin on the equity basis, docs/margin.md: max(20% of S - OTM, 10% of S),
per contract, in cents; the per-trade caps do not bind on this account).
Prints "STRIKE CONTRACTS
QUALIFIED" (or "none"). The run is as of 2025-10-29 16:05 New York, r = 0.04.
Optional arguments for the history provider's replays (tests/e2e/history.sh):
ASOF (HH:MM New York, the quotes' time) and "nodivs" (a layout without
dividends: the yield is 0)."""
import json
import math
import sys
from datetime import datetime, timezone
from zoneinfo import ZoneInfo

import numpy as np
from scipy.optimize import brentq
from scipy.stats import norm

fx, capital = sys.argv[1], float(sys.argv[2])
NY = ZoneInfo("America/New_York")
session = datetime(2025, 10, 29).date()
hh, mm = (int(x) for x in (sys.argv[3] if len(sys.argv) > 3 else "16:05").split(":"))
asof = datetime(2025, 10, 29, hh, mm, tzinfo=NY)
nodivs = len(sys.argv) > 4 and sys.argv[4] == "nodivs"
expiry_close = datetime(2025, 10, 31, 16, 0, tzinfo=NY)
T = (expiry_close - asof).total_seconds() / (365 * 86400)
r = 0.04

chart = json.load(open(f"{fx}/yahoo/yahoo-AAPL-chart-1d-6mo-divs-2025-10-29.json"))["chart"]["result"][0]
closes = [c for t, c in zip(chart["timestamp"], chart["indicators"]["quote"][0]["close"])
          if c is not None and datetime.fromtimestamp(t, NY).date() < session]
lr = np.diff(np.log(np.array(closes[-31:])))
hv = lr.std(ddof=1) * math.sqrt(252)

opt = json.load(open(f"{fx}/yahoo/yahoo-AAPL-options-2025-10-29.json"))["optionChain"]["result"][0]
S = opt["quote"]["regularMarketPrice"]
divs = sum(d["amount"] for d in chart.get("events", {}).get("dividends", {}).values()
           if 0 <= (session - datetime.fromtimestamp(d["date"], NY).date()).days < 365
           and not nodivs)
q = math.log1p(divs / S)


def call(K, sigma):
    d1 = (math.log(S / K) + (r - q + sigma * sigma / 2) * T) / (sigma * math.sqrt(T))
    return S * math.exp(-q * T) * norm.cdf(d1) - K * math.exp(-r * T) * norm.cdf(d1 - sigma * math.sqrt(T))


def distance(K):
    return math.floor(abs(K / S - 1 - (0.05 + 0.15) / 2) * 1e6 + 0.5)


best, qualified = None, 0
for c in opt["options"][0]["calls"]:
    K, bid, ask, vol = c["strike"], c.get("bid", 0), c.get("ask", 0), c.get("volume", -1)
    if not (ask > bid >= 0) or not (0.05 <= K / S - 1 <= 0.15) or not vol > 10 or not bid > 0.10:
        continue
    lo, hi = call(K, 0.005) - bid, call(K, 5.0) - bid
    if lo * hi > 0:
        continue
    iv = brentq(lambda s: call(K, s) - bid, 0.005, 5.0, xtol=1e-12)
    theo = call(K, hv)
    if iv > hv + 0.03 and bid > theo * 1.05:
        qualified += 1
        if best is None or (distance(K), -K) < (distance(best[0]), -best[0]):
            best = (K, bid, theo)
if best is None:
    print("none")
else:
    K, bid = best[0], best[1]
    margin = round(max(0.20 * S - max(K - S, 0), 0.10 * S) * 100 * 100) / 100
    contracts = math.floor(0.05 * capital / margin * 1e4) / 1e4
    print(best[0], contracts, qualified)
