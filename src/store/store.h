/*
 * store.h - the SQLite store in the home folder (DESIGN.md §1: "load
 * portfolio state", "append events, commit"). The only module that talks to
 * SQLite. Schema versioned by PRAGMA user_version with ordered migrations,
 * STRICT tables, WAL, money in INTEGER cents, SQL only through prepared
 * statements.
 *
 * A run is one transaction: store_begin (BEGIN IMMEDIATE, so two runs at
 * once cannot both trade: the second waits, then sees the first's run row),
 * store_has_run, store_save, store_commit. Anything else rolls back and
 * leaves the file exactly as before.
 */
#ifndef PT_STORE_H
#define PT_STORE_H

#include <stddef.h>

struct portfolio;
struct sbuf;
struct store;

/*
 * Opens the database at path. create = 1 makes it (and the schema) when
 * missing; create = 0 fails with PT_ENOENT when missing. A file that is not
 * a papertrade database, or is corrupt, or has a newer schema, fails with
 * PT_EIO and a message saying so; the file is not changed.
 */
int store_open(const char *path, int create, struct store **out, char *err);
void store_close(struct store *s);

/* Loads the whole portfolio (positions, ledger, benchmarks, snapshots).
 * pf must be fresh (book_init'ed); initial capital comes from the store. */
int store_load(struct store *s, struct portfolio *pf, char *err);
/* Initial capital as stored at creation (set once, by store_init_account). */
int store_init_account(struct store *s, int64_t initial_cents, char *err);

int store_begin(struct store *s, char *err);
int store_commit(struct store *s, char *err);
void store_rollback(struct store *s);

/* *has = 1 when a run for session (day number) is stored. */
int store_has_run(struct store *s, int session, int *has, char *err);
/*
 * Saves the portfolio after a run of session: every position (insert or
 * update), the ledger rows not yet saved (pf->ledger_saved onward; the
 * caller sets ledger_saved after commit), the benchmarks, the session's
 * snapshot, the account state, and a run row with the report text and
 * JSON. Must be inside store_begin/store_commit.
 */
int store_save_run(struct store *s, const struct portfolio *pf, int session, const char *provider,
		   const char *report_text, const char *report_json, char *err);
/*
 * Writes a whole portfolio (positions, ledger rows not yet saved, benchmarks,
 * every snapshot, account state) with no run row: for `import`. Inside
 * store_begin/store_commit.
 */
int store_save_portfolio(struct store *s, const struct portfolio *pf, char *err);
/* The stored report of a session (latest when session is 0): caller frees. */
int store_get_report(struct store *s, int session, char **text, char **json, char *err);

/*
 * The brief's portfolio_data.json (seed/live-paper-trading-guide.md, "Files
 * Created"): export writes it from a portfolio; import reads one into a
 * fresh portfolio, with the ledger rows that keep the identities of
 * DESIGN.md §5. Input is hostile: every field checked, size capped.
 */
int store_export_json(const struct portfolio *pf, struct sbuf *out, char *err);
int store_import_json(const char *text, size_t len, struct portfolio *pf, char *err);

#endif
