/*
 * sweep.h - a strategy's parameters swept over a grid (issue 11): every
 * combination of the grid backtested over the same sessions, through the
 * backtest's own session step (backtest.h: bt_begin, bt_step), with each
 * session's market view built once and read by every combination at once
 * on every core; then each combination's analytics (report/analytics.h),
 * over the whole period or split at a training date, and the statistics
 * that keep the best of N from being read as one trial: the deflated
 * Sharpe ratio and the probability of backtest overfitting (CSCV).
 *
 * Why one view serves every combination: a view holds every expiration
 * some combination asks (the union of their plans) and every bar since the
 * earliest any asks, and a strategy picks, of the expirations in the view,
 * the one nearest its days, which the provider resolved against all it
 * lists: extra expirations and older bars change no decision. The sweep's
 * tests prove it: each combination's row equals its own `backtest`.
 *
 * Results depend only on the grid, the config and the market, never on
 * the number of threads or MPI ranks, or on which combinations ran
 * together: a sweep split over ranks (cli/sweep.c) merges into the rows a
 * single process computes.
 */
#ifndef PT_SWEEP_H
#define PT_SWEEP_H

#include <stddef.h>
#include <stdint.h>

#include "backtest.h"
#include "report/analytics.h"
#include "util/util.h"

struct config;
struct provider;

#define SWEEP_MAX_AXES 16
#define SWEEP_MAX_COMBOS 1000000
#define SWEEP_VALSZ 32

/* One swept key and its values, as text ("0.01", "45", "volarb,csp"). */
struct sweep_axis {
	char key[64];
	char (*val)[SWEEP_VALSZ];
	size_t n;
};

/* The grid: combination i takes, on each axis, the value of i's digit in
 * the mixed radix of the axes' sizes, the last axis varying fastest. */
struct sweep_grid {
	struct sweep_axis axis[SWEEP_MAX_AXES];
	size_t n_axes;
	size_t n_combos;
};

/*
 * Adds the axis of spec, "key=first:last:step" (every value from first up
 * to last, step apart, written with the decimals the three have),
 * "key=v1,v2,..." or "key=v" (to set one key of every combination). Checks
 * every value against base (config_set), so a bad one is said here, and
 * refuses keys that change the market the combinations share (tickers,
 * provider, seed and the data sources' settings). Returns 0, or PT_EINVAL
 * with err (PT_ERRSZ) naming the spec.
 */
int sweep_grid_add(struct sweep_grid *g, const struct config *base, const char *spec, char *err);
void sweep_grid_release(struct sweep_grid *g);
/* Combination i's value on axis a (borrowed). */
const char *sweep_value(const struct sweep_grid *g, size_t i, size_t a);
/* base with combination i's values. 0, or PT_EINVAL with err (PT_ERRSZ)
 * when the values together are refused (a strategy's check across keys). */
int sweep_config(const struct sweep_grid *g, const struct config *base, size_t i,
		 struct config *out, char *err);

/* The figures of a row, per period. */
enum sweep_fig {
	SW_TOTAL_RETURN,
	SW_CAGR,
	SW_VOLATILITY,
	SW_SHARPE,
	SW_SORTINO,
	SW_MAX_DRAWDOWN,
	SW_CALMAR,
	SW_WIN_RATE,
	SW_PROFIT_FACTOR,
	SW_TRADES,
	SW_FINAL_VALUE, /* dollars */
	SW_ALPHA,
	SW_BETA,
	SW_NFIG
};
/* Their names in --sort, CSV headers and JSON ("sharpe", "max_drawdown"). */
extern const char *const sweep_fig_names[SW_NFIG];
/* The figure named name, or -1. */
int sweep_fig_find(const char *name);
/* 1 when a lower value ranks first (volatility), else 0. */
int sweep_fig_ascending(int fig);

/* One combination's result: plain numbers, the same bytes on every rank. */
struct sweep_row {
	uint64_t combo;
	double full[SW_NFIG]; /* from the first session to the last */
	double is[SW_NFIG];   /* to the training date, with one */
	double oos[SW_NFIG];  /* after it (NAN without one) */
	int64_t margin_calls; /* sessions with a new call or a forced close */
	int64_t trades;	      /* orders filled */
};

struct sweep_result {
	int from, to, train_until;
	int sessions;		/* sessions run (fewer when stopped) */
	int first, last;	/* first and last session run */
	struct sweep_row *rows; /* n_rows, in combination order */
	size_t n_rows;
	double *ret;		/* n_rows x n_ret daily excess returns, row-major */
	size_t n_ret;		/* returns per row: sessions - 1 */
	size_t n_ret_is;	/* of which in the training period */
	int64_t options_quoted; /* option quotes in the shared views */
	int skipped;		/* sessions with no tape (a replay of tapes) */
	double seconds;		/* wall time of the replay */
};

/*
 * Runs combinations first..first+n-1 of g on base from..to on market m,
 * on `threads` threads (the calling one among them), into out
 * (overwritten; sweep_release it whatever the result): each session's view
 * loaded once for them all. train_until (0: none) splits every row's
 * figures and the returns. progress and stop as in bt_run. 0, or an error
 * in e naming the combination and the session.
 */
int sweep_run(const struct sweep_grid *g, const struct config *base, const struct bt_market *m,
	      int from, int to, int train_until, size_t first, size_t n, int threads,
	      bt_progress_fn progress, void *arg, volatile const int *stop,
	      struct sweep_result *out, struct session_err *e);
void sweep_release(struct sweep_result *r);

/* The rows' order for figure fig, best first (NAN last; equal figures by
 * combination), of the in-sample figures when is, else the whole period's:
 * order[k] is the index in r->rows of rank k + 1. */
void sweep_rank(const struct sweep_result *r, int fig, int is, size_t *order);

/* What selection across the rows says. */
struct sweep_stats {
	size_t best;	   /* row chosen: the best by Sharpe of the selection period */
	struct an_dsr dsr; /* its deflated Sharpe ratio among all rows */
	int dsr_ok;
	struct an_cscv cscv; /* over the whole period's daily returns */
	int cscv_ok;
	char why[PT_ERRSZ]; /* why one could not be computed */
};
/* Fills st (release with sweep_stats_release): DSR of the best by Sharpe
 * (in-sample with a training date), and CSCV on `blocks` blocks. */
void sweep_stats(const struct sweep_result *r, int blocks, struct sweep_stats *st);
void sweep_stats_release(struct sweep_stats *st);

#endif
