/*
 * analytics.c - the analytics of a series of sessions and its closed trades,
 * and the sweep statistics (deflated Sharpe ratio, CSCV); see analytics.h.
 * docs/metrics.md defines every figure; this file follows it line by line.
 * Pure arithmetic: no I/O, no global state.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "analytics.h"
#include "../quant/bs.h"
#include "../book/book.h"
#include "../util/date.h"
#include "../util/util.h"

/* A variance at or below this is zero: the account did not move (metrics.c). */
#define VAR_ZERO 1e-20
#define EULER_GAMMA 0.57721566490153286061
#define DEFAULT_WINDOW 126
#define DEFAULT_CONFIDENCE 0.95
#define DEFAULT_REPS 1000
#define MAX_REPS 1000000

/* ---- small statistics ---- */

static double mean_of(const double *x, size_t n)
{
	double s = 0;
	size_t i;

	for (i = 0; i < n; i++)
		s += x[i];
	return s / (double)n;
}

/* Sharpe ratio of n excess returns, per period: mean / sample std; NAN for
 * fewer than 2 returns or zero variance. */
static double sharpe_pp(const double *y, size_t n)
{
	double mu, v = 0;
	size_t i;

	if (n < 2)
		return NAN;
	mu = mean_of(y, n);
	for (i = 0; i < n; i++)
		v += (y[i] - mu) * (y[i] - mu);
	v /= (double)(n - 1);
	return v > VAR_ZERO ? mu / sqrt(v) : NAN;
}

static int cmp_double(const void *pa, const void *pb)
{
	double a = *(const double *)pa, b = *(const double *)pb;

	return (a > b) - (a < b);
}

/* Percentile q (0..1) of k sorted values, linear interpolation (type 7). */
static double percentile(const double *sorted, size_t k, double q)
{
	double h = (double)(k - 1) * q;
	size_t j = (size_t)floor(h);

	if (j >= k - 1)
		return sorted[k - 1];
	return sorted[j] + (h - (double)j) * (sorted[j + 1] - sorted[j]);
}

/*
 * Least squares of y on x over idx[0..m-1] (every index when idx is NULL):
 * the slope and the daily intercept. Returns -1 (both NAN) when x has
 * zero variance.
 */
static int regress(const double *y, const double *x, const size_t *idx, size_t m, double *beta,
		   double *icpt)
{
	double my = 0, mx = 0, vx = 0, cxy = 0;
	size_t t;

	*beta = *icpt = NAN;
	for (t = 0; t < m; t++) {
		size_t k = idx ? idx[t] : t;
		my += y[k];
		mx += x[k];
	}
	my /= (double)m;
	mx /= (double)m;
	for (t = 0; t < m; t++) {
		size_t k = idx ? idx[t] : t;
		vx += (x[k] - mx) * (x[k] - mx);
		cxy += (x[k] - mx) * (y[k] - my);
	}
	if (!(vx / (double)m > VAR_ZERO))
		return -1;
	*beta = cxy / vx;
	*icpt = my - *beta * mx;
	return 0;
}

double an_norm_cdf(double x)
{
	return 0.5 * erfc(-x / M_SQRT2);
}

/*
 * Lower half of the inverse: p in (0, 0.5]. Acklam's rational
 * approximation (bs_norm_ppf_fast), then one Halley step on erfc, which
 * has full relative precision in the lower tail.
 */
static double ppf_lower(double p)
{
	double x = bs_norm_ppf_fast(p), e, u;

	e = 0.5 * erfc(-x / M_SQRT2) - p;
	u = e * sqrt(2.0 * M_PI) * exp(x * x / 2.0);
	return x - u / (1.0 + x * u / 2.0);
}

double an_norm_ppf(double p)
{
	if (!(p > 0.0 && p < 1.0))
		return NAN;
	if (p == 0.5)
		return 0.0;
	/* 1 - p is exact for p in [0.5, 1) (Sterbenz). */
	return p < 0.5 ? ppf_lower(p) : -ppf_lower(1.0 - p);
}

uint64_t an_splitmix64(uint64_t *state)
{
	uint64_t z = (*state += 0x9E3779B97F4A7C15ULL);

	z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
	z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
	return z ^ (z >> 31);
}

static double unif(uint64_t z)
{
	return (double)(z >> 11) * 0x1.0p-53;
}

/* An index in [0, m) from the top 32 bits (m < 2^32). */
static size_t pick(uint64_t z, size_t m)
{
	return (size_t)(((z >> 32) * (uint64_t)m) >> 32);
}

/* ---- the result ---- */

static void dd_clear(struct an_drawdown *d)
{
	memset(d, 0, sizeof(*d));
	d->depth = NAN;
}

static void clear(struct analytics *a)
{
	memset(a, 0, sizeof(*a));
	a->total_return = a->cagr = a->cagr_calendar = a->volatility = NAN;
	a->sharpe = a->sortino = a->max_drawdown = a->calmar = a->tail_ratio = NAN;
	dd_clear(&a->max_dd);
	dd_clear(&a->longest_dd);
	a->win_rate = a->profit_factor = a->avg_win_cents = a->avg_loss_cents = NAN;
	a->expectancy_cents = a->avg_hold_days = NAN;
	a->bench_return = a->beta = a->alpha = a->alpha_geometric = NAN;
	a->confidence = NAN;
	a->sharpe_se_iid = a->sharpe_lo_iid = a->sharpe_hi_iid = NAN;
	a->sharpe_se_hac = a->sharpe_lo_hac = a->sharpe_hi_hac = NAN;
	a->alpha_lo = a->alpha_hi = a->boot_block = NAN;
}

void an_release(struct analytics *a)
{
	if (!a)
		return;
	free(a->drawdown);
	free(a->rolling_sharpe);
	free(a->monthly);
	free(a->yearly);
	free(a->by_ticker);
	free(a->by_strategy);
	clear(a);
}

static double *nan_array(size_t n)
{
	double *x = xcalloc(n ? n : 1, sizeof(*x));
	size_t i;

	for (i = 0; i < n; i++)
		x[i] = NAN;
	return x;
}

/* ---- trades ---- */

static const char *name_or_empty(const char *s)
{
	return s ? s : "";
}

struct keyed {
	const char *name;
	size_t i;
};

static int cmp_keyed(const void *pa, const void *pb)
{
	const struct keyed *a = pa, *b = pb;
	int c = strcmp(a->name, b->name);

	if (c)
		return c;
	return (a->i > b->i) - (a->i < b->i);
}

/* Rows of one attribution table, by the name `which` picks (0 ticker, 1 strategy). */
static struct an_attr *attribute(const struct an_trade *tr, size_t n, int which, size_t *n_rows)
{
	struct keyed *k = xcalloc(n ? n : 1, sizeof(*k));
	struct an_attr *rows = xcalloc(n ? n : 1, sizeof(*rows));
	size_t i, r = 0;

	for (i = 0; i < n; i++) {
		k[i].name = name_or_empty(which ? tr[i].strategy : tr[i].ticker);
		k[i].i = i;
	}
	qsort(k, n, sizeof(*k), cmp_keyed);
	for (i = 0; i < n; i++) {
		const struct an_trade *t = &tr[k[i].i];
		struct an_attr *row;

		if (!i || strcmp(k[i].name, k[i - 1].name) != 0)
			pt_strlcpy(rows[r++].name, k[i].name, sizeof(rows->name));
		row = &rows[r - 1];
		row->pnl_cents += t->pnl_cents;
		row->trades++;
		row->wins += t->pnl_cents > 0;
		row->losses += t->pnl_cents < 0;
	}
	for (i = 0; i < r; i++)
		rows[i].win_rate = (double)rows[i].wins / rows[i].trades;
	free(k);
	*n_rows = r;
	return rows;
}

static void trade_figures(struct analytics *a, const struct an_trade *tr, size_t n)
{
	double hold = 0;
	size_t i;

	for (i = 0; i < n; i++) {
		int64_t p = tr[i].pnl_cents;

		a->n_trades++;
		a->net_pnl_cents += p;
		hold += (double)tr[i].closed - (double)tr[i].opened;
		if (p > 0) {
			a->n_wins++;
			a->gross_profit_cents += p;
		} else if (p < 0) {
			a->n_losses++;
			a->gross_loss_cents += p;
		} else {
			a->n_zero++;
		}
	}
	if (a->n_trades) {
		a->win_rate = (double)a->n_wins / a->n_trades;
		a->expectancy_cents = (double)a->net_pnl_cents / a->n_trades;
		a->avg_hold_days = hold / a->n_trades;
	}
	if (a->n_wins)
		a->avg_win_cents = (double)a->gross_profit_cents / a->n_wins;
	if (a->n_losses) {
		a->avg_loss_cents = (double)a->gross_loss_cents / a->n_losses;
		a->profit_factor = (double)a->gross_profit_cents / -(double)a->gross_loss_cents;
	}
	a->by_ticker = attribute(tr, n, 0, &a->n_tickers);
	a->by_strategy = attribute(tr, n, 1, &a->n_strategies);
}

/* ---- drawdowns ---- */

static void dd_close(struct an_drawdown *d, const struct an_series *s, size_t end, int recovered)
{
	d->end = end;
	d->recovered = recovered;
	d->depth = (double)s->value_cents[d->trough] / (double)s->value_cents[d->peak] - 1.0;
	d->sessions = (long)(end - d->peak);
	d->days = (long)s->days[end] - (long)s->days[d->peak];
}

static void dd_consider(struct analytics *a, const struct an_drawdown *d)
{
	if (!a->max_dd.valid || d->depth < a->max_dd.depth)
		a->max_dd = *d;
	if (!a->longest_dd.valid || d->sessions > a->longest_dd.sessions)
		a->longest_dd = *d;
}

/* Periods are found on the values in cents, so a recovery to exactly the
 * peak is exact. */
static void drawdowns(struct analytics *a, const struct an_series *s)
{
	const int64_t *v = s->value_cents;
	struct an_drawdown cur;
	size_t i, pk = 0;
	int under = 0;

	dd_clear(&cur);
	if (v[0] <= 0)
		return;
	a->max_drawdown = 0;
	for (i = 0; i < s->n; i++) {
		if (v[i] >= v[pk]) {
			if (under) {
				dd_close(&cur, s, i, 1);
				dd_consider(a, &cur);
				under = 0;
			}
			pk = i;
		} else if (!under) {
			under = 1;
			dd_clear(&cur);
			cur.valid = 1;
			cur.peak = pk;
			cur.trough = i;
		} else if (v[i] < v[cur.trough]) {
			cur.trough = i;
		}
		a->drawdown[i] = (double)v[i] / (double)v[pk] - 1.0;
		if (a->drawdown[i] < a->max_drawdown)
			a->max_drawdown = a->drawdown[i];
	}
	if (under) {
		dd_close(&cur, s, s->n - 1, 0);
		dd_consider(a, &cur);
	}
}

/* ---- returns ---- */

size_t an_returns(const int64_t *value_cents, const double *rate, size_t n, double *out)
{
	size_t i;

	if (n < 2)
		return 0;
	for (i = 1; i < n; i++) {
		double rf = rate && isfinite(rate[i]) ? rate[i] / (double)AN_YEAR : 0.0;

		if (value_cents[i - 1] <= 0) {
			out[i - 1] = NAN;
			continue;
		}
		out[i - 1] = (double)value_cents[i] / (double)value_cents[i - 1] - 1.0 - rf;
	}
	return n - 1;
}

static void monthly(struct analytics *a, const struct an_series *s, const double *r)
{
	size_t cells = (size_t)a->n_years * 12, i;
	int *cnt = xcalloc(cells, sizeof(*cnt)), *ycnt = xcalloc((size_t)a->n_years, sizeof(*ycnt));
	double *prod = xcalloc(cells, sizeof(*prod)),
	       *yprod = xcalloc((size_t)a->n_years, sizeof(*yprod));

	for (i = 0; i < cells; i++)
		prod[i] = 1.0;
	for (i = 0; i < (size_t)a->n_years; i++)
		yprod[i] = 1.0;
	for (i = 1; i < s->n; i++) {
		int y, mo, d;
		size_t row;

		date_to_ymd(s->days[i], &y, &mo, &d);
		row = (size_t)(y - a->first_year);
		prod[row * 12 + (size_t)(mo - 1)] *= 1.0 + r[i - 1];
		cnt[row * 12 + (size_t)(mo - 1)]++;
		yprod[row] *= 1.0 + r[i - 1];
		ycnt[row]++;
	}
	for (i = 0; i < cells; i++)
		if (cnt[i])
			a->monthly[i] = prod[i] - 1.0;
	for (i = 0; i < (size_t)a->n_years; i++)
		if (ycnt[i])
			a->yearly[i] = yprod[i] - 1.0;
	free(cnt);
	free(ycnt);
	free(prod);
	free(yprod);
}

/* Lo (2002) with a Newey-West covariance of the moments of (mean, variance);
 * docs/metrics.md, "Sharpe: Lo (2002)". Sets the SE, or leaves it NAN. */
static void sharpe_hac(struct analytics *a, const double *y, size_t m)
{
	double mu = mean_of(y, m), s2 = 0, sig, g1, g2, o11, o12, o22, q;
	double *u1 = xcalloc(m, sizeof(*u1)), *u2 = xcalloc(m, sizeof(*u2));
	long lags;
	size_t i, j;

	for (i = 0; i < m; i++)
		s2 += (y[i] - mu) * (y[i] - mu);
	s2 /= (double)m;
	lags = (long)floor(4.0 * pow((double)m / 100.0, 2.0 / 9.0));
	if (lags > (long)m - 1)
		lags = (long)m - 1;
	a->hac_lags = (int)lags;
	if (!(s2 > VAR_ZERO))
		goto out;
	for (i = 0; i < m; i++) {
		u1[i] = y[i] - mu;
		u2[i] = u1[i] * u1[i] - s2;
	}
	o11 = o12 = o22 = 0;
	for (i = 0; i < m; i++) {
		o11 += u1[i] * u1[i];
		o12 += u1[i] * u2[i];
		o22 += u2[i] * u2[i];
	}
	for (j = 1; j <= (size_t)lags; j++) {
		double w = 1.0 - (double)j / ((double)lags + 1.0), c11 = 0, c12 = 0, c21 = 0,
		       c22 = 0;

		for (i = j; i < m; i++) {
			c11 += u1[i] * u1[i - j];
			c12 += u1[i] * u2[i - j];
			c21 += u2[i] * u1[i - j];
			c22 += u2[i] * u2[i - j];
		}
		o11 += w * 2.0 * c11;
		o12 += w * (c12 + c21);
		o22 += w * 2.0 * c22;
	}
	o11 /= (double)m;
	o12 /= (double)m;
	o22 /= (double)m;
	sig = sqrt(s2);
	g1 = 1.0 / sig;
	g2 = -mu / (2.0 * sig * s2);
	q = g1 * g1 * o11 + 2.0 * g1 * g2 * o12 + g2 * g2 * o22;
	if (q > 0)
		a->sharpe_se_hac = sqrt((double)AN_YEAR * q / (double)m);
out:
	free(u1);
	free(u2);
}

/* The stationary bootstrap of the arithmetic alpha; docs/metrics.md. */
static void alpha_bootstrap(struct analytics *a, const double *y, const double *x, size_t m,
			    int reps, double block, uint64_t seed)
{
	size_t *idx = xcalloc(m, sizeof(*idx)), t, i = 0;
	double *alphas = xcalloc((size_t)reps, sizeof(*alphas)), p = 1.0 / block, z;
	uint64_t st = seed;
	int b, used = 0;

	for (b = 0; b < reps; b++) {
		double beta, icpt;

		for (t = 0; t < m; t++) {
			uint64_t z1 = an_splitmix64(&st), z2 = an_splitmix64(&st);

			i = t == 0 || unif(z1) < p ? pick(z2, m) : (i + 1) % m;
			idx[t] = i;
		}
		if (!regress(y, x, idx, m, &beta, &icpt))
			alphas[used++] = icpt * (double)AN_YEAR;
	}
	a->boot_reps = reps;
	a->boot_used = used;
	if (used) {
		qsort(alphas, (size_t)used, sizeof(*alphas), cmp_double);
		z = (1.0 - a->confidence) / 2.0;
		a->alpha_lo = percentile(alphas, (size_t)used, z);
		a->alpha_hi = percentile(alphas, (size_t)used, 1.0 - z);
	}
	free(idx);
	free(alphas);
}

static int check(const struct an_series *s, const struct an_trade *tr, size_t n_trades,
		 const struct an_options *o, char *err)
{
	size_t i;

	if (s->n && (!s->days || !s->value_cents))
		return pt_err(err, PT_EINVAL, "analytics: %zu sessions without their %s", s->n,
			      s->days ? "values" : "days");
	for (i = 1; i < s->n; i++)
		if (s->days[i] <= s->days[i - 1])
			return pt_err(err, PT_EINVAL,
				      "analytics: session %zu is not after the one before it", i);
	if (n_trades && !tr)
		return pt_err(err, PT_EINVAL, "analytics: %zu trades without their array",
			      n_trades);
	for (i = 0; i < n_trades; i++)
		if (strlen(name_or_empty(tr[i].ticker)) >= AN_NAMESZ ||
		    strlen(name_or_empty(tr[i].strategy)) >= AN_NAMESZ)
			return pt_err(err, PT_EINVAL,
				      "analytics: trade %zu: a name of %d bytes or more", i,
				      AN_NAMESZ);
	if (o->window < 2)
		return pt_err(err, PT_EINVAL,
			      "analytics: a rolling window of %zu returns (2 or more)", o->window);
	if (!(o->confidence > 0 && o->confidence < 1))
		return pt_err(err, PT_EINVAL, "analytics: a confidence of %g (between 0 and 1)",
			      o->confidence);
	if (o->boot_reps > MAX_REPS)
		return pt_err(err, PT_EINVAL, "analytics: %d bootstrap replicates (at most %d)",
			      o->boot_reps, MAX_REPS);
	if (o->boot_block != 0 && !(o->boot_block >= 1 && isfinite(o->boot_block)))
		return pt_err(err, PT_EINVAL, "analytics: a mean block length of %g (1 or more)",
			      o->boot_block);
	return 0;
}

/* Every figure built on returns: r simple, y excess, m of each. */
static void return_figures(struct analytics *a, const struct an_series *s, const double *r,
			   const double *y, size_t m, const struct an_options *o)
{
	const double ann = sqrt((double)AN_YEAR);
	double ratio = (double)s->value_cents[s->n - 1] / (double)s->value_cents[0], sr, var = 0,
	       mu;
	double down2 = 0, zc, *sorted;
	size_t i;

	a->total_return = ratio - 1.0;
	a->cagr = pow(ratio, (double)AN_YEAR / (double)m) - 1.0;
	a->cagr_calendar =
		pow(ratio, 365.0 / ((double)s->days[s->n - 1] - (double)s->days[0])) - 1.0;
	monthly(a, s, r);
	if (m < 2)
		return;

	mu = mean_of(r, m);
	for (i = 0; i < m; i++)
		var += (r[i] - mu) * (r[i] - mu);
	var /= (double)(m - 1);
	a->volatility = var > VAR_ZERO ? sqrt(var) * ann : 0.0;

	sr = sharpe_pp(y, m);
	a->sharpe = sr * ann;
	mu = mean_of(y, m);
	for (i = 0; i < m; i++)
		if (y[i] < 0)
			down2 += y[i] * y[i];
	if (down2 / (double)m > VAR_ZERO)
		a->sortino = mu / sqrt(down2 / (double)m) * ann;

	sorted = xcalloc(m, sizeof(*sorted));
	memcpy(sorted, r, m * sizeof(*sorted));
	qsort(sorted, m, sizeof(*sorted), cmp_double);
	if (percentile(sorted, m, 0.05) != 0)
		a->tail_ratio =
			fabs(percentile(sorted, m, 0.95)) / fabs(percentile(sorted, m, 0.05));
	free(sorted);

	for (i = o->window; i < s->n; i++)
		a->rolling_sharpe[i] = sharpe_pp(y + i - o->window, o->window) * ann;

	zc = an_norm_ppf((1.0 + a->confidence) / 2.0);
	if (isfinite(sr)) {
		a->sharpe_se_iid = sqrt((double)AN_YEAR * (1.0 + sr * sr / 2.0) / (double)m);
		a->sharpe_lo_iid = a->sharpe - zc * a->sharpe_se_iid;
		a->sharpe_hi_iid = a->sharpe + zc * a->sharpe_se_iid;
		sharpe_hac(a, y, m);
		a->sharpe_lo_hac = a->sharpe - zc * a->sharpe_se_hac;
		a->sharpe_hi_hac = a->sharpe + zc * a->sharpe_se_hac;
	}
}

/* Figures against SPY: y the portfolio's excess returns. */
static void bench_figures(struct analytics *a, const struct an_series *s, const double *y, size_t m,
			  const struct an_options *o)
{
	double *x, beta, icpt;

	if (!isfinite(a->bench_return) || m < 2)
		return;
	x = xcalloc(m, sizeof(*x));
	an_returns(s->bench_cents, s->rate, s->n, x);
	if (!regress(y, x, NULL, m, &beta, &icpt)) {
		a->beta = beta;
		a->alpha = icpt * (double)AN_YEAR;
		a->alpha_geometric = pow(1.0 + icpt, (double)AN_YEAR) - 1.0;
		if (o->boot_reps > 0) {
			a->boot_block = o->boot_block ? o->boot_block : pow((double)m, 1.0 / 3.0);
			alpha_bootstrap(a, y, x, m, o->boot_reps, a->boot_block, o->seed);
		}
	}
	free(x);
}

int an_compute(const struct an_series *s, const struct an_trade *trades, size_t n_trades,
	       const struct an_options *opt, struct analytics *a, char *err)
{
	struct an_options o = {0};
	double *r = NULL, *y = NULL;
	size_t i, m;
	int rc, y0, y1, mo, d;

	clear(a);
	if (opt)
		o = *opt;
	if (!o.window)
		o.window = DEFAULT_WINDOW;
	if (o.confidence == 0)
		o.confidence = DEFAULT_CONFIDENCE;
	if (!o.boot_reps)
		o.boot_reps = DEFAULT_REPS;
	rc = check(s, trades, n_trades, &o, err);
	if (rc)
		return rc;
	a->window = o.window;
	a->confidence = o.confidence;
	a->n_sessions = s->n;
	a->n_returns = m = s->n ? s->n - 1 : 0;

	trade_figures(a, trades, n_trades);
	if (!s->n)
		return 0;

	a->drawdown = nan_array(s->n);
	a->rolling_sharpe = nan_array(s->n);
	date_to_ymd(s->days[0], &y0, &mo, &d);
	date_to_ymd(s->days[s->n - 1], &y1, &mo, &d);
	a->first_year = y0;
	a->n_years = y1 - y0 + 1;
	a->monthly = nan_array((size_t)a->n_years * 12);
	a->yearly = nan_array((size_t)a->n_years);
	drawdowns(a, s);
	if (s->bench_cents && m) {
		for (i = 0; i < s->n && s->bench_cents[i] > 0; i++)
			;
		if (i == s->n)
			a->bench_return =
				(double)s->bench_cents[s->n - 1] / (double)s->bench_cents[0] - 1.0;
	}

	for (i = 0; i < s->n; i++)
		if (s->value_cents[i] <= 0)
			return 0;
	if (!m)
		return 0;
	r = xcalloc(m, sizeof(*r));
	y = xcalloc(m, sizeof(*y));
	an_returns(s->value_cents, NULL, s->n, r);
	an_returns(s->value_cents, s->rate, s->n, y);
	return_figures(a, s, r, y, m, &o);
	if (a->max_drawdown < 0)
		a->calmar = a->cagr / fabs(a->max_drawdown);
	if (s->bench_cents)
		bench_figures(a, s, y, m, &o);
	free(r);
	free(y);
	return 0;
}

/* ---- a portfolio's series ---- */

void an_portfolio_init(struct an_portfolio *p, const struct portfolio *pf)
{
	size_t i, n = pf->n_snaps, spy = pf->n_bench, k = 0;

	memset(p, 0, sizeof(*p));
	for (i = 0; i < pf->n_bench; i++)
		if (!strcmp(pf->bench[i].ticker, "SPY")) {
			spy = i;
			break;
		}
	p->days = xcalloc(n ? n : 1, sizeof(*p->days));
	p->value_cents = xcalloc(n ? n : 1, sizeof(*p->value_cents));
	p->rate = xcalloc(n ? n : 1, sizeof(*p->rate));
	if (spy < pf->n_bench)
		p->bench_cents = xcalloc(n ? n : 1, sizeof(*p->bench_cents));
	for (i = 0; i < n; i++) {
		const struct snapshot *sn = &pf->snaps[i];

		p->days[i] = sn->session;
		p->value_cents[i] = sn->value_cents;
		p->rate[i] = isfinite(sn->cash_rate) ? sn->cash_rate : sn->rate;
		if (p->bench_cents)
			p->bench_cents[i] = pf->snap_bench[i * pf->n_bench + spy];
	}
	for (i = 0; i < pf->n_pos; i++)
		k += pf->pos[i].closed && strcmp(pf->pos[i].reason, "import") != 0;
	p->trades = xcalloc(k ? k : 1, sizeof(*p->trades));
	for (i = 0; i < pf->n_pos; i++) {
		const struct position *ps = &pf->pos[i];
		struct an_trade *t;

		if (!ps->closed || !strcmp(ps->reason, "import"))
			continue;
		t = &p->trades[p->n_trades++];
		t->ticker = ps->ticker;
		t->strategy = ps->strategy;
		t->opened = ps->opened;
		t->closed = ps->closed;
		t->pnl_cents = book_pnl_cents(ps);
	}
	p->s.days = p->days;
	p->s.value_cents = p->value_cents;
	p->s.rate = p->rate;
	p->s.bench_cents = p->bench_cents;
	p->s.n = n;
}

void an_portfolio_from_capital(struct an_portfolio *p, int64_t initial, int64_t bench_initial)
{
	size_t n = p->s.n;
	int *days;
	int64_t *value, *bench = NULL;
	double *rate;

	if (!n)
		return;
	days = xcalloc(n + 1, sizeof(*days));
	value = xcalloc(n + 1, sizeof(*value));
	rate = xcalloc(n + 1, sizeof(*rate));
	days[0] = p->days[0] - 1;
	value[0] = initial;
	rate[0] = NAN; /* no return ends on the start */
	memcpy(days + 1, p->days, n * sizeof(*days));
	memcpy(value + 1, p->value_cents, n * sizeof(*value));
	memcpy(rate + 1, p->rate, n * sizeof(*rate));
	if (p->bench_cents) {
		bench = xcalloc(n + 1, sizeof(*bench));
		bench[0] = bench_initial;
		memcpy(bench + 1, p->bench_cents, n * sizeof(*bench));
	}
	free(p->days);
	free(p->value_cents);
	free(p->rate);
	free(p->bench_cents);
	p->days = days;
	p->value_cents = value;
	p->rate = rate;
	p->bench_cents = bench;
	p->s.days = days;
	p->s.value_cents = value;
	p->s.rate = rate;
	p->s.bench_cents = bench;
	p->s.n = n + 1;
}

void an_portfolio_release(struct an_portfolio *p)
{
	if (!p)
		return;
	free(p->days);
	free(p->value_cents);
	free(p->rate);
	free(p->bench_cents);
	free(p->trades);
	memset(p, 0, sizeof(*p));
}

/* ---- the deflated Sharpe ratio ---- */

double an_expected_max_sharpe(double n_trials, double var_sharpe)
{
	if (!(n_trials >= 1) || !(var_sharpe >= 0) || !isfinite(var_sharpe))
		return NAN;
	if (n_trials == 1)
		return 0.0;
	return sqrt(var_sharpe) * ((1.0 - EULER_GAMMA) * an_norm_ppf(1.0 - 1.0 / n_trials) +
				   EULER_GAMMA * an_norm_ppf(1.0 - 1.0 / (n_trials * M_E)));
}

double an_psr(double sr, double sr_star, double n_obs, double skew, double kurt)
{
	double den = 1.0 - skew * sr + (kurt - 1.0) / 4.0 * sr * sr;

	if (!(n_obs >= 2) || !(den > 0))
		return NAN;
	return an_norm_cdf((sr - sr_star) * sqrt(n_obs - 1.0) / sqrt(den));
}

int an_deflated_sharpe(const double *returns, size_t n, const double *trial_sharpe, size_t n_trials,
		       double periods_per_year, struct an_dsr *out, char *err)
{
	double mu, var = 0, m2 = 0, m3 = 0, m4 = 0, tm = 0, tv = 0, k;
	size_t i;

	memset(out, 0, sizeof(*out));
	out->sr = out->sr_ann = out->skew = out->kurt = out->var_trials = NAN;
	out->sr0 = out->sr0_ann = out->psr = out->dsr = NAN;
	if ((n && !returns) || !trial_sharpe || !n_trials)
		return pt_err(err, PT_EINVAL, "deflated Sharpe: no %s",
			      trial_sharpe && n_trials ? "returns" : "trials");
	if (!(periods_per_year > 0) || !isfinite(periods_per_year))
		return pt_err(err, PT_EINVAL, "deflated Sharpe: %g periods a year",
			      periods_per_year);
	for (i = 0; i < n_trials; i++)
		if (!isfinite(trial_sharpe[i]))
			return pt_err(err, PT_EINVAL, "deflated Sharpe: trial %zu has no Sharpe",
				      i);
	for (i = 0; i < n; i++)
		if (!isfinite(returns[i]))
			return pt_err(err, PT_EINVAL, "deflated Sharpe: return %zu is not a number",
				      i);
	out->n_obs = n;
	out->n_trials = n_trials;
	k = sqrt(periods_per_year);

	/* The trials' per-period Sharpes: their sample variance, and SR0. */
	for (i = 0; i < n_trials; i++)
		tm += trial_sharpe[i] / k;
	tm /= (double)n_trials;
	for (i = 0; i < n_trials; i++)
		tv += (trial_sharpe[i] / k - tm) * (trial_sharpe[i] / k - tm);
	if (n_trials >= 2)
		out->var_trials = tv / (double)(n_trials - 1);
	out->sr0 = n_trials == 1 ? 0.0 : an_expected_max_sharpe((double)n_trials, out->var_trials);
	out->sr0_ann = out->sr0 * k;

	if (n < 2)
		return 0;
	mu = mean_of(returns, n);
	for (i = 0; i < n; i++) {
		double dv = returns[i] - mu;

		var += dv * dv;
		m2 += dv * dv;
		m3 += dv * dv * dv;
		m4 += dv * dv * dv * dv;
	}
	var /= (double)(n - 1);
	if (!(var > VAR_ZERO))
		return 0;
	m2 /= (double)n;
	m3 /= (double)n;
	m4 /= (double)n;
	out->sr = mu / sqrt(var);
	out->sr_ann = out->sr * k;
	out->skew = m3 / pow(m2, 1.5);
	out->kurt = m4 / (m2 * m2);
	out->psr = an_psr(out->sr, 0.0, (double)n, out->skew, out->kurt);
	out->dsr = an_psr(out->sr, out->sr0, (double)n, out->skew, out->kurt);
	return 0;
}

/* ---- CSCV ---- */

/* Running (count, mean, sum of squared deviations) of one trial over
 * blocks, combined pairwise (Chan, Golub and LeVeque). */
struct moments {
	double n, mean, m2;
};

static void moments_add(struct moments *acc, const struct moments *blk)
{
	double nn, delta;

	if (acc->n == 0) {
		*acc = *blk;
		return;
	}
	nn = acc->n + blk->n;
	delta = blk->mean - acc->mean;
	acc->mean += delta * blk->n / nn;
	acc->m2 += blk->m2 + delta * delta * acc->n * blk->n / nn;
	acc->n = nn;
}

static double score(const struct moments *mo, enum an_cscv_metric metric)
{
	double var;

	if (metric == AN_CSCV_MEAN)
		return mo->mean;
	var = mo->m2 / (mo->n - 1.0);
	return var > VAR_ZERO ? mo->mean / sqrt(var) : NAN;
}

static size_t choose(int s, int k)
{
	size_t c = 1;
	int i;

	/* Exact at every step: c x (s - k + i) / i is C(s - k + i, i). */
	for (i = 1; i <= k; i++)
		c = c * (size_t)(s - k + i) / (size_t)i;
	return c;
}

void an_cscv_release(struct an_cscv *out)
{
	if (!out)
		return;
	free(out->logit);
	free(out->is_score);
	free(out->oos_score);
	free(out->chosen);
	memset(out, 0, sizeof(*out));
	out->pbo = out->p_loss = NAN;
}

int an_cscv(const double *m, size_t t, size_t n, int s, enum an_cscv_metric metric,
	    struct an_cscv *out, char *err)
{
	struct moments *blk = NULL, *is = NULL, *oos = NULL;
	double *sis = NULL, *soos = NULL;
	size_t b, off, col, row, k, overfit = 0, losses = 0;
	int h, comb[AN_CSCV_MAX_S], in[AN_CSCV_MAX_S], j;

	memset(out, 0, sizeof(*out));
	out->pbo = out->p_loss = NAN;
	if (!m || n < 2)
		return pt_err(err, PT_EINVAL, "CSCV: %s", m ? "fewer than 2 trials" : "no matrix");
	if (s < 2 || s % 2 || s > AN_CSCV_MAX_S)
		return pt_err(err, PT_EINVAL, "CSCV: %d blocks (an even number from 2 to %d)", s,
			      AN_CSCV_MAX_S);
	b = t / (size_t)s;
	h = s / 2;
	if (b * (size_t)h < 2)
		return pt_err(err, PT_EINVAL,
			      "CSCV: %zu periods make training sets of %zu (2 or more)", t,
			      b * (size_t)h);
	off = t - b * (size_t)s;
	out->s = s;
	out->rows_used = b * (size_t)s;
	out->n_splits = choose(s, h);
	out->logit = xcalloc(out->n_splits, sizeof(*out->logit));
	out->is_score = xcalloc(out->n_splits, sizeof(*out->is_score));
	out->oos_score = xcalloc(out->n_splits, sizeof(*out->oos_score));
	out->chosen = xcalloc(out->n_splits, sizeof(*out->chosen));

	/* Each block's moments, per trial (two passes within the block). */
	blk = xcalloc((size_t)s * n, sizeof(*blk));
	for (j = 0; j < s; j++)
		for (col = 0; col < n; col++) {
			struct moments *mo = &blk[(size_t)j * n + col];
			const double *base = m + (off + (size_t)j * b) * n + col;

			mo->n = (double)b;
			for (row = 0; row < b; row++)
				mo->mean += base[row * n];
			mo->mean /= (double)b;
			for (row = 0; row < b; row++)
				mo->m2 += (base[row * n] - mo->mean) * (base[row * n] - mo->mean);
		}

	is = xcalloc(n, sizeof(*is));
	oos = xcalloc(n, sizeof(*oos));
	sis = xcalloc(n, sizeof(*sis));
	soos = xcalloc(n, sizeof(*soos));
	for (j = 0; j < h; j++)
		comb[j] = j;
	for (k = 0; k < out->n_splits; k++) {
		size_t best = n, less = 0, eq = 0;
		double v, rank, w;

		memset(in, 0, sizeof(in));
		for (j = 0; j < h; j++)
			in[comb[j]] = 1;
		memset(is, 0, n * sizeof(*is));
		memset(oos, 0, n * sizeof(*oos));
		for (j = 0; j < s; j++)
			for (col = 0; col < n; col++)
				moments_add(in[j] ? &is[col] : &oos[col],
					    &blk[(size_t)j * n + col]);
		for (col = 0; col < n; col++) {
			sis[col] = score(&is[col], metric);
			soos[col] = score(&oos[col], metric);
			if (!isnan(sis[col]) && (best == n || sis[col] > sis[best]))
				best = col;
		}
		if (best == n)
			best = 0;
		v = soos[best];
		for (col = 0; col < n; col++) {
			if (isnan(v))
				eq += isnan(soos[col]);
			else if (isnan(soos[col]) || soos[col] < v)
				less++;
			else
				eq += soos[col] == v;
		}
		rank = (double)less + ((double)eq + 1.0) / 2.0;
		w = rank / ((double)n + 1.0);
		out->logit[k] = log(w / (1.0 - w));
		out->is_score[k] = sis[best];
		out->oos_score[k] = v;
		out->chosen[k] = best;
		overfit += 2 * less + eq + 1 <= n + 1;
		losses += v < 0;

		/* The next combination in lexicographic order. */
		for (j = h - 1; j >= 0 && comb[j] == s - h + j; j--)
			;
		if (j >= 0) {
			comb[j]++;
			for (j++; j < h; j++)
				comb[j] = comb[j - 1] + 1;
		}
	}
	out->pbo = (double)overfit / (double)out->n_splits;
	out->p_loss = (double)losses / (double)out->n_splits;
	free(blk);
	free(is);
	free(oos);
	free(sis);
	free(soos);
	return 0;
}
