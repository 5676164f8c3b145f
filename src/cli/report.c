/*
 * report.c - `papertrade report`, `positions` and `trades`: read the stored
 * portfolio and print it (DESIGN.md §1, the last box). Read-only.
 */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "../book/book.h"
#include "../report/report.h"
#include "../store/store.h"
#include "../util/util.h"

enum what { W_REPORT, W_POSITIONS, W_TRADES };

static const char *const usages[] = {
	"usage: papertrade report [--json]\n\n"
	"Prints the portfolio's latest report: value, cash, positions value (shorts at\n"
	"their cost to close), total return, each benchmark, excess return, alpha and\n"
	"beta vs SPY, Sharpe, Sortino, maximum drawdown, win rate, margin in use, open\n"
	"positions and closed trades.\n\n"
	"  --json      the JSON object of docs/DESIGN.md section 5\n  -h, --help  this help\n",
	"usage: papertrade positions [--json]\n\n"
	"Lists open positions with their marks and unrealised P&L.\n\n"
	"  --json      machine-readable output\n  -h, --help  this help\n",
	"usage: papertrade trades [--json]\n\n"
	"Lists closed trades with realised P&L, net of every commission.\n\n"
	"  --json      machine-readable output\n  -h, --help  this help\n",
};

static int show(struct cli_ctx *ctx, int argc, char **argv, enum what w)
{
	static const struct option opts[] = {
		{"json", no_argument, NULL, 'j'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	struct config cfg;
	struct store *st;
	struct portfolio pf;
	struct sbuf out;
	struct report_in in;
	int c, json = 0, rc = 0;

	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (c) {
		case 'j':
			json = 1;
			break;
		case 'h':
			return cli_usage(usages[w], 0);
		default:
			cli_error(argv[0], "unknown option '%s' (see papertrade %s --help)",
				  argv[optind - 1], argv[0]);
			return EXIT_USAGE;
		}
	}
	if (optind < argc) {
		cli_error(argv[0], "unexpected argument '%s'", argv[optind]);
		return EXIT_USAGE;
	}
	if (cli_load_config(ctx, &cfg, NULL, 0))
		return EXIT_USAGE;
	if (cli_open_portfolio(ctx, &st, &pf))
		return EXIT_RUNTIME;
	sb_init(&out, 64u << 20);
	memset(&in, 0, sizeof(in));
	in.pf = &pf;
	in.day = NULL;
	in.cfg = &cfg;
	in.provider = cfg.provider;
	in.color = !json && cli_use_color(1);
	switch (w) {
	case W_REPORT:
		if (json)
			rc = report_json(&in, &out);
		else
			report_summary_text(&in, &out);
		break;
	case W_POSITIONS:
		if (json)
			rc = report_positions_json(&pf, 0, &out);
		else
			report_positions_text(&pf, &out);
		break;
	case W_TRADES:
		if (json)
			rc = report_trades_json(&pf, 0, &out);
		else
			report_trades_text(&pf, &out);
		break;
	}
	if (rc)
		cli_error(argv[0], "cannot format the output");
	else
		fputs(sb_str(&out), stdout);
	sb_release(&out);
	book_release(&pf);
	store_close(st);
	return rc ? EXIT_RUNTIME : 0;
}

int cmd_report(struct cli_ctx *ctx, int argc, char **argv)
{
	return show(ctx, argc, argv, W_REPORT);
}

int cmd_positions(struct cli_ctx *ctx, int argc, char **argv)
{
	return show(ctx, argc, argv, W_POSITIONS);
}

int cmd_trades(struct cli_ctx *ctx, int argc, char **argv)
{
	return show(ctx, argc, argv, W_TRADES);
}
