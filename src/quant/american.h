/*
 * american.h - American options: the Barone-Adesi-Whaley (1987) and
 * Bjerksund-Stensland (1993, 2002) approximations, a reference lattice with
 * discrete cash dividends, the model price the strategy uses with
 * `model = american`, and the implied volatility of an American price.
 * Pure math beside bs.h (DESIGN.md §1: the strategy's scan, the sweep's
 * precompute and the engine's model marks call it); no I/O, no global
 * state. docs/american.md gives the methods, the dividend model and the
 * measured accuracy.
 *
 * Units as bs.h: S, K and prices in dollars per share; T and dividend times
 * in years from now; r, q and sigma fractions per year; right 'C' or 'P'.
 *
 * Dividends: the escrowed-dividend model. The cash dividends paid at
 * 0 < t <= T are known; the stock less their present value,
 * S* = S - sum D e^{-r t}, follows geometric Brownian motion with
 * volatility sigma and continuous yield q; the holder who exercises at time
 * t receives S*(t) plus the present value at t of the dividends still to
 * come. A call may be exercised just before an ex-dividend instant (and
 * receives that dividend), a put just after it. Dividends at t <= 0 are in
 * the spot already and ignored, as are those after T. A dividend at T
 * exactly is paid before the final exercise (a put gets the drop, a call
 * exercised at T- the dividend).
 */
#ifndef PT_AMERICAN_H
#define PT_AMERICAN_H

#include <stddef.h>

/* One cash dividend: the ex-dividend instant and the amount per share. */
struct am_div {
	double t;      /* years from now */
	double amount; /* dollars per share, >= 0 */
};

/*
 * Barone-Adesi and Whaley's quadratic approximation with a continuous
 * yield q (no discrete dividends), its critical price solved by Newton's
 * method to 1e-12 relative. The European value (bs_price) exactly when
 * early exercise is never optimal: a call with q <= 0 and r >= 0, a put with
 * r <= 0 and q >= 0. NAN for invalid input (bs_price's rules), and for the
 * parameters the approximation does not cover (a call with r < 0 and q > 0,
 * a put with q < 0 and r > 0).
 */
double am_baw(char right, double S, double K, double T, double r, double q, double sigma);

/*
 * Bjerksund and Stensland's approximations with a continuous yield q: the
 * 2002 one (two flat exercise boundaries, a lower bound of the American
 * value) and the 1993 one (one boundary; QuantLib's
 * BjerksundStenslandApproximationEngine up to its 1.30). A put is valued as
 * the call of the put-call transformation, P(S, K, r, q) = C(K, S, q, r). The
 * European value where early exercise is never optimal and NAN where the
 * approximation does not apply, as am_baw.
 */
double am_bjs(char right, double S, double K, double T, double r, double q, double sigma);
double am_bjs1993(char right, double S, double K, double T, double r, double q, double sigma);

/*
 * The European value in the escrowed-dividend model: bs_price on S less the
 * present value of the dividends in (0, T]. NAN for invalid input (as
 * bs_price; a dividend with a non-finite time or a negative or non-finite
 * amount; dividends worth the whole spot or more).
 */
double am_european(char right, double S, double K, double T, double r, double q, double sigma,
		   const struct am_div *div, size_t n_div);

/*
 * The reference lattice: an explicit trinomial tree in log S* on a fixed
 * grid (probabilities 1/6, 2/3, 1/6 at a spacing of sigma sqrt(3 dt),
 * steps of about T / steps with one ending exactly at every ex-dividend
 * instant), American exercise at every step (or only just before
 * ex-dividend instants where that is the only time it can pay: a call with
 * q <= 0 and r >= 0), and the kinks of the payoff and of each exercise
 * decision carried in closed form. Its error falls like 1 / steps;
 * docs/american.md has the convergence. steps below 1 count as 1; the cost
 * grows like steps^1.5 (tens of milliseconds at 20,000). The European value
 * exactly where early exercise never pays; the exact value at T = 0 or
 * sigma = 0. NAN for invalid input, as am_european.
 */
double am_lattice(char right, double S, double K, double T, double r, double q, double sigma,
		  const struct am_div *div, size_t n_div, int steps);

/*
 * The model price: the American value the strategy uses with
 * `model = american`. Exact where exercise is never early (the European
 * value); otherwise the lattice at a number of steps chosen from the
 * option's scale, extrapolated (Richardson) where exercise is continuous.
 * docs/american.md gives its worst error against a converged lattice on the
 * test table (within 1e-4 per $100 of spot) and its cost. NAN as
 * am_lattice.
 */
double am_price(char right, double S, double K, double T, double r, double q, double sigma,
		const struct am_div *div, size_t n_div);

/*
 * No-arbitrage bounds of an American price, with the dividends: lower is
 * the value at sigma = 0 (the best of exercising now, at an instant along
 * the forward, or at expiry; never below the intrinsic value
 * max(S - K, 0) or max(K - S, 0)), upper is S for a call and K for a put.
 * Both NAN for invalid input.
 */
void am_bounds(char right, double S, double K, double T, double r, double q,
	       const struct am_div *div, size_t n_div, double *lower, double *upper);

/*
 * The implied volatility of an American price: the sigma at which am_price
 * equals `price`. Returns 0 and sets *iv, or -1 (*iv NAN) when the price is
 * not strictly inside am_bounds (at or below the zero-volatility value, at
 * or above S or K), when no volatility up to AM_IV_MAX reaches it, when
 * T == 0, or for invalid input. The search starts from the European implied
 * volatility of the price (bs_implied_vol, escrowed), keeps a bracket and
 * stops when the bracket is 1e-9 relative in sigma or the price matches to
 * 1e-12 relative.
 */
#define AM_IV_MAX 20.0
int am_implied_vol(char right, double S, double K, double T, double r, double q,
		   const struct am_div *div, size_t n_div, double price, double *iv);

#endif
