/*
 * tape.c - `papertrade tape list | verify | export | import`: the raw
 * responses each live run used (DESIGN.md §6). A tape replays with
 * `run --provider tape --date D` to the same decisions and report.
 */
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "../market/calendar.h"
#include "../store/store.h"
#include "../tape/tape.h"
#include "../util/date.h"
#include "../util/util.h"

static const char usage[] =
	"usage: papertrade tape list\n"
	"       papertrade tape verify [DATE]\n"
	"       papertrade tape export DATE [--out FILE]\n"
	"       papertrade tape import FILE\n"
	"\n"
	"Every run on live data (provider yahoo or cboe) stores the raw responses it\n"
	"used, compressed, in the same transaction as the run: its tape. A tape\n"
	"replays with 'papertrade run --provider tape --date DATE' (in a home that\n"
	"has not run that session, e.g. after 'tape import') to the same decisions\n"
	"and the same report.\n"
	"\n"
	"  list        every tape: session, as-of time, sources, responses, size\n"
	"  verify      check that every stored response decompresses to its length\n"
	"              and checksum (all tapes, or the one of DATE)\n"
	"  export      write the tape of DATE as a gzip file (default\n"
	"              papertrade-tape-DATE.json.gz) to share\n"
	"  import      store a tape file in this home\n"
	"  -h, --help  this help\n";

static void fmt_asof(int64_t t, char *buf, size_t n)
{
	char d[DATE_BUFSZ];
	int day, sec;

	cal_epoch_to_ny(t, &day, &sec);
	snprintf(buf, n, "%s %02d:%02d:%02d", date_fmt(day, d), sec / 3600, sec / 60 % 60, sec % 60);
}

static int do_list(struct store *st)
{
	struct store_tape_info *t;
	char err[PT_ERRSZ], d[DATE_BUFSZ], when[40];
	size_t n, i;

	if (store_list_tapes(st, &t, &n, err)) {
		cli_error("tape", "%s", err);
		return EXIT_RUNTIME;
	}
	if (!n)
		printf("(no tapes: runs on the simulated market make none)\n");
	else
		printf("%-10s  %-24s  %-12s  %9s  %12s  %12s\n", "session", "as of (New York)",
		       "sources", "responses", "bytes", "stored");
	for (i = 0; i < n; i++) {
		fmt_asof(t[i].asof, when, sizeof(when));
		printf("%-10s  %-24s  %-12s  %9zu  %12" PRIu64 "  %12" PRIu64 "\n",
		       date_fmt(t[i].session, d), when, t[i].sources, t[i].n, t[i].raw_bytes,
		       t[i].stored_bytes);
	}
	free(t);
	return 0;
}

static int do_verify(struct store *st, int only)
{
	struct store_tape_info *t, info;
	struct tape tape;
	char err[PT_ERRSZ], d[DATE_BUFSZ];
	size_t n, i, bad = 0, seen = 0;

	if (store_list_tapes(st, &t, &n, err)) {
		cli_error("tape", "%s", err);
		return EXIT_RUNTIME;
	}
	for (i = 0; i < n; i++) {
		if (only && t[i].session != only)
			continue;
		seen++;
		if (store_load_tape(st, t[i].session, &tape, &info, err)) {
			printf("%s  BAD  %s\n", date_fmt(t[i].session, d), err);
			bad++;
			continue;
		}
		printf("%s  ok   %zu responses, %" PRIu64 " bytes\n", date_fmt(t[i].session, d),
		       tape.n, info.raw_bytes);
		tape_release(&tape);
	}
	free(t);
	if (only && !seen) {
		cli_error("tape", "no tape recorded for %s", date_fmt(only, d));
		return EXIT_RUNTIME;
	}
	if (bad) {
		cli_error("tape", "%zu tape%s failed verification", bad, bad == 1 ? "" : "s");
		return EXIT_RUNTIME;
	}
	return 0;
}

static int do_export(struct store *st, int session, const char *out)
{
	struct store_tape_info stored;
	struct tape_info info = {0};
	struct tape tape;
	char err[PT_ERRSZ], d[DATE_BUFSZ], name[64];

	if (store_load_tape(st, session, &tape, &stored, err)) {
		cli_error("tape", "%s", err);
		return EXIT_RUNTIME;
	}
	info.session = stored.session;
	info.asof = stored.asof;
	pt_strlcpy(info.sources, stored.sources, sizeof(info.sources));
	if (!out) {
		snprintf(name, sizeof(name), "papertrade-tape-%s.json.gz", date_fmt(session, d));
		out = name;
	}
	if (tape_write_file(out, &info, &tape, err)) {
		cli_error("tape", "%s", err);
		tape_release(&tape);
		return EXIT_RUNTIME;
	}
	fprintf(stderr, "papertrade: wrote %zu responses of %s to %s\n", tape.n,
		date_fmt(session, d), out);
	tape_release(&tape);
	return 0;
}

static int do_import(struct store *st, const char *file)
{
	struct tape_info info;
	struct tape tape;
	char err[PT_ERRSZ], d[DATE_BUFSZ];

	if (tape_read_file(file, &info, &tape, err)) {
		cli_error("tape", "%s", err);
		return EXIT_RUNTIME;
	}
	if (store_begin(st, err) ||
	    store_save_tape(st, info.session, info.asof, info.sources, &tape, err) ||
	    store_commit(st, err)) {
		store_rollback(st);
		cli_error("tape", "%s: %s", file, err);
		tape_release(&tape);
		return EXIT_RUNTIME;
	}
	fprintf(stderr, "papertrade: stored the tape of %s (%zu responses, %s)\n",
		date_fmt(info.session, d), tape.n, info.sources);
	tape_release(&tape);
	return 0;
}

int cmd_tape(struct cli_ctx *ctx, int argc, char **argv)
{
	static const struct option opts[] = {
		{"out", required_argument, NULL, 'o'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	const char *out = NULL, *verb;
	struct store *st;
	int c, day = 0, rc, ok;

	while ((c = getopt_long(argc, argv, "ho:", opts, NULL)) != -1) {
		switch (c) {
		case 'o':
			out = optarg;
			break;
		case 'h':
			return cli_usage(usage, 0);
		default:
			cli_error("tape", "unknown or incomplete option '%s' (see papertrade tape --help)",
				  argv[optind - 1]);
			return EXIT_USAGE;
		}
	}
	if (optind >= argc) {
		cli_error("tape", "want list, verify, export or import (see papertrade tape --help)");
		return EXIT_USAGE;
	}
	verb = argv[optind++];
	ok = (strcmp(verb, "list") == 0 && optind == argc) ||
	     (strcmp(verb, "verify") == 0 && argc - optind <= 1) ||
	     ((strcmp(verb, "export") == 0 || strcmp(verb, "import") == 0) && argc - optind == 1);
	if (!ok) {
		cli_error("tape", "bad arguments for '%s' (see papertrade tape --help)", verb);
		return EXIT_USAGE;
	}
	if (strcmp(verb, "import") != 0 && optind < argc &&
	    cli_parse_date(verb, argv[optind], &day))
		return EXIT_USAGE;
	if (out && strcmp(verb, "export") != 0) {
		cli_error("tape", "--out is for export");
		return EXIT_USAGE;
	}
	if (cli_open_store(ctx, strcmp(verb, "import") == 0, &st))
		return EXIT_RUNTIME;
	if (strcmp(verb, "list") == 0)
		rc = do_list(st);
	else if (strcmp(verb, "verify") == 0)
		rc = do_verify(st, day);
	else if (strcmp(verb, "export") == 0)
		rc = do_export(st, day, out);
	else
		rc = do_import(st, argv[optind]);
	store_close(st);
	return rc;
}
