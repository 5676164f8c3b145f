/*
 * test_calendar.c - unit tests of market/calendar (DESIGN.md §1, first box):
 * NYSE holidays and early closes against the exchange's published lists,
 * session counts, next/previous sessions, option expirations, "the
 * expiration nearest N days" (cal_nearest_expiry, tv_nearest_expiry) and New
 * York time with the process in another zone (and without a tz database).
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "market/calendar.h"
#include "market/view.h"
#include "util/date.h"
#include "util/util.h"

static int D(const char *s)
{
	int d = -1;

	if (date_parse(s, &d))
		fail_msg("bad date in test: %s", s);
	return d;
}

/*
 * NYSE's published closures on weekdays and 13:00 closes, year by year, as
 * NYSE listed them (a Saturday New Year's Day is not observed, Rule 7.2),
 * and the number of sessions each year had.
 */
struct year_list {
	int year;
	const char *closed[14];
	const char *early[5];
	int sessions;
};

static const struct year_list published[] = {
	{2000,
	 {"2000-01-17", "2000-02-21", "2000-04-21", "2000-05-29", "2000-07-04", "2000-09-04",
	  "2000-11-23", "2000-12-25"},
	 {"2000-07-03", "2000-11-24"},
	 252},
	{2001,
	 {"2001-01-01", "2001-01-15", "2001-02-19", "2001-04-13", "2001-05-28", "2001-07-04",
	  "2001-09-03", "2001-09-11", "2001-09-12", "2001-09-13", "2001-09-14", "2001-11-22",
	  "2001-12-25"},
	 {"2001-07-03", "2001-11-23", "2001-12-24"},
	 248},
	{2002,
	 {"2002-01-01", "2002-01-21", "2002-02-18", "2002-03-29", "2002-05-27", "2002-07-04",
	  "2002-09-02", "2002-11-28", "2002-12-25"},
	 {"2002-07-05", "2002-11-29", "2002-12-24"},
	 252},
	{2003,
	 {"2003-01-01", "2003-01-20", "2003-02-17", "2003-04-18", "2003-05-26", "2003-07-04",
	  "2003-09-01", "2003-11-27", "2003-12-25"},
	 {"2003-07-03", "2003-11-28", "2003-12-24", "2003-12-26"},
	 252},
	{2004,
	 {"2004-01-01", "2004-01-19", "2004-02-16", "2004-04-09", "2004-05-31", "2004-06-11",
	  "2004-07-05", "2004-09-06", "2004-11-25", "2004-12-24"},
	 {"2004-11-26"},
	 252},
	{2005,
	 {"2005-01-17", "2005-02-21", "2005-03-25", "2005-05-30", "2005-07-04", "2005-09-05",
	  "2005-11-24", "2005-12-26"},
	 {"2005-11-25"},
	 252},
	{2006,
	 {"2006-01-02", "2006-01-16", "2006-02-20", "2006-04-14", "2006-05-29", "2006-07-04",
	  "2006-09-04", "2006-11-23", "2006-12-25"},
	 {"2006-07-03", "2006-11-24"},
	 251},
	{2007,
	 {"2007-01-01", "2007-01-02", "2007-01-15", "2007-02-19", "2007-04-06", "2007-05-28",
	  "2007-07-04", "2007-09-03", "2007-11-22", "2007-12-25"},
	 {"2007-07-03", "2007-11-23", "2007-12-24"},
	 251},
	{2008,
	 {"2008-01-01", "2008-01-21", "2008-02-18", "2008-03-21", "2008-05-26", "2008-07-04",
	  "2008-09-01", "2008-11-27", "2008-12-25"},
	 {"2008-07-03", "2008-11-28", "2008-12-24"},
	 253},
	{2009,
	 {"2009-01-01", "2009-01-19", "2009-02-16", "2009-04-10", "2009-05-25", "2009-07-03",
	  "2009-09-07", "2009-11-26", "2009-12-25"},
	 {"2009-11-27", "2009-12-24"},
	 252},
	{2010,
	 {"2010-01-01", "2010-01-18", "2010-02-15", "2010-04-02", "2010-05-31", "2010-07-05",
	  "2010-09-06", "2010-11-25", "2010-12-24"},
	 {"2010-11-26"},
	 252},
	{2011,
	 {"2011-01-17", "2011-02-21", "2011-04-22", "2011-05-30", "2011-07-04", "2011-09-05",
	  "2011-11-24", "2011-12-26"},
	 {"2011-11-25"},
	 252},
	{2012,
	 {"2012-01-02", "2012-01-16", "2012-02-20", "2012-04-06", "2012-05-28", "2012-07-04",
	  "2012-09-03", "2012-10-29", "2012-10-30", "2012-11-22", "2012-12-25"},
	 {"2012-07-03", "2012-11-23", "2012-12-24"},
	 250},
	{2013,
	 {"2013-01-01", "2013-01-21", "2013-02-18", "2013-03-29", "2013-05-27", "2013-07-04",
	  "2013-09-02", "2013-11-28", "2013-12-25"},
	 {"2013-07-03", "2013-11-29", "2013-12-24"},
	 252},
	{2014,
	 {"2014-01-01", "2014-01-20", "2014-02-17", "2014-04-18", "2014-05-26", "2014-07-04",
	  "2014-09-01", "2014-11-27", "2014-12-25"},
	 {"2014-07-03", "2014-11-28", "2014-12-24"},
	 252},
	{2015,
	 {"2015-01-01", "2015-01-19", "2015-02-16", "2015-04-03", "2015-05-25", "2015-07-03",
	  "2015-09-07", "2015-11-26", "2015-12-25"},
	 {"2015-11-27", "2015-12-24"},
	 252},
	{2016,
	 {"2016-01-01", "2016-01-18", "2016-02-15", "2016-03-25", "2016-05-30", "2016-07-04",
	  "2016-09-05", "2016-11-24", "2016-12-26"},
	 {"2016-11-25"},
	 252},
	{2017,
	 {"2017-01-02", "2017-01-16", "2017-02-20", "2017-04-14", "2017-05-29", "2017-07-04",
	  "2017-09-04", "2017-11-23", "2017-12-25"},
	 {"2017-07-03", "2017-11-24"},
	 251},
	{2018,
	 {"2018-01-01", "2018-01-15", "2018-02-19", "2018-03-30", "2018-05-28", "2018-07-04",
	  "2018-09-03", "2018-11-22", "2018-12-05", "2018-12-25"},
	 {"2018-07-03", "2018-11-23", "2018-12-24"},
	 251},
	{2019,
	 {"2019-01-01", "2019-01-21", "2019-02-18", "2019-04-19", "2019-05-27", "2019-07-04",
	  "2019-09-02", "2019-11-28", "2019-12-25"},
	 {"2019-07-03", "2019-11-29", "2019-12-24"},
	 252},
	{2020,
	 {"2020-01-01", "2020-01-20", "2020-02-17", "2020-04-10", "2020-05-25", "2020-07-03",
	  "2020-09-07", "2020-11-26", "2020-12-25"},
	 {"2020-11-27", "2020-12-24"},
	 253},
	{2021,
	 {"2021-01-01", "2021-01-18", "2021-02-15", "2021-04-02", "2021-05-31", "2021-07-05",
	  "2021-09-06", "2021-11-25", "2021-12-24"},
	 {"2021-11-26"},
	 252},
	{2022,
	 {"2022-01-17", "2022-02-21", "2022-04-15", "2022-05-30", "2022-06-20", "2022-07-04",
	  "2022-09-05", "2022-11-24", "2022-12-26"},
	 {"2022-11-25"},
	 251},
	{2023,
	 {"2023-01-02", "2023-01-16", "2023-02-20", "2023-04-07", "2023-05-29", "2023-06-19",
	  "2023-07-04", "2023-09-04", "2023-11-23", "2023-12-25"},
	 {"2023-07-03", "2023-11-24"},
	 250},
	{2024,
	 {"2024-01-01", "2024-01-15", "2024-02-19", "2024-03-29", "2024-05-27", "2024-06-19",
	  "2024-07-04", "2024-09-02", "2024-11-28", "2024-12-25"},
	 {"2024-07-03", "2024-11-29", "2024-12-24"},
	 252},
	{2025,
	 {"2025-01-01", "2025-01-09", "2025-01-20", "2025-02-17", "2025-04-18", "2025-05-26",
	  "2025-06-19", "2025-07-04", "2025-09-01", "2025-11-27", "2025-12-25"},
	 {"2025-07-03", "2025-11-28", "2025-12-24"},
	 250},
	{2026,
	 {"2026-01-01", "2026-01-19", "2026-02-16", "2026-04-03", "2026-05-25", "2026-06-19",
	  "2026-07-03", "2026-09-07", "2026-11-26", "2026-12-25"},
	 {"2026-11-27", "2026-12-24"},
	 251},
	{2027,
	 {"2027-01-01", "2027-01-18", "2027-02-15", "2027-03-26", "2027-05-31", "2027-06-18",
	  "2027-07-05", "2027-09-06", "2027-11-25", "2027-12-24"},
	 {"2027-11-26"},
	 251},
};

static int in_list(const char *const *list, size_t n, int day)
{
	size_t i;

	for (i = 0; i < n && list[i]; i++)
		if (D(list[i]) == day)
			return 1;
	return 0;
}

/* Every weekday of every listed year: closed, early or regular exactly as published. */
static void test_published_years(void **state)
{
	size_t i;

	(void)state;
	for (i = 0; i < PT_ARRAY_SIZE(published); i++) {
		const struct year_list *yl = &published[i];
		int first = date_from_ymd(yl->year, 1, 1), last = date_from_ymd(yl->year, 12, 31);
		int d, n = 0;
		char buf[DATE_BUFSZ];

		for (d = first; d <= last; d++) {
			int wd = date_weekday(d), o = 0, c = 0;
			int closed = in_list(yl->closed, PT_ARRAY_SIZE(yl->closed), d);
			int early = in_list(yl->early, PT_ARRAY_SIZE(yl->early), d);
			int want = wd != 0 && wd != 6 && !closed;

			date_fmt(d, buf);
			if (cal_is_session(d) != want)
				fail_msg("%s: session %d, want %d", buf, cal_is_session(d), want);
			if (!want) {
				assert_int_equal(cal_session_hours(d, &o, &c), -1);
				if ((wd != 0 && wd != 6) != (cal_holiday_name(d) != NULL))
					fail_msg("%s: holiday name '%s'", buf,
						 cal_holiday_name(d) ? cal_holiday_name(d)
								     : "(null)");
				continue;
			}
			n++;
			assert_null(cal_holiday_name(d));
			assert_int_equal(cal_session_hours(d, &o, &c), 0);
			assert_int_equal(o, 570);
			if (c != (early ? 780 : 960))
				fail_msg("%s: closes at minute %d, want %d", buf, c,
					 early ? 780 : 960);
		}
		if (n != yl->sessions)
			fail_msg("%d: %d sessions, want %d", yl->year, n, yl->sessions);
		assert_int_equal(cal_count_sessions(first, last), yl->sessions);
	}
}

static void test_range(void **state)
{
	(void)state;
	assert_int_equal(date_from_ymd(2000, 1, 1), 10957);
	assert_true(cal_in_range(D("2000-01-01")));
	assert_true(cal_in_range(D("2035-12-31")));
	assert_false(cal_in_range(D("1999-12-31")));
	assert_false(cal_in_range(D("2036-01-01")));
	/* Out of range: never a session, no name, no hours, no expiration. */
	assert_false(cal_is_session(D("1999-12-30")));
	assert_false(cal_is_session(D("2036-01-02")));
	assert_false(cal_is_session(-1000000));
	assert_false(cal_is_session(1000000));
	assert_null(cal_holiday_name(D("1999-12-24")));
	assert_int_equal(cal_session_hours(D("2036-01-02"), NULL, NULL), -1);
	assert_false(cal_is_expiration(D("1999-12-17")));
	assert_false(cal_is_monthly_expiration(D("2036-01-18")));
	/* Hours with NULL outputs are allowed. */
	assert_int_equal(cal_session_hours(D("2024-11-29"), NULL, NULL), 0);
}

static void test_names(void **state)
{
	(void)state;
	assert_string_equal(cal_holiday_name(D("2024-11-28")), "Thanksgiving Day");
	assert_string_equal(cal_holiday_name(D("2024-03-29")), "Good Friday");
	assert_string_equal(cal_holiday_name(D("2024-01-15")), "Martin Luther King Jr. Day");
	assert_string_equal(cal_holiday_name(D("2026-07-03")), "Independence Day (observed)");
	assert_string_equal(cal_holiday_name(D("2022-06-20")), "Juneteenth (observed)");
	assert_string_equal(cal_holiday_name(D("2024-06-19")), "Juneteenth");
	assert_string_equal(cal_holiday_name(D("2023-01-02")), "New Year's Day (observed)");
	assert_string_equal(cal_holiday_name(D("2021-12-24")), "Christmas Day (observed)");
	assert_non_null(strstr(cal_holiday_name(D("2025-01-09")), "Carter"));
	assert_non_null(strstr(cal_holiday_name(D("2001-09-13")), "September 11"));
	assert_non_null(strstr(cal_holiday_name(D("2012-10-30")), "Sandy"));
	assert_null(cal_holiday_name(D("2024-11-30"))); /* Saturday */
	assert_null(cal_holiday_name(D("2024-11-29"))); /* early close, still a session */
	assert_null(cal_holiday_name(D("2022-01-01"))); /* Saturday New Year */
}

/* Rules beyond the published lists, checked against independently known dates. */
static void test_rules_later_years(void **state)
{
	static const char *const good_fridays[] = {
		"2028-04-14", "2029-03-30", "2030-04-19", "2031-04-11",
		"2032-03-26", "2033-04-15", "2034-04-07", "2035-03-23",
	};
	size_t i;

	(void)state;
	for (i = 0; i < PT_ARRAY_SIZE(good_fridays); i++) {
		assert_false(cal_is_session(D(good_fridays[i])));
		assert_string_equal(cal_holiday_name(D(good_fridays[i])), "Good Friday");
		/* The Thursday before is that week's expiration. */
		assert_true(cal_is_expiration(D(good_fridays[i]) - 1));
	}
	/* Saturday New Year's Day 2033: Friday 2032-12-31 is a session. */
	assert_true(cal_is_session(D("2032-12-31")));
	/* Sunday New Year's Day 2034 (Jan 1 Sunday): Monday Jan 2 closed. */
	assert_false(cal_is_session(D("2034-01-02")));
	/* 2035: Jan 1 Mon, MLK Jan 15, Feb 19, Mar 23, May 28, Jun 19 Tue, Jul 4 Wed, Sep 3,
	 * Nov 22, Dec 25 Tue; early closes Jul 3, Nov 23, Dec 24. */
	assert_int_equal(cal_count_sessions(D("2035-01-01"), D("2035-12-31")), 251);
	assert_int_equal(cal_session_hours(D("2035-07-03"), NULL, NULL), 0);
	{
		int c = 0;
		cal_session_hours(D("2035-07-03"), NULL, &c);
		assert_int_equal(c, 780);
		cal_session_hours(D("2035-11-23"), NULL, &c);
		assert_int_equal(c, 780);
		cal_session_hours(D("2035-12-24"), NULL, &c);
		assert_int_equal(c, 780);
		cal_session_hours(D("2035-12-31"), NULL, &c);
		assert_int_equal(c, 960);
	}
	assert_false(cal_is_session(D("2035-06-19")));
	assert_false(cal_is_session(D("2035-01-15")));
}

static void test_next_prev(void **state)
{
	(void)state;
	assert_int_equal(cal_next_session(D("2024-11-27")), D("2024-11-29"));
	assert_int_equal(cal_prev_session(D("2024-11-29")), D("2024-11-27"));
	assert_int_equal(cal_next_session(D("2024-03-28")), D("2024-04-01"));
	assert_int_equal(cal_prev_session(D("2024-04-01")), D("2024-03-28"));
	/* Strictly after / before, even from a session. */
	assert_int_equal(cal_next_session(D("2024-12-23")), D("2024-12-24"));
	assert_int_equal(cal_prev_session(D("2024-12-24")), D("2024-12-23"));
	/* The week of 9/11. */
	assert_int_equal(cal_next_session(D("2001-09-10")), D("2001-09-17"));
	assert_int_equal(cal_prev_session(D("2001-09-17")), D("2001-09-10"));
	/* Range ends: 2000-01-03 is the first session, 2035-12-31 the last. */
	assert_int_equal(cal_next_session(D("1999-12-31")), D("2000-01-03"));
	assert_int_equal(cal_next_session(D("1950-06-01")), D("2000-01-03"));
	assert_int_equal(cal_prev_session(D("2000-01-03")), -1);
	assert_int_equal(cal_prev_session(D("1999-01-01")), -1);
	assert_int_equal(cal_next_session(D("2035-12-31")), -1);
	assert_int_equal(cal_next_session(D("2090-12-31")), -1);
	assert_int_equal(cal_prev_session(D("2036-01-05")), D("2035-12-31"));
	assert_int_equal(cal_prev_session(D("2035-12-31")), D("2035-12-28"));
}

static void test_counts(void **state)
{
	int y, total = 0, d, n = 0;

	(void)state;
	assert_int_equal(cal_count_sessions(D("2024-01-01"), D("2024-12-31")), 252);
	assert_int_equal(cal_count_sessions(D("2023-01-01"), D("2023-12-31")), 250);
	assert_int_equal(cal_count_sessions(D("2022-01-01"), D("2022-12-31")), 251);
	assert_int_equal(cal_count_sessions(D("2024-11-25"), D("2024-11-29")), 4);
	assert_int_equal(cal_count_sessions(D("2024-11-28"), D("2024-11-28")), 0);
	assert_int_equal(cal_count_sessions(D("2024-11-29"), D("2024-11-29")), 1);
	assert_int_equal(cal_count_sessions(D("2024-12-31"), D("2024-01-01")), 0);
	/* Clamped to the range. */
	assert_int_equal(cal_count_sessions(D("1990-01-01"), D("2000-01-04")), 2);
	assert_int_equal(cal_count_sessions(D("2035-12-31"), D("2050-01-01")), 1);
	assert_int_equal(cal_count_sessions(D("2036-01-01"), D("2050-01-01")), 0);
	for (y = CAL_FIRST_YEAR; y <= CAL_LAST_YEAR; y++)
		total += cal_count_sessions(date_from_ymd(y, 1, 1), date_from_ymd(y, 12, 31));
	for (d = D("2000-01-01"); d <= D("2035-12-31"); d++)
		n += cal_is_session(d);
	assert_int_equal(total, n);
	assert_int_equal(cal_count_sessions(D("1900-01-01"), D("2199-12-31")), n);
}

static void test_expirations(void **state)
{
	(void)state;
	/* Good Friday 2024-03-29: that week's expiration is Thursday. */
	assert_true(cal_is_expiration(D("2024-03-28")));
	assert_false(cal_is_expiration(D("2024-03-29")));
	assert_false(cal_is_monthly_expiration(D("2024-03-28")));
	assert_true(cal_is_expiration(D("2024-03-22")));
	assert_false(cal_is_expiration(D("2024-03-21")));
	/* Monthlies: the week of the third Friday. */
	assert_true(cal_is_monthly_expiration(D("2024-01-19")));
	assert_true(cal_is_monthly_expiration(D("2024-02-16")));
	assert_true(cal_is_monthly_expiration(D("2024-03-15")));
	assert_true(cal_is_monthly_expiration(D("2024-12-20")));
	assert_false(cal_is_monthly_expiration(D("2024-01-12")));
	assert_false(cal_is_monthly_expiration(D("2024-01-26")));
	/* Good Friday as the third Friday: the monthly moves to Thursday. */
	assert_true(cal_is_monthly_expiration(D("2025-04-17")));
	assert_false(cal_is_expiration(D("2025-04-18")));
	assert_true(cal_is_monthly_expiration(D("2022-04-14")));
	assert_true(cal_is_monthly_expiration(D("2019-04-18")));
	/* Other Friday holidays. */
	assert_true(cal_is_expiration(D("2026-06-18"))); /* Juneteenth Friday */
	assert_true(cal_is_expiration(D("2026-07-02"))); /* July 3rd observed */
	assert_true(cal_is_expiration(D("2026-12-24"))); /* Christmas Friday */
	assert_true(cal_is_expiration(D("2004-06-10"))); /* Reagan */
	/* Week of 9/11/2001: the week's only session, Monday, is its expiration. */
	assert_true(cal_is_expiration(D("2001-09-10")));
	/* A Thursday closure leaves Friday's expiration alone (Carter, 2025-01-09). */
	assert_true(cal_is_expiration(D("2025-01-10")));
	/* Next expiration: on or after. */
	assert_int_equal(cal_next_expiration(D("2024-03-25")), D("2024-03-28"));
	assert_int_equal(cal_next_expiration(D("2024-03-28")), D("2024-03-28"));
	assert_int_equal(cal_next_expiration(D("2024-03-29")), D("2024-04-05"));
	assert_int_equal(cal_next_expiration(D("1999-12-01")), D("2000-01-07"));
	assert_int_equal(cal_next_expiration(D("2035-12-28")), D("2035-12-28"));
	assert_int_equal(cal_next_expiration(D("2035-12-29")), -1);
	assert_int_equal(cal_next_expiration(D("2036-01-04")), -1);
}

/* Every week has one expiration on a session, every month one monthly. */
static void test_expiration_structure(void **state)
{
	int d, y, m;

	(void)state;
	for (d = D("2000-01-03"); d + 4 <= D("2035-12-31"); d += 7) {
		int k, n = 0;
		for (k = 0; k < 7; k++) {
			if (!cal_is_expiration(d + k))
				continue;
			n++;
			assert_true(cal_is_session(d + k));
			assert_true(k <= 4);
			/* It is the Friday, or every later weekday of the week is closed. */
			if (k < 4)
				assert_false(cal_is_session(d + k + 1));
		}
		assert_int_equal(n, 1);
	}
	for (y = CAL_FIRST_YEAR; y <= CAL_LAST_YEAR; y++) {
		for (m = 1; m <= 12; m++) {
			int n = 0, last = date_from_ymd(y, m, date_days_in_month(y, m));
			for (d = date_from_ymd(y, m, 1); d <= last; d++) {
				if (!cal_is_monthly_expiration(d))
					continue;
				n++;
				assert_true(cal_is_expiration(d));
				assert_true(d >= date_from_ymd(y, m, 15) - 4);
				assert_true(d <= date_from_ymd(y, m, 21));
			}
			assert_int_equal(n, 1);
		}
	}
}

/* ---- the expiration nearest N days ---- */

static int nearest(const int *exp, size_t n, int session, long days)
{
	return cal_nearest_expiry(exp, n, sizeof(int), session, days);
}

static void test_nearest_expiry(void **state)
{
	const int s = D("2024-06-27");
	/* listed ascending, as Yahoo lists them: 06-27 (the session), 07-05,
	 * 07-19, 07-26, 08-16 */
	const int exp[] = {s, s + 8, s + 22, s + 29, s + 50};
	const int rev[] = {s + 50, s + 29, s + 22, s + 8, s, s - 5};
	const int dup[] = {s + 29, s + 29, s + 22, s + 22};
	size_t n = PT_ARRAY_SIZE(exp);

	(void)state;
	/* nearest, either side */
	assert_int_equal(nearest(exp, n, s, 30), s + 29);
	assert_int_equal(nearest(exp, n, s, 21), s + 22);
	assert_int_equal(nearest(exp, n, s, 40), s + 50); /* 10 above beats 11 below */
	/* ties go to the earlier, whatever the order listed */
	assert_int_equal(nearest(exp, n, s, 15), s + 8);    /* 7 below, 7 above */
	assert_int_equal(nearest(rev, PT_ARRAY_SIZE(rev), s, 15), s + 8);
	assert_int_equal(nearest(exp, n, s, 25), s + 22); /* 3 below beats 4 above */
	assert_int_equal(nearest(dup, PT_ARRAY_SIZE(dup), s, 25), s + 22);
	assert_int_equal(nearest(dup, PT_ARRAY_SIZE(dup), s, 26), s + 29);
	/* the session's own expiration (0 days) is never chosen, nor earlier ones */
	assert_int_equal(nearest(exp, n, s, 0), s + 8);
	assert_int_equal(nearest(rev, PT_ARRAY_SIZE(rev), s, 0), s + 8);
	assert_int_equal(nearest(exp, n, s, -100), s + 8);
	assert_int_equal(nearest(exp, 1, s, 0), 0);
	assert_int_equal(nearest(exp, n, s + 50, 30), 0);
	assert_int_equal(nearest(exp, n, s + 49, 30), s + 50);
	/* beyond the last listed: the last */
	assert_int_equal(nearest(exp, n, s, 51), s + 50);
	assert_int_equal(nearest(exp, n, s, 3650), s + 50);
	assert_int_equal(nearest(exp, n, s, LONG_MAX), s + 50);
	assert_int_equal(nearest(exp, n, s, LONG_MIN), s + 8);
	/* nothing listed */
	assert_int_equal(nearest(NULL, 0, s, 30), 0);
	assert_int_equal(nearest(exp, 0, s, 30), 0);
}

/* The stride walks the expiry member of an array of structs. */
static void test_nearest_expiry_stride(void **state)
{
	const int s = D("2024-06-27");
	struct option_quote q[6];
	struct ticker_view t;
	size_t i;

	(void)state;
	memset(q, 0, sizeof(q));
	for (i = 0; i < PT_ARRAY_SIZE(q); i++) {
		q[i].strike = 100.0 + (double)i;
		q[i].right = 'C';
	}
	/* a chain as providers leave it: contracts grouped by expiration, unsorted */
	q[0].expiry = q[1].expiry = s + 29;
	q[2].expiry = s;
	q[3].expiry = q[4].expiry = s + 1;
	q[5].expiry = s + 59;
	assert_int_equal(cal_nearest_expiry(&q[0].expiry, 6, sizeof(q[0]), s, 30), s + 29);
	assert_int_equal(cal_nearest_expiry(&q[0].expiry, 6, sizeof(q[0]), s, 0), s + 1);
	assert_int_equal(cal_nearest_expiry(&q[0].expiry, 6, sizeof(q[0]), s, 44), s + 29); /* tie */
	assert_int_equal(cal_nearest_expiry(&q[0].expiry, 6, sizeof(q[0]), s, 45), s + 59);
	assert_int_equal(cal_nearest_expiry(&q[2].expiry, 1, sizeof(q[0]), s, 30), 0);
	/* the same through the view */
	memset(&t, 0, sizeof(t));
	assert_int_equal(tv_nearest_expiry(&t, s, 30), 0);
	t.opts = q;
	t.n_opts = PT_ARRAY_SIZE(q);
	assert_int_equal(tv_nearest_expiry(&t, s, 30), s + 29);
	assert_int_equal(tv_nearest_expiry(&t, s, 15), s + 1); /* 14 below, 14 above */
	assert_int_equal(tv_nearest_expiry(&t, s + 29, 30), s + 59);
	assert_int_equal(tv_nearest_expiry(&t, s + 59, 1), 0);
}

/* ---- New York time ---- */

struct conv {
	const char *date;
	int minute;
	int64_t epoch;
};

/* Reference values from the tz database (Python zoneinfo, fold=0). */
static const struct conv convs[] = {
	{"2024-03-08", 9 * 60 + 30, 1709908200}, /* EST */
	{"2024-03-11", 9 * 60 + 30, 1710163800}, /* EDT */
	{"2024-03-10", 1 * 60 + 59, 1710053940}, /* last EST minute */
	{"2024-03-10", 2 * 60, 1710054000},      /* gap: 02:00 is 03:00 EDT */
	{"2024-03-10", 2 * 60 + 30, 1710055800}, /* gap: 02:30 is 03:30 EDT */
	{"2024-03-10", 3 * 60, 1710054000},      /* first EDT minute */
	{"2024-11-03", 0 * 60 + 59, 1730609940},
	{"2024-11-03", 1 * 60 + 30, 1730611800}, /* repeated hour: the EDT one */
	{"2024-11-03", 2 * 60, 1730617200},      /* EST */
	{"2006-04-02", 3 * 60, 1143961200},      /* pre-2007 rule */
	{"2006-10-29", 1 * 60 + 30, 1162099800},
	{"2035-03-11", 3 * 60, 2057209200},
	{"2035-11-04", 2 * 60, 2077772400},
	{"2000-01-03", 9 * 60 + 30, 946909800},
	{"2035-12-31", 16 * 60, 2082747600},
	{"1999-12-31", 0, 946616400},
};

/* Number of mismatches, printed to stderr (also used by the fallback child). */
static int check_conversions(void)
{
	size_t i;
	int bad = 0;

	for (i = 0; i < PT_ARRAY_SIZE(convs); i++) {
		int64_t e = 0;
		if (cal_ny_to_epoch(D(convs[i].date), convs[i].minute, &e) || e != convs[i].epoch) {
			fprintf(stderr, "%s minute %d: %lld, want %lld\n", convs[i].date,
				convs[i].minute, (long long)e, (long long)convs[i].epoch);
			bad++;
		}
	}
	return bad;
}

static int64_t tokyo_hour_of(time_t t)
{
	struct tm tm;

	localtime_r(&t, &tm);
	return tm.tm_hour;
}

/* Keep this the first test that converts times: it sees the one-time zone load. */
static void test_ny_time_in_tokyo(void **state)
{
	(void)state;
	setenv("TZ", "Asia/Tokyo", 1);
	tzset();
	assert_int_equal(check_conversions(), 0);
	/* The process zone is untouched. */
	assert_string_equal(getenv("TZ"), "Asia/Tokyo");
	assert_int_equal(tokyo_hour_of(0), 9);
}

/* History only the tz database knows (the built-in fallback rules do not):
 * daylight time from 1974-01-06 (energy crisis) and New York's 1920 rules. */
static void test_ny_time_from_tz_database(void **state)
{
	int64_t e = 0;

	(void)state;
	assert_int_equal(cal_ny_to_epoch(D("1974-01-07"), 9 * 60 + 30, &e), 0);
	assert_int_equal(e, 126797400);
	assert_int_equal(cal_ny_to_epoch(D("1920-07-01"), 9 * 60 + 30, &e), 0);
	assert_int_equal(e, -1562149800);
}

static void test_ny_time_other_zones(void **state)
{
	(void)state;
	setenv("TZ", "UTC", 1);
	tzset();
	assert_int_equal(check_conversions(), 0);
	setenv("TZ", "America/Los_Angeles", 1);
	tzset();
	assert_int_equal(check_conversions(), 0);
	unsetenv("TZ");
	tzset();
	assert_int_equal(check_conversions(), 0);
	setenv("TZ", "Asia/Tokyo", 1);
	tzset();
}

static void test_ny_to_epoch_errors(void **state)
{
	int64_t e = 42;

	(void)state;
	assert_int_equal(cal_ny_to_epoch(D("2024-01-02"), -1, &e), -1);
	assert_int_equal(cal_ny_to_epoch(D("2024-01-02"), 1440, &e), -1);
	assert_int_equal(cal_ny_to_epoch(date_from_ymd(2200, 1, 1), 0, &e), -1);
	assert_int_equal(cal_ny_to_epoch(D("1900-01-01") - 1, 0, &e), -1);
	assert_int_equal(e, 42);
	assert_int_equal(cal_ny_to_epoch(D("1900-01-01"), 0, &e), 0);
	assert_int_equal(cal_ny_to_epoch(D("2199-12-31"), 1439, &e), 0);
}

static void test_epoch_to_ny(void **state)
{
	int day, sec;
	int64_t t;

	(void)state;
	cal_epoch_to_ny(1730613599, &day, &sec); /* 01:59:59 EDT */
	assert_int_equal(day, D("2024-11-03"));
	assert_int_equal(sec, 7199);
	cal_epoch_to_ny(1730613600, &day, &sec); /* 01:00:00 EST */
	assert_int_equal(day, D("2024-11-03"));
	assert_int_equal(sec, 3600);
	cal_epoch_to_ny(1710053999, &day, &sec); /* 01:59:59 EST */
	assert_int_equal(sec, 7199);
	cal_epoch_to_ny(1710054000, &day, &sec); /* 03:00:00 EDT */
	assert_int_equal(day, D("2024-03-10"));
	assert_int_equal(sec, 10800);
	cal_epoch_to_ny(-1, &day, &sec); /* 1969-12-31 18:59:59 EST */
	assert_int_equal(day, -1);
	assert_int_equal(sec, 18 * 3600 + 59 * 60 + 59);
	cal_epoch_to_ny(INT64_MAX, &day, &sec); /* clamped, no overflow */
	assert_true(sec >= 0 && sec < 86400);
	cal_epoch_to_ny(INT64_MIN, &day, &sec);
	assert_true(sec >= 0 && sec < 86400);
	/* Round trip over every minute of both 2024 change days and a plain day,
	 * except the skipped hour. */
	for (t = 0; t < 3; t++) {
		static const char *const dates[] = {"2024-03-10", "2024-11-03", "2024-07-15"};
		int d0 = D(dates[t]), m;
		for (m = 0; m < 1440; m++) {
			int64_t e;
			if (d0 == D("2024-03-10") && m >= 120 && m < 180)
				continue;
			assert_int_equal(cal_ny_to_epoch(d0, m, &e), 0);
			cal_epoch_to_ny(e, &day, &sec);
			assert_int_equal(day, d0);
			assert_int_equal(sec, m * 60);
		}
	}
}

static void test_year_frac(void **state)
{
	(void)state;
	/* 2024-03-15 16:00 EDT to 2024-04-19 16:00 EDT: 35 days. */
	assert_true(fabs(cal_year_frac(1710532800, D("2024-04-19")) - 35.0 / 365.0) < 1e-15);
	/* Across the March change: 7 days less one hour. */
	assert_true(fabs(cal_year_frac(1709931600, D("2024-03-15")) -
			 (7.0 * 86400 - 3600) / (365.0 * 86400)) < 1e-15);
	/* At expiry zero, after it negative. */
	assert_true(cal_year_frac(1713556800, D("2024-04-19")) == 0.0);
	assert_true(fabs(cal_year_frac(1713556800 + 86400, D("2024-04-19")) + 1.0 / 365) < 1e-15);
	/* 09:30 on expiry day: 6.5 hours. */
	assert_true(fabs(cal_year_frac(1713533400, D("2024-04-19")) - 6.5 / (365 * 24)) < 1e-15);
	assert_true(isnan(cal_year_frac(0, 1000000)));
}

/*
 * Without a tz database the US rules built into the calendar take over. The
 * test binary runs itself with TZDIR pointing nowhere, so the one-time zone
 * load happens in a fresh process.
 */
static int fallback_child(void)
{
	struct tm tm;
	time_t t = 1720000000;

	/* Prove libc really has no America/New_York here. */
	setenv("TZ", "America/New_York", 1);
	tzset();
	localtime_r(&t, &tm);
	if (tm.tm_gmtoff != 0) {
		fprintf(stderr, "tz database still found (offset %ld)\n", (long)tm.tm_gmtoff);
		return 3;
	}
	setenv("TZ", "Asia/Tokyo", 1);
	tzset();
	return check_conversions() ? 1 : 0;
}

static void test_without_tz_database(void **state)
{
	pid_t pid;
	int status = 0;

	(void)state;
	fflush(NULL);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		char *args[] = {(char *)"test_calendar", NULL};
		setenv("PT_CAL_TEST_FALLBACK", "1", 1);
		setenv("TZDIR", "/nonexistent-papertrade-tzdir", 1);
		execv("/proc/self/exe", args);
		_exit(127);
	}
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_ny_time_in_tokyo),
		cmocka_unit_test(test_ny_time_from_tz_database),
		cmocka_unit_test(test_ny_time_other_zones),
		cmocka_unit_test(test_ny_to_epoch_errors),
		cmocka_unit_test(test_epoch_to_ny),
		cmocka_unit_test(test_year_frac),
		cmocka_unit_test(test_without_tz_database),
		cmocka_unit_test(test_range),
		cmocka_unit_test(test_published_years),
		cmocka_unit_test(test_names),
		cmocka_unit_test(test_rules_later_years),
		cmocka_unit_test(test_next_prev),
		cmocka_unit_test(test_counts),
		cmocka_unit_test(test_expirations),
		cmocka_unit_test(test_expiration_structure),
		cmocka_unit_test(test_nearest_expiry),
		cmocka_unit_test(test_nearest_expiry_stride),
	};

	if (getenv("PT_CAL_TEST_FALLBACK"))
		return fallback_child();
	return cmocka_run_group_tests(tests, NULL, NULL);
}
