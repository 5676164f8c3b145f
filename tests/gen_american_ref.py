#!/usr/bin/python3
"""gen_american_ref.py - writes tests/data/american_ref.csv, the reference
values for src/quant/american.c (DESIGN.md §2 quant/; docs/american.md),
which tests/unit/test_american.c checks.

    /usr/bin/python3 tests/gen_american_ref.py > tests/data/american_ref.csv

(about ten minutes: QuantLib's grids at the sizes below are slow.)

Columns: kind,right,S,K,T,r,q,sigma,divs,value. divs is "-" or
"t:amount;t:amount" (ex-dividend times in years, amounts per share). Every
time is a whole number of days over 365, the year fraction QuantLib's
Actual365Fixed gives for those dates, written as the exact double.

Kinds, where each value comes from, and the tolerance the unit test uses:

  baw      QuantLib's BaroneAdesiWhaleyApproximationEngine. QuantLib stops
           its critical-price Newton iteration at 1e-6 relative and the
           value is not stationary in the critical price, so the test
           allows 1e-5 relative and 1e-7 absolute (american.c solves to
           1e-13; see bawmp).
  bawmp    The same approximation evaluated here with mpmath at 30
           digits (the critical price by findroot): 1e-10 relative. It
           shows QuantLib's stopping rule costs up to 4e-5 absolute (a put
           at 120, two years, 40%: QuantLib 27.919630, the solved equation
           27.919593, american.c 27.919593).
  bjs1993  QuantLib 1.29's BjerksundStenslandApproximationEngine (the
           1993 flat-boundary approximation; closed form): 1e-10 relative.
  bjs2002  The 2002 approximation evaluated here with mpmath at 30 digits,
           from the paper's formulas (phi and psi; psi's bivariate normal
           terms by numerical integration): an independent evaluation of
           the same formulas, so 1e-9 relative (american.c's bivariate
           normal is a 20-point Gauss-Legendre rule). The script checks
           that psi with equal barriers reduces to phi (the 1993 formula),
           a check of the formulas themselves.
  lattice  A converged value for continuous yields: QuantLib's
           FdBlackScholesVanillaEngine (Douglas, two damping steps) at 800,
           1,600 and 3,200 points in time and space, extrapolated at the
           order the three show (first where exercise is continuous).
           Good to about 1e-5 (its extrapolations from 400/800/1,600 and
           800/1,600/3,200 differ by that much). QuantLib's
           BinomialVanillaEngine "lr" is not used: above a few thousand
           steps it goes wrong (a put at 110, half a year, 30%: 13.09624
           at 4,001 steps, 13.09568 at 8,001; at 300% volatility and 5,001
           steps it is off by 6e-3). The test compares am_lattice
           extrapolated from 10,000 and 20,000 steps at 2e-5 absolute;
           american.c's lattice is converged far better than that (its
           extrapolations from 10/20k, 20/40k and 40/80k steps agree to
           ~1e-7 on these rows).
  hugevol  The same at 300% volatility, where the grid converges more
           slowly (its extrapolations differ by ~5e-5): 1e-4 for both.
  fd       The same with a dividend schedule and cashDividendModel=Escrowed
           (the same model as american.c), for discrete cash dividends;
           same tolerances.
  spotfd   The same grid with cashDividendModel=Spot (the stock falls by
           the dividend on the ex-date): not a value american.c should
           reproduce; docs/american.md reports the escrowed model's
           difference from it (its known bias).
  model    The model-accuracy subset of docs/american.md's test table
           (S = 100; out of or at the money by up to 10%; 30 and 91 days;
           volatility 20% and 35%; the four rate and dividend regimes),
           valued as above: the unit test holds am_price to 1e-4 per $100
           of spot there (the reference's own 1e-5 is inside that).
"""
import sys

import mpmath
import QuantLib as ql

mpmath.mp.dps = 30
DC = ql.Actual365Fixed()
TODAY = ql.Date(2, 1, 2024)


def flat(rate):
    return ql.YieldTermStructureHandle(ql.FlatForward(TODAY, rate, DC))


def process(S, r, q, sigma):
    ql.Settings.instance().evaluationDate = TODAY
    return ql.BlackScholesMertonProcess(
        ql.QuoteHandle(ql.SimpleQuote(S)), flat(q), flat(r),
        ql.BlackVolTermStructureHandle(
            ql.BlackConstantVol(TODAY, ql.NullCalendar(), sigma, DC)))


def option(right, K, days, divs):
    payoff = ql.PlainVanillaPayoff(ql.Option.Call if right == 'C' else ql.Option.Put, K)
    ex = ql.AmericanExercise(TODAY, TODAY + days)
    if not divs:
        return ql.VanillaOption(payoff, ex)
    return ql.DividendVanillaOption(payoff, ex, [TODAY + d for d, _ in divs],
                                    [a for _, a in divs])


def value(engine, right, S, K, days, r, q, sigma, divs=()):
    opt = option(right, K, days, divs)
    opt.setPricingEngine(engine(process(S, r, q, sigma)))
    return opt.NPV()


def fd_converged(right, S, K, days, r, q, sigma, divs=(), model='escrowed'):
    """QuantLib's grid at 800, 1,600 and 3,200 points in time and space,
    extrapolated at the order the three show (first order where exercise
    is continuous, second where it is not; clamped to [1, 2])."""
    m = (ql.FdBlackScholesVanillaEngine.Escrowed if model == 'escrowed'
         else ql.FdBlackScholesVanillaEngine.Spot)

    def eng(n):
        return lambda p: ql.FdBlackScholesVanillaEngine(
            p, n, n, 2, ql.FdmSchemeDesc.Douglas(), False, -ql.nullDouble(), m)
    v0, v1, v2 = (value(eng(n), right, S, K, days, r, q, sigma, divs) for n in (800, 1600, 3200))
    order = 1.0
    if (v1 - v0) * (v2 - v1) > 0:
        order = min(2.0, max(1.0, mpmath.log((v1 - v0) / (v2 - v1), 2)))
    f = 2 ** order
    return (f * v2 - v1) / (f - 1)


# ---- Bjerksund-Stensland 2002 in mpmath ----

def N(x):
    return mpmath.ncdf(x)


def M(a, b, rho):
    """Standard bivariate normal CDF: int_{-inf}^a n(x) N((b - rho x) / sqrt(1 - rho^2)) dx."""
    s = mpmath.sqrt(1 - rho * rho)
    # break points where the density lives, or quad misses its mass
    pts = [-mpmath.inf] + [p for p in (-8, -4, -2, 0, 2, 4, 8) if p < a] + [a]
    return mpmath.quad(lambda x: mpmath.npdf(x) * N((b - rho * x) / s), pts)


def phi(S, T, g, H, I, r, b, v):
    lam = (-r + g * b + g * (g - 1) * v * v / 2) * T
    d = -(mpmath.log(S / H) + (b + (g - mpmath.mpf(1) / 2) * v * v) * T) / (v * mpmath.sqrt(T))
    kappa = 2 * b / (v * v) + 2 * g - 1
    return mpmath.exp(lam) * S ** g * (
        N(d) - (I / S) ** kappa * N(d - 2 * mpmath.log(I / S) / (v * mpmath.sqrt(T))))


def psi(S, T, g, H, I2, I1, t1, r, b, v):
    lam = (-r + g * b + g * (g - 1) * v * v / 2) * T
    kappa = 2 * b / (v * v) + 2 * g - 1
    m = b + (g - mpmath.mpf(1) / 2) * v * v
    s1, sT = v * mpmath.sqrt(t1), v * mpmath.sqrt(T)
    rho = mpmath.sqrt(t1 / T)
    L = mpmath.log
    e1 = (L(S / I1) + m * t1) / s1
    e2 = (L(I2 * I2 / (S * I1)) + m * t1) / s1
    e3 = (L(S / I1) - m * t1) / s1
    e4 = (L(I2 * I2 / (S * I1)) - m * t1) / s1
    f1 = (L(S / H) + m * T) / sT
    f2 = (L(I2 * I2 / (S * H)) + m * T) / sT
    f3 = (L(I1 * I1 / (S * H)) + m * T) / sT
    f4 = (L(S * I1 * I1 / (H * I2 * I2)) + m * T) / sT
    return mpmath.exp(lam) * S ** g * (
        M(-e1, -f1, rho) - (I2 / S) ** kappa * M(-e2, -f2, rho)
        - (I1 / S) ** kappa * M(-e3, -f3, -rho) + (I1 / I2) ** kappa * M(-e4, -f4, -rho))


def bs(right, S, K, T, r, q, v):
    d1 = (mpmath.log(S / K) + (r - q + v * v / 2) * T) / (v * mpmath.sqrt(T))
    d2 = d1 - v * mpmath.sqrt(T)
    if right == 'C':
        return S * mpmath.exp(-q * T) * N(d1) - K * mpmath.exp(-r * T) * N(d2)
    return K * mpmath.exp(-r * T) * N(-d2) - S * mpmath.exp(-q * T) * N(-d1)


def bjs2002_call(S, K, T, r, b, v):
    if b >= r:
        return bs('C', S, K, T, r, r - b, v)
    beta = (mpmath.mpf(1) / 2 - b / (v * v)) + mpmath.sqrt(
        (b / (v * v) - mpmath.mpf(1) / 2) ** 2 + 2 * r / (v * v))
    Binf = beta / (beta - 1) * K
    B0 = max(K, r / (r - b) * K)
    t1 = (mpmath.sqrt(5) - 1) / 2 * T
    h1 = -(b * t1 + 2 * v * mpmath.sqrt(t1)) * K * K / ((Binf - B0) * B0)
    h2 = -(b * T + 2 * v * mpmath.sqrt(T)) * K * K / ((Binf - B0) * B0)
    I1 = B0 + (Binf - B0) * (1 - mpmath.exp(h1))
    I2 = B0 + (Binf - B0) * (1 - mpmath.exp(h2))
    if S >= I2:
        return S - K
    a1 = (I1 - K) * I1 ** -beta
    a2 = (I2 - K) * I2 ** -beta
    return (a2 * S ** beta - a2 * phi(S, t1, beta, I2, I2, r, b, v)
            + phi(S, t1, 1, I2, I2, r, b, v) - phi(S, t1, 1, I1, I2, r, b, v)
            - K * phi(S, t1, 0, I2, I2, r, b, v) + K * phi(S, t1, 0, I1, I2, r, b, v)
            + a1 * phi(S, t1, beta, I1, I2, r, b, v) - a1 * psi(S, T, beta, I1, I2, I1, t1, r, b, v)
            + psi(S, T, 1, I1, I2, I1, t1, r, b, v) - psi(S, T, 1, K, I2, I1, t1, r, b, v)
            - K * psi(S, T, 0, I1, I2, I1, t1, r, b, v) + K * psi(S, T, 0, K, I2, I1, t1, r, b, v))


def bjs2002(right, S, K, T, r, q, v):
    S, K, T, r, q, v = (mpmath.mpf(x) for x in (S, K, T, r, q, v))
    if right == 'C':
        val = bjs2002_call(S, K, T, r, r - q, v)
        intr = max(S - K, 0)
    else:
        val = bjs2002_call(K, S, T, q, q - r, v)
        intr = max(K - S, 0)
    return max(val, bs(right, S, K, T, r, q, v), intr)


def baw(right, S, K, T, r, q, v):
    """Barone-Adesi-Whaley with the critical price solved at 30 digits."""
    S, K, T, r, q, v = (mpmath.mpf(x) for x in (S, K, T, r, q, v))
    phi_ = 1 if right == 'C' else -1
    b = r - q
    if (right == 'C' and q <= 0) or (right == 'P' and r <= 0):
        return bs(right, S, K, T, r, q, v)

    def d1(x):
        return (mpmath.log(x / K) + (b + v * v / 2) * T) / (v * mpmath.sqrt(T))
    Nb = 2 * b / (v * v)
    MK = 2 * r / (v * v) / (1 - mpmath.exp(-r * T))
    qq = (-(Nb - 1) + phi_ * mpmath.sqrt((Nb - 1) ** 2 + 4 * MK)) / 2

    def g(x):
        return (phi_ * (x - K) - bs(right, x, K, T, r, q, v)
                - phi_ * (1 - mpmath.exp(-q * T) * N(phi_ * d1(x))) * x / qq)
    # the paper's seed (the perpetual boundary pulled toward K)
    qinf = (-(Nb - 1) + phi_ * mpmath.sqrt((Nb - 1) ** 2 + 8 * r / (v * v))) / 2
    sinf = K / (1 - 1 / qinf)
    sT = v * mpmath.sqrt(T)
    if phi_ > 0:
        seed = K + (sinf - K) * (1 - mpmath.exp(-(b * T + 2 * sT) * K / (sinf - K)))
    else:
        seed = sinf + (K - sinf) * mpmath.exp((b * T - 2 * sT) * K / (K - sinf))
    crit = mpmath.findroot(g, seed)
    if phi_ * (S - crit) >= 0:
        return phi_ * (S - K)
    A = phi_ * crit / qq * (1 - mpmath.exp(-q * T) * N(phi_ * d1(crit)))
    return bs(right, S, K, T, r, q, v) + A * (S / crit) ** qq


def check_psi_reduces_to_phi():
    """psi with I1 = I2 (one barrier throughout) must be phi."""
    for (S, T, g, H, I, r, b, v) in [(90, 0.5, 1, 100, 120, 0.05, 0.02, 0.3),
                                     (100, 1.0, 0, 95, 130, 0.08, -0.02, 0.2),
                                     (80, 0.25, 2.7, 110, 115, 0.03, 0.01, 0.45)]:
        args = [mpmath.mpf(x) for x in (S, T, g, H, I, r, b, v)]
        S, T, g, H, I, r, b, v = args
        a = psi(S, T, g, H, I, I, T * mpmath.mpf('0.618'), r, b, v)
        c = phi(S, T, g, H, I, r, b, v)
        assert abs(a - c) <= mpmath.mpf('1e-20') * (1 + abs(c)), (a, c)


# ---- output ----

def fmt(x):
    return repr(float(x))


def divstr(divs):
    return ';'.join('%s:%s' % (fmt(d / 365), fmt(a)) for d, a in divs) if divs else '-'


def row(kind, right, S, K, days, r, q, sigma, divs, v):
    print(','.join([kind, right, fmt(S), fmt(K), fmt(days / 365), fmt(r), fmt(q), fmt(sigma),
                    divstr(divs), fmt(v)]))
    sys.stdout.flush()


def main():
    check_psi_reduces_to_phi()
    print('kind,right,S,K,T,r,q,sigma,divs,value')
    grid = [(right, K, days, sigma, r, q)
            for right in 'CP' for K in (80.0, 100.0, 120.0) for days in (30, 182, 730)
            for sigma in (0.15, 0.4) for (r, q) in ((0.05, 0.02), (0.03, 0.06), (0.08, 0.0))]
    for right, K, days, sigma, r, q in grid:
        row('baw', right, 100.0, K, days, r, q, sigma, (),
            value(ql.BaroneAdesiWhaleyApproximationEngine, right, 100.0, K, days, r, q, sigma))
        row('bawmp', right, 100.0, K, days, r, q, sigma, (),
            baw(right, 100.0, K, days / 365, r, q, sigma))
        row('bjs1993', right, 100.0, K, days, r, q, sigma, (),
            value(ql.BjerksundStenslandApproximationEngine, right, 100.0, K, days, r, q, sigma))
        row('bjs2002', right, 100.0, K, days, r, q, sigma, (),
            bjs2002(right, 100.0, K, days / 365, r, q, sigma))

    # converged lattices, continuous yields: ordinary cases and the
    # boundaries (deep in the money with a high rate: exercise at once;
    # a call on a non-payer: European; tiny and huge volatility)
    lat = [('P', 100.0, 100.0, 365, 0.05, 0.0, 0.2), ('P', 100.0, 110.0, 182, 0.08, 0.02, 0.3),
           ('C', 100.0, 100.0, 365, 0.03, 0.06, 0.25), ('C', 100.0, 90.0, 91, 0.05, 0.08, 0.35),
           ('P', 100.0, 90.0, 30, 0.05, 0.0, 0.2), ('P', 50.0, 100.0, 91, 0.2, 0.0, 0.2),
           ('C', 100.0, 95.0, 182, 0.05, 0.0, 0.3), ('P', 100.0, 105.0, 91, 0.05, 0.0, 0.02),
           ('P', 100.0, 100.0, 30, 0.05, 0.0, 3.0), ('C', 100.0, 100.0, 91, 0.04, 0.04, 0.6)]
    for right, S, K, days, r, q, sigma in lat:
        row('hugevol' if sigma > 1 else 'lattice', right, S, K, days, r, q, sigma, (),
            fd_converged(right, S, K, days, r, q, sigma))

    # discrete dividends (escrowed): a deep in-the-money call whose only
    # exercise is just before its one ex-date; the same one day before
    # expiry (the ex-date on the expiry date) and two ex-dates; puts,
    # which wait for the drop
    fd = [('C', 100.0, 90.0, 91, 0.05, 0.0, 0.2, ((37, 1.0),)),
          ('C', 100.0, 80.0, 91, 0.03, 0.0, 0.15, ((90, 1.5),)),
          ('C', 100.0, 100.0, 365, 0.04, 0.0, 0.25, ((45, 1.2), (136, 1.2), (227, 1.2), (318, 1.2))),
          ('C', 100.0, 95.0, 60, 0.05, 0.0, 0.3, ((1, 0.8), (59, 0.8))),
          ('P', 100.0, 100.0, 91, 0.05, 0.0, 0.2, ((37, 1.0),)),
          ('P', 100.0, 110.0, 182, 0.06, 0.0, 0.25, ((20, 2.0), (111, 2.0))),
          ('P', 100.0, 95.0, 30, 0.05, 0.0, 0.15, ((29, 0.5),))]
    for right, S, K, days, r, q, sigma, divs in fd:
        row('fd', right, S, K, days, r, q, sigma, divs,
            fd_converged(right, S, K, days, r, q, sigma, divs, 'escrowed'))
        row('spotfd', right, S, K, days, r, q, sigma, divs,
            fd_converged(right, S, K, days, r, q, sigma, divs, 'spot'))

    # the model-accuracy subset (docs/american.md): out of or at the money
    regimes = [(0.05, 0.0, ()), (0.05, 0.03, ()),
               (0.02, 0.0, tuple((20 + 91 * k, 0.5) for k in range(2))),
               (0.05, 0.0, tuple((3 + 91 * k, 1.0) for k in range(2)))]
    for r, q, divs0 in regimes:
        for right, strikes in (('C', (100.0, 105.0, 110.0)), ('P', (90.0, 95.0, 100.0))):
            for K in strikes:
                for days in (30, 91):
                    for sigma in (0.2, 0.35):
                        divs = tuple(d for d in divs0 if d[0] <= days)
                        if right == 'C' and q == 0 and not divs:
                            continue  # European exactly: nothing to measure
                        if divs:
                            v = fd_converged(right, 100.0, K, days, r, q, sigma, divs, 'escrowed')
                        else:
                            v = fd_converged(right, 100.0, K, days, r, q, sigma)
                        row('model', right, 100.0, K, days, r, q, sigma, divs, v)


if __name__ == '__main__':
    main()
