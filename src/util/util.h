/*
 * util.h - the few helpers every module shares: allocation that aborts on
 * out-of-memory (we are an application), a growable string buffer with a hard
 * size limit, strict number parsing, the caller-owned error buffer and the
 * edit distance behind every "did you mean".
 *
 * Sits under everything in DESIGN.md §1; it does no I/O except the abort
 * message on out-of-memory.
 */
#ifndef PT_UTIL_H
#define PT_UTIL_H

#include <stddef.h>
#include <stdint.h>
#include <stdarg.h>

/* Size of every caller-owned error message buffer (curl's CURL_ERROR_SIZE idea). */
#define PT_ERRSZ 256

/* Negative error codes returned by core functions. */
enum {
	PT_OK = 0,
	PT_EINVAL = -1,	/* bad input: usage, config, data */
	PT_EIO = -2,	/* file, database or network failure */
	PT_ERANGE = -3,	/* a value out of the supported range */
	PT_ENOENT = -4,	/* something asked for does not exist */
	PT_EBUSY = -5,	/* another run holds the lock */
	PT_EDATA = -6,	/* market data unusable */
};

#define PT_ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

/* Allocation: never returns NULL; prints one line and aborts on out-of-memory. */
void *xmalloc(size_t n);
void *xcalloc(size_t n, size_t size);
void *xrealloc(void *p, size_t n);
char *xstrdup(const char *s);
/* A copy of the n bytes at p with a NUL after them (git's xmemdupz); p may
 * be NULL when n is 0. The caller frees it. */
char *xmemdupz(const void *p, size_t n);
/* Grow *p (of *cap elements of size sz) so it holds at least need elements. */
void xgrow(void *pp, size_t *cap, size_t need, size_t sz);

/* Formats into err (PT_ERRSZ bytes) and returns code: `return pt_err(err, PT_EINVAL, "...")`. */
int pt_err(char *err, int code, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/* Bounded copy that always terminates; returns 0, or -1 when src was cut. */
int pt_strlcpy(char *dst, const char *src, size_t size);

/*
 * Levenshtein distance between a and b, ignoring ASCII case: the fewest
 * one-byte insertions, deletions and substitutions that turn one into the
 * other (for "did you mean"). SIZE_MAX when either is 64 bytes or longer:
 * no name worth suggesting is that long.
 */
size_t pt_edit_distance(const char *a, const char *b);

/*
 * A growable string with a hard limit (curl's dynbuf). The caller owns the
 * struct; sb_release frees the memory. Appending past `limit` bytes fails
 * with -1 and leaves the buffer as it was.
 */
struct sbuf {
	char *buf;
	size_t len;
	size_t cap;
	size_t limit;
};
void sb_init(struct sbuf *sb, size_t limit);
void sb_release(struct sbuf *sb);
int sb_add(struct sbuf *sb, const void *data, size_t n);
int sb_addf(struct sbuf *sb, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
int sb_vaddf(struct sbuf *sb, const char *fmt, va_list ap);
/* Returns the text (never NULL: "" when empty); borrowed from sb. */
const char *sb_str(const struct sbuf *sb);
/* Appends s as one CSV field (RFC 4180): quoted, with quotes doubled, when
 * it holds a comma, a quote or a line break. */
void sb_add_csv(struct sbuf *sb, const char *s);

/*
 * Strict parsers: the whole string must be a number (no trailing junk, no
 * empty string, finite). Return 0 or -1.
 */
int pt_parse_double(const char *s, double *out);
int pt_parse_long(const char *s, long *out);

/* Round a dollar amount to integer cents, half away from zero; 0 for a
 * non-finite or absurd (over 9e16) amount. */
int64_t pt_cents(double dollars);

/* Formats cents as "-1,234.56" (no sign for >= 0) into buf of size n; returns buf. */
char *pt_fmt_money(char *buf, size_t n, int64_t cents);
/* Formats cents exactly as "-1234.56" (no separators: for CSV and JSON)
 * into buf of size n; returns buf. */
char *pt_fmt_cents(char *buf, size_t n, int64_t cents);

#include "../banned.h"
#endif
