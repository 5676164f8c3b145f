/*
 * metrics.h - performance figures from the daily snapshots (DESIGN.md §1,
 * step 6, and errata 4): total and benchmark returns, excess return vs SPY,
 * Jensen's alpha and beta from a regression of daily returns on SPY's,
 * Sharpe, Sortino, maximum drawdown and win rate. Pure arithmetic.
 * A figure that cannot be computed yet (too few days, no SPY) is NAN.
 */
#ifndef PT_METRICS_H
#define PT_METRICS_H

#include <stddef.h>

struct portfolio;

#define METRICS_MAX_BENCH 64

struct metrics {
	double total_return;		/* value / initial - 1 */
	double bench_return[METRICS_MAX_BENCH];	/* per pf->bench, value / initial - 1 */
	double excess_return_vs_spy;	/* total_return - SPY's return */
	double alpha_vs_spy;		/* Jensen's alpha, annualised (x252), daily excess returns */
	double beta_vs_spy;
	double sharpe;			/* annualised, daily returns in excess of rf */
	double sortino;			/* annualised, downside deviation below rf */
	double max_drawdown;		/* most negative value / running peak - 1 (<= 0) */
	double win_rate;		/* closed trades with pnl > 0 / closed trades (an
					 * import's cash adjustment is not a trade) */
	int n_closed, n_wins;
	int n_days;			/* snapshots */
};

/* Excess returns use each session's own risk-free rate, as stored in its
 * snapshot (0 where unknown), so the figures do not depend on today's config. */
void metrics_compute(const struct portfolio *pf, struct metrics *m);

#endif
