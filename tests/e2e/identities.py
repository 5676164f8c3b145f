#!/usr/bin/python3
"""Checks the ledger identities of DESIGN.md §5 on a `report --json` object, to
the cent: cash = initial + closed pnl + open credit + income, and
portfolio_value = cash + positions_value. Prints nothing and exits 0 when they
hold; prints what is off and exits 1 otherwise. Reads the JSON on stdin."""
import json
import sys

r = json.load(sys.stdin)
c = lambda x: round(x * 100)
cash = c(r["cash"])
want = c(r["initial_capital"]) + sum(c(t["pnl"]) for t in r["closed_trades"]) \
    + sum(c(p["credit"]) for p in r["open_positions"]) + c(r["income"])
bad = []
if cash != want:
    bad.append(f"cash {cash} != initial + closed pnl + open credit + income = {want}")
if c(r["portfolio_value"]) != cash + c(r["positions_value"]):
    bad.append("portfolio_value != cash + positions_value")
pv = sum(c(p["value"]) for p in r["open_positions"])
if pv != c(r["positions_value"]):
    bad.append(f"positions_value {c(r['positions_value'])} != sum of open values {pv}")
for k in ("session", "initial_capital", "cash", "positions_value", "portfolio_value",
          "total_return", "benchmarks", "excess_return_vs_spy", "alpha_vs_spy", "beta_vs_spy",
          "sharpe", "sortino", "max_drawdown", "win_rate", "margin_used", "open_positions",
          "closed_trades", "income"):
    if k not in r:
        bad.append(f"missing key {k}")
for p in r["open_positions"]:
    for k in ("ticker", "right", "strike", "expiry", "quantity", "entry_price", "mark",
              "credit", "unrealized_pnl"):
        if k not in p:
            bad.append(f"open position missing {k}")
for t in r["closed_trades"]:
    for k in ("ticker", "right", "strike", "expiry", "quantity", "entry_price", "exit_price",
              "opened", "closed", "reason", "pnl"):
        if k not in t:
            bad.append(f"closed trade missing {k}")
if bad:
    print(r.get("session"), "; ".join(bad[:5]))
    sys.exit(1)
