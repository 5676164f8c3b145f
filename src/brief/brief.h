/*
 * brief.h - the brief's portfolio_data.json (seed/live-paper-trading-guide.md,
 * "Files Created"), for `export` and `import` (DESIGN.md §5). A portfolio
 * (book/) to text and back: no I/O, no SQLite. It sits beside store/ (DESIGN.md
 * §2): cli/port.c reads the portfolio from the store, calls brief_export_json
 * and writes the file; or reads the file, calls brief_import_json and saves
 * the portfolio with store_save_portfolio.
 *
 * Errors: 0 or a negative PT_E* code with a one-line message in err
 * (PT_ERRSZ) naming the field ("positions[2].strike: not a positive number").
 */
#ifndef PT_BRIEF_H
#define PT_BRIEF_H

#include <stddef.h>
#include <stdint.h>

struct portfolio;
struct sbuf;

/* The most JSON text brief_import_json accepts, in bytes. */
#define BRIEF_MAX_TEXT (64u << 20)

/*
 * Appends pf as the brief's JSON to out: the brief's fields (start_date,
 * initial_capital, current_cash, positions, closed_trades, daily_snapshots;
 * amounts in dollars, 2 decimals) plus a "papertrade" object with the exact
 * state (cents, ids, the ledger, every double at full precision), so that
 * export -> import gives back the same portfolio field by field.
 * PT_ERANGE past out's limit (out then holds part of the text).
 */
int brief_export_json(const struct portfolio *pf, struct sbuf *out, char *err);

/*
 * Reads the len bytes of JSON at text (at most BRIEF_MAX_TEXT; hostile input:
 * every field's type, range and format checked, nesting capped) into pf,
 * which must be book_init'ed. With a "papertrade" object, that exact state
 * (the brief's fields beside it must agree); else the brief's fields alone,
 * with the ledger rows that keep the identities of DESIGN.md §5 (brief.c
 * says which). On success pf is replaced (ledger_saved = 0, so
 * store_save_portfolio writes every row) and passes book_check; on failure
 * (PT_EINVAL) it is left as it was.
 */
int brief_import_json(const char *text, size_t len, struct portfolio *pf, char *err);

/* What an import of the brief's fields alone did that its caller should say
 * (all zero after a file with the "papertrade" object). */
struct brief_info {
	int64_t file_initial_cents; /* the file's initial_capital (pf->initial_cents is
				     * the opening balance: current_cash less the
				     * trades' cash flows) */
	size_t snaps_skipped;	    /* daily_snapshots read but not kept */
};

/* brief_import_json, filling *info (may be NULL) on success. */
int brief_import_json_info(const char *text, size_t len, struct portfolio *pf,
			   struct brief_info *info, char *err);

#endif
