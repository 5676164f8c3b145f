/*
 * sched.h - when the daily job is due (DESIGN.md §1, the step before the
 * first box: "is D a session? what time is it in New York?", asked of the
 * clock; erratum 6). Given the time now, the configured run_at and the last
 * session already run, it says which session is due now and when the next
 * decision point is. `run --if-due`, the scheduler thread of `serve`
 * (through session_run_due in session.c) and the printed systemd/cron units all
 * rest on it.
 *
 * Pure: no clock, no I/O, no global state; the caller passes `now`, so the
 * whole thing is tested with an injected clock. New York time comes from
 * market/calendar (the tz database), so a run_at of 09:35 is 14:35 UTC in
 * winter (EST) and 13:35 UTC in summer (EDT), whatever the machine's zone.
 * DST changes happen on Sunday mornings, when the NYSE is closed, so every
 * session's run_at instant exists exactly once.
 *
 * Rules:
 * - Due now: today (New York) is an NYSE session, now >= today's run_at
 *   instant, and today is after the last session run. So a start at 15:00
 *   on a session not yet run catches up at once, at any time until midnight
 *   New York; a session already run is never due again (restarts are safe);
 *   a missed day is not run the next day by the scheduler (`run --from` or
 *   the next run settles over the gap).
 * - Early closes (13:00): run_at is not clamped to the close. A run_at at or
 *   after the close (14:00, or 16:30 on any day) still runs at run_at, on
 *   the session's closing prices: that is what the user asked for on every
 *   other day (16:30 is after the regular close too), the same instant rule
 *   holds on every session, and clamping would move the run to the moment
 *   the closing auction prints and delayed quotes lag most. A live provider
 *   warns when its quotes are older than max_quote_age at the run, on
 *   early-close days as on the others.
 */
#ifndef PT_SCHED_H
#define PT_SCHED_H

#include <stdint.h>

/* What sched_decide found. */
struct sched_decision {
	int today;		/* today's date in New York (day number) */
	int due;		/* the session to run now (day number), 0 when none */
	int next_session;	/* the session of the next decision point, 0 when none */
	int64_t next;		/* run_at on next_session (Unix time), 0 when none */
};

/*
 * Decides at `now` (Unix time) with the daily run at `run_at_min` minutes
 * after midnight New York (0..1439) and `last_run` the last session already
 * run (day number; 0 when none). Fills *d:
 *   due           today's session when it is due now (see the rules above);
 *   next_session  the next session not yet run whose run_at instant is
 *                 still ahead of now: today's when now is before its run_at
 *                 and today has not run, else the first session after both
 *                 today and last_run;
 *   next          that session's run_at instant, the time to decide again
 *                 (after running the due session, if any). It is > now.
 * next_session and next are 0 when no session is left in the calendar's
 * years (CAL_LAST_YEAR). Returns 0; PT_EINVAL when run_at_min is out of
 * range; PT_ERANGE when today is outside CAL_FIRST_YEAR..CAL_LAST_YEAR
 * (*d then holds today and zeros).
 */
int sched_decide(int64_t now, int run_at_min, int last_run, struct sched_decision *d);

/*
 * The run_at instant of session day: day at run_at_min New York time, as
 * Unix time, into *t. Returns 0, PT_EINVAL when run_at_min is out of range
 * or the day outside the tz conversion's years. Does not check that day is
 * a session.
 */
int sched_run_time(int day, int run_at_min, int64_t *t);

#endif
