/*
 * test_hv.c - unit tests of src/quant/hv.c (DESIGN.md §2 quant/): the six
 * estimators against reference values computed independently in Python
 * (tests/unit/hv_ref.h, written by tests/gen_hv_ref.py), close-to-close
 * bit for bit bs.c's, the window and lambda at their boundaries, every
 * kind of bad bar refused with its reason, and known properties: what
 * drift and overnight gaps do to each, scale invariance, and Garman-Klass
 * and Rogers-Satchell agreeing on a driftless path without gaps. Then the
 * strategies' use of it (strategy.c): strategy_hv follows the config and
 * names the estimator when it has no value, and a view's precomputed HV
 * (strategy_calc_begin, a sweep's) serves only a configuration of the same
 * window, estimator and (under ewma) lambda.
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

#include "config.h"
#include "market/view.h"
#include "quant/bs.h"
#include "quant/hv.h"
#include "strategy/strategy.h"
#include "util/util.h"

#include "hv_ref.h"

#define NREF PT_ARRAY_SIZE(hv_ref_bars)

static void check_rel(const char *what, double got, double want, double rel)
{
	if (!(fabs(got - want) <= rel * fabs(want)))
		fail_msg("%s: got %.17g, want %.17g (relative %g)", what, got, want, rel);
}

/* hv_estimate's NAN with exactly this reason. */
static void check_fails(const struct hv_bar *b, size_t n, size_t w, int e, double lambda,
			const char *want)
{
	char why[PT_ERRSZ] = "";
	double hv = hv_estimate(b, n, w, e, lambda, why);

	if (!isnan(hv))
		fail_msg("%s, window %zu, %zu bars: got %.17g, want NAN (%s)", hv_estimator_name(e),
			 w, n, hv, want);
	if (strcmp(why, want) != 0)
		fail_msg("%s, window %zu: reason '%s', want '%s'", hv_estimator_name(e), w, why,
			 want);
}

static void check_ok(const struct hv_bar *b, size_t n, size_t w, int e, double lambda)
{
	char why[PT_ERRSZ] = "";
	double hv = hv_estimate(b, n, w, e, lambda, why);

	if (!(isfinite(hv) && hv >= 0))
		fail_msg("%s, window %zu, %zu bars: got %g (%s)", hv_estimator_name(e), w, n, hv,
			 why);
}

/* ---- reference values ---- */

static void test_reference(void **state)
{
	(void)state;
	for (size_t i = 0; i < PT_ARRAY_SIZE(hv_ref_cases); i++) {
		const struct hv_ref_case *c = &hv_ref_cases[i];
		char what[PT_ERRSZ + 96], why[PT_ERRSZ] = "";
		double got = hv_estimate(hv_ref_bars, NREF, c->window, c->e, c->lambda, why);

		snprintf(what, sizeof(what), "%s window %zu lambda %g (%s)",
			 hv_estimator_name(c->e), c->window, c->lambda, why);
		/* a sum of at most 41 logs: a few ulps each */
		check_rel(what, got, c->hv, 1e-13);
	}
}

/* The default estimator is bs.c's, bit for bit, at every window. */
static void test_close_is_bs(void **state)
{
	double closes[NREF];

	(void)state;
	for (size_t i = 0; i < NREF; i++)
		closes[i] = hv_ref_bars[i].close;
	for (size_t w = 2; w <= NREF - 1; w++) {
		double a = hv_estimate(hv_ref_bars, NREF, w, HV_CLOSE, 0.94, NULL);
		double b = hv_close_to_close(closes, NREF, w);

		/* both finite: == is bit for bit */
		if (!isfinite(a) || a != b)
			fail_msg("window %zu: %.17g != bs.c's %.17g", w, a, b);
	}
}

static void test_names(void **state)
{
	(void)state;
	assert_string_equal(hv_estimator_name(HV_CLOSE), "close");
	assert_string_equal(hv_estimator_name(HV_PARKINSON), "parkinson");
	assert_string_equal(hv_estimator_name(HV_GARMAN_KLASS), "garman_klass");
	assert_string_equal(hv_estimator_name(HV_ROGERS_SATCHELL), "rogers_satchell");
	assert_string_equal(hv_estimator_name(HV_YANG_ZHANG), "yang_zhang");
	assert_string_equal(hv_estimator_name(HV_EWMA), "ewma");
	assert_string_equal(hv_estimator_name(-1), "?");
	assert_string_equal(hv_estimator_name(HV_ESTIMATORS), "?");
	assert_null(hv_estimator_names[HV_ESTIMATORS]);
	assert_int_equal(hv_bars_needed(HV_CLOSE, 30), 31);
	assert_int_equal(hv_bars_needed(HV_YANG_ZHANG, 30), 31);
	assert_int_equal(hv_bars_needed(HV_EWMA, 30), 31);
	assert_int_equal(hv_bars_needed(HV_PARKINSON, 30), 30);
	assert_int_equal(hv_bars_needed(HV_GARMAN_KLASS, 30), 30);
	assert_int_equal(hv_bars_needed(HV_ROGERS_SATCHELL, 30), 30);
	assert_int_equal(hv_bars_needed(-1, 30), 0);
	assert_int_equal(hv_bars_needed(HV_ESTIMATORS, 30), 0);
}

/* ---- the window at its boundaries ---- */

static void test_window_bounds(void **state)
{
	char want[PT_ERRSZ];

	(void)state;
	for (int e = 0; e < HV_ESTIMATORS; e++) {
		size_t wmax = hv_bars_needed(e, NREF) == NREF ? NREF : NREF - 1;

		/* window exactly the bars available, and one more */
		check_ok(hv_ref_bars, NREF, wmax, e, 0.94);
		snprintf(want, sizeof(want), "too few bars: %zu of the %zu needed", NREF,
			 (size_t)NREF + 1);
		check_fails(hv_ref_bars, NREF, wmax + 1, e, 0.94, want);
		/* a window of 2 on exactly the bars it needs, and on one less */
		check_ok(hv_ref_bars + NREF - hv_bars_needed(e, 2), hv_bars_needed(e, 2), 2, e,
			 0.94);
		snprintf(want, sizeof(want), "too few bars: %zu of the %zu needed",
			 hv_bars_needed(e, 2) - 1, hv_bars_needed(e, 2));
		check_fails(hv_ref_bars + NREF - hv_bars_needed(e, 2) + 1, hv_bars_needed(e, 2) - 1,
			    2, e, 0.94, want);
		/* only the last bars count: the same value on the window's bars alone */
		check_rel("last bars only",
			  hv_estimate(hv_ref_bars + NREF - hv_bars_needed(e, 5),
				      hv_bars_needed(e, 5), 5, e, 0.94, NULL),
			  hv_estimate(hv_ref_bars, NREF, 5, e, 0.94, NULL), 0);
		/* a window of 0: nothing to estimate */
		snprintf(want, sizeof(want), "a window of 0 sessions has no %s estimate",
			 hv_estimator_name(e));
		check_fails(hv_ref_bars, NREF, 0, e, 0.94, want);
		/* no bars, and the largest window */
		snprintf(want, sizeof(want), "too few bars: 0 of the %zu needed",
			 hv_bars_needed(e, 2));
		check_fails(NULL, 5, 2, e, 0.94, want);
		assert_true(isnan(hv_estimate(hv_ref_bars, NREF, SIZE_MAX, e, 0.94, NULL)));
	}
	/* a window of 1: one return has no sample variance; one bar has a range */
	check_fails(hv_ref_bars, NREF, 1, HV_CLOSE, 0.94,
		    "a window of 1 session has no close estimate");
	check_fails(hv_ref_bars, NREF, 1, HV_YANG_ZHANG, 0.94,
		    "a window of 1 session has no yang_zhang estimate");
	{
		const struct hv_bar *b = &hv_ref_bars[NREF - 1], *p = &hv_ref_bars[NREF - 2];
		double hl = log(b->high / b->low), co = log(b->close / b->open);
		double r = log(b->close / p->close);

		check_rel("parkinson, one bar", hv_estimate(b, 1, 1, HV_PARKINSON, 0, NULL),
			  sqrt(hl * hl / (4 * M_LN2) * 252), 1e-15);
		check_rel("garman_klass, one bar", hv_estimate(b, 1, 1, HV_GARMAN_KLASS, 0, NULL),
			  sqrt((0.5 * hl * hl - (2 * M_LN2 - 1) * co * co) * 252), 1e-15);
		check_rel("ewma, one return", hv_estimate(p, 2, 1, HV_EWMA, 0.94, NULL),
			  fabs(r) * sqrt(252), 1e-15);
	}
	check_fails(hv_ref_bars, NREF, 2, -1, 0.94, "unknown estimator -1");
	check_fails(hv_ref_bars, NREF, 2, HV_ESTIMATORS, 0.94, "unknown estimator 6");
}

/* ---- ewma's lambda at its boundaries ---- */

static void test_ewma_lambda(void **state)
{
	double r[NREF - 1] = {0}, ss = 0, sum = 0, mean, close, e1;
	const size_t w = NREF - 1;

	(void)state;
	for (size_t i = 1; i < NREF; i++) {
		r[i - 1] = log(hv_ref_bars[i].close / hv_ref_bars[i - 1].close);
		sum += r[i - 1];
		ss += r[i - 1] * r[i - 1];
	}
	mean = sum / (double)w;
	/* lambda = 1: equal weights, the uncentred close-to-close variance */
	e1 = hv_estimate(hv_ref_bars, NREF, w, HV_EWMA, 1, NULL);
	check_rel("ewma lambda 1", e1, sqrt(ss / (double)w * 252), 1e-14);
	/* ... which is close-to-close's with its mean put back and divided by n:
	 * sum r^2 = sum (r - mean)^2 + n mean^2 */
	close = hv_estimate(hv_ref_bars, NREF, w, HV_CLOSE, 0, NULL);
	check_rel("ewma(1)^2 = (n-1)/n close^2 + 252 mean^2", e1 * e1,
		  close * close * (double)(w - 1) / (double)w + 252 * mean * mean, 1e-13);
	/* lambda near 0: all the weight on the newest return */
	check_rel("ewma lambda 1e-300", hv_estimate(hv_ref_bars, NREF, w, HV_EWMA, 1e-300, NULL),
		  fabs(r[w - 1]) * sqrt(252), 1e-15);
	check_rel("ewma lambda DBL_TRUE_MIN",
		  hv_estimate(hv_ref_bars, NREF, w, HV_EWMA, DBL_TRUE_MIN, NULL),
		  fabs(r[w - 1]) * sqrt(252), 1e-15);
	/* just inside 1 is not 1, and close to it */
	{
		double just = hv_estimate(hv_ref_bars, NREF, w, HV_EWMA, 1 - DBL_EPSILON / 2, NULL);

		check_rel("ewma lambda 1-ulp", just, e1, 1e-13);
	}
	check_fails(hv_ref_bars, NREF, w, HV_EWMA, 0, "ewma lambda 0 is outside (0, 1]");
	check_fails(hv_ref_bars, NREF, w, HV_EWMA, -0.5, "ewma lambda -0.5 is outside (0, 1]");
	check_fails(hv_ref_bars, NREF, w, HV_EWMA, 1 + DBL_EPSILON,
		    "ewma lambda 1 is outside (0, 1]");
	check_fails(hv_ref_bars, NREF, w, HV_EWMA, NAN, "ewma lambda nan is outside (0, 1]");
	/* the other estimators ignore lambda */
	check_ok(hv_ref_bars, NREF, 20, HV_YANG_ZHANG, NAN);
	check_ok(hv_ref_bars, NREF, 20, HV_CLOSE, 0);
}

/* ---- bad bars ---- */

/* 10 clean bars dated 2024-01-02 .. (day numbers from 19724), each 100 open,
 * 101 high, 99 low, 100.5 close. */
static void clean(struct hv_bar *b, size_t n)
{
	for (size_t i = 0; i < n; i++)
		b[i] = (struct hv_bar){19724 + (int)i, 100, 101, 99, 100.5};
}

static void test_bad_bars(void **state)
{
	static const int range[] = {HV_PARKINSON, HV_GARMAN_KLASS, HV_ROGERS_SATCHELL,
				    HV_YANG_ZHANG};
	struct hv_bar b[10];
	const size_t last = 9; /* 2024-01-11 */
	struct {
		size_t field; /* offset into the bar */
		double v;
		const char *why;
	} bad[] = {
		{offsetof(struct hv_bar, open), NAN, "bar of 2024-01-11: no open"},
		{offsetof(struct hv_bar, open), 0, "bar of 2024-01-11: open 0 is not a price"},
		{offsetof(struct hv_bar, open), -100,
		 "bar of 2024-01-11: open -100 is not a price"},
		{offsetof(struct hv_bar, high), NAN, "bar of 2024-01-11: no high"},
		{offsetof(struct hv_bar, high), INFINITY,
		 "bar of 2024-01-11: high inf is not a price"},
		{offsetof(struct hv_bar, low), 0, "bar of 2024-01-11: low 0 is not a price"},
		{offsetof(struct hv_bar, low), -INFINITY,
		 "bar of 2024-01-11: low -inf is not a price"},
		{offsetof(struct hv_bar, close), NAN, "bar of 2024-01-11: no close"},
		/* high below low (and so below open and close) */
		{offsetof(struct hv_bar, high), 98, "bar of 2024-01-11: high 98 below low 99"},
		/* open and close outside the range, just */
		{offsetof(struct hv_bar, open), 101.000001,
		 "bar of 2024-01-11: open 101.000001 outside low 99 .. high 101"},
		{offsetof(struct hv_bar, open), 98.999999,
		 "bar of 2024-01-11: open 98.999999 outside low 99 .. high 101"},
		{offsetof(struct hv_bar, close), 101.5,
		 "bar of 2024-01-11: close 101.5 outside low 99 .. high 101"},
		{offsetof(struct hv_bar, close), 98.5,
		 "bar of 2024-01-11: close 98.5 outside low 99 .. high 101"},
	};

	(void)state;
	for (size_t k = 0; k < PT_ARRAY_SIZE(bad); k++) {
		for (size_t j = 0; j < PT_ARRAY_SIZE(range); j++) {
			clean(b, 10);
			memcpy((char *)&b[last] + bad[k].field, &bad[k].v, sizeof(double));
			check_fails(b, 10, 5, range[j], 0.94, bad[k].why);
		}
	}
	/* at the edges of the range: open and close at the low and the high */
	for (size_t j = 0; j < PT_ARRAY_SIZE(range); j++) {
		clean(b, 10);
		b[last].open = 99;
		b[last].close = 101;
		b[last - 1].open = 101;
		b[last - 1].close = 99;
		b[last - 2].open = b[last - 2].high = b[last - 2].low = b[last - 2].close = 100;
		check_ok(b, 10, 5, range[j], 0.94);
	}
	/* close and ewma read only the closes: no high or low is fine, a bad
	 * close is not */
	clean(b, 10);
	for (size_t i = 0; i < 10; i++)
		b[i].open = b[i].high = b[i].low = NAN;
	b[3].close = 99;
	check_ok(b, 10, 9, HV_CLOSE, 0.94);
	check_ok(b, 10, 9, HV_EWMA, 0.94);
	for (size_t j = 0; j < PT_ARRAY_SIZE(range); j++)
		check_fails(b, 10, 5, range[j], 0.94, "bar of 2024-01-07: no open");
	b[0].close = 0;
	check_fails(b, 10, 9, HV_CLOSE, 0.94, "bar of 2024-01-02: close 0 is not a price");
	check_fails(b, 10, 9, HV_EWMA, 0.94, "bar of 2024-01-02: close 0 is not a price");
	/* ... and not outside the window */
	check_ok(b, 10, 8, HV_CLOSE, 0.94);
	check_ok(b, 10, 8, HV_EWMA, 0.94);
	/* the bar before a range estimator's window is not read; yang_zhang
	 * reads its close only */
	clean(b, 10);
	b[4].high = NAN;
	for (size_t j = 0; j < PT_ARRAY_SIZE(range); j++)
		check_ok(b, 10, 5, range[j], 0.94);
	b[4].close = NAN;
	check_ok(b, 10, 5, HV_PARKINSON, 0.94);
	check_fails(b, 10, 5, HV_YANG_ZHANG, 0.94, "bar of 2024-01-06: no close");
	/* a reason is optional */
	assert_true(isnan(hv_estimate(b, 10, 5, HV_YANG_ZHANG, 0.94, NULL)));
}

/* ---- properties ---- */

/* Bars of a price moving straight from open to close (no excursion beyond
 * them: high and low are the two), a trend of 1% a session, no gaps. */
static void test_trend(void **state)
{
	struct hv_bar b[21];

	(void)state;
	for (size_t i = 0; i < 21; i++) {
		double o = 100 * pow(1.01, (double)i);

		b[i] = (struct hv_bar){19724 + (int)i, o, o * 1.01, o, o * 1.01};
	}
	/* Rogers-Satchell is exactly drift-free: ln(H/C) = 0 and ln(L/O) = 0 */
	assert_true(hv_estimate(b, 21, 20, HV_ROGERS_SATCHELL, 0, NULL) == 0);
	/* close-to-close removes the mean: every return the same */
	assert_true(hv_estimate(b, 21, 20, HV_CLOSE, 0, NULL) < 1e-12); /* but rounding */
	/* Parkinson and Garman-Klass take the trend for volatility */
	check_rel("parkinson on a trend", hv_estimate(b, 21, 20, HV_PARKINSON, 0, NULL),
		  log(1.01) * sqrt(252 / (4 * M_LN2)), 1e-13);
	check_rel("garman_klass on a trend", hv_estimate(b, 21, 20, HV_GARMAN_KLASS, 0, NULL),
		  log(1.01) * sqrt(252 * (0.5 - (2 * M_LN2 - 1))), 1e-13);
	/* Yang-Zhang: no gap (Vo = 0), every open-to-close the same (Vc = 0),
	 * Rogers-Satchell 0 */
	assert_true(hv_estimate(b, 21, 20, HV_YANG_ZHANG, 0, NULL) < 1e-12);
	/* EWMA keeps the mean: |r| sqrt(252) */
	check_rel("ewma on a trend", hv_estimate(b, 21, 20, HV_EWMA, 0.94, NULL),
		  log(1.01) * sqrt(252), 1e-13);
}

/* All the move overnight: every bar flat (open = high = low = close), each
 * opening away from the close before. */
static void test_gaps_only(void **state)
{
	struct hv_bar b[21];
	double p = 100;

	(void)state;
	for (size_t i = 0; i < 21; i++) {
		p *= exp(0.01 * sin(3.0 * (double)i + 1));
		b[i] = (struct hv_bar){19724 + (int)i, p, p, p, p};
	}
	/* the range estimators see no volatility at all */
	assert_true(hv_estimate(b, 21, 20, HV_PARKINSON, 0, NULL) == 0);
	assert_true(hv_estimate(b, 21, 20, HV_GARMAN_KLASS, 0, NULL) == 0);
	assert_true(hv_estimate(b, 21, 20, HV_ROGERS_SATCHELL, 0, NULL) == 0);
	/* Yang-Zhang is then its overnight part: close-to-close exactly */
	check_rel("yang_zhang = close on gaps", hv_estimate(b, 21, 20, HV_YANG_ZHANG, 0, NULL),
		  hv_estimate(b, 21, 20, HV_CLOSE, 0, NULL), 1e-13);
	assert_true(hv_estimate(b, 21, 20, HV_CLOSE, 0, NULL) > 0.05);
}

/* Every estimator is a function of price ratios: scaling every price
 * changes nothing (but rounding). */
static void test_scale_invariant(void **state)
{
	struct hv_bar b[NREF];

	(void)state;
	for (size_t i = 0; i < NREF; i++) {
		b[i] = hv_ref_bars[i];
		b[i].open *= 37.25;
		b[i].high *= 37.25;
		b[i].low *= 37.25;
		b[i].close *= 37.25;
	}
	for (int e = 0; e < HV_ESTIMATORS; e++)
		check_rel(hv_estimator_name(e), hv_estimate(b, NREF, 30, e, 0.9, NULL),
			  hv_estimate(hv_ref_bars, NREF, 30, e, 0.9, NULL), 1e-12);
}

/* A driftless Brownian path, open = previous close, sigma 20%, sampled
 * STEPS times a session over DAYS sessions (a fixed seed: the same numbers
 * every run). Garman-Klass and Rogers-Satchell estimate the same variance:
 * they agree within 1% here (tests/gen_hv_ref.py checks the same on 4000
 * sessions of 2000 steps). A range sampled at STEPS points is short of the
 * continuous one by about 0.58 sigma sqrt(dt) at each end, so the range
 * estimators come out a few per cent low; close-to-close does not. */
#define DAYS 2000
#define STEPS 1000

static uint64_t rng_state = 0x9e3779b97f4a7c15ull;

static double uniform(void)
{
	/* xorshift64* (Marsaglia, Vigna) */
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return ((double)((rng_state * 2685821657736338717ull) >> 11) + 0.5) / 9007199254740992.0;
}

static void test_brownian(void **state)
{
	struct hv_bar *b = calloc(DAYS + 1, sizeof(*b));
	const double sigma = 0.2, sd = sigma / sqrt(252.0 * STEPS);
	double lp = log(100), hv[HV_ESTIMATORS];

	(void)state;
	assert_non_null(b);
	b[0] = (struct hv_bar){19000, 100, 100, 100, 100};
	for (size_t d = 1; d <= DAYS; d++) {
		double hi = lp, lo = lp, o = lp;

		for (int s = 0; s < STEPS; s++) {
			lp += sd * bs_norm_ppf_fast(uniform());
			hi = lp > hi ? lp : hi;
			lo = lp < lo ? lp : lo;
		}
		b[d] = (struct hv_bar){19000 + (int)d, exp(o), exp(hi), exp(lo), exp(lp)};
	}
	for (int e = 0; e < HV_ESTIMATORS; e++) {
		hv[e] = hv_estimate(b, DAYS + 1, DAYS, e, 1, NULL);
		print_message("# brownian, sigma 0.2: %s %.4f\n", hv_estimator_name(e), hv[e]);
	}
	check_rel("garman_klass vs rogers_satchell", hv[HV_GARMAN_KLASS], hv[HV_ROGERS_SATCHELL],
		  0.01);
	check_rel("garman_klass vs parkinson", hv[HV_GARMAN_KLASS], hv[HV_PARKINSON], 0.02);
	check_rel("yang_zhang vs rogers_satchell", hv[HV_YANG_ZHANG], hv[HV_ROGERS_SATCHELL], 0.02);
	for (int e = 0; e < HV_ESTIMATORS; e++)
		check_rel(hv_estimator_name(e), hv[e], sigma, 0.05);
	free(b);
}

/* ---- the strategies' HV (strategy.c) ---- */

/* A view of one ticker on the reference bars (the last 2024-02-27; the
 * session 2024-03-01), one call listed 30 days out. */
static void ref_view(struct market_view *v)
{
	struct ticker_view *tv;

	memset(v, 0, sizeof(*v));
	v->n_tickers = 1;
	v->tickers = tv = xcalloc(1, sizeof(*tv));
	v->session = hv_ref_bars[NREF - 1].date + 3;
	v->asof = (int64_t)v->session * 86400 + 54000; /* 15:00 UTC */
	v->rate = 0.04;
	pt_strlcpy(tv->symbol, "SPY", sizeof(tv->symbol));
	pt_strlcpy(tv->source, "sim", sizeof(tv->source));
	tv->ok = 1;
	tv->spot = hv_ref_bars[NREF - 1].close;
	tv->quote_time = v->asof;
	tv->n_bars = NREF;
	tv->bars = xcalloc(NREF, sizeof(*tv->bars));
	for (size_t i = 0; i < NREF; i++)
		tv->bars[i] =
			(struct bar){hv_ref_bars[i].date, hv_ref_bars[i].open,	hv_ref_bars[i].high,
				     hv_ref_bars[i].low,  hv_ref_bars[i].close, 1000};
	tv->n_opts = 1;
	tv->opts = xcalloc(1, sizeof(*tv->opts));
	*tv->opts = (struct option_quote){v->session + 30, 100, 'C', 1.0, 1.1, NAN, 10, 10, NAN};
}

static void set(struct config *c, const char *key, const char *value)
{
	char err[PT_ERRSZ];

	if (config_set(c, key, value, err))
		fail_msg("%s", err);
}

static void test_strategy_hv(void **state)
{
	struct market_view v;
	struct config c;
	char why[PT_ERRSZ] = "";

	(void)state;
	ref_view(&v);
	config_defaults(&c);
	/* the default: close over 30 sessions, as the reference */
	check_rel("default", strategy_hv(&c, &v.tickers[0], why),
		  hv_estimate(hv_ref_bars, NREF, 30, HV_CLOSE, 0, NULL), 0);
	set(&c, "hv_window", "20");
	for (int e = 0; e < HV_ESTIMATORS; e++) {
		set(&c, "hv_estimator", hv_estimator_name(e));
		set(&c, "ewma_lambda", "0.5");
		check_rel(hv_estimator_name(e), strategy_hv(&c, &v.tickers[0], why),
			  hv_estimate(hv_ref_bars, NREF, 20, e, 0.5, NULL), 0);
	}
	/* no high: the range estimators have no value, and say which */
	v.tickers[0].bars[NREF - 3].high = NAN;
	set(&c, "hv_estimator", "yang_zhang");
	assert_true(isnan(strategy_hv(&c, &v.tickers[0], why)));
	assert_string_equal(why, "no yang_zhang HV over 20 sessions: bar of 2024-02-23: no high");
	set(&c, "hv_estimator", "close");
	assert_true(isfinite(strategy_hv(&c, &v.tickers[0], why)));
	set(&c, "hv_window", "41");
	assert_true(isnan(strategy_hv(&c, &v.tickers[0], why)));
	assert_string_equal(why, "no close HV over 41 sessions: too few bars: 41 of the 42 needed");
	assert_true(isnan(strategy_hv(&c, &v.tickers[0], NULL)));
	mv_release(&v);
}

/* A scan's HV: its own configuration's, whatever configuration precomputed
 * the view; the precomputed numbers are read only under the same key. */
static void test_scan_hv_key(void **state)
{
	static const struct {
		const char *estimator, *lambda, *window;
		int same; /* reads the view's precomputed HV */
	} cases[] = {
		{"ewma", "0.94", "20", 1},	 {"ewma", "0.97", "20", 0},
		{"ewma", "0.94", "21", 0},	 {"close", "0.94", "20", 0},
		{"yang_zhang", "0.94", "20", 0}, {"parkinson", "0.94", "20", 0},
	};
	struct market_view v;
	struct config base, c;
	struct strategy_params p;
	struct strategy_in in;

	(void)state;
	config_defaults(&base);
	set(&base, "hv_estimator", "ewma");
	set(&base, "hv_window", "20");
	set(&base, "risk_free_rate", "0.04");
	ref_view(&v);
	strategy_calc_begin(&v, &base);
	assert_non_null(v.tickers[0].calc);
	strategy_calc_part(&v, 0, 1);
	strategy_defaults(strategy_find("volarb"), &p);
	for (size_t i = 0; i < PT_ARRAY_SIZE(cases); i++) {
		struct scan_ticker out;

		c = base;
		set(&c, "hv_estimator", cases[i].estimator);
		set(&c, "ewma_lambda", cases[i].lambda);
		set(&c, "hv_window", cases[i].window);
		in = (struct strategy_in){&c, &p, v.session};
		memset(&out, 0, sizeof(out));
		assert_int_equal(strategy_scan_start(&in, &v.tickers[0], &v, 30, &out), 0);
		if (!(out.hv == strategy_hv(&c, &v.tickers[0], NULL)))
			fail_msg("case %zu: scan's HV %.17g is not its configuration's", i, out.hv);
		if ((out.calc != NULL) != cases[i].same)
			fail_msg("case %zu: precomputed numbers %s", i,
				 out.calc ? "read under another key"
					  : "not read under the same key");
		scan_ticker_release(&out);
	}
	/* lambda is no part of the key of another estimator */
	mv_release(&v);
	set(&base, "hv_estimator", "garman_klass");
	ref_view(&v);
	strategy_calc_begin(&v, &base);
	strategy_calc_part(&v, 0, 1);
	c = base;
	set(&c, "ewma_lambda", "0.5");
	{
		struct scan_ticker out;

		in = (struct strategy_in){&c, &p, v.session};
		memset(&out, 0, sizeof(out));
		assert_int_equal(strategy_scan_start(&in, &v.tickers[0], &v, 30, &out), 0);
		assert_non_null(out.calc);
		check_rel("garman_klass", out.hv,
			  hv_estimate(hv_ref_bars, NREF, 20, HV_GARMAN_KLASS, 0, NULL), 0);
		scan_ticker_release(&out);
	}
	/* a ticker without the bars its estimator needs is skipped, saying why */
	v.tickers[0].bars[NREF - 1].open = 0;
	set(&c, "hv_estimator", "rogers_satchell");
	{
		struct scan_ticker out;

		memset(&out, 0, sizeof(out));
		assert_int_equal(strategy_scan_start(&in, &v.tickers[0], &v, 30, &out), -1);
		assert_false(out.ok);
		assert_string_equal(out.skip, "no rogers_satchell HV over 20 sessions: bar of "
					      "2024-02-27: open 0 is not a price");
		scan_ticker_release(&out);
	}
	mv_release(&v);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_reference),	cmocka_unit_test(test_close_is_bs),
		cmocka_unit_test(test_names),		cmocka_unit_test(test_window_bounds),
		cmocka_unit_test(test_ewma_lambda),	cmocka_unit_test(test_bad_bars),
		cmocka_unit_test(test_trend),		cmocka_unit_test(test_gaps_only),
		cmocka_unit_test(test_scale_invariant), cmocka_unit_test(test_brownian),
		cmocka_unit_test(test_strategy_hv),	cmocka_unit_test(test_scan_hv_key),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
