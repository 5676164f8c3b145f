/*
 * history.c - `papertrade history import | list | info | verify | remove`:
 * the end-of-day option history the `history` provider replays
 * (DESIGN.md §6, docs/history.md). Flags and printing only: the store is
 * history/hist.h, the readers history/himport.h.
 */
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "cli.h"
#include "../history/himport.h"
#include "../history/hist.h"
#include "../market/calendar.h"
#include "../util/date.h"
#include "../util/util.h"

static const char usage[] =
	"usage: papertrade history import [--ticker T] [--rates FILE] [--json] FILE...\n"
	"       papertrade history list [--json]\n"
	"       papertrade history info TICKER [--json]\n"
	"       papertrade history verify\n"
	"       papertrade history remove TICKER... | --rates\n"
	"\n"
	"Real end-of-day option history, stored in HOME/history (docs/history.md) and\n"
	"replayed by 'papertrade run --provider history --date DATE'.\n"
	"\n"
	"  import      read FILEs into the store, all or nothing. Layouts, found from\n"
	"              each file's header or schema: OptionsDX end-of-day text files,\n"
	"              Cboe DataShop / LiveVol end-of-day option quotes (CSV), and\n"
	"              options-dataset-hist SQLite databases; any of them may be\n"
	"              zstd-compressed (.zst). Bad rows are dropped and counted by\n"
	"              reason. Rows the store has for the same session and contract\n"
	"              are replaced: importing the same file again changes nothing.\n"
	"  --ticker T  the ticker of OptionsDX files (they name none; else taken from\n"
	"              a name like spy_eod_202301.txt); for the other layouts, import\n"
	"              only T's rows\n"
	"  --rates FILE  FRED's DTB3 CSV (DATE,DTB3): the 13-week T-bill rate each\n"
	"              session uses (else set risk_free_rate in papertrade.ini)\n"
	"  list        every ticker: first and last session, sessions, rows, bytes\n"
	"  info        one ticker in detail, with the sessions missing from its range\n"
	"  verify      check every file's checksums\n"
	"  remove      take tickers (or, with --rates, the rates) out of the store\n"
	"  --json      machine-readable output (import, list, info)\n"
	"  -h, --help  this help\n";

static json_t *jdate(int day)
{
	char d[DATE_BUFSZ];

	return day ? json_string(date_fmt(day, d)) : json_null();
}

static void print_json(json_t *o)
{
	char *s = json_dumps(o, JSON_INDENT(2) | JSON_PRESERVE_ORDER);

	if (s)
		printf("%s\n", s);
	free(s);
	json_decref(o);
}

static json_t *dropped_json(const uint64_t *d)
{
	json_t *o = json_object();
	int r;

	for (r = 0; r < HIMP_NREASONS; r++)
		json_object_set_new(o, himp_reason_key(r), json_integer((json_int_t)d[r]));
	return o;
}

/* " no bid or ask 10, ask below bid 2" */
static void dropped_text(const uint64_t *d, char *buf, size_t n)
{
	size_t len = 0;
	int r, k = 0;

	buf[0] = '\0';
	for (r = 0; r < HIMP_NREASONS; r++) {
		if (!d[r])
			continue;
		len = strlen(buf);
		snprintf(buf + len, n - len, "%s%s %" PRIu64, k++ ? ", " : ": ",
			 himp_reason_text(r), d[r]);
	}
}

static uint64_t sum(const uint64_t *d)
{
	uint64_t s = 0;
	int r;

	for (r = 0; r < HIMP_NREASONS; r++)
		s += d[r];
	return s;
}

static const char *layout_name(const char *l)
{
	return !strcmp(l, "optionsdx")	 ? "OptionsDX"
	       : !strcmp(l, "cboe")	 ? "Cboe DataShop"
	       : !strcmp(l, "fred-dtb3") ? "FRED DTB3"
					 : l;
}

static void import_print(const struct himp_result *r, int json)
{
	char d1[DATE_BUFSZ], d2[DATE_BUFSZ], why[1024];
	size_t i;

	if (json) {
		json_t *o = json_object(), *fa = json_array(), *ta = json_array(), *ra;

		for (i = 0; i < r->n_files; i++) {
			const struct himp_file *f = &r->files[i];
			json_t *x = json_object();

			json_object_set_new(x, "file", json_string(f->name));
			json_object_set_new(x, "layout", json_string(f->layout));
			json_object_set_new(x, "zstd", json_boolean(f->zstd));
			json_object_set_new(x, "read", json_integer((json_int_t)f->read));
			json_object_set_new(x, "skipped", json_integer((json_int_t)f->skipped));
			json_object_set_new(x, "dropped", dropped_json(f->dropped));
			json_array_append_new(fa, x);
		}
		for (i = 0; i < r->n_tk; i++) {
			const struct himp_ticker *t = &r->tk[i];
			json_t *x = json_object(), *st = json_object();

			json_object_set_new(x, "ticker", json_string(t->ticker));
			json_object_set_new(x, "rows", json_integer((json_int_t)t->rows));
			json_object_set_new(x, "sessions", json_integer((json_int_t)t->sessions));
			json_object_set_new(x, "replaced_sessions",
					    json_integer((json_int_t)t->replaced));
			json_object_set_new(x, "first", jdate(t->first));
			json_object_set_new(x, "last", jdate(t->last));
			json_object_set_new(x, "bars", json_integer((json_int_t)t->bars));
			json_object_set_new(x, "dividends", json_integer((json_int_t)t->divs));
			json_object_set_new(st, "first", jdate(t->after.first));
			json_object_set_new(st, "last", jdate(t->after.last));
			json_object_set_new(st, "sessions",
					    json_integer((json_int_t)t->after.sessions));
			json_object_set_new(st, "rows", json_integer((json_int_t)t->after.rows));
			json_object_set_new(st, "bytes", json_integer((json_int_t)t->after.bytes));
			json_object_set_new(x, "store", st);
			json_array_append_new(ta, x);
		}
		json_object_set_new(o, "files", fa);
		json_object_set_new(o, "tickers", ta);
		json_object_set_new(o, "read", json_integer((json_int_t)r->read));
		json_object_set_new(o, "kept", json_integer((json_int_t)r->kept));
		json_object_set_new(o, "skipped", json_integer((json_int_t)r->skipped));
		json_object_set_new(o, "dropped", dropped_json(r->dropped));
		ra = json_object();
		json_object_set_new(ra, "observations", json_integer((json_int_t)r->rates));
		json_object_set_new(ra, "first", jdate(r->rates_first));
		json_object_set_new(ra, "last", jdate(r->rates_last));
		json_object_set_new(ra, "dropped", json_integer((json_int_t)r->rates_dropped));
		json_object_set_new(o, "rates", ra);
		print_json(o);
		return;
	}
	for (i = 0; i < r->n_files; i++) {
		const struct himp_file *f = &r->files[i];

		dropped_text(f->dropped, why, sizeof(why));
		if (!strcmp(f->layout, "fred-dtb3"))
			printf("%s (%s): %" PRIu64 " lines\n", f->name, layout_name(f->layout),
			       f->read);
		else
			printf("%s (%s%s): %" PRIu64 " option rows read%s%s%" PRIu64 " dropped%s\n",
			       f->name, layout_name(f->layout), f->zstd ? ", zstd" : "", f->read,
			       f->skipped ? ", other tickers' skipped: " : "",
			       f->skipped ? "" : ", ", sum(f->dropped), why);
	}
	for (i = 0; i < r->n_tk; i++) {
		const struct himp_ticker *t = &r->tk[i];

		printf("%s: %" PRIu64 " option rows in %zu session%s %s..%s (%zu merged into "
		       "stored sessions), %zu bars, %zu dividends; the store has %zu sessions "
		       "%s..%s\n",
		       t->ticker, t->rows, t->sessions, t->sessions == 1 ? "" : "s",
		       date_fmt(t->first, d1), date_fmt(t->last, d2), t->replaced, t->bars, t->divs,
		       t->after.sessions, t->after.first ? date_fmt(t->after.first, d1) : "-",
		       t->after.last ? date_fmt(t->after.last, d2) : "-");
	}
	if (r->rates)
		printf("rates: %zu DTB3 observations %s..%s (%" PRIu64 " lines without a value)\n",
		       r->rates, date_fmt(r->rates_first, d1), date_fmt(r->rates_last, d2),
		       r->rates_dropped);
	dropped_text(r->dropped, why, sizeof(why));
	printf("%" PRIu64 " option rows read, %" PRIu64 " imported, %" PRIu64 " dropped%s\n",
	       r->read, r->kept, sum(r->dropped), why);
	if (!r->n_tk && !r->rates)
		printf("nothing imported: the store is unchanged\n");
}

static int do_import(struct cli_ctx *ctx, const char *ticker, const char *rates, int json,
		     char **files, size_t n)
{
	struct himp_opts o;
	struct himp_result r;
	char err[PT_ERRSZ];
	int rc;

	memset(&o, 0, sizeof(o));
	o.home = ctx->home;
	o.ticker = ticker;
	o.rates = rates;
	if (cli_make_home(ctx, err)) {
		cli_error("history", "%s", err);
		return EXIT_RUNTIME;
	}
	rc = himp_run(&o, (const char *const *)files, n, &r, err);
	if (rc) {
		himp_result_release(&r);
		cli_error("history", "%s (nothing imported: the store is as it was)", err);
		return EXIT_RUNTIME;
	}
	import_print(&r, json);
	himp_result_release(&r);
	return 0;
}

static int do_list(struct cli_ctx *ctx, int json)
{
	struct hist_coverage *c;
	char err[PT_ERRSZ], d1[DATE_BUFSZ], d2[DATE_BUFSZ];
	size_t n, i;
	int rf, rl;

	if (hist_coverage(ctx->home, &c, &n, &rf, &rl, err)) {
		cli_error("history", "%s", err);
		return EXIT_RUNTIME;
	}
	if (json) {
		json_t *o = json_object(), *a = json_array(), *ra = json_object();

		for (i = 0; i < n; i++) {
			json_t *x = json_object();

			json_object_set_new(x, "ticker", json_string(c[i].ticker));
			json_object_set_new(x, "first", jdate(c[i].first));
			json_object_set_new(x, "last", jdate(c[i].last));
			json_object_set_new(x, "sessions", json_integer((json_int_t)c[i].sessions));
			json_object_set_new(x, "rows", json_integer((json_int_t)c[i].rows));
			json_object_set_new(x, "bytes", json_integer((json_int_t)c[i].bytes));
			json_object_set_new(x, "bars", json_integer((json_int_t)c[i].bars));
			json_object_set_new(x, "dividends", json_integer((json_int_t)c[i].divs));
			json_array_append_new(a, x);
		}
		json_object_set_new(o, "tickers", a);
		json_object_set_new(ra, "first", jdate(rf));
		json_object_set_new(ra, "last", jdate(rl));
		json_object_set_new(o, "rates", ra);
		print_json(o);
		free(c);
		return 0;
	}
	if (!n && !rf)
		printf("(no history: papertrade history import FILE...)\n");
	if (n)
		printf("%-8s  %-10s  %-10s  %8s  %12s  %12s\n", "ticker", "first", "last",
		       "sessions", "rows", "bytes");
	for (i = 0; i < n; i++)
		printf("%-8s  %-10s  %-10s  %8zu  %12" PRIu64 "  %12" PRIu64 "\n", c[i].ticker,
		       date_fmt(c[i].first, d1), date_fmt(c[i].last, d2), c[i].sessions, c[i].rows,
		       c[i].bytes);
	if (rf)
		printf("rates (FRED DTB3): %s..%s\n", date_fmt(rf, d1), date_fmt(rl, d2));
	else if (n)
		printf("rates: none imported (set risk_free_rate, or history import --rates "
		       "FILE)\n");
	free(c);
	return 0;
}

static int do_info(struct cli_ctx *ctx, const char *ticker, int json)
{
	struct hist *h;
	const struct hist_ticker *t;
	struct hist_coverage c;
	char err[PT_ERRSZ], sym[HIST_SYMSZ], d1[DATE_BUFSZ], d2[DATE_BUFSZ];
	size_t i, gaps = 0, exps = 0, minutes = 0;
	int day, first_gap = 0, qm[8], nq = 0;
	uint32_t s;

	for (i = 0; ticker[i] && i + 1 < sizeof(sym); i++)
		sym[i] = (char)(ticker[i] >= 'a' && ticker[i] <= 'z' ? ticker[i] - 'a' + 'A'
								     : ticker[i]);
	sym[i] = '\0';
	if (hist_open(ctx->home, &h, err)) {
		cli_error("history", "%s", err);
		return EXIT_RUNTIME;
	}
	t = hist_find(h, sym);
	if (!t) {
		cli_error("history", "%s is not in the history%s", sym,
			  h && h->n_tk ? " (see papertrade history list)" : " (nothing imported)");
		hist_close(h);
		return EXIT_RUNTIME;
	}
	hist_coverage_of(t, &c);
	for (s = 0; s < t->n_sess; s++) {
		int q = hist_le32(t->sess[s].quote_min), k;

		exps += (uint32_t)hist_le32((int32_t)t->sess[s].n_blocks);
		for (k = 0; k < nq && qm[k] != q; k++)
			;
		if (k == nq && nq < 8)
			qm[nq++] = q;
	}
	minutes = (size_t)nq;
	for (day = c.first, s = 0; c.first && day <= c.last; day++) {
		if (!cal_is_session(day))
			continue;
		while (s < t->n_sess && hist_le32(t->sess[s].day) < day)
			s++;
		if (s >= t->n_sess || hist_le32(t->sess[s].day) != day) {
			if (!gaps)
				first_gap = day;
			gaps++;
		}
	}
	if (json) {
		json_t *o = json_object(), *q = json_array();
		int k;

		json_object_set_new(o, "ticker", json_string(c.ticker));
		json_object_set_new(o, "file", json_string(t->file));
		json_object_set_new(o, "bytes", json_integer((json_int_t)c.bytes));
		json_object_set_new(o, "first", jdate(c.first));
		json_object_set_new(o, "last", jdate(c.last));
		json_object_set_new(o, "sessions", json_integer((json_int_t)c.sessions));
		json_object_set_new(o, "missing_sessions", json_integer((json_int_t)gaps));
		json_object_set_new(o, "first_missing", jdate(first_gap));
		json_object_set_new(o, "rows", json_integer((json_int_t)c.rows));
		json_object_set_new(o, "expirations", json_integer((json_int_t)exps));
		for (k = 0; k < nq; k++) {
			char hm[8];
			snprintf(hm, sizeof(hm), "%02d:%02d", qm[k] / 60 % 24, qm[k] % 60);
			json_array_append_new(q, json_string(hm));
		}
		json_object_set_new(o, "quote_times", q);
		json_object_set_new(o, "bars", json_integer((json_int_t)c.bars));
		json_object_set_new(o, "bars_first", jdate(c.bars_first));
		json_object_set_new(o, "bars_last", jdate(c.bars_last));
		json_object_set_new(o, "dividends", json_integer((json_int_t)c.divs));
		print_json(o);
	} else {
		int k;

		printf("ticker:       %s (file %s, %" PRIu64 " bytes)\n", c.ticker, t->file,
		       c.bytes);
		printf("sessions:     %zu, %s..%s", c.sessions, date_fmt(c.first, d1),
		       date_fmt(c.last, d2));
		if (gaps)
			printf("; %zu NYSE session%s in that range missing (the first %s)", gaps,
			       gaps == 1 ? "" : "s", date_fmt(first_gap, d1));
		printf("\n");
		printf("option rows:  %" PRIu64 " in %zu (session, expiration) blocks\n", c.rows,
		       exps);
		printf("quotes as of:");
		for (k = 0; k < nq; k++)
			printf(" %02d:%02d", qm[k] / 60 % 24, qm[k] % 60);
		printf(" New York%s\n", minutes >= 8 ? " (and others)" : "");
		if (c.bars)
			printf("bars:         %zu, %s..%s\n", c.bars, date_fmt(c.bars_first, d1),
			       date_fmt(c.bars_last, d2));
		else
			printf("bars:         none\n");
		printf("dividends:    %zu%s\n", c.divs,
		       c.divs ? "" : " (none in the data: the dividend yield is 0)");
	}
	hist_close(h);
	return 0;
}

static int do_verify(struct cli_ctx *ctx)
{
	struct hist *h;
	char err[PT_ERRSZ];
	size_t i;

	if (hist_open(ctx->home, &h, err)) {
		cli_error("history", "%s", err);
		return EXIT_RUNTIME;
	}
	if (!h) {
		printf("(no history)\n");
		return 0;
	}
	if (hist_verify(h, err)) {
		cli_error("history", "%s", err);
		hist_close(h);
		return EXIT_RUNTIME;
	}
	for (i = 0; i < h->n_tk; i++)
		printf("%-8s  ok   %s, %" PRIu64 " rows\n", h->tk[i].ticker, h->tk[i].file,
		       h->tk[i].n_rows);
	if (h->n_rates)
		printf("%-8s  ok   %s, %zu observations\n", "rates", h->rates_file, h->n_rates);
	hist_close(h);
	return 0;
}

int cmd_history(struct cli_ctx *ctx, int argc, char **argv)
{
	static const struct option opts[] = {
		{"ticker", required_argument, NULL, 't'},
		{"rates", optional_argument, NULL, 'r'},
		{"json", no_argument, NULL, 'j'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	const char *ticker = NULL, *rates = NULL, *verb;
	char err[PT_ERRSZ];
	int c, json = 0, rates_flag = 0, n;

	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (c) {
		case 't':
			ticker = optarg;
			if (!cli_ticker_ok(ticker)) {
				cli_error("--ticker", "'%s' is not a ticker symbol", ticker);
				return EXIT_USAGE;
			}
			break;
		case 'r':
			rates_flag = 1;
			if (optarg)
				rates = optarg;
			else if (optind < argc && argv[optind][0] != '-' && argv[optind][0] &&
				 strcmp(argv[optind], "remove") != 0)
				rates = argv[optind++];
			break;
		case 'j':
			json = 1;
			break;
		case 'h':
			return cli_usage(usage, 0);
		default:
			cli_error(
				"history",
				"unknown or incomplete option '%s' (see papertrade history --help)",
				argv[optind - 1]);
			return EXIT_USAGE;
		}
	}
	if (optind >= argc) {
		cli_error("history", "want import, list, info, verify or remove (see papertrade "
				     "history --help)");
		return EXIT_USAGE;
	}
	verb = argv[optind++];
	n = argc - optind;
	if (!strcmp(verb, "import")) {
		if ((!n && !rates) || (rates_flag && !rates)) {
			cli_error("history", "import wants FILE... or --rates FILE (see papertrade "
					     "history --help)");
			return EXIT_USAGE;
		}
		return do_import(ctx, ticker, rates, json, argv + optind, (size_t)n);
	}
	if (ticker || (rates_flag && strcmp(verb, "remove") != 0)) {
		cli_error("history", "--ticker and --rates FILE are for import");
		return EXIT_USAGE;
	}
	if (!strcmp(verb, "list") && !n)
		return do_list(ctx, json);
	if (!strcmp(verb, "info") && n == 1)
		return do_info(ctx, argv[optind], json);
	if (!strcmp(verb, "verify") && !n && !json)
		return do_verify(ctx);
	if (!strcmp(verb, "remove") && (n || rates_flag) && !json && !rates) {
		if (himp_remove(ctx->home, (const char *const *)(argv + optind), (size_t)n,
				rates_flag, err)) {
			cli_error("history", "%s (nothing removed)", err);
			return EXIT_RUNTIME;
		}
		fprintf(stderr, "papertrade: history: removed %d ticker%s%s\n", n,
			n == 1 ? "" : "s", rates_flag ? " and the rates" : "");
		return 0;
	}
	cli_error("history", "bad arguments for '%s' (see papertrade history --help)", verb);
	return EXIT_USAGE;
}
