/*
 * doctor.c - `papertrade doctor`: everything a home folder holds, checked
 * in one go, one line a check (ok, warn or FAIL) with what to do. The first
 * thing to run when something seems wrong (README, Troubleshooting). It
 * reads and never writes: no network, no run, no repair; --test-notify
 * sends one message through the configured channels.
 */
#include <getopt.h>
#include <jansson.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cli.h"
#include "../book/book.h"
#include "../market/calendar.h"
#include "../notify/notify.h"
#include "../runlog.h"
#include "../sched/sched.h"
#include "../store/store.h"
#include "../tape/tape.h"
#include "../util/date.h"
#include "../util/util.h"

static const char usage[] =
	"usage: papertrade doctor [--json] [--test-notify]\n"
	"\n"
	"Checks the home folder and says, one line each, what is ok, what is worth\n"
	"a look (warn) and what is broken (FAIL), with what to do:\n"
	"\n"
	"  home      the folder exists and only you can write to it\n"
	"  config    papertrade.ini and PAPERTRADE_* read without error\n"
	"  database  papertrade.db opens; PRAGMA integrity_check (every page and\n"
	"            index) and foreign_key_check pass; its schema and size\n"
	"  ledger    the portfolio loads and the ledger identities hold\n"
	"  reports   every run's stored report reads back\n"
	"  tapes     every stored response of live runs decompresses and checks\n"
	"  runs.log  the last run attempt, and whether it failed\n"
	"  schedule  whether today's session is due and has not run\n"
	"  notify    the channels configured; the SMTP password is found and\n"
	"            safe (it is never printed)\n"
	"\n"
	"It reaches no network and changes nothing.\n"
	"\n"
	"  --json         one JSON object: ok, failures, warnings, checks\n"
	"  --test-notify  also send a test message through every configured\n"
	"                 channel (email, notify_command), whatever notify_on says\n"
	"  -h, --help     this help\n"
	"\n"
	"Exit status: 0 when nothing failed (warnings allowed), 1 when a check\n"
	"failed, 2 for bad flags.\n";

enum level { OK, WARN, FAIL };

struct doctor {
	int json, color;
	json_t *checks;
	int failures, warnings;
};

static void say(struct doctor *d, enum level lv, const char *check, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

static void say(struct doctor *d, enum level lv, const char *check, const char *fmt, ...)
{
	static const char *const word[] = {"ok", "warn", "FAIL"};
	static const char *const paint[] = {"\033[32m", "\033[33m", "\033[1;31m"};
	char msg[2 * PT_ERRSZ];
	va_list ap;
	size_t i;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	for (i = 0; msg[i]; i++) /* one line a check, whatever an error held */
		if (msg[i] == '\n' || msg[i] == '\r')
			msg[i] = ' ';
	d->failures += lv == FAIL;
	d->warnings += lv == WARN;
	if (d->json) {
		json_t *m = json_string(msg);

		json_array_append_new(d->checks,
				      json_pack("{s:s, s:s, s:o}", "check", check, "status",
						lv == OK     ? "ok"
						: lv == WARN ? "warn"
							     : "fail",
						"message",
						m ? m : json_string("(unprintable message)")));
		return;
	}
	if (d->color)
		printf("%s%-4s\033[0m  %-8s  %s\n", paint[lv], word[lv], check, msg);
	else
		printf("%-4s  %-8s  %s\n", word[lv], check, msg);
}

static void fmt_size(int64_t bytes, char *buf, size_t n)
{
	if (bytes >= 1000000)
		snprintf(buf, n, "%.1f MB", (double)bytes / 1e6);
	else if (bytes >= 1000)
		snprintf(buf, n, "%.1f kB", (double)bytes / 1e3);
	else
		snprintf(buf, n, "%lld bytes", (long long)bytes);
}

/* "YYYY-MM-DD HH:MM" New York of Unix time t. */
static char *fmt_ny(int64_t t, char *buf, size_t n)
{
	char d[DATE_BUFSZ];
	int day, sec;

	cal_epoch_to_ny(t, &day, &sec);
	snprintf(buf, n, "%s %02d:%02d", date_fmt(day, d), sec / 3600, sec / 60 % 60);
	return buf;
}

/* home: exists, is a folder, is not writable by others. 0 to go on. */
static int check_home(struct doctor *d, const struct cli_ctx *ctx)
{
	struct stat sb;

	if (stat(ctx->home, &sb) != 0) {
		say(d, FAIL, "home",
		    "%s: no such folder; 'papertrade init' (or 'papertrade run') "
		    "makes it",
		    ctx->home);
		return -1;
	}
	if (!S_ISDIR(sb.st_mode)) {
		say(d, FAIL, "home", "%s: not a folder", ctx->home);
		return -1;
	}
	if (sb.st_mode & 022)
		say(d, WARN, "home", "%s: others can write to it (mode %03o; chmod go-w it)",
		    ctx->home, (unsigned)(sb.st_mode & 0777));
	else
		say(d, OK, "home", "%s", ctx->home);
	return 0;
}

/* config: the file and the environment load. 0 when cfg can be trusted. */
static int check_config(struct doctor *d, const struct cli_ctx *ctx, struct config *cfg)
{
	char path[PATH_MAX], err[PT_ERRSZ];
	struct stat sb;
	int have;

	config_defaults(cfg);
	if (cli_home_file(ctx, "papertrade.ini", path, sizeof(path))) {
		say(d, FAIL, "config", "home folder path too long");
		return -1;
	}
	have = stat(path, &sb) == 0;
	if (config_load_file(cfg, path, err) || config_load_env(cfg, err)) {
		say(d, FAIL, "config", "%s", err);
		return -1;
	}
	if (cfg->moved[0])
		say(d, WARN, "config", "%.*s", (int)strcspn(cfg->moved, "\n"), cfg->moved);
	else
		say(d, OK, "config", "%s: provider %s, run at %02d:%02d New York",
		    have ? "papertrade.ini" : "no papertrade.ini (the defaults)", cfg->provider,
		    cfg->run_at_min / 60, cfg->run_at_min % 60);
	return 0;
}

/* database: opens, passes the whole-file checks. The store into *out;
 * 0 when *stats was read. */
static int check_database(struct doctor *d, const struct cli_ctx *ctx, struct store **out,
			  struct store_stats *stats)
{
	char path[PATH_MAX], err[PT_ERRSZ], size[32];
	struct store *st = NULL;
	struct stat sb;
	int bad;

	*out = NULL;
	if (cli_home_file(ctx, "papertrade.db", path, sizeof(path))) {
		say(d, FAIL, "database", "home folder path too long");
		return -1;
	}
	if (stat(path, &sb) != 0) {
		say(d, FAIL, "database", "no papertrade.db in %s; 'papertrade init' makes it",
		    ctx->home);
		return -1;
	}
	if (store_open(path, 0, &st, err)) {
		say(d, FAIL, "database", "%s", err);
		return -1;
	}
	*out = st;
	if ((bad = store_check(st, 1, err)))
		say(d, FAIL, "database",
		    "%s (restore a backup; 'papertrade export' may still "
		    "save the portfolio)",
		    err);
	if (store_stats(st, stats, err)) {
		say(d, FAIL, bad ? "reports" : "database", "%s", err);
		return -1;
	}
	if (bad)
		return 0; /* the corruption said it */
	fmt_size(stats->bytes, size, sizeof(size));
	if (stats->fk_violations)
		say(d, FAIL, "database",
		    "papertrade.db: %zu row%s point%s at rows that do not "
		    "exist (PRAGMA foreign_key_check)",
		    stats->fk_violations, stats->fk_violations == 1 ? "" : "s",
		    stats->fk_violations == 1 ? "s" : "");
	else
		say(d, OK, "database",
		    "papertrade.db: %s, schema %d, integrity and foreign keys ok", size,
		    stats->schema);
	return 0;
}

/* ledger: the portfolio loads (store_load checks the identities). */
static int check_ledger(struct doctor *d, struct store *st, struct portfolio *pf)
{
	char err[PT_ERRSZ], day[DATE_BUFSZ], cash[32];
	size_t i, open = 0;
	int rc = store_load(st, pf, err);

	if (rc == PT_ENOENT) {
		say(d, WARN, "ledger", "no account yet; 'papertrade run' opens it");
		return -1;
	}
	if (rc) {
		say(d, FAIL, "ledger", "%s", err);
		return -1;
	}
	for (i = 0; i < pf->n_pos; i++)
		open += !pf->pos[i].closed;
	if (!pf->last_session) {
		say(d, OK, "ledger", "no session run yet, capital %s",
		    pt_fmt_money(cash, sizeof(cash), pf->initial_cents));
		return 0;
	}
	say(d, OK, "ledger", "%zu session%s, the last %s; %zu open position%s; identities hold",
	    pf->n_snaps, pf->n_snaps == 1 ? "" : "s", date_fmt(pf->last_session, day), open,
	    open == 1 ? "" : "s");
	return 0;
}

static void check_reports(struct doctor *d, const struct store_stats *stats)
{
	char day[DATE_BUFSZ];

	if (stats->bad_runs)
		say(d, FAIL, "reports",
		    "%zu of %zu stored reports do not read back, the first of %s", stats->bad_runs,
		    stats->runs,
		    stats->first_bad_run ? date_fmt(stats->first_bad_run, day) : "(undated)");
	else
		say(d, OK, "reports", "%zu stored report%s read back", stats->runs,
		    stats->runs == 1 ? "" : "s");
}

static void check_tapes(struct doctor *d, struct store *st)
{
	struct store_tape_info *t, info;
	char err[PT_ERRSZ], first[PT_ERRSZ + DATE_BUFSZ + 4] = "", day[DATE_BUFSZ];
	struct tape tape;
	size_t n, i, bad = 0;

	if (store_list_tapes(st, &t, &n, err)) {
		say(d, FAIL, "tapes", "%s", err);
		return;
	}
	for (i = 0; i < n; i++) {
		if (store_load_tape(st, t[i].session, &tape, &info, err)) {
			if (!bad++)
				snprintf(first, sizeof(first), "%s: %s",
					 date_fmt(t[i].session, day), err);
			continue;
		}
		tape_release(&tape);
	}
	free(t);
	if (bad)
		say(d, FAIL, "tapes",
		    "%zu of %zu tapes fail verification ('papertrade tape "
		    "verify' lists them); the first, %s",
		    bad, n, first);
	else if (!n)
		say(d, OK, "tapes", "none (only runs on live data record tapes)");
	else
		say(d, OK, "tapes", "%zu tape%s verified", n, n == 1 ? "" : "s");
}

static void check_runlog(struct doctor *d, const struct cli_ctx *ctx)
{
	struct runlog_entry e;
	char err[PT_ERRSZ], at[32], day[DATE_BUFSZ];
	int rc = runlog_last(ctx->home, &e, err);

	if (rc == PT_ENOENT) {
		say(d, OK, "runs.log", "no run attempt logged yet");
		return;
	}
	if (rc) {
		say(d, WARN, "runs.log", "%s", err);
		return;
	}
	fmt_ny(e.at, at, sizeof(at));
	if (e.ok)
		say(d, OK, "runs.log", "the last attempt (%s, %s New York) ran %s", e.trigger, at,
		    e.session ? date_fmt(e.session, day) : "");
	else
		say(d, WARN, "runs.log", "the last attempt (%s, %s New York) failed: %s", e.trigger,
		    at, e.message);
}

static void check_schedule(struct doctor *d, const struct config *cfg, int last_session)
{
	struct sched_decision dec;
	char day[DATE_BUFSZ], next[32];

	if (sched_decide(cli_now_epoch(), cfg->run_at_min, last_session, &dec)) {
		say(d, WARN, "schedule", "today is outside the calendar's years (%d-%d)",
		    CAL_FIRST_YEAR, CAL_LAST_YEAR);
		return;
	}
	if (dec.due)
		say(d, WARN, "schedule",
		    "the session of %s was due at %02d:%02d New York and has "
		    "not run ('papertrade run --if-due' runs it)",
		    date_fmt(dec.due, day), cfg->run_at_min / 60, cfg->run_at_min % 60);
	else if (dec.next)
		say(d, OK, "schedule", "nothing due; the next run is %s New York",
		    fmt_ny(dec.next, next, sizeof(next)));
	else
		say(d, OK, "schedule", "nothing due; no session left in the calendar");
}

static void check_notify(struct doctor *d, const struct config *cfg)
{
	char pw[512], err[PT_ERRSZ], what[2 * PT_ERRSZ] = "";
	size_t len = 0;
	int rc;

	if (!cfg->smtp_url[0] && !cfg->notify_command[0]) {
		say(d, OK, "notify", "off (no smtp_url, no notify_command)");
		return;
	}
	if (cfg->smtp_url[0] && cfg->smtp_username[0]) {
		rc = notify_password(cfg, pw, sizeof(pw), err);
		explicit_bzero(pw, sizeof(pw));
		if (rc == PT_ENOENT) {
			say(d, FAIL, "notify",
			    "smtp_username is set but there is no password "
			    "(smtp_password_file or PAPERTRADE_SMTP_PASSWORD)");
			return;
		}
		if (rc) {
			say(d, FAIL, "notify", "%s", err);
			return;
		}
	}
	if (cfg->smtp_url[0])
		len += (size_t)snprintf(what + len, sizeof(what) - len, "email to %s through %s%s",
					cfg->smtp_to, cfg->smtp_url,
					!cfg->smtp_username[0] ? " (no login)"
					: cfg->smtp_password_file[0]
						? ", password from its file"
						: ", password from the environment");
	if (cfg->notify_command[0] && len < sizeof(what))
		snprintf(what + len, sizeof(what) - len, "%snotify_command '%.*s'", len ? "; " : "",
			 (int)strcspn(cfg->notify_command, " \t"), cfg->notify_command);
	if (cfg->notify_on == NOTIFY_NEVER)
		say(d, WARN, "notify", "notify_on = never, so nothing is sent: %s", what);
	else
		say(d, OK, "notify", "%s, %s",
		    cfg->notify_on == NOTIFY_ALWAYS ? "every run" : "failures only", what);
}

static void test_notify(struct doctor *d, const struct config *cfg, const struct cli_ctx *ctx)
{
	char err[2 * PT_ERRSZ], text[PATH_MAX + 200], *js;
	struct notify_msg m;
	struct config c = *cfg;
	json_t *o;

	if (!c.smtp_url[0] && !c.notify_command[0]) {
		say(d, FAIL, "test",
		    "nothing to send through: set smtp_url or notify_command in "
		    "[notify]");
		return;
	}
	c.notify_on = NOTIFY_ALWAYS;
	snprintf(text, sizeof(text),
		 "This is a test message from 'papertrade doctor --test-notify' for the home\n"
		 "%s. Reports of daily runs come this way.\n",
		 ctx->home);
	o = json_pack("{s:b, s:b, s:s}", "ok", 1, "test", 1, "home", ctx->home);
	js = o ? json_dumps(o, JSON_COMPACT) : NULL;
	json_decref(o);
	m.ok = 1;
	m.subject = "papertrade: test notification";
	m.text = text;
	m.json = js ? js : "{\"ok\": true, \"test\": true}";
	if (notify_send(&c, &m, err))
		say(d, FAIL, "test", "%s", err);
	else
		say(d, OK, "test", "a test message went out through every configured channel");
	free(js);
}

int cmd_doctor(struct cli_ctx *ctx, int argc, char **argv)
{
	static const struct option opts[] = {
		{"json", no_argument, NULL, 'j'},
		{"test-notify", no_argument, NULL, 't'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	struct doctor d = {0};
	struct store_stats stats;
	struct store *st = NULL;
	struct portfolio pf;
	struct config cfg;
	int c, test = 0, cfg_ok, have_pf = 0, stats_ok;

	while ((c = getopt_long(argc, argv, ":h", opts, NULL)) != -1) {
		switch (c) {
		case 'j':
			d.json = 1;
			break;
		case 't':
			test = 1;
			break;
		case 'h':
			return cli_usage(usage, 0);
		case ':':
			cli_error("doctor", "option '%s' needs a value", argv[optind - 1]);
			return EXIT_USAGE;
		default:
			cli_error("doctor", "unknown option '%s' (see papertrade doctor --help)",
				  argv[optind - 1]);
			return EXIT_USAGE;
		}
	}
	if (optind < argc) {
		cli_error("doctor", "unexpected argument '%s'", argv[optind]);
		return EXIT_USAGE;
	}
	d.color = !d.json && cli_use_color(1);
	d.checks = json_array();
	memset(&stats, 0, sizeof(stats));
	if (check_home(&d, ctx) == 0) {
		cfg_ok = check_config(&d, ctx, &cfg) == 0;
		stats_ok = check_database(&d, ctx, &st, &stats) == 0;
		if (st) {
			book_init(&pf, 0);
			have_pf = check_ledger(&d, st, &pf) == 0;
			if (stats_ok)
				check_reports(&d, &stats);
			check_tapes(&d, st);
		}
		check_runlog(&d, ctx);
		if (cfg_ok) {
			if (have_pf)
				check_schedule(&d, &cfg, pf.last_session);
			check_notify(&d, &cfg);
			if (test)
				test_notify(&d, &cfg, ctx);
		}
		if (st)
			book_release(&pf);
		store_close(st);
	}
	if (d.json) {
		json_t *o = json_pack("{s:b, s:i, s:i, s:O}", "ok", !d.failures, "failures",
				      d.failures, "warnings", d.warnings, "checks", d.checks);
		char *s = o ? json_dumps(o, JSON_INDENT(2) | JSON_PRESERVE_ORDER) : NULL;

		if (s)
			printf("%s\n", s);
		free(s);
		json_decref(o);
	} else {
		printf("%d failed, %d warning%s\n", d.failures, d.warnings,
		       d.warnings == 1 ? "" : "s");
	}
	json_decref(d.checks);
	return d.failures ? EXIT_RUNTIME : 0;
}
