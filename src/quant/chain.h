/*
 * chain.h - Black-Scholes-Merton price and greeks of a whole option chain in
 * one call (issue 12, point 5), over arrays laid out one per quantity
 * (structure of arrays) so that the compiler vectorises the loop. Pure math
 * beside bs.h (DESIGN.md §1: the strategies, the sim and backtests price
 * chains); no I/O, no global state.
 *
 * Units, definitions and limit conventions are those of bs.h's bs_greeks:
 * S, K and prices in dollars per share, T in years, r, q and sigma as
 * fractions per year; vega and rho per 1.00 of sigma and r, theta per year
 * of calendar time. Each output is within a few ulps of bs_greeks's where
 * bs_greeks is itself accurate (both keep to the out-of-the-money side of
 * the price, and both take every normal probability from its smaller tail);
 * the T == 0 and sigma == 0 limits and invalid input give exactly what
 * bs_greeks gives (they are computed by it).
 */
#ifndef PT_CHAIN_H
#define PT_CHAIN_H

#include <stddef.h>

/* The inputs: element i of each array is option i. All arrays hold n
 * elements (the caller repeats a chain's S, r and q). right is 'C' or 'P'. */
struct chain_in {
	const double *S, *K, *T, *r, *q, *sigma;
	const char *right;
};

/* The outputs, n elements each, bs_greeks's fields one array per field.
 * They must not overlap the inputs or each other. */
struct chain_out {
	double *price, *delta, *gamma, *vega, *theta, *rho;
};

/*
 * Price and greeks of the n options of `in` into `out`: element i is what
 * bs_greeks(in->right[i], in->S[i], ..., in->sigma[i]) would store. Returns
 * the number of options whose input is invalid (bs_greeks's -1; their six
 * outputs are NAN). n == 0 does nothing and returns 0.
 *
 * On x86-64 with gcc the loop runs four options at a time with AVX2 where
 * the CPU has it (two with SSE2 elsewhere), calling glibc's libmvec for
 * exp, log and erfc; HACKING.md says how to check that it is vectorised.
 */
size_t chain_greeks(const struct chain_in *in, const struct chain_out *out, size_t n);

/*
 * Implied volatility of the n prices price[i] of `in`'s options (in->sigma
 * is not read) into vol[i]: what bs_implied_vol would store, to a few ulps
 * (NAN exactly where it returns -1). Each option's normalised problem is
 * bs_iv_normalise's (one at a time: its log-moneyness is summed in long
 * double), solved by lbr_implied_s_chain's vector code. Returns the number
 * of prices with no volatility. vol must not overlap the inputs.
 */
size_t chain_iv(const struct chain_in *in, const double *price, double *vol, size_t n);

#endif
