/*
 * compare.h - several configurations backtested on the same sessions and
 * the same market, side by side (issue 11 point 5; `papertrade compare`,
 * docs/compare.md). Each configuration row is a backtest (backtest.h: the
 * daily run's session step, in memory) with its analytics (report/
 * analytics.h); the reference rows are a Cboe BXM-style buy-write on SPY
 * (the buywrite strategy on a configuration of its own, run through the
 * same engine) and the buy-and-hold of every ETF the rows hold, which is
 * the benchmark their portfolios already keep (book.h: bench, snap_bench).
 *
 * The backtests run on up to `jobs` threads, each row with a provider of
 * its own; every figure depends only on its row's configuration and the
 * market, never on the threads, so a parallel run and a serial one give the
 * same results bit for bit. Never prints.
 */
#ifndef PT_COMPARE_H
#define PT_COMPARE_H

#include <stddef.h>
#include <stdint.h>

#include "backtest.h"
#include "config.h"
#include "report/analytics.h"

struct provider_env;

#define CMP_NAMESZ 96
/* The seed of the alpha interval's bootstrap: backtest's, so a row's figures
 * are the ones `papertrade backtest` prints for its configuration. */
#define CMP_BOOT_SEED 20020701u

enum cmp_kind {
	CMP_CONFIG,   /* a configuration the caller gave */
	CMP_BUYWRITE, /* the BXM-style reference (cmp_buywrite_config) */
	CMP_HOLD,     /* buy-and-hold of one ETF: a row's benchmark */
};

struct cmp_row {
	enum cmp_kind kind;
	char name[CMP_NAMESZ];
	char source[512];	    /* what it is: a file, the overrides, or what it assumes */
	struct config cfg;	    /* backtest rows; a CMP_HOLD row's is its source row's */
	char ticker[16];	    /* CMP_HOLD: the ETF */
	size_t from_row;	    /* CMP_HOLD: the row whose benchmark it is */
	struct bt_result bt;	    /* backtest rows, after cmp_run */
	struct an_portfolio series; /* the daily series and closed trades analysed:
				     * the initial capital the day before the
				     * first session, then every session's */
	struct analytics an;
	int spy_borrowed; /* 1: SPY's series (alpha, beta) taken from another row */
	int left_out;	  /* cmp_run: the buy-write could not run (no SPY) */
	int64_t initial_cents, final_cents;
};

struct cmp {
	int from, to;
	struct cmp_row *rows;
	size_t n_rows, cap_rows;
	int stopped;	     /* cmp_run was interrupted: the results are partial */
	int first, last;     /* the first and last session run */
	int sessions;	     /* sessions each row ran */
	char left_out[1024]; /* "name: why" of the buy-write when it could not run */
};

/* An error of cmp_run: the row (what) and why. */
struct cmp_err {
	char what[CMP_NAMESZ];
	char why[3 * PT_ERRSZ];
};

/* Called as sessions finish, on any thread but one at a time: sessions done
 * of total, over every backtest row. */
typedef void (*cmp_progress_fn)(long done, long total, void *arg);

void cmp_init(struct cmp *c, int from, int to);
void cmp_release(struct cmp *c);

/* Appends a backtest row of cfg (copied) named name (truncated to fit),
 * with source saying what it is. Returns it (valid until the next add). */
struct cmp_row *cmp_add(struct cmp *c, enum cmp_kind kind, const char *name, const char *source,
			const struct config *cfg);

/*
 * The reference buy-write's configuration from base (the comparison's: its
 * account keys, market and interest): tickers = SPY, holdings = etf,
 * strategies = buywrite (buywrite_otm 0), sizing = premium with
 * position_pct = 1 and max_positions_per_ticker = 1, so the one call
 * covers every share held. 0, or PT_EINVAL with err.
 */
int cmp_buywrite_config(const struct config *base, struct config *out, char *err);

/*
 * Backtests every row from..to (cmp_init's) on up to jobs threads (1: on
 * this one), each through a provider of its own made from its
 * configuration and env (provider.h), then appends a CMP_HOLD row for each
 * benchmark ticker of the rows, in the order they first appear, and
 * computes every row's analytics. A row without SPY among its benchmarks
 * takes SPY's series from the first row that has it (same sessions), so
 * alpha and beta are against SPY everywhere. The buy-write row is left
 * out, saying why in c->left_out, when it fails (a market without SPY, such
 * as a history of other tickers); any other row's failure is an error.
 * *stop, when not NULL, is read before each session: non-zero ends every backtest there and sets
 * c->stopped (returns 0; nothing else is computed). Returns 0, or an error
 * in e: what is the row's name, why the backtest's or the provider's.
 */
int cmp_run(struct cmp *c, int jobs, const struct provider_env *env, cmp_progress_fn progress,
	    void *arg, volatile const int *stop, struct cmp_err *e);

#endif
