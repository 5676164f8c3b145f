/*
 * brief.c - the brief's portfolio_data.json (seed/live-paper-trading-guide.md,
 * "Files Created"), read and written for `import` and `export` (DESIGN.md §5
 * `export`/`import`; §2: beside store/, not inside it). See brief.h. Turns a
 * portfolio (book/) into text and back; does no I/O and knows no SQLite:
 * cli/port.c moves the text between files and the store.
 *
 * Export writes the brief's fields (amounts in dollars with two decimals,
 * per-share prices as they are) and a "papertrade" object holding the exact
 * state (cents, ids, the ledger, every double at full precision), so that
 * export -> import gives back the same portfolio field by field.
 *
 * Import takes either:
 *   - a file with the "papertrade" object: the exact state is read from it,
 *     every field checked, and the brief's fields beside it must agree
 *     (initial_capital, current_cash, start_date, how many open and closed);
 *   - a file with the brief's fields only (what the brief's Python script
 *     writes): each open position is booked at its entry price, each closed
 *     trade opened and closed with its pnl, and what is left of current_cash
 *     is the opening balance: the initial capital becomes current_cash less
 *     the trades' cash flows, so the identities of book.h hold with no
 *     synthetic trade (refused when that leaves nothing). An open position
 *     must name its expiration (a closed one without gets the monthly
 *     expiration nearest 30 days after its entry, the brief's target_dte);
 *     one without an entry date opened on start_date. daily_snapshots are
 *     checked but not kept: the brief values short calls as assets
 *     (DESIGN.md errata 1), so its values would disagree with every value
 *     papertrade computes; the history starts at the next run. Benchmarks
 *     are not in the file either: the next run buys them (session.c).
 * Both end with book_check. The input is hostile: size and depth capped,
 * every field's type, range and format checked, errors name the field
 * ("positions[2].strike: not a positive number").
 */
#include <assert.h>
#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <jansson.h>

#include "brief.h"
#include "../book/book.h"
#include "../config.h"
#include "../market/calendar.h"
#include "../util/date.h"
#include "../util/util.h"

#define BRIEF_MAX_DEPTH 32        /* nesting of arrays and objects */
#define BRIEF_FORMAT 1            /* version of the "papertrade" object */
#define MAX_DOLLARS 1e10          /* any single amount, in dollars */
#define MAX_CENTS 1000000000000LL /* the same in cents */
#define MAX_PRICE 1e7             /* a per-share price or a strike */
#define MAX_QTY 1e9               /* contracts or shares */

/* ---- export: a small pretty-printing JSON writer over an sbuf ----------- */

struct jw {
	struct sbuf *sb;
	int fail;
	int depth;
	int inline_from; /* containers at or below this depth go on one line; 0 = none */
	unsigned char first[BRIEF_MAX_DEPTH + 1];
	int after_key;
};

static void jw_raw(struct jw *w, const char *s, size_t n)
{
	if (!w->fail && sb_add(w->sb, s, n))
		w->fail = 1;
}

static void jw_str0(struct jw *w, const char *s)
{
	jw_raw(w, s, strlen(s));
}

static int jw_inline(const struct jw *w)
{
	return w->inline_from && w->depth >= w->inline_from;
}

static void jw_newline(struct jw *w)
{
	static const char spaces[] =
	        "                                                                ";
	int n = 2 * w->depth;

	if (jw_inline(w))
		return;
	jw_raw(w, "\n", 1);
	jw_raw(w, spaces, (size_t)(n < (int)sizeof(spaces) - 1 ? n : (int)sizeof(spaces) - 1));
}

/* Before any value or key: the comma and line break of its container. */
static void jw_sep(struct jw *w)
{
	if (w->after_key) {
		w->after_key = 0;
		return;
	}
	if (!w->depth)
		return;
	if (!w->first[w->depth])
		jw_str0(w, jw_inline(w) ? ", " : ",");
	w->first[w->depth] = 0;
	jw_newline(w);
}

static void jw_open(struct jw *w, char c, int one_line)
{
	jw_sep(w);
	jw_raw(w, &c, 1);
	w->depth++;
	if (w->depth > BRIEF_MAX_DEPTH) {
		w->fail = 1;
		w->depth = BRIEF_MAX_DEPTH;
	}
	w->first[w->depth] = 1;
	if (one_line && !w->inline_from)
		w->inline_from = w->depth;
}

static void jw_close(struct jw *w, char c)
{
	int empty = w->first[w->depth], inl = jw_inline(w);

	w->depth--;
	if (!empty && !inl)
		jw_newline(w);
	if (w->inline_from && w->depth < w->inline_from)
		w->inline_from = 0;
	jw_raw(w, &c, 1);
}

static void jw_quoted(struct jw *w, const char *s)
{
	char esc[8];
	const char *run = s;

	jw_raw(w, "\"", 1);
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;
		if (c >= 0x20 && c != '"' && c != '\\' && c != 0x7f)
			continue;
		jw_raw(w, run, (size_t)(s - run));
		if (c == '"' || c == '\\') {
			esc[0] = '\\';
			esc[1] = (char)c;
			jw_raw(w, esc, 2);
		} else {
			snprintf(esc, sizeof(esc), "\\u%04x", c);
			jw_raw(w, esc, 6);
		}
		run = s + 1;
	}
	jw_raw(w, run, (size_t)(s - run));
	jw_raw(w, "\"", 1);
}

static void jw_key(struct jw *w, const char *k)
{
	jw_sep(w);
	jw_quoted(w, k);
	jw_raw(w, ": ", 2);
	w->after_key = 1;
}

static void jw_string(struct jw *w, const char *k, const char *v)
{
	if (k)
		jw_key(w, k);
	jw_sep(w);
	if (v)
		jw_quoted(w, v);
	else
		jw_str0(w, "null");
}

static void jw_int(struct jw *w, const char *k, int64_t v)
{
	char buf[32];

	if (k)
		jw_key(w, k);
	jw_sep(w);
	snprintf(buf, sizeof(buf), "%lld", (long long)v);
	jw_str0(w, buf);
}

/* Cents as dollars with exactly two decimals, by integer arithmetic. */
static void jw_money(struct jw *w, const char *k, int64_t cents)
{
	char buf[40];

	if (k)
		jw_key(w, k);
	jw_sep(w);
	jw_str0(w, pt_fmt_cents(buf, sizeof(buf), cents));
}

/* The shortest decimal that reads back as the same double; null when not finite. */
static void jw_double(struct jw *w, const char *k, double v)
{
	char buf[40];
	int prec;

	if (k)
		jw_key(w, k);
	jw_sep(w);
	if (!isfinite(v)) {
		jw_str0(w, "null");
		return;
	}
	for (prec = 15; prec <= 17; prec++) {
		snprintf(buf, sizeof(buf), "%.*g", prec, v);
		if (strtod(buf, NULL) == v)
			break;
	}
	jw_str0(w, buf);
}

static void jw_date(struct jw *w, const char *k, int day)
{
	char buf[DATE_BUFSZ];

	jw_string(w, k, day ? date_fmt(day, buf) : NULL);
}

static const char *type_name(char right)
{
	return right == 'C' ? "call" : right == 'P' ? "put" : "shares";
}

/* One entry of "positions" or "closed_trades" (the brief's fields). */
static void export_trade(struct jw *w, const struct position *p)
{
	jw_open(w, '{', 0);
	jw_string(w, "ticker", p->ticker);
	jw_string(w, "action", p->quantity < 0 ? "SELL" : "BUY");
	jw_string(w, "type", type_name(p->right));
	jw_double(w, "strike", p->strike);
	jw_date(w, "expiration", p->expiry);
	jw_double(w, "contracts", fabs(p->quantity));
	jw_double(w, "entry_price", p->entry_price);
	jw_date(w, "entry_date", p->opened);
	jw_money(w, "premium_collected", p->credit_cents);
	if (p->closed) {
		jw_double(w, "exit_price", p->exit_price);
		jw_date(w, "exit_date", p->closed);
		jw_money(w, "pnl", book_pnl_cents(p));
		jw_string(w, "status", "CLOSED");
		jw_string(w, "reason", p->reason);
	} else {
		jw_double(w, "current_price", p->mark);
		jw_money(w, "unrealized_pnl", book_unrealized_cents(p));
		jw_string(w, "status", "OPEN");
	}
	jw_close(w, '}');
}

/* The exact state, for a lossless round trip. */
static void export_exact(struct jw *w, const struct portfolio *pf)
{
	size_t i, j;

	jw_key(w, "papertrade");
	jw_open(w, '{', 0);
	jw_int(w, "format", BRIEF_FORMAT);
	jw_int(w, "initial_cents", pf->initial_cents);
	jw_int(w, "cash_cents", pf->cash_cents);
	jw_int(w, "income_cents", pf->income_cents);
	jw_date(w, "start", pf->start);
	jw_date(w, "last_session", pf->last_session);
	jw_date(w, "events_through", pf->events_through);
	jw_int(w, "next_pos_id", pf->next_pos_id);
	jw_int(w, "next_ledger_id", pf->next_ledger_id);
	jw_double(w, "interest_carry", pf->interest_carry);

	jw_key(w, "positions");
	jw_open(w, '[', 0);
	for (i = 0; i < pf->n_pos; i++) {
		const struct position *p = &pf->pos[i];
		char right[2] = {p->right, '\0'};

		jw_open(w, '{', 1);
		jw_int(w, "id", p->id);
		jw_string(w, "ticker", p->ticker);
		jw_string(w, "right", right);
		jw_double(w, "strike", p->strike);
		jw_date(w, "expiry", p->expiry);
		jw_double(w, "quantity", p->quantity);
		jw_double(w, "entry_price", p->entry_price);
		jw_date(w, "opened", p->opened);
		jw_int(w, "credit_cents", p->credit_cents);
		jw_double(w, "mark", p->mark);
		jw_int(w, "mark_model", p->mark_model);
		jw_double(w, "entry_spot", p->entry_spot);
		jw_double(w, "entry_iv", p->entry_iv);
		jw_double(w, "entry_hv", p->entry_hv);
		jw_double(w, "entry_theo", p->entry_theo);
		jw_date(w, "closed", p->closed);
		jw_double(w, "exit_price", p->exit_price);
		jw_int(w, "close_cents", p->close_cents);
		jw_string(w, "reason", p->reason);
		jw_string(w, "strategy", p->strategy);
		jw_close(w, '}');
	}
	jw_close(w, ']');

	jw_key(w, "ledger");
	jw_open(w, '[', 0);
	for (i = 0; i < pf->n_ledger; i++) {
		const struct ledger_entry *e = &pf->ledger[i];

		jw_open(w, '{', 1);
		jw_int(w, "id", e->id);
		jw_date(w, "session", e->session);
		jw_int(w, "position_id", e->position_id);
		jw_string(w, "kind", e->kind);
		jw_int(w, "cents", e->cents);
		jw_string(w, "memo", e->memo);
		jw_close(w, '}');
	}
	jw_close(w, ']');

	jw_key(w, "benchmarks");
	jw_open(w, '[', 0);
	for (i = 0; i < pf->n_bench; i++) {
		jw_open(w, '{', 1);
		jw_string(w, "ticker", pf->bench[i].ticker);
		jw_double(w, "shares", pf->bench[i].shares);
		jw_double(w, "price", pf->bench[i].price);
		jw_close(w, '}');
	}
	jw_close(w, ']');

	jw_key(w, "snapshots");
	jw_open(w, '[', 0);
	for (i = 0; i < pf->n_snaps; i++) {
		const struct snapshot *sn = &pf->snaps[i];

		jw_open(w, '{', 1);
		jw_date(w, "session", sn->session);
		jw_int(w, "cash_cents", sn->cash_cents);
		jw_int(w, "positions_cents", sn->positions_cents);
		jw_int(w, "value_cents", sn->value_cents);
		jw_int(w, "margin_cents", sn->margin_cents);
		jw_double(w, "rate", sn->rate);
		jw_int(w, "call_cents", sn->call_cents);
		jw_double(w, "cash_rate", sn->cash_rate);
		jw_key(w, "benchmarks_cents");
		jw_open(w, '[', 1);
		for (j = 0; j < pf->n_bench; j++)
			jw_int(w, NULL, pf->snap_bench[i * pf->n_bench + j]);
		jw_close(w, ']');
		jw_close(w, '}');
	}
	jw_close(w, ']');
	jw_close(w, '}');
}

int brief_export_json(const struct portfolio *pf, struct sbuf *out, char *err)
{
	struct jw w;
	size_t i, j;

	memset(&w, 0, sizeof(w));
	w.sb = out;
	jw_open(&w, '{', 0);
	jw_date(&w, "start_date", pf->start);
	jw_money(&w, "initial_capital", pf->initial_cents);
	jw_money(&w, "current_cash", pf->cash_cents);

	jw_key(&w, "positions");
	jw_open(&w, '[', 0);
	for (i = 0; i < pf->n_pos; i++)
		if (!pf->pos[i].closed)
			export_trade(&w, &pf->pos[i]);
	jw_close(&w, ']');

	jw_key(&w, "closed_trades");
	jw_open(&w, '[', 0);
	for (i = 0; i < pf->n_pos; i++)
		if (pf->pos[i].closed)
			export_trade(&w, &pf->pos[i]);
	jw_close(&w, ']');

	jw_key(&w, "daily_snapshots");
	jw_open(&w, '[', 0);
	for (i = 0; i < pf->n_snaps; i++) {
		const struct snapshot *sn = &pf->snaps[i];

		jw_open(&w, '{', 0);
		jw_date(&w, "date", sn->session);
		jw_money(&w, "portfolio_value", sn->value_cents);
		jw_money(&w, "cash", sn->cash_cents);
		jw_money(&w, "positions_value", sn->positions_cents);
		jw_money(&w, "margin", sn->margin_cents);
		jw_key(&w, "benchmarks");
		jw_open(&w, '{', 1);
		for (j = 0; j < pf->n_bench; j++)
			jw_money(&w, pf->bench[j].ticker, pf->snap_bench[i * pf->n_bench + j]);
		jw_close(&w, '}');
		jw_close(&w, '}');
	}
	jw_close(&w, ']');

	export_exact(&w, pf);
	jw_close(&w, '}');
	jw_raw(&w, "\n", 1);
	if (w.fail)
		return pt_err(err, PT_ERANGE, "export: larger than the output limit (%zu bytes)",
		              out->limit);
	return 0;
}

/* ---- import: checked field access -------------------------------------- */

/*
 * Fails naming the field: where is "positions[2]" (or "" at the top), field
 * the key ("strike"), so the message reads "positions[2].strike: ...".
 */
static int ferr(char *err, const char *where, const char *field, const char *fmt, ...)
        __attribute__((format(printf, 4, 5)));
static int ferr(char *err, const char *where, const char *field, const char *fmt, ...)
{
	char why[PT_ERRSZ];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(why, sizeof(why), fmt, ap);
	va_end(ap);
	return pt_err(err, PT_EINVAL, "%s%s%s: %s", where, *where && *field ? "." : "", field, why);
}

/* The member, or NULL when absent or null. */
static json_t *member(json_t *obj, const char *key)
{
	json_t *v = json_object_get(obj, key);

	return v && !json_is_null(v) ? v : NULL;
}

/* A finite number in [lo, hi]; absent/null is an error when required, else *present = 0. */
static int get_num(json_t *obj, const char *where, const char *key, int required, double lo,
                   double hi, double *out, int *present, char *err)
{
	json_t *v = member(obj, key);

	*out = NAN;
	if (present)
		*present = v != NULL;
	if (!v) {
		if (required)
			return ferr(err, where, key, "missing");
		return 0;
	}
	if (!json_is_number(v))
		return ferr(err, where, key, "not a number");
	*out = json_number_value(v);
	if (!isfinite(*out) || *out < lo || *out > hi)
		return ferr(err, where, key, "out of range [%g, %g]", lo, hi);
	return 0;
}

/* A dollar amount (required), to cents. */
static int get_money(json_t *obj, const char *where, const char *key, double lo, int64_t *cents,
                     char *err)
{
	double v;

	if (get_num(obj, where, key, 1, lo, MAX_DOLLARS, &v, NULL, err))
		return PT_EINVAL;
	*cents = pt_cents(v);
	return 0;
}

static int get_int(json_t *obj, const char *where, const char *key, int64_t lo, int64_t hi,
                   int64_t *out, char *err)
{
	json_t *v = member(obj, key);

	*out = 0;
	if (!v)
		return ferr(err, where, key, "missing");
	if (!json_is_integer(v))
		return ferr(err, where, key, "not an integer");
	*out = json_integer_value(v);
	if (*out < lo || *out > hi)
		return ferr(err, where, key, "out of range [%lld, %lld]", (long long)lo,
		            (long long)hi);
	return 0;
}

/* A string (NULL when absent or null and not required). */
static int get_str(json_t *obj, const char *where, const char *key, int required, const char **out,
                   char *err)
{
	json_t *v = member(obj, key);

	*out = NULL;
	if (!v)
		return required ? ferr(err, where, key, "missing") : 0;
	if (!json_is_string(v))
		return ferr(err, where, key, "not a string");
	*out = json_string_value(v);
	return 0;
}

/* Text for a fixed field: at most size - 1 bytes, no control characters. */
static int get_text(json_t *obj, const char *where, const char *key, int required, char *dst,
                    size_t size, char *err)
{
	const char *s;
	size_t i;

	if (get_str(obj, where, key, required, &s, err))
		return PT_EINVAL;
	if (!s)
		s = "";
	for (i = 0; s[i]; i++)
		if ((unsigned char)s[i] < 0x20 || s[i] == 0x7f)
			return ferr(err, where, key, "control character in text");
	if (pt_strlcpy(dst, s, size))
		return ferr(err, where, key, "longer than %zu bytes", size - 1);
	return 0;
}

static int get_ticker(json_t *obj, const char *where, const char *key, char *dst, char *err)
{
	size_t i;

	if (get_text(obj, where, key, 1, dst, BOOK_SYMSZ, err))
		return PT_EINVAL;
	if (!dst[0])
		return ferr(err, where, key, "empty");
	for (i = 0; dst[i]; i++)
		if (!strchr("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789.^_=-",
		            dst[i]))
			return ferr(err, where, key, "not a ticker symbol: '%s'", dst);
	return 0;
}

/* A "YYYY-MM-DD" date; absent or null gives 0 unless required. */
static int get_date(json_t *obj, const char *where, const char *key, int required, int *day,
                    char *err)
{
	const char *s;

	*day = 0;
	if (get_str(obj, where, key, required, &s, err))
		return PT_EINVAL;
	if (s && date_parse(s, day))
		return ferr(err, where, key, "not a date (want YYYY-MM-DD): '%.20s'", s);
	return 0;
}

static int depth_ok(json_t *v, int depth)
{
	const char *k;
	json_t *x;
	size_t i;

	if (depth > BRIEF_MAX_DEPTH)
		return 0;
	if (json_is_object(v)) {
		json_object_foreach(v, k, x)
		{
			if (!depth_ok(x, depth + 1))
				return 0;
		}
	} else if (json_is_array(v)) {
		json_array_foreach(v, i, x)
		{
			if (!depth_ok(x, depth + 1))
				return 0;
		}
	}
	return 1;
}

/* An array member (NULL when absent or null), else an error. */
static int get_array(json_t *obj, const char *key, json_t **out, char *err)
{
	json_t *v = member(obj, key);

	*out = v;
	if (v && !json_is_array(v))
		return ferr(err, "", key, "not an array");
	return 0;
}

static int item_object(json_t *arr, const char *name, size_t i, char *where, size_t n, json_t **out,
                       char *err)
{
	snprintf(where, n, "%s[%zu]", name, i);
	*out = json_array_get(arr, i);
	if (!json_is_object(*out))
		return ferr(err, where, "", "not an object");
	return 0;
}

/* ---- import: the brief's fields alone ------------------------------------ */

/* The monthly expiration nearest entry + 30 days (the brief's target_dte),
 * among those within 120 days; -1 when none. */
static int infer_expiry(int entry)
{
	int monthly[8], d, e;
	size_t n = 0;

	for (d = cal_next_expiration(entry + 1); d > 0 && d <= entry + 120 && n < 8;
	     d = cal_next_expiration(d + 1))
		if (cal_is_monthly_expiration(d))
			monthly[n++] = d;
	e = cal_nearest_expiry(monthly, n, sizeof(monthly[0]), entry, 30);
	return e ? e : -1;
}

/* The fields a position and a closed trade share; opens it in pf. */
static int brief_open(json_t *o, const char *where, int start, int closed_trade,
                      struct portfolio *pf, struct position **out, char *err)
{
	char ticker[BOOK_SYMSZ];
	const char *type, *action;
	char right = 'C';
	double strike = 0, contracts, price, q;
	int expiry = 0, entry, have;

	if (get_ticker(o, where, "ticker", ticker, err) ||
	    get_str(o, where, "type", 0, &type, err) ||
	    get_str(o, where, "action", 1, &action, err))
		return PT_EINVAL;
	assert(action); /* required: get_str failed if it was missing */
	if (type && !strcasecmp(type, "put"))
		right = 'P';
	else if (type && !strcasecmp(type, "shares"))
		right = 'S';
	else if (type && strcasecmp(type, "call") != 0)
		return ferr(err, where, "type", "want \"call\", \"put\" or \"shares\"");
	if (strcasecmp(action, "SELL") != 0 && strcasecmp(action, "BUY") != 0)
		return ferr(err, where, "action", "want \"SELL\" or \"BUY\"");
	if (right != 'S') {
		if (get_num(o, where, "strike", 1, -INFINITY, MAX_PRICE, &strike, NULL, err))
			return PT_EINVAL;
		if (!(strike > 0))
			return ferr(err, where, "strike", "not a positive number");
	}
	if (get_num(o, where, "contracts", 1, 0, MAX_QTY, &contracts, NULL, err))
		return PT_EINVAL;
	if (!(contracts > 0) && !closed_trade)
		return ferr(err, where, "contracts", "not a positive number");
	if (get_num(o, where, "entry_price", 1, 0, MAX_PRICE, &price, NULL, err) ||
	    get_date(o, where, "entry_date", 0, &entry, err))
		return PT_EINVAL;
	if (!entry)
		entry = start;
	if (right != 'S') {
		if (get_date(o, where, "expiration", 0, &expiry, err))
			return PT_EINVAL;
		have = expiry != 0;
		if (!have && get_date(o, where, "expiry", 0, &expiry, err))
			return PT_EINVAL;
		if (!expiry && !closed_trade)
			return ferr(err, where, "expiration",
				    "missing: %s %g %s needs its expiration date (YYYY-MM-DD)",
				    ticker, strike, right == 'P' ? "put" : "call");
		if (!expiry) {
			expiry = infer_expiry(entry);
			if (expiry < 0)
				return ferr(
				        err, where, "expiration",
				        "missing, and none can be inferred from the entry date");
		}
		if (expiry < entry)
			return ferr(err, where, "expiration", "before the entry date");
	}
	q = strcasecmp(action, "SELL") ? contracts : -contracts;
	if (contracts * price * (right == 'S' ? 1 : 100) > MAX_DOLLARS)
		return ferr(err, where, "contracts", "contracts x entry_price too large");
	*out = book_open(pf, entry, ticker, right, strike, expiry, q, price, 0);
	if (right != 'S') /* the brief's one strategy */
		pt_strlcpy((*out)->strategy, "volarb", sizeof((*out)->strategy));
	return 0;
}

static int brief_position(json_t *o, const char *where, int start, struct portfolio *pf,
                          int *skipped, char *err)
{
	struct position *p;
	const char *status;

	*skipped = 0;
	if (get_str(o, where, "status", 0, &status, err))
		return PT_EINVAL;
	if (status && !strcasecmp(status, "CLOSED")) {
		*skipped = 1; /* the brief's script keeps it in closed_trades too */
		return 0;
	}
	if (status && strcasecmp(status, "OPEN") != 0)
		return ferr(err, where, "status", "want \"OPEN\" or \"CLOSED\"");
	return brief_open(o, where, start, 0, pf, &p, err);
}

static int brief_closed(json_t *o, const char *where, int start, struct portfolio *pf, char *err)
{
	struct position *p = NULL;
	const char *status;
	char memo[BOOK_MEMOSZ], reason[BOOK_KINDSZ];
	int64_t pnl, flow;
	double exit_price;
	int have_exit, exit_day;

	if (get_str(o, where, "status", 0, &status, err))
		return PT_EINVAL;
	if (status && strcasecmp(status, "CLOSED") != 0)
		return ferr(err, where, "status", "want \"CLOSED\"");
	if (get_money(o, where, "pnl", -MAX_DOLLARS, &pnl, err) ||
	    get_num(o, where, "exit_price", 0, 0, MAX_PRICE, &exit_price, &have_exit, err) ||
	    get_date(o, where, "exit_date", 0, &exit_day, err) ||
	    get_text(o, where, "reason", 0, reason, sizeof(reason), err))
		return PT_EINVAL;
	if (brief_open(o, where, start, 1, pf, &p, err))
		return PT_EINVAL;
	assert(p); /* brief_open set it when it succeeded */
	if (!exit_day)
		exit_day = p->expiry ? p->expiry : p->opened;
	if (exit_day < p->opened)
		return ferr(err, where, "exit_date", "before the entry date");
	/* Close so that credit + close cash is the file's pnl, to the cent. */
	flow = pnl - p->credit_cents;
	if (!have_exit)
		exit_price =
		        p->quantity ? (double)flow / 100.0 / (p->quantity * book_multiplier(p)) : 0;
	snprintf(memo, sizeof(memo), "import: %s closed, pnl from the file", p->ticker);
	book_post(pf, exit_day, p->id, "settlement", flow, memo);
	p->closed = exit_day;
	p->exit_price = exit_price;
	p->mark = exit_price;
	p->close_cents = flow;
	pt_strlcpy(p->reason, reason[0] ? reason : "closed", sizeof(p->reason));
	return 0;
}

static int brief_snapshot(json_t *o, const char *where, struct snapshot *sn, char *err)
{
	double cash, pv;
	int have_cash, have_pv;

	memset(sn, 0, sizeof(*sn));
	sn->cash_rate = NAN;
	if (get_date(o, where, "date", 1, &sn->session, err) ||
	    get_money(o, where, "portfolio_value", -MAX_DOLLARS, &sn->value_cents, err) ||
	    get_num(o, where, "cash", 0, -MAX_DOLLARS, MAX_DOLLARS, &cash, &have_cash, err) ||
	    get_num(o, where, "positions_value", 0, -MAX_DOLLARS, MAX_DOLLARS, &pv, &have_pv, err))
		return PT_EINVAL;
	if (have_cash) {
		sn->cash_cents = pt_cents(cash);
		sn->positions_cents = sn->value_cents - sn->cash_cents;
	} else {
		sn->positions_cents = have_pv ? pt_cents(pv) : 0;
		sn->cash_cents = sn->value_cents - sn->positions_cents;
	}
	return 0;
}

static int import_brief(json_t *root, struct portfolio *pf, struct brief_info *info, char *err)
{
	json_t *positions, *closed, *snaps, *o;
	char where[64];
	struct snapshot *sv = NULL;
	int64_t initial, cash, diff;
	size_t i, n, ns = 0;
	int start, last, skipped, code = PT_EINVAL;

	if (get_date(root, "", "start_date", 1, &start, err) ||
	    get_money(root, "", "initial_capital", 0, &initial, err) ||
	    get_money(root, "", "current_cash", -MAX_DOLLARS, &cash, err) ||
	    get_array(root, "positions", &positions, err) ||
	    get_array(root, "closed_trades", &closed, err) ||
	    get_array(root, "daily_snapshots", &snaps, err))
		return PT_EINVAL;
	if (initial <= 0)
		return ferr(err, "", "initial_capital", "not a positive amount");
	/* a portfolio starts on a session: its first run is that day's */
	if (cal_in_range(start) && !cal_is_session(start)) {
		char d[DATE_BUFSZ], nx[DATE_BUFSZ];
		int next = cal_next_session(start);

		return ferr(err, "", "start_date", "%s is not an NYSE session (the next is %s)",
			    date_fmt(start, d), next > 0 ? date_fmt(next, nx) : "unknown");
	}
	book_init(pf, initial);
	pf->start = start;
	last = start;

	n = json_array_size(closed);
	for (i = 0; i < n; i++) {
		if (item_object(closed, "closed_trades", i, where, sizeof(where), &o, err) ||
		    brief_closed(o, where, start, pf, err))
			goto out;
	}
	n = json_array_size(positions);
	for (i = 0; i < n; i++) {
		if (item_object(positions, "positions", i, where, sizeof(where), &o, err) ||
		    brief_position(o, where, start, pf, &skipped, err))
			goto out;
	}
	n = json_array_size(snaps);
	sv = xcalloc(n + 1, sizeof(*sv));
	for (i = 0; i < n; i++) {
		if (item_object(snaps, "daily_snapshots", i, where, sizeof(where), &o, err) ||
		    brief_snapshot(o, where, &sv[i], err))
			goto out;
	}
	/* In date order; the script may have written a day twice: keep the last. */
	for (i = 1; i < n; i++) {
		struct snapshot t = sv[i];
		size_t j = i;
		while (j > 0 && sv[j - 1].session > t.session) {
			sv[j] = sv[j - 1];
			j--;
		}
		sv[j] = t;
	}
	for (i = 0; i < n; i++) {
		if (i + 1 < n && sv[i + 1].session == sv[i].session)
			continue;
		sv[ns++] = sv[i];
	}

	/*
	 * What the trades do not explain of current_cash is the opening
	 * balance: the initial capital becomes current_cash less every cash
	 * flow of the file's trades, so cash = initial + closed pnl + open
	 * credit holds with no synthetic trade (none to count in the win rate).
	 */
	diff = cash - pf->cash_cents;
	if (pf->initial_cents + diff <= 0) {
		char c1[32], c2[32];
		pt_fmt_money(c1, sizeof(c1), cash);
		pt_fmt_money(c2, sizeof(c2), pf->cash_cents - pf->initial_cents);
		ferr(err, "", "current_cash",
		     "%s leaves no opening balance after the trades' cash flows of %s", c1, c2);
		goto out;
	}
	pf->initial_cents += diff;
	pf->cash_cents += diff;
	if (info) {
		info->file_initial_cents = initial;
		info->snaps_skipped = ns;
	}
	for (i = 0; i < pf->n_pos; i++) {
		if (pf->pos[i].opened > last)
			last = pf->pos[i].opened;
		if (pf->pos[i].closed > last)
			last = pf->pos[i].closed;
	}
	if (ns && sv[ns - 1].session > last)
		last = sv[ns - 1].session;
	pf->last_session = last;
	pf->events_through = last;
	/* Open options already past their expiry stay due for settlement. */
	for (i = 0; i < pf->n_pos; i++) {
		const struct position *p = &pf->pos[i];
		if (!p->closed && p->expiry && p->expiry <= pf->events_through)
			pf->events_through = p->expiry - 1;
	}
	code = 0;
out:
	free(sv);
	return code;
}

/* ---- import: the exact state of the "papertrade" object ----------------- */

static int exact_real(json_t *o, const char *where, const char *key, double lo, double hi,
                      double *out, char *err)
{
	return get_num(o, where, key, 0, lo, hi, out, NULL, err);
}

static int exact_position(json_t *o, const char *where, struct position *p, char *err)
{
	char right[2];
	int64_t v;

	memset(p, 0, sizeof(*p));
	if (get_int(o, where, "id", 1, INT64_MAX, &p->id, err) ||
	    get_ticker(o, where, "ticker", p->ticker, err) ||
	    get_text(o, where, "right", 1, right, sizeof(right), err))
		return PT_EINVAL;
	if (!right[0] || !strchr("CPS", right[0]))
		return ferr(err, where, "right", "want \"C\", \"P\" or \"S\"");
	p->right = right[0];
	if (get_num(o, where, "strike", 1, 0, MAX_PRICE, &p->strike, NULL, err) ||
	    get_date(o, where, "expiry", p->right != 'S', &p->expiry, err) ||
	    get_num(o, where, "quantity", 1, -MAX_QTY, MAX_QTY, &p->quantity, NULL, err) ||
	    get_num(o, where, "entry_price", 1, 0, MAX_PRICE, &p->entry_price, NULL, err) ||
	    get_date(o, where, "opened", 1, &p->opened, err) ||
	    get_int(o, where, "credit_cents", -MAX_CENTS, MAX_CENTS, &p->credit_cents, err) ||
	    exact_real(o, where, "mark", -MAX_PRICE, MAX_PRICE, &p->mark, err) ||
	    get_int(o, where, "mark_model", 0, 1, &v, err) ||
	    exact_real(o, where, "entry_spot", -MAX_PRICE, MAX_PRICE, &p->entry_spot, err) ||
	    exact_real(o, where, "entry_iv", -1e6, 1e6, &p->entry_iv, err) ||
	    exact_real(o, where, "entry_hv", -1e6, 1e6, &p->entry_hv, err) ||
	    exact_real(o, where, "entry_theo", -MAX_PRICE, MAX_PRICE, &p->entry_theo, err) ||
	    get_date(o, where, "closed", 0, &p->closed, err) ||
	    exact_real(o, where, "exit_price", -MAX_PRICE, MAX_PRICE, &p->exit_price, err) ||
	    get_int(o, where, "close_cents", -MAX_CENTS, MAX_CENTS, &p->close_cents, err) ||
	    get_text(o, where, "reason", 0, p->reason, sizeof(p->reason), err) ||
	    get_text(o, where, "strategy", 0, p->strategy, sizeof(p->strategy), err))
		return PT_EINVAL;
	/* an export from before strategies were recorded: volarb's */
	if (!p->strategy[0] && p->right != 'S' && !member(o, "strategy"))
		pt_strlcpy(p->strategy, "volarb", sizeof(p->strategy));
	p->mark_model = (int)v;
	if (p->right != 'S' && !(p->strike > 0))
		return ferr(err, where, "strike", "not a positive number");
	if (p->right == 'S' && p->expiry)
		return ferr(err, where, "expiry", "shares have no expiry");
	if (p->closed && p->closed < p->opened)
		return ferr(err, where, "closed", "before opened");
	return 0;
}

static int exact_ledger(json_t *o, const char *where, struct ledger_entry *e, char *err)
{
	memset(e, 0, sizeof(*e));
	if (get_int(o, where, "id", 1, INT64_MAX, &e->id, err) ||
	    get_date(o, where, "session", 1, &e->session, err) ||
	    get_int(o, where, "position_id", 0, INT64_MAX, &e->position_id, err) ||
	    get_text(o, where, "kind", 1, e->kind, sizeof(e->kind), err) ||
	    get_int(o, where, "cents", -MAX_CENTS, MAX_CENTS, &e->cents, err) ||
	    get_text(o, where, "memo", 0, e->memo, sizeof(e->memo), err))
		return PT_EINVAL;
	if (!e->kind[0])
		return ferr(err, where, "kind", "empty");
	return 0;
}

static int cmp_pos_id(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = ((const struct position *)b)->id;

	return (x > y) - (x < y);
}

static int import_exact(json_t *x, struct portfolio *pf, char *err)
{
	json_t *arr, *o, *bc;
	char where[80];
	struct snapshot sn;
	int64_t v, *row = NULL;
	size_t i, j, n;
	int code = PT_EINVAL, have = 0;

	if (!json_is_object(x))
		return ferr(err, "", "papertrade", "not an object");
	if (get_int(x, "papertrade", "format", 1, INT64_MAX, &v, err))
		return PT_EINVAL;
	if (v != BRIEF_FORMAT)
		return ferr(err, "papertrade", "format",
		            "version %lld is not one this papertrade reads (%d)", (long long)v,
		            BRIEF_FORMAT);
	if (get_int(x, "papertrade", "initial_cents", 1, MAX_CENTS, &v, err))
		return PT_EINVAL;
	book_init(pf, v);
	if (get_int(x, "papertrade", "cash_cents", -MAX_CENTS, MAX_CENTS, &pf->cash_cents, err) ||
	    get_int(x, "papertrade", "income_cents", -MAX_CENTS, MAX_CENTS, &pf->income_cents,
	            err) ||
	    get_date(x, "papertrade", "start", 0, &pf->start, err) ||
	    get_date(x, "papertrade", "last_session", 0, &pf->last_session, err) ||
	    get_date(x, "papertrade", "events_through", 0, &pf->events_through, err) ||
	    get_int(x, "papertrade", "next_pos_id", 1, INT64_MAX, &pf->next_pos_id, err) ||
	    get_int(x, "papertrade", "next_ledger_id", 1, INT64_MAX, &pf->next_ledger_id, err) ||
	    get_num(x, "papertrade", "interest_carry", 0, -1.0, 1.0, &pf->interest_carry, &have,
	            err))
		goto out;
	/* absent in exports from before interest on cash (schema 5) */
	if (!have)
		pf->interest_carry = 0;

	arr = member(x, "positions");
	if (!json_is_array(arr)) {
		ferr(err, "papertrade", "positions", "not an array");
		goto out;
	}
	n = json_array_size(arr);
	for (i = 0; i < n; i++) {
		struct position *p;

		if (item_object(arr, "papertrade.positions", i, where, sizeof(where), &o, err))
			goto out;
		xgrow(&pf->pos, &pf->cap_pos, pf->n_pos + 1, sizeof(*pf->pos));
		p = &pf->pos[pf->n_pos];
		if (exact_position(o, where, p, err))
			goto out;
		if ((pf->n_pos && p->id <= pf->pos[pf->n_pos - 1].id) || p->id >= pf->next_pos_id) {
			ferr(err, where, "id", "not increasing, or not below next_pos_id");
			goto out;
		}
		pf->n_pos++;
	}

	arr = member(x, "ledger");
	if (!json_is_array(arr)) {
		ferr(err, "papertrade", "ledger", "not an array");
		goto out;
	}
	n = json_array_size(arr);
	for (i = 0; i < n; i++) {
		struct ledger_entry *e;

		if (item_object(arr, "papertrade.ledger", i, where, sizeof(where), &o, err))
			goto out;
		xgrow(&pf->ledger, &pf->cap_ledger, pf->n_ledger + 1, sizeof(*pf->ledger));
		e = &pf->ledger[pf->n_ledger];
		if (exact_ledger(o, where, e, err))
			goto out;
		if ((pf->n_ledger && e->id <= pf->ledger[pf->n_ledger - 1].id) ||
		    e->id >= pf->next_ledger_id) {
			ferr(err, where, "id", "not increasing, or not below next_ledger_id");
			goto out;
		}
		if (e->position_id &&
		    !bsearch(&e->position_id, pf->pos, pf->n_pos, sizeof(*pf->pos), cmp_pos_id)) {
			ferr(err, where, "position_id", "no such position");
			goto out;
		}
		pf->n_ledger++;
	}

	arr = member(x, "benchmarks");
	if (!json_is_array(arr)) {
		ferr(err, "papertrade", "benchmarks", "not an array");
		goto out;
	}
	n = json_array_size(arr);
	if (n > CFG_MAX_TICKERS) {
		ferr(err, "papertrade", "benchmarks", "more than %d", CFG_MAX_TICKERS);
		goto out;
	}
	pf->bench = xcalloc(n + 1, sizeof(*pf->bench));
	for (i = 0; i < n; i++) {
		struct bench *bn = &pf->bench[i];

		if (item_object(arr, "papertrade.benchmarks", i, where, sizeof(where), &o, err) ||
		    get_ticker(o, where, "ticker", bn->ticker, err) ||
		    get_num(o, where, "shares", 1, -MAX_QTY, MAX_QTY, &bn->shares, NULL, err) ||
		    get_num(o, where, "price", 1, -MAX_PRICE, MAX_PRICE, &bn->price, NULL, err))
			goto out;
		for (j = 0; j < i; j++)
			if (!strcmp(pf->bench[j].ticker, bn->ticker)) {
				ferr(err, where, "ticker", "'%s' twice", bn->ticker);
				goto out;
			}
		pf->n_bench++;
	}

	arr = member(x, "snapshots");
	if (!json_is_array(arr)) {
		ferr(err, "papertrade", "snapshots", "not an array");
		goto out;
	}
	n = json_array_size(arr);
	row = xcalloc(pf->n_bench + 1, sizeof(*row));
	for (i = 0; i < n; i++) {
		memset(&sn, 0, sizeof(sn));
		if (item_object(arr, "papertrade.snapshots", i, where, sizeof(where), &o, err) ||
		    get_date(o, where, "session", 1, &sn.session, err) ||
		    get_int(o, where, "cash_cents", -MAX_CENTS, MAX_CENTS, &sn.cash_cents, err) ||
		    get_int(o, where, "positions_cents", -MAX_CENTS, MAX_CENTS, &sn.positions_cents,
		            err) ||
		    get_int(o, where, "value_cents", -2 * MAX_CENTS, 2 * MAX_CENTS, &sn.value_cents,
		            err) ||
		    get_int(o, where, "margin_cents", -MAX_CENTS, MAX_CENTS, &sn.margin_cents, err))
			goto out;
		/* the session's risk-free rate: null or absent when unknown */
		if (json_is_null(member(o, "rate")) || !member(o, "rate"))
			sn.rate = NAN;
		else if (get_num(o, where, "rate", 1, -1.0, 1.0, &sn.rate, NULL, err))
			goto out;
		/* the margin call and the rate cash earned: absent in older exports */
		if (member(o, "call_cents") &&
		    get_int(o, where, "call_cents", 0, MAX_CENTS, &sn.call_cents, err))
			goto out;
		if (get_num(o, where, "cash_rate", 0, -1.0, 1.0, &sn.cash_rate, NULL, err))
			goto out;
		if (pf->n_snaps && sn.session <= pf->snaps[pf->n_snaps - 1].session) {
			ferr(err, where, "session", "not after the previous snapshot's");
			goto out;
		}
		if (sn.value_cents != sn.cash_cents + sn.positions_cents) {
			ferr(err, where, "value_cents", "not cash_cents + positions_cents");
			goto out;
		}
		bc = member(o, "benchmarks_cents");
		if (!json_is_array(bc) || json_array_size(bc) != pf->n_bench) {
			ferr(err, where, "benchmarks_cents", "want an array of %zu integers",
			     pf->n_bench);
			goto out;
		}
		for (j = 0; j < pf->n_bench; j++) {
			json_t *e = json_array_get(bc, j);
			if (!json_is_integer(e) || json_integer_value(e) < -MAX_CENTS ||
			    json_integer_value(e) > MAX_CENTS) {
				ferr(err, where, "benchmarks_cents",
				     "want an array of %zu integers", pf->n_bench);
				goto out;
			}
			row[j] = json_integer_value(e);
		}
		book_add_snapshot(pf, &sn, row);
	}
	code = 0;
out:
	free(row);
	return code;
}

/* The brief's fields beside the exact state must tell the same story. */
static int agree(json_t *root, const struct portfolio *pf, char *err)
{
	static const char hint[] = "(edited? delete the \"papertrade\" object to import "
	                           "the brief's fields alone)";
	json_t *positions, *closed;
	int64_t initial, cash;
	size_t i, nopen = 0, nclosed = 0;
	int start;

	if (get_date(root, "", "start_date", 0, &start, err) ||
	    get_money(root, "", "initial_capital", 0, &initial, err) ||
	    get_money(root, "", "current_cash", -MAX_DOLLARS, &cash, err) ||
	    get_array(root, "positions", &positions, err) ||
	    get_array(root, "closed_trades", &closed, err))
		return PT_EINVAL;
	for (i = 0; i < pf->n_pos; i++) {
		if (pf->pos[i].closed)
			nclosed++;
		else
			nopen++;
	}
	if (initial != pf->initial_cents)
		return ferr(err, "", "initial_capital", "differs from papertrade.initial_cents %s",
		            hint);
	if (cash != pf->cash_cents)
		return ferr(err, "", "current_cash", "differs from papertrade.cash_cents %s", hint);
	if (start != pf->start)
		return ferr(err, "", "start_date", "differs from papertrade.start %s", hint);
	if (json_array_size(positions) != nopen)
		return ferr(err, "", "positions", "%zu entries, papertrade has %zu open %s",
		            json_array_size(positions), nopen, hint);
	if (json_array_size(closed) != nclosed)
		return ferr(err, "", "closed_trades", "%zu entries, papertrade has %zu closed %s",
		            json_array_size(closed), nclosed, hint);
	return 0;
}

int brief_import_json(const char *text, size_t len, struct portfolio *pf, char *err)
{
	return brief_import_json_info(text, len, pf, NULL, err);
}

int brief_import_json_info(const char *text, size_t len, struct portfolio *pf,
			   struct brief_info *info, char *err)
{
	struct portfolio tmp;
	json_error_t jerr;
	json_t *root = NULL, *exact;
	char why[PT_ERRSZ];
	int code = PT_EINVAL;

	memset(&tmp, 0, sizeof(tmp));
	if (info)
		memset(info, 0, sizeof(*info));
	if (len > BRIEF_MAX_TEXT)
		return pt_err(err, PT_EINVAL, "larger than %u MiB", BRIEF_MAX_TEXT >> 20);
	root = json_loadb(text, len, JSON_REJECT_DUPLICATES, &jerr);
	if (!root)
		return pt_err(err, PT_EINVAL, "not valid JSON: line %d column %d: %s", jerr.line,
		              jerr.column, jerr.text);
	if (!json_is_object(root)) {
		pt_err(err, PT_EINVAL, "not a JSON object");
		goto out;
	}
	if (!depth_ok(root, 1)) {
		pt_err(err, PT_EINVAL, "nested deeper than %d levels", BRIEF_MAX_DEPTH);
		goto out;
	}
	exact = member(root, "papertrade");
	if (exact) {
		if (import_exact(exact, &tmp, err) || agree(root, &tmp, err))
			goto out;
	} else if (import_brief(root, &tmp, info, err)) {
		goto out;
	}
	if (book_check(&tmp, why)) {
		pt_err(err, PT_EINVAL, "the ledger does not add up: %s", why);
		goto out;
	}
	tmp.ledger_saved = 0;
	book_release(pf);
	*pf = tmp;
	memset(&tmp, 0, sizeof(tmp));
	code = 0;
out:
	book_release(&tmp);
	json_decref(root);
	return code;
}
