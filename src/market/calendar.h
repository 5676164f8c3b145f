/*
 * calendar.h - the NYSE session calendar, New York time and standard option
 * expirations (DESIGN.md §1, first box: "is D a session? what time is it in
 * New York?").
 *
 * Dates are day numbers (util/date.h). Sessions are computed from the
 * exchange's rules for CAL_FIRST_YEAR..CAL_LAST_YEAR: New Year's Day, Martin
 * Luther King Jr. Day, Washington's Birthday, Good Friday, Memorial Day,
 * Juneteenth (from 2022), Independence Day, Labor Day, Thanksgiving and
 * Christmas, with weekend observance (Saturday to Friday, Sunday to Monday,
 * except that a Saturday New Year's Day is not observed: NYSE Rule 7.2), the
 * one-off closures (2001-09-11..14, 2004-06-11, 2007-01-02, 2012-10-29..30,
 * 2018-12-05, 2025-01-09) and the 13:00 early closes (July 3rd, the day after
 * Thanksgiving, Christmas Eve, with NYSE's historical exceptions: see
 * calendar.c). The tables are built once, on first use, thread-safely; the
 * queries are then array lookups.
 *
 * The rule "the expiration nearest N days" lives here too, once, for the
 * strategy, the providers and the command line (cal_nearest_expiry).
 *
 * New York time comes from the system tz database (America/New_York),
 * whatever the machine's own zone. The zone is read once, on the first time
 * conversion: the process's TZ is set to America/New_York for that moment
 * and then restored, so make one conversion before starting threads that
 * read the environment or call localtime_r. Without a tz database the
 * built-in United States rules apply (exact from 1967 on, bar 1974-75).
 */
#ifndef PT_CALENDAR_H
#define PT_CALENDAR_H

#include <stddef.h>
#include <stdint.h>

#define CAL_FIRST_YEAR 2000
#define CAL_LAST_YEAR 2035

/* 1 when day lies in the supported years, else 0. */
int cal_in_range(int day);
/* 1 when the NYSE holds a session on day. 0 on weekends, holidays and out of range. */
int cal_is_session(int day);
/* Name of the holiday or closure on a weekday that is not a session, else NULL. */
const char *cal_holiday_name(int day);
/* Regular hours in minutes after midnight New York time (570 = 09:30, 960 = 16:00,
 * 780 = 13:00 on early closes). Returns 0, or -1 when day is not a session.
 * Either pointer may be NULL. */
int cal_session_hours(int day, int *open_min, int *close_min);
/* First session strictly after / before day; -1 when none in range (a day
 * before 2000 gives the first session, one after 2035 the last). */
int cal_next_session(int day);
int cal_prev_session(int day);
/* Number of sessions in [from, to], inclusive (0 when from > to; the days
 * outside the supported years count for nothing). */
int cal_count_sessions(int from, int to);

/* Standard expirations, always sessions: the Friday of every week, or when
 * that Friday is not a session the last session before it in the same week
 * (the Thursday before Good Friday; Monday 2001-09-10 in the week of 9/11).
 * Monthly: the one in the week of the month's third Friday. Both are 0 out of
 * range. */
int cal_is_expiration(int day);
int cal_is_monthly_expiration(int day);
/* First standard expiration on or after day; -1 when none in range. */
int cal_next_expiration(int day);
/*
 * "The expiration nearest dte calendar days after the session": among the
 * expirations strictly after session, the one whose (expiry - session) is
 * nearest dte; of two equally near, the earlier. Returns that day number,
 * or 0 when no expiration lies after session (n == 0, or all are on or
 * before it). Any dte is accepted: beyond the last expiration it gives the
 * last, at or below 0 the first after the session.
 *
 * The n expirations are read at exp, stride bytes apart, in any order and
 * with repeats allowed, so the same call walks a plain int array (stride
 * sizeof(int)) or the expiry member of an array of structs, e.g.
 * &opts[0].expiry with stride sizeof(struct option_quote). exp may be NULL
 * when n is 0. Nothing is allocated.
 */
int cal_nearest_expiry(const int *exp, size_t n, size_t stride, int session, long dte);

/* New York wall time (day, minute of day 0..1439) to Unix time. A time that
 * occurs twice (November) is the first, daylight-time one; a time skipped in
 * March is read with the offset before the change (02:30 is 03:30 EDT).
 * Returns 0, or -1 for a minute out of range or a day outside 1900-2199. */
int cal_ny_to_epoch(int day, int minute, int64_t *epoch);
/* Unix time to New York day and second of day (0..86399). */
void cal_epoch_to_ny(int64_t epoch, int *day, int *second);
/* Time to expiry in years: (expiry_day at 16:00 New York - asof) / 365 days.
 * May be negative after expiry; NaN when expiry_day is outside 1900-2199. */
double cal_year_frac(int64_t asof, int expiry_day);

#endif
