/*
 * view.h - the market view of one session: what a provider knows at the
 * session's as-of time and nothing after it (DESIGN.md §1, "market view for
 * D"). The engine reads only this; providers fill it.
 *
 * No look-ahead: bars stop at the session before `session`; spot, quotes
 * and chains are as of `asof` on `session`. Dividends run up to and including
 * ex-dates on `session` itself: they are declared weeks ahead, and the
 * session's opening price is already ex-dividend.
 */
#ifndef PT_VIEW_H
#define PT_VIEW_H

#include <stddef.h>
#include <stdint.h>

#include "../util/util.h"

#define MV_SYMSZ 16

struct option_quote {
	int expiry;		/* day number of the expiration date */
	double strike;
	char right;		/* 'C' or 'P' */
	double bid, ask, last;	/* dollars per share; last NAN when unknown */
	int64_t volume;		/* contracts today; -1 when unknown */
	int64_t open_interest;	/* -1 when unknown */
	double vendor_iv;	/* the data vendor's IV; NAN when none */
};

struct bar {
	int date;
	double open, high, low, close;
	int64_t volume;
};

struct dividend {
	int ex_date;
	double amount;		/* dollars per share */
};

/*
 * What a contract's numbers give that no strategy parameter changes, when a
 * reader of one view for many portfolios (a sweep) computed it once
 * (strategy_calc_*): the option model's value at the ticker's HV and the IV
 * of the bid, both at calc_rate.
 */
struct option_calc {
	double theo;
	double iv; /* NAN when iv_ok is 0 */
	int iv_ok; /* bs_implied_vol succeeded */
};

/* A ticker's option_calc, and its contracts by expiration: the expirations
 * (ascending), and for expiration e the indices idx[start[e]..start[e+1])
 * of its contracts in opts, in their order there. */
struct ticker_calc {
	long window;   /* hv_window of the HV */
	int estimator; /* its hv_estimator */
	double lambda; /* its ewma_lambda under ewma, else 0 */
	int model;     /* enum cfg_model of theo and iv */
	double hv, rate;
	struct option_calc *opt; /* n_opts */
	int *exp;
	size_t n_exp;
	size_t *start; /* n_exp + 1 */
	uint32_t *idx; /* n_opts */
};

struct ticker_view {
	char symbol[MV_SYMSZ];
	char source[MV_SYMSZ];	/* provider that served it: "sim", "yahoo", ... */
	int ok;			/* 0 when the provider could not serve this ticker */
	char error[PT_ERRSZ];	/* why, when !ok */
	char fallback[PT_ERRSZ];	/* served by a later source of a list: why the
				 * sources before did not ("" otherwise) */
	double spot;		/* underlying price at the as-of time */
	int64_t quote_time;	/* Unix time of that quote */
	struct bar *bars;	/* sessions before the view's session, oldest first */
	size_t n_bars;
	struct dividend *divs;	/* ex-dates up to and including the session, oldest first */
	size_t n_divs;
	double div_yield;	/* continuous dividend yield used for pricing */
	struct option_quote *opts;
	size_t n_opts;
	int dropped;		/* option rows dropped as bad data */
	struct ticker_calc *calc; /* NULL, or computed once for many readers;
				   * freed with the view */
};

struct market_view {
	int session;		/* day number */
	int64_t asof;		/* Unix time of the as-of moment */
	double rate;		/* risk-free rate, continuous, fraction */
	struct ticker_view *tickers;
	size_t n_tickers;
};

/* The index of expiry in c->exp, or c->n_exp when it has none. */
size_t tc_expiry_index(const struct ticker_calc *c, int expiry);
/* Frees everything the view owns and zeroes it. */
void mv_release(struct market_view *v);
/* The ticker's view, or NULL. Borrowed. */
const struct ticker_view *mv_ticker(const struct market_view *v, const char *symbol);
/* Close of the bar dated `day`, or NAN when the view has no such bar. */
double tv_close_on(const struct ticker_view *t, int day);
/* The quote of a contract, or NULL. */
const struct option_quote *tv_find_option(const struct ticker_view *t, int expiry, double strike,
					  char right);
/* Of the expirations the ticker's contracts have, the one nearest dte
 * calendar days after session (ties to the earlier: cal_nearest_expiry's
 * rule); 0 when no contract expires after session. */
int tv_nearest_expiry(const struct ticker_view *t, int session, long dte);

#endif
