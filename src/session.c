/*
 * session.c - one trading day as a library (DESIGN.md §1, every box from
 * "store: load portfolio state" to "append events, commit"): plan, step,
 * commit, and the run, dry run and scheduled run built from them. Never
 * prints, never reads the clock; see session.h.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "session.h"
#include "config.h"
#include "market/calendar.h"
#include "report/report.h"
#include "sched/sched.h"
#include "store/store.h"
#include "util/date.h"

int session_fail(struct session_err *e, int code, const char *what, const char *fmt, ...)
{
	va_list ap;

	pt_strlcpy(e->what, what, sizeof(e->what));
	va_start(ap, fmt);
	vsnprintf(e->why, sizeof(e->why), fmt, ap);
	va_end(ap);
	e->code = code ? code : PT_EINVAL;
	return e->code;
}

/* ---- plan ----------------------------------------------------------------- */

/* First day of history the view must hold: enough for HV, for the closes of
 * unsettled expirations and for dividends not yet processed. */
static int history_from(const struct portfolio *pf, const struct config *cfg, int session)
{
	int from = session - (int)(cfg->hv_window * 7 / 4) - 30;
	size_t i;

	for (i = 0; i < pf->n_pos; i++)
		if (!pf->pos[i].closed && pf->pos[i].right != 'S' && pf->pos[i].expiry - 5 < from)
			from = pf->pos[i].expiry - 5;
	if (pf->events_through && pf->events_through - 5 < from)
		from = pf->events_through - 5;
	return from;
}

static void add_ticker(struct session_plan *p, const char *sym)
{
	size_t j;

	for (j = 0; j < p->n_tickers && strcmp(p->tickers[j], sym) != 0; j++)
		;
	if (j == p->n_tickers && p->n_tickers < SESSION_MAX_TICKERS)
		pt_strlcpy(p->tickers[p->n_tickers++], sym, MV_SYMSZ);
}

void session_plan(const struct portfolio *pf, const struct config *cfg, int session, int64_t asof,
		  struct session_plan *out)
{
	size_t i;

	memset(out, 0, sizeof(*out));
	out->session = session;
	out->asof = asof;
	out->hist_from = history_from(pf, cfg, session);
	/* Tickers: configured, benchmarks and held, without repeats. */
	for (i = 0; i < cfg->n_tickers; i++)
		add_ticker(out, cfg->tickers[i]);
	for (i = 0; i < pf->n_bench; i++)
		add_ticker(out, pf->bench[i].ticker);
	for (i = 0; i < pf->n_pos; i++)
		if (!pf->pos[i].closed)
			add_ticker(out, pf->pos[i].ticker);
	for (i = 0; i < out->n_tickers; i++)
		out->tick[i] = out->tickers[i];
	/* Expirations: those the strategies trade, on every ticker, and those
	 * of open positions, which must be marked. */
	out->want = xcalloc(pf->n_pos + cfg->n_strat * STRATEGY_MAX_WANTS + 1, sizeof(*out->want));
	for (i = 0; i < cfg->n_strat; i++) {
		struct strategy_in in = config_strategy_in(cfg, i);
		long days[STRATEGY_MAX_WANTS];
		size_t k, n;

		in.session = session;
		n = cfg->strat[i]->plan(&in, days);

		for (k = 0; k < n && k < STRATEGY_MAX_WANTS; k++)
			out->want[out->n_want++].days = days[k];
	}
	for (i = 0; i < pf->n_pos; i++) {
		if (pf->pos[i].closed || pf->pos[i].right == 'S')
			continue;
		pt_strlcpy(out->want[out->n_want].ticker, pf->pos[i].ticker, MV_SYMSZ);
		out->want[out->n_want++].expiry = pf->pos[i].expiry;
	}
}

static int same_want(const struct provider_want *a, const struct provider_want *b)
{
	return a->expiry == b->expiry && a->days == b->days && !strcmp(a->ticker, b->ticker);
}

void session_plan_union(const struct session_plan *plans, size_t n, struct session_plan *out)
{
	size_t cap = 0, i, t, w, k;

	memset(out, 0, sizeof(*out));
	out->session = plans[0].session;
	out->asof = plans[0].asof;
	out->hist_from = plans[0].hist_from;
	for (i = 0; i < n; i++) {
		const struct session_plan *p = &plans[i];

		if (p->hist_from < out->hist_from)
			out->hist_from = p->hist_from;
		for (t = 0; t < p->n_tickers; t++)
			add_ticker(out, p->tickers[t]);
		for (w = 0; w < p->n_want; w++) {
			for (k = 0; k < out->n_want && !same_want(&out->want[k], &p->want[w]); k++)
				;
			if (k < out->n_want)
				continue;
			xgrow(&out->want, &cap, out->n_want + 1, sizeof(*out->want));
			out->want[out->n_want++] = p->want[w];
		}
	}
	for (t = 0; t < out->n_tickers; t++)
		out->tick[t] = out->tickers[t];
}

long session_strategy_days(const struct config *cfg)
{
	long days[STRATEGY_MAX_WANTS];
	struct strategy_in in;

	if (!cfg->n_strat)
		return 30;
	in = config_strategy_in(cfg, 0);
	return cfg->strat[0]->plan(&in, days) ? days[0] : 30;
}

void session_plan_release(struct session_plan *p)
{
	free(p->want);
	memset(p, 0, sizeof(*p));
}

void session_request(const struct session_plan *p, struct provider_req *req)
{
	memset(req, 0, sizeof(*req));
	req->session = p->session;
	req->asof = p->asof;
	req->tickers = p->tick;
	req->n = p->n_tickers;
	req->hist_from = p->hist_from;
	req->want = p->want;
	req->n_want = p->n_want;
}

/* ---- step ----------------------------------------------------------------- */

/* The market view of plan through prov into v (overwritten). */
static int load_view(struct provider *prov, const struct session_plan *plan, struct market_view *v,
		     struct session_err *e)
{
	struct provider_req req;
	char d[DATE_BUFSZ], err[PT_ERRSZ];
	int rc;

	memset(v, 0, sizeof(*v));
	session_request(plan, &req);
	if ((rc = provider_load(prov, &req, v, err)))
		return session_fail(e, rc, date_fmt(plan->session, d), "%s", err);
	return 0;
}

/*
 * A portfolio started elsewhere (an import) has no benchmarks: buy the
 * initial capital's worth of each configured ticker at the first session
 * that prices them all, as engine_step's first session does. Only before
 * any snapshot: each snapshot keeps one value per benchmark. 1 when bought.
 */
static int buy_benchmarks(struct portfolio *pf, const struct market_view *v,
			  const struct config *cfg)
{
	size_t i;

	if (!pf->start || pf->n_bench || pf->n_snaps || !cfg->n_tickers)
		return 0;
	for (i = 0; i < cfg->n_tickers; i++) {
		const struct ticker_view *tv = mv_ticker(v, cfg->tickers[i]);
		if (!tv || !tv->ok || !(tv->spot > 0))
			return 0;
	}
	pf->bench = xcalloc(cfg->n_tickers, sizeof(*pf->bench));
	pf->n_bench = cfg->n_tickers;
	for (i = 0; i < cfg->n_tickers; i++) {
		struct bench *b = &pf->bench[i];

		pt_strlcpy(b->ticker, cfg->tickers[i], sizeof(b->ticker));
		b->price = mv_ticker(v, cfg->tickers[i])->spot;
		b->shares = (double)pf->initial_cents / 100.0 / b->price;
	}
	return 1;
}

int session_step_view(struct portfolio *pf, const struct market_view *v, const struct config *cfg,
		      struct engine_day *day, struct session_err *e)
{
	char d[DATE_BUFSZ], err[PT_ERRSZ];
	int rc, bought;

	memset(day, 0, sizeof(*day));
	date_fmt(v->session, d);
	bought = v->session > pf->last_session && buy_benchmarks(pf, v, cfg);
	if ((rc = engine_step(pf, v, cfg, day, err)))
		return session_fail(e, rc, d, "%s", err);
	if (bought)
		sb_addf(&day->notes,
			"Benchmarks bought today with the initial capital of %.2f: the portfolio "
			"had none (imported)\n",
			(double)pf->initial_cents / 100.0);
	if ((rc = book_check_since(pf, err)))
		return session_fail(e, rc, d, "ledger identity broken, nothing saved: %s", err);
	return 0;
}

int session_step(struct portfolio *pf, struct provider *prov, const struct session_plan *plan,
		 const struct config *cfg, struct market_view *v, struct engine_day *day,
		 struct session_err *e)
{
	int rc;

	memset(day, 0, sizeof(*day));
	if ((rc = load_view(prov, plan, v, e)))
		return rc;
	return session_step_view(pf, v, cfg, day, e);
}

/* ---- a series of sessions against a store --------------------------------- */

int session_ctx_init(struct session_ctx *ctx, const struct config *cfg, const char *home,
		     struct store *st, struct session_err *e)
{
	struct provider_env env = {0};
	char err[PT_ERRSZ];

	memset(ctx, 0, sizeof(*ctx));
	ctx->cfg = cfg;
	ctx->home = home;
	ctx->st = st;
	tape_init(&ctx->record);
	ctx->replay = strcmp(cfg->provider, "tape") == 0;
	if (ctx->replay)
		return 0;
	env.home = home;
	env.record = &ctx->record;
	ctx->prov = provider_new(cfg, &env, err);
	if (!ctx->prov)
		return session_fail(e, PT_EINVAL, "provider", "%s", err);
	return 0;
}

void session_ctx_release(struct session_ctx *ctx)
{
	if (ctx->cached)
		book_release(&ctx->cache);
	ctx->cached = 0;
	provider_free(ctx->prov);
	ctx->prov = NULL;
	tape_release(&ctx->record);
}

struct provider *session_provider(struct session_ctx *ctx, int session, struct tape *tape,
				  int64_t *asof, int *owned, struct session_err *e)
{
	struct provider_env env = {0};
	struct store_tape_info ti = {0};
	struct provider *p;
	char err[PT_ERRSZ], d[DATE_BUFSZ];
	int rc;

	*owned = 0;
	date_fmt(session, d);
	if (!ctx->replay) {
		/* A new session records afresh. */
		tape_release(&ctx->record);
		tape_init(&ctx->record);
		return ctx->prov;
	}
	if (!ctx->st) {
		session_fail(e, PT_ENOENT, d, "no portfolio in %s, so no tapes",
			     ctx->home ? ctx->home : "");
		return NULL;
	}
	if ((rc = store_load_tape(ctx->st, session, tape, &ti, err))) {
		session_fail(e, rc, d, "%s", err);
		return NULL;
	}
	env.home = ctx->home;
	env.replay = tape;
	env.replay_sources = ti.sources;
	p = provider_new(ctx->cfg, &env, err);
	if (!p) {
		session_fail(e, PT_EINVAL, d, "%s", err);
		return NULL;
	}
	*asof = ti.asof;
	*owned = 1;
	return p;
}

void session_result_release(struct session_result *r)
{
	book_release(&r->pf);
	engine_day_release(&r->day);
	sb_release(&r->text);
	sb_release(&r->json);
	memset(r, 0, sizeof(*r));
}

void session_give_back(struct session_ctx *ctx, struct session_result *res)
{
	if (res->status == SESSION_RAN && ctx->lent_session && res->session == ctx->lent_session &&
	    !ctx->cached) {
		ctx->cache = res->pf;
		ctx->cached = 1;
		memset(&res->pf, 0, sizeof(res->pf));
	} else {
		book_release(&res->pf);
	}
	ctx->lent_session = 0;
}

int session_take_back(struct session_ctx *ctx, struct session_result *res, struct session_err *e)
{
	char err[PT_ERRSZ];
	int64_t version;
	int created, rc;

	if (ctx->lent_session && ctx->lent_session == res->session)
		return 0; /* never given back: res->pf is whole */
	book_release(&res->pf);
	if (ctx->cached && !store_data_version(ctx->st, &version, err) &&
	    version == ctx->cache_version) {
		res->pf = ctx->cache;
		memset(&ctx->cache, 0, sizeof(ctx->cache));
		ctx->cached = 0;
		ctx->lent_session = res->session;
		return 0;
	}
	book_release(&ctx->cache);
	ctx->cached = 0;
	if ((rc = session_load_or_create(ctx->st, ctx->cfg, &res->pf, &created, err)))
		session_fail(e, rc, "store", "%s", err);
	return rc;
}

int session_load_or_create(struct store *st, const struct config *cfg, struct portfolio *pf,
			   int *created, char *err)
{
	int rc;

	*created = 0;
	book_init(pf, 0);
	rc = store_load(st, pf, err);
	if (rc == PT_ENOENT) {
		book_release(pf);
		if ((rc = store_init_account(st, cfg->initial_capital_cents, err)))
			return rc;
		*created = 1;
		book_init(pf, 0);
		rc = store_load(st, pf, err);
	}
	if (rc)
		book_release(pf);
	return rc;
}

int session_commit(struct session_ctx *ctx, const struct portfolio *pf,
		   const struct engine_day *day, const char *provider, struct sbuf *text,
		   struct sbuf *json, struct session_err *e)
{
	struct report_in in;
	char d[DATE_BUFSZ], err[PT_ERRSZ];
	int rc;

	date_fmt(day->session, d);
	memset(&in, 0, sizeof(in));
	in.pf = pf;
	in.day = day;
	in.cfg = ctx->cfg;
	in.provider = provider;
	sb_release(text);
	sb_release(json);
	/* The run's own part only: the summary (every closed trade, metrics
	 * over every snapshot) is rendered from the tables when asked, so a
	 * session stores and costs the same whatever the history. */
	report_run_text(&in, text);
	if (report_run_json(day, json))
		return session_fail(e, PT_EIO, d, "cannot format the JSON report");
	/* The live responses go in the same transaction as the run they made. */
	if (!ctx->replay && ctx->record.n &&
	    (rc = store_save_tape(ctx->st, day->session, day->asof, provider, &ctx->record, err)))
		return session_fail(e, rc, d, "%s", err);
	if ((rc = store_save_run(ctx->st, pf, day->session, provider, sb_str(text), sb_str(json),
				 err)) ||
	    (rc = store_commit(ctx->st, err)))
		return session_fail(e, rc, d, "%s", err);
	return 0;
}

int session_report(const struct session_result *r, const struct config *cfg, int json, int color,
		   struct sbuf *out)
{
	struct report_in in;

	memset(&in, 0, sizeof(in));
	in.pf = &r->pf;
	in.day = &r->day;
	in.cfg = cfg;
	in.provider = r->provider;
	in.color = color;
	if (json)
		return report_json(&in, out);
	report_text(&in, out);
	return 0;
}

int session_stored_report(struct store *st, const struct config *cfg, int session, int json,
			  struct sbuf *out, char *err)
{
	struct portfolio pf;
	struct report_in in;
	char provider[64], d[DATE_BUFSZ];
	char *text = NULL, *js = NULL;
	int found = 0, rc;

	memset(&pf, 0, sizeof(pf));
	if ((rc = store_get_run(st, session, &found, &text, &js, provider, sizeof(provider), err)))
		goto out;
	book_init(&pf, 0);
	if ((rc = store_load(st, &pf, err)))
		goto out;
	if (found != pf.last_session) {
		/* An earlier session: what happened that day. */
		if (json)
			sb_addf(out, "{\"session\": \"%s\", \"run\": %s", date_fmt(found, d),
				js[0] ? js : "null\n");
		else
			sb_addf(out, "%s", text);
		if (json)
			sb_addf(out, "}\n");
		goto out;
	}
	memset(&in, 0, sizeof(in));
	in.pf = &pf;
	in.cfg = cfg;
	in.provider = provider;
	if (json) {
		in.run_json = js;
		if (report_json(&in, out))
			rc = pt_err(err, PT_EIO, "the stored report of %s is not valid JSON",
				    date_fmt(found, d));
	} else {
		sb_addf(out, "%s", text);
		report_summary_text(&in, out);
	}
out:
	book_release(&pf);
	free(text);
	free(js);
	return rc;
}

int session_run(struct session_ctx *ctx, int session, int64_t now, struct session_result *res,
		struct session_err *e)
{
	struct session_plan plan;
	struct market_view v;
	struct tape tape;
	struct provider *prov = NULL;
	char err[PT_ERRSZ];
	int has = 0, rc = 0, owned = 0, fetched = 0;
	int64_t asof = now, version = 0, fetched_version = 0;

	memset(res, 0, sizeof(*res)); /* res->pf zeroed: book_release is a no-op */
	memset(&plan, 0, sizeof(plan));
	memset(&v, 0, sizeof(v));
	sb_init(&res->text, 16u << 20);
	sb_init(&res->json, 16u << 20);
	tape_init(&tape);
	res->session = session;
	/*
	 * A live source can take its time: the market is fetched before the
	 * write lock is taken, so a concurrent run (cron beside serve's
	 * scheduler) is not locked out while this one downloads (issue 13,
	 * defect 6). The fetch is planned on the portfolio as stored; under
	 * the lock it is used only if no other connection wrote since (same
	 * data_version), else everything is read and fetched again there. A
	 * first run (no portfolio yet) and a catch-up's later sessions fetch
	 * under the lock, as before.
	 */
	if (!ctx->replay && ctx->prov && provider_is_live(ctx->prov) && !ctx->cached) {
		struct portfolio pre;
		int64_t pre_version = 0;

		book_init(&pre, 0);
		if (!store_has_run(ctx->st, session, &has, err) && !has &&
		    !store_load_versioned(ctx->st, &pre, &pre_version, err) &&
		    session >= pre.last_session) {
			prov = session_provider(ctx, session, &tape, &asof, &owned, e);
			session_plan(&pre, ctx->cfg, session, asof, &plan);
			if ((rc = load_view(prov, &plan, &v, e))) {
				book_release(&pre);
				goto out_release;
			}
			fetched = 1;
			fetched_version = pre_version;
		}
		book_release(&pre);
		has = 0;
	}
	if ((rc = store_begin(ctx->st, err))) {
		session_fail(e, rc, "run", "%s", err);
		goto out_release;
	}
	if ((rc = store_has_run(ctx->st, session, &has, err))) {
		session_fail(e, rc, "run", "%s", err);
		goto out;
	}
	if (has) {
		res->status = SESSION_HAD;
		goto out;
	}
	/* The portfolio this ctx committed last, given back by the caller,
	 * when no other connection has written since: a catch-up loads the
	 * store once, not every session. Moved, not copied (with the arrays'
	 * spare room): a copy a session cost time in proportion to the
	 * history. */
	if (ctx->cached && !store_data_version(ctx->st, &version, err) &&
	    version == ctx->cache_version) {
		res->pf = ctx->cache;
		memset(&ctx->cache, 0, sizeof(ctx->cache));
		ctx->cached = 0;
	} else if ((rc = session_load_or_create(ctx->st, ctx->cfg, &res->pf, &res->created, err))) {
		session_fail(e, rc, "store", "%s", err);
		goto out;
	}
	res->last = res->pf.last_session;
	if (session < res->pf.last_session) {
		res->status = SESSION_BEHIND;
		goto out;
	}
	if (fetched && !store_data_version(ctx->st, &version, err) && version == fetched_version) {
		if ((rc = session_step_view(&res->pf, &v, ctx->cfg, &res->day, e)))
			goto out;
	} else {
		if (fetched) { /* another connection wrote meanwhile: afresh */
			mv_release(&v);
			session_plan_release(&plan);
			memset(&plan, 0, sizeof(plan));
		}
		prov = session_provider(ctx, session, &tape, &asof, &owned, e);
		if (!prov) {
			rc = PT_EINVAL;
			goto out;
		}
		session_plan(&res->pf, ctx->cfg, session, asof, &plan);
		if ((rc = session_step(&res->pf, prov, &plan, ctx->cfg, &v, &res->day, e)))
			goto out;
	}
	pt_strlcpy(res->provider, provider_name(prov), sizeof(res->provider));
	book_release(&ctx->cache);
	ctx->cached = 0;
	if ((rc = session_commit(ctx, &res->pf, &res->day, res->provider, &res->text, &res->json,
				 e)))
		goto out;
	res->status = SESSION_RAN;
	res->pf.ledger_saved = res->pf.n_ledger;
	ctx->lent_session = store_data_version(ctx->st, &ctx->cache_version, err) ? 0 : session;
out:
	if (rc || res->status != SESSION_RAN)
		store_rollback(ctx->st);
out_release:
	if (owned)
		provider_free(prov);
	tape_release(&tape);
	session_plan_release(&plan);
	mv_release(&v);
	return rc;
}

int session_scan(struct session_ctx *ctx, const struct portfolio *pf, int session, int64_t now,
		 struct portfolio *dry, struct market_view *v, struct engine_day *day,
		 char *provider, size_t provider_sz, char *note, size_t note_sz,
		 struct session_err *e)
{
	struct session_plan plan;
	struct tape tape;
	struct provider *prov;
	char err[PT_ERRSZ];
	int64_t asof = now;
	int owned = 0, rc;

	memset(v, 0, sizeof(*v));
	memset(day, 0, sizeof(*day));
	note[0] = '\0';
	provider[0] = '\0';
	tape_init(&tape);
	prov = session_provider(ctx, session, &tape, &asof, &owned, e);
	if (!prov) {
		tape_release(&tape);
		return PT_EINVAL;
	}
	session_plan(pf, ctx->cfg, session, asof, &plan);
	if ((rc = load_view(prov, &plan, v, e)))
		goto out;
	book_copy(dry, pf);
	if (engine_step(dry, v, ctx->cfg, day, err)) {
		/* The day could not run (a first session missing a price): still
		 * show what the strategies see for every ticker. */
		snprintf(note, note_sz, "%s", err);
		engine_day_release(day);
		engine_scan(dry, v, ctx->cfg, day);
	}
	pt_strlcpy(provider, provider_name(prov), provider_sz);
out:
	if (owned)
		provider_free(prov);
	tape_release(&tape);
	session_plan_release(&plan);
	return rc;
}

/* ---- the scheduled run ---------------------------------------------------- */

/* Why day has no session: the holiday's name, "weekend" or "no session". */
const char *session_closed_reason(int day)
{
	const char *h = cal_holiday_name(day);
	int wd = date_weekday(day);

	return h ? h : wd == 0 || wd == 6 ? "weekend" : "no session";
}

void session_not_due_text(const struct config *cfg, char *buf, size_t n)
{
	snprintf(buf, n, "not due: today's run is at %02d:%02d New York (run --date to run it now)",
		 cfg->run_at_min / 60, cfg->run_at_min % 60);
}

/* " (next run YYYY-MM-DD HH:MM New York)" for a decision time, or "". */
static const char *next_note(int64_t next, char *buf, size_t n)
{
	char d[DATE_BUFSZ];
	int day, sec;

	if (!next)
		return "";
	cal_epoch_to_ny(next, &day, &sec);
	snprintf(buf, n, " (next run %s %02d:%02d New York)", date_fmt(day, d), sec / 3600,
		 sec / 60 % 60);
	return buf;
}

void session_due_release(struct session_due *d)
{
	session_result_release(&d->res);
}

int session_run_due(const struct config *cfg, const char *home, session_open_fn open, void *arg,
		    int64_t now, struct session_due *out)
{
	struct sched_decision dec;
	struct session_ctx ctx;
	struct store *st = NULL;
	char d[DATE_BUFSZ], note[64], err[PT_ERRSZ];
	int has = 0, rc, last;

	memset(out, 0, sizeof(*out));
	out->what = SESSION_DUE_FAILED;
	rc = sched_decide(now, cfg->run_at_min, 0, &dec);
	out->today = dec.today;
	date_fmt(dec.today, d);
	if (rc) {
		session_fail(&out->err, PT_ERANGE, "today",
			     "%s is outside the supported years %d-%d", d, CAL_FIRST_YEAR,
			     CAL_LAST_YEAR);
		goto failed;
	}
	if (!dec.due) {
		out->next = dec.next;
		if (cal_is_session(dec.today)) {
			session_not_due_text(cfg, out->msg, sizeof(out->msg));
			out->what = SESSION_DUE_EARLY;
		} else {
			snprintf(out->msg, sizeof(out->msg),
				 "%s: market closed (%s); nothing to do%s", d,
				 session_closed_reason(dec.today),
				 next_note(out->next, note, sizeof(note)));
			out->what = SESSION_DUE_CLOSED;
		}
		return 0;
	}
	/* Due by the clock: has it run? Asked outside any transaction first,
	 * so the checks every few minutes after the run take no write lock. */
	out->next = now + SESSION_DUE_RETRY;
	if (open(arg, &st)) {
		snprintf(out->msg, sizeof(out->msg), "store: cannot open the database in %s", home);
		return PT_EIO;
	}
	if (store_has_run(st, dec.due, &has, err)) {
		session_fail(&out->err, PT_EIO, "store", "%s", err);
		store_close(st);
		goto failed;
	}
	if (has) {
		sched_decide(now, cfg->run_at_min, dec.due, &dec);
		out->next = dec.next;
		snprintf(out->msg, sizeof(out->msg), "%s already ran; nothing to do%s", d,
			 next_note(out->next, note, sizeof(note)));
		out->what = SESSION_DUE_DONE;
		store_close(st);
		return 0;
	}
	if (session_ctx_init(&ctx, cfg, home, st, &out->err) ||
	    session_run(&ctx, dec.due, now, &out->res, &out->err)) {
		session_ctx_release(&ctx);
		store_close(st);
		goto failed;
	}
	session_ctx_release(&ctx);
	store_close(st);
	last = out->res.status == SESSION_BEHIND ? out->res.last : dec.due;
	sched_decide(now, cfg->run_at_min, last, &dec);
	out->next = dec.next;
	session_outcome(&out->res, out->msg, sizeof(out->msg));
	if (out->res.status == SESSION_RAN) {
		out->what = SESSION_DUE_RAN;
	} else {
		size_t len = strlen(out->msg);
		out->what = SESSION_DUE_DONE;
		snprintf(out->msg + len, sizeof(out->msg) - len, "%s",
			 next_note(out->next, note, sizeof(note)));
	}
	return 0;
failed:
	snprintf(out->msg, sizeof(out->msg), "%s: %s", out->err.what, out->err.why);
	return PT_EIO;
}

void session_outcome(const struct session_result *r, char *buf, size_t n)
{
	char d[DATE_BUFSZ], d2[DATE_BUFSZ];

	date_fmt(r->session, d);
	switch (r->status) {
	case SESSION_NONE:
		snprintf(buf, n, "%s: nothing run", d);
		break;
	case SESSION_HAD:
		snprintf(buf, n, "%s already ran; nothing to do", d);
		break;
	case SESSION_BEHIND:
		snprintf(buf, n, "not due: the portfolio has run up to %s, after %s",
			 date_fmt(r->last, d2), d);
		break;
	case SESSION_RAN:
		snprintf(buf, n, "%s ran: %zu settled, %zu traded, value %.2f", d, r->day.n_settled,
			 r->day.n_trades, (double)r->day.snap.value_cents / 100.0);
		break;
	}
}
