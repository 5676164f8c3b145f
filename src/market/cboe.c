/*
 * cboe.c - the Cboe delayed-quotes provider (DESIGN.md §1 "market view for
 * D", §6 "cboe"): per ticker one GET of the whole option chain and one of
 * the daily history, through http.h (so both land on the run's tape), parsed
 * here into a ticker view. See cboe.h for what is kept and what is refused.
 *
 * Formats. The options body's quote fields are those of the recorded quotes
 * body (fixtures/cboe/cboe-AAPL-quote-2024-06-27.json); the contract fields
 * come from OpenBB's parser (openbb_cboe/models/options_chains.py), since no
 * options body was recorded; the history shape comes from OpenBB's equity
 * historical fetcher (openbb_cboe/models/equity_historical.py), also with
 * no recording. Times are New York wall times without a zone.
 *
 * Every body is hostile: size-capped, parsed by jansson (depth-limited,
 * duplicate keys rejected), every field type- and range-checked.
 */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <jansson.h>

#include "cboe.h"
#include "calendar.h"
#include "http.h"
#include "../util/date.h"
#include "../util/util.h"

#define CBOE_MAX_BODY ((size_t)64 << 20)	/* an _SPX chain is some 15 MB */
#define CBOE_MAX_ROWS 400000
#define MAX_COUNT 1e15				/* volume or open interest beyond: junk */

struct cboe {
	struct http *h;
	char base[512];
};

/* Cash indices a bare ticker may name; Cboe asks for them as _NAME. */
static const char *const index_names[] = {"SPX", "XSP", "NDX", "RUT", "VIX", "DJX", "OEX", "XEO"};

/* ---- small parsing helpers ---- */

static int two_digits(const char *s, int *out)
{
	if (s[0] < '0' || s[0] > '9' || s[1] < '0' || s[1] > '9')
		return -1;
	*out = (s[0] - '0') * 10 + (s[1] - '0');
	return 0;
}

/* A number, or a numeric string (strict), finite. 0 or -1. */
static int num_of(const json_t *v, double *out)
{
	double x;

	if (json_is_number(v))
		x = json_number_value(v);
	else if (json_is_string(v)) {
		if (pt_parse_double(json_string_value(v), &x))
			return -1;
	} else
		return -1;
	if (!isfinite(x))
		return -1;
	*out = x;
	return 0;
}

/* A count (volume, open interest): absent or null gives -1 and 0; a
 * non-negative integral number gives it and 0; anything else -1. */
static int count_of(const json_t *v, int64_t *out)
{
	double x;

	*out = -1;
	if (!v || json_is_null(v))
		return 0;
	if (num_of(v, &x) || x < 0 || x > MAX_COUNT || x != floor(x))
		return -1;
	*out = (int64_t)x;
	return 0;
}

/* "YYYY-MM-DD HH:MM:SS" or "YYYY-MM-DDTHH:MM:SS", New York time, to Unix time. */
static int ny_stamp(const char *s, int64_t *out)
{
	char d[DATE_BUFSZ];
	int day, hh, mm, ss;
	int64_t t;

	if (!s || strlen(s) != 19 || (s[10] != ' ' && s[10] != 'T') || s[13] != ':' ||
	    s[16] != ':')
		return -1;
	memcpy(d, s, 10);
	d[10] = '\0';
	if (date_parse(d, &day) || two_digits(s + 11, &hh) || two_digits(s + 14, &mm) ||
	    two_digits(s + 17, &ss) || hh > 23 || mm > 59 || ss > 59)
		return -1;
	if (cal_ny_to_epoch(day, hh * 60 + mm, &t))
		return -1;
	*out = t + ss;
	return 0;
}

/* The name without its index prefix ('_' or '^'). */
static const char *bare(const char *s)
{
	return (*s == '_' || *s == '^') ? s + 1 : s;
}

static json_t *load_json(const char *body, size_t len, char *err)
{
	json_error_t je;
	json_t *root;

	if (!body || len == 0) {
		pt_err(err, PT_EDATA, "empty body");
		return NULL;
	}
	if (len > CBOE_MAX_BODY) {
		pt_err(err, PT_EDATA, "body larger than %zu MiB", CBOE_MAX_BODY >> 20);
		return NULL;
	}
	root = json_loadb(body, len, JSON_REJECT_DUPLICATES, &je);
	if (!root) {
		pt_err(err, PT_EDATA, "not JSON: %s (line %d)", je.text, je.line);
		return NULL;
	}
	if (!json_is_object(root)) {
		json_decref(root);
		pt_err(err, PT_EDATA, "not a JSON object");
		return NULL;
	}
	return root;
}

/* ---- OCC symbols ---- */

int cboe_parse_occ(const char *sym, char *root, size_t rootsz, int *expiry, char *right,
		   double *strike)
{
	size_t len, rlen, i;
	const char *tail;
	int yy, mm, dd;
	long k = 0;

	if (!sym)
		return -1;
	len = strnlen(sym, 32);
	if (len < 16 || len > 21)
		return -1;
	rlen = len - 15;
	tail = sym + rlen;
	/* Space padding only in the 21-character form, only after the root. */
	if (len == 21)
		while (rlen > 0 && sym[rlen - 1] == ' ')
			rlen--;
	if (rlen < 1 || rlen > 6 || rlen + 1 > rootsz)
		return -1;
	if (sym[0] < 'A' || sym[0] > 'Z')
		return -1;
	for (i = 1; i < rlen; i++) {
		char c = sym[i];
		if (!((c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.'))
			return -1;
	}
	if (two_digits(tail, &yy) || two_digits(tail + 2, &mm) || two_digits(tail + 4, &dd))
		return -1;
	if (mm < 1 || mm > 12 || dd < 1 || dd > date_days_in_month(2000 + yy, mm))
		return -1;
	if (tail[6] != 'C' && tail[6] != 'P')
		return -1;
	for (i = 7; i < 15; i++) {
		if (tail[i] < '0' || tail[i] > '9')
			return -1;
		k = k * 10 + (tail[i] - '0');
	}
	if (k == 0)
		return -1;
	memcpy(root, sym, rlen);
	root[rlen] = '\0';
	*expiry = date_from_ymd(2000 + yy, mm, dd);
	*right = tail[6];
	*strike = (double)k / 1000.0;
	return 0;
}

/* ---- options chain ---- */

/*
 * Where an OCC root stands for the underlying Cboe calls `symbol`: -1 not
 * its own; else a preference, lower first. An index's PM-settled roots
 * (SPXW, NDXP) come before its AM-settled one (SPX), as settlement here is
 * at the expiry date's close: on a monthly expiration SPX and SPXW list the
 * same expiry, strike and right, and the view keeps one contract per key.
 */
static int root_rank(const char *root, const char *symbol)
{
	const char *name = bare(symbol);
	size_t n = strlen(name);
	int index = symbol[0] == '_' || symbol[0] == '^';

	if (strcmp(root, name) == 0)
		return index ? 2 : 0;
	if (!index || strlen(root) != n + 1 || strncmp(root, name, n) != 0)
		return -1;
	return root[n] == 'W' ? 0 : root[n] == 'P' ? 1 : -1;
}

/* A contract row and the preference of its root. */
struct row {
	struct option_quote q;
	int rank;
};

/* Orders NaN before every number, so that sorting is a total order. */
static int cmp_num(double a, double b)
{
	if (isnan(a) || isnan(b))
		return isnan(b) - isnan(a);
	return a < b ? -1 : a > b;
}

/* By contract (expiry, right, strike): the order of the view. */
static int cmp_key(const struct option_quote *x, const struct option_quote *y)
{
	if (x->expiry != y->expiry)
		return x->expiry < y->expiry ? -1 : 1;
	if (x->right != y->right)
		return x->right < y->right ? -1 : 1;
	return cmp_num(x->strike, y->strike);
}

/* By contract, then root preference, then every field: the row a duplicate
 * keeps does not depend on the order of the body. */
static int cmp_row(const void *a, const void *b)
{
	const struct row *x = a, *y = b;
	int c = cmp_key(&x->q, &y->q);

	if (c)
		return c;
	if (x->rank != y->rank)
		return x->rank < y->rank ? -1 : 1;
	if ((c = cmp_num(x->q.bid, y->q.bid)) || (c = cmp_num(x->q.ask, y->q.ask)) ||
	    (c = cmp_num(x->q.last, y->q.last)) || (c = cmp_num(x->q.vendor_iv, y->q.vendor_iv)))
		return c;
	if (x->q.volume != y->q.volume)
		return x->q.volume < y->q.volume ? -1 : 1;
	if (x->q.open_interest != y->q.open_interest)
		return x->q.open_interest < y->q.open_interest ? -1 : 1;
	return 0;
}

/* One contract row: 1 kept in *r, 0 skipped (another root), -1 bad data. */
static int parse_row(const json_t *row, const char *symbol, struct row *r)
{
	struct option_quote *q = &r->q;
	char root[8];
	const json_t *v;
	double x;

	if (!json_is_object(row))
		return -1;
	v = json_object_get(row, "option");
	if (!json_is_string(v) || cboe_parse_occ(json_string_value(v), root, sizeof(root),
						 &q->expiry, &q->right, &q->strike))
		return -1;
	r->rank = root_rank(root, symbol);
	if (r->rank < 0)
		return 0;
	if (num_of(json_object_get(row, "bid"), &q->bid) ||
	    num_of(json_object_get(row, "ask"), &q->ask) || q->bid < 0 || q->ask <= q->bid)
		return -1;
	if (count_of(json_object_get(row, "volume"), &q->volume) ||
	    count_of(json_object_get(row, "open_interest"), &q->open_interest))
		return -1;
	q->last = NAN;
	v = json_object_get(row, "last_trade_time");
	if (!json_is_null(v) && !num_of(json_object_get(row, "last_trade_price"), &x) && x > 0)
		q->last = x;
	q->vendor_iv = NAN;
	if (!num_of(json_object_get(row, "iv"), &x) && x > 0)
		q->vendor_iv = x;
	return 1;
}

int cboe_parse_chain(const char *body, size_t len, const char *symbol, struct ticker_view *t,
		     char *err)
{
	json_t *root, *data, *v, *opts;
	struct row *rows = NULL;
	struct option_quote *q = NULL;
	size_t n = 0, i, k, cap;
	int64_t when;
	double spot;
	int rc = PT_EDATA, dropped = 0;

	root = load_json(body, len, err);
	if (!root)
		return PT_EDATA;
	v = json_object_get(root, "symbol");
	if (v && (!json_is_string(v) || strcmp(bare(json_string_value(v)), bare(symbol)) != 0)) {
		pt_err(err, PT_EDATA, "the body is for %.20s, not %s",
		       json_is_string(v) ? json_string_value(v) : "another symbol", symbol);
		goto out;
	}
	data = json_object_get(root, "data");
	if (!json_is_object(data)) {
		pt_err(err, PT_EDATA, "no \"data\" object");
		goto out;
	}
	if (num_of(json_object_get(data, "current_price"), &spot) || spot <= 0) {
		pt_err(err, PT_EDATA, "no valid current_price");
		goto out;
	}
	v = json_object_get(root, "timestamp");
	if (!json_is_string(v) || ny_stamp(json_string_value(v), &when)) {
		pt_err(err, PT_EDATA, "no valid timestamp");
		goto out;
	}
	opts = json_object_get(data, "options");
	if (opts && !json_is_array(opts)) {
		pt_err(err, PT_EDATA, "\"options\" is not an array");
		goto out;
	}
	cap = json_array_size(opts);
	if (cap > CBOE_MAX_ROWS) {
		pt_err(err, PT_EDATA, "more than %d contracts", CBOE_MAX_ROWS);
		goto out;
	}
	rows = cap ? xcalloc(cap, sizeof(*rows)) : NULL;
	for (i = 0; i < cap; i++) {
		int r = parse_row(json_array_get(opts, i), symbol, &rows[n]);
		if (r > 0)
			n++;
		else if (r < 0)
			dropped++;
	}
	if (n > 1)
		qsort(rows, n, sizeof(*rows), cmp_row);
	/* One contract per key: a second row of the same root is a bad
	 * duplicate; one of a less preferred root is another contract. */
	q = n ? xcalloc(n, sizeof(*q)) : NULL;
	for (i = k = 0; i < n; i++) {
		if (k && cmp_key(&rows[i].q, &q[k - 1]) == 0) {
			if (rows[i].rank == rows[i - 1].rank)
				dropped++;
			continue;
		}
		q[k++] = rows[i].q;
	}
	n = k;
	free(t->opts);
	t->opts = q;
	t->n_opts = n;
	q = NULL;
	t->dropped += dropped;
	t->spot = spot;
	t->quote_time = when;
	rc = 0;
out:
	free(rows);
	free(q);
	json_decref(root);
	return rc;
}

/* ---- daily history ---- */

/* By date, then every field (a total order: see cmp_row). */
static int cmp_bar(const void *a, const void *b)
{
	const struct bar *x = a, *y = b;
	int c;

	if (x->date != y->date)
		return x->date < y->date ? -1 : 1;
	if ((c = cmp_num(x->close, y->close)) || (c = cmp_num(x->open, y->open)) ||
	    (c = cmp_num(x->high, y->high)) || (c = cmp_num(x->low, y->low)))
		return c;
	return x->volume < y->volume ? -1 : x->volume > y->volume;
}

/* A price field of a bar: the value when finite and positive, else NAN. */
static double price_of(const json_t *v)
{
	double x;

	return (!num_of(v, &x) && x > 0) ? x : NAN;
}

int cboe_parse_history(const char *body, size_t len, int from, int session,
		       struct ticker_view *t, char *err)
{
	json_t *root, *data;
	struct bar *b = NULL;
	size_t n = 0, i, k, rows;
	int rc = PT_EDATA, dropped = 0;

	root = load_json(body, len, err);
	if (!root)
		return PT_EDATA;
	data = json_object_get(root, "data");
	if (!json_is_array(data)) {
		pt_err(err, PT_EDATA, "no \"data\" array");
		goto out;
	}
	rows = json_array_size(data);
	if (rows == 0) {
		pt_err(err, PT_EDATA, "no daily bars");
		goto out;
	}
	if (rows > CBOE_MAX_ROWS) {
		pt_err(err, PT_EDATA, "more than %d daily bars", CBOE_MAX_ROWS);
		goto out;
	}
	b = xcalloc(rows, sizeof(*b));
	for (i = 0; i < rows; i++) {
		const json_t *row = json_array_get(data, i), *d, *vol;
		struct bar *r = &b[n];
		double x;

		if (!json_is_object(row)) {
			dropped++;
			continue;
		}
		d = json_object_get(row, "date");
		if (!json_is_string(d) || date_parse(json_string_value(d), &r->date)) {
			dropped++;
			continue;
		}
		if (r->date < from || r->date >= session)
			continue;
		r->close = price_of(json_object_get(row, "close"));
		if (!isfinite(r->close)) {
			dropped++;
			continue;
		}
		r->open = price_of(json_object_get(row, "open"));
		r->high = price_of(json_object_get(row, "high"));
		r->low = price_of(json_object_get(row, "low"));
		vol = json_object_get(row, "volume");
		if (!vol)
			vol = json_object_get(row, "stock_volume");
		r->volume = (!num_of(vol, &x) && x >= 0 && x <= MAX_COUNT) ? (int64_t)x : -1;
		n++;
	}
	if (n > 1) {
		qsort(b, n, sizeof(*b), cmp_bar);
		for (i = k = 1; i < n; i++) {
			if (b[i].date == b[k - 1].date)
				dropped++;
			else
				b[k++] = b[i];
		}
		n = k;
	}
	if (n == 0) {
		free(b);
		b = NULL;
	}
	free(t->bars);
	t->bars = b;
	t->n_bars = n;
	b = NULL;
	t->dropped += dropped;
	rc = 0;
out:
	free(b);
	json_decref(root);
	return rc;
}

/* ---- the provider ---- */

void *cboe_new(struct http *h, const char *base_url)
{
	struct cboe *c = xcalloc(1, sizeof(*c));
	size_t n;

	c->h = h;
	pt_strlcpy(c->base, base_url ? base_url : "", sizeof(c->base));
	n = strlen(c->base);
	while (n > 0 && c->base[n - 1] == '/')
		c->base[--n] = '\0';
	return c;
}

void cboe_free(void *state)
{
	free(state);
}

/* Marks why a ticker cannot be served (one line, cut to fit). */
static void fail(struct ticker_view *t, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void fail(struct ticker_view *t, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(t->error, sizeof(t->error), fmt, ap);
	va_end(ap);
	t->ok = 0;
}

/* Cboe's name of a ticker: ^SPX, _SPX and SPX give _SPX; QQQ gives QQQ.
 * 0, or -1 when the ticker is not a plain symbol (A-Z, 0-9, '.', '-'). */
static int cboe_name(const char *ticker, char *out, size_t size)
{
	const char *s = bare(ticker);
	int index = s != ticker;
	size_t i, n = strlen(s);

	if (n == 0 || n + 2 > size)
		return -1;
	for (i = 0; i < n; i++)
		if (!((s[i] >= 'A' && s[i] <= 'Z') || (s[i] >= '0' && s[i] <= '9') ||
		      s[i] == '.' || s[i] == '-'))
			return -1;
	for (i = 0; i < PT_ARRAY_SIZE(index_names); i++)
		if (strcmp(s, index_names[i]) == 0)
			index = 1;
	if (index)
		*out++ = '_';
	memcpy(out, s, n + 1);
	return 0;
}

/* GETs {base}/api/global/delayed_quotes/{what}/{name}.json; 0 with a 200
 * response in r, or -1 with t->error set. */
static int fetch(struct cboe *c, const char *what, const char *name, struct ticker_view *t,
		 struct http_response *r)
{
	char e[PT_ERRSZ];
	char *esc = http_escape(name);
	struct sbuf url;
	int rc = -1;

	memset(r, 0, sizeof(*r));
	sb_init(&url, 4096);
	if (!esc || sb_addf(&url, "%s/api/global/delayed_quotes/%s/%s.json", c->base, what, esc)) {
		fail(t, "cboe: %s: URL too long", t->symbol);
		goto out;
	}
	if (http_get(c->h, sb_str(&url), r, e)) {
		fail(t, "cboe: %s: %s/%s.json: %s", t->symbol, what, esc, e);
		http_response_release(r);
		goto out;
	}
	if (r->status != 200) {
		fail(t, "cboe: %s: %s/%s.json: HTTP %ld", t->symbol, what, esc, r->status);
		http_response_release(r);
		goto out;
	}
	rc = 0;
out:
	sb_release(&url);
	free(esc);
	return rc;
}

/* Keeps the contracts of the expirations the wants ask of this ticker,
 * "nearest" ones resolved against the expirations the chain lists. */
static void keep_needed(struct ticker_view *t, const struct provider_req *req)
{
	int *exp = xcalloc(req->n_want + 1, sizeof(*exp));
	size_t i, j, k = 0;

	for (j = 0; t->n_opts && j < req->n_want; j++)
		exp[j] = provider_want_expiry(&req->want[j], t->symbol, &t->opts[0].expiry,
					      t->n_opts, sizeof(t->opts[0]), req->session);
	for (i = 0; i < t->n_opts; i++) {
		int e = t->opts[i].expiry, keep = 0;
		for (j = 0; !keep && j < req->n_want; j++)
			keep = exp[j] != 0 && exp[j] == e;
		if (keep)
			t->opts[k++] = t->opts[i];
	}
	free(exp);
	t->n_opts = k;
	if (k == 0) {
		free(t->opts);
		t->opts = NULL;
	}
}

static void load_ticker(struct cboe *c, const struct provider_req *req, struct ticker_view *t)
{
	char name[MV_SYMSZ + 1], e[PT_ERRSZ];
	struct http_response r;

	if (cboe_name(t->symbol, name, sizeof(name))) {
		fail(t, "cboe: %s: not a symbol Cboe can be asked for", t->symbol);
		return;
	}
	if (fetch(c, "options", name, t, &r))
		return;
	if (cboe_parse_chain(r.body, r.len, name, t, e)) {
		fail(t, "cboe: %s: options/%s.json: %s", t->symbol, name, e);
		http_response_release(&r);
		return;
	}
	http_response_release(&r);
	if (t->n_opts == 0) {
		fail(t, "cboe: %s: no usable option contract in the chain (%d dropped)",
		     t->symbol, t->dropped);
		return;
	}
	keep_needed(t, req);
	if (fetch(c, "charts/historical", name, t, &r))
		return;
	if (cboe_parse_history(r.body, r.len, req->hist_from, req->session, t, e)) {
		fail(t, "cboe: %s: charts/historical/%s.json: %s", t->symbol, name, e);
		http_response_release(&r);
		return;
	}
	http_response_release(&r);
	t->div_yield = 0;
	t->ok = 1;
}

int cboe_load(void *state, const struct provider_req *req, struct market_view *out, char *err)
{
	struct cboe *c = state;
	int64_t asof = req->asof ? req->asof : (int64_t)time(NULL);
	char want[DATE_BUFSZ], have[DATE_BUFSZ];
	int today, sec;
	size_t i;

	cal_epoch_to_ny(asof, &today, &sec);
	if (today != req->session)
		return pt_err(err, PT_EINVAL,
			      "cboe serves only today's session (%s in New York), not %s",
			      date_fmt(today, have), date_fmt(req->session, want));
	out->session = req->session;
	out->asof = req->asof;
	out->rate = NAN;
	out->n_tickers = req->n;
	out->tickers = req->n ? xcalloc(req->n, sizeof(*out->tickers)) : NULL;
	for (i = 0; i < req->n; i++) {
		struct ticker_view *t = &out->tickers[i];

		pt_strlcpy(t->source, "cboe", sizeof(t->source));
		t->spot = NAN;
		if (pt_strlcpy(t->symbol, req->tickers[i], sizeof(t->symbol))) {
			fail(t, "cboe: %.20s...: symbol too long", req->tickers[i]);
			continue;
		}
		load_ticker(c, req, t);
		if (!t->ok) {
			/* A failed ticker carries nothing half-loaded. */
			free(t->opts);
			free(t->bars);
			t->opts = NULL;
			t->bars = NULL;
			t->n_opts = t->n_bars = 0;
			t->dropped = 0;
			t->spot = NAN;
			t->quote_time = 0;
		}
	}
	return 0;
}

const struct provider_ops cboe_provider_ops = {
	.name = "cboe",
	.load = cboe_load,
	.free = cboe_free,
};
