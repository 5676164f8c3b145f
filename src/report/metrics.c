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

void metrics_compute(const struct portfolio *pf, double rf, struct metrics *m)
{
	double initial = (double)pf->initial_cents;
	double rf_d = rf / 252.0;
	double sum = 0, sum2 = 0, down2 = 0, peak, sx = 0, sxx = 0, sxy = 0;
	long spy = -1;
	size_t i, n = pf->n_snaps, nret;

	memset(m, 0, sizeof(*m));
	m->total_return = m->excess_return_vs_spy = m->alpha_vs_spy = m->beta_vs_spy = NAN;
	m->sharpe = m->sortino = m->win_rate = NAN;
	m->n_days = (int)n;
	for (i = 0; i < METRICS_MAX_BENCH; i++)
		m->bench_return[i] = NAN;

	for (i = 0; i < pf->n_pos; i++) {
		if (!pf->pos[i].closed)
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

	/* The first day's return is from the initial capital to the first snapshot. */
	peak = initial;
	m->max_drawdown = 0;
	for (i = 0; i < n; i++) {
		double v = value_at(pf, i);
		if (v > peak)
			peak = v;
		if (v / peak - 1.0 < m->max_drawdown)
			m->max_drawdown = v / peak - 1.0;
	}
	nret = n - 1;
	if (nret < 2)
		return;
	for (i = 1; i < n; i++) {
		double r = value_at(pf, i) / value_at(pf, i - 1) - 1.0 - rf_d;
		sum += r;
		sum2 += r * r;
		if (r < 0)
			down2 += r * r;
		if (spy >= 0) {
			double x = bench_at(pf, i, (size_t)spy) / bench_at(pf, i - 1, (size_t)spy) -
				   1.0 - rf_d;
			sx += x;
			sxx += x * x;
			sxy += x * r;
		}
	}
	{
		double mean = sum / nret;
		double var = (sum2 - nret * mean * mean) / (nret - 1);
		double dd = sqrt(down2 / nret);
		if (var > 0)
			m->sharpe = mean / sqrt(var) * sqrt(252.0);
		if (dd > 0)
			m->sortino = mean / dd * sqrt(252.0);
		if (spy >= 0) {
			double mx = sx / nret;
			double vx = sxx / nret - mx * mx;
			double cxy = sxy / nret - mx * mean;
			if (vx > 0) {
				m->beta_vs_spy = cxy / vx;
				m->alpha_vs_spy = (mean - m->beta_vs_spy * mx) * 252.0;
			}
		}
	}
}
