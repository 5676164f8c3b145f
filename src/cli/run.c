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
#include "../session.h"
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
	"open positions, scans the option chains, sells what each strategy picks\n"
	"(strategies in papertrade.ini: volarb's calls, csp's puts), books every\n"
	"cash flow and prints the report. Creates the portfolio on first use.\n"
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
	"Shows, for every strategy and ticker, every contract the strategy looked\n"
	"at on a session with its bid, ask, volume, our IV, the vendor's IV, HV,\n"
	"theoretical value and edge, and the first of the strategy's rules it\n"
	"failed, or that it qualified and why it was or was not traded. Changes\n"
	"nothing.\n"
	"\n"
	"  --date D        the session (default: today in New York)\n"
	"  --all           also list contracts outside the strategy's strikes\n"
	"  --json          machine-readable output\n"
	"  --set key=value override a configuration key\n"
	"  --provider NAME sim, yahoo, cboe, a list, or tape (the session's tape)\n"
	"  -h, --help      this help\n";

/* "--provider NAME" as the pair "provider=NAME" (kept for the process's life). */
static char *provider_pair(const char *name)
{
	static char buf[4][80];
	static int k;
	char *b = buf[k++ % 4];

	snprintf(b, sizeof(buf[0]), "provider=%s", name);
	return b;
}

struct run_opts {
	int json, quiet, color;
	int catchup;		/* --from: sessions before the last run are skipped */
	int64_t now;		/* the as-of moment of today's session (Unix time) */
};

static void print_err(const struct session_err *e)
{
	cli_error(e->what, "%s", e->why);
}

/* Prints the stored report of a session that already ran. */
static void print_stored(struct store *st, const struct config *cfg, int session,
			 const struct run_opts *o)
{
	struct sbuf out;
	char err[PT_ERRSZ];

	sb_init(&out, 64u << 20);
	if (!session_stored_report(st, cfg, session, o->json, &out, err))
		fputs(sb_str(&out), stdout);
	sb_release(&out);
}

/* The report of a run as the command prints it (colour when allowed). */
static void print_report(const struct session_result *r, const struct config *cfg,
			 const struct run_opts *o)
{
	struct sbuf out;

	sb_init(&out, 64u << 20);
	if (!session_report(r, cfg, o->json, !o->json && o->color, &out))
		fputs(sb_str(&out), stdout);
	sb_release(&out);
}

/* The notes a run prints on stderr unless quiet: a capital different from
 * the config's (once a process), a portfolio just created. */
static void run_notes(const struct cli_ctx *ctx, const struct config *cfg,
		      const struct session_result *r, int quiet)
{
	static int capital_noted;

	if (quiet || r->status == SESSION_HAD)
		return;
	if (r->pf.initial_cents != cfg->initial_capital_cents && !capital_noted++)
		fprintf(stderr, "papertrade: note: initial_capital is %.2f in the config but the "
				"portfolio started with %.2f; the portfolio's is used\n",
			(double)cfg->initial_capital_cents / 100.0, (double)r->pf.initial_cents / 100.0);
	if (r->status == SESSION_RAN && r->created)
		fprintf(stderr, "papertrade: created a portfolio of %.2f in %s\n",
			(double)r->pf.initial_cents / 100.0, ctx->home);
}

/* The --json answer of a day with no session. */
static void closed_json(int day)
{
	char d[DATE_BUFSZ];

	printf("{\"session\": \"%s\", \"market_open\": false}\n", date_fmt(day, d));
}

static void closed_message(int day, const struct run_opts *o)
{
	char d[DATE_BUFSZ];

	if (o->json)
		closed_json(day);
	if (!o->quiet)
		fprintf(stderr, "papertrade: %s: market closed (%s); nothing to do\n",
			date_fmt(day, d), session_closed_reason(day));
}

/* run --if-due: the scheduled run, its report printed only when it ran. */
static int run_if_due(const struct cli_ctx *ctx, const struct config *cfg,
		      const struct run_opts *o)
{
	struct session_due due;

	session_run_due(cfg, ctx->home, cli_open_home_store, (void *)ctx, o->now, &due);
	cli_log_due(ctx, cfg, "if-due", o->now, &due);
	if (due.err.what[0])
		print_err(&due.err);
	run_notes(ctx, cfg, &due.res, o->quiet);
	if (due.what == SESSION_DUE_RAN)
		print_report(&due.res, cfg, o);
	else if (due.what == SESSION_DUE_CLOSED && o->json)
		closed_json(due.today);
	if (due.what != SESSION_DUE_FAILED && !o->quiet)
		fprintf(stderr, "papertrade: %s\n", due.msg);
	session_due_release(&due);
	return due.what == SESSION_DUE_FAILED ? EXIT_RUNTIME : 0;
}

/* Runs sessions first..last in order (each one transaction); a failure
 * stops the catch-up there. Prints the last new run's report. */
static int run_sessions(const struct cli_ctx *ctx, const struct config *cfg, int first, int last,
			const struct run_opts *o)
{
	struct session_ctx sc;
	struct session_result r, shown;
	struct session_err e;
	struct store *st = NULL;
	char msg[2 * PT_ERRSZ], err[PT_ERRSZ], d[DATE_BUFSZ], d2[DATE_BUFSZ];
	int s, rc = 0;

	memset(&shown, 0, sizeof(shown));
	memset(&sc, 0, sizeof(sc));
	if (strcmp(cfg->provider, "tape") != 0 && cli_make_home(ctx, err)) {
		cli_error("home", "%s", err);
		return EXIT_RUNTIME;
	}
	if (session_ctx_init(&sc, cfg, ctx->home, NULL, &e)) {
		print_err(&e);
		rc = EXIT_RUNTIME;
		goto out;
	}
	if (cli_open_store(ctx, 1, &st)) {
		rc = EXIT_RUNTIME;
		goto out;
	}
	sc.st = st;
	for (s = cal_is_session(first) ? first : cal_next_session(first); s > 0 && s <= last;
	     s = cal_next_session(s)) {
		if (session_run(&sc, s, o->now, &r, &e)) {
			print_err(&e);
			session_result_release(&r);
			rc = EXIT_RUNTIME;
			break;
		}
		run_notes(ctx, cfg, &r, o->quiet);
		if (r.status == SESSION_BEHIND && !o->catchup) {
			cli_error("run", "session %s is before the last run (%s); runs go forward in time",
				  date_fmt(s, d), date_fmt(r.last, d2));
			session_result_release(&r);
			rc = EXIT_RUNTIME;
			break;
		}
		if (r.status == SESSION_HAD && !o->catchup)
			print_stored(st, cfg, s, o);
		session_outcome(&r, msg, sizeof(msg));
		if (!o->quiet && r.status != SESSION_BEHIND)
			fprintf(stderr, "papertrade: %s\n", msg);
		if (r.status == SESSION_RAN) {
			session_result_release(&shown);
			shown = r;
		} else {
			session_result_release(&r);
		}
	}
	if (shown.status == SESSION_RAN)
		print_report(&shown, cfg, o);
out:
	session_result_release(&shown);
	store_close(st);
	session_ctx_release(&sc);
	return rc;
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
	int date = 0, from = 0, to = 0, if_due = 0, plain, today, minute, c;
	struct run_opts o = {0};
	struct config cfg;
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
	o.now = cli_now_epoch();
	if (if_due)
		return run_if_due(ctx, &cfg, &o);
	/* A catch-up to today leaves today alone until its run time. */
	if (from && to == today && minute < cfg.run_at_min)
		to = cal_prev_session(today);
	if (!from && !cal_is_session(date)) {
		closed_message(date, &o);
		return 0;
	}
	if (plain && minute < cfg.run_at_min) {
		if (!o.quiet) {
			session_not_due_text(&cfg, err, sizeof(err));
			fprintf(stderr, "papertrade: %s\n", err);
		}
		return 0;
	}
	o.catchup = from != 0;
	return run_sessions(ctx, &cfg, from ? from : date, from ? to : date, &o);
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
	size_t nsets = 0;
	int date = 0, all = 0, json = 0, today, minute, c, rc = EXIT_RUNTIME;
	struct config cfg;
	struct store *st = NULL;
	struct portfolio pf, dry;
	struct session_ctx sc;
	struct session_err e;
	struct market_view v;
	struct engine_day day;
	struct report_in in;
	struct sbuf out;
	char err[PT_ERRSZ], d[DATE_BUFSZ], provider[64], note[PT_ERRSZ];

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
	memset(&sc, 0, sizeof(sc));
	book_init(&pf, cfg.initial_capital_cents);
	book_init(&dry, 0);
	sb_init(&out, 64u << 20);
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
	if (strcmp(cfg.provider, "tape") == 0 && !st) {
		cli_error("scan", "no portfolio in %s, so no tapes", ctx->home);
		goto out;
	}
	if (session_ctx_init(&sc, &cfg, ctx->home, st, &e) ||
	    session_scan(&sc, &pf, date, cli_now_epoch(), &dry, &v, &day, provider,
			 sizeof(provider), note, sizeof(note), &e)) {
		print_err(&e);
		goto out;
	}
	if (note[0])
		fprintf(stderr, "papertrade: note: %s\n", note);
	memset(&in, 0, sizeof(in));
	in.pf = &dry;
	in.day = &day;
	in.cfg = &cfg;
	in.provider = provider;
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
	sb_release(&out);
	engine_day_release(&day);
	mv_release(&v);
	book_release(&dry);
	book_release(&pf);
	session_ctx_release(&sc);
	store_close(st);
	return rc;
}
