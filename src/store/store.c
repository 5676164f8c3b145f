/*
 * store.c - the SQLite store in the home folder (DESIGN.md §1: "store: load
 * portfolio state", "store: append events, commit"; §2 store/). The only
 * file that talks to SQLite; see store.h for the API. (The brief's
 * portfolio_data.json is brief/, beside it.)
 *
 * Schema (version 1; PRAGMA user_version, migrations below, applied in one
 * transaction; PRAGMA application_id marks the file as papertrade's):
 *   - every table is STRICT;
 *   - money is INTEGER cents, never REAL; quantities and per-share prices are
 *     REAL, NULL where the struct holds NaN (an unknown IV, say), since SQLite
 *     cannot store NaN;
 *   - dates are TEXT 'YYYY-MM-DD' (readable with the sqlite3 shell, sorting
 *     like the day numbers they stand for), NULL where the struct holds 0
 *     ("not yet": an open position's close date, shares' expiry).
 * The text of every table is in migrations[0]: `sqlite3 papertrade.db .schema`.
 *
 * Growth (issue 10): a run appends O(1) rows (its snapshot, its ledger rows,
 * its run row) and rewrites only the positions that can have changed; its
 * run row keeps the run's own part of the report, zlib-compressed (about
 * 1.3 kB), never the cumulative summary, which is rendered from the tables.
 */
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <sqlite3.h>
#include <zlib.h>

#include "store.h"
#include "../book/book.h"
#include "../tape/tape.h"
#include "../util/date.h"
#include "../util/util.h"

/* "PTrd": PRAGMA application_id of every papertrade database. */
#define STORE_APP_ID 0x50547264
/* How long a connection waits for another's write lock (a concurrent run). */
#define STORE_BUSY_MS 10000
/* Benchmarks a portfolio can have: one per configured ticker (CFG_MAX_TICKERS). */
#define STORE_MAX_BENCH 64

struct store {
	sqlite3 *db;
	char *path;
	int in_tx;
	sqlite3_stmt *dv;	/* PRAGMA data_version, kept prepared (store_data_version) */
};

/* The rule line of the text reports (report.c), for migration 6. */
#define RULE_70 "======================================================================"

/* A date column: TEXT 'YYYY-MM-DD' that SQLite's date() gives back unchanged. */
#define DATE_OK(c) "(" c " IS NULL OR date(" c ") IS " c ")"

/*
 * Ordered migrations: migrations[i] takes a file from user_version i to i + 1.
 * Append, never edit a step that has shipped.
 */
/* clang-format off */
static const char *const migrations[] = {
	/* 1: the initial schema. */
	"CREATE TABLE account ("
	"\n  id INTEGER PRIMARY KEY CHECK (id = 1),"
	"\n  initial_cents INTEGER NOT NULL,"
	"\n  start TEXT CHECK " DATE_OK("start") ","
	"\n  last_session TEXT CHECK " DATE_OK("last_session") ","
	"\n  events_through TEXT CHECK " DATE_OK("events_through") ","
	"\n  cash_cents INTEGER NOT NULL,"
	"\n  income_cents INTEGER NOT NULL,"
	"\n  next_pos_id INTEGER NOT NULL CHECK (next_pos_id >= 1),"
	"\n  next_ledger_id INTEGER NOT NULL CHECK (next_ledger_id >= 1)"
	"\n) STRICT;\n"
	"CREATE TABLE positions ("
	"\n  id INTEGER PRIMARY KEY CHECK (id >= 1),"
	"\n  ticker TEXT NOT NULL CHECK (length(ticker) BETWEEN 1 AND 15),"
	"\n  \"right\" TEXT NOT NULL CHECK (\"right\" IN ('C', 'P', 'S')),"
	"\n  strike REAL NOT NULL CHECK (strike >= 0),"
	"\n  expiry TEXT CHECK " DATE_OK("expiry") ","
	"\n  quantity REAL NOT NULL,"
	"\n  entry_price REAL NOT NULL,"
	"\n  opened TEXT NOT NULL CHECK " DATE_OK("opened") ","
	"\n  credit_cents INTEGER NOT NULL,"
	"\n  mark REAL,"
	"\n  mark_model INTEGER NOT NULL CHECK (mark_model IN (0, 1)),"
	"\n  entry_spot REAL,"
	"\n  entry_iv REAL,"
	"\n  entry_hv REAL,"
	"\n  entry_theo REAL,"
	"\n  closed TEXT CHECK " DATE_OK("closed") ","
	"\n  exit_price REAL,"
	"\n  close_cents INTEGER NOT NULL,"
	"\n  reason TEXT NOT NULL CHECK (length(reason) <= 15)"
	"\n) STRICT;\n"
	"CREATE TABLE ledger ("
	"\n  id INTEGER PRIMARY KEY CHECK (id >= 1),"
	"\n  session TEXT NOT NULL CHECK " DATE_OK("session") ","
	"\n  position_id INTEGER REFERENCES positions(id),"
	"\n  kind TEXT NOT NULL CHECK (length(kind) BETWEEN 1 AND 15),"
	"\n  cents INTEGER NOT NULL,"
	"\n  memo TEXT NOT NULL CHECK (length(memo) <= 95)"
	"\n) STRICT;\n"
	"CREATE INDEX ledger_position ON ledger(position_id);\n"
	"CREATE TABLE benchmarks ("
	"\n  ord INTEGER PRIMARY KEY,"
	"\n  ticker TEXT NOT NULL UNIQUE CHECK (length(ticker) BETWEEN 1 AND 15),"
	"\n  shares REAL NOT NULL,"
	"\n  price REAL NOT NULL"
	"\n) STRICT;\n"
	"CREATE TABLE snapshots ("
	"\n  session TEXT PRIMARY KEY NOT NULL CHECK " DATE_OK("session") ","
	"\n  cash_cents INTEGER NOT NULL,"
	"\n  positions_cents INTEGER NOT NULL,"
	"\n  value_cents INTEGER NOT NULL,"
	"\n  margin_cents INTEGER NOT NULL,"
	"\n  CHECK (value_cents = cash_cents + positions_cents)"
	"\n) STRICT;\n"
	"CREATE TABLE snapshot_bench ("
	"\n  session TEXT NOT NULL REFERENCES snapshots(session),"
	"\n  ticker TEXT NOT NULL,"
	"\n  value_cents INTEGER NOT NULL,"
	"\n  PRIMARY KEY (session, ticker)"
	"\n) STRICT;\n"
	"CREATE TABLE runs ("
	"\n  session TEXT PRIMARY KEY NOT NULL CHECK " DATE_OK("session") ","
	"\n  provider TEXT NOT NULL,"
	"\n  started_at INTEGER NOT NULL," /* Unix time the run was stored */
	"\n  report_text TEXT,"
	"\n  report_json TEXT"
	"\n) STRICT;\n",
	/* 2: the risk-free rate of each session, for Sharpe, Sortino and alpha. */
	"ALTER TABLE snapshots ADD COLUMN rate REAL;\n",
	/* 3: tapes: every raw response a live run used, zlib-compressed. */
	"CREATE TABLE tapes ("
	"\n  session TEXT PRIMARY KEY NOT NULL CHECK " DATE_OK("session") ","
	"\n  asof INTEGER NOT NULL,"
	"\n  sources TEXT NOT NULL CHECK (length(sources) BETWEEN 1 AND 63),"
	"\n  recorded_at INTEGER NOT NULL"
	"\n) STRICT;\n"
	"CREATE TABLE tape_responses ("
	"\n  session TEXT NOT NULL REFERENCES tapes(session),"
	"\n  seq INTEGER NOT NULL CHECK (seq >= 0),"
	"\n  url TEXT NOT NULL,"
	"\n  status INTEGER NOT NULL,"
	"\n  fetched_at INTEGER NOT NULL,"
	"\n  content_type TEXT NOT NULL,"
	"\n  raw_len INTEGER NOT NULL CHECK (raw_len >= 0),"
	"\n  crc32 INTEGER NOT NULL,"
	"\n  body BLOB NOT NULL," /* zlib stream of the raw body */
	"\n  PRIMARY KEY (session, seq)"
	"\n) STRICT;\n",
	/* 4: the strategy that opened each option position (every option
	 * before this was volarb's, the only strategy there was). */
	"ALTER TABLE positions ADD COLUMN strategy TEXT NOT NULL DEFAULT ''"
	" CHECK (length(strategy) <= 15);\n"
	"UPDATE positions SET strategy = 'volarb' WHERE \"right\" <> 'S';\n",
	/* 5: the margin account and interest on cash (errata 8, 9): each
	 * session's margin call and the rate its cash earned, the interest
	 * accrued but not yet booked. margin_cents of older rows included the
	 * short options' value; from here on it is on the equity basis. */
	"ALTER TABLE snapshots ADD COLUMN call_cents INTEGER NOT NULL DEFAULT 0"
	" CHECK (call_cents >= 0);\n"
	"ALTER TABLE snapshots ADD COLUMN cash_rate REAL;\n"
	"ALTER TABLE account ADD COLUMN interest_carry REAL NOT NULL DEFAULT 0;\n",
	/* 6: a run keeps what happened in its session, not the whole report
	 * again: report_text the run's sections (the text up to the summary,
	 * "DAILY PORTFOLIO REPORT"), report_json the "run" object. The summary
	 * is rendered from the tables when asked (issue 10). */
	"UPDATE runs SET report_text = substr(report_text, 1, instr(report_text,"
	" char(10) || '" RULE_70 "' || char(10) || 'DAILY PORTFOLIO REPORT'))"
	" WHERE instr(report_text, char(10) || '" RULE_70 "' || char(10) ||"
	" 'DAILY PORTFOLIO REPORT') > 0;\n"
	"UPDATE runs SET report_json = json_extract(report_json, '$.run')"
	" WHERE json_valid(report_json) AND json_type(report_json, '$.run') = 'object';\n"
	/* ... and keeps them zlib-compressed with their lengths (the plain
	 * columns are then NULL; migrate() compresses the rows above). */
	"ALTER TABLE runs ADD COLUMN text_len INTEGER CHECK (text_len >= 0);\n"
	"ALTER TABLE runs ADD COLUMN text_z BLOB;\n"
	"ALTER TABLE runs ADD COLUMN json_len INTEGER CHECK (json_len >= 0);\n"
	"ALTER TABLE runs ADD COLUMN json_z BLOB;\n",
};
/* The first version whose runs hold only the run's own part: a file
 * migrated from before it is vacuumed once, to give back the space. */
#define SCHEMA_SLIM_RUNS 6
/* clang-format on */
#define SCHEMA_VERSION ((int)PT_ARRAY_SIZE(migrations))

/* Maps an SQLite result to our codes: busy = another writer, constraint = bad data. */
static int code_of(int rc)
{
	switch (rc & 0xff) {
	case SQLITE_BUSY:
	case SQLITE_LOCKED:
		return PT_EBUSY;
	case SQLITE_CONSTRAINT:
	case SQLITE_RANGE:
	case SQLITE_TOOBIG:
		return PT_EINVAL;
	default:
		return PT_EIO;
	}
}

static int db_err(struct store *s, int rc, const char *what, char *err)
{
	return pt_err(err, code_of(rc), "%s: %s: %s", s->path, what, sqlite3_errmsg(s->db));
}

/* Runs SQL with no parameters and no rows (transaction control, pragmas, DDL). */
static int exec(struct store *s, const char *sql, const char *what, char *err)
{
	int rc = sqlite3_exec(s->db, sql, NULL, NULL, NULL);

	return rc == SQLITE_OK ? 0 : db_err(s, rc, what, err);
}

static int prep(struct store *s, const char *sql, sqlite3_stmt **st, char *err)
{
	int rc = sqlite3_prepare_v2(s->db, sql, -1, st, NULL);

	if (rc != SQLITE_OK) {
		*st = NULL;
		return db_err(s, rc, "prepare", err);
	}
	return 0;
}

/*
 * Parameter binding in order, remembering the first failure, so a statement
 * with twenty parameters reads as twenty lines and one check.
 */
struct bind {
	sqlite3_stmt *st;
	int i;
	int rc;
	const char *why; /* our own reason when rc is not SQLite's */
};

static void bind_start(struct bind *b, sqlite3_stmt *st)
{
	b->st = st;
	b->i = 0;
	b->rc = SQLITE_OK;
	b->why = NULL;
}

static void b_int(struct bind *b, int64_t v)
{
	if (b->rc == SQLITE_OK)
		b->rc = sqlite3_bind_int64(b->st, ++b->i, v);
}

/* NaN is stored as NULL (SQLite would do so silently; we say it). */
static void b_real(struct bind *b, double v)
{
	if (b->rc != SQLITE_OK)
		return;
	b->i++;
	b->rc = isnan(v) ? sqlite3_bind_null(b->st, b->i) : sqlite3_bind_double(b->st, b->i, v);
}

static void b_text(struct bind *b, const char *v)
{
	if (b->rc != SQLITE_OK)
		return;
	b->i++;
	b->rc = v ? sqlite3_bind_text(b->st, b->i, v, -1, SQLITE_TRANSIENT)
	          : sqlite3_bind_null(b->st, b->i);
}

static int date_storable(int day)
{
	return day >= date_from_ymd(1900, 1, 1) && day <= date_from_ymd(2199, 12, 31);
}

/* A day number as 'YYYY-MM-DD'; 0 as NULL. */
static void b_date(struct bind *b, int day)
{
	char buf[DATE_BUFSZ];

	if (b->rc != SQLITE_OK)
		return;
	b->i++;
	if (!day) {
		b->rc = sqlite3_bind_null(b->st, b->i);
		return;
	}
	if (!date_storable(day)) {
		b->rc = SQLITE_RANGE;
		b->why = "date out of range 1900-2199";
		return;
	}
	b->rc = sqlite3_bind_text(b->st, b->i, date_fmt(day, buf), -1, SQLITE_TRANSIENT);
}

static int bind_done(struct store *s, struct bind *b, const char *what, char *err)
{
	if (b->rc == SQLITE_OK)
		return 0;
	if (b->why)
		return pt_err(err, PT_ERANGE, "%s: %s: %s (parameter %d)", s->path, what, b->why,
		              b->i);
	return db_err(s, b->rc, what, err);
}

/* Steps a statement that returns no rows, then resets it for the next binding. */
static int step_done(struct store *s, sqlite3_stmt *st, const char *what, char *err)
{
	int rc = sqlite3_step(st);

	if (rc != SQLITE_DONE) {
		db_err(s, rc, what, err);
		sqlite3_reset(st);
		return code_of(rc);
	}
	rc = sqlite3_reset(st);
	if (rc != SQLITE_OK)
		return db_err(s, rc, what, err);
	rc = sqlite3_clear_bindings(st);
	return rc == SQLITE_OK ? 0 : db_err(s, rc, what, err);
}

/* Reading columns back: the inverse of the binders above. */
static int col_date(sqlite3_stmt *st, int i, int *day)
{
	const unsigned char *t;

	if (sqlite3_column_type(st, i) == SQLITE_NULL) {
		*day = 0;
		return 0;
	}
	t = sqlite3_column_text(st, i);
	return t && !date_parse((const char *)t, day) ? 0 : -1;
}

static double col_real(sqlite3_stmt *st, int i)
{
	return sqlite3_column_type(st, i) == SQLITE_NULL ? NAN : sqlite3_column_double(st, i);
}

/* Text into a fixed buffer; -1 when it does not fit (a corrupt row). */
static int col_str(sqlite3_stmt *st, int i, char *dst, size_t n)
{
	const unsigned char *t = sqlite3_column_text(st, i);

	return pt_strlcpy(dst, t ? (const char *)t : "", n);
}

static int pragma_int(sqlite3 *db, const char *sql, int *out)
{
	sqlite3_stmt *st = NULL;
	int rc = sqlite3_prepare_v2(db, sql, -1, &st, NULL);

	if (rc == SQLITE_OK) {
		rc = sqlite3_step(st);
		if (rc == SQLITE_ROW) {
			*out = sqlite3_column_int(st, 0);
			rc = SQLITE_OK;
		} else if (rc == SQLITE_DONE) {
			*out = 0;
			rc = SQLITE_OK;
		}
	}
	sqlite3_finalize(st);
	return rc;
}

/*
 * Checks an existing, non-empty file through a read-only connection, so
 * nothing is written to a file that turns out not to be ours: an SQLite
 * database, ours, no newer than this build. Cheap (the header and the
 * schema): the whole-file check is store_check's, for serve's start.
 */
static int check_file(const char *path, char *err)
{
	sqlite3 *db = NULL;
	int rc, app = 0, ver = 0, n = 0, code = 0;

	rc = sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL);
	if (rc != SQLITE_OK) {
		code = pt_err(err, PT_EIO, "%s: cannot open: %s", path,
		              db ? sqlite3_errmsg(db) : sqlite3_errstr(rc));
		goto out;
	}
	sqlite3_busy_timeout(db, STORE_BUSY_MS);
	rc = pragma_int(db, "PRAGMA application_id", &app);
	if (rc == SQLITE_OK)
		rc = pragma_int(db, "PRAGMA user_version", &ver);
	/* Reading the schema catches a file whose first pages are not SQLite's. */
	if (rc == SQLITE_OK)
		rc = pragma_int(db, "SELECT count(*) FROM sqlite_schema", &n);
	if (rc != SQLITE_OK)
		goto sqlfail;
	if (app != STORE_APP_ID) {
		code = pt_err(err, PT_EIO, "%s: not a papertrade database (application_id 0x%08x)",
		              path, (unsigned)app);
		goto out;
	}
	if (ver > SCHEMA_VERSION) {
		code = pt_err(
		        err, PT_EIO,
		        "%s: made by a newer papertrade (schema version %d; this one knows up "
		        "to %d)",
		        path, ver, SCHEMA_VERSION);
		goto out;
	}
	goto out;
sqlfail:
	switch (rc & 0xff) {
	case SQLITE_NOTADB:
		code = pt_err(err, PT_EIO, "%s: not an SQLite database (%s)", path,
		              sqlite3_errmsg(db));
		break;
	case SQLITE_CORRUPT:
		code = pt_err(err, PT_EIO, "%s: database is corrupt (%s)", path,
		              sqlite3_errmsg(db));
		break;
	case SQLITE_BUSY:
		code = pt_err(err, PT_EBUSY, "%s: database is locked: %s", path,
		              sqlite3_errmsg(db));
		break;
	default:
		code = pt_err(err, PT_EIO, "%s: cannot read: %s", path, sqlite3_errmsg(db));
		break;
	}
out:
	sqlite3_close(db);
	return code;
}

/* A stored report body: at most this long once inflated. */
#define RUN_MAX_BODY ((size_t)64 << 20)

/* Binds text (NULL: NULL, NULL) as its length and its zlib stream. */
static void b_ztext(struct bind *b, const char *text)
{
	size_t n = text ? strlen(text) : 0;
	uLongf zlen = compressBound((uLong)n);
	unsigned char *z;

	if (b->rc != SQLITE_OK)
		return;
	if (!text) {
		b->rc = sqlite3_bind_null(b->st, ++b->i);
		if (b->rc == SQLITE_OK)
			b->rc = sqlite3_bind_null(b->st, ++b->i);
		return;
	}
	if (n > RUN_MAX_BODY) {
		b->rc = SQLITE_TOOBIG;
		return;
	}
	z = xmalloc(zlen ? zlen : 1);
	if (compress2(z, &zlen, (const Bytef *)text, (uLong)n, 9) != Z_OK) {
		free(z);
		b->rc = SQLITE_NOMEM;
		return;
	}
	b->rc = sqlite3_bind_int64(b->st, ++b->i, (sqlite3_int64)n);
	if (b->rc == SQLITE_OK)
		b->rc = sqlite3_bind_blob64(b->st, ++b->i, z, (sqlite3_uint64)zlen,
		                            SQLITE_TRANSIENT);
	free(z);
}

/* The text of a (length, zlib stream) pair of columns at i, i + 1, or of
 * the plain column at plain when they are NULL (a body never compressed);
 * NULL when the stream is damaged. Never NULL for NULL columns: "". */
static char *col_ztext(sqlite3_stmt *st, int i, int plain)
{
	sqlite3_int64 n;
	const void *z;
	uLongf got;
	char *out;

	if (sqlite3_column_type(st, i + 1) == SQLITE_NULL) {
		const unsigned char *t = sqlite3_column_text(st, plain);
		return xstrdup(t ? (const char *)t : "");
	}
	n = sqlite3_column_int64(st, i);
	z = sqlite3_column_blob(st, i + 1);
	if (n < 0 || (size_t)n > RUN_MAX_BODY || !z)
		return NULL;
	out = xmalloc((size_t)n + 1);
	got = (uLongf)n;
	if (uncompress((Bytef *)out, &got, z, (uLong)sqlite3_column_bytes(st, i + 1)) != Z_OK ||
	    got != (uLongf)n || memchr(out, '\0', (size_t)n)) {
		free(out);
		return NULL;
	}
	out[n] = '\0';
	return out;
}

/* Migration 6's second half: compresses the stored bodies kept plain. */
static int compress_runs(struct store *s, char *err)
{
	sqlite3_stmt *rd = NULL, *wr = NULL;
	struct bind b;
	int code, rc;

	if ((code = prep(s, "SELECT session, report_text, report_json FROM runs", &rd, err)) ||
	    (code = prep(s,
	                 "UPDATE runs SET text_len = ?, text_z = ?, json_len = ?, json_z = ?, "
	                 "report_text = NULL, report_json = NULL WHERE session = ?",
	                 &wr, err)))
		goto out;
	while ((rc = sqlite3_step(rd)) == SQLITE_ROW) {
		bind_start(&b, wr);
		b_ztext(&b, (const char *)sqlite3_column_text(rd, 1));
		b_ztext(&b, (const char *)sqlite3_column_text(rd, 2));
		if (b.rc == SQLITE_OK)
			b.rc = sqlite3_bind_value(wr, ++b.i, sqlite3_column_value(rd, 0));
		if ((code = bind_done(s, &b, "runs", err)) ||
		    (code = step_done(s, wr, "runs", err)))
			goto out;
	}
	if (rc != SQLITE_DONE)
		code = db_err(s, rc, "runs", err);
out:
	sqlite3_finalize(rd);
	sqlite3_finalize(wr);
	return code;
}

/* Brings the schema to SCHEMA_VERSION in one transaction (nothing when current). */
static int migrate(struct store *s, char *err)
{
	char sql[64];
	int ver = 0, rc, v;

	rc = pragma_int(s->db, "PRAGMA user_version", &ver);
	if (rc != SQLITE_OK)
		return db_err(s, rc, "user_version", err);
	if (ver == SCHEMA_VERSION)
		return 0;
	if (exec(s, "BEGIN IMMEDIATE", "begin migration", err))
		return code_of(sqlite3_errcode(s->db));
	/* Another process may have migrated while we waited for the lock. */
	rc = pragma_int(s->db, "PRAGMA user_version", &ver);
	if (rc != SQLITE_OK) {
		db_err(s, rc, "user_version", err);
		goto fail;
	}
	if (ver > SCHEMA_VERSION) {
		pt_err(err, PT_EIO, "%s: made by a newer papertrade (schema version %d)", s->path,
		       ver);
		goto fail;
	}
	for (v = ver; v < SCHEMA_VERSION; v++) {
		snprintf(sql, sizeof(sql), "migration to version %d", v + 1);
		if (exec(s, migrations[v], sql, err))
			goto fail;
		if (v + 1 == SCHEMA_SLIM_RUNS && compress_runs(s, err))
			goto fail;
	}
	snprintf(sql, sizeof(sql), "PRAGMA application_id = %d", STORE_APP_ID);
	if (exec(s, sql, "application_id", err))
		goto fail;
	snprintf(sql, sizeof(sql), "PRAGMA user_version = %d", SCHEMA_VERSION);
	if (exec(s, sql, "user_version", err))
		goto fail;
	if (exec(s, "COMMIT", "commit migration", err))
		goto fail;
	/* The run reports migration 6 shrank leave free pages: give them back
	 * once (outside any transaction, as VACUUM must be). Only space: the
	 * migration stands if it fails (a damaged page is store_check's). */
	if (ver > 0 && ver < SCHEMA_SLIM_RUNS)
		sqlite3_exec(s->db, "VACUUM", NULL, NULL, NULL);
	return 0;
fail:
	sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
	return PT_EIO;
}

/*
 * A database in WAL mode is written beside, even to be read (its -wal and
 * -shm files): a read-only folder or file is said as such, not as SQLite's
 * "unable to open database file".
 */
static int check_writable(const char *path, char *err)
{
	char dir[PATH_MAX];
	const char *slash = strrchr(path, '/');
	size_t n = slash ? (size_t)(slash - path) : 0;

	if (n >= sizeof(dir))
		return 0;
	memcpy(dir, path, n);
	dir[n] = '\0';
	if (!slash)
		pt_strlcpy(dir, ".", sizeof(dir));
	else if (n == 0)
		pt_strlcpy(dir, "/", sizeof(dir));
	if (access(dir, W_OK) != 0 && (errno == EROFS || errno == EACCES))
		return pt_err(err, PT_EIO,
			      "%s: the folder is read-only (%s): papertrade writes beside its "
			      "database, even to read it",
			      dir, strerror(errno));
	if (access(path, W_OK) != 0 && (errno == EROFS || errno == EACCES))
		return pt_err(err, PT_EIO, "%s: read-only (%s)", path, strerror(errno));
	return 0;
}

int store_open(const char *path, int create, struct store **out, char *err)
{
	struct store *s;
	struct stat sb;
	sqlite3_stmt *st = NULL;
	int exists, empty = 0, rc, code;
	const unsigned char *mode;

	*out = NULL;
	if (stat(path, &sb)) {
		if (errno != ENOENT)
			return pt_err(err, PT_EIO, "%s: %s", path, strerror(errno));
		if (!create)
			return pt_err(err, PT_ENOENT, "no portfolio at %s (run 'papertrade init')",
			              path);
		exists = 0;
	} else {
		if (!S_ISREG(sb.st_mode))
			return pt_err(err, PT_EIO, "%s: not a regular file", path);
		exists = 1;
		/* An empty file is an empty database (SQLite's view too): made
		 * into ours when asked to create, else not a portfolio. */
		empty = sb.st_size == 0;
		if (empty && !create)
			return pt_err(err, PT_EIO, "%s: empty file, not a papertrade database",
			              path);
		if ((code = check_writable(path, err)))
			return code;
		if (!empty && (code = check_file(path, err)))
			return code;
	}

	s = xcalloc(1, sizeof(*s));
	s->path = xstrdup(path);
	rc = sqlite3_open_v2(path, &s->db,
	                     SQLITE_OPEN_READWRITE | (exists ? 0 : SQLITE_OPEN_CREATE), NULL);
	if (rc != SQLITE_OK) {
		code = pt_err(err, PT_EIO, "%s: cannot open: %s", path,
		              s->db ? sqlite3_errmsg(s->db) : sqlite3_errstr(rc));
		goto fail;
	}
	sqlite3_extended_result_codes(s->db, 0);
	sqlite3_busy_timeout(s->db, STORE_BUSY_MS);
	if ((code = exec(s, "PRAGMA foreign_keys = ON", "foreign_keys", err)))
		goto fail;
	if ((code = prep(s, "PRAGMA journal_mode = WAL", &st, err)))
		goto fail;
	rc = sqlite3_step(st);
	mode = rc == SQLITE_ROW ? sqlite3_column_text(st, 0) : NULL;
	if (!mode || strcmp((const char *)mode, "wal") != 0) {
		code = rc == SQLITE_ROW
		               ? pt_err(err, PT_EIO, "%s: cannot use WAL journal mode (%s)", path,
		                        mode ? (const char *)mode : "?")
		               : db_err(s, rc, "journal_mode", err);
		goto fail;
	}
	sqlite3_finalize(st);
	st = NULL;
	/* WAL with synchronous = NORMAL: a commit is atomic and the file never
	 * corrupt, but synced at the next checkpoint, not at each commit; a
	 * connection that wrote checkpoints as it closes (store_close), so a
	 * run's commits are on disk when its process or serve's scheduled run
	 * closes the store, and a catch-up's sessions no longer wait for the
	 * disk one by one (issue 10). */
	if ((code = exec(s, "PRAGMA synchronous = NORMAL", "synchronous", err)))
		goto fail;
	if ((code = migrate(s, err)))
		goto fail;
	*out = s;
	return 0;
fail:
	sqlite3_finalize(st);
	store_close(s);
	return code;
}

void store_close(struct store *s)
{
	if (!s)
		return;
	store_rollback(s);
	/* What this connection committed goes to disk now: synchronous =
	 * NORMAL syncs the WAL at a checkpoint, but a reader's snapshot (the
	 * dashboard's, mid-request) can hold the checkpoint back before it
	 * syncs anything, so the WAL is synced here as well. */
	if (s->db && sqlite3_total_changes(s->db) > 0) {
		sqlite3_file *wal = NULL;

		sqlite3_wal_checkpoint_v2(s->db, NULL, SQLITE_CHECKPOINT_PASSIVE, NULL, NULL);
		if (sqlite3_file_control(s->db, "main", SQLITE_FCNTL_JOURNAL_POINTER, &wal) ==
		            SQLITE_OK &&
		    wal && wal->pMethods)
			wal->pMethods->xSync(wal, SQLITE_SYNC_NORMAL);
	}
	sqlite3_finalize(s->dv);
	sqlite3_close(s->db);
	free(s->path);
	free(s);
}

int store_checkpoint(struct store *s, char *err)
{
	int log = -1, done = -1;
	int rc = sqlite3_wal_checkpoint_v2(s->db, NULL, SQLITE_CHECKPOINT_TRUNCATE, &log, &done);

	if (rc != SQLITE_OK)
		return pt_err(err, PT_EIO, "%s: checkpoint: %s", s->path, sqlite3_errmsg(s->db));
	if (log != done)
		return pt_err(err, PT_EIO, "%s: checkpoint: %d of %d frames copied", s->path, done,
			      log);
	return 0;
}

int store_check(struct store *s, int full, char *err)
{
	sqlite3_stmt *st = NULL;
	const unsigned char *res;
	int code = 0, rc;

	if ((code = prep(s, full ? "PRAGMA integrity_check(1)" : "PRAGMA quick_check(1)", &st,
	                 err)))
		return (sqlite3_errcode(s->db) & 0xff) == SQLITE_CORRUPT
		               ? pt_err(err, PT_EIO, "%s: database is corrupt (%s)", s->path,
		                        sqlite3_errmsg(s->db))
		               : code;
	rc = sqlite3_step(st);
	if (rc != SQLITE_ROW) {
		code = (rc & 0xff) == SQLITE_CORRUPT || (rc & 0xff) == SQLITE_NOTADB
		               ? pt_err(err, PT_EIO, "%s: database is corrupt (%s)", s->path,
		                        sqlite3_errmsg(s->db))
		               : db_err(s, rc, full ? "integrity_check" : "quick_check", err);
		goto out;
	}
	res = sqlite3_column_text(st, 0);
	if (!res || strcmp((const char *)res, "ok") != 0) {
		char why[160];
		size_t i;

		/* the check's words span lines ("*** in database main ***\n..."):
		 * an error is one line. */
		pt_strlcpy(why, res ? (const char *)res : "check failed", sizeof(why));
		for (i = 0; why[i]; i++)
			if (why[i] == '\n' || why[i] == '\r')
				why[i] = ' ';
		code = pt_err(err, PT_EIO, "%s: database is corrupt (%s)", s->path, why);
	}
out:
	sqlite3_finalize(st);
	return code;
}

int store_begin(struct store *s, char *err)
{
	int rc;

	if (s->in_tx)
		return pt_err(err, PT_EINVAL, "%s: a transaction is already open", s->path);
	rc = sqlite3_exec(s->db, "BEGIN IMMEDIATE", NULL, NULL, NULL);
	if (rc == SQLITE_BUSY)
		return pt_err(err, PT_EBUSY,
		              "%s: another papertrade holds the database (waited %d s): %s",
		              s->path, STORE_BUSY_MS / 1000, sqlite3_errmsg(s->db));
	if (rc != SQLITE_OK)
		return db_err(s, rc, "begin", err);
	s->in_tx = 1;
	return 0;
}

int store_commit(struct store *s, char *err)
{
	int rc;

	if (!s->in_tx)
		return pt_err(err, PT_EINVAL, "%s: commit without a transaction", s->path);
	rc = sqlite3_exec(s->db, "COMMIT", NULL, NULL, NULL);
	if (rc != SQLITE_OK) {
		db_err(s, rc, "commit", err);
		store_rollback(s);
		return code_of(rc);
	}
	s->in_tx = 0;
	return 0;
}

void store_rollback(struct store *s)
{
	if (!s->in_tx)
		return;
	/* SQLite may have rolled back already (after some errors): then autocommit is on. */
	if (!sqlite3_get_autocommit(s->db))
		sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
	s->in_tx = 0;
}

int store_init_account(struct store *s, int64_t initial_cents, char *err)
{
	sqlite3_stmt *st = NULL;
	struct bind b;
	int code;

	if ((code = prep(s,
	                 "INSERT INTO account (id, initial_cents, cash_cents, income_cents, "
	                 "next_pos_id, next_ledger_id) VALUES (1, ?, ?, 0, 1, 1)",
	                 &st, err)))
		goto out;
	bind_start(&b, st);
	b_int(&b, initial_cents);
	b_int(&b, initial_cents);
	if ((code = bind_done(s, &b, "account", err)))
		goto out;
	code = step_done(s, st, "account", err);
	if (code == PT_EINVAL && (sqlite3_errcode(s->db) & 0xff) == SQLITE_CONSTRAINT)
		code = pt_err(err, PT_EINVAL, "%s: account already initialised", s->path);
out:
	sqlite3_finalize(st);
	return code;
}

/* ---- loading ---------------------------------------------------------- */

static int corrupt(struct store *s, const char *table, char *err)
{
	return pt_err(err, PT_EIO, "%s: corrupt row in %s", s->path, table);
}

static int load_account(struct store *s, struct portfolio *pf, char *err)
{
	sqlite3_stmt *st = NULL;
	int code, rc;

	if ((code = prep(s,
	                 "SELECT initial_cents, start, last_session, events_through, cash_cents, "
	                 "income_cents, next_pos_id, next_ledger_id, interest_carry FROM account "
	                 "WHERE id = 1",
	                 &st, err)))
		return code;
	rc = sqlite3_step(st);
	if (rc == SQLITE_DONE) {
		code = pt_err(err, PT_ENOENT, "no portfolio in %s (run 'papertrade init')",
		              s->path);
		goto out;
	}
	if (rc != SQLITE_ROW) {
		code = db_err(s, rc, "account", err);
		goto out;
	}
	book_init(pf, sqlite3_column_int64(st, 0));
	if (col_date(st, 1, &pf->start) || col_date(st, 2, &pf->last_session) ||
	    col_date(st, 3, &pf->events_through)) {
		code = corrupt(s, "account", err);
		goto out;
	}
	pf->cash_cents = sqlite3_column_int64(st, 4);
	pf->income_cents = sqlite3_column_int64(st, 5);
	pf->next_pos_id = sqlite3_column_int64(st, 6);
	pf->next_ledger_id = sqlite3_column_int64(st, 7);
	pf->interest_carry = sqlite3_column_double(st, 8);
	if (!isfinite(pf->interest_carry) || fabs(pf->interest_carry) > 1.0)
		code = corrupt(s, "account", err);
out:
	sqlite3_finalize(st);
	return code;
}

static int load_positions(struct store *s, struct portfolio *pf, char *err)
{
	sqlite3_stmt *st = NULL;
	int code, rc;

	if ((code = prep(s,
	                 "SELECT id, ticker, \"right\", strike, expiry, quantity, entry_price, "
	                 "opened, credit_cents, mark, mark_model, entry_spot, entry_iv, entry_hv, "
	                 "entry_theo, closed, exit_price, close_cents, reason, strategy "
	                 "FROM positions ORDER BY id",
	                 &st, err)))
		return code;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		struct position *p;
		char right[2];

		xgrow(&pf->pos, &pf->cap_pos, pf->n_pos + 1, sizeof(*pf->pos));
		p = &pf->pos[pf->n_pos];
		memset(p, 0, sizeof(*p));
		p->id = sqlite3_column_int64(st, 0);
		if (col_str(st, 1, p->ticker, sizeof(p->ticker)) ||
		    col_str(st, 2, right, sizeof(right)) || col_date(st, 4, &p->expiry) ||
		    col_date(st, 7, &p->opened) || col_date(st, 15, &p->closed) ||
		    col_str(st, 18, p->reason, sizeof(p->reason)) ||
		    col_str(st, 19, p->strategy, sizeof(p->strategy))) {
			code = corrupt(s, "positions", err);
			goto out;
		}
		p->right = right[0];
		p->strike = sqlite3_column_double(st, 3);
		p->quantity = sqlite3_column_double(st, 5);
		p->entry_price = sqlite3_column_double(st, 6);
		p->credit_cents = sqlite3_column_int64(st, 8);
		p->mark = col_real(st, 9);
		p->mark_model = sqlite3_column_int(st, 10);
		p->entry_spot = col_real(st, 11);
		p->entry_iv = col_real(st, 12);
		p->entry_hv = col_real(st, 13);
		p->entry_theo = col_real(st, 14);
		p->exit_price = col_real(st, 16);
		p->close_cents = sqlite3_column_int64(st, 17);
		pf->n_pos++;
	}
	if (rc != SQLITE_DONE)
		code = db_err(s, rc, "positions", err);
out:
	sqlite3_finalize(st);
	return code;
}

static int load_ledger(struct store *s, struct portfolio *pf, char *err)
{
	sqlite3_stmt *st = NULL;
	int code, rc;

	if ((code = prep(s,
	                 "SELECT id, session, position_id, kind, cents, memo FROM ledger "
	                 "ORDER BY id",
	                 &st, err)))
		return code;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		struct ledger_entry *e;

		xgrow(&pf->ledger, &pf->cap_ledger, pf->n_ledger + 1, sizeof(*pf->ledger));
		e = &pf->ledger[pf->n_ledger];
		memset(e, 0, sizeof(*e));
		e->id = sqlite3_column_int64(st, 0);
		e->position_id = sqlite3_column_int64(st, 2); /* NULL reads as 0 */
		e->cents = sqlite3_column_int64(st, 4);
		if (col_date(st, 1, &e->session) || col_str(st, 3, e->kind, sizeof(e->kind)) ||
		    col_str(st, 5, e->memo, sizeof(e->memo))) {
			code = corrupt(s, "ledger", err);
			goto out;
		}
		pf->n_ledger++;
	}
	if (rc != SQLITE_DONE)
		code = db_err(s, rc, "ledger", err);
	pf->ledger_saved = pf->n_ledger;
out:
	sqlite3_finalize(st);
	return code;
}

static int load_bench(struct store *s, struct portfolio *pf, char *err)
{
	sqlite3_stmt *st = NULL;
	size_t cap = 0;
	int code, rc;

	if ((code = prep(s, "SELECT ticker, shares, price FROM benchmarks ORDER BY ord", &st, err)))
		return code;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		struct bench *bn;

		xgrow(&pf->bench, &cap, pf->n_bench + 1, sizeof(*pf->bench));
		bn = &pf->bench[pf->n_bench];
		memset(bn, 0, sizeof(*bn));
		if (col_str(st, 0, bn->ticker, sizeof(bn->ticker))) {
			code = corrupt(s, "benchmarks", err);
			goto out;
		}
		bn->shares = sqlite3_column_double(st, 1);
		bn->price = sqlite3_column_double(st, 2);
		pf->n_bench++;
	}
	if (rc != SQLITE_DONE)
		code = db_err(s, rc, "benchmarks", err);
out:
	sqlite3_finalize(st);
	return code;
}

static int cmp_session(const void *a, const void *b)
{
	int x = *(const int *)a, y = ((const struct snapshot *)b)->session;

	return (x > y) - (x < y);
}

static int load_snapshots(struct store *s, struct portfolio *pf, char *err)
{
	sqlite3_stmt *st = NULL;
	struct snapshot *snaps = NULL;
	int64_t *vals = NULL;
	unsigned char *seen = NULL;
	size_t n = 0, cap = 0, i, nb = pf->n_bench;
	int code, rc;

	if ((code = prep(s,
	                 "SELECT session, cash_cents, positions_cents, value_cents, margin_cents, "
	                 "rate, call_cents, cash_rate FROM snapshots ORDER BY session",
	                 &st, err)))
		goto out;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		xgrow(&snaps, &cap, n + 1, sizeof(*snaps));
		memset(&snaps[n], 0, sizeof(snaps[n]));
		if (col_date(st, 0, &snaps[n].session)) {
			code = corrupt(s, "snapshots", err);
			goto out;
		}
		snaps[n].cash_cents = sqlite3_column_int64(st, 1);
		snaps[n].positions_cents = sqlite3_column_int64(st, 2);
		snaps[n].value_cents = sqlite3_column_int64(st, 3);
		snaps[n].margin_cents = sqlite3_column_int64(st, 4);
		snaps[n].rate = col_real(st, 5);
		snaps[n].call_cents = sqlite3_column_int64(st, 6);
		snaps[n].cash_rate = col_real(st, 7);
		n++;
	}
	if (rc != SQLITE_DONE) {
		code = db_err(s, rc, "snapshots", err);
		goto out;
	}
	sqlite3_finalize(st);
	st = NULL;

	vals = xcalloc(n * nb + 1, sizeof(*vals));
	seen = xcalloc(n * nb + 1, 1);
	if ((code = prep(s, "SELECT session, ticker, value_cents FROM snapshot_bench", &st, err)))
		goto out;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		char ticker[BOOK_SYMSZ];
		const struct snapshot *hit;
		int day;
		size_t row, col;

		if (col_date(st, 0, &day) || col_str(st, 1, ticker, sizeof(ticker))) {
			code = corrupt(s, "snapshot_bench", err);
			goto out;
		}
		hit = n ? bsearch(&day, snaps, n, sizeof(*snaps), cmp_session) : NULL;
		for (col = 0; col < nb && strcmp(pf->bench[col].ticker, ticker) != 0; col++)
			;
		if (!hit || col == nb) {
			code = pt_err(err, PT_EIO, "%s: snapshot_bench row for unknown %s %s",
			              s->path, hit ? "benchmark" : "snapshot", ticker);
			goto out;
		}
		row = (size_t)(hit - snaps);
		vals[row * nb + col] = sqlite3_column_int64(st, 2);
		seen[row * nb + col] = 1;
	}
	if (rc != SQLITE_DONE) {
		code = db_err(s, rc, "snapshot_bench", err);
		goto out;
	}
	for (i = 0; i < n * nb; i++) {
		if (!seen[i]) {
			char d[DATE_BUFSZ];
			code = pt_err(err, PT_EIO, "%s: snapshot %s has no value for benchmark %s",
			              s->path, date_fmt(snaps[i / nb].session, d),
			              pf->bench[i % nb].ticker);
			goto out;
		}
	}
	for (i = 0; i < n; i++)
		book_add_snapshot(pf, &snaps[i], vals + i * nb);
out:
	sqlite3_finalize(st);
	free(snaps);
	free(vals);
	free(seen);
	return code;
}

/* What the schema cannot check: ids the book will hand out next are unused,
 * benchmarks fit the configured maximum, and the ledger identities hold. */
static int check_loaded(struct store *s, const struct portfolio *pf, char *err)
{
	char why[PT_ERRSZ];
	size_t i;

	for (i = 0; i < pf->n_pos; i++)
		if (pf->pos[i].id >= pf->next_pos_id)
			return pt_err(err, PT_EIO, "%s: corrupt account: next position id %lld is in use",
			              s->path, (long long)pf->next_pos_id);
	for (i = 0; i < pf->n_ledger; i++)
		if (pf->ledger[i].id >= pf->next_ledger_id)
			return pt_err(err, PT_EIO, "%s: corrupt account: next ledger id %lld is in use",
			              s->path, (long long)pf->next_ledger_id);
	if (pf->n_bench > STORE_MAX_BENCH)
		return pt_err(err, PT_EIO, "%s: %zu benchmarks, more than %d", s->path, pf->n_bench,
		              STORE_MAX_BENCH);
	if (book_check(pf, why))
		return pt_err(err, PT_EIO, "%s: the books do not add up: %s", s->path, why);
	return 0;
}

/* PRAGMA data_version of the connection: inside a read transaction, the
 * version of the snapshot it reads. */
static int data_version(struct store *s, int64_t *v, char *err)
{
	sqlite3_stmt *st = NULL;
	int rc, code = 0;

	if ((code = prep(s, "PRAGMA data_version", &st, err)))
		return code;
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		*v = sqlite3_column_int64(st, 0);
	else
		code = db_err(s, rc, "data_version", err);
	sqlite3_finalize(st);
	return code;
}

static int load_versioned(struct store *s, struct portfolio *pf, int64_t *version, char *err)
{
	int own_tx = !s->in_tx, code;

	/* One read transaction, so a concurrent writer cannot tear the picture. */
	if (own_tx && exec(s, "BEGIN", "begin read", err))
		return PT_EIO;
	code = load_account(s, pf, err);
	/* The snapshot is fixed by the first read: its version is the one read. */
	if (version && (!code || code == PT_ENOENT)) {
		int c2 = data_version(s, version, err);
		if (c2)
			code = c2;
	}
	if (!code)
		code = load_positions(s, pf, err);
	if (!code)
		code = load_ledger(s, pf, err);
	if (!code)
		code = load_bench(s, pf, err);
	if (!code)
		code = load_snapshots(s, pf, err);
	if (!code)
		code = check_loaded(s, pf, err);
	if (own_tx)
		sqlite3_exec(s->db, "COMMIT", NULL, NULL, NULL);
	return code;
}

int store_load(struct store *s, struct portfolio *pf, char *err)
{
	return load_versioned(s, pf, NULL, err);
}

int store_load_versioned(struct store *s, struct portfolio *pf, int64_t *version, char *err)
{
	return load_versioned(s, pf, version, err);
}

int store_data_version(struct store *s, int64_t *version, char *err)
{
	int rc;

	if (!s->dv && (rc = prep(s, "PRAGMA data_version", &s->dv, err)))
		return rc;
	rc = sqlite3_step(s->dv);
	if (rc == SQLITE_ROW)
		*version = sqlite3_column_int64(s->dv, 0);
	sqlite3_reset(s->dv);
	return rc == SQLITE_ROW ? 0 : db_err(s, rc, "data_version", err);
}

/* ---- saving ----------------------------------------------------------- */

/*
 * Writes the positions a session can have changed: every open one (its mark
 * moves) and those closed on or after since (day number; 0: every one). A
 * position closed before the previous run is never touched again, so a run
 * writes O(open positions), not O(every position ever held).
 */
static int save_positions(struct store *s, const struct portfolio *pf, int since, char *err)
{
	sqlite3_stmt *st = NULL;
	struct bind b;
	size_t i;
	int code;

	if ((code = prep(s,
	                 "INSERT INTO positions (id, ticker, \"right\", strike, expiry, quantity, "
	                 "entry_price, opened, credit_cents, mark, mark_model, entry_spot, "
	                 "entry_iv, entry_hv, entry_theo, closed, exit_price, close_cents, reason, "
	                 "strategy) "
	                 "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) "
	                 "ON CONFLICT (id) DO UPDATE SET ticker = excluded.ticker, "
	                 "\"right\" = excluded.\"right\", strike = excluded.strike, "
	                 "expiry = excluded.expiry, quantity = excluded.quantity, "
	                 "entry_price = excluded.entry_price, opened = excluded.opened, "
	                 "credit_cents = excluded.credit_cents, mark = excluded.mark, "
	                 "mark_model = excluded.mark_model, entry_spot = excluded.entry_spot, "
	                 "entry_iv = excluded.entry_iv, entry_hv = excluded.entry_hv, "
	                 "entry_theo = excluded.entry_theo, closed = excluded.closed, "
	                 "exit_price = excluded.exit_price, close_cents = excluded.close_cents, "
	                 "reason = excluded.reason, strategy = excluded.strategy",
	                 &st, err)))
		return code;
	for (i = 0; i < pf->n_pos && !code; i++) {
		const struct position *p = &pf->pos[i];
		char right[2] = {p->right, '\0'};

		if (p->closed && p->closed < since)
			continue;
		bind_start(&b, st);
		b_int(&b, p->id);
		b_text(&b, p->ticker);
		b_text(&b, right);
		b_real(&b, p->strike);
		b_date(&b, p->expiry);
		b_real(&b, p->quantity);
		b_real(&b, p->entry_price);
		b_date(&b, p->opened);
		b_int(&b, p->credit_cents);
		b_real(&b, p->mark);
		b_int(&b, p->mark_model);
		b_real(&b, p->entry_spot);
		b_real(&b, p->entry_iv);
		b_real(&b, p->entry_hv);
		b_real(&b, p->entry_theo);
		b_date(&b, p->closed);
		b_real(&b, p->exit_price);
		b_int(&b, p->close_cents);
		b_text(&b, p->reason);
		b_text(&b, p->strategy);
		code = bind_done(s, &b, "positions", err);
		if (!code)
			code = step_done(s, st, "positions", err);
		if (code) {
			char why[PT_ERRSZ];
			pt_strlcpy(why, err, sizeof(why));
			pt_err(err, code, "%s (position %lld)", why, (long long)p->id);
		}
	}
	sqlite3_finalize(st);
	return code;
}

static int save_ledger(struct store *s, const struct portfolio *pf, char *err)
{
	sqlite3_stmt *st = NULL;
	struct bind b;
	size_t i;
	int code;

	if (pf->ledger_saved > pf->n_ledger)
		return pt_err(err, PT_EINVAL, "ledger_saved %zu past the ledger's end %zu",
		              pf->ledger_saved, pf->n_ledger);
	if ((code = prep(s,
	                 "INSERT INTO ledger (id, session, position_id, kind, cents, memo) "
	                 "VALUES (?, ?, ?, ?, ?, ?)",
	                 &st, err)))
		return code;
	for (i = pf->ledger_saved; i < pf->n_ledger && !code; i++) {
		const struct ledger_entry *e = &pf->ledger[i];

		bind_start(&b, st);
		b_int(&b, e->id);
		b_date(&b, e->session);
		if (e->position_id) {
			b_int(&b, e->position_id);
		} else {
			b_text(&b, NULL);
		}
		b_text(&b, e->kind);
		b_int(&b, e->cents);
		b_text(&b, e->memo);
		code = bind_done(s, &b, "ledger", err);
		if (!code)
			code = step_done(s, st, "ledger", err);
	}
	sqlite3_finalize(st);
	return code;
}

static int save_bench(struct store *s, const struct portfolio *pf, char *err)
{
	sqlite3_stmt *st = NULL;
	struct bind b;
	size_t i;
	int code;

	if ((code = prep(s, "DELETE FROM benchmarks", &st, err)))
		return code;
	code = step_done(s, st, "benchmarks", err);
	sqlite3_finalize(st);
	st = NULL;
	if (code)
		return code;
	if ((code = prep(s,
	                 "INSERT INTO benchmarks (ord, ticker, shares, price) VALUES (?, ?, ?, ?)",
	                 &st, err)))
		return code;
	for (i = 0; i < pf->n_bench && !code; i++) {
		bind_start(&b, st);
		b_int(&b, (int64_t)i);
		b_text(&b, pf->bench[i].ticker);
		b_real(&b, pf->bench[i].shares);
		b_real(&b, pf->bench[i].price);
		code = bind_done(s, &b, "benchmarks", err);
		if (!code)
			code = step_done(s, st, "benchmarks", err);
	}
	sqlite3_finalize(st);
	return code;
}

/* Writes snapshot k and its benchmark values; upsert = 1 replaces a stored one. */
static int save_snapshot(struct store *s, const struct portfolio *pf, size_t k, int upsert,
                         char *err)
{
	const struct snapshot *sn = &pf->snaps[k];
	sqlite3_stmt *st = NULL;
	struct bind b;
	size_t j;
	int code;

	if ((code = prep(s,
	                 upsert ? "INSERT INTO snapshots (session, cash_cents, positions_cents, "
	                          "value_cents, margin_cents, rate, call_cents, cash_rate) "
	                          "VALUES (?, ?, ?, ?, ?, ?, ?, ?) "
	                          "ON CONFLICT (session) DO UPDATE SET "
	                          "cash_cents = excluded.cash_cents, "
	                          "positions_cents = excluded.positions_cents, "
	                          "value_cents = excluded.value_cents, "
	                          "margin_cents = excluded.margin_cents, rate = excluded.rate, "
	                          "call_cents = excluded.call_cents, cash_rate = excluded.cash_rate"
	                        : "INSERT INTO snapshots (session, cash_cents, positions_cents, "
	                          "value_cents, margin_cents, rate, call_cents, cash_rate) "
	                          "VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
	                 &st, err)))
		return code;
	bind_start(&b, st);
	b_date(&b, sn->session);
	b_int(&b, sn->cash_cents);
	b_int(&b, sn->positions_cents);
	b_int(&b, sn->value_cents);
	b_int(&b, sn->margin_cents);
	b_real(&b, sn->rate);
	b_int(&b, sn->call_cents);
	b_real(&b, sn->cash_rate);
	code = bind_done(s, &b, "snapshots", err);
	if (!code)
		code = step_done(s, st, "snapshots", err);
	sqlite3_finalize(st);
	st = NULL;
	if (code)
		return code;
	if ((code = prep(
	             s,
	             "INSERT INTO snapshot_bench (session, ticker, value_cents) VALUES (?, ?, ?) "
	             "ON CONFLICT (session, ticker) DO UPDATE SET value_cents = "
	             "excluded.value_cents",
	             &st, err)))
		return code;
	for (j = 0; j < pf->n_bench && !code; j++) {
		bind_start(&b, st);
		b_date(&b, sn->session);
		b_text(&b, pf->bench[j].ticker);
		b_int(&b, pf->snap_bench[k * pf->n_bench + j]);
		code = bind_done(s, &b, "snapshot_bench", err);
		if (!code)
			code = step_done(s, st, "snapshot_bench", err);
	}
	sqlite3_finalize(st);
	return code;
}

/* The account row; insert = 1 creates or replaces it, else it must exist with
 * the same initial capital. */
static int save_account(struct store *s, const struct portfolio *pf, int insert, char *err)
{
	sqlite3_stmt *st = NULL;
	struct bind b;
	int code;

	if ((code = prep(
	             s,
	             insert ? "INSERT INTO account (start, last_session, events_through, "
	                      "cash_cents, income_cents, next_pos_id, next_ledger_id, "
	                      "interest_carry, initial_cents, id) "
	                      "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 1) "
	                      "ON CONFLICT (id) DO UPDATE SET start = excluded.start, "
	                      "last_session = excluded.last_session, "
	                      "events_through = excluded.events_through, "
	                      "cash_cents = excluded.cash_cents, "
	                      "income_cents = excluded.income_cents, "
	                      "next_pos_id = excluded.next_pos_id, "
	                      "next_ledger_id = excluded.next_ledger_id, "
	                      "interest_carry = excluded.interest_carry, "
	                      "initial_cents = excluded.initial_cents"
	                    : "UPDATE account SET start = ?, last_session = ?, events_through = ?, "
	                      "cash_cents = ?, income_cents = ?, next_pos_id = ?, next_ledger_id = "
	                      "?, interest_carry = ? "
	                      "WHERE initial_cents = ? AND id = 1",
	             &st, err)))
		return code;
	bind_start(&b, st);
	b_date(&b, pf->start);
	b_date(&b, pf->last_session);
	b_date(&b, pf->events_through);
	b_int(&b, pf->cash_cents);
	b_int(&b, pf->income_cents);
	b_int(&b, pf->next_pos_id);
	b_int(&b, pf->next_ledger_id);
	b_real(&b, pf->interest_carry);
	b_int(&b, pf->initial_cents);
	code = bind_done(s, &b, "account", err);
	if (!code)
		code = step_done(s, st, "account", err);
	if (!code && !insert && sqlite3_changes(s->db) != 1)
		code = pt_err(err, PT_EINVAL,
		              "%s: no account with initial capital %lld cents (run 'papertrade "
		              "init')",
		              s->path, (long long)pf->initial_cents);
	sqlite3_finalize(st);
	return code;
}

static int need_tx(struct store *s, const char *what, char *err)
{
	return s->in_tx ? 0 : pt_err(err, PT_EINVAL, "%s: %s outside a transaction", s->path, what);
}

int store_has_run(struct store *s, int session, int *has, char *err)
{
	sqlite3_stmt *st = NULL;
	struct bind b;
	int code, rc;

	*has = 0;
	if ((code = prep(s, "SELECT 1 FROM runs WHERE session = ?", &st, err)))
		return code;
	bind_start(&b, st);
	b_date(&b, session);
	if (!(code = bind_done(s, &b, "runs", err))) {
		rc = sqlite3_step(st);
		if (rc == SQLITE_ROW)
			*has = 1;
		else if (rc != SQLITE_DONE)
			code = db_err(s, rc, "runs", err);
	}
	sqlite3_finalize(st);
	return code;
}

int store_save_run(struct store *s, const struct portfolio *pf, int session, const char *provider,
                   const char *report_text, const char *report_json, char *err)
{
	sqlite3_stmt *st = NULL;
	struct bind b;
	char d[DATE_BUFSZ];
	int code, has, since;

	if ((code = need_tx(s, "store_save_run", err)))
		return code;
	if (!pf->n_snaps || pf->snaps[pf->n_snaps - 1].session != session)
		return pt_err(err, PT_EINVAL,
		              "save run %s: the last snapshot is not that session's",
		              date_storable(session) ? date_fmt(session, d) : "?");
	if ((code = store_has_run(s, session, &has, err)))
		return code;
	if (has)
		return pt_err(err, PT_EINVAL, "%s: a run for %s is already stored", s->path,
		              date_fmt(session, d));
	/* A settlement books on its expiry date, which is on or after the
	 * previous run's session (an option expires after that day's close). */
	since = pf->n_snaps > 1 ? pf->snaps[pf->n_snaps - 2].session : 0;
	if ((code = save_positions(s, pf, since, err)) || (code = save_ledger(s, pf, err)) ||
	    (code = save_bench(s, pf, err)) ||
	    (code = save_snapshot(s, pf, pf->n_snaps - 1, 0, err)) ||
	    (code = save_account(s, pf, 0, err)))
		return code;
	if ((code = prep(s,
	                 "INSERT INTO runs (session, provider, started_at, text_len, text_z, "
	                 "json_len, json_z) VALUES (?, ?, ?, ?, ?, ?, ?)",
	                 &st, err)))
		return code;
	bind_start(&b, st);
	b_date(&b, session);
	b_text(&b, provider ? provider : "");
	b_int(&b, (int64_t)time(NULL));
	b_ztext(&b, report_text);
	b_ztext(&b, report_json);
	code = bind_done(s, &b, "runs", err);
	if (!code)
		code = step_done(s, st, "runs", err);
	sqlite3_finalize(st);
	return code;
}

int store_save_portfolio(struct store *s, const struct portfolio *pf, char *err)
{
	size_t k;
	int code;

	if ((code = need_tx(s, "store_save_portfolio", err)))
		return code;
	if ((code = save_positions(s, pf, 0, err)) || (code = save_ledger(s, pf, err)) ||
	    (code = save_bench(s, pf, err)))
		return code;
	for (k = 0; k < pf->n_snaps; k++)
		if ((code = save_snapshot(s, pf, k, 1, err)))
			return code;
	return save_account(s, pf, 1, err);
}

int store_get_run(struct store *s, int session, int *found, char **text, char **json,
                  char *provider, size_t provider_sz, char *err)
{
	sqlite3_stmt *st = NULL;
	struct bind b;
	char d[DATE_BUFSZ];
	int code, rc;

	*text = *json = NULL;
	*found = 0;
	if (provider_sz)
		provider[0] = '\0';
	if ((code = prep(s,
	                 session ? "SELECT report_text, report_json, provider, session, text_len, "
	                           "text_z, json_len, json_z FROM runs WHERE session = ?"
	                         : "SELECT report_text, report_json, provider, session, text_len, "
	                           "text_z, json_len, json_z FROM runs "
	                           "ORDER BY session DESC LIMIT 1",
	                 &st, err)))
		return code;
	bind_start(&b, st);
	if (session)
		b_date(&b, session);
	if ((code = bind_done(s, &b, "runs", err)))
		goto out;
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		if (col_date(st, 3, found) ||
		    (provider_sz && col_str(st, 2, provider, provider_sz))) {
			code = corrupt(s, "runs", err);
			goto out;
		}
		*text = col_ztext(st, 4, 0);
		*json = col_ztext(st, 6, 1);
		if (!*text || !*json) {
			free(*text);
			free(*json);
			*text = *json = NULL;
			code = corrupt(s, "runs", err);
		}
	} else if (rc == SQLITE_DONE) {
		code = session ? pt_err(err, PT_ENOENT, "no run stored for %s",
		                        date_fmt(session, d))
		               : pt_err(err, PT_ENOENT, "no run stored yet");
	} else {
		code = db_err(s, rc, "runs", err);
	}
out:
	sqlite3_finalize(st);
	return code;
}

int store_get_report(struct store *s, int session, char **text, char **json, char *err)
{
	int found;

	return store_get_run(s, session, &found, text, json, NULL, 0, err);
}

int store_stats(struct store *s, struct store_stats *out, char *err)
{
	sqlite3_stmt *st = NULL;
	int pages = 0, page = 0, code, rc;

	memset(out, 0, sizeof(*out));
	out->schema_current = SCHEMA_VERSION;
	if ((rc = pragma_int(s->db, "PRAGMA user_version", &out->schema)) != SQLITE_OK ||
	    (rc = pragma_int(s->db, "PRAGMA page_count", &pages)) != SQLITE_OK ||
	    (rc = pragma_int(s->db, "PRAGMA page_size", &page)) != SQLITE_OK)
		return db_err(s, rc, "pragma", err);
	out->bytes = (int64_t)pages * page;
	if ((code = prep(s, "PRAGMA foreign_key_check", &st, err)))
		return code;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW)
		out->fk_violations++;
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE)
		return db_err(s, rc, "foreign_key_check", err);
	if ((code = prep(s,
	                 "SELECT session, report_text, report_json, text_len, text_z, json_len, "
	                 "json_z FROM runs ORDER BY session",
	                 &st, err)))
		return code;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		char *text = col_ztext(st, 3, 1), *json = col_ztext(st, 5, 2);
		int day = 0, dated = col_date(st, 0, &day) == 0;

		out->runs++;
		if (!text || !json || !dated) {
			if (!out->bad_runs++)
				out->first_bad_run = day;
		}
		free(text);
		free(json);
	}
	code = rc == SQLITE_DONE ? 0
	       : (rc & 0xff) == SQLITE_CORRUPT
	               ? pt_err(err, PT_EIO, "%s: database is corrupt (%s)", s->path,
	                        sqlite3_errmsg(s->db))
	               : db_err(s, rc, "runs", err);
	sqlite3_finalize(st);
	return code;
}

/* ---- tapes -------------------------------------------------------------- */

/* Bodies larger than this are refused (the HTTP client caps them lower). */
#define TAPE_MAX_BODY ((size_t)256 << 20)

int store_save_tape(struct store *s, int session, int64_t asof, const char *sources,
                    const struct tape *t, char *err)
{
	sqlite3_stmt *st = NULL;
	struct bind b;
	unsigned char *z = NULL;
	size_t i;
	int code;

	if ((code = need_tx(s, "save_tape", err)))
		return code;
	if ((code = prep(s,
	                 "INSERT INTO tapes (session, asof, sources, recorded_at) "
	                 "VALUES (?, ?, ?, ?)",
	                 &st, err)))
		return code;
	bind_start(&b, st);
	b_date(&b, session);
	b_int(&b, asof);
	b_text(&b, sources);
	b_int(&b, (int64_t)time(NULL));
	code = bind_done(s, &b, "tapes", err);
	if (!code)
		code = step_done(s, st, "tapes", err);
	sqlite3_finalize(st);
	st = NULL;
	if (code)
		return code;
	if ((code = prep(s,
	                 "INSERT INTO tape_responses (session, seq, url, status, fetched_at, "
	                 "content_type, raw_len, crc32, body) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
	                 &st, err)))
		return code;
	for (i = 0; i < t->n && !code; i++) {
		const struct tape_record *r = &t->rec[i];
		uLongf zlen = compressBound((uLong)r->len);
		int rc;

		if (r->len > TAPE_MAX_BODY) {
			code = pt_err(err, PT_EINVAL, "tape: response %zu is too large", i);
			break;
		}
		z = xrealloc(z, zlen ? zlen : 1);
		if (compress2(z, &zlen, (const Bytef *)r->body, (uLong)r->len, 6) != Z_OK) {
			code = pt_err(err, PT_EIO, "tape: cannot compress response %zu", i);
			break;
		}
		bind_start(&b, st);
		b_date(&b, session);
		b_int(&b, (int64_t)i);
		b_text(&b, r->url);
		b_int(&b, r->status);
		b_int(&b, r->fetched_at);
		b_text(&b, r->content_type);
		b_int(&b, (int64_t)r->len);
		b_int(&b, (int64_t)crc32(0L, (const Bytef *)r->body, (uInt)r->len));
		if (b.rc == SQLITE_OK) {
			b.i++;
			rc = sqlite3_bind_blob64(st, b.i, z, (sqlite3_uint64)zlen, SQLITE_TRANSIENT);
			b.rc = rc;
		}
		code = bind_done(s, &b, "tape_responses", err);
		if (!code)
			code = step_done(s, st, "tape_responses", err);
	}
	free(z);
	sqlite3_finalize(st);
	return code;
}

static void info_from_row(sqlite3_stmt *st, struct store_tape_info *info)
{
	memset(info, 0, sizeof(*info));
	col_date(st, 0, &info->session);
	info->asof = sqlite3_column_int64(st, 1);
	col_str(st, 2, info->sources, sizeof(info->sources));
	info->recorded_at = sqlite3_column_int64(st, 3);
	info->n = (size_t)sqlite3_column_int64(st, 4);
	info->raw_bytes = (uint64_t)sqlite3_column_int64(st, 5);
	info->stored_bytes = (uint64_t)sqlite3_column_int64(st, 6);
}

#define TAPE_INFO_SQL                                                                         \
	"SELECT t.session, t.asof, t.sources, t.recorded_at, count(r.seq), "                   \
	"coalesce(sum(r.raw_len), 0), coalesce(sum(length(r.body)), 0) FROM tapes t "           \
	"LEFT JOIN tape_responses r ON r.session = t.session "

int store_list_tapes(struct store *s, struct store_tape_info **out, size_t *n, char *err)
{
	sqlite3_stmt *st = NULL;
	size_t cap = 0;
	int code, rc;

	*out = NULL;
	*n = 0;
	if ((code = prep(s, TAPE_INFO_SQL "GROUP BY t.session ORDER BY t.session", &st, err)))
		return code;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		xgrow(out, &cap, *n + 1, sizeof(**out));
		info_from_row(st, &(*out)[(*n)++]);
	}
	if (rc != SQLITE_DONE)
		code = db_err(s, rc, "tapes", err);
	sqlite3_finalize(st);
	return code;
}

int store_load_tape(struct store *s, int session, struct tape *t,
                    struct store_tape_info *info, char *err)
{
	sqlite3_stmt *st = NULL;
	struct bind b;
	char d[DATE_BUFSZ];
	char *raw = NULL;
	int code, rc;

	tape_init(t);
	if ((code = prep(s, TAPE_INFO_SQL "WHERE t.session = ? GROUP BY t.session", &st, err)))
		return code;
	bind_start(&b, st);
	b_date(&b, session);
	if ((code = bind_done(s, &b, "tapes", err)))
		goto out;
	rc = sqlite3_step(st);
	if (rc == SQLITE_DONE) {
		code = pt_err(err, PT_ENOENT, "no tape recorded for %s", date_fmt(session, d));
		goto out;
	}
	if (rc != SQLITE_ROW) {
		code = db_err(s, rc, "tapes", err);
		goto out;
	}
	info_from_row(st, info);
	sqlite3_finalize(st);
	st = NULL;
	if ((code = prep(s,
	                 "SELECT seq, url, status, fetched_at, content_type, raw_len, crc32, body "
	                 "FROM tape_responses WHERE session = ? ORDER BY seq",
	                 &st, err)))
		goto out;
	bind_start(&b, st);
	b_date(&b, session);
	if ((code = bind_done(s, &b, "tape_responses", err)))
		goto out;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		sqlite3_int64 raw_len = sqlite3_column_int64(st, 5);
		uLongf got;
		const void *z = sqlite3_column_blob(st, 7);
		int zlen = sqlite3_column_bytes(st, 7);
		const unsigned char *url = sqlite3_column_text(st, 1);
		const unsigned char *ct = sqlite3_column_text(st, 4);

		if (raw_len < 0 || (size_t)raw_len > TAPE_MAX_BODY || !url || !ct || (!z && zlen)) {
			code = corrupt(s, "tape_responses", err);
			goto out;
		}
		raw = xrealloc(raw, (size_t)raw_len + 1);
		got = (uLongf)raw_len;
		if ((raw_len || zlen) &&
		    (uncompress((Bytef *)raw, &got, z, (uLong)zlen) != Z_OK || got != (uLongf)raw_len)) {
			code = pt_err(err, PT_EIO, "%s: tape of %s: response %lld does not decompress",
			              s->path, date_fmt(session, d),
			              (long long)sqlite3_column_int64(st, 0));
			goto out;
		}
		if (crc32(0L, (const Bytef *)raw, (uInt)raw_len) !=
		    (uLong)sqlite3_column_int64(st, 6)) {
			code = pt_err(err, PT_EIO, "%s: tape of %s: response %lld fails its checksum",
			              s->path, date_fmt(session, d),
			              (long long)sqlite3_column_int64(st, 0));
			goto out;
		}
		tape_append(t, (const char *)url, (long)sqlite3_column_int64(st, 2),
		              sqlite3_column_int64(st, 3), (const char *)ct, raw, (size_t)raw_len);
	}
	if (rc != SQLITE_DONE)
		code = db_err(s, rc, "tape_responses", err);
out:
	free(raw);
	sqlite3_finalize(st);
	if (code)
		tape_release(t);
	return code;
}
