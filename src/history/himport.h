/*
 * himport.h - `papertrade history import`: reads end-of-day option files
 * in the layouts of docs/history.md (OptionsDX text, Cboe DataShop / LiveVol
 * end-of-day quotes, options-dataset-hist SQLite, each possibly zstd-
 * compressed) and FRED DTB3 rate files into the history store (hist.h),
 * whole or not at all. Never prints: cli/history.c says what happened.
 */
#ifndef PT_HIMPORT_H
#define PT_HIMPORT_H

#include <stddef.h>
#include <stdint.h>

#include "hist.h"

/* Why a row was dropped (docs/history.md lists each). */
enum {
	HIMP_SHORT,	 /* fewer columns than the header */
	HIMP_DATE,	 /* the quote date or expiry is not a date */
	HIMP_SESSION,	 /* the quote date is not an NYSE session (2000-2035) */
	HIMP_EXPIRED,	 /* expiry before the quote date */
	HIMP_SYMBOL,	 /* the underlying's symbol is not a ticker */
	HIMP_STRIKE,	 /* strike missing, not a number or not positive */
	HIMP_RIGHT,	 /* neither a call nor a put */
	HIMP_NO_QUOTE,	 /* bid or ask missing */
	HIMP_NUMBER,	 /* a number that is not one, or negative */
	HIMP_CROSSED,	 /* ask below bid */
	HIMP_ZERO_WIDTH, /* ask equal to bid (0/0: no market) */
	HIMP_RANGE,	 /* beyond what the store holds */
	HIMP_UNDERLYING, /* no underlying price for the session */
	HIMP_DUPLICATE,	 /* the same contract and session again: the later row wins */
	HIMP_NREASONS
};

/* The reason's key for --json ("no_quote") and its words ("no quote"). */
const char *himp_reason_key(int r);
const char *himp_reason_text(int r);

struct himp_file {
	char name[512];	  /* as given */
	char layout[32];  /* "optionsdx", "cboe", "options-dataset-hist", "fred-dtb3" */
	int zstd;	  /* 1 when it was zstd-compressed */
	uint64_t read;	  /* option rows (rates: observations) read */
	uint64_t skipped; /* rows of other tickers than --ticker */
	uint64_t dropped[HIMP_NREASONS];
};

struct himp_ticker {
	char ticker[HIST_SYMSZ];
	uint64_t rows;	   /* option rows this import brings (after drops) */
	size_t sessions;   /* sessions it brings */
	size_t replaced;   /* of those, sessions the store had (merged, the import winning) */
	int first, last;   /* its first and last session */
	size_t bars, divs; /* bars and dividends it brings */
	struct hist_coverage after; /* the ticker in the store afterwards */
};

struct himp_result {
	struct himp_file *files;
	size_t n_files;
	struct himp_ticker *tk;
	size_t n_tk;
	uint64_t read, kept, skipped;
	uint64_t dropped[HIMP_NREASONS];
	size_t rates; /* rate observations imported (0: none given) */
	int rates_first, rates_last;
	uint64_t rates_dropped;
};

struct himp_opts {
	const char *home;   /* the home folder: the store is HOME/history */
	const char *ticker; /* --ticker: the ticker of OptionsDX files, and the only
			     * one taken from the others; NULL for all */
	const char *rates;  /* --rates FILE, or NULL */
	const char *tmpdir; /* where a .zst is decompressed; NULL: the store's folder */
	size_t piece;	    /* bytes of text read as one piece; 0: the default (4 MiB).
			     * Tests make it small, to cut sessions across pieces */
};

/*
 * Imports files[0..n-1] (and o->rates) into the store in one transaction:
 * nothing is visible before every file is read (plain OptionsDX text is
 * written to a new file as it is read, which the transaction removes on
 * failure); a file that cannot be read, is in no known layout (err names
 * the columns the nearest layout lacks), or is damaged fails the whole
 * import with the store exactly as before. Rows already in the store for the same session and contract are
 * replaced (the later import wins), so importing the same rows again
 * changes nothing. res is filled (himp_result_release it) even on failure,
 * with what was read.
 */
int himp_run(const struct himp_opts *o, const char *const *files, size_t n, struct himp_result *res,
	     char *err);
void himp_result_release(struct himp_result *r);
/* Removes tickers[0..n-1] (and the rates when rates is 1) from the store of
 * home, in one transaction. */
int himp_remove(const char *home, const char *const *tickers, size_t n, int rates, char *err);

/*
 * Parses the decimal number in s[0..n) (blanks around it allowed; no
 * exponent needed, one is read too) as an integer count of 10^-dec units,
 * rounded half away from zero. 0 and *out set; 1 when the field is empty;
 * -1 when it is not a finite number or does not fit in 63 bits.
 */
int himp_fixed(const char *s, size_t n, int dec, int64_t *out);
/* himp_fixed without its fast path: the general reading, which the fast
 * path must equal on every input (test_history holds them together). */
int himp_fixed_any(const char *s, size_t n, int dec, int64_t *out);
/* Parses a date written YYYY-MM-DD or M/D/YYYY, either optionally followed
 * by a blank or 'T' and a time of day (ignored). 0 and *day, or -1. */
int himp_date(const char *s, size_t n, int *day);

#endif
