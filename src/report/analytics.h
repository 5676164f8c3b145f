/*
 * analytics.h - the analytics of a backtest, a sweep or the daily report
 * (DESIGN.md §1, after the snapshots of step 6; issue 11): CAGR, volatility,
 * Sharpe, Sortino, drawdowns and their durations, Calmar, the trade figures,
 * tail ratio, alpha and beta vs SPY, per-ticker and per-strategy
 * attribution, confidence intervals for Sharpe (Lo 2002) and alpha (a
 * stationary bootstrap), the drawdown series, monthly returns and a rolling
 * Sharpe; and, for parameter sweeps, the deflated Sharpe ratio and the
 * probability of backtest overfitting (CSCV).
 *
 * Pure: plain arrays in, numbers out; no I/O, no global state, no clock, and
 * the bootstrap's random numbers come from a seeded SplitMix64, so the same
 * input gives the same output everywhere. Every definition, with its
 * convention (empyrical / quantstats: simple daily returns, 252 sessions a
 * year) and where it is NAN, is in docs/metrics.md. A figure that cannot be
 * computed (too few sessions, zero variance, no SPY, no trades) is NAN.
 */
#ifndef PT_ANALYTICS_H
#define PT_ANALYTICS_H

#include <stddef.h>
#include <stdint.h>

struct portfolio;

/* Sessions in a year: annualisation of every daily figure. */
#define AN_YEAR 252
/* Longest ticker or strategy name an attribution row holds, NUL included. */
#define AN_NAMESZ 32
/* Largest number of CSCV blocks: C(24, 12) = 2,704,156 splits. */
#define AN_CSCV_MAX_S 24

/* One closed trade. */
struct an_trade {
	const char *ticker;   /* borrowed; NULL counts as "" */
	const char *strategy; /* borrowed; NULL counts as "" */
	int opened, closed;   /* day numbers (util/date.h) */
	int64_t pnl_cents;    /* realised P&L, commissions included */
};

/*
 * The daily series: one entry per session, in order. Returns are simple,
 * between consecutive sessions: r[i] = value[i] / value[i-1] - 1 for
 * i = 1..n-1, so n sessions give n-1 returns (pass the starting capital as
 * the first value, on the session before the first trade, to count the
 * first day). Return i is in excess of rate[i] / AN_YEAR: the annual rate
 * of session i as the snapshot stores it (metrics.c's convention).
 */
struct an_series {
	const int *days;	    /* n session days, strictly increasing */
	const int64_t *value_cents; /* n portfolio values */
	const double *rate;	    /* n annual risk-free rates, or NULL for 0;
				     * a NAN entry counts as 0 */
	const int64_t *bench_cents; /* n SPY values, or NULL when there is none */
	size_t n;
};

/* Options; a zeroed struct (or NULL) means every default. */
struct an_options {
	size_t window;	   /* rolling Sharpe window in returns; 0: 126 */
	double confidence; /* two-sided level of every interval; 0: 0.95 */
	int boot_reps;	   /* bootstrap replicates; 0: 1000; negative: none */
	double boot_block; /* mean block length in sessions; 0: m^(1/3) */
	uint64_t seed;	   /* SplitMix64 seed of the bootstrap, used as given */
};

/* One row of an attribution table. */
struct an_attr {
	char name[AN_NAMESZ];
	int64_t pnl_cents;
	int trades, wins, losses; /* a trade at exactly 0 is neither */
	double win_rate;	  /* wins / trades */
};

/*
 * One drawdown: from a peak (the last session at the running maximum before
 * the value falls below it) to the recovery (the first session back at or
 * above that peak's value, exactly equal counting as recovered), or to the
 * last session when it has not recovered. valid is 0 when there is none.
 */
struct an_drawdown {
	int valid;
	int recovered;
	size_t peak, trough, end; /* session indices */
	double depth;		  /* value[trough] / value[peak] - 1 (< 0) */
	long sessions;		  /* end - peak */
	long days;		  /* days[end] - days[peak], calendar days */
};

struct analytics {
	size_t n_sessions, n_returns;

	/* Returns and risk (NAN when they cannot be computed). */
	double total_return;	   /* value[n-1] / value[0] - 1 */
	double cagr;		   /* (1 + total_return)^(AN_YEAR / m) - 1, empyrical */
	double cagr_calendar;	   /* (1 + total_return)^(365 / calendar days) - 1, quantstats */
	double volatility;	   /* sample std of simple returns x sqrt(AN_YEAR) */
	double sharpe;		   /* mean / sample std of excess returns x sqrt(AN_YEAR) */
	double sortino;		   /* mean / downside deviation of excess returns x sqrt(AN_YEAR) */
	double max_drawdown;	   /* most negative value / running peak - 1 (<= 0) */
	double calmar;		   /* cagr / |max_drawdown| */
	double tail_ratio;	   /* |95th percentile| / |5th percentile| of simple returns */
	struct an_drawdown max_dd; /* the deepest drawdown (the first of equals) */
	struct an_drawdown longest_dd; /* the longest in sessions (the first of equals) */

	/* Closed trades. */
	int n_trades, n_wins, n_losses, n_zero;
	int64_t net_pnl_cents, gross_profit_cents, gross_loss_cents; /* loss <= 0 */
	double win_rate;					     /* n_wins / n_trades */
	double profit_factor;		      /* gross profit / |gross loss| */
	double avg_win_cents, avg_loss_cents; /* mean over wins, over losses (< 0) */
	double expectancy_cents;	      /* net P&L / n_trades */
	double avg_hold_days;		      /* mean of closed - opened, calendar days */

	/* Against SPY: excess returns on excess returns. */
	double bench_return; /* bench[n-1] / bench[0] - 1 */
	double beta;
	double alpha;		/* arithmetic: daily intercept x AN_YEAR */
	double alpha_geometric; /* empyrical: (1 + daily intercept)^AN_YEAR - 1 */

	/* Intervals at `confidence`, two-sided. */
	double confidence;
	double sharpe_se_iid, sharpe_lo_iid, sharpe_hi_iid; /* Lo 2002, IID normal */
	double sharpe_se_hac, sharpe_lo_hac, sharpe_hi_hac; /* Lo 2002, GMM, Newey-West */
	int hac_lags;
	double alpha_lo, alpha_hi; /* stationary bootstrap percentiles */
	int boot_reps;		   /* replicates drawn */
	int boot_used;		   /* of which with a finite alpha */
	double boot_block;	   /* mean block length used */

	/* Series, n_sessions entries each (NULL when n_sessions is 0). */
	double *drawdown;	/* value / running peak - 1 */
	double *rolling_sharpe; /* of the `window` returns ending at each session */
	size_t window;

	/* Monthly returns: n_years rows of 12 from first_year, row-major, and
	 * the years' own; NAN where no return falls in the month or year. */
	int first_year, n_years;
	double *monthly;
	double *yearly;

	/* Attribution, sorted by name (strcmp). */
	struct an_attr *by_ticker;
	size_t n_tickers;
	struct an_attr *by_strategy;
	size_t n_strategies;
};

/*
 * Computes every figure of s and trades (n_trades of them; NULL when 0)
 * into *a, which the caller releases with an_release even on failure.
 * Returns 0, or PT_EINVAL with err (PT_ERRSZ) saying what is wrong with the
 * input: a NULL array with n > 0, days not strictly increasing, a window
 * below 2, a confidence outside (0, 1), a name of AN_NAMESZ bytes or more.
 */
int an_compute(const struct an_series *s, const struct an_trade *trades, size_t n_trades,
	       const struct an_options *opt, struct analytics *a, char *err);
void an_release(struct analytics *a);

/*
 * The series and trades of a portfolio, as the daily report sees them: one
 * entry per snapshot (days, values, the rate the cash earned, else the
 * risk-free rate: metrics.c's), SPY's benchmark values when SPY is one,
 * and every closed position but an import's cash adjustment. Owned by the
 * struct; an_portfolio_release frees them. Names are borrowed from pf.
 */
struct an_portfolio {
	struct an_series s;
	struct an_trade *trades;
	size_t n_trades;
	int *days;
	int64_t *value_cents, *bench_cents;
	double *rate;
};
void an_portfolio_init(struct an_portfolio *p, const struct portfolio *pf);
/*
 * Puts the capital a replay started with before p's first session, dated
 * the day before it, with no rate (no return ends on it), so every figure
 * counts from that capital and the first session's own return is counted
 * (docs/metrics.md, "Inputs"); SPY's series, when p has one, starts from
 * bench_initial. Backtests, sweeps and comparisons all pass their series
 * through it. Nothing when p is empty.
 */
void an_portfolio_from_capital(struct an_portfolio *p, int64_t initial, int64_t bench_initial);
void an_portfolio_release(struct an_portfolio *p);

/*
 * Excess (or, with rate NULL, simple) daily returns of n values into out
 * (n - 1 entries), as an_compute takes them. Returns n - 1 (0 when n < 2).
 * A return from a value at or below 0 is NAN.
 */
size_t an_returns(const int64_t *value_cents, const double *rate, size_t n, double *out);

/* The standard normal distribution: the cdf, and its inverse (NAN outside
 * (0, 1)), good to a few ulps. */
double an_norm_cdf(double x);
double an_norm_ppf(double p);

/*
 * SplitMix64 (Steele, Lea and Flood 2014), the bootstrap's generator:
 * advances *state and returns the next 64 bits. docs/metrics.md says how
 * its outputs become uniforms and indices (reproducible in numpy).
 */
uint64_t an_splitmix64(uint64_t *state);

/* ---- parameter sweeps ---- */

/*
 * Expected maximum Sharpe ratio of n_trials independent trials whose
 * Sharpe ratios have variance var_sharpe (Bailey and López de Prado 2014):
 * sqrt(V) ((1 - g) Z^-1(1 - 1/N) + g Z^-1(1 - 1/(N e))), g Euler's
 * constant. 0 for one trial; NAN when n_trials < 1 or var_sharpe < 0.
 */
double an_expected_max_sharpe(double n_trials, double var_sharpe);

/*
 * Probabilistic Sharpe ratio: the probability that the true Sharpe exceeds
 * sr_star given an observed per-period sr over n_obs returns of skewness
 * skew and (non-excess) kurtosis kurt:
 * Z((sr - sr_star) sqrt(n_obs - 1) / sqrt(1 - skew sr + (kurt - 1) / 4 sr^2)).
 * NAN when n_obs < 2 or the root's argument is not positive.
 */
double an_psr(double sr, double sr_star, double n_obs, double skew, double kurt);

struct an_dsr {
	size_t n_obs, n_trials;
	double sr, sr_ann;   /* the chosen strategy's Sharpe, per period and annualised */
	double skew, kurt;   /* of its returns (population moments; kurt not excess) */
	double var_trials;   /* sample variance of the trials' per-period Sharpes */
	double sr0, sr0_ann; /* expected maximum Sharpe of the trials */
	double psr;	     /* probability that the true Sharpe exceeds 0 */
	double dsr;	     /* ... exceeds sr0: the deflated Sharpe ratio */
};

/*
 * The deflated Sharpe ratio of a strategy chosen among n_trials: its n
 * returns (pass excess returns when the trials' Sharpes are of excess
 * returns), and every trial's Sharpe, the chosen one's included, annualised
 * by periods_per_year (1 when they are per period). Returns 0, or PT_EINVAL
 * with err when an array is NULL, n_trials is 0, a trial's Sharpe or a
 * return is not finite, or periods_per_year is not positive. Figures that
 * cannot be computed (n < 2, zero variance) are NAN.
 */
int an_deflated_sharpe(const double *returns, size_t n, const double *trial_sharpe, size_t n_trials,
		       double periods_per_year, struct an_dsr *out, char *err);

/* How CSCV scores a trial over a set of periods. */
enum an_cscv_metric {
	AN_CSCV_SHARPE, /* mean / sample std (NAN below a variance of 1e-20) */
	AN_CSCV_MEAN,	/* mean */
};

struct an_cscv {
	int s;		  /* blocks */
	size_t rows_used; /* s x (t / s): the first t mod s rows are left out */
	size_t n_splits;  /* C(s, s/2) */
	double pbo;	  /* share of splits with logit <= 0 */
	double p_loss;	  /* share of splits whose chosen trial scores < 0 out of sample */
	/* Per split, in the lexicographic order of the training blocks: */
	double *logit;	   /* ln(w / (1 - w)), w the out-of-sample relative rank */
	double *is_score;  /* in-sample score of the in-sample best */
	double *oos_score; /* its out-of-sample score */
	size_t *chosen;	   /* its column */
};

/*
 * Probability of backtest overfitting by combinatorially symmetric cross
 * validation (Bailey, Borwein, López de Prado and Zhu 2015) of a t x n
 * matrix m (row-major: t periods of n trials' performance, such as daily
 * returns) cut into s (even, 2 to AN_CSCV_MAX_S) blocks of t / s rows. For
 * every choice of s/2 blocks as the training set (the rest is the test
 * set), the trial scoring best in training (the lowest column of equals;
 * NAN scores lowest) is ranked among all n out of sample (1 = worst, ties
 * get their mean rank, NAN lowest), w = rank / (n + 1). Fills *out, which
 * the caller releases with an_cscv_release even on failure. Returns 0, or
 * PT_EINVAL with err (m NULL, n < 2, s odd or out of range, fewer than 2
 * rows in a training set).
 */
int an_cscv(const double *m, size_t t, size_t n, int s, enum an_cscv_metric metric,
	    struct an_cscv *out, char *err);
void an_cscv_release(struct an_cscv *out);

#endif
