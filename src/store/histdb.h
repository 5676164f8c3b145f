/*
 * histdb.h - reading the SQLite databases of options-dataset-hist (tables
 * options_data and underlying_prices; tests/fixtures/history/README.md) for
 * `papertrade history import` (history/himport.c). Lives in store/, the one
 * module that talks to SQLite (DESIGN.md §2); it only reads, and hands each
 * row over as typed cells, leaving every judgement to the importer.
 */
#ifndef PT_HISTDB_H
#define PT_HISTDB_H

#include <stddef.h>

enum { HISTDB_NULL, HISTDB_NUM, HISTDB_TEXT };

/* One value as SQLite stored it: NULL, a number (INTEGER or REAL) or text
 * (borrowed until the callback returns). */
struct histdb_cell {
	int kind;
	double num;
	const char *text;
	size_t len;
};

/* The cells of an options_data row, in this order (a column the table
 * lacks, if optional, is NULL). */
enum {
	HDB_O_SYMBOL,
	HDB_O_DATE,
	HDB_O_EXPIRATION,
	HDB_O_STRIKE,
	HDB_O_TYPE,
	HDB_O_BID,
	HDB_O_ASK,
	HDB_O_LAST,
	HDB_O_VOLUME,
	HDB_O_OI,
	HDB_O_IV,
	HDB_O_N
};
/* The cells of an underlying_prices row. */
enum {
	HDB_U_DATE,
	HDB_U_OPEN,
	HDB_U_HIGH,
	HDB_U_LOW,
	HDB_U_CLOSE,
	HDB_U_VOLUME,
	HDB_U_DIVIDEND,
	HDB_U_SYMBOL,
	HDB_U_N
};

struct histdb_cb {
	void *arg;
	/* Each returns 0 to go on, or a negative PT_E* code (err filled) to stop. */
	int (*underlying)(void *arg, const struct histdb_cell *c, char *err);
	int (*option)(void *arg, const struct histdb_cell *c, char *err);
};

/* 1 when the n bytes at head begin an SQLite database file. */
int histdb_is_sqlite(const void *head, size_t n);
/*
 * Checks that the database at path has the tables and columns of
 * options-dataset-hist (PT_EINVAL with err naming what it lacks, e.g.
 * "options_data lacks bid, ask"), then calls cb->underlying for every row
 * of underlying_prices and cb->option for every row of options_data, in
 * the tables' own order. Opened read-only and immutable: the file is never
 * changed. 0, or an error (err says which, without the file's name).
 */
int histdb_read(const char *path, const struct histdb_cb *cb, char *err);

#endif
