/*
 * backtest.c - `papertrade backtest`: sessions from..to replayed in memory
 * through the daily run's session step (src/backtest.h) on a portfolio of
 * the backtest's own; the home's portfolio and database are never touched
 * (its papertrade.ini is read, as by every command). Prints the report, or
 * JSON, and writes the results as files with --out.
 */
#include <errno.h>
#include <getopt.h>
#include <jansson.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli.h"
#include "../backtest.h"
#include "../brief/brief.h"
#include "../market/calendar.h"
#include "../market/provider.h"
#include "../report/report.h"
#include "../util/date.h"
#include "../util/util.h"

#define MAX_SETS 64

static const char usage[] =
	"usage: papertrade backtest --from D1 [--to D2] [--provider NAME] [--set KEY=VALUE ...]\n"
	"                           [--json] [--out DIR] [-q]\n"
	"\n"
	"Replays every session from D1 to D2 (inclusive) through the same session\n"
	"step and engine the daily run uses, in memory, on a new portfolio of\n"
	"initial_capital: the home's portfolio and database are never read or\n"
	"changed (its papertrade.ini is, as by every command). A backtest over the\n"
	"same dates as a series of daily runs makes the same trades and the same\n"
	"ledger to the cent.\n"
	"\n"
	"  --from D       first session (YYYY-MM-DD)\n"
	"  --to D         last session (default: the last one before today)\n"
	"  --provider P   the market: sim (default), or what the config names\n"
	"  --set K=V      override a configuration key (repeatable)\n"
	"  --json         one JSON object: backtest, equity, summary, trades\n"
	"  --out DIR      also write report.txt, report.json, equity.csv, trades.csv,\n"
	"                 ledger.csv and portfolio_data.json (the brief's format)\n"
	"                 into DIR (made when missing)\n"
	"  -q, --quiet    no progress line\n"
	"  -h, --help     this help\n"
	"\n"
	"A progress line (sessions done, sessions/s, time left) is shown on a\n"
	"terminal; Ctrl-C stops the replay and reports the sessions run so far.\n";

static volatile int stop;

static void on_sigint(int sig)
{
	(void)sig;
	stop = 1;
}

struct bt_opts {
	int from, to, json, quiet;
	const char *out;
};

static void progress_cb(int done, int total, void *arg)
{
	cli_progress(done, total, *(const double *)arg);
}

/* "1234.56" (or "-0.05") of cents: exact. */
static char *cents_str(int64_t c, char *buf, size_t n)
{
	unsigned long long a = c < 0 ? 0ULL - (unsigned long long)c : (unsigned long long)c;

	snprintf(buf, n, "%s%llu.%02llu", c < 0 ? "-" : "", a / 100, a % 100);
	return buf;
}

/* A CSV field: quoted when it holds a comma, quote or line break. */
static void csv_field(struct sbuf *sb, const char *s)
{
	if (!strpbrk(s, ",\"\r\n")) {
		sb_addf(sb, "%s", s);
		return;
	}
	sb_add(sb, "\"", 1);
	for (; *s; s++) {
		if (*s == '"')
			sb_add(sb, "\"", 1);
		sb_add(sb, s, 1);
	}
	sb_add(sb, "\"", 1);
}

static void equity_csv(const struct portfolio *pf, struct sbuf *sb)
{
	char d[DATE_BUFSZ], a[32], b[32], c[32], m[32], k[32];
	size_t i, j;
	int64_t peak = 0;

	sb_addf(sb, "date,value,cash,positions,margin,call,drawdown");
	for (j = 0; j < pf->n_bench; j++)
		sb_addf(sb, ",%s", pf->bench[j].ticker);
	sb_addf(sb, "\n");
	for (i = 0; i < pf->n_snaps; i++) {
		const struct snapshot *s = &pf->snaps[i];

		peak = s->value_cents > peak ? s->value_cents : peak;
		sb_addf(sb, "%s,%s,%s,%s,%s,%s,%.6f", date_fmt(s->session, d),
			cents_str(s->value_cents, a, sizeof(a)),
			cents_str(s->cash_cents, b, sizeof(b)),
			cents_str(s->positions_cents, c, sizeof(c)),
			cents_str(s->margin_cents, m, sizeof(m)),
			cents_str(s->call_cents, k, sizeof(k)),
			peak > 0 ? (double)s->value_cents / (double)peak - 1.0 : 0.0);
		for (j = 0; j < pf->n_bench; j++)
			sb_addf(sb, ",%s",
				cents_str(pf->snap_bench[i * pf->n_bench + j], a, sizeof(a)));
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
			cents_str(p->credit_cents + p->close_cents, a, sizeof(a)));
	}
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
		csv_field(sb, l->memo);
		sb_addf(sb, "\n");
	}
}

/* The JSON object of --json (and report.json). NULL when the JSON library fails. */
static json_t *result_json(const struct bt_result *r, const struct config *cfg,
			   const char *provider)
{
	struct report_in in = {0};
	struct sbuf sb;
	json_t *o, *bt, *calls, *eq, *dates, *vals, *dd, *summary, *trades;
	char d[DATE_BUFSZ];
	int64_t peak = 0;
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
	if (!summary || !trades) {
		json_decref(summary);
		json_decref(trades);
		return NULL;
	}
	calls = json_array();
	for (i = 0; i < r->n_calls; i++)
		json_array_append_new(calls, json_pack("{s:s, s:f, s:I}", "session",
						       date_fmt(r->calls[i].session, d), "call",
						       (double)r->calls[i].call_cents / 100.0,
						       "forced", (json_int_t)r->calls[i].n_forced));
	bt = json_object();
	json_object_set_new(bt, "from", json_string(date_fmt(r->from, d)));
	json_object_set_new(bt, "to", json_string(date_fmt(r->to, d)));
	json_object_set_new(bt, "first_session", json_string(date_fmt(r->pf.start, d)));
	json_object_set_new(bt, "last_session", json_string(date_fmt(r->pf.last_session, d)));
	json_object_set_new(bt, "sessions", json_integer(r->sessions));
	json_object_set_new(bt, "provider", json_string(provider));
	json_object_set_new(bt, "seconds", json_real(r->seconds));
	json_object_set_new(bt, "sessions_per_second",
			    json_real(r->seconds > 0 ? r->sessions / r->seconds : 0.0));
	json_object_set_new(bt, "trades", json_integer((json_int_t)r->n_trades));
	json_object_set_new(bt, "settled", json_integer((json_int_t)r->n_settled));
	json_object_set_new(bt, "option_quotes", json_integer((json_int_t)r->options_quoted));
	json_object_set_new(bt, "margin_calls", calls);
	dates = json_array();
	vals = json_array();
	dd = json_array();
	for (i = 0; i < r->pf.n_snaps; i++) {
		const struct snapshot *s = &r->pf.snaps[i];

		peak = s->value_cents > peak ? s->value_cents : peak;
		json_array_append_new(dates, json_string(date_fmt(s->session, d)));
		json_array_append_new(vals, json_real((double)s->value_cents / 100.0));
		json_array_append_new(
			dd,
			json_real(peak > 0 ? (double)s->value_cents / (double)peak - 1.0 : 0.0));
	}
	eq = json_pack("{s:o, s:o, s:o}", "dates", dates, "value", vals, "drawdown", dd);
	o = json_pack("{s:o, s:o, s:o, s:o}", "backtest", bt, "equity", eq, "summary", summary,
		      "trades", trades);
	return o;
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

static int write_out(const char *dir, const struct bt_result *r, const char *text, const char *json)
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
	equity_csv(&r->pf, &sb);
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
			struct sbuf *sb)
{
	char d1[DATE_BUFSZ], d2[DATE_BUFSZ];
	int last = r->pf.last_session ? r->pf.last_session : r->from;

	sb_addf(sb,
		"BACKTEST %s..%s on %s: %d session%s in %.2f s (%.0f sessions/s, %lld option "
		"quotes)%s\n",
		date_fmt(r->pf.start ? r->pf.start : r->from, d1), date_fmt(last, d2), provider,
		r->sessions, r->sessions == 1 ? "" : "s", r->seconds,
		r->seconds > 0 ? r->sessions / r->seconds : 0.0, (long long)r->options_quoted,
		interrupted ? " (interrupted)" : "");
	sb_addf(sb,
		"Trades filled: %zu | Settled at expiry: %zu | Sessions with a margin call: "
		"%zu\n",
		r->n_trades, r->n_settled, r->n_calls);
}

static int run_backtest(const struct config *cfg, const struct bt_opts *o)
{
	struct sigaction sa, old_sa;
	struct session_err e;
	struct bt_result r;
	struct provider *prov;
	struct report_in in = {0};
	struct sbuf text, json;
	char err[PT_ERRSZ], *js = NULL;
	double t0 = cli_mono();
	int tty = !o->quiet && !o->json && isatty(STDERR_FILENO), rc;
	json_t *jo;

	if (!(prov = provider_new(cfg, NULL, err))) {
		cli_error("provider", "%s", err);
		return EXIT_RUNTIME;
	}
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_sigint;
	sa.sa_flags = SA_RESTART | SA_RESETHAND;
	sigemptyset(&sa.sa_mask);
	stop = 0;
	sigaction(SIGINT, &sa, &old_sa);
	rc = bt_run(cfg, prov, o->from, o->to, tty ? progress_cb : NULL, &t0, &stop, &r, &e);
	sigaction(SIGINT, &old_sa, NULL);
	if (tty)
		fputs("\r\033[K", stderr);
	if (rc) {
		cli_error(e.what, "%s", e.why);
		bt_release(&r);
		provider_free(prov);
		return EXIT_RUNTIME;
	}
	if (!r.sessions) {
		cli_error("backtest", "no session ran%s", stop ? " (interrupted)" : "");
		bt_release(&r);
		provider_free(prov);
		return stop ? 130 : EXIT_RUNTIME;
	}
	sb_init(&text, 256u << 20);
	sb_init(&json, 256u << 20);
	header_text(&r, provider_name(prov), stop, &text);
	in.pf = &r.pf;
	in.cfg = cfg;
	in.provider = provider_name(prov);
	in.color = !o->json && !o->out && cli_use_color(1);
	report_summary_text(&in, &text);
	jo = result_json(&r, cfg, provider_name(prov));
	js = jo ? json_dumps(jo, JSON_INDENT(2) | JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(17))
		: NULL;
	json_decref(jo);
	if (!js) {
		cli_error("backtest", "the JSON cannot be formatted");
		rc = EXIT_RUNTIME;
		goto out;
	}
	sb_addf(&json, "%s\n", js);
	if (o->out && write_out(o->out, &r, sb_str(&text), sb_str(&json))) {
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
	bt_release(&r);
	provider_free(prov);
	return rc;
}

int cmd_backtest(struct cli_ctx *ctx, int argc, char **argv)
{
	static const struct option opts[] = {
		{"from", required_argument, NULL, 'f'},
		{"to", required_argument, NULL, 't'},
		{"provider", required_argument, NULL, 'P'},
		{"set", required_argument, NULL, 's'},
		{"json", no_argument, NULL, 'j'},
		{"out", required_argument, NULL, 'o'},
		{"quiet", no_argument, NULL, 'q'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	char *sets[MAX_SETS];
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
		case 'q':
			o.quiet = 1;
			break;
		case 's':
		case 'P':
			if (nsets == MAX_SETS) {
				cli_error("--set", "more than %d overrides", MAX_SETS);
				return EXIT_USAGE;
			}
			sets[nsets++] = c == 's' ? optarg : cli_provider_pair(optarg);
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
	return run_backtest(&cfg, &o);
}
