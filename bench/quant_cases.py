#!/usr/bin/python3
"""quant_cases.py - the cases and the table of bench/quant.sh (issue 12).

    /usr/bin/python3 bench/quant_cases.py gen DIR [SEED]
    /usr/bin/python3 bench/quant_cases.py report DIR TIMINGS...

gen writes into DIR (deterministic from SEED, default 12; nothing is written
when DIR already holds the cases of that seed and this version) as raw
little-endian arrays that bench/quant_c.c, bench/quant_ql.cpp and
bench/quant_py.py read:

  Price + greeks: 500 option chains of 100 strikes, a call and a put each
  (100,000 options), one spot, expiry, rate and yield per chain (T from a
  day to three years), a volatility smile across the strikes. g_S.f64,
  g_K.f64, g_T.f64, g_r.f64, g_q.f64, g_sigma.f64, g_right.u8 ('C'/'P'),
  g_chain.i64 (the chains' first indices and the end). A subsample of 2,000
  options (every 50th, g_sub.i64) gets its price and five greeks in mpmath
  at 50 digits (g_ref.f64, six columns, bs.h's units).

  Implied volatility: 140,000 cases (over 100,000 of them counted) with T log-uniform from one hour to 30
  years, sigma log-uniform from 0.1% to 1000%, ln(K/F) uniform over +-6
  total standard deviations (clipped to +-6: deep in to deep out of the
  money, both rights); S = 100, r in [-1%, 8%], q in [0, 5%]. iv_S.f64 ...
  iv_q.f64, iv_right.u8, iv_sigma.f64 (the true volatility), iv_price.f64:
  the Black-Scholes-Merton price at that volatility evaluated in mpmath at
  50 digits and rounded once to double, so the true volatility of each
  price is known; iv_vega.f64 (dV/dsigma at it, for the exclusion rule).
  iv_sub.i64: 2,800 cases (every 50th) for the slow solver.

report reads the method's outputs (out_*.f64) and the timings (lines
"name ns_per_option" in the TIMINGS files) and prints the table.
"""
import math
import os
import random
import sys

import mpmath
import numpy as np

VERSION = 4
N_CHAINS, N_STRIKES = 500, 100
N_IV = 140_000
SUB_STEP = 50
EPS = 2.0**-52
# A case whose price cannot carry 1e-12 relative information about sigma is
# excluded from the IV accuracy counts: the price's rounding error (half an
# ulp, at least half the smallest subnormal) over its elasticity vega*sigma.
EXCLUDE = 1e-13
RULE = ("a case is excluded when its price does not carry 1e-12 information:\n"
        "  max(eps * price, 2^-1074) / (vega * sigma) > 1e-13 (the price's rounding error\n"
        "  over its elasticity), or the price is not strictly inside the no-arbitrage bounds")

mpmath.mp.dps = 50


def bsm(right, S, K, T, r, q, sigma, greeks=True):
    """Price (and greeks) at 50 digits from exact doubles (bs.h's units)."""
    S, K, T, r, q, sigma = (mpmath.mpf(v) for v in (S, K, T, r, q, sigma))
    eq, er = mpmath.exp(-q * T), mpmath.exp(-r * T)
    sq, kr, rt = S * eq, K * er, mpmath.sqrt(T)
    sd = sigma * rt
    d1 = (mpmath.log(S / K) + (r - q) * T) / sd + sd / 2
    d2 = d1 - sd
    pdf = mpmath.npdf(d1)
    if right == 'C':
        n1, n2, sg = mpmath.ncdf(d1), mpmath.ncdf(d2), 1
    else:
        n1, n2, sg = mpmath.ncdf(-d1), mpmath.ncdf(-d2), -1
    price = sg * (sq * n1 - kr * n2)
    vega = sq * pdf * rt
    if not greeks:
        return price, vega
    delta = sg * eq * n1
    gamma = eq * pdf / (S * sd)
    theta = -sq * pdf * sigma / (2 * rt) + sg * (q * sq * n1 - r * kr * n2)
    rho = sg * T * kr * n2
    return price, delta, gamma, vega, theta, rho


def greeks_cases(rnd):
    cols = {k: [] for k in ("S", "K", "T", "r", "q", "sigma", "right")}
    starts = []
    for _ in range(N_CHAINS):
        starts.append(len(cols["S"]))
        S = math.exp(rnd.uniform(math.log(20), math.log(600)))
        T = math.exp(rnd.uniform(math.log(1 / 365), math.log(3)))
        r, q = rnd.uniform(0, 0.06), rnd.uniform(0, 0.03)
        atm, skew = rnd.uniform(0.1, 0.6), rnd.uniform(-0.4, 0.0)
        F = S * math.exp((r - q) * T)
        width = 3 * atm * math.sqrt(T)
        for j in range(N_STRIKES):
            x = -width + 2 * width * j / (N_STRIKES - 1)
            K = round(F * math.exp(x), 2)
            sigma = max(0.03, atm * (1 + skew * x / max(width, 1e-9) * 0.5))
            for right in "CP":
                for k, v in zip(cols, (S, K, T, r, q, sigma, right)):
                    cols[k].append(v)
    starts.append(len(cols["S"]))
    return cols, starts


def iv_cases(rnd):
    hour = 1 / (365 * 24)
    cols = {k: [] for k in ("S", "K", "T", "r", "q", "sigma", "right")}
    for _ in range(N_IV):
        T = math.exp(rnd.uniform(math.log(hour), math.log(30)))
        sigma = math.exp(rnd.uniform(math.log(0.001), math.log(10)))
        r, q = rnd.uniform(-0.01, 0.08), rnd.uniform(0, 0.05)
        x = max(-6.0, min(6.0, rnd.uniform(-6, 6) * sigma * math.sqrt(T)))
        K = 100 * math.exp((r - q) * T + x)
        for k, v in zip(cols, (100.0, K, T, r, q, sigma, rnd.choice("CP"))):
            cols[k].append(v)
    return cols


def write(d, name, values, dtype):
    np.asarray(values, dtype=dtype).tofile(os.path.join(d, name))


def gen(d, seed):
    stamp = os.path.join(d, "cases.stamp")
    want = f"version {VERSION} seed {seed}\n"
    if os.path.exists(stamp) and open(stamp).read() == want:
        return
    os.makedirs(d, exist_ok=True)
    rnd = random.Random(seed)
    g, starts = greeks_cases(rnd)
    for k in ("S", "K", "T", "r", "q", "sigma"):
        write(d, f"g_{k}.f64", g[k], "<f8")
    write(d, "g_right.u8", [ord(c) for c in g["right"]], "u1")
    write(d, "g_chain.i64", starts, "<i8")
    sub = list(range(0, len(g["S"]), SUB_STEP))
    write(d, "g_sub.i64", sub, "<i8")
    ref = [[float(v) for v in bsm(*(g[k][i] for k in ("right", "S", "K", "T", "r", "q",
                                                        "sigma")))] for i in sub]
    write(d, "g_ref.f64", ref, "<f8")
    iv = iv_cases(rnd)
    price, vega = [], []
    for i in range(N_IV):
        p, v = bsm(*(iv[k][i] for k in ("right", "S", "K", "T", "r", "q", "sigma")),
                   greeks=False)
        price.append(float(p))
        vega.append(float(v))
    for k in ("S", "K", "T", "r", "q", "sigma"):
        write(d, f"iv_{k}.f64", iv[k], "<f8")
    write(d, "iv_right.u8", [ord(c) for c in iv["right"]], "u1")
    write(d, "iv_price.f64", price, "<f8")
    write(d, "iv_vega.f64", vega, "<f8")
    write(d, "iv_sub.i64", list(range(0, N_IV, SUB_STEP)), "<i8")
    with open(stamp, "w") as f:
        f.write(want)


def load(d, name, dtype="<f8"):
    return np.fromfile(os.path.join(d, name), dtype=dtype)


def included(d):
    """The IV cases whose price carries 1e-12 information (RULE)."""
    S, K, T, r, q = (load(d, f"iv_{k}.f64") for k in "S K T r q".split())
    right = load(d, "iv_right.u8", "u1")
    price, vega, sigma = load(d, "iv_price.f64"), load(d, "iv_vega.f64"), load(d, "iv_sigma.f64")
    sq, kr = S * np.exp(-q * T), K * np.exp(-r * T)
    call = right == ord("C")
    lower = np.where(call, np.maximum(sq - kr, 0), np.maximum(kr - sq, 0))
    upper = np.where(call, sq, kr)
    err = np.maximum(EPS * price, 2.0**-1074)
    with np.errstate(divide="ignore", invalid="ignore"):
        ok = (err / (vega * sigma) <= EXCLUDE) & (price > lower) & (price < upper)
    return ok, sigma


def timings(files):
    t = {}
    for fn in files:
        for line in open(fn):
            parts = line.split()
            if len(parts) == 2:
                t[parts[0]] = float(parts[1])
            elif len(parts) > 2 and parts[0] == "info":
                t.setdefault("info", []).append(" ".join(parts[1:]))
    return t


def report(d, files):
    t = timings(files)
    for line in t.get("info", []):
        print(line)
    print()
    n_g = len(load(d, "g_S.f64"))
    sub = load(d, "g_sub.i64", "<i8")
    ref = load(d, "g_ref.f64").reshape(-1, 6)
    names = ("price", "delta", "gamma", "vega", "theta", "rho")
    rows = [("ours, scalar bs_greeks", "c_scalar", "out_c_scalar.f64"),
            ("ours, chain_greeks", "c_chain", "out_c_chain.f64"),
            ("QuantLib BlackCalculator", "ql_black", "out_ql_black.f64"),
            ("numpy + scipy.special.ndtr", "py_numpy", "out_py_numpy.f64")]
    print(f"price + five greeks: {n_g:,} options in {N_CHAINS} chains of "
          f"{n_g // N_CHAINS}; accuracy on {len(sub):,} of them vs mpmath (50 digits)")
    print("  max relative error |x - ref| / |ref| per output")
    hdr = f"  {'method':28}{'ns/option':>10}" + "".join(f"{n:>9}" for n in names)
    print(hdr)
    for label, key, fn in rows:
        path = os.path.join(d, fn)
        errs = ""
        if os.path.exists(path):
            out = load(d, fn).reshape(6, n_g)[:, sub].T
            with np.errstate(divide="ignore", invalid="ignore"):
                rel = np.abs(out - ref) / np.abs(ref)
            rel = np.where(ref == 0, np.where(out == 0, 0, np.inf), rel)
            errs = "".join(f"{np.max(np.where(np.isnan(rel[:, j]), np.inf, rel[:, j])):9.1e}"
                           for j in range(6))
        ns = t.get(key)
        print(f"  {label:28}{ns if ns else float('nan'):10.1f}{errs}")
    c, ql, py = t.get("c_chain"), t.get("ql_black"), t.get("py_numpy")
    if c and ql and py:
        print(f"  goals: chain_greeks vs BlackCalculator {ql / c:.1f}x (>= 10x: "
              f"{'met' if ql / c >= 10 else 'NOT met'}); vs numpy {py / c:.1f}x "
              f"(>= 3x: {'met' if py / c >= 3 else 'NOT met'})")
        print(f"  (the issue's <= 16 ns an option assumed BlackCalculator at about 160 ns; "
              f"here {c:.1f} ns against its {ql:.0f} ns)")
    print()

    ok, sigma = included(d)
    n = len(ok)
    isub = load(d, "iv_sub.i64", "<i8")
    print(f"implied volatility: {n:,} cases, T 1 hour..30 years, sigma 0.1%..1000%, "
          f"ln(K/F) within +-6 sd (clipped to +-6)")
    print(f"  {RULE}:")
    print(f"  {n - ok.sum():,} excluded, {ok.sum():,} counted")
    print(f"  {'method':34}{'ns/option':>10}{'cases':>8}{'no answer':>10}{'max rel':>10}"
          f"{'median rel':>11}{'<= 1e-12':>10}")
    rows = [("ours, bs_implied_vol (scalar)", "c_iv", "out_c_iv.f64", None),
            ("ours, chain_iv (chain.h)", "c_chain_iv", "out_c_chain_iv.f64", None),
            ("ours, Black chain (lbr.h) [a]", "c_lbr", "out_c_lbr.f64", None),
            ("QuantLib LiRS, accuracy 1e-10", "ql_lirs", "out_ql_lirs.f64", None),
            ("QuantLib blackFormulaImpliedStdDev", "ql_stddev", "out_ql_stddev.f64", None),
            ("brief: scipy brentq [0.005, 5]", "py_brentq", "out_py_brentq.f64", isub)]
    all12 = {}
    for label, key, fn, idx in rows:
        path = os.path.join(d, fn)
        if not os.path.exists(path):
            continue
        out = load(d, fn)
        okk, sig = (ok, sigma) if idx is None else (ok[idx], sigma[idx])
        rel = np.abs(out - sig) / sig
        m = okk & np.isfinite(out)
        none = int((okk & ~np.isfinite(out)).sum())
        within = int((m & (rel <= 1e-12)).sum())
        all12[key] = within == int(okk.sum())
        mx = np.max(rel[m]) if m.any() else float("nan")
        med = np.median(rel[m]) if m.any() else float("nan")
        ns = t.get(key, float("nan"))
        print(f"  {label:34}{ns:10.1f}{int(okk.sum()):8d}{none:10d}{mx:10.1e}{med:11.1e}"
              f"{within:10d}")
    lirs, br, best = t.get("ql_lirs"), t.get("py_brentq"), t.get("c_chain_iv")
    if best and lirs and br:
        print(f"  goals: ours (chain_iv) vs LiRS {lirs / best:.1f}x (>= 10x: "
              f"{'met' if lirs / best >= 10 else 'NOT met'}); vs brentq {br / best:,.0f}x "
              f"(>= 5000x: {'met' if br / best >= 5000 else 'NOT met'}); within 1e-12 on "
              f"every counted case: {'met' if all12.get('c_chain_iv') else 'NOT met'}")
    print("  [a] lbr_implied_vol_chain on Black's inputs, the forward and the undiscounted price")
    print("      rounded to double before the clock starts: ln F/K then carries the forward's")
    print("      rounding, which the BSM entries avoid where ln S/K and (r - q)T cancel")
    print("  (no answer: the solver returned nothing or NaN on a counted case; "
          "brentq on every 50th case, its ns/option from those)")


def main():
    if len(sys.argv) >= 3 and sys.argv[1] == "gen":
        gen(sys.argv[2], int(sys.argv[3]) if len(sys.argv) > 3 else 12)
    elif len(sys.argv) >= 3 and sys.argv[1] == "report":
        report(sys.argv[2], sys.argv[3:])
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main()
