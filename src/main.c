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

static const struct cli_cmd commands[] = {
	{"init", cmd_init, "create the home folder, config and database"},
	{"run", cmd_run, "run the daily job for a session (or catch up from a date)"},
	{"report", cmd_report, "print the latest report"},
	{"scan", cmd_scan, "show every contract each strategy looked at today, and why"},
	{"positions", cmd_positions, "list open positions"},
	{"trades", cmd_trades, "list closed trades"},
	{"export", cmd_export, "write the portfolio as the brief's portfolio_data.json"},
	{"import", cmd_import, "read a portfolio_data.json into a new portfolio"},
	{"calendar", cmd_calendar, "list NYSE sessions with their hours"},
	{"expirations", cmd_expirations, "list standard option expirations"},
	{"price", cmd_price, "Black-Scholes prices and greeks from CSV"},
	{"iv", cmd_iv, "implied volatilities from CSV"},
	{"quote", cmd_quote, "the underlying's quote from the market data source"},
	{"chain", cmd_chain, "an option chain with our IV, the vendor's, theo and edge"},
	{"tape", cmd_tape, "list, verify, export or import the tapes of live runs"},
	{"serve", cmd_serve, "serve the dashboard and its JSON API; run the daily job"},
	{"dashboard", cmd_dashboard, "write the dashboard as one self-contained HTML file"},
	{"schedule", cmd_schedule, "print a systemd timer or crontab line for the daily run"},
};

static void usage(FILE *f)
{
	size_t i;

	fprintf(f, "usage: papertrade [--home DIR] <command> [options]\n\n"
		   "Options paper trading: sells rich out-of-the-money calls on ETFs\n"
		   "every NYSE session and books every cash flow.\n\ncommands:\n");
	for (i = 0; i < PT_ARRAY_SIZE(commands); i++)
		fprintf(f, "  %-12s %s\n", commands[i].name, commands[i].summary);
	fprintf(f, "\nRun 'papertrade <command> --help' for a command's options.\n"
		   "Home folder: --home, else $PAPERTRADE_HOME, else $XDG_DATA_HOME/papertrade,\n"
		   "else ~/.local/share/papertrade.\n");
}

static char home_buf[4096];

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
	if (e && *e) {
		snprintf(home_buf, sizeof(home_buf), "%s/papertrade", e);
		return home_buf;
	}
	e = getenv("HOME");
	snprintf(home_buf, sizeof(home_buf), "%s/.local/share/papertrade", e && *e ? e : ".");
	return home_buf;
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
	struct cli_ctx ctx;
	const char *best = NULL;
	size_t best_d = (size_t)-1;
	size_t i;
	int c;

	opterr = 0;
	while ((c = getopt_long(argc, argv, "+h", opts, NULL)) != -1) {
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
	ctx.home = resolve_home(home, &ctx.home_given);
	for (i = 0; i < PT_ARRAY_SIZE(commands); i++) {
		if (!strcmp(argv[optind], commands[i].name)) {
			int sub_argc = argc - optind;
			char **sub_argv = argv + optind;
			optind = 0; /* reinitialise getopt for the subcommand */
			opterr = 0;
			return commands[i].fn(&ctx, sub_argc, sub_argv);
		}
	}
	for (i = 0; i < PT_ARRAY_SIZE(commands); i++) {
		size_t d = pt_edit_distance(argv[optind], commands[i].name);
		if (d < best_d) {
			best_d = d;
			best = commands[i].name;
		}
	}
	if (best && best_d <= 2)
		cli_error(argv[optind], "unknown command; did you mean '%s'?", best);
	else
		cli_error(argv[optind], "unknown command (see papertrade --help)");
	return EXIT_USAGE;
}
