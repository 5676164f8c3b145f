/*
 * run.c - `papertrade run` and `papertrade scan`: DESIGN.md §1 end to end.
 * For each session: calendar check, one store transaction (load, market
 * view, engine_step, identity check, save, commit), then the report. A
 * session already stored is not run again; a holiday is success.
 * `scan` is the same day as a dry run, printing every contract looked at.
 */
#include <getopt.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "../book/book.h"
#include "../config.h"
#include "../engine.h"
#include "../market/calendar.h"
#include "../market/http.h"
#include "../market/provider.h"
#include "../report/report.h"
#include "../sched/sched.h"
#include "../store/store.h"
#include "../strategy/strategy.h"
#include "../util/date.h"
#include "../util/util.h"

#define MAX_SETS 64

static const char run_usage[] =
	"usage: papertrade run [--date D | --from D [--to D]] [--if-due] [--json] [--provider NAME]\n"
	"                      [--set key=value]...\n"
	"\n"
	"Runs the daily job for one NYSE session: settles expired options, marks\n"
	"open positions, scans the option chains, sells the calls the strategy\n"
	"picks, books every cash flow and prints the report. Creates the portfolio\n"
	"on first use.\n"
	"\n"
	"  --date D        run session D (YYYY-MM-DD); default: today in New York\n"
	"  --from D        run every session from D to today (or --to), catching up\n"
	"  --to D          last session for --from\n"
	"  --if-due        run today's session only if it is a session, it is past\n"
	"                  run_at New York time, and it has not run yet (for schedulers:\n"
	"                  call it as often as you like; see papertrade schedule); the\n"
	"                  report is printed only when it runs\n"
	"  --json          print the report as JSON\n"
	"  --set key=value override a configuration key for this run\n"
	"  --provider NAME the market data: sim, yahoo, cboe (or a list, tried in\n"
	"                  order per ticker), or tape to replay the session's tape\n"
	"  -q, --quiet     no progress lines on stderr\n"
	"  -h, --help      this help\n"
	"\n"
	"Each session is one transaction: it is stored whole or not at all. A\n"
	"session already run is not run again (its stored report is printed), and\n"
	"--from skips sessions before the portfolio's last run; if a session fails,\n"
	"the catch-up stops there, keeping the sessions before it. Without --date,\n"
	"today's session is not run before run_at New York time. A market holiday\n"
	"is not an error. Exit status: 0 success, 1 runtime failure, 2 bad usage.\n";

static const char scan_usage[] =
	"usage: papertrade scan [--date D] [--all] [--json] [--set key=value]...\n"
	"\n"
	"Shows, for every ticker, every call the strategy looked at on a session\n"
	"with its bid, ask, volume, our IV, the vendor's IV, HV, theoretical value\n"
	"and edge, and the first rule it failed, or that it qualified and why it\n"
	"was or was not traded. Changes nothing.\n"
	"\n"
	"  --date D        the session (default: today in New York)\n"
	"  --all           also list calls outside the moneyness range\n"
	"  --json          machine-readable output\n"
	"  --set key=value override a configuration key\n"
	"  --provider NAME sim, yahoo, cboe, a list, or tape (the session's tape)\n"
	"  -h, --help      this help\n";

/* First day of history the view must hold: enough for HV, for the closes of
 * unsettled expirations and for dividends not yet processed. */
static int history_from(const struct portfolio *pf, const struct config *cfg, int session)
{
	int from = session - (int)(cfg->hv_window * 7 / 4) - 30;
	size_t i;

	for (i = 0; i < pf->n_pos; i++)
		if (!pf->pos[i].closed && pf->pos[i].right != 'S' && pf->pos[i].expiry - 5 < from)
			from = pf->pos[i].expiry - 5;
	if (pf->events_through && pf->events_through - 5 < from)
		from = pf->events_through - 5;
	return from;
}

/* Tickers the view needs: configured, benchmarks and held, without repeats. */
static size_t view_tickers(const struct portfolio *pf, const struct config *cfg, const char **out,
			   size_t cap)
{
	size_t n = 0, i, j;
	const char *cand;

	for (i = 0; i < cfg->n_tickers + pf->n_bench + pf->n_pos; i++) {
		if (i < cfg->n_tickers)
			cand = cfg->tickers[i];
		else if (i < cfg->n_tickers + pf->n_bench)
			cand = pf->bench[i - cfg->n_tickers].ticker;
		else if (!pf->pos[i - cfg->n_tickers - pf->n_bench].closed)
			cand = pf->pos[i - cfg->n_tickers - pf->n_bench].ticker;
		else
			continue;
		for (j = 0; j < n && strcmp(out[j], cand) != 0; j++)
			;
		if (j == n && n < cap)
			out[n++] = cand;
	}
	return n;
}

/* "--provider NAME" as the pair "provider=NAME" (kept for the process's life). */
static char *provider_pair(const char *name)
{
	static char buf[4][80];
	static int k;
	char *b = buf[k++ % 4];

	snprintf(b, sizeof(buf[0]), "provider=%s", name);
	return b;
}

/* The expirations of open positions: the provider must quote them. Caller frees. */
static struct provider_want *wants(const struct portfolio *pf, size_t *n)
{
	struct provider_want *w = xcalloc(pf->n_pos + 1, sizeof(*w));
	size_t i;

	*n = 0;
	for (i = 0; i < pf->n_pos; i++) {
		if (pf->pos[i].closed || pf->pos[i].right == 'S')
			continue;
		pt_strlcpy(w[*n].ticker, pf->pos[i].ticker, sizeof(w[*n].ticker));
		w[(*n)++].expiry = pf->pos[i].expiry;
	}
	return w;
}

/* The provider request of a session: as of now for today's session (live
 * sources quote the present); the sim dates its own as-of time. */
static void make_req(struct provider_req *req, const struct portfolio *pf,
		     const struct config *cfg, int session, int64_t asof, const char *const *tick,
		     size_t nt, const struct provider_want *want, size_t n_want)
{
	memset(req, 0, sizeof(*req));
	req->session = session;
	req->asof = asof;
	req->tickers = tick;
	req->n = nt;
	req->hist_from = history_from(pf, cfg, session);
	req->target_dte = cfg->target_dte;
	req->want = want;
	req->n_want = n_want;
}

struct run_opts {
	int json, quiet, color;
	int catchup;		/* --from: sessions before the last run are skipped */
	int sched;		/* --if-due or serve: a session already run is not due */
	int64_t now;		/* the as-of moment of today's session (Unix time) */
	const char *provider;
};

/* What run_session did, for the caller to say. */
enum sess_status {
	SESS_FAILED,		/* error printed; msg holds it */
	SESS_RAN,		/* a new run was stored */
	SESS_HAD,		/* the session had run already */
	SESS_BEHIND,		/* before the portfolio's last run: skipped */
};

struct sess_out {
	enum sess_status status;
	int last;		/* the portfolio's last session (SESS_BEHIND) */
	char msg[2 * PT_ERRSZ];	/* one line: what happened, or the error */
};

/* Prints an error the usual way ("papertrade: what: why") and keeps it, as
 * one line "what: why", in msg. */
static void __attribute__((format(printf, 4, 5)))
fail(char *msg, size_t n, const char *what, const char *fmt, ...)
{
	char why[PT_ERRSZ * 2];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(why, sizeof(why), fmt, ap);
	va_end(ap);
	cli_error(what, "%s", why);
	snprintf(msg, n, "%s: %s", what, why);
}

static int capital_noted;

/* Where a run's market data comes from: one provider for the command, or,
 * for provider "tape", one per session built from that session's tape. */
struct run_market {
	struct provider *prov;		/* NULL when replaying tapes */
	struct tape record;		/* the live responses of the session being run */
	int replay;
};

/* The provider of a session: the command's, or one replaying its tape. */
static struct provider *session_provider(const struct cli_ctx *ctx, struct store *st,
					 const struct config *cfg, struct run_market *m,
					 int session, struct tape *replay,
					 struct store_tape_info *ti, char *err)
{
	struct provider_env env = {0};

	if (!m->replay) {
		tape_release(&m->record);
		tape_init(&m->record);
		return m->prov;
	}
	if (store_load_tape(st, session, replay, ti, err))
		return NULL;
	env.home = ctx->home;
	env.replay = replay;
	env.replay_sources = ti->sources;
	return provider_new(cfg, &env, err);
}

/* Prints the stored report of a session that already ran. */
static void print_stored(struct store *st, int session, const struct run_opts *o)
{
	char *text = NULL, *json = NULL, err[PT_ERRSZ];

	if (!store_get_report(st, session, &text, &json, err))
		fputs(o->json ? (json ? json : "") : (text ? text : ""), stdout);
	free(text);
	free(json);
}

/* Runs one session. Returns 0 (ran, or nothing to do), 1 on failure (the
 * error printed). so->status says which and so->msg says it in one line
 * (for the caller to print: nothing here but notes is). The portfolio is
 * reloaded inside the transaction so two processes cannot both trade a
 * session. */
static int run_session(const struct cli_ctx *ctx, struct store *st, struct run_market *m,
		       const struct config *cfg, int session, const struct run_opts *o,
		       struct sbuf *text, struct sbuf *json, struct sess_out *so)
{
	struct provider *prov = NULL;
	struct tape replay;
	struct store_tape_info ti = {0};
	char err[PT_ERRSZ], d[DATE_BUFSZ], d2[DATE_BUFSZ];
	const char *tick[CFG_MAX_TICKERS * 3];
	struct portfolio pf;
	struct market_view v;
	struct engine_day day;
	struct report_in in;
	int has = 0, rc = 1, created = 0;
	size_t nt, n_want = 0;
	struct provider_want *want = NULL;
	struct provider_req req;
	char *msg = so->msg;
	size_t msgsz = sizeof(so->msg);

	so->status = SESS_FAILED;
	so->last = 0;
	msg[0] = '\0';
	tape_init(&replay);
	book_init(&pf, 0);
	memset(&v, 0, sizeof(v));
	memset(&day, 0, sizeof(day));
	date_fmt(session, d);
	if (store_begin(st, err)) {
		fail(msg, msgsz, "run", "%s", err);
		goto out_release;
	}
	if (store_has_run(st, session, &has, err)) {
		fail(msg, msgsz, "run", "%s", err);
		goto out;
	}
	if (has) {
		snprintf(msg, msgsz, "%s already ran; nothing to do", d);
		if (!o->catchup && !o->sched)
			print_stored(st, session, o);
		so->status = SESS_HAD;
		rc = 0;
		goto out;
	}
	if (cli_load_or_create(st, cfg, &pf, &created, err)) {
		fail(msg, msgsz, "store", "%s", err);
		goto out;
	}
	if (pf.initial_cents != cfg->initial_capital_cents && !o->quiet && !capital_noted++)
		fprintf(stderr, "papertrade: note: initial_capital is %.2f in the config but the "
				"portfolio started with %.2f; the portfolio's is used\n",
			(double)cfg->initial_capital_cents / 100.0, (double)pf.initial_cents / 100.0);
	if (session < pf.last_session) {
		so->last = pf.last_session;
		if (o->catchup || o->sched) {
			/* A scheduler whose clock is behind the store: not due. */
			snprintf(msg, msgsz, "not due: the portfolio has run up to %s, after %s",
				 date_fmt(pf.last_session, d2), d);
			so->status = SESS_BEHIND;
			rc = 0;
			goto out;
		}
		fail(msg, msgsz, "run", "session %s is before the last run (%s); runs go forward in time",
		     d, date_fmt(pf.last_session, d2));
		goto out;
	}
	nt = view_tickers(&pf, cfg, tick, PT_ARRAY_SIZE(tick));
	want = wants(&pf, &n_want);
	make_req(&req, &pf, cfg, session, o->now, tick, nt, want, n_want);
	prov = session_provider(ctx, st, cfg, m, session, &replay, &ti, err);
	if (!prov) {
		fail(msg, msgsz, d, "%s", err);
		goto out;
	}
	if (m->replay)
		req.asof = ti.asof;
	if (provider_load(prov, &req, &v, err)) {
		fail(msg, msgsz, d, "%s", err);
		goto out;
	}
	if (engine_step(&pf, &v, cfg, &day, err)) {
		fail(msg, msgsz, d, "%s", err);
		goto out;
	}
	if (book_check(&pf, err)) {
		fail(msg, msgsz, d, "ledger identity broken, nothing saved: %s", err);
		goto out;
	}
	memset(&in, 0, sizeof(in));
	in.pf = &pf;
	in.day = &day;
	in.cfg = cfg;
	in.provider = provider_name(prov);
	in.color = o->color;
	sb_release(text);
	sb_release(json);
	report_run_text(&in, text);
	report_summary_text(&in, text);
	if (report_json(&in, json)) {
		fail(msg, msgsz, d, "cannot format the JSON report");
		goto out;
	}
	/* The live responses go in the same transaction as the run they made. */
	if (!m->replay && m->record.n &&
	    store_save_tape(st, session, v.asof, provider_name(prov), &m->record, err)) {
		fail(msg, msgsz, d, "%s", err);
		goto out;
	}
	if (store_save_run(st, &pf, session, provider_name(prov), sb_str(text), sb_str(json), err) ||
	    store_commit(st, err)) {
		fail(msg, msgsz, d, "%s", err);
		goto out;
	}
	so->status = SESS_RAN;
	rc = 0;
	if (created && !o->quiet)
		fprintf(stderr, "papertrade: created a portfolio of %.2f in %s\n",
			(double)pf.initial_cents / 100.0, ctx->home);
	snprintf(msg, msgsz, "%s ran: %zu settled, %zu traded, value %.2f", d, day.n_settled,
		 day.n_trades, (double)day.snap.value_cents / 100.0);
out:
	if (so->status != SESS_RAN)
		store_rollback(st);
out_release:
	if (m->replay)
		provider_free(prov);
	tape_release(&replay);
	free(want);
	engine_day_release(&day);
	mv_release(&v);
	book_release(&pf);
	return rc;
}

/* Sets up where a run's market data comes from (the home made first, for
 * the live sources' caches and tapes). 0, or -1 with the error printed and
 * in msg. market_release() either way. */
static int market_setup(const struct cli_ctx *ctx, const struct config *cfg, struct run_market *m,
			char *msg, size_t msgsz)
{
	struct provider_env env = {0};
	char err[PT_ERRSZ];

	memset(m, 0, sizeof(*m));
	tape_init(&m->record);
	m->replay = strcmp(cfg->provider, "tape") == 0;
	if (m->replay)
		return 0;
	env.home = ctx->home;
	env.record = &m->record;
	if (cli_make_home(ctx, err)) {
		fail(msg, msgsz, "home", "%s", err);
		return -1;
	}
	m->prov = provider_new(cfg, &env, err);
	if (!m->prov) {
		fail(msg, msgsz, "provider", "%s", err);
		return -1;
	}
	return 0;
}

static void market_release(struct run_market *m)
{
	provider_free(m->prov);
	m->prov = NULL;
	tape_release(&m->record);
}

/* Why day has no session: the holiday's name, "weekend" or "no session". */
static const char *closed_reason(int day)
{
	const char *h = cal_holiday_name(day);
	int wd = date_weekday(day);

	return h ? h : wd == 0 || wd == 6 ? "weekend" : "no session";
}

/* The message of a run asked for before today's run_at. */
static void not_due_text(const struct config *cfg, char *buf, size_t n)
{
	snprintf(buf, n, "not due: today's run is at %02d:%02d New York (run --date to run it now)",
		 cfg->run_at_min / 60, cfg->run_at_min % 60);
}

/* " (next run YYYY-MM-DD HH:MM New York)" for a decision time, or "". */
static const char *next_note(int64_t next, char *buf, size_t n)
{
	char d[DATE_BUFSZ];
	int day, sec;

	if (!next)
		return "";
	cal_epoch_to_ny(next, &day, &sec);
	snprintf(buf, n, " (next run %s %02d:%02d New York)", date_fmt(day, d), sec / 3600,
		 sec / 60 % 60);
	return buf;
}

/* What a scheduled run did. */
enum due_what {
	DUE_CLOSED,	/* today is not a session */
	DUE_EARLY,	/* before today's run_at */
	DUE_DONE,	/* today already ran (or the store is ahead of the clock) */
	DUE_RAN,	/* today's session ran now */
	DUE_FAILED,	/* the run failed: the error printed and in msg */
};

/*
 * The scheduled run at o->now (run --if-due, cli_run_due): runs today's
 * session when sched_decide says it is due, through run_session like
 * `papertrade run`, in its own store connection. A new run's report is
 * left in text/json. One line in msg; *next is the next decision point (0
 * when none), now + CLI_SCHED_RETRY after a failure.
 */
static enum due_what due_run(const struct cli_ctx *ctx, const struct config *cfg,
			     const struct run_opts *o, struct sbuf *text, struct sbuf *json,
			     int64_t *next, char *msg, size_t msgsz)
{
	struct sched_decision dec;
	struct run_market m;
	struct store *st = NULL;
	struct sess_out so = {0};
	char d[DATE_BUFSZ], note[64], err[PT_ERRSZ];
	enum due_what what = DUE_FAILED;
	int has = 0, rc;

	*next = 0;
	rc = sched_decide(o->now, cfg->run_at_min, 0, &dec);
	date_fmt(dec.today, d);
	if (rc) {
		fail(msg, msgsz, "today", "%s is outside the supported years %d-%d", d,
		     CAL_FIRST_YEAR, CAL_LAST_YEAR);
		return DUE_FAILED;
	}
	if (!dec.due) {
		*next = dec.next;
		if (cal_is_session(dec.today)) {
			not_due_text(cfg, msg, msgsz);
			return DUE_EARLY;
		}
		snprintf(msg, msgsz, "%s: market closed (%s); nothing to do%s", d,
			 closed_reason(dec.today), next_note(*next, note, sizeof(note)));
		return DUE_CLOSED;
	}
	/* Due by the clock: has it run? Asked outside any transaction first,
	 * so the checks every few minutes after the run take no write lock. */
	if (cli_open_store(ctx, 1, &st)) {
		snprintf(msg, msgsz, "store: cannot open the database in %s", ctx->home);
		*next = o->now + CLI_SCHED_RETRY;
		return DUE_FAILED;
	}
	if (store_has_run(st, dec.due, &has, err)) {
		fail(msg, msgsz, "store", "%s", err);
		*next = o->now + CLI_SCHED_RETRY;
		store_close(st);
		return DUE_FAILED;
	}
	if (has) {
		sched_decide(o->now, cfg->run_at_min, dec.due, &dec);
		*next = dec.next;
		snprintf(msg, msgsz, "%s already ran; nothing to do%s", d,
			 next_note(*next, note, sizeof(note)));
		store_close(st);
		return DUE_DONE;
	}
	if (market_setup(ctx, cfg, &m, msg, msgsz)) {
		*next = o->now + CLI_SCHED_RETRY;
		goto out;
	}
	if (run_session(ctx, st, &m, cfg, dec.due, o, text, json, &so)) {
		*next = o->now + CLI_SCHED_RETRY;
		pt_strlcpy(msg, so.msg, msgsz);
		goto out;
	}
	sched_decide(o->now, cfg->run_at_min, so.status == SESS_BEHIND ? so.last : dec.due, &dec);
	*next = dec.next;
	what = so.status == SESS_RAN ? DUE_RAN : DUE_DONE;
	snprintf(msg, msgsz, "%s%s", so.msg,
		 so.status == SESS_RAN ? "" : next_note(*next, note, sizeof(note)));
out:
	market_release(&m);
	store_close(st);
	return what;
}

int cli_run_due(const struct cli_ctx *ctx, int64_t now, int quiet, int64_t *next, char *msg,
		size_t msgsz)
{
	struct run_opts o = {0};
	struct config cfg;
	struct sbuf text, json;
	enum due_what what;
	int64_t nx = 0;

	if (next)
		*next = now + CLI_SCHED_RETRY;
	if (cli_load_config(ctx, &cfg, NULL, 0)) {
		snprintf(msg, msgsz, "config: the configuration of %s has an error (printed above)",
			 ctx->home);
		return EXIT_RUNTIME;
	}
	o.quiet = quiet;
	o.sched = 1;
	o.now = now;
	o.provider = cfg.provider;
	sb_init(&text, 16u << 20);
	sb_init(&json, 16u << 20);
	what = due_run(ctx, &cfg, &o, &text, &json, &nx, msg, msgsz);
	sb_release(&text);
	sb_release(&json);
	if (next)
		*next = nx;
	if (what != DUE_FAILED && !quiet)
		fprintf(stderr, "papertrade: %s\n", msg);
	return what == DUE_FAILED ? EXIT_RUNTIME : 0;
}

static void closed_message(int day, const struct run_opts *o)
{
	if (o->quiet && !o->json)
		return;
	char d[DATE_BUFSZ];

	date_fmt(day, d);
	if (o->json)
		printf("{\"session\": \"%s\", \"market_open\": false}\n", d);
	if (!o->quiet)
		fprintf(stderr, "papertrade: %s: market closed (%s); nothing to do\n", d,
			closed_reason(day));
}

int cmd_run(struct cli_ctx *ctx, int argc, char **argv)
{
	static const struct option opts[] = {
		{"date", required_argument, NULL, 'd'}, {"from", required_argument, NULL, 'f'},
		{"to", required_argument, NULL, 't'},	{"if-due", no_argument, NULL, 'i'},
		{"json", no_argument, NULL, 'j'},	{"set", required_argument, NULL, 's'},
		{"quiet", no_argument, NULL, 'q'},	{"help", no_argument, NULL, 'h'},
		{"provider", required_argument, NULL, 'P'},
		{NULL, 0, NULL, 0},
	};
	char *sets[MAX_SETS];
	size_t nsets = 0;
	int date = 0, from = 0, to = 0, if_due = 0, plain, today, minute, c, s, rc = 0, any = 0;
	struct run_opts o = {0};
	struct config cfg;
	struct store *st = NULL;
	struct run_market m;
	struct sbuf text, json;
	char err[PT_ERRSZ], d[DATE_BUFSZ];

	while ((c = getopt_long(argc, argv, "hq", opts, NULL)) != -1) {
		switch (c) {
		case 'd':
			if (cli_parse_date("--date", optarg, &date))
				return EXIT_USAGE;
			break;
		case 'f':
			if (cli_parse_date("--from", optarg, &from))
				return EXIT_USAGE;
			break;
		case 't':
			if (cli_parse_date("--to", optarg, &to))
				return EXIT_USAGE;
			break;
		case 'i':
			if_due = 1;
			break;
		case 'j':
			o.json = 1;
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
			sets[nsets++] = c == 's' ? optarg : provider_pair(optarg);
			break;
		case 'h':
			return cli_usage(run_usage, 0);
		default:
			cli_error("run", "unknown or incomplete option '%s' (see papertrade run --help)",
				  argv[optind - 1]);
			return EXIT_USAGE;
		}
	}
	if (optind < argc) {
		cli_error("run", "unexpected argument '%s'", argv[optind]);
		return EXIT_USAGE;
	}
	if ((date && from) || (to && !from) || (if_due && (date || from))) {
		cli_error("run", "use one of --date, --from [--to] or --if-due");
		return EXIT_USAGE;
	}
	if (cli_now_ny(&today, &minute))
		return EXIT_USAGE;
	if (!to)
		to = today;
	if (from && from > to) {
		cli_error("--from", "%s is after --to %s", date_fmt(from, d), date_fmt(to, err));
		return EXIT_USAGE;
	}
	if ((date && date > today) || (from && to > today)) {
		cli_error(date ? "--date" : "--to", "%s is in the future (today in New York is %s)",
			  date_fmt(date ? date : to, d), date_fmt(today, err));
		return EXIT_USAGE;
	}
	plain = !date && !from;
	if (plain)
		date = today;
	if (!cal_in_range(from ? from : date) || !cal_in_range(to)) {
		cli_error(from ? "--from" : plain ? "today" : "--date",
			  "%s is outside the supported years %d-%d",
			  date_fmt(from ? from : date, d), CAL_FIRST_YEAR, CAL_LAST_YEAR);
		return EXIT_USAGE;
	}
	if (cli_load_config(ctx, &cfg, sets, nsets))
		return EXIT_USAGE;
	o.color = !o.json && cli_use_color(1);
	o.provider = cfg.provider;
	o.now = cli_now_epoch();
	sb_init(&text, 16u << 20);
	sb_init(&json, 16u << 20);
	if (if_due) {
		char msg[2 * PT_ERRSZ];
		int64_t next;
		enum due_what w;

		o.sched = 1;
		w = due_run(ctx, &cfg, &o, &text, &json, &next, msg, sizeof(msg));
		if (w == DUE_RAN)
			fputs(o.json ? sb_str(&json) : sb_str(&text), stdout);
		else if (w == DUE_CLOSED && o.json)
			printf("{\"session\": \"%s\", \"market_open\": false}\n", date_fmt(today, d));
		if (w != DUE_FAILED && !o.quiet)
			fprintf(stderr, "papertrade: %s\n", msg);
		rc = w == DUE_FAILED ? EXIT_RUNTIME : 0;
		goto out_buf;
	}
	/* A catch-up to today leaves today alone until its run time. */
	if (from && to == today && minute < cfg.run_at_min)
		to = cal_prev_session(today);

	if (!from && !cal_is_session(date)) {
		closed_message(date, &o);
		goto out_buf;
	}
	if (plain && minute < cfg.run_at_min) {
		if (!o.quiet) {
			not_due_text(&cfg, err, sizeof(err));
			fprintf(stderr, "papertrade: %s\n", err);
		}
		goto out_buf;
	}
	if (market_setup(ctx, &cfg, &m, err, sizeof(err))) {
		rc = EXIT_RUNTIME;
		goto out_market;
	}
	if (cli_open_store(ctx, 1, &st)) {
		rc = EXIT_RUNTIME;
		goto out_market;
	}
	o.catchup = from != 0;
	for (s = from ? (cal_is_session(from) ? from : cal_next_session(from)) : date;
	     s > 0 && s <= (from ? to : date); s = cal_next_session(s)) {
		struct sess_out so = {0};

		if (run_session(ctx, st, &m, &cfg, s, &o, &text, &json, &so)) {
			rc = EXIT_RUNTIME;
			break;
		}
		if (!o.quiet && so.status != SESS_BEHIND)
			fprintf(stderr, "papertrade: %s\n", so.msg);
		any |= so.status == SESS_RAN;
	}
	if (any)
		fputs(o.json ? sb_str(&json) : sb_str(&text), stdout);
	store_close(st);
out_market:
	market_release(&m);
out_buf:
	sb_release(&text);
	sb_release(&json);
	return rc;
}

int cmd_scan(struct cli_ctx *ctx, int argc, char **argv)
{
	static const struct option opts[] = {
		{"date", required_argument, NULL, 'd'}, {"all", no_argument, NULL, 'a'},
		{"json", no_argument, NULL, 'j'},	{"set", required_argument, NULL, 's'},
		{"help", no_argument, NULL, 'h'},	{"provider", required_argument, NULL, 'P'},
		{NULL, 0, NULL, 0},
	};
	char *sets[MAX_SETS];
	size_t nsets = 0, nt, n_want = 0;
	struct provider_want *want = NULL;
	struct provider_req req;
	struct provider_env env = {0};
	struct tape replay;
	struct store_tape_info ti;
	int date = 0, all = 0, json = 0, today, minute, c, rc = EXIT_RUNTIME;
	struct config cfg;
	struct store *st = NULL;
	struct portfolio pf, dry;
	struct provider *prov = NULL;
	struct market_view v;
	struct engine_day day;
	struct report_in in;
	struct sbuf out;
	const char *tick[CFG_MAX_TICKERS * 3];
	char err[PT_ERRSZ], d[DATE_BUFSZ];

	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (c) {
		case 'd':
			if (cli_parse_date("--date", optarg, &date))
				return EXIT_USAGE;
			break;
		case 'a':
			all = 1;
			break;
		case 'j':
			json = 1;
			break;
		case 's':
		case 'P':
			if (nsets == MAX_SETS) {
				cli_error("--set", "more than %d overrides", MAX_SETS);
				return EXIT_USAGE;
			}
			sets[nsets++] = c == 's' ? optarg : provider_pair(optarg);
			break;
		case 'h':
			return cli_usage(scan_usage, 0);
		default:
			cli_error("scan", "unknown or incomplete option '%s' (see papertrade scan --help)",
				  argv[optind - 1]);
			return EXIT_USAGE;
		}
	}
	if (optind < argc) {
		cli_error("scan", "unexpected argument '%s'", argv[optind]);
		return EXIT_USAGE;
	}
	if (cli_now_ny(&today, &minute))
		return EXIT_USAGE;
	if (!date)
		date = today;
	if (date > today) {
		cli_error("--date", "%s is in the future", date_fmt(date, d));
		return EXIT_USAGE;
	}
	if (!cal_in_range(date)) {
		cli_error("--date", "%s is outside the supported years %d-%d", date_fmt(date, d),
			  CAL_FIRST_YEAR, CAL_LAST_YEAR);
		return EXIT_USAGE;
	}
	if (cli_load_config(ctx, &cfg, sets, nsets))
		return EXIT_USAGE;
	if (!cal_is_session(date)) {
		struct run_opts o = {.json = json};
		closed_message(date, &o);
		return 0;
	}
	memset(&v, 0, sizeof(v));
	memset(&day, 0, sizeof(day));
	book_init(&pf, cfg.initial_capital_cents);
	book_init(&dry, 0);
	sb_init(&out, 64u << 20);
	tape_init(&replay);
	/* Scan against the stored portfolio when there is one, else a fresh one. */
	if (access(ctx->home, F_OK) == 0) {
		char db[4096];
		if (!cli_home_file(ctx, "papertrade.db", db, sizeof(db)) && access(db, F_OK) == 0) {
			int lrc;
			if (cli_open_store(ctx, 0, &st))
				goto out;
			book_release(&pf);
			book_init(&pf, 0);
			lrc = store_load(st, &pf, err);
			if (lrc == PT_ENOENT) { /* a home whose first run failed */
				book_release(&pf);
				book_init(&pf, cfg.initial_capital_cents);
			} else if (lrc) {
				cli_error("store", "%s", err);
				goto out;
			}
		}
	}
	/* A session already run is scanned as if it were next: from a fresh book
	 * with the same capital, so the contract list is the same as the run's. */
	if (date <= pf.last_session) {
		int64_t cap = pf.initial_cents;
		fprintf(stderr, "papertrade: %s already ran; scanning it as a fresh portfolio would "
				"('papertrade report' shows what was traded)\n", date_fmt(date, d));
		book_release(&pf);
		book_init(&pf, cap);
	}
	env.home = ctx->home;
	if (strcmp(cfg.provider, "tape") == 0) {
		if (!st) {
			cli_error("scan", "no portfolio in %s, so no tapes", ctx->home);
			goto out;
		}
		if (store_load_tape(st, date, &replay, &ti, err)) {
			cli_error("scan", "%s", err);
			goto out;
		}
		env.replay = &replay;
		env.replay_sources = ti.sources;
	}
	prov = provider_new(&cfg, &env, err);
	if (!prov) {
		cli_error("provider", "%s", err);
		goto out;
	}
	nt = view_tickers(&pf, &cfg, tick, PT_ARRAY_SIZE(tick));
	want = wants(&pf, &n_want);
	make_req(&req, &pf, &cfg, date, cli_now_epoch(), tick, nt, want, n_want);
	if (env.replay)
		req.asof = ti.asof;
	if (provider_load(prov, &req, &v, err)) {
		cli_error(date_fmt(date, d), "%s", err);
		goto out;
	}
	book_copy(&dry, &pf);
	if (engine_step(&dry, &v, &cfg, &day, err)) {
		/* The day could not run (a first session missing a price): still
		 * show what the strategy sees for every ticker. */
		size_t i;

		fprintf(stderr, "papertrade: note: %s\n", err);
		engine_day_release(&day);
		sb_init(&day.notes, 1);
		day.session = date;
		day.asof = v.asof;
		day.scans = xcalloc(cfg.n_tickers, sizeof(*day.scans));
		day.n_scans = cfg.n_tickers;
		for (i = 0; i < cfg.n_tickers; i++) {
			const struct ticker_view *tv = mv_ticker(&v, cfg.tickers[i]);
			if (tv) {
				volarb_scan(tv, &v, &cfg, &day.scans[i]);
			} else {
				day.scans[i].best = -1;
				pt_strlcpy(day.scans[i].symbol, cfg.tickers[i], sizeof(day.scans[i].symbol));
				snprintf(day.scans[i].skip, sizeof(day.scans[i].skip), "not in the market view");
			}
		}
	}
	memset(&in, 0, sizeof(in));
	in.pf = &dry;
	in.day = &day;
	in.cfg = &cfg;
	in.provider = provider_name(prov);
	in.color = !json && cli_use_color(1);
	if (json) {
		if (report_scan_json(&in, &out))
			goto out;
	} else {
		report_scan_text(&in, all, &out);
	}
	fputs(sb_str(&out), stdout);
	rc = 0;
out:
	free(want);
	sb_release(&out);
	engine_day_release(&day);
	mv_release(&v);
	book_release(&dry);
	book_release(&pf);
	provider_free(prov);
	tape_release(&replay);
	store_close(st);
	return rc;
}
