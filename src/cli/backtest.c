/*
 * backtest.c - `papertrade backtest`: sessions from..to replayed in memory
 * through the daily run's session step (src/backtest.h) on a portfolio of
 * the backtest's own; the home's portfolio and database are never touched
 * (its papertrade.ini is read, as by every command). Prints the report with
 * its analytics (report/analytics.h), or JSON, writes the results as files
 * with --out and as one HTML page with --html (report/html.h). With the
 * history alone as the market, tickers the history lacks over the dates are
 * left out before the replay, and the dates are clamped to what the
 * history holds (docs/history.md), each said on stderr and in the report.
 */
#include <errno.h>
#include <getopt.h>
#include <jansson.h>
#include <limits.h>
#include <math.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli.h"
#include "../backtest.h"
#include "../brief/brief.h"
#include "../history/hist.h"
#include "../market/calendar.h"
#include "../market/provider.h"
#include "../report/analytics.h"
#include "../report/html.h"
#include "../report/metrics.h"
#include "../report/report.h"
#include "../util/date.h"
#include "../util/util.h"

/* The seed of the alpha interval's bootstrap: fixed, so the same backtest
 * gives the same report every time (docs/metrics.md). */
#define BT_BOOT_SEED 20020701u

static const char usage[] =
	"usage: papertrade backtest --from D1 [--to D2] [--provider NAME] [--set KEY=VALUE ...]\n"
	"                           [--json] [--out DIR] [--html FILE] [-q]\n"
	"\n"
	"Replays every session from D1 to D2 (inclusive) through the same session\n"
	"step and engine the daily run uses, in memory, on a new portfolio of\n"
	"initial_capital: the home's portfolio and database are never read or\n"
	"changed (its papertrade.ini is, as by every command). A backtest over the\n"
	"same dates as a series of daily runs makes the same trades and the same\n"
	"ledger to the cent. The report ends with the analytics (docs/metrics.md):\n"
	"CAGR, volatility, Sharpe with its interval, Sortino, drawdowns, Calmar,\n"
	"tail ratio, trade figures, alpha and beta vs SPY, attribution per ticker\n"
	"and strategy, monthly returns, margin calls.\n"
	"\n"
	"  --from D       first session (YYYY-MM-DD)\n"
	"  --to D         last session (default: the last one before today)\n"
	"  --provider P   the market: sim (default), history, tape (the home's\n"
	"                 recorded runs), or what the config names\n"
	"  --set K=V      override a configuration key (repeatable)\n"
	"  --json         one JSON object: backtest, equity, summary, trades, analytics\n"
	"  --out DIR      also write report.txt, report.json, equity.csv, trades.csv,\n"
	"                 ledger.csv and portfolio_data.json (the brief's format)\n"
	"                 into DIR (made when missing)\n"
	"  --html FILE    also write the report as one self-contained HTML page:\n"
	"                 equity against the benchmarks, drawdown, monthly returns,\n"
	"                 rolling Sharpe, the analytics and the trade list\n"
	"  -q, --quiet    no progress line\n"
	"  -h, --help     this help\n"
	"\n"
	"With --provider history (the history alone), tickers with no option data\n"
	"in the history between D1 and D2 are left out and named on stderr, and\n"
	"D1 and D2 are moved inside the dates the history holds for every ticker\n"
	"left (said on stderr); with none left the backtest fails. With --provider\n"
	"tape each session is replayed from the tape its live run recorded, as of\n"
	"that run; sessions without a tape are skipped and counted.\n"
	"\n"
	"A progress line (sessions done, sessions/s, time left) is shown on a\n"
	"terminal; Ctrl-C stops the replay and reports the sessions run so far.\n"
	"Exit status: 0, 1 when the replay or writing a file fails, 2 on bad usage,\n"
	"130 when interrupted.\n";

static volatile int stop;

static void on_sigint(int sig)
{
	(void)sig;
	stop = 1;
}

struct bt_opts {
	int from, to, json, quiet;
	const char *out, *html;
	struct cli_fit fit; /* --provider history: tickers left out, dates moved */
};

/*
 * The analytics of a backtest: the portfolio's series (an_portfolio_init)
 * with the initial capital put before the first session, dated the day
 * before it (docs/metrics.md, "Inputs"), so every figure counts from the
 * capital the backtest started with, as its total return does.
 */
struct bt_an {
	struct an_portfolio ap; /* an_portfolio_from_capital's */
	struct an_series s;	/* ap.s */
	struct analytics a;
};

static void progress_cb(int done, int total, void *arg)
{
	cli_progress(done, total, *(const double *)arg);
}

static void bt_an_release(struct bt_an *x)
{
	an_release(&x->a);
	an_portfolio_release(&x->ap);
	memset(x, 0, sizeof(*x));
}

/* Computes x from pf (at least one snapshot); 0, or -1 with err. */
static int bt_an_init(struct bt_an *x, const struct portfolio *pf, char *err)
{
	struct an_options opt = {0};
	size_t i;

	memset(x, 0, sizeof(*x));
	an_portfolio_init(&x->ap, pf);
	/* SPY bought with the initial capital at the first session's price */
	an_portfolio_from_capital(&x->ap, pf->initial_cents, pf->initial_cents);
	x->s = x->ap.s;
	for (i = 0; i < x->ap.n_trades; i++)
		if (strlen(x->ap.trades[i].strategy) >= AN_NAMESZ) /* cannot be: BOOK_SYMSZ */
			return pt_err(err, PT_EINVAL, "a strategy name is too long");
	opt.seed = BT_BOOT_SEED;
	return an_compute(&x->s, x->ap.trades, x->ap.n_trades, &opt, &x->a, err) ? -1 : 0;
}

/* "1234.56" (or "-0.05") of cents: exact. */
/* One row per session; the drawdown is the analytics' (from the initial
 * capital). */
static void equity_csv(const struct portfolio *pf, const struct bt_an *x, struct sbuf *sb)
{
	char d[DATE_BUFSZ], a[32], b[32], c[32], m[32], k[32];
	size_t i, j;

	sb_addf(sb, "date,value,cash,positions,margin,call,drawdown");
	for (j = 0; j < pf->n_bench; j++)
		sb_addf(sb, ",%s", pf->bench[j].ticker);
	sb_addf(sb, "\n");
	for (i = 0; i < pf->n_snaps; i++) {
		const struct snapshot *s = &pf->snaps[i];

		sb_addf(sb, "%s,%s,%s,%s,%s,%s,%.6f", date_fmt(s->session, d),
			pt_fmt_cents(a, sizeof(a), s->value_cents),
			pt_fmt_cents(b, sizeof(b), s->cash_cents),
			pt_fmt_cents(c, sizeof(c), s->positions_cents),
			pt_fmt_cents(m, sizeof(m), s->margin_cents),
			pt_fmt_cents(k, sizeof(k), s->call_cents), x->a.drawdown[i + 1]);
		for (j = 0; j < pf->n_bench; j++)
			sb_addf(sb, ",%s",
				pt_fmt_cents(a, sizeof(a), pf->snap_bench[i * pf->n_bench + j]));
		sb_addf(sb, "\n");
	}
}

static void trades_csv(const struct portfolio *pf, struct sbuf *sb)
{
	char d1[DATE_BUFSZ], d2[DATE_BUFSZ], d3[DATE_BUFSZ], a[32];
	size_t i;

	sb_addf(sb, "id,ticker,strategy,right,strike,expiry,quantity,opened,entry_price,closed,"
		    "exit_price,reason,pnl\n");
	for (i = 0; i < pf->n_pos; i++) {
		const struct position *p = &pf->pos[i];

		if (!p->closed || p->right == 'S')
			continue;
		sb_addf(sb, "%lld,%s,%s,%c,%.2f,%s,%.6f,%s,%.4f,%s,%.4f,%s,%s\n", (long long)p->id,
			p->ticker, p->strategy, p->right, p->strike, date_fmt(p->expiry, d1),
			p->quantity, date_fmt(p->opened, d2), p->entry_price,
			date_fmt(p->closed, d3), p->exit_price, p->reason,
			pt_fmt_cents(a, sizeof(a), p->credit_cents + p->close_cents));
	}
}

/* Whether p was assigned early, on an ex-dividend eve (engine.c's errata 10). */
static int early(const struct position *p)
{
	return p->closed && !strcmp(p->reason, "assigned early");
}

static void ledger_csv(const struct portfolio *pf, struct sbuf *sb)
{
	char d[DATE_BUFSZ];
	size_t i;

	sb_addf(sb, "id,session,position_id,kind,cents,memo\n");
	for (i = 0; i < pf->n_ledger; i++) {
		const struct ledger_entry *l = &pf->ledger[i];

		sb_addf(sb, "%lld,%s,", (long long)l->id, date_fmt(l->session, d));
		if (l->position_id)
			sb_addf(sb, "%lld", (long long)l->position_id);
		sb_addf(sb, ",%s,%lld,", l->kind, (long long)l->cents);
		sb_add_csv(sb, l->memo);
		sb_addf(sb, "\n");
	}
}

/* The JSON object of --json (and report.json). NULL when the JSON library fails. */
static json_t *result_json(const struct bt_result *r, const struct bt_an *x,
			   const struct config *cfg, const char *provider, const struct bt_opts *o)
{
	struct report_in in = {0};
	struct sbuf sb;
	json_t *jo, *bt, *calls, *eq, *dates, *vals, *dd, *summary, *trades, *an;
	char d[DATE_BUFSZ], d2[DATE_BUFSZ];
	size_t i;

	in.pf = &r->pf;
	in.cfg = cfg;
	in.provider = provider;
	in.compact = 1;
	sb_init(&sb, 256u << 20);
	summary = report_json(&in, &sb) ? NULL : json_loads(sb_str(&sb), 0, NULL);
	sb_release(&sb);
	sb_init(&sb, 256u << 20);
	trades = report_trades_json(&r->pf, 1, &sb) ? NULL : json_loads(sb_str(&sb), 0, NULL);
	sb_release(&sb);
	in.series = &x->s;
	in.an = &x->a;
	in.an_seed = BT_BOOT_SEED;
	sb_init(&sb, 256u << 20);
	an = report_analytics_json(&in, &sb) ? NULL : json_loads(sb_str(&sb), 0, NULL);
	sb_release(&sb);
	if (!summary || !trades || !an) {
		json_decref(summary);
		json_decref(trades);
		json_decref(an);
		return NULL;
	}
	calls = json_array();
	for (i = 0; i < r->n_calls; i++)
		json_array_append_new(calls, json_pack("{s:s, s:f, s:I}", "session",
						       date_fmt(r->calls[i].session, d), "call",
						       (double)r->calls[i].call_cents / 100.0,
						       "forced", (json_int_t)r->calls[i].n_forced));
	bt = json_object();
	json_object_set_new(bt, "from", json_string(date_fmt(o->fit.asked_from, d)));
	json_object_set_new(bt, "to", json_string(date_fmt(o->fit.asked_to, d)));
	json_object_set_new(bt, "first_session", json_string(date_fmt(r->pf.start, d)));
	json_object_set_new(bt, "last_session", json_string(date_fmt(r->pf.last_session, d)));
	json_object_set_new(bt, "sessions", json_integer(r->sessions));
	json_object_set_new(bt, "skipped_sessions", json_integer(r->skipped));
	json_object_set_new(bt, "provider", json_string(provider));
	json_object_set_new(bt, "seconds", json_real(r->seconds));
	json_object_set_new(bt, "sessions_per_second",
			    json_real(r->seconds > 0 ? r->sessions / r->seconds : 0.0));
	json_object_set_new(bt, "trades", json_integer((json_int_t)r->n_trades));
	json_object_set_new(bt, "settled", json_integer((json_int_t)r->n_settled));
	json_object_set_new(bt, "assigned_early", json_integer((json_int_t)r->n_early));
	{
		json_t *ea = json_array();

		for (i = 0; i < r->pf.n_pos; i++) {
			const struct position *p = &r->pf.pos[i];

			if (!early(p))
				continue;
			json_array_append_new(
				ea, json_pack("{s:s, s:s, s:f, s:s, s:f, s:f}", "date",
					      date_fmt(p->closed, d), "ticker", p->ticker, "strike",
					      p->strike, "expiry", date_fmt(p->expiry, d2),
					      "quantity", p->quantity, "pnl",
					      (double)(p->credit_cents + p->close_cents) / 100.0));
		}
		json_object_set_new(bt, "early_assignments", ea);
	}
	json_object_set_new(bt, "option_quotes", json_integer((json_int_t)r->options_quoted));
	json_object_set_new(bt, "margin_calls", calls);
	cli_fit_json(&o->fit, bt, "left_out");
	dates = json_array();
	vals = json_array();
	dd = json_array();
	for (i = 0; i < r->pf.n_snaps; i++) {
		const struct snapshot *s = &r->pf.snaps[i];
		double v = x->a.drawdown[i + 1];

		json_array_append_new(dates, json_string(date_fmt(s->session, d)));
		json_array_append_new(vals, json_real((double)s->value_cents / 100.0));
		json_array_append_new(dd, isfinite(v) ? json_real(v) : json_null());
	}
	eq = json_pack("{s:o, s:o, s:o}", "dates", dates, "value", vals, "drawdown", dd);
	jo = json_pack("{s:o, s:o, s:o, s:o, s:o}", "backtest", bt, "equity", eq, "summary",
		       summary, "trades", trades, "analytics", an);
	return jo;
}

/* Writes DIR/name whole or not at all; prints why not. */
static int put_file(const char *dir, const char *name, const char *buf, size_t len)
{
	char path[PATH_MAX], err[PT_ERRSZ];

	if ((size_t)snprintf(path, sizeof(path), "%s/%s", dir, name) >= sizeof(path)) {
		cli_error("--out", "path too long: %s", dir);
		return -1;
	}
	if (cli_write_atomic(path, buf, len, err)) {
		cli_error("--out", "%s", err);
		return -1;
	}
	return 0;
}

static int write_out(const char *dir, const struct bt_result *r, const struct bt_an *x,
		     const char *text, const char *json)
{
	struct sbuf sb;
	struct stat st;
	char err[PT_ERRSZ];
	int rc = 0;

	if (mkdir(dir, 0777) != 0 && errno != EEXIST) {
		cli_error("--out", "%s: %s", dir, strerror(errno));
		return -1;
	}
	if (stat(dir, &st) != 0 || !S_ISDIR(st.st_mode)) {
		cli_error("--out", "%s: not a folder", dir);
		return -1;
	}
	rc |= put_file(dir, "report.txt", text, strlen(text));
	rc |= put_file(dir, "report.json", json, strlen(json));
	sb_init(&sb, 1u << 30);
	equity_csv(&r->pf, x, &sb);
	rc |= put_file(dir, "equity.csv", sb_str(&sb), sb.len);
	sb_release(&sb);
	sb_init(&sb, 1u << 30);
	trades_csv(&r->pf, &sb);
	rc |= put_file(dir, "trades.csv", sb_str(&sb), sb.len);
	sb_release(&sb);
	sb_init(&sb, 1u << 30);
	ledger_csv(&r->pf, &sb);
	rc |= put_file(dir, "ledger.csv", sb_str(&sb), sb.len);
	sb_release(&sb);
	sb_init(&sb, 1u << 30);
	if (brief_export_json(&r->pf, &sb, err)) {
		cli_error("--out", "portfolio_data.json: %s", err);
		rc = -1;
	} else {
		rc |= put_file(dir, "portfolio_data.json", sb_str(&sb), sb.len);
	}
	sb_release(&sb);
	return rc ? -1 : 0;
}

static void header_text(const struct bt_result *r, const char *provider, int interrupted,
			const struct bt_opts *o, struct sbuf *sb)
{
	char d1[DATE_BUFSZ], d2[DATE_BUFSZ], left[CLI_FIT_MAX * 48];
	int last = r->pf.last_session ? r->pf.last_session : r->from;

	sb_addf(sb,
		"BACKTEST %s..%s on %s: %d session%s in %.2f s (%.0f sessions/s, %lld option "
		"quotes)%s\n",
		date_fmt(r->pf.start ? r->pf.start : r->from, d1), date_fmt(last, d2), provider,
		r->sessions, r->sessions == 1 ? "" : "s", r->seconds,
		r->seconds > 0 ? r->sessions / r->seconds : 0.0, (long long)r->options_quoted,
		interrupted ? " (interrupted)" : "");
	if (o->fit.n_left) {
		cli_fit_text(&o->fit, left, sizeof(left));
		sb_addf(sb, "Left out: %s (see papertrade history list)\n", left);
	}
	if (o->fit.clamped[0])
		sb_addf(sb, "Dates: %s\n", o->fit.clamped);
	if (r->skipped)
		sb_addf(sb, "%d session%s without a tape skipped\n", r->skipped,
			r->skipped == 1 ? "" : "s");
	sb_addf(sb,
		"Trades filled: %zu | Settled at expiry: %zu | Sessions with a margin call: "
		"%zu\n",
		r->n_trades, r->n_settled, r->n_calls);
	if (r->n_early) {
		size_t i;

		sb_addf(sb, "Assigned early, on the eve of an ex-dividend date: %zu\n", r->n_early);
		for (i = 0; i < r->pf.n_pos; i++) {
			const struct position *p = &r->pf.pos[i];
			char a[32];

			if (early(p))
				sb_addf(sb, "  %s  %s %g call of %s, %g contracts, P&L %s\n",
					date_fmt(p->closed, d1), p->ticker, p->strike,
					date_fmt(p->expiry, d2), -p->quantity,
					pt_fmt_cents(a, sizeof(a),
						     p->credit_cents + p->close_cents));
		}
	}
}

static void add_cell(char ***cells, size_t *n, size_t *cap, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

/* Appends a cell (formatted, malloc'd) to a table's cells; fmt NULL: an
 * empty cell (NULL). */
static void add_cell(char ***cells, size_t *n, size_t *cap, const char *fmt, ...)
{
	char buf[256];
	va_list ap;

	xgrow(cells, cap, *n + 1, sizeof(**cells));
	if (!fmt) {
		(*cells)[(*n)++] = NULL;
		return;
	}
	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	(*cells)[(*n)++] = xstrdup(buf);
}

struct cells {
	char **c;
	size_t n, cap;
};

static void cells_free(struct cells *c)
{
	size_t i;

	for (i = 0; i < c->n; i++)
		free(c->c[i]);
	free(c->c);
	memset(c, 0, sizeof(*c));
}

/* The HTML page of --html into sb; 0, or -1 after printing the error. */
static int html_page(const struct bt_result *r, const struct bt_an *x, const struct config *cfg,
		     const char *provider, const struct bt_opts *o, struct sbuf *sb)
{
	static const char *const figure_head[] = {"Figure", "Value"};
	static const char *const attr_head[] = {"", "P&L", "Trades", "Won", "Lost", "Win rate"};
	static const unsigned char attr_num[] = {0, 1, 1, 1, 1, 1};
	static const char *const trade_head[] = {
		"Id",	  "Ticker", "Strategy", "Right", "Strike", "Expiry", "Quantity",
		"Opened", "Entry",  "Closed",	"Exit",	 "Reason", "P&L"};
	static const unsigned char trade_num[] = {1, 0, 0, 0, 1, 0, 1, 0, 1, 0, 1, 0, 1};
	const struct portfolio *pf = &r->pf;
	size_t nb = pf->n_bench, ns = x->s.n, i, j, nrows;
	struct report_in in = {0};
	struct report_row *rows;
	struct html_curve *eq, *dd, roll;
	struct html_table tables[4];
	struct html_monthly mon;
	struct html_report rep = {0};
	struct cells fig = {0}, at = {0}, as = {0}, tr = {0};
	struct metrics m;
	double *vals, *ddv;
	char title[128], note[1024], rtitle[64], err[PT_ERRSZ], boot[128];
	struct sbuf sub;
	char d1[DATE_BUFSZ], d2[DATE_BUFSZ], d3[DATE_BUFSZ], m1[32], m2[32];
	char left[48 * CFG_MAX_TICKERS];
	const char *group = NULL;
	int rc = 0;

	sb_init(&sub, 1u << 16);
	/* curves: the strategy and each benchmark from the same start, and their drawdowns */
	eq = xcalloc(nb + 1, sizeof(*eq));
	dd = xcalloc(nb + 1, sizeof(*dd));
	vals = xcalloc((nb + 1) * ns, sizeof(*vals));
	ddv = xcalloc((nb + 1) * ns, sizeof(*ddv));
	for (j = 0; j <= nb; j++) {
		double peak = 0;

		for (i = 0; i < ns; i++) {
			int64_t c = !j	? x->ap.value_cents[i]
				    : i ? pf->snap_bench[(i - 1) * nb + (j - 1)]
					: pf->initial_cents;
			double v = (double)c / 100.0;

			vals[j * ns + i] = v;
			peak = v > peak ? v : peak;
			ddv[j * ns + i] = !j ? x->a.drawdown[i] : peak > 0 ? v / peak - 1.0 : NAN;
		}
		eq[j].name = dd[j].name = j ? pf->bench[j - 1].ticker : "Strategy";
		eq[j].days = dd[j].days = x->ap.days;
		eq[j].values = vals + j * ns;
		dd[j].values = ddv + j * ns;
		eq[j].n = dd[j].n = ns;
		eq[j].benchmark = dd[j].benchmark = j > 0;
	}
	roll.name = "Strategy";
	roll.days = x->ap.days;
	roll.values = x->a.rolling_sharpe;
	roll.n = ns;
	roll.benchmark = 0;
	snprintf(rtitle, sizeof(rtitle), "Rolling Sharpe (%zu sessions)", x->a.window);
	mon.title = "Monthly returns";
	mon.first_year = x->a.first_year;
	mon.n_years = x->a.n_years;
	mon.monthly = x->a.monthly;
	mon.yearly = x->a.yearly;

	/* the figures: the summary's, then the analytics' rows */
	metrics_compute(pf, &m);
	add_cell(&fig.c, &fig.n, &fig.cap, "Summary");
	add_cell(&fig.c, &fig.n, &fig.cap, NULL);
	add_cell(&fig.c, &fig.n, &fig.cap, "Sessions");
	add_cell(&fig.c, &fig.n, &fig.cap, "%d, %s to %s", r->sessions, date_fmt(pf->start, d1),
		 date_fmt(pf->last_session, d2));
	add_cell(&fig.c, &fig.n, &fig.cap, "Final value");
	add_cell(&fig.c, &fig.n, &fig.cap, "%s (from %s)",
		 pt_fmt_money(m1, sizeof(m1), pf->snaps[pf->n_snaps - 1].value_cents),
		 pt_fmt_money(m2, sizeof(m2), pf->initial_cents));
	add_cell(&fig.c, &fig.n, &fig.cap, "Total return");
	add_cell(&fig.c, &fig.n, &fig.cap, "%+.2f%%", m.total_return * 100.0);
	for (j = 0; j < nb && j < METRICS_MAX_BENCH; j++) {
		add_cell(&fig.c, &fig.n, &fig.cap, "%s, buy and hold", pf->bench[j].ticker);
		add_cell(&fig.c, &fig.n, &fig.cap, "%+.2f%%", m.bench_return[j] * 100.0);
	}
	if (isfinite(m.excess_return_vs_spy)) {
		add_cell(&fig.c, &fig.n, &fig.cap, "Excess return vs SPY");
		add_cell(&fig.c, &fig.n, &fig.cap, "%+.2f%%", m.excess_return_vs_spy * 100.0);
	}
	add_cell(&fig.c, &fig.n, &fig.cap, "Trades filled, settled");
	add_cell(&fig.c, &fig.n, &fig.cap, "%zu, %zu", r->n_trades, r->n_settled);
	add_cell(&fig.c, &fig.n, &fig.cap, "Interest on cash");
	add_cell(&fig.c, &fig.n, &fig.cap, "%s",
		 pt_fmt_money(m1, sizeof(m1), report_interest_cents(pf)));
	in.pf = pf;
	in.cfg = cfg;
	in.series = &x->s;
	in.an = &x->a;
	in.an_seed = BT_BOOT_SEED;
	nrows = report_analytics_rows(&in, &rows);
	for (i = 0; i < nrows; i++) {
		if (rows[i].group != group) {
			add_cell(&fig.c, &fig.n, &fig.cap, "%s", group = rows[i].group);
			add_cell(&fig.c, &fig.n, &fig.cap, NULL);
		}
		add_cell(&fig.c, &fig.n, &fig.cap, "%s", rows[i].label);
		add_cell(&fig.c, &fig.n, &fig.cap, "%s", rows[i].value);
	}
	free(rows);
	for (j = 0; j < 2; j++) {
		const struct an_attr *t = j ? x->a.by_strategy : x->a.by_ticker;
		struct cells *c = j ? &as : &at;
		size_t nt = j ? x->a.n_strategies : x->a.n_tickers;

		for (i = 0; i < nt; i++) {
			add_cell(&c->c, &c->n, &c->cap, "%s", t[i].name);
			add_cell(&c->c, &c->n, &c->cap, "%s",
				 pt_fmt_money(m1, sizeof(m1), t[i].pnl_cents));
			add_cell(&c->c, &c->n, &c->cap, "%d", t[i].trades);
			add_cell(&c->c, &c->n, &c->cap, "%d", t[i].wins);
			add_cell(&c->c, &c->n, &c->cap, "%d", t[i].losses);
			add_cell(&c->c, &c->n, &c->cap, "%.2f%%", t[i].win_rate * 100.0);
		}
	}
	for (i = 0; i < pf->n_pos; i++) {
		const struct position *p = &pf->pos[i];

		if (!p->closed || !strcmp(p->reason, "import"))
			continue;
		add_cell(&tr.c, &tr.n, &tr.cap, "%lld", (long long)p->id);
		add_cell(&tr.c, &tr.n, &tr.cap, "%s", p->ticker);
		add_cell(&tr.c, &tr.n, &tr.cap, "%s", p->strategy);
		add_cell(&tr.c, &tr.n, &tr.cap, "%s",
			 p->right == 'C'   ? "call"
			 : p->right == 'P' ? "put"
					   : "shares");
		if (p->right == 'S') {
			add_cell(&tr.c, &tr.n, &tr.cap, NULL);
			add_cell(&tr.c, &tr.n, &tr.cap, NULL);
		} else {
			add_cell(&tr.c, &tr.n, &tr.cap, "%.2f", p->strike);
			add_cell(&tr.c, &tr.n, &tr.cap, "%s", date_fmt(p->expiry, d1));
		}
		add_cell(&tr.c, &tr.n, &tr.cap, "%.4f", p->quantity);
		add_cell(&tr.c, &tr.n, &tr.cap, "%s", date_fmt(p->opened, d2));
		add_cell(&tr.c, &tr.n, &tr.cap, "%.2f", p->entry_price);
		add_cell(&tr.c, &tr.n, &tr.cap, "%s", date_fmt(p->closed, d3));
		add_cell(&tr.c, &tr.n, &tr.cap, "%.2f", p->exit_price);
		add_cell(&tr.c, &tr.n, &tr.cap, "%s", p->reason);
		add_cell(&tr.c, &tr.n, &tr.cap, "%s",
			 pt_fmt_money(m1, sizeof(m1), book_pnl_cents(p)));
	}
	memset(tables, 0, sizeof(tables));
	tables[0] = (struct html_table){.id = "analytics",
					.title = "Analytics",
					.note = "docs/metrics.md defines each figure",
					.header = figure_head,
					.n_cols = 2,
					.cells = (const char *const *)fig.c,
					.n_rows = fig.n / 2,
					.lead = 1};
	tables[1] = (struct html_table){.id = "by-ticker",
					.title = "Attribution by ticker",
					.note = "Closed trades, P&L net of commissions",
					.header = attr_head,
					.n_cols = 6,
					.cells = (const char *const *)at.c,
					.n_rows = at.n / 6,
					.numeric = attr_num};
	tables[2] = (struct html_table){.id = "by-strategy",
					.title = "Attribution by strategy",
					.note = "Closed trades, P&L net of commissions",
					.header = attr_head,
					.n_cols = 6,
					.cells = (const char *const *)as.c,
					.n_rows = as.n / 6,
					.numeric = attr_num};
	tables[3] = (struct html_table){.id = "trades",
					.title = "Closed trades",
					.note = "Prices per share; P&L net of every commission",
					.header = trade_head,
					.n_cols = 13,
					.cells = (const char *const *)tr.c,
					.n_rows = tr.n / 13,
					.numeric = trade_num};
	snprintf(title, sizeof(title), "papertrade backtest %s..%s", date_fmt(pf->start, d1),
		 date_fmt(pf->last_session, d2));
	snprintf(
		boot, sizeof(boot),
		", the alpha's from a stationary bootstrap of %d replicates with the fixed seed %u",
		x->a.boot_reps, BT_BOOT_SEED);
	cli_fit_text(&o->fit, left, sizeof(left));
	sb_addf(&sub, "%d sessions on %s; tickers ", r->sessions, provider);
	for (j = 0; j < cfg->n_tickers; j++)
		sb_addf(&sub, "%s%s", j ? ", " : "", cfg->tickers[j]);
	if (o->fit.n_left)
		sb_addf(&sub, "; left out: %s", left);
	snprintf(note, sizeof(note),
		 "What the figures assume: the market is the %s provider's (%s); options are "
		 "sold at the bid and bought back at the ask, with commissions; returns are "
		 "daily, from the initial capital before the first session, in excess of the "
		 "rate the cash earned each session (the risk-free rate where none), 252 "
		 "sessions a year; intervals are two-sided at %.0f%%%s. Benchmarks are buy and "
		 "hold from the first session, dividends reinvested. Paper trading only: no "
		 "order was placed.",
		 provider,
		 !strcmp(provider, "sim") ? "simulated, calibrated to published facts: docs/sim.md"
		 : !strcmp(provider, "history")
			 ? "imported end-of-day option quotes: docs/history.md"
			 : "see docs/DESIGN.md §6",
		 x->a.confidence * 100.0, x->a.boot_reps > 0 ? boot : "");
	rep.title = title;
	rep.subtitle = sb_str(&sub);
	rep.note = note;
	rep.equity = eq;
	rep.n_equity = nb + 1;
	rep.drawdown = dd;
	rep.n_drawdown = nb + 1;
	rep.rolling = &roll;
	rep.n_rolling = 1;
	rep.rolling_title = rtitle;
	rep.monthly = &mon;
	rep.n_monthly = 1;
	rep.tables = tables;
	rep.n_tables = 4;
	if (html_report_build(&rep, sb, err)) {
		cli_error("--html", "%s", err);
		rc = -1;
	}
	sb_release(&sub);
	cells_free(&fig);
	cells_free(&at);
	cells_free(&as);
	cells_free(&tr);
	free(eq);
	free(dd);
	free(vals);
	free(ddv);
	return rc;
}

static int run_backtest(const struct cli_ctx *ctx, const struct config *cfg,
			const struct bt_opts *o)
{
	struct sigaction sa, old_sa;
	struct session_err e;
	struct bt_result r;
	struct bt_an x;
	struct cli_market cm;
	const char *mname;
	struct report_in in = {0};
	struct sbuf text, json, html;
	char err[PT_ERRSZ], *js = NULL;
	double t0 = cli_mono();
	int tty = !o->quiet && !o->json && isatty(STDERR_FILENO), rc;
	json_t *jo;

	if (cli_market_open(ctx, cfg, &cm)) {
		cli_market_close(&cm);
		return EXIT_RUNTIME;
	}
	mname = cli_market_name(&cm);
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_sigint;
	sa.sa_flags = SA_RESTART | SA_RESETHAND;
	sigemptyset(&sa.sa_mask);
	stop = 0;
	sigaction(SIGINT, &sa, &old_sa);
	rc = bt_run_market(cfg, &cm.m, o->from, o->to, tty ? progress_cb : NULL, &t0, &stop, &r,
			   &e);
	sigaction(SIGINT, &old_sa, NULL);
	if (tty)
		fputs("\r\033[K", stderr);
	if (rc) {
		cli_error(e.what, "%s", e.why);
		bt_release(&r);
		cli_market_close(&cm);
		return EXIT_RUNTIME;
	}
	if (!r.sessions) {
		cli_no_session("backtest", r.skipped, stop, o->from, o->to);
		bt_release(&r);
		cli_market_close(&cm);
		return stop ? 130 : EXIT_RUNTIME;
	}
	sb_init(&text, 256u << 20);
	sb_init(&json, 256u << 20);
	sb_init(&html, 256u << 20);
	if (bt_an_init(&x, &r.pf, err)) {
		cli_error("analytics", "%s", err);
		rc = EXIT_RUNTIME;
		goto out;
	}
	header_text(&r, mname, stop, o, &text);
	in.pf = &r.pf;
	in.cfg = cfg;
	in.provider = mname;
	in.color = !o->json && !o->out && cli_use_color(1);
	in.title = "BACKTEST REPORT";
	in.series = &x.s;
	in.an = &x.a;
	in.an_seed = BT_BOOT_SEED;
	report_summary_text(&in, &text);
	report_analytics_text(&in, &text);
	jo = result_json(&r, &x, cfg, mname, o);
	js = jo ? json_dumps(jo, JSON_INDENT(2) | JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(17))
		: NULL;
	json_decref(jo);
	if (!js) {
		cli_error("backtest", "the JSON cannot be formatted");
		rc = EXIT_RUNTIME;
		goto out;
	}
	sb_addf(&json, "%s\n", js);
	if (o->html) {
		if (html_page(&r, &x, cfg, mname, o, &html)) {
			rc = EXIT_RUNTIME;
			goto out;
		}
		if (cli_write_atomic(o->html, sb_str(&html), html.len, err)) {
			cli_error("--html", "%s", err);
			rc = EXIT_RUNTIME;
			goto out;
		}
	}
	if (o->out && write_out(o->out, &r, &x, sb_str(&text), sb_str(&json))) {
		rc = EXIT_RUNTIME;
		goto out;
	}
	fputs(o->json ? sb_str(&json) : sb_str(&text), stdout);
	if (stop) {
		char d[DATE_BUFSZ];

		fprintf(stderr, "papertrade: backtest interrupted after %s (%d sessions)\n",
			date_fmt(r.pf.last_session, d), r.sessions);
		rc = 130;
	}
out:
	free(js);
	sb_release(&text);
	sb_release(&json);
	sb_release(&html);
	bt_an_release(&x);
	bt_release(&r);
	cli_market_close(&cm);
	return rc;
}

int cmd_backtest(struct cli_ctx *ctx, int argc, char **argv)
{
	static const struct option opts[] = {
		{"from", required_argument, NULL, 'f'},	    {"to", required_argument, NULL, 't'},
		{"provider", required_argument, NULL, 'P'}, {"set", required_argument, NULL, 's'},
		{"json", no_argument, NULL, 'j'},	    {"out", required_argument, NULL, 'o'},
		{"html", required_argument, NULL, 'H'},	    {"quiet", no_argument, NULL, 'q'},
		{"help", no_argument, NULL, 'h'},	    {NULL, 0, NULL, 0},
	};
	char *sets[CLI_MAX_SETS];
	size_t nsets = 0;
	struct bt_opts o = {0};
	struct config cfg;
	int c;

	while ((c = getopt_long(argc, argv, ":hq", opts, NULL)) != -1) {
		switch (c) {
		case 'f':
			if (cli_parse_date("--from", optarg, &o.from))
				return EXIT_USAGE;
			break;
		case 't':
			if (cli_parse_date("--to", optarg, &o.to))
				return EXIT_USAGE;
			break;
		case 'j':
			o.json = 1;
			break;
		case 'o':
			o.out = optarg;
			break;
		case 'H':
			o.html = optarg;
			break;
		case 'q':
			o.quiet = 1;
			break;
		case 's':
		case 'P':
			if (cli_add_set(sets, &nsets, optarg, c == 'P'))
				return EXIT_USAGE;
			break;
		case 'h':
			return cli_usage(usage, 0);
		case ':':
			cli_error("backtest", "option '%s' needs a value", argv[optind - 1]);
			return EXIT_USAGE;
		default:
			cli_error("backtest",
				  "unknown option '%s' (see papertrade backtest --help)",
				  argv[optind - 1]);
			return EXIT_USAGE;
		}
	}
	if (optind < argc) {
		cli_error("backtest", "unexpected argument '%s'", argv[optind]);
		return EXIT_USAGE;
	}
	if (!o.from) {
		cli_error("backtest", "--from is required (see papertrade backtest --help)");
		return EXIT_USAGE;
	}
	if (cli_replay_range(&o.from, &o.to))
		return EXIT_USAGE;
	if (cli_load_config(ctx, &cfg, sets, nsets))
		return EXIT_USAGE;
	o.fit.asked_from = o.from;
	o.fit.asked_to = o.to;
	if (!strcmp(cfg.provider, "history")) {
		struct config *one = &cfg;

		if ((c = cli_history_fit(ctx, "backtest", &one, NULL, 1, &o.from, &o.to, &o.fit)))
			return c;
		cli_fit_say("backtest", &o.fit);
	}
	return run_backtest(ctx, &cfg, &o);
}
