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
#include "../quant/chain.h"
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
	free(s->own);
	s->own = NULL;
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

/* The European model's theo and IV of every contract of the chosen
 * expiration, in one strategy_model_chain call (the American model's cost
 * a lattice each: those are computed for the contracts a strategy looks
 * at, one at a time). */
static void scan_own_chain(const struct ticker_view *tv, struct scan_ticker *out)
{
	uint32_t *idx = xmalloc((tv->n_opts ? tv->n_opts : 1) * sizeof(*idx));
	size_t i, n = 0;

	for (i = 0; i < tv->n_opts && i <= UINT32_MAX; i++)
		if (tv->opts[i].expiry == out->expiry)
			idx[n++] = (uint32_t)i;
	out->own = xcalloc(tv->n_opts ? tv->n_opts : 1, sizeof(*out->own));
	out->calc_opts = tv->opts;
	out->calc_n = tv->n_opts;
	strategy_model_chain(&out->model, out->spot, out->T, out->rate, out->hv, tv->opts, idx, n,
			     STRATEGY_THEO, out->own);
	free(idx);
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
	if (!out->calc && !out->model.american)
		scan_own_chain(tv, out);
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

void strategy_model_chain(const struct model_divs *m, double S, double T, double r, double sigma,
			  const struct option_quote *opts, const uint32_t *idx, size_t n, int what,
			  struct option_calc *out)
{
	double *a, *o;
	char *right;
	size_t j;

	if (m->american) {
		for (j = 0; j < n; j++) {
			const struct option_quote *q = &opts[idx[j]];
			struct option_calc *c = &out[idx[j]];

			if (what & STRATEGY_THEO)
				c->theo = am_price(q->right, S, q->strike, T, r, m->q, sigma, m->d,
						   m->n);
			if (!(what & STRATEGY_IV))
				continue;
			c->iv_ok = am_implied_vol(q->right, S, q->strike, T, r, m->q, m->d, m->n,
						  q->bid, &c->iv) == 0;
			if (!c->iv_ok)
				c->iv = NAN;
		}
		return;
	}
	if (!n)
		return;
	/* the chain's arrays: S, K, T, r, q, sigma, bid, then six outputs */
	a = xmalloc(13 * n * sizeof(*a));
	right = xmalloc(n);
	o = a + 7 * n;
	for (j = 0; j < n; j++) {
		const struct option_quote *q = &opts[idx[j]];

		a[j] = S;
		a[n + j] = q->strike;
		a[2 * n + j] = T;
		a[3 * n + j] = r;
		a[4 * n + j] = m->q;
		a[5 * n + j] = sigma;
		a[6 * n + j] = q->bid;
		right[j] = q->right;
	}
	{
		struct chain_in in = {a, a + n, a + 2 * n, a + 3 * n, a + 4 * n, a + 5 * n, right};
		struct chain_out co = {o, o + n, o + 2 * n, o + 3 * n, o + 4 * n, o + 5 * n};

		if (what & STRATEGY_THEO)
			chain_greeks(&in, &co, n);
		if (what & STRATEGY_IV)
			chain_iv(&in, a + 6 * n, o + n, n);
	}
	for (j = 0; j < n; j++) {
		struct option_calc *c = &out[idx[j]];

		if (what & STRATEGY_THEO)
			c->theo = o[j];
		if (what & STRATEGY_IV) {
			c->iv = o[n + j];
			c->iv_ok = !isnan(c->iv);
		}
	}
	free(right);
	free(a);
}

/* One contract through strategy_model_chain: the whole chain's numbers to
 * the bit (chain.h's results do not depend on an option's neighbours). */
static struct option_calc model_one(const struct model_divs *m, char right, double S, double K,
				    double T, double r, double sigma, double price, int what)
{
	struct option_quote q;
	struct option_calc c;
	uint32_t zero = 0;

	memset(&q, 0, sizeof(q));
	q.right = right;
	q.strike = K;
	q.bid = price;
	c.theo = c.iv = NAN;
	c.iv_ok = 0;
	strategy_model_chain(m, S, T, r, sigma, &q, &zero, 1, what, &c);
	return c;
}

double strategy_model_price(const struct model_divs *m, char right, double S, double K, double T,
			    double r, double sigma)
{
	if (!m->american)
		return model_one(m, right, S, K, T, r, sigma, NAN, STRATEGY_THEO).theo;
	return am_price(right, S, K, T, r, m->q, sigma, m->d, m->n);
}

int strategy_model_iv(const struct model_divs *m, char right, double S, double K, double T,
		      double r, double price, double *iv)
{
	if (!m->american) {
		struct option_calc c = model_one(m, right, S, K, T, r, 0, price, STRATEGY_IV);

		*iv = c.iv;
		return c.iv_ok ? 0 : -1;
	}
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

	/* a whole expiration's chain at a time (European), or one contract at
	 * a time (American: each costs a lattice, so the parts stay even) */
	for (size_t t = 0; t < v->n_tickers; t++) {
		struct ticker_view *tv = &v->tickers[t];
		const struct ticker_calc *tc = tv->calc;

		if (!tc)
			continue;
		for (size_t e = 0; e < tc->n_exp; e++) {
			const uint32_t *idx = tc->idx + tc->start[e];
			size_t n = tc->start[e + 1] - tc->start[e], j;
			double T = cal_year_frac(v->asof, tc->exp[e]);
			struct model_divs m;

			/* as strategy_scan_start computes them */
			strategy_model_divs(tc->model, v, tv, tc->exp[e], &m);
			if (!m.american) {
				if (k++ % parts == part)
					strategy_model_chain(&m, tv->spot, T, tc->rate, tc->hv,
							     tv->opts, idx, n, STRATEGY_BOTH,
							     tc->opt);
				continue;
			}
			for (j = 0; j < n; j++)
				if (k++ % parts == part)
					strategy_model_chain(&m, tv->spot, T, tc->rate, tc->hv,
							     tv->opts, idx + j, 1, STRATEGY_BOTH,
							     tc->opt);
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

		c->opt = (size_t)(o - out->calc_opts);
		c->theo = k->theo;
		c->calc = k->iv_ok ? 1 : -1;
		c->calc_iv = k->iv;
	} else if (out->own && o->expiry == out->expiry && o >= out->calc_opts &&
		   o < out->calc_opts + out->calc_n) {
		c->opt = (size_t)(o - out->calc_opts);
		c->theo = out->own[c->opt].theo; /* the IV when a rule asks */
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
/* rich_check's rules before the implied volatility: the rule failed, or
 * RICH_QUALIFIED when the contract's IV is needed to go on. */
static int rich_pre(const struct scan_contract *cc, const double *k)
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
	return RICH_QUALIFIED;
}

static int rich_check(const struct scan_contract *cc, const struct scan_ticker *s, const double *k,
		      double *iv)
{
	int rule = rich_pre(cc, k);

	if (rule != RICH_QUALIFIED)
		return rule;
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

/* The implied volatilities the rules will ask for (the contracts that pass
 * the rules before it), as one chain: into the own table and the contracts'
 * calc, calc_iv. */
static void own_chain_iv(const struct ticker_view *tv, struct scan_ticker *out, const double *k)
{
	uint32_t *idx = xmalloc((out->n ? out->n : 1) * sizeof(*idx));
	size_t j, n = 0;

	for (j = 0; j < out->n; j++)
		if (rich_pre(&out->c[j], k) == RICH_QUALIFIED)
			idx[n++] = (uint32_t)out->c[j].opt;
	strategy_model_chain(&out->model, out->spot, out->T, out->rate, out->hv, tv->opts, idx, n,
			     STRATEGY_IV, out->own);
	for (j = 0; j < out->n; j++) {
		struct scan_contract *c = &out->c[j];

		if (rich_pre(c, k) != RICH_QUALIFIED)
			continue;
		c->calc = out->own[c->opt].iv_ok ? 1 : -1;
		c->calc_iv = out->own[c->opt].iv;
	}
	free(idx);
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
		i = out->calc ? out->calc->idx[j] : j;
		if (tv->opts[i].expiry == out->expiry && tv->opts[i].right == right)
			strategy_add_contract(out, &cap, &tv->opts[i]);
	}
	if (out->own)
		own_chain_iv(tv, out, k);
	for (j = 0; j < out->n; j++) {
		struct scan_contract *c = &out->c[j];

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
