/*
 * config.h - every strategy and account parameter, in one struct (DESIGN.md
 * §5). Precedence, lowest first: defaults, papertrade.ini in the home folder
 * (parsed by inih: the only module that talks to it), PAPERTRADE_<KEY>
 * environment variables, then --set key=value on the command line.
 * Key names are unique across sections.
 */
#ifndef PT_CONFIG_H
#define PT_CONFIG_H

#include <stdint.h>
#include <stddef.h>

#include "quant/hv.h" /* enum hv_estimator: hv_estimator's values */
#include "strategy/strategy.h"

#define CFG_MAX_TICKERS 64
#define CFG_SYMSZ 16
#define CFG_URLSZ 256
#define CFG_MAX_TABLE 16	/* strategies in strategy_table, at most */

enum cfg_holdings { HOLD_CASH, HOLD_ETF };
enum cfg_sizing { SIZE_PREMIUM, SIZE_MARGIN };
enum cfg_contracts { CONTRACTS_FRACTIONAL, CONTRACTS_WHOLE };
enum cfg_short_puts { PUTS_SECURED, PUTS_NAKED };
enum cfg_notify_on { NOTIFY_NEVER, NOTIFY_ALWAYS, NOTIFY_FAILURES };
enum cfg_starttls { STARTTLS_REQUIRED, STARTTLS_OFF };
enum cfg_model { MODEL_EUROPEAN, MODEL_AMERICAN };
struct config {
	/* [account] */
	int64_t initial_capital_cents;
	char tickers[CFG_MAX_TICKERS][CFG_SYMSZ];
	size_t n_tickers;
	int holdings;			/* enum cfg_holdings */
	double commission;		/* dollars per contract */
	double margin_pct;		/* Reg-T style: premium + margin_pct x underlying - OTM */
	double margin_min_pct;		/* ... at least premium + margin_min_pct x underlying */
	int short_puts;			/* enum cfg_short_puts: cash-secured or Reg-T naked */
	double liquidate_at;		/* equity below this x requirement: closed at once */
	double cash_interest;		/* annual rate cash earns; NAN: auto (risk-free less spread) */
	double cash_interest_spread;	/* the broker's cut under auto */
	double margin_loan_spread;	/* a debit balance pays the risk-free rate plus this */
	/* [strategy]: which strategies run, and what they share */
	const struct strategy *strat[STRATEGY_MAX];	/* in the order listed */
	double share[STRATEGY_MAX];	/* each one's share of the capital (sums to 1) */
	size_t n_strat;
	long max_positions_per_ticker;
	double position_pct;		/* of the ticker's allocation, per trade */
	double max_trade_requirement;	/* per trade, a fraction of equity */
	double max_stress_loss;		/* per trade, a fraction of equity ... */
	double stress_move;		/* ... should the underlying move this much */
	int sizing;			/* enum cfg_sizing */
	int contracts;			/* enum cfg_contracts */
	long hv_window;			/* sessions of returns (bars) the HV is taken over */
	int hv_estimator;		/* enum hv_estimator (quant/hv.h) */
	double ewma_lambda;		/* HV_EWMA's decay per session */
	int model;			/* enum cfg_model: theo and IV, European or American */
	double risk_free_rate;		/* fraction; NAN means "auto" (from the provider) */
	/* [market] */
	char provider[64];		/* sim | yahoo | cboe | tape | history, or a comma list */
	uint64_t seed;			/* the sim market's */
	int sim_perturb_after;		/* no key: tests change every sim draw after
					 * this day (sim_new's perturb_after), 0 none */
	char yahoo_url[CFG_URLSZ];
	char yahoo_cookie_url[CFG_URLSZ];
	char cboe_url[CFG_URLSZ];
	long max_quote_age;		/* seconds */
	long http_timeout;		/* seconds */
	long http_retries;
	/* [schedule] */
	int run_at_min;			/* minutes after midnight New York time */
	/* [serve] */
	char serve_token_file[CFG_URLSZ];	/* the API token's file, "" for none */
	/* [notify] */
	int notify_on;			/* enum cfg_notify_on */
	char notify_command[CFG_URLSZ];	/* sh -c command given the JSON on stdin, "" for none */
	char smtp_url[CFG_URLSZ];	/* smtp[s]://host[:port], "" for no email */
	int smtp_starttls;		/* enum cfg_starttls (smtp:// only) */
	char smtp_from[CFG_URLSZ];
	char smtp_to[CFG_URLSZ];	/* comma list */
	char smtp_username[CFG_URLSZ];	/* "" for no login */
	char smtp_password_file[CFG_URLSZ];	/* mode 0600; else $PAPERTRADE_SMTP_PASSWORD */
	char smtp_ca_file[CFG_URLSZ];	/* extra CA certificates (PEM), "" for the system's */
	/* [NAME] of each strategy in strategy_table: its keys, by table index */
	struct strategy_params params[CFG_MAX_TABLE];
	/* the keys of strat[i], kept in step with params by every change (a
	 * test may plug in a strategy of its own with strat[i] and sel[i]) */
	struct strategy_params sel[STRATEGY_MAX];
	/* keys read from the section they were in before (papertrade.ini of
	 * an older version): one line each, "key 'x' belongs in [y] now" */
	char moved[512];
};

/* Fills the defaults: the brief's values. */
void config_defaults(struct config *c);
/*
 * Sets one key from text, validating it. Returns 0, or PT_EINVAL with err
 * naming the key and what is wrong ("unknown key 'x'", "iv_edge: not a number: 'abc'").
 */
int config_set(struct config *c, const char *key, const char *value, char *err);
/* Applies "key=value" (the --set form). */
int config_set_pair(struct config *c, const char *pair, char *err);
/* Applies several "key=value" pairs all or nothing, with the cross-key checks
 * (otm_min <= otm_max) once at the end, so their order does not matter. */
int config_set_pairs(struct config *c, const char *const *pairs, size_t n, char *err);
/*
 * Loads an INI file over c. A missing file is not an error (returns 0 and
 * leaves c alone). Unknown keys, keys in the wrong section and bad values
 * are errors naming the file and line.
 */
int config_load_file(struct config *c, const char *path, char *err);
/* Applies every PAPERTRADE_<KEY> variable present in the environment. */
int config_load_env(struct config *c, char *err);
/* Writes the default configuration, every key commented, to path (mode 0644);
 * fails if path exists. */
int config_write_default(const char *path, char *err);
/* Writes "key = value" lines of the effective configuration to an sbuf. */
struct sbuf;
void config_dump(const struct config *c, struct sbuf *out);
/* The value of one key as config_dump writes it, into buf; PT_EINVAL when
 * there is no such key. */
int config_get(const struct config *c, const char *key, char *buf, size_t n);
/* The [section] key belongs in ("account", "market", a strategy's name),
 * or NULL when there is no such key. */
const char *config_key_section(const char *key);
/* What strategy slot i of c sees (for the engine and plans). */
struct strategy_in config_strategy_in(const struct config *c, size_t i);

#endif
