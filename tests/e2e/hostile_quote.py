#!/usr/bin/python3
"""hostile_quote.py FIXTURES OUT WHAT VALUE - a fixture-server scenario (OUT/scenario.json)
that answers /v7/finance/options/AAPL with the recorded 2025-10-29 bodies
changed in one field: WHAT price (quote.regularMarketPrice), time
(quote.regularMarketTime) or symbol (underlyingSymbol and quote.symbol).
The recorded fixtures are read, never edited: the changed copies go to OUT.
"""
import json, sys, os
fx, out, what, val = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4]
os.makedirs(out, exist_ok=True)
rules = []
for name, q in (("yahoo-AAPL-options-date-1761868800-2025-10-29.json", {"date": "1761868800"}),
                ("yahoo-AAPL-options-2025-10-29.json", None)):
    d = json.load(open(os.path.join(fx, "yahoo", name)))
    r0 = d["optionChain"]["result"][0]
    if what == "price":
        r0["quote"]["regularMarketPrice"] = float(val)
    elif what == "time":
        r0["quote"]["regularMarketTime"] = int(val)
    elif what == "symbol":
        r0["underlyingSymbol"] = val
        r0["quote"]["symbol"] = val
    p = os.path.join(out, name)
    json.dump(d, open(p, "w"))
    rule = {"path": "/v7/finance/options/AAPL", "responses": [{"body_file": p}]}
    if q:
        rule["query"] = q
    rules.append(rule)
json.dump(rules, open(os.path.join(out, "scenario.json"), "w"))
