/*
 * config.c - the configuration (DESIGN.md §5 "Configuration"): turns outside
 * text into the struct config every other module reads. Sits beside cli/ at
 * the top of the data flow of DESIGN.md §1; the only module that talks to
 * inih. One table of keys below drives everything: the defaults, the INI
 * file, the PAPERTRADE_<KEY> environment, --set key=value, the default file
 * written by `init`, and the dump. Every change is made on a copy and copied
 * back only when the whole change (and the cross-key check) succeeded, so a
 * failure leaves the caller's struct exactly as it was.
 */
#include <assert.h>
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <math.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include <ini.h>

#include "config.h"
#include "market/provider.h"
#include "util/util.h"

/* The largest configuration file we read (STYLE.md: hard limits on input). */
#define CFG_FILE_MAX (1u << 20)
#define ENV_PREFIX "PAPERTRADE_"
/* How much of an offending value an error message quotes. */
#define SHOW 80

enum ktype {
	K_MONEY,	/* dollars in (min, max], stored as int64_t cents */
	K_TICKERS,	/* comma list of symbols, into tickers[] and n_tickers */
	K_ENUM,		/* one of names[], stored as int index */
	K_DOUBLE,	/* number in [min, max] (or (min, max] with min_open) */
	K_LONG,		/* integer in [min, max] */
	K_RATE,		/* "auto" (NAN) or K_DOUBLE */
	K_PROVIDER,	/* comma list of provider names, normalized */
	K_SEED,		/* non-negative integer, uint64_t */
	K_URL,		/* http:// or https:// base URL, char[CFG_URLSZ] */
	K_TIME,		/* HH:MM, stored as int minutes after midnight */
	K_PATH,		/* a file name, "" for none, char[CFG_URLSZ] */
	K_STRATEGIES,	/* comma list of strategy[:weight], into strat[], share[] */
	K_SMTP_URL,	/* "" or smtp:// or smtps:// host[:port], char[CFG_URLSZ] */
};

struct key {
	const char *name;
	const char *section;
	enum ktype type;
	int min_open;			/* min itself is not allowed */
	size_t off;			/* offset of the field in struct config */
	double min, max;		/* K_MONEY, K_DOUBLE, K_LONG, K_RATE */
	const char *const *names;	/* K_ENUM: value i is names[i]; NULL-terminated */
	const char *def;		/* default, as text: parsed by config_defaults */
	const char *help;		/* comment of the default file; '\n' splits lines */
	int dbl;			/* K_LONG, K_ENUM stored as a double (a strategy's key) */
};

static const char *const holdings_names[] = {[HOLD_CASH] = "cash", [HOLD_ETF] = "etf", NULL};
static const char *const sizing_names[] = {[SIZE_PREMIUM] = "premium", [SIZE_MARGIN] = "margin",
					   NULL};
static const char *const contracts_names[] = {[CONTRACTS_FRACTIONAL] = "fractional",
					      [CONTRACTS_WHOLE] = "whole", NULL};
static const char *const notify_on_names[] = {[NOTIFY_NEVER] = "never", [NOTIFY_ALWAYS] = "always",
					      [NOTIFY_FAILURES] = "failures", NULL};
static const char *const starttls_names[] = {[STARTTLS_REQUIRED] = "required",
					     [STARTTLS_OFF] = "off", NULL};
static const char *const model_names[] = {
	[MODEL_EUROPEAN] = "european", [MODEL_AMERICAN] = "american", NULL};
static const char *const short_puts_names[] = {[PUTS_SECURED] = "secured",
					       [PUTS_NAKED] = "naked", NULL};

#define KEY(n, s, t, f, lo, hi, open, nm, d, h) \
	{n, s, t, open, offsetof(struct config, f), lo, hi, nm, d, h, 0}

/* The single source of truth: in section order, which is the default file's order. */
static const struct key keys[] = {
	KEY("initial_capital", "account", K_MONEY, initial_capital_cents, 0, 1e9, 1, NULL, "1000",
	    "Starting cash of the paper account, in dollars (more than 0, at most 1e9)."),
	KEY("tickers", "account", K_TICKERS, tickers, 0, 0, 0, NULL, "SPY,VOO,VTI,QQQ",
	    "Underlyings traded, comma separated (at most 64); the capital is split\n"
	    "equally among them."),
	KEY("holdings", "account", K_ENUM, holdings, 0, 0, 0, holdings_names, "cash",
	    "cash: the account stays in cash and the calls are sold naked;\n"
	    "etf: the allocation buys the ETFs on the first session and the calls are\n"
	    "covered (a buy-write)."),
	KEY("commission", "account", K_DOUBLE, commission, 0, 1000, 0, NULL, "0.65",
	    "Commission per option contract, in dollars."),
	KEY("margin_pct", "account", K_DOUBLE, margin_pct, 0, 1, 0, NULL, "0.20",
	    "Margin of a short call: premium + margin_pct x underlying - OTM amount ..."),
	KEY("margin_min_pct", "account", K_DOUBLE, margin_min_pct, 0, 1, 1, NULL, "0.10",
	    "... and at least premium + margin_min_pct x underlying (more than 0: a\n"
	    "naked call always needs margin)."),
	KEY("short_puts", "account", K_ENUM, short_puts, 0, 0, 0, short_puts_names, "secured",
	    "secured: a short put holds its strike in cash (less the premium);\n"
	    "naked: Reg-T margin, premium + margin_pct x underlying - OTM amount, at\n"
	    "least premium + margin_min_pct x strike."),
	KEY("liquidate_at", "account", K_DOUBLE, liquidate_at, 0, 1, 0, NULL, "0.5",
	    "Equity below the maintenance requirement is a margin call, closed at the\n"
	    "ask (largest requirement first) when still unmet at the next session; at\n"
	    "once when equity is below liquidate_at x the requirement (0: always wait\n"
	    "a session; 1: never wait)."),
	KEY("cash_interest", "account", K_RATE, cash_interest, 0, 1, 0, NULL, "auto",
	    "Annual interest on cash, booked each session: auto (the risk-free rate\n"
	    "less cash_interest_spread, never below 0) or a fraction (0 for none)."),
	KEY("cash_interest_spread", "account", K_DOUBLE, cash_interest_spread, 0, 0.2, 0, NULL,
	    "0.005", "What the broker keeps of the risk-free rate when cash_interest is auto."),
	KEY("margin_loan_spread", "account", K_DOUBLE, margin_loan_spread, 0, 0.2, 0, NULL, "0.015",
	    "A debit cash balance pays the risk-free rate plus this."),

	KEY("strategies", "strategy", K_STRATEGIES, strat, 0, 0, 0, NULL, "volarb",
	    "The strategies that run, comma separated, each with its share of the\n"
	    "capital as a weight (volarb:2,csp:1; default 1 each): volarb sells rich\n"
	    "calls (the brief's), csp cash-secured puts, buywrite a Cboe BXM-style\n"
	    "monthly at-the-money call on the ETF held (with holdings = etf). Each\n"
	    "one's keys are in its own section below."),
	KEY("max_positions_per_ticker", "strategy", K_LONG, max_positions_per_ticker, 0, 100, 0,
	    NULL, "2", "Open positions allowed per ticker at once."),
	KEY("position_pct", "strategy", K_DOUBLE, position_pct, 0, 1, 1, NULL, "0.05",
	    "Size of one trade, as a fraction of the ticker's allocation (see sizing)."),
	KEY("sizing", "strategy", K_ENUM, sizing, 0, 0, 0, sizing_names, "premium",
	    "premium: position_pct x allocation is the premium collected per trade;\n"
	    "margin: it is the margin the trade ties up."),
	KEY("contracts", "strategy", K_ENUM, contracts, 0, 0, 0, contracts_names, "fractional",
	    "fractional: any quantity (a small account mirrors the strategy's returns);\n"
	    "whole: whole contracts only (a trade that rounds to zero is skipped)."),
	KEY("max_trade_requirement", "strategy", K_DOUBLE, max_trade_requirement, 0, 1, 1, NULL,
	    "0.20", "A trade's margin requirement is at most this fraction of equity."),
	KEY("max_stress_loss", "strategy", K_DOUBLE, max_stress_loss, 0, 1, 1, NULL, "0.05",
	    "A trade may lose at most this fraction of equity should its underlying\n"
	    "move stress_move against it overnight (the brief's \"never risk more than\n"
	    "5% per trade\")."),
	KEY("stress_move", "strategy", K_DOUBLE, stress_move, 0, 1, 1, NULL, "0.15",
	    "The overnight move of that test, up or down (the brief's \"move > 15%\n"
	    "against us\")."),
	KEY("hv_window", "strategy", K_LONG, hv_window, 2, 1000, 0, NULL, "30",
	    "Historical volatility over this many sessions (every strategy's)."),
	KEY("hv_estimator", "strategy", K_ENUM, hv_estimator, 0, 0, 0, hv_estimator_names, "close",
	    "How the HV is estimated from the daily bars (docs/volatility.md): close\n"
	    "(close-to-close, the brief's), ewma (squared close-to-close returns\n"
	    "weighted by ewma_lambda, no mean removed), or from each session's range:\n"
	    "parkinson (high-low), garman_klass (open, high, low, close),\n"
	    "rogers_satchell (the same, drift-free) or yang_zhang (rogers_satchell\n"
	    "with the overnight gaps). The range ones need the provider's open, high\n"
	    "and low: a ticker without them is skipped, saying so."),
	KEY("ewma_lambda", "strategy", K_DOUBLE, ewma_lambda, 0, 1, 1, NULL, "0.94",
	    "hv_estimator = ewma: each older session's squared return weighs this\n"
	    "many times the next newer one's (more than 0, at most 1; RiskMetrics'\n"
	    "0.94; 1 weighs the window's returns equally)."),
	KEY("model", "strategy", K_ENUM, model, 0, 0, 0, model_names, "european",
	    "The option model of the theoretical value and the implied volatility:\n"
	    "european (Black-Scholes-Merton) or american (early exercise, with the\n"
	    "ETFs' cash dividends on their ex-dates)."),
	KEY("risk_free_rate", "strategy", K_RATE, risk_free_rate, -0.1, 1, 0, NULL, "auto",
	    "auto (from the provider, e.g. the 13-week T-bill) or a fraction (0.045)."),

	KEY("provider", "market", K_PROVIDER, provider, 0, 0, 0, NULL, "sim",
	    "Market data: sim, yahoo, cboe, tape or history (the imported end-of-day\n"
	    "history: papertrade history import); a comma list is tried in order."),
	KEY("seed", "market", K_SEED, seed, 0, 0, 0, NULL, "20240101",
	    "Seed of the simulated market (provider sim)."),
	KEY("yahoo_url", "market", K_URL, yahoo_url, 0, 0, 0, NULL,
	    "https://query2.finance.yahoo.com", "Base URL of the Yahoo Finance API."),
	KEY("yahoo_cookie_url", "market", K_URL, yahoo_cookie_url, 0, 0, 0, NULL,
	    "https://fc.yahoo.com", "Where Yahoo's session cookie comes from (before the crumb)."),
	KEY("cboe_url", "market", K_URL, cboe_url, 0, 0, 0, NULL, "https://cdn.cboe.com",
	    "Base URL of Cboe's delayed quotes."),
	KEY("max_quote_age", "market", K_LONG, max_quote_age, 60, 30 * 86400, 0, NULL, "1800",
	    "Seconds: a ticker whose quote is older than this at the run is not traded\n"
	    "(a morning run that sees yesterday's close is warned)."),
	KEY("http_timeout", "market", K_LONG, http_timeout, 1, 600, 0, NULL, "20",
	    "Seconds a request to a data source may take, retries aside."),
	KEY("http_retries", "market", K_LONG, http_retries, 0, 10, 0, NULL, "4",
	    "Retries of a request answered 429 or 5xx, with exponential backoff."),

	KEY("run_at", "schedule", K_TIME, run_at_min, 0, 0, 0, NULL, "09:35",
	    "Time of the daily run, HH:MM New York time (serve, run --if-due)."),

	KEY("serve_token_file", "serve", K_PATH, serve_token_file, 0, 0, 0, NULL, "",
	    "File whose first line is the token `serve` requires on /api/ (mode 0600;\n"
	    "needed to listen on an address other than loopback). --token-file wins."),

	KEY("notify_on", "notify", K_ENUM, notify_on, 0, 0, 0, notify_on_names, "never",
	    "When to send a notification: never, always (after each run and each\n"
	    "failure of a due run) or failures. Email goes out when smtp_url is set,\n"
	    "and notify_command runs when it is set."),
	KEY("notify_command", "notify", K_PATH, notify_command, 0, 0, 0, NULL, "",
	    "A shell command given the report JSON on stdin (a failure: {\"ok\": false,\n"
	    "...}), e.g. curl -s -d @- https://chat.example/hook; at most 60 s."),
	KEY("smtp_url", "notify", K_SMTP_URL, smtp_url, 0, 0, 0, NULL, "",
	    "Mail server: smtps://host:465 (TLS from the start) or smtp://host:587\n"
	    "(STARTTLS, see smtp_starttls); empty for no email."),
	KEY("smtp_starttls", "notify", K_ENUM, smtp_starttls, 0, 0, 0, starttls_names, "required",
	    "With smtp://: required (refuse to send unencrypted) or off (a local relay)."),
	KEY("smtp_from", "notify", K_PATH, smtp_from, 0, 0, 0, NULL, "", "Sender address."),
	KEY("smtp_to", "notify", K_PATH, smtp_to, 0, 0, 0, NULL, "",
	    "Recipient addresses, comma separated."),
	KEY("smtp_username", "notify", K_PATH, smtp_username, 0, 0, 0, NULL, "",
	    "Login name; empty to send without logging in."),
	KEY("smtp_password_file", "notify", K_PATH, smtp_password_file, 0, 0, 0, NULL, "",
	    "File whose first line is the password (mode 0600, refused if others can\n"
	    "read it); else the environment variable PAPERTRADE_SMTP_PASSWORD."),
	KEY("smtp_ca_file", "notify", K_PATH, smtp_ca_file, 0, 0, 0, NULL, "",
	    "Extra CA certificates (PEM) to trust for the mail server; empty for the\n"
	    "system's."),
};

#define FIELD(c, k, type) ((type *)(void *)((char *)(c) + (k)->off))
#define CFIELD(c, k, type) ((const type *)(const void *)((const char *)(c) + (k)->off))

/*
 * Every key: the table above, with each strategy's keys (its section named
 * after it) after the [strategy] section. key_at(i, tmp) is the i-th, for
 * i < n_keys(); a strategy's key is described in *tmp.
 */
static size_t n_strategy_keys(void)
{
	size_t n = 0, t;

	for (t = 0; t < strategy_count; t++)
		n += strategy_table[t]->n_keys;
	return n;
}

static size_t n_keys(void)
{
	return PT_ARRAY_SIZE(keys) + n_strategy_keys();
}

/* Keys of the table before the strategies' sections: [account], [strategy]. */
static size_t n_before(void)
{
	size_t i;

	for (i = 0; i < PT_ARRAY_SIZE(keys) && strcmp(keys[i].section, "market") != 0; i++)
		;
	return i;
}

static const struct key *key_at(size_t i, struct key *tmp)
{
	size_t before = n_before(), t;

	if (i < before)
		return &keys[i];
	i -= before;
	for (t = 0; t < strategy_count; t++) {
		const struct strategy *st = strategy_table[t];
		const struct strategy_key *sk;

		if (i >= st->n_keys) {
			i -= st->n_keys;
			continue;
		}
		sk = &st->keys[i];
		memset(tmp, 0, sizeof(*tmp));
		tmp->name = sk->name;
		tmp->section = st->name;
		tmp->type = sk->type == SKEY_ENUM ? K_ENUM : sk->type == SKEY_LONG ? K_LONG : K_DOUBLE;
		tmp->min_open = sk->min_open;
		tmp->off = offsetof(struct config, params) + t * sizeof(struct strategy_params) +
			   i * sizeof(double);
		tmp->min = sk->min;
		tmp->max = sk->max;
		tmp->names = sk->names;
		tmp->def = sk->def;
		tmp->help = sk->help;
		tmp->dbl = 1;
		return tmp;
	}
	return &keys[before + i];
}

static const struct key *find_key(const char *name, struct key *tmp)
{
	size_t i, n = n_keys();

	for (i = 0; i < n; i++) {
		const struct key *k = key_at(i, tmp);
		if (!strcmp(k->name, name))
			return k;
	}
	return NULL;
}

const char *config_key_section(const char *key)
{
	struct key tmp;
	const struct key *k = find_key(key, &tmp);

	return k ? k->section : NULL;
}

/* "unknown key 'x'", with " (did you mean 'y'?)" when one key is close. */
static void unknown_key(char *msg, size_t n, const char *name)
{
	size_t len = strlen(name), limit = len < 4 ? 1 : len < 10 ? 2 : 3;
	size_t best = SIZE_MAX, i, d, nk = n_keys();
	const char *hint = NULL;
	struct key tmp;

	for (i = 0; i < nk; i++) {
		const struct key *k = key_at(i, &tmp);
		d = pt_edit_distance(name, k->name);
		if (d < best) {
			best = d;
			hint = k->name;
		}
	}
	if (hint && best <= limit)
		snprintf(msg, n, "unknown key '%.*s' (did you mean '%s'?)", SHOW, name, hint);
	else
		snprintf(msg, n, "unknown key '%.*s'", SHOW, name);
}

static int range_err(const struct key *k, char *why)
{
	if (k->type == K_LONG)
		return pt_err(why, PT_EINVAL, "out of range (want an integer from %.15g to %.15g)",
			      k->min, k->max);
	if (k->min_open)
		return pt_err(why, PT_EINVAL, "out of range (want more than %.15g, at most %.15g)",
			      k->min, k->max);
	return pt_err(why, PT_EINVAL, "out of range (want %.15g to %.15g)", k->min, k->max);
}

static int parse_number(const struct key *k, const char *v, double *out, char *why)
{
	double d;

	if (pt_parse_double(v, &d))
		return pt_err(why, PT_EINVAL, "not a number");
	if (d < k->min || d > k->max || (k->min_open && d <= k->min))
		return range_err(k, why);
	*out = d;
	return 0;
}

static int parse_money(const struct key *k, struct config *c, const char *v, char *why)
{
	double d = 0;

	if (parse_number(k, v, &d, why))
		return PT_EINVAL;
	if (pt_cents(d) <= 0)
		return pt_err(why, PT_EINVAL, "less than one cent");
	*FIELD(c, k, int64_t) = pt_cents(d);
	return 0;
}

static int parse_enum(const struct key *k, struct config *c, const char *v, char *why)
{
	char want[128];
	size_t len = 0;
	int i;

	for (i = 0; k->names[i]; i++) {
		if (!strcasecmp(v, k->names[i])) {
			if (k->dbl)
				*FIELD(c, k, double) = i;
			else
				*FIELD(c, k, int) = i;
			return 0;
		}
	}
	/* "want a, b or c" */
	for (i = 0; k->names[i] && len < sizeof(want); i++)
		len += (size_t)snprintf(want + len, sizeof(want) - len, "%s%s",
					!i ? "" : k->names[i + 1] ? ", " : " or ", k->names[i]);
	return pt_err(why, PT_EINVAL, "want %s", want);
}

static int parse_long(const struct key *k, struct config *c, const char *v, char *why)
{
	long n;

	if (pt_parse_long(v, &n))
		return pt_err(why, PT_EINVAL, "not an integer");
	if ((double)n < k->min || (double)n > k->max)
		return range_err(k, why);
	if (k->dbl)
		*FIELD(c, k, double) = (double)n;
	else
		*FIELD(c, k, long) = n;
	return 0;
}

static int is_blank(char ch)
{
	return ch == ' ' || ch == '\t';
}

/*
 * Splits a comma list: calls item(p, len, arg) on each item with blanks
 * around it trimmed. Stops at the first item that fails and returns its code.
 */
static int each_item(const char *v, int (*item)(const char *, size_t, void *), void *arg)
{
	const char *p = v, *end;
	size_t n;
	int rc;

	for (;;) {
		end = strchr(p, ',');
		n = end ? (size_t)(end - p) : strlen(p);
		while (n && is_blank(*p)) {
			p++;
			n--;
		}
		while (n && is_blank(p[n - 1]))
			n--;
		rc = item(p, n, arg);
		if (rc || !end)
			return rc;
		p = end + 1;
	}
}

struct tickers {
	char sym[CFG_MAX_TICKERS][CFG_SYMSZ];
	size_t n;
	char *why;
};

static int ticker_item(const char *p, size_t n, void *arg)
{
	struct tickers *t = arg;
	char sym[CFG_SYMSZ];
	size_t i;

	if (!n)
		return pt_err(t->why, PT_EINVAL, "empty ticker");
	if (n >= CFG_SYMSZ)
		return pt_err(t->why, PT_EINVAL, "ticker '%.*s' longer than %d characters",
			      (int)(n < SHOW ? n : SHOW), p, CFG_SYMSZ - 1);
	for (i = 0; i < n; i++) {
		char ch = (char)toupper((unsigned char)p[i]);

		if (!((ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') || ch == '.' ||
		      ch == '-' || ch == '^'))
			return pt_err(t->why, PT_EINVAL,
				      "bad ticker '%.*s' (want A-Z, 0-9, '.', '-', '^')", (int)n,
				      p);
		sym[i] = ch;
	}
	sym[n] = '\0';
	for (i = 0; i < t->n; i++)
		if (!strcmp(t->sym[i], sym))
			return pt_err(t->why, PT_EINVAL, "ticker '%s' listed twice", sym);
	if (t->n == CFG_MAX_TICKERS)
		return pt_err(t->why, PT_EINVAL, "more than %d tickers", CFG_MAX_TICKERS);
	memcpy(t->sym[t->n++], sym, n + 1);
	return 0;
}

static int parse_tickers(struct config *c, const char *v, char *why)
{
	struct tickers t;

	memset(&t, 0, sizeof(t));	/* no stack garbage after each symbol's NUL */
	t.why = why;
	if (each_item(v, ticker_item, &t))
		return PT_EINVAL;
	memset(c->tickers, 0, sizeof(c->tickers));
	memcpy(c->tickers, t.sym, t.n * sizeof(t.sym[0]));
	c->n_tickers = t.n;
	return 0;
}

struct providers {
	char out[sizeof(((struct config *)0)->provider)];
	int seen[PROVIDER_MAX_KNOWN];
	char *why;
};

static int provider_item(const char *p, size_t n, void *arg)
{
	struct providers *pr = arg;
	size_t len = strlen(pr->out);
	char known[128];
	int i;

	if (!n)
		return pt_err(pr->why, PT_EINVAL, "empty provider name");
	i = provider_lookup(p, n);
	if (i < 0)
		return pt_err(pr->why, PT_EINVAL, "unknown provider '%.*s' (want %s)",
			      (int)(n < SHOW ? n : SHOW), p, provider_known_text(known, sizeof(known)));
	if (pr->seen[i]++)
		return pt_err(pr->why, PT_EINVAL, "provider '%s' listed twice",
			      provider_known((size_t)i));
	/* each name once: the longest list fits in out */
	snprintf(pr->out + len, sizeof(pr->out) - len, "%s%s", len ? "," : "",
		 provider_known((size_t)i));
	return 0;
}

static int parse_provider(const struct key *k, struct config *c, const char *v, char *why)
{
	struct providers pr;

	memset(&pr, 0, sizeof(pr));
	pr.why = why;
	if (each_item(v, provider_item, &pr))
		return PT_EINVAL;
	memset(FIELD(c, k, char), 0, sizeof(pr.out));
	memcpy(FIELD(c, k, char), pr.out, sizeof(pr.out));
	return 0;
}

struct strats {
	const struct strategy *s[STRATEGY_MAX];
	double w[STRATEGY_MAX];
	size_t n;
	char *why;
};

/* "name" or "name:weight". */
static int strategy_item(const char *p, size_t n, void *arg)
{
	struct strats *st = arg;
	const char *colon = memchr(p, ':', n);
	size_t len = colon ? (size_t)(colon - p) : n, i, j;
	char name[32], want[128] = "", num[32];
	double w = 1;

	if (!len)
		return pt_err(st->why, PT_EINVAL, "empty strategy name");
	for (i = 0; i < strategy_count; i++)
		if (strlen(strategy_table[i]->name) == len &&
		    !strncasecmp(p, strategy_table[i]->name, len))
			break;
	if (i == strategy_count) {
		for (j = 0; j < strategy_count; j++)
			snprintf(want + strlen(want), sizeof(want) - strlen(want), "%s%s",
				 !j ? "" : j + 1 < strategy_count ? ", " : " or ",
				 strategy_table[j]->name);
		snprintf(name, sizeof(name), "%.*s", (int)(len < 24 ? len : 24), p);
		return pt_err(st->why, PT_EINVAL, "unknown strategy '%s' (want %s)", name, want);
	}
	for (j = 0; j < st->n; j++)
		if (st->s[j] == strategy_table[i])
			return pt_err(st->why, PT_EINVAL, "strategy '%s' listed twice",
				      strategy_table[i]->name);
	if (colon) {
		size_t wl = n - len - 1;
		if (!wl || wl >= sizeof(num))
			return pt_err(st->why, PT_EINVAL, "bad weight for '%s' (want name:weight)",
				      strategy_table[i]->name);
		memcpy(num, colon + 1, wl);
		num[wl] = '\0';
		if (pt_parse_double(num, &w) || !(w > 0) || w > 1000)
			return pt_err(st->why, PT_EINVAL,
				      "weight of '%s' not a number more than 0, at most 1000",
				      strategy_table[i]->name);
	}
	if (st->n == STRATEGY_MAX)
		return pt_err(st->why, PT_EINVAL, "more than %d strategies", STRATEGY_MAX);
	st->s[st->n] = strategy_table[i];
	st->w[st->n++] = w;
	return 0;
}

static int parse_strategies(struct config *c, const char *v, char *why)
{
	struct strats st;
	double sum = 0;
	size_t i;

	memset(&st, 0, sizeof(st));
	st.why = why;
	if (each_item(v, strategy_item, &st))
		return PT_EINVAL;
	for (i = 0; i < st.n; i++)
		sum += st.w[i];
	memset(c->strat, 0, sizeof(c->strat));
	memset(c->share, 0, sizeof(c->share));
	for (i = 0; i < st.n; i++) {
		c->strat[i] = st.s[i];
		c->share[i] = st.n == 1 ? 1.0 : st.w[i] / sum;
	}
	c->n_strat = st.n;
	return 0;
}

static int parse_seed(const struct key *k, struct config *c, const char *v, char *why)
{
	unsigned long long n;
	char *end;

	/* strtoull would take blanks, a sign and wrap "-1" round */
	if (!isdigit((unsigned char)v[0]))
		return pt_err(why, PT_EINVAL, "not a non-negative integer");
	errno = 0;
	n = strtoull(v, &end, 10);
	if (*end)
		return pt_err(why, PT_EINVAL, "not a non-negative integer");
	if (errno == ERANGE)
		return pt_err(why, PT_EINVAL, "too large (at most %" PRIu64 ")", UINT64_MAX);
	*FIELD(c, k, uint64_t) = (uint64_t)n;
	return 0;
}

static int parse_path(const struct key *k, struct config *c, const char *v, char *why)
{
	size_t len = strlen(v), i;
	char *dst;

	if (len >= CFG_URLSZ)
		return pt_err(why, PT_EINVAL, "longer than %d characters", CFG_URLSZ - 1);
	for (i = 0; i < len; i++)
		if ((unsigned char)v[i] < ' ' || v[i] == 0x7f)
			return pt_err(why, PT_EINVAL, "control character in file name");
	dst = FIELD(c, k, char);
	memset(dst, 0, CFG_URLSZ);
	pt_strlcpy(dst, v, CFG_URLSZ);
	return 0;
}

static int parse_url(const struct key *k, struct config *c, const char *v, char *why)
{
	size_t len = strlen(v), skip, i;
	char *dst;

	if (!strncmp(v, "https://", 8))
		skip = 8;
	else if (!strncmp(v, "http://", 7))
		skip = 7;
	else
		return pt_err(why, PT_EINVAL, "want an http:// or https:// URL");
	if (len >= CFG_URLSZ)
		return pt_err(why, PT_EINVAL, "longer than %d characters", CFG_URLSZ - 1);
	for (i = 0; i < len; i++)
		if ((unsigned char)v[i] <= ' ' || v[i] == 0x7f)
			return pt_err(why, PT_EINVAL, "blank or control character in URL");
	if (!v[skip] || v[skip] == '/')
		return pt_err(why, PT_EINVAL, "no host in URL");
	/* providers append "/path": keep the base without trailing slashes */
	while (len > skip + 1 && v[len - 1] == '/')
		len--;
	dst = FIELD(c, k, char);
	memset(dst, 0, CFG_URLSZ);
	memcpy(dst, v, len);
	dst[len] = '\0';
	return 0;
}

static int parse_smtp_url(const struct key *k, struct config *c, const char *v, char *why)
{
	size_t len = strlen(v), skip, i;

	if (!len) {
		memset(FIELD(c, k, char), 0, CFG_URLSZ);
		return 0;
	}
	if (!strncmp(v, "smtps://", 8))
		skip = 8;
	else if (!strncmp(v, "smtp://", 7))
		skip = 7;
	else
		return pt_err(why, PT_EINVAL, "want an smtp:// or smtps:// URL (or nothing)");
	if (len >= CFG_URLSZ)
		return pt_err(why, PT_EINVAL, "longer than %d characters", CFG_URLSZ - 1);
	for (i = 0; i < len; i++)
		if ((unsigned char)v[i] <= ' ' || v[i] == 0x7f)
			return pt_err(why, PT_EINVAL, "blank or control character in URL");
	if (!v[skip] || v[skip] == '/' || strchr(v + skip, '@'))
		return pt_err(why, PT_EINVAL, "want smtp[s]://HOST[:PORT], no user or password in it");
	memset(FIELD(c, k, char), 0, CFG_URLSZ);
	memcpy(FIELD(c, k, char), v, len);
	return 0;
}

static int parse_time(const struct key *k, struct config *c, const char *v, char *why)
{
	int h, m;
	size_t hd = 0;

	while (isdigit((unsigned char)v[hd]))
		hd++;
	if (hd < 1 || hd > 2 || v[hd] != ':' || !isdigit((unsigned char)v[hd + 1]) ||
	    !isdigit((unsigned char)v[hd + 2]) || v[hd + 3])
		return pt_err(why, PT_EINVAL, "not a time (want HH:MM)");
	h = hd == 1 ? v[0] - '0' : (v[0] - '0') * 10 + (v[1] - '0');
	m = (v[hd + 1] - '0') * 10 + (v[hd + 2] - '0');
	if (h > 23 || m > 59)
		return pt_err(why, PT_EINVAL, "out of range (want 00:00 to 23:59)");
	*FIELD(c, k, int) = h * 60 + m;
	return 0;
}

/*
 * Parses v as the value of k and stores it in c. On failure c is untouched
 * and why (PT_ERRSZ) says what is wrong, without naming the key or value.
 */
static int apply(const struct key *k, struct config *c, const char *v, char *why)
{
	double d = 0;

	if (!v)
		return pt_err(why, PT_EINVAL, "missing value");
	switch (k->type) {
	case K_MONEY:
		return parse_money(k, c, v, why);
	case K_TICKERS:
		return parse_tickers(c, v, why);
	case K_ENUM:
		return parse_enum(k, c, v, why);
	case K_RATE:
		if (!strcasecmp(v, "auto")) {
			*FIELD(c, k, double) = NAN;
			return 0;
		}
		if (pt_parse_double(v, &d))
			return pt_err(why, PT_EINVAL, "not a number or auto");
		/* fall through */
	case K_DOUBLE:
		if (parse_number(k, v, &d, why))
			return PT_EINVAL;
		*FIELD(c, k, double) = d;
		return 0;
	case K_LONG:
		return parse_long(k, c, v, why);
	case K_PROVIDER:
		return parse_provider(k, c, v, why);
	case K_SEED:
		return parse_seed(k, c, v, why);
	case K_URL:
		return parse_url(k, c, v, why);
	case K_PATH:
		return parse_path(k, c, v, why);
	case K_SMTP_URL:
		return parse_smtp_url(k, c, v, why);
	case K_TIME:
		return parse_time(k, c, v, why);
	case K_STRATEGIES:
		return parse_strategies(c, v, why);
	}
	return pt_err(why, PT_EINVAL, "unsupported key type");
}

/* The shortest decimal text that reads back as exactly d. */
static void fmt_double(char *buf, size_t n, double d)
{
	int prec;

	for (prec = 1; prec < 17; prec++) {
		snprintf(buf, n, "%.*g", prec, d);
		if (strtod(buf, NULL) == d)
			return;
	}
	snprintf(buf, n, "%.17g", d);
}

static void format_value(const struct key *k, const struct config *c, struct sbuf *out)
{
	char num[40];
	int64_t cents;
	size_t i;
	int v;

	switch (k->type) {
	case K_MONEY:
		cents = *CFIELD(c, k, int64_t);
		if (cents % 100)
			sb_addf(out, "%" PRId64 ".%02d", cents / 100, (int)(cents % 100));
		else
			sb_addf(out, "%" PRId64, cents / 100);
		return;
	case K_TICKERS:
		for (i = 0; i < c->n_tickers; i++)
			sb_addf(out, "%s%s", i ? "," : "", c->tickers[i]);
		return;
	case K_ENUM:
		v = k->dbl ? (int)*CFIELD(c, k, double) : *CFIELD(c, k, int);
		for (i = 0; k->names[i] && (int)i != v; i++)
			;
		sb_addf(out, "%s", k->names[i] ? k->names[i] : "?");
		return;
	case K_RATE:
	case K_DOUBLE:
		if (isnan(*CFIELD(c, k, double))) {
			sb_addf(out, "auto");
			return;
		}
		fmt_double(num, sizeof(num), *CFIELD(c, k, double));
		sb_addf(out, "%s", num);
		return;
	case K_LONG:
		sb_addf(out, "%ld", k->dbl ? (long)*CFIELD(c, k, double) : *CFIELD(c, k, long));
		return;
	case K_STRATEGIES:
		for (i = 0; i < c->n_strat; i++) {
			if (c->n_strat == 1) {
				sb_addf(out, "%s", c->strat[i]->name);
				break;
			}
			fmt_double(num, sizeof(num), c->share[i]);
			sb_addf(out, "%s%s:%s", i ? "," : "", c->strat[i]->name, num);
		}
		return;
	case K_PROVIDER:
	case K_URL:
	case K_PATH:
	case K_SMTP_URL:
		sb_addf(out, "%s", CFIELD(c, k, char));
		return;
	case K_SEED:
		sb_addf(out, "%" PRIu64, *CFIELD(c, k, uint64_t));
		return;
	case K_TIME:
		v = *CFIELD(c, k, int);
		sb_addf(out, "%02d:%02d", v / 60, v % 60);
		return;
	}
}

/* The cross-key checks, run once a whole change has been applied; then
 * the keys of the strategies chosen, in step with their sections. */
static int config_validate(struct config *c, char *err)
{
	size_t i, t;

	for (t = 0; t < strategy_count; t++)
		if (strategy_table[t]->check && strategy_table[t]->check(strategy_table[t],
									 &c->params[t], err))
			return PT_EINVAL;
	if (c->smtp_url[0] && (!c->smtp_from[0] || !c->smtp_to[0]))
		return pt_err(err, PT_EINVAL, "smtp_url is set: smtp_from and smtp_to are needed too");
	for (i = 0; i < c->n_strat; i++)
		for (t = 0; t < strategy_count; t++)
			if (c->strat[i] == strategy_table[t])
				c->sel[i] = c->params[t];
	return 0;
}

void config_defaults(struct config *c)
{
	char why[PT_ERRSZ];
	size_t i;
	int rc;

	/* zero the padding too, so two default structs compare equal with memcmp */
	memset(c, 0, sizeof(*c));
	assert(strategy_count <= CFG_MAX_TABLE);
	for (i = 0; i < n_keys(); i++) {
		struct key tmp;
		const struct key *k = key_at(i, &tmp);

		rc = apply(k, c, k->def, why);
		assert(rc == 0 && "a built-in default does not parse");
		(void)rc;
	}
	rc = config_validate(c, why);
	assert(rc == 0 && "the defaults fail a cross-key check");
}

/* One key into c, checked alone; the cross-key checks are the caller's. */
static int set_unchecked(struct config *c, const char *key, const char *value, char *err)
{
	struct key tmp;
	const struct key *k = find_key(key, &tmp);
	char why[PT_ERRSZ];

	if (!k) {
		unknown_key(why, sizeof(why), key);
		return pt_err(err, PT_EINVAL, "%s", why);
	}
	if (apply(k, c, value, why))
		return pt_err(err, PT_EINVAL, "%s: %s: '%.*s'", k->name, why, SHOW,
			      value ? value : "");
	return 0;
}

int config_set(struct config *c, const char *key, const char *value, char *err)
{
	struct config tmp;

	memcpy(&tmp, c, sizeof(tmp));
	if (set_unchecked(&tmp, key, value, err) || config_validate(&tmp, err))
		return PT_EINVAL;
	memcpy(c, &tmp, sizeof(tmp));
	return 0;
}

/* Applies "key=value" to c without the cross-key checks. */
static int set_pair_unchecked(struct config *c, const char *pair, char *err)
{
	const char *eq = strchr(pair, '='), *v;
	char key[64];
	size_t n;
	char *val;
	int rc;

	if (!eq)
		return pt_err(err, PT_EINVAL, "missing '=' in '%.*s' (want key=value)", SHOW, pair);
	while (is_blank(*pair))
		pair++;
	n = (size_t)(eq - pair);
	while (n && is_blank(pair[n - 1]))
		n--;
	if (!n)
		return pt_err(err, PT_EINVAL, "missing key before '=' (want key=value)");
	if (n >= sizeof(key))
		n = sizeof(key) - 1;	/* too long for any key: reported as unknown */
	memcpy(key, pair, n);
	key[n] = '\0';
	for (v = eq + 1; is_blank(*v); v++)
		;
	val = xstrdup(v);
	for (n = strlen(val); n && is_blank(val[n - 1]); n--)
		val[n - 1] = '\0';
	rc = set_unchecked(c, key, val, err);
	free(val);
	return rc;
}

int config_set_pair(struct config *c, const char *pair, char *err)
{
	return config_set_pairs(c, &pair, 1, err);
}

int config_set_pairs(struct config *c, const char *const *pairs, size_t n, char *err)
{
	struct config tmp;
	size_t i;

	memcpy(&tmp, c, sizeof(tmp));
	for (i = 0; i < n; i++)
		if (set_pair_unchecked(&tmp, pairs[i], err))
			return PT_EINVAL;
	if (config_validate(&tmp, err))
		return PT_EINVAL;
	memcpy(c, &tmp, sizeof(tmp));
	return 0;
}

/* The state of one file load: the text, inih's reader position and the first error. */
struct load {
	struct config *cfg;	/* the copy being changed */
	const char *buf;
	size_t len, pos;
	int lineno;		/* lines handed to inih so far: the current line */
	int long_line;		/* the first line too long for inih's buffer, or 0 */
	int max_line;		/* its longest line, in characters */
	int err_line;		/* the line of msg, or 0 */
	char msg[PT_ERRSZ];
};

/*
 * inih's reader: hands over one line at a time, so that lineno is the line of
 * every handler call. Leading blanks are dropped, which turns inih's
 * indented continuation lines into syntax errors instead of silently
 * replacing a value. A line that does not fit inih's buffer stops the parse
 * (inih would cut it and read the rest as another line).
 */
static char *read_line(char *str, int num, void *stream)
{
	struct load *ld = stream;
	const char *p = ld->buf + ld->pos, *nl;
	size_t n, body;

	if (ld->long_line || ld->pos >= ld->len)
		return NULL;
	nl = memchr(p, '\n', ld->len - ld->pos);
	n = nl ? (size_t)(nl - p) + 1 : ld->len - ld->pos;
	ld->pos += n;
	ld->lineno++;
	while (n && is_blank(*p)) {
		p++;
		n--;
	}
	body = n;
	if (body && p[body - 1] == '\n')
		body--;
	if (body && p[body - 1] == '\r')
		body--;
	/* inih needs room for "\r\n\0" after the text */
	ld->max_line = num - 3;
	if (num < 3 || body > (size_t)num - 3) {
		ld->long_line = ld->lineno;
		return NULL;
	}
	memcpy(str, p, n);
	str[n] = '\0';
	return str;
}

static int on_pair(void *user, const char *section, const char *name, const char *value)
{
	struct load *ld = user;
	const struct key *k;
	struct key tmp;
	char why[PT_ERRSZ];
	int moved = 0;

	if (ld->err_line)
		return 0;	/* only the first error is reported; the load fails anyway */
	k = find_key(name, &tmp);
	/* A strategy's key in [strategy], where every strategy key lived
	 * before per-strategy sections: read, and noted. */
	if (k && k->dbl && !strcmp(section, "strategy")) {
		size_t len = strlen(ld->cfg->moved);
		moved = 1;
		snprintf(ld->cfg->moved + len, sizeof(ld->cfg->moved) - len,
			 "line %d: key '%s' belongs in [%s] now (read from [strategy])\n",
			 ld->lineno, k->name, k->section);
	}
	if (!k)
		unknown_key(ld->msg, sizeof(ld->msg), name);
	else if (!*section)
		pt_err(ld->msg, 0, "key '%s' must be under [%s]", k->name, k->section);
	else if (!moved && strcmp(section, k->section) != 0)
		pt_err(ld->msg, 0, "key '%s' belongs in [%s], not [%.*s]", k->name, k->section,
		       SHOW, section);
	else if (apply(k, ld->cfg, value, why))
		pt_err(ld->msg, 0, "%s: %s: '%.*s'", k->name, why, SHOW, value ? value : "");
	else
		return 1;
	ld->err_line = ld->lineno;
	return 0;
}

/* Why inih refused line `line` of the text. */
static const char *syntax_why(const struct load *ld, int line)
{
	const char *p = ld->buf, *end = ld->buf + ld->len;
	int i;

	for (i = 1; i < line && p < end; i++) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));

		p = nl ? nl + 1 : end;
	}
	while (p < end && is_blank(*p))
		p++;
	if (p < end && *p == '[')
		return "section header without a closing ']'";
	return "syntax error (want 'key = value', '[section]' or a ; comment)";
}

/* Reads the whole file into sb (at most CFG_FILE_MAX bytes); 1 when it is missing. */
static int slurp(const char *path, struct sbuf *sb, char *err)
{
	char chunk[8192];
	int fd, rc = 0;
	ssize_t n;

	/* O_NONBLOCK: a FIFO put there must not hang the open (a regular
	 * file's reads ignore the flag) */
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
	if (fd < 0) {
		if (errno == ENOENT)
			return 1;
		return pt_err(err, PT_EIO, "%s: %s", path, strerror(errno));
	}
	{
		struct stat st;

		int known = fstat(fd, &st) == 0;

		if (!known || !S_ISREG(st.st_mode)) {
			int dir = known && S_ISDIR(st.st_mode);

			close(fd);
			return dir ? pt_err(err, PT_EIO, "%s: %s", path, strerror(EISDIR))
				   : pt_err(err, PT_EIO, "%s: not a regular file", path);
		}
	}
	for (;;) {
		n = read(fd, chunk, sizeof(chunk));
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			rc = pt_err(err, PT_EIO, "%s: %s", path, strerror(errno));
			goto out;
		}
		if (!n)
			break;
		if (sb_add(sb, chunk, (size_t)n)) {
			rc = pt_err(err, PT_EINVAL, "%s: larger than %u bytes", path, CFG_FILE_MAX);
			goto out;
		}
	}
out:
	close(fd);
	return rc;
}

int config_load_file(struct config *c, const char *path, char *err)
{
	struct config tmp;
	struct sbuf sb;
	struct load ld;
	const char *nul;
	int rc;

	sb_init(&sb, CFG_FILE_MAX);
	rc = slurp(path, &sb, err);
	if (rc) {
		if (rc > 0)
			rc = 0;	/* missing: nothing to load */
		goto out;
	}
	memcpy(&tmp, c, sizeof(tmp));
	memset(&ld, 0, sizeof(ld));
	ld.cfg = &tmp;
	ld.buf = sb_str(&sb);
	ld.len = sb.len;
	nul = memchr(ld.buf, '\0', ld.len);
	if (nul) {
		int line = 1;
		const char *p;

		for (p = ld.buf; p < nul; p++)
			line += *p == '\n';
		rc = pt_err(err, PT_EINVAL, "%s:%d: NUL byte in a text file", path, line);
		goto out;
	}
	rc = ini_parse_stream(read_line, &ld, on_pair, &ld);
	if (ld.long_line && (rc <= 0 || ld.long_line < rc)) {
		rc = pt_err(err, PT_EINVAL, "%s:%d: line longer than %d characters", path,
			    ld.long_line, ld.max_line);
	} else if (rc > 0 || ld.err_line) {
		if (rc <= 0 || ld.err_line == rc)
			rc = pt_err(err, PT_EINVAL, "%s:%d: %s", path, ld.err_line, ld.msg);
		else
			rc = pt_err(err, PT_EINVAL, "%s:%d: %s", path, rc, syntax_why(&ld, rc));
	} else if (rc < 0) {
		rc = pt_err(err, PT_EIO, "%s: cannot parse", path);
	} else if (config_validate(&tmp, ld.msg)) {
		rc = pt_err(err, PT_EINVAL, "%s: %s", path, ld.msg);
	} else {
		memcpy(c, &tmp, sizeof(tmp));
	}
out:
	sb_release(&sb);
	return rc;
}

int config_load_env(struct config *c, char *err)
{
	char var[64], why[PT_ERRSZ];
	struct config tmp;
	const char *v;
	size_t i, j, n;

	memcpy(&tmp, c, sizeof(tmp));
	for (i = 0; i < n_keys(); i++) {
		struct key kt;
		const struct key *k = key_at(i, &kt);

		n = (size_t)snprintf(var, sizeof(var), ENV_PREFIX "%s", k->name);
		assert(n < sizeof(var));
		for (j = sizeof(ENV_PREFIX) - 1; j < n; j++)
			var[j] = (char)toupper((unsigned char)var[j]);
		v = getenv(var);
		if (!v)
			continue;
		if (apply(k, &tmp, v, why))
			return pt_err(err, PT_EINVAL, "%s: %s: '%.*s'", var, why, SHOW, v);
	}
	if (config_validate(&tmp, err))
		return PT_EINVAL;
	memcpy(c, &tmp, sizeof(tmp));
	return 0;
}

static void default_text(struct sbuf *sb)
{
	const char *section = "", *p, *nl;
	size_t i;

	sb_addf(sb, "; papertrade.ini - the configuration of papertrade, written by\n"
		    "; `papertrade init` with every key at its default value.\n"
		    "; Precedence, lowest first: this file, PAPERTRADE_<KEY> environment\n"
		    "; variables (PAPERTRADE_IV_EDGE=0.02), then --set key=value on run, scan,\n"
		    "; quote and chain. Key names are unique across sections; a key in the\n"
		    "; wrong section is an error.\n");
	for (i = 0; i < n_keys(); i++) {
		struct key tmp;
		const struct key *k = key_at(i, &tmp);

		if (strcmp(section, k->section) != 0) {
			section = k->section;
			sb_addf(sb, "\n[%s]\n", section);
		} else {
			sb_addf(sb, "\n");
		}
		for (p = k->help; *p; p = nl ? nl + 1 : p + strlen(p)) {
			nl = strchr(p, '\n');
			sb_addf(sb, "; %.*s\n", (int)(nl ? (size_t)(nl - p) : strlen(p)), p);
		}
		sb_addf(sb, "%s = %s\n", k->name, k->def);
	}
}

int config_write_default(const char *path, char *err)
{
	struct sbuf sb;
	size_t off = 0;
	ssize_t n;
	int fd, rc = 0;

	sb_init(&sb, CFG_FILE_MAX);
	default_text(&sb);
	fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
	if (fd < 0) {
		rc = pt_err(err, PT_EIO, "%s: %s", path,
			    errno == EEXIST ? "already exists" : strerror(errno));
		goto out;
	}
	while (off < sb.len) {
		n = write(fd, sb.buf + off, sb.len - off);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			rc = pt_err(err, PT_EIO, "%s: %s", path, strerror(errno));
			break;
		}
		off += (size_t)n;
	}
	if (close(fd) && !rc)
		rc = pt_err(err, PT_EIO, "%s: %s", path, strerror(errno));
	if (rc)
		unlink(path);	/* ours: O_EXCL created it */
out:
	sb_release(&sb);
	return rc;
}

void config_dump(const struct config *c, struct sbuf *out)
{
	size_t i;

	for (i = 0; i < n_keys(); i++) {
		struct key tmp;
		const struct key *k = key_at(i, &tmp);

		sb_addf(out, "%s = ", k->name);
		format_value(k, c, out);
		sb_addf(out, "\n");
	}
}

int config_get(const struct config *c, const char *key, char *buf, size_t n)
{
	struct key tmp;
	const struct key *k = find_key(key, &tmp);
	struct sbuf sb;

	if (!k)
		return PT_EINVAL;
	sb_init(&sb, 4096);
	format_value(k, c, &sb);
	pt_strlcpy(buf, sb_str(&sb), n);
	sb_release(&sb);
	return 0;
}

struct strategy_in config_strategy_in(const struct config *c, size_t i)
{
	struct strategy_in in = {c, &c->sel[i], 0};

	return in;
}
