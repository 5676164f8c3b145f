/*
 * strategy.h - strategies behind one interface (DESIGN.md §1 step 3, "scan:
 * strategy proposes orders"). A strategy looks at one ticker's market view
 * and says, for every contract it considered, the first rule it failed or
 * that it qualified; the engine sizes and fills the chosen one. Pure: no I/O.
 *
 * volarb is the brief's: sell an out-of-the-money call whose implied
 * volatility, solved from the bid we would sell at (errata 7), is rich
 * against historical volatility and whose bid is above Black-Scholes value.
 */
#ifndef PT_STRATEGY_H
#define PT_STRATEGY_H

#include <stddef.h>
#include <stdint.h>

#include "../market/view.h"

struct config;

/* The first rule a contract failed, in the order they are checked. */
enum scan_rule {
	RULE_QUALIFIED = 0,
	RULE_BAD_QUOTE,		/* missing, non-finite, zero-width or crossed quote */
	RULE_MONEYNESS,		/* strike not otm_min..otm_max above spot */
	RULE_VOLUME,		/* volume not above min_volume */
	RULE_BID,		/* bid not above min_bid */
	RULE_NO_IV,		/* no volatility reproduces the bid */
	RULE_IV_EDGE,		/* IV not above HV + iv_edge */
	RULE_PRICE_EDGE,	/* bid not above theo x (1 + price_edge) */
	RULE_COUNT
};

struct scan_contract {
	double strike;
	double bid, ask;
	int64_t volume;
	double moneyness;	/* strike / spot - 1 */
	double iv;		/* ours, from the bid; NAN when not solved */
	double vendor_iv;	/* NAN when none */
	double theo;		/* Black-Scholes value at HV */
	double edge;		/* bid - theo, dollars per share */
	double edge_pct;	/* bid / theo - 1 */
	int rule;		/* enum scan_rule */
};

struct scan_ticker {
	char symbol[MV_SYMSZ];
	char source[MV_SYMSZ];
	int ok;			/* 0: skipped before looking at contracts; see skip */
	char skip[PT_ERRSZ + 64];		/* why skipped, or why the chosen contract was (not) traded */
	double spot, hv, rate, div_yield, T;
	int expiry;		/* chosen expiration (day number), 0 when none */
	int dte;		/* its calendar days to expiry */
	int dropped;		/* bad rows the provider dropped */
	int64_t quote_time;	/* Unix time of the underlying's quote */
	struct scan_contract *c;
	size_t n;
	int best;		/* index in c of the contract to trade, -1 when none qualified */
	int traded;		/* set by the engine: 1 when an order was filled */
	int counts[RULE_COUNT];	/* contracts per first-failed rule */
};

/* Scans one ticker. out is overwritten; release with scan_ticker_release. Never fails:
 * problems (no data, no history, no expiration) leave out->ok = 0 and say why. */
void volarb_scan(const struct ticker_view *tv, const struct market_view *v,
		 const struct config *cfg, struct scan_ticker *out);
void scan_ticker_release(struct scan_ticker *s);
/* Short name of a rule ("volume", "iv edge", ...). */
const char *scan_rule_name(int rule);

#endif
