/*
 * engine.h - the daily step (DESIGN.md §1): settle, mark, scan, size and
 * risk, fill, snapshot. Deterministic and free of I/O, time and randomness:
 * the same portfolio, view and config give the same events and the same new
 * portfolio. Live runs, backtests and sweeps all call engine_step.
 */
#ifndef PT_ENGINE_H
#define PT_ENGINE_H

#include <stddef.h>
#include <stdint.h>

#include "book/book.h"
#include "market/view.h"
#include "strategy/strategy.h"

struct config;

struct engine_settle {
	int64_t pos_id;
	char ticker[BOOK_SYMSZ];
	char right;
	double strike;
	int expiry;
	double quantity;
	double close;		/* underlying close on the expiry date */
	double price;		/* intrinsic value per share settled at */
	int64_t cents;		/* cash booked */
	int64_t pnl_cents;	/* realised P&L of the position */
	char reason[BOOK_KINDSZ];
	/* early assignment on the eve of an ex-dividend date (reason
	 * "assigned early"; expiry settlements leave these 0): the ex-date,
	 * the dividend per share, the call's value after it and its time
	 * value then (both per share, by the model at the eve's close) */
	int ex_date;
	double dividend, value_after, time_value;
};

struct engine_dividend {
	char ticker[BOOK_SYMSZ];
	int ex_date;
	double amount;		/* per share */
	double price;		/* price the benchmark reinvested at */
	int64_t cents;		/* booked on shares held (0 when none) */
};

struct engine_trade {
	int64_t pos_id;
	char ticker[BOOK_SYMSZ];
	char right;
	double strike;
	int expiry;
	double quantity;	/* signed */
	double price;		/* per share */
	double spot, iv, hv, theo;
	int64_t premium_cents;
	int64_t commission_cents;
	int64_t margin_cents;	/* requirement added */
};

struct engine_day {
	int session;
	int64_t asof;			/* the view's as-of moment */
	int first;		/* 1 on the portfolio's first session */
	struct engine_settle *settled;
	size_t n_settled;
	struct engine_dividend *divs;
	size_t n_divs;
	struct scan_ticker *scans;	/* one per configured ticker, in config order */
	size_t n_scans;
	struct engine_trade *trades;
	size_t n_trades;
	int n_marked;			/* open positions marked from a quote */
	int n_model_marks;		/* ... and from the model (no usable quote) */
	struct snapshot snap;
	int64_t *bench_cents;		/* n_bench values, as in the portfolio */
	size_t n_bench;
	int dropped;			/* bad data rows dropped by providers */
	/* interest on cash since the last session (errata 9) */
	int64_t interest_cents;
	double interest_rate;		/* annual, the rate it accrued at */
	int interest_days;		/* calendar days it accrued over */
	/* the margin account (errata 8), checked after marking */
	int64_t call_prev_cents;	/* call outstanding from the last session */
	int64_t call_cents;		/* requirement above equity at the check */
	int call_issued;		/* 1: a new call, to be met by the next session */
	struct engine_settle *forced;	/* closed to meet a call, at the cost to close */
	size_t n_forced;
	struct sbuf notes;		/* warnings, one per line */
};

/*
 * Whether the holder of a call exercises it on the eve of an ex-dividend
 * date: S the eve's close, K the strike, T years from that close to
 * expiry, r the rate, sigma the call's volatility, div the dividend per
 * share. Exercise gives S - K; holding gives the call after the stock goes
 * ex, worth C(S - div) (Black-Scholes-Merton, no other dividend before
 * expiry). Returns 1 when S - K > C(S - div), i.e. when the call's time
 * value after the ex-date is below the dividend (docs/margin.md, "Early
 * assignment"); 0 otherwise (always 0 out of the money or on invalid
 * input). *value_after gets C(S - div) (NAN on invalid input).
 */
int engine_early_exercise(double S, double K, double T, double r, double sigma, double div,
			  double *value_after);

/*
 * Runs one session. pf is updated in place (its ledger gains the session's
 * rows); out is overwritten and must be released with engine_day_release.
 * Fails (PT_EINVAL, nothing changed in pf) when the view's session is not
 * after pf->last_session, or on the first session when a ticker has no
 * price to start its benchmark from.
 */
int engine_step(struct portfolio *pf, const struct market_view *v, const struct config *cfg,
		struct engine_day *out, char *err);
void engine_day_release(struct engine_day *d);
/*
 * Step 3 alone: what the strategies see on every configured ticker, with
 * nothing sized, filled or booked (pf is not changed). For `scan` on a day
 * engine_step cannot run (a first session with a ticker missing its
 * price). out is overwritten; release it with engine_day_release.
 */
void engine_scan(struct portfolio *pf, const struct market_view *v, const struct config *cfg,
		 struct engine_day *out);

/* Maintenance requirement of the account at the day's prices, in cents, on
 * the equity basis (book.h): the excess is portfolio value minus it. */
int64_t engine_margin_used(const struct portfolio *pf, const struct market_view *v,
			   const struct config *cfg);

#endif
