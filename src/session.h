/*
 * session.h - one trading day as a library (DESIGN.md §1 and §2): what the
 * day needs (plan), the day itself (step: load the market view through the
 * providers, engine_step, book_check) and keeping it (commit: one store
 * transaction with the run row, the tape and the stored report). It never
 * prints and never reads the clock: the caller passes the as-of moment.
 * `run`, `scan` and serve's scheduler stand on it; backtests and sweeps
 * will call session_plan and session_step without a store.
 *
 * Errors: 0 or a negative PT_E* code, with `what` (a word: "run", "store",
 * "provider", or the session's date) and `why` in a struct session_err, so
 * the caller prints "papertrade: what: why" as it always has.
 */
#ifndef PT_SESSION_H
#define PT_SESSION_H

#include <stddef.h>
#include <stdint.h>

#include "book/book.h"
#include "engine.h"
#include "tape/tape.h"
#include "market/provider.h"
#include "market/view.h"
#include "util/util.h"

struct config;
struct store;
struct sched_decision;

#define SESSION_MAX_TICKERS 192 /* configured, benchmarks and held, without repeats */

struct session_err {
	char what[32];
	char why[2 * PT_ERRSZ];
	int code; /* the PT_E* code returned with it */
};

/* Fills e (what, then why as printf formats it) and returns code, or
 * PT_EINVAL for 0: `return session_fail(e, rc, date, "%s", err)`. */
int session_fail(struct session_err *e, int code, const char *what, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

/* What a session needs of the market: asked of the configuration (tickers,
 * benchmarks), the strategies (expirations) and the open positions. */
struct session_plan {
	int session;  /* day number */
	int64_t asof; /* the as-of moment (Unix time) */
	char tickers[SESSION_MAX_TICKERS][MV_SYMSZ];
	const char *tick[SESSION_MAX_TICKERS]; /* pointers into tickers, for the
						* request: use the plan in place */
	size_t n_tickers;
	int hist_from;		    /* first day of history: HV, unsettled expiries, dividends */
	struct provider_want *want; /* expirations to quote */
	size_t n_want;
};

/*
 * Plans session for portfolio pf under cfg, as of asof (0: the provider's
 * own, the session at run_at). out is overwritten; release it with
 * session_plan_release. Never fails.
 */
void session_plan(const struct portfolio *pf, const struct config *cfg, int session, int64_t asof,
		  struct session_plan *out);
void session_plan_release(struct session_plan *p);
/*
 * One plan asking what the n plans ask (n >= 1, all of one session and
 * as-of moment): their tickers and expirations without repeats, history
 * from the earliest. A view loaded for it serves each of them (sweep.h
 * says why). out is overwritten; release it with session_plan_release.
 */
void session_plan_union(const struct session_plan *plans, size_t n, struct session_plan *out);
/* The days to expiry the first strategy trades (30 when none): the
 * expiration `chain` shows by default. */
long session_strategy_days(const struct config *cfg);
/* The provider request of a plan (borrows the plan's arrays). */
void session_request(const struct session_plan *p, struct provider_req *req);

/*
 * The day itself: loads the view of plan through prov into v, runs
 * engine_step on pf (in place) into day, and checks the ledger identities.
 * v and day are overwritten; the caller releases them (mv_release,
 * engine_day_release) whatever the result. No store, no clock.
 */
int session_step(struct portfolio *pf, struct provider *prov, const struct session_plan *plan,
		 const struct config *cfg, struct market_view *v, struct engine_day *day,
		 struct session_err *e);

/*
 * session_step on a view already loaded (v->session the day): engine_step
 * and book_check on pf. v is only read, so one view may serve many
 * portfolios at once (sweeps). day is overwritten; release it.
 */
int session_step_view(struct portfolio *pf, const struct market_view *v, const struct config *cfg,
		      struct engine_day *day, struct session_err *e);

/*
 * A series of sessions run against one store: where the market data comes
 * from (one provider for every session, or for provider "tape" one per
 * session built from its tape) and where live responses are recorded.
 */
struct session_ctx {
	const struct config *cfg;
	const char *home;	 /* caches and cookies of live providers */
	struct store *st;	 /* the caller's; not closed here */
	struct provider *prov;	 /* NULL when replaying tapes */
	struct tape record; /* live responses of the session being run */
	int replay;		 /* provider = tape */
	/* The portfolio as the last session_run committed it, handed back by
	 * the caller (session_give_back) and reused by the next session_run
	 * while PRAGMA data_version says nobody else wrote: a catch-up loads
	 * the store once and copies no history. */
	struct portfolio cache;
	int cached;
	int64_t cache_version;
	int lent_session;	/* the session whose result holds it, 0 when none */
};

/* Opens the market side of ctx (the provider; the home must exist for live
 * sources). 0, or an error in e; session_ctx_release either way. */
int session_ctx_init(struct session_ctx *ctx, const struct config *cfg, const char *home,
		     struct store *st, struct session_err *e);
void session_ctx_release(struct session_ctx *ctx);

/* The provider that serves session in ctx: ctx's own, or a new one replaying
 * the session's tape (loaded into *tape, with its as-of moment in *asof).
 * *owned = 1 when the caller must provider_free it. NULL with e filled on
 * failure. */
struct provider *session_provider(struct session_ctx *ctx, int session, struct tape *tape,
				  int64_t *asof, int *owned, struct session_err *e);

enum session_status {
	SESSION_NONE,	/* a zeroed result: nothing run */
	SESSION_RAN,	/* a new run was stored */
	SESSION_HAD,	/* the session had run already: nothing changed */
	SESSION_BEHIND, /* before the portfolio's last run: nothing changed */
};

/* What session_run did: the caller prints from it. */
struct session_result {
	enum session_status status;
	int session;
	int last;		/* the portfolio's last session before the run */
	int created;		/* the account was created by this run */
	struct portfolio pf;	/* after the run (SESSION_RAN), else as loaded */
	struct engine_day day;	/* the day's events (SESSION_RAN) */
	char provider[64];	/* the source that served it (a tape: its sources) */
	struct sbuf text, json; /* the run's part of the report, as stored
				 * (SESSION_RAN); session_report renders it whole */
};

/*
 * The caller is done with res's portfolio (its day, reports and the rest
 * stay): when it is what session_run last committed on ctx, ctx keeps it
 * for the next session_run, which then neither loads the store nor copies
 * the history; otherwise it is released. res->pf is empty afterwards.
 */
void session_give_back(struct session_ctx *ctx, struct session_result *res);
/*
 * The portfolio given back, into res->pf again: ctx's, when no other
 * connection wrote since, else loaded from the store. 0, or an error in e.
 */
int session_take_back(struct session_ctx *ctx, struct session_result *res, struct session_err *e);

/*
 * The whole report of a run just done (SESSION_RAN): its sections and the
 * summary, as text (colour when color) or as indented JSON. Appends to out;
 * 0, or -1 when the JSON cannot be formatted.
 */
int session_report(const struct session_result *r, const struct config *cfg, int json, int color,
		   struct sbuf *out);
/*
 * The report of a stored session (0: the latest): for the portfolio's last
 * session the whole report, as `run` printed it (the stored run part, then
 * the summary rendered from the tables); for an earlier one only what
 * happened that session (the summary of then is not kept: the store keeps
 * the current state and each session's events). Appends to out; 0 or a
 * PT_E* code with err (PT_ERRSZ).
 */
int session_stored_report(struct store *st, const struct config *cfg, int session, int json,
			  struct sbuf *out, char *err);

/* One line saying what a run did: "2024-12-02 ran: 0 settled, 1 traded,
 * value 1000.00", "... already ran; nothing to do", "not due: the
 * portfolio has run up to ...". */
void session_outcome(const struct session_result *r, char *buf, size_t n);
/* Why day has no session: the holiday's name, "weekend" or "no session". */
const char *session_closed_reason(int day);
/* "not due: today's run is at HH:MM New York (run --date to run it now)". */
void session_not_due_text(const struct config *cfg, char *buf, size_t n);

/* Releases what a result holds and zeroes it. */
void session_result_release(struct session_result *r);

/*
 * Runs session in one store transaction: the has-run check inside it
 * (BEGIN IMMEDIATE, so two processes cannot both trade a session), the
 * portfolio loaded or created with cfg's capital, plan, step, then
 * session_commit. A session already stored is SESSION_HAD; one before the
 * portfolio's last run is SESSION_BEHIND (the caller decides whether that
 * is an error). now is the as-of moment for live sources (a tape replays
 * its own). res is overwritten; release it. 0, or an error in e with
 * nothing stored.
 */
int session_run(struct session_ctx *ctx, int session, int64_t now, struct session_result *res,
		struct session_err *e);

/*
 * Keeps a day that session_step ran: the live responses of ctx's record as
 * the session's tape, the run row with the portfolio and the report (text
 * without colour, and JSON, rendered here into text and json), then
 * COMMIT. Inside the transaction session_run began.
 */
int session_commit(struct session_ctx *ctx, const struct portfolio *pf,
		   const struct engine_day *day, const char *provider, struct sbuf *text,
		   struct sbuf *json, struct session_err *e);

/* Loads the portfolio of st, creating the account with cfg's capital when
 * there is none yet (*created = 1). Inside the run's transaction, so a run
 * that fails creates nothing. 0 or a PT_E* code with err (PT_ERRSZ). */
int session_load_or_create(struct store *st, const struct config *cfg, struct portfolio *pf,
			   int *created, char *err);

/*
 * A dry run of session for `scan`: plan and step on a copy of pf, never
 * stored; with a tape replayed when ctx replays. When the day cannot run
 * (a first session with a ticker missing its price), the strategies still
 * scan every ticker (engine_scan) and *note says why the day could not
 * run. day and v are overwritten; the caller releases them.
 */
int session_scan(struct session_ctx *ctx, const struct portfolio *pf, int session, int64_t now,
		 struct portfolio *dry, struct market_view *v, struct engine_day *day,
		 char *provider, size_t provider_sz, char *note, size_t note_sz,
		 struct session_err *e);

/*
 * The scheduled run (erratum 6; sched/ has the rules), for `run --if-due`
 * and serve's scheduler: runs today's session at `now` when sched_decide
 * says it is due and it has not run, through session_run, in a store
 * connection of its own opened by open(arg) (the caller knows the home's
 * layout) only once the clock says it may be due, so the checks every few
 * minutes before run_at take no lock and touch no file.
 */
enum session_due_what {
	SESSION_DUE_CLOSED, /* today is not a session */
	SESSION_DUE_EARLY,  /* before today's run_at */
	SESSION_DUE_DONE,   /* today already ran (or the store is ahead of the clock) */
	SESSION_DUE_RAN,    /* today's session ran now */
	SESSION_DUE_FAILED, /* see err (empty when open() reported its own failure) */
};

#define SESSION_DUE_RETRY 300 /* seconds before trying again after a failure */

struct session_due {
	enum session_due_what what;
	int today;		   /* today in New York (day number) */
	int64_t next;		   /* when to decide again (Unix time; 0: no session left) */
	char msg[3 * PT_ERRSZ];	   /* one line: what happened, or the error */
	struct session_err err;	   /* the error of a failure, to print */
	struct session_result res; /* SESSION_DUE_RAN: the run */
};

typedef int (*session_open_fn)(void *arg, struct store **st);

/* out is overwritten; release it with session_due_release. Returns 0, or
 * PT_EIO and what = SESSION_DUE_FAILED. */
int session_run_due(const struct config *cfg, const char *home, session_open_fn open, void *arg,
		    int64_t now, struct session_due *out);
void session_due_release(struct session_due *d);

#endif
