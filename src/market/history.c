/*
 * history.c - the `history` provider: a market view of session D from the
 * imported end-of-day history (DESIGN.md §1 "market view for D", §6); see
 * history.h for its as-of semantics and docs/history.md for the store.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "history.h"
#include "calendar.h"
#include "../history/hist.h"
#include "../util/date.h"
#include "../util/util.h"

#define MAX_EXPIRIES 512 /* expirations listed on one session, at most */
#define YIELD_DAYS 365	 /* dividends summed for the yield (as yahoo.c) */

struct history {
	char home[4096];
	int has_home;
	struct hist *h;
};

void *history_new(const char *home)
{
	struct history *s = xcalloc(1, sizeof(*s));

	if (home && !pt_strlcpy(s->home, home, sizeof(s->home)))
		s->has_home = 1;
	return s;
}

void history_free(void *state)
{
	struct history *s = state;

	if (!s)
		return;
	hist_close(s->h);
	free(s);
}

/* The store, opened on first use and again after an import changed it. */
static int ensure(struct history *s, char *err)
{
	int rc;

	if (!s->has_home)
		return pt_err(err, PT_EINVAL, "provider 'history' needs a home folder");
	if (s->h && !hist_changed(s->h))
		return 0;
	hist_close(s->h);
	s->h = NULL;
	if ((rc = hist_open(s->home, &s->h, err)))
		return rc;
	if (!s->h || !s->h->n_tk)
		return pt_err(err, PT_ENOENT,
			      "no option history in %s/history (papertrade history import FILE...)",
			      s->home);
	return 0;
}

static double px(int64_t v)
{
	return (double)v / HIST_UNIT;
}

/* "VOO: not in the history (imported: QQQ, SPY)" */
static void not_in(const struct hist *h, const char *sym, char *out, size_t n)
{
	size_t i, len;

	snprintf(out, n, "%s: not in the history (imported: ", sym);
	for (i = 0; i < h->n_tk; i++) {
		len = strlen(out);
		if (len + strlen(h->tk[i].ticker) + 8 >= n) {
			snprintf(out + len, n - len, "...");
			break;
		}
		snprintf(out + len, n - len, "%s%s", i ? ", " : "", h->tk[i].ticker);
	}
	len = strlen(out);
	snprintf(out + len, n - len, ")");
}

static void fill_chain(const struct hist_ticker *t, const struct hist_session *s,
		       const struct provider_req *req, struct ticker_view *tv)
{
	uint32_t fb = (uint32_t)hist_le32((int32_t)s->first_block);
	uint32_t nb = (uint32_t)hist_le32((int32_t)s->n_blocks), i;
	int exps[MAX_EXPIRIES], take[MAX_EXPIRIES];
	size_t ne = nb < MAX_EXPIRIES ? nb : MAX_EXPIRIES, j, nrows = 0, k = 0;
	int day = hist_le32(s->day);

	for (i = 0; i < ne; i++) {
		const struct hist_block *b = &t->blk[fb + i];

		exps[i] = hist_le32(b->expiry);
		take[i] = req->n_want == 0;
	}
	/* "nearest N days" wants resolved against what D lists (as sim.c) */
	for (j = 0; j < req->n_want; j++) {
		int e = provider_want_expiry(&req->want[j], tv->symbol, exps, ne, sizeof(int), day);

		for (i = 0; e && i < ne; i++)
			if (exps[i] == e)
				take[i] = 1;
	}
	for (i = 0; i < ne; i++)
		if (take[i])
			nrows += (size_t)(uint32_t)hist_le32((int32_t)t->blk[fb + i].n_calls) +
				 (uint32_t)hist_le32((int32_t)t->blk[fb + i].n_puts);
	if (!nrows)
		return;
	tv->opts = xcalloc(nrows, sizeof(*tv->opts));
	for (i = 0; i < ne; i++) {
		const struct hist_block *b = &t->blk[fb + i];
		uint32_t nc = (uint32_t)hist_le32((int32_t)b->n_calls);
		uint32_t n = nc + (uint32_t)hist_le32((int32_t)b->n_puts), r;
		const struct hist_row *row;

		if (!take[i])
			continue;
		row = &t->rows[hist_le64((int64_t)b->first_row)];
		for (r = 0; r < n; r++, row++) {
			struct option_quote *o = &tv->opts[k++];
			int32_t last = hist_le32(row->last), vol = hist_le32(row->volume);
			int32_t oi = hist_le32(row->oi), iv = hist_le32(row->iv);

			o->expiry = exps[i];
			o->right = r < nc ? 'C' : 'P';
			o->strike = px(hist_le32(row->strike));
			o->bid = px(hist_le32(row->bid));
			o->ask = px(hist_le32(row->ask));
			o->last = last == HIST_NONE ? NAN : px(last);
			o->volume = vol;
			o->open_interest = oi;
			o->vendor_iv = iv == HIST_NONE ? NAN : (double)iv / HIST_IV_UNIT;
		}
	}
	tv->n_opts = k;
}

/* Fills tv for one ticker; *qt gets its quote time (0 when not served). */
static void fill_ticker(const struct hist *h, const struct provider_req *req, const char *want,
			struct ticker_view *tv, int64_t *qt)
{
	const struct hist_ticker *t;
	const struct hist_session *s;
	char sym[MV_SYMSZ], d1[DATE_BUFSZ], d2[DATE_BUFSZ], d3[DATE_BUFSZ];
	uint32_t lo, hi, i;
	size_t j, n;
	long idx;
	double sum = 0;
	int day = req->session;

	*qt = 0;
	tv->spot = tv->div_yield = NAN;
	pt_strlcpy(tv->source, "history", sizeof(tv->source));
	pt_strlcpy(tv->symbol, want ? want : "", sizeof(tv->symbol));
	for (j = 0; j + 1 < sizeof(sym) && tv->symbol[j]; j++)
		sym[j] = (char)(tv->symbol[j] >= 'a' && tv->symbol[j] <= 'z'
					? tv->symbol[j] - 'a' + 'A'
					: tv->symbol[j]);
	sym[j] = '\0';
	t = hist_find(h, sym);
	if (!t) {
		not_in(h, sym, tv->error, sizeof(tv->error));
		return;
	}
	idx = hist_session_index(t, day);
	if (idx < 0) {
		int first = t->n_sess ? hist_le32(t->sess[0].day) : 0;
		int last = t->n_sess ? hist_le32(t->sess[t->n_sess - 1].day) : 0;

		if (!t->n_sess)
			snprintf(tv->error, sizeof(tv->error), "%s: the history has no sessions",
				 sym);
		else if (day < first || day > last)
			snprintf(tv->error, sizeof(tv->error),
				 "%s: %s is outside the history (%s..%s)", sym, date_fmt(day, d1),
				 date_fmt(first, d2), date_fmt(last, d3));
		else
			snprintf(tv->error, sizeof(tv->error),
				 "%s: the history has no quotes for %s (a gap in the data)", sym,
				 date_fmt(day, d1));
		return;
	}
	s = &t->sess[idx];
	if (cal_ny_to_epoch(day, hist_le32(s->quote_min), qt)) {
		snprintf(tv->error, sizeof(tv->error), "%s: no New York time for the quotes", sym);
		*qt = 0;
		return;
	}
	if (req->asof && req->asof < *qt) {
		int qm = hist_le32(s->quote_min), ad, as;

		cal_epoch_to_ny(req->asof, &ad, &as);
		snprintf(tv->error, sizeof(tv->error),
			 "%s: the history's quotes of %s are from %02d:%02d New York, after the "
			 "as-of moment (%s %02d:%02d)",
			 sym, date_fmt(day, d1), qm / 60, qm % 60, date_fmt(ad, d2), as / 3600,
			 as / 60 % 60);
		*qt = 0;
		return;
	}
	tv->quote_time = *qt;
	tv->spot = px(hist_le64(s->spot));
	/* bars dated hist_from .. D-1 */
	hi = hist_bars_before(t, day);
	lo = hist_bars_before(t, req->hist_from);
	if (lo > hi)
		lo = hi;
	if (hi > lo) {
		tv->bars = xcalloc(hi - lo, sizeof(*tv->bars));
		for (i = lo; i < hi; i++) {
			const struct hist_bar *b = &t->bars[i];
			struct bar *o = &tv->bars[tv->n_bars++];
			int64_t op = hist_le64(b->open), hg = hist_le64(b->high),
				lw = hist_le64(b->low);
			int64_t v = hist_le64(b->volume);

			o->date = hist_le32(b->date);
			o->open = op == HIST_NONE64 ? NAN : px(op);
			o->high = hg == HIST_NONE64 ? NAN : px(hg);
			o->low = lw == HIST_NONE64 ? NAN : px(lw);
			o->close = px(hist_le64(b->close));
			o->volume = v;
		}
	}
	/* dividends with ex-dates up to and including D (view.h) */
	for (i = 0, n = 0; i < t->n_divs && hist_le32(t->divs[i].ex_date) <= day; i++) {
		int ex = hist_le32(t->divs[i].ex_date);

		if (ex > day - YIELD_DAYS)
			sum += px(hist_le64(t->divs[i].amount));
		if (ex >= req->hist_from)
			n++;
	}
	if (n) {
		tv->divs = xcalloc(n, sizeof(*tv->divs));
		for (i = 0; i < t->n_divs && hist_le32(t->divs[i].ex_date) <= day; i++) {
			int ex = hist_le32(t->divs[i].ex_date);
			if (ex < req->hist_from)
				continue;
			tv->divs[tv->n_divs].ex_date = ex;
			tv->divs[tv->n_divs++].amount = px(hist_le64(t->divs[i].amount));
		}
	}
	/* a year of dividends over the spot; none in the data: 0 */
	tv->div_yield = log1p(sum / tv->spot);
	fill_chain(t, s, req, tv);
	tv->ok = 1;
}

static int history_load(void *state, const struct provider_req *req, struct market_view *out,
			char *err)
{
	struct history *s = state;
	size_t i;
	int64_t latest = 0, qt;
	double d;
	int rc, close_m = 960;

	if ((rc = ensure(s, err)))
		return rc;
	out->session = req->session;
	out->n_tickers = req->n;
	out->tickers = xcalloc(req->n + 1, sizeof(*out->tickers));
	for (i = 0; i < req->n; i++) {
		fill_ticker(s->h, req, req->tickers[i], &out->tickers[i], &qt);
		if (qt > latest)
			latest = qt;
	}
	if (!latest) {
		cal_session_hours(req->session, NULL, &close_m);
		if (cal_ny_to_epoch(req->session, close_m, &latest))
			latest = 0;
	}
	out->asof = latest;
	/* the 13-week bill's discount rate d: price 1 - d 91/360 (as yahoo.c) */
	d = hist_rate_on(s->h, req->session, HISTORY_RATE_DAYS, NULL);
	out->rate = isfinite(d) ? -log(1.0 - d * 91.0 / 360.0) * 365.0 / 91.0 : NAN;
	return 0;
}

const struct provider_ops history_provider_ops = {
	.name = "history",
	.load = history_load,
	.free = history_free,
};
