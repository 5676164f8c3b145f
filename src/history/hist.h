/*
 * hist.h - the end-of-day option history store (docs/history.md): what
 * `papertrade history import` writes into HOME/history/ and the history
 * provider (market/history.c) replays, DESIGN.md §1 "market view for D".
 *
 * One file per ticker, written whole and never changed (a new import
 * writes a new file), named by a small text MANIFEST that is replaced
 * atomically: an import lands whole or not at all, for every ticker it
 * touches at once. A ticker's file holds, little-endian and fixed-width:
 * its option rows grouped by session, then by expiry (calls, then puts,
 * each by strike), an index of sessions and of (session, expiry) blocks,
 * the underlying's daily bars and dividends. Prices are integers of
 * 1/10000 dollar (HIST_UNIT), exact for every price quoted in cents or
 * tenths of cents. The files are mapped read-only; a view of session D
 * reads D's index entry, D's wanted blocks and the bars, dividends and
 * rates dated before or on D, never a row dated after D.
 *
 * Sits beside tape/ under market/ and store/; uses util/ and zlib (CRC-32).
 */
#ifndef PT_HIST_H
#define PT_HIST_H

#include <stddef.h>
#include <stdint.h>

#define HIST_SYMSZ 16
#define HIST_UNIT 10000	      /* prices and strikes: integers of 1/10000 dollar */
#define HIST_IV_UNIT 1000000  /* vendor IV: integers of a millionth */
#define HIST_NONE INT32_MIN   /* a price (last) or IV the data did not give */
#define HIST_NONE64 INT64_MIN /* a bar's open, high or low the data did not give */
#define HIST_VERSION 1
#define HIST_MAGIC "PTHIST\r\n" /* 8 bytes: text-mode transfers show up */
#define HIST_RATES_MAGIC "PTRATE\r\n"

/* ---- the file format (every field little-endian) ---- */

/* One option row: 28 bytes. */
struct hist_row {
	int32_t strike;	  /* 1/10000 dollar */
	int32_t bid, ask; /* 1/10000 dollar */
	int32_t last;	  /* 1/10000 dollar, HIST_NONE when unknown */
	int32_t volume;	  /* contracts, -1 when unknown */
	int32_t oi;	  /* open interest, -1 when unknown */
	int32_t iv;	  /* the vendor's IV in millionths, HIST_NONE when unknown */
};

/* A session: 24 bytes. Its blocks are first_block .. first_block+n_blocks-1,
 * by expiry. */
struct hist_session {
	int32_t day;	   /* day number (util/date.h) */
	int32_t quote_min; /* minute of the New York day the quotes are as of */
	int64_t spot;	   /* the underlying at that time, 1/10000 dollar */
	uint32_t first_block;
	uint32_t n_blocks;
};

/* The rows of one (session, expiry): 24 bytes; n_calls calls then n_puts
 * puts from first_row, each group by strike. */
struct hist_block {
	int32_t expiry;
	uint32_t n_calls, n_puts;
	uint32_t reserved; /* 0 */
	uint64_t first_row;
};

/* A daily bar of the underlying: 48 bytes. */
struct hist_bar {
	int32_t date;
	int32_t reserved;	 /* 0 */
	int64_t open, high, low; /* 1/10000 dollar, HIST_NONE64 when unknown */
	int64_t close;		 /* 1/10000 dollar, always known */
	int64_t volume;		 /* shares, -1 when unknown */
};

/* A cash dividend: 16 bytes. */
struct hist_div {
	int32_t ex_date;
	int32_t reserved; /* 0 */
	int64_t amount;	  /* 1/10000 dollar per share */
};

/* A risk-free rate observation (FRED's DTB3): 8 bytes. */
struct hist_rate {
	int32_t date;
	int32_t discount; /* the 13-week bill's discount rate, millionths (3.17% = 31700) */
};

/*
 * The header of a ticker's file: 128 bytes at offset 0. Sections follow at
 * the offsets given, 8-byte aligned: rows, sessions, blocks, bars, divs.
 * crc_meta is the CRC-32 of the header (with both CRCs zero) followed by
 * the sessions, blocks, bars and divs sections; crc_rows that of the rows.
 */
struct hist_header {
	char magic[8];		 /* HIST_MAGIC */
	uint32_t version;	 /* HIST_VERSION */
	uint32_t endian;	 /* 0x01020304, written little-endian */
	char ticker[HIST_SYMSZ]; /* NUL-padded */
	uint32_t n_sessions, n_blocks, n_bars, n_divs;
	uint64_t n_rows;
	uint64_t off_rows, off_sessions, off_blocks, off_bars, off_divs;
	uint64_t file_size;
	uint32_t crc_meta, crc_rows;
	uint8_t reserved[16]; /* 0 */
};

/* ---- reading ---- */

/* One ticker's file, mapped read-only; the pointers are into the mapping
 * (fields little-endian: read them with hist_le32/hist_le64). */
struct hist_ticker {
	char ticker[HIST_SYMSZ];
	char file[64]; /* its name in the history folder */
	const unsigned char *map;
	size_t size;
	const struct hist_header *hdr;
	const struct hist_row *rows;
	uint64_t n_rows;
	const struct hist_session *sess;
	uint32_t n_sess;
	const struct hist_block *blk;
	uint32_t n_blk;
	const struct hist_bar *bars;
	uint32_t n_bars;
	const struct hist_div *divs;
	uint32_t n_divs;
};

/* The whole store of a home, opened read-only: every ticker, the rates. */
struct hist {
	char dir[4096];		/* HOME/history */
	struct hist_ticker *tk; /* sorted by ticker */
	size_t n_tk;
	struct hist_rate *rates; /* sorted by date (a copy) */
	size_t n_rates;
	char rates_file[64];
	uint64_t generation;
	/* the manifest's identity when read, for hist_changed */
	uint64_t man_dev, man_ino, man_size;
	int64_t man_mtime_ns;
};

static inline int32_t hist_le32(int32_t v)
{
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
	return (int32_t)__builtin_bswap32((uint32_t)v);
#else
	return v;
#endif
}

static inline int64_t hist_le64(int64_t v)
{
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
	return (int64_t)__builtin_bswap64((uint64_t)v);
#else
	return v;
#endif
}

/* HOME/history into buf (n bytes); 0, or PT_EINVAL when too long. */
int hist_dir(const char *home, char *buf, size_t n, char *err);
/*
 * Opens the history of home: reads the manifest and maps every file it
 * names, checking each file's header, section bounds, index order and
 * metadata CRC (not the rows' CRC: hist_verify). *out is NULL and 0 is
 * returned when nothing was ever imported. PT_EIO/PT_EINVAL with err
 * naming the file when a file is missing, damaged or of a newer version.
 */
int hist_open(const char *home, struct hist **out, char *err);
void hist_close(struct hist *h);
/* 1 when the manifest is no longer the one h was opened from (an import
 * or a removal since), else 0. */
int hist_changed(const struct hist *h);
/* A ticker's file (ticker compared exactly, upper case), or NULL. Borrowed. */
const struct hist_ticker *hist_find(const struct hist *h, const char *ticker);
/* The index of session day in t, or -1. */
long hist_session_index(const struct hist_ticker *t, int day);
/* The number of bars dated before day (a binary search: bars[0..k-1]). */
uint32_t hist_bars_before(const struct hist_ticker *t, int day);
/* The discount rate (a fraction) of the latest observation dated in
 * [day - max_age, day], its date in *date; NAN when none. */
double hist_rate_on(const struct hist *h, int day, int max_age, int *date);
/* Checks the rows' CRC-32 of every file and the rates; 0, or PT_EIO with
 * err naming the first file that fails. */
int hist_verify(const struct hist *h, char *err);

/* ---- coverage: what the history holds, for `history list` and the
 * backtest (which reports and drops the tickers it lacks before it starts) */

struct hist_coverage {
	char ticker[HIST_SYMSZ];
	int first, last;	   /* first and last session with option rows (day numbers) */
	size_t sessions;	   /* sessions with option rows */
	uint64_t rows;		   /* option rows */
	uint64_t bytes;		   /* the file's size */
	int bars_first, bars_last; /* the underlying's bars; 0 when none */
	size_t bars, divs;
};

/*
 * What the history of home covers, one entry per ticker, sorted by ticker,
 * into *out (malloc'd, the caller frees; NULL when *n is 0). No history is
 * 0 with *n = 0. rates_first/rates_last (may be NULL) get the range of the
 * imported rates (0 when none).
 */
int hist_coverage(const char *home, struct hist_coverage **out, size_t *n, int *rates_first,
		  int *rates_last, char *err);
/* The entry of ticker in c[0..n-1], or NULL: a ticker the history lacks. */
const struct hist_coverage *hist_coverage_find(const struct hist_coverage *c, size_t n,
					       const char *ticker);
/* Fills c for one opened ticker. */
void hist_coverage_of(const struct hist_ticker *t, struct hist_coverage *c);

/* ---- writing (the importer's side) ---- */

/*
 * One ticker's content in memory, as the importer hands it to
 * hist_write_ticker: sessions by day, each with its blocks by expiry, each
 * block's rows calls then puts by strike (the caller sorts); bars by date,
 * dividends by ex-date. Fields in host order.
 */
struct hist_data {
	char ticker[HIST_SYMSZ];
	struct hist_session *sess; /* first_block indexes blk */
	size_t n_sess;
	struct hist_block *blk; /* first_row indexes rows */
	size_t n_blk;
	struct hist_row *rows;
	size_t n_rows;
	struct hist_bar *bars;
	size_t n_bars;
	struct hist_div *divs;
	size_t n_divs;
};

/* A transaction on the store: the manifest as it was, the files written. */
struct hist_txn;

/*
 * Starts changing the history of home (made when missing): takes the
 * import lock (PT_EBUSY when another import holds it) and reads the
 * current manifest. Nothing is visible until hist_txn_commit.
 */
int hist_txn_begin(const char *home, struct hist_txn **out, char *err);
/* Writes d as the new file of its ticker (replacing the ticker's current
 * file at commit). 0, or PT_EIO with err. */
int hist_txn_put(struct hist_txn *tx, const struct hist_data *d, char *err);

/*
 * The same file written as it is built, its rows first (hist_txn_put is
 * hist_txn_out, hist_out_rows of every row, hist_out_finish): the rows go
 * to the file while the caller builds the next ones (a thread of the
 * writer's own checksums and writes them), and the index follows.
 */
struct hist_out;
/* Starts ticker's new file in tx; 0 and *out, or PT_EINVAL/PT_EIO. */
int hist_txn_out(struct hist_txn *tx, const char *ticker, struct hist_out **out, char *err);
/* Appends n rows (host order), the next of the file's rows. A write
 * failure is reported by hist_out_finish. */
void hist_out_rows(struct hist_out *o, const struct hist_row *r, size_t n);
/* Writes d's sessions, blocks (their first_row counting the rows given),
 * bars and dividends after the rows (d->rows and d->n_rows are not read),
 * then the header; syncs the file and makes it the ticker's at commit.
 * Frees o; 0, or PT_EIO with err (the file is removed with the txn). */
int hist_out_finish(struct hist_out *o, const struct hist_data *d, char *err);
/* Abandons o: its file is removed and forgotten by tx. NULL is a no-op. */
void hist_out_abort(struct hist_out *o);
/* Drops ticker from the store at commit; PT_ENOENT when it is not there. */
int hist_txn_remove(struct hist_txn *tx, const char *ticker, char *err);
/* Replaces the rates at commit (n may be 0: none). */
int hist_txn_put_rates(struct hist_txn *tx, const struct hist_rate *r, size_t n, char *err);
/* Drops the rates at commit. */
void hist_txn_remove_rates(struct hist_txn *tx);
/* The store as the transaction started (for merging); NULL when empty. */
const struct hist *hist_txn_current(const struct hist_txn *tx);
/*
 * Makes every change visible at once: the new manifest is written to a
 * temporary file, synced and renamed over the old one; then files no
 * longer named are removed. On failure nothing changed. Frees tx either way.
 */
int hist_txn_commit(struct hist_txn *tx, char *err);
/* Abandons tx: removes the files it wrote; the store is as before. */
void hist_txn_abort(struct hist_txn *tx);

#endif
