/*
 * sweep.c - a grid of configurations backtested on shared market views
 * (sweep.h).
 */
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "config.h"
#include "market/calendar.h"
#include "market/provider.h"
#include "market/view.h"
#include "strategy/strategy.h"
#include "sweep.h"
#include "util/date.h"

const char *const sweep_fig_names[SW_NFIG] = {
	"total_return", "cagr",	  "volatility", "sharpe",	 "sortino",
	"max_drawdown", "calmar", "win_rate",	"profit_factor", "trades",
	"final_value",	"alpha",  "beta",
};

int sweep_fig_find(const char *name)
{
	for (int i = 0; i < SW_NFIG; i++)
		if (!strcmp(name, sweep_fig_names[i]))
			return i;
	return -1;
}

int sweep_fig_ascending(int fig)
{
	return fig == SW_VOLATILITY;
}

/* ---- the grid ------------------------------------------------------------- */

/* Decimals written in a number's text: "0.010" has 3, "45" and "1e-2" 0
 * (an exponent is written back with %g). */
static int decimals(const char *s)
{
	const char *dot = strchr(s, '.');

	if (strpbrk(s, "eE"))
		return -1;
	return dot ? (int)strspn(dot + 1, "0123456789") : 0;
}

static int add_value(struct sweep_axis *ax, const struct config *base, const char *v, char *err)
{
	struct config *c;
	int rc;

	if (strlen(v) >= SWEEP_VALSZ || !*v)
		return pt_err(err, PT_EINVAL, "%s: %s value '%s'", ax->key,
			      *v ? "too long a" : "an empty", v);
	c = xmalloc(sizeof(*c));
	memcpy(c, base, sizeof(*c));
	rc = config_set(c, ax->key, v, err);
	free(c);
	if (rc)
		return rc;
	for (size_t i = 0; i < ax->n; i++)
		if (!strcmp(ax->val[i], v))
			return pt_err(err, PT_EINVAL, "%s: value '%s' given twice", ax->key, v);
	ax->val = xrealloc(ax->val, (ax->n + 1) * sizeof(*ax->val));
	pt_strlcpy(ax->val[ax->n++], v, SWEEP_VALSZ);
	return 0;
}

/* "first:last:step" into ax. */
static int add_range(struct sweep_axis *ax, const struct config *base, const char *spec, char *err)
{
	char a[64], b[64], s[64], v[64], *end;
	double x0, x1, st, count;
	int da, db, ds, dec;

	if (sscanf(spec, "%63[^:]:%63[^:]:%63s", a, b, s) != 3)
		return pt_err(err, PT_EINVAL, "%s: '%s' is not first:last:step", ax->key, spec);
	x0 = strtod(a, &end);
	if (*end || end == a)
		return pt_err(err, PT_EINVAL, "%s: '%s' is not a number", ax->key, a);
	x1 = strtod(b, &end);
	if (*end || end == b)
		return pt_err(err, PT_EINVAL, "%s: '%s' is not a number", ax->key, b);
	st = strtod(s, &end);
	if (*end || end == s)
		return pt_err(err, PT_EINVAL, "%s: '%s' is not a number", ax->key, s);
	if (!isfinite(x0) || !isfinite(x1) || !(st > 0) || !isfinite(st))
		return pt_err(err, PT_EINVAL, "%s: the step of %s must be above 0", ax->key, spec);
	if (x1 < x0)
		return pt_err(err, PT_EINVAL, "%s: %s ends before it starts", ax->key, spec);
	da = decimals(a);
	db = decimals(b);
	ds = decimals(s);
	if (da < 0 || db < 0 || ds < 0)
		return pt_err(err, PT_EINVAL, "%s: write %s without exponents", ax->key, spec);
	dec = da > db ? da : db;
	dec = ds > dec ? ds : dec;
	/* a millionth of a step of slack: 0.01:0.06:0.01 has six values */
	count = floor((x1 - x0) / st + 1e-6) + 1;
	if (count > SWEEP_MAX_COMBOS)
		return pt_err(err, PT_EINVAL, "%s: %s has more than %d values", ax->key, spec,
			      SWEEP_MAX_COMBOS);
	for (long k = 0; k < (long)count; k++) {
		int rc;

		snprintf(v, sizeof(v), "%.*f", dec, x0 + (double)k * st);
		if ((rc = add_value(ax, base, v, err)))
			return rc;
	}
	return 0;
}

int sweep_grid_add(struct sweep_grid *g, const struct config *base, const char *spec, char *err)
{
	const char *eq = strchr(spec, '=');
	struct sweep_axis *ax;
	const char *section;
	char *list, *save = NULL, *tok;
	size_t klen, n;
	int rc = 0;

	if (!eq || eq == spec)
		return pt_err(err, PT_EINVAL, "'%s' is not KEY=VALUES", spec);
	klen = (size_t)(eq - spec);
	if (klen >= sizeof(ax->key))
		return pt_err(err, PT_EINVAL, "'%.*s...': no such key", 32, spec);
	for (size_t a = 0; a < g->n_axes; a++)
		if (strlen(g->axis[a].key) == klen && !strncmp(g->axis[a].key, spec, klen))
			return pt_err(err, PT_EINVAL, "%.*s is swept twice", (int)klen, spec);
	if (g->n_axes == SWEEP_MAX_AXES)
		return pt_err(err, PT_EINVAL, "more than %d swept keys", SWEEP_MAX_AXES);
	ax = &g->axis[g->n_axes];
	memset(ax, 0, sizeof(*ax));
	memcpy(ax->key, spec, klen);
	ax->key[klen] = '\0';
	/* every combination shares one market: what loads it stays put */
	section = config_key_section(ax->key);
	if (section && (!strcmp(section, "market") || !strcmp(ax->key, "tickers")))
		return pt_err(err, PT_EINVAL,
			      "%s cannot be swept: it changes the market every combination "
			      "shares (sweep one market at a time)",
			      ax->key);
	if (!eq[1]) {
		rc = pt_err(err, PT_EINVAL, "%s: no values", ax->key);
	} else if (strchr(eq + 1, ':')) {
		rc = add_range(ax, base, eq + 1, err);
	} else {
		list = xmalloc(strlen(eq + 1) + 1);
		memcpy(list, eq + 1, strlen(eq + 1) + 1);
		/* commas separate values: strategies=volarb,csp sweeps volarb
		 * alone and csp alone */
		for (tok = strtok_r(list, ",", &save); tok && !rc; tok = strtok_r(NULL, ",", &save))
			rc = add_value(ax, base, tok, err);
		free(list);
		if (!rc && !ax->n)
			rc = pt_err(err, PT_EINVAL, "%s: no values", ax->key);
	}
	if (rc) {
		free(ax->val);
		memset(ax, 0, sizeof(*ax));
		return rc;
	}
	n = g->n_axes ? g->n_combos : 1;
	if (n > SWEEP_MAX_COMBOS / ax->n) {
		free(ax->val);
		memset(ax, 0, sizeof(*ax));
		return pt_err(err, PT_EINVAL, "the grid has more than %d combinations",
			      SWEEP_MAX_COMBOS);
	}
	g->n_combos = n * ax->n;
	g->n_axes++;
	return 0;
}

void sweep_grid_release(struct sweep_grid *g)
{
	for (size_t a = 0; a < g->n_axes; a++)
		free(g->axis[a].val);
	memset(g, 0, sizeof(*g));
}

const char *sweep_value(const struct sweep_grid *g, size_t i, size_t a)
{
	size_t k = g->n_axes;

	while (k-- > a + 1)
		i /= g->axis[k].n;
	return g->axis[a].val[i % g->axis[a].n];
}

int sweep_config(const struct sweep_grid *g, const struct config *base, size_t i,
		 struct config *out, char *err)
{
	char pair[SWEEP_MAX_AXES][64 + SWEEP_VALSZ + 2];
	const char *pairs[SWEEP_MAX_AXES];

	memcpy(out, base, sizeof(*out));
	for (size_t a = 0; a < g->n_axes; a++) {
		snprintf(pair[a], sizeof(pair[a]), "%s=%s", g->axis[a].key, sweep_value(g, i, a));
		pairs[a] = pair[a];
	}
	return g->n_axes ? config_set_pairs(out, pairs, g->n_axes, err) : 0;
}

/* ---- the replay ------------------------------------------------------------ */

/* "combination 12" of index i (counted from 1, as the output does). */
static const char *combo_name(size_t i, char *buf)
{
	snprintf(buf, 32, "combination %zu", i + 1);
	return buf;
}

static double mono(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

#define SWEEP_CALC_MIN 8

/* What the threads share. Phases per session, between barriers: every
 * thread plans its combinations; thread 0 merges the plans and loads the
 * view; every thread steps its combinations on it. */
struct sw_job {
	size_t n;
	struct config *cfg;
	struct bt_result *bt;
	struct session_plan *plan;
	int threads;
	pthread_barrier_t barrier;
	int session;  /* 0: quit */
	int64_t asof; /* the session's as-of moment (a tape's), or 0 */
	int view_ok;
	int calc; /* the contracts' numbers computed once a view */
	struct market_view view;
	/* the first failing combination (lowest index), for one message */
	pthread_mutex_t lock;
	size_t fail_at;
	struct session_err fail;
};

struct sw_thread {
	struct sw_job *job;
	int t;
	pthread_t id;
};

static void plan_mine(struct sw_job *j, int t)
{
	for (size_t i = (size_t)t; i < j->n; i += (size_t)j->threads)
		session_plan(&j->bt[i].pf, &j->cfg[i], j->session, j->asof, &j->plan[i]);
}

static void step_mine(struct sw_job *j, int t)
{
	for (size_t i = (size_t)t; i < j->n; i += (size_t)j->threads) {
		struct session_err e;

		if (j->view_ok && bt_step(&j->cfg[i], &j->view, &j->bt[i], &e)) {
			pthread_mutex_lock(&j->lock);
			if (i < j->fail_at) {
				j->fail_at = i;
				j->fail = e;
			}
			pthread_mutex_unlock(&j->lock);
		}
		session_plan_release(&j->plan[i]);
	}
}

static void *worker(void *arg)
{
	struct sw_thread *w = arg;
	struct sw_job *j = w->job;

	for (;;) {
		pthread_barrier_wait(&j->barrier); /* session set */
		if (!j->session)
			return NULL;
		plan_mine(j, w->t);
		pthread_barrier_wait(&j->barrier); /* planned */
		pthread_barrier_wait(&j->barrier); /* view loaded */
		if (j->view_ok && j->calc)
			strategy_calc_part(&j->view, (size_t)w->t, (size_t)j->threads);
		pthread_barrier_wait(&j->barrier); /* contracts' numbers computed */
		step_mine(j, w->t);
		pthread_barrier_wait(&j->barrier); /* stepped */
	}
}

static void load_merged(struct sw_job *j, struct provider *prov, int64_t *quoted,
			struct session_err *e)
{
	struct session_plan m;
	struct provider_req req;
	char err[PT_ERRSZ], d[DATE_BUFSZ];

	session_plan_union(j->plan, j->n, &m);
	session_request(&m, &req);
	memset(&j->view, 0, sizeof(j->view));
	j->view_ok = provider_load(prov, &req, &j->view, err) == 0;
	if (!j->view_ok) {
		session_fail(e, PT_EDATA, date_fmt(j->session, d), "%s", err);
	} else {
		for (size_t t = 0; t < j->view.n_tickers; t++)
			*quoted += (int64_t)j->view.tickers[t].n_opts;
	}
	session_plan_release(&m);
}

/* Every combination's figures from its portfolio. */
static void fill_figs(double *f, const struct analytics *a, int64_t final_cents)
{
	f[SW_TOTAL_RETURN] = a->total_return;
	f[SW_CAGR] = a->cagr;
	f[SW_VOLATILITY] = a->volatility;
	f[SW_SHARPE] = a->sharpe;
	f[SW_SORTINO] = a->sortino;
	f[SW_MAX_DRAWDOWN] = a->max_drawdown;
	f[SW_CALMAR] = a->calmar;
	f[SW_WIN_RATE] = a->win_rate;
	f[SW_PROFIT_FACTOR] = a->profit_factor;
	f[SW_TRADES] = a->n_trades;
	f[SW_FINAL_VALUE] = (double)final_cents / 100.0;
	f[SW_ALPHA] = a->alpha;
	f[SW_BETA] = a->beta;
}

/* Figures of sessions [lo, hi] of p, and trades closed in days (d0, d1]. */
static void slice_figs(const struct an_portfolio *p, size_t lo, size_t hi, int d0, int d1,
		       double *f)
{
	struct an_options opt = {0};
	struct analytics a;
	struct an_series s = p->s;
	struct an_trade *tr = xcalloc(p->n_trades + 1, sizeof(*tr));
	size_t nt = 0;
	char err[PT_ERRSZ];

	for (size_t i = 0; i < p->n_trades; i++)
		if (p->trades[i].closed > d0 && p->trades[i].closed <= d1)
			tr[nt++] = p->trades[i];
	s.days += lo;
	s.value_cents += lo;
	if (s.rate)
		s.rate += lo;
	if (s.bench_cents)
		s.bench_cents += lo;
	s.n = hi >= lo ? hi - lo + 1 : 0;
	opt.boot_reps = -1; /* no bootstrap: thousands of rows */
	if (an_compute(&s, tr, nt, &opt, &a, err) == 0)
		fill_figs(f, &a, s.n ? s.value_cents[s.n - 1] : 0);
	else
		for (int k = 0; k < SW_NFIG; k++)
			f[k] = NAN;
	an_release(&a);
	free(tr);
}

static void row_of(const struct bt_result *bt, int train_until, size_t combo, struct sweep_row *row,
		   double *ret, size_t n_ret)
{
	struct an_portfolio p;
	size_t n, k;

	memset(row, 0, sizeof(*row));
	row->combo = combo;
	row->margin_calls = (int64_t)bt->n_calls;
	row->trades = (int64_t)bt->n_trades;
	an_portfolio_init(&p, &bt->pf);
	/* from the capital, as backtest counts (SPY bought with it) */
	an_portfolio_from_capital(&p, bt->pf.initial_cents, bt->pf.initial_cents);
	n = p.s.n;
	slice_figs(&p, 0, n ? n - 1 : 0, 0, INT32_MAX, row->full);
	for (k = 0; k < SW_NFIG; k++)
		row->is[k] = row->oos[k] = NAN;
	if (train_until && n) {
		for (k = 0; k < n && p.days[k] <= train_until; k++)
			;
		/* sessions [0, k) are in-sample; out of sample starts from the
		 * last in-sample value, so its first return is its first day */
		if (k)
			slice_figs(&p, 0, k - 1, 0, train_until, row->is);
		if (k < n)
			slice_figs(&p, k ? k - 1 : 0, n - 1, train_until, INT32_MAX, row->oos);
	}
	memset(ret, 0, n_ret * sizeof(*ret));
	if (n >= 2 && n - 1 == n_ret)
		an_returns(p.value_cents, p.rate, n, ret);
	an_portfolio_release(&p);
}

struct rows_part {
	struct sw_job *job;
	size_t first, part;
	int train_until;
	struct sweep_result *out;
	pthread_t id;
};

static void *rows_of_part(void *arg)
{
	struct rows_part *p = arg;
	struct sw_job *j = p->job;

	for (size_t i = p->part; i < j->n; i += (size_t)j->threads) {
		row_of(&j->bt[i], p->train_until, p->first + i, &p->out->rows[i],
		       p->out->ret + i * p->out->n_ret, p->out->n_ret);
		bt_release(&j->bt[i]);
	}
	return NULL;
}

/* Every row's figures, on the sweep's threads (pure: any order gives the
 * same rows). */
static void rows_all(struct sw_job *j, size_t first, int train_until, struct sweep_result *out)
{
	struct rows_part *p = xcalloc((size_t)j->threads, sizeof(*p));
	int t, started = 1;

	for (t = 0; t < j->threads; t++)
		p[t] = (struct rows_part){j, first, (size_t)t, train_until, out, 0};
	for (t = 1; t < j->threads; t++, started++)
		if (pthread_create(&p[t].id, NULL, rows_of_part, &p[t]))
			break;
	/* what no thread took, this one does */
	for (t = started; t < j->threads; t++)
		rows_of_part(&p[t]);
	rows_of_part(&p[0]);
	for (t = 1; t < started; t++)
		pthread_join(p[t].id, NULL);
	free(p);
}

int sweep_run(const struct sweep_grid *g, const struct config *base, const struct bt_market *m,
	      int from, int to, int train_until, size_t first, size_t n, int threads,
	      bt_progress_fn progress, void *arg, volatile const int *stop,
	      struct sweep_result *out, struct session_err *e)
{
	struct sw_job j;
	struct sw_thread *w;
	char err[PT_ERRSZ], name[32];
	double t0 = mono();
	struct provider *prov;
	struct tape tape;
	int total, s, rc = 0, owned, skip;
	size_t i, n_snaps;

	memset(out, 0, sizeof(*out));
	memset(&j, 0, sizeof(j));
	out->from = from;
	out->to = to;
	out->train_until = train_until;
	if (!n)
		return 0;
	if (threads < 1)
		threads = 1;
	if ((size_t)threads > n)
		threads = (int)n;
	j.n = n;
	j.threads = threads;
	/* every contract's IV once a view costs what a few scans do (which
	 * solve only the contracts that pass the cheaper rules): worth it
	 * from a few combinations on; the rows are the same either way */
	j.calc = n >= SWEEP_CALC_MIN;
	j.fail_at = SIZE_MAX;
	j.cfg = xcalloc(n, sizeof(*j.cfg));
	j.bt = xcalloc(n, sizeof(*j.bt));
	j.plan = xcalloc(n, sizeof(*j.plan));
	for (i = 0; i < n; i++) {
		if ((rc = sweep_config(g, base, first + i, &j.cfg[i], err))) {
			session_fail(e, rc, combo_name(first + i, name), "%s", err);
			j.n = i;
			goto done;
		}
		bt_begin(&j.cfg[i], from, to, &j.bt[i]);
	}
	pthread_mutex_init(&j.lock, NULL);
	pthread_barrier_init(&j.barrier, NULL, (unsigned)threads);
	w = xcalloc((size_t)threads, sizeof(*w));
	for (int t = 1; t < threads; t++) {
		w[t].job = &j;
		w[t].t = t;
		if (pthread_create(&w[t].id, NULL, worker, &w[t])) {
			/* fewer threads than asked cannot keep the barrier: stop here */
			fprintf(stderr, "papertrade: sweep: cannot start a thread\n");
			abort();
		}
	}
	total = cal_count_sessions(from, to);
	for (s = cal_is_session(from) ? from : cal_next_session(from); s > 0 && s <= to;
	     s = cal_next_session(s)) {
		if (stop && *stop)
			break;
		prov = bt_market_session(m, s, &tape, &j.asof, &owned, &skip, e);
		if (!prov) {
			if (!skip) {
				rc = PT_EDATA;
				break;
			}
			out->skipped++;
			continue;
		}
		j.session = s;
		pthread_barrier_wait(&j.barrier);
		plan_mine(&j, 0);
		pthread_barrier_wait(&j.barrier);
		load_merged(&j, prov, &out->options_quoted, e);
		if (j.view_ok && j.calc)
			strategy_calc_begin(&j.view, base);
		pthread_barrier_wait(&j.barrier);
		if (j.view_ok && j.calc)
			strategy_calc_part(&j.view, 0, (size_t)threads);
		pthread_barrier_wait(&j.barrier);
		step_mine(&j, 0);
		pthread_barrier_wait(&j.barrier);
		mv_release(&j.view);
		bt_market_done(prov, &tape, owned);
		if (!j.view_ok) {
			rc = PT_EDATA;
			break;
		}
		if (j.fail_at != SIZE_MAX) {
			rc = session_fail(e, j.fail.code, combo_name(first + j.fail_at, name),
					  "%s: %.460s", j.fail.what, j.fail.why);
			break;
		}
		if (!out->first)
			out->first = s;
		out->last = s;
		out->sessions++;
		if (progress)
			progress(out->sessions + out->skipped, total, arg);
	}
	j.session = 0;
	pthread_barrier_wait(&j.barrier);
	for (int t = 1; t < threads; t++)
		pthread_join(w[t].id, NULL);
	free(w);
	pthread_barrier_destroy(&j.barrier);
	pthread_mutex_destroy(&j.lock);
	out->seconds = mono() - t0;
	if (rc)
		goto done;
	/* every combination stepped every session: as many snapshots each */
	n_snaps = j.bt[0].pf.n_snaps;
	for (i = 0; i < n; i++) {
		if (book_check(&j.bt[i].pf, err)) {
			rc = session_fail(e, PT_EINVAL, combo_name(first + i, name),
					  "ledger identity broken: %s", err);
			goto done;
		}
	}
	out->n_rows = n;
	out->rows = xcalloc(n, sizeof(*out->rows));
	/* returns from the capital: one a session */
	out->n_ret = n_snaps;
	out->ret = xcalloc(n * out->n_ret + 1, sizeof(*out->ret));
	if (train_until && n_snaps) {
		const struct portfolio *pf = &j.bt[0].pf;
		size_t k;

		for (k = 0; k < n_snaps && pf->snaps[k].session <= train_until; k++)
			;
		out->n_ret_is = k;
	}
	rows_all(&j, first, train_until, out);
done:
	for (i = 0; i < j.n; i++)
		bt_release(&j.bt[i]);
	free(j.bt);
	free(j.cfg);
	free(j.plan);
	return rc;
}

void sweep_release(struct sweep_result *r)
{
	free(r->rows);
	free(r->ret);
	memset(r, 0, sizeof(*r));
}

/* ---- ranking and selection ------------------------------------------------- */

struct rank_ctx {
	const struct sweep_result *r;
	int fig, is;
};

static double fig_of(const struct rank_ctx *c, size_t i)
{
	const struct sweep_row *row = &c->r->rows[i];

	return c->is ? row->is[c->fig] : row->full[c->fig];
}

/* Insertion into a merge sort's order: qsort has no context argument in
 * C99, so the order is sorted here (stable, by index for equals). */
static int better(const struct rank_ctx *c, size_t a, size_t b)
{
	double x = fig_of(c, a), y = fig_of(c, b);

	if (isnan(x) != isnan(y))
		return isnan(y);
	if (!isnan(x) && x != y)
		return sweep_fig_ascending(c->fig) ? x < y : x > y;
	return c->r->rows[a].combo < c->r->rows[b].combo;
}

static void merge_sort(const struct rank_ctx *c, size_t *v, size_t *tmp, size_t n)
{
	size_t h = n / 2, i = 0, k = h, o = 0;

	if (n < 2)
		return;
	merge_sort(c, v, tmp, h);
	merge_sort(c, v + h, tmp, n - h);
	while (i < h && k < n)
		tmp[o++] = better(c, v[k], v[i]) ? v[k++] : v[i++];
	while (i < h)
		tmp[o++] = v[i++];
	while (k < n)
		tmp[o++] = v[k++];
	memcpy(v, tmp, n * sizeof(*v));
}

void sweep_rank(const struct sweep_result *r, int fig, int is, size_t *order)
{
	struct rank_ctx c = {r, fig, is};
	size_t *tmp = xcalloc(r->n_rows + 1, sizeof(*tmp));

	for (size_t i = 0; i < r->n_rows; i++)
		order[i] = i;
	merge_sort(&c, order, tmp, r->n_rows);
	free(tmp);
}

void sweep_stats(const struct sweep_result *r, int blocks, struct sweep_stats *st)
{
	size_t n = r->n_rows, nr = r->train_until ? r->n_ret_is : r->n_ret;
	double *sr, *m;
	size_t *order;
	char err[PT_ERRSZ];

	memset(st, 0, sizeof(*st));
	if (!n)
		return;
	order = xcalloc(n, sizeof(*order));
	sweep_rank(r, SW_SHARPE, r->train_until != 0, order);
	st->best = order[0];
	free(order);
	/* the trials' Sharpe ratios, annualised as the figures are */
	sr = xcalloc(n, sizeof(*sr));
	for (size_t i = 0; i < n; i++)
		sr[i] = r->train_until ? r->rows[i].is[SW_SHARPE] : r->rows[i].full[SW_SHARPE];
	if (n < 2) {
		snprintf(st->why, sizeof(st->why), "one combination: nothing to deflate");
	} else {
		size_t k = 0;

		for (size_t i = 0; i < n; i++)
			if (isfinite(sr[i]))
				sr[k++] = sr[i];
		if (k < 2)
			snprintf(st->why, sizeof(st->why), "fewer than 2 finite Sharpe ratios");
		else if (an_deflated_sharpe(r->ret + st->best * r->n_ret, nr, sr, k, AN_YEAR,
					    &st->dsr, err))
			snprintf(st->why, sizeof(st->why), "deflated Sharpe: %.200s", err);
		else
			st->dsr_ok = 1;
	}
	free(sr);
	if (n < 2 || r->n_ret < 2 * (size_t)blocks)
		return;
	/* the returns matrix, periods x trials */
	m = xcalloc(r->n_ret * n, sizeof(*m));
	for (size_t t = 0; t < r->n_ret; t++)
		for (size_t i = 0; i < n; i++)
			m[t * n + i] = r->ret[i * r->n_ret + t];
	if (an_cscv(m, r->n_ret, n, blocks, AN_CSCV_SHARPE, &st->cscv, err))
		snprintf(st->why, sizeof(st->why), "CSCV: %.240s", err);
	else
		st->cscv_ok = 1;
	free(m);
}

void sweep_stats_release(struct sweep_stats *st)
{
	an_cscv_release(&st->cscv);
	memset(st, 0, sizeof(*st));
}
