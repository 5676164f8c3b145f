/*
 * test_history.c - unit tests of the end-of-day option history (history/,
 * store/histdb.c, market/history.c; docs/history.md): the number and date
 * parsers at their boundaries; each layout read into the store and read
 * back exactly; every kind of bad row dropped and counted; an unknown
 * layout naming the columns it lacks; truncated and corrupt zstd; an import
 * that fails leaving the store byte for byte as it was; re-imports and
 * overlaps; damaged files refused; and the provider: its as-of moment, bars
 * strictly before the session, no look-ahead (every row dated after D
 * changed, the view of D identical), tickers and sessions it lacks, rates.
 *
 * The option numbers are real: AAPL's chain of 2025-10-29 as Yahoo recorded
 * it (tests/fixtures/yahoo/yahoo-AAPL-options-2025-10-29.json: the 255 call,
 * bid 15.30, ask 16.00, last 15.45, volume 4682, open interest 6100, IV
 * 0.696292; the 242.5 put, bid 0.10, ask 0.13, last 0.11, volume 1155, OI
 * 1953, IV 0.716800; spot 269.70 at the close) and the chart's closes
 * before it (268.81 on 10-27, 269.00 on 10-28). Rows on other days, and the
 * bad rows, are made up around them and say so.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sqlite3.h>
#include <zstd.h>

#include "history/himport.h"
#include "history/hist.h"
#include "market/calendar.h"
#include "market/history.h"
#include "market/view.h"
#include "util/date.h"
#include "util/util.h"
#include "tmpdir.h"

#define DX_HEAD                                                                                    \
	"[QUOTE_UNIXTIME], [QUOTE_READTIME], [QUOTE_DATE], [QUOTE_TIME_HOURS], "                   \
	"[UNDERLYING_LAST], "                                                                      \
	"[EXPIRE_DATE], [EXPIRE_UNIX], [DTE], [C_DELTA], [C_GAMMA], [C_VEGA], [C_THETA], "         \
	"[C_RHO], [C_IV], [C_VOLUME], [C_LAST], [C_SIZE], [C_BID], [C_ASK], [STRIKE], [P_BID], "   \
	"[P_ASK], [P_SIZE], [P_LAST], [P_DELTA], [P_GAMMA], [P_VEGA], [P_THETA], [P_RHO], "        \
	"[P_IV], [P_VOLUME], [STRIKE_DISTANCE], [STRIKE_DISTANCE_PCT]\n"

/* An OptionsDX line: date, underlying, expiry, strike, then the call's
 * iv, volume, last, bid, ask and the put's bid, ask, last, iv, volume. */
static void dx_line(struct sbuf *sb, const char *day, const char *und, const char *exp,
		    const char *k, const char *civ, const char *cvol, const char *clast,
		    const char *cbid, const char *cask, const char *pbid, const char *pask,
		    const char *plast, const char *piv, const char *pvol)
{
	sb_addf(sb,
		"0, %s 16:00, %s, 16.000000, %s, %s, 0, 2.000000, 0.5, 0.01, 0.1, -0.1, 0.01, %s, "
		"%s, %s, 1 x 1, %s, %s, %s, %s, %s, 1 x 1, %s, -0.5, 0.01, 0.1, -0.1, -0.01, %s, "
		"%s, 0.000000, 0.000000\n",
		day, day, und, exp, civ, cvol, clast, cbid, cask, k, pbid, pask, plast, piv, pvol);
}

static void spit(const char *path, const char *text, size_t n)
{
	FILE *f = fopen(path, "wb");

	assert_non_null(f);
	assert_int_equal(fwrite(text, 1, n, f), n);
	assert_int_equal(fclose(f), 0);
}

static char *slurp(const char *path, size_t *n)
{
	FILE *f = fopen(path, "rb");
	char *buf;
	long len;

	if (!f)
		return NULL;
	fseek(f, 0, SEEK_END);
	len = ftell(f);
	fseek(f, 0, SEEK_SET);
	buf = xmalloc((size_t)len + 1);
	assert_int_equal(fread(buf, 1, (size_t)len, f), (size_t)len);
	fclose(f);
	buf[len] = '\0';
	*n = (size_t)len;
	return buf;
}

static int D(int y, int m, int d)
{
	return date_from_ymd(y, m, d);
}

/* The store's state: a hash of its file names, the manifest and every
 * .hist file's bytes. */
static char *store_state(const char *home)
{
	char cmd[PATH_MAX + 64], *out;
	size_t n;

	snprintf(cmd, sizeof(cmd),
		 "cd '%s/history' 2>/dev/null && (ls; cat MANIFEST *.hist) | sha256sum > ../state",
		 home);
	if (system(cmd) != 0)
		return xstrdup("(none)");
	snprintf(cmd, sizeof(cmd), "%s/state", home);
	out = slurp(cmd, &n);
	return out ? out : xstrdup("(none)");
}

static int import(const char *home, const char *ticker, const char *rates, const char **files,
		  size_t n, struct himp_result *r, char *err)
{
	struct himp_opts o;

	memset(&o, 0, sizeof(o));
	o.home = home;
	o.ticker = ticker;
	o.rates = rates;
	return himp_run(&o, files, n, r, err);
}

/* The AAPL day in OptionsDX: 10-27 and 10-28 carry the underlying only
 * (empty quotes), 10-29 two real contracts. */
static void aapl_dx(const char *path)
{
	struct sbuf sb;

	sb_init(&sb, 1 << 20);
	sb_addf(&sb, "%s", DX_HEAD);
	dx_line(&sb, "2025-10-27", "268.810000", "2025-10-31", "250.000000", "", "", "", "", "", "",
		"", "", "", "");
	dx_line(&sb, "2025-10-28", "269.000000", "2025-10-31", "250.000000", "", "", "", "", "", "",
		"", "", "", "");
	dx_line(&sb, "2025-10-29", "269.700000", "2025-10-31", "255.000000", "0.696292",
		"4682.000000", "15.450000", "15.300000", "16.000000", "0.050000", "0.070000",
		"0.060000", "0.900000", "10.000000");
	dx_line(&sb, "2025-10-29", "269.700000", "2025-10-31", "242.500000", "0.500000", "1.000000",
		"27.000000", "26.900000", "27.600000", "0.100000", "0.130000", "0.110000",
		"0.716800", "1155.000000");
	spit(path, sb_str(&sb), sb.len);
	sb_release(&sb);
}

static void test_fixed(void **state)
{
	int64_t v;

	(void)state;
	assert_int_equal(himp_fixed("15.30", 5, 4, &v), 0);
	assert_int_equal(v, 153000);
	assert_int_equal(himp_fixed(" 16.000000", 10, 4, &v), 0);
	assert_int_equal(v, 160000);
	/* the fifth decimal rounds half away from zero */
	assert_int_equal(himp_fixed("1.23455", 7, 4, &v), 0);
	assert_int_equal(v, 12346);
	assert_int_equal(himp_fixed("1.234549999", 11, 4, &v), 0);
	assert_int_equal(v, 12345);
	assert_int_equal(himp_fixed("-0.00005", 8, 4, &v), 0);
	assert_int_equal(v, -1);
	assert_int_equal(himp_fixed("7", 1, 4, &v), 0);
	assert_int_equal(v, 70000);
	assert_int_equal(himp_fixed(".5", 2, 4, &v), 0);
	assert_int_equal(v, 5000);
	assert_int_equal(himp_fixed("1.0000000000000003E-5", 21, 6, &v), 0);
	assert_int_equal(v, 10);
	assert_int_equal(himp_fixed("", 0, 4, &v), 1);
	assert_int_equal(himp_fixed("  ", 2, 4, &v), 1);
	assert_int_equal(himp_fixed("\"\"", 2, 4, &v), 1);
	assert_int_equal(himp_fixed("abc", 3, 4, &v), -1);
	assert_int_equal(himp_fixed("1.2.3", 5, 4, &v), -1);
	assert_int_equal(himp_fixed("-", 1, 4, &v), -1);
	assert_int_equal(himp_fixed("nan", 3, 4, &v), -1);
	assert_int_equal(himp_fixed("inf", 3, 4, &v), -1);
	assert_int_equal(himp_fixed("1e999", 5, 4, &v), -1);
	assert_int_equal(himp_fixed("99999999999999999999", 20, 4, &v), -1);
	assert_int_equal(himp_fixed("900000000000000", 15, 4, &v), 0);
	assert_int_equal(v, 9000000000000000000LL);
}

/* himp_fixed and its general reading agree on s at every scale. */
static void same_fixed(const char *s, size_t n)
{
	int dec;

	for (dec = 0; dec <= 6; dec++) {
		int64_t a = -77, b = -77;
		int ra = himp_fixed(s, n, dec, &a), rb = himp_fixed_any(s, n, dec, &b);

		if (ra != rb || (ra == 0 && a != b))
			fail_msg("himp_fixed(\"%.*s\", %d): %d %" PRId64
				 ", himp_fixed_any %d %" PRId64,
				 (int)n, s, dec, ra, a, rb, b);
	}
}

/* The fast path of himp_fixed (blanks, at most nine digits, a point and
 * digits) at its edges and on random text: the same as himp_fixed_any. */
static void test_fixed_fast(void **state)
{
	static const char *const edge[] = {
		"0", "7", "0.0", "00000000", "123456789", "1234567890", "999999999",
		"999999999.999999", "999999999.9999995", "999999999.99999949", "1.", ".", ".5",
		"5.", " 75.780000", "   0.000050", "0.00005", "0.000049", "0.0000499999",
		"0.000045", "1.23455", "1.234549999", "0.5", "0.4", "0.45", "2.5", "-1.5", "+1.5",
		"-0.00005", "1e5", "1.5e-3", "1.5E+3", "1.0000000000000003E-5", " 1.5 ", "1.5 ",
		"1.5\t", "\t1.5", "\"1.5\"", "1.5\r", "1 .5", "1. 5", "1..5", "1.5.", "1.5x",
		"x1.5", "00001.00001", "0000000001.5", "000000001.5", "", " ", "  ", "abc", "1a",
		"9.", "-", "+", "-.", "nan", "inf", "123456789.123456789123456789",
		"12345678.1234567", "900000000000000", "9000000000000000", "0.99999999",
	};
	uint64_t rng = 0x9e3779b97f4a7c15ULL;
	size_t i, j;
	char buf[40];

	(void)state;
	for (i = 0; i < sizeof(edge) / sizeof(*edge); i++)
		same_fixed(edge[i], strlen(edge[i]));
	/* every prefix of a long number */
	for (i = 0; i <= 30; i++)
		same_fixed("123456789012.3456789012345678", i);
	for (i = 0; i < 400000; i++) {
		size_t n = 0;

		rng ^= rng << 13;
		rng ^= rng >> 7;
		rng ^= rng << 17;
		if (i % 2) {
			/* well formed: spaces, digits, a point, digits */
			size_t sp = rng % 3, in = (rng >> 2) % 11, fr = (rng >> 6) % 9;
			uint64_t d = rng >> 12;

			for (j = 0; j < sp; j++)
				buf[n++] = ' ';
			for (j = 0; j < in; j++, d /= 10)
				buf[n++] = (char)('0' + d % 10);
			if ((rng >> 10) % 4)
				buf[n++] = '.';
			for (j = 0; j < fr; j++, d /= 10)
				buf[n++] = (char)('0' + (d ^ j) % 10);
		} else {
			/* anything of the characters numbers are made of, at most
			 * 12 of them (no reading of either can overflow) */
			static const char abc[] = "0123456789012345678901234.. -+eE\"\t\rx";
			size_t len = rng % 13;
			uint64_t d = rng >> 4;

			for (j = 0; j < len; j++) {
				if (!d)
					d = rng * 0x2545F4914F6CDD1DULL | 1;
				buf[n++] = abc[d % (sizeof(abc) - 1)];
				d /= sizeof(abc) - 1;
			}
		}
		same_fixed(buf, n);
	}
}

static void test_dates(void **state)
{
	int d;

	(void)state;
	assert_int_equal(himp_date("2025-10-29", 10, &d), 0);
	assert_int_equal(d, D(2025, 10, 29));
	assert_int_equal(himp_date(" 2025-10-29 16:00", 17, &d), 0);
	assert_int_equal(d, D(2025, 10, 29));
	assert_int_equal(himp_date("2025-10-29T00:00:00", 19, &d), 0);
	assert_int_equal(himp_date("1/4/2016 0:00:00", 16, &d), 0);
	assert_int_equal(d, D(2016, 1, 4));
	assert_int_equal(himp_date("12/31/2024", 10, &d), 0);
	assert_int_equal(d, D(2024, 12, 31));
	assert_int_equal(himp_date("2024-02-29", 10, &d), 0);
	assert_int_equal(himp_date("2025-02-29", 10, &d), -1);
	assert_int_equal(himp_date("2025-13-01", 10, &d), -1);
	assert_int_equal(himp_date("2025-10-29x", 11, &d), -1);
	assert_int_equal(himp_date("13/1/2024", 9, &d), -1);
	assert_int_equal(himp_date("20251029", 8, &d), -1);
	assert_int_equal(himp_date("", 0, &d), -1);
}

/* The view of session for tickers (n), as of asof (0: none given). */
static int view(const char *home, int session, const char *const *tk, size_t n, int64_t asof,
		long days, struct market_view *v, char *err)
{
	struct provider_want w = {"", 0, days};
	struct provider_req req;
	void *st = history_new(home);
	int rc;

	memset(&req, 0, sizeof(req));
	memset(v, 0, sizeof(*v));
	req.session = session;
	req.asof = asof;
	req.tickers = tk;
	req.n = n;
	req.hist_from = session - 120;
	req.want = &w;
	req.n_want = 1;
	rc = history_provider_ops.load(st, &req, v, err);
	history_free(st);
	return rc;
}

static void test_optionsdx(void **state)
{
	char home[PATH_MAX], file[PATH_MAX], err[PT_ERRSZ];
	const char *files[1] = {file};
	const char *tk[2] = {"AAPL", "VOO"};
	struct himp_result r;
	struct market_view v;
	const struct ticker_view *t;
	const struct option_quote *c, *p;
	int64_t close;

	(void)state;
	path_of(home, sizeof(home), "dx");
	path_of(file, sizeof(file), "aapl_eod_202510.txt");
	aapl_dx(file);
	/* the ticker from OptionsDX's own file name */
	assert_int_equal(import(home, NULL, NULL, files, 1, &r, err), 0);
	assert_string_equal(r.files[0].layout, "optionsdx");
	assert_int_equal(r.read, 8);
	assert_int_equal(r.kept, 4);
	assert_int_equal(r.dropped[HIMP_NO_QUOTE], 4);
	assert_int_equal(r.n_tk, 1);
	assert_string_equal(r.tk[0].ticker, "AAPL");
	assert_int_equal(r.tk[0].sessions, 1);
	assert_int_equal(r.tk[0].bars, 3);
	assert_int_equal(r.tk[0].after.rows, 4);
	himp_result_release(&r);

	assert_int_equal(view(home, D(2025, 10, 29), tk, 2, 0, 2, &v, err), 0);
	t = mv_ticker(&v, "AAPL");
	assert_non_null(t);
	assert_true(t->ok);
	assert_string_equal(t->source, "history");
	assert_true(t->spot == 269.7);
	assert_int_equal(cal_ny_to_epoch(D(2025, 10, 29), 960, &close), 0);
	assert_int_equal(t->quote_time, close);
	assert_int_equal(v.asof, close);
	/* bars strictly before the session */
	assert_int_equal(t->n_bars, 2);
	assert_int_equal(t->bars[0].date, D(2025, 10, 27));
	assert_true(t->bars[0].close == 268.81);
	assert_true(isnan(t->bars[0].open));
	assert_int_equal(t->bars[1].date, D(2025, 10, 28));
	assert_int_equal(t->n_divs, 0);
	assert_true(t->div_yield == 0);
	assert_int_equal(t->n_opts, 4);
	c = tv_find_option(t, D(2025, 10, 31), 255, 'C');
	p = tv_find_option(t, D(2025, 10, 31), 242.5, 'P');
	assert_non_null(c);
	assert_non_null(p);
	assert_true(c->bid == 15.3 && c->ask == 16.0 && c->last == 15.45);
	assert_int_equal(c->volume, 4682);
	assert_int_equal(c->open_interest, -1); /* OptionsDX has none */
	assert_true(fabs(c->vendor_iv - 0.696292) < 1e-12);
	assert_true(p->bid == 0.1 && p->ask == 0.13 && p->last == 0.11);
	assert_int_equal(p->volume, 1155);
	/* calls before puts, by strike */
	assert_int_equal(t->opts[0].right, 'C');
	assert_true(t->opts[0].strike == 242.5);
	assert_int_equal(t->opts[2].right, 'P');
	/* a ticker the history lacks, named with those it has */
	t = mv_ticker(&v, "VOO");
	assert_false(t->ok);
	assert_string_equal(t->error, "VOO: not in the history (imported: AAPL)");
	assert_true(isnan(v.rate));
	mv_release(&v);

	/* sessions outside, and a gap inside */
	assert_int_equal(view(home, D(2025, 10, 30), tk, 1, 0, 2, &v, err), 0);
	assert_false(v.tickers[0].ok);
	assert_string_equal(v.tickers[0].error,
			    "AAPL: 2025-10-30 is outside the history (2025-10-29..2025-10-29)");
	mv_release(&v);

	/* as of a moment before the quotes' time: not served; at it, served */
	assert_int_equal(view(home, D(2025, 10, 29), tk, 1, close - 60, 2, &v, err), 0);
	assert_false(v.tickers[0].ok);
	assert_non_null(strstr(v.tickers[0].error, "are from 16:00 New York, after the as-of"));
	mv_release(&v);
	assert_int_equal(view(home, D(2025, 10, 29), tk, 1, close, 2, &v, err), 0);
	assert_true(v.tickers[0].ok);
	mv_release(&v);

	/* --ticker wins over the name; a name with no ticker needs --ticker */
	path_of(file, sizeof(file), "chain.txt");
	aapl_dx(file);
	assert_int_equal(import(home, NULL, NULL, files, 1, &r, err), PT_EINVAL);
	assert_non_null(strstr(err, "chain.txt: an OptionsDX file names no ticker: give --ticker"));
	himp_result_release(&r);
	assert_int_equal(import(home, "aapl2", NULL, files, 1, &r, err), 0);
	assert_string_equal(r.tk[0].ticker, "AAPL2");
	himp_result_release(&r);
}

/* Each kind of bad row, one line of each, counted under its reason. */
static void test_bad_rows(void **state)
{
	char home[PATH_MAX], file[PATH_MAX], err[PT_ERRSZ];
	const char *files[1] = {file};
	struct himp_result r;
	struct sbuf sb;
	const char *e = "2025-10-31", *d = "2025-10-29";

	(void)state;
	path_of(home, sizeof(home), "bad");
	path_of(file, sizeof(file), "bad.txt");
	sb_init(&sb, 1 << 20);
	sb_addf(&sb, "%s", DX_HEAD);
	/* good: the 255 call and a put */
	dx_line(&sb, d, "269.7", e, "255", "0.69", "4682", "15.45", "15.30", "16.00", "0.05",
		"0.07", "0.06", "0.9", "10");
	/* a short line (both options) */
	sb_addf(&sb, "0, %s 16:00, %s, 16.0, 269.7, %s\n", d, d, e);
	/* not a date; a weekend; expiry before the quote date (both options each) */
	dx_line(&sb, "2025-10-32", "269.7", e, "255", "", "", "", "1", "2", "1", "2", "", "", "");
	dx_line(&sb, "2025-10-25", "269.7", e, "255", "", "", "", "1", "2", "1", "2", "", "", "");
	dx_line(&sb, d, "269.7", "2025-10-28", "255", "", "", "", "1", "2", "1", "2", "", "", "");
	/* no strike, a zero strike (both options each) */
	dx_line(&sb, d, "269.7", e, "", "", "", "", "1", "2", "1", "2", "", "", "");
	dx_line(&sb, d, "269.7", e, "0", "", "", "", "1", "2", "1", "2", "", "", "");
	/* call: crossed; put: zero width */
	dx_line(&sb, d, "269.7", e, "260", "", "", "", "2.00", "1.90", "1.00", "1.00", "", "", "");
	/* call: no ask; put: a negative bid */
	dx_line(&sb, d, "269.7", e, "265", "", "", "", "1.00", "", "-0.10", "1.00", "", "", "");
	/* call: a fractional volume; put: a price too large to store */
	dx_line(&sb, d, "269.7", e, "270", "", "2.5", "", "1.00", "1.10", "1.00", "300000", "", "",
		"");
	/* the same contract again: the later row wins */
	dx_line(&sb, d, "269.7", e, "255", "0.70", "4700", "15.50", "15.40", "16.10", "0.05",
		"0.07", "0.06", "0.9", "10");
	/* expiring on the quote date itself: kept (the boundary of "expired") */
	dx_line(&sb, d, "269.7", d, "250", "", "", "", "19.60", "19.80", "0.01", "0.02", "", "",
		"");
	/* a session without an underlying price */
	dx_line(&sb, "2025-10-30", "", e, "255", "", "", "", "1", "2", "1", "2", "", "", "");
	spit(file, sb_str(&sb), sb.len);
	sb_release(&sb);
	assert_int_equal(import(home, "AAPL", NULL, files, 1, &r, err), 0);
	assert_int_equal(r.read, 26);
	assert_int_equal(r.dropped[HIMP_SHORT], 2);
	assert_int_equal(r.dropped[HIMP_DATE], 2);
	assert_int_equal(r.dropped[HIMP_SESSION], 2);
	assert_int_equal(r.dropped[HIMP_EXPIRED], 2);
	assert_int_equal(r.dropped[HIMP_STRIKE], 4);
	assert_int_equal(r.dropped[HIMP_CROSSED], 1);
	assert_int_equal(r.dropped[HIMP_ZERO_WIDTH], 1);
	assert_int_equal(r.dropped[HIMP_NO_QUOTE], 1);
	assert_int_equal(r.dropped[HIMP_NUMBER], 2);
	assert_int_equal(r.dropped[HIMP_RANGE], 1);
	assert_int_equal(r.dropped[HIMP_DUPLICATE], 2);
	assert_int_equal(r.dropped[HIMP_UNDERLYING], 2);
	assert_int_equal(r.kept, 4);
	himp_result_release(&r);
	{
		const char *tk[1] = {"AAPL"};
		struct market_view v;
		const struct option_quote *c;

		assert_int_equal(view(home, D(2025, 10, 29), tk, 1, 0, 2, &v, err), 0);
		c = tv_find_option(&v.tickers[0], D(2025, 10, 31), 255, 'C');
		assert_non_null(c);
		assert_true(c->bid == 15.4 && c->volume == 4700);
		assert_int_equal(v.tickers[0].n_opts, 2);
		mv_release(&v);
		/* served when asked for that expiration */
		{
			struct provider_want w = {"", D(2025, 10, 29), 0};
			struct provider_req req;
			void *st = history_new(home);

			memset(&req, 0, sizeof(req));
			req.session = D(2025, 10, 29);
			req.tickers = tk;
			req.n = 1;
			req.want = &w;
			req.n_want = 1;
			assert_int_equal(history_provider_ops.load(st, &req, &v, err), 0);
			assert_int_equal(v.tickers[0].n_opts, 2);
			assert_true(v.tickers[0].opts[0].bid == 19.6);
			mv_release(&v);
			history_free(st);
		}
	}
}

#define CB_HEAD                                                                                    \
	"underlying_symbol,quote_date,root,expiration,strike,option_type,open,high,low,close,"     \
	"trade_volume,bid_size_1545,bid_1545,ask_size_1545,ask_1545,underlying_bid_1545,"          \
	"underlying_ask_1545,implied_underlying_price_1545,active_underlying_price_1545,"          \
	"implied_volatility_1545,delta_1545,gamma_1545,theta_1545,vega_1545,rho_1545,"             \
	"open_interest\n"

static void test_cboe(void **state)
{
	char home[PATH_MAX], file[PATH_MAX], err[PT_ERRSZ];
	const char *files[1] = {file};
	const char *tk[1] = {"AAPL"};
	struct himp_result r;
	struct market_view v;
	const struct option_quote *c;
	int64_t t1545;
	static const char text[] = CB_HEAD
		"AAPL,2025-10-28,AAPL,2025-10-31,250,C,,,,,,,,,,269.00,269.00,,269.00,,,,,,,\n"
		"AAPL,2025-10-29,AAPL,2025-10-31,255.000,C,0,0,0,15.45,4682,10,15.30,10,16.00,"
		"269.60,269.80,0,269.70,0.696292,0,0,0,0,0,6100\n"
		"AAPL,2025-10-29,AAPL,2025-10-31,242.500,p,0,0,0,0.11,1155,10,0.10,10,0.13,"
		"269.60,269.80,0,269.70,0.7168,0,0,0,0,0,1953\n"
		/* another underlying: skipped with --ticker AAPL */
		"QQQ,2025-10-29,QQQ,2025-10-31,600,C,0,0,0,1,1,1,1.00,1,1.10,629,630,0,629.5,0.2,0,"
		"0,0,"
		"0,0,1\n"
		/* bad: not a right, a bad symbol, a bad number (open interest) */
		"AAPL,2025-10-29,AAPL,2025-10-31,260,X,0,0,0,1,1,1,1.00,1,1.10,269.6,269.8,0,0,0,0,"
		"0,0,"
		"0,0,1\n"
		"A "
		"APL!,2025-10-29,AAPL,2025-10-31,260,C,0,0,0,1,1,1,1.00,1,1.10,269.6,269.8,0,0,0,0,"
		"0,"
		"0,0,0,1\n"
		"AAPL,2025-10-29,AAPL,2025-10-31,265,C,0,0,0,1,1,1,1.00,1,1.10,269.6,269.8,0,0,0,0,"
		"0,0,"
		"0,0,many\n";

	(void)state;
	path_of(home, sizeof(home), "cboe");
	path_of(file, sizeof(file), "cboe.csv");
	spit(file, text, strlen(text));
	assert_int_equal(import(home, "AAPL", NULL, files, 1, &r, err), 0);
	assert_string_equal(r.files[0].layout, "cboe");
	assert_int_equal(r.skipped, 1);
	assert_int_equal(r.dropped[HIMP_RIGHT], 1);
	assert_int_equal(r.dropped[HIMP_SYMBOL], 1);
	assert_int_equal(r.dropped[HIMP_NUMBER], 1);
	assert_int_equal(r.dropped[HIMP_NO_QUOTE], 1);
	assert_int_equal(r.kept, 2);
	himp_result_release(&r);
	assert_int_equal(view(home, D(2025, 10, 29), tk, 1, 0, 2, &v, err), 0);
	assert_true(v.tickers[0].ok);
	/* the 15:45 underlying mid, as of 15:45 */
	assert_true(v.tickers[0].spot == 269.7);
	assert_int_equal(cal_ny_to_epoch(D(2025, 10, 29), 945, &t1545), 0);
	assert_int_equal(v.tickers[0].quote_time, t1545);
	assert_int_equal(v.tickers[0].n_bars, 1);
	c = tv_find_option(&v.tickers[0], D(2025, 10, 31), 255, 'C');
	assert_non_null(c);
	assert_int_equal(c->open_interest, 6100);
	assert_true(c->last == 15.45);
	assert_non_null(tv_find_option(&v.tickers[0], D(2025, 10, 31), 242.5, 'P'));
	mv_release(&v);
}

/* options-dataset-hist's SQLite layout, written here with SQLite. */
static void make_db(const char *path, int drop_bid)
{
	sqlite3 *db;
	char *e = NULL;

	unlink(path);
	assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
	assert_int_equal(
		sqlite3_exec(
			db,
			drop_bid
				? "CREATE TABLE options_data (contract_id TEXT, symbol TEXT, "
				  "expiration "
				  "TEXT, strike REAL, type TEXT, ask REAL, date TEXT);"
				  "CREATE TABLE underlying_prices (date TEXT, close REAL);"
				: "CREATE TABLE options_data (contract_id TEXT, symbol TEXT, "
				  "expiration "
				  "TEXT, strike REAL, type TEXT, last REAL, mark REAL, bid REAL, "
				  "bid_size INTEGER, ask REAL, ask_size INTEGER, volume INTEGER, "
				  "open_interest INTEGER, date TEXT, implied_volatility REAL, "
				  "delta REAL, "
				  "gamma REAL, theta REAL, vega REAL, rho REAL, in_the_money "
				  "INTEGER);"
				  "CREATE TABLE underlying_prices (date TEXT, open REAL, high "
				  "REAL, low "
				  "REAL, close REAL, volume INTEGER, adjusted_close REAL, "
				  "dividend_amount "
				  "REAL, split_coefficient REAL);"
				  "INSERT INTO underlying_prices VALUES "
				  "('2025-08-11', 227.92, 229.56, 224.76, 227.18, 61806100, "
				  "227.18, 0.26, 1),"
				  "('2025-10-27', 264.88, 269.12, 264.65, 268.81, 44888200, "
				  "268.81, 0, 1),"
				  "('2025-10-28', 268.99, 269.89, 268.15, 269.0, 41534800, 269.0, "
				  "0, 1),"
				  "('2025-10-29', 269.275, 271.41, 267.11, 269.7, 51086700, 269.7, "
				  "0, 1);"
				  "INSERT INTO options_data VALUES "
				  "('AAPL251031C00255000','AAPL','2025-10-31',255.0,'call',15.45,"
				  "15.65,"
				  "15.3,NULL,16.0,NULL,4682,6100,'2025-10-29',0.696292,NULL,NULL,"
				  "NULL,NULL,"
				  "NULL,1),"
				  "('AAPL251031P00242500','AAPL','2025-10-31',242.5,'put',0.11,0."
				  "115,0.1,"
				  "NULL,0.13,NULL,1155,1953,'2025-10-29',0.7168,NULL,NULL,NULL,"
				  "NULL,NULL,0),"
				  "('x','AAPL','2025-10-31',250.0,'straddle',1,1,1,NULL,2,NULL,1,1,"
				  "'2025-10-29',0.5,NULL,NULL,NULL,NULL,NULL,0),"
				  "('y','AAPL','2025-10-31',250.0,'call',1,1,NULL,NULL,2,NULL,1,1,"
				  "'2025-10-29',0.5,NULL,NULL,NULL,NULL,NULL,0),"
				  "('z','AAPL','2025-10-31',250.0,'put',1,1,1,NULL,2,NULL,1,1,"
				  "'29/10/2025',0.5,NULL,NULL,NULL,NULL,NULL,0);",
			NULL, NULL, &e),
		SQLITE_OK);
	sqlite3_close(db);
}

/* ZSTD_compress of the file at in into out, cut to keep bytes (0: all),
 * or with the byte at flip (if >= 0) changed. */
static void zst(const char *in, const char *out, size_t keep, long flip)
{
	size_t n, cap, z;
	char *src = slurp(in, &n), *dst;

	assert_non_null(src);
	cap = ZSTD_compressBound(n);
	dst = xmalloc(cap);
	z = ZSTD_compress(dst, cap, src, n, 3);
	assert_false(ZSTD_isError(z));
	if (flip >= 0)
		dst[flip] = (char)(dst[flip] ^ 0x5a);
	spit(out, dst, keep ? keep : z);
	free(src);
	free(dst);
}

static void test_sqlite_and_zstd(void **state)
{
	char home[PATH_MAX], db[PATH_MAX], z[PATH_MAX], err[PT_ERRSZ], *before, *after;
	const char *files[1] = {z};
	const char *tk[1] = {"AAPL"};
	struct himp_result r;
	struct market_view v;
	size_t n;
	char *raw;

	(void)state;
	path_of(home, sizeof(home), "db");
	path_of(db, sizeof(db), "aapl.db");
	path_of(z, sizeof(z), "aapl.db.zst");
	make_db(db, 0);
	zst(db, z, 0, -1);
	assert_int_equal(import(home, NULL, NULL, files, 1, &r, err), 0);
	assert_string_equal(r.files[0].layout, "options-dataset-hist");
	assert_true(r.files[0].zstd);
	assert_int_equal(r.read, 5);
	assert_int_equal(r.kept, 2);
	assert_int_equal(r.dropped[HIMP_RIGHT], 1);
	assert_int_equal(r.dropped[HIMP_NO_QUOTE], 1);
	assert_int_equal(r.dropped[HIMP_DATE], 1);
	assert_int_equal(r.tk[0].bars, 4);
	assert_int_equal(r.tk[0].divs, 1);
	himp_result_release(&r);
	/* nothing left of the decompressed copy */
	{
		char cmd[PATH_MAX + 64];
		snprintf(cmd, sizeof(cmd), "ls '%s/history' | grep -q tmp", home);
		assert_int_not_equal(system(cmd), 0);
	}
	assert_int_equal(view(home, D(2025, 10, 29), tk, 1, 0, 2, &v, err), 0);
	assert_true(v.tickers[0].ok);
	assert_true(v.tickers[0].spot == 269.7);
	assert_int_equal(v.tickers[0].n_bars, 3);
	assert_true(v.tickers[0].bars[1].open == 264.88);
	assert_int_equal(v.tickers[0].bars[1].volume, 44888200);
	/* the August dividend: within a year, so the yield is a year of them */
	assert_int_equal(v.tickers[0].n_divs, 1);
	assert_true(fabs(v.tickers[0].div_yield - log1p(0.26 / 269.7)) < 1e-15);
	assert_int_equal(v.tickers[0].n_opts, 2);
	assert_int_equal(tv_find_option(&v.tickers[0], D(2025, 10, 31), 242.5, 'P')->open_interest,
			 1953);
	mv_release(&v);

	/* truncated and corrupt zstd fail, the store as it was */
	before = store_state(home);
	raw = slurp(z, &n);
	free(raw);
	zst(db, z, n - 7, -1);
	assert_int_equal(import(home, NULL, NULL, files, 1, &r, err), PT_EINVAL);
	assert_non_null(strstr(err, "aapl.db.zst: truncated zstd data"));
	himp_result_release(&r);
	zst(db, z, 0, (long)n / 2);
	assert_int_not_equal(import(home, NULL, NULL, files, 1, &r, err), 0);
	assert_non_null(strstr(err, "aapl.db.zst: "));
	himp_result_release(&r);
	after = store_state(home);
	assert_string_equal(before, after);
	free(before);
	free(after);

	/* a database lacking columns names them */
	make_db(db, 1);
	files[0] = db;
	assert_int_equal(import(home, NULL, NULL, files, 1, &r, err), PT_EINVAL);
	assert_non_null(strstr(err, "options_data lacks bid"));
	himp_result_release(&r);
}

/*
 * Sessions of made-up AAPL quotes in OptionsDX, with what a piece of text
 * must not lose at its edges: sessions of many lines (cut anywhere by small
 * pieces), a session whose first lines give no underlying price (a later
 * one does), a session that never gives one (its rows: no_underlying), a
 * contract again later in its session (the later row kept), empty quotes,
 * a short line, an empty line, CRLF endings, and no newline at the end.
 * order: 0 as the sessions come, 1 the sessions backwards (each session's
 * lines in their order), 2 the price of session 4 given after the other
 * sessions (lines out of order though the rows are not).
 */
static void dx_sessions(const char *path, int order, int from, int to)
{
	static const char *const days[] = {"2025-10-20", "2025-10-21", "2025-10-22",
					   "2025-10-23", "2025-10-24", "2025-10-27"};
	static const char *const exps[] = {"2025-10-31", "2025-11-21", "2025-12-19"};
	struct sbuf sb, late;
	int s, x, k;

	sb_init(&sb, 1 << 20);
	sb_init(&late, 1 << 20);
	if (from == 0)
		sb_addf(&sb, "%s", DX_HEAD);
	for (s = from; s < to; s++) {
		int d = order == 1 ? to - 1 - (s - from) : s;
		char und[32];

		snprintf(und, sizeof(und), "%d.%02d0000", 260 + d, 10 + d);
		for (x = 0; x < 3; x++)
			for (k = 0; k < 12; k++) {
				char strike[32], cb[32], ca[32], pb[32], pa[32];
				/* session 2 gives its price from its fourth line on,
				 * session 4 never */
				const char *u = (d == 2 && x == 0 && k < 3) || d == 4 ? "" : und;
				struct sbuf *to_sb = &sb;

				snprintf(strike, sizeof(strike), "%d.000000", 250 + 5 * k);
				snprintf(cb, sizeof(cb), "%d.%02d0000", 20 - k, d + x);
				snprintf(ca, sizeof(ca), "%d.%02d0000", 20 - k, 50 + d + x);
				snprintf(pb, sizeof(pb), "%d.%02d0000", k, d + x);
				snprintf(pa, sizeof(pa), "%d.%02d0000", k, 60 + d + x);
				if (k == 7 && x == 1)
					/* empty quotes: the underlying only */
					dx_line(to_sb, days[d], u, exps[x], strike, "", "", "", "", "",
						"", "", "", "", "");
				else
					dx_line(to_sb, days[d], u, exps[x], strike, "0.2", "3.000000",
						"1.000000", cb, ca, pb, pa, "1.000000", "0.3",
						"4.000000");
				if (k == 5 && x == 2) {
					/* the same contract again, other prices: kept */
					dx_line(to_sb, days[d], u, exps[x], strike, "0.25", "5", "2",
						"1.000000", "1.500000", "0.500000", "0.750000", "1",
						"0.35", "6");
					sb_addf(to_sb, "\r\n"); /* an empty line (CRLF) */
				}
				if (k == 9 && x == 0 && d == 3) {
					/* a short line; a line ending in CRLF */
					sb_addf(to_sb, "0, %s 16:00, %s, 16.0\n", days[d], days[d]);
					dx_line(to_sb, days[d], und, exps[x], "400.000000", "0.2", "1",
						"1", "1.10", "1.20", "1.30", "1.40", "1", "0.2", "1");
					to_sb->len--;
					sb_addf(to_sb, "\r\n");
				}
			}
		if (order == 2 && d == 4) {
			/* session 4's price after the others: its rows are kept */
			dx_line(&late, days[4], und, exps[0], "250.000000", "", "", "", "", "", "",
				"", "", "", "");
		}
	}
	sb_addf(&sb, "%s", sb_str(&late));
	/* no newline at the end */
	if (sb.len && sb_str(&sb)[sb.len - 1] == '\n')
		sb.len--;
	spit(path, sb_str(&sb), sb.len);
	sb_release(&sb);
	sb_release(&late);
}

/* Imports files into a fresh home (piece bytes a piece); the store's state
 * and the counts, as text. */
static char *import_state(const char *home, const char **files, size_t n, size_t piece)
{
	struct himp_opts o;
	struct himp_result r;
	char err[PT_ERRSZ], cmd[PATH_MAX + 16], counts[512], *st, *out;
	size_t i, len = 0;
	int rc;

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", home);
	assert_int_equal(system(cmd), 0);
	memset(&o, 0, sizeof(o));
	o.home = home;
	o.ticker = "AAPL";
	o.piece = piece;
	rc = himp_run(&o, files, n, &r, err);
	if (rc)
		fail_msg("import: %s", err);
	len += (size_t)snprintf(counts + len, sizeof(counts) - len, "read %" PRIu64 " kept %" PRIu64,
				r.read, r.kept);
	for (i = 0; i < HIMP_NREASONS; i++)
		len += (size_t)snprintf(counts + len, sizeof(counts) - len, " %" PRIu64,
					r.dropped[i]);
	for (i = 0; i < r.n_tk; i++)
		len += (size_t)snprintf(counts + len, sizeof(counts) - len, " %s %zu %zu",
					r.tk[i].ticker, r.tk[i].sessions, r.tk[i].bars);
	himp_result_release(&r);
	st = store_state(home);
	out = xmalloc(strlen(st) + strlen(counts) + 2);
	snprintf(out, strlen(st) + strlen(counts) + 2, "%s %s", counts, st);
	free(st);
	return out;
}

/*
 * A text file is read in pieces by several threads, and plain OptionsDX
 * text is written to the store as it is read: whatever the pieces (a byte,
 * a few, a line, the whole file), the order of the lines (sessions
 * backwards, or the underlying of a session after later ones: read again,
 * kept in memory) or the files (in order, or not), the store and the counts
 * are those of the same text read whole and kept in memory (a .zst of it,
 * which is never streamed), and the counts are what the text holds.
 */
static void test_pieces(void **state)
{
	static const size_t pieces[] = {0, 1, 7, 97, 400, 4096};
	char home[PATH_MAX], f[3][PATH_MAX], z[PATH_MAX], s1[PATH_MAX], s2[PATH_MAX];
	const char *files[2];
	char *want, *got;
	size_t i;
	int order;

	(void)state;
	path_of(home, sizeof(home), "pieces");
	path_of(z, sizeof(z), "pieces.txt.zst");
	for (order = 0; order < 3; order++) {
		char name[32];

		snprintf(name, sizeof(name), "pieces-%d.txt", order);
		path_of(f[order], sizeof(f[order]), name);
		dx_sessions(f[order], order, 0, 6);
	}
	zst(f[0], z, 0, -1);
	files[0] = z;
	want = import_state(home, files, 1, 0);
	/* 6 sessions of 3 x 12 lines and a contract again, 2 options a line,
	 * and 2 more lines in session 3 (one of them short): 448 options; 2
	 * short, 2 empty quotes a session, session 4's 36 lines without a
	 * price (of them, one of empty quotes), the 2 options again in each of
	 * the other 5 sessions: 352 kept in 5 sessions with 5 bars */
	assert_non_null(strstr(want, "read 448 kept 352 2 0 0 0 0 0 0 12 0 0 0 0 72 10 AAPL 5 5 "));
	for (order = 0; order < 3; order++) {
		char *w;

		/* the same text kept in memory */
		zst(f[order], z, 0, -1);
		files[0] = z;
		w = import_state(home, files, 1, 0);
		if (order < 2)
			assert_string_equal(w, want);
		else
			/* 2 more options read (empty quotes), session 4 kept */
			assert_non_null(strstr(
				w, "read 450 kept 422 2 0 0 0 0 0 0 14 0 0 0 0 0 12 AAPL 6 6 "));
		for (i = 0; i < sizeof(pieces) / sizeof(*pieces); i++) {
			files[0] = f[order];
			got = import_state(home, files, 1, pieces[i]);
			if (strcmp(got, w))
				fail_msg("order %d, pieces of %zu bytes: %s, not %s", order, pieces[i],
					 got, w);
			free(got);
		}
		free(w);
	}
	/* two files of the same ticker, in order and not */
	path_of(s1, sizeof(s1), "aapl_eod_202510a.txt");
	path_of(s2, sizeof(s2), "aapl_eod_202510b.txt");
	dx_sessions(s1, 0, 0, 3);
	dx_sessions(s2, 0, 3, 6);
	{
		/* the second file has no header: give it one */
		size_t n;
		char *body = slurp(s2, &n), *all = xmalloc(n + sizeof(DX_HEAD));

		memcpy(all, DX_HEAD, strlen(DX_HEAD));
		memcpy(all + strlen(DX_HEAD), body, n);
		spit(s2, all, n + strlen(DX_HEAD));
		free(body);
		free(all);
		/* the first one ends without a newline: the second file's first
		 * line is its own all the same */
	}
	for (i = 0; i < 2; i++) {
		files[0] = i ? s2 : s1;
		files[1] = i ? s1 : s2;
		got = import_state(home, files, 2, 97);
		if (strcmp(got, want))
			fail_msg("two files (%s first): %s, not %s", i ? "later" : "earlier", got, want);
		free(got);
	}
	/* a failure after the rows were streamed (a rates file that is not
	 * one): the store as it was, nothing of the file streamed left */
	{
		struct himp_opts o;
		struct himp_result r;
		char err[PT_ERRSZ], *before, *after;

		memset(&o, 0, sizeof(o));
		o.home = home;
		o.ticker = "MSFT";
		o.rates = s2;
		o.piece = 97;
		files[0] = f[0];
		before = store_state(home);
		assert_int_equal(himp_run(&o, files, 1, &r, err), PT_EINVAL);
		assert_non_null(strstr(err, "not a FRED DTB3 file"));
		himp_result_release(&r);
		after = store_state(home);
		assert_string_equal(before, after);
		free(before);
		free(after);
	}
	free(want);
}

static void test_unknown_layout(void **state)
{
	char home[PATH_MAX], file[PATH_MAX], err[PT_ERRSZ];
	const char *files[1] = {file};
	struct himp_result r;
	static const char cboe_half[] =
		"underlying_symbol,quote_date,root,expiration,strike,option_type,close\n"
		"AAPL,2025-10-29,AAPL,2025-10-31,255,C,15.45\n";
	static const char dx_half[] =
		"[QUOTE_DATE], [UNDERLYING_LAST], [EXPIRE_DATE], [STRIKE], "
		"[C_BID], [C_ASK]\n2025-10-29, 269.7, 2025-10-31, 255, 1, 2\n";
	static const char other[] = "date,close\n2025-10-29,269.7\n";

	(void)state;
	path_of(home, sizeof(home), "unknown");
	path_of(file, sizeof(file), "x.csv");
	spit(file, cboe_half, strlen(cboe_half));
	assert_int_equal(import(home, NULL, NULL, files, 1, &r, err), PT_EINVAL);
	assert_non_null(strstr(err,
			       "x.csv: not a known layout: as Cboe DataShop it lacks bid_1545, "
			       "ask_1545, underlying_bid_1545, underlying_ask_1545"));
	himp_result_release(&r);
	spit(file, dx_half, strlen(dx_half));
	assert_int_equal(import(home, "AAPL", NULL, files, 1, &r, err), PT_EINVAL);
	assert_non_null(strstr(err, "as OptionsDX it lacks [P_BID], [P_ASK]"));
	himp_result_release(&r);
	spit(file, other, strlen(other));
	assert_int_equal(import(home, NULL, NULL, files, 1, &r, err), PT_EINVAL);
	assert_non_null(strstr(err, "not a known layout"));
	himp_result_release(&r);
	spit(file, "", 0);
	assert_int_equal(import(home, NULL, NULL, files, 1, &r, err), PT_EINVAL);
	assert_non_null(strstr(err, "x.csv: empty file"));
	himp_result_release(&r);
	/* nothing was ever stored */
	{
		struct hist *h;
		assert_int_equal(hist_open(home, &h, err), 0);
		assert_null(h);
	}
}

/* A failing import leaves the store byte for byte; a re-import is a no-op;
 * an overlapping one merges, the later winning. */
static void test_atomic_and_overlap(void **state)
{
	char home[PATH_MAX], good[PATH_MAX], bad[PATH_MAX], err[PT_ERRSZ], *s0, *s1, *s2;
	const char *files[2] = {good, bad};
	const char *tk[1] = {"AAPL"};
	struct himp_result r;
	struct market_view v;
	struct sbuf sb;
	struct hist *h;
	struct hist_txn *tx;
	struct hist_data d;

	(void)state;
	path_of(home, sizeof(home), "atomic");
	path_of(good, sizeof(good), "aapl_eod_202510.txt");
	path_of(bad, sizeof(bad), "nothing.txt");
	aapl_dx(good);
	assert_int_equal(import(home, NULL, NULL, files, 1, &r, err), 0);
	himp_result_release(&r);
	s0 = store_state(home);
	/* the second file is missing: nothing of the first lands either */
	assert_int_equal(import(home, NULL, NULL, files, 2, &r, err), PT_EIO);
	assert_non_null(strstr(err, "nothing.txt"));
	himp_result_release(&r);
	s1 = store_state(home);
	assert_string_equal(s0, s1);
	free(s1);
	/* the same rows again: the same store (a new generation of the same bytes) */
	{
		char p1[PATH_MAX + 32], p2[PATH_MAX + 32], *b1, *b2;
		size_t n1, n2;

		snprintf(p1, sizeof(p1), "%s/history/AAPL-1.hist", home);
		snprintf(p2, sizeof(p2), "%s/history/AAPL-2.hist", home);
		b1 = slurp(p1, &n1);
		assert_non_null(b1);
		assert_int_equal(import(home, NULL, NULL, files, 1, &r, err), 0);
		assert_int_equal(r.tk[0].replaced, 1);
		himp_result_release(&r);
		b2 = slurp(p2, &n2);
		assert_non_null(b2);
		assert_int_equal(n1, n2);
		assert_memory_equal(b1, b2, n1);
		assert_int_not_equal(access(p1, F_OK), 0); /* the old generation is gone */
		free(b1);
		free(b2);
	}
	s1 = store_state(home);
	assert_string_not_equal(s0, s1); /* the manifest names generation 2 */
	/* overlap: 10-29's 255 call requoted, a new session 10-30 */
	sb_init(&sb, 1 << 16);
	sb_addf(&sb, "%s", DX_HEAD);
	dx_line(&sb, "2025-10-29", "269.700000", "2025-10-31", "255.000000", "0.7", "5000", "15.5",
		"15.40", "16.10", "", "", "", "", "");
	dx_line(&sb, "2025-10-30", "271.000000", "2025-10-31", "255.000000", "0.7", "5000", "16.5",
		"16.40", "17.10", "", "", "", "", "");
	spit(bad, sb_str(&sb), sb.len);
	sb_release(&sb);
	files[0] = bad;
	assert_int_equal(import(home, "AAPL", NULL, files, 1, &r, err), 0);
	assert_int_equal(r.tk[0].sessions, 2);
	assert_int_equal(r.tk[0].replaced, 1);
	assert_int_equal(r.tk[0].after.sessions, 2);
	assert_int_equal(r.tk[0].after.rows, 5);
	himp_result_release(&r);
	assert_int_equal(view(home, D(2025, 10, 29), tk, 1, 0, 2, &v, err), 0);
	assert_int_equal(v.tickers[0].n_opts, 4);
	assert_true(tv_find_option(&v.tickers[0], D(2025, 10, 31), 255, 'C')->bid == 15.4);
	assert_true(tv_find_option(&v.tickers[0], D(2025, 10, 31), 242.5, 'P')->bid == 0.1);
	mv_release(&v);

	/* a transaction abandoned midway (a ticker written, then abort):
	 * the store as it was, no file left behind */
	s2 = store_state(home);
	assert_int_equal(hist_txn_begin(home, &tx, err), 0);
	/* a second import meanwhile is refused, not interleaved */
	assert_int_equal(import(home, NULL, NULL, files, 1, &r, err), PT_EBUSY);
	himp_result_release(&r);
	memset(&d, 0, sizeof(d));
	pt_strlcpy(d.ticker, "ZZZ", sizeof(d.ticker));
	assert_int_equal(hist_txn_put(tx, &d, err), 0);
	hist_txn_abort(tx);
	free(s1);
	s1 = store_state(home);
	assert_string_equal(s1, s2);
	assert_int_equal(hist_open(home, &h, err), 0);
	assert_null(hist_find(h, "ZZZ"));
	hist_close(h);
	{
		char p[PATH_MAX + 32];
		snprintf(p, sizeof(p), "%s/history/ZZZ-4.hist", home);
		assert_int_not_equal(access(p, F_OK), 0);
	}
	free(s0);
	free(s1);
	free(s2);
	/* remove: atomic too; an unknown ticker changes nothing */
	{
		const char *rm[2] = {"AAPL", "NOPE"};
		s0 = store_state(home);
		assert_int_equal(himp_remove(home, rm, 2, 0, err), PT_ENOENT);
		s1 = store_state(home);
		assert_string_equal(s0, s1);
		assert_int_equal(himp_remove(home, rm, 1, 0, err), 0);
		assert_int_equal(hist_open(home, &h, err), 0);
		assert_int_equal(h->n_tk, 0);
		hist_close(h);
		free(s0);
		free(s1);
	}
}

/* Every field of a view, as text, to compare two views. */
static char *view_text(const struct market_view *v)
{
	struct sbuf sb;
	size_t i, j;

	sb_init(&sb, 1 << 24);
	sb_addf(&sb, "%d %lld %.17g\n", v->session, (long long)v->asof, v->rate);
	for (i = 0; i < v->n_tickers; i++) {
		const struct ticker_view *t = &v->tickers[i];

		sb_addf(&sb, "%s %s %d [%s] %.17g %lld %.17g %zu %zu %zu\n", t->symbol, t->source,
			t->ok, t->error, t->spot, (long long)t->quote_time, t->div_yield, t->n_bars,
			t->n_divs, t->n_opts);
		for (j = 0; j < t->n_bars; j++)
			sb_addf(&sb, "b %d %.17g %.17g %.17g %.17g %lld\n", t->bars[j].date,
				t->bars[j].open, t->bars[j].high, t->bars[j].low, t->bars[j].close,
				(long long)t->bars[j].volume);
		for (j = 0; j < t->n_divs; j++)
			sb_addf(&sb, "d %d %.17g\n", t->divs[j].ex_date, t->divs[j].amount);
		for (j = 0; j < t->n_opts; j++) {
			const struct option_quote *o = &t->opts[j];
			sb_addf(&sb, "o %d %.17g %c %.17g %.17g %.17g %lld %lld %.17g\n", o->expiry,
				o->strike, o->right, o->bid, o->ask, o->last, (long long)o->volume,
				(long long)o->open_interest, o->vendor_iv);
		}
	}
	return sb.buf ? sb.buf : xstrdup("");
}

/* A made-up week around D = 2025-10-29 (the AAPL numbers on D), in
 * options-dataset-hist's layout, with every row after D multiplied by
 * mult: prices, bars, dividends, a new expiration; and rates. */
static void week_db(const char *path, double mult)
{
	sqlite3 *db;
	char sql[8192];
	int n;

	unlink(path);
	assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
	n = snprintf(
		sql, sizeof(sql),
		"CREATE TABLE options_data (contract_id TEXT, symbol TEXT, expiration TEXT, strike "
		"REAL, type TEXT, last REAL, mark REAL, bid REAL, bid_size INTEGER, ask REAL, "
		"ask_size INTEGER, volume INTEGER, open_interest INTEGER, date TEXT, "
		"implied_volatility REAL, delta REAL, gamma REAL, theta REAL, vega REAL, rho REAL, "
		"in_the_money INTEGER);"
		"CREATE TABLE underlying_prices (date TEXT, open REAL, high REAL, low REAL, close "
		"REAL, volume INTEGER, adjusted_close REAL, dividend_amount REAL, "
		"split_coefficient "
		"REAL);"
		"INSERT INTO underlying_prices VALUES "
		"('2025-10-28', 268.99, 269.89, 268.15, 269.0, 41534800, 269.0, 0, 1),"
		"('2025-10-29', 269.275, 271.41, 267.11, 269.7, 51086700, 269.7, 0, 1),"
		"('2025-10-30', %.4f, %.4f, %.4f, %.4f, 1, 1, %.4f, 1),"
		"('2025-10-31', %.4f, %.4f, %.4f, %.4f, 1, 1, 0, 1);"
		"INSERT INTO options_data VALUES "
		"('a','AAPL','2025-10-31',255.0,'call',15.45,0,15.3,0,16.0,0,4682,6100,'2025-10-29'"
		","
		"0.696292,0,0,0,0,0,1),"
		"('b','AAPL','2025-11-28',255.0,'call',18.0,0,17.8,0,18.4,0,10,20,'2025-10-29',0.3,"
		"0,0,"
		"0,0,0,1),"
		"('c','AAPL','2025-10-31',255.0,'call',%.4f,0,%.4f,0,%.4f,0,%d,%d,'2025-10-30',%."
		"4f,0,"
		"0,0,0,0,1),"
		"('d','AAPL','%s',260.0,'put',1,0,%.4f,0,%.4f,0,1,1,'2025-10-31',0.5,0,0,0,0,0,0),"
		"('e','AAPL','2025-11-28',255.0,'call',18.0,0,17.0,0,18.0,0,10,20,'2025-10-28',0.3,"
		"0,0,"
		"0,0,0,1);",
		270 * mult, 272 * mult, 268 * mult, 271 * mult, mult > 1 ? 0.26 : 0.0, 271 * mult,
		273 * mult, 270 * mult, 272 * mult, 16.5 * mult, 16.4 * mult, 17.0 * mult,
		(int)(100 * mult), (int)(200 * mult), 0.6 * mult,
		mult > 1 ? "2025-11-07" : "2025-11-28", 1.0 * mult, 1.5 * mult);
	assert_true(n > 0 && (size_t)n < sizeof(sql));
	assert_int_equal(sqlite3_exec(db, sql, NULL, NULL, NULL), SQLITE_OK);
	sqlite3_close(db);
}

static void test_no_lookahead(void **state)
{
	char home[PATH_MAX], db[PATH_MAX], rates[PATH_MAX], err[PT_ERRSZ], *a, *b, *c;
	const char *files[1] = {db};
	const char *tk[2] = {"AAPL", "VOO"};
	struct himp_result r;
	struct market_view v;
	int day = D(2025, 10, 29);
	static const char dtb3[] = "observation_date,DTB3\n2025-10-19,3.90\n2025-10-28,3.86\n"
				   "2025-10-29,3.84\n2025-10-30,.\n2025-10-31,9.99\n";

	(void)state;
	path_of(home, sizeof(home), "lookahead");
	path_of(db, sizeof(db), "week.db");
	path_of(rates, sizeof(rates), "dtb3.csv");
	spit(rates, dtb3, strlen(dtb3));
	week_db(db, 1.0);
	assert_int_equal(import(home, NULL, rates, files, 1, &r, err), 0);
	assert_int_equal(r.rates, 4);
	assert_int_equal(r.rates_dropped, 1);
	himp_result_release(&r);
	assert_int_equal(view(home, day, tk, 2, 0, 30, &v, err), 0);
	a = view_text(&v);
	/* the expiration nearest 30 days only: 2025-11-28 */
	assert_int_equal(v.tickers[0].n_opts, 1);
	assert_int_equal(v.tickers[0].opts[0].expiry, D(2025, 11, 28));
	assert_true(v.tickers[0].opts[0].bid == 17.8);
	/* the DTB3 of D as a continuous rate */
	assert_true(fabs(v.rate - (-log(1 - 0.0384 * 91 / 360) * 365 / 91)) < 1e-15);
	mv_release(&v);
	/* every row dated after D changed (and a dividend, a new expiration,
	 * bars, a rate after D): the view of D is identical */
	spit(rates, "DATE,DTB3\n2025-10-30,7.00\n2025-10-31,8.00\n", 42);
	week_db(db, 1.37);
	assert_int_equal(import(home, NULL, rates, files, 1, &r, err), 0);
	himp_result_release(&r);
	assert_int_equal(view(home, day, tk, 2, 0, 30, &v, err), 0);
	b = view_text(&v);
	mv_release(&v);
	assert_string_equal(a, b);
	/* and the perturbation is real: the view of 10-31 differs */
	assert_int_equal(view(home, D(2025, 10, 31), tk, 1, 0, 1, &v, err), 0);
	c = view_text(&v);
	assert_true(v.tickers[0].ok);
	assert_non_null(tv_find_option(&v.tickers[0], D(2025, 11, 7), 260, 'P'));
	assert_true(tv_find_option(&v.tickers[0], D(2025, 11, 7), 260, 'P')->bid == 1.37);
	assert_int_equal(v.tickers[0].n_divs, 1); /* the dividend of 10-30, <= 10-31 */
	mv_release(&v);
	free(a);
	free(b);
	free(c);
	/* the rate: up to 10 days back, not 11 */
	assert_int_equal(view(home, D(2025, 11, 10), tk, 1, 0, 30, &v, err), 0);
	assert_true(isfinite(v.rate)); /* 10-31's, 10 days before */
	mv_release(&v);
	assert_int_equal(view(home, D(2025, 11, 11), tk, 1, 0, 30, &v, err), 0);
	assert_true(isnan(v.rate));
	mv_release(&v);
}

static void test_damaged(void **state)
{
	char home[PATH_MAX], file[PATH_MAX], path[PATH_MAX + 64], err[PT_ERRSZ];
	const char *files[1] = {file};
	struct himp_result r;
	struct hist *h;
	struct hist_coverage *c;
	size_t n, len;
	char *buf;
	int rf, rl;

	(void)state;
	path_of(home, sizeof(home), "damaged");
	path_of(file, sizeof(file), "aapl_eod_202510.txt");
	aapl_dx(file);
	assert_int_equal(import(home, NULL, NULL, files, 1, &r, err), 0);
	himp_result_release(&r);
	assert_int_equal(hist_coverage(home, &c, &n, &rf, &rl, err), 0);
	assert_int_equal(n, 1);
	assert_non_null(hist_coverage_find(c, n, "AAPL"));
	assert_null(hist_coverage_find(c, n, "VOO"));
	assert_int_equal(c[0].first, D(2025, 10, 29));
	assert_int_equal(c[0].bars_first, D(2025, 10, 27));
	assert_int_equal(rf, 0);
	free(c);
	snprintf(path, sizeof(path), "%s/history/AAPL-1.hist", home);
	buf = slurp(path, &len);
	assert_non_null(buf);
	/* a row's byte: found by verify only */
	buf[128 + 5] ^= 1;
	spit(path, buf, len);
	assert_int_equal(hist_open(home, &h, err), 0);
	assert_int_equal(hist_verify(h, err), PT_EIO);
	assert_non_null(strstr(err, "AAPL-1.hist: damaged (its rows fail their checksum)"));
	hist_close(h);
	/* the index: refused on open */
	buf[128 + 5] ^= 1;
	buf[len - 20] ^= 1;
	spit(path, buf, len);
	assert_int_equal(hist_open(home, &h, err), PT_EIO);
	assert_non_null(strstr(err, "AAPL-1.hist"));
	/* cut short */
	spit(path, buf, len - 8);
	assert_int_equal(hist_open(home, &h, err), PT_EIO);
	assert_non_null(strstr(err, "cut short"));
	/* a newer version */
	buf[len - 20] ^= 1;
	buf[8] = 2;
	spit(path, buf, len);
	assert_int_equal(hist_open(home, &h, err), PT_EIO);
	assert_non_null(strstr(err, "newer papertrade"));
	free(buf);
	/* the manifest itself */
	snprintf(path, sizeof(path), "%s/history/MANIFEST", home);
	spit(path, "papertrade history 1\nticker AAPL ../../etc/passwd\n", 50);
	assert_int_equal(hist_open(home, &h, err), PT_EIO);
	assert_non_null(strstr(err, "line 2 is not understood"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_fixed),	       cmocka_unit_test(test_fixed_fast),
		cmocka_unit_test(test_dates),
		cmocka_unit_test(test_optionsdx),      cmocka_unit_test(test_bad_rows),
		cmocka_unit_test(test_cboe),	       cmocka_unit_test(test_sqlite_and_zstd),
		cmocka_unit_test(test_pieces),
		cmocka_unit_test(test_unknown_layout), cmocka_unit_test(test_atomic_and_overlap),
		cmocka_unit_test(test_no_lookahead),   cmocka_unit_test(test_damaged),
	};

	return cmocka_run_group_tests(tests, tmpdir_setup, tmpdir_teardown);
}
