#!/usr/bin/python3
"""gen_metrics_ref.py - reference values for src/report/analytics.c
(DESIGN.md §2 report/), computed with numpy and scipy from the definitions
in docs/metrics.md, independently of the C code.

    /usr/bin/python3 tests/gen_metrics_ref.py            # writes tests/data/metrics_ref.json
    /usr/bin/python3 tests/gen_metrics_ref.py --input    # first writes tests/data/metrics_input.json

The input (tests/data/metrics_input.json) was generated once by `--input`
with a fixed seed and is committed: numpy does not promise the same random
stream across versions, so regenerating it on another numpy may give other
numbers (and then the reference must be regenerated with it). Its cases:

  normal         700 sessions of a portfolio beta'd to SPY with AR(1) noise,
                 rates unknown for 5 sessions then rising, 80 trades on four
                 tickers and two strategies (5 of them at exactly 0 P&L, one
                 with no ticker, one with no strategy)
  long_drawdown  a 25% drawdown that recovers to exactly the old peak (in
                 cents), then a shallower one that lasts to the end
  rising         every return positive: no downside, no drawdown
  flat           a constant value, no rates, SPY constant: nothing to divide by
  zero_variance  a constant value with a 5% rate: excess returns constant
  few_2, few_1   two sessions and one
  empty          no sessions; trades that are all wins or 0
  no_spy         no benchmark, no rates, no trades; window = every return
  blown          the value goes below zero
plus a 250 x 10 matrix of daily returns for CSCV (two identical columns and
one of zeros) and deflated-Sharpe cases built on it.

Debian's /usr/bin/python3 with python3-numpy and python3-scipy; nothing else.
"""
import datetime
import itertools
import json
import math
import os
import sys

import numpy as np
from scipy import stats

HERE = os.path.dirname(os.path.abspath(__file__))
INPUT = os.path.join(HERE, "data", "metrics_input.json")
REF = os.path.join(HERE, "data", "metrics_ref.json")

YEAR = 252
VAR_ZERO = 1e-20
EPOCH = datetime.date(1970, 1, 1)


# ---------------------------------------------------------------- input

def sessions(rng, start, n):
    """n weekdays from start, about 2% of them skipped (holidays)."""
    out, d = [], start
    while len(out) < n:
        if d.weekday() < 5 and rng.random() >= 0.02:
            out.append(d.isoformat())
        d += datetime.timedelta(days=1)
    return out


def walk(start_cents, returns):
    """Values in cents, rounded every session."""
    v = [start_cents]
    for r in returns:
        v.append(int(round(v[-1] * (1.0 + r))))
    return v


def trades_for(rng, dates, count, zeros):
    tickers = ["SPY", "QQQ", "IWM", "DIA"]
    strategies = ["volarb", "csp"]
    out = []
    for k in range(count):
        opened = datetime.date.fromisoformat(dates[int(rng.integers(0, len(dates) - 40))])
        closed = opened + datetime.timedelta(days=int(rng.integers(1, 60)))
        pnl = int(round(rng.normal(1500, 9000)))
        out.append({"ticker": tickers[int(rng.integers(0, 4))],
                    "strategy": strategies[int(rng.integers(0, 2))],
                    "opened": opened.isoformat(), "closed": closed.isoformat(),
                    "pnl": pnl})
    for k in rng.choice(count, size=zeros, replace=False):
        out[int(k)]["pnl"] = 0
    return out


def make_input():
    rng = np.random.default_rng(20240611)
    cases = []

    # normal
    n = 700
    dates = sessions(rng, datetime.date(2021, 1, 4), n)
    spy_r = rng.normal(0.0004, 0.011, n - 1)
    e = np.zeros(n - 1)
    for i in range(n - 1):
        e[i] = (0.25 * e[i - 1] if i else 0.0) + rng.normal(0, 0.004)
    port_r = 0.0002 + 0.45 * spy_r + e
    rate = [None] * 5 + [0.0007] * 200 + list(np.round(np.linspace(0.0007, 0.0525, n - 205), 6))
    trades = trades_for(rng, dates, 80, 5)
    trades[10]["ticker"] = None
    trades[11]["strategy"] = None
    cases.append({"name": "normal", "dates": dates, "value": walk(10_000_000, port_r),
                  "rate": [None if x is None else float(x) for x in rate],
                  "spy": walk(10_000_000, spy_r), "trades": trades,
                  "options": {"window": 126, "confidence": 0.95, "boot_reps": 500,
                              "boot_block": 0, "seed": 42}})

    # long_drawdown: peak at 40, exact recovery at 90, peak at 150, then under to the end
    n = 400
    dates = sessions(rng, datetime.date(2019, 6, 3), n)
    v = [0] * n
    for i in range(41):
        v[i] = 10_000_000 + 10_000 * i + int(rng.integers(0, 5000))
    p1 = v[40]
    for i in range(41, 90):
        x = p1 * (1 - 0.25 * math.sin(math.pi * (i - 40) / 50)) + rng.normal(0, 20_000)
        v[i] = min(int(round(x)), p1 - 1)
    v[90] = p1
    for i in range(91, 151):
        v[i] = p1 + 15_000 * (i - 90) + int(rng.integers(0, 5000))
    p2 = v[150]
    for i in range(151, n):
        x = p2 * (1 - 0.08 * min(1.0, (i - 150) / 60)) + rng.normal(0, 15_000)
        v[i] = min(int(round(x)), p2 - 1)
    cases.append({"name": "long_drawdown", "dates": dates, "value": v, "rate": [0.02] * n,
                  "spy": walk(20_000_000, rng.normal(0.0003, 0.01, n - 1)),
                  "trades": trades_for(rng, dates, 12, 1),
                  "options": {"window": 63, "confidence": 0.90, "boot_reps": 300,
                              "boot_block": 5.0, "seed": 7}})

    # rising
    n = 60
    dates = sessions(rng, datetime.date(2022, 11, 1), n)
    v = [5_000_000]
    for i in range(n - 1):
        v.append(v[-1] + int(rng.integers(1, 20_000)))
    cases.append({"name": "rising", "dates": dates, "value": v, "rate": None,
                  "spy": walk(5_000_000, rng.normal(0.0003, 0.01, n - 1)), "trades": [],
                  "options": {"window": 20, "confidence": 0.95, "boot_reps": 200,
                              "boot_block": 0, "seed": 1}})

    # flat and zero_variance
    dates = sessions(rng, datetime.date(2023, 3, 1), 30)
    cases.append({"name": "flat", "dates": dates, "value": [5_000_000] * 30, "rate": None,
                  "spy": [5_000_000] * 30, "trades": [],
                  "options": {"window": 10, "confidence": 0.95, "boot_reps": 100,
                              "boot_block": 0, "seed": 3}})
    cases.append({"name": "zero_variance", "dates": dates, "value": [5_000_000] * 30,
                  "rate": [0.05] * 30,
                  "spy": walk(5_000_000, rng.normal(0.0003, 0.01, 29)), "trades": [],
                  "options": {"window": 10, "confidence": 0.95, "boot_reps": 100,
                              "boot_block": 0, "seed": 3}})

    # few_2, few_1, empty
    cases.append({"name": "few_2", "dates": ["2024-01-31", "2024-02-01"],
                  "value": [10_000_000, 10_050_000], "rate": [0.01, 0.01],
                  "spy": [10_000_000, 9_990_000], "trades": [],
                  "options": {"window": 0, "confidence": 0, "boot_reps": 0,
                              "boot_block": 0, "seed": 0}})
    cases.append({"name": "few_1", "dates": ["2024-02-01"], "value": [10_000_000],
                  "rate": [0.01], "spy": [10_000_000], "trades": [],
                  "options": {"window": 0, "confidence": 0, "boot_reps": 0,
                              "boot_block": 0, "seed": 0}})
    cases.append({"name": "empty", "dates": [], "value": [], "rate": None, "spy": None,
                  "trades": [{"ticker": "SPY", "strategy": "volarb", "opened": "2024-01-02",
                              "closed": "2024-01-19", "pnl": 2500},
                             {"ticker": "QQQ", "strategy": "volarb", "opened": "2024-01-03",
                              "closed": "2024-02-16", "pnl": 0},
                             {"ticker": "SPY", "strategy": "csp", "opened": "2024-01-05",
                              "closed": "2024-02-16", "pnl": 1}],
                  "options": {"window": 0, "confidence": 0, "boot_reps": 0,
                              "boot_block": 0, "seed": 0}})

    # no_spy: the window is every return
    n = 300
    dates = sessions(rng, datetime.date(2020, 2, 3), n)
    cases.append({"name": "no_spy", "dates": dates,
                  "value": walk(3_000_000, rng.normal(0.0005, 0.012, n - 1)), "rate": None,
                  "spy": None, "trades": [],
                  "options": {"window": n - 1, "confidence": 0.99, "boot_reps": 0,
                              "boot_block": 0, "seed": 0}})

    # blown
    cases.append({"name": "blown",
                  "dates": ["2024-03-04", "2024-03-05", "2024-03-06", "2024-03-07", "2024-03-08"],
                  "value": [10_000_000, 8_000_000, 3_000_000, -500_000, 1_000],
                  "rate": None, "spy": [10_000_000, 10_100_000, 10_000_000, 9_900_000, 9_950_000],
                  "trades": [{"ticker": "SPY", "strategy": "volarb", "opened": "2024-03-04",
                              "closed": "2024-03-07", "pnl": -10_500_000}],
                  "options": {"window": 0, "confidence": 0, "boot_reps": 0,
                              "boot_block": 0, "seed": 0}})

    # CSCV and DSR: 250 daily returns of 10 trials
    t, n = 250, 10
    mu = [-0.0004, 0.0, 0.0002, 0.0004, 0.0006, 0.0008, 0.0010, 0.0003]
    m = np.column_stack([rng.normal(mu[j], 0.01, t) for j in range(8)])
    m = np.column_stack([m, m[:, 3], np.zeros(t)])
    matrix = [[float(x) for x in row] for row in m]
    cscv = {"t": t, "n": n, "matrix": matrix,
            "cases": [{"s": s, "metric": "sharpe"} for s in (2, 4, 6, 8, 10)] +
                     [{"s": s, "metric": "mean"} for s in (2, 8)]}
    sr = [float(np.mean(m[:, j]) / np.std(m[:, j], ddof=1) * math.sqrt(YEAR)) for j in range(9)]
    best = int(np.argmax(sr))
    dsr = [{"name": "sweep", "returns": [float(x) for x in m[:, best]], "trials": sr,
            "periods_per_year": 252.0},
           {"name": "one_trial", "returns": [float(x) for x in m[:, best]], "trials": [sr[best]],
            "periods_per_year": 252.0},
           {"name": "per_period", "returns": [float(x) for x in m[:, 6]],
            "trials": [x / math.sqrt(YEAR) for x in sr], "periods_per_year": 1.0}]
    return {"cases": cases, "cscv": cscv, "dsr": dsr}


# ---------------------------------------------------------------- reference

def day_number(iso):
    return (datetime.date.fromisoformat(iso) - EPOCH).days


def nan_to_none(x):
    if isinstance(x, (list, tuple, np.ndarray)):
        return [nan_to_none(v) for v in x]
    x = float(x)
    return None if math.isnan(x) else x


def sharpe_per_period(y):
    if len(y) < 2 or not np.var(y, ddof=1) > VAR_ZERO:
        return math.nan
    return float(np.mean(y) / np.std(y, ddof=1))


def drawdown_periods(v, days):
    """Underwater runs of the value against its running peak, in cents."""
    v = np.asarray(v, dtype=np.int64)
    peak = np.maximum.accumulate(v)
    under = v < peak
    periods, i, n = [], 0, len(v)
    while i < n:
        if not under[i]:
            i += 1
            continue
        start = i
        while i < n and under[i]:
            i += 1
        pk = start - 1
        recovered = i < n
        end = i if recovered else n - 1
        trough = start + int(np.argmin(v[start:i]))
        periods.append({"valid": 1, "recovered": int(recovered), "peak": pk, "trough": trough,
                        "end": end, "depth": float(v[trough] / v[pk] - 1),
                        "sessions": end - pk, "days": days[end] - days[pk]})
    return periods


def no_period():
    return {"valid": 0, "recovered": 0, "peak": 0, "trough": 0, "end": 0, "depth": math.nan,
            "sessions": 0, "days": 0}


def attribution(trades, key):
    groups = {}
    for t in trades:
        groups.setdefault(t[key] or "", []).append(t["pnl"])
    rows = []
    for name in sorted(groups, key=lambda s: s.encode()):
        p = np.array(groups[name])
        rows.append({"name": name, "pnl_cents": int(p.sum()), "trades": len(p),
                     "wins": int((p > 0).sum()), "losses": int((p < 0).sum()),
                     "win_rate": float((p > 0).sum() / len(p))})
    return rows


def splitmix_outputs(seed, count):
    """Outputs 0..count-1 of SplitMix64 seeded with seed: output k is the
    mix of seed + (k + 1) * golden, mod 2^64 (numpy uint64 arithmetic wraps)."""
    golden = np.uint64(0x9E3779B97F4A7C15)
    k = np.arange(1, count + 1, dtype=np.uint64)
    z = np.uint64(seed) + k * golden
    z = (z ^ (z >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
    z = (z ^ (z >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
    return z ^ (z >> np.uint64(31))


def bootstrap_alpha(y, x, reps, block, seed, conf):
    m = len(y)
    z = splitmix_outputs(seed, 2 * m * reps).reshape(reps, m, 2)
    u = (z[:, :, 0] >> np.uint64(11)).astype(np.float64) * 2.0 ** -53
    j = (((z[:, :, 1] >> np.uint64(32)) * np.uint64(m)) >> np.uint64(32)).astype(np.int64)
    idx = np.empty((reps, m), dtype=np.int64)
    idx[:, 0] = j[:, 0]
    for t in range(1, m):
        idx[:, t] = np.where(u[:, t] < 1.0 / block, j[:, t], (idx[:, t - 1] + 1) % m)
    alphas = []
    for b in range(reps):
        xb, yb = x[idx[b]], y[idx[b]]
        if not np.var(xb) > VAR_ZERO:
            continue
        beta = np.sum((xb - xb.mean()) * (yb - yb.mean())) / np.sum((xb - xb.mean()) ** 2)
        alphas.append((yb.mean() - beta * xb.mean()) * YEAR)
    if not alphas:
        return math.nan, math.nan, 0
    lo, hi = np.quantile(np.array(alphas), [(1 - conf) / 2, 1 - (1 - conf) / 2])
    return float(lo), float(hi), len(alphas)


def hac_se(y):
    m = len(y)
    mu = np.mean(y)
    s2 = np.mean((y - mu) ** 2)
    lags = min(int(math.floor(4 * (m / 100) ** (2 / 9))), m - 1)
    if not s2 > VAR_ZERO:
        return math.nan, lags
    u = np.column_stack([y - mu, (y - mu) ** 2 - s2])
    omega = u.T @ u / m
    for j in range(1, lags + 1):
        g = u[j:].T @ u[:-j] / m
        omega += (1 - j / (lags + 1)) * (g + g.T)
    sig = math.sqrt(s2)
    grad = np.array([1 / sig, -mu / (2 * sig ** 3)])
    q = float(grad @ omega @ grad)
    return (math.sqrt(YEAR * q / m) if q > 0 else math.nan), lags


def reference_case(c):
    opt = dict(c["options"])
    window = opt["window"] or 126
    conf = opt["confidence"] or 0.95
    reps = opt["boot_reps"] or 1000
    dates = c["dates"]
    days = [day_number(d) for d in dates]
    n = len(dates)
    m = max(n - 1, 0)
    v = np.array(c["value"], dtype=np.float64)
    nan = math.nan
    s = {k: nan for k in (
        "total_return", "cagr", "cagr_calendar", "volatility", "sharpe", "sortino",
        "max_drawdown", "calmar", "tail_ratio", "win_rate", "profit_factor", "avg_win_cents",
        "avg_loss_cents", "expectancy_cents", "avg_hold_days", "bench_return", "beta", "alpha",
        "alpha_geometric", "sharpe_se_iid", "sharpe_lo_iid", "sharpe_hi_iid", "sharpe_se_hac",
        "sharpe_lo_hac", "sharpe_hi_hac", "alpha_lo", "alpha_hi", "boot_block")}
    s["confidence"] = conf
    ints = {"n_sessions": n, "n_returns": m, "hac_lags": 0, "boot_reps": 0, "boot_used": 0,
            "window": window}

    # trades
    p = np.array([t["pnl"] for t in c["trades"]], dtype=np.int64)
    wins, losses = p[p > 0], p[p < 0]
    ints.update({"n_trades": len(p), "n_wins": len(wins), "n_losses": len(losses),
                 "n_zero": int((p == 0).sum()), "net_pnl_cents": int(p.sum()),
                 "gross_profit_cents": int(wins.sum()), "gross_loss_cents": int(losses.sum())})
    if len(p):
        s["win_rate"] = len(wins) / len(p)
        s["expectancy_cents"] = float(p.sum() / len(p))
        s["avg_hold_days"] = float(np.mean([day_number(t["closed"]) - day_number(t["opened"])
                                            for t in c["trades"]]))
    if len(wins):
        s["avg_win_cents"] = float(wins.sum() / len(wins))
    if len(losses):
        s["avg_loss_cents"] = float(losses.sum() / len(losses))
        s["profit_factor"] = float(wins.sum() / abs(losses.sum()))
    out = {"name": c["name"], "by_ticker": attribution(c["trades"], "ticker"),
           "by_strategy": attribution(c["trades"], "strategy"),
           "max_dd": no_period(), "longest_dd": no_period(), "drawdown": [],
           "rolling_sharpe": [], "first_year": 0, "monthly": [], "yearly": []}
    ints["n_tickers"] = len(out["by_ticker"])
    ints["n_strategies"] = len(out["by_strategy"])
    ints["n_years"] = 0
    out["scalars"], out["ints"] = s, ints
    if n == 0:
        return out

    # drawdowns
    y0 = datetime.date.fromisoformat(dates[0]).year
    y1 = datetime.date.fromisoformat(dates[-1]).year
    out["first_year"] = y0
    ints["n_years"] = y1 - y0 + 1
    monthly = np.full((y1 - y0 + 1, 12), nan)
    yearly = np.full(y1 - y0 + 1, nan)
    rolling = np.full(n, nan)
    dd = np.full(n, nan)
    if v[0] > 0:
        peak = np.maximum.accumulate(v)
        dd = v / peak - 1
        s["max_drawdown"] = float(dd.min())
        periods = drawdown_periods(c["value"], days)
        if periods:
            out["max_dd"] = min(periods, key=lambda d: d["depth"])     # first of equals
            out["longest_dd"] = max(periods, key=lambda d: d["sessions"])
    out["drawdown"] = dd

    spy_ok = c["spy"] is not None and min(c["spy"]) > 0
    if m >= 1 and spy_ok:
        s["bench_return"] = c["spy"][-1] / c["spy"][0] - 1
    if m >= 1 and (v > 0).all():
        r = v[1:] / v[:-1] - 1
        rho = np.array([0.0 if x is None else x for x in (c["rate"] or [None] * n)])
        y = r - rho[1:] / YEAR
        s["total_return"] = v[-1] / v[0] - 1
        s["cagr"] = (v[-1] / v[0]) ** (YEAR / m) - 1
        s["cagr_calendar"] = (v[-1] / v[0]) ** (365 / (days[-1] - days[0])) - 1
        groups = {}
        for i in range(1, n):
            d = datetime.date.fromisoformat(dates[i])
            groups.setdefault((d.year, d.month), []).append(r[i - 1])
        for (yr, mo), rs in groups.items():
            monthly[yr - y0, mo - 1] = np.prod(1 + np.array(rs)) - 1
        for yr in range(y0, y1 + 1):
            rs = [r[i - 1] for i in range(1, n) if dates[i].startswith("%d-" % yr)]
            if rs:
                yearly[yr - y0] = np.prod(1 + np.array(rs)) - 1
        if s["max_drawdown"] < 0:
            s["calmar"] = s["cagr"] / abs(s["max_drawdown"])
        if m >= 2:
            var = np.var(r, ddof=1)
            s["volatility"] = math.sqrt(var) * math.sqrt(YEAR) if var > VAR_ZERO else 0.0
            sr = sharpe_per_period(y)
            s["sharpe"] = sr * math.sqrt(YEAR)
            dd2 = np.mean(np.minimum(y, 0) ** 2)
            if dd2 > VAR_ZERO:
                s["sortino"] = np.mean(y) / math.sqrt(dd2) * math.sqrt(YEAR)
            p5, p95 = np.percentile(r, [5, 95])
            if p5 != 0:
                s["tail_ratio"] = abs(p95) / abs(p5)
            for i in range(window, n):
                rolling[i] = sharpe_per_period(y[i - window:i]) * math.sqrt(YEAR)
            if not math.isnan(sr):
                z = stats.norm.ppf((1 + conf) / 2)
                se = math.sqrt(YEAR * (1 + sr * sr / 2) / m)
                s["sharpe_se_iid"] = se
                s["sharpe_lo_iid"], s["sharpe_hi_iid"] = s["sharpe"] - z * se, s["sharpe"] + z * se
                se, ints["hac_lags"] = hac_se(y)
                s["sharpe_se_hac"] = se
                s["sharpe_lo_hac"], s["sharpe_hi_hac"] = s["sharpe"] - z * se, s["sharpe"] + z * se
        if spy_ok and m >= 2:
            b = np.array(c["spy"], dtype=np.float64)
            x = b[1:] / b[:-1] - 1 - rho[1:] / YEAR
            if np.var(x) > VAR_ZERO:
                beta = np.sum((x - x.mean()) * (y - y.mean())) / np.sum((x - x.mean()) ** 2)
                a = y.mean() - beta * x.mean()
                s["beta"], s["alpha"] = beta, a * YEAR
                s["alpha_geometric"] = (1 + a) ** YEAR - 1
                if opt["boot_reps"] >= 0:
                    block = opt["boot_block"] or m ** (1 / 3)
                    s["boot_block"] = block
                    s["alpha_lo"], s["alpha_hi"], ints["boot_used"] = bootstrap_alpha(
                        y, x, reps, block, opt["seed"], conf)
                    ints["boot_reps"] = reps
    out["rolling_sharpe"] = rolling
    out["monthly"] = monthly.reshape(-1)
    out["yearly"] = yearly
    return out


def cscv_reference(mat, s, metric):
    t, n = mat.shape
    b = t // s
    rows = mat[t - b * s:]
    blocks = [rows[k * b:(k + 1) * b] for k in range(s)]

    def score(x):
        if metric == "mean":
            return x.mean(axis=0)
        var = x.var(axis=0, ddof=1)
        with np.errstate(divide="ignore", invalid="ignore"):
            return np.where(var > VAR_ZERO, x.mean(axis=0) / np.sqrt(var), np.nan)

    logits, chosen, is_s, oos_s = [], [], [], []
    for train in itertools.combinations(range(s), s // 2):
        test = [k for k in range(s) if k not in train]
        f = score(np.vstack([blocks[k] for k in train]))
        g = score(np.vstack([blocks[k] for k in test]))
        best = int(np.argmax(np.where(np.isnan(f), -np.inf, f)))
        rank = stats.rankdata(np.where(np.isnan(g), -np.inf, g))[best]
        w = rank / (n + 1)
        logits.append(math.log(w / (1 - w)))
        chosen.append(best)
        is_s.append(f[best])
        oos_s.append(g[best])
    logits = np.array(logits)
    oos = np.array(oos_s)
    return {"s": s, "metric": metric, "rows_used": b * s, "n_splits": len(logits),
            "pbo": float(np.mean(logits <= 0)),
            "p_loss": float(np.mean(np.where(np.isnan(oos), False, oos < 0))),
            "logit": nan_to_none(logits), "chosen": chosen, "is_score": nan_to_none(is_s),
            "oos_score": nan_to_none(oos)}


def dsr_reference(c):
    y = np.array(c["returns"])
    k = math.sqrt(c["periods_per_year"])
    trials = np.array(c["trials"]) / k
    n = len(trials)
    var_trials = float(np.var(trials, ddof=1)) if n >= 2 else math.nan
    g = np.euler_gamma
    sr0 = 0.0 if n == 1 else math.sqrt(var_trials) * (
        (1 - g) * stats.norm.ppf(1 - 1 / n) + g * stats.norm.ppf(1 - 1 / (n * math.e)))
    sr = float(np.mean(y) / np.std(y, ddof=1))
    skew = float(stats.skew(y))
    kurt = float(stats.kurtosis(y, fisher=False))
    t = len(y)

    def psr(star):
        return float(stats.norm.cdf((sr - star) * math.sqrt(t - 1) /
                                    math.sqrt(1 - skew * sr + (kurt - 1) / 4 * sr * sr)))
    return {"name": c["name"], "n_obs": t, "n_trials": n, "sr": sr, "sr_ann": sr * k,
            "skew": skew, "kurt": kurt, "var_trials": nan_to_none(var_trials), "sr0": sr0,
            "sr0_ann": sr0 * k, "psr": psr(0.0), "dsr": psr(sr0)}


def main():
    if "--input" in sys.argv[1:]:
        with open(INPUT, "w") as f:
            json.dump(make_input(), f, separators=(",", ":"))
            f.write("\n")
    with open(INPUT) as f:
        data = json.load(f)

    cases = []
    for c in data["cases"]:
        r = reference_case(c)
        for key in ("drawdown", "rolling_sharpe", "monthly", "yearly"):
            r[key] = nan_to_none(r[key])
        r["scalars"] = {k: nan_to_none(v) for k, v in r["scalars"].items()}
        for key in ("max_dd", "longest_dd"):
            r[key]["depth"] = nan_to_none(r[key]["depth"])
        cases.append(r)

    # The cases are what they say they are.
    ld = next(r for r in cases if r["name"] == "long_drawdown")
    assert ld["max_dd"]["recovered"] == 1 and ld["max_dd"]["peak"] == 40
    assert ld["max_dd"]["end"] == 90 and ld["longest_dd"]["recovered"] == 0
    assert ld["longest_dd"]["peak"] == 150 and ld["longest_dd"]["end"] == 399
    normal = next(r for r in cases if r["name"] == "normal")
    assert normal["ints"]["n_zero"] == 5 and normal["ints"]["boot_used"] == 500

    mat = np.array(data["cscv"]["matrix"])
    cscv = [cscv_reference(mat, c["s"], c["metric"]) for c in data["cscv"]["cases"]]
    dsr = [dsr_reference(c) for c in data["dsr"]]
    with open(REF, "w") as f:
        f.write('{"generator":"tests/gen_metrics_ref.py (numpy %s, scipy %s)",\n'
                % (np.__version__, __import__("scipy").__version__))
        f.write('"cases":[\n')
        f.write(",\n".join(json.dumps(c, separators=(",", ":"), allow_nan=False) for c in cases))
        f.write('],\n"cscv":[\n')
        f.write(",\n".join(json.dumps(c, separators=(",", ":"), allow_nan=False) for c in cscv))
        f.write('],\n"dsr":[\n')
        f.write(",\n".join(json.dumps(c, separators=(",", ":"), allow_nan=False) for c in dsr))
        f.write("]}\n")


if __name__ == "__main__":
    main()
