/*
 * api.h - the dashboard's JSON answers (DESIGN.md §1, the last box: the
 * report, as the page reads it): /api/summary, /api/positions,
 * /api/trades, /api/snapshots and /api/health, built from a loaded
 * portfolio with the report's own functions, so the page and `papertrade
 * report --json` can never disagree. Pure: no I/O, no clock (the caller
 * passes "now"); used by the server (web/server.c) and by `papertrade
 * dashboard` (cli/serve.c), which inlines the same bodies into one file.
 */
#ifndef PT_WEB_API_H
#define PT_WEB_API_H

#include <stdint.h>

struct runlog_entry;

struct config;
struct portfolio;
struct sbuf;

/* The portfolio endpoints, in the order of the page's window.PT_DATA. */
enum web_api_kind { WEB_SUMMARY, WEB_SNAPSHOTS, WEB_POSITIONS, WEB_TRADES, WEB_RISK, WEB_N_PF };

/* "summary", "snapshots", ... : the endpoint's name (and PT_DATA key). */
const char *web_api_name(enum web_api_kind k);

/*
 * Appends the body of endpoint k for pf to out:
 *   summary    the object of `papertrade report --json` (report_json, no day), compact;
 *   positions  report_positions_json; trades report_trades_json;
 *   snapshots  the daily snapshots as columns, in dollars:
 *              {"initial_capital", "tickers": [...], "dates": [...],
 *               "portfolio": [...], "cash": [...], "margin": [...],
 *               "benchmarks": {"SPY": [...], ...}};
 *   risk       the open positions' exposure as of the last session's run
 *              time: {"asof", "rate", "positions": [{"id", "ticker",
 *              "right", "strike", "expiry", "quantity", "spot", "distance"
 *              (strike / spot - 1), "iv" (solved from the mark, else the IV
 *              at entry), "delta_shares", "gamma_shares" (per $1 of the
 *              underlying), "vega" ($ per vol point), "theta_day" ($ per
 *              calendar day)}], "tickers": {"SPY": {those four and "pnl"
 *              (realised + unrealised, $)}}, "total": {the same}}.
 * Returns 0, or -1 when out's limit is reached or the JSON library fails.
 */
int web_api_body(enum web_api_kind k, const struct portfolio *pf, const struct config *cfg,
		 struct sbuf *out);

/* What /api/health reports besides the clock. */
struct web_health_in {
	int64_t now;		/* Unix time (cli_now_epoch: PAPERTRADE_NOW fixes it) */
	const char *version;	/* papertrade's */
	int run_at_min;		/* the daily run, minutes after midnight New York */
	int last_session;	/* day number of the last session run; 0 when none */
	int scheduler;		/* 1 when serve runs the daily job itself */
	const struct runlog_entry *last_attempt;	/* the newest in runs.log, or NULL */
	int64_t retry_every;	/* seconds between the scheduler's tries after a failure */
};

/*
 * Appends /api/health: {"ok": true, "version", "now_ny": "YYYY-MM-DDTHH:MM",
 * "market": {"open", "session_today", "opens", "closes", "next_session"},
 * "last_session", "scheduler", "run_at": "HH:MM", "next_run"}; times are New
 * York's, next_run from sched_decide (the session due now, else the next
 * decision point), null when none is left in the calendar. Returns 0 or -1.
 */
int web_api_health(const struct web_health_in *in, struct sbuf *out);
/*
 * Beyond those: when a session is due and has not run, "ok" is false when
 * the last attempt at it failed, with "last_failure": {"at", "session",
 * "trigger", "message"} and "next_run" the scheduler's next try (never a
 * time already past); "missed_session" names a due session still not run
 * WEB_MISSED_AFTER seconds after its run time (the data shown is stale),
 * null otherwise.
 */
#define WEB_MISSED_AFTER 900L /* 15 minutes */

/* Appends {"error": "<msg>"} (msg JSON-escaped) and a newline. */
void web_api_error(struct sbuf *out, const char *msg);

#endif
