/*
 * test_sched.c - unit tests of sched/ (DESIGN.md §1, before the first box;
 * erratum 6): when the daily run is due and when to decide next, with an
 * injected clock and the process in Tokyo. The instants are checked in UTC:
 * 09:35 New York is 14:35 UTC in winter (EST) and 13:35 UTC in summer (EDT),
 * across the DST weekends of 2024 and 2025, early closes, holidays, long
 * weekends, restarts and year ends; and a simulated scheduler over two years
 * runs every session exactly once, at its run_at. Last, cli_run_due, the
 * in-process run `serve` calls, in a temporary home on the simulated market.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "cli/cli.h"
#include "market/calendar.h"
#include "sched/sched.h"
#include "session.h"
#include "util/date.h"
#include "util/util.h"

#define RUN_AT (9 * 60 + 35)

static int D(const char *s)
{
	int d = -1;

	if (date_parse(s, &d))
		fail_msg("bad date in test: %s", s);
	return d;
}

/* "YYYY-MM-DDTHH:MM[:SS]" in UTC to Unix time. */
static int64_t U(const char *s)
{
	struct tm tm;
	int y, mo, d, h, mi, sec = 0;

	if (sscanf(s, "%d-%d-%dT%d:%d:%d", &y, &mo, &d, &h, &mi, &sec) < 5)
		fail_msg("bad time in test: %s", s);
	memset(&tm, 0, sizeof(tm));
	tm.tm_year = y - 1900;
	tm.tm_mon = mo - 1;
	tm.tm_mday = d;
	tm.tm_hour = h;
	tm.tm_min = mi;
	tm.tm_sec = sec;
	return (int64_t)timegm(&tm);
}

/* New York wall time to Unix time, through the calendar. */
static int64_t NY(const char *day, int h, int m)
{
	int64_t t = 0;

	assert_int_equal(cal_ny_to_epoch(D(day), h * 60 + m, &t), 0);
	return t;
}

static struct sched_decision decide(int64_t now, int run_at, int last)
{
	struct sched_decision d;

	assert_int_equal(sched_decide(now, run_at, last, &d), 0);
	return d;
}

/* Not due; the next decision is run_at on `next` at the UTC instant `utc`. */
static void not_due(int64_t now, int run_at, int last, const char *next, const char *utc)
{
	struct sched_decision d = decide(now, run_at, last);

	assert_int_equal(d.due, 0);
	assert_int_equal(d.next_session, D(next));
	assert_int_equal(d.next, U(utc));
	assert_true(d.next > now);
}

/* Due now: session `due`; then next is `next` at `utc`. */
static void due(int64_t now, int run_at, int last, const char *day, const char *next,
		const char *utc)
{
	struct sched_decision d = decide(now, run_at, last);

	assert_int_equal(d.due, D(day));
	assert_int_equal(d.today, D(day));
	assert_int_equal(d.next_session, D(next));
	assert_int_equal(d.next, U(utc));
	assert_true(d.next > now);
}

static void test_normal_day_est(void **state)
{
	(void)state;
	/* Monday 2024-12-02, EST: 09:35 New York = 14:35 UTC. */
	not_due(U("2024-12-02T14:00"), RUN_AT, D("2024-11-29"), "2024-12-02", "2024-12-02T14:35");
	not_due(U("2024-12-02T14:34:59"), RUN_AT, D("2024-11-29"), "2024-12-02",
		"2024-12-02T14:35");
	due(U("2024-12-02T14:35"), RUN_AT, D("2024-11-29"), "2024-12-02", "2024-12-03",
	    "2024-12-03T14:35");
	due(U("2024-12-02T14:40"), RUN_AT, 0, "2024-12-02", "2024-12-03", "2024-12-03T14:35");
	/* The same instants seen through New York wall time. */
	assert_int_equal(NY("2024-12-02", 9, 35), U("2024-12-02T14:35"));
	{
		int64_t t;
		assert_int_equal(sched_run_time(D("2024-12-02"), RUN_AT, &t), 0);
		assert_int_equal(t, U("2024-12-02T14:35"));
	}
}

static void test_normal_day_edt(void **state)
{
	(void)state;
	/* Monday 2024-07-01, EDT: 09:35 New York = 13:35 UTC. */
	not_due(U("2024-07-01T13:00"), RUN_AT, D("2024-06-28"), "2024-07-01", "2024-07-01T13:35");
	not_due(U("2024-07-01T13:34:59"), RUN_AT, 0, "2024-07-01", "2024-07-01T13:35");
	due(U("2024-07-01T13:35"), RUN_AT, D("2024-06-28"), "2024-07-01", "2024-07-02",
	    "2024-07-02T13:35");
	due(U("2024-07-01T14:00"), RUN_AT, 0, "2024-07-01", "2024-07-02", "2024-07-02T13:35");
	/* 2025 summer too. */
	not_due(U("2025-06-02T12:00"), RUN_AT, 0, "2025-06-02", "2025-06-02T13:35");
}

/* The first session after each DST change fires at 09:35 New York: one hour
 * earlier in UTC in March, one hour later in November. */
static void test_dst_changes(void **state)
{
	(void)state;
	/* Spring forward 2024-03-10: Friday 14:35 UTC, Monday 13:35 UTC. */
	due(U("2024-03-08T14:35"), RUN_AT, D("2024-03-07"), "2024-03-08", "2024-03-11",
	    "2024-03-11T13:35");
	not_due(U("2024-03-08T20:00"), RUN_AT, D("2024-03-08"), "2024-03-11", "2024-03-11T13:35");
	not_due(NY("2024-03-10", 1, 59), RUN_AT, D("2024-03-08"), "2024-03-11",
		"2024-03-11T13:35");
	not_due(NY("2024-03-10", 3, 0), RUN_AT, D("2024-03-08"), "2024-03-11",
		"2024-03-11T13:35");
	not_due(U("2024-03-11T13:34"), RUN_AT, D("2024-03-08"), "2024-03-11", "2024-03-11T13:35");
	due(U("2024-03-11T13:35"), RUN_AT, D("2024-03-08"), "2024-03-11", "2024-03-12",
	    "2024-03-12T13:35");
	/* Spring forward 2025-03-09. */
	not_due(U("2025-03-07T14:00"), RUN_AT, D("2025-03-06"), "2025-03-07", "2025-03-07T14:35");
	not_due(U("2025-03-07T15:00"), RUN_AT, D("2025-03-07"), "2025-03-10", "2025-03-10T13:35");
	due(U("2025-03-10T13:35"), RUN_AT, D("2025-03-07"), "2025-03-10", "2025-03-11",
	    "2025-03-11T13:35");
	/* Fall back 2024-11-03: Friday 13:35 UTC, Monday 14:35 UTC; the
	 * doubled 01:00-02:00 hour on Sunday changes nothing. */
	due(U("2024-11-01T13:35"), RUN_AT, D("2024-10-31"), "2024-11-01", "2024-11-04",
	    "2024-11-04T14:35");
	not_due(U("2024-11-03T05:30"), RUN_AT, D("2024-11-01"), "2024-11-04", "2024-11-04T14:35");
	not_due(U("2024-11-03T06:30"), RUN_AT, D("2024-11-01"), "2024-11-04", "2024-11-04T14:35");
	not_due(U("2024-11-04T13:35"), RUN_AT, D("2024-11-01"), "2024-11-04", "2024-11-04T14:35");
	not_due(U("2024-11-04T14:34"), RUN_AT, D("2024-11-01"), "2024-11-04", "2024-11-04T14:35");
	due(U("2024-11-04T14:35"), RUN_AT, D("2024-11-01"), "2024-11-04", "2024-11-05",
	    "2024-11-05T14:35");
	/* Fall back 2025-11-02. */
	due(U("2025-10-31T13:35"), RUN_AT, D("2025-10-30"), "2025-10-31", "2025-11-03",
	    "2025-11-03T14:35");
	not_due(U("2025-11-03T13:35"), RUN_AT, D("2025-10-31"), "2025-11-03", "2025-11-03T14:35");
	due(U("2025-11-03T14:35"), RUN_AT, D("2025-10-31"), "2025-11-03", "2025-11-04",
	    "2025-11-04T14:35");
}

/* Early closes (13:00): run_at before the close as any day; at or after it,
 * still at run_at (not clamped to the close). */
static void test_early_close(void **state)
{
	static const char *const days[] = {"2024-11-29", "2024-12-24", "2025-07-03"};
	static const char *const nexts[] = {"2024-12-02", "2024-12-26", "2025-07-07"};
	size_t i;

	(void)state;
	for (i = 0; i < PT_ARRAY_SIZE(days); i++) {
		int close = 0, day = D(days[i]), next = D(nexts[i]);
		struct sched_decision d;
		int run_at;

		assert_int_equal(cal_session_hours(day, NULL, &close), 0);
		assert_int_equal(close, 13 * 60);
		assert_int_equal(cal_next_session(day), next);
		for (run_at = RUN_AT; run_at <= 16 * 60 + 30; run_at += 13 * 60 + 30 - RUN_AT) {
			/* run_at 09:35, 13:30 (after the close), 17:25 (after any close) */
			int64_t at = NY(days[i], run_at / 60, run_at % 60), nat;
			assert_int_equal(sched_run_time(next, run_at, &nat), 0);
			d = decide(at - 1, run_at, cal_prev_session(day));
			assert_int_equal(d.due, 0);
			assert_int_equal(d.next_session, day);
			assert_int_equal(d.next, at);
			d = decide(at, run_at, cal_prev_session(day));
			assert_int_equal(d.due, day);
			assert_int_equal(d.next_session, next);
			assert_int_equal(d.next, nat);
		}
	}
	/* run_at 14:00 on 2024-12-24 (closed at 13:00): due at 14:00 EST = 19:00 UTC. */
	not_due(U("2024-12-24T18:30"), 14 * 60, D("2024-12-23"), "2024-12-24", "2024-12-24T19:00");
	due(U("2024-12-24T19:00"), 14 * 60, D("2024-12-23"), "2024-12-24", "2024-12-26",
	    "2024-12-26T19:00");
	/* run_at 16:30 after the early close of 2025-07-03 (EDT): 20:30 UTC. */
	not_due(U("2025-07-03T17:00"), 16 * 60 + 30, D("2025-07-02"), "2025-07-03",
		"2025-07-03T20:30");
	due(U("2025-07-03T20:30"), 16 * 60 + 30, D("2025-07-02"), "2025-07-03", "2025-07-07",
	    "2025-07-07T20:30");
	/* and 16:30 on 2024-11-29 (EST): 21:30 UTC. */
	not_due(U("2024-11-29T21:29"), 16 * 60 + 30, D("2024-11-27"), "2024-11-29",
		"2024-11-29T21:30");
	due(U("2024-11-29T21:30"), 16 * 60 + 30, D("2024-11-27"), "2024-11-29", "2024-12-02",
	    "2024-12-02T21:30");
}

static void test_holidays_and_weekends(void **state)
{
	(void)state;
	/* Thanksgiving 2024-11-28: nothing due all day; next is Friday's. */
	not_due(NY("2024-11-28", 9, 40), RUN_AT, D("2024-11-27"), "2024-11-29", "2024-11-29T14:35");
	not_due(NY("2024-11-28", 0, 0), RUN_AT, D("2024-11-27"), "2024-11-29", "2024-11-29T14:35");
	not_due(NY("2024-11-28", 23, 59), RUN_AT, 0, "2024-11-29", "2024-11-29T14:35");
	/* Good Friday 2024-03-29 (EDT): next is Monday 2024-04-01. */
	not_due(NY("2024-03-29", 10, 0), RUN_AT, D("2024-03-28"), "2024-04-01", "2024-04-01T13:35");
	/* A weekend: Saturday and Sunday wait for Monday. */
	not_due(NY("2024-12-07", 9, 35), RUN_AT, D("2024-12-06"), "2024-12-09", "2024-12-09T14:35");
	not_due(NY("2024-12-08", 12, 0), RUN_AT, D("2024-12-06"), "2024-12-09", "2024-12-09T14:35");
	/* A one-off closure: 2025-01-09 (national day of mourning). */
	not_due(NY("2025-01-09", 10, 0), RUN_AT, D("2025-01-08"), "2025-01-10", "2025-01-10T14:35");
}

static void test_restart_and_catch_up(void **state)
{
	(void)state;
	/* Restarted after having run today: not due, next is the next session. */
	not_due(NY("2024-12-03", 10, 0), RUN_AT, D("2024-12-03"), "2024-12-04", "2024-12-04T14:35");
	not_due(NY("2024-12-03", 23, 59), RUN_AT, D("2024-12-03"), "2024-12-04",
		"2024-12-04T14:35");
	/* Run before run_at (run --date): today is done all the same. */
	not_due(NY("2024-12-03", 8, 0), RUN_AT, D("2024-12-03"), "2024-12-04", "2024-12-04T14:35");
	/* Started at 15:00 on a session not yet run: due now. */
	due(NY("2024-12-03", 15, 0), RUN_AT, D("2024-12-02"), "2024-12-03", "2024-12-04",
	    "2024-12-04T14:35");
	due(NY("2024-12-03", 23, 59), RUN_AT, D("2024-11-20"), "2024-12-03", "2024-12-04",
	    "2024-12-04T14:35");
	/* After midnight the missed day is not due; today's is, at run_at. */
	not_due(NY("2024-12-04", 0, 0), RUN_AT, D("2024-12-02"), "2024-12-04", "2024-12-04T14:35");
	/* A store ahead of the clock: nothing is due until after its last run. */
	not_due(NY("2024-12-03", 10, 0), RUN_AT, D("2024-12-06"), "2024-12-09", "2024-12-09T14:35");
}

static void test_long_weekends_and_year_end(void **state)
{
	(void)state;
	/* Labor Day 2024-09-02: Friday's run, then Tuesday. */
	due(NY("2024-08-30", 9, 35), RUN_AT, D("2024-08-29"), "2024-08-30", "2024-09-03",
	    "2024-09-03T13:35");
	not_due(NY("2024-08-31", 12, 0), RUN_AT, D("2024-08-30"), "2024-09-03", "2024-09-03T13:35");
	not_due(NY("2024-09-02", 9, 35), RUN_AT, D("2024-08-30"), "2024-09-03", "2024-09-03T13:35");
	/* Martin Luther King Jr. Day 2025-01-20. */
	not_due(NY("2025-01-17", 16, 0), RUN_AT, D("2025-01-17"), "2025-01-21", "2025-01-21T14:35");
	/* Easter 2025: Good Friday 2025-04-18, from Thursday's run to Monday. */
	not_due(NY("2025-04-17", 12, 0), RUN_AT, D("2025-04-17"), "2025-04-21", "2025-04-21T13:35");
	/* Year end: New Year's Day closed. */
	due(NY("2024-12-31", 9, 35), RUN_AT, D("2024-12-30"), "2024-12-31", "2025-01-02",
	    "2025-01-02T14:35");
	not_due(NY("2025-01-01", 9, 35), RUN_AT, D("2024-12-31"), "2025-01-02", "2025-01-02T14:35");
	due(NY("2025-12-31", 10, 0), RUN_AT, D("2025-12-30"), "2025-12-31", "2026-01-02",
	    "2026-01-02T14:35");
	/* Christmas 2025 (Thursday): 12-24 early close, then Friday 12-26. */
	not_due(NY("2025-12-24", 13, 30), RUN_AT, D("2025-12-24"), "2025-12-26",
		"2025-12-26T14:35");
}

static void test_run_at_values(void **state)
{
	(void)state;
	/* Midnight and 23:59 New York. */
	due(NY("2024-12-02", 0, 0), 0, 0, "2024-12-02", "2024-12-03", "2024-12-03T05:00");
	not_due(NY("2024-12-02", 23, 58), 23 * 60 + 59, 0, "2024-12-02", "2024-12-03T04:59");
	due(NY("2024-07-01", 23, 59), 23 * 60 + 59, 0, "2024-07-01", "2024-07-02",
	    "2024-07-03T03:59");
}

static void test_errors_and_range(void **state)
{
	struct sched_decision d;
	int64_t t;
	int last = cal_prev_session(D("2036-01-01"));

	(void)state;
	assert_int_equal(sched_decide(U("2024-12-02T15:00"), -1, 0, &d), PT_EINVAL);
	assert_int_equal(sched_decide(U("2024-12-02T15:00"), 24 * 60, 0, &d), PT_EINVAL);
	assert_int_equal(sched_run_time(D("2024-12-02"), 24 * 60, &t), PT_EINVAL);
	assert_int_equal(sched_decide(U("1999-12-31T15:00"), RUN_AT, 0, &d), PT_ERANGE);
	assert_int_equal(d.due, 0);
	assert_int_equal(d.next, 0);
	assert_int_equal(d.today, D("1999-12-31"));
	assert_int_equal(sched_decide(U("2036-01-02T15:00"), RUN_AT, 0, &d), PT_ERANGE);
	/* The calendar's last session: after it, nothing is left. */
	assert_int_equal(last, D("2035-12-31"));
	d = decide(NY("2035-12-31", 9, 35), RUN_AT, 0);
	assert_int_equal(d.due, last);
	assert_int_equal(d.next_session, 0);
	assert_int_equal(d.next, 0);
	d = decide(NY("2035-12-31", 12, 0), RUN_AT, last);
	assert_int_equal(d.due, 0);
	assert_int_equal(d.next, 0);
}

/*
 * A scheduler that sleeps until each decision point and runs what is due:
 * from 2023-12-31 to the end of 2025 it runs every session exactly once, in
 * order, at its run_at instant, which is 13:35 or 14:35 UTC as New York is
 * on daylight or standard time. Restarts at random moments change nothing.
 */
static void test_simulated_scheduler(void **state)
{
	int64_t now = U("2023-12-31T12:00"), end = U("2026-01-01T05:00");
	int last = 0, runs = 0;
	unsigned r = 12345;

	(void)state;
	while (now < end) {
		struct sched_decision d = decide(now, RUN_AT, last);
		if (d.due) {
			int64_t at;
			struct tm tm;
			time_t tt;
			assert_true(d.due > last);
			if (last)
				assert_int_equal(d.due, cal_next_session(last));
			assert_int_equal(sched_run_time(d.due, RUN_AT, &at), 0);
			assert_int_equal(now, at);
			tt = (time_t)at;
			assert_non_null(gmtime_r(&tt, &tm));
			assert_true(tm.tm_hour == 13 || tm.tm_hour == 14);
			assert_int_equal(tm.tm_min, 35);
			last = d.due;
			runs++;
		}
		assert_true(d.next > now);
		/* Now and then a restart at a random moment before the next
		 * decision point: nothing due, the same next point. */
		r = r * 1103515245u + 12345u;
		if ((r >> 16) % 5 == 0) {
			int64_t mid = now + (int64_t)((r >> 4) % (uint64_t)(d.next - now));
			struct sched_decision e = decide(mid, RUN_AT, last);
			assert_int_equal(e.due, 0);
			assert_int_equal(e.next, d.next);
		}
		now = d.next;
	}
	assert_int_equal(runs, cal_count_sessions(D("2024-01-01"), D("2025-12-31")));
	assert_int_equal(runs, 252 + 250);
	assert_int_equal(last, D("2025-12-31"));
}

/* Removes the files of a flat temporary home, then the folder. */
static void remove_home(const char *dir)
{
	struct dirent *de;
	DIR *d = opendir(dir);
	char p[512];

	while (d && (de = readdir(d))) {
		if (de->d_name[0] == '.')
			continue;
		snprintf(p, sizeof(p), "%s/%s", dir, de->d_name);
		unlink(p);
	}
	if (d)
		closedir(d);
	rmdir(dir);
}

/* cli_run_due at now: its status, with msg and *next; stdout must stay
 * empty (serve's report lives in the store, not on a terminal). */
static int run_due(const struct cli_ctx *ctx, int64_t now, int64_t *next, char *msg, size_t n)
{
	char out[] = "/tmp/pt-sched-out-XXXXXX";
	int fd = mkstemp(out), saved, rc;
	struct stat sb;

	assert_true(fd >= 0);
	fflush(stdout);
	saved = dup(1);
	assert_true(saved >= 0);
	assert_int_equal(dup2(fd, 1), 1);
	rc = cli_run_due(ctx, now, next, msg, n);
	fflush(stdout);
	assert_int_equal(dup2(saved, 1), 1);
	close(saved);
	assert_int_equal(fstat(fd, &sb), 0);
	assert_int_equal(sb.st_size, 0);
	close(fd);
	unlink(out);
	return rc;
}

static void test_cli_run_due(void **state)
{
	char dir[] = "/tmp/pt-sched-XXXXXX", home[128], db[160], ini[160], msg[768];
	struct cli_ctx ctx;
	int64_t next = -1, now;
	FILE *f;

	(void)state;
	assert_non_null(mkdtemp(dir));
	snprintf(home, sizeof(home), "%s/home", dir);
	snprintf(db, sizeof(db), "%s/papertrade.db", home);
	snprintf(ini, sizeof(ini), "%s/papertrade.ini", home);
	ctx.home = home;
	ctx.home_given = 1;

	/* Before run_at: not due, nothing created, next is today's 09:35. */
	now = NY("2024-12-02", 9, 0);
	assert_int_equal(run_due(&ctx, now, &next, msg, sizeof(msg)), 0);
	assert_non_null(strstr(msg, "not due"));
	assert_int_equal(next, U("2024-12-02T14:35"));
	assert_int_equal(access(db, F_OK), -1);

	/* Due: the run stores the session. */
	now = NY("2024-12-02", 9, 40);
	assert_int_equal(run_due(&ctx, now, &next, msg, sizeof(msg)), 0);
	assert_int_equal(strncmp(msg, "2024-12-02 ran: ", 16), 0);
	assert_int_equal(next, U("2024-12-03T14:35"));
	assert_int_equal(access(db, F_OK), 0);

	/* Called again (a restart): nothing to do, the same next point. */
	assert_int_equal(run_due(&ctx, now + 60, &next, msg, sizeof(msg)), 0);
	assert_non_null(strstr(msg, "already ran"));
	assert_int_equal(next, U("2024-12-03T14:35"));
	assert_int_equal(run_due(&ctx, NY("2024-12-02", 23, 59), NULL, msg, sizeof(msg)), 0);
	assert_non_null(strstr(msg, "already ran"));

	/* Next day, started at 15:00: catches up at once. */
	now = NY("2024-12-03", 15, 0);
	assert_int_equal(run_due(&ctx, now, &next, msg, sizeof(msg)), 0);
	assert_int_equal(strncmp(msg, "2024-12-03 ran: ", 16), 0);
	assert_int_equal(next, U("2024-12-04T14:35"));

	/* A weekend: the message names it, next is Monday's. */
	assert_int_equal(run_due(&ctx, NY("2024-12-07", 10, 0), &next, msg, sizeof(msg)), 0);
	assert_non_null(strstr(msg, "weekend"));
	assert_int_equal(next, U("2024-12-09T14:35"));

	/* run_at from the config file, read on every call. */
	f = fopen(ini, "a");
	assert_non_null(f);
	fputs("[schedule]\nrun_at = 10:30\n", f);
	fclose(f);
	now = NY("2024-12-04", 10, 0);
	assert_int_equal(run_due(&ctx, now, &next, msg, sizeof(msg)), 0);
	assert_non_null(strstr(msg, "10:30"));
	assert_int_equal(next, U("2024-12-04T15:30"));

	/* A failure: EXIT_RUNTIME, the error in msg, try again in 5 minutes. */
	f = fopen(db, "r+");
	assert_non_null(f);
	fputs("this is not an SQLite database header", f);
	fclose(f);
	now = NY("2024-12-04", 10, 45);
	assert_int_equal(run_due(&ctx, now, &next, msg, sizeof(msg)), EXIT_RUNTIME);
	assert_true(msg[0] != '\0');
	assert_int_equal(next, now + SESSION_DUE_RETRY);

	remove_home(home);
	rmdir(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_normal_day_est),
		cmocka_unit_test(test_normal_day_edt),
		cmocka_unit_test(test_dst_changes),
		cmocka_unit_test(test_early_close),
		cmocka_unit_test(test_holidays_and_weekends),
		cmocka_unit_test(test_restart_and_catch_up),
		cmocka_unit_test(test_long_weekends_and_year_end),
		cmocka_unit_test(test_run_at_values),
		cmocka_unit_test(test_errors_and_range),
		cmocka_unit_test(test_simulated_scheduler),
		cmocka_unit_test(test_cli_run_due),
	};

	/* A zone far from New York: nothing may depend on the machine's. */
	setenv("TZ", "Asia/Tokyo", 1);
	tzset();
	unsetenv("PAPERTRADE_NOW");
	unsetenv("PAPERTRADE_RUN_AT");
	return cmocka_run_group_tests(tests, NULL, NULL);
}
