/*
 * sim_export.c - writes the simulated market's view of a session, or of
 * every session of a range, as CSV files, so the brief's Python approach
 * (bench/brief_daily.py for one day, bench/brief_backtest.py for a range)
 * runs on the same data as papertrade. A bench tool, not part of the
 * product: `build/bench/sim_export SEED FROM[..TO] DIR TICKER...`.
 *
 * DIR/meta.csv:   ticker,session,asof,rate,spot,div_yield
 * DIR/bars.csv:   ticker,date,open,high,low,close
 * DIR/chain.csv:  session,ticker,expiry,strike,right,bid,ask,last,volume,open_interest,vendor_iv
 *
 * One meta row per ticker and session. The bars run from 120 days before
 * the first session to the day before the last, each written once. Each
 * session's chain is what a daily run would be served (provider_load, the
 * default configuration with SEED): the expiration nearest the strategy's
 * days (30) and, over a range, every expiration that was the nearest on an
 * earlier session of it and has not expired: those a position opened in
 * the range can hold and must be marked at. A backtest's views hold only
 * the ones its positions do, so this is a superset of them.
 */
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "market/calendar.h"
#include "market/provider.h"
#include "market/view.h"
#include "session.h"
#include "util/date.h"
#include "util/util.h"

/* Expirations that were a session's nearest, per ticker, not yet past. */
#define MAX_HELD 32
struct held {
	int exp[MAX_HELD];
	size_t n;
};

static FILE *open_out(const char *dir, const char *name)
{
	char path[4096];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "w");
	if (!f) {
		fprintf(stderr, "sim_export: cannot write %s\n", path);
		exit(1);
	}
	return f;
}

/* FROM or FROM..TO into *from and *to; 0, or -1 when malformed. */
static int parse_range(const char *s, int *from, int *to)
{
	char buf[2 * DATE_BUFSZ + 2];
	char *dots;

	if (strlen(s) >= sizeof(buf))
		return -1;
	memcpy(buf, s, strlen(s) + 1);
	dots = strstr(buf, "..");
	if (!dots)
		return date_parse(buf, from) || date_parse(buf, to) ? -1 : 0;
	*dots = '\0';
	return date_parse(buf, from) || date_parse(dots + 2, to) || *to < *from ? -1 : 0;
}

/* Drops the expirations before session; adds e when new (and there is room). */
static void held_update(struct held *h, int session, int e)
{
	size_t i, k = 0;

	for (i = 0; i < h->n; i++)
		if (h->exp[i] >= session)
			h->exp[k++] = h->exp[i];
	h->n = k;
	for (i = 0; i < h->n && h->exp[i] != e; i++)
		;
	if (e > 0 && i == h->n && h->n < MAX_HELD)
		h->exp[h->n++] = e;
}

static void write_view(const struct market_view *v, int *last_bar, FILE *meta, FILE *bars,
		       FILE *chain)
{
	char s[DATE_BUFSZ], d[DATE_BUFSZ];
	size_t i, j;

	date_fmt(v->session, s);
	for (i = 0; i < v->n_tickers; i++) {
		const struct ticker_view *t = &v->tickers[i];
		fprintf(meta, "%s,%s,%" PRId64 ",%.17g,%.17g,%.17g\n", t->symbol, s, v->asof,
			v->rate, t->spot, t->div_yield);
		for (j = 0; j < t->n_bars; j++) {
			if (t->bars[j].date <= last_bar[i])
				continue;
			fprintf(bars, "%s,%s,%.17g,%.17g,%.17g,%.17g\n", t->symbol,
				date_fmt(t->bars[j].date, d), t->bars[j].open, t->bars[j].high,
				t->bars[j].low, t->bars[j].close);
			last_bar[i] = t->bars[j].date;
		}
		for (j = 0; j < t->n_opts; j++) {
			const struct option_quote *o = &t->opts[j];
			fprintf(chain,
				"%s,%s,%s,%.17g,%c,%.17g,%.17g,%.17g,%" PRId64 ",%" PRId64
				",%.17g\n",
				s, t->symbol, date_fmt(o->expiry, d), o->strike, o->right, o->bid,
				o->ask, o->last, o->volume, o->open_interest, o->vendor_iv);
		}
	}
}

int main(int argc, char **argv)
{
	struct config cfg;
	struct provider *p;
	struct provider_req req;
	struct provider_want *want;
	struct held *held;
	const char *const *tickers = (const char *const *)argv + 4;
	size_t n, i, k;
	char err[PT_ERRSZ];
	int from, to, session, *last_bar, sessions = 0;
	long days;
	FILE *meta, *bars, *chain;

	if (argc < 5 || parse_range(argv[2], &from, &to)) {
		fprintf(stderr, "usage: sim_export SEED YYYY-MM-DD[..YYYY-MM-DD] DIR TICKER...\n");
		return 2;
	}
	n = (size_t)argc - 4;
	config_defaults(&cfg);
	if (config_set(&cfg, "seed", argv[1], err)) {
		fprintf(stderr, "sim_export: %s\n", err);
		return 2;
	}
	p = provider_new(&cfg, NULL, err);
	if (!p) {
		fprintf(stderr, "sim_export: %s\n", err);
		return 1;
	}
	days = session_strategy_days(&cfg);
	held = xcalloc(n, sizeof(*held));
	last_bar = xcalloc(n, sizeof(*last_bar));
	want = xcalloc(1 + n * MAX_HELD, sizeof(*want));
	meta = open_out(argv[3], "meta.csv");
	bars = open_out(argv[3], "bars.csv");
	chain = open_out(argv[3], "chain.csv");
	fprintf(meta, "ticker,session,asof,rate,spot,div_yield\n");
	fprintf(bars, "ticker,date,open,high,low,close\n");
	fprintf(chain,
		"session,ticker,expiry,strike,right,bid,ask,last,volume,open_interest,vendor_iv\n");
	for (i = 0; i < n; i++)
		last_bar[i] = INT32_MIN;
	for (session = cal_is_session(from) ? from : cal_next_session(from);
	     session > 0 && session <= to; session = cal_next_session(session)) {
		struct market_view v = {0};
		size_t n_want = 1;

		want[0] = (struct provider_want){"", 0, days};
		for (i = 0; i < n; i++) {
			held_update(&held[i], session, 0);
			for (k = 0; k < held[i].n; k++) {
				want[n_want] = (struct provider_want){"", held[i].exp[k], 0};
				pt_strlcpy(want[n_want++].ticker, tickers[i], MV_SYMSZ);
			}
		}
		memset(&req, 0, sizeof(req));
		req.session = session;
		req.tickers = tickers;
		req.n = n;
		req.hist_from = session - 120;
		req.want = want;
		req.n_want = n_want;
		if (provider_load(p, &req, &v, err)) {
			fprintf(stderr, "sim_export: %s\n", err);
			return 1;
		}
		write_view(&v, last_bar, meta, bars, chain);
		for (i = 0; i < n && i < v.n_tickers; i++)
			held_update(&held[i], session,
				    tv_nearest_expiry(&v.tickers[i], session, days));
		mv_release(&v);
		sessions++;
	}
	if (fclose(meta) || fclose(bars) || fclose(chain)) {
		fprintf(stderr, "sim_export: cannot write %s\n", argv[3]);
		return 1;
	}
	free(want);
	free(last_bar);
	free(held);
	provider_free(p);
	if (!sessions) {
		fprintf(stderr, "sim_export: no session in %s\n", argv[2]);
		return 1;
	}
	return 0;
}
