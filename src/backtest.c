/*
 * backtest.c - sessions replayed in memory through session_step (backtest.h).
 */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "backtest.h"
#include "config.h"
#include "engine.h"
#include "market/calendar.h"
#include "market/provider.h"
#include "market/view.h"
#include "util/util.h"

static double mono(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* What the result keeps of a day beyond the portfolio. */
static void keep_day(struct bt_result *r, const struct market_view *v, const struct engine_day *d)
{
	size_t i;

	r->n_trades += d->n_trades;
	r->n_settled += d->n_settled;
	for (i = 0; i < v->n_tickers; i++)
		r->options_quoted += (int64_t)v->tickers[i].n_opts;
	if (d->call_issued || d->n_forced) {
		struct bt_call *c;

		if (r->n_calls == r->cap_calls) {
			r->cap_calls = r->cap_calls ? 2 * r->cap_calls : 16;
			r->calls = xrealloc(r->calls, r->cap_calls * sizeof(*r->calls));
		}
		c = &r->calls[r->n_calls++];
		c->session = d->session;
		c->call_cents = d->call_cents;
		c->n_forced = d->n_forced;
	}
}

int bt_run(const struct config *cfg, struct provider *prov, int from, int to,
	   bt_progress_fn progress, void *arg, volatile const int *stop, struct bt_result *out,
	   struct session_err *e)
{
	struct session_plan plan;
	struct market_view v;
	struct engine_day day;
	double t0 = mono();
	int s, total, rc = 0;

	memset(out, 0, sizeof(*out));
	book_init(&out->pf, cfg->initial_capital_cents);
	out->from = from;
	out->to = to;
	total = cal_count_sessions(from, to);
	for (s = cal_is_session(from) ? from : cal_next_session(from); s > 0 && s <= to;
	     s = cal_next_session(s)) {
		if (stop && *stop)
			break;
		session_plan(&out->pf, cfg, s, 0, &plan);
		rc = session_step(&out->pf, prov, &plan, cfg, &v, &day, e);
		if (!rc) {
			keep_day(out, &v, &day);
			out->sessions++;
		}
		engine_day_release(&day);
		mv_release(&v);
		session_plan_release(&plan);
		if (rc)
			break;
		if (progress)
			progress(out->sessions, total, arg);
	}
	out->seconds = mono() - t0;
	return rc;
}

void bt_release(struct bt_result *r)
{
	book_release(&r->pf);
	free(r->calls);
	memset(r, 0, sizeof(*r));
}
