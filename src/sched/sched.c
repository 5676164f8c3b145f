/*
 * sched.c - when the daily job is due: today's session at run_at New York
 * time, once, with same-day catch-up (DESIGN.md §1, before the first box;
 * erratum 6). Pure: the clock comes in as `now`. See sched.h for the rules.
 */
#include <string.h>

#include "sched.h"
#include "../market/calendar.h"
#include "../util/util.h"

int sched_run_time(int day, int run_at_min, int64_t *t)
{
	if (run_at_min < 0 || run_at_min >= 24 * 60)
		return PT_EINVAL;
	return cal_ny_to_epoch(day, run_at_min, t) ? PT_EINVAL : 0;
}

int sched_decide(int64_t now, int run_at_min, int last_run, struct sched_decision *d)
{
	int today, sec, s;
	int64_t at = 0;

	memset(d, 0, sizeof(*d));
	if (run_at_min < 0 || run_at_min >= 24 * 60)
		return PT_EINVAL;
	cal_epoch_to_ny(now, &today, &sec);
	d->today = today;
	if (!cal_in_range(today))
		return PT_ERANGE;
	if (cal_is_session(today) && today > last_run) {
		if (sched_run_time(today, run_at_min, &at))
			return PT_ERANGE;
		if (now >= at) {
			d->due = today;
		} else {
			d->next_session = today;
			d->next = at;
			return 0;
		}
	}
	/* The first session after today and after the last one run. */
	s = cal_next_session(today > last_run ? today : last_run);
	if (s <= 0 || s <= today || s <= last_run || sched_run_time(s, run_at_min, &at))
		return 0;
	d->next_session = s;
	d->next = at;
	return 0;
}
