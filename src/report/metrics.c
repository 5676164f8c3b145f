/*
 * metrics.c - performance figures from snapshots; see metrics.h.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "metrics.h"
#include "../book/book.h"
#include "../util/util.h"

static double value_at(const struct portfolio *pf, size_t i)
{
	return (double)pf->snaps[i].value_cents;
}

static double bench_at(const struct portfolio *pf, size_t i, size_t b)
{
	return (double)pf->snap_bench[i * pf->n_bench + b];
}

/* Daily return of cash in session i, the rate Sharpe, Sortino and alpha
 * subtract (errata 9): the rate the account's cash earned, over 252
 * sessions; the risk-free rate for sessions stored before cash earned
 * interest (schema 5). */
static double rf_day(const struct portfolio *pf, size_t i)
{
	double r = isfinite(pf->snaps[i].cash_rate) ? pf->snaps[i].cash_rate : pf->snaps[i].rate;
	return isfinite(r) ? r / 252.0 : 0.0;
}

void metrics_compute(const struct portfolio *pf, struct metrics *m)
{
	double initial = (double)pf->initial_cents;
	double mean = 0, var = 0, down2 = 0, peak, mx = 0, vx = 0, cxy = 0;
	long spy = -1;
	size_t i, n = pf->n_snaps, nret;

	memset(m, 0, sizeof(*m));
	m->total_return = m->excess_return_vs_spy = m->alpha_vs_spy = m->beta_vs_spy = NAN;
	m->sharpe = m->sortino = m->win_rate = m->max_drawdown = NAN;
	m->n_days = (int)n;
	for (i = 0; i < METRICS_MAX_BENCH; i++)
		m->bench_return[i] = NAN;

	for (i = 0; i < pf->n_pos; i++) {
		if (!pf->pos[i].closed || !strcmp(pf->pos[i].reason, "import"))
			continue;
		m->n_closed++;
		m->n_wins += book_pnl_cents(&pf->pos[i]) > 0;
	}
	if (m->n_closed)
		m->win_rate = (double)m->n_wins / m->n_closed;
	if (!n || initial <= 0)
		return;

	m->total_return = value_at(pf, n - 1) / initial - 1.0;
	for (i = 0; i < pf->n_bench && i < METRICS_MAX_BENCH; i++) {
		m->bench_return[i] = bench_at(pf, n - 1, i) / initial - 1.0;
		if (!strcmp(pf->bench[i].ticker, "SPY"))
			spy = (long)i;
	}
	if (spy >= 0)
		m->excess_return_vs_spy = m->total_return - m->bench_return[spy];

	/* Drawdown from the running peak, starting at the initial capital. */
	peak = initial;
	m->max_drawdown = 0;
	for (i = 0; i < n; i++) {
		double v = value_at(pf, i);
		if (v > peak)
			peak = v;
		if (v / peak - 1.0 < m->max_drawdown)
			m->max_drawdown = v / peak - 1.0;
	}

	/* Daily returns between snapshots (the first snapshot has none), in
	 * excess of the risk-free rate; two passes, so a flat account has a
	 * variance of exactly zero rather than a rounding residue. */
	nret = n - 1;
	if (nret < 2)
		return;
	for (i = 1; i < n; i++) {
		mean += value_at(pf, i) / value_at(pf, i - 1) - 1.0 - rf_day(pf, i);
		if (spy >= 0)
			mx += bench_at(pf, i, (size_t)spy) / bench_at(pf, i - 1, (size_t)spy) - 1.0 -
			      rf_day(pf, i);
	}
	mean /= (double)nret;
	mx /= (double)nret;
	for (i = 1; i < n; i++) {
		double r = value_at(pf, i) / value_at(pf, i - 1) - 1.0 - rf_day(pf, i);
		var += (r - mean) * (r - mean);
		if (r < 0)
			down2 += r * r;
		if (spy >= 0) {
			double x = bench_at(pf, i, (size_t)spy) / bench_at(pf, i - 1, (size_t)spy) -
				   1.0 - rf_day(pf, i);
			vx += (x - mx) * (x - mx);
			cxy += (x - mx) * (r - mean);
		}
	}
	var /= (double)(nret - 1);
	/* Below a relative 1e-6 of a basis point the account did not move: no ratio. */
	if (var > 1e-20)
		m->sharpe = mean / sqrt(var) * sqrt(252.0);
	if (down2 / (double)nret > 1e-20)
		m->sortino = mean / sqrt(down2 / (double)nret) * sqrt(252.0);
	if (spy >= 0 && vx / (double)nret > 1e-20) {
		m->beta_vs_spy = cxy / vx;
		m->alpha_vs_spy = (mean - m->beta_vs_spy * mx) * 252.0;
	}
}
