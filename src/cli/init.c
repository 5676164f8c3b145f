/*
 * init.c - `papertrade init`: create the home folder, a commented
 * papertrade.ini with the defaults, and the database with the initial
 * capital. `run` does the same on first use.
 */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "../session.h"
#include "../book/book.h"
#include "../store/store.h"
#include "../util/util.h"

static const char usage[] =
	"usage: papertrade [--home DIR] init\n\n"
	"Creates the home folder with papertrade.ini (every key, commented, with the\n"
	"brief's values as defaults) and the database, holding initial_capital in\n"
	"cash. Edit papertrade.ini before the first run to change the account.\n"
	"Does nothing to a home that already has a portfolio.\n\n"
	"  -h, --help  this help\n";

int cmd_init(struct cli_ctx *ctx, int argc, char **argv)
{
	static const struct option opts[] = {
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	char err[PT_ERRSZ];
	struct config cfg;
	struct store *st;
	struct portfolio pf;
	int c, created;

	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		if (c == 'h')
			return cli_usage(usage, 0);
		cli_error("init", "unknown option '%s' (see papertrade init --help)", argv[optind - 1]);
		return EXIT_USAGE;
	}
	if (optind < argc) {
		cli_error("init", "unexpected argument '%s'", argv[optind]);
		return EXIT_USAGE;
	}
	if (cli_load_config(ctx, &cfg, NULL, 0))
		return EXIT_USAGE;
	/* keys of an older papertrade.ini read from their old section */
	for (const char *p = cfg.moved, *nl; *p; p = nl + 1) {
		nl = strchr(p, '\n');
		if (!nl)
			break;
		fprintf(stderr, "papertrade: note: papertrade.ini %.*s\n", (int)(nl - p), p);
	}
	if (cli_open_store(ctx, 1, &st))
		return EXIT_RUNTIME;
	if (store_begin(st, err) || session_load_or_create(st, &cfg, &pf, &created, err) ||
	    store_commit(st, err)) {
		cli_error("init", "%s", err);
		store_close(st);
		return EXIT_RUNTIME;
	}
	if (created)
		fprintf(stderr, "papertrade: created a portfolio of %.2f in %s\n",
			(double)pf.initial_cents / 100.0, ctx->home);
	else
		fprintf(stderr, "papertrade: %s already has a portfolio; nothing to do\n", ctx->home);
	printf("%s\n", ctx->home);
	book_release(&pf);
	store_close(st);
	return 0;
}
