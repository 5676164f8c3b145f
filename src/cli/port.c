/*
 * port.c - `papertrade export` and `papertrade import` (DESIGN.md §5): the
 * brief's portfolio_data.json out of and into the store. Parses flags, moves
 * bytes between files and the store, prints; the format itself is
 * brief/brief.c's.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli.h"
#include "../book/book.h"
#include "../brief/brief.h"
#include "../store/store.h"
#include "../util/util.h"

#define DB_NAME "papertrade.db"
#define EXPORT_MAX (512u << 20)

static const char export_help[] =
        "usage: papertrade export [--out FILE]\n"
        "\n"
        "Writes the portfolio as the brief's portfolio_data.json: start_date,\n"
        "initial_capital, current_cash, positions, closed_trades and daily_snapshots,\n"
        "amounts in dollars, plus a \"papertrade\" object with the exact state (cents,\n"
        "ids, the ledger) so that 'papertrade import' gives the same portfolio back.\n"
        "\n"
        "  -o, --out FILE  write FILE (whole or not at all: a temporary file in the\n"
        "                  same folder, then renamed) instead of standard output\n"
        "  -h, --help      show this help\n";

static const char import_help[] =
	"usage: papertrade import FILE\n"
	"\n"
	"Reads a portfolio_data.json into a new portfolio in the home folder; FILE -\n"
	"reads standard input. Takes a file written by 'papertrade export' exactly, or\n"
	"one written by the brief's script: each open position booked at its entry\n"
	"price (each must name its expiration), each closed trade with its pnl, and\n"
	"what the trades do not explain of current_cash as the opening balance: the\n"
	"initial capital becomes current_cash less the trades' cash flows, so the\n"
	"books add up and returns count from there. The brief's daily_snapshots are\n"
	"not kept (it values short calls as assets); the next run starts the history\n"
	"and buys the benchmarks. Refuses a home whose portfolio has any run or\n"
	"position; the home and its database are made when missing.\n"
	"\n"
	"  -h, --help  show this help\n";

/* One-line usage error; getopt's opterr is off (main.c). */
static int bad_option(const char *cmd, int c, char **argv)
{
	const char *arg = optind > 0 ? argv[optind - 1] : "?";

	if (c == ':')
		cli_error(cmd, "option '%s' needs a value (see papertrade %s --help)", arg, cmd);
	else
		cli_error(cmd, "unknown option '%s' (see papertrade %s --help)", arg, cmd);
	return EXIT_USAGE;
}

int cmd_export(struct cli_ctx *ctx, int argc, char **argv)
{
	static const struct option opts[] = {
	        {"out", required_argument, NULL, 'o'},
	        {"help", no_argument, NULL, 'h'},
	        {NULL, 0, NULL, 0},
	};
	char path[PATH_MAX], err[PT_ERRSZ];
	const char *out = NULL;
	struct store *s = NULL;
	struct portfolio pf;
	struct sbuf sb;
	int c, code, rc = EXIT_RUNTIME;

	while ((c = getopt_long(argc, argv, ":o:h", opts, NULL)) != -1) {
		switch (c) {
		case 'o':
			out = optarg;
			break;
		case 'h':
			return cli_usage(export_help, 0);
		default:
			return bad_option("export", c, argv);
		}
	}
	if (optind < argc) {
		cli_error("export", "unexpected argument '%s' (see papertrade export --help)",
		          argv[optind]);
		return EXIT_USAGE;
	}
	if (out && !*out) {
		cli_error("export", "--out: empty file name");
		return EXIT_USAGE;
	}
	if (cli_home_file(ctx, DB_NAME, path, sizeof(path))) {
		cli_error("export", "home folder path too long");
		return EXIT_RUNTIME;
	}
	book_init(&pf, 0);
	sb_init(&sb, EXPORT_MAX);
	code = store_open(path, 0, &s, err);
	if (!code)
		code = store_load(s, &pf, err);
	if (code == PT_ENOENT) {
		cli_error("export", "no portfolio in %s; run 'papertrade init'", ctx->home);
		goto out;
	}
	if (code || brief_export_json(&pf, &sb, err)) {
		cli_error("export", "%s", err);
		goto out;
	}
	if (out) {
		if (cli_write_atomic(out, sb.buf, sb.len, err)) {
			cli_error("export", "%s", err);
			goto out;
		}
	} else if (fwrite(sb.buf, 1, sb.len, stdout) != sb.len || fflush(stdout)) {
		cli_error("export", "standard output: %s", strerror(errno));
		goto out;
	}
	rc = EXIT_OK_;
out:
	store_close(s);
	book_release(&pf);
	sb_release(&sb);
	return rc;
}

/* Reads a whole file (or stdin for "-") up to limit bytes. */
static int read_input(const char *name, struct sbuf *sb, char *err)
{
	char buf[65536];
	int fd = strcmp(name, "-") ? open(name, O_RDONLY | O_CLOEXEC) : STDIN_FILENO;
	int code = 0;

	if (fd < 0)
		return pt_err(err, PT_EIO, "%s", strerror(errno));
	for (;;) {
		ssize_t n = read(fd, buf, sizeof(buf));
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			code = pt_err(err, PT_EIO, "%s", strerror(errno));
			break;
		}
		if (n == 0)
			break;
		if (sb_add(sb, buf, (size_t)n)) {
			code = pt_err(err, PT_EINVAL, "larger than %zu MiB", sb->limit >> 20);
			break;
		}
	}
	if (fd != STDIN_FILENO)
		close(fd);
	return code;
}

static void remove_db(const char *path)
{
	char side[PATH_MAX + 8];

	unlink(path);
	snprintf(side, sizeof(side), "%s-wal", path);
	unlink(side);
	snprintf(side, sizeof(side), "%s-shm", path);
	unlink(side);
	snprintf(side, sizeof(side), "%s-journal", path);
	unlink(side);
}

int cmd_import(struct cli_ctx *ctx, int argc, char **argv)
{
	static const struct option opts[] = {
	        {"help", no_argument, NULL, 'h'},
	        {NULL, 0, NULL, 0},
	};
	char path[PATH_MAX], err[PT_ERRSZ], cash[32], m1[32], m2[32];
	struct brief_info info;
	const char *file;
	struct store *s = NULL;
	struct portfolio pf, cur;
	struct sbuf sb;
	struct stat st;
	size_t i, nopen = 0;
	int c, code, home_existed = 1, db_existed = 1, rc = EXIT_RUNTIME;

	while ((c = getopt_long(argc, argv, ":h", opts, NULL)) != -1) {
		switch (c) {
		case 'h':
			return cli_usage(import_help, 0);
		default:
			return bad_option("import", c, argv);
		}
	}
	if (argc - optind != 1) {
		cli_error("import", "want one FILE (or - for standard input); see papertrade "
		                    "import --help");
		return EXIT_USAGE;
	}
	file = argv[optind];
	if (cli_home_file(ctx, DB_NAME, path, sizeof(path))) {
		cli_error("import", "home folder path too long");
		return EXIT_RUNTIME;
	}
	book_init(&pf, 0);
	book_init(&cur, 0);
	sb_init(&sb, BRIEF_MAX_TEXT);

	/* The whole file is read and checked before the home is touched. */
	if (read_input(file, &sb, err) ||
	    brief_import_json_info(sb_str(&sb), sb.len, &pf, &info, err)) {
		cli_error("import", "%s: %s", file, err);
		goto out;
	}

	home_existed = !stat(ctx->home, &st);
	if (cli_make_home(ctx, err)) {
		cli_error("import", "%s", err);
		goto out;
	}
	db_existed = !stat(path, &st);
	if (store_open(path, 1, &s, err) || store_begin(s, err)) {
		cli_error("import", "%s", err);
		goto fail;
	}
	code = store_load(s, &cur, err);
	if (!code) {
		char *text = NULL, *json = NULL;
		int has_run = !store_get_report(s, 0, &text, &json, err);

		free(text);
		free(json);
		if (has_run || cur.n_pos || cur.n_ledger || cur.n_snaps) {
			cli_error("import",
			          "home already has a portfolio; import into a new --home");
			goto fail;
		}
	} else if (code != PT_ENOENT) {
		cli_error("import", "%s", err);
		goto fail;
	}
	if (store_save_portfolio(s, &pf, err) || store_commit(s, err)) {
		cli_error("import", "%s", err);
		goto fail;
	}
	for (i = 0; i < pf.n_pos; i++)
		nopen += !pf.pos[i].closed;
	fprintf(stderr, "imported %zu open positions, %zu closed trades, %zu snapshots; cash %s\n",
	        nopen, pf.n_pos - nopen, pf.n_snaps,
	        pt_fmt_money(cash, sizeof(cash), pf.cash_cents));
	if (info.file_initial_cents && info.file_initial_cents != pf.initial_cents)
		fprintf(stderr,
			"opening balance %s: current_cash less the trades' cash flows (the file's "
			"initial_capital %s is not what its trades explain); returns count from "
			"it\n",
			pt_fmt_money(m1, sizeof(m1), pf.initial_cents),
			pt_fmt_money(m2, sizeof(m2), info.file_initial_cents));
	if (info.snaps_skipped)
		fprintf(stderr,
			"%zu daily snapshots not kept: the brief values short calls as assets; the "
			"history starts at the next run\n",
			info.snaps_skipped);
	rc = EXIT_OK_;
	goto out;
fail:
	if (s)
		store_rollback(s);
	store_close(s);
	s = NULL;
	if (!db_existed) {
		remove_db(path);
		if (!home_existed)
			rmdir(ctx->home); /* only when empty */
	}
out:
	store_close(s);
	book_release(&pf);
	book_release(&cur);
	sb_release(&sb);
	return rc;
}
