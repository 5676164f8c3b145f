/*
 * view.c - lookups on a market view; see view.h.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "view.h"
#include "calendar.h"

void mv_release(struct market_view *v)
{
	size_t i;

	for (i = 0; i < v->n_tickers; i++) {
		free(v->tickers[i].bars);
		free(v->tickers[i].divs);
		free(v->tickers[i].opts);
		if (v->tickers[i].calc) {
			free(v->tickers[i].calc->opt);
			free(v->tickers[i].calc->exp);
			free(v->tickers[i].calc->start);
			free(v->tickers[i].calc->idx);
			free(v->tickers[i].calc);
		}
	}
	free(v->tickers);
	memset(v, 0, sizeof(*v));
}

const struct ticker_view *mv_ticker(const struct market_view *v, const char *symbol)
{
	size_t i;

	for (i = 0; i < v->n_tickers; i++)
		if (!strcmp(v->tickers[i].symbol, symbol))
			return &v->tickers[i];
	return NULL;
}

double tv_close_on(const struct ticker_view *t, int day)
{
	size_t lo = 0, hi = t->n_bars;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (t->bars[mid].date < day)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo < t->n_bars && t->bars[lo].date == day)
		return t->bars[lo].close;
	return NAN;
}

size_t tc_expiry_index(const struct ticker_calc *c, int expiry)
{
	size_t lo = 0, hi = c->n_exp;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (c->exp[mid] < expiry)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < c->n_exp && c->exp[lo] == expiry ? lo : c->n_exp;
}

const struct option_quote *tv_find_option(const struct ticker_view *t, int expiry, double strike,
					  char right)
{
	const struct ticker_calc *c = t->calc;
	size_t i;

	if (c) {
		/* the expiration's contracts only, in the same order: the same
		 * first match */
		size_t e = tc_expiry_index(c, expiry);

		if (e == c->n_exp)
			return NULL;
		for (i = c->start[e]; i < c->start[e + 1]; i++) {
			const struct option_quote *o = &t->opts[c->idx[i]];

			if (o->right == right && fabs(o->strike - strike) < 1e-6)
				return o;
		}
		return NULL;
	}
	for (i = 0; i < t->n_opts; i++) {
		const struct option_quote *o = &t->opts[i];
		if (o->expiry == expiry && o->right == right && fabs(o->strike - strike) < 1e-6)
			return o;
	}
	return NULL;
}

int tv_nearest_expiry(const struct ticker_view *t, int session, long dte)
{
	if (!t->n_opts)
		return 0;
	return cal_nearest_expiry(&t->opts[0].expiry, t->n_opts, sizeof(t->opts[0]), session, dte);
}
