/*
 * volarb.c - the brief's volatility-arbitrage scan (DESIGN.md §1 step 3):
 * for the expiration nearest target_dte, every call is checked against the
 * entry rules in order, and the qualifying call with the largest relative
 * price edge is proposed. IV is solved from the bid with the same rate and
 * dividend yield as the theoretical value (errata 7), so IV, HV and theo
 * agree. Pure: no I/O.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "strategy.h"
#include "../config.h"
#include "../market/calendar.h"
#include "../quant/bs.h"
#include "../util/util.h"

static const char *const rule_names[RULE_COUNT] = {
	"qualified", "bad quote", "moneyness", "volume", "bid", "no iv", "iv edge", "price edge",
};

const char *scan_rule_name(int rule)
{
	return rule >= 0 && rule < RULE_COUNT ? rule_names[rule] : "?";
}

void scan_ticker_release(struct scan_ticker *s)
{
	free(s->c);
	s->c = NULL;
	s->n = 0;
}

static void check(struct scan_contract *c, const struct scan_ticker *s, const struct config *cfg)
{
	c->rule = RULE_QUALIFIED;
	if (!isfinite(c->bid) || !isfinite(c->ask) || c->bid < 0 || c->ask <= c->bid) {
		c->rule = RULE_BAD_QUOTE;
		return;
	}
	if (c->moneyness < cfg->otm_min || c->moneyness > cfg->otm_max) {
		c->rule = RULE_MONEYNESS;
		return;
	}
	if (c->volume <= cfg->min_volume) {
		c->rule = RULE_VOLUME;
		return;
	}
	if (c->bid <= cfg->min_bid) {
		c->rule = RULE_BID;
		return;
	}
	if (bs_implied_vol('C', s->spot, c->strike, s->T, s->rate, s->div_yield, c->bid, &c->iv)) {
		c->iv = NAN;
		c->rule = RULE_NO_IV;
		return;
	}
	if (!(c->iv > s->hv + cfg->iv_edge)) {
		c->rule = RULE_IV_EDGE;
		return;
	}
	if (!(c->bid > c->theo * (1.0 + cfg->price_edge))) {
		c->rule = RULE_PRICE_EDGE;
		return;
	}
}

void volarb_scan(const struct ticker_view *tv, const struct market_view *v,
		 const struct config *cfg, struct scan_ticker *out)
{
	double *closes = NULL;
	size_t i, n = 0, cap = 0;
	double best_edge = 0;

	memset(out, 0, sizeof(*out));
	out->best = -1;
	out->hv = out->T = out->spot = NAN;
	pt_strlcpy(out->symbol, tv->symbol, sizeof(out->symbol));
	pt_strlcpy(out->source, tv->source, sizeof(out->source));
	out->dropped = tv->dropped;
	out->quote_time = tv->quote_time;
	if (!tv->ok) {
		snprintf(out->skip, sizeof(out->skip), "no market data: %s", tv->error);
		return;
	}
	out->spot = tv->spot;
	out->rate = isfinite(cfg->risk_free_rate) ? cfg->risk_free_rate : v->rate;
	out->div_yield = tv->div_yield;
	if (!(tv->spot > 0)) {
		snprintf(out->skip, sizeof(out->skip), "no valid quote for the underlying");
		return;
	}
	closes = xmalloc((tv->n_bars + 1) * sizeof(*closes));
	for (i = 0; i < tv->n_bars; i++)
		closes[n++] = tv->bars[i].close;
	out->hv = hv_close_to_close(closes, n, (size_t)cfg->hv_window);
	free(closes);
	if (!isfinite(out->hv)) {
		snprintf(out->skip, sizeof(out->skip),
			 "not enough history for %ld-session HV (%zu closes)", cfg->hv_window,
			 tv->n_bars);
		return;
	}
	out->expiry = tv_nearest_expiry(tv, v->session, cfg->target_dte);
	if (!out->expiry) {
		snprintf(out->skip, sizeof(out->skip), "no option expiration listed");
		return;
	}
	out->dte = out->expiry - v->session;
	out->T = cal_year_frac(v->asof, out->expiry);
	out->ok = 1;

	for (i = 0; i < tv->n_opts; i++) {
		const struct option_quote *o = &tv->opts[i];
		struct scan_contract *c;

		if (o->expiry != out->expiry || o->right != 'C')
			continue;
		xgrow(&out->c, &cap, out->n + 1, sizeof(*out->c));
		c = &out->c[out->n++];
		c->strike = o->strike;
		c->bid = o->bid;
		c->ask = o->ask;
		c->volume = o->volume;
		c->moneyness = o->strike / out->spot - 1.0;
		c->vendor_iv = o->vendor_iv;
		c->iv = NAN;
		c->theo = bs_price('C', out->spot, o->strike, out->T, out->rate, out->div_yield,
				   out->hv);
		c->edge = o->bid - c->theo;
		c->edge_pct = c->theo > 0 ? o->bid / c->theo - 1.0 : NAN;
		check(c, out, cfg);
		out->counts[c->rule]++;
		if (c->rule == RULE_QUALIFIED && (out->best < 0 || c->edge_pct > best_edge)) {
			out->best = (int)(c - out->c);
			best_edge = c->edge_pct;
		}
	}
	if (!out->n)
		snprintf(out->skip, sizeof(out->skip), "no calls listed for the chosen expiration");
	else if (out->best < 0)
		snprintf(out->skip, sizeof(out->skip), "no call met every rule");
}
