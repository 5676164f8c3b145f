/*
 * bs.h - Black-Scholes-Merton pricing with a continuous dividend yield, its
 * greeks, implied volatility (Let's Be Rational, lbr.h) and close-to-close
 * historical volatility. Pure math (DESIGN.md §1: the strategy's scan and the book's
 * marks call it); no I/O, no global state.
 *
 * Units: S, K and prices in dollars per share; T in years; r, q and sigma as
 * fractions per year (0.045, 0.18). right is 'C' (call) or 'P' (put).
 */
#ifndef PT_BS_H
#define PT_BS_H

#include <stddef.h>

struct bs_greeks {
	double price;
	double delta;	/* dV/dS */
	double gamma;	/* d2V/dS2 */
	double vega;	/* dV/dsigma, per 1.00 change of sigma */
	double theta;	/* dV/dt per year of calendar time (negative of dV/dT) */
	double rho;	/* dV/dr, per 1.00 change of r */
};

/* 1 when the inputs are ones bs_price prices: right C or P, S and K
 * positive and finite, T and sigma at least 0 and finite, r and q finite. */
int bs_valid_input(char right, double S, double K, double T, double r, double q, double sigma);

/* Option value. Returns NAN for invalid input (S,K <= 0, T < 0, sigma < 0, right not C/P).
 * T == 0 or sigma == 0 give the discounted intrinsic value of the forward. */
double bs_price(char right, double S, double K, double T, double r, double q, double sigma);
/* The call and the put of one strike at once (*call, *put), each exactly
 * bs_price's value: they share the out-of-the-money part, computed once.
 * NAN for both when the input is not valid. */
void bs_price_pair(double S, double K, double T, double r, double q, double sigma, double *call,
		   double *put);

/*
 * Price and greeks; returns 0, or -1 (all fields NAN) for invalid input.
 * When T == 0 or sigma == 0 the greeks are the sigma sqrt(T) -> 0 limits:
 * delta e^{-qT} (call) or -e^{-qT} (put) in the money and 0 out of it,
 * gamma and vega 0, theta and rho those of the discounted intrinsic value.
 * Exactly at the money forward (S e^{-qT} == K e^{-rT}) they follow
 * QuantLib's BlackCalculator: N(d1) = N(d2) = 1/2 and n(d1) = 0, so delta
 * is +-e^{-qT}/2 and gamma and vega are 0 rather than infinite.
 */
int bs_greeks(char right, double S, double K, double T, double r, double q, double sigma,
	      struct bs_greeks *out);

/* No-arbitrage bounds of an option price: lower = max(0, forward intrinsic
 * discounted), upper = S e^{-qT} for a call, K e^{-rT} for a put. Both NAN
 * for invalid input (sigma is not an argument; the rest as for bs_price). */
void bs_bounds(char right, double S, double K, double T, double r, double q, double *lower,
	       double *upper);

/*
 * Implied volatility of `price`. Returns 0 and sets *iv for every price
 * strictly inside the no-arbitrage bounds of bs_bounds with T > 0, however
 * small or large the volatility (no range is searched); -1 and *iv = NAN
 * otherwise (bs_iv_why says why). Solved by Let's Be Rational (lbr.h) on
 * the forward: x = ln(S/K) + (r - q) T (bs_log_moneyness), the time value
 * (in the money: the price over sqrt(S e^{-qT} K e^{-rT}) less the
 * normalised intrinsic value 2 sinh(|x|/2)) and the distance to the upper
 * bound over the same.
 *
 * Accuracy: where the price carries the information -- its relative
 * rounding error (2^-53) divided by its elasticity to sigma, vega sigma /
 * price, is below 1e-14 -- *iv is within 1e-12 of the volatility that made
 * the price, relative (in practice a few 1e-16; docs/pricing.md). Where
 * the elasticity is smaller (deep in the money, or a price within a few
 * ulps of its upper bound) the price does not fix sigma to 1e-12, and *iv
 * is a volatility whose price is the input to within its rounding.
 */
int bs_implied_vol(char right, double S, double K, double T, double r, double q, double price,
		   double *iv);

/* ln(F/K) = ln(S/K) + (r - q) T, summed in long double so that the result
 * keeps a few ulps of itself where the two terms cancel (a strike near a
 * forward far from the spot). No checks: S, K > 0 and finite. */
double bs_log_moneyness(double S, double K, double T, double r, double q);

/* Why a price has (or has not) an implied volatility, in bs_iv_why's order
 * of checking. */
enum bs_iv_why {
	BS_IV_OK = 0,	       /* strictly inside the bounds: solved */
	BS_IV_INVALID,	       /* right not C/P, S or K not > 0, T < 0, a NAN or inf */
	BS_IV_ZERO_TIME,       /* T == 0: every sigma gives the same price */
	BS_IV_BELOW_INTRINSIC, /* price <= the lower bound, max(0, forward intrinsic) */
	BS_IV_ABOVE_UPPER,     /* price >= S e^{-qT} (call) or K e^{-rT} (put) */
};

/* The reason for the same arguments as bs_implied_vol: BS_IV_OK exactly
 * when bs_implied_vol returns 0. */
enum bs_iv_why bs_iv_why(char right, double S, double K, double T, double r, double q,
			 double price);

/* A short name for why: "" for BS_IV_OK, "invalid", "zero_time",
 * "below_intrinsic", "above_upper_bound"; static storage. */
const char *bs_iv_why_name(enum bs_iv_why why);

/* bs_implied_vol's problem in Let's Be Rational's normalised coordinates
 * (lbr.h): x = -|ln F/K|, the normalised time value beta and distance to
 * the upper bound beta_c (each at least DBL_TRUE_MIN), so that the
 * volatility is lbr_implied_s(x, beta, beta_c) / sqrt(T). Returns
 * bs_iv_why's answer; x, beta and beta_c are NAN unless BS_IV_OK. */
enum bs_iv_why bs_iv_normalise(char right, double S, double K, double T, double r, double q,
			       double price, double *x, double *beta, double *beta_c);

/*
 * Historical volatility: sample standard deviation of the last `window` log
 * returns of closes[0..n-1] (oldest first), annualised by sqrt(252). Needs
 * window + 1 closes; returns NAN when there are fewer, when window < 2 (one
 * return has no spread), or when any of the closes used is <= 0 or not finite.
 */
double hv_close_to_close(const double *closes, size_t n, size_t window);

/* The inverse of the standard normal CDF by Acklam's rational
 * approximation (relative error below 1.2e-9), for p in (0, 1): the sim's
 * draws (fast, and fixed bit for bit) and analytics' starting point. */
double bs_norm_ppf_fast(double p);

#endif
