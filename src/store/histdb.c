/*
 * histdb.c - reads options-dataset-hist's SQLite databases for the history
 * importer; see histdb.h. SQL through prepared statements only.
 */
#include <stdio.h>
#include <string.h>

#include <sqlite3.h>

#include "histdb.h"
#include "../util/util.h"

_Static_assert((int)HDB_O_N <= 16 && (int)HDB_U_N <= 16, "cells fit");

static const char *const opt_cols[HDB_O_N] = {
	"symbol", "date",	   "expiration",	 "strike", "type", "bid", "ask", "last",
	"volume", "open_interest", "implied_volatility",
};
static const int opt_required = 7; /* the first seven */
static const char *const und_cols[HDB_U_N] = {
	"date", "open", "high", "low", "close", "volume", "dividend_amount", "symbol",
};

int histdb_is_sqlite(const void *head, size_t n)
{
	return n >= 16 && memcmp(head, "SQLite format 3", 16) == 0;
}

/* Which of want[0..n-1] table has, into have[]; 0 when the table is
 * missing (PT_ENOENT), or an error. */
static int columns(sqlite3 *db, const char *table, const char *const *want, size_t n, int *have,
		   char *err)
{
	sqlite3_stmt *st;
	int rc, rows = 0;
	size_t i;

	memset(have, 0, n * sizeof(*have));
	if (sqlite3_prepare_v2(db, "SELECT name FROM pragma_table_info(?1)", -1, &st, NULL) !=
	    SQLITE_OK)
		return pt_err(err, PT_EIO, "%s", sqlite3_errmsg(db));
	sqlite3_bind_text(st, 1, table, -1, SQLITE_STATIC);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		const char *name = (const char *)sqlite3_column_text(st, 0);

		rows++;
		for (i = 0; name && i < n; i++)
			if (!sqlite3_stricmp(name, want[i]))
				have[i] = 1;
	}
	if (rc != SQLITE_DONE) {
		rc = pt_err(err, PT_EIO, "%s", sqlite3_errmsg(db));
		sqlite3_finalize(st);
		return rc;
	}
	sqlite3_finalize(st);
	return rows ? 0 : PT_ENOENT;
}

/* "SELECT a, b, NULL, ... FROM table" for the columns it has. */
static void select_sql(struct sbuf *sb, const char *table, const char *const *cols, const int *have,
		       size_t n)
{
	size_t i;

	sb_addf(sb, "SELECT ");
	for (i = 0; i < n; i++) {
		if (have[i])
			sb_addf(sb, "%s\"%s\"", i ? ", " : "", cols[i]);
		else
			sb_addf(sb, "%sNULL", i ? ", " : "");
	}
	sb_addf(sb, " FROM \"%s\"", table);
}

static int each_row(sqlite3 *db, const char *sql, size_t n, void *arg,
		    int (*fn)(void *, const struct histdb_cell *, char *), char *err)
{
	struct histdb_cell cells[16];
	sqlite3_stmt *st;
	size_t i;
	int rc;

	if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK)
		return pt_err(err, PT_EIO, "%s", sqlite3_errmsg(db));
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		for (i = 0; i < n; i++) {
			struct histdb_cell *c = &cells[i];

			memset(c, 0, sizeof(*c));
			switch (sqlite3_column_type(st, (int)i)) {
			case SQLITE_INTEGER:
			case SQLITE_FLOAT:
				c->kind = HISTDB_NUM;
				c->num = sqlite3_column_double(st, (int)i);
				break;
			case SQLITE_TEXT:
			case SQLITE_BLOB:
				c->kind = HISTDB_TEXT;
				c->text = (const char *)sqlite3_column_text(st, (int)i);
				c->len = (size_t)sqlite3_column_bytes(st, (int)i);
				if (!c->text)
					c->kind = HISTDB_NULL;
				break;
			default:
				c->kind = HISTDB_NULL;
			}
		}
		if ((rc = fn(arg, cells, err))) {
			sqlite3_finalize(st);
			return rc;
		}
	}
	if (rc != SQLITE_DONE) {
		rc = pt_err(err, PT_EIO, "%s", sqlite3_errmsg(db));
		sqlite3_finalize(st);
		return rc;
	}
	sqlite3_finalize(st);
	return 0;
}

int histdb_read(const char *path, const struct histdb_cb *cb, char *err)
{
	struct sbuf uri, sql;
	sqlite3 *db = NULL;
	int have_o[HDB_O_N], have_u[HDB_U_N], rc, k;
	size_t i;
	const char *p;
	char missing[PT_ERRSZ] = "";

	/* immutable: no lock, no journal, nothing written beside the file */
	sb_init(&uri, 16384);
	sb_addf(&uri, "file:");
	for (p = path; *p; p++) {
		if (*p == '%' || *p == '?' || *p == '#')
			sb_addf(&uri, "%%%02X", (unsigned char)*p);
		else
			sb_add(&uri, p, 1);
	}
	sb_addf(&uri, "?immutable=1");
	sb_init(&sql, 4096);
	if (sqlite3_open_v2(sb_str(&uri), &db, SQLITE_OPEN_READONLY | SQLITE_OPEN_URI, NULL) !=
	    SQLITE_OK) {
		rc = pt_err(err, PT_EIO, "%s", db ? sqlite3_errmsg(db) : "cannot open");
		goto out;
	}
	rc = columns(db, "options_data", opt_cols, HDB_O_N, have_o, err);
	if (rc == PT_ENOENT) {
		rc = pt_err(err, PT_EINVAL,
			    "not an options-dataset-hist database: it has no table options_data");
		goto out;
	}
	if (rc)
		goto out;
	for (i = 0, k = 0; i < (size_t)opt_required; i++) {
		if (have_o[i])
			continue;
		snprintf(missing + strlen(missing), sizeof(missing) - strlen(missing), "%s%s",
			 k++ ? ", " : "", opt_cols[i]);
	}
	if (k) {
		rc = pt_err(err, PT_EINVAL,
			    "not an options-dataset-hist database: options_data lacks %s", missing);
		goto out;
	}
	rc = columns(db, "underlying_prices", und_cols, HDB_U_N, have_u, err);
	if (rc == PT_ENOENT) {
		rc = pt_err(
			err, PT_EINVAL,
			"not an options-dataset-hist database: it has no table underlying_prices");
		goto out;
	}
	if (rc)
		goto out;
	if (!have_u[HDB_U_DATE] || !have_u[HDB_U_CLOSE]) {
		rc = pt_err(err, PT_EINVAL,
			    "not an options-dataset-hist database: underlying_prices lacks %s",
			    !have_u[HDB_U_DATE] && !have_u[HDB_U_CLOSE] ? "date, close"
			    : !have_u[HDB_U_DATE]			? "date"
									: "close");
		goto out;
	}
	select_sql(&sql, "underlying_prices", und_cols, have_u, HDB_U_N);
	if ((rc = each_row(db, sb_str(&sql), HDB_U_N, cb->arg, cb->underlying, err)))
		goto out;
	sb_release(&sql);
	sb_init(&sql, 4096);
	select_sql(&sql, "options_data", opt_cols, have_o, HDB_O_N);
	rc = each_row(db, sb_str(&sql), HDB_O_N, cb->arg, cb->option, err);
out:
	sqlite3_close(db);
	sb_release(&uri);
	sb_release(&sql);
	return rc;
}
