/*
 * backtest.h - many sessions replayed in memory (issue 11): the very
 * session_plan, session_step and engine_step the daily run uses, on a
 * portfolio of the backtest's own (never the home's), with no store and
 * no report rendered per session. What the daily run stores each session
 * the backtest keeps in memory: the portfolio with its ledger, positions
 * and snapshots, and the margin calls. The caller prints.
 *
 * A backtest over the same dates as a series of daily runs gives the same
 * trades and the same ledger to the cent (tests/e2e/backtest.sh).
 */
#ifndef PT_BACKTEST_H
#define PT_BACKTEST_H

#include <stddef.h>
#include <stdint.h>

#include "book/book.h"
#include "session.h"

struct config;
struct market_view;
struct provider;

/* A margin call issued on a session, and what it closed. */
struct bt_call {
	int session;
	int64_t call_cents; /* requirement above equity at the check */
	size_t n_forced;    /* positions closed on the session to meet a call */
};

struct bt_result {
	int from, to;	       /* the dates asked (day numbers) */
	int sessions;	       /* sessions run */
	struct portfolio pf;   /* after the last session */
	size_t n_trades;       /* orders filled */
	size_t n_settled;      /* positions settled at expiry */
	size_t n_early;	       /* short calls assigned early, on an ex-dividend eve */
	struct bt_call *calls; /* sessions with a new call or a forced close */
	size_t n_calls, cap_calls;
	int64_t options_quoted; /* option quotes in the views, all sessions */
	int skipped;		/* sessions with no tape (a replay of tapes) */
	double seconds;		/* wall time of the replay */
};

/* Called after each session: done of total sessions, and the caller's arg.
 * May be NULL. */
typedef void (*bt_progress_fn)(int done, int total, void *arg);

/*
 * Runs every session from..to (inclusive; non-sessions skipped) through
 * prov under cfg, on a new portfolio of cfg->initial_capital_cents, into
 * out (overwritten; bt_release it whatever the result). *stop, when not
 * NULL, is read before each session: non-zero ends the replay there
 * (out->sessions says how far it got; returns 0). Returns 0, or an error
 * in e naming the session.
 */
int bt_run(const struct config *cfg, struct provider *prov, int from, int to,
	   bt_progress_fn progress, void *arg, volatile const int *stop, struct bt_result *out,
	   struct session_err *e);
void bt_release(struct bt_result *r);

/*
 * The market of a replay: one provider for every session, or the tapes a
 * home recorded (tapes: a session_ctx that replays, session_ctx_init under
 * provider "tape" with the home's store), each session replayed from its
 * own tape at its own as-of moment, as `run --provider tape` does. A
 * session without a tape is skipped and counted.
 */
struct bt_market {
	struct provider *prov;
	struct session_ctx *tapes;
};
/* The provider of session s in m (*owned: the caller provider_frees it,
 * then releases *t), at *asof (0: the provider's own). NULL with *skip = 1
 * when s has no tape, else NULL with e filled. */
struct provider *bt_market_session(const struct bt_market *m, int s, struct tape *t, int64_t *asof,
				   int *owned, int *skip, struct session_err *e);
/* Done with what bt_market_session gave. */
void bt_market_done(struct provider *p, struct tape *t, int owned);
/* bt_run over m. */
int bt_run_market(const struct config *cfg, const struct bt_market *m, int from, int to,
		  bt_progress_fn progress, void *arg, volatile const int *stop,
		  struct bt_result *out, struct session_err *e);
/*
 * The pieces of bt_run, for replays that share one market view among many
 * portfolios (sweep.h): bt_begin starts out (overwritten) on a new
 * portfolio; bt_step runs one session on v, a view of the session loaded
 * for out's plan (or for a plan that asks at least as much), which it
 * only reads. bt_step returns 0 or an error in e naming the session.
 */
void bt_begin(const struct config *cfg, int from, int to, struct bt_result *out);
int bt_step(const struct config *cfg, const struct market_view *v, struct bt_result *out,
	    struct session_err *e);

#endif
