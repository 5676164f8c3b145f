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
 *
 * Errors: 0 or a negative PT_E* code with a one-line message in err
 * (PT_ERRSZ) naming the file, including SQLite's own words where it has
 * any. PT_EBUSY when another connection held the write lock for the whole
 * busy timeout (10 s); PT_EINVAL for data the schema refuses.
 *
 * Schema notes (store.c has the text): money in INTEGER cents; dates as TEXT
 * 'YYYY-MM-DD' (NULL where the struct holds 0), so the file reads well in
 * the sqlite3 shell; per-share prices and quantities REAL, NULL where the
 * struct holds NaN.
 */
#ifndef PT_STORE_H
#define PT_STORE_H

#include <stddef.h>
#include <stdint.h>

struct portfolio;
struct sbuf;
struct store;

/*
 * Opens the database at path. create = 1 makes it (and the schema) when
 * missing; create = 0 fails with PT_ENOENT when missing. A file that is not
 * a papertrade database, or is corrupt, or has a newer schema, fails with
 * PT_EIO and a message saying so; the file is not changed (its header and
 * schema are checked through a read-only connection before it is opened for
 * writing). Opening stays cheap whatever the file's size: the whole-file
 * check is store_check's. An empty file counts as missing when create = 1,
 * else as not a papertrade database. Pending migrations run in one
 * transaction (a file migrated across version 6 is then vacuumed once). WAL
 * journal with synchronous = NORMAL (commits are atomic, synced at a
 * checkpoint), foreign keys on. store_close(NULL) is a no-op; closing with
 * a transaction open rolls it back; closing a connection that wrote
 * checkpoints, so what it committed is on disk.
 */
int store_open(const char *path, int create, struct store **out, char *err);
void store_close(struct store *s);
/* PRAGMA quick_check over the whole file (seconds on a large one), or with
 * full = 1 PRAGMA integrity_check (also every index against its table,
 * slower still): PT_EIO "database is corrupt (...)" when it fails. For
 * serve's start (quick) and `doctor` (full), not every open. */
int store_check(struct store *s, int full, char *err);
/* Copies the WAL into the database file and truncates it (a TRUNCATE
 * checkpoint): 0 when the file alone now holds every commit, PT_EIO with
 * SQLite's reason (a full disk) otherwise. For a new database before it is
 * linked into place: its WAL is not linked with it. */
int store_checkpoint(struct store *s, char *err);

/* What `doctor` reports of a store beyond store_check. */
struct store_stats {
	int schema;		/* PRAGMA user_version */
	int schema_current;	/* the version this build writes */
	int64_t bytes;		/* page_count x page_size (the WAL aside) */
	size_t fk_violations;	/* rows PRAGMA foreign_key_check names */
	size_t runs;		/* stored runs */
	size_t bad_runs;	/* of them, whose report does not read back */
	int first_bad_run;	/* the session of the first such run, 0 when none */
};
/* Fills *out, reading every stored run's report back (decompressing it).
 * Returns 0, or a PT_E* code with err when the file cannot be read. */
int store_stats(struct store *s, struct store_stats *out, char *err);

/* Loads the whole portfolio (positions, ledger, benchmarks, snapshots).
 * pf must be fresh (book_init'ed); initial capital comes from the store.
 * Sets ledger_saved = n_ledger. Runs in one read transaction of its own
 * unless called inside store_begin. PT_ENOENT when there is no account yet.
 * On failure pf may hold part of the data: book_release it. */
int store_load(struct store *s, struct portfolio *pf, char *err);
/*
 * store_load, also giving the PRAGMA data_version of the snapshot it read
 * (the account row is read first, so the version is that of the whole
 * picture). *version is set even on PT_ENOENT (no account yet).
 */
int store_load_versioned(struct store *s, struct portfolio *pf, int64_t *version, char *err);
/*
 * PRAGMA data_version outside any transaction: a number that changes when
 * another connection commits. Cheap (a prepared statement kept open), so a
 * reader may ask before every answer whether what it built is stale.
 * Only comparable with values from the same connection.
 */
int store_data_version(struct store *s, int64_t *version, char *err);
/* Initial capital as stored at creation (set once, by store_init_account:
 * PT_EINVAL when the account exists already). */
int store_init_account(struct store *s, int64_t initial_cents, char *err);

/* BEGIN IMMEDIATE: waits up to the busy timeout for another writer, then
 * PT_EBUSY. No nesting (PT_EINVAL). */
int store_begin(struct store *s, char *err);
/* Commits; on failure the transaction is rolled back. */
int store_commit(struct store *s, char *err);
/* Rolls back the open transaction, if any. */
void store_rollback(struct store *s);

/* *has = 1 when a run for session (day number) is stored. */
int store_has_run(struct store *s, int session, int *has, char *err);
/*
 * Saves the portfolio after a run of session, as a delta: the positions
 * open or closed since the previous snapshot's session (insert or update;
 * older closed ones cannot change and are not written), the ledger rows
 * not yet saved (pf->ledger_saved onward; the caller sets ledger_saved
 * after commit), the benchmarks, the session's snapshot, the account
 * state, and a run row with the run's own part of the report (text and
 * JSON: what happened that session; the summary is rendered from the
 * tables when asked). Must be inside store_begin/store_commit. The last
 * element of pf->snaps must be session's; a run already stored for
 * session is PT_EINVAL (check store_has_run first). report_text/json may
 * be NULL.
 */
int store_save_run(struct store *s, const struct portfolio *pf, int session, const char *provider,
		   const char *report_text, const char *report_json, char *err);
/*
 * Writes a whole portfolio (positions, ledger rows not yet saved, benchmarks,
 * every snapshot, account state) with no run row: for `import`. Inside
 * store_begin/store_commit.
 */
int store_save_portfolio(struct store *s, const struct portfolio *pf, char *err);
/* The stored run part of a session's report (latest when session is 0):
 * caller frees both (never NULL on success: "" when none was stored).
 * PT_ENOENT when no run is stored for session (or none at all). */
int store_get_report(struct store *s, int session, char **text, char **json, char *err);
/* store_get_report, also giving the session found (*found, a day number)
 * and the provider that served it (into provider, provider_sz bytes; may
 * be 0). */
int store_get_run(struct store *s, int session, int *found, char **text, char **json,
		  char *provider, size_t provider_sz, char *err);

/*
 * Tapes (DESIGN.md §6; the record type is tape/tape.h's): every raw
 * response a live run used, stored in the run's transaction, each body
 * zlib-compressed with its length and CRC-32. Tape files are tape/'s too.
 */
struct tape;
/* A stored tape: what it was recorded for (the fields of tape.h's struct
 * tape_info) and how it is stored. */
struct store_tape_info {
	int session;		/* day number */
	int64_t asof;		/* the run's as-of moment (Unix time) */
	char sources[64];	/* the provider list it was recorded with */
	int64_t recorded_at;	/* Unix time it was stored */
	size_t n;		/* responses */
	uint64_t raw_bytes;	/* their bodies, and as stored */
	uint64_t stored_bytes;
};
/* Saves a tape for session; inside the run's transaction. A second tape for
 * the same session is an error. */
int store_save_tape(struct store *s, int session, int64_t asof, const char *sources,
		    const struct tape *t, char *err);
/* Loads (and checks: every body decompresses to its length and CRC-32) the
 * tape of session into t (initialised here; the caller releases it after a
 * success, after a failure it is empty) and what it is into info.
 * PT_ENOENT when there is none. */
int store_load_tape(struct store *s, int session, struct tape *t,
		    struct store_tape_info *info, char *err);
/* Every tape, oldest first; the caller frees *out. */
int store_list_tapes(struct store *s, struct store_tape_info **out, size_t *n, char *err);

#endif
