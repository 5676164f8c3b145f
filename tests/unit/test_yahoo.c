/*
 * test_yahoo.c - unit tests of the Yahoo Finance provider (src/market/yahoo.c;
 * DESIGN.md §6 "yahoo", the "market view for D" box of §1): the chart and
 * options parsers on every recorded fixture and on hostile input, Yahoo's
 * error envelopes, and the provider through tests/fixture_server.py on
 * 127.0.0.1 (the requests it makes, the expirations wanted, the
 * cookie-and-crumb handshake, per-ticker failures, the rate from ^IRX, and a
 * recorded tape replaying to the same view).
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <math.h>
#include <netinet/in.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "market/calendar.h"
#include "market/http.h"
#include "market/provider.h"
#include "market/view.h"
#include "market/yahoo.h"
#include "util/date.h"
#include "util/util.h"

#define CRUMB "haT3oykhHqZ"
#define ASOF 1761768000LL /* 2025-10-29 16:00 New York */
#define INVALID_CRUMB "yahoo/quoted-from-issues/yahoo-options-401-invalid-crumb-2024-01-31.quoted.json"

/* cmocka 1.1 has no assert_double_equal: within eps, with the values shown. */
#define assert_double_equal(a, b, eps) near_at((a), (b), (eps), #a, __LINE__)

static void near_at(double got, double want, double eps, const char *what, int line)
{
	if (!(fabs(got - want) <= eps))
		fail_msg("line %d: %s = %.17g, want %.17g", line, what, got, want);
}

static int day(int y, int m, int d)
{
	return date_from_ymd(y, m, d);
}

/* ---- files ------------------------------------------------------------- */

static const char *fixtures_dir(void)
{
	const char *d = getenv("PT_FIXTURES");

	return d && *d ? d : "tests/fixtures";
}

/* Reads a whole file; NULL when it cannot. Caller frees. */
static char *slurp_path(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	struct sbuf sb;
	char buf[65536];
	size_t n;

	if (!f)
		return NULL;
	sb_init(&sb, (size_t)64 << 20);
	while ((n = fread(buf, 1, sizeof(buf), f)) > 0)
		assert_int_equal(sb_add(&sb, buf, n), 0);
	fclose(f);
	*len = sb.len;
	if (!sb.buf)
		return xstrdup("");
	return sb.buf;
}

/* A fixture's bytes (name relative to the fixtures folder). Caller frees. */
static char *fixture(const char *name, size_t *len)
{
	char path[PATH_MAX];
	char *b;

	snprintf(path, sizeof(path), "%s/%s", fixtures_dir(), name);
	b = slurp_path(path, len);
	if (!b)
		fail_msg("cannot read fixture %s (set PT_FIXTURES)", path);
	return b;
}

/* ---- parsers on the recorded files ------------------------------------- */

static void chart_file(const char *name, int session, struct ticker_view *t)
{
	char err[PT_ERRSZ] = "";
	size_t len;
	char *b = fixture(name, &len);
	int rc;

	memset(t, 0, sizeof(*t));
	rc = yahoo_parse_chart(b, len, session, t, err);
	free(b);
	if (rc)
		fail_msg("%s: %d %s", name, rc, err);
}

static void tv_free(struct ticker_view *t)
{
	free(t->bars);
	free(t->divs);
	free(t->opts);
	memset(t, 0, sizeof(*t));
}

static void check_bars_sane(const struct ticker_view *t, int session)
{
	size_t i;

	for (i = 0; i < t->n_bars; i++) {
		const struct bar *b = &t->bars[i];
		assert_true(b->date < session);
		assert_true(i == 0 || b->date > t->bars[i - 1].date);
		assert_true(isfinite(b->open) && b->open > 0);
		assert_true(isfinite(b->high) && b->high > 0);
		assert_true(isfinite(b->low) && b->low > 0);
		assert_true(isfinite(b->close) && b->close > 0);
		assert_true(b->volume >= 0);
	}
	for (i = 0; i < t->n_divs; i++) {
		assert_true(t->divs[i].ex_date <= session);
		assert_true(i == 0 || t->divs[i].ex_date > t->divs[i - 1].ex_date);
		assert_true(t->divs[i].amount > 0 && isfinite(t->divs[i].amount));
	}
}

static void test_chart_aapl(void **state)
{
	const char *f = "yahoo/yahoo-AAPL-chart-1d-6mo-divs-2025-10-29.json";
	struct ticker_view t;

	(void)state;
	/* the day after the recording: every bar, the live one of 10-29 too */
	chart_file(f, day(2025, 10, 30), &t);
	assert_int_equal(t.n_bars, 127);
	assert_int_equal(t.dropped, 0);
	assert_int_equal(t.bars[0].date, day(2025, 4, 30));
	assert_double_equal(t.bars[0].open, 209.3000030517578, 1e-12);
	assert_double_equal(t.bars[0].high, 213.5800018310547, 1e-12);
	assert_double_equal(t.bars[0].low, 206.6699981689453, 1e-12);
	assert_double_equal(t.bars[0].close, 212.5, 1e-12);
	assert_int_equal(t.bars[0].volume, 52286500);
	assert_int_equal(t.bars[126].date, day(2025, 10, 29));
	assert_double_equal(t.bars[126].close, 269.70001220703125, 1e-12);
	assert_int_equal(t.bars[126].volume, 43332154);
	assert_int_equal(t.n_divs, 2);
	assert_int_equal(t.divs[0].ex_date, day(2025, 5, 12));
	assert_int_equal(t.divs[1].ex_date, day(2025, 8, 11));
	assert_double_equal(t.divs[0].amount, 0.26, 1e-15);
	assert_double_equal(t.divs[1].amount, 0.26, 1e-15);
	check_bars_sane(&t, day(2025, 10, 30));
	tv_free(&t);

	/* on the session itself the day's (live) bar is not history yet */
	chart_file(f, day(2025, 10, 29), &t);
	assert_int_equal(t.n_bars, 126);
	assert_int_equal(t.bars[125].date, day(2025, 10, 28));
	assert_int_equal(t.n_divs, 2);
	assert_int_equal(t.dropped, 0);
	tv_free(&t);

	/* an ex-date on the session counts; a later one does not exist yet */
	chart_file(f, day(2025, 5, 12), &t);
	assert_int_equal(t.n_divs, 1);
	assert_int_equal(t.divs[0].ex_date, day(2025, 5, 12));
	assert_int_equal(t.bars[t.n_bars - 1].date, day(2025, 5, 9));
	assert_int_equal(t.n_bars, 8);
	check_bars_sane(&t, day(2025, 5, 12));
	tv_free(&t);
	chart_file(f, day(2025, 5, 11), &t);
	assert_int_equal(t.n_divs, 0);
	tv_free(&t);
	chart_file(f, day(2025, 1, 2), &t);
	assert_int_equal(t.n_bars, 0);
	assert_int_equal(t.n_divs, 0);
	tv_free(&t);
}

static void test_chart_qqq(void **state)
{
	struct ticker_view t;

	(void)state;
	chart_file("yahoo/yahoo-QQQ-chart-1d-2020-01-01_2021-01-04-divs-2021-11-13.json",
		   day(2021, 1, 4), &t);
	assert_int_equal(t.n_bars, 253);
	assert_int_equal(t.dropped, 0);
	assert_int_equal(t.bars[0].date, day(2020, 1, 2));
	assert_int_equal(t.bars[252].date, day(2020, 12, 31));
	assert_double_equal(t.bars[0].close, 216.16000366210938, 1e-12);
	assert_double_equal(t.bars[252].close, 313.739990234375, 1e-12);
	assert_int_equal(t.n_divs, 3);
	assert_int_equal(t.divs[0].ex_date, day(2020, 3, 23));
	assert_int_equal(t.divs[1].ex_date, day(2020, 6, 22));
	assert_int_equal(t.divs[2].ex_date, day(2020, 12, 21));
	assert_double_equal(t.divs[0].amount, 0.363, 1e-15);
	assert_double_equal(t.divs[1].amount, 0.424, 1e-15);
	assert_double_equal(t.divs[2].amount, 0.561, 1e-15);
	check_bars_sane(&t, day(2021, 1, 4));
	tv_free(&t);

	/* one bar, no "events" key at all */
	chart_file("yahoo/yahoo-QQQ-chart-1d-2020-01-01_2020-01-03-2025-02-20.json",
		   day(2020, 1, 3), &t);
	assert_int_equal(t.n_bars, 1);
	assert_int_equal(t.bars[0].date, day(2020, 1, 2));
	assert_double_equal(t.bars[0].open, 214.39999389648438, 1e-12);
	assert_int_equal(t.bars[0].volume, 30969400);
	assert_int_equal(t.n_divs, 0);
	assert_null(t.divs);
	assert_int_equal(t.dropped, 0);
	tv_free(&t);
}

/* The error of a body for both parsers and yahoo_error_text. */
static void expect_chart_error(const char *name, const char *text)
{
	char err[PT_ERRSZ] = "", msg[PT_ERRSZ];
	struct ticker_view t;
	size_t len;
	char *b = fixture(name, &len);

	memset(&t, 0, sizeof(t));
	assert_int_equal(yahoo_parse_chart(b, len, day(2025, 1, 2), &t, err), PT_EDATA);
	assert_string_equal(err, text);
	assert_int_equal(t.n_bars, 0);
	assert_null(t.bars);
	assert_int_equal(yahoo_error_text(b, len, msg, sizeof(msg)), 0);
	assert_string_equal(msg, text);
	free(b);
}

static void test_chart_errors(void **state)
{
	(void)state;
	expect_chart_error("yahoo/yahoo-MDLY-chart-404-not-found-2021-11-13.json",
			   "No data found, symbol may be delisted");
	expect_chart_error("yahoo/yahoo-BEKE-chart-400-no-data-for-range-2021-11-21.json",
			   "Data doesn't exist for startDate = 1577836800, endDate = 1578009600");
	/* the finance envelope where a chart was expected */
	expect_chart_error("yahoo/yahoo-search-400-finance-error-2022-06-30.json",
			   "Missing required query parameter=q");
	expect_chart_error(INVALID_CRUMB, "Invalid Crumb");
}

static void test_error_text(void **state)
{
	static const struct {
		const char *file, *text;
	} cases[] = {
		{INVALID_CRUMB, "Invalid Crumb"},
		{"yahoo/quoted-from-issues/yahoo-options-401-invalid-crumb-feedback-2024-02-09.quoted.json",
		 "Invalid Crumb. For Developers - https://bit.ly/yahoo-finance-api-feedback"},
		{"yahoo/yahoo-MDLY-chart-404-not-found-2021-11-13.json",
		 "No data found, symbol may be delisted"},
		{"yahoo/yahoo-search-400-finance-error-2022-06-30.json",
		 "Missing required query parameter=q"},
	};
	static const char *const none[] = {
		"yahoo/yahoo-AAPL-options-2025-10-29.json",
		"yahoo/yahoo-AAPL-chart-1d-6mo-divs-2025-10-29.json",
		"yahoo/yahoo-getcrumb-200-2025-02-16.txt",
		"yahoo/yahoo-GS2C-quote-v7-unknown-symbol-empty-2025-09-17.json",
	};
	char msg[PT_ERRSZ], small[8];
	size_t i, len;

	(void)state;
	for (i = 0; i < PT_ARRAY_SIZE(cases); i++) {
		char *b = fixture(cases[i].file, &len);
		assert_int_equal(yahoo_error_text(b, len, msg, sizeof(msg)), 0);
		assert_string_equal(msg, cases[i].text);
		free(b);
	}
	for (i = 0; i < PT_ARRAY_SIZE(none); i++) {
		char *b = fixture(none[i], &len);
		assert_int_equal(yahoo_error_text(b, len, msg, sizeof(msg)), -1);
		assert_string_equal(msg, "");
		free(b);
	}
	assert_int_equal(yahoo_error_text("<html>Will be right back</html>", 31, msg, sizeof(msg)),
			 -1);
	assert_int_equal(yahoo_error_text("", 0, msg, sizeof(msg)), -1);
	assert_int_equal(yahoo_error_text(NULL, 0, msg, sizeof(msg)), -1);
	/* the code when there is no description; cut to the buffer; one line */
	assert_int_equal(yahoo_error_text("{\"finance\":{\"error\":{\"code\":\"Unauthorized\"}}}", 45,
					  msg, sizeof(msg)),
			 0);
	assert_string_equal(msg, "Unauthorized");
	assert_int_equal(yahoo_error_text("{\"chart\":{\"error\":{\"description\":\"a\\nb long text\"}}}",
					  52, small, sizeof(small)),
			 0);
	assert_string_equal(small, "a b lon");
	assert_int_equal(yahoo_error_text("{\"chart\":{\"error\":null}}", 24, msg, sizeof(msg)), -1);
}

static void options_file(const char *name, struct yahoo_chain *c)
{
	char err[PT_ERRSZ] = "";
	size_t len;
	char *b = fixture(name, &len);
	int rc;

	rc = yahoo_parse_options(b, len, c, err);
	free(b);
	if (rc)
		fail_msg("%s: %d %s", name, rc, err);
}

static size_t count_right(const struct yahoo_chain *c, char right)
{
	size_t i, n = 0;

	for (i = 0; i < c->n_opts; i++)
		n += c->opts[i].right == right;
	return n;
}

static const struct option_quote *find(const struct yahoo_chain *c, double strike, char right)
{
	size_t i;

	for (i = 0; i < c->n_opts; i++)
		if (c->opts[i].right == right && fabs(c->opts[i].strike - strike) < 1e-9)
			return &c->opts[i];
	return NULL;
}

static void check_chain_sane(const struct yahoo_chain *c)
{
	size_t i;

	for (i = 0; i < c->n_exp; i++) {
		assert_int_equal(c->expirations[i], (int)(c->expiration_epochs[i] / 86400));
		assert_true(i == 0 || c->expirations[i] > c->expirations[i - 1]);
	}
	for (i = 0; i < c->n_opts; i++) {
		const struct option_quote *o = &c->opts[i];
		assert_true(o->right == 'C' || o->right == 'P');
		assert_true(isfinite(o->strike) && o->strike > 0);
		assert_true(isfinite(o->bid) && o->bid >= 0);
		assert_true(isfinite(o->ask) && o->ask >= 0);
		assert_true(isnan(o->last) || o->last >= 0);
		assert_true(o->volume >= -1 && o->open_interest >= -1);
		assert_true(isnan(o->vendor_iv) || o->vendor_iv > 1e-4);
	}
}

static void test_options_aapl(void **state)
{
	struct yahoo_chain c;
	const struct option_quote *o;
	size_t i, novol = 0, noiv = 0;

	(void)state;
	options_file("yahoo/yahoo-AAPL-options-2025-10-29.json", &c);
	assert_int_equal(c.n_exp, 20);
	assert_int_equal(c.expirations[0], day(2025, 10, 31));
	assert_int_equal(c.expiration_epochs[0], 1761868800);
	assert_int_equal(c.expirations[1], day(2025, 11, 7));
	assert_int_equal(c.expirations[19], day(2028, 1, 21));
	assert_double_equal(c.spot, 269.7, 1e-12);
	assert_int_equal(c.quote_time, 1761768001);
	assert_int_equal(count_right(&c, 'C'), 56);
	assert_int_equal(count_right(&c, 'P'), 56);
	assert_int_equal(c.n_opts, 112);
	assert_int_equal(c.dropped, 0);	/* nothing malformed in this file */
	for (i = 0; i < c.n_opts; i++) {
		assert_int_equal(c.opts[i].expiry, day(2025, 10, 31));
		novol += c.opts[i].volume == -1;
		noiv += isnan(c.opts[i].vendor_iv);
		assert_true(c.opts[i].open_interest >= 0);
	}
	assert_int_equal(novol, 6);	/* 2 calls and 4 puts carry no volume key */
	assert_int_equal(noiv, 0);
	o = find(&c, 270.0, 'C');
	assert_non_null(o);
	assert_double_equal(o->bid, 4.8, 1e-12);
	assert_double_equal(o->ask, 5.0, 1e-12);
	assert_double_equal(o->last, 4.8, 1e-12);
	assert_int_equal(o->volume, 26764);
	assert_int_equal(o->open_interest, 22123);
	assert_double_equal(o->vendor_iv, 0.6335485864257813, 1e-15);
	o = find(&c, 325.0, 'P');
	assert_non_null(o);
	assert_int_equal(o->volume, -1);
	assert_int_equal(o->open_interest, 0);
	assert_double_equal(o->bid, 54.25, 1e-12);
	check_chain_sane(&c);
	yahoo_chain_release(&c);

	/* the same expiration asked for by date */
	options_file("yahoo/yahoo-AAPL-options-date-1761868800-2025-10-29.json", &c);
	assert_int_equal(c.n_exp, 20);
	assert_int_equal(c.n_opts, 112);
	assert_int_equal(c.dropped, 0);
	check_chain_sane(&c);
	yahoo_chain_release(&c);
	yahoo_chain_release(&c);	/* twice is harmless */
}

static void test_options_placeholders(void **state)
{
	struct yahoo_chain c;
	const struct option_quote *o;
	size_t i, noiv = 0;

	(void)state;
	options_file("yahoo/yahoo-AAPL-options-date-1758240000-2025-09-17.json", &c);
	assert_int_equal(c.n_exp, 21);
	assert_int_equal(count_right(&c, 'C'), 84);
	assert_int_equal(count_right(&c, 'P'), 80);
	assert_int_equal(c.dropped, 0);
	assert_double_equal(c.spot, 238.99, 1e-12);
	assert_int_equal(c.quote_time, 1758139201);
	for (i = 0; i < c.n_opts; i++) {
		assert_int_equal(c.opts[i].expiry, day(2025, 9, 19));
		noiv += isnan(c.opts[i].vendor_iv);
	}
	assert_int_equal(noiv, 2);
	/* the 1.0000000000000003E-5 placeholders */
	o = find(&c, 20.0, 'C');
	assert_non_null(o);
	assert_true(isnan(o->vendor_iv));
	assert_int_equal(o->volume, 10);
	o = find(&c, 350.0, 'P');
	assert_non_null(o);
	assert_true(isnan(o->vendor_iv));
	/* missing volume, missing openInterest */
	o = find(&c, 30.0, 'P');
	assert_non_null(o);
	assert_int_equal(o->volume, -1);
	assert_int_equal(o->open_interest, 11);
	assert_double_equal(o->vendor_iv, 6.7500015625000005, 1e-15);
	o = find(&c, 380.0, 'P');
	assert_int_equal(o->volume, -1);
	o = find(&c, 257.5, 'P');
	assert_non_null(o);
	assert_int_equal(o->volume, 5);
	assert_int_equal(o->open_interest, -1);
	check_chain_sane(&c);
	yahoo_chain_release(&c);
}

static void test_options_qqq(void **state)
{
	struct yahoo_chain c;
	const struct option_quote *o;

	(void)state;
	/* re-serialized by Node: integer strikes, 0.000010000000000000003 */
	options_file("yahoo/yahoo-QQQ-options-2025-02-24.json", &c);
	assert_int_equal(c.n_exp, 30);
	assert_int_equal(c.expirations[0], day(2025, 2, 24));
	assert_int_equal(count_right(&c, 'C'), 78);
	assert_int_equal(count_right(&c, 'P'), 102);
	assert_int_equal(c.dropped, 0);
	assert_double_equal(c.spot, 526.12, 1e-12);
	o = &c.opts[0];
	assert_int_equal(o->expiry, day(2025, 2, 24));
	check_chain_sane(&c);
	yahoo_chain_release(&c);

	options_file("yahoo/yahoo-QQQ-options-2022-02-24.json", &c);
	assert_int_equal(c.n_exp, 28);
	assert_int_equal(count_right(&c, 'C'), 146);
	assert_int_equal(count_right(&c, 'P'), 149);
	assert_int_equal(c.dropped, 0);
	assert_double_equal(c.spot, 329.42, 1e-12);
	assert_int_equal(c.opts[0].expiry, day(2022, 2, 25));
	check_chain_sane(&c);
	yahoo_chain_release(&c);
}

static void test_options_empty(void **state)
{
	struct yahoo_chain c;
	char err[PT_ERRSZ];

	(void)state;
	/* a symbol without listed options: a valid, empty chain */
	options_file("yahoo/yahoo-VXAPL-options-no-chain-2025-02-24.json", &c);
	assert_int_equal(c.n_exp, 0);
	assert_int_equal(c.n_opts, 0);
	assert_int_equal(c.dropped, 0);
	assert_double_equal(c.spot, 25.73, 1e-12);
	assert_int_equal(c.quote_time, 1740171722);
	yahoo_chain_release(&c);

	/* an unlisted ?date=: expirations and quote, no contracts */
	options_file("yahoo/yahoo-AAPL-options-date-1646092800-empty-2025-02-24.json", &c);
	assert_int_equal(c.n_exp, 20);
	assert_int_equal(c.n_opts, 0);
	assert_int_equal(c.dropped, 0);
	assert_double_equal(c.spot, 245.55, 1e-12);
	yahoo_chain_release(&c);

	/* no result at all */
	assert_int_equal(yahoo_parse_options("{\"optionChain\":{\"result\":[],\"error\":null}}", 42,
					     &c, err),
			 0);
	assert_int_equal(c.n_exp, 0);
	assert_int_equal(c.n_opts, 0);
	assert_true(isnan(c.spot));
	assert_int_equal(c.quote_time, 0);
	yahoo_chain_release(&c);
}

static void test_options_errors(void **state)
{
	static const char *const files[] = {
		INVALID_CRUMB,
		"yahoo/quoted-from-issues/yahoo-options-401-invalid-crumb-feedback-2024-02-09.quoted.json",
	};
	struct yahoo_chain c;
	char err[PT_ERRSZ];
	const char *b;
	size_t i, len;

	(void)state;
	for (i = 0; i < PT_ARRAY_SIZE(files); i++) {
		char *f = fixture(files[i], &len);
		assert_int_equal(yahoo_parse_options(f, len, &c, err), PT_EDATA);
		assert_non_null(strstr(err, "Invalid Crumb"));
		assert_int_equal(c.n_opts, 0);
		assert_null(c.opts);
		free(f);
	}
	b = "{\"optionChain\":{\"result\":null,\"error\":{\"code\":\"Not Found\","
	    "\"description\":\"No data found\"}}}";
	assert_int_equal(yahoo_parse_options(b, strlen(b), &c, err), PT_EDATA);
	assert_string_equal(err, "No data found");
	/* a chart body is not an options body */
	{
		char *f = fixture("yahoo/yahoo-AAPL-chart-1d-6mo-divs-2025-10-29.json", &len);
		assert_int_equal(yahoo_parse_options(f, len, &c, err), PT_EDATA);
		assert_string_equal(err, "not a Yahoo options response");
		free(f);
	}
}

/* ---- hostile input ------------------------------------------------------ */

struct case_opt {
	const char *body;
	int rc;
	size_t n_opts;
	int dropped;
};

static void test_options_hostile(void **state)
{
#define OC(x) "{\"optionChain\":{\"result\":[{\"expirationDates\":[1761868800],\"quote\":" \
	      "{\"regularMarketPrice\":100,\"regularMarketTime\":1761768001},\"options\":" \
	      "[{\"expirationDate\":1761868800," x "}]}],\"error\":null}}"
#define GOOD "{\"strike\":100,\"bid\":1,\"ask\":1.1}"
	static const struct case_opt cases[] = {
		{OC("\"calls\":[" GOOD "],\"puts\":[" GOOD "]"), 0, 2, 0},
		{OC("\"calls\":[{\"strike\":\"NaN\",\"bid\":1,\"ask\":2}]"), 0, 0, 1},
		{OC("\"calls\":[{\"strike\":100,\"bid\":\"Infinity\",\"ask\":2}]"), 0, 0, 1},
		{OC("\"calls\":[{\"strike\":-100,\"bid\":1,\"ask\":2}]"), 0, 0, 1},
		{OC("\"calls\":[{\"strike\":0,\"bid\":1,\"ask\":2}]"), 0, 0, 1},
		{OC("\"calls\":[{\"strike\":100,\"bid\":-1,\"ask\":2}]"), 0, 0, 1},
		{OC("\"calls\":[{\"strike\":100,\"bid\":1}]"), 0, 0, 1},
		{OC("\"calls\":[{\"bid\":1,\"ask\":2}]"), 0, 0, 1},
		{OC("\"calls\":[{\"strike\":null,\"bid\":1,\"ask\":2}]"), 0, 0, 1},
		{OC("\"calls\":[{\"strike\":1e300,\"bid\":1,\"ask\":2}]"), 0, 0, 1},
		{OC("\"calls\":[{\"strike\":100,\"bid\":1,\"ask\":2,\"volume\":-5}]"), 0, 0, 1},
		{OC("\"calls\":[{\"strike\":100,\"bid\":1,\"ask\":2,\"volume\":\"12\"}]"), 0, 0, 1},
		{OC("\"calls\":[{\"strike\":100,\"bid\":1,\"ask\":2,\"volume\":1.5}]"), 0, 0, 1},
		{OC("\"calls\":[{\"strike\":100,\"bid\":1,\"ask\":2,\"volume\":null}]"), 0, 1, 0},
		{OC("\"calls\":[{\"strike\":100,\"bid\":1,\"ask\":2,\"openInterest\":[]}]"), 0, 0, 1},
		{OC("\"calls\":[{\"strike\":100,\"bid\":1,\"ask\":2,\"lastPrice\":-1}]"), 0, 0, 1},
		{OC("\"calls\":[{\"strike\":100,\"bid\":1,\"ask\":2,\"impliedVolatility\":\"x\"}]"), 0,
		 0, 1},
		{OC("\"calls\":[{\"strike\":100,\"bid\":1,\"ask\":2,\"expiration\":\"soon\"}]"), 0, 0,
		 1},
		{OC("\"calls\":[{\"strike\":100,\"bid\":1,\"ask\":2,\"expiration\":-86400}]"), 0, 0,
		 1},
		{OC("\"calls\":[1,\"x\",null,[],true]"), 0, 0, 5},
		{OC("\"calls\":{\"strike\":100}"), PT_EDATA, 0, 0},
		{OC("\"calls\":[" GOOD "],\"puts\":\"none\""), PT_EDATA, 0, 0},
		{OC("\"calls\":[{\"strike\":100,\"bid\":1,\"ask\":2,\"strike\":NaN}]"), PT_EDATA, 0, 0},
		{OC("\"calls\":[{\"strike\":1e999,\"bid\":1,\"ask\":2}]"), PT_EDATA, 0, 0},
		{OC("\"calls\":[{\"strike\":100,\"bid\":1,\"ask\":2,\"volume\":99999999999999999999999}]"),
		 PT_EDATA, 0, 0},
		{"{\"optionChain\":{\"result\":{}}}", PT_EDATA, 0, 0},
		{"{\"optionChain\":{\"result\":[7]}}", PT_EDATA, 0, 0},
		{"{\"optionChain\":{\"result\":[{\"expirationDates\":{}}]}}", PT_EDATA, 0, 0},
		{"{\"optionChain\":{\"result\":[{\"options\":{}}]}}", PT_EDATA, 0, 0},
		{"{\"optionChain\":{\"result\":[{\"options\":[5]}]}}", PT_EDATA, 0, 0},
		{"{\"optionChain\":[]}", PT_EDATA, 0, 0},
		{"{\"optionChain\":{\"result\":[{}]}}", 0, 0, 0},
		{"[]", PT_EDATA, 0, 0},
		{"\"text\"", PT_EDATA, 0, 0},
		{"{", PT_EDATA, 0, 0},
		{"<html><body>Will be right back</body></html>", PT_EDATA, 0, 0},
		{"Edge: Too Many Requests", PT_EDATA, 0, 0},
		{"", PT_EDATA, 0, 0},
	};
	struct yahoo_chain c;
	char err[PT_ERRSZ];
	size_t i;

	(void)state;
	for (i = 0; i < PT_ARRAY_SIZE(cases); i++) {
		int rc;
		err[0] = '\0';
		rc = yahoo_parse_options(cases[i].body, strlen(cases[i].body), &c, err);
		if (rc != cases[i].rc || c.n_opts != cases[i].n_opts ||
		    c.dropped != cases[i].dropped)
			fail_msg("case %zu: rc %d (%s) n_opts %zu dropped %d; want %d %zu %d", i, rc,
				 err, c.n_opts, c.dropped, cases[i].rc, cases[i].n_opts,
				 cases[i].dropped);
		if (rc)
			assert_true(err[0] != '\0' && !strchr(err, '\n'));
		else
			check_chain_sane(&c);
		yahoo_chain_release(&c);
	}
	/* the good case in detail: expiry from the contract's own key or the group's */
	assert_int_equal(yahoo_parse_options(cases[0].body, strlen(cases[0].body), &c, err), 0);
	assert_int_equal(c.opts[0].expiry, day(2025, 10, 31));
	assert_int_equal(c.opts[0].volume, -1);
	assert_int_equal(c.opts[0].open_interest, -1);
	assert_true(isnan(c.opts[0].last));
	assert_true(isnan(c.opts[0].vendor_iv));
	assert_int_equal(c.opts[1].right, 'P');
	yahoo_chain_release(&c);
	/* a zero IV is no IV */
	{
		const char *b = OC("\"calls\":[{\"strike\":100,\"bid\":1,\"ask\":2,"
				   "\"impliedVolatility\":0}]");
		assert_int_equal(yahoo_parse_options(b, strlen(b), &c, err), 0);
		assert_int_equal(c.n_opts, 1);
		assert_true(isnan(c.opts[0].vendor_iv));
		yahoo_chain_release(&c);
	}
#undef OC
#undef GOOD
}

struct case_chart {
	const char *body;
	int rc;
	size_t n_bars;
	size_t n_divs;
	int dropped;
};

static void test_chart_hostile(void **state)
{
#define CH(ts, o, h, l, c, v, ev) \
	"{\"chart\":{\"result\":[{\"meta\":{},\"timestamp\":" ts ",\"indicators\":{\"quote\":" \
	"[{\"open\":" o ",\"high\":" h ",\"low\":" l ",\"close\":" c ",\"volume\":" v "}]}" ev \
	"}],\"error\":null}}"
#define T3 "[1761744600,1761831000,1761917400]" /* 10-29, 10-30, 10-31 09:30 NY */
#define P3 "[1,2,3]"
	static const struct case_chart cases[] = {
		{CH(T3, P3, P3, P3, P3, P3, ""), 0, 3, 0, 0},
		{CH(T3, "[1,null,3]", P3, P3, P3, P3, ""), 0, 2, 0, 1},
		{CH(T3, P3, P3, P3, "[null,null,null]", P3, ""), 0, 0, 0, 3},
		{CH(T3, P3, P3, P3, "[1,-2,3]", P3, ""), 0, 2, 0, 1},
		{CH(T3, P3, P3, P3, "[1,0,3]", P3, ""), 0, 2, 0, 1},
		{CH(T3, P3, P3, P3, "[1,\"NaN\",3]", P3, ""), 0, 2, 0, 1},
		{CH(T3, P3, P3, P3, "[1,1e300,3]", P3, ""), 0, 2, 0, 1},
		{CH(T3, P3, P3, P3, P3, "[1,null,3]", ""), 0, 3, 0, 0},
		{CH(T3, P3, P3, P3, P3, "[1,-1,3]", ""), 0, 2, 0, 1},
		{CH("[1761744600,\"x\",1761917400]", P3, P3, P3, P3, P3, ""), 0, 2, 0, 1},
		{CH("[1761744600,-5,1761917400]", P3, P3, P3, P3, P3, ""), 0, 2, 0, 1},
		{CH("[1761744600,1761744700,1761917400]", P3, P3, P3, P3, P3, ""), 0, 2, 0, 1},
		{CH("[1761917400,1761831000,1761744600]", P3, P3, P3, P3, P3, ""), 0, 1, 0, 2},
		{CH(T3, "[1,2]", P3, P3, P3, P3, ""), PT_EDATA, 0, 0, 0},
		{CH(T3, P3, P3, P3, "[1,2,3,4]", P3, ""), PT_EDATA, 0, 0, 0},
		{CH(T3, P3, P3, P3, P3, "[1]", ""), PT_EDATA, 0, 0, 0},
		{CH(T3, P3, P3, P3, "{}", P3, ""), PT_EDATA, 0, 0, 0},
		{CH("{}", P3, P3, P3, P3, P3, ""), PT_EDATA, 0, 0, 0},
		{CH(T3, P3, P3, P3, "[1,NaN,3]", P3, ""), PT_EDATA, 0, 0, 0},
		{CH(T3, P3, P3, P3, P3, P3,
		    ",\"events\":{\"dividends\":{\"1\":{\"amount\":0.5,\"date\":1761744600},"
		    "\"2\":{\"amount\":-0.5,\"date\":1761744600},\"3\":{\"amount\":\"0.5\",\"date\":1},"
		    "\"4\":{\"amount\":0.5},\"5\":7,\"6\":{\"amount\":0.7,\"date\":1761744601},"
		    "\"7\":{\"amount\":0.5,\"date\":1761658200}}}"),
		 0, 3, 2, 5},
		{CH(T3, P3, P3, P3, P3, P3, ",\"events\":[]"), PT_EDATA, 0, 0, 0},
		{CH(T3, P3, P3, P3, P3, P3, ",\"events\":{\"dividends\":[]}"), PT_EDATA, 0, 0, 0},
		{"{\"chart\":{\"result\":[{\"meta\":{},\"indicators\":{\"quote\":[{}]}}],\"error\":null}}",
		 0, 0, 0, 0},
		{"{\"chart\":{\"result\":[{\"timestamp\":[1761744600]}]}}", PT_EDATA, 0, 0, 0},
		{"{\"chart\":{\"result\":[{\"timestamp\":[1761744600],\"indicators\":{\"quote\":[]}}]}}",
		 PT_EDATA, 0, 0, 0},
		{"{\"chart\":{\"result\":[]}}", PT_EDATA, 0, 0, 0},
		{"{\"chart\":{\"result\":null,\"error\":null}}", PT_EDATA, 0, 0, 0},
		{"{\"chart\":{\"result\":[1]}}", PT_EDATA, 0, 0, 0},
		{"{\"chart\":{\"error\":{}}}", PT_EDATA, 0, 0, 0},
		{"{\"chart\":7}", PT_EDATA, 0, 0, 0},
		{"[1,2]", PT_EDATA, 0, 0, 0},
		{"{\"chart\":{\"result\":[{\"timestamp\":[1e999]}]}}", PT_EDATA, 0, 0, 0},
		{"null", PT_EDATA, 0, 0, 0},
	};
	struct ticker_view t;
	char err[PT_ERRSZ];
	size_t i;
	int session = day(2025, 11, 3);

	(void)state;
	for (i = 0; i < PT_ARRAY_SIZE(cases); i++) {
		int rc;
		memset(&t, 0, sizeof(t));
		err[0] = '\0';
		rc = yahoo_parse_chart(cases[i].body, strlen(cases[i].body), session, &t, err);
		if (rc != cases[i].rc || t.n_bars != cases[i].n_bars ||
		    t.n_divs != cases[i].n_divs || t.dropped != cases[i].dropped)
			fail_msg("case %zu: rc %d (%s) bars %zu divs %zu dropped %d; want %d %zu %zu %d",
				 i, rc, err, t.n_bars, t.n_divs, t.dropped, cases[i].rc,
				 cases[i].n_bars, cases[i].n_divs, cases[i].dropped);
		if (rc)
			assert_true(err[0] != '\0' && !strchr(err, '\n'));
		check_bars_sane(&t, session);
		tv_free(&t);
	}
	/* the dividend case in detail: two on 10-29 (the first kept), one on 10-28 */
	memset(&t, 0, sizeof(t));
	assert_int_equal(yahoo_parse_chart(cases[19].body, strlen(cases[19].body), session, &t, err),
			 0);
	assert_int_equal(t.divs[0].ex_date, day(2025, 10, 28));
	assert_int_equal(t.divs[1].ex_date, day(2025, 10, 29));
	assert_double_equal(t.divs[0].amount, 0.5, 0);
	/* a null volume is a bar without volume, not a bad bar */
	tv_free(&t);
	assert_int_equal(yahoo_parse_chart(cases[7].body, strlen(cases[7].body), session, &t, err), 0);
	assert_int_equal(t.bars[1].volume, 0);
	assert_int_equal(t.bars[2].volume, 3);
	tv_free(&t);
#undef CH
#undef T3
#undef P3
}

/* Every proper prefix of a body is invalid JSON: an error, never a crash. */
static void test_truncated(void **state)
{
	static const char *const files[] = {
		"yahoo/yahoo-AAPL-chart-1d-6mo-divs-2025-10-29.json",
		"yahoo/yahoo-AAPL-options-2025-10-29.json",
	};
	struct ticker_view t;
	struct yahoo_chain c;
	char err[PT_ERRSZ];
	size_t i, k, len;

	(void)state;
	for (i = 0; i < PT_ARRAY_SIZE(files); i++) {
		char *b = fixture(files[i], &len);
		size_t end = len;
		while (end && b[end - 1] != '}')
			end--;	/* a prefix that holds the closing brace is the whole text */
		/* every 211th prefix, and each of the last 40 */
		for (k = 0; k + 1 < end; k += k + 40 + 211 < end ? 211 : 1) {
			char *p = xmalloc(k + 1);	/* exactly k bytes for ASan, plus a NUL */
			memcpy(p, b, k);
			p[k] = '\0';
			memset(&t, 0, sizeof(t));
			assert_int_equal(yahoo_parse_chart(p, k, day(2025, 10, 30), &t, err),
					 PT_EDATA);
			assert_null(t.bars);
			assert_int_equal(yahoo_parse_options(p, k, &c, err), PT_EDATA);
			assert_null(c.opts);
			assert_int_equal(yahoo_error_text(p, k, err, sizeof(err)), -1);
			free(p);
		}
		free(b);
	}
}

/* Random byte changes of the real bodies: whatever comes out is sane. */
static void test_mutations(void **state)
{
	static const char *const files[] = {
		"yahoo/yahoo-AAPL-chart-1d-6mo-divs-2025-10-29.json",
		"yahoo/yahoo-AAPL-options-date-1758240000-2025-09-17.json",
	};
	static const char alphabet[] = "0123456789-+.eE\"{}[],:nul tr\\x";
	uint64_t s = 0x9e3779b97f4a7c15ULL;
	struct ticker_view t;
	struct yahoo_chain c;
	char err[PT_ERRSZ];
	size_t i, k, j, len;
	int parsed = 0;

	(void)state;
	for (i = 0; i < PT_ARRAY_SIZE(files); i++) {
		char *b = fixture(files[i], &len);
		char *m = xmalloc(len);
		for (k = 0; k < 150; k++) {
			memcpy(m, b, len);
			for (j = 0; j < 1 + k % 4; j++) {
				s ^= s << 13;
				s ^= s >> 7;
				s ^= s << 17;
				m[(s >> 8) % len] = alphabet[(s >> 40) % (sizeof(alphabet) - 1)];
			}
			memset(&t, 0, sizeof(t));
			if (yahoo_parse_chart(m, len, day(2025, 10, 30), &t, err) == 0) {
				check_bars_sane(&t, day(2025, 10, 30));
				parsed++;
			}
			tv_free(&t);
			if (yahoo_parse_options(m, len, &c, err) == 0) {
				check_chain_sane(&c);
				parsed++;
			}
			yahoo_chain_release(&c);
		}
		free(m);
		free(b);
	}
	assert_true(parsed > 0);	/* some mutations keep the JSON valid */
}

/* Big inputs: within the byte cap, bounded by the row caps. */
static void test_big(void **state)
{
	const size_t big = (size_t)10 << 20;
	struct sbuf sb;
	struct ticker_view t;
	struct yahoo_chain c;
	char err[PT_ERRSZ];
	size_t i, n;

	(void)state;
	/* 10 MB of nulls as closes for three timestamps: mismatched, refused */
	sb_init(&sb, (size_t)64 << 20);
	sb_addf(&sb, "{\"chart\":{\"result\":[{\"timestamp\":[1,2,3],\"indicators\":{\"quote\":[{"
		     "\"open\":[1,2,3],\"high\":[1,2,3],\"low\":[1,2,3],\"close\":[null");
	while (sb.len < big)
		sb_add(&sb, ",null,null,null,null,null,null,null,null,null,null", 50);
	sb_addf(&sb, "]}]}}]}}");
	memset(&t, 0, sizeof(t));
	assert_int_equal(yahoo_parse_chart(sb.buf, sb.len, day(2025, 1, 2), &t, err), PT_EDATA);
	assert_non_null(strstr(err, "close"));
	sb_release(&sb);

	/* 10 MB of null rows everywhere: more rows than a chart may have */
	sb_init(&sb, (size_t)64 << 20);
	n = big / 30;
	sb_addf(&sb, "{\"chart\":{\"result\":[{\"timestamp\":[");
	for (i = 0; i < n; i++)
		sb_add(&sb, i ? ",null" : "null", i ? 5 : 4);
	sb_addf(&sb, "]}]}}");
	assert_int_equal(yahoo_parse_chart(sb.buf, sb.len, day(2025, 1, 2), &t, err), PT_EDATA);
	assert_non_null(strstr(err, "more than"));
	sb_release(&sb);

	/* 60000 rows of nulls, under the cap: every one dropped and counted */
	sb_init(&sb, (size_t)64 << 20);
	n = 60000;
	sb_addf(&sb, "{\"chart\":{\"result\":[{\"timestamp\":[");
	for (i = 0; i < n; i++)
		sb_add(&sb, i ? ",null" : "null", i ? 5 : 4);
	sb_addf(&sb, "],\"indicators\":{\"quote\":[{");
	{
		static const char *const cols[] = {"open", "high", "low", "close", "volume"};
		size_t k;
		for (k = 0; k < 5; k++) {
			sb_addf(&sb, "%s\"%s\":[", k ? "," : "", cols[k]);
			for (i = 0; i < n; i++)
				sb_add(&sb, i ? ",null" : "null", i ? 5 : 4);
			sb_addf(&sb, "]");
		}
	}
	sb_addf(&sb, "}]}}]}}");
	memset(&t, 0, sizeof(t));
	assert_int_equal(yahoo_parse_chart(sb.buf, sb.len, day(2025, 1, 2), &t, err), 0);
	assert_int_equal(t.n_bars, 0);
	assert_int_equal(t.dropped, 60000);
	tv_free(&t);
	sb_release(&sb);

	/* 10 MB of null contracts: more than a side may have */
	sb_init(&sb, (size_t)64 << 20);
	sb_addf(&sb, "{\"optionChain\":{\"result\":[{\"options\":[{\"calls\":[null");
	while (sb.len < big)
		sb_add(&sb, ",null,null,null,null,null,null,null,null,null,null", 50);
	sb_addf(&sb, "]}]}]}}");
	assert_int_equal(yahoo_parse_options(sb.buf, sb.len, &c, err), PT_EDATA);
	assert_non_null(strstr(err, "more than"));
	sb_release(&sb);

	/* 40000 null contracts: dropped and counted */
	sb_init(&sb, (size_t)64 << 20);
	sb_addf(&sb, "{\"optionChain\":{\"result\":[{\"options\":[{\"puts\":[null");
	for (i = 1; i < 40000; i++)
		sb_add(&sb, ",null", 5);
	sb_addf(&sb, "]}]}]}}");
	assert_int_equal(yahoo_parse_options(sb.buf, sb.len, &c, err), 0);
	assert_int_equal(c.n_opts, 0);
	assert_int_equal(c.dropped, 40000);
	yahoo_chain_release(&c);
	sb_release(&sb);

	/* nesting deeper than any Yahoo body */
	sb_init(&sb, (size_t)64 << 20);
	for (i = 0; i < 100000; i++)
		sb_add(&sb, "[", 1);
	assert_int_equal(yahoo_parse_options(sb.buf, sb.len, &c, err), PT_EDATA);
	assert_non_null(strstr(err, "deeper"));
	assert_int_equal(yahoo_parse_chart(sb.buf, sb.len, day(2025, 1, 2), &t, err), PT_EDATA);
	assert_int_equal(yahoo_error_text(sb.buf, sb.len, err, sizeof(err)), -1);
	sb_release(&sb);

	/* brackets inside strings do not count as nesting */
	sb_init(&sb, (size_t)64 << 20);
	sb_addf(&sb, "{\"optionChain\":{\"result\":[],\"x\":\"");
	for (i = 0; i < 1000; i++)
		sb_add(&sb, "[{\\\"", 4);
	sb_addf(&sb, "\"}}");
	assert_int_equal(yahoo_parse_options(sb.buf, sb.len, &c, err), 0);
	yahoo_chain_release(&c);
	sb_release(&sb);

	/* over the byte cap */
	{
		char *huge = xmalloc((size_t)33 << 20);
		memset(huge, ' ', (size_t)33 << 20);
		huge[0] = '{';
		huge[((size_t)33 << 20) - 1] = '}';
		assert_int_equal(yahoo_parse_options(huge, (size_t)33 << 20, &c, err), PT_EDATA);
		assert_non_null(strstr(err, "larger than"));
		free(huge);
	}
	/* a NUL inside the text */
	assert_int_equal(yahoo_parse_options("{\"optionChain\"\0:{}}", 19, &c, err), PT_EDATA);
}

/* ---- the fixture server -------------------------------------------------- */

struct srv {
	pid_t pid;
	int in_fd;		/* the server's stdin: closing it stops the server */
	char base[64];
	char dir[PATH_MAX];
	char log[PATH_MAX + 32];
	char crumb_file[PATH_MAX + 32];
};

/* A copy of the running test's server, stopped by the teardown when a
 * failed assertion skipped the test's own srv_stop. */
static struct srv live_copy;
static int srv_running;

static void write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	assert_non_null(f);
	assert_true(fputs(text, f) >= 0);
	assert_int_equal(fclose(f), 0);
}

/* Starts tests/fixture_server.py with an optional scenario (JSON text). */
static void srv_start(struct srv *s, const char *scenario)
{
	char sc[PATH_MAX + 32], line[64], port[16];
	int in[2], out[2];
	FILE *f;
	long p = 0;

	memset(s, 0, sizeof(*s));
	snprintf(s->dir, sizeof(s->dir), "/tmp/pt-test-yahoo-XXXXXX");
	assert_non_null(mkdtemp(s->dir));
	snprintf(s->log, sizeof(s->log), "%s/requests.log", s->dir);
	snprintf(s->crumb_file, sizeof(s->crumb_file), "%s/yahoo-crumb", s->dir);
	snprintf(sc, sizeof(sc), "%s/scenario.json", s->dir);
	if (scenario)
		write_file(sc, scenario);
	assert_int_equal(pipe(in), 0);
	assert_int_equal(pipe(out), 0);
	s->pid = fork();
	assert_true(s->pid >= 0);
	if (s->pid == 0) {
		char *args[16];
		int n = 0;
		dup2(in[0], 0);
		dup2(out[1], 1);
		close(in[0]);
		close(in[1]);
		close(out[0]);
		close(out[1]);
		args[n++] = "/usr/bin/python3";
		args[n++] = "tests/fixture_server.py";
		args[n++] = "--fixtures";
		args[n++] = (char *)fixtures_dir();
		args[n++] = "--log";
		args[n++] = s->log;
		args[n++] = "--idle-exit";
		args[n++] = "60";
		if (scenario) {
			args[n++] = "--scenario";
			args[n++] = sc;
		}
		args[n] = NULL;
		execv(args[0], args);
		_exit(127);
	}
	close(in[0]);
	close(out[1]);
	s->in_fd = in[1];
	f = fdopen(out[0], "r");
	assert_non_null(f);
	if (!fgets(line, sizeof(line), f) || sscanf(line, "PORT %15s", port) != 1 ||
	    pt_parse_long(port, &p) || p <= 0 || p > 65535)
		fail_msg("fixture server did not start (run from the repository root)");
	fclose(f);
	snprintf(s->base, sizeof(s->base), "http://127.0.0.1:%ld", p);
	live_copy = *s;
	srv_running = 1;
}

static void srv_stop(struct srv *s)
{
	char path[PATH_MAX + 64];
	int status;

	srv_running = 0;
	close(s->in_fd);
	waitpid(s->pid, &status, 0);
	unlink(s->log);
	unlink(s->crumb_file);
	snprintf(path, sizeof(path), "%s/scenario.json", s->dir);
	unlink(path);
	snprintf(path, sizeof(path), "%s/cookies.txt", s->dir);
	unlink(path);
	rmdir(s->dir);
}

/* Forgets the requests logged so far. */
static void srv_clear_log(struct srv *s)
{
	FILE *f = fopen(s->log, "w");

	if (f)
		fclose(f);
}

/* The requests logged: "PATH?QUERY" per line, in order. */
static void expect_log(struct srv *s, const char *const *want, size_t n)
{
	size_t len, i = 0;
	char *text = slurp_path(s->log, &len), *p, *line;

	assert_non_null(text);
	for (p = text; (line = strsep(&p, "\n")) && *line; i++) {
		char *sp1 = strchr(line, ' '), *sp2;
		assert_non_null(sp1);
		sp2 = strrchr(line, ' ');
		*sp2 = '\0';
		if (i >= n)
			fail_msg("request %zu not expected: %s", i, sp1 + 1);
		if (strcmp(sp1 + 1, want[i]) != 0)
			fail_msg("request %zu: %s\n  want %s", i, sp1 + 1, want[i]);
	}
	if (i != n)
		fail_msg("%zu requests, want %zu (next: %s)", i, n, want[i]);
	free(text);
}

static long sleeps;

static void no_sleep(long ms, void *ctx)
{
	(void)ms;
	(void)ctx;
	sleeps++;
}

static struct http *client(struct tape *record)
{
	struct http_opts o;
	struct http *h;

	http_opts_default(&o);
	o.retries = 0;
	o.jitter_seed = 7;
	o.connect_timeout_ms = 5000;
	o.timeout_ms = 20000;
	h = http_new(&o, record);
	assert_non_null(h);
	http_set_sleep(h, no_sleep, NULL);
	return h;
}

static void *provider(struct srv *s, struct http *h, int cached)
{
	char cookie[128];
	struct yahoo_opts o;

	snprintf(cookie, sizeof(cookie), "%s/consent", s->base);
	memset(&o, 0, sizeof(o));
	o.base_url = s->base;
	o.cookie_url = cookie;
	o.crumb_file = cached ? s->crumb_file : NULL;
	return yahoo_new(h, &o);
}

/* The strategy's want in req_init's request: for every ticker, the
 * expiration nearest 2 days (2025-10-31, the nearest listed). */
static const struct provider_want near2 = {"", 0, 2};

static void req_init(struct provider_req *r, const char *const *tk, size_t n)
{
	memset(r, 0, sizeof(*r));
	r->session = day(2025, 10, 29);
	r->asof = ASOF;
	r->tickers = tk;
	r->n = n;
	r->hist_from = day(2025, 4, 1);
	r->want = &near2;
	r->n_want = 1;
}

#define CHART_AAPL "/v8/finance/chart/AAPL?period1=1729641600&period2=1761782400&interval=1d" \
		   "&events=div%7Csplit"
#define IRX "/v8/finance/chart/%5EIRX?period1=1760832000&period2=1761782400&interval=1d"
#define OPT_AAPL "/v7/finance/options/AAPL"

/* A made-up ^IRX chart: 3.85 on 10-28, 9.99 on the session (not used). */
#define IRX_BODY \
	"{\\\"chart\\\":{\\\"result\\\":[{\\\"timestamp\\\":[1761312600,1761571800,1761658200," \
	"1761744600],\\\"indicators\\\":{\\\"quote\\\":[{\\\"open\\\":[3.9,null,3.85,9.99]," \
	"\\\"high\\\":[3.9,null,3.85,9.99],\\\"low\\\":[3.9,null,3.85,9.99],\\\"close\\\":" \
	"[3.9,null,3.85,9.99],\\\"volume\\\":[0,null,0,0]}]}}],\\\"error\\\":null}}"

static void check_aapl(const struct ticker_view *t)
{
	const struct option_quote *o;
	size_t i;

	assert_string_equal(t->symbol, "AAPL");
	assert_string_equal(t->source, "yahoo");
	assert_true(t->ok);
	assert_string_equal(t->error, "");
	assert_double_equal(t->spot, 269.7, 1e-12);
	assert_int_equal(t->quote_time, 1761768001);
	assert_int_equal(t->n_bars, 126);
	assert_int_equal(t->bars[0].date, day(2025, 4, 30));
	assert_int_equal(t->bars[125].date, day(2025, 10, 28));
	assert_int_equal(t->n_divs, 2);
	assert_double_equal(t->div_yield, log1p(0.52 / 269.7), 1e-15);
	assert_int_equal(t->n_opts, 112);
	assert_int_equal(t->dropped, 0);
	for (i = 0; i < t->n_opts; i++)
		assert_int_equal(t->opts[i].expiry, day(2025, 10, 31));
	o = tv_find_option(t, day(2025, 10, 31), 270.0, 'C');
	assert_non_null(o);
	assert_double_equal(o->bid, 4.8, 1e-12);
	assert_double_equal(o->ask, 5.0, 1e-12);
	assert_int_equal(o->volume, 26764);
}

static void test_load_full(void **state)
{
	static const char *const tk[] = {"AAPL"};
	const char *const want[] = {
		CHART_AAPL,
		OPT_AAPL,
		OPT_AAPL "?date=1762473600",
		IRX,
	};
	struct provider_want wants[5], near30 = {"", 0, 30};
	struct provider_req req;
	struct market_view v;
	struct srv s;
	struct http *h;
	char err[PT_ERRSZ] = "";
	void *y;

	(void)state;
	srv_start(&s, "[{\"path\":\"/v8/finance/chart/^IRX\",\"responses\":[{\"body\":\"" IRX_BODY
		      "\"}]}]");
	h = client(NULL);
	y = provider(&s, h, 1);
	req_init(&req, tk, 1);
	/* an open position's expiration, one not listed, another ticker's */
	memset(wants, 0, sizeof(wants));
	pt_strlcpy(wants[0].ticker, "AAPL", MV_SYMSZ);
	wants[0].expiry = day(2025, 11, 7);
	pt_strlcpy(wants[1].ticker, "AAPL", MV_SYMSZ);
	wants[1].expiry = day(2025, 9, 19);
	pt_strlcpy(wants[2].ticker, "QQQ", MV_SYMSZ);
	wants[2].expiry = day(2025, 11, 14);
	pt_strlcpy(wants[3].ticker, "AAPL", MV_SYMSZ);
	wants[3].expiry = day(2025, 10, 31);	/* already in the first answer */
	wants[4] = near2;
	req.want = wants;
	req.n_want = 5;
	memset(&v, 0, sizeof(v));
	if (yahoo_load(y, &req, &v, err))
		fail_msg("load: %s", err);
	assert_int_equal(v.session, day(2025, 10, 29));
	assert_int_equal(v.asof, ASOF);
	assert_int_equal(v.n_tickers, 1);
	check_aapl(&v.tickers[0]);
	assert_double_equal(v.rate, -log(1 - 0.0385 * 91 / 360) * 365 / 91, 1e-15);
	assert_double_equal(v.rate, 0.039225905497471646, 1e-15);
	expect_log(&s, want, PT_ARRAY_SIZE(want));
	/* nothing was cached: no crumb was needed */
	assert_int_equal(access(s.crumb_file, F_OK), -1);
	mv_release(&v);

	/* target 30 days: 2025-11-28 is fetched by date; nothing to merge there */
	srv_clear_log(&s);
	req.want = &near30;
	req.n_want = 1;
	assert_int_equal(yahoo_load(y, &req, &v, err), 0);
	assert_int_equal(v.tickers[0].n_opts, 112);
	{
		const char *const w2[] = {CHART_AAPL, OPT_AAPL, OPT_AAPL "?date=1764288000", IRX};
		expect_log(&s, w2, PT_ARRAY_SIZE(w2));
	}
	mv_release(&v);
	yahoo_free(y);
	http_free(h);
	srv_stop(&s);
}

/* A second expiration's contracts are merged, without duplicating the first. */
static void test_load_merge(void **state)
{
	static const char *const tk[] = {"AAPL"};
	struct provider_want near = {"", 0, 9};
	struct provider_req req;
	struct market_view v;
	struct srv s;
	struct http *h;
	char err[PT_ERRSZ] = "";
	size_t i, n0917 = 0;
	void *y;

	(void)state;
	/* 11-07 answered with the 09-19 chain file, to have something to merge */
	srv_start(&s, "[{\"path\":\"/v7/finance/options/AAPL\",\"query\":{\"date\":\"1762473600\"},"
		      "\"responses\":[{\"fixture\":\"yahoo/yahoo-AAPL-options-date-1758240000-"
		      "2025-09-17.json\"}]},"
		      "{\"path\":\"/v7/finance/options/AAPL\",\"query\":{\"date\":\"1763078400\"},"
		      "\"responses\":[{\"fixture\":\"yahoo/yahoo-AAPL-options-date-1761868800-"
		      "2025-10-29.json\"}]},"
		      "{\"path\":\"/v7/finance/options/AAPL\",\"query\":{\"date\":\"1761868800\"},"
		      "\"responses\":[{\"status\":500}]}]");
	h = client(NULL);
	y = provider(&s, h, 0);
	req_init(&req, tk, 1);
	req.want = &near;	/* 9 days: 2025-11-07 */
	memset(&v, 0, sizeof(v));
	if (yahoo_load(y, &req, &v, err))
		fail_msg("load: %s", err);
	assert_true(v.tickers[0].ok);
	for (i = 0; i < v.tickers[0].n_opts; i++)
		n0917 += v.tickers[0].opts[i].expiry == day(2025, 9, 19);
	assert_int_equal(v.tickers[0].n_opts, 112 + 164);
	assert_int_equal(n0917, 164);
	assert_true(isnan(v.rate));	/* no ^IRX at the server: 404 */
	mv_release(&v);

	/* 11-14 answered with 10-31's contracts: those are not taken twice */
	near.days = 16;
	assert_int_equal(yahoo_load(y, &req, &v, err), 0);
	assert_true(v.tickers[0].ok);
	assert_int_equal(v.tickers[0].n_opts, 112);
	mv_release(&v);
	yahoo_free(y);
	http_free(h);
	srv_stop(&s);
}

/* Writes name into the server's folder: the recorded 2025-09-19 chain with
 * every mention of its expiration (epoch 1758240000) moved to epoch, a
 * 10-digit Unix time: a chain of that expiration. */
static void write_moved_chain(const struct srv *s, const char *name, const char *epoch)
{
	char path[PATH_MAX + 64], *b, *p;
	size_t len;

	assert_int_equal(strlen(epoch), 10);
	b = fixture("yahoo/yahoo-AAPL-options-date-1758240000-2025-09-17.json", &len);
	for (p = b; (p = strstr(p, "1758240000")) != NULL; p += 10)
		memcpy(p, epoch, 10);
	snprintf(path, sizeof(path), "%s/%s", s->dir, name);
	write_file(path, b);
	free(b);
}

/*
 * Two strategies in one request, nearest 10 and nearest 40 days, for every
 * ticker (and one for another ticker): both listed expirations are fetched,
 * 2025-11-07 (9 days) and 2025-12-05 (37 days), and the view holds the
 * contracts of both beside the first answer's (a sweep over target_dte
 * shares one view).
 */
static void test_load_two_nearest(void **state)
{
	static const char *const tk[] = {"AAPL"};
	const char *const want[] = {
		CHART_AAPL,
		OPT_AAPL,
		OPT_AAPL "?date=1762473600",
		OPT_AAPL "?date=1764892800",
		IRX,
	};
	const struct provider_want wants[] = {{"", 0, 40}, {"QQQ", 0, 79}, {"", 0, 10}};
	struct provider_req req;
	struct market_view v;
	struct srv s;
	struct http *h;
	char err[PT_ERRSZ] = "", path[PATH_MAX + 64];
	size_t i, n1031 = 0, n1107 = 0, n1205 = 0;
	void *y;

	(void)state;
	srv_start(&s, "[{\"path\":\"/v7/finance/options/AAPL\",\"query\":{\"date\":\"1762473600\"},"
		      "\"responses\":[{\"body_file\":\"aapl-1107.json\"}]},"
		      "{\"path\":\"/v7/finance/options/AAPL\",\"query\":{\"date\":\"1764892800\"},"
		      "\"responses\":[{\"body_file\":\"aapl-1205.json\"}]}]");
	write_moved_chain(&s, "aapl-1107.json", "1762473600");
	write_moved_chain(&s, "aapl-1205.json", "1764892800");
	h = client(NULL);
	y = provider(&s, h, 0);
	req_init(&req, tk, 1);
	req.want = wants;
	req.n_want = PT_ARRAY_SIZE(wants);
	memset(&v, 0, sizeof(v));
	if (yahoo_load(y, &req, &v, err))
		fail_msg("load: %s", err);
	assert_true(v.tickers[0].ok);
	for (i = 0; i < v.tickers[0].n_opts; i++) {
		int e = v.tickers[0].opts[i].expiry;
		n1031 += e == day(2025, 10, 31);
		n1107 += e == day(2025, 11, 7);
		n1205 += e == day(2025, 12, 5);
	}
	assert_int_equal(n1031, 112);
	assert_int_equal(n1107, 164);
	assert_int_equal(n1205, 164);
	assert_int_equal(v.tickers[0].n_opts, 112 + 164 + 164);
	/* in listed order, once each; QQQ's want fetched nothing for AAPL */
	expect_log(&s, want, PT_ARRAY_SIZE(want));
	mv_release(&v);
	yahoo_free(y);
	http_free(h);
	snprintf(path, sizeof(path), "%s/aapl-1107.json", s.dir);
	unlink(path);
	snprintf(path, sizeof(path), "%s/aapl-1205.json", s.dir);
	unlink(path);
	srv_stop(&s);
}

static void test_crumb_handshake(void **state)
{
	static const char *const tk[] = {"AAPL"};
	const char *const first[] = {
		CHART_AAPL,
		"/consent",
		"/v1/test/getcrumb",
		CHART_AAPL "&crumb=" CRUMB,
		OPT_AAPL "?crumb=" CRUMB,
		IRX "&crumb=" CRUMB,
	};
	const char *const cached[] = {
		CHART_AAPL "&crumb=" CRUMB,
		OPT_AAPL "?crumb=" CRUMB,
		IRX "&crumb=" CRUMB,
	};
	struct provider_req req;
	struct market_view v;
	struct srv s;
	struct stat st;
	struct http *h;
	char err[PT_ERRSZ] = "", *text;
	size_t len;
	void *y;

	(void)state;
	srv_start(&s, "{\"require_crumb\":true,\"rules\":[]}");
	h = client(NULL);
	y = provider(&s, h, 1);
	req_init(&req, tk, 1);
	memset(&v, 0, sizeof(v));
	if (yahoo_load(y, &req, &v, err))
		fail_msg("load: %s", err);
	check_aapl(&v.tickers[0]);
	expect_log(&s, first, PT_ARRAY_SIZE(first));
	mv_release(&v);
	yahoo_free(y);
	http_free(h);
	/* the crumb is cached, private */
	assert_int_equal(stat(s.crumb_file, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0600);
	text = slurp_path(s.crumb_file, &len);
	assert_string_equal(text, CRUMB "\n");
	free(text);

	/* a new process uses the cached crumb at once */
	srv_clear_log(&s);
	h = client(NULL);
	y = provider(&s, h, 1);
	assert_int_equal(yahoo_load(y, &req, &v, err), 0);
	check_aapl(&v.tickers[0]);
	expect_log(&s, cached, PT_ARRAY_SIZE(cached));
	mv_release(&v);
	yahoo_free(y);
	http_free(h);
	srv_stop(&s);
}

static void test_crumb_stale(void **state)
{
	static const char *const tk[] = {"AAPL"};
	const char *const want[] = {
		CHART_AAPL "&crumb=old%2Fcrumb",
		"/consent",
		"/v1/test/getcrumb",
		CHART_AAPL "&crumb=" CRUMB,
		OPT_AAPL "?crumb=" CRUMB,
		IRX "&crumb=" CRUMB,
	};
	struct provider_req req;
	struct market_view v;
	struct srv s;
	struct http *h;
	char err[PT_ERRSZ] = "", *text;
	size_t len;
	void *y;

	(void)state;
	srv_start(&s, "{\"require_crumb\":true,\"rules\":[]}");
	write_file(s.crumb_file, "old/crumb\n");
	h = client(NULL);
	y = provider(&s, h, 1);
	req_init(&req, tk, 1);
	memset(&v, 0, sizeof(v));
	if (yahoo_load(y, &req, &v, err))
		fail_msg("load: %s", err);
	check_aapl(&v.tickers[0]);
	expect_log(&s, want, PT_ARRAY_SIZE(want));
	text = slurp_path(s.crumb_file, &len);
	assert_string_equal(text, CRUMB "\n");
	free(text);
	mv_release(&v);
	yahoo_free(y);
	http_free(h);
	srv_stop(&s);
}

/* One 401 in the middle: one refresh, one retry, and the run goes on. */
static void test_crumb_401_once(void **state)
{
	static const char *const tk[] = {"AAPL"};
	const char *const want[] = {
		CHART_AAPL,
		OPT_AAPL,
		"/consent",
		"/v1/test/getcrumb",
		OPT_AAPL "?crumb=" CRUMB,
		IRX "&crumb=" CRUMB,
	};
	struct provider_req req;
	struct market_view v;
	struct srv s;
	struct http *h;
	char err[PT_ERRSZ] = "";
	void *y;

	(void)state;
	srv_start(&s, "[{\"path\":\"/v7/finance/options/AAPL\",\"responses\":[{\"status\":401,"
		      "\"fixture\":\"" INVALID_CRUMB "\"},{}]}]");
	h = client(NULL);
	y = provider(&s, h, 0);
	req_init(&req, tk, 1);
	memset(&v, 0, sizeof(v));
	if (yahoo_load(y, &req, &v, err))
		fail_msg("load: %s", err);
	check_aapl(&v.tickers[0]);
	expect_log(&s, want, PT_ARRAY_SIZE(want));
	mv_release(&v);
	yahoo_free(y);
	http_free(h);
	srv_stop(&s);
}

static void test_crumb_401_twice(void **state)
{
	static const char *const tk[] = {"AAPL", "QQQ"};
	const char *const want[] = {
		CHART_AAPL,
		OPT_AAPL,
		"/consent",
		"/v1/test/getcrumb",
		OPT_AAPL "?crumb=" CRUMB,
	};
	struct provider_req req;
	struct market_view v;
	struct srv s;
	struct http *h;
	char err[PT_ERRSZ] = "";
	void *y;

	(void)state;
	srv_start(&s, "[{\"path\":\"/v7/finance/options/AAPL\",\"responses\":[{\"status\":401,"
		      "\"fixture\":\"" INVALID_CRUMB "\"}]}]");
	h = client(NULL);
	y = provider(&s, h, 1);
	req_init(&req, tk, 2);
	memset(&v, 0, sizeof(v));
	assert_int_equal(yahoo_load(y, &req, &v, err), PT_EIO);
	assert_non_null(strstr(err, "Yahoo refused the crumb (Invalid Crumb)"));
	assert_non_null(strstr(err, "AAPL"));
	assert_int_equal(v.n_tickers, 0);
	assert_null(v.tickers);
	expect_log(&s, want, PT_ARRAY_SIZE(want));	/* QQQ is not even tried */
	yahoo_free(y);
	http_free(h);
	srv_stop(&s);
}

/* getcrumb refuses (no cookie, throttled, an HTML page): the source is unusable. */
static void test_crumb_unavailable(void **state)
{
	static const struct {
		const char *scenario, *text;
	} cases[] = {
		{"{\"require_crumb\":true,\"rules\":[{\"path\":\"/consent\",\"responses\":"
		 "[{\"status\":404,\"body\":\"no cookie here\"}]}]}",
		 "getcrumb answered HTTP 401"},
		{"{\"require_crumb\":true,\"rules\":[{\"path\":\"/v1/test/getcrumb\",\"responses\":"
		 "[{\"status\":429,\"body\":\"Edge: Too Many Requests\"}]}]}",
		 "rate-limited"},
		{"{\"require_crumb\":true,\"rules\":[{\"path\":\"/v1/test/getcrumb\",\"responses\":"
		 "[{\"status\":200,\"body\":\"Edge: Too Many Requests\"}]}]}",
		 "rate-limited"},
		{"{\"require_crumb\":true,\"rules\":[{\"path\":\"/v1/test/getcrumb\",\"responses\":"
		 "[{\"body\":\"<html><body>consent</body></html>\",\"content_type\":\"text/html\"}]}]}",
		 "no usable crumb"},
		{"{\"require_crumb\":true,\"rules\":[{\"path\":\"/v1/test/getcrumb\",\"responses\":"
		 "[{\"body\":\"\"}]}]}",
		 "no usable crumb"},
	};
	static const char *const tk[] = {"AAPL"};
	struct provider_req req;
	struct market_view v;
	struct srv s;
	size_t i;

	(void)state;
	for (i = 0; i < PT_ARRAY_SIZE(cases); i++) {
		char err[PT_ERRSZ] = "";
		struct http *h;
		void *y;

		srv_start(&s, cases[i].scenario);
		h = client(NULL);
		y = provider(&s, h, 1);
		req_init(&req, tk, 1);
		memset(&v, 0, sizeof(v));
		assert_int_equal(yahoo_load(y, &req, &v, err), PT_EIO);
		if (!strstr(err, "cannot get a crumb from Yahoo") || !strstr(err, cases[i].text))
			fail_msg("case %zu: %s", i, err);
		assert_int_equal(access(s.crumb_file, F_OK), -1);
		yahoo_free(y);
		http_free(h);
		srv_stop(&s);
	}
}

/* One ticker's failure is that ticker's; the others are served. */
static void test_ticker_failures(void **state)
{
	static const char *const tk[] = {"MDLY", "AAPL", "^VXAPL", "BAD", "BEKE", "ABCDEFGHIJKLMNOPQ"};
	struct provider_req req;
	struct market_view v;
	struct srv s;
	struct http *h;
	char err[PT_ERRSZ] = "", *text;
	size_t len;
	void *y;

	(void)state;
	srv_start(&s, "[{\"path\":\"/v8/finance/chart/^VXAPL\",\"responses\":[{\"fixture\":"
		      "\"yahoo/yahoo-AAPL-chart-1d-6mo-divs-2025-10-29.json\"}]},"
		      "{\"path\":\"/v8/finance/chart/BAD\",\"responses\":[{\"fixture\":"
		      "\"yahoo/yahoo-AAPL-chart-1d-6mo-divs-2025-10-29.json\"}]},"
		      "{\"path\":\"/v7/finance/options/BAD\",\"responses\":[{\"body\":"
		      "\"{\\\"optionChain\\\":{\\\"result\\\":[{\"}]}]");
	h = client(NULL);
	y = provider(&s, h, 1);
	req_init(&req, tk, PT_ARRAY_SIZE(tk));
	memset(&v, 0, sizeof(v));
	if (yahoo_load(y, &req, &v, err))
		fail_msg("load: %s", err);
	assert_int_equal(v.n_tickers, 6);
	assert_false(v.tickers[0].ok);
	assert_string_equal(v.tickers[0].symbol, "MDLY");
	assert_string_equal(v.tickers[0].source, "yahoo");
	assert_string_equal(v.tickers[0].error,
			    "MDLY: chart: HTTP 404: No data found, symbol may be delisted");
	assert_int_equal(v.tickers[0].n_bars, 0);
	assert_null(v.tickers[0].bars);
	check_aapl(&v.tickers[1]);
	assert_false(v.tickers[2].ok);
	assert_string_equal(v.tickers[2].error, "^VXAPL: Yahoo lists no options for it");
	assert_int_equal(v.tickers[2].n_bars, 0);
	assert_null(v.tickers[2].divs);
	assert_false(v.tickers[3].ok);
	if (strncmp(v.tickers[3].error, "BAD: options: invalid JSON", 26) != 0)
		fail_msg("BAD: %s", v.tickers[3].error);
	assert_false(v.tickers[4].ok);
	assert_string_equal(v.tickers[4].error,
			    "BEKE: chart: HTTP 400: Data doesn't exist for startDate = 1577836800, "
			    "endDate = 1578009600");
	assert_false(v.tickers[5].ok);
	assert_non_null(strstr(v.tickers[5].error, "not a ticker symbol"));
	assert_true(isnan(v.rate));
	/* the caret went out escaped */
	text = slurp_path(s.log, &len);
	assert_non_null(strstr(text, "GET /v8/finance/chart/%5EVXAPL?period1="));
	assert_non_null(strstr(text, "GET /v7/finance/options/%5EVXAPL "));
	assert_null(strstr(text, "ABCDEFGHIJKLMNOPQ"));
	free(text);
	mv_release(&v);

	/* every ticker failing for its data is still a view, not an error */
	req.tickers = tk;
	req.n = 1;
	assert_int_equal(yahoo_load(y, &req, &v, err), 0);
	assert_false(v.tickers[0].ok);
	mv_release(&v);
	yahoo_free(y);
	http_free(h);
	srv_stop(&s);
}

/* A free port: bound, then closed again (connection refused there). */
static int closed_port(void)
{
	struct sockaddr_in a;
	socklen_t n = sizeof(a);
	int fd = socket(AF_INET, SOCK_STREAM, 0), port;

	assert_true(fd >= 0);
	memset(&a, 0, sizeof(a));
	a.sin_family = AF_INET;
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	assert_int_equal(bind(fd, (struct sockaddr *)&a, sizeof(a)), 0);
	assert_int_equal(getsockname(fd, (struct sockaddr *)&a, &n), 0);
	port = ntohs(a.sin_port);
	close(fd);
	return port;
}

static void test_transport_failure(void **state)
{
	static const char *const tk[] = {"AAPL", "QQQ"};
	struct provider_req req;
	struct market_view v;
	struct yahoo_opts o;
	struct http *h;
	char base[64], err[PT_ERRSZ] = "";
	void *y;

	(void)state;
	snprintf(base, sizeof(base), "http://127.0.0.1:%d", closed_port());
	h = client(NULL);
	memset(&o, 0, sizeof(o));
	o.base_url = base;
	o.cookie_url = base;
	y = yahoo_new(h, &o);
	req_init(&req, tk, 2);
	memset(&v, 0, sizeof(v));
	assert_int_equal(yahoo_load(y, &req, &v, err), PT_EIO);
	assert_non_null(strstr(err, "every ticker failed"));
	assert_non_null(strstr(err, "AAPL: chart:"));
	assert_int_equal(v.n_tickers, 0);
	yahoo_free(y);
	http_free(h);
}

static void test_only_today(void **state)
{
	static const char *const tk[] = {"AAPL"};
	struct provider_req req;
	struct market_view v;
	struct yahoo_opts o;
	struct http *h;
	char base[64], err[PT_ERRSZ] = "";
	void *y;

	(void)state;
	snprintf(base, sizeof(base), "http://127.0.0.1:%d", closed_port());
	h = client(NULL);
	memset(&o, 0, sizeof(o));
	o.base_url = base;
	y = yahoo_new(h, &o);
	req_init(&req, tk, 1);
	req.session = day(2025, 10, 28);
	memset(&v, 0, sizeof(v));
	assert_int_equal(yahoo_load(y, &req, &v, err), PT_EINVAL);
	assert_string_equal(err, "yahoo serves only today's session (2025-10-29 in New York), not "
				 "2025-10-28; use provider sim or tape for past sessions");
	assert_int_equal(v.n_tickers, 0);
	/* 01:00 New York on 10-30 is 05:00 UTC: still not 10-29's session */
	req.session = day(2025, 10, 29);
	req.asof = 1761800400;
	assert_int_equal(yahoo_load(y, &req, &v, err), PT_EINVAL);
	assert_non_null(strstr(err, "(2025-10-30 in New York)"));
	yahoo_free(y);
	http_free(h);
}

/* Two views equal field by field (NaN equal to NaN). */
static void same_view(const struct market_view *a, const struct market_view *b)
{
	size_t i;

	assert_int_equal(a->session, b->session);
	assert_int_equal(a->asof, b->asof);
	assert_memory_equal(&a->rate, &b->rate, sizeof(a->rate));
	assert_int_equal(a->n_tickers, b->n_tickers);
	for (i = 0; i < a->n_tickers; i++) {
		const struct ticker_view *x = &a->tickers[i], *y = &b->tickers[i];
		size_t k;

		assert_string_equal(x->symbol, y->symbol);
		assert_string_equal(x->source, y->source);
		assert_int_equal(x->ok, y->ok);
		assert_string_equal(x->error, y->error);
		assert_memory_equal(&x->spot, &y->spot, sizeof(x->spot));
		assert_int_equal(x->quote_time, y->quote_time);
		assert_memory_equal(&x->div_yield, &y->div_yield, sizeof(x->div_yield));
		assert_int_equal(x->dropped, y->dropped);
		assert_int_equal(x->n_bars, y->n_bars);
		assert_int_equal(x->n_divs, y->n_divs);
		assert_int_equal(x->n_opts, y->n_opts);
		for (k = 0; k < x->n_bars; k++) {
			assert_int_equal(x->bars[k].date, y->bars[k].date);
			assert_memory_equal(&x->bars[k].open, &y->bars[k].open, sizeof(double));
			assert_memory_equal(&x->bars[k].high, &y->bars[k].high, sizeof(double));
			assert_memory_equal(&x->bars[k].low, &y->bars[k].low, sizeof(double));
			assert_memory_equal(&x->bars[k].close, &y->bars[k].close, sizeof(double));
			assert_int_equal(x->bars[k].volume, y->bars[k].volume);
		}
		for (k = 0; k < x->n_divs; k++) {
			assert_int_equal(x->divs[k].ex_date, y->divs[k].ex_date);
			assert_memory_equal(&x->divs[k].amount, &y->divs[k].amount, sizeof(double));
		}
		for (k = 0; k < x->n_opts; k++) {
			const struct option_quote *p = &x->opts[k], *q = &y->opts[k];
			assert_int_equal(p->expiry, q->expiry);
			assert_int_equal(p->right, q->right);
			assert_memory_equal(&p->strike, &q->strike, sizeof(double));
			assert_memory_equal(&p->bid, &q->bid, sizeof(double));
			assert_memory_equal(&p->ask, &q->ask, sizeof(double));
			assert_memory_equal(&p->last, &q->last, sizeof(double));
			assert_memory_equal(&p->vendor_iv, &q->vendor_iv, sizeof(double));
			assert_int_equal(p->volume, q->volume);
			assert_int_equal(p->open_interest, q->open_interest);
		}
	}
}

static void test_tape_replay(void **state)
{
	static const char *const tk[] = {"AAPL", "MDLY"};
	struct provider_want w[2];
	struct provider_req req;
	struct market_view live, again;
	struct tape tape;
	struct yahoo_opts o;
	struct srv s;
	struct http *h, *r;
	char err[PT_ERRSZ] = "", cookie[128];
	size_t len, lines = 0;
	char *text, *p;
	void *y;

	(void)state;
	srv_start(&s, "{\"require_crumb\":true,\"rules\":[{\"path\":\"/v8/finance/chart/^IRX\","
		      "\"responses\":[{\"body\":\"" IRX_BODY "\"}]}]}");
	tape_init(&tape);
	h = client(&tape);
	y = provider(&s, h, 1);
	req_init(&req, tk, 2);
	memset(w, 0, sizeof(w));
	pt_strlcpy(w[0].ticker, "AAPL", sizeof(w[0].ticker));
	w[0].expiry = day(2025, 11, 7);
	w[1] = near2;
	req.want = w;
	req.n_want = 2;
	memset(&live, 0, sizeof(live));
	if (yahoo_load(y, &req, &live, err))
		fail_msg("live: %s", err);
	yahoo_free(y);
	http_free(h);
	check_aapl(&live.tickers[0]);
	assert_false(live.tickers[1].ok);
	assert_true(isfinite(live.rate));
	/* every response is on the tape, the 401 and the handshake too */
	text = slurp_path(s.log, &len);
	for (p = text; *p; p++)
		lines += *p == '\n';
	free(text);
	assert_int_equal(tape.n, lines);
	assert_int_equal(tape.n, 8);
	assert_int_equal(tape.rec[0].status, 401);
	srv_stop(&s);	/* the network is gone: the tape is all there is */

	r = http_new_replay(&tape);
	assert_non_null(r);
	memset(&o, 0, sizeof(o));
	o.base_url = s.base;
	snprintf(cookie, sizeof(cookie), "%s/consent", s.base);
	o.cookie_url = cookie;
	y = yahoo_new(r, &o);
	memset(&again, 0, sizeof(again));
	if (yahoo_load(y, &req, &again, err))
		fail_msg("replay: %s", err);
	same_view(&live, &again);
	mv_release(&again);
	yahoo_free(y);
	http_free(r);
	mv_release(&live);
	tape_release(&tape);
}

static void test_ops(void **state)
{
	(void)state;
	assert_string_equal(yahoo_provider_ops.name, "yahoo");
	assert_ptr_equal(yahoo_provider_ops.load, yahoo_load);
	assert_ptr_equal(yahoo_provider_ops.free, yahoo_free);
	yahoo_free(NULL);
}

static int teardown(void **state)
{
	(void)state;
	if (srv_running)
		srv_stop(&live_copy);
	return 0;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_teardown(test_chart_aapl, teardown),
		cmocka_unit_test_teardown(test_chart_qqq, teardown),
		cmocka_unit_test_teardown(test_chart_errors, teardown),
		cmocka_unit_test_teardown(test_error_text, teardown),
		cmocka_unit_test_teardown(test_options_aapl, teardown),
		cmocka_unit_test_teardown(test_options_placeholders, teardown),
		cmocka_unit_test_teardown(test_options_qqq, teardown),
		cmocka_unit_test_teardown(test_options_empty, teardown),
		cmocka_unit_test_teardown(test_options_errors, teardown),
		cmocka_unit_test_teardown(test_options_hostile, teardown),
		cmocka_unit_test_teardown(test_chart_hostile, teardown),
		cmocka_unit_test_teardown(test_truncated, teardown),
		cmocka_unit_test_teardown(test_mutations, teardown),
		cmocka_unit_test_teardown(test_big, teardown),
		cmocka_unit_test_teardown(test_load_full, teardown),
		cmocka_unit_test_teardown(test_load_merge, teardown),
		cmocka_unit_test_teardown(test_load_two_nearest, teardown),
		cmocka_unit_test_teardown(test_crumb_handshake, teardown),
		cmocka_unit_test_teardown(test_crumb_stale, teardown),
		cmocka_unit_test_teardown(test_crumb_401_once, teardown),
		cmocka_unit_test_teardown(test_crumb_401_twice, teardown),
		cmocka_unit_test_teardown(test_crumb_unavailable, teardown),
		cmocka_unit_test_teardown(test_ticker_failures, teardown),
		cmocka_unit_test_teardown(test_transport_failure, teardown),
		cmocka_unit_test_teardown(test_only_today, teardown),
		cmocka_unit_test_teardown(test_tape_replay, teardown),
		cmocka_unit_test_teardown(test_ops, teardown),
	};

	signal(SIGPIPE, SIG_IGN);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
