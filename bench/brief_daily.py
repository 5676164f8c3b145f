#!/usr/bin/python3
"""The brief's approach to one daily run, in Python with numpy, scipy and
pandas (Debian's packages), as the yardstick for bench/run.sh: read the
portfolio JSON, read the day's market data (CSV exported from papertrade's
simulated market by build/bench/sim_export), settle expired positions, compute
30-day HV, solve IV from the bid for every call of the expiration nearest 30
days, apply the entry rules, sell the best call per ticker, snapshot, and
write the JSON back. It does what live_trading_backend.py does, minus the
network. Usage: brief_daily.py DATA_DIR PORTFOLIO_JSON

day() is the day's logic on data already read; bench/brief_backtest.py
replays it over a range of sessions."""
import json
import math
import sys

import numpy as np
import pandas as pd
from scipy.optimize import brentq
from scipy.stats import norm


def bs_call(S, K, T, r, q, sigma):
    if T <= 0 or sigma <= 0:
        return max(0.0, S * math.exp(-q * T) - K * math.exp(-r * T))
    d1 = (math.log(S / K) + (r - q + 0.5 * sigma * sigma) * T) / (sigma * math.sqrt(T))
    d2 = d1 - sigma * math.sqrt(T)
    return S * math.exp(-q * T) * norm.cdf(d1) - K * math.exp(-r * T) * norm.cdf(d2)


def implied_vol(price, S, K, T, r, q):
    f = lambda s: bs_call(S, K, T, r, q, s) - price
    try:
        return brentq(f, 0.005, 5.0, xtol=1e-10)
    except ValueError:
        return float("nan")


def day(pf, meta, bars, chain):
    """One session of the brief's logic on pf, the brief's portfolio dict
    (updated in place, a snapshot appended). meta: one row per ticker (the
    session, as-of time, rate, spot, dividend yield); bars: the tickers'
    daily bars before the session; chain: the session's option quotes."""
    session = pd.Timestamp(meta.session.iloc[0])
    cash = float(pf["current_cash"])
    positions = pf.get("positions", [])
    closed = pf.get("closed_trades", [])
    allocation = float(pf["initial_capital"]) / len(meta)

    # 1. Update existing positions: expired ones settle at intrinsic value.
    still_open = []
    for p in positions:
        exp = pd.Timestamp(p.get("expiration") or p.get("expiry") or "2100-01-01")
        if p.get("status") == "OPEN" and exp < session:
            b = bars[(bars.ticker == p["ticker"]) & (bars.date == exp)]
            close = float(b.close.iloc[0]) if len(b) else 0.0
            intrinsic = max(0.0, close - float(p["strike"]))
            cost = intrinsic * float(p["contracts"]) * 100
            cash -= cost
            p.update(status="CLOSED", exit_price=intrinsic,
                     pnl=float(p["entry_price"]) * float(p["contracts"]) * 100 - cost)
            closed.append(p)
        else:
            still_open.append(p)
    positions = still_open

    # 2. Scan each ticker.
    for _, m in meta.iterrows():
        t = m.ticker
        closes = bars[bars.ticker == t].sort_values("date").close
        hv = np.log(closes / closes.shift(1)).dropna().iloc[-30:].std() * math.sqrt(252)
        calls = chain[(chain.ticker == t) & (chain.right == "C") & (chain.expiry > session)]
        dte = (calls.expiry - session).dt.days
        target = calls.expiry[(dte - 30).abs() == (dte - 30).abs().min()].min()
        calls = calls[calls.expiry == target].copy()
        expiry_close = (target + pd.Timedelta(hours=16)).tz_localize("America/New_York")
        T = (expiry_close - pd.Timestamp(int(m["asof"]), unit="s", tz="UTC")).total_seconds() / (365 * 86400)
        S, r, q = float(m.spot), float(m.rate), float(m.div_yield)
        calls["moneyness"] = calls.strike / S - 1
        calls["theo"] = [bs_call(S, K, T, r, q, hv) for K in calls.strike]
        calls["iv"] = [implied_vol(b, S, K, T, r, q) if b > 0 else float("nan")
                       for b, K in zip(calls.bid, calls.strike)]
        ok = calls[(calls.volume > 10) & (calls.bid > 0.10) & (calls.moneyness >= 0.05)
                   & (calls.moneyness <= 0.15) & (calls.iv > hv + 0.03)
                   & (calls.bid > calls.theo * 1.05)]
        if len(ok) and sum(p["ticker"] == t for p in positions) < 2:
            best = ok.loc[(ok.bid / ok.theo).idxmax()]
            contracts = 0.05 * allocation / (best.bid * 100)
            cash += contracts * best.bid * 100 - 0.65 * contracts
            positions.append(dict(ticker=t, action="SELL", strike=float(best.strike),
                                  expiration=str(target.date()), contracts=contracts,
                                  entry_price=float(best.bid), status="OPEN"))

    # 3. Snapshot and save.
    pv = 0.0
    for p in positions:
        q_ = chain[(chain.ticker == p["ticker"]) & (chain.strike == p["strike"])
                   & (chain.right == "C") & (chain.expiry == pd.Timestamp(p["expiration"]))]
        if len(q_):
            pv -= float(q_.ask.iloc[0]) * p["contracts"] * 100
    pf.update(current_cash=round(cash, 2), positions=positions, closed_trades=closed)
    pf.setdefault("daily_snapshots", []).append(
        dict(date=str(session.date()), portfolio_value=round(cash + pv, 2), cash=round(cash, 2)))


def main(data_dir, portfolio_path):
    meta = pd.read_csv(f"{data_dir}/meta.csv")
    bars = pd.read_csv(f"{data_dir}/bars.csv", parse_dates=["date"])
    chain = pd.read_csv(f"{data_dir}/chain.csv", parse_dates=["expiry"])
    with open(portfolio_path) as f:
        pf = json.load(f)
    day(pf, meta, bars, chain)
    with open(portfolio_path, "w") as f:
        json.dump(pf, f, indent=2)


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
