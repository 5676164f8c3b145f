/*
 * schedule.c - `papertrade schedule`: prints the units that start the daily
 * job of DESIGN.md §1 from outside (erratum 6): a systemd service and timer
 * firing at run_at America/New_York on weekdays, or a crontab line that runs
 * `run --if-due` every five minutes, which is right in every machine zone
 * (Debian's cron has no CRON_TZ). `run --if-due` (cli/run.c, sched/) decides
 * whether a session is due, so holidays, early closes and restarts need
 * nothing from the units. Prints only; installs nothing. The units name the
 * binary that runs `schedule` (its real path, /proc/self/exe): the installed
 * one after `make install`, and a note on stderr when it is a source tree's
 * build folder, which a rebuild or `make clean` changes under the timer.
 */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "../util/util.h"

static const char schedule_usage[] =
	"usage: papertrade schedule --systemd | --cron [--bin PATH] [--home DIR]\n"
	"\n"
	"Prints what makes an external scheduler start the daily run at run_at New\n"
	"York time (papertrade.ini, default 09:35) on every NYSE session, whatever\n"
	"this machine's time zone. Both run 'papertrade run --if-due', which runs\n"
	"today's session once, at or after run_at, and does nothing on holidays,\n"
	"before run_at or when the session already ran. Installs nothing.\n"
	"\n"
	"  --systemd   a papertrade.service (oneshot, a failed run tried again every\n"
	"              5 minutes) and a papertrade.timer with\n"
	"              OnCalendar=Mon..Fri *-*-* HH:MM:00 America/New_York and\n"
	"              Persistent=true (a run missed while the machine was off\n"
	"              starts at boot, the same day); generate them again after\n"
	"              changing run_at\n"
	"  --cron      a crontab line running 'run --if-due --quiet' every five\n"
	"              minutes: cron reads times in the machine's zone, and Debian's\n"
	"              cron has no CRON_TZ, so a '35 9 * * 1-5' line would be wrong\n"
	"              outside New York\n"
	"  --bin PATH  the papertrade binary to run (default: this one, by its real\n"
	"              path: run the installed papertrade's schedule)\n"
	"  --home DIR  the home folder to use (default: the resolved home)\n"
	"  -h, --help  this help\n"
	"\n"
	"The built-in alternative is 'papertrade serve', whose scheduler runs the\n"
	"same check. Exit status: 0 success, 1 runtime failure, 2 bad usage.\n";

/* An absolute form of path into out: as given when absolute, else joined to
 * the working folder (resolved through realpath when must_exist). */
static int absolute(const char *opt, const char *path, int must_exist, char *out, size_t n)
{
	char cwd[PATH_MAX];

	if (path[0] == '/') {
		if (pt_strlcpy(out, path, n)) {
			cli_error(opt, "path too long");
			return -1;
		}
		return 0;
	}
	if (must_exist) {
		char *r = realpath(path, NULL);
		if (!r) {
			cli_error(opt, "%s: %s", path, strerror(errno));
			return -1;
		}
		if (pt_strlcpy(out, r, n)) {
			free(r);
			cli_error(opt, "path too long");
			return -1;
		}
		free(r);
		return 0;
	}
	if (!getcwd(cwd, sizeof(cwd))) {
		cli_error(opt, "cannot read the working folder: %s", strerror(errno));
		return -1;
	}
	if (snprintf(out, n, "%s/%s", strcmp(cwd, "/") ? cwd : "", path) >= (int)n) {
		cli_error(opt, "path too long");
		return -1;
	}
	return 0;
}

/* A path a unit file or crontab can hold: no control characters (a newline
 * would end the line). */
static int printable(const char *opt, const char *path, int cron)
{
	const unsigned char *p;

	for (p = (const unsigned char *)path; *p; p++) {
		if (*p < 0x20 || *p == 0x7f) {
			cli_error(opt, "the path has a control character; a unit cannot hold it");
			return -1;
		}
		/* cron keeps a backslash except before '%', where it drops it:
		 * a backslash followed by a '%' cannot be written at all. */
		if (cron && *p == '\\') {
			cli_error(opt, "the path has a backslash, which cron cannot pass on reliably");
			return -1;
		}
	}
	return 0;
}

/* A word of a systemd ExecStart= line: '%' doubled (specifiers), '$'
 * doubled (variable expansion), quoted with backslash escapes when it has a
 * space, a quote or a backslash. */
static void put_systemd_word(const char *s)
{
	int quote = strpbrk(s, " \t\"'\\") != NULL;
	const char *p;

	if (quote)
		putchar('"');
	for (p = s; *p; p++) {
		if (*p == '%' || *p == '$')
			putchar(*p);
		else if (quote && (*p == '"' || *p == '\\'))
			putchar('\\');
		putchar(*p);
	}
	if (quote)
		putchar('"');
}

/* A word of a crontab command (run by /bin/sh): single-quoted unless plain;
 * '%' escaped with a backslash, since cron turns a bare '%' into a newline
 * and drops the backslash of \% (and only that one: paths with a backslash
 * are refused). */
static void put_cron_word(const char *s)
{
	int quote = strspn(s, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
			      "0123456789/._-+,:=@") != strlen(s);
	const char *p;

	if (quote)
		putchar('\'');
	for (p = s; *p; p++) {
		if (*p == '%')
			putchar('\\');
		if (*p == '\'')
			fputs("'\\''", stdout);
		else
			putchar(*p);
	}
	if (quote)
		putchar('\'');
}

/* Whether bin sits in a source tree's build folder (BUILD/papertrade beside
 * src/main.c), where `make` and `make clean` replace or remove it. */
static int in_build_tree(const char *bin)
{
	char probe[PATH_MAX];
	const char *slash = strrchr(bin, '/');

	if (!slash || snprintf(probe, sizeof(probe), "%.*s/../src/main.c", (int)(slash - bin),
			       bin) >= (int)sizeof(probe))
		return 0;
	return access(probe, F_OK) == 0;
}

static void print_systemd(const char *bin, const char *home, int run_at, const char *env_run_at)
{
	int h = run_at / 60, m = run_at % 60;

	printf("# papertrade: the daily run at %02d:%02d New York time on every NYSE session.\n"
	       "# Save the two units below as ~/.config/systemd/user/papertrade.service and\n"
	       "# ~/.config/systemd/user/papertrade.timer, then:\n"
	       "#   systemctl --user daemon-reload\n"
	       "#   systemctl --user enable --now papertrade.timer\n"
	       "# (loginctl enable-linger $USER keeps user timers running when you are logged\n"
	       "# out; for a system unit, put them in /etc/systemd/system with User= and drop\n"
	       "# --user.) The timer fires on weekdays; 'run --if-due' skips holidays and a\n"
	       "# session already run. Made for run_at %02d:%02d: after changing run_at, run\n"
	       "# 'papertrade schedule --systemd' again.\n"
	       "\n"
	       "# ---- papertrade.service ----\n"
	       "[Unit]\n"
	       "Description=papertrade daily run (when due)\n"
	       "\n"
	       "[Service]\n"
	       "Type=oneshot\n"
	       "# A failed run (no network at boot, a data source down) is tried again\n"
	       "# every 5 minutes; after midnight New York 'run --if-due' says not due.\n"
	       "Restart=on-failure\n"
	       "RestartSec=5min\n"
	       "RestartPreventExitStatus=2\n",
	       h, m, h, m);
	if (env_run_at)
		printf("Environment=PAPERTRADE_RUN_AT=%02d:%02d\n", h, m);
	fputs("ExecStart=", stdout);
	put_systemd_word(bin);
	fputs(" --home ", stdout);
	put_systemd_word(home);
	fputs(" run --if-due\n", stdout);
	printf("\n"
	       "# ---- papertrade.timer ----\n"
	       "[Unit]\n"
	       "Description=papertrade daily run at %02d:%02d New York time\n"
	       "\n"
	       "[Timer]\n"
	       "OnCalendar=Mon..Fri *-*-* %02d:%02d:00 America/New_York\n"
	       "Persistent=true\n"
	       "\n"
	       "[Install]\n"
	       "WantedBy=timers.target\n",
	       h, m, h, m);
}

static void print_cron(const char *bin, const char *home, int run_at, const char *env_run_at)
{
	printf("# papertrade: every 5 minutes, 'run --if-due' runs each NYSE session once, at or\n"
	       "# after %02d:%02d New York time (run_at), whatever this machine's time zone:\n"
	       "# cron reads its times in the machine's zone and Debian's cron has no CRON_TZ.\n"
	       "# Add the line with 'crontab -e'; cron mails the day's report when it runs.\n",
	       run_at / 60, run_at % 60);
	fputs("*/5 * * * * ", stdout);
	if (env_run_at)
		printf("PAPERTRADE_RUN_AT=%02d:%02d ", run_at / 60, run_at % 60);
	put_cron_word(bin);
	fputs(" --home ", stdout);
	put_cron_word(home);
	fputs(" run --if-due --quiet\n", stdout);
}

int cmd_schedule(struct cli_ctx *ctx, int argc, char **argv)
{
	static const struct option opts[] = {
		{"systemd", no_argument, NULL, 's'}, {"cron", no_argument, NULL, 'c'},
		{"bin", required_argument, NULL, 'b'}, {"home", required_argument, NULL, 'H'},
		{"help", no_argument, NULL, 'h'},	{NULL, 0, NULL, 0},
	};
	const char *bin_arg = NULL, *home_arg = NULL, *env_run_at;
	char bin[PATH_MAX], home[PATH_MAX];
	int systemd = 0, cron = 0, build_tree = 0, c;
	struct cli_ctx hctx = *ctx;
	struct config cfg;

	while ((c = getopt_long(argc, argv, ":h", opts, NULL)) != -1) {
		switch (c) {
		case 's':
			systemd = 1;
			break;
		case 'c':
			cron = 1;
			break;
		case 'b':
			bin_arg = optarg;
			break;
		case 'H':
			home_arg = optarg;
			break;
		case 'h':
			return cli_usage(schedule_usage, 0);
		case ':':
			cli_error("schedule", "option '%s' needs a value", argv[optind - 1]);
			return EXIT_USAGE;
		default:
			cli_error("schedule",
				  "unknown option '%s' (see papertrade schedule --help)",
				  argv[optind - 1]);
			return EXIT_USAGE;
		}
	}
	if (optind < argc) {
		cli_error("schedule", "unexpected argument '%s'", argv[optind]);
		return EXIT_USAGE;
	}
	if (systemd == cron) {
		cli_error("schedule", "give one of --systemd or --cron");
		return EXIT_USAGE;
	}
	if ((bin_arg && !*bin_arg) || (home_arg && !*home_arg)) {
		cli_error(bin_arg && !*bin_arg ? "--bin" : "--home", "empty path");
		return EXIT_USAGE;
	}
	if (bin_arg) {
		if (absolute("--bin", bin_arg, 1, bin, sizeof(bin)))
			return EXIT_USAGE;
	} else {
		ssize_t len = readlink("/proc/self/exe", bin, sizeof(bin) - 1);
		if (len <= 0 || (size_t)len >= sizeof(bin) - 1) {
			cli_error("schedule", "cannot find this binary's path (give --bin PATH)");
			return EXIT_RUNTIME;
		}
		bin[len] = '\0';
		build_tree = in_build_tree(bin);
	}
	if (absolute("--home", home_arg ? home_arg : ctx->home, 0, home, sizeof(home)))
		return EXIT_USAGE;
	if (printable("--bin", bin, cron) || printable("--home", home, cron))
		return EXIT_USAGE;
	/* run_at as `run --if-due` will read it: the home's config and the
	 * environment. An environment value is carried into the unit. */
	hctx.home = home;
	if (cli_load_config(&hctx, &cfg, NULL, 0))
		return EXIT_USAGE;
	env_run_at = getenv("PAPERTRADE_RUN_AT");
	if (env_run_at && !*env_run_at)
		env_run_at = NULL;
	if (build_tree)
		fprintf(stderr,
			"papertrade: schedule: note: %s is a build folder's binary, which a "
			"rebuild replaces: 'make install', then run the installed papertrade's "
			"schedule (or give --bin PATH)\n",
			bin);
	if (systemd)
		print_systemd(bin, home, cfg.run_at_min, env_run_at);
	else
		print_cron(bin, home, cfg.run_at_min, env_run_at);
	if (fflush(stdout) || ferror(stdout)) {
		cli_error("schedule", "cannot write: %s", strerror(errno));
		return EXIT_RUNTIME;
	}
	return 0;
}
