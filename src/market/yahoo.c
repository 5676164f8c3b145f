/*
 * yahoo.c - the Yahoo Finance provider (DESIGN.md §1 "market view for D",
 * §6 "yahoo"): fills a market view from Yahoo's v8 chart endpoint (daily
 * bars and dividends), its v7 options endpoint (expirations, the underlying's
 * quote, one expiration's contracts per request) and the ^IRX chart (the
 * risk-free rate). See yahoo.h.
 *
 * Requests go through http.h, so each is recorded on the run's tape and a
 * run replays from it. The URLs depend only on the request (session,
 * hist_from, the wanted expirations), never on the clock, so a replay asks
 * for exactly what the live run asked for.
 *
 * The cookie-and-crumb handshake follows yfinance-rs: the API is called
 * first, without a crumb unless one is cached; a 401/403 triggers one
 * refresh (GET the cookie URL for Yahoo's session cookie, which the HTTP
 * client keeps, then GET /v1/test/getcrumb) and one retry of that request.
 * A crumb is cached in crumb_file (0600, replaced atomically) until Yahoo
 * refuses it. Every body is hostile input: the parsers cap sizes and
 * nesting, check every type and range, and drop and count bad rows.
 */
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <jansson.h>

#include "yahoo.h"
#include "calendar.h"
#include "http.h"
#include "../util/date.h"
#include "../util/file.h"
#include "../util/util.h"

#define YH_MAX_BODY ((size_t)32 << 20)	/* bytes of JSON a parser accepts */
#define YH_MAX_DEPTH 64			/* nesting of arrays and objects */
#define YH_MAX_BARS 100000		/* rows of one chart (about 400 years of days) */
#define YH_MAX_DIVS 10000		/* dividends of one chart */
#define YH_MAX_EXP 2000			/* expirations listed */
#define YH_MAX_CONTRACTS 50000		/* contracts of one side of one response */
#define YH_MAX_PRICE 1e7		/* any per-share price or strike */
#define YH_MAX_EPOCH 7258118400LL	/* 2200-01-01: later times are nonsense */
#define YH_IV_PLACEHOLDER 1e-4		/* Yahoo writes 1.0000000000000003E-5 for "no IV" */
#define YH_CRUMBSZ 128
#define YH_HIST_PAD 5			/* days fetched before hist_from */
#define YH_YIELD_DAYS 365		/* dividends summed for the yield */
#define YH_RATE_DAYS 10			/* days of ^IRX fetched for the rate */
#define YH_MAX_URL 8192

struct yahoo {
	struct http *h;
	char *base;
	char *cookie_url;
	char *crumb_file;
	char crumb[YH_CRUMBSZ];	/* "" when none is known */
};

/* ---- JSON helpers ---------------------------------------------------------- */

/* Rejects nesting deeper than YH_MAX_DEPTH before jansson sees the text. */
static int too_deep(const char *s, size_t len)
{
	int depth = 0, in_str = 0;
	size_t i;

	for (i = 0; i < len; i++) {
		char c = s[i];
		if (in_str) {
			if (c == '\\')
				i++;
			else if (c == '"')
				in_str = 0;
		} else if (c == '"') {
			in_str = 1;
		} else if (c == '[' || c == '{') {
			if (++depth > YH_MAX_DEPTH)
				return 1;
		} else if (c == ']' || c == '}') {
			depth--;
		}
	}
	return 0;
}

/* Parses body as JSON; NULL with err filled when it is not acceptable. */
static json_t *load_json(const char *body, size_t len, char *err)
{
	json_error_t je;
	json_t *root;

	if (!body || len == 0) {
		pt_err(err, PT_EDATA, "empty response");
		return NULL;
	}
	if (len > YH_MAX_BODY) {
		pt_err(err, PT_EDATA, "response of %zu bytes, larger than %zu", len,
		       (size_t)YH_MAX_BODY);
		return NULL;
	}
	if (too_deep(body, len)) {
		pt_err(err, PT_EDATA, "JSON nested deeper than %d levels", YH_MAX_DEPTH);
		return NULL;
	}
	root = json_loadb(body, len, 0, &je);
	if (!root) {
		pt_err(err, PT_EDATA, "invalid JSON at line %d column %d: %s", je.line, je.column,
		       je.text);
		return NULL;
	}
	if (!json_is_object(root)) {
		json_decref(root);
		pt_err(err, PT_EDATA, "the JSON is not an object");
		return NULL;
	}
	return root;
}

/* 1 when v is a finite number, stored in *out. */
static int get_num(const json_t *v, double *out)
{
	double x;

	if (!json_is_number(v))
		return 0;
	x = json_number_value(v);
	if (!isfinite(x))
		return 0;
	*out = x;
	return 1;
}

/* 1 when v is an epoch in seconds within [0, 2200-01-01), stored in *out. */
static int get_epoch(const json_t *v, int64_t *out)
{
	json_int_t x;

	if (!json_is_integer(v))
		return 0;
	x = json_integer_value(v);
	if (x < 0 || x >= YH_MAX_EPOCH)
		return 0;
	*out = (int64_t)x;
	return 1;
}

/*
 * A non-negative count (volume, open interest): absent or null gives -1 in
 * *out and 1; an integer (or an integral real) >= 0 gives it and 1;
 * anything else 0.
 */
static int get_count(const json_t *v, int64_t *out)
{
	double x;

	if (!v || json_is_null(v)) {
		*out = -1;
		return 1;
	}
	if (json_is_integer(v)) {
		if (json_integer_value(v) < 0)
			return 0;
		*out = (int64_t)json_integer_value(v);
		return 1;
	}
	if (!get_num(v, &x) || x < 0 || x > 9e15 || x != floor(x))
		return 0;
	*out = (int64_t)x;
	return 1;
}

/* The description (or code) of a non-null error object; NULL when none. */
static const char *error_desc(const json_t *e)
{
	const json_t *d;

	if (!json_is_object(e))
		return NULL;
	d = json_object_get(e, "description");
	if (json_is_string(d) && json_string_length(d) > 0)
		return json_string_value(d);
	d = json_object_get(e, "code");
	if (json_is_string(d) && json_string_length(d) > 0)
		return json_string_value(d);
	return "error without description";
}

/* Yahoo's error text of any envelope of root, or NULL. */
static const char *envelope_error(const json_t *root)
{
	static const char *const keys[] = {"finance", "chart", "optionChain", "quoteResponse"};
	size_t i;

	for (i = 0; i < PT_ARRAY_SIZE(keys); i++) {
		const json_t *env = json_object_get(root, keys[i]);
		const char *d;

		if (!json_is_object(env))
			continue;
		d = error_desc(json_object_get(env, "error"));
		if (d)
			return d;
	}
	return NULL;
}

/* Copies s into dst (n bytes) with control characters made blanks: Yahoo's
 * text goes into one-line messages. */
static void one_line(char *dst, size_t n, const char *s)
{
	size_t i;

	if (dst != s)
		pt_strlcpy(dst, s, n);
	for (i = 0; dst[i]; i++)
		if ((unsigned char)dst[i] < 0x20 || dst[i] == 0x7f)
			dst[i] = ' ';
}

int yahoo_error_text(const char *body, size_t len, char *msg, size_t n)
{
	char err[PT_ERRSZ];
	json_t *root;
	const char *d;
	int rc = -1;

	if (n)
		msg[0] = '\0';
	root = load_json(body, len, err);
	if (!root)
		return -1;
	d = envelope_error(root);
	if (d && n) {
		one_line(msg, n, d);
		rc = 0;
	}
	json_decref(root);
	return rc;
}

/* ---- chart ----------------------------------------------------------------- */

static int div_cmp(const void *a, const void *b)
{
	const struct dividend *x = a, *y = b;

	if (x->ex_date != y->ex_date)
		return (x->ex_date > y->ex_date) - (x->ex_date < y->ex_date);
	return (x->amount > y->amount) - (x->amount < y->amount);
}

/* The i-th element of a quote array, or NULL when the array is absent. */
static const json_t *at(const json_t *arr, size_t i)
{
	return arr ? json_array_get(arr, i) : NULL;
}

/* A price of a bar: a finite positive number below YH_MAX_PRICE. */
static int get_price(const json_t *v, double *out)
{
	return get_num(v, out) && *out > 0 && *out < YH_MAX_PRICE;
}

static int parse_bars(const json_t *r0, int session, struct ticker_view *t, char *err)
{
	static const char *const names[] = {"open", "high", "low", "close"};
	const json_t *ts = json_object_get(r0, "timestamp"), *ind, *q, *q0, *vol;
	const json_t *col[4];
	size_t n, i, k, cap = 0;
	int last = INT_MIN;

	if (!ts || json_is_null(ts))
		return 0;	/* no trading in the range: Yahoo leaves the key out */
	if (!json_is_array(ts))
		return pt_err(err, PT_EDATA, "chart timestamp is not an array");
	n = json_array_size(ts);
	if (n == 0)
		return 0;
	if (n > YH_MAX_BARS)
		return pt_err(err, PT_EDATA, "chart has %zu rows, more than %d", n, YH_MAX_BARS);
	ind = json_object_get(r0, "indicators");
	q = json_is_object(ind) ? json_object_get(ind, "quote") : NULL;
	q0 = json_is_array(q) ? json_array_get(q, 0) : NULL;
	if (!json_is_object(q0))
		return pt_err(err, PT_EDATA, "chart has timestamps but no indicators.quote[0]");
	for (k = 0; k < 4; k++) {
		col[k] = json_object_get(q0, names[k]);
		if (!json_is_array(col[k]))
			return pt_err(err, PT_EDATA, "chart indicators.quote[0].%s is not an array",
				      names[k]);
		if (json_array_size(col[k]) != n)
			return pt_err(err, PT_EDATA,
				      "chart has %zu timestamps but %zu values of %s", n,
				      json_array_size(col[k]), names[k]);
	}
	vol = json_object_get(q0, "volume");
	if (vol && json_is_null(vol))
		vol = NULL;
	if (vol && (!json_is_array(vol) || json_array_size(vol) != n))
		return pt_err(err, PT_EDATA, "chart volume does not match the timestamps");

	for (i = 0; i < n; i++) {
		struct bar b;
		int64_t epoch = 0, v = 0;
		double px[4];
		int sec, bad = 0;

		for (k = 0; k < 4; k++)
			bad |= !get_price(json_array_get(col[k], i), &px[k]);
		bad |= !get_epoch(json_array_get(ts, i), &epoch);
		bad |= !get_count(at(vol, i), &v);
		if (bad) {
			t->dropped++;
			continue;
		}
		cal_epoch_to_ny(epoch, &b.date, &sec);
		if (b.date >= session)
			continue;	/* after the view's history: not an error */
		if (b.date <= last) {
			t->dropped++;	/* out of order or a second bar of a day */
			continue;
		}
		b.open = px[0];
		b.high = px[1];
		b.low = px[2];
		b.close = px[3];
		b.volume = v < 0 ? 0 : v;
		xgrow(&t->bars, &cap, t->n_bars + 1, sizeof(*t->bars));
		t->bars[t->n_bars++] = b;
		last = b.date;
	}
	return 0;
}

static int parse_divs(const json_t *r0, int session, struct ticker_view *t, char *err)
{
	const json_t *ev = json_object_get(r0, "events"), *dv, *d;
	const char *key;
	size_t cap = 0, i, k;

	if (!ev || json_is_null(ev))
		return 0;
	if (!json_is_object(ev))
		return pt_err(err, PT_EDATA, "chart events is not an object");
	dv = json_object_get(ev, "dividends");
	if (!dv || json_is_null(dv))
		return 0;
	if (!json_is_object(dv))
		return pt_err(err, PT_EDATA, "chart events.dividends is not an object");
	if (json_object_size(dv) > YH_MAX_DIVS)
		return pt_err(err, PT_EDATA, "chart has %zu dividends, more than %d",
			      json_object_size(dv), YH_MAX_DIVS);
	json_object_foreach((json_t *)dv, key, d) {
		struct dividend x;
		double amount;
		int64_t epoch;
		int sec;

		if (!json_is_object(d) || !get_num(json_object_get(d, "amount"), &amount) ||
		    !(amount > 0) || amount >= YH_MAX_PRICE ||
		    !get_epoch(json_object_get(d, "date"), &epoch)) {
			t->dropped++;
			continue;
		}
		cal_epoch_to_ny(epoch, &x.ex_date, &sec);
		if (x.ex_date > session)
			continue;
		x.amount = amount;
		xgrow(&t->divs, &cap, t->n_divs + 1, sizeof(*t->divs));
		t->divs[t->n_divs++] = x;
	}
	if (t->n_divs > 1)
		qsort(t->divs, t->n_divs, sizeof(*t->divs), div_cmp);
	for (i = k = 0; i < t->n_divs; i++) {
		if (k && t->divs[k - 1].ex_date == t->divs[i].ex_date) {
			t->dropped++;	/* two dividends on one day: keep the smaller */
			continue;
		}
		t->divs[k++] = t->divs[i];
	}
	t->n_divs = k;
	return 0;
}

int yahoo_parse_chart(const char *body, size_t len, int session, struct ticker_view *t,
		      char *err)
{
	json_t *root, *chart, *res, *r0;
	const char *e;
	int rc = 0;

	free(t->bars);
	free(t->divs);
	t->bars = NULL;
	t->divs = NULL;
	t->n_bars = t->n_divs = 0;
	root = load_json(body, len, err);
	if (!root)
		return PT_EDATA;
	chart = json_object_get(root, "chart");
	if (!json_is_object(chart)) {
		e = envelope_error(root);
		rc = e ? pt_err(err, PT_EDATA, "%s", e)
		       : pt_err(err, PT_EDATA, "not a Yahoo chart response");
		goto out;
	}
	e = error_desc(json_object_get(chart, "error"));
	if (e) {
		rc = pt_err(err, PT_EDATA, "%s", e);
		goto out;
	}
	res = json_object_get(chart, "result");
	r0 = json_is_array(res) ? json_array_get(res, 0) : NULL;
	if (!json_is_object(r0)) {
		rc = pt_err(err, PT_EDATA, "the chart has no result");
		goto out;
	}
	rc = parse_bars(r0, session, t, err);
	if (!rc)
		rc = parse_divs(r0, session, t, err);
out:
	json_decref(root);
	if (rc) {
		free(t->bars);
		free(t->divs);
		t->bars = NULL;
		t->divs = NULL;
		t->n_bars = t->n_divs = 0;
		one_line(err, PT_ERRSZ, err);
	}
	return rc;
}

/* ---- options --------------------------------------------------------------- */

static int i64_cmp(const void *a, const void *b)
{
	const int64_t *x = a, *y = b;

	return (*x > *y) - (*x < *y);
}

/* Day number of an epoch at 00:00 UTC of a date (any time of that UTC date). */
static int utc_day(int64_t epoch)
{
	return (int)(epoch / 86400);
}

/* One contract into q; 0, or -1 when it must be dropped. */
static int parse_contract(const json_t *c, char right, int64_t default_exp,
			  struct option_quote *q)
{
	const json_t *v;
	int64_t exp;
	double iv;

	if (!json_is_object(c))
		return -1;
	memset(q, 0, sizeof(*q));
	q->right = right;
	if (!get_num(json_object_get(c, "strike"), &q->strike) || !(q->strike > 0) ||
	    q->strike >= YH_MAX_PRICE)
		return -1;
	if (!get_num(json_object_get(c, "bid"), &q->bid) || q->bid < 0 || q->bid >= YH_MAX_PRICE)
		return -1;
	if (!get_num(json_object_get(c, "ask"), &q->ask) || q->ask < 0 || q->ask >= YH_MAX_PRICE)
		return -1;
	v = json_object_get(c, "lastPrice");
	q->last = NAN;
	if (v && !json_is_null(v) &&
	    (!get_num(v, &q->last) || q->last < 0 || q->last >= YH_MAX_PRICE))
		return -1;
	if (!get_count(json_object_get(c, "volume"), &q->volume) ||
	    !get_count(json_object_get(c, "openInterest"), &q->open_interest))
		return -1;
	v = json_object_get(c, "impliedVolatility");
	q->vendor_iv = NAN;
	if (v && !json_is_null(v)) {
		if (!json_is_number(v))
			return -1;
		iv = json_number_value(v);
		/* 0 and the 1e-5 placeholder mean "none"; so does nonsense */
		if (isfinite(iv) && iv > YH_IV_PLACEHOLDER && iv < 1000)
			q->vendor_iv = iv;
	}
	v = json_object_get(c, "expiration");
	if (!v || json_is_null(v))
		exp = default_exp;
	else if (!get_epoch(v, &exp))
		return -1;
	if (exp < 0)
		return -1;
	q->expiry = utc_day(exp);
	return 0;
}

static int parse_side(const json_t *o0, const char *key, char right, int64_t default_exp,
		      struct yahoo_chain *out, size_t *cap, char *err)
{
	const json_t *arr = json_object_get(o0, key), *c;
	size_t i;

	if (!arr || json_is_null(arr))
		return 0;
	if (!json_is_array(arr))
		return pt_err(err, PT_EDATA, "options[0].%s is not an array", key);
	if (json_array_size(arr) > YH_MAX_CONTRACTS)
		return pt_err(err, PT_EDATA, "options[0].%s has %zu contracts, more than %d", key,
			      json_array_size(arr), YH_MAX_CONTRACTS);
	json_array_foreach(arr, i, c) {
		struct option_quote q;

		if (parse_contract(c, right, default_exp, &q)) {
			out->dropped++;
			continue;
		}
		xgrow(&out->opts, cap, out->n_opts + 1, sizeof(*out->opts));
		out->opts[out->n_opts++] = q;
	}
	return 0;
}

static int parse_expirations(const json_t *r0, struct yahoo_chain *out, char *err)
{
	const json_t *arr = json_object_get(r0, "expirationDates"), *v;
	size_t i, k;

	if (!arr || json_is_null(arr))
		return 0;
	if (!json_is_array(arr))
		return pt_err(err, PT_EDATA, "expirationDates is not an array");
	if (json_array_size(arr) > YH_MAX_EXP)
		return pt_err(err, PT_EDATA, "%zu expirations listed, more than %d",
			      json_array_size(arr), YH_MAX_EXP);
	out->expiration_epochs = xcalloc(json_array_size(arr) + 1, sizeof(int64_t));
	json_array_foreach(arr, i, v) {
		int64_t e;
		if (get_epoch(v, &e))
			out->expiration_epochs[out->n_exp++] = e;
	}
	qsort(out->expiration_epochs, out->n_exp, sizeof(int64_t), i64_cmp);
	/* one epoch per day: a second one of the same UTC date adds nothing */
	for (i = k = 0; i < out->n_exp; i++)
		if (!k || utc_day(out->expiration_epochs[k - 1]) !=
			      utc_day(out->expiration_epochs[i]))
			out->expiration_epochs[k++] = out->expiration_epochs[i];
	out->n_exp = k;
	out->expirations = xcalloc(k + 1, sizeof(int));
	for (i = 0; i < k; i++)
		out->expirations[i] = utc_day(out->expiration_epochs[i]);
	return 0;
}

int yahoo_parse_options(const char *body, size_t len, struct yahoo_chain *out, char *err)
{
	json_t *root, *oc, *res, *r0, *quote, *opts, *o0;
	const char *e;
	size_t cap = 0;
	int64_t default_exp = -1, qt;
	double spot;
	int rc = 0;

	memset(out, 0, sizeof(*out));
	out->spot = NAN;
	root = load_json(body, len, err);
	if (!root)
		return PT_EDATA;
	oc = json_object_get(root, "optionChain");
	if (!json_is_object(oc)) {
		e = envelope_error(root);
		rc = e ? pt_err(err, PT_EDATA, "%s", e)
		       : pt_err(err, PT_EDATA, "not a Yahoo options response");
		goto out;
	}
	e = error_desc(json_object_get(oc, "error"));
	if (e) {
		rc = pt_err(err, PT_EDATA, "%s", e);
		goto out;
	}
	res = json_object_get(oc, "result");
	if (!json_is_array(res)) {
		rc = pt_err(err, PT_EDATA, "optionChain.result is not an array");
		goto out;
	}
	if (json_array_size(res) == 0)
		goto out;	/* an empty chain */
	r0 = json_array_get(res, 0);
	if (!json_is_object(r0)) {
		rc = pt_err(err, PT_EDATA, "optionChain.result[0] is not an object");
		goto out;
	}
	rc = parse_expirations(r0, out, err);
	if (rc)
		goto out;
	quote = json_object_get(r0, "quote");
	{
		const json_t *u = json_object_get(r0, "underlyingSymbol");

		if (!json_is_string(u) && json_is_object(quote))
			u = json_object_get(quote, "symbol");
		if (json_is_string(u))
			pt_strlcpy(out->symbol, json_string_value(u), sizeof(out->symbol));
	}
	if (json_is_object(quote)) {
		if (get_num(json_object_get(quote, "regularMarketPrice"), &spot) && spot > 0 &&
		    spot < YH_MAX_PRICE)
			out->spot = spot;
		if (get_epoch(json_object_get(quote, "regularMarketTime"), &qt))
			out->quote_time = qt;
	}
	opts = json_object_get(r0, "options");
	if (!opts || json_is_null(opts))
		goto out;
	if (!json_is_array(opts)) {
		rc = pt_err(err, PT_EDATA, "options is not an array");
		goto out;
	}
	if (json_array_size(opts) == 0)
		goto out;
	o0 = json_array_get(opts, 0);
	if (!json_is_object(o0)) {
		rc = pt_err(err, PT_EDATA, "options[0] is not an object");
		goto out;
	}
	if (!get_epoch(json_object_get(o0, "expirationDate"), &default_exp))
		default_exp = -1;
	rc = parse_side(o0, "calls", 'C', default_exp, out, &cap, err);
	if (!rc)
		rc = parse_side(o0, "puts", 'P', default_exp, out, &cap, err);
out:
	json_decref(root);
	if (rc) {
		yahoo_chain_release(out);
		one_line(err, PT_ERRSZ, err);
	}
	return rc;
}

void yahoo_chain_release(struct yahoo_chain *c)
{
	free(c->expirations);
	free(c->expiration_epochs);
	free(c->opts);
	memset(c, 0, sizeof(*c));
	c->spot = NAN;
}

/* ---- state, crumb and requests --------------------------------------------- */

/* A crumb is short printable text: no blanks, no HTML, no throttling notice. */
static int crumb_ok(const char *s, size_t len)
{
	size_t i;

	if (len == 0 || len >= YH_CRUMBSZ)
		return 0;
	for (i = 0; i < len; i++)
		if ((unsigned char)s[i] <= 0x20 || (unsigned char)s[i] >= 0x7f || s[i] == '<')
			return 0;
	return 1;
}

static void read_crumb(struct yahoo *y)
{
	char buf[YH_CRUMBSZ + 2];
	size_t n;
	FILE *f;

	if (!y->crumb_file)
		return;
	f = fopen(y->crumb_file, "r");
	if (!f)
		return;
	n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[n] = '\0';
	while (n && (buf[n - 1] == '\n' || buf[n - 1] == '\r'))
		buf[--n] = '\0';
	if (crumb_ok(buf, n))
		pt_strlcpy(y->crumb, buf, sizeof(y->crumb));
}

/* Writes the crumb cache whole or not at all, mode 0600. A cache that
 * cannot be written costs a handshake next time, nothing more. */
static void save_crumb(const struct yahoo *y)
{
	char line[sizeof(y->crumb) + 1], err[PT_ERRSZ];
	int n;

	if (!y->crumb_file)
		return;
	n = snprintf(line, sizeof(line), "%s\n", y->crumb);
	if (n > 0 && (size_t)n < sizeof(line))
		pt_write_atomic(y->crumb_file, line, (size_t)n, 0600, err);
}

void *yahoo_new(struct http *h, const struct yahoo_opts *o)
{
	struct yahoo *y = xcalloc(1, sizeof(*y));
	size_t n;

	y->h = h;
	y->base = xstrdup(o && o->base_url ? o->base_url : "https://query2.finance.yahoo.com");
	n = strlen(y->base);
	while (n && y->base[n - 1] == '/')
		y->base[--n] = '\0';
	y->cookie_url = xstrdup(o && o->cookie_url ? o->cookie_url : "https://fc.yahoo.com");
	y->crumb_file = o && o->crumb_file ? xstrdup(o->crumb_file) : NULL;
	read_crumb(y);
	return y;
}

void yahoo_free(void *state)
{
	struct yahoo *y = state;

	if (!y)
		return;
	free(y->base);
	free(y->cookie_url);
	free(y->crumb_file);
	free(y);
}

/* Gets a fresh cookie and crumb. 0, or PT_EIO with err: the source is then
 * unusable. */
static int refresh_crumb(struct yahoo *y, char *err)
{
	struct http_response r;
	char url[1024], e2[PT_ERRSZ];
	int rc;

	y->crumb[0] = '\0';
	memset(&r, 0, sizeof(r));
	if (y->cookie_url[0]) {
		/* only the cookie matters: its status and body do not */
		if (http_get(y->h, y->cookie_url, &r, e2) == 0)
			http_response_release(&r);
	}
	snprintf(url, sizeof(url), "%s/v1/test/getcrumb", y->base);
	memset(&r, 0, sizeof(r));
	rc = http_get(y->h, url, &r, e2);
	if (rc)
		return pt_err(err, PT_EIO, "cannot get a crumb from Yahoo: %s", e2);
	if (r.status == 429 || (r.body && strstr(r.body, "Too Many Requests")))
		rc = pt_err(err, PT_EIO,
			    "cannot get a crumb from Yahoo: rate-limited (Too Many Requests)");
	else if (r.status != 200)
		rc = pt_err(err, PT_EIO, "cannot get a crumb from Yahoo: getcrumb answered HTTP %ld",
			    r.status);
	else if (!r.body || !crumb_ok(r.body, r.len) || strcasestr(r.body, "<html"))
		rc = pt_err(err, PT_EIO,
			    "cannot get a crumb from Yahoo: getcrumb answered no usable crumb");
	else {
		memcpy(y->crumb, r.body, r.len);
		y->crumb[r.len] = '\0';
		save_crumb(y);
	}
	http_response_release(&r);
	return rc;
}

/* url with the crumb parameter when one is known; caller frees. */
static char *with_crumb(const struct yahoo *y, const char *url)
{
	char *esc, *full;
	size_t n;

	if (!y->crumb[0])
		return xstrdup(url);
	esc = http_escape(y->crumb);
	n = strlen(url) + strlen(esc) + 8;
	full = xmalloc(n);
	snprintf(full, n, "%s%ccrumb=%s", url, strchr(url, '?') ? '&' : '?', esc);
	free(esc);
	return full;
}

/* How a request failed. */
enum { YF_NONE, YF_DATA, YF_TRANSPORT, YF_FATAL };

/*
 * GETs an API URL (crumb added when known). A 401/403 refreshes the crumb
 * once and retries once. Returns 0 when a response arrived (the caller
 * judges its status), else PT_EIO with err and *how = YF_TRANSPORT (no
 * response) or YF_FATAL (no crumb, or the new crumb refused too).
 */
static int api_get(struct yahoo *y, const char *url, struct http_response *r, int *how,
		   char *err)
{
	int refreshed = 0, rc;
	char why[PT_ERRSZ];

	for (;;) {
		char *full = with_crumb(y, url);

		memset(r, 0, sizeof(*r));
		rc = http_get(y->h, full, r, err);
		free(full);
		if (rc) {
			*how = YF_TRANSPORT;
			return PT_EIO;
		}
		if (r->status != 401 && r->status != 403)
			return 0;
		if (refreshed) {
			if (yahoo_error_text(r->body, r->len, why, sizeof(why)))
				snprintf(why, sizeof(why), "HTTP %ld", r->status);
			http_response_release(r);
			y->crumb[0] = '\0';
			*how = YF_FATAL;
			return pt_err(err, PT_EIO, "Yahoo refused the crumb (%s)", why);
		}
		http_response_release(r);
		if (refresh_crumb(y, err)) {
			*how = YF_FATAL;
			return PT_EIO;
		}
		refreshed = 1;
	}
}

/* Describes a non-200 answer into err: "HTTP 404: No data found, ...". */
static int http_fail(const struct http_response *r, const char *what, char *err)
{
	char why[PT_ERRSZ];

	if (yahoo_error_text(r->body, r->len, why, sizeof(why)) == 0)
		return pt_err(err, PT_EDATA, "%s: HTTP %ld: %s", what, r->status, why);
	return pt_err(err, PT_EDATA, "%s: HTTP %ld", what, r->status);
}

/* GETs an API URL and requires a 200. */
static int api_get_ok(struct yahoo *y, const char *url, const char *what,
		      struct http_response *r, int *how, char *err)
{
	char e2[PT_ERRSZ];

	if (api_get(y, url, r, how, e2))
		return pt_err(err, PT_EIO, "%s: %s", what, e2);
	if (r->status != 200) {
		http_fail(r, what, err);
		http_response_release(r);
		*how = YF_DATA;
		return PT_EDATA;
	}
	return 0;
}

/* ---- the provider ---------------------------------------------------------- */

/* Epoch seconds of 00:00 UTC of day. */
static int64_t day_epoch(int day)
{
	return (int64_t)day * 86400;
}

/* The escaped ticker for a URL path; caller frees. */
static char *esc_ticker(const char *sym)
{
	return http_escape(sym);
}

/* Bars and dividends of one ticker from its chart. */
static int fetch_chart(struct yahoo *y, const struct provider_req *req, const char *sym,
		       struct ticker_view *t, int *how, char *err)
{
	struct http_response r;
	char *esc = esc_ticker(sym), e2[PT_ERRSZ];
	struct sbuf url;
	int from = req->hist_from, rc;
	size_t i, k;

	/* at least a year back: the dividend yield sums a year of dividends */
	if (from <= 0 || from > req->session - YH_YIELD_DAYS - 1)
		from = req->session - YH_YIELD_DAYS - 1;
	sb_init(&url, YH_MAX_URL);
	sb_addf(&url, "%s/v8/finance/chart/%s?period1=%lld&period2=%lld&interval=1d&events=div%%7Csplit",
		y->base, esc, (long long)day_epoch(from - YH_HIST_PAD),
		(long long)day_epoch(req->session + 1));
	free(esc);
	rc = api_get_ok(y, sb_str(&url), "chart", &r, how, err);
	sb_release(&url);
	if (rc)
		return rc;
	rc = yahoo_parse_chart(r.body, r.len, req->session, t, e2);
	http_response_release(&r);
	if (rc) {
		*how = YF_DATA;
		return pt_err(err, rc, "chart: %s", e2);
	}
	/* only the bars asked for; the dividends of the whole year stay */
	if (req->hist_from > 0) {
		for (i = k = 0; i < t->n_bars; i++)
			if (t->bars[i].date >= req->hist_from)
				t->bars[k++] = t->bars[i];
		t->n_bars = k;
	}
	return 0;
}

/* GETs one options response: the nearest expiration (epoch < 0) or one date. */
static int fetch_options(struct yahoo *y, const char *sym, int64_t epoch,
			 struct yahoo_chain *c, int *how, char *err)
{
	struct http_response r;
	char *esc = esc_ticker(sym), e2[PT_ERRSZ], what[64];
	struct sbuf url;
	int rc;

	sb_init(&url, YH_MAX_URL);
	sb_addf(&url, "%s/v7/finance/options/%s", y->base, esc);
	free(esc);
	if (epoch >= 0) {
		sb_addf(&url, "?date=%lld", (long long)epoch);
		snprintf(what, sizeof(what), "options of %lld", (long long)epoch);
	} else {
		snprintf(what, sizeof(what), "options");
	}
	rc = api_get_ok(y, sb_str(&url), what, &r, how, err);
	sb_release(&url);
	if (rc)
		return rc;
	rc = yahoo_parse_options(r.body, r.len, c, e2);
	http_response_release(&r);
	if (rc) {
		*how = YF_DATA;
		return pt_err(err, rc, "%s: %s", what, e2);
	}
	/* a body for another symbol (a proxy's cache, a hostile source) is
	 * never this one's chain */
	if (c->symbol[0] && strcasecmp(c->symbol, sym) != 0) {
		*how = YF_DATA;
		rc = pt_err(err, PT_EDATA, "%s: the response is for %.20s, not %s", what, c->symbol,
			    sym);
		yahoo_chain_release(c);
		return rc;
	}
	return 0;
}

/* Appends the contracts of c whose expiry is not in got[0..n_got). */
static void merge(struct ticker_view *t, size_t *cap, const struct yahoo_chain *c,
		  const int *got, size_t n_got)
{
	size_t i, j;

	for (i = 0; i < c->n_opts; i++) {
		for (j = 0; j < n_got; j++)
			if (c->opts[i].expiry == got[j])
				break;
		if (j < n_got)
			continue;
		xgrow(&t->opts, cap, t->n_opts + 1, sizeof(*t->opts));
		t->opts[t->n_opts++] = c->opts[i];
	}
	t->dropped += c->dropped;
}

/* Spot, quote time and the contracts of the expirations the run needs. */
static int fetch_chains(struct yahoo *y, const struct provider_req *req, const char *sym,
			struct ticker_view *t, int *how, char *err)
{
	struct yahoo_chain c, first;
	size_t cap = 0, n_got = 0, n_todo = 0, i, j;
	int *got = NULL, rc;
	size_t *todo = NULL;
	unsigned char *wanted = NULL;

	rc = fetch_options(y, sym, -1, &first, how, err);
	if (rc)
		return rc;
	if (first.n_exp == 0 && first.n_opts == 0) {
		yahoo_chain_release(&first);
		*how = YF_DATA;
		return pt_err(err, PT_EDATA, "Yahoo lists no options for it");
	}
	if (!isfinite(first.spot)) {
		yahoo_chain_release(&first);
		*how = YF_DATA;
		return pt_err(err, PT_EDATA, "options: no price for the underlying");
	}
	t->spot = first.spot;
	t->quote_time = first.quote_time;
	got = xcalloc(first.n_exp + first.n_opts + 1, sizeof(*got));
	todo = xcalloc(first.n_exp + 1, sizeof(*todo));
	wanted = xcalloc(first.n_exp + 1, sizeof(*wanted));
	/* what the first answer holds: its contracts' expirations (Yahoo's
	 * nearest one, the first listed, when it has none) */
	for (i = 0; i < first.n_opts; i++) {
		for (j = 0; j < n_got; j++)
			if (got[j] == first.opts[i].expiry)
				break;
		if (j == n_got)
			got[n_got++] = first.opts[i].expiry;
	}
	if (!n_got && first.n_exp)
		got[n_got++] = first.expirations[0];
	merge(t, &cap, &first, NULL, 0);

	/* the listed expirations some want asks for, in listed order */
	for (j = 0; j < req->n_want; j++) {
		int e = provider_want_expiry(&req->want[j], sym, first.expirations, first.n_exp,
					     sizeof(*first.expirations), req->session);
		for (i = 0; e && i < first.n_exp; i++)
			if (first.expirations[i] == e)
				wanted[i] = 1;
	}
	for (i = 0; i < first.n_exp; i++) {
		int want = wanted[i];
		for (j = 0; want && j < n_got; j++)
			if (got[j] == first.expirations[i])
				want = 0;
		if (want)
			todo[n_todo++] = i;
	}
	for (i = 0; i < n_todo; i++) {
		rc = fetch_options(y, sym, first.expiration_epochs[todo[i]], &c, how, err);
		if (rc)
			break;
		merge(t, &cap, &c, got, n_got);
		got[n_got++] = first.expirations[todo[i]];
		yahoo_chain_release(&c);
	}
	free(got);
	free(todo);
	free(wanted);
	yahoo_chain_release(&first);
	return rc;
}

/* Continuous dividend yield: a year of dividends over the spot. */
static double div_yield(const struct ticker_view *t, int session)
{
	double sum = 0;
	size_t i;

	if (!(t->spot > 0))
		return 0;
	for (i = 0; i < t->n_divs; i++)
		if (t->divs[i].ex_date > session - YH_YIELD_DAYS && t->divs[i].ex_date <= session)
			sum += t->divs[i].amount;
	return log1p(sum / t->spot);
}

/* Fills one ticker; 0, or an error with *how saying what kind. */
static int load_ticker(struct yahoo *y, const struct provider_req *req, const char *sym,
		       struct ticker_view *t, int *how)
{
	char e2[PT_ERRSZ];
	int rc;

	pt_strlcpy(t->source, "yahoo", sizeof(t->source));
	t->spot = NAN;
	*how = YF_NONE;
	if (pt_strlcpy(t->symbol, sym, sizeof(t->symbol)) || !sym[0]) {
		*how = YF_DATA;
		rc = pt_err(e2, PT_EINVAL, "not a ticker symbol");
	} else {
		rc = fetch_chart(y, req, sym, t, how, e2);
		if (!rc)
			rc = fetch_chains(y, req, sym, t, how, e2);
	}
	if (rc) {
		free(t->bars);
		free(t->divs);
		free(t->opts);
		t->bars = NULL;
		t->divs = NULL;
		t->opts = NULL;
		t->n_bars = t->n_divs = t->n_opts = 0;
		t->ok = 0;
		pt_err(t->error, rc, "%s: %s", sym, e2);
		one_line(t->error, sizeof(t->error), t->error);
		return rc;
	}
	t->ok = 1;
	t->div_yield = div_yield(t, req->session);
	return 0;
}

/* The 13-week T-bill (^IRX, a discount yield in percent) as a continuous
 * rate; NAN when it cannot be had. */
static double fetch_rate(struct yahoo *y, int session)
{
	struct ticker_view t;
	struct http_response r;
	char url[1024], err[PT_ERRSZ];
	double d = NAN, rate = NAN;
	int how;

	memset(&t, 0, sizeof(t));
	snprintf(url, sizeof(url),
		 "%s/v8/finance/chart/%%5EIRX?period1=%lld&period2=%lld&interval=1d", y->base,
		 (long long)day_epoch(session - YH_RATE_DAYS), (long long)day_epoch(session + 1));
	if (api_get_ok(y, url, "^IRX", &r, &how, err))
		return NAN;
	if (yahoo_parse_chart(r.body, r.len, session, &t, err) == 0 && t.n_bars)
		d = t.bars[t.n_bars - 1].close / 100.0;
	http_response_release(&r);
	free(t.bars);
	free(t.divs);
	/* a discount yield d on a 91-day bill: price 1 - d 91/360 */
	if (isfinite(d) && d > -0.5 && d < 0.5)
		rate = -log(1.0 - d * 91.0 / 360.0) * 365.0 / 91.0;
	return rate;
}

int yahoo_load(void *state, const struct provider_req *req, struct market_view *out, char *err)
{
	struct yahoo *y = state;
	int64_t asof = req->asof ? req->asof : (int64_t)time(NULL);
	int day, sec, rc = 0, how, n_transport = 0;
	char d1[DATE_BUFSZ], d2[DATE_BUFSZ], first_transport[PT_ERRSZ] = "";
	size_t i;

	cal_epoch_to_ny(asof, &day, &sec);
	if (day != req->session)
		return pt_err(err, PT_EINVAL,
			      "yahoo serves only today's session (%s in New York), not %s; use "
			      "provider sim or tape for past sessions",
			      date_fmt(day, d1), date_fmt(req->session, d2));
	out->session = req->session;
	out->asof = asof;
	out->rate = NAN;
	out->tickers = xcalloc(req->n + 1, sizeof(*out->tickers));
	out->n_tickers = req->n;
	for (i = 0; i < req->n; i++) {
		struct ticker_view *t = &out->tickers[i];

		if (load_ticker(y, req, req->tickers[i], t, &how) == 0)
			continue;
		if (how == YF_FATAL) {
			rc = pt_err(err, PT_EIO, "yahoo: %s", t->error);
			goto out;
		}
		if (how == YF_TRANSPORT && n_transport++ == 0)
			pt_strlcpy(first_transport, t->error, sizeof(first_transport));
	}
	if (req->n && n_transport == (int)req->n) {
		rc = pt_err(err, PT_EIO, "yahoo: every ticker failed; %s", first_transport);
		goto out;
	}
	out->rate = fetch_rate(y, req->session);
out:
	if (rc)
		mv_release(out);
	return rc;
}

const struct provider_ops yahoo_provider_ops = {
	.name = "yahoo",
	.load = yahoo_load,
	.free = yahoo_free,
};
