/*
 * volarb.c - the brief's volatility-arbitrage strategy (DESIGN.md §1 step
 * 3): for the expiration nearest target_dte, every call is checked against
 * the entry rules in order, and of the calls that qualify the one closest to
 * the middle of otm_min..otm_max is proposed for sale (strategy_rank says
 * why not the richest). IV is solved from the bid with the same rate and
 * dividend yield as the theoretical value (errata 7), so IV, HV and theo
 * agree. Keys in [volarb]. Pure: no I/O.
 */
#include "strategy.h"

/* Its keys, in the order of enum rich_key. Names predate per-strategy
 * sections (they were in [strategy]), so they carry no prefix. */
static const struct strategy_key keys[] = {
	[RICH_K_IV_EDGE] =
		{"iv_edge", SKEY_DOUBLE, 0, -1, 1, NULL, "0.03",
		 "Sell only when our implied volatility exceeds the historical one by this\n"
		 "(a fraction: 0.03 = 3 points)."},
	[RICH_K_PRICE_EDGE] =
		{"price_edge", SKEY_DOUBLE, 0, -1, 10, NULL, "0.05",
		 "... and the bid exceeds the Black-Scholes value by this fraction of it."},
	[RICH_K_MIN_VOLUME] = {"min_volume", SKEY_LONG, 0, 0, 1e9, NULL, "10",
			       "... and the contract's volume exceeds this."},
	[RICH_K_MIN_BID] = {"min_bid", SKEY_DOUBLE, 0, 0, 1e6, NULL, "0.10",
			    "... and the bid exceeds this, in dollars."},
	[RICH_K_OTM_MIN] = {"otm_min", SKEY_DOUBLE, 0, 0, 1, NULL, "0.05",
			    "Strikes from this far out of the money (strike / spot - 1) ..."},
	[RICH_K_OTM_MAX] = {"otm_max", SKEY_DOUBLE, 0, 0, 1, NULL, "0.15",
			    "... to this far (at least otm_min)."},
	[RICH_K_TARGET_DTE] = {"target_dte", SKEY_LONG, 0, 1, 3650, NULL, "30",
			       "Trade the expiration nearest this many calendar days away."},
};

static void scan(const struct strategy_in *in, const struct ticker_view *tv,
		 const struct market_view *v, struct scan_ticker *out)
{
	strategy_sell_rich(in, tv, v, 'C', out);
}

const struct strategy strategy_volarb = {
	.name = "volarb",
	.summary = "sell an out-of-the-money call rich against HV and Black-Scholes (the brief's)",
	.keys = keys,
	.n_keys = PT_ARRAY_SIZE(keys),
	.rules = strategy_rich_rules,
	.n_rules = STRATEGY_RICH_RULES,
	.hidden_rule = RICH_MONEYNESS,
	.contracts = "calls",
	.plan = strategy_rich_plan,
	.scan = scan,
	.check = strategy_rich_check,
};
