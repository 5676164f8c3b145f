/*
 * calendar.h - the NYSE session calendar, New York time and standard option
 * expirations (DESIGN.md §1, first box: "is D a session? what time is it in
 * New York?").
 *
 * Dates are day numbers (util/date.h). Sessions are computed from the
 * exchange's rules for CAL_FIRST_YEAR..CAL_LAST_YEAR: New Year's Day, Martin
 * Luther King Jr. Day, Washington's Birthday, Good Friday, Memorial Day,
 * Juneteenth (from 2022), Independence Day, Labor Day, Thanksgiving and
 * Christmas, with weekend observance, the one-off closures (2001-09-11..14,
 * 2004-06-11, 2007-01-02, 2012-10-29..30, 2018-12-05, 2025-01-09) and the
 * 13:00 early closes (July 3rd, the day after Thanksgiving, Christmas Eve).
 *
 * New York time comes from the system tz database (America/New_York),
 * whatever the machine's own zone.
 */
#ifndef PT_CALENDAR_H
#define PT_CALENDAR_H

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
 * 780 = 13:00 on early closes). Returns 0, or -1 when day is not a session. */
int cal_session_hours(int day, int *open_min, int *close_min);
/* First session strictly after / before day; -1 when none in range. */
int cal_next_session(int day);
int cal_prev_session(int day);
/* Number of sessions in [from, to], inclusive. */
int cal_count_sessions(int from, int to);

/* Standard expirations: the Friday of every week (the Thursday before when
 * that Friday is not a session). Monthly: the one in the week of the month's
 * third Friday. */
int cal_is_expiration(int day);
int cal_is_monthly_expiration(int day);
/* First standard expiration on or after day; -1 when none in range. */
int cal_next_expiration(int day);

/* New York wall time (day, minute of day) to Unix time. Returns 0 or -1. */
int cal_ny_to_epoch(int day, int minute, int64_t *epoch);
/* Unix time to New York day and second of day. */
void cal_epoch_to_ny(int64_t epoch, int *day, int *second);
/* Time to expiry in years: (expiry_day at 16:00 New York - asof) / 365 days.
 * May be negative after expiry. */
double cal_year_frac(int64_t asof, int expiry_day);

#endif
