/*
 * test_quant.c - unit tests of src/quant/bs.c (DESIGN.md §2 quant/): prices
 * and greeks against QuantLib (tests/data/quant_ref.csv, written by
 * tests/gen_quant_ref.py) and against published textbook values, the
 * implied-volatility solver over a dense grid and at its bounds, put-call
 * parity, the T == 0 / sigma == 0 limits, and historical volatility; and
 * src/quant/lbr.c (Let's Be Rational) against the 50-digit mpmath tables of
 * tests/gen_quant_ref.py: erfcx, the inverse normal CDF, the normalised
 * Black function and its inverse.
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
#include "quant/lbr.h"
#include "util/util.h"

static int close_to(double got, double want, double rel, double abs_tol)
{
	return fabs(got - want) <= rel * fabs(want) + abs_tol;
}

/* Asserts |got - want| <= tol and says which value failed. */
static void check_near(const char *what, double got, double want, double tol)
{
	if (!(fabs(got - want) <= tol))
		fail_msg("%s: got %.12g, want %.12g (tolerance %g)", what, got, want, tol);
}

/* ---- (a) QuantLib reference table ---- */

enum { REF_COLS = 13 };

/* Splits line at commas into at most max fields; returns the field count. */
static int split_csv(char *line, char **f, int max)
{
	int n = 0;
	char *p = line;

	for (;;) {
		char *c = strchr(p, ',');
		if (n == max)
			return max + 1;
		f[n++] = p;
		if (!c)
			break;
		*c = '\0';
		p = c + 1;
	}
	return n;
}

/* tests/data/NAME under PT_ROOT (or the current directory). */
static FILE *open_data(const char *name)
{
	const char *root = getenv("PT_ROOT");
	char path[4096];

	snprintf(path, sizeof(path), "%s/tests/data/%s", root && *root ? root : ".", name);
	return fopen(path, "r");
}

static FILE *open_ref(void)
{
	return open_data("quant_ref.csv");
}

/*
 * Reads the next data row of a generated table (comments skipped, the
 * header checked against want_header on first use through *header) into
 * f[0..ncols-1]; returns 1, or 0 at the end.
 */
static int next_row(FILE *f, char *line, size_t size, const char *want_header, int *header,
		    char **fld, int ncols)
{
	while (fgets(line, (int)size, f)) {
		line[strcspn(line, "\r\n")] = '\0';
		if (line[0] == '#' || line[0] == '\0')
			continue;
		if (!*header) {
			assert_string_equal(line, want_header);
			*header = 1;
			continue;
		}
		assert_int_equal(split_csv(line, fld, ncols), ncols);
		return 1;
	}
	return 0;
}

/* The field as a double (the tables hold exact doubles in shortest form,
 * subnormal ones too, which pt_parse_double refuses as an underflow). */
static double fnum(const char *s)
{
	char *end;
	double v = strtod(s, &end);

	assert_true(*s && !*end && isfinite(v));
	return v;
}

static void test_quantlib_reference(void **state)
{
	/*
	 * Tolerances: relative, then an absolute floor. QuantLib prices an
	 * out-of-the-money put through 1 - N(d), good only to ~1e-16 x K
	 * absolute (tests/gen_quant_ref.py checks it against mpmath), hence
	 * the price floor. Its theta (from log discount, gamma and delta,
	 * divided by T) and rho carry absolute errors up to ~2e-10 and ~1e-12
	 * on this table, hence theirs; bs.c itself agrees with a 50-digit
	 * evaluation to ~1e-11 relative on every column.
	 */
	static const struct {
		const char *name;
		double rel, abs_tol;
	} tol[6] = {
		{"price", 1e-8, 1e-12}, {"delta", 1e-8, 1e-12}, {"gamma", 1e-7, 1e-12},
		{"vega", 1e-7, 1e-10},	{"theta", 1e-7, 1e-8},	{"rho", 1e-7, 1e-10},
	};
	char line[1024];
	FILE *f = open_ref();
	int rows = 0, bad = 0, lineno = 0, header = 0;

	(void)state;
	assert_non_null(f);
	while (fgets(line, sizeof(line), f)) {
		char *fld[REF_COLS + 1];
		double v[REF_COLS];
		struct bs_greeks g;
		double got[6];
		int i;

		lineno++;
		line[strcspn(line, "\r\n")] = '\0';
		if (line[0] == '#' || line[0] == '\0')
			continue;
		if (!header) {
			assert_string_equal(line, "right,S,K,T,r,q,sigma,price,delta,gamma,vega,"
						  "theta,rho");
			header = 1;
			continue;
		}
		assert_int_equal(split_csv(line, fld, REF_COLS), REF_COLS);
		assert_true(!strcmp(fld[0], "C") || !strcmp(fld[0], "P"));
		for (i = 1; i < REF_COLS; i++)
			assert_int_equal(pt_parse_double(fld[i], &v[i]), 0);
		assert_int_equal(bs_greeks(fld[0][0], v[1], v[2], v[3], v[4], v[5], v[6], &g), 0);
		/* bs_price and bs_greeks agree exactly. */
		assert_true(bs_price(fld[0][0], v[1], v[2], v[3], v[4], v[5], v[6]) == g.price);
		got[0] = g.price;
		got[1] = g.delta;
		got[2] = g.gamma;
		got[3] = g.vega;
		got[4] = g.theta;
		got[5] = g.rho;
		for (i = 0; i < 6; i++) {
			if (close_to(got[i], v[7 + i], tol[i].rel, tol[i].abs_tol))
				continue;
			if (bad++ < 10)
				print_message("# line %d (%s K=%g T=%g sigma=%g): %s %.17g, "
					      "QuantLib %.17g\n",
					      lineno, fld[0], v[2], v[3], v[6], tol[i].name, got[i],
					      v[7 + i]);
		}
		rows++;
	}
	fclose(f);
	assert_true(header);
	assert_int_equal(rows, 300); /* the whole table was read */
	assert_int_equal(bad, 0);
}

/* ---- (b) published values ---- */

static void test_textbook_values(void **state)
{
	struct bs_greeks g;

	(void)state;
	/*
	 * Hull, Options, Futures, and Other Derivatives, the worked example of
	 * the Black-Scholes-Merton chapter (Example 15.6 in the 8th edition):
	 * S0 = 42, K = 40, r = 10%, sigma = 20%, T = 0.5: c = 4.76, p = 0.81.
	 */
	check_near("Hull call", bs_price('C', 42, 40, 0.5, 0.10, 0, 0.20), 4.76, 0.005);
	check_near("Hull put", bs_price('P', 42, 40, 0.5, 0.10, 0, 0.20), 0.81, 0.005);

	/*
	 * Haug, The Complete Guide to Option Pricing Formulas (2nd ed., 2007),
	 * chapter 1, printed to 4 decimals. Haug's cost of carry b is r - q.
	 */
	/* 1.1.1 Black-Scholes: S = 60, K = 65, T = 0.25, r = 8%, sigma = 30%. */
	check_near("Haug BS call", bs_price('C', 60, 65, 0.25, 0.08, 0, 0.30), 2.1334, 0.5e-4);
	/* 1.1.2 Merton (1973): S = 100, K = 95, T = 0.5, r = 10%, q = 5%, sigma = 20%. */
	check_near("Haug Merton put", bs_price('P', 100, 95, 0.5, 0.10, 0.05, 0.20), 2.4648,
		   0.5e-4);
	/* 1.1.6 generalized BSM: S = 75, K = 70, T = 0.5, r = 10%, b = 5%, sigma = 35%. */
	check_near("Haug GBSM put", bs_price('P', 75, 70, 0.5, 0.10, 0.05, 0.35), 4.0870,
		   0.5e-4);

	/*
	 * Haug's greeks examples (chapter 2), as also used by QuantLib's
	 * test-suite/europeanoption.cpp (testGreekValues, "Haug, Option
	 * Pricing Formulas, McGraw-Hill, 1998").
	 */
	/* Delta: S = 105, K = 100, T = 0.5, r = 10%, b = 0, sigma = 36%. */
	assert_int_equal(bs_greeks('C', 105, 100, 0.5, 0.10, 0.10, 0.36, &g), 0);
	check_near("Haug call delta", g.delta, 0.5946, 0.5e-4);
	assert_int_equal(bs_greeks('P', 105, 100, 0.5, 0.10, 0.10, 0.36, &g), 0);
	check_near("Haug put delta", g.delta, -0.3566, 0.5e-4);
	/* Gamma and vega: S = 55, K = 60, T = 0.75, r = b = 10%, sigma = 30%. */
	assert_int_equal(bs_greeks('C', 55, 60, 0.75, 0.10, 0, 0.30, &g), 0);
	check_near("Haug gamma", g.gamma, 0.0278, 0.5e-4);
	check_near("Haug vega", g.vega, 18.9358, 0.5e-4);
	/* Theta: put, S = 430, K = 405, T = 0.0833, r = 7%, b = 2%, sigma = 20%; per year. */
	assert_int_equal(bs_greeks('P', 430, 405, 0.0833, 0.07, 0.05, 0.20, &g), 0);
	check_near("Haug put theta", g.theta, -31.1924, 0.5e-4);
	/* Rho: call, S = 72, K = 75, T = 1, r = b = 9%, sigma = 19%. */
	assert_int_equal(bs_greeks('C', 72, 75, 1, 0.09, 0, 0.19, &g), 0);
	check_near("Haug call rho", g.rho, 38.7325, 0.5e-4);
}

/* ---- (c) implied volatility ---- */

static const double iv_terms[] = {
	1.0 / (365 * 24),
	2.0 / (365 * 24),
	1.0 / 365,
	7.0 / 365,
	30.0 / 365,
	0.25,
	0.5,
	1,
	2,
	5,
	30,
};

static const double iv_rates[][2] = {{0.05, 0.02}, {-0.005, 0.03}};

/*
 * One price from bs_greeks: a price at (or, by rounding, past) a
 * no-arbitrage bound must give -1 with its reason; any other must be
 * solved, to within what the price carries. bs_price rounds its forward
 * intrinsic value to an ulp or so of S and K, so the allowance on sigma is
 * 2 eps (price + S + K) / vega; where the time value is below that rounding
 * (deep in the money, tiny sigma sqrt(T)) sigma is not determined at all,
 * and the volatility must instead reprice to within it. (The mpmath table
 * of test_iv_reference holds the solver to 1e-12 on exact prices.)
 * Returns 0 at a bound, 1 when solved to the allowance (the worst error in
 * its units in *worst), 2 when it reprices; counts failures in *failed.
 */
static int iv_case(char right, double K, double T, double r, double q, double s, long *failed,
		   double *worst)
{
	double S = 100, lo, hi, iv, allow, e;
	struct bs_greeks g;
	int rc;

	assert_int_equal(bs_greeks(right, S, K, T, r, q, s, &g), 0);
	bs_bounds(right, S, K, T, r, q, &lo, &hi);
	rc = bs_implied_vol(right, S, K, T, r, q, g.price, &iv);
	if (!(g.price > lo && g.price < hi)) {
		enum bs_iv_why why = bs_iv_why(right, S, K, T, r, q, g.price);

		if (rc != -1 || !isnan(iv) ||
		    why != (g.price <= lo ? BS_IV_BELOW_INTRINSIC : BS_IV_ABOVE_UPPER)) {
			if ((*failed)++ < 10)
				print_message("# %c K=%g T=%g s=%g: price at a bound solved\n",
					      right, K, T, s);
		}
		return 0;
	}
	allow = 2 * DBL_EPSILON * (g.price + S + K);
	e = fabs(iv - s) * g.vega / allow;
	if (e <= 1) {
		*worst = fmax(*worst, e);
		return 1;
	}
	if (rc == 0 && iv > 0 && isfinite(iv) &&
	    fabs(bs_price(right, S, K, T, r, q, iv) - g.price) <= 2 * allow)
		return 2;
	if ((*failed)++ < 10)
		print_message("# %c K=%g T=%g s=%g: rc %d iv %.17g (E %.3g)\n", right, K, T, s, rc,
			      iv, g.vega * s / g.price);
	return 1;
}

/* Every grid price inside its bounds is solved: volatilities 0.1% to
 * 1000%, an hour to 30 years, K/S from 0.5 to 2 and beyond. */
static void test_iv_round_trip(void **state)
{
	double vols[100], worst = 0;
	long solved = 0, repriced = 0, failed = 0;
	size_t nv = 0, n, k;

	(void)state;
	/* 0.1%, then steps of 12% up to 1000% itself. */
	for (vols[nv] = 0.001; vols[nv] < 10; nv++)
		vols[nv + 1] = fmin(vols[nv] * 1.12, 10);
	nv++;
	assert_true(nv < PT_ARRAY_SIZE(vols) && vols[nv - 1] == 10);
	/* Calls and puts, both rate pairs, every term, moneyness K/S from 0.25
	 * to 4 in steps of 4%, every volatility. */
	n = 2 * PT_ARRAY_SIZE(iv_rates) * PT_ARRAY_SIZE(iv_terms) * 72 * nv;
	for (k = 0; k < n; k++) {
		size_t i = k, ri, ti, mi;
		char right = i % 2 ? 'P' : 'C';

		i /= 2;
		ri = i % PT_ARRAY_SIZE(iv_rates);
		i /= PT_ARRAY_SIZE(iv_rates);
		ti = i % PT_ARRAY_SIZE(iv_terms);
		i /= PT_ARRAY_SIZE(iv_terms);
		mi = i % 72;
		i /= 72; /* the volatility's index */
		switch (iv_case(right, 25 * pow(1.04, (double)mi), iv_terms[ti], iv_rates[ri][0],
				iv_rates[ri][1], vols[i], &failed, &worst)) {
		case 1:
			solved++;
			break;
		case 2:
			repriced++;
			break;
		}
	}
	print_message("# %ld prices inside their bounds solved to 2 eps (price + S + K) / vega "
		      "(worst %.3g of it), %ld more (time value below that) reprice to 4 eps "
		      "(price + S + K)\n",
		      solved, worst, repriced);
	assert_true(solved > 80000); /* the grid really was covered */
	assert_int_equal(failed, 0);
}

static void test_iv_outside_bounds(void **state)
{
	double iv, lo, hi, p;

	(void)state;
	/* 30-day ATM-ish call: lower bound (forward intrinsic), upper (S e^{-qT}). */
	bs_bounds('C', 100, 95, 30.0 / 365, 0.05, 0.02, &lo, &hi);
	assert_true(lo > 0 && hi > lo);
	iv = 0;
	assert_int_equal(bs_implied_vol('C', 100, 95, 30.0 / 365, 0.05, 0.02, lo, &iv), -1);
	assert_true(isnan(iv));
	assert_int_equal(bs_implied_vol('C', 100, 95, 30.0 / 365, 0.05, 0.02, hi, &iv), -1);
	assert_int_equal(bs_implied_vol('C', 100, 95, 30.0 / 365, 0.05, 0.02, lo - 0.01, &iv),
			 -1);
	assert_int_equal(bs_implied_vol('C', 100, 95, 30.0 / 365, 0.05, 0.02, hi + 0.01, &iv),
			 -1);
	assert_int_equal(bs_implied_vol('C', 100, 95, 30.0 / 365, 0.05, 0.02, -1, &iv), -1);
	assert_int_equal(bs_implied_vol('C', 100, 95, 30.0 / 365, 0.05, 0.02, NAN, &iv), -1);
	assert_int_equal(bs_implied_vol('C', 100, 95, 30.0 / 365, 0.05, 0.02, INFINITY, &iv),
			 -1);
	/* OTM put: lower bound 0. */
	assert_int_equal(bs_implied_vol('P', 100, 80, 1, 0.05, 0.02, 0, &iv), -1);
	bs_bounds('P', 100, 80, 1, 0.05, 0.02, &lo, &hi);
	assert_int_equal(bs_implied_vol('P', 100, 80, 1, 0.05, 0.02, hi, &iv), -1);

	/* Inside the bounds at volatilities the old solver's bracket [0.5%, 500%]
	 * left out: solved now. */
	/* 50-digit mpmath prices (gen_quant_ref.py's bsm_mp), at 0.25%: */
	assert_int_equal(bs_implied_vol('C', 100, 100, 1, 0.03, 0.03, 0.0967879133346203, &iv), 0);
	check_near("0.25%", iv, 0.0025, 1e-15 * 0.0025);
	p = 0.5 * (bs_price('C', 100, 100, 1, 0.05, 0.02, 5.0) + 100 * exp(-0.02));
	assert_int_equal(bs_implied_vol('C', 100, 100, 1, 0.05, 0.02, p, &iv), 0);
	assert_true(iv > 5 && isfinite(iv));
	check_near("repriced", bs_price('C', 100, 100, 1, 0.05, 0.02, iv), p, 1e-14 * p);

	/* Invalid inputs and T == 0. */
	assert_int_equal(bs_implied_vol('X', 100, 100, 1, 0.05, 0.02, 5, &iv), -1);
	assert_int_equal(bs_implied_vol('C', -100, 100, 1, 0.05, 0.02, 5, &iv), -1);
	assert_int_equal(bs_implied_vol('C', 100, 0, 1, 0.05, 0.02, 5, &iv), -1);
	assert_int_equal(bs_implied_vol('C', 100, 100, 0, 0.05, 0.02, 5, &iv), -1);
	assert_int_equal(bs_implied_vol('C', 100, 100, -1, 0.05, 0.02, 5, &iv), -1);
	assert_int_equal(bs_implied_vol('C', 100, 100, 1, NAN, 0.02, 5, &iv), -1);
}

static void test_iv_known(void **state)
{
	double iv, p;

	(void)state;
	/* The old bracket's ends come back as themselves (at the money forward,
	 * where the price's elasticity to sigma is about 1). */
	/* The old bracket's ends come back as themselves, from 50-digit mpmath
	 * prices (gen_quant_ref.py's bsm_mp; elasticities 1.0 and 0.32). */
	assert_int_equal(bs_implied_vol('C', 100, 100, 0.5, 0.02, 0.02, 0.13964387811742682, &iv),
			 0);
	check_near("0.5%", iv, 0.005, 1e-15 * 0.005);
	assert_int_equal(bs_implied_vol('C', 100, 100, 0.5, 0.02, 0.02, 91.37171185473923, &iv), 0);
	check_near("500%", iv, 5.0, 1e-15 * 5);
	/* Hull's call, 4.759422392871532 at sigma = 20%. */
	assert_int_equal(bs_implied_vol('C', 42, 40, 0.5, 0.10, 0, 4.759422392871532, &iv), 0);
	check_near("Hull call IV", iv, 0.20, 1e-12);
	/* Deep out of the money, one hour, tiny price: still solved. */
	p = bs_price('C', 100, 104, 1.0 / 8760, 0.05, 0.02, 0.3);
	assert_true(p > 0 && p < 1e-20);
	assert_int_equal(bs_implied_vol('C', 100, 104, 1.0 / 8760, 0.05, 0.02, p, &iv), 0);
	check_near("deep OTM 1h IV", iv, 0.3, 1e-9); /* bs_price is only that good there */
}

/*
 * The 50-digit mpmath table (tests/gen_quant_ref.py iv): volatilities 0.1%
 * to 1000%, an hour to 30 years, deep in to deep out of the money, calls
 * and puts. The rule of bs.h: where the price carries the information --
 * u / E < 1e-14, u its relative rounding (2^-53; more when subnormal), E =
 * vega sigma / price its elasticity -- the
 * volatility is within 1e-12 relative; elsewhere it is still returned and
 * reprices to within the price's rounding; a price that rounded onto or
 * past a bound gives -1 with that bound's reason.
 */
static void test_iv_reference(void **state)
{
	char line[512], *fld[9];
	FILE *f = open_data("iv_ref.csv");
	int header = 0, rows = 0, tight = 0, loose = 0, at_bound = 0, bad = 0;
	double worst = 0;

	(void)state;
	assert_non_null(f);
	while (next_row(f, line, sizeof(line), "right,S,K,T,r,q,sigma,price,elast", &header, fld,
			9)) {
		char right = fld[0][0];
		double S = fnum(fld[1]), K = fnum(fld[2]), T = fnum(fld[3]), r = fnum(fld[4]);
		double q = fnum(fld[5]), sigma = fnum(fld[6]), price = fnum(fld[7]);
		double elast = fnum(fld[8]), lo, hi, iv, e;
		int rc = bs_implied_vol(right, S, K, T, r, q, price, &iv);

		rows++;
		bs_bounds(right, S, K, T, r, q, &lo, &hi);
		if (!(price > lo && price < hi)) {
			at_bound++;
			if (rc != -1 || bs_iv_why(right, S, K, T, r, q, price) == BS_IV_OK) {
				if (bad++ < 10)
					print_message("# line %d: a price at a bound solved\n",
						      rows);
			}
			continue;
		}
		if (rc != 0 || !(iv > 0) || !isfinite(iv)) {
			if (bad++ < 10)
				print_message("# %c S=%g K=%g T=%g sigma=%g: no volatility\n",
					      right, S, K, T, sigma);
			continue;
		}
		/* the price's relative rounding: 2^-53, more for a subnormal price */
		if (fmax(0x1p-53, DBL_TRUE_MIN / price / 2) / elast < 1e-14) {
			tight++;
			e = fabs(iv / sigma - 1);
			worst = fmax(worst, e);
			if (e > 1e-12 && bad++ < 10)
				print_message("# %c S=%g K=%g T=%g sigma=%g: iv %.17g (E %.3g)\n",
					      right, S, K, T, sigma, iv, elast);
			continue;
		}
		/* sigma is not fixed to 1e-12 by this price: it must reprice (to
		 * bs_price's own rounding, an ulp or two of S and K) */
		loose++;
		e = fabs(bs_price(right, S, K, T, r, q, iv) - price) /
		    (4 * DBL_EPSILON * (price + S + K));
		if (!(e <= 1) && bad++ < 10)
			print_message("# %c S=%g K=%g T=%g sigma=%g: iv %.17g reprices %.17g, "
				      "not %.17g\n",
				      right, S, K, T, sigma, iv, bs_price(right, S, K, T, r, q, iv),
				      price);
	}
	fclose(f);
	print_message("# %d mpmath prices: %d carry sigma to 1e-12 (worst %.3g relative), %d "
		      "reprice, %d at a bound\n",
		      rows, tight, worst, loose, at_bound);
	assert_true(rows > 3000 && tight > 1900);
	assert_int_equal(bad, 0);
}

/*
 * Issue 12's reproductions, from 50-digit mpmath prices (gen_quant_ref.py's
 * bsm_mp): 0.5% from an hour to two weeks near the money and 500% over a
 * day or two deep in the money came back empty from the old bracketed
 * solver, and 0.4% came back as 0.675%.
 */
static void test_iv_issue12(void **state)
{
	static const struct {
		char right;
		double K, T, sigma, price;
	} c[] = {
		/* S = 100, r = 4.5%, q = 1.3%; E = vega sigma / price */
		{'C', 100, 1.0 / 8760, 0.005, 0.0023188400544280276},  /* E 0.917 */
		{'P', 100, 4.0 / 8760, 0.005, 0.0035715950757579},     /* E 1.18 */
		{'C', 100.02, 1.0 / 365, 0.005, 0.005772346006428587}, /* E 1.65 */
		{'P', 100, 7.0 / 365, 0.005, 0.0071264273484115915},   /* E 2.62 */
		{'C', 100, 14.0 / 365, 0.005, 0.1275161598474378},     /* E 0.14 */
		{'C', 100, 1.0 / 365, 0.004, 0.013456900408137091},    /* E 0.569 */
		{'P', 100, 7.0 / 365, 0.004, 0.0037401845384029747},   /* E 3.2 */
		{'C', 60, 1.0 / 365, 5.0, 40.197979321661464},	       /* E 0.0297 */
		{'P', 170, 2.0 / 365, 5.0, 71.58903694465371},	       /* E 0.0946 */
		{'C', 50, 2.0 / 365, 5.0, 50.31111543780599},	       /* E 0.0353 */
	};
	size_t i;

	(void)state;
	for (i = 0; i < PT_ARRAY_SIZE(c); i++) {
		double iv;

		assert_int_equal(bs_implied_vol(c[i].right, 100, c[i].K, c[i].T, 0.045, 0.013,
						c[i].price, &iv),
				 0);
		check_near("issue 12", iv, c[i].sigma, 1e-12 * c[i].sigma);
	}
}

/* At, just inside and just outside each bound, with each bound's reason. */
static void test_iv_at_bounds(void **state)
{
	static const struct {
		char right;
		double S, K, T, r, q;
	} c[] = {
		{'C', 100, 90, 0.5, 0.05, 0.02},   {'C', 100, 110, 0.5, 0.05, 0.02},
		{'P', 100, 90, 0.5, 0.05, 0.02},   {'P', 100, 110, 0.5, 0.05, 0.02},
		{'C', 100, 100, 1.0 / 8760, 0, 0}, {'P', 437.25, 300, 30, -0.01, 0.03},
	};
	size_t i;
	double iv, lo, hi;

	(void)state;
	for (i = 0; i < PT_ARRAY_SIZE(c); i++) {
		char R = c[i].right;
		double S = c[i].S, K = c[i].K, T = c[i].T, r = c[i].r, q = c[i].q;

		bs_bounds(R, S, K, T, r, q, &lo, &hi);
		/* the lower bound: at it and below, none; an ulp above, a volatility */
		assert_int_equal(bs_implied_vol(R, S, K, T, r, q, lo, &iv), -1);
		assert_true(isnan(iv));
		assert_int_equal(bs_iv_why(R, S, K, T, r, q, lo), BS_IV_BELOW_INTRINSIC);
		assert_int_equal(bs_iv_why(R, S, K, T, r, q, nextafter(lo, -INFINITY)),
				 BS_IV_BELOW_INTRINSIC);
		assert_int_equal(bs_implied_vol(R, S, K, T, r, q, nextafter(lo, INFINITY), &iv), 0);
		assert_true(iv >= 0 && isfinite(iv));
		assert_int_equal(bs_iv_why(R, S, K, T, r, q, nextafter(lo, INFINITY)), BS_IV_OK);
		/* the upper bound: at it and above, none; an ulp below, a volatility */
		assert_int_equal(bs_implied_vol(R, S, K, T, r, q, hi, &iv), -1);
		assert_int_equal(bs_iv_why(R, S, K, T, r, q, hi), BS_IV_ABOVE_UPPER);
		assert_int_equal(bs_iv_why(R, S, K, T, r, q, nextafter(hi, INFINITY)),
				 BS_IV_ABOVE_UPPER);
		assert_int_equal(bs_implied_vol(R, S, K, T, r, q, nextafter(hi, 0), &iv), 0);
		assert_true(iv > 1 && isfinite(iv));
	}
	/* zero time and invalid input */
	assert_int_equal(bs_iv_why('C', 100, 90, 0, 0.05, 0, 11), BS_IV_ZERO_TIME);
	assert_int_equal(bs_implied_vol('C', 100, 90, 0, 0.05, 0, 11, &iv), -1);
	assert_int_equal(bs_iv_why('C', 100, 90, -1, 0.05, 0, 11), BS_IV_INVALID);
	assert_int_equal(bs_iv_why('X', 100, 90, 1, 0.05, 0, 11), BS_IV_INVALID);
	assert_int_equal(bs_iv_why('C', 100, 90, 1, 0.05, 0, NAN), BS_IV_INVALID);
	assert_int_equal(bs_iv_why('C', 100, 90, 1, 0.05, 0, INFINITY), BS_IV_INVALID);
	assert_int_equal(bs_iv_why('C', 0, 90, 1, 0.05, 0, 11), BS_IV_INVALID);
	assert_string_equal(bs_iv_why_name(BS_IV_OK), "");
	assert_string_equal(bs_iv_why_name(BS_IV_BELOW_INTRINSIC), "below_intrinsic");
	assert_string_equal(bs_iv_why_name(BS_IV_ABOVE_UPPER), "above_upper_bound");
	assert_string_equal(bs_iv_why_name(BS_IV_ZERO_TIME), "zero_time");
	assert_string_equal(bs_iv_why_name(BS_IV_INVALID), "invalid");
}

/* ---- (e) put-call parity and the limits ---- */

static void test_put_call_parity(void **state)
{
	static const double Ks[] = {50, 80, 99, 100, 101, 120, 200};
	static const double sigmas[] = {0.005, 0.05, 0.2, 0.6, 2, 5};
	size_t ti, ki, si;

	(void)state;
	for (ti = 0; ti < PT_ARRAY_SIZE(iv_terms); ti++)
		for (ki = 0; ki < PT_ARRAY_SIZE(Ks); ki++)
			for (si = 0; si < PT_ARRAY_SIZE(sigmas); si++) {
				double S = 100, K = Ks[ki], T = iv_terms[ti], r = 0.04, q = 0.015;
				double s = sigmas[si];
				double sq = S * exp(-q * T), kr = K * exp(-r * T);
				struct bs_greeks c, p;

				assert_int_equal(bs_greeks('C', S, K, T, r, q, s, &c), 0);
				assert_int_equal(bs_greeks('P', S, K, T, r, q, s, &p), 0);
				check_near("C - P", c.price - p.price, sq - kr, 1e-12 * S);
				check_near("delta C - P", c.delta - p.delta, exp(-q * T), 1e-14);
				check_near("gamma", c.gamma, p.gamma, 1e-14 * fabs(c.gamma));
				check_near("vega", c.vega, p.vega, 1e-14 * fabs(c.vega));
				check_near("theta C - P", c.theta - p.theta, q * sq - r * kr,
					   1e-12 * (S + fabs(c.theta)));
				check_near("rho C - P", c.rho - p.rho, T * kr, 1e-12 * S);
			}
}

static void test_limits(void **state)
{
	struct bs_greeks g;
	double T = 0.5, r = 0.05, q = 0.02;
	double sq = 100 * exp(-q * T), kr90 = 90 * exp(-r * T), kr110 = 110 * exp(-r * T);

	(void)state;
	/* T == 0: intrinsic value; delta a step; the rest 0. */
	assert_true(bs_price('C', 105, 100, 0, r, q, 0.3) == 5);
	assert_true(bs_price('P', 105, 100, 0, r, q, 0.3) == 0);
	assert_true(bs_price('P', 95, 100, 0, r, q, 0.3) == 5);
	assert_int_equal(bs_greeks('C', 105, 100, 0, r, q, 0.3, &g), 0);
	assert_true(g.delta == 1 && g.gamma == 0 && g.vega == 0 && g.rho == 0);
	check_near("T=0 ITM call theta", g.theta, q * 105 - r * 100, 1e-12);
	assert_int_equal(bs_greeks('P', 105, 100, 0, r, q, 0.3, &g), 0);
	assert_true(g.price == 0 && g.delta == 0 && g.theta == 0);
	/* At the money at expiry: QuantLib's convention, N = 1/2, n = 0. */
	assert_int_equal(bs_greeks('C', 100, 100, 0, r, q, 0.3, &g), 0);
	assert_true(g.price == 0 && g.delta == 0.5 && g.gamma == 0 && g.vega == 0);
	assert_int_equal(bs_greeks('P', 100, 100, 0, r, q, 0.3, &g), 0);
	assert_true(g.price == 0 && g.delta == -0.5);

	/* sigma == 0: discounted forward intrinsic value. */
	check_near("sigma=0 ITM call", bs_price('C', 100, 90, T, r, q, 0), sq - kr90, 1e-13);
	assert_true(bs_price('C', 100, 110, T, r, q, 0) == 0);
	check_near("sigma=0 ITM put", bs_price('P', 100, 110, T, r, q, 0), kr110 - sq, 1e-13);
	assert_int_equal(bs_greeks('C', 100, 90, T, r, q, 0, &g), 0);
	check_near("sigma=0 delta", g.delta, exp(-q * T), 1e-15);
	check_near("sigma=0 theta", g.theta, q * sq - r * kr90, 1e-13);
	check_near("sigma=0 rho", g.rho, T * kr90, 1e-13);
	assert_true(g.gamma == 0 && g.vega == 0);
	assert_int_equal(bs_greeks('P', 100, 110, T, r, q, 0, &g), 0);
	check_near("sigma=0 put delta", g.delta, -exp(-q * T), 1e-15);
	check_near("sigma=0 put theta", g.theta, -q * sq + r * kr110, 1e-13);
	check_near("sigma=0 put rho", g.rho, -T * kr110, 1e-13);
	/* ...and it is the limit of small sigma. */
	check_near("sigma -> 0", bs_price('C', 100, 90, T, r, q, 1e-6), sq - kr90, 1e-12);
	check_near("T -> 0", bs_price('C', 105, 100, 1e-12, r, q, 0.3), 5, 1e-9);
}

static void test_invalid_input(void **state)
{
	struct bs_greeks g;
	double lo, hi;

	(void)state;
	assert_true(isnan(bs_price('X', 100, 100, 1, 0.05, 0, 0.2)));
	assert_true(isnan(bs_price('c', 100, 100, 1, 0.05, 0, 0.2)));
	assert_true(isnan(bs_price('C', 0, 100, 1, 0.05, 0, 0.2)));
	assert_true(isnan(bs_price('C', -1, 100, 1, 0.05, 0, 0.2)));
	assert_true(isnan(bs_price('C', 100, 0, 1, 0.05, 0, 0.2)));
	assert_true(isnan(bs_price('C', 100, 100, -1e-9, 0.05, 0, 0.2)));
	assert_true(isnan(bs_price('C', 100, 100, 1, 0.05, 0, -0.2)));
	assert_true(isnan(bs_price('C', NAN, 100, 1, 0.05, 0, 0.2)));
	assert_true(isnan(bs_price('C', 100, 100, 1, INFINITY, 0, 0.2)));
	assert_true(isnan(bs_price('C', 100, 100, 1, 0.05, NAN, 0.2)));
	assert_true(isnan(bs_price('C', 100, 100, INFINITY, 0.05, 0, 0.2)));
	assert_int_equal(bs_greeks('P', 100, -5, 1, 0.05, 0, 0.2, &g), -1);
	assert_true(isnan(g.price) && isnan(g.delta) && isnan(g.gamma) && isnan(g.vega) &&
		    isnan(g.theta) && isnan(g.rho));
	bs_bounds('Q', 100, 100, 1, 0.05, 0, &lo, &hi);
	assert_true(isnan(lo) && isnan(hi));

	/* The bounds themselves. */
	bs_bounds('C', 100, 90, 1, 0.05, 0.02, &lo, &hi);
	check_near("call lower", lo, 100 * exp(-0.02) - 90 * exp(-0.05), 1e-13);
	check_near("call upper", hi, 100 * exp(-0.02), 1e-13);
	bs_bounds('P', 100, 90, 1, 0.05, 0.02, &lo, &hi);
	assert_true(lo == 0);
	check_near("put upper", hi, 90 * exp(-0.05), 1e-13);
}

/* ---- (d) historical volatility ---- */

static void test_hv_values(void **state)
{
	static const double c[] = {100.0, 101.5, 99.8, 102.3, 103.1, 101.9, 104.2, 103.7};
	double a = log(1.1), alt[] = {100, 110, 100, 110, 100};
	double flat[6];
	size_t i;

	(void)state;
	/* numpy 1.24.2: np.std(np.diff(np.log(c)), ddof=1) * np.sqrt(252), all 7
	 * returns, and the same over the last 4 (np.diff(np.log(c))[-4:]). */
	check_near("hv window 7", hv_close_to_close(c, 8, 7), 0.26321729472000177, 1e-14);
	check_near("hv window 4", hv_close_to_close(c, 8, 4), 0.23774384445663146, 1e-14);
	/* By hand: returns +a, -a, +a, -a (a = ln 1.1), mean 0, sample
	 * variance 4 a^2 / 3, annualised by 252. */
	check_near("hv alternating", hv_close_to_close(alt, 5, 4), a * sqrt(4.0 / 3.0 * 252),
		   1e-14);
	/* Constant growth: every return equal, no volatility. */
	for (i = 0; i < PT_ARRAY_SIZE(flat); i++)
		flat[i] = 100 * pow(1.01, (double)i);
	check_near("hv constant growth", hv_close_to_close(flat, 6, 5), 0, 1e-12);
}

static void test_hv_bad_input(void **state)
{
	static const double c[] = {100.0, 101.5, 99.8, 102.3, 103.1};
	double z[] = {0, 101.5, 99.8, 102.3, 103.1};
	double n[] = {100.0, 101.5, NAN, 102.3, 103.1};

	(void)state;
	assert_false(isnan(hv_close_to_close(c, 5, 4)));
	assert_true(isnan(hv_close_to_close(c, 4, 4))); /* window + 1 closes needed */
	assert_true(isnan(hv_close_to_close(c, 5, 5)));
	assert_true(isnan(hv_close_to_close(c, 0, 4)));
	assert_true(isnan(hv_close_to_close(c, 5, 1))); /* one return has no spread */
	assert_true(isnan(hv_close_to_close(c, 5, 0)));
	assert_true(isnan(hv_close_to_close(c, 5, (size_t)-1)));
	assert_true(isnan(hv_close_to_close(NULL, 5, 4)));
	assert_true(isnan(hv_close_to_close(z, 5, 4)));	 /* a used close is 0 */
	assert_false(isnan(hv_close_to_close(z, 5, 3))); /* ...but not used here */
	assert_true(isnan(hv_close_to_close(n, 5, 4)));
}

/* bs_price_pair gives each right exactly bs_price's value (the sim prices
 * its chains with it: a bit changed would change every stored report). */
static void test_price_pair_exact(void **state)
{
	static const double S[] = {50, 100, 437.25}, K[] = {40, 99.5, 100, 100.5, 130, 500};
	static const double T[] = {0, 1.0 / 365, 0.25, 2}, sig[] = {0, 0.05, 0.2, 1.5};
	size_t a, b, c, d;
	double call, put;

	(void)state;
	for (a = 0; a < 3; a++)
		for (b = 0; b < 6; b++)
			for (c = 0; c < 4; c++)
				for (d = 0; d < 4; d++) {
					bs_price_pair(S[a], K[b], T[c], 0.04, 0.013, sig[d], &call,
						      &put);
					assert_memory_equal(&call,
							    &(double){bs_price('C', S[a], K[b], T[c],
									       0.04, 0.013, sig[d])},
							    sizeof(double));
					assert_memory_equal(&put,
							    &(double){bs_price('P', S[a], K[b], T[c],
									       0.04, 0.013, sig[d])},
							    sizeof(double));
				}
	bs_price_pair(-1, 100, 0.25, 0.04, 0, 0.2, &call, &put);
	assert_true(isnan(call) && isnan(put));
	bs_price_pair(100, 100, 0.25, 0.04, 0, NAN, &call, &put);
	assert_true(isnan(call) && isnan(put));
}

/* ---- (f) Let's Be Rational (lbr.h) against 50-digit mpmath tables ---- */

/* Relative error in units of DBL_EPSILON (2^-52). */
static double ueps(double got, double want)
{
	return fabs(got - want) / fabs(want) / DBL_EPSILON;
}

/* erfcx and the inverse normal CDF at exact doubles (tests/gen_quant_ref.py
 * special): a few ulps everywhere. */
static void test_lbr_special_functions(void **state)
{
	char line[256], *fld[3];
	FILE *f = open_data("lbr_special_ref.csv");
	int header = 0, n_erfcx = 0, n_ppf = 0;
	double w_erfcx = 0, w_refl = 0, w_ppf = 0;

	(void)state;
	assert_non_null(f);
	while (next_row(f, line, sizeof(line), "fn,arg,value", &header, fld, 3)) {
		double a = fnum(fld[1]), want = fnum(fld[2]), e;

		if (!strcmp(fld[0], "erfcx")) {
			e = ueps(lbr_erfcx(a), want);
			if (a >= -0.75)
				w_erfcx = fmax(w_erfcx, e);
			else
				w_refl = fmax(w_refl, e);
			n_erfcx++;
		} else {
			assert_string_equal(fld[0], "ppf");
			e = want == 0 ? fabs(lbr_norm_ppf(a)) / DBL_MIN
				      : ueps(lbr_norm_ppf(a), want);
			w_ppf = fmax(w_ppf, e);
			n_ppf++;
		}
	}
	fclose(f);
	print_message("# erfcx: %d points, worst %.2f eps (x >= -0.75), %.2f eps below; "
		      "ppf: %d points, worst %.2f eps\n",
		      n_erfcx, w_erfcx, w_refl, n_ppf, w_ppf);
	assert_true(n_erfcx > 1000 && n_ppf > 800);
	assert_true(w_erfcx <= 6);
	assert_true(w_refl <= 8);
	assert_true(w_ppf <= 4);
	/* the ends */
	assert_true(lbr_erfcx(-27) == INFINITY && lbr_erfcx(INFINITY) == 0);
	assert_true(isnan(lbr_erfcx(NAN)));
	assert_true(lbr_norm_ppf(0) == -INFINITY && lbr_norm_ppf(1) == INFINITY);
	assert_true(lbr_norm_ppf(0.5) == 0);
	assert_true(isnan(lbr_norm_ppf(-1e-300)) && isnan(lbr_norm_ppf(1.0000000000000002)));
	assert_true(isnan(lbr_norm_ppf(NAN)));
}

/*
 * The normalised Black function and its inverse on the table of
 * tests/gen_quant_ref.py black. b is held to 24 eps times 1 + (x/s)^2, the
 * condition number of b at x, s (the rounding of x/s alone costs that);
 * the in-the-money call and the put by symmetry; and the inverse, from b
 * and c = b_max - b rounded to doubles, gives s back to 12 eps divided by
 * the larger elasticity (the precision b or c carries), for |x| < 100 after
 * its two Householder steps (to 1000 eps beyond, where F/K > e^100).
 */
static void test_lbr_black_reference(void **state)
{
	char line[512], *fld[7];
	FILE *f = open_data("lbr_black_ref.csv");
	int header = 0, rows = 0, solved = 0, bad = 0;
	double wb = 0, ws = 0, wsx = 0, witm = 0;

	(void)state;
	assert_non_null(f);
	while (next_row(f, line, sizeof(line), "x,s,b,c,eb,ec,bitm", &header, fld, 7)) {
		double x = fnum(fld[0]), s = fnum(fld[1]), b = fnum(fld[2]), c = fnum(fld[3]);
		double eb = fnum(fld[4]), ec = fnum(fld[5]), bitm = fnum(fld[6]);
		double cond = 1 + (x / s) * (x / s), got, e;

		rows++;
		got = lbr_normalised_black(x, s, 'C');
		if (b >= DBL_MIN) {
			e = ueps(got, b) / cond;
			wb = fmax(wb, e);
			if (e > 24 && bad++ < 10)
				print_message("# b(%.17g, %.17g) = %.17g, want %.17g\n", x, s, got,
					      b);
		}
		/* the put at -x is the same option */
		assert_memory_equal(&(double){lbr_normalised_black(-x, s, 'P')}, &got,
				    sizeof(double));
		/* the call in the money: intrinsic 2 sinh(|x|/2) plus the same b */
		e = fabs(lbr_normalised_black(-x, s, 'C') - bitm) /
		    (4 * DBL_EPSILON * bitm + 16 * DBL_EPSILON * cond * b);
		witm = fmax(witm, e);
		if (e > 1 && bad++ < 10)
			print_message("# b(%.17g, %.17g) in the money: %.17g, want %.17g\n", -x, s,
				      lbr_normalised_black(-x, s, 'C'), bitm);
		if (b >= DBL_MIN && c >= DBL_MIN) {
			double sg = lbr_implied_s(x, b, c);
			double u = ueps(sg, s) / (1 + 1 / fmax(eb, ec));

			solved++;
			if (fabs(x) < 100)
				ws = fmax(ws, u);
			else
				wsx = fmax(wsx, u);
			if (u > (fabs(x) < 100 ? 12 : 1000) && bad++ < 10)
				print_message("# s(%.17g, %.17g, %.17g) = %.17g, want %.17g\n", x,
					      b, c, sg, s);
		}
	}
	fclose(f);
	print_message("# %d rows: b worst %.2f eps x (1 + (x/s)^2), in the money %.2f of its "
		      "bound; %d inverted: worst %.2f eps x (1 + 1/elasticity), %.2f beyond "
		      "|x| = 100\n",
		      rows, wb, witm, solved, ws, wsx);
	assert_true(rows > 2500 && solved > 2000);
	assert_int_equal(bad, 0);
}

/* lbr_black and lbr_implied_vol in money terms, at their bounds. */
static void test_lbr_money_terms(void **state)
{
	static const double Ks[] = {50, 90, 99.9, 100, 100.1, 110, 300};
	static const double sig[] = {0.001, 0.2, 3, 12};
	double F = 100, T = 0.25, p, v;
	size_t i, j;

	(void)state;
	for (i = 0; i < PT_ARRAY_SIZE(Ks); i++)
		for (j = 0; j < PT_ARRAY_SIZE(sig); j++) {
			double K = Ks[i], ic = fmax(F - K, 0), ip = fmax(K - F, 0);

			p = lbr_black(F, K, sig[j], T, 'C');
			assert_true(p >= ic && p <= F);
			/* put-call parity on the forward */
			check_near("C - P", p - lbr_black(F, K, sig[j], T, 'P'), F - K, 1e-13 * F);
			if (p > ic && p < F) {
				v = lbr_implied_vol(p, F, K, T, 'C');
				assert_true(v > 0 && isfinite(v));
			}
			/* the bounds: at, just inside, just outside */
			assert_true(isnan(lbr_implied_vol(ic, F, K, T, 'C')));
			assert_true(lbr_implied_vol(nextafter(ic, INFINITY), F, K, T, 'C') > 0);
			assert_true(isnan(lbr_implied_vol(nextafter(ic, -INFINITY), F, K, T, 'C')));
			assert_true(isnan(lbr_implied_vol(F, F, K, T, 'C')));
			assert_true(lbr_implied_vol(nextafter(F, 0), F, K, T, 'C') > 0);
			assert_true(isnan(lbr_implied_vol(nextafter(F, INFINITY), F, K, T, 'C')));
			assert_true(isnan(lbr_implied_vol(ip, F, K, T, 'P')));
			assert_true(lbr_implied_vol(nextafter(ip, INFINITY), F, K, T, 'P') > 0);
			assert_true(isnan(lbr_implied_vol(K, F, K, T, 'P')));
			assert_true(lbr_implied_vol(nextafter(K, 0), F, K, T, 'P') > 0);
		}
	/* a round trip in money terms */
	p = lbr_black(105, 100, 0.25, 0.5, 'P');
	check_near("round trip", lbr_implied_vol(p, 105, 100, 0.5, 'P'), 0.25, 1e-15);
	/* zero time, zero volatility, bad input */
	assert_true(lbr_black(105, 100, 0.3, 0, 'C') == 5 && lbr_black(105, 100, 0, 1, 'P') == 0);
	assert_true(isnan(lbr_implied_vol(6, 105, 100, 0, 'C')));
	assert_true(isnan(lbr_implied_vol(6, 105, 100, -1, 'C')));
	assert_true(isnan(lbr_implied_vol(6, 105, 100, 1, 'X')));
	assert_true(isnan(lbr_implied_vol(6, -105, 100, 1, 'C')));
	assert_true(isnan(lbr_implied_vol(6, 105, INFINITY, 1, 'C')));
	assert_true(isnan(lbr_implied_vol(NAN, 105, 100, 1, 'C')));
	assert_true(isnan(lbr_black(105, 100, -0.1, 1, 'C')));
	assert_true(isnan(lbr_black(105, 100, 0.1, 1, 'c')));
	assert_true(isnan(lbr_normalised_black(0.1, -1, 'C')));
	assert_true(isnan(lbr_implied_s(0.1, 0.5, 0.5)));
	assert_true(isnan(lbr_implied_s(-0.1, 0, 0.95)));
	assert_true(isnan(lbr_implied_s(-0.1, 0.95, 0)));
}

/* ---- (g) the whole-chain implied volatility ---- */

enum { CHAIN_MAX = 24000 };

struct chain_case {
	size_t n;
	double price[CHAIN_MAX], F[CHAIN_MAX], K[CHAIN_MAX], T[CHAIN_MAX], vol[CHAIN_MAX];
	char right[CHAIN_MAX];
};

static void chain_add(struct chain_case *c, double price, double F, double K, double T, char right)
{
	assert_true(c->n < CHAIN_MAX);
	c->price[c->n] = price;
	c->F[c->n] = F;
	c->K[c->n] = K;
	c->T[c->n] = T;
	c->right[c->n] = right;
	c->n++;
}

/* lbr_implied_vol_chain against lbr_implied_vol on every case of c, from
 * offset `from` (to test blocks not aligned to the array); returns the
 * worst relative difference, failing on a NAN in one and not the other. */
static double chain_check(struct chain_case *c, size_t from)
{
	double worst = 0;
	size_t i;

	lbr_implied_vol_chain(c->price + from, c->F + from, c->K + from, c->T + from,
			      c->right + from, c->n - from, c->vol + from);
	for (i = from; i < c->n; i++) {
		double v = lbr_implied_vol(c->price[i], c->F[i], c->K[i], c->T[i], c->right[i]);

		if (isnan(v) || isnan(c->vol[i])) {
			if (isnan(v) != isnan(c->vol[i]))
				fail_msg(
					"case %zu (%c F=%.17g K=%.17g T=%.17g p=%.17g): scalar %g, "
					"chain %g",
					i, c->right[i], c->F[i], c->K[i], c->T[i], c->price[i], v,
					c->vol[i]);
			continue;
		}
		worst = fmax(worst, fabs(c->vol[i] / v - 1));
	}
	return worst;
}

/*
 * The chain equals the scalar function to 1e-14 relative (and has its NANs)
 * on the mpmath tables in forward terms, on random options (T an hour to
 * 30 years, sigma 0.1% to 1000%, deep in to deep out of the money), and on
 * the inputs it hands to the scalar function (F K out of range, subnormal
 * normalised prices, invalid rows), with blocks of every alignment.
 */
static void test_lbr_chain(void **state)
{
	static struct chain_case c;
	char line[512], *fld[9];
	FILE *f = open_data("iv_ref.csv");
	int header = 0;
	double worst, w2;
	uint64_t rng = 12;
	size_t i;

	(void)state;
	c.n = 0;
	assert_non_null(f);
	while (next_row(f, line, sizeof(line), "right,S,K,T,r,q,sigma,price,elast", &header, fld,
			9)) {
		double S = fnum(fld[1]), K = fnum(fld[2]), T = fnum(fld[3]), r = fnum(fld[4]);
		double q = fnum(fld[5]), price = fnum(fld[7]);

		chain_add(&c, price * exp(r * T), S * exp((r - q) * T), K, T, fld[0][0]);
	}
	fclose(f);
	f = open_data("lbr_black_ref.csv");
	header = 0;
	assert_non_null(f);
	while (next_row(f, line, sizeof(line), "x,s,b,c,eb,ec,bitm", &header, fld, 7)) {
		double x = fnum(fld[0]), s = fnum(fld[1]), b = fnum(fld[2]), bitm = fnum(fld[6]);
		double F = 100 * exp(0.5 * x), K = 100 * exp(-0.5 * x);

		chain_add(&c, 100 * b, F, K, s * s, 'C');    /* out of the money, T = s^2 */
		chain_add(&c, 100 * bitm, K, F, s * s, 'C'); /* in the money */
	}
	fclose(f);
	for (i = 0; i < 12000; i++) {
		double u[4], T, sigma, K, p;
		int j;

		for (j = 0; j < 4; j++) {
			rng = rng * 6364136223846793005ull + 1442695040888963407ull;
			u[j] = (double)(rng >> 11) * 0x1p-53;
		}
		T = exp(log(1.0 / 8760) + u[0] * (log(30) - log(1.0 / 8760)));
		sigma = exp(log(0.001) + u[1] * (log(10) - log(0.001)));
		K = 100 * exp((2 * u[2] - 1) * 4 * fmin(3, sigma * sqrt(T)));
		p = lbr_black(100, K, sigma, T, u[3] < 0.5 ? 'C' : 'P');
		chain_add(&c, p, 100, K, T, u[3] < 0.5 ? 'C' : 'P');
	}
	/* what the chain leaves to the scalar function, and rows with no answer */
	chain_add(&c, 3e199, 1e200, 9e199, 0.5, 'C'); /* F K overflows */
	chain_add(&c, 1e-320, 100, 150, 0.01, 'C');   /* subnormal time value */
	chain_add(&c, 100 - 1e-13, 100, 50, 30, 'C'); /* near the upper bound */
	chain_add(&c, 1, 100, 100, 0, 'C');	      /* T = 0 */
	chain_add(&c, 1, 100, 100, 1, 'X');	      /* not C/P */
	chain_add(&c, NAN, 100, 100, 1, 'P');
	chain_add(&c, 10, 100, 90, 1, 'C');  /* at intrinsic */
	chain_add(&c, 100, 100, 90, 1, 'C'); /* at F */
	chain_add(&c, 5, -100, 90, 1, 'P');
	worst = chain_check(&c, 0);
	w2 = chain_check(&c, 3); /* blocks offset by three */
	print_message("# %zu options: chain vs scalar worst %.3g relative (%.3g offset)\n", c.n,
		      worst, w2);
	assert_true(worst <= 1e-14 && w2 <= 1e-14);
	/* n = 0 writes nothing; n = 1 works */
	c.vol[0] = 42;
	lbr_implied_vol_chain(c.price, c.F, c.K, c.T, c.right, 0, c.vol);
	assert_true(c.vol[0] == 42);
	c.price[0] = lbr_black(100, 110, 0.3, 0.25, 'P');
	c.F[0] = 100;
	c.K[0] = 110;
	c.T[0] = 0.25;
	c.right[0] = 'P';
	lbr_implied_vol_chain(c.price, c.F, c.K, c.T, c.right, 1, c.vol);
	check_near("n = 1", c.vol[0], 0.3, 1e-14);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_quantlib_reference),
		cmocka_unit_test(test_price_pair_exact),
		cmocka_unit_test(test_textbook_values),
		cmocka_unit_test(test_iv_round_trip),
		cmocka_unit_test(test_iv_outside_bounds),
		cmocka_unit_test(test_iv_known),
		cmocka_unit_test(test_iv_reference),
		cmocka_unit_test(test_iv_issue12),
		cmocka_unit_test(test_iv_at_bounds),
		cmocka_unit_test(test_put_call_parity),
		cmocka_unit_test(test_limits),
		cmocka_unit_test(test_invalid_input),
		cmocka_unit_test(test_hv_values),
		cmocka_unit_test(test_hv_bad_input),
		cmocka_unit_test(test_lbr_special_functions),
		cmocka_unit_test(test_lbr_black_reference),
		cmocka_unit_test(test_lbr_money_terms),
		cmocka_unit_test(test_lbr_chain),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
