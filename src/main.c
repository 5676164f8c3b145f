/*
 * main.c - command dispatch only (DESIGN.md §2): global options, then the
 * subcommand from a table (git's builtin/ idea). Each subcommand lives in
 * cli/ and parses its own flags.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "util/util.h"

static int cmd_help(struct cli_ctx *ctx, int argc, char **argv);

static const struct cli_cmd commands[] = {
	{"init", cmd_init, "create the home folder, config and database", 0},
	{"run", cmd_run, "run the daily job for a session (or catch up from a date)", 0},
	{"report", cmd_report, "print the latest report", 0},
	{"scan", cmd_scan, "show every contract each strategy looked at today, and why", 0},
	{"positions", cmd_positions, "list open positions", 0},
	{"trades", cmd_trades, "list closed trades", 0},
	{"export", cmd_export, "write the portfolio as the brief's portfolio_data.json", 0},
	{"import", cmd_import, "read a portfolio_data.json into a new portfolio", 0},
	{"calendar", cmd_calendar, "list NYSE sessions with their hours", 1},
	{"expirations", cmd_expirations, "list standard option expirations", 1},
	{"price", cmd_price, "Black-Scholes prices and greeks from CSV", 1},
	{"iv", cmd_iv, "implied volatilities from CSV", 1},
	{"quote", cmd_quote, "the underlying's quote from the market data source", 0},
	{"chain", cmd_chain, "an option chain with our IV, the vendor's, theo and edge", 0},
	{"tape", cmd_tape, "list, verify, export or import the tapes of live runs", 0},
	{"history", cmd_history, "import, list or check real end-of-day option history", 0},
	{"backtest", cmd_backtest, "replay sessions in memory on a portfolio of its own", 0},
	{"sweep", cmd_sweep, "backtest every combination of a parameter grid", 0},
	{"compare", cmd_compare, "backtest configurations side by side, with BXM and buy-and-hold",
	 0},
	{"serve", cmd_serve, "serve the dashboard and its JSON API; run the daily job", 0},
	{"dashboard", cmd_dashboard, "write the dashboard as one self-contained HTML file", 0},
	{"schedule", cmd_schedule, "print a systemd timer or crontab line for the daily run", 0},
	{"doctor", cmd_doctor,
	 "check the home folder: config, database, ledger, runs, notifications", 0},
	{"help", cmd_help, "show a command's help (papertrade help CMD = CMD --help)", 1},
};

static void usage(FILE *f)
{
	size_t i;

	fprintf(f, "usage: papertrade [--home DIR] <command> [options]\n\n"
		   "Options paper trading: sells rich out-of-the-money calls on ETFs\n"
		   "every NYSE session and books every cash flow.\n\ncommands:\n");
	for (i = 0; i < PT_ARRAY_SIZE(commands); i++)
		fprintf(f, "  %-12s %s\n", commands[i].name, commands[i].summary);
	fprintf(f, "\nRun 'papertrade help <command>' (or 'papertrade <command> --help') for a\n"
		   "command's options; --home DIR may come before or after the command.\n"
		   "Home folder: --home, else $PAPERTRADE_HOME, else $XDG_DATA_HOME/papertrade\n"
		   "(an absolute XDG_DATA_HOME), else $HOME/.local/share/papertrade; with none\n"
		   "of these (HOME unset), commands that keep a portfolio refuse to run.\n");
}

static const struct cli_cmd *find_command(const char *name)
{
	size_t i;

	for (i = 0; i < PT_ARRAY_SIZE(commands); i++)
		if (!strcmp(name, commands[i].name))
			return &commands[i];
	return NULL;
}

/* "unknown command" with a did-you-mean; returns EXIT_USAGE. */
static int unknown_command(const char *name)
{
	const char *best = NULL;
	size_t best_d = (size_t)-1, i;

	for (i = 0; i < PT_ARRAY_SIZE(commands); i++) {
		size_t d = pt_edit_distance(name, commands[i].name);
		if (d < best_d) {
			best_d = d;
			best = commands[i].name;
		}
	}
	if (best && best_d <= 2)
		cli_error(name, "unknown command; did you mean '%s'?", best);
	else
		cli_error(name, "unknown command (see papertrade --help)");
	return EXIT_USAGE;
}

/* papertrade help [CMD]: the overview, or CMD --help. */
static int cmd_help(struct cli_ctx *ctx, int argc, char **argv)
{
	const struct cli_cmd *c;
	char *args[3];

	if (argc < 2 || !strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) {
		usage(stdout);
		return EXIT_OK_;
	}
	if (argc > 2) {
		cli_error("help", "want one command (see papertrade --help)");
		return EXIT_USAGE;
	}
	c = find_command(argv[1]);
	if (!c)
		return unknown_command(argv[1]);
	if (c->fn == cmd_help) {
		usage(stdout);
		return EXIT_OK_;
	}
	args[0] = argv[1];
	args[1] = "--help";
	args[2] = NULL;
	optind = 0;
	return c->fn(ctx, 2, args);
}

/*
 * --home DIR (or --home=DIR) after the command, as before it: taken out of
 * the command's arguments (up to a "--") into *home. 0, or EXIT_USAGE after
 * saying why.
 */
static int take_home(int *argc, char **argv, const char **home)
{
	int i = 1, j, n;

	while (i < *argc && strcmp(argv[i], "--") != 0) {
		const char *v;

		if (!strcmp(argv[i], "--home")) {
			if (i + 1 >= *argc) {
				cli_error("--home", "needs a folder");
				return EXIT_USAGE;
			}
			v = argv[i + 1];
			n = 2;
		} else if (!strncmp(argv[i], "--home=", 7)) {
			v = argv[i] + 7;
			n = 1;
		} else {
			i++;
			continue;
		}
		if (!*v) {
			cli_error("--home", "empty folder name");
			return EXIT_USAGE;
		}
		*home = v;
		for (j = i; j + n <= *argc; j++)
			argv[j] = argv[j + n];
		*argc -= n;
	}
	return 0;
}

static char home_buf[4096];

/*
 * The home folder: --home, else $PAPERTRADE_HOME, else $XDG_DATA_HOME/
 * papertrade when XDG_DATA_HOME is absolute (the XDG Base Directory
 * specification: a relative path there is invalid and ignored), else
 * $HOME/.local/share/papertrade. NULL when none of these says (HOME unset
 * or empty): never the current folder.
 */
static const char *resolve_home(const char *flag, int *given)
{
	const char *e;

	*given = 1;
	if (flag)
		return flag;
	e = getenv("PAPERTRADE_HOME");
	if (e && *e)
		return e;
	*given = 0;
	e = getenv("XDG_DATA_HOME");
	if (e && *e == '/') {
		snprintf(home_buf, sizeof(home_buf), "%s/papertrade", e);
		return home_buf;
	}
	e = getenv("HOME");
	if (!e || !*e)
		return NULL;
	snprintf(home_buf, sizeof(home_buf), "%s/.local/share/papertrade", e);
	return home_buf;
}

/* Whether a command's arguments ask for its help (it then needs no home). */
static int asks_help(int argc, char **argv)
{
	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--"))
			break;
		if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h"))
			return 1;
	}
	return 0;
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{"home", required_argument, NULL, 'H'},
		{"help", no_argument, NULL, 'h'},
		{"version", no_argument, NULL, 'V'},
		{NULL, 0, NULL, 0},
	};
	const char *home = NULL;
	const struct cli_cmd *cmd;
	struct cli_ctx ctx;
	int c, sub_argc;
	char **sub_argv;

	opterr = 0;
	while ((c = getopt_long(argc, argv, "+hV", opts, NULL)) != -1) {
		switch (c) {
		case 'H':
			if (!*optarg) {
				cli_error("--home", "empty folder name");
				return EXIT_USAGE;
			}
			home = optarg;
			break;
		case 'h':
			usage(stdout);
			return 0;
		case 'V':
			printf("papertrade %s\n", PT_VERSION);
			return 0;
		default:
			cli_error("usage", "unknown option '%s' (see papertrade --help)",
				  argv[optind - 1]);
			return EXIT_USAGE;
		}
	}
	if (optind >= argc) {
		cli_error("usage", "no command given (see papertrade --help)");
		return EXIT_USAGE;
	}
	cmd = find_command(argv[optind]);
	if (!cmd)
		return unknown_command(argv[optind]);
	sub_argc = argc - optind;
	sub_argv = argv + optind;
	if (take_home(&sub_argc, sub_argv, &home))
		return EXIT_USAGE;
	ctx.home = resolve_home(home, &ctx.home_given);
	if (!ctx.home) {
		if (!cmd->no_home && !asks_help(sub_argc, sub_argv)) {
			cli_error("home",
				  "HOME is not set, and neither --home, PAPERTRADE_HOME nor "
				  "XDG_DATA_HOME says where the portfolio lives");
			return EXIT_RUNTIME;
		}
		ctx.home = ""; /* read by none of these */
	}
	optind = 0; /* reinitialise getopt for the subcommand */
	opterr = 0;
	return cmd->fn(&ctx, sub_argc, sub_argv);
}
