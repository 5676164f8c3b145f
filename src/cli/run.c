/*
 * run.c - `papertrade run` and `papertrade scan`: DESIGN.md §1 end to end.
 * For each session: calendar check, one store transaction (load, market
 * view, engine_step, identity check, save, commit), then the report. A
 * session already stored is not run again; a holiday is success.
 * `scan` is the same day as a dry run, printing every contract looked at.
 */
#include <getopt.h>
#include <math.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"
#include "../book/book.h"
#include "../config.h"
#include "../engine.h"
#include "../market/calendar.h"
#include "../market/http.h"
#include "../market/provider.h"
#include "../report/report.h"
#include "../runlog.h"
#include "../session.h"
#include "../store/store.h"
#include "../strategy/strategy.h"
#include "../util/date.h"
#include "../util/util.h"

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
	"  -q, --quiet     no progress, notes or summary on stderr\n"
	"  -h, --help      this help\n"
	"\n"
	"Each session is one transaction: it is stored whole or not at all. A\n"
	"session already run is not run again (its stored report is printed), and\n"
	"--from skips sessions before the portfolio's last run, saying so in a line;\n"
	"if a session fails, the catch-up stops there, keeping the sessions before\n"
	"it. A catch-up ends with a summary line, and shows progress on a terminal;\n"
	"Ctrl-C lets the session under way finish, then stops and says how to\n"
	"resume (exit 130). Today's session is not run before run_at New York time:\n"
	"without --date it is not due yet, with --date it is refused. A market\n"
	"holiday is not an error. Exit status: 0 success, 1 runtime failure, 2 bad\n"
	"usage, 130 interrupted.\n";

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

struct run_opts {
	int json, quiet, color;
	int to_given;		/* --to was given (the resume hint repeats it) */
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
	static int capital_noted, synthetic_noted;

	if (quiet || r->status == SESSION_HAD)
		return;
	if (r->pf.initial_cents != cfg->initial_capital_cents && !capital_noted++)
		fprintf(stderr, "papertrade: note: initial_capital is %.2f in the config but the "
				"portfolio started with %.2f; the portfolio's is used\n",
			(double)cfg->initial_capital_cents / 100.0, (double)r->pf.initial_cents / 100.0);
	if (r->status == SESSION_RAN && r->created)
		fprintf(stderr, "papertrade: created a portfolio of %.2f in %s\n",
			(double)r->pf.initial_cents / 100.0, ctx->home);
	if (r->status == SESSION_RAN && !synthetic_noted) {
		for (size_t i = 0; i < r->day.n_scans; i++) {
			const struct scan_ticker *sc = &r->day.scans[i];
			if (sc->strat != cfg->strat[0] ||
			    !cli_sim_synthetic(sc->source, sc->symbol))
				continue;
			fprintf(stderr, "papertrade: note: %s: %s\n", sc->symbol,
				CLI_SYNTHETIC_WHY);
			synthetic_noted = 1;
		}
	}
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

/* Ctrl-C during a run: the session under way finishes (or rolls back on
 * its own), then the run stops and says how to resume. A second Ctrl-C
 * kills as usual (SA_RESETHAND). */
static volatile sig_atomic_t interrupted;

static void on_sigint(int sig)
{
	(void)sig;
	interrupted = 1;
}

/* The sessions in first..last (both sessions or not). */
static int count_sessions(int first, int last)
{
	int s, n = 0;

	for (s = cal_is_session(first) ? first : cal_next_session(first); s > 0 && s <= last;
	     s = cal_next_session(s))
		n++;
	return n;
}

/* A catch-up over sessions the portfolio already has: says in a few lines
 * what is skipped (sessions before its start, sessions that ran, sessions
 * of a gap before its last run) and returns the first session to run. */
static int skip_done(struct store *st, int first, int last, const struct run_opts *o)
{
	struct portfolio pf;
	char err[PT_ERRSZ], d1[DATE_BUFSZ], d2[DATE_BUFSZ];
	int s, upto, before = 0, ran = 0, gap = 0, ran_first = 0, ran_last = 0;
	size_t i = 0;

	book_init(&pf, 0);
	if (store_load(st, &pf, err) || !pf.last_session || first > pf.last_session) {
		book_release(&pf);
		return first;
	}
	upto = pf.last_session < last ? pf.last_session : last;
	for (s = cal_is_session(first) ? first : cal_next_session(first); s > 0 && s <= upto;
	     s = cal_next_session(s)) {
		while (i < pf.n_snaps && pf.snaps[i].session < s)
			i++;
		if (s < pf.start) {
			before++;
		} else if (i < pf.n_snaps && pf.snaps[i].session == s) {
			ran_first = ran_first ? ran_first : s;
			ran_last = s;
			ran++;
		} else {
			gap++;
		}
	}
	if (!o->quiet) {
		if (before)
			fprintf(stderr,
				"papertrade: --from %s is before the portfolio's start (%s): %d "
				"session%s before it skipped\n",
				date_fmt(first, d1), date_fmt(pf.start, d2), before,
				before == 1 ? "" : "s");
		if (gap)
			fprintf(stderr,
				"papertrade: %d session%s up to the last run (%s) never ran here: "
				"skipped, runs go forward in time\n",
				gap, gap == 1 ? "" : "s", date_fmt(pf.last_session, d1));
		if (ran)
			fprintf(stderr, "papertrade: %d session%s already ran (%s..%s)%s\n", ran,
				ran == 1 ? "" : "s", date_fmt(ran_first, d1),
				date_fmt(ran_last, d2),
				last <= pf.last_session ? "; nothing to do" : "");
	}
	s = cal_next_session(pf.last_session);
	book_release(&pf);
	return s;
}

/* A manual run's attempt in runs.log and the notifications cfg asks for:
 * when sessions ran (the last one's report), or when it failed (rc
 * EXIT_RUNTIME: outcome says why); an interrupted catch-up is logged, not
 * notified (the user is there); a run that found nothing to do, neither.
 * Only in a home that exists (a tape run does not make one). */
static void note_attempt(const struct cli_ctx *ctx, const struct config *cfg, int rc, int session,
			 const struct session_result *shown, const char *outcome)
{
	int64_t now = cli_now_epoch();
	struct stat sb;

	if (!outcome[0] || stat(ctx->home, &sb) != 0 || !S_ISDIR(sb.st_mode))
		return;
	runlog_note(ctx->home, "manual", now, session, rc == 0, outcome);
	if (rc == 0)
		cli_notify_run(cfg, "manual", now, session, shown, outcome);
	else if (rc == EXIT_RUNTIME)
		cli_notify_run(cfg, "manual", now, session, NULL, outcome);
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
	struct sigaction sa, old_sa;
	char msg[2 * PT_ERRSZ], err[PT_ERRSZ], d[DATE_BUFSZ], d2[DATE_BUFSZ], m[32];
	char outcome[RUNLOG_MSGSZ] = ""; /* the attempt's line in runs.log */
	int s = first, rc = 0, total = 0, done = 0, ran = 0, ran_first = 0, ran_last = 0, tty;
	size_t trades = 0, settled = 0;
	double t0 = cli_mono();

	memset(&shown, 0, sizeof(shown));
	memset(&sc, 0, sizeof(sc));
	if (strcmp(cfg->provider, "tape") != 0 && cli_make_home(ctx, err)) {
		cli_error("home", "%s", err);
		return EXIT_RUNTIME;
	}
	if (session_ctx_init(&sc, cfg, ctx->home, NULL, &e)) {
		print_err(&e);
		snprintf(outcome, sizeof(outcome), "%.30s: %.400s", e.what, e.why);
		rc = EXIT_RUNTIME;
		goto out;
	}
	if (cli_open_store(ctx, 1, &st)) {
		pt_strlcpy(outcome, "store: the database cannot be opened (said on stderr)",
			   sizeof(outcome));
		rc = EXIT_RUNTIME;
		goto out;
	}
	sc.st = st;
	if (o->catchup)
		first = skip_done(st, first, last, o);
	total = count_sessions(first, last);
	tty = o->catchup && !o->quiet && total > 1 && isatty(STDERR_FILENO);
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_sigint;
	sa.sa_flags = SA_RESTART | SA_RESETHAND;
	sigemptyset(&sa.sa_mask);
	interrupted = 0;
	if (o->catchup)
		sigaction(SIGINT, &sa, &old_sa);
	for (s = cal_is_session(first) ? first : cal_next_session(first); s > 0 && s <= last;
	     s = cal_next_session(s)) {
		if (interrupted)
			break;
		/* the last session's portfolio goes back to sc, which starts the
		 * next session from it; taken back for the report at the end */
		session_give_back(&sc, &shown);
		if (session_run(&sc, s, o->now, &r, &e)) {
			if (tty)
				fputs("\r\033[K", stderr);
			print_err(&e);
			snprintf(outcome, sizeof(outcome), "%.30s: %.400s", e.what, e.why);
			session_result_release(&r);
			rc = EXIT_RUNTIME;
			break;
		}
		done++;
		if (tty && r.status == SESSION_RAN &&
		    (r.created || r.pf.initial_cents != cfg->initial_capital_cents))
			fputs("\r\033[K", stderr); /* a note may follow */
		run_notes(ctx, cfg, &r, o->quiet);
		if (tty)
			cli_progress(done, total, t0);
		if (r.status == SESSION_BEHIND && !o->catchup) {
			snprintf(outcome, sizeof(outcome),
				 "run: session %s is before the last run (%s); runs go forward in time",
				 date_fmt(s, d), date_fmt(r.last, d2));
			cli_error("run", "%s", outcome + 5);
			session_result_release(&r);
			rc = EXIT_RUNTIME;
			break;
		}
		if (r.status == SESSION_HAD && !o->catchup)
			print_stored(st, cfg, s, o);
		session_outcome(&r, msg, sizeof(msg));
		if (!o->quiet && !o->catchup && r.status != SESSION_BEHIND)
			fprintf(stderr, "papertrade: %s\n", msg);
		if (r.status == SESSION_RAN) {
			ran++;
			ran_first = ran_first ? ran_first : s;
			ran_last = s;
			trades += r.day.n_trades;
			settled += r.day.n_settled;
			session_result_release(&shown);
			shown = r;
		} else {
			session_result_release(&r);
		}
	}
	if (o->catchup)
		sigaction(SIGINT, &old_sa, NULL);
	if (tty)
		fputs("\r\033[K", stderr);
	if (!rc && shown.status == SESSION_RAN && session_take_back(&sc, &shown, &e)) {
		print_err(&e);
		snprintf(outcome, sizeof(outcome), "%.30s: %.400s", e.what, e.why);
		rc = EXIT_RUNTIME;
		goto out;
	}
	if (o->catchup && ran) {
		snprintf(msg, sizeof(msg),
			 "ran %d session%s (%s..%s) in %.1f s: %zu traded, %zu settled, value %s",
			 ran, ran == 1 ? "" : "s", date_fmt(ran_first, d), date_fmt(ran_last, d2),
			 cli_mono() - t0, trades, settled,
			 pt_fmt_money(m, sizeof(m), shown.day.snap.value_cents));
		if (!o->quiet)
			fprintf(stderr, "papertrade: %s\n", msg);
	}
	if (ran && !rc)
		pt_strlcpy(outcome, msg, sizeof(outcome));
	if (interrupted && !rc && s > 0 && s <= last) {
		int next = s;
		if (ran_last)
			snprintf(outcome, sizeof(outcome), "interrupted: stopped after %s",
				 date_fmt(ran_last, d));
		else
			snprintf(outcome, sizeof(outcome), "interrupted: stopped before %s",
				 date_fmt(s, d));
		fprintf(stderr, "papertrade: %s", outcome);
		if (o->to_given)
			fprintf(stderr, "; resume with papertrade run --from %s --to %s\n",
				date_fmt(next, d), date_fmt(last, d2));
		else
			fprintf(stderr, "; resume with papertrade run --from %s\n",
				date_fmt(next, d));
		rc = 130;
		goto out;
	}
	if (shown.status == SESSION_RAN)
		print_report(&shown, cfg, o);
out:
	note_attempt(ctx, cfg, rc, rc ? s : ran_last, rc ? NULL : &shown, outcome);
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
	char *sets[CLI_MAX_SETS];
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
			o.to_given = 1;
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
			if (cli_add_set(sets, &nsets, optarg, c == 'P'))
				return EXIT_USAGE;
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
	/* Today's session as of now would trade on quotes stamped run_at, in
	 * the future: refused (a plain run says it is not due yet). */
	if (!plain && !from && date == today && minute < cfg.run_at_min) {
		cli_error("--date",
			  "today's session runs at %02d:%02d New York and it is %02d:%02d "
			  "there; run it then, or run --date %s (the last session)",
			  cfg.run_at_min / 60, cfg.run_at_min % 60, minute / 60, minute % 60,
			  date_fmt(cal_prev_session(today), d));
		return EXIT_USAGE;
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
	char *sets[CLI_MAX_SETS];
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
			if (cli_add_set(sets, &nsets, optarg, c == 'P'))
				return EXIT_USAGE;
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
