#!/usr/bin/python3
"""gen_lbr_coef.py - the polynomial coefficients of src/quant/lbr.c (DESIGN.md
§2 quant/), derived here with mpmath so that they can be checked and
regenerated:

    /usr/bin/python3 tools/gen_lbr_coef.py > /tmp/coef.c

and the arrays pasted over those in lbr.c. Each approximation is the
polynomial interpolating the function at the Chebyshev points of its interval
(near-minimax), computed at 60 digits, written in the monomial basis of the
variable lbr.c evaluates it in, every coefficient to 17 significant digits.

  erfcx(x) = y P(u),  y = 3/(3 + x),  u = 1.5 y - 1      for x >= -0.75
      P of degree 28 on u in [-1, 1] (y in (0, 4/3]): G(y) = erfcx(x)/y is
      smooth on y in [0, 4/3] (G(0) = 1/(3 sqrt(pi)), the asymptotics
      erfcx(x) ~ 1/(sqrt(pi) x)), so one polynomial covers x from -0.75 to
      infinity with no table and no branch.
  R(d) |d| = A(w),  w = 1/d^2                           for d <= -ASYM_D
      R(d) = Phi(d)/phi(d) is the Mills ratio, A of degree ASYM_DEG in w
      itself (not centred: lbr.c sums the differences of its terms).
  ppf(p) = q C(v),  q = p - 1/2, v = 2 q^2 / 0.425^2 - 1   for |q| <= 0.425
  ppf(p) = -t T(l), t = sqrt(-2 ln p), l = (2 ln t - (L0 + L1)) / (L1 - L0)
      for p < 0.075, with L0 = ln sqrt(-2 ln 0.075) and L1 = ln sqrt(2 *
      1075 ln 2) (the smallest subnormal double).

and cheaper versions for lbr_implied_vol_chain's initial guess and first
Householder step, where 1e-7 is plenty (the last step is taken at full
precision): erfcx to degree 16, ppf's central polynomial to degree 12 and
its tail as a polynomial of degree 10 in 1/t (no second logarithm).

The script checks every fit against the function at 2,000 points and prints
the largest relative error of the exact polynomial (interpolation error
only; lbr.c's tests measure what double arithmetic adds).
"""
import mpmath as mp

mp.mp.dps = 60

ERFCX_DEG = 28
ASYM_D = mp.mpf("9.75")
ASYM_DEG = 9
PPF_Q = mp.mpf("0.425")
PPF_C_DEG = 28
PPF_T_P = mp.mpf("0.075")
PPF_T_DEG = 24
ERFCX_LO_DEG = 16
PPF_C_LO_DEG = 12
PPF_T_LO_DEG = 10


def cheb_mono(f, deg):
    """Monomial coefficients (in u on [-1, 1]) of the polynomial of degree
    deg interpolating f at the Chebyshev points of the first kind."""
    n = deg + 1
    nodes = [mp.cos(mp.pi * (k + mp.mpf(1) / 2) / n) for k in range(n)]
    vals = [f(u) for u in nodes]
    m = mp.matrix([[u**j for j in range(n)] for u in nodes])
    c = mp.lu_solve(m, mp.matrix(vals))
    return [c[j] for j in range(n)]


def horner(c, u):
    p = mp.mpf(0)
    for v in reversed(c):
        p = p * u + v
    return p


def worst(f, approx, a, b, n=2000):
    w = mp.mpf(0)
    for k in range(n + 1):
        x = a + (b - a) * k / n
        ref = f(x)
        if ref != 0:
            w = max(w, abs(approx(x) / ref - 1))
    return w


def erfcx(x):
    return mp.erfc(x) * mp.exp(x * x)


def ppf_log(lp):
    """z < 0 with ln Phi(z) = lp (Newton on ln Phi, at full precision)."""
    z = -mp.sqrt(-2 * lp)
    for _ in range(200):
        phi_ = mp.erfc(-z / mp.sqrt(2)) / 2
        dz = (mp.log(phi_) - lp) * phi_ / mp.npdf(z)
        z -= dz
        if abs(dz) < mp.mpf(10)**-55:
            break
    return z


def emit(name, coef, comment):
    print("/* %s */" % comment)
    print("static const double %s[%d] = {" % (name, len(coef)))
    for v in coef:
        print("\t%.17g," % float(v))
    print("};")


def main():
    # erfcx
    ymax = mp.mpf(4) / 3

    def g_of_u(u):
        y = (u + 1) / mp.mpf("1.5")
        if y == 0:
            return 1 / (3 * mp.sqrt(mp.pi))
        x = 3 / y - 3
        return erfcx(x) / y

    ec = cheb_mono(g_of_u, ERFCX_DEG)
    e1 = worst(lambda x: erfcx(x), lambda x: (3 / (3 + x)) * horner(ec, 1.5 * (3 / (3 + x)) - 1),
               mp.mpf("-0.75"), mp.mpf(40))
    e2 = worst(lambda y: g_of_u(1.5 * y - 1), lambda y: horner(ec, 1.5 * y - 1), mp.mpf(0),
               mp.mpf(3) / 43)
    emit("erfcx_c", ec, "erfcx(x) = y P(u), y = 3/(3+x), u = 1.5y - 1; max rel. error %s"
         % mp.nstr(max(e1, e2), 3))

    # asymptotic Mills ratio
    wmax = 1 / ASYM_D**2

    def mills_scaled(w):  # R(d) |d| for d = -1/sqrt(w)
        if w == 0:
            return mp.mpf(1)
        d = -1 / mp.sqrt(w)
        return mp.ncdf(d) / mp.npdf(d) * abs(d)

    cu = cheb_mono(lambda u: mills_scaled((u + 1) * wmax / 2), ASYM_DEG)
    # to monomials in w: u = 2w/wmax - 1
    cw = [mp.mpf(0)] * (ASYM_DEG + 1)
    for j, c in enumerate(cu):
        # (2w/wmax - 1)^j expanded
        for k in range(j + 1):
            cw[k] += c * mp.binomial(j, k) * (2 / wmax)**k * (-1)**(j - k)
    ea = worst(mills_scaled, lambda w: horner(cw, w), mp.mpf(0), wmax)
    emit("asym_c", cw, "R(d) |d| = A(1/d^2) for d <= -%s; max rel. error %s"
         % (mp.nstr(ASYM_D, 4), mp.nstr(ea, 3)))

    # ppf, central
    vq = PPF_Q**2

    def ppf_c(u):
        v = (u + 1) * vq / 2
        if v == 0:
            return mp.sqrt(2 * mp.pi)
        q = mp.sqrt(v)
        return mp.sqrt(2) * mp.erfinv(2 * q) / q

    pc = cheb_mono(ppf_c, PPF_C_DEG)
    epc = worst(lambda q: mp.sqrt(2) * mp.erfinv(2 * q),
                lambda q: q * horner(pc, 2 * q * q / vq - 1), mp.mpf("1e-30"), PPF_Q, 1000)
    emit("ppf_c", pc, "ppf(1/2 + q) = q C(2q^2/0.425^2 - 1), |q| <= 0.425; max rel. error %s"
         % mp.nstr(epc, 3))

    # ppf, tail
    l0 = mp.log(mp.sqrt(-2 * mp.log(PPF_T_P)))
    l1 = mp.log(mp.sqrt(2 * 1075 * mp.log(2)))

    def ppf_t(u):
        lt = (u + 1) * (l1 - l0) / 2 + l0
        t = mp.exp(lt)
        return -ppf_log(-t * t / 2) / t

    pt = cheb_mono(ppf_t, PPF_T_DEG)
    ept = worst(lambda lt: ppf_t(2 * (lt - l0) / (l1 - l0) - 1),
                lambda lt: horner(pt, 2 * (lt - l0) / (l1 - l0) - 1), l0, l1, 300)
    emit("ppf_t", pt, "ppf(p) = -t T((2 ln t - (L0 + L1))/(L1 - L0)), t = sqrt(-2 ln p), "
         "p < 0.075; max rel. error %s" % mp.nstr(ept, 3))
    print("#define PPF_T_L0 %.17g" % float(l0))
    print("#define PPF_T_L1 %.17g" % float(l1))

    # the chain's cheaper guess-stage versions (lbr_implied_vol_chain)
    ecl = cheb_mono(g_of_u, ERFCX_LO_DEG)
    e3 = worst(lambda x: erfcx(x), lambda x: (3 / (3 + x)) * horner(ecl, 1.5 * (3 / (3 + x)) - 1),
               mp.mpf("-0.75"), mp.mpf(40))
    e4 = worst(lambda y: g_of_u(1.5 * y - 1), lambda y: horner(ecl, 1.5 * y - 1), mp.mpf(0),
               mp.mpf(3) / 43)
    emit("erfcx_lo_c", ecl, "the same to degree %d (the chain's guess and first step); max rel. "
         "error %s" % (ERFCX_LO_DEG, mp.nstr(max(e3, e4), 3)))
    pcl = cheb_mono(ppf_c, PPF_C_LO_DEG)
    epcl = worst(lambda q: mp.sqrt(2) * mp.erfinv(2 * q),
                 lambda q: q * horner(pcl, 2 * q * q / vq - 1), mp.mpf("1e-30"), PPF_Q, 1000)
    emit("ppf_c_lo", pcl, "ppf(1/2 + q) to degree %d (the chain's guess); max rel. error %s"
         % (PPF_C_LO_DEG, mp.nstr(epcl, 3)))
    v0, v1 = 1 / mp.exp(l1), 1 / mp.exp(l0)

    def ppf_tv(u):
        v = (u + 1) * (v1 - v0) / 2 + v0
        t = 1 / v
        return -ppf_log(-t * t / 2) / t

    ptl = cheb_mono(ppf_tv, PPF_T_LO_DEG)
    eptl = worst(lambda v: ppf_tv(2 * (v - v0) / (v1 - v0) - 1),
                 lambda v: horner(ptl, 2 * (v - v0) / (v1 - v0) - 1), v0, v1, 300)
    emit("ppf_t_lo", ptl, "ppf(p) = -t T(2 (1/t - V0)/(V1 - V0) - 1), t = sqrt(-2 ln p), "
         "p < 0.075, degree %d (the chain's guess); max rel. error %s"
         % (PPF_T_LO_DEG, mp.nstr(eptl, 3)))
    print("#define PPF_T_V0 %.17g" % float(v0))
    print("#define PPF_T_V1 %.17g" % float(v1))


if __name__ == "__main__":
    main()
