/*
 * bs.h - Black-Scholes-Merton pricing with a continuous dividend yield, its
 * greeks, an implied-volatility solver and close-to-close historical
 * volatility. Pure math (DESIGN.md §1: the strategy's scan and the book's
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

/* Range searched by the implied-volatility solver. */
#define BS_IV_MIN 0.005
#define BS_IV_MAX 5.0

/*
 * Implied volatility of `price`. Returns 0 and sets *iv, or -1 when no
 * volatility in [BS_IV_MIN, BS_IV_MAX] reproduces the price (price outside
 * the no-arbitrage bounds, or inputs invalid). Converges to 1e-10 in price
 * for every price strictly inside the bounds attainable in that range, for T
 * from one hour to five years.
 *
 * A price at or beyond a bound gives -1, as does T == 0 (nothing to solve
 * for). A price equal to bs_price at BS_IV_MIN or BS_IV_MAX gives that end
 * exactly. On -1, *iv is set to NAN. The recovered volatility is as good as
 * the price allows: prices below DBL_MIN (subnormal, fewer significant
 * digits) or whose change over a 1e-6 change of sigma is below a few hundred
 * ulps can only be solved to that precision.
 */
int bs_implied_vol(char right, double S, double K, double T, double r, double q, double price,
		   double *iv);

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
