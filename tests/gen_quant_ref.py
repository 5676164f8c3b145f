#!/usr/bin/python3
"""gen_quant_ref.py - the reference tables of src/quant/ (DESIGN.md §2 quant/):
tests/data/quant_ref.csv for bs.c from QuantLib, and the 50-digit mpmath
tables of lbr.c (implied volatility by Let's Be Rational) and of
bs_implied_vol.

    /usr/bin/python3 tests/gen_quant_ref.py > tests/data/quant_ref.csv
    /usr/bin/python3 tests/gen_quant_ref.py special > tests/data/lbr_special_ref.csv
    /usr/bin/python3 tests/gen_quant_ref.py black > tests/data/lbr_black_ref.csv
    /usr/bin/python3 tests/gen_quant_ref.py iv > tests/data/iv_ref.csv

`special`: erfcx(x) and the inverse normal CDF ppf(p) at exact doubles,
rows "erfcx,x,value" and "ppf,p,value" (the value the exact function takes
at the double argument, rounded to the nearest double).

`black`: the normalised Black function of lbr.h, b(x, s) =
e^{x/2} Phi(x/s + s/2) - e^{-x/2} Phi(x/s - s/2) for x <= 0 (an
out-of-the-money call), on a grid of x from 0 to -700 and s from 1e-7 to
300 and on random points; columns x,s,b,c,eb,ec,bitm: c = e^{x/2} - b,
eb = s b'(s) / b and ec = s b'(s) / c the elasticities of b and of c to s
(how much of s the value determines), bitm = b(-x, s) for the call in the
money (2 sinh(|x|/2) + b). Rows where b is 0 in doubles are left out.

`iv`: Black-Scholes-Merton prices (bs.h's units) at volatilities from 0.1%
to 1000%, T from one hour to 30 years, strikes from deep in to deep out of
the money, calls and puts, and the cases of issue 12 (0.4%, 0.5%, 500%);
columns right,S,K,T,r,q,sigma,price,elast with elast = vega sigma / price,
the price's elasticity to sigma. The test asserts 1e-12 relative where
2^-53 / elast < 1e-14 (the price's rounding then fixes sigma far better
than 1e-12), and that sigma reprices elsewhere. Rows whose price is not
strictly inside the bounds in doubles are kept: the test checks that they
give no volatility.

The default table:

Each row is one European option priced by QuantLib's AnalyticEuropeanEngine on
a BlackScholesMertonProcess with flat curves (continuous compounding,
Actual365Fixed) and a flat Black volatility (Actual365Fixed). QuantLib is built
with high-resolution dates here, so expiries are exact instants and T (the
year fraction QuantLib itself uses, written to the CSV as the exact double)
goes down to one hour.

Columns: right,S,K,T,r,q,sigma,price,delta,gamma,vega,theta,rho; the first
seven are exactly the input of `papertrade price --csv`. Units are those of
src/quant/bs.h:
  - vega = QuantLib's vega() (dV/dsigma per 1.00 of sigma, no conversion);
  - rho = QuantLib's rho() (dV/dr per 1.00 of r, no conversion);
  - theta: QuantLib's theta() is the change of value as the evaluation date
    moves forward (the negative of dV/dT, with the flat r, q and sigma held),
    per unit of the volatility's day-counter time. With Actual365Fixed that
    unit is 365 calendar days, which is bs.h's "per year of calendar time"
    (DESIGN.md §3: T = time to expiry / 365 days), so the conversion is the
    identity: theta_bs = theta_ql = 365 * thetaPerDay_ql. The script checks
    this numerically (thetaPerDay * 365, and a central difference of the
    QuantLib price in the expiry) rather than trusting the documentation.

The script also checks every QuantLib price against an independent 50-digit
evaluation with mpmath (to 1e-9 relative or 1e-13 absolute). QuantLib prices
a put through 1 - N(d), so far out-of-the-money puts are only good to about
1e-16 x K absolute (some come out as -4e-15); that, and similar absolute
errors in its theta and rho, is why the unit test's tolerances have absolute
floors (1e-12 on prices).
"""
import sys

import mpmath
import QuantLib as ql

S = 100.0
STRIKES = [60.0, 90.0, 100.0, 110.0, 200.0]
VOLS = [0.005, 0.1, 0.3, 1.0, 5.0]
# (days, hours) to expiry: 1 hour, 1 day, 30 days, half a year, 1 and 5 years.
TERMS = [(0, 1), (1, 0), (30, 0), (182, 12), (365, 0), (1825, 0)]
# (r, q) pairs, taken in turn: nonzero, one with a negative rate.
RATES = [(0.05, 0.02), (0.03, 0.06), (-0.01, 0.015)]

DC = ql.Actual365Fixed()
TODAY = ql.Date(2, 1, 2024, 0, 0, 0)


def instant(minutes):
    """The instant `minutes` after TODAY (midnight) as a high-resolution Date."""
    d = ql.Date(TODAY.serialNumber() + minutes // 1440)
    m = minutes % 1440
    return ql.Date(d.dayOfMonth(), d.month(), d.year(), m // 60, m % 60, 0)


def ql_option(right, K, r, q, sigma, exp):
    ql.Settings.instance().evaluationDate = TODAY
    spot = ql.QuoteHandle(ql.SimpleQuote(S))
    rts = ql.YieldTermStructureHandle(ql.FlatForward(TODAY, r, DC, ql.Continuous))
    qts = ql.YieldTermStructureHandle(ql.FlatForward(TODAY, q, DC, ql.Continuous))
    vts = ql.BlackVolTermStructureHandle(ql.BlackConstantVol(TODAY, ql.NullCalendar(), sigma, DC))
    proc = ql.BlackScholesMertonProcess(spot, qts, rts, vts)
    kind = ql.Option.Call if right == "C" else ql.Option.Put
    opt = ql.EuropeanOption(ql.PlainVanillaPayoff(kind, K), ql.EuropeanExercise(exp))
    opt.setPricingEngine(ql.AnalyticEuropeanEngine(proc))
    return opt


def mp_price(right, K, T, r, q, sigma):
    mpmath.mp.dps = 50
    S_, K_, T_, r_, q_, s_ = (mpmath.mpf(v) for v in (S, K, T, r, q, sigma))
    sd = s_ * mpmath.sqrt(T_)
    d1 = (mpmath.log(S_ / K_) + (r_ - q_) * T_) / sd + sd / 2
    d2 = d1 - sd
    sq, kr = S_ * mpmath.exp(-q_ * T_), K_ * mpmath.exp(-r_ * T_)
    if right == "C":
        return sq * mpmath.ncdf(d1) - kr * mpmath.ncdf(d2)
    return kr * mpmath.ncdf(-d2) - sq * mpmath.ncdf(-d1)


def main():
    out = sys.stdout
    out.write("# generated by tests/gen_quant_ref.py with QuantLib %s; do not edit\n"
              % ql.__version__)
    out.write("right,S,K,T,r,q,sigma,price,delta,gamma,vega,theta,rho\n")
    n = 0
    worst_abs = worst_rel = 0.0
    for right in ("C", "P"):
        for days, hours in TERMS:
            minutes = (days * 24 + hours) * 60
            exp = instant(minutes)
            T = DC.yearFraction(TODAY, exp)
            for K in STRIKES:
                for sigma in VOLS:
                    r, q = RATES[n % len(RATES)]
                    n += 1
                    o = ql_option(right, K, r, q, sigma, exp)
                    price, theta = o.NPV(), o.theta()
                    g = [price, o.delta(), o.gamma(), o.vega(), theta, o.rho()]
                    # Theta convention: per Actual365Fixed year ...
                    assert abs(o.thetaPerDay() * 365 - theta) <= 1e-12 * max(1, abs(theta))
                    # ... and the negative of dV/dT (central difference over
                    # one minute either side of the expiry).
                    Tu = DC.yearFraction(TODAY, instant(minutes + 1))
                    Td = DC.yearFraction(TODAY, instant(minutes - 1))
                    assert abs((Tu - Td) * 365 * 1440 - 2) < 1e-6
                    up = ql_option(right, K, r, q, sigma, instant(minutes + 1)).NPV()
                    dn = ql_option(right, K, r, q, sigma, instant(minutes - 1)).NPV()
                    fd = -(up - dn) / (Tu - Td)
                    assert abs(fd - theta) <= 1e-4 * abs(theta) + 1e-6, (right, K, T, sigma, fd,
                                                                         theta)
                    # Independent check of QuantLib's price.
                    ref = mp_price(right, K, T, r, q, sigma)
                    err = abs(price - float(ref))
                    assert err <= 1e-9 * abs(float(ref)) + 1e-13, (right, K, T, sigma, price,
                                                                   ref)
                    worst_abs = max(worst_abs, err)
                    if ref > 1e-6:
                        worst_rel = max(worst_rel, float(err / ref))
                    vals = [right] + [repr(float(v)) for v in (S, K, T, r, q, sigma)] + \
                        [repr(float(v)) for v in g]
                    out.write(",".join(vals) + "\n")
    sys.stderr.write("%d rows; QuantLib price vs mpmath: worst absolute error %.3g, worst "
                     "relative error %.3g where the price is above 1e-6\n"
                     % (n, worst_abs, worst_rel))


# ---- the mpmath tables of lbr.c and bs_implied_vol ----


def mpf_str(v):
    """v rounded to the nearest double, as the shortest repr that reads back."""
    return repr(float(v))


def erfcx_mp(x):
    x = mpmath.mpf(x)
    if x > 1e6:  # the asymptotic series (mpmath's erfc overflows far out)
        term, total = 1 / (mpmath.sqrt(mpmath.pi) * x), mpmath.mpf(0)
        for k in range(12):
            total += term
            term *= -(2 * k + 1) / (2 * x * x)
        return total
    return mpmath.erfc(x) * mpmath.exp(x * x)


def ppf_mp(p):
    """The inverse normal CDF at the exact double p (Newton on erfc at 60
    digits, from mpmath's erfinv where it is accurate)."""
    p = mpmath.mpf(p)
    if p == mpmath.mpf(1) / 2:
        return mpmath.mpf(0)
    lo = p if p < 0.5 else 1 - p
    z = -mpmath.sqrt(-2 * mpmath.log(lo))
    for _ in range(200):
        cdf = mpmath.erfc(-z / mpmath.sqrt(2)) / 2
        dz = (cdf - lo) / mpmath.npdf(z)
        z -= dz
        if abs(dz) < mpmath.mpf(10)**-45 * max(1, abs(z)):
            break
    return z if p < 0.5 else -z


def table_special():
    import random
    mpmath.mp.dps = 60
    rng = random.Random(12)
    out = sys.stdout
    out.write("# generated by tests/gen_quant_ref.py special (mpmath %s, 60 digits); do not edit\n"
              % mpmath.__version__)
    out.write("fn,arg,value\n")
    xs = [-26.6, -20.0, -10.5, -5.0, -3.0, -1.0, -0.75, -0.7500000000000001, -0.6, -0.25,
          -1e-10, 0.0, 1e-300, 1e-10, 0.5, 1.0, 2.0, 3.0, 5.0, 10.0, 50.0, 1e3, 1e8, 1e15,
          1e150, 1e300]
    xs += [-26.6 + 25.85 * k / 200 for k in range(200)]
    xs += [-0.75 + 6.75 * k / 600 for k in range(600)]
    xs += [6 + 94 * rng.random() for _ in range(200)]
    xs += [10 ** rng.uniform(2, 300) for _ in range(100)]
    for x in xs:
        out.write("erfcx,%s,%s\n" % (repr(x), mpf_str(erfcx_mp(x))))
    ps = [5e-324, 1e-320, 2.2250738585072014e-308, 1e-300, 1e-100, 1e-20, 1e-10, 0.001, 0.01,
          0.074, 0.075, 0.07500000000000001, 0.1, 0.25, 0.4999999, 0.5, 0.5000001, 0.75, 0.925,
          0.9250000000000002, 0.99, 0.999999, 1 - 2**-53]
    ps += [10 ** rng.uniform(-323, -1.2) for _ in range(300)]
    ps += [rng.uniform(0.075, 0.925) for _ in range(300)]
    ps += [1 - 10 ** rng.uniform(-16, -1.2) for _ in range(200)]
    for p in ps:
        out.write("ppf,%s,%s\n" % (repr(p), mpf_str(ppf_mp(p))))


def table_black():
    import random
    mpmath.mp.dps = 60
    rng = random.Random(15)
    out = sys.stdout
    out.write("# generated by tests/gen_quant_ref.py black (mpmath %s, 60 digits); do not edit\n"
              % mpmath.__version__)
    out.write("x,s,b,c,eb,ec,bitm\n")
    pts = []
    xs = [0.0, -1e-12, -1e-8, -1e-4, -1e-3, -0.01, -0.05, -0.1, -0.3, -0.5, -1, -2, -3, -5, -8,
          -10, -20, -50, -100, -300, -700]
    for x in xs:
        for k in range(91):
            pts.append((x, 10 ** (-7 + 9.5 * k / 90)))
    for _ in range(1500):
        x = -10 ** rng.uniform(-10, 2.5) if rng.random() < 0.95 else 0.0
        pts.append((x, 10 ** rng.uniform(-6, 2)))
    # the regimes' borders: h = x/s near -10, t = s/2 near 0.2102, d1 near 0.85 and -9.79
    for _ in range(600):
        h = -10 ** rng.uniform(-3, 1.3)
        t = rng.choice([0.2102241038134286 * (1 + rng.uniform(-0.01, 0.01)),
                        10 ** rng.uniform(-3, 1.5)])
        d1 = rng.choice([None, 0.85, -9.7897758961865714])
        if d1 is not None:
            t = d1 - h if d1 - h > 0 else t
        pts.append((2 * h * t, 2 * t))
    for x, s in pts:
        X, S = mpmath.mpf(x), mpmath.mpf(s)
        d1, d2 = X / S + S / 2, X / S - S / 2
        b = mpmath.exp(X / 2) * mpmath.ncdf(d1) - mpmath.exp(-X / 2) * mpmath.ncdf(d2)
        c = mpmath.exp(X / 2) * mpmath.ncdf(-d1) + mpmath.exp(-X / 2) * mpmath.ncdf(d2)
        if float(b) == 0:
            continue
        bp = mpmath.npdf(d1) * mpmath.exp(X / 2)
        bitm = mpmath.exp(-X / 2) * mpmath.ncdf(-X / S + S / 2) - \
            mpmath.exp(X / 2) * mpmath.ncdf(-X / S - S / 2)
        out.write(",".join([repr(x), repr(s), mpf_str(b), mpf_str(c), mpf_str(S * bp / b),
                            mpf_str(S * bp / c), mpf_str(bitm)]) + "\n")


def bsm_mp(right, S, K, T, r, q, sigma):
    """Price and vega at 50 digits."""
    S_, K_, T_, r_, q_, s_ = (mpmath.mpf(v) for v in (S, K, T, r, q, sigma))
    sd = s_ * mpmath.sqrt(T_)
    d1 = (mpmath.log(S_ / K_) + (r_ - q_) * T_) / sd + sd / 2
    d2 = d1 - sd
    sq, kr = S_ * mpmath.exp(-q_ * T_), K_ * mpmath.exp(-r_ * T_)
    if right == "C":
        p = sq * mpmath.ncdf(d1) - kr * mpmath.ncdf(d2)
    else:
        p = kr * mpmath.ncdf(-d2) - sq * mpmath.ncdf(-d1)
    return p, sq * mpmath.npdf(d1) * mpmath.sqrt(T_)


def table_iv():
    import random
    mpmath.mp.dps = 50
    rng = random.Random(19)
    out = sys.stdout
    out.write("# generated by tests/gen_quant_ref.py iv (mpmath %s, 50 digits); do not edit\n"
              % mpmath.__version__)
    out.write("right,S,K,T,r,q,sigma,price,elast\n")
    hour = 1.0 / 8760
    cases = []
    # the grid
    vols = [0.001, 0.004, 0.005, 0.01, 0.05, 0.2, 0.5, 1.0, 2.0, 5.0, 10.0]
    terms = [hour, 1.0 / 365, 7.0 / 365, 30.0 / 365, 1.0, 5.0, 30.0]
    ks = [20.0, 50.0, 80.0, 95.0, 99.0, 100.0, 101.0, 105.0, 125.0, 200.0, 500.0]
    rates = [(0.05, 0.02), (-0.01, 0.03)]
    n = 0
    for right in ("C", "P"):
        for T in terms:
            for K in ks:
                for sigma in vols:
                    r, q = rates[n % 2]
                    n += 1
                    cases.append((right, 100.0, K, T, r, q, sigma))
    # issue 12: 0.5% from an hour to weeks near the money, 500% over a day or
    # two deep in the money, 0.4%
    for T in (hour, 4 * hour, 1.0 / 365, 7.0 / 365, 14.0 / 365, 21.0 / 365):
        for K in (98.0, 99.5, 100.0, 100.5, 102.0):
            for right in ("C", "P"):
                cases.append((right, 100.0, K, T, 0.045, 0.013, 0.005))
                cases.append((right, 100.0, K, T, 0.045, 0.013, 0.004))
    for T in (1.0 / 365, 2.0 / 365):
        for K in (40.0, 60.0, 80.0, 125.0, 170.0, 250.0):
            for right in ("C", "P"):
                cases.append((right, 100.0, K, T, 0.045, 0.013, 5.0))
    # random: T 1 hour..30 years, vol 0.1%..1000%, log-moneyness within
    # +-4 standard deviations (and a few beyond)
    for _ in range(1500):
        T = math.exp(rng.uniform(math.log(hour), math.log(30)))
        sigma = math.exp(rng.uniform(math.log(0.001), math.log(10)))
        sd = sigma * math.sqrt(T)
        S = round(rng.uniform(20, 500), 2)
        K = round(S * math.exp(rng.uniform(-4, 4) * min(sd, 3)), 4)
        r, q = round(rng.uniform(-0.01, 0.08), 4), round(rng.uniform(0, 0.05), 4)
        cases.append((rng.choice("CP"), S, K, T, r, q, sigma))
    for right, S, K, T, r, q, sigma in cases:
        p, vega = bsm_mp(right, S, K, T, r, q, sigma)
        if float(p) <= 0:
            continue
        out.write(",".join([right] + [repr(float(v)) for v in (S, K, T, r, q, sigma)] +
                           [mpf_str(p), mpf_str(vega * mpmath.mpf(sigma) / p)]) + "\n")


if __name__ == "__main__":
    import math
    which = sys.argv[1] if len(sys.argv) > 1 else "quantlib"
    {"quantlib": main, "special": table_special, "black": table_black,
     "iv": table_iv}[which]()
