/*
 * strategy.h - strategies behind one ops table (DESIGN.md §1 step 3, "scan:
 * strategy proposes orders"; §2 strategy/). A strategy says which
 * expirations it needs (plan), and looks at one ticker's market view
 * (scan): for every contract it considered, the first of its own rules the
 * contract failed or that it qualified, and at most one order of one or
 * more legs. The engine sizes and fills any order the same way; the book
 * prices its margin. Pure: no I/O, no global state.
 *
 * Adding a strategy is one file (strategy/NAME.c defining a const struct
 * strategy) and one entry in strategy_table (strategy.c). Its keys live in
 * the [NAME] section of papertrade.ini; `strategies = volarb,csp` chooses
 * which run. HACKING.md walks through csp as the example.
 */
#ifndef PT_STRATEGY_H
#define PT_STRATEGY_H

#include <stddef.h>
#include <stdint.h>

#include "../market/view.h"
#include "../quant/american.h"

struct config;

#define STRATEGY_MAX 8	      /* strategies run at once */
#define STRATEGY_MAX_KEYS 16  /* configuration keys of one strategy */
#define STRATEGY_MAX_RULES 16 /* rules of one strategy, "qualified" included */
#define STRATEGY_MAX_WANTS 8  /* expirations one strategy asks for */
#define ORDER_MAX_LEGS 4

/* A configuration key of a strategy: parsed by config.c like every key. */
enum strategy_key_type { SKEY_DOUBLE, SKEY_LONG, SKEY_ENUM };

struct strategy_key {
	const char *name; /* unique across every section: "iv_edge", "csp_otm_min" */
	enum strategy_key_type type;
	int min_open;		  /* min itself is not allowed */
	double min, max;	  /* range */
	const char *const *names; /* SKEY_ENUM: value i is names[i]; NULL-terminated */
	const char *def;	  /* default, as text */
	const char *help;	  /* comment of the default file; '\n' splits lines */
};

/* The values of a strategy's keys, in the order of its key table (enums as
 * their index, integers exactly). */
struct strategy_params {
	double v[STRATEGY_MAX_KEYS];
};

/* One leg of an order, per unit of the order. */
struct order_leg {
	char right; /* 'C' or 'P' */
	double strike;
	int expiry;	    /* day number */
	int ratio;	    /* signed contracts per unit: -1 sells one */
	double price;	    /* fill per share: the bid for a sale, the ask for a purchase */
	double close_price; /* cost to close per share: the other side */
	double iv, theo;    /* for the record (NAN when unknown) */
};

/* An order a strategy proposes; the engine decides how many units. */
struct order {
	struct order_leg leg[ORDER_MAX_LEGS];
	size_t n_legs;
	char why[96]; /* how it was chosen: "closest to 10% out of the money among 4
		       * qualifying calls" */
};

/* One contract a scan looked at. */
struct scan_contract {
	char right; /* 'C' or 'P' */
	double strike;
	double bid, ask;
	int64_t volume;
	double moneyness; /* strike / spot - 1 */
	double iv;	  /* ours, from the bid; NAN when not solved */
	double vendor_iv; /* NAN when none */
	double theo;	  /* the option model's value at HV */
	double edge;	  /* bid - theo, dollars per share */
	double edge_pct;  /* bid / theo - 1 */
	int rule;	  /* index into the strategy's rules; 0 = qualified */
	/* the view's IV of the bid (option_calc), for the rules to read
	 * instead of solving: 1 solved (calc_iv), -1 no solution, 0 none */
	int calc;
	double calc_iv;
	size_t opt; /* its index in the ticker's opts, with the scan's calc or own */
};

struct strategy;

#define STRATEGY_MODEL_DIVS 64 /* projected dividends, at most */

/*
 * The option model of one ticker and expiration (config key `model`;
 * docs/american.md): European (bs.h) with the view's continuous yield, or
 * American (american.h) with, when the view has past dividends, q = 0 and
 * the dividends projected to the expiration, else the continuous yield.
 */
struct model_divs {
	int american; /* enum cfg_model == MODEL_AMERICAN */
	double q;     /* the continuous yield the model uses */
	size_t n;     /* discrete dividends, in time order */
	struct am_div d[STRATEGY_MODEL_DIVS];
};

/* What one strategy saw on one ticker. */
struct scan_ticker {
	const struct strategy *strat;
	char symbol[MV_SYMSZ];
	char source[MV_SYMSZ];
	char fallback[PT_ERRSZ];  /* why the sources before it did not serve (view.h) */
	int ok;			  /* 0: skipped before looking at contracts; see skip */
	char skip[PT_ERRSZ + 64]; /* why skipped, or why the order was (not) traded */
	double spot, hv, rate, div_yield, T;
	int hv_estimator;	 /* enum hv_estimator (quant/hv.h) hv was (to be) taken by */
	struct model_divs model; /* theo and IV of the expiration's contracts */
	int expiry;	    /* chosen expiration (day number), 0 when none */
	int dte;	    /* its calendar days to expiry */
	int dropped;	    /* bad rows the provider dropped */
	int64_t quote_time; /* Unix time of the underlying's quote */
	struct scan_contract *c;
	size_t n;
	int best;			/* index in c of the order's main contract, -1 when none */
	struct order order;		/* the proposed order when best >= 0 */
	int traded;			/* set by the engine: 1 when the order was filled */
	int counts[STRATEGY_MAX_RULES]; /* contracts per first-failed rule */
	/* set by strategy_scan_start when the view holds its contracts'
	 * numbers at this scan's HV and rate (NULL otherwise); valid while the
	 * view lives */
	const struct ticker_calc *calc;
	const struct option_quote *calc_opts; /* the ticker's opts it (or own) indexes */
	size_t calc_n;
	/* without calc, under the European model: the chosen expiration's
	 * contracts' theo, computed as one chain by strategy_scan_start, and
	 * the IVs a strategy asks for, as one chain too (indexed as calc_opts;
	 * the rest unset); freed by scan_ticker_release */
	struct option_calc *own;
};

/* A strategy's inputs: the config (shared keys: hv_window, hv_estimator,
 * ewma_lambda, risk_free_rate), its own parameters, and the session planned
 * or scanned (day number; 0 when there is none, e.g. `chain`'s default
 * expiration). */
struct strategy_in {
	const struct config *cfg;
	const struct strategy_params *p;
	int session;
};

struct strategy {
	const char *name;    /* its name in `strategies` and its ini section */
	const char *summary; /* one line for --help and the docs */
	const struct strategy_key *keys;
	size_t n_keys;
	const char *const *rules; /* rule names, rules[0] = "qualified" */
	size_t n_rules;
	const char *contracts; /* what a contract is in the reports: "calls", "puts" */
	int hidden_rule;       /* the rule `scan` lists only with --all (contracts far
				* from what it trades), 0 for none */
	/* The expirations it trades on in->session (0 when planning for no
	 * session in particular): the listed ones nearest these many days
	 * (at most STRATEGY_MAX_WANTS). Returns how many. */
	size_t (*plan)(const struct strategy_in *in, long *days);
	/* Scans one ticker into out (zeroed by the caller, strat and symbol set):
	 * never fails; problems leave out->ok = 0 and say why in out->skip. */
	void (*scan)(const struct strategy_in *in, const struct ticker_view *tv,
		     const struct market_view *v, struct scan_ticker *out);
	/* Optional: checks across its keys once a whole configuration change
	 * is applied; 0, or PT_EINVAL with err (PT_ERRSZ) naming the keys. */
	int (*check)(const struct strategy *s, const struct strategy_params *p, char *err);
};

/* buywrite's expiration for session: the first monthly expiration after
 * it (calendar.h), 0 when none (or session <= 0). */
int strategy_buywrite_expiry(int session);

/* The strategies papertrade knows, in the order `init` documents them. */
extern const struct strategy *const strategy_table[];
extern const size_t strategy_count;

/* The strategy named name (exact), or NULL. */
const struct strategy *strategy_find(const char *name);
/* Fills p with the defaults of s's keys. */
void strategy_defaults(const struct strategy *s, struct strategy_params *p);
/* The rule's name for s ("volume", "iv edge", ...), "?" out of range. */
const char *strategy_rule_name(const struct strategy *s, int rule);

/*
 * The ticker's historical volatility as cfg asks for it: hv_estimator over
 * the last hv_window sessions of tv's bars (ewma_lambda for ewma;
 * quant/hv.h). NAN when the estimator has none, with why (PT_ERRSZ bytes, or
 * NULL) naming it and saying why: "no yang_zhang HV over 30 sessions: bar
 * of 2024-03-04: no open". Never another estimator in its place.
 */
double strategy_hv(const struct config *cfg, const struct ticker_view *tv, char *why);
/*
 * Helpers strategies share: the common start of a scan (source, spot, HV
 * by strategy_hv, rate, the expiration nearest days and T), returning 0
 * when the ticker can be scanned, -1 with out->skip said (strategy_hv's
 * reason when the HV cannot be had).
 */
int strategy_scan_start(const struct strategy_in *in, const struct ticker_view *tv,
			const struct market_view *v, long days, struct scan_ticker *out);
/*
 * For a view that many portfolios read (a sweep): the HV, the theo at HV and
 * the IV of the bid of every contract of v, at cfg's HV (hv_window,
 * hv_estimator and, under ewma, ewma_lambda), rate and model, so a scan
 * under any configuration with the same HV key reads the HV, and with the
 * same rate and model too the contracts' numbers (strategy_scan_start
 * checks), rather than computing them again: the same numbers, bit for bit,
 * by the same functions. strategy_calc_begin (one thread) computes each
 * ticker's HV and makes room; strategy_calc_part fills the chains k (a
 * whole expiration under the European model, one contract under the
 * American) with k mod parts == part (parts threads at once, none reading
 * v meanwhile).
 */
void strategy_calc_begin(struct market_view *v, const struct config *cfg);
void strategy_calc_part(struct market_view *v, size_t part, size_t parts);
/*
 * The option model for contracts of tv expiring on `expiry` (a day number),
 * as of v (config key model: MODEL_EUROPEAN or MODEL_AMERICAN). With the
 * American model and past dividends in the view, the future ex-dates up to
 * and including the expiration date are projected from them: the last
 * amount at the last spacing (91 days when there is one; clamped to
 * 7..366), each at 09:30 New York on its date (docs/american.md).
 */
void strategy_model_divs(int model, const struct market_view *v, const struct ticker_view *tv,
			 int expiry, struct model_divs *out);
/*
 * theo (at sigma; what & STRATEGY_THEO) and the implied volatility of the
 * bid (what & STRATEGY_IV) of the n contracts opts[idx[0..n)] of one
 * expiration (T years away) into out[idx[j]], the other fields left: the
 * European model evaluates them as one chain (chain.h's chain_greeks and
 * chain_iv, vectorised), the American one contract at a time (am_price,
 * am_implied_vol). iv is NAN and iv_ok 0 where the bid has none.
 */
enum { STRATEGY_THEO = 1, STRATEGY_IV = 2, STRATEGY_BOTH = 3 };
void strategy_model_chain(const struct model_divs *m, double S, double T, double r, double sigma,
			  const struct option_quote *opts, const uint32_t *idx, size_t n, int what,
			  struct option_calc *out);
/* The model's value of one contract: strategy_model_chain's theo (bit for
 * bit what a whole chain gives it), or am_price with m's dividends. */
double strategy_model_price(const struct model_divs *m, char right, double S, double K, double T,
			    double r, double sigma);
/* The model's implied volatility of price: strategy_model_chain's (0, or
 * -1 and NAN when there is none), or am_implied_vol's. */
int strategy_model_iv(const struct model_divs *m, char right, double S, double K, double T,
		      double r, double price, double *iv);
/* Appends a contract of the chosen expiration with the common numbers
 * (moneyness, theo at HV, edge); returns it (valid until the next append). */
struct scan_contract *strategy_add_contract(struct scan_ticker *out, size_t *cap,
					    const struct option_quote *o);
/* How far out of the money c is, as a fraction of spot: strike / spot - 1
 * for a call, 1 - strike / spot for a put (negative in the money). */
double strategy_otm(const struct scan_contract *c);
/*
 * Counts c's rule, and makes it the order's contract when it qualified and
 * is nearer `aim` out of the money (strategy_otm) than the best so far;
 * distances are compared to a millionth of spot, and of two as near the
 * farther out of the money wins (the higher strike of calls, the lower of
 * puts). The pick depends only on strikes and on which contracts qualified,
 * never on how rich one quote is against its neighbours: docs/strategies.md.
 */
void strategy_rank(struct scan_ticker *out, const struct scan_contract *c, double aim);
/* A one-leg sale of contract best at its bid (the cost to close at the
 * ask); why (copied, truncated to fit) says how it was chosen. */
void strategy_sell_one(struct scan_ticker *out, const char *why);
void scan_ticker_release(struct scan_ticker *s);

/*
 * The scan of a premium seller (volarb's calls, csp's puts): on the
 * expiration nearest `days`, every contract of `right` is checked against
 * the rich rules in order, and of those that qualify the one closest to
 * the middle of the otm_min..otm_max band (strategy_rank) is proposed for
 * sale at its bid.
 */
enum rich_rule {
	RICH_QUALIFIED,
	RICH_BAD_QUOTE,	 /* missing, non-finite, zero-width or crossed quote */
	RICH_MONEYNESS,	 /* not otm_min..otm_max out of the money */
	RICH_VOLUME,	 /* volume not above min_volume */
	RICH_BID,	 /* bid not above min_bid */
	RICH_NO_IV,	 /* no volatility reproduces the bid */
	RICH_IV_EDGE,	 /* IV not above HV + iv_edge */
	RICH_PRICE_EDGE, /* bid not above theo x (1 + price_edge) */
	STRATEGY_RICH_RULES
};
extern const char *const strategy_rich_rules[STRATEGY_RICH_RULES];

/* The keys of a premium seller, in this order in its key table. */
enum rich_key {
	RICH_K_IV_EDGE,
	RICH_K_PRICE_EDGE,
	RICH_K_MIN_VOLUME,
	RICH_K_MIN_BID,
	RICH_K_OTM_MIN,	   /* out of the money: |strike / spot - 1| from ... */
	RICH_K_OTM_MAX,	   /* ... to */
	RICH_K_TARGET_DTE, /* the expiration nearest this many days */
	RICH_KEYS
};

/* plan: the expiration nearest RICH_K_TARGET_DTE days. */
size_t strategy_rich_plan(const struct strategy_in *in, long *days);
/* check: otm_min <= otm_max. */
int strategy_rich_check(const struct strategy *s, const struct strategy_params *p, char *err);
/* scan: sells the qualifying contract of right ('C' or 'P') closest to the
 * middle of its moneyness band. */
void strategy_sell_rich(const struct strategy_in *in, const struct ticker_view *tv,
			const struct market_view *v, char right, struct scan_ticker *out);

#endif
