/*
 * csp.c - cash-secured puts (DESIGN.md §1 step 3; issue 8's worked example
 * of a strategy as one file and one table entry): for the expiration
 * nearest csp_target_dte, every put 5-15% below spot (by default) is checked
 * against the same kind of rules as volarb's calls - IV solved from the bid
 * rich against HV, bid above Black-Scholes value - and of the puts that
 * qualify the one closest to the middle of csp_otm_min..csp_otm_max is
 * proposed for sale (strategy_rank). Its margin is the strike held in cash
 * less the premium (short_puts = secured, the default) or Reg-T's
 * (short_puts = naked); see book_margin_cents. An assigned put settles at
 * its cash equivalent, or buys the shares when holdings = etf (engine.c).
 * Keys in [csp]. Pure: no I/O.
 */
#include "strategy.h"

static const struct strategy_key keys[] = {
	[RICH_K_IV_EDGE] =
		{"csp_iv_edge", SKEY_DOUBLE, 0, -1, 1, NULL, "0.03",
		 "Sell a put only when our implied volatility exceeds the historical one\n"
		 "by this (a fraction: 0.03 = 3 points)."},
	[RICH_K_PRICE_EDGE] =
		{"csp_price_edge", SKEY_DOUBLE, 0, -1, 10, NULL, "0.05",
		 "... and the bid exceeds the Black-Scholes value by this fraction of it."},
	[RICH_K_MIN_VOLUME] = {"csp_min_volume", SKEY_LONG, 0, 0, 1e9, NULL, "10",
			       "... and the contract's volume exceeds this."},
	[RICH_K_MIN_BID] = {"csp_min_bid", SKEY_DOUBLE, 0, 0, 1e6, NULL, "0.10",
			    "... and the bid exceeds this, in dollars."},
	[RICH_K_OTM_MIN] = {"csp_otm_min", SKEY_DOUBLE, 0, 0, 1, NULL, "0.05",
			    "Strikes from this far below spot (1 - strike / spot) ..."},
	[RICH_K_OTM_MAX] = {"csp_otm_max", SKEY_DOUBLE, 0, 0, 1, NULL, "0.15",
			    "... to this far (at least csp_otm_min)."},
	[RICH_K_TARGET_DTE] = {"csp_target_dte", SKEY_LONG, 0, 1, 3650, NULL, "30",
			       "Trade the expiration nearest this many calendar days away."},
};

static void scan(const struct strategy_in *in, const struct ticker_view *tv,
		 const struct market_view *v, struct scan_ticker *out)
{
	strategy_sell_rich(in, tv, v, 'P', out);
}

const struct strategy strategy_csp = {
	.name = "csp",
	.summary = "sell an out-of-the-money put rich against HV and Black-Scholes, cash-secured",
	.keys = keys,
	.n_keys = PT_ARRAY_SIZE(keys),
	.rules = strategy_rich_rules,
	.n_rules = STRATEGY_RICH_RULES,
	.hidden_rule = RICH_MONEYNESS,
	.contracts = "puts",
	.plan = strategy_rich_plan,
	.scan = scan,
	.check = strategy_rich_check,
};
