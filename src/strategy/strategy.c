/*
 * strategy.c - the strategy table and what every strategy's scan shares
 * (DESIGN.md §1 step 3): the start of a scan (spot, HV, rate, the
 * expiration nearest N days), the common numbers of a contract, the
 * ranking of qualifying contracts by their distance from a target
 * moneyness and the one-leg sale. Pure: no I/O.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "strategy.h"
#include "../config.h"
#include "../market/calendar.h"
#include "../quant/american.h"
#include "../quant/bs.h"
#include "../quant/hv.h"
#include "../util/util.h"

extern const struct strategy strategy_volarb;
extern const struct strategy strategy_csp;
extern const struct strategy strategy_buywrite;

/* Adding a strategy: its file, and one line here. */
const struct strategy *const strategy_table[] = {
	&strategy_volarb,
	&strategy_csp,
	&strategy_buywrite,
};
const size_t strategy_count = PT_ARRAY_SIZE(strategy_table);

const struct strategy *strategy_find(const char *name)
{
	size_t i;

	for (i = 0; i < strategy_count; i++)
		if (!strcmp(strategy_table[i]->name, name))
			return strategy_table[i];
	return NULL;
}

void strategy_defaults(const struct strategy *s, struct strategy_params *p)
{
	size_t i, j;

	memset(p, 0, sizeof(*p));
	for (i = 0; i < s->n_keys && i < STRATEGY_MAX_KEYS; i++) {
		const struct strategy_key *k = &s->keys[i];

		if (k->type == SKEY_ENUM) {
			for (j = 0; k->names[j] && strcmp(k->names[j], k->def) != 0; j++)
				;
			p->v[i] = (double)j;
		} else {
			p->v[i] = strtod(k->def, NULL);
		}
	}
}

const char *strategy_rule_name(const struct strategy *s, int rule)
{
	return s && rule >= 0 && (size_t)rule < s->n_rules ? s->rules[rule] : "?";
}

void scan_ticker_release(struct scan_ticker *s)
{
	free(s->c);
	s->c = NULL;
	s->n = 0;
}

double strategy_hv(const struct config *cfg, const struct ticker_view *tv, char *why)
{
	struct hv_bar *b = xmalloc((tv->n_bars + 1) * sizeof(*b));
	char e[PT_ERRSZ] = "";
	double hv;

	for (size_t i = 0; i < tv->n_bars; i++)
		b[i] = (struct hv_bar){tv->bars[i].date, tv->bars[i].open, tv->bars[i].high,
				       tv->bars[i].low, tv->bars[i].close};
	hv = hv_estimate(b, tv->n_bars, (size_t)cfg->hv_window, cfg->hv_estimator, cfg->ewma_lambda,
			 e);
	free(b);
	if (!isfinite(hv) && why)
		snprintf(why, PT_ERRSZ, "no %.16s HV over %ld sessions: %.190s",
			 hv_estimator_name(cfg->hv_estimator), cfg->hv_window, e);
	return hv;
}

/* ewma_lambda as far as the HV depends on it: not at all unless ewma. */
static double hv_lambda(const struct config *cfg)
{
	return cfg->hv_estimator == HV_EWMA ? cfg->ewma_lambda : 0;
}

/* Whether c's HV is the one cfg asks for (computed on the same view). */
static int same_hv(const struct ticker_calc *c, const struct config *cfg)
{
	return c && c->window == cfg->hv_window && c->estimator == cfg->hv_estimator &&
	       c->lambda == hv_lambda(cfg);
}

int strategy_scan_start(const struct strategy_in *in, const struct ticker_view *tv,
			const struct market_view *v, long days, struct scan_ticker *out)
{
	const struct config *cfg = in->cfg;

	out->best = -1;
	out->hv = out->T = out->spot = NAN;
	out->hv_estimator = cfg->hv_estimator;
	memset(&out->model, 0, sizeof(out->model));
	out->model.q = NAN;
	pt_strlcpy(out->symbol, tv->symbol, sizeof(out->symbol));
	pt_strlcpy(out->source, tv->source, sizeof(out->source));
	pt_strlcpy(out->fallback, tv->fallback, sizeof(out->fallback));
	out->dropped = tv->dropped;
	out->quote_time = tv->quote_time;
	if (!tv->ok) {
		snprintf(out->skip, sizeof(out->skip), "no market data: %s", tv->error);
		return -1;
	}
	out->spot = tv->spot;
	out->rate = isfinite(cfg->risk_free_rate) ? cfg->risk_free_rate : v->rate;
	out->div_yield = tv->div_yield;
	if (!(tv->spot > 0)) {
		snprintf(out->skip, sizeof(out->skip), "no valid quote for the underlying");
		return -1;
	}
	/* a view computed for many readers holds the HV of its key (only a
	 * finite one): the same number strategy_hv gives, bit for bit */
	out->hv = same_hv(tv->calc, cfg) ? tv->calc->hv : strategy_hv(cfg, tv, out->skip);
	if (!isfinite(out->hv))
		return -1;
	if (same_hv(tv->calc, cfg) && tv->calc->rate == out->rate &&
	    tv->calc->model == cfg->model) {
		out->calc = tv->calc;
		out->calc_opts = tv->opts;
		out->calc_n = tv->n_opts;
	}
	/* the same rule over the distinct expirations: the same one */
	out->expiry = out->calc ? cal_nearest_expiry(out->calc->exp, out->calc->n_exp, sizeof(int),
						     v->session, days)
				: tv_nearest_expiry(tv, v->session, days);
	if (!out->expiry) {
		snprintf(out->skip, sizeof(out->skip), "no option expiration listed");
		return -1;
	}
	out->dte = out->expiry - v->session;
	out->T = cal_year_frac(v->asof, out->expiry);
	strategy_model_divs(cfg->model, v, tv, out->expiry, &out->model);
	out->ok = 1;
	return 0;
}

/* An ex-dividend instant: 09:30 New York on its date, 6.5 hours before the
 * 16:00 that cal_year_frac measures to. */
#define EX_DIV_BEFORE_CLOSE (6.5 / (24.0 * 365.0))

void strategy_model_divs(int model, const struct market_view *v, const struct ticker_view *tv,
			 int expiry, struct model_divs *out)
{
	const struct dividend *last;
	int gap, day;

	out->american = model == MODEL_AMERICAN;
	out->q = tv->div_yield;
	out->n = 0;
	if (!out->american || !tv->n_divs)
		return;
	/* the last amount at the last spacing (docs/american.md) */
	out->q = 0;
	last = &tv->divs[tv->n_divs - 1];
	gap = tv->n_divs > 1 ? last->ex_date - tv->divs[tv->n_divs - 2].ex_date : 91;
	gap = gap < 7 ? 7 : gap > 366 ? 366 : gap;
	for (day = last->ex_date + gap; day <= expiry && out->n < STRATEGY_MODEL_DIVS; day += gap) {
		if (day <= v->session)
			continue; /* one that did not come */
		out->d[out->n].t = cal_year_frac(v->asof, day) - EX_DIV_BEFORE_CLOSE;
		out->d[out->n++].amount = last->amount;
	}
}

double strategy_model_price(const struct model_divs *m, char right, double S, double K, double T,
			    double r, double sigma)
{
	if (!m->american)
		return bs_price(right, S, K, T, r, m->q, sigma);
	return am_price(right, S, K, T, r, m->q, sigma, m->d, m->n);
}

int strategy_model_iv(const struct model_divs *m, char right, double S, double K, double T,
		      double r, double price, double *iv)
{
	if (!m->american)
		return bs_implied_vol(right, S, K, T, r, m->q, price, iv);
	return am_implied_vol(right, S, K, T, r, m->q, m->d, m->n, price, iv);
}

static double rate_for(const struct config *cfg, const struct market_view *v)
{
	return isfinite(cfg->risk_free_rate) ? cfg->risk_free_rate : v->rate;
}

static int cmp_int(const void *a, const void *b)
{
	int x = *(const int *)a, y = *(const int *)b;

	return (x > y) - (x < y);
}

void strategy_calc_begin(struct market_view *v, const struct config *cfg)
{
	for (size_t t = 0; t < v->n_tickers; t++) {
		struct ticker_view *tv = &v->tickers[t];
		struct ticker_calc *c;
		double hv;
		size_t i, k, *fill;

		if (tv->calc || !tv->ok || !(tv->spot > 0) || !tv->n_opts ||
		    tv->n_opts > UINT32_MAX)
			continue;
		hv = strategy_hv(cfg, tv, NULL);
		if (!isfinite(hv))
			continue;
		c = tv->calc = xcalloc(1, sizeof(*c));
		c->window = cfg->hv_window;
		c->estimator = cfg->hv_estimator;
		c->lambda = hv_lambda(cfg);
		c->model = cfg->model;
		c->hv = hv;
		c->rate = rate_for(cfg, v);
		c->opt = xcalloc(tv->n_opts, sizeof(*c->opt));
		c->exp = xcalloc(tv->n_opts, sizeof(*c->exp));
		for (i = 0; i < tv->n_opts; i++)
			c->exp[i] = tv->opts[i].expiry;
		qsort(c->exp, tv->n_opts, sizeof(*c->exp), cmp_int);
		for (i = k = 0; i < tv->n_opts; i++)
			if (!k || c->exp[i] != c->exp[k - 1])
				c->exp[k++] = c->exp[i];
		c->n_exp = k;
		c->start = xcalloc(k + 1, sizeof(*c->start));
		c->idx = xcalloc(tv->n_opts, sizeof(*c->idx));
		for (i = 0; i < tv->n_opts; i++)
			c->start[tc_expiry_index(c, tv->opts[i].expiry) + 1]++;
		for (i = 0; i < k; i++)
			c->start[i + 1] += c->start[i];
		fill = xcalloc(k + 1, sizeof(*fill));
		memcpy(fill, c->start, (k + 1) * sizeof(*fill));
		for (i = 0; i < tv->n_opts; i++)
			c->idx[fill[tc_expiry_index(c, tv->opts[i].expiry)]++] = (uint32_t)i;
		free(fill);
	}
}

void strategy_calc_part(struct market_view *v, size_t part, size_t parts)
{
	size_t k = 0;

	for (size_t t = 0; t < v->n_tickers; t++) {
		struct ticker_view *tv = &v->tickers[t];
		const struct ticker_calc *tc = tv->calc;

		if (!tc) {
			k += tv->n_opts;
			continue;
		}
		for (size_t i = 0; i < tv->n_opts; i++, k++) {
			const struct option_quote *o = &tv->opts[i];
			struct option_calc *c = &tc->opt[i];
			struct model_divs m;
			double T;

			if (k % parts != part)
				continue;
			/* as strategy_scan_start, strategy_add_contract and
			 * rich_check compute them */
			T = cal_year_frac(v->asof, o->expiry);
			strategy_model_divs(tc->model, v, tv, o->expiry, &m);
			c->theo = strategy_model_price(&m, o->right, tv->spot, o->strike, T,
						       tc->rate, tc->hv);
			c->iv_ok = strategy_model_iv(&m, o->right, tv->spot, o->strike, T, tc->rate,
						     o->bid, &c->iv) == 0;
			if (!c->iv_ok)
				c->iv = NAN;
		}
	}
}

struct scan_contract *strategy_add_contract(struct scan_ticker *out, size_t *cap,
					    const struct option_quote *o)
{
	struct scan_contract *c;

	xgrow(&out->c, cap, out->n + 1, sizeof(*out->c));
	c = &out->c[out->n++];
	memset(c, 0, sizeof(*c));
	c->right = o->right;
	c->strike = o->strike;
	c->bid = o->bid;
	c->ask = o->ask;
	c->volume = o->volume;
	c->moneyness = o->strike / out->spot - 1.0;
	c->vendor_iv = o->vendor_iv;
	c->iv = NAN;
	if (out->calc && o >= out->calc_opts && o < out->calc_opts + out->calc_n) {
		const struct option_calc *k = &out->calc->opt[o - out->calc_opts];

		c->theo = k->theo;
		c->calc = k->iv_ok ? 1 : -1;
		c->calc_iv = k->iv;
	} else {
		c->theo = strategy_model_price(&out->model, o->right, out->spot, o->strike, out->T,
					       out->rate, out->hv);
	}
	c->edge = o->bid - c->theo;
	c->edge_pct = c->theo > 0 ? o->bid / c->theo - 1.0 : NAN;
	return c;
}

double strategy_otm(const struct scan_contract *c)
{
	return c->right == 'P' ? -c->moneyness : c->moneyness;
}

/*
 * The ranking (issue 9 point 6; DESIGN.md errata 11): among contracts that
 * passed every rule, the one nearest `aim` out of the money. Not the
 * largest edge: bid / theo - 1 or the IV of the bid is the contract's own
 * quote, and a quote a few cents out of line with its neighbours - noise,
 * or a stale or mispriced strike - would decide the pick (issue 9's audit:
 * 36 of 182 sales on the sim over 2015-2024 were of a call bid above the
 * next lower strike's ask). The rules already demand the edge (IV over HV,
 * bid over theo); where on the surface to take it is a choice of risk,
 * made from strike and spot alone, so a quote moving within its spread
 * cannot change the pick unless it changes which contracts qualify. The
 * distance is rounded to a millionth of spot so that strikes equally far
 * either side of the aim tie whatever the floating point, and a tie goes
 * to the contract farther out of the money, the less risky sale; the
 * order is total, so the pick does not depend on the order of the chain.
 */
static long long otm_distance(const struct scan_contract *c, double aim)
{
	return llround(fabs(strategy_otm(c) - aim) * 1e6);
}

void strategy_rank(struct scan_ticker *out, const struct scan_contract *c, double aim)
{
	const struct scan_contract *b;
	long long dc, db;

	out->counts[c->rule]++;
	if (c->rule != 0)
		return;
	if (out->best >= 0) {
		b = &out->c[out->best];
		dc = otm_distance(c, aim);
		db = otm_distance(b, aim);
		if (dc > db || (dc == db && !(strategy_otm(c) > strategy_otm(b))))
			return;
	}
	out->best = (int)(c - out->c);
}

void strategy_sell_one(struct scan_ticker *out, const char *why)
{
	const struct scan_contract *c = &out->c[out->best];
	struct order_leg *l = &out->order.leg[0];

	memset(&out->order, 0, sizeof(out->order));
	out->order.n_legs = 1;
	l->right = c->right;
	l->strike = c->strike;
	l->expiry = out->expiry;
	l->ratio = -1;
	l->price = c->bid;
	l->close_price = c->ask;
	l->iv = c->iv;
	l->theo = c->theo;
	pt_strlcpy(out->order.why, why, sizeof(out->order.why));
}

const char *const strategy_rich_rules[STRATEGY_RICH_RULES] = {
	"qualified", "bad quote", "moneyness", "volume", "bid", "no iv", "iv edge", "price edge",
};

/* The first rich rule c fails (RICH_QUALIFIED when none), solving its IV. */
static int rich_check(const struct scan_contract *cc, const struct scan_ticker *s, const double *k,
		      double *iv)
{
	double otm = strategy_otm(cc);

	if (!isfinite(cc->bid) || !isfinite(cc->ask) || cc->bid < 0 || cc->ask <= cc->bid)
		return RICH_BAD_QUOTE;
	if (otm < k[RICH_K_OTM_MIN] || otm > k[RICH_K_OTM_MAX])
		return RICH_MONEYNESS;
	if ((double)cc->volume <= k[RICH_K_MIN_VOLUME])
		return RICH_VOLUME;
	if (cc->bid <= k[RICH_K_MIN_BID])
		return RICH_BID;
	if (cc->calc) {
		*iv = cc->calc_iv;
		if (cc->calc < 0)
			return RICH_NO_IV;
	} else if (strategy_model_iv(&s->model, cc->right, s->spot, cc->strike, s->T, s->rate,
				     cc->bid, iv)) {
		*iv = NAN;
		return RICH_NO_IV;
	}
	if (!(*iv > s->hv + k[RICH_K_IV_EDGE]))
		return RICH_IV_EDGE;
	if (!(cc->bid > cc->theo * (1.0 + k[RICH_K_PRICE_EDGE])))
		return RICH_PRICE_EDGE;
	return RICH_QUALIFIED;
}

size_t strategy_rich_plan(const struct strategy_in *in, long *days)
{
	days[0] = (long)in->p->v[RICH_K_TARGET_DTE];
	return 1;
}

int strategy_rich_check(const struct strategy *s, const struct strategy_params *p, char *err)
{
	const double *k = p->v;

	if (k[RICH_K_OTM_MIN] > k[RICH_K_OTM_MAX])
		return pt_err(err, PT_EINVAL, "%s (%.15g) is more than %s (%.15g)",
			      s->keys[RICH_K_OTM_MIN].name, k[RICH_K_OTM_MIN],
			      s->keys[RICH_K_OTM_MAX].name, k[RICH_K_OTM_MAX]);
	return 0;
}

void strategy_sell_rich(const struct strategy_in *in, const struct ticker_view *tv,
			const struct market_view *v, char right, struct scan_ticker *out)
{
	const double *k = in->p->v;
	const char *what = right == 'C' ? "call" : "put";
	double aim = (k[RICH_K_OTM_MIN] + k[RICH_K_OTM_MAX]) / 2;
	char why[sizeof(out->order.why)];
	size_t i, j, lo, hi, cap = 0;

	if (strategy_scan_start(in, tv, v, (long)k[RICH_K_TARGET_DTE], out))
		return;
	/* with the view's index, only the chosen expiration's contracts, in
	 * the same order */
	lo = 0;
	hi = tv->n_opts;
	if (out->calc) {
		size_t e = tc_expiry_index(out->calc, out->expiry);

		lo = out->calc->start[e];
		hi = out->calc->start[e + 1];
	}
	for (j = lo; j < hi; j++) {
		struct scan_contract *c;

		i = out->calc ? out->calc->idx[j] : j;
		if (tv->opts[i].expiry != out->expiry || tv->opts[i].right != right)
			continue;
		c = strategy_add_contract(out, &cap, &tv->opts[i]);
		c->rule = rich_check(c, out, k, &c->iv);
		strategy_rank(out, c, aim);
	}
	if (!out->n) {
		snprintf(out->skip, sizeof(out->skip), "no %ss listed for the chosen expiration",
			 what);
	} else if (out->best < 0) {
		snprintf(out->skip, sizeof(out->skip), "no %s met every rule", what);
	} else {
		snprintf(why, sizeof(why),
			 "closest to %.4g%% out of the money among %d qualifying %ss", aim * 100.0,
			 out->counts[0], what);
		strategy_sell_one(out, why);
	}
}
