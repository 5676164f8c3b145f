#!/usr/bin/python3
"""gen_chain_ref.py - writes tests/data/chain_ref.csv, the 50-digit reference
table of tests/unit/test_chain.c (src/quant/chain.c, issue 12 point 5).

    /usr/bin/python3 tests/gen_chain_ref.py > tests/data/chain_ref.csv

Each row is one European option under Black-Scholes-Merton with a continuous
dividend yield, its price and the five greeks of src/quant/bs.h (vega and
rho per 1.00 of sigma and r, theta = -dV/dT per year), evaluated with mpmath
at 50 significant digits from the exact double inputs and rounded once to
double (Python's repr, which reads back to the same double).

The cases: a grid over moneyness (strike / forward from deep in to deep out
of the money, in standard deviations), T from one hour to thirty years and
sigma from 0.1% to 1000%, with rates and yields of both signs; then random
cases from a fixed seed. Cases whose price underflows (below 1e-300) are
left out: nothing is left to compare there.

Columns: right,S,K,T,r,q,sigma,price,delta,gamma,vega,theta,rho.
"""
import math
import random
import sys

import mpmath

mpmath.mp.dps = 50


def greeks(right, S, K, T, r, q, sigma):
    """Price and the five greeks at 50 digits, from the exact doubles."""
    S, K, T, r, q, sigma = (mpmath.mpf(v) for v in (S, K, T, r, q, sigma))
    sq = S * mpmath.exp(-q * T)
    kr = K * mpmath.exp(-r * T)
    sd = sigma * mpmath.sqrt(T)
    d1 = (mpmath.log(S / K) + (r - q) * T) / sd + sd / 2
    d2 = d1 - sd
    pdf = mpmath.npdf(d1)
    gamma = mpmath.exp(-q * T) * pdf / (S * sd)
    vega = sq * pdf * mpmath.sqrt(T)
    decay = -sq * pdf * sigma / (2 * mpmath.sqrt(T))
    if right == 'C':
        n1, n2 = mpmath.ncdf(d1), mpmath.ncdf(d2)
        price = sq * n1 - kr * n2
        delta = mpmath.exp(-q * T) * n1
        theta = decay + q * sq * n1 - r * kr * n2
        rho = T * kr * n2
    else:
        n1, n2 = mpmath.ncdf(-d1), mpmath.ncdf(-d2)
        price = kr * n2 - sq * n1
        delta = -mpmath.exp(-q * T) * n1
        theta = decay - q * sq * n1 + r * kr * n2
        rho = -T * kr * n2
    return [float(v) for v in (price, delta, gamma, vega, theta, rho)]


def cases():
    """The grid, then 200 random cases (seed 12)."""
    hour = 1.0 / (365 * 24)
    out = []
    for T in (hour, 1.0 / 365, 7.0 / 365, 0.25, 1.0, 5.0, 30.0):
        for sigma in (0.001, 0.05, 0.2, 1.0, 10.0):
            for z in (-8.0, -3.0, -1.0, -0.1, 0.0, 0.1, 1.0, 3.0, 8.0):
                S, r, q = 100.0, 0.045, 0.013
                fwd = S * math.exp((r - q) * T)
                K = fwd * math.exp(z * sigma * math.sqrt(T))
                if not 1e-6 < K < 1e8:
                    continue
                for right in 'CP':
                    out.append((right, S, K, T, r, q, sigma))
    rnd = random.Random(12)
    for _ in range(200):
        T = math.exp(rnd.uniform(math.log(hour), math.log(30.0)))
        sigma = math.exp(rnd.uniform(math.log(0.001), math.log(10.0)))
        S = math.exp(rnd.uniform(math.log(5.0), math.log(2000.0)))
        z = rnd.uniform(-6.0, 6.0)
        K = S * math.exp(z * sigma * math.sqrt(T))
        r = rnd.uniform(-0.01, 0.1)
        q = rnd.uniform(-0.005, 0.06)
        out.append((rnd.choice('CP'), S, K, T, r, q, sigma))
    return out


def main():
    w = sys.stdout.write
    w("right,S,K,T,r,q,sigma,price,delta,gamma,vega,theta,rho\n")
    for c in cases():
        g = greeks(*c)
        if not g[0] > 1e-300:
            continue
        w(",".join([c[0]] + [repr(v) for v in c[1:]] + [repr(v) for v in g]) + "\n")


if __name__ == "__main__":
    main()
