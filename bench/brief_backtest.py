#!/usr/bin/python3
"""The brief's daily logic replayed over every session of a range, in Python
with numpy, scipy and pandas (Debian's packages): the yardstick of
bench/backtest.sh. Each session runs bench/brief_daily.py's day() (settle
what expired at the expiry's close, HV over 30 sessions, IV by brentq from
the bid for every call of the expiration nearest 30 days, the entry rules,
sell the best call per ticker, snapshot at the ask) on the brief's portfolio
dict, starting from 1,000 dollars of cash, as one daily run after another
would, without the JSON file in between.

The data is what build/bench/sim_export wrote for the range (SEED
FROM..TO): the same simulated market papertrade's backtest computes, each
session's chain holding the expiration nearest 30 days and every earlier
one a position can still hold, so a superset of what a day needs.

Timing: `read_seconds` is reading the CSVs into DataFrames and splitting
them by session; `replay_seconds` is the replay alone, the sessions one
after another. papertrade's backtest time includes building every view
(the sim computes each session's quotes), so read + replay is the like for
like; bench/backtest.sh takes the replay alone, which favours Python. The
interpreter's start and the imports are in neither.

Usage: brief_backtest.py DATA_DIR
Prints one JSON object: first, last, sessions, option_quotes (rows of the
sessions' chains), read_seconds, replay_seconds, sessions_per_second (of the
replay), trades (calls sold), final_value, peak_rss_kib (this process's
peak resident set, getrusage's ru_maxrss as bench/peak_rss.py reads it)."""
import json
import os
import resource
import sys
import time

import pandas as pd

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from brief_daily import day  # noqa: E402


def main(data_dir):
    t0 = time.perf_counter()
    meta = pd.read_csv(f"{data_dir}/meta.csv")
    bars = pd.read_csv(f"{data_dir}/bars.csv", parse_dates=["date"])
    chain = pd.read_csv(f"{data_dir}/chain.csv", parse_dates=["expiry"])
    bars = bars.sort_values("date", kind="stable").reset_index(drop=True)
    dates = bars.date.values
    metas = dict(tuple(meta.groupby("session", sort=True)))
    chains = dict(tuple(chain.groupby("session", sort=True)))
    sessions = sorted(metas)
    t1 = time.perf_counter()

    pf = dict(initial_capital=1000.0, current_cash=1000.0, positions=[], closed_trades=[])
    quotes = 0
    for s in sessions:
        ts = pd.Timestamp(s)
        lo = dates.searchsorted((ts - pd.Timedelta(days=120)).to_datetime64())
        hi = dates.searchsorted(ts.to_datetime64())
        ch = chains.get(s, chain.iloc[:0])
        quotes += len(ch)
        day(pf, metas[s], bars.iloc[lo:hi], ch)
    t2 = time.perf_counter()

    replay = t2 - t1
    print(json.dumps(dict(
        first=sessions[0], last=sessions[-1], sessions=len(sessions), option_quotes=quotes,
        read_seconds=t1 - t0, replay_seconds=replay, sessions_per_second=len(sessions) / replay,
        trades=len(pf["positions"]) + len(pf["closed_trades"]),
        final_value=pf["daily_snapshots"][-1]["portfolio_value"],
        peak_rss_kib=resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)))


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit("usage: brief_backtest.py DATA_DIR")
    main(sys.argv[1])
