/*
 * hv.c - historical volatility estimators on daily bars (hv.h has the
 * formulas and what they assume; docs/volatility.md the sources). Pure:
 * the strategy's scan (DESIGN.md §1 step 3) and `chain` call it with the
 * view's bars; no I/O, no global state.
 */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

#include "hv.h"
#include "bs.h"
#include "../util/date.h"
#include "../util/util.h"

#define SESSIONS_PER_YEAR 252.0

const char *const hv_estimator_names[HV_ESTIMATORS + 1] = {
	[HV_CLOSE] = "close",
	[HV_PARKINSON] = "parkinson",
	[HV_GARMAN_KLASS] = "garman_klass",
	[HV_ROGERS_SATCHELL] = "rogers_satchell",
	[HV_YANG_ZHANG] = "yang_zhang",
	[HV_EWMA] = "ewma",
	[HV_ESTIMATORS] = NULL,
};

const char *hv_estimator_name(int e)
{
	return e >= 0 && e < HV_ESTIMATORS ? hv_estimator_names[e] : "?";
}

size_t hv_bars_needed(int e, size_t window)
{
	switch (e) {
	case HV_CLOSE:
	case HV_YANG_ZHANG:
	case HV_EWMA:
		return window + 1;
	case HV_PARKINSON:
	case HV_GARMAN_KLASS:
	case HV_ROGERS_SATCHELL:
		return window;
	default:
		return 0;
	}
}

/* NAN, with why filled (when given). */
static double fail(char *why, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static double fail(char *why, const char *fmt, ...)
{
	va_list ap;

	if (why) {
		va_start(ap, fmt);
		vsnprintf(why, PT_ERRSZ, fmt, ap);
		va_end(ap);
	}
	return NAN;
}

/* 0 when price x of field `what` is usable, else -1 with why said. */
static int bad_price(const struct hv_bar *b, const char *what, double x, char *why)
{
	char d[DATE_BUFSZ];

	if (x > 0 && isfinite(x))
		return 0;
	if (isnan(x))
		fail(why, "bar of %s: no %s", date_fmt(b->date, d), what);
	else
		fail(why, "bar of %s: %s %.10g is not a price", date_fmt(b->date, d), what, x);
	return -1;
}

/* 0 when a range estimator can read the whole of b, else -1 with why. */
static int bad_bar(const struct hv_bar *b, char *why)
{
	char d[DATE_BUFSZ];

	if (bad_price(b, "open", b->open, why) || bad_price(b, "high", b->high, why) ||
	    bad_price(b, "low", b->low, why) || bad_price(b, "close", b->close, why))
		return -1;
	if (b->high < b->low) {
		fail(why, "bar of %s: high %.10g below low %.10g", date_fmt(b->date, d), b->high,
		     b->low);
		return -1;
	}
	if (b->open < b->low || b->open > b->high) {
		fail(why, "bar of %s: open %.10g outside low %.10g .. high %.10g",
		     date_fmt(b->date, d), b->open, b->low, b->high);
		return -1;
	}
	if (b->close < b->low || b->close > b->high) {
		fail(why, "bar of %s: close %.10g outside low %.10g .. high %.10g",
		     date_fmt(b->date, d), b->close, b->low, b->high);
		return -1;
	}
	return 0;
}

static double annualise(double s2)
{
	return sqrt(s2 * SESSIONS_PER_YEAR);
}

/* close: bs.c's estimator on the same closes, so the default is unchanged. */
static double est_close(const struct hv_bar *b, size_t n, size_t window)
{
	double *closes = xmalloc(n * sizeof(*closes)), hv;

	for (size_t i = 0; i < n; i++)
		closes[i] = b[i].close;
	hv = hv_close_to_close(closes, n, window);
	free(closes);
	return hv;
}

/* Rogers-Satchell's term of one bar: ln(H/C) ln(H/O) + ln(L/C) ln(L/O). */
static double rs_term(const struct hv_bar *b)
{
	return log(b->high / b->close) * log(b->high / b->open) +
	       log(b->low / b->close) * log(b->low / b->open);
}

static double est_range(const struct hv_bar *b, size_t n, int e)
{
	const double k_gk = 2.0 * M_LN2 - 1.0;
	double s = 0;

	for (size_t i = 0; i < n; i++) {
		double hl = log(b[i].high / b[i].low), co = log(b[i].close / b[i].open);

		if (e == HV_PARKINSON)
			s += hl * hl;
		else if (e == HV_GARMAN_KLASS)
			s += 0.5 * hl * hl - k_gk * co * co;
		else
			s += rs_term(&b[i]);
	}
	if (e == HV_PARKINSON)
		return s / (4.0 * (double)n * M_LN2);
	return s / (double)n;
}

/* b[0] gives only its close (the overnight return of b[1]); b[1..n] are
 * the window's n bars. */
static double est_yang_zhang(const struct hv_bar *b, size_t n)
{
	double mo = 0, mc = 0, vo = 0, vc = 0, vrs = 0, k, dn = (double)n;

	for (size_t i = 1; i <= n; i++) {
		mo += log(b[i].open / b[i - 1].close);
		mc += log(b[i].close / b[i].open);
	}
	mo /= dn;
	mc /= dn;
	for (size_t i = 1; i <= n; i++) {
		double o = log(b[i].open / b[i - 1].close) - mo,
		       c = log(b[i].close / b[i].open) - mc;

		vo += o * o;
		vc += c * c;
		vrs += rs_term(&b[i]);
	}
	vo /= dn - 1;
	vc /= dn - 1;
	vrs /= dn;
	k = 0.34 / (1.34 + (dn + 1) / (dn - 1));
	return vo + k * vc + (1 - k) * vrs;
}

/* b[0..n]: n returns, the newest (weight 1) last. */
static double est_ewma(const struct hv_bar *b, size_t n, double lambda)
{
	double s = 0, w = 1, sw = 0;

	for (size_t i = n; i >= 1; i--) {
		double r = log(b[i].close / b[i - 1].close);

		s += w * r * r;
		sw += w;
		w *= lambda;
	}
	return s / sw;
}

double hv_estimate(const struct hv_bar *bars, size_t n, size_t window, int e, double lambda,
		   char *why)
{
	size_t need, start, i;

	if (e < 0 || e >= HV_ESTIMATORS)
		return fail(why, "unknown estimator %d", e);
	if (e == HV_EWMA && !(lambda > 0 && lambda <= 1))
		return fail(why, "ewma lambda %.10g is outside (0, 1]", lambda);
	if (window < ((e == HV_CLOSE || e == HV_YANG_ZHANG) ? 2u : 1u))
		return fail(why, "a window of %zu session%s has no %s estimate", window,
			    window == 1 ? "" : "s", hv_estimator_names[e]);
	need = hv_bars_needed(e, window);
	if (need < window || !bars || n < need)
		return fail(why, "too few bars: %zu of the %zu needed", bars ? n : 0, need);
	start = n - need;
	if (e == HV_CLOSE || e == HV_EWMA || e == HV_YANG_ZHANG) {
		/* the closes read: all of them for the returns, the first
		 * (the close before the window) for yang_zhang's gap */
		for (i = start; i < n; i++)
			if (bad_price(&bars[i], "close", bars[i].close, why))
				return NAN;
	}
	if (e != HV_CLOSE && e != HV_EWMA)
		for (i = e == HV_YANG_ZHANG ? start + 1 : start; i < n; i++)
			if (bad_bar(&bars[i], why))
				return NAN;
	switch (e) {
	case HV_CLOSE:
		return est_close(bars + start, need, window);
	case HV_EWMA:
		return annualise(est_ewma(bars + start, window, lambda));
	case HV_YANG_ZHANG:
		return annualise(est_yang_zhang(bars + start, window));
	default:
		return annualise(est_range(bars + start, window, e));
	}
}
