/*
 * compare.c - configurations backtested side by side, with the reference
 * rows (compare.h): the backtests and their analytics on a few threads,
 * then the buy-and-hold rows from the benchmarks the portfolios keep.
 */
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "compare.h"
#include "market/calendar.h"
#include "market/provider.h"
#include "util/util.h"

void cmp_init(struct cmp *c, int from, int to)
{
	memset(c, 0, sizeof(*c));
	c->from = from;
	c->to = to;
}

void cmp_release(struct cmp *c)
{
	size_t i;

	for (i = 0; i < c->n_rows; i++) {
		bt_release(&c->rows[i].bt);
		an_portfolio_release(&c->rows[i].series);
		an_release(&c->rows[i].an);
	}
	free(c->rows);
	memset(c, 0, sizeof(*c));
}

static struct cmp_row *new_row(struct cmp *c, enum cmp_kind kind, const char *name,
			       const char *source)
{
	struct cmp_row *r;

	xgrow(&c->rows, &c->cap_rows, c->n_rows + 1, sizeof(*c->rows));
	r = &c->rows[c->n_rows++];
	memset(r, 0, sizeof(*r));
	r->kind = kind;
	pt_strlcpy(r->name, name, sizeof(r->name));
	pt_strlcpy(r->source, source, sizeof(r->source));
	return r;
}

struct cmp_row *cmp_add(struct cmp *c, enum cmp_kind kind, const char *name, const char *source,
			const struct config *cfg)
{
	struct cmp_row *r = new_row(c, kind, name, source);

	memcpy(&r->cfg, cfg, sizeof(r->cfg));
	return r;
}

int cmp_buywrite_config(const struct config *base, struct config *out, char *err)
{
	static const char *const pairs[] = {
		"tickers=SPY",	  "holdings=etf",   "strategies=buywrite",
		"buywrite_otm=0", "sizing=premium", "max_positions_per_ticker=1",
		"position_pct=1",
	};

	memcpy(out, base, sizeof(*out));
	return config_set_pairs(out, pairs, PT_ARRAY_SIZE(pairs), err);
}

/* ---- a few threads over n items ---- */

struct pool {
	pthread_mutex_t mu;
	size_t next, n;
	void (*fn)(void *ctx, size_t i);
	void *ctx;
};

static void *pool_worker(void *arg)
{
	struct pool *p = arg;
	size_t i;

	for (;;) {
		pthread_mutex_lock(&p->mu);
		i = p->next++;
		pthread_mutex_unlock(&p->mu);
		if (i >= p->n)
			return NULL;
		p->fn(p->ctx, i);
	}
}

/* fn(ctx, i) for i in 0..n-1 on up to jobs threads, this one included;
 * the items are taken in order, whichever thread is free. */
static void pool_run(size_t n, int jobs, void (*fn)(void *ctx, size_t i), void *ctx)
{
	struct pool p;
	pthread_t *th;
	size_t k, nt = jobs > 1 ? (size_t)jobs : 1, started = 0;

	if (nt > n)
		nt = n;
	memset(&p, 0, sizeof(p));
	pthread_mutex_init(&p.mu, NULL);
	p.n = n;
	p.fn = fn;
	p.ctx = ctx;
	th = xcalloc(nt ? nt : 1, sizeof(*th));
	/* a thread that cannot start leaves its share to the others */
	for (k = 1; k < nt; k++)
		if (!pthread_create(&th[started], NULL, pool_worker, &p))
			started++;
	pool_worker(&p);
	for (k = 0; k < started; k++)
		pthread_join(th[k], NULL);
	free(th);
	pthread_mutex_destroy(&p.mu);
}

/* ---- the backtests ---- */

struct run_ctx {
	struct cmp *c;
	size_t *bt_rows; /* indices of the rows to backtest */
	int *rc;
	struct session_err *errs;
	volatile const int *stop;
	cmp_progress_fn progress;
	void *arg;
	pthread_mutex_t mu;
	long done, total;
	struct row_prog *rp;
};

/* One backtest row's: its provider, and its sessions reported so far. */
struct row_prog {
	struct run_ctx *ctx;
	struct provider *prov;
	int last;
};

static void row_progress(int done, int total, void *arg)
{
	struct row_prog *rp = arg;
	struct run_ctx *x = rp->ctx;

	(void)total;
	pthread_mutex_lock(&x->mu);
	x->done += done - rp->last;
	rp->last = done;
	x->progress(x->done, x->total, x->arg);
	pthread_mutex_unlock(&x->mu);
}

static void run_one(void *arg, size_t k)
{
	struct run_ctx *x = arg;
	struct cmp_row *r = &x->c->rows[x->bt_rows[k]];

	x->rc[k] =
		bt_run(&r->cfg, x->rp[k].prov, x->c->from, x->c->to,
		       x->progress ? row_progress : NULL, &x->rp[k], x->stop, &r->bt, &x->errs[k]);
}

/* ---- the analytics ---- */

/* The row whose SPY series the others borrow: the first with SPY. */
static long spy_row(const struct cmp *c, size_t *col)
{
	size_t i, j;

	for (i = 0; i < c->n_rows; i++) {
		const struct portfolio *pf = &c->rows[i].bt.pf;

		if (c->rows[i].kind == CMP_HOLD)
			continue;
		for (j = 0; j < pf->n_bench; j++)
			if (!strcmp(pf->bench[j].ticker, "SPY")) {
				*col = j;
				return (long)i;
			}
	}
	return -1;
}

static int same_days(const struct portfolio *a, const struct portfolio *b)
{
	size_t i;

	if (a->n_snaps != b->n_snaps)
		return 0;
	for (i = 0; i < a->n_snaps; i++)
		if (a->snaps[i].session != b->snaps[i].session)
			return 0;
	return 1;
}

/* A copy of SPY's values from row `from` (column col) into p, when p has
 * none and the sessions are the same. */
static int borrow_spy(struct an_portfolio *p, const struct portfolio *own,
		      const struct portfolio *from, size_t col)
{
	size_t i;

	if (p->bench_cents || !same_days(own, from))
		return 0;
	p->bench_cents = xcalloc(from->n_snaps ? from->n_snaps : 1, sizeof(*p->bench_cents));
	for (i = 0; i < from->n_snaps; i++)
		p->bench_cents[i] = from->snap_bench[i * from->n_bench + col];
	p->s.bench_cents = p->bench_cents;
	return 1;
}

/* The series of a buy-and-hold row: row `src`'s benchmark column col, its
 * days and rates, and no trades. */
static void hold_series(struct an_portfolio *p, const struct cmp_row *src, size_t col)
{
	const struct portfolio *pf = &src->bt.pf;
	size_t i, n = pf->n_snaps;

	memset(p, 0, sizeof(*p));
	p->days = xcalloc(n ? n : 1, sizeof(*p->days));
	p->value_cents = xcalloc(n ? n : 1, sizeof(*p->value_cents));
	p->rate = xcalloc(n ? n : 1, sizeof(*p->rate));
	p->trades = xcalloc(1, sizeof(*p->trades));
	memcpy(p->days, src->series.days, n * sizeof(*p->days));
	memcpy(p->rate, src->series.rate, n * sizeof(*p->rate));
	for (i = 0; i < n; i++)
		p->value_cents[i] = pf->snap_bench[i * pf->n_bench + col];
	p->s.days = p->days;
	p->s.value_cents = p->value_cents;
	p->s.rate = p->rate;
	p->s.n = n;
}

struct an_ctx {
	struct cmp *c;
	int *rc;
	char (*err)[PT_ERRSZ];
};

static void analyse_one(void *arg, size_t i)
{
	struct an_ctx *x = arg;
	struct cmp_row *r = &x->c->rows[i];

	struct an_options opt = {0};

	opt.seed = CMP_BOOT_SEED;
	x->rc[i] = an_compute(&r->series.s, r->series.trades, r->series.n_trades, &opt, &r->an,
			      x->err[i]);
}

/* Appends a CMP_HOLD row per benchmark ticker, in the order they first
 * appear among the backtest rows. */
static void add_holds(struct cmp *c)
{
	size_t i, j, k, n = c->n_rows;

	for (i = 0; i < n; i++) {
		for (j = 0; j < c->rows[i].bt.pf.n_bench; j++) {
			const char *t = c->rows[i].bt.pf.bench[j].ticker;
			char name[CMP_NAMESZ], src[512];
			struct cmp_row *h;

			for (k = n; k < c->n_rows && strcmp(c->rows[k].ticker, t) != 0; k++)
				;
			if (k < c->n_rows)
				continue;
			snprintf(name, sizeof(name), "%s buy-and-hold", t);
			snprintf(src, sizeof(src),
				 "the benchmark of %s: its capital in %s at the first session, "
				 "dividends reinvested",
				 c->rows[i].name, t);
			h = new_row(c, CMP_HOLD, name, src);
			pt_strlcpy(h->ticker, t, sizeof(h->ticker));
			h->from_row = i;
			memcpy(&h->cfg, &c->rows[i].cfg, sizeof(h->cfg));
			hold_series(&h->series, &c->rows[i], j);
			h->initial_cents = c->rows[i].bt.pf.initial_cents;
			h->final_cents =
				h->series.s.n ? h->series.value_cents[h->series.s.n - 1] : 0;
		}
	}
}

int cmp_run(struct cmp *c, int jobs, const struct provider_env *env, cmp_progress_fn progress,
	    void *arg, volatile const int *stop, struct cmp_err *e)
{
	struct run_ctx x;
	struct an_ctx ax;
	size_t i, k, n = 0, n_run, col = 0;
	char err[PT_ERRSZ];
	long spy;
	int rc = 0;

	memset(&x, 0, sizeof(x));
	memset(e, 0, sizeof(*e));
	/* only backtest rows before the run: the buy-and-hold ones come of them */
	x.bt_rows = xcalloc(c->n_rows + 1, sizeof(*x.bt_rows));
	for (i = 0; i < c->n_rows; i++)
		if (c->rows[i].kind != CMP_HOLD)
			x.bt_rows[n++] = i;
	if (n != c->n_rows) {
		pt_strlcpy(e->what, "compare", sizeof(e->what));
		pt_strlcpy(e->why, "buy-and-hold rows before the run", sizeof(e->why));
		free(x.bt_rows);
		return PT_EINVAL;
	}
	x.c = c;
	x.rc = xcalloc(n + 1, sizeof(*x.rc));
	x.errs = xcalloc(n + 1, sizeof(*x.errs));
	x.rp = xcalloc(n + 1, sizeof(*x.rp));
	x.stop = stop;
	x.progress = progress;
	x.arg = arg;
	x.total = (long)cal_count_sessions(c->from, c->to) * (long)n;
	pthread_mutex_init(&x.mu, NULL);
	/* providers made here, one at a time: whatever they set up once
	 * (the calendar's tables, the time zone) is set up before any thread */
	for (k = 0; k < n; k++) {
		struct cmp_row *r = &c->rows[x.bt_rows[k]];

		x.rp[k].ctx = &x;
		if (!(x.rp[k].prov = provider_new(&r->cfg, env, err))) {
			pt_strlcpy(e->what, r->name, sizeof(e->what));
			snprintf(e->why, sizeof(e->why), "provider: %s", err);
			rc = PT_EINVAL;
			goto out;
		}
	}
	pool_run(n, jobs, run_one, &x);
	/* The buy-write needs SPY: on a market without it (an imported history
	 * of other tickers) its row is left out, saying why, and the rest
	 * stands. */
	for (k = 0; k < n; k++) {
		struct cmp_row *r = &c->rows[x.bt_rows[k]];

		if (x.rc[k] && r->kind == CMP_BUYWRITE && !(stop && *stop)) {
			snprintf(c->left_out, sizeof(c->left_out), "%s: %s: %s", r->name,
				 x.errs[k].what, x.errs[k].why);
			x.rc[k] = 0;
			r->left_out = 1;
		}
	}
	for (k = 0; k < n; k++) {
		if (x.rc[k]) {
			struct cmp_row *r = &c->rows[x.bt_rows[k]];

			pt_strlcpy(e->what, r->name, sizeof(e->what));
			snprintf(e->why, sizeof(e->why), "%s: %s", x.errs[k].what, x.errs[k].why);
			rc = x.rc[k];
			goto out;
		}
	}
	if (stop && *stop) {
		c->stopped = 1;
		goto out;
	}
	for (i = k = 0; i < c->n_rows; i++) {
		if (c->rows[i].left_out)
			bt_release(&c->rows[i].bt);
		else
			memmove(&c->rows[k++], &c->rows[i], sizeof(c->rows[i]));
	}
	n_run = c->n_rows = k;
	for (k = 0; k < n_run; k++) {
		struct cmp_row *r = &c->rows[k];
		const struct portfolio *pf = &r->bt.pf;

		an_portfolio_init(&r->series, pf);
		r->initial_cents = pf->initial_cents;
		r->final_cents = pf->n_snaps ? pf->snaps[pf->n_snaps - 1].value_cents : 0;
	}
	if (n_run) {
		c->first = c->rows[0].bt.pf.start;
		c->last = c->rows[0].bt.pf.last_session;
		c->sessions = c->rows[0].bt.sessions;
	}
	add_holds(c);
	spy = spy_row(c, &col);
	for (i = 0; spy >= 0 && i < c->n_rows; i++) {
		struct cmp_row *r = &c->rows[i];
		const struct portfolio *own =
			r->kind == CMP_HOLD ? &c->rows[r->from_row].bt.pf : &r->bt.pf;

		if (r->kind == CMP_HOLD && !strcmp(r->ticker, "SPY")) {
			/* SPY against itself: its own values */
			r->series.bench_cents =
				xcalloc(r->series.s.n ? r->series.s.n : 1, sizeof(int64_t));
			memcpy(r->series.bench_cents, r->series.value_cents,
			       r->series.s.n * sizeof(int64_t));
			r->series.s.bench_cents = r->series.bench_cents;
			continue;
		}
		r->spy_borrowed = borrow_spy(&r->series, own, &c->rows[spy].bt.pf, col);
	}
	for (i = 0; i < c->n_rows; i++) {
		struct cmp_row *r = &c->rows[i];
		const struct cmp_row *own = r->kind == CMP_HOLD ? &c->rows[r->from_row] : r;

		an_portfolio_from_capital(&r->series, r->initial_cents,
					  r->spy_borrowed ? c->rows[spy].bt.pf.initial_cents
							  : own->bt.pf.initial_cents);
	}
	memset(&ax, 0, sizeof(ax));
	ax.c = c;
	ax.rc = xcalloc(c->n_rows + 1, sizeof(*ax.rc));
	ax.err = xcalloc(c->n_rows + 1, sizeof(*ax.err));
	pool_run(c->n_rows, jobs, analyse_one, &ax);
	for (i = 0; i < c->n_rows && !rc; i++) {
		if (ax.rc[i]) {
			pt_strlcpy(e->what, c->rows[i].name, sizeof(e->what));
			pt_strlcpy(e->why, ax.err[i], sizeof(e->why));
			rc = ax.rc[i];
		}
	}
	free(ax.rc);
	free(ax.err);
out:
	for (k = 0; k < n; k++)
		provider_free(x.rp[k].prov);
	pthread_mutex_destroy(&x.mu);
	free(x.bt_rows);
	free(x.rc);
	free(x.errs);
	free(x.rp);
	return rc;
}
