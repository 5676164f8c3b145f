#!/usr/bin/python3
"""gen_hv_ref.py - writes tests/unit/hv_ref.h, the reference values of
src/quant/hv.c's six historical-volatility estimators (tests/unit/test_hv.c),
computed here from the estimators' formulas written out again, and checks
two known properties of them by simulation.

    /usr/bin/python3 tests/gen_hv_ref.py > tests/unit/hv_ref.h

The bar set: 41 daily bars (dates 2024-01-02 on, weekdays), from a fixed
numpy seed: a geometric Brownian motion sampled 390 times a session (a
minute each), with an overnight gap (the open is not the previous close)
and a drift, rounded to cents, so that every estimator sees something
different. Prices are written with repr(), so C reads the very doubles
Python used.

The reference values: each estimator's formula (docs/volatility.md) in
numpy (pandas for close-to-close's rolling sample standard deviation, as
a cross-check of numpy's), and again in mpmath at 40 digits; the two must
agree to 1e-13 relative or the script stops, and the mpmath value is
written. Windows: 2, 5, 20 and the largest the 41 bars allow (40 for the
estimators that need the close before the window, 41 for the others);
ewma's lambda 0.94, 0.5, 1 and 1e-9.

The properties, checked here by simulation before anything is written
(each a statement of docs/volatility.md):
  1. Open == previous close, no drift, a constant sigma: Garman-Klass and
     Rogers-Satchell (and Parkinson, and Yang-Zhang) estimate the same
     daily variance: Garman-Klass's and Rogers-Satchell's means over 4000
     sessions of 2000 steps agree within 1%, and every one is within 6% of
     sigma^2 (a range sampled at 2000 points is a little short of the
     continuous one: about 4% of the variance).
  2. The same draws with a drift of 200% a year: Rogers-Satchell's mean
     moves by under 1%, Parkinson's up by over 5% and Garman-Klass's by
     over 2%.
  3. Overnight gaps of the same variance as a session: Yang-Zhang sees
     them (within 6% of twice sigma^2), Garman-Klass does not (within 6%
     of sigma^2: half the close-to-close variance).
"""
import sys

import mpmath
import numpy as np
import pandas as pd

mpmath.mp.dps = 40
LN2 = np.log(2.0)


def make_bars():
    rng = np.random.default_rng(20240102)
    steps, n, sigma, mu = 390, 41, 0.25, 0.10
    dt = 1.0 / 252 / steps
    day = np.datetime64("2024-01-02")
    bars, prev = [], 100.0
    while len(bars) < n:
        if np.is_busday(day):
            gap = rng.normal(0.0, 0.006)
            path = np.log(prev) + gap + np.cumsum(
                np.concatenate([[0.0], rng.normal((mu - sigma**2 / 2) * dt, sigma * np.sqrt(dt), steps)]))
            px = np.round(np.exp(path), 2)
            o, c = px[0], px[-1]
            h, lo = max(px.max(), o, c), min(px.min(), o, c)
            bars.append((int((day - np.datetime64("1970-01-01")).astype(int)), float(o), float(h), float(lo), float(c)))
            prev = c
        day += 1
    return bars


# ---- the formulas, in numpy ----

def np_close(b, w):
    c = np.array([x[4] for x in b])[-(w + 1):]
    r = np.diff(np.log(c))
    s = pd.Series(np.log(c)).diff().rolling(w).std(ddof=1).iloc[-1]
    a = np.std(r, ddof=1)
    assert abs(a - s) <= 1e-13 * a
    return a * np.sqrt(252)


def ohlc(b, w):
    x = np.array([y[1:] for y in b])[-w:]
    return x[:, 0], x[:, 1], x[:, 2], x[:, 3]


def np_parkinson(b, w):
    o, h, l, c = ohlc(b, w)
    return np.sqrt(np.sum(np.log(h / l) ** 2) / (4 * w * LN2) * 252)


def np_gk(b, w):
    o, h, l, c = ohlc(b, w)
    t = 0.5 * np.log(h / l) ** 2 - (2 * LN2 - 1) * np.log(c / o) ** 2
    return np.sqrt(np.mean(t) * 252)


def rs_terms(o, h, l, c):
    return np.log(h / c) * np.log(h / o) + np.log(l / c) * np.log(l / o)


def np_rs(b, w):
    return np.sqrt(np.mean(rs_terms(*ohlc(b, w))) * 252)


def np_yz(b, w):
    o, h, l, c = ohlc(b, w)
    cprev = np.array([y[4] for y in b])[-(w + 1):-1]
    vo = np.var(np.log(o / cprev), ddof=1)
    vc = np.var(np.log(c / o), ddof=1)
    vrs = np.mean(rs_terms(o, h, l, c))
    k = 0.34 / (1.34 + (w + 1) / (w - 1))
    return np.sqrt((vo + k * vc + (1 - k) * vrs) * 252)


def np_ewma(b, w, lam):
    c = np.array([x[4] for x in b])[-(w + 1):]
    r = np.diff(np.log(c))[::-1]  # newest first
    wt = lam ** np.arange(w)
    return np.sqrt(np.sum(wt * r**2) / np.sum(wt) * 252)


# ---- the same in mpmath ----

def mp(x):
    return mpmath.mpf(x)


def mp_close(b, w):
    c = [mp(x[4]) for x in b][-(w + 1):]
    r = [mpmath.log(c[i] / c[i - 1]) for i in range(1, len(c))]
    m = sum(r) / w
    return mpmath.sqrt(sum((x - m) ** 2 for x in r) / (w - 1) * 252)


def mp_bars(b, w):
    return [tuple(mp(v) for v in x[1:]) for x in b][-w:]


def mp_rs_term(o, h, l, c):
    return mpmath.log(h / c) * mpmath.log(h / o) + mpmath.log(l / c) * mpmath.log(l / o)


def mp_range(b, w, kind):
    s = 0
    for o, h, l, c in mp_bars(b, w):
        hl, co = mpmath.log(h / l), mpmath.log(c / o)
        if kind == "parkinson":
            s += hl**2 / (4 * mpmath.log(2))
        elif kind == "garman_klass":
            s += hl**2 / 2 - (2 * mpmath.log(2) - 1) * co**2
        else:
            s += mp_rs_term(o, h, l, c)
    return mpmath.sqrt(s / w * 252)


def mp_yz(b, w):
    bars = mp_bars(b, w)
    cprev = [mp(x[4]) for x in b][-(w + 1):-1]
    on = [mpmath.log(bars[i][0] / cprev[i]) for i in range(w)]
    oc = [mpmath.log(x[3] / x[0]) for x in bars]
    mo, mc = sum(on) / w, sum(oc) / w
    vo = sum((x - mo) ** 2 for x in on) / (w - 1)
    vc = sum((x - mc) ** 2 for x in oc) / (w - 1)
    vrs = sum(mp_rs_term(*x) for x in bars) / w
    k = mp("0.34") / (mp("1.34") + mp(w + 1) / (w - 1))
    return mpmath.sqrt((vo + k * vc + (1 - k) * vrs) * 252)


def mp_ewma(b, w, lam):
    c = [mp(x[4]) for x in b][-(w + 1):]
    r = [mpmath.log(c[i] / c[i - 1]) for i in range(1, len(c))][::-1]
    lam = mp(lam)
    wt = [lam**i for i in range(w)]
    return mpmath.sqrt(sum(a * x**2 for a, x in zip(wt, r)) / sum(wt) * 252)


# ---- properties, by simulation ----

def simulate(days, steps, sigma, mu, gap_sd, rng):
    """OHLC of days sessions of steps increments each; the open is the
    previous close times exp(a normal gap of sd gap_sd)."""
    dt = 1.0 / 252 / steps
    inc = rng.normal((mu - sigma**2 / 2) * dt, sigma * np.sqrt(dt), (days, steps))
    gaps = rng.normal(0.0, gap_sd, days) if gap_sd else np.zeros(days)
    intra = np.concatenate([np.zeros((days, 1)), np.cumsum(inc, axis=1)], axis=1)
    opens_log = np.cumsum(gaps + np.concatenate([[0.0], intra[:-1, -1]]))
    lp = opens_log[:, None] + intra
    o, c = lp[:, 0], lp[:, -1]
    h, l = lp.max(axis=1), lp.min(axis=1)
    return np.exp(o), np.exp(h), np.exp(l), np.exp(c)


def daily_means(o, h, l, c):
    """Mean daily variance by each estimator over all the sessions."""
    hl, co = np.log(h / l), np.log(c / o)
    n = len(o)
    yz_k = 0.34 / (1.34 + (n + 1) / (n - 1))
    rs = np.mean(rs_terms(o, h, l, c))
    return {
        "close": np.var(np.diff(np.log(c)), ddof=1),
        "parkinson": np.mean(hl**2) / (4 * LN2),
        "garman_klass": np.mean(0.5 * hl**2 - (2 * LN2 - 1) * co**2),
        "rogers_satchell": rs,
        "yang_zhang": np.var(np.log(o[1:] / c[:-1]), ddof=1) + yz_k * np.var(co[1:], ddof=1)
        + (1 - yz_k) * np.mean(rs_terms(o[1:], h[1:], l[1:], c[1:])),
    }


def check_properties():
    rng = np.random.default_rng(7)
    sigma = 0.20
    s2 = sigma**2 / 252
    v = daily_means(*simulate(4000, 2000, sigma, 0.0, 0.0, rng))
    gk, rs = v["garman_klass"], v["rogers_satchell"]
    assert abs(gk / rs - 1) < 0.01, ("GK and RS apart", gk, rs)
    for k in ("parkinson", "garman_klass", "rogers_satchell", "yang_zhang"):
        assert abs(v[k] / s2 - 1) < 0.06, (k, v[k] / s2)
    print("# property 1 (no drift, no gaps): variance / sigma^2: "
          + ", ".join("%s %.4f" % (k, x / s2) for k, x in v.items()), file=sys.stderr)
    rng = np.random.default_rng(7)  # the same draws, with a drift
    d = daily_means(*simulate(4000, 2000, sigma, 2.0, 0.0, rng))
    assert abs(d["rogers_satchell"] / rs - 1) < 0.01, ("RS moved with the drift", d["rogers_satchell"], rs)
    assert d["parkinson"] / v["parkinson"] - 1 > 0.05 and d["garman_klass"] / gk - 1 > 0.02, d
    print("# property 2 (drift 200%%/yr): RS %+.4f, parkinson %+.4f, GK %+.4f (relative change)"
          % (d["rogers_satchell"] / rs - 1, d["parkinson"] / v["parkinson"] - 1, d["garman_klass"] / gk - 1),
          file=sys.stderr)
    rng = np.random.default_rng(8)
    g = daily_means(*simulate(4000, 2000, sigma, 0.0, sigma / np.sqrt(252), rng))
    assert abs(g["yang_zhang"] / (2 * s2) - 1) < 0.06, g["yang_zhang"] / (2 * s2)
    assert abs(g["garman_klass"] / s2 - 1) < 0.06, g["garman_klass"] / s2
    print("# property 3 (gaps of a session's variance): YZ / 2 sigma^2 %.4f, GK / sigma^2 %.4f"
          % (g["yang_zhang"] / (2 * s2), g["garman_klass"] / s2), file=sys.stderr)


def main():
    check_properties()
    bars = make_bars()
    n = len(bars)
    for _, o, h, l, c in bars:
        assert 0 < l <= min(o, c) and max(o, c) <= h
    cases = []  # (estimator, window, lambda, value)
    fns = {
        "HV_CLOSE": (np_close, mp_close, 1),
        "HV_PARKINSON": (np_parkinson, lambda b, w: mp_range(b, w, "parkinson"), 0),
        "HV_GARMAN_KLASS": (np_gk, lambda b, w: mp_range(b, w, "garman_klass"), 0),
        "HV_ROGERS_SATCHELL": (np_rs, lambda b, w: mp_range(b, w, "rogers_satchell"), 0),
        "HV_YANG_ZHANG": (np_yz, mp_yz, 1),
    }
    for e, (f, g, extra) in fns.items():
        for w in (2, 5, 20, n - extra):
            a, m = f(bars, w), g(bars, w)
            assert abs(a - float(m)) <= 1e-13 * a, (e, w, a, m)
            cases.append((e, w, 0.0, float(m)))
    for lam in (0.94, 0.5, 1.0, 1e-9):
        for w in (2, 5, 20, n - 1):
            a, m = np_ewma(bars, w, lam), mp_ewma(bars, w, lam)
            assert abs(a - float(m)) <= 1e-13 * a, ("ewma", lam, w, a, m)
            cases.append(("HV_EWMA", w, lam, float(m)))
    out = sys.stdout
    out.write("/* generated by tests/gen_hv_ref.py (numpy %s, pandas %s, mpmath %s); do not edit */\n"
              % (np.__version__, pd.__version__, mpmath.__version__))
    out.write("/*\n * hv_ref.h - the bar set and the reference values of test_hv.c: each\n"
              " * estimator's annualised volatility over the last `window` bars, from\n"
              " * its formula in mpmath at 40 digits (numpy agreeing to 1e-13).\n */\n")
    out.write("static const struct hv_bar hv_ref_bars[%d] = {\n" % n)
    for d, o, h, l, c in bars:
        out.write("\t{%d, %r, %r, %r, %r},\n" % (d, o, h, l, c))
    out.write("};\n\nstruct hv_ref_case {\n\tint e;\n\tsize_t window;\n\tdouble lambda;\n\tdouble hv;\n};\n\n")
    out.write("static const struct hv_ref_case hv_ref_cases[] = {\n")
    for e, w, lam, v in cases:
        out.write("\t{%s, %d, %r, %r},\n" % (e, w, lam, v))
    out.write("};\n")


if __name__ == "__main__":
    main()
