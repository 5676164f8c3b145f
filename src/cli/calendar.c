/*
 * calendar.c - `papertrade calendar` and `papertrade expirations`: the NYSE
 * sessions (with hours, early closes and holidays) and the standard option
 * expirations between two dates, as a table or CSV. A window onto
 * market/calendar, the first box of DESIGN.md §1.
 */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "../market/calendar.h"
#include "../util/date.h"
#include "../util/util.h"

static const char calendar_usage[] =
	"usage: papertrade calendar --from YYYY-MM-DD --to YYYY-MM-DD [--csv]\n\n"
	"Lists the NYSE sessions between two dates (inclusive, years 2000-2035) with\n"
	"their opening and closing times in New York time, whatever this machine's\n"
	"time zone. Early closes (13:00) are marked and holidays are listed in the\n"
	"table.\n\n"
	"  --from D    first date\n"
	"  --to D      last date\n"
	"  --csv       write 'date,open,close' rows (HH:MM) for the sessions only\n"
	"  -h, --help  this help\n";

static const char expirations_usage[] =
	"usage: papertrade expirations --from YYYY-MM-DD --to YYYY-MM-DD [--csv]\n\n"
	"Lists the standard option expirations between two dates (inclusive, years\n"
	"2000-2035): the Friday of every week, or the last session before it in the\n"
	"same week when that Friday is a holiday (Thursday for Good Friday). The\n"
	"monthly one, in the week of the month's third Friday, is marked 'monthly'.\n\n"
	"  --from D    first date\n"
	"  --to D      last date\n"
	"  --csv       write 'date,type' rows, type weekly or monthly\n"
	"  -h, --help  this help\n";

struct range {
	int from, to;
	int csv;
};

/* Parses the flags both commands share. Returns -1 to go on, else the exit status. */
static int parse_range(const char *cmd, const char *usage, int argc, char **argv, struct range *r)
{
	static const struct option opts[] = {
		{"from", required_argument, NULL, 'f'},
		{"to", required_argument, NULL, 't'},
		{"csv", no_argument, NULL, 'c'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	int have_from = 0, have_to = 0, c;
	char a[DATE_BUFSZ];

	r->from = r->to = 0;
	r->csv = 0;
	while ((c = getopt_long(argc, argv, ":h", opts, NULL)) != -1) {
		switch (c) {
		case 'f':
			if (cli_parse_date("--from", optarg, &r->from))
				return EXIT_USAGE;
			have_from = 1;
			break;
		case 't':
			if (cli_parse_date("--to", optarg, &r->to))
				return EXIT_USAGE;
			have_to = 1;
			break;
		case 'c':
			r->csv = 1;
			break;
		case 'h':
			return cli_usage(usage, 0);
		case ':':
			cli_error(cmd, "option '%s' needs a value", argv[optind - 1]);
			return EXIT_USAGE;
		default:
			cli_error(cmd, "unknown option '%s' (see papertrade %s --help)",
				  argv[optind - 1], cmd);
			return EXIT_USAGE;
		}
	}
	if (optind < argc) {
		cli_error(cmd, "unexpected argument '%s'", argv[optind]);
		return EXIT_USAGE;
	}
	if (!have_from || !have_to) {
		cli_error(cmd, "--from and --to are required (see papertrade %s --help)", cmd);
		return EXIT_USAGE;
	}
	if (!cal_in_range(r->from) || !cal_in_range(r->to)) {
		cli_error(cal_in_range(r->from) ? "--to" : "--from",
			  "%s is outside the supported years %d-%d",
			  date_fmt(cal_in_range(r->from) ? r->to : r->from, a), CAL_FIRST_YEAR,
			  CAL_LAST_YEAR);
		return EXIT_USAGE;
	}
	if (r->from > r->to) {
		char b[DATE_BUFSZ];
		cli_error(cmd, "--from %s is after --to %s", date_fmt(r->from, a),
			  date_fmt(r->to, b));
		return EXIT_USAGE;
	}
	return -1;
}

/* Data went to stdout; a failed write (full disk, closed pipe) is a runtime failure. */
static int finish_output(const char *cmd)
{
	if (fflush(stdout) || ferror(stdout)) {
		cli_error(cmd, "cannot write the output");
		return EXIT_RUNTIME;
	}
	return 0;
}

static const char *weekday_name(int day)
{
	static const char *const names[7] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
	return names[date_weekday(day)];
}

/* Why a session closes early, from its date (the rules in calendar.c). */
static const char *early_close_reason(int day)
{
	int y, m, d;

	date_to_ymd(day, &y, &m, &d);
	if (m == 7)
		return d < 4 ? "early close, before Independence Day"
			     : "early close, after Independence Day";
	if (m == 11)
		return "early close, day after Thanksgiving";
	if (m == 12 && d == 24)
		return "early close, Christmas Eve";
	if (m == 12)
		return "early close, after Christmas";
	return "early close";
}

int cmd_calendar(struct cli_ctx *ctx, int argc, char **argv)
{
	struct range r;
	char buf[DATE_BUFSZ];
	int rc, d, sessions = 0, early = 0, holidays = 0;

	(void)ctx;
	if ((rc = parse_range("calendar", calendar_usage, argc, argv, &r)) >= 0)
		return rc;
	if (r.csv)
		printf("date,open,close\n");
	else
		printf("%-10s  %-3s  %-5s  %-5s  %s\n", "date", "day", "open", "close", "note");
	for (d = r.from; d <= r.to; d++) {
		int o, c;
		const char *name;

		if (cal_session_hours(d, &o, &c) == 0) {
			sessions++;
			early += c < 960;
			if (r.csv) {
				printf("%s,%02d:%02d,%02d:%02d\n", date_fmt(d, buf), o / 60, o % 60,
				       c / 60, c % 60);
				continue;
			}
			printf("%s  %s  %02d:%02d  %02d:%02d%s%s\n", date_fmt(d, buf),
			       weekday_name(d), o / 60, o % 60, c / 60, c % 60, c < 960 ? "  " : "",
			       c < 960 ? early_close_reason(d) : "");
		} else if (!r.csv && (name = cal_holiday_name(d))) {
			holidays++;
			printf("%s  %s  %-5s  %-5s  %s\n", date_fmt(d, buf), weekday_name(d), "-",
			       "-", name);
		}
	}
	if (!r.csv)
		printf("\n%d session%s, %d early close%s, %d holiday%s (times in New York)\n",
		       sessions, sessions == 1 ? "" : "s", early, early == 1 ? "" : "s", holidays,
		       holidays == 1 ? "" : "s");
	return finish_output("calendar");
}

int cmd_expirations(struct cli_ctx *ctx, int argc, char **argv)
{
	struct range r;
	char buf[DATE_BUFSZ];
	int rc, d;

	(void)ctx;
	if ((rc = parse_range("expirations", expirations_usage, argc, argv, &r)) >= 0)
		return rc;
	if (r.csv)
		printf("date,type\n");
	for (d = cal_next_expiration(r.from); d >= 0 && d <= r.to; d = cal_next_expiration(d + 1)) {
		int monthly = cal_is_monthly_expiration(d);

		if (r.csv)
			printf("%s,%s\n", date_fmt(d, buf), monthly ? "monthly" : "weekly");
		else
			printf("%s%s\n", date_fmt(d, buf), monthly ? " monthly" : "");
	}
	return finish_output("expirations");
}
