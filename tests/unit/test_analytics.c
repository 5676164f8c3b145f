/*
 * test_analytics.c - unit tests of src/report/analytics.c (DESIGN.md §2
 * report/): every figure against the reference values that
 * tests/gen_metrics_ref.py computes with numpy and scipy from the
 * definitions of docs/metrics.md (tests/data/metrics_input.json in,
 * tests/data/metrics_ref.json out), to 1e-9 relative with an absolute floor
 * of 1e-13 (numpy sums pairwise, C in order); then the boundaries by hand:
 * a trade at exactly 0, a drawdown back to exactly its peak (and one cent
 * short of it), a rolling window as long as the series, CSCV with two
 * blocks, the deflated Sharpe ratio of the paper's own example, the
 * generator's published outputs, bad input, and the daily report's
 * metrics.c on the same portfolio.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "book/book.h"
#include "report/analytics.h"
#include "report/metrics.h"
#include "util/date.h"
#include "util/util.h"

#define TOL_REL 1e-9
#define TOL_ABS 1e-15

static int failures;

static json_t *load(const char *name)
{
	const char *root = getenv("PT_ROOT");
	char path[4096];
	json_error_t e;
	json_t *j;

	snprintf(path, sizeof(path), "%s/tests/data/%s", root && *root ? root : ".", name);
	j = json_load_file(path, 0, &e);
	if (!j)
		print_error("%s:%d: %s\n", path, e.line, e.text);
	assert_non_null(j);
	return j;
}

/* A JSON number, or NAN for null. */
static double num(const json_t *j)
{
	assert_true(json_is_number(j) || json_is_null(j));
	return json_is_null(j) ? NAN : json_number_value(j);
}

static double num_at(const json_t *obj, const char *key)
{
	const json_t *j = json_object_get(obj, key);

	if (!j)
		print_error("no \"%s\" in the reference\n", key);
	assert_non_null(j);
	return num(j);
}

static long long int_at(const json_t *obj, const char *key)
{
	const json_t *j = json_object_get(obj, key);

	if (!j)
		print_error("no \"%s\" in the reference\n", key);
	assert_true(json_is_integer(j));
	return json_integer_value(j);
}

/* cmocka's float assertion is single precision: a double one. */
#define assert_near(got, want, tol) near_at((got), (want), (tol), #got, __FILE__, __LINE__)
static void near_at(double got, double want, double tol, const char *expr, const char *file,
		    int line)
{
	if (fabs(got - want) <= tol)
		return;
	print_error("%s:%d: %s = %.17g, expected %.17g within %g\n", file, line, expr, got, want,
		    tol);
	fail();
}

static int close_enough(double got, double want)
{
	if (isnan(want))
		return isnan(got);
	return !isnan(got) && fabs(got - want) <= TOL_REL * fmax(fabs(got), fabs(want)) + TOL_ABS;
}

/* Records a mismatch (all of them are printed, then the test fails once). */
static void check_num(const char *where, const char *what, double got, double want)
{
	if (close_enough(got, want))
		return;
	print_error("%s: %s = %.17g, reference %.17g\n", where, what, got, want);
	failures++;
}

static void check_int(const char *where, const char *what, long long got, long long want)
{
	if (got == want)
		return;
	print_error("%s: %s = %lld, reference %lld\n", where, what, got, want);
	failures++;
}

static void check_array(const char *where, const char *what, const double *got, size_t n,
			const json_t *want)
{
	char label[64];
	size_t i;

	check_int(where, what, (long long)n, (long long)json_array_size(want));
	if (n != json_array_size(want))
		return;
	for (i = 0; i < n; i++) {
		snprintf(label, sizeof(label), "%s[%zu]", what, i);
		check_num(where, label, got[i], num(json_array_get(want, i)));
	}
}

static int day_of(const json_t *j)
{
	int d = 0;

	assert_int_equal(date_parse(json_string_value(j), &d), 0);
	return d;
}

/* ---- the reference cases ---- */

#define SCALAR(f)                                                                                  \
	{                                                                                          \
#f, offsetof(struct analytics, f)                                                  \
	}
static const struct {
	const char *name;
	size_t off;
} scalars[] = {
	SCALAR(total_return),
	SCALAR(cagr),
	SCALAR(cagr_calendar),
	SCALAR(volatility),
	SCALAR(sharpe),
	SCALAR(sortino),
	SCALAR(max_drawdown),
	SCALAR(calmar),
	SCALAR(tail_ratio),
	SCALAR(win_rate),
	SCALAR(profit_factor),
	SCALAR(avg_win_cents),
	SCALAR(avg_loss_cents),
	SCALAR(expectancy_cents),
	SCALAR(avg_hold_days),
	SCALAR(bench_return),
	SCALAR(beta),
	SCALAR(alpha),
	SCALAR(alpha_geometric),
	SCALAR(confidence),
	SCALAR(sharpe_se_iid),
	SCALAR(sharpe_lo_iid),
	SCALAR(sharpe_hi_iid),
	SCALAR(sharpe_se_hac),
	SCALAR(sharpe_lo_hac),
	SCALAR(sharpe_hi_hac),
	SCALAR(alpha_lo),
	SCALAR(alpha_hi),
	SCALAR(boot_block),
};

/* The integer figures, whatever their C type. */
static long long int_figure(const struct analytics *a, const char *name)
{
	if (!strcmp(name, "n_sessions"))
		return (long long)a->n_sessions;
	if (!strcmp(name, "n_returns"))
		return (long long)a->n_returns;
	if (!strcmp(name, "hac_lags"))
		return a->hac_lags;
	if (!strcmp(name, "boot_reps"))
		return a->boot_reps;
	if (!strcmp(name, "boot_used"))
		return a->boot_used;
	if (!strcmp(name, "window"))
		return (long long)a->window;
	if (!strcmp(name, "n_trades"))
		return a->n_trades;
	if (!strcmp(name, "n_wins"))
		return a->n_wins;
	if (!strcmp(name, "n_losses"))
		return a->n_losses;
	if (!strcmp(name, "n_zero"))
		return a->n_zero;
	if (!strcmp(name, "net_pnl_cents"))
		return a->net_pnl_cents;
	if (!strcmp(name, "gross_profit_cents"))
		return a->gross_profit_cents;
	if (!strcmp(name, "gross_loss_cents"))
		return a->gross_loss_cents;
	if (!strcmp(name, "n_tickers"))
		return (long long)a->n_tickers;
	if (!strcmp(name, "n_strategies"))
		return (long long)a->n_strategies;
	if (!strcmp(name, "n_years"))
		return a->n_years;
	print_error("the test does not know the figure \"%s\"\n", name);
	fail();
	return 0;
}

static void check_dd(const char *where, const char *what, const struct an_drawdown *d,
		     const json_t *want)
{
	char label[64];

	snprintf(label, sizeof(label), "%s.valid", what);
	check_int(where, label, d->valid, int_at(want, "valid"));
	snprintf(label, sizeof(label), "%s.recovered", what);
	check_int(where, label, d->recovered, int_at(want, "recovered"));
	snprintf(label, sizeof(label), "%s.peak", what);
	check_int(where, label, (long long)d->peak, int_at(want, "peak"));
	snprintf(label, sizeof(label), "%s.trough", what);
	check_int(where, label, (long long)d->trough, int_at(want, "trough"));
	snprintf(label, sizeof(label), "%s.end", what);
	check_int(where, label, (long long)d->end, int_at(want, "end"));
	snprintf(label, sizeof(label), "%s.sessions", what);
	check_int(where, label, d->sessions, int_at(want, "sessions"));
	snprintf(label, sizeof(label), "%s.days", what);
	check_int(where, label, d->days, int_at(want, "days"));
	snprintf(label, sizeof(label), "%s.depth", what);
	check_num(where, label, d->depth, num_at(want, "depth"));
}

static void check_attr(const char *where, const char *what, const struct an_attr *rows, size_t n,
		       const json_t *want)
{
	char label[96];
	size_t i;

	check_int(where, what, (long long)n, (long long)json_array_size(want));
	for (i = 0; i < n && i < json_array_size(want); i++) {
		const json_t *w = json_array_get(want, i);

		snprintf(label, sizeof(label), "%s[%zu] \"%s\"", what, i, rows[i].name);
		if (strcmp(rows[i].name, json_string_value(json_object_get(w, "name")))) {
			print_error("%s: %s, reference \"%s\"\n", where, label,
				    json_string_value(json_object_get(w, "name")));
			failures++;
		}
		check_int(where, label, rows[i].pnl_cents, int_at(w, "pnl_cents"));
		check_int(where, label, rows[i].trades, int_at(w, "trades"));
		check_int(where, label, rows[i].wins, int_at(w, "wins"));
		check_int(where, label, rows[i].losses, int_at(w, "losses"));
		check_num(where, label, rows[i].win_rate, num_at(w, "win_rate"));
	}
}

/* The arrays of one input case, owned here. */
struct input {
	struct an_series s;
	struct an_trade *trades;
	size_t n_trades;
	struct an_options o;
	int *days;
	int64_t *value, *spy;
	double *rate;
};

static void input_load(struct input *in, const json_t *c)
{
	const json_t *dates = json_object_get(c, "dates"), *v = json_object_get(c, "value");
	const json_t *rate = json_object_get(c, "rate"), *spy = json_object_get(c, "spy");
	const json_t *tr = json_object_get(c, "trades"), *o = json_object_get(c, "options");
	size_t n = json_array_size(dates), i;

	memset(in, 0, sizeof(*in));
	assert_int_equal(json_array_size(v), n);
	in->days = xcalloc(n + 1, sizeof(*in->days));
	in->value = xcalloc(n + 1, sizeof(*in->value));
	for (i = 0; i < n; i++) {
		in->days[i] = day_of(json_array_get(dates, i));
		in->value[i] = json_integer_value(json_array_get(v, i));
	}
	if (json_is_array(rate)) {
		in->rate = xcalloc(n + 1, sizeof(*in->rate));
		for (i = 0; i < n; i++)
			in->rate[i] = num(json_array_get(rate, i));
	}
	if (json_is_array(spy)) {
		in->spy = xcalloc(n + 1, sizeof(*in->spy));
		for (i = 0; i < n; i++)
			in->spy[i] = json_integer_value(json_array_get(spy, i));
	}
	in->n_trades = json_array_size(tr);
	in->trades = xcalloc(in->n_trades + 1, sizeof(*in->trades));
	for (i = 0; i < in->n_trades; i++) {
		const json_t *t = json_array_get(tr, i);

		in->trades[i].ticker = json_string_value(json_object_get(t, "ticker"));
		in->trades[i].strategy = json_string_value(json_object_get(t, "strategy"));
		in->trades[i].opened = day_of(json_object_get(t, "opened"));
		in->trades[i].closed = day_of(json_object_get(t, "closed"));
		in->trades[i].pnl_cents = json_integer_value(json_object_get(t, "pnl"));
	}
	in->o.window = (size_t)int_at(o, "window");
	in->o.confidence = num_at(o, "confidence");
	in->o.boot_reps = (int)int_at(o, "boot_reps");
	in->o.boot_block = num_at(o, "boot_block");
	in->o.seed = (uint64_t)int_at(o, "seed");
	in->s = (struct an_series){in->days, in->value, in->rate, in->spy, n};
}

static void input_release(struct input *in)
{
	free(in->days);
	free(in->value);
	free(in->rate);
	free(in->spy);
	free(in->trades);
}

static void test_reference_cases(void **state)
{
	json_t *input = load("metrics_input.json"), *ref = load("metrics_ref.json");
	const json_t *cases = json_object_get(input, "cases"),
		     *want = json_object_get(ref, "cases");
	size_t k, i;

	(void)state;
	failures = 0;
	assert_true(json_array_size(cases) >= 10);
	assert_int_equal(json_array_size(cases), json_array_size(want));
	for (k = 0; k < json_array_size(cases); k++) {
		const json_t *w = json_array_get(want, k), *ws = json_object_get(w, "scalars");
		json_t *wi = json_object_get(w, "ints");
		const char *name =
			json_string_value(json_object_get(json_array_get(cases, k), "name"));
		struct input in;
		struct analytics a;
		char err[PT_ERRSZ] = "";
		void *it;

		assert_string_equal(name, json_string_value(json_object_get(w, "name")));
		input_load(&in, json_array_get(cases, k));
		assert_int_equal(an_compute(&in.s, in.trades, in.n_trades, &in.o, &a, err), 0);

		/* Every reference figure is checked, and every figure has a reference. */
		assert_int_equal(json_object_size(ws), PT_ARRAY_SIZE(scalars));
		for (i = 0; i < PT_ARRAY_SIZE(scalars); i++) {
			double got;

			memcpy(&got, (const unsigned char *)&a + scalars[i].off, sizeof(got));
			check_num(name, scalars[i].name, got, num_at(ws, scalars[i].name));
		}
		assert_int_equal(json_object_size(wi), 16);
		for (it = json_object_iter(wi); it; it = json_object_iter_next(wi, it)) {
			const char *key = json_object_iter_key(it);

			check_int(name, key, int_figure(&a, key),
				  json_integer_value(json_object_iter_value(it)));
		}

		check_dd(name, "max_dd", &a.max_dd, json_object_get(w, "max_dd"));
		check_dd(name, "longest_dd", &a.longest_dd, json_object_get(w, "longest_dd"));
		check_array(name, "drawdown", a.drawdown, a.n_sessions,
			    json_object_get(w, "drawdown"));
		check_array(name, "rolling_sharpe", a.rolling_sharpe, a.n_sessions,
			    json_object_get(w, "rolling_sharpe"));
		check_int(name, "first_year", a.first_year, int_at(w, "first_year"));
		check_array(name, "monthly", a.monthly, (size_t)a.n_years * 12,
			    json_object_get(w, "monthly"));
		check_array(name, "yearly", a.yearly, (size_t)a.n_years,
			    json_object_get(w, "yearly"));
		check_attr(name, "by_ticker", a.by_ticker, a.n_tickers,
			   json_object_get(w, "by_ticker"));
		check_attr(name, "by_strategy", a.by_strategy, a.n_strategies,
			   json_object_get(w, "by_strategy"));
		an_release(&a);
		input_release(&in);
	}
	json_decref(input);
	json_decref(ref);
	assert_int_equal(failures, 0);
}

static void test_reference_cscv(void **state)
{
	json_t *input = load("metrics_input.json"), *ref = load("metrics_ref.json");
	const json_t *c = json_object_get(input, "cscv"), *want = json_object_get(ref, "cscv");
	const json_t *rows = json_object_get(c, "matrix"), *cases = json_object_get(c, "cases");
	size_t t = (size_t)int_at(c, "t"), n = (size_t)int_at(c, "n"), i, j, k;
	double *m = xcalloc(t * n, sizeof(*m));

	(void)state;
	failures = 0;
	assert_int_equal(json_array_size(rows), t);
	for (i = 0; i < t; i++)
		for (j = 0; j < n; j++)
			m[i * n + j] = num(json_array_get(json_array_get(rows, i), j));
	assert_int_equal(json_array_size(cases), json_array_size(want));
	for (k = 0; k < json_array_size(cases); k++) {
		const json_t *w = json_array_get(want, k);
		const char *metric =
			json_string_value(json_object_get(json_array_get(cases, k), "metric"));
		int s = (int)int_at(json_array_get(cases, k), "s");
		struct an_cscv out;
		char where[64], err[PT_ERRSZ] = "";

		snprintf(where, sizeof(where), "cscv s=%d %s", s, metric);
		assert_int_equal(an_cscv(m, t, n, s,
					 strcmp(metric, "mean") ? AN_CSCV_SHARPE : AN_CSCV_MEAN,
					 &out, err),
				 0);
		check_int(where, "n_splits", (long long)out.n_splits, int_at(w, "n_splits"));
		check_int(where, "rows_used", (long long)out.rows_used, int_at(w, "rows_used"));
		check_num(where, "pbo", out.pbo, num_at(w, "pbo"));
		check_num(where, "p_loss", out.p_loss, num_at(w, "p_loss"));
		check_array(where, "logit", out.logit, out.n_splits, json_object_get(w, "logit"));
		check_array(where, "is_score", out.is_score, out.n_splits,
			    json_object_get(w, "is_score"));
		check_array(where, "oos_score", out.oos_score, out.n_splits,
			    json_object_get(w, "oos_score"));
		for (i = 0; i < out.n_splits && i < json_array_size(json_object_get(w, "chosen"));
		     i++)
			check_int(where, "chosen", (long long)out.chosen[i],
				  json_integer_value(
					  json_array_get(json_object_get(w, "chosen"), i)));
		an_cscv_release(&out);
	}
	free(m);
	json_decref(input);
	json_decref(ref);
	assert_int_equal(failures, 0);
}

static void test_reference_dsr(void **state)
{
	json_t *input = load("metrics_input.json"), *ref = load("metrics_ref.json");
	const json_t *cases = json_object_get(input, "dsr"), *want = json_object_get(ref, "dsr");
	size_t k, i;

	(void)state;
	failures = 0;
	assert_int_equal(json_array_size(cases), 3);
	assert_int_equal(json_array_size(want), 3);
	for (k = 0; k < json_array_size(cases); k++) {
		const json_t *c = json_array_get(cases, k), *w = json_array_get(want, k);
		const json_t *r = json_object_get(c, "returns"), *tr = json_object_get(c, "trials");
		const char *name = json_string_value(json_object_get(c, "name"));
		double *y = xcalloc(json_array_size(r), sizeof(*y));
		double *sr = xcalloc(json_array_size(tr), sizeof(*sr));
		struct an_dsr d;
		char err[PT_ERRSZ] = "";

		for (i = 0; i < json_array_size(r); i++)
			y[i] = num(json_array_get(r, i));
		for (i = 0; i < json_array_size(tr); i++)
			sr[i] = num(json_array_get(tr, i));
		assert_int_equal(an_deflated_sharpe(y, json_array_size(r), sr, json_array_size(tr),
						    num_at(c, "periods_per_year"), &d, err),
				 0);
		check_int(name, "n_obs", (long long)d.n_obs, int_at(w, "n_obs"));
		check_int(name, "n_trials", (long long)d.n_trials, int_at(w, "n_trials"));
		check_num(name, "sr", d.sr, num_at(w, "sr"));
		check_num(name, "sr_ann", d.sr_ann, num_at(w, "sr_ann"));
		check_num(name, "skew", d.skew, num_at(w, "skew"));
		check_num(name, "kurt", d.kurt, num_at(w, "kurt"));
		check_num(name, "var_trials", d.var_trials, num_at(w, "var_trials"));
		check_num(name, "sr0", d.sr0, num_at(w, "sr0"));
		check_num(name, "sr0_ann", d.sr0_ann, num_at(w, "sr0_ann"));
		check_num(name, "psr", d.psr, num_at(w, "psr"));
		check_num(name, "dsr", d.dsr, num_at(w, "dsr"));
		free(y);
		free(sr);
	}
	json_decref(input);
	json_decref(ref);
	assert_int_equal(failures, 0);
}

/* ---- boundaries, by hand ---- */

/* A uniform in [0, 1) for building test series (not the code under test's
 * own conversion). */
static double unif_test(uint64_t *st)
{
	return (double)(an_splitmix64(st) >> 11) / 9007199254740992.0;
}

/* n sessions on consecutive weekdays from Monday 2024-01-08. */
static void weekdays(int *days, size_t n)
{
	int d = date_from_ymd(2024, 1, 8);
	size_t i;

	for (i = 0; i < n; i++) {
		while (date_weekday(d) == 0 || date_weekday(d) == 6)
			d++;
		days[i] = d++;
	}
}

static void test_zero_pnl_trade(void **state)
{
	const struct an_trade tr[] = {
		{"SPY", "volarb", 100, 110, 10000},
		{"QQQ", "volarb", 100, 130, 0},
		{"SPY", "csp", 105, 112, -5000},
	};
	const struct an_series none = {0};
	struct analytics a;
	char err[PT_ERRSZ] = "";

	(void)state;
	assert_int_equal(an_compute(&none, tr, 3, NULL, &a, err), 0);
	assert_int_equal(a.n_trades, 3);
	assert_int_equal(a.n_wins, 1);
	assert_int_equal(a.n_losses, 1);
	assert_int_equal(a.n_zero, 1);
	/* A scratch trade is neither: it dilutes the win rate and expectancy
	 * but not the averages. */
	assert_near(a.win_rate, 1.0 / 3.0, 1e-15);
	assert_near(a.avg_win_cents, 10000, 0);
	assert_near(a.avg_loss_cents, -5000, 0);
	assert_near(a.expectancy_cents, 5000.0 / 3.0, 1e-12);
	assert_near(a.profit_factor, 2.0, 0);
	assert_near(a.avg_hold_days, (10 + 30 + 7) / 3.0, 1e-12);
	assert_int_equal(a.n_tickers, 2);
	assert_string_equal(a.by_ticker[0].name, "QQQ");
	assert_int_equal(a.by_ticker[0].trades, 1);
	assert_int_equal(a.by_ticker[0].wins, 0);
	assert_int_equal(a.by_ticker[0].losses, 0);
	assert_near(a.by_ticker[0].win_rate, 0.0, 0);
	assert_string_equal(a.by_ticker[1].name, "SPY");
	assert_int_equal(a.by_ticker[1].pnl_cents, 5000);
	assert_near(a.by_ticker[1].win_rate, 0.5, 0);
	assert_int_equal(a.n_strategies, 2);
	assert_string_equal(a.by_strategy[0].name, "csp");
	assert_string_equal(a.by_strategy[1].name, "volarb");
	assert_int_equal(a.by_strategy[1].pnl_cents, 10000);
	/* No series: its figures are NAN, never a crash. */
	assert_true(isnan(a.sharpe) && isnan(a.max_drawdown) && isnan(a.cagr));
	assert_null(a.drawdown);
	an_release(&a);
}

static void test_drawdown_exact_recovery(void **state)
{
	/* Down 10%, back to exactly the peak, down 5%, a new high; then the
	 * same with the first recovery one cent short. */
	int64_t v[] = {10000000, 9000000, 10000000, 9500000, 10100000};
	int days[5];
	struct an_series s = {days, v, NULL, NULL, 5};
	struct analytics a;
	char err[PT_ERRSZ] = "";

	(void)state;
	weekdays(days, 5); /* Mon 8 .. Fri 12 January */
	assert_int_equal(an_compute(&s, NULL, 0, NULL, &a, err), 0);
	assert_near(a.max_drawdown, -0.1, 1e-15);
	assert_true(a.max_dd.valid && a.max_dd.recovered);
	assert_int_equal(a.max_dd.peak, 0);
	assert_int_equal(a.max_dd.trough, 1);
	assert_int_equal(a.max_dd.end, 2);
	assert_int_equal(a.max_dd.sessions, 2);
	assert_int_equal(a.max_dd.days, 2);
	/* Two periods of 2 sessions: the longest is the first of equals. */
	assert_int_equal(a.longest_dd.peak, 0);
	assert_int_equal(a.longest_dd.sessions, 2);
	/* Back at the peak the drawdown is exactly 0, and the next peak is
	 * that session, not the first. */
	assert_true(a.drawdown[2] == 0.0);
	assert_near(a.drawdown[3], -0.05, 1e-15);
	an_release(&a);

	v[2] = 9999999;
	assert_int_equal(an_compute(&s, NULL, 0, NULL, &a, err), 0);
	assert_true(a.max_dd.valid && a.max_dd.recovered);
	assert_int_equal(a.max_dd.peak, 0);
	assert_int_equal(a.max_dd.end, 4); /* one cent short is still under water */
	assert_int_equal(a.max_dd.sessions, 4);
	assert_int_equal(a.longest_dd.sessions, 4);
	assert_true(a.drawdown[2] < 0);
	an_release(&a);

	/* A series ending under water: the period runs to the last session. */
	v[4] = 9900000;
	assert_int_equal(an_compute(&s, NULL, 0, NULL, &a, err), 0);
	assert_false(a.max_dd.recovered);
	assert_int_equal(a.max_dd.end, 4);
	assert_int_equal(a.max_dd.days, 4);
	an_release(&a);
}

static void test_window_is_the_series(void **state)
{
	enum { N = 40 };
	int64_t v[N];
	int days[N];
	struct an_series s = {days, v, NULL, NULL, N};
	struct an_options o = {0};
	struct analytics a;
	char err[PT_ERRSZ] = "";
	size_t i;

	(void)state;
	weekdays(days, N);
	for (i = 0; i < N; i++)
		v[i] = 1000000 + (int64_t)((i * 7919) % 37) * 1000 + (int64_t)i * 500;
	o.window = N - 1; /* every return */
	assert_int_equal(an_compute(&s, NULL, 0, &o, &a, err), 0);
	assert_true(isfinite(a.sharpe));
	for (i = 0; i < N - 1; i++)
		assert_true(isnan(a.rolling_sharpe[i]));
	assert_true(a.rolling_sharpe[N - 1] == a.sharpe);
	an_release(&a);

	o.window = N; /* one more than there are */
	assert_int_equal(an_compute(&s, NULL, 0, &o, &a, err), 0);
	for (i = 0; i < N; i++)
		assert_true(isnan(a.rolling_sharpe[i]));
	an_release(&a);

	o.window = 2; /* the smallest */
	assert_int_equal(an_compute(&s, NULL, 0, &o, &a, err), 0);
	assert_true(isnan(a.rolling_sharpe[1]));
	assert_true(isfinite(a.rolling_sharpe[2]));
	an_release(&a);

	o.window = 1;
	assert_int_equal(an_compute(&s, NULL, 0, &o, &a, err), PT_EINVAL);
	assert_non_null(strstr(err, "window"));
	an_release(&a);
}

static void test_cscv_two_blocks(void **state)
{
	/* Rows are periods, columns trials. Trial 0 wins the first half and
	 * loses the second; trial 1 is steady in between: whichever half
	 * trains, the chosen trial is the worst of the other (rank 1 of 2,
	 * w = 1/3): overfit both times. */
	const double flip[] = {0.01, 0.00, 0.03, 0.01, -0.02, 0.00, -0.04, 0.01};
	/* Trial 0 beats trial 1 in both halves: rank 2 of 2, never overfit. */
	const double steady[] = {0.02, 0.01, 0.03, 0.00, 0.025, 0.01, 0.035, 0.00};
	/* Trials 0 and 1 identical: the lowest column is chosen, and the two
	 * share rank 2.5 of 3 out of sample (w = 5/8). */
	const double twins[] = {0.02, 0.02, 0.00, 0.03, 0.03, 0.01,
				0.01, 0.01, 0.00, 0.02, 0.02, 0.01};
	struct an_cscv out;
	char err[PT_ERRSZ] = "";

	(void)state;
	assert_int_equal(an_cscv(flip, 4, 2, 2, AN_CSCV_MEAN, &out, err), 0);
	assert_int_equal(out.n_splits, 2);
	assert_int_equal(out.rows_used, 4);
	assert_near(out.pbo, 1.0, 0);
	assert_near(out.logit[0], log(0.5), 1e-15);
	assert_near(out.logit[1], log(0.5), 1e-15);
	assert_int_equal(out.chosen[0], 0); /* trained on rows 0-1 */
	assert_int_equal(out.chosen[1], 1); /* trained on rows 2-3 */
	assert_near(out.is_score[0], 0.02, 1e-15);
	assert_near(out.oos_score[0], -0.03, 1e-15);
	assert_near(out.p_loss, 0.5, 0);
	an_cscv_release(&out);

	assert_int_equal(an_cscv(steady, 4, 2, 2, AN_CSCV_SHARPE, &out, err), 0);
	assert_near(out.pbo, 0.0, 0);
	assert_near(out.logit[0], log(2.0), 1e-15);
	assert_int_equal(out.chosen[0], 0);
	assert_true(isfinite(out.oos_score[0]) && isfinite(out.oos_score[1]));
	an_cscv_release(&out);

	assert_int_equal(an_cscv(twins, 4, 3, 2, AN_CSCV_MEAN, &out, err), 0);
	assert_int_equal(out.chosen[0], 0);
	assert_near(out.logit[0], log((2.5 / 4) / (1 - 2.5 / 4)), 1e-15);
	an_cscv_release(&out);

	/* What CSCV refuses. */
	assert_int_equal(an_cscv(flip, 4, 2, 3, AN_CSCV_MEAN, &out, err), PT_EINVAL);
	an_cscv_release(&out);
	assert_int_equal(an_cscv(flip, 4, 2, 0, AN_CSCV_MEAN, &out, err), PT_EINVAL);
	an_cscv_release(&out);
	assert_int_equal(an_cscv(flip, 4, 2, AN_CSCV_MAX_S + 2, AN_CSCV_MEAN, &out, err),
			 PT_EINVAL);
	an_cscv_release(&out);
	assert_int_equal(an_cscv(flip, 3, 2, 2, AN_CSCV_MEAN, &out, err), PT_EINVAL);
	assert_non_null(strstr(err, "training"));
	an_cscv_release(&out);
	assert_int_equal(an_cscv(flip, 8, 1, 2, AN_CSCV_MEAN, &out, err), PT_EINVAL);
	an_cscv_release(&out);
	assert_int_equal(an_cscv(NULL, 4, 2, 2, AN_CSCV_MEAN, &out, err), PT_EINVAL);
	assert_true(isnan(out.pbo));
	an_cscv_release(&out);
}

static void test_cscv_odd_rows(void **state)
{
	/* Five rows, two blocks of two: row 0 is left out, so a huge value in
	 * it changes nothing. */
	double m[] = {1e6, -1e6, 0.01, 0.00, 0.03, 0.01, -0.02, 0.00, -0.04, 0.01};
	struct an_cscv out;
	char err[PT_ERRSZ] = "";

	(void)state;
	assert_int_equal(an_cscv(m, 5, 2, 2, AN_CSCV_MEAN, &out, err), 0);
	assert_int_equal(out.rows_used, 4);
	assert_near(out.pbo, 1.0, 0);
	assert_near(out.is_score[0], 0.02, 1e-15);
	an_cscv_release(&out);
}

static void test_dsr_paper_example(void **state)
{
	/* Bailey and López de Prado (2014), the numeric example: N = 100
	 * trials, V[SR] = 1/2 annualised, the best annualised SR 2.5 over
	 * T = 1250 daily returns (250 a year), skewness -3, kurtosis 10. The
	 * paper prints E[max SR] = 0.1132 per period and DSR = 0.9004. */
	double sr0 = an_expected_max_sharpe(100, 0.5 / 250);
	double sr = 2.5 / sqrt(250.0);

	(void)state;
	assert_near(sr0, 0.1132, 5e-5);
	assert_near(an_psr(sr, sr0, 1250, -3, 10), 0.9004, 5e-5);
	/* One trial selects nothing; no trials or a negative variance mean nothing. */
	assert_near(an_expected_max_sharpe(1, 0.3), 0.0, 0);
	assert_true(isnan(an_expected_max_sharpe(0, 0.3)));
	assert_true(isnan(an_expected_max_sharpe(10, -1)));
	/* PSR: at the benchmark it is 1/2; below 2 returns, or a skew and
	 * kurtosis that make the variance negative, it is NAN. */
	assert_near(an_psr(0.1, 0.1, 100, 0, 3), 0.5, 0);
	assert_true(isnan(an_psr(0.1, 0, 1, 0, 3)));
	assert_true(isnan(an_psr(1.0, 0, 100, 10, 3)));
}

static void test_dsr_input(void **state)
{
	const double y[] = {0.01, -0.02, 0.015, 0.003, -0.001, 0.02};
	const double trials[] = {1.0, 0.5, NAN};
	struct an_dsr d;
	char err[PT_ERRSZ] = "";

	(void)state;
	assert_int_equal(an_deflated_sharpe(y, 6, trials, 3, 252, &d, err), PT_EINVAL);
	assert_non_null(strstr(err, "trial 2"));
	assert_int_equal(an_deflated_sharpe(y, 6, NULL, 0, 252, &d, err), PT_EINVAL);
	assert_int_equal(an_deflated_sharpe(y, 6, trials, 2, 0, &d, err), PT_EINVAL);
	/* Too few returns: the trials' figures still, the strategy's NAN. */
	assert_int_equal(an_deflated_sharpe(y, 1, trials, 2, 252, &d, err), 0);
	assert_near(d.var_trials, 0.125 / 252, 1e-15);
	assert_true(isfinite(d.sr0));
	assert_true(isnan(d.sr) && isnan(d.dsr) && isnan(d.psr));
}

static void test_normal_distribution(void **state)
{
	/* scipy.stats.norm.ppf, to a few ulps. */
	static const struct {
		double p, x;
	} ref[] = {
		{0.975, 1.959963984540054},  {1e-10, -6.361340902404056},
		{0.3, -0.5244005127080409},  {0.02425, -1.972961051311885},
		{0.9, 1.2815515655446004},   {0.999999999999, 7.0344869100478356},
		{1e-300, -37.0470962993612},
	};
	size_t i;

	(void)state;
	for (i = 0; i < PT_ARRAY_SIZE(ref); i++)
		assert_near(an_norm_ppf(ref[i].p), ref[i].x, 1e-14 * fabs(ref[i].x));
	assert_true(an_norm_ppf(0.5) == 0.0);
	for (i = 1; i < 100; i++) {
		double p = (double)i / 100.0;

		assert_near(an_norm_cdf(an_norm_ppf(p)), p, 1e-15);
		assert_near(an_norm_ppf(1.0 - p), -an_norm_ppf(p), 1e-14);
	}
	assert_true(isnan(an_norm_ppf(0)) && isnan(an_norm_ppf(1)) && isnan(an_norm_ppf(NAN)));
	assert_near(an_norm_cdf(0), 0.5, 0);
}

static void test_splitmix64(void **state)
{
	/* The published first outputs of SplitMix64 from seed 0. */
	uint64_t st = 0;

	(void)state;
	assert_true(an_splitmix64(&st) == 0xE220A8397B1DCDAFULL);
	assert_true(an_splitmix64(&st) == 0x6E789E6AA1B965F4ULL);
	assert_true(an_splitmix64(&st) == 0x06C45D188009454FULL);
}

static void test_bootstrap_seed(void **state)
{
	enum { N = 120 };
	int64_t v[N], b[N];
	int days[N];
	struct an_series s = {days, v, NULL, b, N};
	struct an_options o = {.boot_reps = 200, .seed = 11};
	struct analytics a1, a2, a3;
	char err[PT_ERRSZ] = "";
	uint64_t st = 5;
	size_t i;

	(void)state;
	weekdays(days, N);
	v[0] = b[0] = 10000000;
	for (i = 1; i < N; i++) {
		double e1 = unif_test(&st), e2 = unif_test(&st);

		b[i] = b[i - 1] + (int64_t)((e1 - 0.5) * 200000);
		v[i] = v[i - 1] + (int64_t)((e1 - 0.5) * 100000 + (e2 - 0.5) * 80000);
	}
	assert_int_equal(an_compute(&s, NULL, 0, &o, &a1, err), 0);
	assert_int_equal(an_compute(&s, NULL, 0, &o, &a2, err), 0);
	o.seed = 12;
	assert_int_equal(an_compute(&s, NULL, 0, &o, &a3, err), 0);
	/* The same seed, the same interval to the bit; another seed, another. */
	assert_int_equal(a1.boot_used, 200);
	assert_true(a1.alpha_lo == a2.alpha_lo && a1.alpha_hi == a2.alpha_hi);
	assert_true(a1.alpha_lo != a3.alpha_lo || a1.alpha_hi != a3.alpha_hi);
	assert_true(a1.alpha_lo < a1.alpha && a1.alpha < a1.alpha_hi);
	/* No bootstrap when asked for none. */
	o.boot_reps = -1;
	an_release(&a3);
	assert_int_equal(an_compute(&s, NULL, 0, &o, &a3, err), 0);
	assert_int_equal(a3.boot_reps, 0);
	assert_true(isnan(a3.alpha_lo) && isfinite(a3.alpha));
	an_release(&a1);
	an_release(&a2);
	an_release(&a3);
}

static void test_bad_input(void **state)
{
	int days[] = {19000, 19001, 19001};
	int64_t v[] = {100, 101, 102};
	struct an_series s = {days, v, NULL, NULL, 3};
	struct an_options o = {0};
	struct an_trade tr = {"A_TICKER_NAME_OF_THIRTY_TWO_BYTES", "x", 0, 0, 1};
	struct analytics a;
	char err[PT_ERRSZ] = "";

	(void)state;
	assert_int_equal(an_compute(&s, NULL, 0, NULL, &a, err), PT_EINVAL);
	assert_non_null(strstr(err, "session 2"));
	assert_true(isnan(a.sharpe));
	an_release(&a);

	days[2] = 19002;
	s.value_cents = NULL;
	assert_int_equal(an_compute(&s, NULL, 0, NULL, &a, err), PT_EINVAL);
	an_release(&a);
	s.value_cents = v;

	o.confidence = 1.5;
	assert_int_equal(an_compute(&s, NULL, 0, &o, &a, err), PT_EINVAL);
	assert_non_null(strstr(err, "confidence"));
	an_release(&a);
	o.confidence = 0;
	o.boot_block = 0.5;
	assert_int_equal(an_compute(&s, NULL, 0, &o, &a, err), PT_EINVAL);
	an_release(&a);
	o.boot_block = 0;

	assert_int_equal(an_compute(&s, &tr, 1, &o, &a, err), PT_EINVAL);
	assert_non_null(strstr(err, "trade 0"));
	an_release(&a);
	assert_int_equal(an_compute(&s, NULL, 1, &o, &a, err), PT_EINVAL);
	an_release(&a);

	assert_int_equal(an_compute(&s, NULL, 0, &o, &a, err), 0);
	an_release(&a);
	an_release(NULL);
	an_cscv_release(NULL);
}

/* ---- the daily report's portfolio ---- */

static void test_same_as_metrics(void **state)
{
	enum { N = 80 };
	struct portfolio pf;
	struct an_portfolio ap;
	struct metrics mt;
	struct analytics a;
	char err[PT_ERRSZ] = "";
	int days[N];
	uint64_t st = 99;
	int64_t value = 10000000, spy = 10000000, qqq = 10000000;
	struct position *p;
	size_t i;

	(void)state;
	weekdays(days, N);
	book_init(&pf, 10000000);
	pf.bench = xcalloc(2, sizeof(*pf.bench));
	pf.n_bench = 2;
	pt_strlcpy(pf.bench[0].ticker, "QQQ", sizeof(pf.bench[0].ticker));
	pt_strlcpy(pf.bench[1].ticker, "SPY", sizeof(pf.bench[1].ticker));
	for (i = 0; i < N; i++) {
		struct snapshot sn = {0};
		int64_t bench[2];
		double e1 = unif_test(&st), e2 = unif_test(&st);

		if (i) {
			spy += (int64_t)((e1 - 0.5) * 300000);
			qqq += (int64_t)((e2 - 0.5) * 300000);
			value += (int64_t)((e1 - 0.5) * 120000 + (e2 - 0.45) * 60000);
		}
		sn.session = days[i];
		sn.value_cents = value;
		sn.cash_cents = value;
		/* The rate the cash earned where known, else the risk-free rate,
		 * else nothing. */
		sn.cash_rate = i % 3 ? 0.04 + 0.0001 * (double)i : NAN;
		sn.rate = i % 5 ? 0.045 : NAN;
		bench[0] = qqq;
		bench[1] = spy;
		book_add_snapshot(&pf, &sn, bench);
	}
	p = book_open(&pf, days[1], "SPY", 'C', 500, days[20], -1, 2.5, 0.65);
	book_close(&pf, p, days[20], 0, "expired", 0);
	p = book_open(&pf, days[2], "QQQ", 'C', 400, days[21], -2, 1.5, 0.65);
	book_close(&pf, p, days[21], 3.0, "assigned", 0);
	p = book_open(&pf, days[3], "SPY", 'C', 510, days[22], -1, 1.0, 0);
	book_close(&pf, p, days[22], 1.0, "closed", 0); /* exactly 0 */
	p = book_open(&pf, days[4], "IWM", 'S', 0, 0, 10, 200, 0);
	book_close(&pf, p, days[4], 150, "import", 0);			   /* not a trade */
	book_open(&pf, days[5], "SPY", 'C', 520, days[30], -1, 1.0, 0.65); /* still open */

	metrics_compute(&pf, &mt);
	an_portfolio_init(&ap, &pf);
	assert_int_equal(ap.s.n, N);
	assert_int_equal(ap.n_trades, 3);
	assert_true(ap.s.bench_cents[N - 1] == spy);
	assert_int_equal(an_compute(&ap.s, ap.trades, ap.n_trades, NULL, &a, err), 0);
	/* Same convention, same arithmetic: the same figures. */
	assert_true(isfinite(mt.sharpe) && isfinite(mt.beta_vs_spy));
	assert_near(a.sharpe, mt.sharpe, 1e-12 * fabs(mt.sharpe));
	assert_near(a.sortino, mt.sortino, 1e-12 * fabs(mt.sortino));
	assert_near(a.beta, mt.beta_vs_spy, 1e-12 * fabs(mt.beta_vs_spy));
	assert_near(a.alpha, mt.alpha_vs_spy, 1e-12 * fabs(mt.alpha_vs_spy));
	assert_near(a.win_rate, mt.win_rate, 0);
	assert_int_equal(a.n_trades, mt.n_closed);
	assert_int_equal(a.n_zero, 1);
	an_release(&a);
	an_portfolio_release(&ap);
	book_release(&pf);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_reference_cases),
		cmocka_unit_test(test_reference_cscv),
		cmocka_unit_test(test_reference_dsr),
		cmocka_unit_test(test_zero_pnl_trade),
		cmocka_unit_test(test_drawdown_exact_recovery),
		cmocka_unit_test(test_window_is_the_series),
		cmocka_unit_test(test_cscv_two_blocks),
		cmocka_unit_test(test_cscv_odd_rows),
		cmocka_unit_test(test_dsr_paper_example),
		cmocka_unit_test(test_dsr_input),
		cmocka_unit_test(test_normal_distribution),
		cmocka_unit_test(test_splitmix64),
		cmocka_unit_test(test_bootstrap_seed),
		cmocka_unit_test(test_bad_input),
		cmocka_unit_test(test_same_as_metrics),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
