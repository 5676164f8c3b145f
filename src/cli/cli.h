/*
 * cli.h - what the subcommands in cli/ share: the dispatch table entry, the
 * context (home folder), exit statuses, error printing and config loading.
 * Only cli/ and web/ decide how an error reaches a person (STYLE.md).
 */
#ifndef PT_CLI_H
#define PT_CLI_H

#include <stddef.h>
#include <stdint.h>

#include "../backtest.h"
#include "../config.h"
#include "../session.h"

/* papertrade's version (--version, /api/health). */
#define PT_VERSION "0.1.0"

/* Exit statuses of DESIGN.md §5. */
enum { EXIT_OK_ = 0, EXIT_RUNTIME = 1, EXIT_USAGE = 2 };

struct cli_ctx {
	const char *home; /* resolved home folder (not created until needed) */
	int home_given;	  /* 1 when from --home or PAPERTRADE_HOME */
};

struct cli_cmd {
	const char *name;
	int (*fn)(struct cli_ctx *ctx, int argc, char **argv);
	const char *summary;
	int no_home; /* 1: runs without a home folder (HOME unset is no error) */
};

/* "papertrade: <what>: <why>" on stderr, one line. */
void cli_error(const char *what, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Prints usage to stdout (for --help) or stderr and returns EXIT_OK_ or EXIT_USAGE. */
int cli_usage(const char *text, int to_stderr);
/* Path of a file in the home folder into buf; returns 0, or -1 when too long. */
int cli_home_file(const struct cli_ctx *ctx, const char *name, char *buf, size_t n);
/* Makes the home folder (and parents) if missing; 0 or -1 with err. */
int cli_make_home(const struct cli_ctx *ctx, char *err);
/* Defaults, then papertrade.ini in the home, then PAPERTRADE_* environment,
 * then sets[0..nsets-1] ("key=value"). Returns 0, or -1 after printing the error. */
int cli_load_config(const struct cli_ctx *ctx, struct config *cfg, char **sets, size_t nsets);
/* Parses a YYYY-MM-DD argument of option `opt`; prints the error and returns -1 when bad. */
int cli_parse_date(const char *opt, const char *arg, int *day);
/* 1 when colour may be used on the stream (a TTY, NO_COLOR unset or empty,
 * TERM not dumb). */
int cli_use_color(int fd);
/* "--provider NAME" as the pair "provider=NAME" for cli_load_config, which
 * then reports a bad name as a --provider error (kept for the process's
 * life; eight at most are live at once). */
char *cli_provider_pair(const char *name);
/* Room for the --set and --provider flags of one command line. */
#define CLI_MAX_SETS 64
/* Adds --set's KEY=VALUE (provider 0) or --provider's NAME (provider 1) to
 * sets (CLI_MAX_SETS entries, *n used): 0, or -1 with the error printed
 * (exit EXIT_USAGE). cli_load_config applies them. */
int cli_add_set(char **sets, size_t *n, char *arg, int provider);
/* 1 when pair came from cli_provider_pair. */
int cli_is_provider_pair(const char *pair);
/* 1 when source is the sim and it invents symbol's market (the sim models
 * SPY, VOO, VTI and QQQ; other symbols get parameters derived from the name). */
int cli_sim_synthetic(const char *source, const char *symbol);
#define CLI_SYNTHETIC_WHY                                                                          \
	"synthetic: the sim knows SPY, VOO, VTI and QQQ; other symbols get invented parameters"
/* 1 when sym looks like a ticker symbol: 1 to 15 of A-Z a-z 0-9 . ^ = _ -. */
int cli_ticker_ok(const char *sym);
/* Seconds on the monotonic clock. */
double cli_mono(void);
/* The sessions a replay (backtest, sweep, compare) runs: *to 0 becomes the
 * last session before today in New York; both checked (before today, in
 * order, in the calendar's years, with a session between). 0, or -1 with
 * the one-line error printed (exit EXIT_USAGE). */
int cli_replay_range(int *from, int *to);
/* The market of a replay (backtest, sweep, compare) under cfg: the
 * provider, or for provider tape the tapes of the home's store (read, never
 * written). */
struct cli_market {
	struct bt_market m;
	struct provider *prov;
	struct store *st;
	struct session_ctx sc;
	int has_sc;
};
/* 0, or -1 with the error printed (exit EXIT_RUNTIME); cli_market_close
 * either way. */
int cli_market_open(const struct cli_ctx *ctx, const struct config *cfg, struct cli_market *cm);
void cli_market_close(struct cli_market *cm);
/* What serves it: "sim", "yahoo,cboe", "tape". */
const char *cli_market_name(const struct cli_market *cm);
/* The error of a replay of from..to as cmd that ran no session: skipped
 * sessions (no tape in the range) or stopped (interrupted). */
void cli_no_session(const char *cmd, int skipped, int stopped, int from, int to);

/*
 * A replay on the history alone (provider "history"): what cli_history_fit
 * left out and how it moved the dates.
 */
#define CLI_FIT_MAX 256 /* distinct tickers over every configuration */
struct cli_fit {
	struct cli_left {
		char ticker[CFG_SYMSZ];
		char why[128];
	} left[CLI_FIT_MAX];
	size_t n_left;
	char clamped[512];	  /* how the dates were moved, "" when they were not */
	int asked_from, asked_to; /* the dates before they were moved */
};
/*
 * Leaves out of every cfgs[i] (n of them; names[i] names each in errors,
 * or names is NULL for one) the tickers with no option data in the home's
 * history over *from..*to, then moves *from and *to inside the sessions the
 * history holds for every ticker left, so that every configuration replays
 * the same sessions. Never invents data: what is left is what the history
 * has. Fills fit (cli_fit_say prints it); returns 0, or an exit status
 * after printing the one-line error as cmd (no ticker left, histories that
 * do not overlap).
 */
int cli_history_fit(const struct cli_ctx *ctx, const char *cmd, struct config *const *cfgs,
		    const char *const *names, size_t n, int *from, int *to, struct cli_fit *fit);
/* Prints fit's notes as cmd: the tickers left out, the dates moved (a line each). */
void cli_fit_say(const char *cmd, const struct cli_fit *fit);
/* "SPY, VOO: not in the history; QQQ: not in the history between ..." */
void cli_fit_text(const struct cli_fit *fit, char *buf, size_t size);
/* Sets obj's key ([{"ticker", "why"}]: "left_out" in backtest and sweep)
 * and "dates_moved" (the text, or null). */
struct json_t;
void cli_fit_json(const struct cli_fit *fit, struct json_t *obj, const char *key);
/* "papertrade: N of M sessions, X/s, about T left" on one updating line of
 * stderr (a TTY's), ten updates a second at most; t0 is cli_mono() at the
 * start. The caller clears the line ("\r\033[K") when done. */
void cli_progress(int done, int total, double t0);

struct store;
struct portfolio;
/*
 * Opens the home's database. create = 1 makes the home folder, a default
 * papertrade.ini and the database (its schema, atomically) when missing;
 * create = 0 fails when there is none. Prints the error and returns -1 on
 * failure; the caller store_close()s.
 */
int cli_open_store(const struct cli_ctx *ctx, int create, struct store **st);
/* cli_open_store(ctx, 1, st) in the shape session_run_due asks for. */
int cli_open_home_store(void *ctx, struct store **st);
/* Opens the database and loads the portfolio; fails (printing why) when there
 * is no portfolio. The caller store_close()s and book_release()s. */
int cli_open_portfolio(const struct cli_ctx *ctx, struct store **st, struct portfolio *pf);
/* Now in New York: day number and minute of day (PAPERTRADE_NOW=YYYY-MM-DDTHH:MM,
 * New York time, overrides the clock for tests). Returns 0 or -1 after printing. */
int cli_now_ny(int *day, int *minute);
/* Writes a file the user asked for (export --out, dashboard --out) whole
 * or not at all: pt_write_atomic (util/file.h) with mode 0666 less the
 * umask. 0, or a PT_E* code with err naming the file. */
int cli_write_atomic(const char *path, const char *buf, size_t len, char *err);
/* Now as Unix time (PAPERTRADE_NOW honoured, to the minute). */
int64_t cli_now_epoch(void);

/*
 * One tick of serve's scheduler (DESIGN.md erratum 6; src/sched/sched.h has
 * the rules, src/session.h the run): reads the config afresh and runs
 * today's session through session_run_due when it is due at `now` (Unix
 * time), in a store connection of its own, so it may be called again and
 * again from one thread while other threads read the database; make one
 * New York time conversion (calendar.h) before starting threads. Prints
 * nothing but errors ("papertrade: what: why"); the report of a new run is
 * stored (`report`, the dashboard). msg (msgsz bytes; 768 is plenty) gets
 * one line without the "papertrade: " prefix: "2024-12-02 ran: 0 settled,
 * 1 traded, value 1000.00", "not due: ...", "2024-11-28: market closed
 * (Thanksgiving Day); nothing to do (next run ...)", "... already ran;
 * nothing to do (next run ...)", or the error. *next (may be NULL) gets the
 * time to call again: the next run_at instant on a session not yet run
 * (> now; 0 when none is left in the calendar's years), or now +
 * SESSION_DUE_RETRY after a failure. Returns 0 (ran, or nothing to do) or
 * EXIT_RUNTIME.
 */
int cli_run_due(const struct cli_ctx *ctx, int64_t now, int64_t *next, char *msg, size_t msgsz);
/* Records a due run's attempt in the home's runs.log (runlog.h) when it
 * ran or failed (nothing when it was not due or had run already), and
 * sends the notifications cfg asks for (notify.h); a failure to notify is
 * said on stderr and changes nothing else. */
struct session_due;
struct session_result;
/* Sends the notifications cfg asks for (notify.h) about one run attempt of
 * session (a day number) by trigger ("scheduled", "if-due", "manual") at
 * now: res is the run done (its whole report is sent), or NULL when it
 * failed with msg. msg is the one-line outcome (the subject). A failure to
 * notify is said on stderr and changes nothing else. */
void cli_notify_run(const struct config *cfg, const char *trigger, int64_t now, int session,
		    const struct session_result *res, const char *msg);
void cli_log_due(const struct cli_ctx *ctx, const struct config *cfg, const char *trigger,
		 int64_t now, const struct session_due *due);

/* Subcommands. Each parses its own flags with getopt_long and has --help. */
int cmd_init(struct cli_ctx *ctx, int argc, char **argv);
int cmd_run(struct cli_ctx *ctx, int argc, char **argv);
int cmd_report(struct cli_ctx *ctx, int argc, char **argv);
int cmd_scan(struct cli_ctx *ctx, int argc, char **argv);
int cmd_positions(struct cli_ctx *ctx, int argc, char **argv);
int cmd_trades(struct cli_ctx *ctx, int argc, char **argv);
int cmd_export(struct cli_ctx *ctx, int argc, char **argv);
int cmd_import(struct cli_ctx *ctx, int argc, char **argv);
int cmd_calendar(struct cli_ctx *ctx, int argc, char **argv);
int cmd_expirations(struct cli_ctx *ctx, int argc, char **argv);
int cmd_price(struct cli_ctx *ctx, int argc, char **argv);
int cmd_iv(struct cli_ctx *ctx, int argc, char **argv);
int cmd_tape(struct cli_ctx *ctx, int argc, char **argv);
int cmd_quote(struct cli_ctx *ctx, int argc, char **argv);
int cmd_chain(struct cli_ctx *ctx, int argc, char **argv);
int cmd_schedule(struct cli_ctx *ctx, int argc, char **argv);
int cmd_serve(struct cli_ctx *ctx, int argc, char **argv);
int cmd_dashboard(struct cli_ctx *ctx, int argc, char **argv);
int cmd_doctor(struct cli_ctx *ctx, int argc, char **argv);
int cmd_history(struct cli_ctx *ctx, int argc, char **argv);
int cmd_backtest(struct cli_ctx *ctx, int argc, char **argv);
int cmd_sweep(struct cli_ctx *ctx, int argc, char **argv);
int cmd_compare(struct cli_ctx *ctx, int argc, char **argv);

#endif
