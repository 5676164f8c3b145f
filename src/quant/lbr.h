/*
 * lbr.h - implied volatility to full double precision from Peter Jäckel's
 * "Let's Be Rational" (Wilmott, 2015): the normalised Black function with
 * its regimes, the rational-cubic initial guess on four branches and two
 * third-order Householder steps. Pure math under bs.h's bs_implied_vol and
 * so under the strategies' scans (DESIGN.md §1); no I/O, no global state.
 * docs/pricing.md derives what is computed and how accurately.
 *
 * Terms. F forward, K strike, T years, sigma volatility per sqrt(year),
 * prices undiscounted (Black's formula on the forward). right is 'C' (call)
 * or 'P' (put). The normalised terms are x = ln(F/K), s = sigma sqrt(T) and
 * the normalised price b = price / sqrt(F K); for an out-of-the-money call
 * (x <= 0)
 *	b(x, s) = e^{x/2} Phi(x/s + s/2) - e^{-x/2} Phi(x/s - s/2),
 * strictly increasing in s from 0 to b_max = e^{x/2}.
 *
 * Accuracy. A volatility is returned for every price strictly inside the
 * no-arbitrage bounds (intrinsic value < price < F for a call, K for a put),
 * NAN outside them, and it is as exact as the price allows. The rule the
 * tests hold it to: where the price carries the information -- its
 * relative rounding error 2^-53 divided by its elasticity to sigma,
 * E = vega sigma / price, is below 1e-14 -- the volatility is within 1e-12
 * of the true one, relative. Measured against 50-digit mpmath: s is within
 * 12 DBL_EPSILON x (1 + 1/e) of the truth, e the elasticity of the
 * out-of-the-money price (or of its distance to the upper bound, whichever
 * is larger), for |x| < 100; two iterations leave up to ~1e-13 beyond
 * (F/K > e^100). Where E is small (deep in the money, or sigma sqrt(T) so
 * large that the price is nearly its upper bound) the price does not fix
 * sigma that finely, and the result is a volatility that reproduces it.
 */
#ifndef PT_LBR_H
#define PT_LBR_H

#include <stddef.h>

/* Undiscounted Black price of a call or put. NAN when F, K are not
 * positive and finite, sigma or T negative or not finite, or right is not
 * C/P; sigma sqrt(T) == 0 gives the intrinsic value max(F - K, 0) (call). */
double lbr_black(double F, double K, double sigma, double T, char right);

/*
 * Implied volatility of an undiscounted Black price: the sigma with
 * lbr_black(F, K, sigma, T, right) == price. NAN when there is none: price
 * at or below the intrinsic value, at or above the upper bound (F for a
 * call, K for a put), T not positive, or any input not finite or invalid.
 */
double lbr_implied_vol(double price, double F, double K, double T, char right);

/*
 * The whole chain at once: vol[i] = lbr_implied_vol(price[i], F[i], K[i],
 * T[i], right[i]) for i < n, to 1e-14 relative, NAN exactly where it is
 * NAN (the same mathematics with every branch a blend, so that the
 * compiler vectorises it: lbr.c says how). The last bits depend on the
 * CPU (an AVX-512, AVX2 or baseline build of the loops is chosen at load
 * time); lbr_implied_vol's do not. The caller owns the arrays; vol must
 * not overlap the inputs. No allocation; about 26 KB of stack.
 */
void lbr_implied_vol_chain(const double *price, const double *F, const double *K, const double *T,
			   const char *right, size_t n, double *vol);

/* The normalised Black price b = price / sqrt(F K) at x = ln(F/K) and
 * s = sigma sqrt(T) >= 0, in the money or not (for x > 0 a call is its
 * intrinsic value 2 sinh(x/2) plus the put at the same x). Relative error a
 * few 1e-16 times (1 + the condition number (x/s)^2), which is the
 * rounding of x/s itself. NAN for s < 0, x or s NAN, right not C/P. */
double lbr_normalised_black(double x, double s, char right);

/*
 * The core inverse, out of the money: the s > 0 with b(x, s) == beta for an
 * out-of-the-money call, x <= 0, given beta and its complement beta_c =
 * e^{x/2} - beta, both > 0 (the caller computes beta_c from its own data,
 * e.g. the distance of the price to its upper bound, so that prices near
 * that bound keep their precision). lbr_implied_vol and bs_implied_vol are
 * layers over it. NAN when x > 0 or beta, beta_c not > 0.
 */
double lbr_implied_s(double x, double beta, double beta_c);

/* lbr_implied_s on n normalised problems at once (x[i], beta[i],
 * beta_c[i] into s[i]), vectorised as lbr_implied_vol_chain is; within a
 * few ulps of lbr_implied_s, and exactly its NAN where it has none.
 * bs.h's bs_iv_normalise gives the normalised problem of a BSM price;
 * chain.h's chain_iv does the whole chain. */
void lbr_implied_s_chain(const double *x, const double *beta, const double *beta_c, size_t n,
			 double *s);

/* ln(a/b) for a, b > 0 to a few ulps of the result, also when a/b is near 1
 * (where log(a / b) would be off by an ulp of 1, not of the logarithm):
 * the x of forward and strike. */
double lbr_log_ratio(double a, double b);

/* The scaled complementary error function erfcx(x) = e^{x^2} erfc(x), to a
 * few ulps for x >= -0.75 (one polynomial in 3/(3 + x)), from the
 * reflection 2 e^{x^2} - erfcx(-x) below; +inf below -26.63. */
double lbr_erfcx(double x);

/* The inverse standard normal CDF, to a few ulps for p in (0, 1); -inf at 0,
 * +inf at 1, NAN outside [0, 1]. */
double lbr_norm_ppf(double p);

#endif
