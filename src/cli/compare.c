/*
 * compare.c - `papertrade compare`: several configurations backtested on
 * the same sessions and the same market (src/compare.h), printed as one
 * table of their analytics with the reference rows (a Cboe BXM-style
 * buy-write on SPY, buy-and-hold of every ETF); or JSON, or CSV. Reads the
 * home's papertrade.ini, as every command does; never its portfolio or
 * database. docs/compare.md says what the reference rows assume.
 */
#include <errno.h>
#include <getopt.h>
#include <jansson.h>
#include <limits.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli.h"
#include "../compare.h"
#include "../market/calendar.h"
#include "../market/provider.h"
#include "../report/html.h"
#include "../report/report.h"
#include "../util/date.h"
#include "../util/util.h"

#define MAX_CONFIGS 64
#define MAX_PAIRS 64
#define MAX_JOBS 256

static const char usage[] =
	"usage: papertrade compare --from D1 [--to D2] [--provider NAME] [--json | --csv]\n"
	"                          [--html FILE] [-j N] [-q] [CONFIG ...]\n"
	"\n"
	"Backtests each CONFIG over the same sessions on the same market (as\n"
	"`papertrade backtest` does, in memory: the home's portfolio and database\n"
	"are never read or changed) and prints one table of their analytics, one\n"
	"row each, followed by reference rows: a Cboe BXM-style buy-write on SPY\n"
	"(the buywrite strategy: SPY held, the next monthly at-the-money call\n"
	"written at its bid and held to expiry) and buy-and-hold of every ETF the\n"
	"rows hold, dividends reinvested. docs/compare.md says what they assume.\n"
	"\n"
	"A CONFIG is either\n"
	"  an ini file        a papertrade.ini of its own, read as the home's is\n"
	"                     (defaults, the file, PAPERTRADE_* variables); the\n"
	"                     row is named after the file's name\n"
	"  key=value ...      overrides of the home's configuration, as --set takes\n"
	"                     them, in one argument, separated by blanks or commas:\n"
	"                     'strategies=volarb,csp', 'iv_edge=0.02 target_dte=45'\n"
	"                     (a comma followed by text without '=' belongs to the\n"
	"                     value); the row is named after the text\n"
	"An argument holding '=' is overrides, any other a file. With no CONFIG\n"
	"the home's configuration is the one row. Every row runs on the\n"
	"comparison's market: --provider, else the home's provider and seed (a\n"
	"CONFIG may not set another).\n"
	"\n"
	"  --from D       first session (YYYY-MM-DD)\n"
	"  --to D         last session (default: the last one before today)\n"
	"  --provider P   the market of every row: sim (default), history, ...\n"
	"  --json         one JSON object: the period, the provider and every row\n"
	"                 with all its figures (null where a figure is undefined)\n"
	"  --csv          a header line, then one line per row\n"
	"  --html FILE    also write one self-contained HTML page: every row's\n"
	"                 equity and drawdown, the rolling Sharpe, each\n"
	"                 configuration's monthly returns, and the table\n"
	"  -j, --jobs N   backtests run at once (default: the processors online);\n"
	"                 the output is the same whatever N\n"
	"  -q, --quiet    no progress line\n"
	"  -h, --help     this help\n"
	"\n"
	"Columns: CAGR, volatility, Sharpe with its 95% interval (Lo 2002, Newey-West),\n"
	"Sortino, the deepest drawdown and its length in sessions, Calmar, win rate,\n"
	"profit factor and count of closed trades, alpha and beta against SPY, and\n"
	"the final value (docs/metrics.md). A progress line is shown on a terminal;\n"
	"Ctrl-C stops the comparison (exit 130) and prints nothing.\n";

static volatile int stop;

static void on_sigint(int sig)
{
	(void)sig;
	stop = 1;
}

struct cmp_opts {
	int from, to, json, csv, quiet, jobs;
	const char *html;
	struct cli_fit fit; /* --provider history: tickers left out, dates moved */
};

static void progress_cb(long done, long total, void *arg)
{
	cli_progress((int)done, (int)total, *(const double *)arg);
}

/* ---- CONFIG arguments ---- */

/* Keys every row takes from the comparison: the market. */
static const char *const market_keys[] = {
	"provider", "seed",	     "yahoo_url",    "yahoo_cookie_url",
	"cboe_url", "max_quote_age", "http_timeout", "http_retries",
};

static int is_market_key(const char *pair)
{
	size_t i, n = strcspn(pair, "=");

	while (n && (pair[n - 1] == ' ' || pair[n - 1] == '\t'))
		n--;
	for (i = 0; i < PT_ARRAY_SIZE(market_keys); i++)
		if (strlen(market_keys[i]) == n && !strncmp(pair, market_keys[i], n))
			return 1;
	return 0;
}

static void copy_market(struct config *dst, const struct config *src)
{
	memcpy(dst->provider, src->provider, sizeof(dst->provider));
	dst->seed = src->seed;
	dst->sim_perturb_after = src->sim_perturb_after;
	memcpy(dst->yahoo_url, src->yahoo_url, sizeof(dst->yahoo_url));
	memcpy(dst->yahoo_cookie_url, src->yahoo_cookie_url, sizeof(dst->yahoo_cookie_url));
	memcpy(dst->cboe_url, src->cboe_url, sizeof(dst->cboe_url));
	dst->max_quote_age = src->max_quote_age;
	dst->http_timeout = src->http_timeout;
	dst->http_retries = src->http_retries;
}

static int is_blank(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

/*
 * Splits overrides into key=value pairs (xstrdup'ed into out, *n of them):
 * blanks separate pairs, and so does a comma followed by text holding an
 * '=' before the next comma or blank; any other comma belongs to the value.
 * 0, or -1 with why when a piece is not key=value or there are too many.
 */
static int split_pairs(const char *arg, char **out, size_t *n, char *why, size_t whysz)
{
	const char *p = arg;
	int first;

	*n = 0;
	while (*p) {
		const char *tok, *end;

		while (is_blank(*p))
			p++;
		if (!*p)
			break;
		tok = p;
		first = 1;
		while (*p && !is_blank(*p))
			p++;
		end = p;
		/* the token's comma-separated segments */
		while (tok < end) {
			const char *seg = tok, *se = memchr(tok, ',', (size_t)(end - tok));
			int has_eq;

			if (!se)
				se = end;
			has_eq = memchr(seg, '=', (size_t)(se - seg)) != NULL;
			if (has_eq) {
				if (*n == MAX_PAIRS) {
					snprintf(why, whysz, "more than %d overrides", MAX_PAIRS);
					return -1;
				}
				char *q = xmalloc((size_t)(se - seg) + 1);

				memcpy(q, seg, (size_t)(se - seg));
				q[se - seg] = '\0';
				out[(*n)++] = q;
			} else if (first || !*n) {
				snprintf(why, whysz, "'%.*s' is not key=value", (int)(se - seg),
					 seg);
				return -1;
			} else {
				/* part of the value before it: strategies=volarb,csp */
				char *prev = out[*n - 1];
				size_t a = strlen(prev), b = (size_t)(se - seg);
				char *j = xmalloc(a + b + 2);

				memcpy(j, prev, a);
				j[a] = ',';
				memcpy(j + a + 1, seg, b);
				j[a + 1 + b] = '\0';
				free(prev);
				out[*n - 1] = j;
			}
			tok = se < end ? se + 1 : end;
			first = 0;
		}
	}
	if (!*n) {
		snprintf(why, whysz, "no key=value in it");
		return -1;
	}
	return 0;
}

/* One CONFIG argument into cfg, from the comparison's base; prints the
 * error (naming arg) and returns -1 when it is bad. */
static int load_config_arg(const char *arg, const struct config *base, struct config *cfg)
{
	char err[PT_ERRSZ], why[PT_ERRSZ + 64];
	char *pairs[MAX_PAIRS];
	size_t n = 0, i;
	struct stat st;
	int rc = -1;

	if (strchr(arg, '=')) {
		if (split_pairs(arg, pairs, &n, why, sizeof(why))) {
			cli_error("compare", "'%s': %s", arg, why);
			goto out;
		}
		for (i = 0; i < n; i++)
			if (is_market_key(pairs[i])) {
				cli_error(
					"compare",
					"'%s': %.*s is the comparison's market, the same for every "
					"row (use --provider, or the home's papertrade.ini)",
					arg, (int)strcspn(pairs[i], " \t="), pairs[i]);
				goto out;
			}
		memcpy(cfg, base, sizeof(*cfg));
		if (config_set_pairs(cfg, (const char *const *)pairs, n, err)) {
			cli_error("compare", "'%s': %s", arg, err);
			goto out;
		}
		rc = 0;
		goto out;
	}
	/* an ini file: missing is an error here (the home's may be absent) */
	if (stat(arg, &st) != 0) {
		cli_error("compare", "'%s': %s (a CONFIG is an ini file or key=value overrides)",
			  arg, strerror(errno));
		goto out;
	}
	if (!S_ISREG(st.st_mode) || access(arg, R_OK) != 0) {
		cli_error("compare", "'%s': %s", arg,
			  !S_ISREG(st.st_mode) ? "not a file" : strerror(errno));
		goto out;
	}
	config_defaults(cfg);
	copy_market(cfg, base);
	if (config_load_file(cfg, arg, err)) {
		cli_error("compare", "%s", err);
		goto out;
	}
	if (strcmp(cfg->provider, base->provider) != 0 || cfg->seed != base->seed) {
		int prov = strcmp(cfg->provider, base->provider) != 0;
		char a[64], b[64];

		config_get(cfg, prov ? "provider" : "seed", a, sizeof(a));
		config_get(base, prov ? "provider" : "seed", b, sizeof(b));
		cli_error("compare",
			  "%s: %s %s is not the comparison's %s: every row runs on the same "
			  "market (--provider)",
			  arg, prov ? "provider" : "seed", a, b);
		goto out;
	}
	if (config_load_env(cfg, err)) {
		cli_error("config", "%s", err);
		goto out;
	}
	copy_market(cfg, base);
	rc = 0;
out:
	for (i = 0; i < n; i++)
		free(pairs[i]);
	return rc;
}

/* The row's name: the file's name, or the overrides' text, blanks squeezed. */
static void row_name(const char *arg, char *buf, size_t n)
{
	const char *p;
	size_t k = 0;

	if (!strchr(arg, '=')) {
		const char *b = strrchr(arg, '/');

		pt_strlcpy(buf, b && b[1] ? b + 1 : arg, n);
		return;
	}
	for (p = arg; *p && k + 1 < n; p++) {
		if (is_blank(*p)) {
			if (k && buf[k - 1] != ' ')
				buf[k++] = ' ';
			continue;
		}
		buf[k++] = *p;
	}
	while (k && buf[k - 1] == ' ')
		k--;
	buf[k] = '\0';
}

/* ---- output ---- */

enum fig_type { FT_STR, FT_INT, FT_REAL, FT_MONEY, FT_BOOL };

struct fig {
	const char *key;
	enum fig_type type;
	const char *s;
	long long i; /* FT_INT, FT_BOOL; FT_MONEY: cents */
	double d;    /* FT_REAL; FT_INT/FT_BOOL when undefined: NAN */
	int null;
};

#define MAX_FIGS 64

struct figs {
	struct fig f[MAX_FIGS];
	size_t n;
	char strategies[256], tickers[CFG_MAX_TICKERS * CFG_SYMSZ];
};

/* The next figure of x: key, type, the rest zero. */
static struct fig *add_fig(struct figs *x, const char *key, enum fig_type type)
{
	struct fig *f = &x->f[x->n++];

	memset(f, 0, sizeof(*f));
	f->key = key;
	f->type = type;
	return f;
}

static void fs(struct figs *x, const char *key, const char *s)
{
	add_fig(x, key, FT_STR)->s = s;
}

static void fi(struct figs *x, const char *key, long long i, int null)
{
	struct fig *f = add_fig(x, key, FT_INT);

	f->i = i;
	f->null = null;
}

static void fb(struct figs *x, const char *key, int b, int null)
{
	fi(x, key, b, null);
	x->f[x->n - 1].type = FT_BOOL;
}

static void fr(struct figs *x, const char *key, double d)
{
	struct fig *f = add_fig(x, key, FT_REAL);

	f->d = d;
	f->null = !isfinite(d);
}

/* Dollars from cents, exact (FT_MONEY). */
static void fm(struct figs *x, const char *key, int64_t cents)
{
	add_fig(x, key, FT_MONEY)->i = cents;
}

static const char *kind_name(enum cmp_kind k)
{
	return k == CMP_CONFIG ? "config" : k == CMP_BUYWRITE ? "buywrite" : "buy_and_hold";
}

/* Every figure of row r, in the order of --json and --csv. */
static void row_figs(const struct cmp_row *r, struct figs *x)
{
	const struct analytics *a = &r->an;
	int bt = r->kind != CMP_HOLD, calls = 0, forced = 0;

	x->n = 0;
	if (bt) {
		config_get(&r->cfg, "strategies", x->strategies, sizeof(x->strategies));
		config_get(&r->cfg, "tickers", x->tickers, sizeof(x->tickers));
	} else {
		x->strategies[0] = '\0';
		pt_strlcpy(x->tickers, r->ticker, sizeof(x->tickers));
	}
	fs(x, "name", r->name);
	fs(x, "kind", kind_name(r->kind));
	fs(x, "source", r->source);
	fs(x, "strategies", x->strategies);
	fs(x, "tickers", x->tickers);
	fi(x, "sessions", a->n_sessions ? (long long)a->n_sessions - 1 : 0, 0);
	fm(x, "initial_capital", r->initial_cents);
	fm(x, "final_value", r->final_cents);
	fr(x, "total_return", a->total_return);
	fr(x, "cagr", a->cagr);
	fr(x, "cagr_calendar", a->cagr_calendar);
	fr(x, "volatility", a->volatility);
	fr(x, "sharpe", a->sharpe);
	fr(x, "sharpe_se_iid", a->sharpe_se_iid);
	fr(x, "sharpe_lo_iid", a->sharpe_lo_iid);
	fr(x, "sharpe_hi_iid", a->sharpe_hi_iid);
	fr(x, "sharpe_se_hac", a->sharpe_se_hac);
	fr(x, "sharpe_lo_hac", a->sharpe_lo_hac);
	fr(x, "sharpe_hi_hac", a->sharpe_hi_hac);
	fi(x, "hac_lags", a->hac_lags, !isfinite(a->sharpe_se_hac));
	fr(x, "sortino", a->sortino);
	fr(x, "max_drawdown", a->max_drawdown);
	fi(x, "max_drawdown_sessions", a->max_dd.sessions, !a->max_dd.valid);
	fi(x, "max_drawdown_days", a->max_dd.days, !a->max_dd.valid);
	fb(x, "max_drawdown_recovered", a->max_dd.recovered, !a->max_dd.valid);
	fi(x, "longest_drawdown_sessions", a->longest_dd.sessions, !a->longest_dd.valid);
	fi(x, "longest_drawdown_days", a->longest_dd.days, !a->longest_dd.valid);
	fr(x, "calmar", a->calmar);
	fr(x, "tail_ratio", a->tail_ratio);
	fi(x, "trades", a->n_trades, 0);
	fi(x, "wins", a->n_wins, 0);
	fi(x, "losses", a->n_losses, 0);
	fr(x, "win_rate", a->win_rate);
	fr(x, "profit_factor", a->profit_factor);
	fr(x, "avg_win", a->avg_win_cents / 100.0);
	fr(x, "avg_loss", a->avg_loss_cents / 100.0);
	fr(x, "expectancy", a->expectancy_cents / 100.0);
	fr(x, "avg_hold_days", a->avg_hold_days);
	fm(x, "net_pnl", a->net_pnl_cents);
	fi(x, "orders_filled", bt ? (long long)r->bt.n_trades : 0, !bt);
	fi(x, "settled", bt ? (long long)r->bt.n_settled : 0, !bt);
	fi(x, "assigned_early", bt ? (long long)r->bt.n_early : 0, !bt);
	if (bt)
		report_margin_calls(&r->bt.pf, &calls, &forced);
	fi(x, "margin_calls", calls, !bt);
	fi(x, "forced_closes", forced, !bt);
	fr(x, "spy_return", a->bench_return);
	fr(x, "alpha", a->alpha);
	fr(x, "alpha_geometric", a->alpha_geometric);
	fr(x, "alpha_lo", a->alpha_lo);
	fr(x, "alpha_hi", a->alpha_hi);
	fr(x, "beta", a->beta);
	fr(x, "confidence", a->confidence);
}

static json_t *fig_json(const struct fig *f)
{
	char buf[32];

	if (f->null)
		return json_null();
	switch (f->type) {
	case FT_STR:
		return json_string(f->s);
	case FT_INT:
		return json_integer(f->i);
	case FT_BOOL:
		return json_boolean(f->i);
	case FT_MONEY:
		return json_real(strtod(pt_fmt_cents(buf, sizeof(buf), f->i), NULL));
	case FT_REAL:
		return json_real(f->d);
	}
	return json_null();
}

static void fig_csv(struct sbuf *sb, const struct fig *f)
{
	char buf[32];

	if (f->null)
		return;
	switch (f->type) {
	case FT_STR:
		sb_add_csv(sb, f->s);
		break;
	case FT_INT:
	case FT_BOOL:
		sb_addf(sb, "%lld", f->i);
		break;
	case FT_MONEY:
		sb_addf(sb, "%s", pt_fmt_cents(buf, sizeof(buf), f->i));
		break;
	case FT_REAL:
		sb_addf(sb, "%.17g", f->d);
		break;
	}
}

static void out_csv(const struct cmp *c, struct sbuf *sb)
{
	struct figs *x = xcalloc(1, sizeof(*x));
	size_t i, j;

	for (i = 0; i < c->n_rows; i++) {
		row_figs(&c->rows[i], x);
		if (i == 0) {
			for (j = 0; j < x->n; j++)
				sb_addf(sb, "%s%s", j ? "," : "", x->f[j].key);
			sb_addf(sb, "\n");
		}
		for (j = 0; j < x->n; j++) {
			if (j)
				sb_add(sb, ",", 1);
			fig_csv(sb, &x->f[j]);
		}
		sb_addf(sb, "\n");
	}
	free(x);
}

static int out_json(const struct cmp *c, const char *provider, const struct cli_fit *fit,
		    struct sbuf *sb)
{
	struct figs *x = xcalloc(1, sizeof(*x));
	json_t *o = json_object(), *head = json_object(), *rows = json_array();
	char d[DATE_BUFSZ], *js;
	size_t i, j;

	json_object_set_new(head, "from", json_string(date_fmt(fit->asked_from, d)));
	json_object_set_new(head, "to", json_string(date_fmt(fit->asked_to, d)));
	json_object_set_new(head, "first_session", json_string(date_fmt(c->first, d)));
	json_object_set_new(head, "last_session", json_string(date_fmt(c->last, d)));
	json_object_set_new(head, "sessions", json_integer(c->sessions));
	json_object_set_new(head, "provider", json_string(provider));
	json_object_set_new(head, "left_out",
			    c->left_out[0] ? json_string(c->left_out) : json_null());
	cli_fit_json(fit, head, "tickers_left_out");
	for (i = 0; i < c->n_rows; i++) {
		json_t *r = json_object();

		row_figs(&c->rows[i], x);
		for (j = 0; j < x->n; j++)
			json_object_set_new(r, x->f[j].key, fig_json(&x->f[j]));
		json_array_append_new(rows, r);
	}
	json_object_set_new(o, "compare", head);
	json_object_set_new(o, "rows", rows);
	free(x);
	js = json_dumps(o, JSON_INDENT(2) | JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(17));
	json_decref(o);
	if (!js)
		return -1;
	sb_addf(sb, "%s\n", js);
	free(js);
	return 0;
}

/* The table's width after the name column: its cells and their blanks. */
#define TABLE_WIDTH 119

/* A figure as the table shows it: v (x100 and "%" when pct) to prec
 * places, "-" when undefined. */
static const char *fmt_fig(char *buf, size_t n, double v, int pct, int prec)
{
	if (isnan(v))
		snprintf(buf, n, "-");
	else if (isinf(v))
		snprintf(buf, n, v > 0 ? "inf" : "-inf");
	else
		snprintf(buf, n, "%.*f%s", prec, pct ? v * 100.0 : v, pct ? "%" : "");
	return buf;
}

static void cell(struct sbuf *sb, int width, double v, int pct, int prec)
{
	char buf[64];

	sb_addf(sb, " %*s", width, fmt_fig(buf, sizeof(buf), v, pct, prec));
}

static void out_text(const struct cmp *c, const char *provider, const struct cli_fit *fit,
		     struct sbuf *sb)
{
	char d1[DATE_BUFSZ], d2[DATE_BUFSZ], ci[64], name[CMP_NAMESZ];
	size_t i, k, n_cfg = 0, w = 4;
	int sep = 0;

	for (i = 0; i < c->n_rows; i++) {
		size_t l = strlen(c->rows[i].name);
		w = l > w ? l : w;
		n_cfg += c->rows[i].kind == CMP_CONFIG;
	}
	if (w > 40)
		w = 40;
	sb_addf(sb,
		"COMPARE %s..%s on %s: %d session%s, %zu configuration%s, %zu reference row%s\n\n",
		date_fmt(c->first, d1), date_fmt(c->last, d2), provider, c->sessions,
		c->sessions == 1 ? "" : "s", n_cfg, n_cfg == 1 ? "" : "s", c->n_rows - n_cfg,
		c->n_rows - n_cfg == 1 ? "" : "s");
	if (fit->n_left || fit->clamped[0]) {
		char left[CLI_FIT_MAX * 48];

		cli_fit_text(fit, left, sizeof(left));
		if (fit->n_left)
			sb_addf(sb, "Tickers left out: %s (see papertrade history list)\n", left);
		if (fit->clamped[0])
			sb_addf(sb, "Dates: %s\n", fit->clamped);
		sb_addf(sb, "\n");
	}
	if (c->left_out[0])
		sb_addf(sb, "Left out: %s\n\n", c->left_out);
	sb_addf(sb, "%-*s %7s %7s %6s  %-15s %7s %8s %7s %6s %6s %5s %6s %7s %5s %12s\n", (int)w,
		"", "CAGR", "Vol", "Sharpe", "[95% CI]", "Sortino", "Max DD", "DD len", "Calmar",
		"Win", "PF", "Trades", "Alpha", "Beta", "Final value");
	for (i = 0; i < c->n_rows; i++) {
		const struct cmp_row *r = &c->rows[i];
		const struct analytics *a = &r->an;
		unsigned long long fv = r->final_cents < 0
						? 0ULL - (unsigned long long)r->final_cents
						: (unsigned long long)r->final_cents;

		if (r->kind != CMP_CONFIG && !sep) {
			sep = 1;
			for (k = 0; k < w + TABLE_WIDTH; k++)
				sb_add(sb, "-", 1);
			sb_add(sb, "\n", 1);
		}
		pt_strlcpy(name, r->name, sizeof(name));
		if (strlen(name) > w)
			memcpy(name + w - 3, "...", 4);
		sb_addf(sb, "%-*s", (int)w, name);
		cell(sb, 7, a->cagr, 1, 2);
		cell(sb, 7, a->volatility, 1, 2);
		cell(sb, 6, a->sharpe, 0, 2);
		if (isfinite(a->sharpe_lo_hac) && isfinite(a->sharpe_hi_hac))
			snprintf(ci, sizeof(ci), "[%.2f, %.2f]", a->sharpe_lo_hac,
				 a->sharpe_hi_hac);
		else
			snprintf(ci, sizeof(ci), "-");
		sb_addf(sb, "  %-15s", ci);
		cell(sb, 7, a->sortino, 0, 2);
		cell(sb, 8, a->max_drawdown, 1, 2);
		if (a->max_dd.valid)
			sb_addf(sb, " %7ld", a->max_dd.sessions);
		else
			sb_addf(sb, " %7s", "-");
		cell(sb, 6, a->calmar, 0, 2);
		cell(sb, 6, a->win_rate, 1, 1);
		cell(sb, 5, a->profit_factor, 0, 2);
		if (r->kind == CMP_HOLD)
			sb_addf(sb, " %6s", "-");
		else
			sb_addf(sb, " %6d", a->n_trades);
		cell(sb, 7, a->alpha, 1, 2);
		cell(sb, 5, a->beta, 0, 2);
		sb_addf(sb, " %s%8llu.%02llu\n", r->final_cents < 0 ? "-" : " ", fv / 100,
			fv % 100);
	}
	sb_addf(sb,
		"\nSharpe and Sortino on daily returns over the cash rate; [95%% CI]: Lo (2002)\n"
		"with Newey-West lags. DD len: sessions of the deepest drawdown, peak to recovery\n"
		"(or to the end). Win, PF (profit factor), Trades: closed trades. Alpha\n"
		"(annualised) and beta: against SPY on daily excess returns. docs/metrics.md\n"
		"defines every figure; docs/compare.md the reference rows.\n");
}

/* ---- --html ---- */

/* The columns of the page's table: the text table's. */
static const char *const table_head[] = {
	"Row",		 "CAGR",	 "Volatility",	"Sharpe", "95% CI (HAC)",
	"Sortino",	 "Max drawdown", "DD sessions", "Calmar", "Win rate",
	"Profit factor", "Trades",	 "Alpha",	"Beta",	  "Final value",
};
static const unsigned char table_num[] = {0, 1, 1, 1, 0, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1};
static const char *const rows_head[] = {"Row", "Kind", "Strategies", "Tickers", "What it is"};

struct cells {
	char **c;
	size_t n, cap;
};

static void add_cell(struct cells *t, const char *s)
{
	xgrow(&t->c, &t->cap, t->n + 1, sizeof(*t->c));
	t->c[t->n++] = s ? xstrdup(s) : NULL;
}

static void cells_free(struct cells *t)
{
	size_t i;

	for (i = 0; i < t->n; i++)
		free(t->c[i]);
	free(t->c);
}

/* The page of --html into out; 0, or -1 with err. */
static int out_html(const struct cmp *c, const char *provider, const struct cli_fit *fit,
		    struct sbuf *out, char *err)
{
	size_t n = c->n_rows, i, j, n_cfg = 0, nm = 0;
	struct html_curve *eq = xcalloc(n + 1, sizeof(*eq)), *dd = xcalloc(n + 1, sizeof(*dd));
	struct html_curve *roll = xcalloc(n + 1, sizeof(*roll));
	struct html_monthly *mon = xcalloc(n + 1, sizeof(*mon));
	double **vals = xcalloc(n + 1, sizeof(*vals));
	char(*mtitle)[CMP_NAMESZ + 32] = xcalloc(n + 1, sizeof(*mtitle));
	struct cells tab = {0}, desc = {0};
	struct html_table tables[2];
	struct html_report rep = {0};
	struct figs *x = xcalloc(1, sizeof(*x));
	char buf[128], title[128], sub[CLI_FIT_MAX * 48 + 256], rtitle[64], note[1024];
	char left[CLI_FIT_MAX * 48];
	char d1[DATE_BUFSZ], d2[DATE_BUFSZ];
	size_t window = 0;
	int rc;

	for (i = 0; i < n; i++) {
		const struct cmp_row *r = &c->rows[i];
		const struct analytics *a = &r->an;
		size_t ns = r->series.s.n;

		vals[i] = xcalloc(ns ? ns : 1, sizeof(**vals));
		for (j = 0; j < ns; j++)
			vals[i][j] = (double)r->series.value_cents[j] / 100.0;
		eq[i].name = dd[i].name = roll[i].name = r->name;
		eq[i].days = dd[i].days = roll[i].days = r->series.days;
		eq[i].values = vals[i];
		dd[i].values = a->drawdown;
		roll[i].values = a->rolling_sharpe;
		eq[i].n = dd[i].n = roll[i].n = ns;
		eq[i].benchmark = dd[i].benchmark = roll[i].benchmark = r->kind != CMP_CONFIG;
		window = a->window;
		if (r->kind == CMP_CONFIG) {
			n_cfg++;
			snprintf(mtitle[nm], sizeof(mtitle[nm]), "Monthly returns: %s", r->name);
			mon[nm].title = mtitle[nm];
			mon[nm].first_year = a->first_year;
			mon[nm].n_years = a->n_years;
			mon[nm].monthly = a->monthly;
			mon[nm].yearly = a->yearly;
			nm++;
		}
		add_cell(&tab, r->name);
		add_cell(&tab, fmt_fig(buf, sizeof(buf), a->cagr, 1, 2));
		add_cell(&tab, fmt_fig(buf, sizeof(buf), a->volatility, 1, 2));
		add_cell(&tab, fmt_fig(buf, sizeof(buf), a->sharpe, 0, 2));
		if (isfinite(a->sharpe_lo_hac) && isfinite(a->sharpe_hi_hac))
			snprintf(buf, sizeof(buf), "[%.2f, %.2f]", a->sharpe_lo_hac,
				 a->sharpe_hi_hac);
		else
			snprintf(buf, sizeof(buf), "-");
		add_cell(&tab, buf);
		add_cell(&tab, fmt_fig(buf, sizeof(buf), a->sortino, 0, 2));
		add_cell(&tab, fmt_fig(buf, sizeof(buf), a->max_drawdown, 1, 2));
		if (a->max_dd.valid)
			snprintf(buf, sizeof(buf), "%ld", a->max_dd.sessions);
		else
			snprintf(buf, sizeof(buf), "-");
		add_cell(&tab, buf);
		add_cell(&tab, fmt_fig(buf, sizeof(buf), a->calmar, 0, 2));
		add_cell(&tab, fmt_fig(buf, sizeof(buf), a->win_rate, 1, 1));
		add_cell(&tab, fmt_fig(buf, sizeof(buf), a->profit_factor, 0, 2));
		if (r->kind == CMP_HOLD)
			snprintf(buf, sizeof(buf), "-");
		else
			snprintf(buf, sizeof(buf), "%d", a->n_trades);
		add_cell(&tab, buf);
		add_cell(&tab, fmt_fig(buf, sizeof(buf), a->alpha, 1, 2));
		add_cell(&tab, fmt_fig(buf, sizeof(buf), a->beta, 0, 2));
		add_cell(&tab, pt_fmt_cents(buf, sizeof(buf), r->final_cents));
		row_figs(r, x);
		add_cell(&desc, r->name);
		add_cell(&desc, kind_name(r->kind));
		add_cell(&desc, x->strategies[0] ? x->strategies : NULL);
		add_cell(&desc, x->tickers);
		add_cell(&desc, r->source);
	}
	memset(tables, 0, sizeof(tables));
	tables[0] = (struct html_table){
		.id = "compare",
		.title = "Comparison",
		.note = "Configurations, then the reference rows; docs/metrics.md defines each "
			"figure, docs/compare.md the reference rows",
		.header = table_head,
		.n_cols = PT_ARRAY_SIZE(table_head),
		.cells = (const char *const *)tab.c,
		.n_rows = tab.n / PT_ARRAY_SIZE(table_head),
		.numeric = table_num,
		.lead = 1};
	tables[1] = (struct html_table){.id = "rows",
					.title = "The rows",
					.note = "What each row is",
					.header = rows_head,
					.n_cols = PT_ARRAY_SIZE(rows_head),
					.cells = (const char *const *)desc.c,
					.n_rows = desc.n / PT_ARRAY_SIZE(rows_head)};
	snprintf(title, sizeof(title), "papertrade compare %s..%s", date_fmt(c->first, d1),
		 date_fmt(c->last, d2));
	cli_fit_text(fit, left, sizeof(left));
	snprintf(sub, sizeof(sub),
		 "%d sessions on %s; %zu configuration%s and %zu reference rows%s%s", c->sessions,
		 provider, n_cfg, n_cfg == 1 ? "" : "s", n - n_cfg,
		 fit->n_left ? "; left out: " : "", fit->n_left ? left : "");
	snprintf(rtitle, sizeof(rtitle), "Rolling Sharpe (%zu sessions)", window);
	snprintf(note, sizeof(note),
		 "What the figures assume: every row is a backtest on the %s provider's market, "
		 "the same sessions for all; options are sold at the bid and bought back at the "
		 "ask, with commissions; returns are daily, from the initial capital before the "
		 "first session, in excess of the rate the cash earned (the risk-free rate where "
		 "none), 252 sessions a year; alpha and beta are against SPY; intervals are "
		 "two-sided at 95%%, the alpha's from a stationary bootstrap with the fixed seed "
		 "%u. The buy-write is the buywrite strategy on SPY shares: the next monthly call "
		 "at the first strike at or above spot, sold at its bid on the session after each "
		 "monthly expiration, held to expiry; buy-and-hold rows are the portfolios' "
		 "benchmarks, dividends reinvested (docs/compare.md). Paper trading only: no "
		 "order was placed.",
		 provider, CMP_BOOT_SEED);
	rep.title = title;
	rep.subtitle = sub;
	rep.note = note;
	rep.equity = eq;
	rep.n_equity = n;
	rep.drawdown = dd;
	rep.n_drawdown = n;
	rep.rolling = roll;
	rep.n_rolling = n;
	rep.rolling_title = rtitle;
	rep.monthly = mon;
	rep.n_monthly = nm;
	rep.tables = tables;
	rep.n_tables = 2;
	rc = html_report_build(&rep, out, err) ? -1 : 0;
	for (i = 0; i < n; i++)
		free(vals[i]);
	free(vals);
	free(eq);
	free(dd);
	free(roll);
	free(mon);
	free(mtitle);
	free(x);
	cells_free(&tab);
	cells_free(&desc);
	return rc;
}

/* ---- the command ---- */

/*
 * With the history alone as the market: the tickers it lacks left out of
 * every configuration's row, and the dates moved inside what it holds for
 * every ticker left, so that every row replays the same sessions
 * (cli_history_fit). The buy-write keeps SPY: without it, it is left out
 * as on any market without SPY. 0, or an exit status after the error.
 */
static int history_fit(const struct cli_ctx *ctx, struct cmp *c, struct cmp_opts *o)
{
	struct config *cfgs[MAX_CONFIGS + 1];
	const char *names[MAX_CONFIGS + 1];
	size_t i, n = 0;
	int rc;

	/* at most MAX_CONFIGS configuration rows (cmd_compare) */
	for (i = 0; i < c->n_rows && n <= MAX_CONFIGS; i++)
		if (c->rows[i].kind == CMP_CONFIG) {
			cfgs[n] = &c->rows[i].cfg;
			names[n++] = c->rows[i].name;
		}
	rc = cli_history_fit(ctx, "compare", cfgs, names, n, &o->from, &o->to, &o->fit);
	if (rc)
		return rc;
	cli_fit_say("compare", &o->fit);
	c->from = o->from;
	c->to = o->to;
	return 0;
}

static int run_compare(struct cmp *c, const struct cli_ctx *ctx, const struct cmp_opts *o,
		       const char *provider)
{
	struct sigaction sa, old_sa;
	struct provider_env env;
	struct cmp_err e;
	struct sbuf out;
	double t0 = cli_mono();
	int tty = !o->quiet && isatty(STDERR_FILENO), rc;

	memset(&env, 0, sizeof(env));
	env.home = ctx->home;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_sigint;
	sa.sa_flags = SA_RESTART | SA_RESETHAND;
	sigemptyset(&sa.sa_mask);
	stop = 0;
	sigaction(SIGINT, &sa, &old_sa);
	rc = cmp_run(c, o->jobs, &env, tty ? progress_cb : NULL, &t0, &stop, &e);
	sigaction(SIGINT, &old_sa, NULL);
	if (tty)
		fputs("\r\033[K", stderr);
	if (rc) {
		cli_error(e.what, "%s", e.why);
		return EXIT_RUNTIME;
	}
	if (c->stopped) {
		cli_error("compare", "interrupted; nothing printed");
		return 130;
	}
	if (c->left_out[0])
		cli_error("compare", "left out %s", c->left_out);
	if (o->html) {
		char err[PT_ERRSZ];
		struct sbuf page;

		sb_init(&page, 256u << 20);
		if (out_html(c, provider, &o->fit, &page, err)) {
			cli_error("--html", "%s", err);
			sb_release(&page);
			return EXIT_RUNTIME;
		}
		if (cli_write_atomic(o->html, sb_str(&page), page.len, err)) {
			cli_error("--html", "%s", err);
			sb_release(&page);
			return EXIT_RUNTIME;
		}
		sb_release(&page);
	}
	sb_init(&out, 256u << 20);
	if (o->json) {
		if (out_json(c, provider, &o->fit, &out)) {
			cli_error("compare", "the JSON cannot be formatted");
			sb_release(&out);
			return EXIT_RUNTIME;
		}
	} else if (o->csv) {
		out_csv(c, &out);
	} else {
		out_text(c, provider, &o->fit, &out);
	}
	fputs(sb_str(&out), stdout);
	sb_release(&out);
	return EXIT_OK_;
}

static int check_dates(struct cmp_opts *o)
{
	char d[DATE_BUFSZ], d2[DATE_BUFSZ];
	int today, minute;

	if (!o->from) {
		cli_error("compare", "--from is required (see papertrade compare --help)");
		return -1;
	}
	if (cli_now_ny(&today, &minute))
		return -1;
	if (!o->to)
		o->to = cal_prev_session(today);
	if (o->to >= today) {
		cli_error("--to",
			  "%s is not before today (%s in New York): a comparison replays "
			  "sessions that are over",
			  date_fmt(o->to, d), date_fmt(today, d2));
		return -1;
	}
	if (o->from > o->to) {
		cli_error("--from", "%s is after --to %s", date_fmt(o->from, d),
			  date_fmt(o->to, d2));
		return -1;
	}
	if (!cal_in_range(o->from) || !cal_in_range(o->to)) {
		cli_error(cal_in_range(o->from) ? "--to" : "--from",
			  "%s is outside the supported years %d-%d",
			  date_fmt(cal_in_range(o->from) ? o->to : o->from, d), CAL_FIRST_YEAR,
			  CAL_LAST_YEAR);
		return -1;
	}
	if (!cal_count_sessions(o->from, o->to)) {
		cli_error("compare", "no session between %s and %s", date_fmt(o->from, d),
			  date_fmt(o->to, d2));
		return -1;
	}
	return 0;
}

/* The rows of the CONFIG arguments, then the buy-write; -1 after printing
 * the error of a bad one. */
static int add_rows(struct cmp *c, const struct config *base, char **args, int n)
{
	struct config *cfg = xmalloc(sizeof(*cfg));
	char name[CMP_NAMESZ], uniq[CMP_NAMESZ + 16], err[PT_ERRSZ];
	int i, rc = -1;
	size_t k;

	if (!n)
		cmp_add(c, CMP_CONFIG, "home", "the home's papertrade.ini", base);
	for (i = 0; i < n; i++) {
		int dup = 1;

		if (load_config_arg(args[i], base, cfg))
			goto out;
		row_name(args[i], name, sizeof(name));
		pt_strlcpy(uniq, name, sizeof(uniq));
		for (k = 0; k < c->n_rows; k++) {
			if (!strcmp(c->rows[k].name, uniq)) {
				snprintf(uniq, sizeof(uniq), "%s #%d", name, ++dup);
				k = (size_t)-1; /* again from the first */
			}
		}
		cmp_add(c, CMP_CONFIG, uniq, args[i], cfg);
	}
	if (cmp_buywrite_config(base, cfg, err)) {
		cli_error("compare", "the reference buy-write: %s", err);
		goto out;
	}
	cmp_add(c, CMP_BUYWRITE, "SPY buy-write (BXM-style)",
		"strategies=buywrite on SPY held (holdings=etf): the next monthly call at the "
		"first "
		"strike at or above spot, sold at its bid, held to expiry",
		cfg);
	rc = 0;
out:
	free(cfg);
	return rc;
}

int cmd_compare(struct cli_ctx *ctx, int argc, char **argv)
{
	static const struct option opts[] = {
		{"from", required_argument, NULL, 'f'},
		{"to", required_argument, NULL, 't'},
		{"provider", required_argument, NULL, 'P'},
		{"json", no_argument, NULL, 'J'},
		{"csv", no_argument, NULL, 'C'},
		{"jobs", required_argument, NULL, 'j'},
		{"html", required_argument, NULL, 'H'},
		{"quiet", no_argument, NULL, 'q'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	struct cmp_opts o = {0};
	char *sets[1];
	size_t nsets = 0;
	struct config *base;
	struct cmp c;
	long cpus, v;
	char *end;
	int ch, rc;

	cpus = sysconf(_SC_NPROCESSORS_ONLN);
	o.jobs = cpus > 0 ? (cpus > MAX_JOBS ? MAX_JOBS : (int)cpus) : 1;
	while ((ch = getopt_long(argc, argv, ":hqj:", opts, NULL)) != -1) {
		switch (ch) {
		case 'f':
			if (cli_parse_date("--from", optarg, &o.from))
				return EXIT_USAGE;
			break;
		case 't':
			if (cli_parse_date("--to", optarg, &o.to))
				return EXIT_USAGE;
			break;
		case 'P':
			sets[0] = cli_provider_pair(optarg);
			nsets = 1;
			break;
		case 'J':
			o.json = 1;
			break;
		case 'C':
			o.csv = 1;
			break;
		case 'H':
			o.html = optarg;
			break;
		case 'j':
			errno = 0;
			v = strtol(optarg, &end, 10);
			if (errno || end == optarg || *end || v < 1 || v > MAX_JOBS) {
				cli_error("--jobs", "want a whole number from 1 to %d: '%s'",
					  MAX_JOBS, optarg);
				return EXIT_USAGE;
			}
			o.jobs = (int)v;
			break;
		case 'q':
			o.quiet = 1;
			break;
		case 'h':
			return cli_usage(usage, 0);
		case ':':
			cli_error("compare", "option '%s' needs a value", argv[optind - 1]);
			return EXIT_USAGE;
		default:
			cli_error("compare", "unknown option '%s' (see papertrade compare --help)",
				  argv[optind - 1]);
			return EXIT_USAGE;
		}
	}
	if (o.json && o.csv) {
		cli_error("compare", "--json and --csv are exclusive");
		return EXIT_USAGE;
	}
	if (argc - optind > MAX_CONFIGS) {
		cli_error("compare", "more than %d CONFIGs", MAX_CONFIGS);
		return EXIT_USAGE;
	}
	if (check_dates(&o))
		return EXIT_USAGE;
	base = xmalloc(sizeof(*base));
	if (cli_load_config(ctx, base, sets, nsets)) {
		free(base);
		return EXIT_USAGE;
	}
	o.fit.asked_from = o.from;
	o.fit.asked_to = o.to;
	if (!strcmp(base->provider, "tape")) {
		/* Rows run on threads, each with a provider of its own; a tape is
		 * replayed through the home's store, one portfolio at a time. */
		cli_error("compare",
			  "provider 'tape' is not served (each row needs a market of its own); "
			  "replay tapes with backtest or sweep --provider tape");
		free(base);
		return EXIT_USAGE;
	}
	cmp_init(&c, o.from, o.to);
	if (add_rows(&c, base, argv + optind, argc - optind))
		rc = EXIT_USAGE;
	else if (!strcmp(base->provider, "history") && (rc = history_fit(ctx, &c, &o)))
		;
	else
		rc = run_compare(&c, ctx, &o, base->provider);
	cmp_release(&c);
	free(base);
	return rc;
}
