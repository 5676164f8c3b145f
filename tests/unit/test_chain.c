/*
 * test_chain.c - unit tests of src/quant/chain.c (issue 12 point 5): a
 * whole chain's price and greeks against a 50-digit reference
 * (tests/data/chain_ref.csv, written by tests/gen_chain_ref.py) and against
 * bs_greeks, an option's results wherever it sits in a chain, and the
 * limits and invalid input exactly as bs_greeks has them, at their
 * boundaries; chain_iv against bs_implied_vol and against volatilities
 * whose prices were made at 50 digits.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <float.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "quant/bs.h"
#include "quant/chain.h"
#include "util/util.h"

enum { MAX_ROWS = 1024, REF_COLS = 13, NF = 6 };

static const char *const field_name[NF] = {"price", "delta", "gamma", "vega", "theta", "rho"};

/* A chain in structure-of-arrays form, with room for MAX_ROWS options. */
struct soa {
	double S[MAX_ROWS], K[MAX_ROWS], T[MAX_ROWS], r[MAX_ROWS], q[MAX_ROWS], sigma[MAX_ROWS];
	char right[MAX_ROWS];
	double o[NF][MAX_ROWS];
	size_t n;
};

static struct chain_in soa_in(const struct soa *a, size_t from)
{
	struct chain_in in = {a->S + from, a->K + from,	    a->T + from,    a->r + from,
			      a->q + from, a->sigma + from, a->right + from};
	return in;
}

static struct chain_out soa_out(struct soa *a, size_t from)
{
	struct chain_out out = {a->o[0] + from, a->o[1] + from, a->o[2] + from,
				a->o[3] + from, a->o[4] + from, a->o[5] + from};
	return out;
}

static void soa_add(struct soa *a, char right, double S, double K, double T, double r, double q,
		    double sigma)
{
	size_t i = a->n++;

	assert_true(i < MAX_ROWS);
	a->right[i] = right;
	a->S[i] = S;
	a->K[i] = K;
	a->T[i] = T;
	a->r[i] = r;
	a->q[i] = q;
	a->sigma[i] = sigma;
}

static void greeks_array(const struct bs_greeks *g, double v[NF])
{
	v[0] = g->price;
	v[1] = g->delta;
	v[2] = g->gamma;
	v[3] = g->vega;
	v[4] = g->theta;
	v[5] = g->rho;
}

/* Same value, NaN matching NaN (the limits are bs_greeks's to the bit;
 * == lets 0 match -0, which no caller can tell apart in a sum). */
static int same(double a, double b)
{
	return a == b || (isnan(a) && isnan(b));
}

/* ---- the reference table ---- */

static FILE *open_ref(void)
{
	const char *root = getenv("PT_ROOT");
	char path[4096];

	snprintf(path, sizeof(path), "%s/tests/data/chain_ref.csv", root && *root ? root : ".");
	return fopen(path, "r");
}

/* Reads the table into a (inputs) and ref (the six reference columns). */
static void read_ref(struct soa *a, double ref[NF][MAX_ROWS])
{
	char line[1024];
	FILE *f = open_ref();
	int header = 0;

	assert_non_null(f);
	a->n = 0;
	while (fgets(line, sizeof(line), f)) {
		double v[REF_COLS];
		char *p, *c;
		int i;

		line[strcspn(line, "\r\n")] = '\0';
		if (!header) {
			assert_string_equal(line, "right,S,K,T,r,q,sigma,price,delta,gamma,vega,"
						  "theta,rho");
			header = 1;
			continue;
		}
		assert_true((line[0] == 'C' || line[0] == 'P') && line[1] == ',');
		for (i = 1, p = line + 2; i < REF_COLS; i++, p = c + 1) {
			c = strchr(p, ',');
			assert_true(c != NULL || i == REF_COLS - 1);
			if (c)
				*c = '\0';
			assert_int_equal(pt_parse_double(p, &v[i]), 0);
			if (!c)
				break;
		}
		assert_int_equal(i, REF_COLS - 1);
		soa_add(a, line[0], v[1], v[2], v[3], v[4], v[5], v[6]);
		for (i = 0; i < NF; i++)
			ref[i][a->n - 1] = v[7 + i];
	}
	fclose(f);
	assert_true(header);
}

static double ncdf(double x)
{
	return 0.5 * erfc(-x * M_SQRT1_2);
}

/*
 * What rounding alone can do to each output of option i (absolute), from
 * the way every Black-Scholes code computes it: a few ulps of each term,
 * plus the rounding of d1 and d2 carried through N and n. d1 =
 * (ln(S/K) + (r - q) T) / (sigma sqrt T) + sigma sqrt T / 2 is off by about
 * eps (2 + |ln(S/K)| + |(r - q) T|) / (sigma sqrt T) + eps (2 |d1| +
 * sigma sqrt T) - large when sigma sqrt T is small: S/K itself is rounded
 * - and N(d) and n(d) move by (1 + |d|) and |d| times that, relatively.
 * bs_greeks stays within this bound on the whole table (so does the
 * chain); it is the scale the chain's errors are measured on.
 */
static void rounding_bound(const struct soa *a, size_t i, const double g[NF], double b[NF])
{
	const double ep = DBL_EPSILON;
	double S = a->S[i], K = a->K[i], T = a->T[i], r = a->r[i], q = a->q[i];
	double sd = a->sigma[i] * sqrt(T), sq = S * exp(-q * T), kr = K * exp(-r * T);
	double d1 = (log(S / K) + (r - q) * T) / sd + 0.5 * sd, d2 = d1 - sd;
	double dd = ep * (2 + fabs(log(S / K)) + fabs((r - q) * T)) / sd + ep * (2 * fabs(d1) + sd);
	double e1 = ep + (1 + fabs(d1)) * dd, e2 = ep + (1 + fabs(d2)) * dd;
	double en = ep + fabs(d1) * dd;
	double pd = exp(-0.5 * d1 * d1) / sqrt(2 * M_PI), x = sq - kr;
	int call = a->right[i] == 'C', itm = call ? x > 0 : x < 0;
	double n1 = call ? ncdf(d1) : ncdf(-d1), n2 = call ? ncdf(d2) : ncdf(-d2);

	/* the out-of-the-money side's two terms, and the intrinsic value */
	b[0] = sq * (x > 0 ? ncdf(-d1) : ncdf(d1)) * e1 + kr * (x > 0 ? ncdf(-d2) : ncdf(d2)) * e2 +
	       (itm ? ep * (sq + kr) : 0);
	b[1] = fabs(g[1]) * e1;
	b[2] = fabs(g[2]) * en;
	b[3] = fabs(g[3]) * en;
	b[4] = sq * pd * a->sigma[i] / (2 * sqrt(T)) * en + fabs(q) * sq * n1 * e1 +
	       fabs(r) * kr * n2 * e2;
	b[5] = fabs(g[5]) * e2;
}

static void test_reference(void **state)
{
	static struct soa a;
	static double ref[NF][MAX_ROWS];
	struct chain_in in;
	struct chain_out out;
	double worst[NF] = {0}, worst_s[NF] = {0}, agree[NF] = {0};
	int well[NF] = {0}, bad = 0;
	size_t i;

	(void)state;
	read_ref(&a, ref);
	assert_int_equal(a.n, 781); /* the whole table was read */
	in = soa_in(&a, 0);
	out = soa_out(&a, 0);
	assert_int_equal(chain_greeks(&in, &out, a.n), 0);
	for (i = 0; i < a.n; i++) {
		struct bs_greeks g;
		double s[NF], b[NF];
		int f;

		assert_int_equal(bs_greeks(a.right[i], a.S[i], a.K[i], a.T[i], a.r[i], a.q[i],
					   a.sigma[i], &g),
				 0);
		greeks_array(&g, s);
		rounding_bound(&a, i, s, b);
		for (f = 0; f < NF; f++) {
			double err = fabs(a.o[f][i] - ref[f][i]) / b[f];
			double ulp = DBL_EPSILON * fabs(ref[f][i]);

			if (err > worst[f])
				worst[f] = err;
			if (fabs(s[f] - ref[f][i]) / b[f] > worst_s[f])
				worst_s[f] = fabs(s[f] - ref[f][i]) / b[f];
			/*
			 * Within 2x the rounding bound of the 50-digit value
			 * everywhere; and where that bound is 16 ulps or less
			 * (the output is well conditioned, and bs_greeks is
			 * accurate: it is within the bound too), within 4 ulps
			 * of bs_greeks.
			 */
			if (!(err <= 2)) {
				if (bad++ < 10)
					print_message("# %c S=%g K=%g T=%g sigma=%g: %s %.17g, "
						      "reference %.17g (%.2f x the bound)\n",
						      a.right[i], a.S[i], a.K[i], a.T[i],
						      a.sigma[i], field_name[f], a.o[f][i],
						      ref[f][i], err);
			}
			if (b[f] <= 16 * ulp) {
				double d = fabs(a.o[f][i] - s[f]) / ulp;

				well[f]++;
				if (d > agree[f])
					agree[f] = d;
				if (!(d <= 4) && bad++ < 10)
					print_message("# %c S=%g K=%g T=%g sigma=%g: %s %.17g, "
						      "bs_greeks %.17g\n",
						      a.right[i], a.S[i], a.K[i], a.T[i],
						      a.sigma[i], field_name[f], a.o[f][i], s[f]);
			}
		}
	}
	for (i = 0; i < NF; i++)
		print_message("# %s: worst error %.2f x the rounding bound (bs_greeks %.2f); "
			      "%d well-conditioned, within %.1f ulp of bs_greeks\n",
			      field_name[i], worst[i], worst_s[i], well[i], agree[i]);
	/* the table has well-conditioned cases of every output */
	for (i = 0; i < NF; i++)
		assert_true(well[i] >= 50);
	assert_int_equal(bad, 0);
}

/*
 * An option's results do not depend on where it sits in a chain: the
 * whole table at once, each option alone, and runs of 1 to 9 from every
 * offset (the remainder of a chain is padded onto the vector path) give
 * the same bits.
 */
static void test_position(void **state)
{
	static struct soa a, b;
	static double ref[NF][MAX_ROWS];
	struct chain_in in;
	struct chain_out out;
	size_t i, len, f;

	(void)state;
	read_ref(&a, ref);
	b = a;
	in = soa_in(&a, 0);
	out = soa_out(&a, 0);
	assert_int_equal(chain_greeks(&in, &out, a.n), 0);
	for (i = 0; i < b.n; i++) {
		in = soa_in(&b, i);
		out = soa_out(&b, i);
		assert_int_equal(chain_greeks(&in, &out, 1), 0);
	}
	for (f = 0; f < NF; f++)
		assert_memory_equal(a.o[f], b.o[f], a.n * sizeof(double));
	for (len = 2; len <= 9; len++) {
		memset(b.o, 0, sizeof(b.o));
		for (i = 0; i < b.n; i += len) {
			size_t k = b.n - i < len ? b.n - i : len;

			in = soa_in(&b, i);
			out = soa_out(&b, i);
			assert_int_equal(chain_greeks(&in, &out, k), 0);
		}
		for (f = 0; f < NF; f++)
			assert_memory_equal(a.o[f], b.o[f], a.n * sizeof(double));
	}
}

/* ---- limits and invalid input ---- */

/* Runs a's options as one chain: the outputs of invalid input and of the
 * limits (sigma sqrt(T) == 0) must be bs_greeks's exactly (same), the
 * others within 4 ulps; the count of invalid options its -1s. */
static void check_exact(struct soa *a)
{
	struct chain_in in = soa_in(a, 0);
	struct chain_out out = soa_out(a, 0);
	size_t i, bad = 0, got;
	int f;

	got = chain_greeks(&in, &out, a->n);
	for (i = 0; i < a->n; i++) {
		struct bs_greeks g;
		double s[NF];

		int rc = bs_greeks(a->right[i], a->S[i], a->K[i], a->T[i], a->r[i], a->q[i],
				   a->sigma[i], &g);
		int exact = rc < 0 || a->sigma[i] * sqrt(a->T[i]) == 0;

		bad += rc < 0;
		greeks_array(&g, s);
		for (f = 0; f < NF; f++)
			if (!same(a->o[f][i], s[f]) &&
			    (exact || !(fabs(a->o[f][i] - s[f]) <= 4 * DBL_EPSILON * fabs(s[f]))))
				fail_msg("option %zu (%c S=%g K=%g T=%g r=%g q=%g sigma=%g): %s "
					 "%.17g, bs_greeks %.17g",
					 i, a->right[i], a->S[i], a->K[i], a->T[i], a->r[i],
					 a->q[i], a->sigma[i], field_name[f], a->o[f][i], s[f]);
	}
	assert_int_equal(got, bad);
}

static void test_limits(void **state)
{
	static struct soa a;
	static const double strikes[] = {80, 100, 120};
	size_t k;
	int c;

	(void)state;
	a.n = 0;
	for (c = 0; c < 2; c++) {
		char right = c ? 'P' : 'C';

		for (k = 0; k < 3; k++) {
			/* T == 0 (and -0), sigma == 0: the limits */
			soa_add(&a, right, 100, strikes[k], 0, 0.05, 0.02, 0.3);
			soa_add(&a, right, 100, strikes[k], -0.0, 0.05, 0.02, 0.3);
			soa_add(&a, right, 100, strikes[k], 0.5, 0.05, 0.02, 0);
			/* sigma sqrt(T) underflows to 0: the limit too */
			soa_add(&a, right, 100, strikes[k], 1e-300, 0.05, 0.02, 1e-300);
		}
		/* exactly at the money forward (r == q, K == S), sigma sqrt(T) == 0:
		 * QuantLib's convention, delta +-e^{-qT}/2, gamma = vega = 0 */
		soa_add(&a, right, 100, 100, 0.5, 0.03, 0.03, 0);
		soa_add(&a, right, 100, 100, 0, 0.03, 0.03, 0.2);
	}
	check_exact(&a);
	/* spot checks of the conventions, from bs.h */
	assert_int_equal(a.n, 28);
	assert_true(a.o[1][12] == 0.5 * exp(-0.03 * 0.5)); /* call delta at the kink */
	assert_true(a.o[2][12] == 0 && a.o[3][12] == 0);
	assert_true(a.o[1][26] == -0.5 * exp(-0.03 * 0.5)); /* put delta */
	assert_true(a.o[2][26] == 0 && a.o[3][26] == 0);
}

static void test_just_inside(void **state)
{
	static struct soa a;
	size_t i;
	int c, f;

	(void)state;
	/*
	 * Just inside the limits: the smallest sigma and T with sigma sqrt(T)
	 * > 0 (d is infinite or huge, every N is 0 or 1 and the density 0, or
	 * d is 0 at the money forward), next to T == 0 and sigma == 0 above.
	 * The chain must give bs_greeks's values (to 4 ulps: no rounding bound
	 * is needed where the values are exact limits).
	 */
	a.n = 0;
	for (c = 0; c < 2; c++) {
		char right = c ? 'P' : 'C';

		soa_add(&a, right, 100, 90, 1, 0.05, 0.02, DBL_TRUE_MIN);
		soa_add(&a, right, 100, 110, 1, 0.05, 0.02, DBL_TRUE_MIN);
		soa_add(&a, right, 100, 100, 1, 0.03, 0.03, DBL_TRUE_MIN);
		soa_add(&a, right, 100, 90, DBL_TRUE_MIN, 0.05, 0.02, 0.3);
		soa_add(&a, right, 100, 100, DBL_TRUE_MIN, 0.05, 0.02, 0.3);
		soa_add(&a, right, 100, 100, 1e-12, 0.05, 0.02, 1e-9);
		soa_add(&a, right, 100, 100.000001, 1.0 / (365 * 24), 0.05, 0.02, 0.001);
	}
	{
		struct chain_in in = soa_in(&a, 0);
		struct chain_out out = soa_out(&a, 0);

		assert_int_equal(chain_greeks(&in, &out, a.n), 0);
	}
	for (i = 0; i < a.n; i++) {
		struct bs_greeks g;
		double s[NF];

		assert_int_equal(bs_greeks(a.right[i], a.S[i], a.K[i], a.T[i], a.r[i], a.q[i],
					   a.sigma[i], &g),
				 0);
		greeks_array(&g, s);
		for (f = 0; f < NF; f++)
			if (!(same(a.o[f][i], s[f]) ||
			      fabs(a.o[f][i] - s[f]) <= 4 * DBL_EPSILON * fabs(s[f])))
				fail_msg("option %zu (%c K=%g T=%g sigma=%g): %s %.17g, bs_greeks "
					 "%.17g",
					 i, a.right[i], a.K[i], a.T[i], a.sigma[i], field_name[f],
					 a.o[f][i], s[f]);
	}
}

static void test_invalid(void **state)
{
	static struct soa a;
	const double inf = INFINITY, nan = NAN;

	(void)state;
	a.n = 0;
	/* valid ones among them, which must be untouched by their neighbours */
	soa_add(&a, 'C', 100, 100, 0.5, 0.05, 0.02, 0.3);
	soa_add(&a, 'X', 100, 100, 0.5, 0.05, 0.02, 0.3);
	soa_add(&a, 'c', 100, 100, 0.5, 0.05, 0.02, 0.3);
	soa_add(&a, '\0', 100, 100, 0.5, 0.05, 0.02, 0.3);
	soa_add(&a, 'C', 0, 100, 0.5, 0.05, 0.02, 0.3);
	soa_add(&a, 'P', -1, 100, 0.5, 0.05, 0.02, 0.3);
	soa_add(&a, 'C', nan, 100, 0.5, 0.05, 0.02, 0.3);
	soa_add(&a, 'P', inf, 100, 0.5, 0.05, 0.02, 0.3);
	soa_add(&a, 'C', DBL_TRUE_MIN, 100, 0.5, 0.05, 0.02, 0.3); /* valid: just inside */
	soa_add(&a, 'C', 100, 0, 0.5, 0.05, 0.02, 0.3);
	soa_add(&a, 'P', 100, -DBL_TRUE_MIN, 0.5, 0.05, 0.02, 0.3);
	soa_add(&a, 'C', 100, nan, 0.5, 0.05, 0.02, 0.3);
	soa_add(&a, 'P', 100, inf, 0.5, 0.05, 0.02, 0.3);
	soa_add(&a, 'P', 100, DBL_MAX, 0.5, 0.05, 0.02, 0.3); /* valid */
	soa_add(&a, 'C', 100, 100, -DBL_TRUE_MIN, 0.05, 0.02, 0.3);
	soa_add(&a, 'C', 100, 100, nan, 0.05, 0.02, 0.3);
	soa_add(&a, 'P', 100, 100, inf, 0.05, 0.02, 0.3);
	soa_add(&a, 'C', 100, 100, 0.5, nan, 0.02, 0.3);
	soa_add(&a, 'P', 100, 100, 0.5, -inf, 0.02, 0.3);
	soa_add(&a, 'C', 100, 100, 0.5, 0.05, nan, 0.3);
	soa_add(&a, 'P', 100, 100, 0.5, 0.05, inf, 0.3);
	soa_add(&a, 'C', 100, 100, 0.5, 0.05, 0.02, -DBL_TRUE_MIN);
	soa_add(&a, 'P', 100, 100, 0.5, 0.05, 0.02, nan);
	soa_add(&a, 'C', 100, 100, 0.5, 0.05, 0.02, inf);
	soa_add(&a, 'P', 100, 100, 0.5, -0.5, 3.0, 2.5); /* valid: odd but finite */
	soa_add(&a, 'P', 100, 100, 0.5, 0.05, 0.02, 0.3);
	check_exact(&a);
	assert_int_equal(a.n, 26);
	{
		struct chain_in in = soa_in(&a, 0);
		struct chain_out out = soa_out(&a, 0);

		assert_int_equal(chain_greeks(&in, &out, a.n), 21);
	}
	/* n == 0: nothing read, nothing written */
	{
		struct chain_in in = {NULL, NULL, NULL, NULL, NULL, NULL, NULL};
		struct chain_out out = {NULL, NULL, NULL, NULL, NULL, NULL};

		assert_int_equal(chain_greeks(&in, &out, 0), 0);
	}
}

/*
 * A longer chain than one block (128 options), calls and puts of every
 * strike with a few expiries: put-call parity holds to rounding, and each
 * option matches its own single-option call bit for bit.
 */
static void test_long_chain(void **state)
{
	static struct soa a, b;
	size_t i;
	int e, k, f;

	(void)state;
	a.n = 0;
	for (e = 0; e < 3; e++)
		for (k = 0; k < 101; k++) {
			double T = (1 + 30 * e) / 365.0, K = 50 + k;
			double iv = 0.15 + 0.002 * fabs(K - 100);

			soa_add(&a, 'C', 100, K, T, 0.045, 0.013, iv);
			soa_add(&a, 'P', 100, K, T, 0.045, 0.013, iv);
		}
	b = a;
	{
		struct chain_in in = soa_in(&a, 0);
		struct chain_out out = soa_out(&a, 0);

		assert_int_equal(chain_greeks(&in, &out, a.n), 0);
	}
	for (i = 0; i < a.n; i += 2) {
		double sq = a.S[i] * exp(-a.q[i] * a.T[i]), kr = a.K[i] * exp(-a.r[i] * a.T[i]);
		double parity = a.o[0][i] - a.o[0][i + 1] - (sq - kr);

		assert_true(fabs(parity) <= 8 * DBL_EPSILON * (sq + kr));
		/* delta_call - delta_put = e^{-qT}; gamma and vega shared */
		assert_true(fabs(a.o[1][i] - a.o[1][i + 1] - exp(-a.q[i] * a.T[i])) <=
			    4 * DBL_EPSILON);
		assert_true(a.o[2][i] == a.o[2][i + 1] && a.o[3][i] == a.o[3][i + 1]);
	}
	for (i = 0; i < b.n; i++) {
		struct chain_in in = soa_in(&b, i);
		struct chain_out out = soa_out(&b, i);

		assert_int_equal(chain_greeks(&in, &out, 1), 0);
	}
	for (f = 0; f < NF; f++)
		assert_memory_equal(a.o[f], b.o[f], a.n * sizeof(double));
}

/* ---- implied volatility ---- */

/*
 * Cases from bench/quant.sh's table (seed 12) where ln(S/K) and (r - q)T
 * cancel: in the money, the strike near a forward far from the spot, low
 * volatility, decades to expiry. price is the BSM price at sigma in
 * mpmath at 50 digits, rounded once; each carries sigma to 1e-13 or better
 * (the bench's rule). Summed in double, ln(F/K) cost the first four 2.6e-12
 * to 5.2e-12 and the last two (at the edge of chain_iv's cancellation
 * test, one sixteenth of what it is) 1.1e-12.
 */
static const struct iv_case {
	char right;
	double S, K, T, r, q, sigma, price;
} iv_cancel[] = {{'C', 100.0, 158.25779768652893, 12.195693790602599, 0.059998540631912435,
		  0.021547423378884878, 0.0010363175352446873, 0.7564256091529411},
		 {'C', 100.0, 143.5033409694152, 22.671578787329533, 0.06590848418964651,
		  0.049095336553085185, 0.0015727169135171444, 0.650613383019143},
		 {'P', 100.0, 38.044482518871995, 26.9224238559465, 0.0032582497434408327,
		  0.03973004358438018, 0.0010814445732768485, 0.5359966060634119},
		 {'P', 100.0, 236.42987011970465, 26.078587377462487, 0.05503538503938921,
		  0.023288049746031103, 0.002468759972656949, 1.803938182115062},
		 {'C', 100.0, 105.12553008549665, 1.5128259649055127, 0.04345556304871227,
		  0.00793342823773498, 0.0010657738008919729, 0.37028897468476973},
		 {'P', 100.0, 120.37246322506124, 8.053286947047315, 0.024843010013894704,
		  0.0033738833516922086, 0.0015845819599692684, 1.2268039265340214}};

static void test_iv_cancel(void **state)
{
	size_t i, n = sizeof(iv_cancel) / sizeof(iv_cancel[0]);

	(void)state;
	for (i = 0; i < n; i++) {
		const struct iv_case *c = &iv_cancel[i];
		struct chain_in in = {&c->S, &c->K, &c->T, &c->r, &c->q, NULL, &c->right};
		double iv, civ;

		assert_int_equal(
			bs_implied_vol(c->right, c->S, c->K, c->T, c->r, c->q, c->price, &iv), 0);
		assert_int_equal(chain_iv(&in, &c->price, &civ, 1), 0);
		if (!(fabs(iv - c->sigma) <= 1e-12 * c->sigma) ||
		    !(fabs(civ - c->sigma) <= 1e-12 * c->sigma))
			fail_msg("case %zu: sigma %.17g, bs_implied_vol %.17g (%.1e), chain_iv "
				 "%.17g (%.1e)",
				 i, c->sigma, iv, fabs(iv / c->sigma - 1), civ,
				 fabs(civ / c->sigma - 1));
	}
}

/*
 * chain_iv gives bs_implied_vol's volatility (to 1e-13, relative; these
 * prices are well conditioned) on each side of its cancellation test,
 * |(r - q)T| > 4 max(|ln F/K|, price / sqrt(F K e^{-2rT})): strikes with
 * ln F/K at (r - q)T / 4 times 0.99, 1 and 1.01, in and out of the money,
 * and its NANs exactly where bs_implied_vol returns -1 (and a positive
 * volatility where it has one): prices at, just inside and just outside
 * both bounds, T == 0, invalid input. The count
 * it returns is the NANs'; a whole chain and one option at a time agree to
 * the bit, whatever the chain's length.
 */
static void test_iv_agrees(void **state)
{
	static struct soa a;
	static double price[MAX_ROWS], v1[MAX_ROWS], v2[MAX_ROWS];
	static const double f[] = {0.99, 1.0, 1.01};
	static const double T[] = {0.5, 10};
	struct chain_in in;
	size_t i, j, bad = 0, len, n_grid;
	int c, side, t;

	(void)state;
	a.n = 0;
	for (t = 0; t < 2; t++)
		for (c = 0; c < 2; c++)
			for (side = -1; side <= 1; side += 2)
				for (j = 0; j < 3; j++) {
					double r = 0.05, q = 0.01, a4 = (r - q) * T[t] / 4;
					double K = 100 * exp((r - q) * T[t] - side * a4 * f[j]);
					char right = c ? 'P' : 'C';

					soa_add(&a, right, 100, K, T[t], r, q, 0.02);
					price[a.n - 1] = bs_price(right, 100, K, T[t], r, q, 0.02);
				}
	n_grid = a.n; /* the rest have no volatility or an ill-conditioned one */
	for (i = 0; i < 4; i++) {
		char right = i % 2 ? 'P' : 'C';
		double lower, upper;

		bs_bounds(right, 100, 105, 1, 0.03, 0.01, &lower, &upper);
		soa_add(&a, right, 100, 105, 1, 0.03, 0.01, 0.2);
		price[a.n - 1] = i < 2 ? lower : upper;
		soa_add(&a, right, 100, 105, 1, 0.03, 0.01, 0.2);
		price[a.n - 1] = i < 2 ? nextafter(lower, 1e9) : nextafter(upper, 0);
		soa_add(&a, right, 100, 105, 1, 0.03, 0.01, 0.2);
		price[a.n - 1] = i < 2 ? nextafter(lower, 0) : nextafter(upper, 1e9);
		soa_add(&a, right, 100, 105, 0, 0.03, 0.01, 0.2);
		price[a.n - 1] = 5;
	}
	soa_add(&a, 'X', 100, 105, 1, 0.03, 0.01, 0.2);
	price[a.n - 1] = 5;
	soa_add(&a, 'C', -1, 105, 1, 0.03, 0.01, 0.2);
	price[a.n - 1] = 5;
	soa_add(&a, 'C', 100, 105, 1, NAN, 0.01, 0.2);
	price[a.n - 1] = 5;
	soa_add(&a, 'C', 100, 105, 1, 0.03, 0.01, 0.2);
	price[a.n - 1] = NAN;
	in = soa_in(&a, 0);
	for (i = 0; i < a.n; i++) {
		int rc = bs_implied_vol(a.right[i], a.S[i], a.K[i], a.T[i], a.r[i], a.q[i],
					price[i], &v1[i]);

		bad += rc < 0;
		assert_true(rc < 0 ? isnan(v1[i]) : v1[i] > 0);
	}
	assert_int_equal(chain_iv(&in, price, v2, a.n), bad);
	for (i = 0; i < a.n; i++)
		if (isnan(v1[i]) != isnan(v2[i]) ||
		    !(i >= n_grid ? isnan(v1[i]) || v2[i] > 0
				  : fabs(v2[i] - v1[i]) <= 1e-13 * v1[i]))
			fail_msg("option %zu (%c K=%.17g T=%g price %.17g): bs_implied_vol %.17g, "
				 "chain_iv %.17g",
				 i, a.right[i], a.K[i], a.T[i], price[i], v1[i], v2[i]);
	for (len = 1; len <= 9; len++) {
		static double v3[MAX_ROWS];

		for (i = 0; i < a.n; i += len) {
			size_t k = a.n - i < len ? a.n - i : len;

			in = soa_in(&a, i);
			chain_iv(&in, price + i, v3 + i, k);
		}
		assert_memory_equal(v2, v3, a.n * sizeof(double));
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_reference), cmocka_unit_test(test_position),
		cmocka_unit_test(test_limits),	  cmocka_unit_test(test_just_inside),
		cmocka_unit_test(test_invalid),	  cmocka_unit_test(test_long_chain),
		cmocka_unit_test(test_iv_cancel), cmocka_unit_test(test_iv_agrees),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
