/*
 * serve.c - `papertrade serve` and `papertrade dashboard` (DESIGN.md §1, the
 * last box, shown on the web; erratum 6, the built-in scheduler).
 *
 * serve: parses the flags, refuses a non-loopback address without a token,
 * starts the web server (web/server.h) and a scheduler thread that runs the
 * daily job at run_at New York on each session (cli_run_due: sched/ says
 * when, session.c runs it), and
 * waits for SIGINT or SIGTERM to stop both cleanly.
 * dashboard: the same five API bodies inlined into one HTML file
 * (web/page.h), written atomically.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>

#include "cli.h"
#include "../runlog.h"
#include "../notify/notify.h"
#include "../util/date.h"
#include "../book/book.h"
#include "../market/calendar.h"
#include "../session.h"
#include "../store/store.h"
#include "../util/util.h"
#include "../web/api.h"
#include "../web/page.h"
#include "../web/server.h"

#define TOKEN_MAX 1024
/* The scheduler looks at the clock at least this often (seconds), so a
 * changed clock or a suspended machine cannot make it sleep through a run. */
#define SCHED_MAX_SLEEP 900

static const char serve_usage[] =
	"usage: papertrade serve [--listen HOST:PORT] [--assets-dir DIR] [--token-file F]\n"
	"                        [--no-scheduler]\n"
	"\n"
	"Serves the dashboard and its read-only JSON API (/api/summary, /api/positions,\n"
	"/api/trades, /api/snapshots, /api/health) and runs the daily job at run_at\n"
	"New York time on every NYSE session. Prints the address it listens on to\n"
	"stderr; stops cleanly on SIGINT or SIGTERM.\n"
	"\n"
	"  --listen HOST:PORT  address to listen on (default 127.0.0.1:8080; port 0\n"
	"                      picks a free one; [::1]:PORT for IPv6)\n"
	"  --assets-dir DIR    serve the page from DIR instead of the embedded copy\n"
	"  --token-file F      require the token on F's first line on /api/ (at least\n"
	"                      16 characters; the file readable by its owner only)\n"
	"                      (Authorization: Bearer TOKEN or ?token=TOKEN); F must\n"
	"                      not be readable by group or others. Default: the\n"
	"                      serve_token_file key. Required off loopback.\n"
	"  --no-scheduler      only serve; do not run the daily job\n"
	"  -h, --help          this help\n"
	"\n"
	"Exit status: 0 after SIGINT or SIGTERM, 1 on runtime failure, 2 on bad usage\n"
	"(a non-loopback address without a token included).\n";

static const char dashboard_usage[] =
	"usage: papertrade dashboard --out FILE [--json]\n"
	"\n"
	"Writes the dashboard as one self-contained HTML file: the page, its style,\n"
	"Chart.js and the script inlined with the portfolio's data, so it opens from\n"
	"disk with no server. The file is replaced atomically.\n"
	"\n"
	"  --out FILE   where to write it ('-' for stdout)\n"
	"  --json       write only the data the page shows, as one JSON object\n"
	"               {summary, snapshots, positions, trades, health}\n"
	"  -h, --help   this help\n";

/* "HOST:PORT", "[V6]:PORT" or ":PORT" into host (n bytes) and port. */
static int parse_listen(const char *arg, char *host, size_t n, unsigned *port)
{
	const char *colon, *h = arg;
	size_t hl;
	long p;

	if (arg[0] == '[') {
		const char *close = strchr(arg, ']');
		if (!close || close[1] != ':')
			return -1;
		h = arg + 1;
		hl = (size_t)(close - h);
		colon = close + 1;
	} else {
		colon = strrchr(arg, ':');
		if (!colon)
			return -1;
		hl = (size_t)(colon - arg);
	}
	if (pt_parse_long(colon + 1, &p) || p < 0 || p > 65535 || hl >= n)
		return -1;
	if (hl == 0) {
		pt_strlcpy(host, "127.0.0.1", n);
	} else {
		memcpy(host, h, hl);
		host[hl] = '\0';
	}
	*port = (unsigned)p;
	return 0;
}

/* The token from the first line of path into tok; prints why (as what's
 * fault) and returns -1. */
static int read_token(const char *what, const char *path, char *tok, size_t n)
{
	struct stat sb;
	size_t len;
	FILE *f;
	int fd;

	fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK); /* a FIFO: refused below, no hang */
	if (fd < 0) {
		cli_error(what, "%s: %s", path, strerror(errno));
		return -1;
	}
	if (fstat(fd, &sb) != 0 || !S_ISREG(sb.st_mode)) {
		cli_error(what, "%s: not a regular file", path);
		close(fd);
		return -1;
	}
	if (sb.st_mode & 077) {
		cli_error(what, "%s: readable by others (chmod 600 it)", path);
		close(fd);
		return -1;
	}
	f = fdopen(fd, "r");
	if (!f) {
		close(fd);
		cli_error(what, "%s: %s", path, strerror(errno));
		return -1;
	}
	if (!fgets(tok, (int)n, f))
		tok[0] = '\0';
	fclose(f);
	len = strcspn(tok, "\r\n");
	if (tok[len] == '\0' && len == n - 1) {
		cli_error(what, "%s: token longer than %zu characters", path, n - 2);
		return -1;
	}
	tok[len] = '\0';
	if (len == 0) {
		cli_error(what, "%s: the first line is empty", path);
		return -1;
	}
	return 0;
}

/* ---- the scheduler thread ------------------------------------------------ */

struct sched {
	pthread_mutex_t mu;
	pthread_cond_t cv;
	int stop;
	const struct cli_ctx *ctx;
};

void cli_notify_run(const struct config *cfg, const char *trigger, int64_t now, int session,
		    const struct session_result *res, const char *msg)
{
	int ok = res != NULL, day, sec;
	char subject[RUNLOG_MSGSZ + 32], d[DATE_BUFSZ], err[PT_ERRSZ];
	struct notify_msg m;
	struct sbuf text, json;
	json_t *o;
	char *js = NULL;

	if (!notify_wanted(cfg, ok))
		return;
	sb_init(&text, 1u << 20);
	sb_init(&json, 1u << 20);
	date_fmt(session, d);
	cal_epoch_to_ny(now, &day, &sec);
	if (ok) {
		snprintf(subject, sizeof(subject), "papertrade: %s", msg);
		/* The whole report, as `run` prints it: the day's part and
		 * the summary. */
		if (session_report(res, cfg, 0, 0, &text) || session_report(res, cfg, 1, 0, &json))
			fprintf(stderr, "papertrade: notify: the report cannot be formatted\n");
	} else {
		snprintf(subject, sizeof(subject), "papertrade: the run of %s failed", d);
		sb_addf(&text, "The run of %s (%s) failed at %02d:%02d New York:\n\n%s\n\n", d,
			trigger, sec / 3600, sec / 60 % 60, msg);
		if (strcmp(trigger, "manual") == 0)
			sb_addf(&text, "The portfolio is as it was.\n");
		else
			sb_addf(&text,
				"The portfolio is as it was. The scheduler tries again in %d "
				"minutes; `papertrade run --if-due` runs it by hand.\n",
				SESSION_DUE_RETRY / 60);
		o = json_pack("{s:b, s:s, s:s, s:s}", "ok", 0, "session", d, "trigger", trigger,
			      "message", msg);
		js = o ? json_dumps(o, JSON_COMPACT) : NULL;
		json_decref(o);
		sb_addf(&json, "%s\n", js ? js : "{\"ok\": false}");
		free(js);
	}
	m.ok = ok;
	m.subject = subject;
	m.text = sb_str(&text);
	m.json = sb_str(&json);
	if (notify_send(cfg, &m, err))
		fprintf(stderr, "papertrade: notify: %s\n", err);
	sb_release(&text);
	sb_release(&json);
}

void cli_log_due(const struct cli_ctx *ctx, const struct config *cfg, const char *trigger,
		 int64_t now, const struct session_due *due)
{
	char msg[RUNLOG_MSGSZ];

	if (due->what != SESSION_DUE_RAN && due->what != SESSION_DUE_FAILED)
		return;
	if (due->what == SESSION_DUE_FAILED && due->err.what[0])
		snprintf(msg, sizeof(msg), "%.30s: %.400s", due->err.what, due->err.why);
	else
		pt_strlcpy(msg, due->msg, sizeof(msg));
	runlog_note(ctx->home, trigger, now, due->today, due->what == SESSION_DUE_RAN, msg);
	cli_notify_run(cfg, trigger, now, due->today,
		       due->what == SESSION_DUE_RAN ? &due->res : NULL, msg);
}

int cli_run_due(const struct cli_ctx *ctx, int64_t now, int64_t *next, char *msg, size_t msgsz)
{
	struct session_due due;
	struct config cfg;

	if (next)
		*next = now + SESSION_DUE_RETRY;
	if (cli_load_config(ctx, &cfg, NULL, 0)) {
		snprintf(msg, msgsz, "config: the configuration of %s has an error (printed above)",
			 ctx->home);
		runlog_note(ctx->home, "scheduled", now, 0, 0, msg);
		return EXIT_RUNTIME;
	}
	session_run_due(&cfg, ctx->home, cli_open_home_store, (void *)ctx, now, &due);
	cli_log_due(ctx, &cfg, "scheduled", now, &due);
	if (due.err.what[0])
		cli_error(due.err.what, "%s", due.err.why);
	pt_strlcpy(msg, due.msg, msgsz);
	if (next)
		*next = due.next;
	session_due_release(&due);
	return due.what == SESSION_DUE_FAILED ? EXIT_RUNTIME : 0;
}

/*
 * One look at the clock: runs today's session when it is due (cli_run_due
 * says so and the session layer does it, in its own store connection), and
 * returns when to look again (Unix time; 0 when no session is left).
 */
static int64_t serve_scheduler_tick(const struct cli_ctx *ctx, char *last, size_t lastsz)
{
	char msg[768];
	int64_t next = 0;

	/* Quiet, and a line in the log only when the news changes (a run, a
	 * failure, the next run time): not one every wake-up. Errors are
	 * printed by cli_run_due itself. */
	cli_run_due(ctx, cli_now_epoch(), &next, msg, sizeof(msg));
	if (strcmp(msg, last) != 0) {
		fprintf(stderr, "papertrade: serve: %s\n", msg);
		snprintf(last, lastsz, "%s", msg);
	}
	return next;
}

static void *sched_main(void *arg)
{
	struct sched *sc = arg;
	char last[768] = "";

	pthread_mutex_lock(&sc->mu);
	while (!sc->stop) {
		int64_t next, wait, now;
		struct timespec until;
		pthread_mutex_unlock(&sc->mu);
		next = serve_scheduler_tick(sc->ctx, last, sizeof(last));
		now = cli_now_epoch();
		wait = next > now ? next - now : next ? 1 : SCHED_MAX_SLEEP;
		if (wait > SCHED_MAX_SLEEP)
			wait = SCHED_MAX_SLEEP;
		clock_gettime(CLOCK_REALTIME, &until);
		until.tv_sec += (time_t)wait;
		pthread_mutex_lock(&sc->mu);
		while (!sc->stop && pthread_cond_timedwait(&sc->cv, &sc->mu, &until) != ETIMEDOUT)
			;
	}
	pthread_mutex_unlock(&sc->mu);
	return NULL;
}

/* ---- serve --------------------------------------------------------------- */

int cmd_serve(struct cli_ctx *ctx, int argc, char **argv)
{
	static const struct option opts[] = {
		{"listen", required_argument, NULL, 'l'},
		{"assets-dir", required_argument, NULL, 'a'},
		{"token-file", required_argument, NULL, 't'},
		{"no-scheduler", no_argument, NULL, 'n'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	char host[256] = "127.0.0.1", db[PATH_MAX], err[PT_ERRSZ], token[TOKEN_MAX + 2] = "";
	const char *token_file = NULL, *assets_dir = NULL;
	unsigned port = 8080;
	int c, scheduler = 1, sig = 0, rc = EXIT_RUNTIME, day, second;
	struct config cfg;
	struct web_opts wo;
	struct web_server *srv = NULL;
	struct sched sc;
	pthread_t sched_thread;
	int sched_started = 0;
	sigset_t set;

	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (c) {
		case 'l':
			if (parse_listen(optarg, host, sizeof(host), &port)) {
				cli_error("--listen", "want HOST:PORT (port 0-65535): '%s'", optarg);
				return EXIT_USAGE;
			}
			break;
		case 'a':
			assets_dir = optarg;
			break;
		case 't':
			token_file = optarg;
			break;
		case 'n':
			scheduler = 0;
			break;
		case 'h':
			return cli_usage(serve_usage, 0);
		default:
			cli_error("serve", "unknown option '%s' (see papertrade serve --help)",
				  argv[optind - 1]);
			return EXIT_USAGE;
		}
	}
	if (optind < argc) {
		cli_error("serve", "unexpected argument '%s'", argv[optind]);
		return EXIT_USAGE;
	}
	if (cli_load_config(ctx, &cfg, NULL, 0))
		return EXIT_USAGE;
	if (token_file && read_token("--token-file", token_file, token, sizeof(token)))
		return EXIT_USAGE;
	if (!token_file && cfg.serve_token_file[0] &&
	    read_token("serve_token_file", cfg.serve_token_file, token, sizeof(token)))
		return EXIT_USAGE;
	if (cli_home_file(ctx, "papertrade.db", db, sizeof(db))) {
		cli_error("home", "path too long: %s", ctx->home);
		return EXIT_USAGE;
	}
	/* Before any thread: the first New York time conversion reads the zone
	 * (calendar.h), and the threads inherit the blocked signals. */
	cal_epoch_to_ny(cli_now_epoch(), &day, &second);
	/* A shell starts background jobs with SIGINT ignored, and an ignored
	 * signal never reaches sigwait: take the default back, then block. */
	signal(SIGINT, SIG_DFL);
	signal(SIGTERM, SIG_DFL);
	sigemptyset(&set);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGTERM);
	pthread_sigmask(SIG_BLOCK, &set, NULL);
	signal(SIGPIPE, SIG_IGN);

	memset(&wo, 0, sizeof(wo));
	wo.host = host;
	wo.port = port;
	wo.db_path = db;
	wo.home = ctx->home;
	wo.assets_dir = assets_dir;
	wo.token = token;
	wo.cfg = &cfg;
	wo.version = PT_VERSION;
	wo.scheduler = scheduler;
	wo.now = cli_now_epoch;
	if ((c = web_start(&wo, &srv, err))) {
		cli_error("serve", "%s", err);
		rc = c == PT_EINVAL ? EXIT_USAGE : EXIT_RUNTIME;
		goto out;
	}
	fprintf(stderr, "papertrade: serve: listening on http://%s:%u/\n", web_host(srv),
		web_port(srv));
	fflush(stderr);

	memset(&sc, 0, sizeof(sc));
	pthread_mutex_init(&sc.mu, NULL);
	pthread_cond_init(&sc.cv, NULL);
	sc.ctx = ctx;
	if (scheduler) {
		if (pthread_create(&sched_thread, NULL, sched_main, &sc) != 0) {
			cli_error("serve", "cannot start the scheduler thread");
			goto stop;
		}
		sched_started = 1;
	}
	if (sigwait(&set, &sig) == 0)
		rc = 0;
	/* A run in progress is let finish (its transaction lands whole); a
	 * second Ctrl-C or TERM ends the process at once, and SQLite rolls
	 * the unfinished transaction back on the next open. */
	signal(SIGINT, SIG_DFL);
	signal(SIGTERM, SIG_DFL);
	pthread_sigmask(SIG_UNBLOCK, &set, NULL);
stop:
	if (sched_started) {
		pthread_mutex_lock(&sc.mu);
		sc.stop = 1;
		pthread_cond_signal(&sc.cv);
		pthread_mutex_unlock(&sc.mu);
		pthread_join(sched_thread, NULL);
	}
	pthread_cond_destroy(&sc.cv);
	pthread_mutex_destroy(&sc.mu);
out:
	web_stop(srv);
	explicit_bzero(token, sizeof(token));
	return rc;
}

/* ---- dashboard ----------------------------------------------------------- */

int cmd_dashboard(struct cli_ctx *ctx, int argc, char **argv)
{
	static const struct option opts[] = {
		{"out", required_argument, NULL, 'o'},
		{"json", no_argument, NULL, 'j'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	const char *keys[WEB_N_PF + 1];
	const char *vals[WEB_N_PF + 1];
	struct sbuf bodies[WEB_N_PF + 1], out;
	const char *out_path = NULL;
	char err[PT_ERRSZ];
	struct config cfg;
	struct store *st = NULL;
	struct portfolio pf;
	struct web_health_in hin;
	struct runlog_entry last;
	int c, json = 0, rc = EXIT_RUNTIME;
	size_t k;

	while ((c = getopt_long(argc, argv, "ho:", opts, NULL)) != -1) {
		switch (c) {
		case 'o':
			out_path = optarg;
			break;
		case 'j':
			json = 1;
			break;
		case 'h':
			return cli_usage(dashboard_usage, 0);
		default:
			cli_error("dashboard", "unknown option '%s' (see papertrade dashboard --help)",
				  argv[optind - 1]);
			return EXIT_USAGE;
		}
	}
	if (optind < argc) {
		cli_error("dashboard", "unexpected argument '%s'", argv[optind]);
		return EXIT_USAGE;
	}
	if (!out_path || !*out_path) {
		cli_error("dashboard", "--out FILE is required ('-' for stdout)");
		return EXIT_USAGE;
	}
	if (cli_load_config(ctx, &cfg, NULL, 0))
		return EXIT_USAGE;
	if (cli_open_portfolio(ctx, &st, &pf))
		return EXIT_RUNTIME;
	for (k = 0; k <= WEB_N_PF; k++)
		sb_init(&bodies[k], 64u << 20);
	sb_init(&out, 256u << 20);
	for (k = 0; k < WEB_N_PF; k++) {
		keys[k] = web_api_name((enum web_api_kind)k);
		if (web_api_body((enum web_api_kind)k, &pf, &cfg, &bodies[k])) {
			cli_error("dashboard", "cannot build the %s data", keys[k]);
			goto done;
		}
		vals[k] = sb_str(&bodies[k]);
	}
	memset(&hin, 0, sizeof(hin));
	if (runlog_last(ctx->home, &last, err) == 0)
		hin.last_attempt = &last;
	hin.retry_every = SESSION_DUE_RETRY;
	hin.now = cli_now_epoch();
	hin.version = PT_VERSION;
	hin.run_at_min = cfg.run_at_min;
	hin.last_session = pf.last_session;
	hin.scheduler = 0;
	keys[WEB_N_PF] = "health";
	web_api_health(&hin, &bodies[WEB_N_PF]);
	vals[WEB_N_PF] = sb_str(&bodies[WEB_N_PF]);
	if (json) {
		int bad = sb_add(&out, "{", 1);
		for (k = 0; k <= WEB_N_PF; k++) {
			size_t len = strlen(vals[k]);
			while (len && vals[k][len - 1] == '\n')
				len--;
			bad |= sb_addf(&out, "%s\n\"%s\": ", k ? "," : "", keys[k]);
			bad |= sb_add(&out, vals[k], len);
		}
		bad |= sb_add(&out, "\n}\n", 3);
		if (bad) {
			cli_error("dashboard", "data too large");
			goto done;
		}
	} else if (web_page_build(keys, vals, WEB_N_PF + 1, &out, err)) {
		cli_error("dashboard", "%s", err);
		goto done;
	}
	if (!strcmp(out_path, "-")) {
		if (fwrite(out.buf ? out.buf : "", 1, out.len, stdout) != out.len || fflush(stdout)) {
			cli_error("dashboard", "cannot write to stdout");
			goto done;
		}
	} else if (cli_write_atomic(out_path, sb_str(&out), out.len, err)) {
		cli_error("--out", "%s", err);
		goto done;
	}
	rc = 0;
done:
	for (k = 0; k <= WEB_N_PF; k++)
		sb_release(&bodies[k]);
	sb_release(&out);
	book_release(&pf);
	store_close(st);
	return rc;
}
