/*
 * backtest.c - sessions replayed in memory through session_step (backtest.h).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "backtest.h"
#include "config.h"
#include "engine.h"
#include "market/calendar.h"
#include "market/provider.h"
#include "market/view.h"
#include "util/date.h"
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
	for (i = 0; i < d->n_settled; i++) {
		if (d->settled[i].ex_date)
			r->n_early++;
		else
			r->n_settled++;
	}
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

void bt_begin(const struct config *cfg, int from, int to, struct bt_result *out)
{
	memset(out, 0, sizeof(*out));
	book_init(&out->pf, cfg->initial_capital_cents);
	out->from = from;
	out->to = to;
}

int bt_step(const struct config *cfg, const struct market_view *v, struct bt_result *r,
	    struct session_err *e)
{
	struct engine_day day;
	int rc = session_step_view(&r->pf, v, cfg, &day, e);

	if (!rc) {
		keep_day(r, v, &day);
		r->sessions++;
	}
	engine_day_release(&day);
	return rc;
}

struct provider *bt_market_session(const struct bt_market *m, int s, struct tape *t, int64_t *asof,
				   int *owned, int *skip, struct session_err *e)
{
	struct provider *p;

	*skip = *owned = 0;
	*asof = 0;
	if (!m->tapes)
		return m->prov;
	tape_init(t);
	p = session_provider(m->tapes, s, t, asof, owned, e);
	if (!p && e->code == PT_ENOENT && m->tapes->st)
		*skip = 1;
	return p;
}

void bt_market_done(struct provider *p, struct tape *t, int owned)
{
	if (!owned)
		return;
	provider_free(p);
	tape_release(t);
}

int bt_run(const struct config *cfg, struct provider *prov, int from, int to,
	   bt_progress_fn progress, void *arg, volatile const int *stop, struct bt_result *out,
	   struct session_err *e)
{
	struct bt_market m = {prov, NULL};

	return bt_run_market(cfg, &m, from, to, progress, arg, stop, out, e);
}

int bt_run_market(const struct config *cfg, const struct bt_market *m, int from, int to,
		  bt_progress_fn progress, void *arg, volatile const int *stop,
		  struct bt_result *out, struct session_err *e)
{
	struct session_plan plan;
	struct provider_req req;
	struct market_view v;
	struct provider *prov;
	struct tape tape;
	char err[PT_ERRSZ], d[DATE_BUFSZ];
	double t0 = mono();
	int64_t asof;
	int s, total, rc = 0, owned, skip;

	bt_begin(cfg, from, to, out);
	total = cal_count_sessions(from, to);
	for (s = cal_is_session(from) ? from : cal_next_session(from); s > 0 && s <= to;
	     s = cal_next_session(s)) {
		if (stop && *stop)
			break;
		prov = bt_market_session(m, s, &tape, &asof, &owned, &skip, e);
		if (!prov) {
			if (!skip) {
				rc = PT_EDATA;
				break;
			}
			out->skipped++;
			continue;
		}
		session_plan(&out->pf, cfg, s, asof, &plan);
		session_request(&plan, &req);
		memset(&v, 0, sizeof(v));
		rc = provider_load(prov, &req, &v, err);
		if (rc) {
			session_fail(e, rc, date_fmt(s, d), "%s", err);
		} else {
			rc = bt_step(cfg, &v, out, e);
		}
		mv_release(&v);
		session_plan_release(&plan);
		bt_market_done(prov, &tape, owned);
		if (rc)
			break;
		if (progress)
			progress(out->sessions + out->skipped, total, arg);
	}
	out->seconds = mono() - t0;
	/* each session checked what changed (book_check_since): the whole
	 * ledger once more at the end */
	if (!rc && book_check(&out->pf, err)) {
		rc = session_fail(e, PT_EINVAL, "backtest", "ledger identity broken: %s", err);
	}
	return rc;
}

void bt_release(struct bt_result *r)
{
	book_release(&r->pf);
	free(r->calls);
	memset(r, 0, sizeof(*r));
}
