/*
 * bs.c - Black-Scholes-Merton with a continuous dividend yield: price,
 * greeks, implied volatility (through lbr.c) and close-to-close historical
 * volatility; see bs.h. Pure math under the strategy's scan and the book's
 * marks (DESIGN.md §1); no I/O, no global state.
 *
 * Accuracy notes. The normal CDF is computed from erfc, which keeps its
 * relative precision far into the lower tail (1 - N(x) would not). A price
 * is the discounted forward intrinsic value plus the value of the
 * out-of-the-money side (an in-the-money call is priced as the put plus
 * S e^{-qT} - K e^{-rT}), so the time value, which is all that depends on
 * sigma, is never the difference of two nearly equal large numbers.
 * Implied volatility is lbr.c's (Let's Be Rational) on the forward, fed
 * that same split: the time value and the distance to the upper bound.
 */
#include <float.h>
#include <math.h>
#include <stddef.h>

#include "bs.h"
#include "lbr.h"
#include "../util/util.h"

#define SQRT1_2 0.70710678118654752440	 /* 1/sqrt(2) */
#define INV_SQRT2PI 0.39894228040143267794 /* 1/sqrt(2 pi) */

/* Standard normal CDF; erfc keeps relative precision in the lower tail. */
static double ncdf(double x)
{
	return 0.5 * erfc(-x * SQRT1_2);
}

/* Standard normal density. */
static double npdf(double x)
{
	return INV_SQRT2PI * exp(-0.5 * x * x);
}

int bs_valid_input(char right, double S, double K, double T, double r, double q, double sigma)
{
	if (right != 'C' && right != 'P')
		return 0;
	if (!(S > 0) || !isfinite(S) || !(K > 0) || !isfinite(K))
		return 0;
	if (!(T >= 0) || !isfinite(T) || !(sigma >= 0) || !isfinite(sigma))
		return 0;
	return isfinite(r) && isfinite(q);
}

/*
 * Value of the out-of-the-money side for x = S e^{-qT} - K e^{-rT}: the
 * put when x > 0, else the call. Needs sigma sqrt(T) > 0. Sets *vega (the
 * same for calls and puts) when vega is not NULL.
 */
static double otm_value(double S, double K, double T, double r, double q, double sigma,
			double x, double *vega)
{
	double sd = sigma * sqrt(T);
	double d1 = (log(S / K) + (r - q) * T) / sd + 0.5 * sd;
	double d2 = d1 - sd;
	double sq = S * exp(-q * T), kr = K * exp(-r * T);
	double v;

	if (vega)
		*vega = sq * npdf(d1) * sqrt(T);
	if (x > 0)
		v = kr * ncdf(-d2) - sq * ncdf(-d1);
	else
		v = sq * ncdf(d1) - kr * ncdf(d2);
	return v > 0 ? v : 0; /* rounding may leave a tiny negative */
}

/* Price for valid input: discounted forward intrinsic value plus time value. */
static double price_valid(char right, double S, double K, double T, double r, double q,
			  double sigma)
{
	double x = S * exp(-q * T) - K * exp(-r * T);
	double intr = right == 'C' ? fmax(x, 0) : fmax(-x, 0);

	if (sigma * sqrt(T) == 0)
		return intr;
	return intr + otm_value(S, K, T, r, q, sigma, x, NULL);
}

double bs_price(char right, double S, double K, double T, double r, double q, double sigma)
{
	if (!bs_valid_input(right, S, K, T, r, q, sigma))
		return NAN;
	return price_valid(right, S, K, T, r, q, sigma);
}

void bs_price_pair(double S, double K, double T, double r, double q, double sigma, double *call,
		   double *put)
{
	double x, otm;

	if (!bs_valid_input('C', S, K, T, r, q, sigma)) {
		*call = *put = NAN;
		return;
	}
	/* price_valid's arithmetic, once for both rights */
	x = S * exp(-q * T) - K * exp(-r * T);
	otm = sigma * sqrt(T) == 0 ? 0 : otm_value(S, K, T, r, q, sigma, x, NULL);
	*call = fmax(x, 0) + otm;
	*put = fmax(-x, 0) + otm;
}

int bs_greeks(char right, double S, double K, double T, double r, double q, double sigma,
	      struct bs_greeks *out)
{
	double sq, kr, sd, nd1, nd2;

	if (!bs_valid_input(right, S, K, T, r, q, sigma)) {
		out->price = out->delta = out->gamma = NAN;
		out->vega = out->theta = out->rho = NAN;
		return -1;
	}
	sq = S * exp(-q * T);
	kr = K * exp(-r * T);
	sd = sigma * sqrt(T);
	out->price = price_valid(right, S, K, T, r, q, sigma);
	if (sd == 0) {
		/*
		 * The sigma sqrt(T) -> 0 limits, with QuantLib's BlackCalculator
		 * convention at the kink (forward == strike): N(d1) = N(d2) = 1/2
		 * and n(d1) = 0, so gamma and vega are 0 there rather than infinite.
		 */
		double x = sq - kr;

		nd1 = nd2 = x > 0 ? 1.0 : x < 0 ? 0.0 : 0.5;
		out->gamma = 0;
		out->vega = 0;
		if (right == 'C') {
			out->delta = exp(-q * T) * nd1;
			out->theta = q * sq * nd1 - r * kr * nd2;
			out->rho = T * kr * nd2;
		} else {
			out->delta = -exp(-q * T) * (1 - nd1);
			out->theta = -q * sq * (1 - nd1) + r * kr * (1 - nd2);
			out->rho = -T * kr * (1 - nd2);
		}
		return 0;
	}
	{
		double d1 = (log(S / K) + (r - q) * T) / sd + 0.5 * sd;
		double d2 = d1 - sd;
		double pd1 = npdf(d1);
		double decay;

		out->gamma = exp(-q * T) * pd1 / (S * sd);
		out->vega = sq * pd1 * sqrt(T);
		decay = -sq * pd1 * sigma / (2 * sqrt(T));
		if (right == 'C') {
			nd1 = ncdf(d1);
			nd2 = ncdf(d2);
			out->delta = exp(-q * T) * nd1;
			out->theta = decay + q * sq * nd1 - r * kr * nd2;
			out->rho = T * kr * nd2;
		} else {
			nd1 = ncdf(-d1);
			nd2 = ncdf(-d2);
			out->delta = -exp(-q * T) * nd1;
			out->theta = decay - q * sq * nd1 + r * kr * nd2;
			out->rho = -T * kr * nd2;
		}
	}
	return 0;
}

void bs_bounds(char right, double S, double K, double T, double r, double q, double *lower,
	       double *upper)
{
	double sq, kr;

	if (!bs_valid_input(right, S, K, T, r, q, 0)) {
		*lower = *upper = NAN;
		return;
	}
	sq = S * exp(-q * T);
	kr = K * exp(-r * T);
	if (right == 'C') {
		*lower = fmax(sq - kr, 0);
		*upper = sq;
	} else {
		*lower = fmax(kr - sq, 0);
		*upper = kr;
	}
}

enum bs_iv_why bs_iv_why(char right, double S, double K, double T, double r, double q, double price)
{
	double x, beta, beta_c;

	return bs_iv_normalise(right, S, K, T, r, q, price, &x, &beta, &beta_c);
}

const char *bs_iv_why_name(enum bs_iv_why why)
{
	switch (why) {
	case BS_IV_OK:
		return "";
	case BS_IV_INVALID:
		return "invalid";
	case BS_IV_ZERO_TIME:
		return "zero_time";
	case BS_IV_BELOW_INTRINSIC:
		return "below_intrinsic";
	case BS_IV_ABOVE_UPPER:
		return "above_upper_bound";
	}
	return "invalid";
}

/*
 * Let's Be Rational on the forward, in its normalised coordinates: x =
 * ln(F/K), the price over sqrt(F K) e^{-rT} = sqrt(S e^{-qT} K e^{-rT}),
 * and, in the money, less the normalised intrinsic value 2 sinh(|x|/2).
 * The time value of an option in the money is that difference, so x must
 * carry the digits of the price: ln(S/K) and (r - q)T cancel when the
 * strike is near the forward far from the spot (a long expiry, a large
 * carry), and each rounded to double would leave ln(F/K) with an error of
 * an ulp of the larger, which is a hundred times the price's own rounding
 * on the bench's worst cases. bs_log_moneyness sums them in long double
 * (64-bit significand on x86-64, 113 on AArch64; where long double is
 * double this is the plain sum). Beyond |x| = 700, where sinh would
 * overflow, the intrinsic value is taken in price space as before (its
 * expm1 form keeps its rounding to a few ulps of the intrinsic itself).
 * The time value and the distance to the upper bound are never 0 for a
 * price strictly inside the bounds (IEEE subtraction of unequal numbers),
 * nor made 0 by the normalisation (DBL_TRUE_MIN at least).
 */
double bs_log_moneyness(double S, double K, double T, double r, double q)
{
	long double x = logl((long double)S / (long double)K) +
			((long double)r - (long double)q) * (long double)T;

	return (double)x;
}

enum bs_iv_why bs_iv_normalise(char right, double S, double K, double T, double r, double q,
			       double price, double *x, double *beta, double *beta_c)
{
	double sq, kr, lower, upper, norm, lx, b;
	double th = right == 'C' ? 1 : -1;

	*x = *beta = *beta_c = NAN;
	/* the reasons in bs_iv_why's order, on bs_bounds's numbers (bs_iv_why is this) */
	if (!bs_valid_input(right, S, K, T, r, q, 0) || !isfinite(price))
		return BS_IV_INVALID;
	if (!(T > 0))
		return BS_IV_ZERO_TIME;
	sq = S * exp(-q * T);
	kr = K * exp(-r * T);
	lower = fmax(th * (sq - kr), 0);
	upper = right == 'C' ? sq : kr;
	if (!(price > lower))
		return BS_IV_BELOW_INTRINSIC;
	if (!(price < upper))
		return BS_IV_ABOVE_UPPER;
	norm = isnormal(sq * kr) ? sqrt(sq * kr) : sqrt(sq) * sqrt(kr);
	lx = bs_log_moneyness(S, K, T, r, q);
	if (th * lx <= 0) { /* out of the money forward: all time value */
		b = price / norm;
	} else if (fabs(lx) <= 700) {
		b = price / norm - 2 * sinh(0.5 * fabs(lx));
	} else {
		double fwd_intr = (S - K) + (S * expm1(-q * T) - K * expm1(-r * T));

		b = (price - th * fwd_intr) / norm;
	}
	*x = -fabs(lx);
	*beta = fmax(b, DBL_TRUE_MIN);
	*beta_c = fmax((upper - price) / norm, DBL_TRUE_MIN);
	return BS_IV_OK;
}

int bs_implied_vol(char right, double S, double K, double T, double r, double q, double price,
		   double *iv)
{
	double x, beta, beta_c;

	*iv = NAN;
	if (bs_iv_normalise(right, S, K, T, r, q, price, &x, &beta, &beta_c) != BS_IV_OK)
		return -1;
	*iv = lbr_implied_s(x, beta, beta_c) / sqrt(T);
	return 0;
}

double hv_close_to_close(const double *closes, size_t n, size_t window)
{
	double mean = 0, ss = 0;
	size_t i, start;

	if (!closes || window < 2 || n == 0 || window > n - 1)
		return NAN;
	start = n - 1 - window;
	for (i = start; i < n; i++)
		if (!(closes[i] > 0) || !isfinite(closes[i]))
			return NAN;
	for (i = start + 1; i < n; i++)
		mean += log(closes[i] / closes[i - 1]);
	mean /= (double)window;
	for (i = start + 1; i < n; i++) {
		double d = log(closes[i] / closes[i - 1]) - mean;
		ss += d * d;
	}
	return sqrt(ss / (double)(window - 1) * 252.0);
}

double bs_norm_ppf_fast(double p)
{
	static const double a[] = {-3.969683028665376e+01, 2.209460984245205e+02,
	                           -2.759285104469687e+02, 1.383577518672690e+02,
	                           -3.066479806614716e+01, 2.506628277459239e+00};
	static const double b[] = {-5.447609879822406e+01, 1.615858368580409e+02,
	                           -1.556989798598866e+02, 6.680131188771972e+01,
	                           -1.328068155288572e+01};
	static const double c[] = {-7.784894002430293e-03, -3.223964580411365e-01,
	                           -2.400758277161838e+00, -2.549732539343734e+00,
	                           4.374664141464968e+00,  2.938163982698783e+00};
	static const double d[] = {7.784695709041462e-03, 3.224671290700398e-01,
	                           2.445134137142996e+00, 3.754408661907416e+00};
	double q, r;

	if (p < 0.02425) {
		q = sqrt(-2 * log(p));
		return (((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q + c[5]) /
		       ((((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1);
	}
	if (p > 1 - 0.02425) {
		q = sqrt(-2 * log1p(-p));
		return -(((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q + c[5]) /
		       ((((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1);
	}
	q = p - 0.5;
	r = q * q;
	return (((((a[0] * r + a[1]) * r + a[2]) * r + a[3]) * r + a[4]) * r + a[5]) * q /
	       (((((b[0] * r + b[1]) * r + b[2]) * r + b[3]) * r + b[4]) * r + 1);
}
