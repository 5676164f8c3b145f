/*
 * calendar.c - NYSE sessions, New York time and standard option expirations;
 * see calendar.h. First box of DESIGN.md §1: every run starts by asking
 * "is D a session? what time is it in New York?".
 *
 * Two tables, each built once on first use under pthread_once:
 *  - one entry per day of CAL_FIRST_YEAR..CAL_LAST_YEAR (session kind,
 *    holiday name, expiration flags) plus a running session count, so the
 *    queries that run in loops are an array lookup;
 *  - the UTC offset transitions of America/New_York, read once from the
 *    system tz database through libc, so conversions never look at (or
 *    change) the process's TZ afterwards.
 */
#include <math.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "calendar.h"
#include "../util/date.h"
#include "../util/util.h"

/* 2000-01-01 and 2036-01-01 as day numbers. */
#define DAY0 10957
#define DAY_END 24106
#define NDAYS (DAY_END - DAY0)

#define OPEN_MIN 570
#define CLOSE_MIN 960
#define EARLY_CLOSE_MIN 780

enum { K_WEEKEND, K_CLOSED, K_SESSION, K_EARLY };
enum { EXP_WEEKLY = 1, EXP_MONTHLY = 2 };

enum {
	H_NONE,
	H_NEW_YEAR,
	H_MLK,
	H_WASHINGTON,
	H_GOOD_FRIDAY,
	H_MEMORIAL,
	H_JUNETEENTH,
	H_INDEPENDENCE,
	H_LABOR,
	H_THANKSGIVING,
	H_CHRISTMAS,
	H_SEPT11,
	H_REAGAN,
	H_FORD,
	H_SANDY,
	H_BUSH,
	H_CARTER,
	H_COUNT
};

static const char *const holiday_names[H_COUNT][2] = {
	[H_NONE] = {NULL, NULL},
	[H_NEW_YEAR] = {"New Year's Day", "New Year's Day (observed)"},
	[H_MLK] = {"Martin Luther King Jr. Day", NULL},
	[H_WASHINGTON] = {"Washington's Birthday", NULL},
	[H_GOOD_FRIDAY] = {"Good Friday", NULL},
	[H_MEMORIAL] = {"Memorial Day", NULL},
	[H_JUNETEENTH] = {"Juneteenth", "Juneteenth (observed)"},
	[H_INDEPENDENCE] = {"Independence Day", "Independence Day (observed)"},
	[H_LABOR] = {"Labor Day", NULL},
	[H_THANKSGIVING] = {"Thanksgiving Day", NULL},
	[H_CHRISTMAS] = {"Christmas Day", "Christmas Day (observed)"},
	[H_SEPT11] = {"closed after the September 11 attacks", NULL},
	[H_REAGAN] = {"day of mourning for President Reagan", NULL},
	[H_FORD] = {"day of mourning for President Ford", NULL},
	[H_SANDY] = {"Hurricane Sandy", NULL},
	[H_BUSH] = {"day of mourning for President George H. W. Bush", NULL},
	[H_CARTER] = {"day of mourning for President Carter", NULL},
};

struct day_info {
	unsigned char kind;     /* K_* */
	unsigned char name;     /* H_* when K_CLOSED */
	unsigned char observed; /* 1 when the holiday moved off a weekend */
	unsigned char exp;      /* EXP_* bits */
};

static struct day_info days[NDAYS];
/* sessions_before[i]: sessions in [DAY0, DAY0 + i). */
static unsigned short sessions_before[NDAYS + 1];
static pthread_once_t cal_once = PTHREAD_ONCE_INIT;

/* ---- the session table ---- */

/* The n-th (1-based) weekday wd (0 = Sunday) of month m; n = -1 for the last. */
static int nth_weekday(int y, int m, int wd, int n)
{
	int d;

	if (n < 0) {
		d = date_from_ymd(y, m, date_days_in_month(y, m));
		return d - (date_weekday(d) - wd + 7) % 7;
	}
	d = date_from_ymd(y, m, 1);
	return d + (wd - date_weekday(d) + 7) % 7 + 7 * (n - 1);
}

/* Easter Sunday: the anonymous Gregorian algorithm (Meeus/Jones/Butcher). */
static int easter(int y)
{
	int a = y % 19, b = y / 100, c = y % 100, d = b / 4, e = b % 4;
	int f = (b + 8) / 25, g = (b - f + 1) / 3;
	int h = (19 * a + b - d - g + 15) % 30;
	int i = c / 4, k = c % 4;
	int l = (32 + 2 * e + 2 * i - h - k) % 7;
	int m = (a + 11 * h + 22 * l) / 451;
	int month = (h + l - 7 * m + 114) / 31;
	int day = (h + l - 7 * m + 114) % 31 + 1;

	return date_from_ymd(y, month, day);
}

static void close_day(int day, int name, int observed)
{
	if (day < DAY0 || day >= DAY_END)
		return;
	days[day - DAY0].kind = K_CLOSED;
	days[day - DAY0].name = (unsigned char)name;
	days[day - DAY0].observed = (unsigned char)observed;
}

/* A fixed-date holiday: Saturday is observed on Friday, Sunday on Monday. */
static void close_fixed(int y, int m, int d, int name)
{
	int day = date_from_ymd(y, m, d);
	int wd = date_weekday(day);

	if (wd == 6)
		close_day(day - 1, name, 1);
	else if (wd == 0)
		close_day(day + 1, name, 1);
	else
		close_day(day, name, 0);
}

static void early_close(int day)
{
	if (day >= DAY0 && day < DAY_END && days[day - DAY0].kind == K_SESSION)
		days[day - DAY0].kind = K_EARLY;
}

static int is_session_day(int day)
{
	return day >= DAY0 && day < DAY_END && days[day - DAY0].kind >= K_SESSION;
}

/* The expiration of the week whose Friday is fri: that Friday, else the last
 * session before it in the same week (Thursday for Good Friday); -1 when the
 * whole week is closed. */
static int week_expiration(int fri)
{
	int d;

	for (d = fri; d >= fri - 4; d--)
		if (is_session_day(d))
			return d;
	return -1;
}

static void build_year(int y)
{
	int day = date_from_ymd(y, 1, 1);

	/*
	 * New Year's Day: Sunday moves to Monday, but a Saturday New Year is
	 * not observed on the Friday before (NYSE Rule 7.2: no closing on a
	 * Friday that ends a monthly or yearly accounting period), so
	 * 2004-12-31, 2010-12-31, 2021-12-31 ... are sessions.
	 */
	if (date_weekday(day) == 0)
		close_day(day + 1, H_NEW_YEAR, 1);
	else if (date_weekday(day) != 6)
		close_day(day, H_NEW_YEAR, 0);
	if (y >= 1998)
		close_day(nth_weekday(y, 1, 1, 3), H_MLK, 0);
	close_day(nth_weekday(y, 2, 1, 3), H_WASHINGTON, 0);
	close_day(easter(y) - 2, H_GOOD_FRIDAY, 0);
	close_day(nth_weekday(y, 5, 1, -1), H_MEMORIAL, 0);
	if (y >= 2022)
		close_fixed(y, 6, 19, H_JUNETEENTH);
	close_fixed(y, 7, 4, H_INDEPENDENCE);
	close_day(nth_weekday(y, 9, 1, 1), H_LABOR, 0);
	close_day(nth_weekday(y, 11, 4, 4), H_THANKSGIVING, 0);
	close_fixed(y, 12, 25, H_CHRISTMAS);
}

static void build_one_offs(void)
{
	int d;

	for (d = 11; d <= 14; d++)
		close_day(date_from_ymd(2001, 9, d), H_SEPT11, 0);
	close_day(date_from_ymd(2004, 6, 11), H_REAGAN, 0);
	close_day(date_from_ymd(2007, 1, 2), H_FORD, 0);
	close_day(date_from_ymd(2012, 10, 29), H_SANDY, 0);
	close_day(date_from_ymd(2012, 10, 30), H_SANDY, 0);
	close_day(date_from_ymd(2018, 12, 5), H_BUSH, 0);
	close_day(date_from_ymd(2025, 1, 9), H_CARTER, 0);
}

/*
 * 13:00 closes, as in NYSE's published schedules since 2000:
 *  - July 3rd when it is a session on Monday, Tuesday or Thursday, and on
 *    Wednesday from 2013 on. Before 2013 a Thursday July 4th gave the early
 *    close to Friday July 5th instead (2002-07-05; 2002-07-03 was a full day).
 *    A Friday July 3rd is the observed holiday itself, and no early close
 *    moves to Thursday July 2nd (2015, 2020, 2026).
 *  - the day after Thanksgiving, every year;
 *  - December 24th when it is a session (Monday-Thursday; a Friday Dec 24th
 *    is the observed Christmas). When Dec 24th falls on a weekend, the Friday
 *    before is a full day (2000-12-22, 2006-12-22, ...).
 *  - the one exception in range: Friday 2003-12-26 closed at 13:00; the other
 *    Fridays after a Thursday Christmas (2008, 2014, 2025) were full days.
 * Unscheduled intraday events (late opens for moments of silence, the 2005
 * 15:56 systems close, 2015-07-08 halt) are not modelled.
 */
static void build_early_closes(int y)
{
	int jul3 = date_from_ymd(y, 7, 3);

	if (date_weekday(jul3) != 3 || y >= 2013)
		early_close(jul3);
	else
		early_close(jul3 + 2);
	early_close(nth_weekday(y, 11, 4, 4) + 1);
	early_close(date_from_ymd(y, 12, 24));
	if (y == 2003)
		early_close(date_from_ymd(y, 12, 26));
}

static void build_expirations(void)
{
	int d, y, m;

	/* 2000-01-07 is the first Friday in range. */
	for (d = date_from_ymd(2000, 1, 7); d < DAY_END; d += 7) {
		int e = week_expiration(d);
		if (e >= DAY0)
			days[e - DAY0].exp |= EXP_WEEKLY;
	}
	for (y = CAL_FIRST_YEAR; y <= CAL_LAST_YEAR; y++) {
		for (m = 1; m <= 12; m++) {
			int e = week_expiration(nth_weekday(y, m, 5, 3));
			if (e >= DAY0)
				days[e - DAY0].exp |= EXP_MONTHLY;
		}
	}
}

static void cal_build(void)
{
	int d, y;

	for (d = DAY0; d < DAY_END; d++) {
		int wd = date_weekday(d);
		days[d - DAY0].kind = wd == 0 || wd == 6 ? K_WEEKEND : K_SESSION;
	}
	for (y = CAL_FIRST_YEAR; y <= CAL_LAST_YEAR; y++)
		build_year(y);
	build_one_offs();
	for (y = CAL_FIRST_YEAR; y <= CAL_LAST_YEAR; y++)
		build_early_closes(y);
	build_expirations();
	sessions_before[0] = 0;
	for (d = 0; d < NDAYS; d++)
		sessions_before[d + 1] =
			(unsigned short)(sessions_before[d] + (days[d].kind >= K_SESSION));
}

static void cal_init(void)
{
	pthread_once(&cal_once, cal_build);
}

int cal_in_range(int day)
{
	return day >= DAY0 && day < DAY_END;
}

int cal_is_session(int day)
{
	if (!cal_in_range(day))
		return 0;
	cal_init();
	return days[day - DAY0].kind >= K_SESSION;
}

const char *cal_holiday_name(int day)
{
	const struct day_info *di;

	if (!cal_in_range(day))
		return NULL;
	cal_init();
	di = &days[day - DAY0];
	if (di->kind != K_CLOSED)
		return NULL;
	if (di->observed && holiday_names[di->name][1])
		return holiday_names[di->name][1];
	return holiday_names[di->name][0];
}

int cal_session_hours(int day, int *open_min, int *close_min)
{
	if (!cal_is_session(day))
		return -1;
	if (open_min)
		*open_min = OPEN_MIN;
	if (close_min)
		*close_min = days[day - DAY0].kind == K_EARLY ? EARLY_CLOSE_MIN : CLOSE_MIN;
	return 0;
}

int cal_next_session(int day)
{
	int d = day < DAY0 ? DAY0 : day + 1;

	cal_init();
	for (; d < DAY_END; d++)
		if (days[d - DAY0].kind >= K_SESSION)
			return d;
	return -1;
}

int cal_prev_session(int day)
{
	int d = day >= DAY_END ? DAY_END - 1 : day - 1;

	cal_init();
	for (; d >= DAY0; d--)
		if (days[d - DAY0].kind >= K_SESSION)
			return d;
	return -1;
}

int cal_count_sessions(int from, int to)
{
	if (from < DAY0)
		from = DAY0;
	if (to >= DAY_END)
		to = DAY_END - 1;
	if (from > to)
		return 0;
	cal_init();
	return sessions_before[to + 1 - DAY0] - sessions_before[from - DAY0];
}

int cal_is_expiration(int day)
{
	if (!cal_in_range(day))
		return 0;
	cal_init();
	return days[day - DAY0].exp != 0;
}

int cal_is_monthly_expiration(int day)
{
	if (!cal_in_range(day))
		return 0;
	cal_init();
	return (days[day - DAY0].exp & EXP_MONTHLY) != 0;
}

int cal_next_expiration(int day)
{
	int d = day < DAY0 ? DAY0 : day;

	cal_init();
	for (; d < DAY_END; d++)
		if (days[d - DAY0].exp)
			return d;
	return -1;
}

int cal_nearest_expiry(const int *exp, size_t n, size_t stride, int session, long dte)
{
	const char *p = (const char *)exp;
	unsigned long long best_d = 0;
	int best = 0;
	size_t i;

	for (i = 0; i < n; i++) {
		int e = *(const int *)(const void *)(p + i * stride);
		long long diff = (long long)e - session;
		unsigned long long d;

		if (diff <= 0)
			continue;
		/* |diff - dte| in unsigned arithmetic: exact for any dte */
		d = diff >= dte ? (unsigned long long)diff - (unsigned long long)dte
				 : (unsigned long long)dte - (unsigned long long)diff;
		if (!best || d < best_d || (d == best_d && e < best)) {
			best = e;
			best_d = d;
		}
	}
	return best;
}

/* ---- New York time ---- */

/*
 * The offset table: tz_off0 before the first transition, then tz_tab[i].off
 * from tz_tab[i].at (Unix time) on. It covers 1900-2199; outside, the offset
 * of the nearest covered instant applies.
 */
struct tz_trans {
	int64_t at;
	int32_t off;
};

#define TZ_FIRST_YEAR 1900
#define TZ_LAST_YEAR 2199
#define TZ_LO (-(int64_t)25567 * 86400) /* 1900-01-01T00:00Z */
#define TZ_HI ((int64_t)84006 * 86400)  /* 2200-01-01T00:00Z */
#define EST (-5 * 3600)
#define EDT (-4 * 3600)

static struct tz_trans *tz_tab;
static size_t tz_n, tz_cap;
static int32_t tz_off0;
static pthread_once_t tz_once = PTHREAD_ONCE_INIT;

static void tz_push(int64_t at, int32_t off)
{
	xgrow(&tz_tab, &tz_cap, tz_n + 1, sizeof(*tz_tab));
	tz_tab[tz_n].at = at;
	tz_tab[tz_n].off = off;
	tz_n++;
}

/* Offset of the process's current zone at t, through libc. */
static int32_t libc_offset(int64_t t)
{
	time_t tt = (time_t)t;
	struct tm tm;

	if (!localtime_r(&tt, &tm))
		return 0;
	return (int32_t)tm.tm_gmtoff;
}

/*
 * Walks 1900-2199 a week at a time with the process zone set to
 * America/New_York and bisects each change of offset to the second. New
 * York's offset has never changed twice within a week.
 */
static void tz_scan_libc(void)
{
	const int64_t step = (int64_t)7 * 86400;
	int32_t prev = libc_offset(TZ_LO);
	int64_t t;

	tz_off0 = prev;
	for (t = TZ_LO + step; t < TZ_HI + step; t += step) {
		int32_t o = libc_offset(t);
		int64_t a = t - step, b = t;

		if (o == prev)
			continue;
		while (b - a > 1) {
			int64_t mid = a + (b - a) / 2;
			if (libc_offset(mid) == prev)
				a = mid;
			else
				b = mid;
		}
		tz_push(b, o);
		prev = o;
	}
}

/*
 * The United States' rules, used only when the tz database has no
 * America/New_York (a minimal container without tzdata): 2007 on, second
 * Sunday of March to first Sunday of November; 1987-2006, first Sunday of
 * April to last Sunday of October; 1967-1986, last Sunday of April to last
 * Sunday of October (the 1974-75 energy-crisis years are not special-cased);
 * standard time before 1967. Changes happen at 02:00 local time.
 */
static void tz_rules_fallback(void)
{
	int y;

	tz_off0 = EST;
	for (y = 1967; y <= TZ_LAST_YEAR; y++) {
		int start, end;

		if (y >= 2007) {
			start = nth_weekday(y, 3, 0, 2);
			end = nth_weekday(y, 11, 0, 1);
		} else if (y >= 1987) {
			start = nth_weekday(y, 4, 0, 1);
			end = nth_weekday(y, 10, 0, -1);
		} else {
			start = nth_weekday(y, 4, 0, -1);
			end = nth_weekday(y, 10, 0, -1);
		}
		tz_push((int64_t)start * 86400 + (2 * 3600 - EST), EDT);
		tz_push((int64_t)end * 86400 + (2 * 3600 - EDT), EST);
	}
}

/*
 * glibc has no per-call zone (no localtime_rz), so the zone is read once:
 * TZ is set to America/New_York, the offsets are tabulated, and the previous
 * TZ (or its absence) is restored. This is the only moment the calendar
 * touches the environment; afterwards conversions are table lookups.
 */
static void tz_build(void)
{
	const char *cur = getenv("TZ");
	char *saved = cur ? xstrdup(cur) : NULL;
	int ok;

	setenv("TZ", "America/New_York", 1);
	tzset();
	/* A missing zone file makes libc fall back to UTC: check a winter and a summer instant. */
	ok = libc_offset((int64_t)19737 * 86400) == EST     /* 2024-01-15 */
	     && libc_offset((int64_t)19919 * 86400) == EDT; /* 2024-07-15 */
	if (ok)
		tz_scan_libc();
	if (saved)
		setenv("TZ", saved, 1);
	else
		unsetenv("TZ");
	tzset();
	free(saved);
	if (!ok) {
		tz_n = 0;
		tz_rules_fallback();
	}
}

static int32_t tz_offset(int64_t t)
{
	size_t lo = 0, hi = tz_n;

	/* The last transition at or before t. */
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (tz_tab[mid].at <= t)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo == 0 ? tz_off0 : tz_tab[lo - 1].off;
}

/*
 * Wall time to Unix time. Around a change the two offsets in force a day
 * before and a day after are the candidates:
 *  - both fit (the repeated hour in November): the earlier instant, i.e.
 *    daylight time: 01:30 on 2024-11-03 is 05:30Z;
 *  - neither fits (the skipped hour in March): the offset in force before
 *    the gap, so the clock reads as if it had not changed yet: 02:30 on
 *    2024-03-10 is 03:30 EDT (07:30Z), as glibc's mktime and Python's
 *    zoneinfo (fold=0) do.
 */
int cal_ny_to_epoch(int day, int minute, int64_t *epoch)
{
	int64_t local;
	int32_t ob, oa;
	int fit_b, fit_a;

	if (minute < 0 || minute >= 1440 || day < -25567 || day >= 84006)
		return -1;
	pthread_once(&tz_once, tz_build);
	local = (int64_t)day * 86400 + (int64_t)minute * 60;
	ob = tz_offset(local - 86400);
	oa = tz_offset(local + 86400);
	if (ob == oa) {
		*epoch = local - ob;
		return 0;
	}
	fit_b = tz_offset(local - ob) == ob;
	fit_a = tz_offset(local - oa) == oa;
	if (fit_b && fit_a)
		*epoch = local - (ob > oa ? ob : oa);
	else if (fit_a)
		*epoch = local - oa;
	else
		*epoch = local - ob;
	return 0;
}

void cal_epoch_to_ny(int64_t epoch, int *day, int *second)
{
	int64_t local, d;

	/* Keep the arithmetic far from overflow; ±2^50 s is ±35 million years. */
	if (epoch > ((int64_t)1 << 50))
		epoch = (int64_t)1 << 50;
	if (epoch < -((int64_t)1 << 50))
		epoch = -((int64_t)1 << 50);
	pthread_once(&tz_once, tz_build);
	local = epoch + tz_offset(epoch);
	d = local >= 0 ? local / 86400 : -((-local + 86399) / 86400);
	*day = (int)d;
	*second = (int)(local - d * 86400);
}

double cal_year_frac(int64_t asof, int expiry_day)
{
	int64_t t;

	if (cal_ny_to_epoch(expiry_day, CLOSE_MIN, &t))
		return NAN;
	return (double)(t - asof) / (365.0 * 86400.0);
}
