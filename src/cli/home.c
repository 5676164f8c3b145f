/*
 * home.c - opening the home folder's portfolio for a subcommand, creating it
 * on first use, and the clock in New York time; see cli.h.
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"
#include "../book/book.h"
#include "../market/calendar.h"
#include "../store/store.h"
#include "../util/date.h"
#include "../util/util.h"

int cli_open_portfolio(const struct cli_ctx *ctx, const struct config *cfg, int create,
		       struct store **st, struct portfolio *pf)
{
	char db[PATH_MAX], ini[PATH_MAX], err[PT_ERRSZ];
	struct stat sb;
	int rc, fresh;

	*st = NULL;
	if (cli_home_file(ctx, "papertrade.db", db, sizeof(db)) ||
	    cli_home_file(ctx, "papertrade.ini", ini, sizeof(ini))) {
		cli_error("home", "path too long: %s", ctx->home);
		return -1;
	}
	fresh = stat(db, &sb) != 0;
	if (fresh && !create) {
		cli_error(ctx->home, "no portfolio here; run 'papertrade init' or 'papertrade run'");
		return -1;
	}
	if (fresh) {
		if (cli_make_home(ctx, err)) {
			cli_error("home", "%s", err);
			return -1;
		}
		if (stat(ini, &sb) != 0 && config_write_default(ini, err)) {
			cli_error("config", "%s", err);
			return -1;
		}
	}
	rc = store_open(db, fresh, st, err);
	if (rc) {
		cli_error(db, "%s", err);
		return -1;
	}
	if (fresh && store_init_account(*st, cfg->initial_capital_cents, err)) {
		cli_error(db, "%s", err);
		goto fail;
	}
	book_init(pf, 0);
	if (store_load(*st, pf, err)) {
		cli_error(db, "%s", err);
		book_release(pf);
		goto fail;
	}
	if (fresh)
		fprintf(stderr, "papertrade: created a portfolio of %.2f in %s\n",
			(double)pf->initial_cents / 100.0, ctx->home);
	return 0;
fail:
	store_close(*st);
	*st = NULL;
	if (fresh)
		unlink(db);
	return -1;
}

int cli_now_ny(int *day, int *minute)
{
	const char *e = getenv("PAPERTRADE_NOW");
	int sec;

	if (e && *e) {
		char d[DATE_BUFSZ];
		int h, m;
		if (strlen(e) != 16 || e[10] != 'T' || e[13] != ':' ||
		    sscanf(e + 11, "%2d:%2d", &h, &m) != 2 || h > 23 || m > 59 || h < 0 || m < 0) {
			cli_error("PAPERTRADE_NOW", "want YYYY-MM-DDTHH:MM (New York time): '%s'", e);
			return -1;
		}
		memcpy(d, e, 10);
		d[10] = '\0';
		if (date_parse(d, day)) {
			cli_error("PAPERTRADE_NOW", "not a date: '%s'", e);
			return -1;
		}
		*minute = h * 60 + m;
		return 0;
	}
	cal_epoch_to_ny((int64_t)time(NULL), day, &sec);
	*minute = sec / 60;
	return 0;
}
