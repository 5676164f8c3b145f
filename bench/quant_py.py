#!/usr/bin/python3
"""quant_py.py - the Python side of bench/quant.sh (issue 12), on the cases
bench/quant_cases.py wrote into DIR:

  - price + five greeks vectorised with numpy and scipy.special.ndtr over
    the whole arrays at once (the usual way to do it fast in Python), in
    bs.h's units;
  - implied volatility the brief's way (bench/brief_daily.py): scipy's
    brentq on the Black-Scholes price over [0.005, 5] with xtol 1e-10,
    scipy.stats.norm for N, one case at a time, on every 50th case.

Prints "name ns_per_option" lines (the median of several timed passes after
a warm-up pass) and writes DIR/out_py_numpy.f64 and DIR/out_py_brentq.f64.

    /usr/bin/python3 bench/quant_py.py DIR
"""
import math
import os
import sys
import time

import numpy as np
import scipy
from scipy.optimize import brentq
from scipy.special import ndtr
from scipy.stats import norm

REPS = 9
REPS_BRENTQ = 3


def load(d, name, dtype="<f8"):
    return np.fromfile(os.path.join(d, name), dtype=dtype)


def greeks(call, S, K, T, r, q, sigma):
    """Price, delta, gamma, vega, theta, rho of every option at once."""
    sgn = np.where(call, 1.0, -1.0)
    rt = np.sqrt(T)
    sd = sigma * rt
    d1 = (np.log(S / K) + (r - q + 0.5 * sigma * sigma) * T) / sd
    d2 = d1 - sd
    eq, er = np.exp(-q * T), np.exp(-r * T)
    n1, n2 = ndtr(sgn * d1), ndtr(sgn * d2)
    pdf = np.exp(-0.5 * d1 * d1) / math.sqrt(2 * math.pi)
    sq, kr = S * eq, K * er
    price = sgn * (sq * n1 - kr * n2)
    delta = sgn * eq * n1
    gamma = eq * pdf / (S * sd)
    vega = sq * pdf * rt
    theta = -sq * pdf * sigma / (2 * rt) + sgn * (q * sq * n1 - r * kr * n2)
    rho = sgn * T * kr * n2
    return price, delta, gamma, vega, theta, rho


def bs_price(right, S, K, T, r, q, sigma):
    """bench/brief_daily.py's bs_call, with the put by its own formula."""
    if T <= 0 or sigma <= 0:
        x = S * math.exp(-q * T) - K * math.exp(-r * T)
        return max(0.0, x if right == "C" else -x)
    d1 = (math.log(S / K) + (r - q + 0.5 * sigma * sigma) * T) / (sigma * math.sqrt(T))
    d2 = d1 - sigma * math.sqrt(T)
    if right == "C":
        return S * math.exp(-q * T) * norm.cdf(d1) - K * math.exp(-r * T) * norm.cdf(d2)
    return K * math.exp(-r * T) * norm.cdf(-d2) - S * math.exp(-q * T) * norm.cdf(-d1)


def implied_vol(right, price, S, K, T, r, q):
    """bench/brief_daily.py's implied_vol."""
    f = lambda s: bs_price(right, S, K, T, r, q, s) - price
    try:
        return brentq(f, 0.005, 5.0, xtol=1e-10)
    except ValueError:
        return float("nan")


def median_ns(fn, n, reps):
    fn()
    t = []
    for _ in range(reps):
        t0 = time.perf_counter()
        fn()
        t.append((time.perf_counter() - t0) * 1e9 / n)
    return sorted(t)[len(t) // 2]


def main():
    d = sys.argv[1]
    print(f"info Python {sys.version.split()[0]}, numpy {np.__version__}, scipy {scipy.__version__}")
    cols = [load(d, f"g_{k}.f64") for k in ("S", "K", "T", "r", "q", "sigma")]
    call = load(d, "g_right.u8", "u1") == ord("C")
    n = len(call)
    out = [None]

    def run():
        out[0] = greeks(call, *cols)

    print(f"py_numpy {median_ns(run, n, REPS):.2f}")
    np.asarray(out[0]).tofile(os.path.join(d, "out_py_numpy.f64"))

    sub = load(d, "iv_sub.i64", "<i8")
    S, K, T, r, q, price = (load(d, f"iv_{k}.f64")[sub] for k in ("S", "K", "T", "r", "q", "price"))
    right = [chr(c) for c in load(d, "iv_right.u8", "u1")[sub]]
    args = [(right[i], float(price[i]), float(S[i]), float(K[i]), float(T[i]), float(r[i]),
             float(q[i])) for i in range(len(sub))]
    iv = [None]

    def solve():
        iv[0] = [implied_vol(*a) for a in args]

    print(f"py_brentq {median_ns(solve, len(sub), REPS_BRENTQ):.2f}")
    np.asarray(iv[0], dtype="<f8").tofile(os.path.join(d, "out_py_brentq.f64"))


if __name__ == "__main__":
    main()
