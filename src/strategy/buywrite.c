/*
 * buywrite.c - a buy-write in the manner of Cboe's BXM (DESIGN.md §1 step
 * 3; issue 11 point 5, the reference row of `compare`; docs/strategies.md
 * says how it follows BXM and where it cannot). With holdings = etf the
 * account holds the ETF from the first session; on it this strategy writes
 * the call of the next monthly expiration (the third Friday's, or the
 * session before when that Friday is a holiday) whose strike is the first
 * quoted at or above spot x (1 + buywrite_otm) - at the money, BXM's rule,
 * by default - sold at its bid, held to expiry and settled there.
 *
 * It proposes that sale every session and the engine decides: a covered
 * call is sized to the shares not already covering a call (engine.c), so
 * the sale fills on the first session and then on the first session after
 * each monthly expiration, once the expiring call has settled at that
 * expiration's close (errata 5). Cboe writes the new call "soon after the
 * settlement of the expiring call"; BXM's S&P 500 options settle at the
 * Friday's open, SPY's at its close, so here the roll is the next session.
 * Keys in [buywrite]. Pure: no I/O.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "strategy.h"
#include "../config.h"
#include "../market/calendar.h"
#include "../quant/bs.h"
#include "../util/date.h"
#include "../util/util.h"

enum { BW_K_OTM, BW_KEYS };

static const struct strategy_key keys[] = {
	[BW_K_OTM] = {"buywrite_otm", SKEY_DOUBLE, 0, 0, 0.5, NULL, "0",
		      "Write the call whose strike is the first at or above spot x (1 + this):\n"
		      "0 is Cboe BXM's at-the-money call, 0.02 BXY's 2% out of the money."},
};

enum bw_rule {
	BW_QUALIFIED,
	BW_BAD_QUOTE, /* the strike to write has no bid, or a crossed quote */
	BW_BELOW,     /* strike below spot x (1 + buywrite_otm) */
	BW_NOT_FIRST, /* at or above it, but not the first strike there */
	BW_RULES
};

static const char *const rules[BW_RULES] = {
	"qualified",
	"bad quote",
	"below spot",
	"not the first strike",
};

int strategy_buywrite_expiry(int session)
{
	int d;

	if (session <= 0)
		return 0;
	for (d = cal_next_expiration(session + 1); d > 0; d = cal_next_expiration(d + 1))
		if (cal_is_monthly_expiration(d))
			return d;
	return 0;
}

/* The expiration it writes, asked as "the listed one nearest N days". */
static size_t plan(const struct strategy_in *in, long *days)
{
	int e = strategy_buywrite_expiry(in->session);

	days[0] = e > 0 ? e - in->session : 30;
	return 1;
}

static void scan(const struct strategy_in *in, const struct ticker_view *tv,
		 const struct market_view *v, struct scan_ticker *out)
{
	const struct config *cfg = in->cfg;
	double aim, first = INFINITY;
	char d[DATE_BUFSZ], why[sizeof(out->order.why)];
	size_t i, cap = 0;

	out->best = -1;
	out->hv = out->T = out->spot = NAN;
	out->hv_estimator = cfg->hv_estimator;
	pt_strlcpy(out->symbol, tv->symbol, sizeof(out->symbol));
	pt_strlcpy(out->source, tv->source, sizeof(out->source));
	pt_strlcpy(out->fallback, tv->fallback, sizeof(out->fallback));
	out->dropped = tv->dropped;
	out->quote_time = tv->quote_time;
	if (cfg->holdings != HOLD_ETF) {
		snprintf(out->skip, sizeof(out->skip),
			 "a buy-write writes calls on the shares held: set holdings = etf");
		return;
	}
	if (!tv->ok) {
		snprintf(out->skip, sizeof(out->skip), "no market data: %s", tv->error);
		return;
	}
	if (!(tv->spot > 0) || !isfinite(tv->spot)) {
		snprintf(out->skip, sizeof(out->skip), "no valid quote for the underlying");
		return;
	}
	out->spot = tv->spot;
	out->rate = isfinite(cfg->risk_free_rate) ? cfg->risk_free_rate : v->rate;
	out->div_yield = tv->div_yield;
	/* HV only for the record (the theo column): the choice needs none, so
	 * a ticker whose bars give no HV by hv_estimator is still written on
	 * (its HV and theos NAN, shown as such) */
	out->hv = strategy_hv(cfg, tv, NULL);
	out->expiry = strategy_buywrite_expiry(v->session);
	if (!out->expiry) {
		snprintf(out->skip, sizeof(out->skip), "no monthly expiration after %s",
			 date_fmt(v->session, d));
		return;
	}
	out->dte = out->expiry - v->session;
	out->T = cal_year_frac(v->asof, out->expiry);
	strategy_model_divs(cfg->model, v, tv, out->expiry, &out->model);
	aim = out->spot * (1.0 + in->p->v[BW_K_OTM]);
	for (i = 0; i < tv->n_opts; i++) {
		const struct option_quote *o = &tv->opts[i];

		if (o->expiry == out->expiry && o->right == 'C' && o->strike >= aim &&
		    o->strike < first)
			first = o->strike;
	}
	out->ok = 1;
	for (i = 0; i < tv->n_opts; i++) {
		const struct option_quote *o = &tv->opts[i];
		struct scan_contract *c;

		if (o->expiry != out->expiry || o->right != 'C')
			continue;
		c = strategy_add_contract(out, &cap, o);
		if (c->strike < aim)
			c->rule = BW_BELOW;
		else if (c->strike != first)
			c->rule = BW_NOT_FIRST;
		else if (!(c->bid > 0) || !isfinite(c->ask) || c->ask <= c->bid)
			c->rule = BW_BAD_QUOTE;
		else if (strategy_model_iv(&out->model, 'C', out->spot, c->strike, out->T,
					   out->rate, c->bid, &c->iv))
			c->iv = NAN; /* for the record only: the sale stands */
		out->counts[c->rule]++;
		if (c->rule == BW_QUALIFIED)
			out->best = (int)(c - out->c);
	}
	if (!out->n) {
		snprintf(out->skip, sizeof(out->skip),
			 "no calls quoted for the monthly expiration %s", date_fmt(out->expiry, d));
	} else if (!isfinite(first)) {
		snprintf(out->skip, sizeof(out->skip), "no call of %s struck at or above %.2f",
			 date_fmt(out->expiry, d), aim);
	} else if (out->best < 0) {
		snprintf(out->skip, sizeof(out->skip), "the %g call of %s has no usable bid", first,
			 date_fmt(out->expiry, d));
	} else {
		snprintf(why, sizeof(why),
			 "the first strike at or above %.2f, monthly expiration %s", aim,
			 date_fmt(out->expiry, d));
		strategy_sell_one(out, why);
	}
}

const struct strategy strategy_buywrite = {
	.name = "buywrite",
	.summary = "write the next monthly at-the-money call on the ETF held (Cboe BXM-style)",
	.keys = keys,
	.n_keys = PT_ARRAY_SIZE(keys),
	.rules = rules,
	.n_rules = BW_RULES,
	.hidden_rule = BW_BELOW,
	.contracts = "calls",
	.plan = plan,
	.scan = scan,
};
