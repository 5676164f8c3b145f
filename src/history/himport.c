/*
 * himport.c - `papertrade history import`: the readers of each layout, the
 * accumulation of rows per ticker and session, and the merge into the
 * store (hist.h) in one transaction; see himport.h and docs/history.md.
 *
 * Speed matters (docs/history.md, "Figures"): text is mapped, not copied,
 * and read in pieces by a thread per core; a line's commas and its end are
 * found in one pass (sixteen bytes at a time) and only the needed fields
 * parsed, the usual number by a short path; dates repeat, so the last one
 * parsed is remembered; rows that arrive in session order (every vendor's
 * files do) are not sorted again, and rows within a session in (expiry,
 * strike) order are split into calls and puts in one pass. Plain OptionsDX
 * text, the bulk of any history, is not even kept: each session is built
 * as soon as the next one starts and its rows go to the store's writer
 * while the threads read on (struct stream), so memory holds a few pieces
 * and one session, never the rows of the file.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <zstd.h>
#if defined(__SSE2__)
#include <emmintrin.h>
#endif

#include "himport.h"
#include "../market/calendar.h"
#include "../store/histdb.h"
#include "../util/date.h"
#include "../util/util.h"

#define HEADER_MAX 65536 /* longest header line */
#define MAX_COLS 256

static const struct {
	const char *key, *text;
} reasons[HIMP_NREASONS] = {
	[HIMP_SHORT] = {"short_row", "fewer columns than the header"},
	[HIMP_DATE] = {"bad_date", "not a date"},
	[HIMP_SESSION] = {"not_a_session", "not an NYSE session (2000-2035)"},
	[HIMP_EXPIRED] = {"expired", "expiry before the quote date"},
	[HIMP_SYMBOL] = {"bad_symbol", "not a ticker symbol"},
	[HIMP_STRIKE] = {"bad_strike", "no positive strike"},
	[HIMP_RIGHT] = {"bad_right", "neither call nor put"},
	[HIMP_NO_QUOTE] = {"no_quote", "no bid or ask"},
	[HIMP_NUMBER] = {"bad_number", "a bad or negative number"},
	[HIMP_CROSSED] = {"crossed", "ask below bid"},
	[HIMP_ZERO_WIDTH] = {"zero_width", "ask equal to bid"},
	[HIMP_RANGE] = {"out_of_range", "too large to store"},
	[HIMP_UNDERLYING] = {"no_underlying", "no underlying price that session"},
	[HIMP_DUPLICATE] = {"duplicate", "the same contract again (the later row kept)"},
};

const char *himp_reason_key(int r)
{
	return r >= 0 && r < HIMP_NREASONS ? reasons[r].key : "";
}

const char *himp_reason_text(int r)
{
	return r >= 0 && r < HIMP_NREASONS ? reasons[r].text : "";
}

/* ---- numbers and dates ---- */

static int blank(char c)
{
	return c == ' ' || c == '\t' || c == '"' || c == '\r';
}

/* himp_fixed for any text (the fast path's fallback). */
__attribute__((noinline)) int himp_fixed_any(const char *s, size_t n, int dec, int64_t *out)
{
	const char *e = s + n, *p;
	int neg = 0, seen = 0, frac = 0, round = 0;
	uint64_t v = 0;

	while (s < e && blank(*s))
		s++;
	while (e > s && blank(e[-1]))
		e--;
	if (s == e)
		return 1;
	p = s;
	if (*p == '-' || *p == '+')
		neg = *p++ == '-';
	for (; p < e && *p >= '0' && *p <= '9'; p++) {
		if (v > 900000000000000ULL)
			return -1;
		v = v * 10 + (uint64_t)(*p - '0');
		seen = 1;
	}
	if (p < e && *p == '.') {
		for (p++; p < e && *p >= '0' && *p <= '9'; p++) {
			if (frac < dec) {
				if (v > 900000000000000000ULL)
					return -1;
				v = v * 10 + (uint64_t)(*p - '0');
				frac++;
			} else if (frac == dec) {
				round = *p >= '5';
				frac++;
			}
			seen = 1;
		}
	}
	if (p < e && (*p == 'e' || *p == 'E') && seen) {
		/* rare (IVs such as 1.0000000000000003E-5): the C library's reading */
		char buf[64];
		double x;
		char *end;

		if ((size_t)(e - s) >= sizeof(buf))
			return -1;
		memcpy(buf, s, (size_t)(e - s));
		buf[e - s] = '\0';
		errno = 0;
		x = strtod(buf, &end);
		if (errno || *end || !isfinite(x) || fabs(x) * pow(10, dec) > 9e17)
			return -1;
		*out = llround(x * pow(10, dec));
		return 0;
	}
	if (p != e || !seen)
		return -1;
	for (; frac < dec; frac++) {
		if (v > 900000000000000000ULL)
			return -1;
		v *= 10;
	}
	v += (uint64_t)round;
	*out = neg ? -(int64_t)v : (int64_t)v;
	return 0;
}

/*
 * The usual number first: blanks (spaces) before, 1 to 9 digits, perhaps a
 * point and more digits, nothing after. Its value cannot overflow, so the
 * digits are summed as they come; anything else (a sign, an exponent,
 * blanks after, more digits, no digit before the point) is himp_fixed_any's,
 * which reads it exactly as this would. tests/unit/test_history.c holds
 * the two to the same result on every boundary and on random text.
 */
static inline __attribute__((always_inline)) int fixed(const char *s, size_t n, int dec,
							 int64_t *out)
{
	static const uint64_t p10[] = {1, 10, 100, 1000, 10000, 100000, 1000000};
	const char *p = s, *e = s + n, *d;
	uint64_t v = 0;
	int frac = 0, round = 0;

	while (p < e && *p == ' ')
		p++;
	for (d = p; p < e && (unsigned)(*p - '0') < 10; p++)
		v = v * 10 + (uint64_t)(*p - '0');
	if (p == d || p - d > 9 || dec < 0 || dec > 6)
		return himp_fixed_any(s, n, dec, out);
	if (p < e && *p == '.') {
		for (p++; p < e && frac < dec && (unsigned)(*p - '0') < 10; p++, frac++)
			v = v * 10 + (uint64_t)(*p - '0');
		if (p < e && (unsigned)(*p - '0') < 10) {
			round = *p >= '5';
			for (p++; p < e && (unsigned)(*p - '0') < 10; p++)
				;
		}
	}
	if (p != e)
		return himp_fixed_any(s, n, dec, out);
	*out = (int64_t)(v * p10[dec - frac] + (uint64_t)round);
	return 0;
}

int himp_fixed(const char *s, size_t n, int dec, int64_t *out)
{
	return fixed(s, n, dec, out);
}

/* Digits of s[0..n) as a number; -1 when not all digits or none. */
static int digits(const char *s, size_t n)
{
	int v = 0;
	size_t i;

	if (!n || n > 4)
		return -1;
	for (i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		v = v * 10 + s[i] - '0';
	}
	return v;
}

int himp_date(const char *s, size_t n, int *day)
{
	const char *e = s + n, *a, *b;
	int y, m, d;

	while (s < e && blank(*s))
		s++;
	while (e > s && blank(e[-1]))
		e--;
	n = (size_t)(e - s);
	if (n >= 10 && s[4] == '-' && s[7] == '-') {
		y = digits(s, 4);
		m = digits(s + 5, 2);
		d = digits(s + 8, 2);
		if (n > 10 && s[10] != ' ' && s[10] != 'T')
			return -1;
	} else {
		a = memchr(s, '/', n);
		b = a ? memchr(a + 1, '/', (size_t)(e - a - 1)) : NULL;
		if (!a || !b)
			return -1;
		m = digits(s, (size_t)(a - s));
		d = digits(a + 1, (size_t)(b - a - 1));
		y = (e - b - 1 >= 4) ? digits(b + 1, 4) : -1;
		if (e - b - 1 > 4 && b[5] != ' ' && b[5] != 'T')
			return -1;
	}
	if (y < 1900 || y > 2199 || m < 1 || m > 12 || d < 1 || d > date_days_in_month(y, m))
		return -1;
	*day = date_from_ymd(y, m, d);
	return 0;
}

/* ---- what an import accumulates ---- */

struct arow {
	int32_t session, expiry, strike, bid, ask, last, volume, oi, iv;
	uint8_t right; /* 0 call, 1 put */
};

/* What is known of the underlying on one day. */
struct aday {
	int64_t spot;				/* at the quotes' time */
	int64_t open, high, low, close, volume; /* the bar */
	int64_t div;				/* a dividend with its ex-date that day */
	int16_t qmin;				/* the quotes' minute */
	uint8_t has_spot, has_bar, bar_explicit, has_div;
};

struct stream;

struct atk {
	char sym[HIST_SYMSZ];
	struct arow *rows;
	size_t n, cap;
	int last_session, unsorted;
	struct aday *day; /* indexed by day - day0 */
	size_t n_bars, n_divs;
	struct stream *st; /* its file written as the rows come (not kept), or NULL */
};

struct imp {
	const struct himp_opts *o;
	struct himp_result *res;
	struct himp_file *f;
	struct hist_txn *tx;
	struct atk **tk;
	size_t n_tk;
	struct atk *cur;
	int day0, ndays;
	int tmp_seq;
	int stream; /* OptionsDX tickers are streamed (stream_ok) */
};

static struct atk *ticker_acc(struct imp *im, const char *sym)
{
	struct atk *t;
	size_t i;

	if (im->cur && !strcmp(im->cur->sym, sym))
		return im->cur;
	for (i = 0; i < im->n_tk; i++)
		if (!strcmp(im->tk[i]->sym, sym))
			return im->cur = im->tk[i];
	t = xcalloc(1, sizeof(*t));
	pt_strlcpy(t->sym, sym, sizeof(t->sym));
	t->day = xcalloc((size_t)im->ndays, sizeof(*t->day));
	im->tk = xrealloc(im->tk, (im->n_tk + 1) * sizeof(struct atk *));
	im->tk[im->n_tk++] = t;
	return im->cur = t;
}

static void stream_free(struct stream *s);

static void atk_free(struct atk *t)
{
	if (!t)
		return;
	stream_free(t->st);
	free(t->rows);
	free(t->day);
	free(t);
}

/* Upper-cases s[0..n) into out as a ticker; 0, or -1 when not one. */
static int norm_ticker(const char *s, size_t n, char *out)
{
	size_t i;

	while (n && blank(*s)) {
		s++;
		n--;
	}
	while (n && blank(s[n - 1]))
		n--;
	if (!n || n >= HIST_SYMSZ)
		return -1;
	for (i = 0; i < n; i++) {
		char c = s[i];

		if (c >= 'a' && c <= 'z')
			c = (char)(c - 'a' + 'A');
		if (!strchr("ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.^=_-", c) || !c)
			return -1;
		out[i] = c;
	}
	out[n] = '\0';
	return 0;
}

static void drop(struct imp *im, int why, int n)
{
	im->f->dropped[why] += (uint64_t)n;
	im->res->dropped[why] += (uint64_t)n;
}

/* Day index of day, or -1 outside the calendar's years. */
static int day_ix(const struct imp *im, int day)
{
	int i = day - im->day0;

	return i >= 0 && i < im->ndays ? i : -1;
}

/* The close of session day, in minutes. */
static int close_min(int day)
{
	int c = 960;

	cal_session_hours(day, NULL, &c);
	return c;
}

/* What a text source knows of the underlying on session day: the spot at
 * minute qmin (the first one given wins), and a bar's close. */
static void note_underlying(struct atk *t, const struct imp *im, int day, int64_t spot, int qmin,
			    int64_t close)
{
	struct aday *a = &t->day[day_ix(im, day)];

	if (!a->has_spot && spot > 0) {
		a->spot = spot;
		a->qmin = (int16_t)qmin;
		a->has_spot = 1;
	}
	if (!a->has_bar && close > 0) {
		a->close = close;
		a->open = a->high = a->low = HIST_NONE64;
		a->volume = -1;
		a->has_bar = 1;
		t->n_bars++;
	}
}

static void push(struct atk *t, const struct arow *r)
{
	if (t->n == t->cap)
		xgrow(&t->rows, &t->cap, t->n + 1, sizeof(*t->rows));
	if (r->session < t->last_session)
		t->unsorted = 1;
	t->last_session = r->session;
	t->rows[t->n++] = *r;
}

/* ---- one option row's numbers ---- */

/* Parsed fields of one option (text or cells): returns the reason it is
 * bad, or -1 when it is good (r filled). */
struct ofields {
	int bid_rc, ask_rc, last_rc, vol_rc, oi_rc, iv_rc;
	int64_t bid, ask, last, vol, oi, iv; /* prices 1e-4, vol/oi 1e-4 (checked whole), iv 1e-6 */
};

static int option_row(const struct ofields *f, struct arow *r)
{
	if (f->bid_rc == 1 || f->ask_rc == 1)
		return HIMP_NO_QUOTE;
	if (f->bid_rc < 0 || f->ask_rc < 0 || f->last_rc < 0 || f->vol_rc < 0 || f->oi_rc < 0 ||
	    f->iv_rc < 0 || f->bid < 0 || f->ask < 0 || (!f->last_rc && f->last < 0) ||
	    (!f->vol_rc && (f->vol < 0 || f->vol % HIST_UNIT)) ||
	    (!f->oi_rc && (f->oi < 0 || f->oi % HIST_UNIT)))
		return HIMP_NUMBER;
	if (f->ask < f->bid)
		return HIMP_CROSSED;
	if (f->ask == f->bid)
		return HIMP_ZERO_WIDTH;
	if (f->ask > INT32_MAX || (!f->last_rc && f->last > INT32_MAX) ||
	    (!f->vol_rc && f->vol / HIST_UNIT > INT32_MAX) ||
	    (!f->oi_rc && f->oi / HIST_UNIT > INT32_MAX))
		return HIMP_RANGE;
	r->bid = (int32_t)f->bid;
	r->ask = (int32_t)f->ask;
	r->last = f->last_rc ? HIST_NONE : (int32_t)f->last;
	r->volume = f->vol_rc ? -1 : (int32_t)(f->vol / HIST_UNIT);
	r->oi = f->oi_rc ? -1 : (int32_t)(f->oi / HIST_UNIT);
	/* a vendor IV of 0 or below is a placeholder, not a volatility */
	r->iv = f->iv_rc || f->iv <= 0 || f->iv > INT32_MAX ? HIST_NONE : (int32_t)f->iv;
	return -1;
}

/* ---- text layouts ---- */

struct fld {
	const char *s;
	size_t n;
};

enum { L_NONE, L_OPTIONSDX, L_CBOE };

/* Needed columns of each layout: the name (normalized: lower case, no
 * brackets), the name as the layout spells it, required or not. */
enum {
	X_QDATE,
	X_QHOURS,
	X_QREAD,
	X_UND,
	X_EXP,
	X_STRIKE,
	X_CBID,
	X_CASK,
	X_CLAST,
	X_CVOL,
	X_CIV,
	X_PBID,
	X_PASK,
	X_PLAST,
	X_PVOL,
	X_PIV,
	X_N
};
static const struct col {
	const char *norm, *shown;
	int required;
} dx_cols[X_N] = {
	[X_QDATE] = {"quote_date", "[QUOTE_DATE]", 1},
	[X_QHOURS] = {"quote_time_hours", "[QUOTE_TIME_HOURS]", 0},
	[X_QREAD] = {"quote_readtime", "[QUOTE_READTIME]", 0},
	[X_UND] = {"underlying_last", "[UNDERLYING_LAST]", 1},
	[X_EXP] = {"expire_date", "[EXPIRE_DATE]", 1},
	[X_STRIKE] = {"strike", "[STRIKE]", 1},
	[X_CBID] = {"c_bid", "[C_BID]", 1},
	[X_CASK] = {"c_ask", "[C_ASK]", 1},
	[X_CLAST] = {"c_last", "[C_LAST]", 0},
	[X_CVOL] = {"c_volume", "[C_VOLUME]", 0},
	[X_CIV] = {"c_iv", "[C_IV]", 0},
	[X_PBID] = {"p_bid", "[P_BID]", 1},
	[X_PASK] = {"p_ask", "[P_ASK]", 1},
	[X_PLAST] = {"p_last", "[P_LAST]", 0},
	[X_PVOL] = {"p_volume", "[P_VOLUME]", 0},
	[X_PIV] = {"p_iv", "[P_IV]", 0},
};

enum {
	Y_SYM,
	Y_QDATE,
	Y_EXP,
	Y_STRIKE,
	Y_TYPE,
	Y_BID,
	Y_ASK,
	Y_UBID,
	Y_UASK,
	Y_ACTIVE,
	Y_UBID_EOD,
	Y_UASK_EOD,
	Y_CLOSE,
	Y_VOL,
	Y_OI,
	Y_IV,
	Y_N
};
static const struct col cb_cols[Y_N] = {
	[Y_SYM] = {"underlying_symbol", "underlying_symbol", 1},
	[Y_QDATE] = {"quote_date", "quote_date", 1},
	[Y_EXP] = {"expiration", "expiration", 1},
	[Y_STRIKE] = {"strike", "strike", 1},
	[Y_TYPE] = {"option_type", "option_type", 1},
	[Y_BID] = {"bid_1545", "bid_1545", 1},
	[Y_ASK] = {"ask_1545", "ask_1545", 1},
	[Y_UBID] = {"underlying_bid_1545", "underlying_bid_1545", 1},
	[Y_UASK] = {"underlying_ask_1545", "underlying_ask_1545", 1},
	[Y_ACTIVE] = {"active_underlying_price_1545", "active_underlying_price_1545", 0},
	[Y_UBID_EOD] = {"underlying_bid_eod", "underlying_bid_eod", 0},
	[Y_UASK_EOD] = {"underlying_ask_eod", "underlying_ask_eod", 0},
	[Y_CLOSE] = {"close", "close", 0},
	[Y_VOL] = {"trade_volume", "trade_volume", 0},
	[Y_OI] = {"open_interest", "open_interest", 0},
	[Y_IV] = {"implied_volatility_1545", "implied_volatility_1545", 0},
};

/* Splits line s[0..n) at commas into f, stopping once max fields are
 * found; returns how many were found (max at most). Eight bytes at a
 * time: the lowest byte the word test flags is always a comma (borrows
 * only ever flag bytes above a true one), so each word is searched again
 * from just past the comma found. */
static size_t split(const char *s, size_t n, struct fld *f, size_t max)
{
	const uint64_t ones = 0x0101010101010101ULL, highs = 0x8080808080808080ULL;
	const uint64_t commas = ones * (uint64_t)',';
	const char *e = s + n, *start = s, *c;
	size_t k = 0;

	if (!max)
		return 0;
	while (s < e) {
		c = NULL;
		if (e - s >= 8) {
			uint64_t w, x, m;

			memcpy(&w, s, 8);
			x = w ^ commas;
			m = (x - ones) & ~x & highs;
			if (!m) {
				s += 8;
				continue;
			}
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
			c = s + __builtin_clzll(m) / 8;
#else
			c = s + __builtin_ctzll(m) / 8;
#endif
		} else {
			c = memchr(s, ',', (size_t)(e - s));
			if (!c)
				break;
		}
		f[k].s = start;
		f[k].n = (size_t)(c - start);
		if (++k == max)
			return k;
		s = start = c + 1;
	}
	f[k].s = start;
	f[k].n = (size_t)(e - start);
	return k + 1;
}

/*
 * The line at p (ending at its newline or at e): its length without the
 * newline and a carriage return before it into *len, the start of the
 * next line into *next, and its fields split at commas into f (at most
 * max, as split finds them); returns how many fields. With SSE2, one pass
 * finds the commas and the newline sixteen bytes at a time.
 */
static size_t split_line(const char *p, const char *e, struct fld *f, size_t max, size_t *len,
			 const char **next)
{
#if defined(__SSE2__)
	const __m128i commas = _mm_set1_epi8(','), nls = _mm_set1_epi8('\n');
	const char *s = p, *start = p, *end;
	size_t k = 0;

	for (;;) {
		unsigned mc = 0, mn = 0;
		size_t w = (size_t)(e - s), i;

		if (w >= 16) {
			__m128i v = _mm_loadu_si128((const __m128i *)(const void *)s);

			mc = (unsigned)_mm_movemask_epi8(_mm_cmpeq_epi8(v, commas));
			mn = (unsigned)_mm_movemask_epi8(_mm_cmpeq_epi8(v, nls));
			w = 16;
		} else {
			for (i = 0; i < w; i++) {
				if (s[i] == ',')
					mc |= 1u << i;
				else if (s[i] == '\n')
					mn |= 1u << i;
			}
		}
		if (mn)
			mc &= (1u << __builtin_ctz(mn)) - 1; /* the commas before it */
		for (; mc && k < max; mc &= mc - 1) {
			const char *c = s + __builtin_ctz(mc);

			f[k].s = start;
			f[k].n = (size_t)(c - start);
			k++;
			start = c + 1;
		}
		if (mn) {
			end = s + __builtin_ctz(mn);
			*next = end + 1;
			break;
		}
		s += w;
		if (s >= e) {
			end = e;
			*next = e;
			break;
		}
	}
	if (end > p && end[-1] == '\r')
		end--;
	*len = (size_t)(end - p);
	if (k < max && start <= end) {
		f[k].s = start;
		f[k].n = (size_t)(end - start);
		k++;
	}
	return k;
#else
	const char *nl = memchr(p, '\n', (size_t)(e - p));
	size_t n = (size_t)((nl ? nl : e) - p);

	if (n && p[n - 1] == '\r')
		n--;
	*len = n;
	*next = nl ? nl + 1 : e;
	return split(p, n, f, max);
#endif
}

/* The header's column names, normalized, into names (each < 64 bytes). */
static size_t header_names(const char *s, size_t n, char names[][64], int *bracketed)
{
	struct fld f[MAX_COLS];
	size_t k = split(s, n, f, MAX_COLS), i, j, m;

	*bracketed = 0;
	for (i = 0; i < k; i++) {
		const char *a = f[i].s, *b = f[i].s + f[i].n;

		while (a < b && blank(*a))
			a++;
		while (b > a && blank(b[-1]))
			b--;
		if (a < b && *a == '[' && b[-1] == ']') {
			a++;
			b--;
			*bracketed = 1;
		}
		m = (size_t)(b - a) < 63 ? (size_t)(b - a) : 63;
		for (j = 0; j < m; j++)
			names[i][j] = (char)(a[j] >= 'A' && a[j] <= 'Z' ? a[j] - 'A' + 'a' : a[j]);
		names[i][m] = '\0';
	}
	return k;
}

/* Finds the layout's columns among the header's: idx[c] = column or -1;
 * returns how many required ones are missing, listing them in missing. */
static int match_cols(const struct col *cols, int ncols, char names[][64], size_t k, int *idx,
		      char *missing, size_t msz)
{
	int c, miss = 0;
	size_t i;

	if (missing)
		missing[0] = '\0';
	for (c = 0; c < ncols; c++) {
		idx[c] = -1;
		for (i = 0; i < k; i++)
			if (!strcmp(names[i], cols[c].norm)) {
				idx[c] = (int)i;
				break;
			}
		if (idx[c] < 0 && cols[c].required) {
			if (missing) {
				size_t l = strlen(missing);
				snprintf(missing + l, msz - l, "%s%s", miss ? ", " : "",
					 cols[c].shown);
			}
			miss++;
		}
	}
	return miss;
}

/* ---- reading text in pieces ---- */

/*
 * A text file is read in pieces (a piece: the lines that start in its
 * PIECE bytes) by a thread per core, each piece into its own rows, notes
 * and counts (struct chunk); the calling thread takes the pieces in the
 * file's order (consume) and either adds them to the tickers' rows
 * (struct atk), as if one thread had read the whole file, or, streaming,
 * builds each session as soon as a later one starts and hands its rows to
 * the store's writer (struct stream): then no more than a few pieces and
 * one session are ever held, and writing the file overlaps reading.
 */
#define PIECE (4u << 20)
#define SLOTS 8	   /* pieces read ahead of the one taken */
#define MAX_THREADS 8
#define RESTART 1 /* streaming met lines out of session order (or a file
			  * other than stream_ok saw): everything is read again */

/* The first underlying price a piece gave for a day. */
struct cnote {
	int32_t day;
	int16_t qmin;
	int64_t spot, close;
};

/* What a piece gave for one ticker. */
struct ctk {
	char sym[HIST_SYMSZ];
	struct arow *rows;
	size_t n, cap;
	int last_session, unsorted; /* of the rows, as push keeps them */
	struct cnote *notes;
	size_t n_notes, cap_notes;
	uint64_t *noted; /* a bit per day: noted */
	/* the sessions of the lines that reached the underlying: the first,
	 * the last, and whether they ever went back (0: no such line) */
	int first_line, last_line, lines_back;
};

struct chunk {
	struct ctk *tk;
	size_t n_tk, cap_tk, cur;
	uint64_t read, skipped, dropped[HIMP_NREASONS];
	/* the last dates parsed (have: the cache holds one) */
	char qd_txt[32], ex_txt[32];
	size_t qd_len, ex_len;
	int qd_day, ex_day, qd_ok, ex_ok, qd_have, ex_have;
	size_t index;
	int ready;
};

/* What every piece of one file is read with (read-only while reading). */
struct pctx {
	const struct imp *im;
	int layout;
	const int *ix_dx, *ix_cb;
	size_t need;
	const char *sym; /* OptionsDX: the file's ticker */
};

static void chunk_reset(struct chunk *c, int day0)
{
	size_t i, j;

	for (i = 0; i < c->n_tk; i++) {
		struct ctk *t = &c->tk[i];

		for (j = 0; j < t->n_notes; j++)
			t->noted[(size_t)(t->notes[j].day - day0) / 64] = 0;
		t->n = t->n_notes = 0;
		t->last_session = t->unsorted = 0;
		t->first_line = t->last_line = t->lines_back = 0;
	}
	c->n_tk = c->cur = 0;
	c->read = c->skipped = 0;
	memset(c->dropped, 0, sizeof(c->dropped));
	c->qd_have = c->ex_have = 0;
}

static void chunk_release(struct chunk *c)
{
	size_t i;

	for (i = 0; i < c->cap_tk; i++) {
		free(c->tk[i].rows);
		free(c->tk[i].notes);
		free(c->tk[i].noted);
	}
	free(c->tk);
	memset(c, 0, sizeof(*c));
}

/* The piece's entry of ticker sym. */
static struct ctk *chunk_tk(struct chunk *c, const struct imp *im, const char *sym)
{
	struct ctk *t;
	size_t i;

	if (c->cur < c->n_tk && !strcmp(c->tk[c->cur].sym, sym))
		return &c->tk[c->cur];
	for (i = 0; i < c->n_tk; i++)
		if (!strcmp(c->tk[i].sym, sym)) {
			c->cur = i;
			return &c->tk[i];
		}
	if (c->n_tk == c->cap_tk) {
		size_t cap = c->cap_tk;

		xgrow(&c->tk, &cap, c->n_tk + 1, sizeof(*c->tk));
		memset(c->tk + c->cap_tk, 0, (cap - c->cap_tk) * sizeof(*c->tk));
		c->cap_tk = cap;
	}
	t = &c->tk[c->n_tk];
	if (!t->noted)
		t->noted = xcalloc((size_t)im->ndays / 64 + 1, sizeof(*t->noted));
	pt_strlcpy(t->sym, sym, sizeof(t->sym));
	c->cur = c->n_tk++;
	return t;
}

static void ctk_push(struct ctk *t, const struct arow *r)
{
	if (t->n == t->cap)
		xgrow(&t->rows, &t->cap, t->n + 1, sizeof(*t->rows));
	if (r->session < t->last_session)
		t->unsorted = 1;
	t->last_session = r->session;
	t->rows[t->n++] = *r;
}

/* A line of session day reached the underlying: 1 when the piece has a
 * price of that day already (nothing to note). */
static int ctk_line(struct ctk *t, const struct imp *im, int day)
{
	size_t i = (size_t)day_ix(im, day);

	if (!t->first_line)
		t->first_line = day;
	else if (day < t->last_line)
		t->lines_back = 1;
	t->last_line = day;
	return (t->noted[i / 64] >> (i % 64)) & 1;
}

/* The first underlying price of day in this piece: the spot at minute
 * qmin and the day's close (note_underlying's, in the file's order). */
static void ctk_note(struct ctk *t, const struct imp *im, int day, int64_t spot, int qmin,
		     int64_t close)
{
	size_t i = (size_t)day_ix(im, day);
	struct cnote *n;

	xgrow(&t->notes, &t->cap_notes, t->n_notes + 1, sizeof(*t->notes));
	n = &t->notes[t->n_notes++];
	n->day = day;
	n->qmin = (int16_t)qmin;
	n->spot = spot;
	n->close = close;
	t->noted[i / 64] |= (uint64_t)1 << (i % 64);
}

/* A date field through the one-entry cache of the last one parsed. */
static int cached_date(const struct fld *f, char *txt, size_t *len, int *day, int *ok, int *have)
{
	if (*have && f->n == *len && !memcmp(f->s, txt, f->n))
		return *ok ? 0 : -1;
	*have = f->n < 32;
	*len = *have ? f->n : 0;
	memcpy(txt, f->s, *len);
	*ok = himp_date(f->s, f->n, day) == 0;
	return *ok ? 0 : -1;
}

/* The ticker an OptionsDX file is about: --ticker, or its name in
 * OptionsDX's own naming ("spy_eod_202301.txt"). */
static int dx_ticker(const struct imp *im, const char *path, char *sym)
{
	const char *b = strrchr(path, '/'), *u;

	if (im->o->ticker)
		return norm_ticker(im->o->ticker, strlen(im->o->ticker), sym);
	b = b ? b + 1 : path;
	u = strstr(b, "_eod_");
	if (!u || u == b || digits(u + 5, 4) < 0 || digits(u + 9, 2) < 0)
		return -1;
	return norm_ticker(b, (size_t)(u - b), sym);
}

static void one_option(struct chunk *c, struct ctk *t, const struct arow *base, int right,
		       const struct ofields *of)
{
	struct arow r = *base;
	int why = option_row(of, &r);

	c->read++;
	if (why >= 0) {
		c->dropped[why]++;
		return;
	}
	r.right = (uint8_t)right;
	ctk_push(t, &r);
}

static int fnum(const struct fld *f, int idx_ok, int dec, int64_t *v)
{
	return idx_ok ? fixed(f->s, f->n, dec, v) : 1;
}

static void dx_line(struct chunk *c, const struct pctx *pc, const struct fld *f, size_t k)
{
	const struct imp *im = pc->im;
	const int *ix = pc->ix_dx;
	struct ctk *t = chunk_tk(c, im, pc->sym);
	struct arow base;
	struct ofields cf, pf;
	int64_t strike, und, hrs;
	int qmin, i;

	memset(&base, 0, sizeof(base));
	if (k < pc->need) {
		c->read += 2;
		c->dropped[HIMP_SHORT] += 2;
		return;
	}
	if (cached_date(&f[ix[X_QDATE]], c->qd_txt, &c->qd_len, &c->qd_day, &c->qd_ok,
			&c->qd_have) ||
	    cached_date(&f[ix[X_EXP]], c->ex_txt, &c->ex_len, &c->ex_day, &c->ex_ok, &c->ex_have)) {
		c->read += 2;
		c->dropped[HIMP_DATE] += 2;
		return;
	}
	base.session = c->qd_day;
	base.expiry = c->ex_day;
	i = !cal_is_session(base.session) ? HIMP_SESSION
	    : base.expiry < base.session  ? HIMP_EXPIRED
	    : fixed(f[ix[X_STRIKE]].s, f[ix[X_STRIKE]].n, 4, &strike) || strike <= 0
		    ? HIMP_STRIKE
	    : strike > INT32_MAX ? HIMP_RANGE
				 : -1;
	if (i >= 0) {
		c->read += 2;
		c->dropped[i] += 2;
		return;
	}
	base.strike = (int32_t)strike;
	if (!ctk_line(t, im, base.session)) {
		qmin = close_min(base.session);
		if (ix[X_QHOURS] >= 0 &&
		    !fixed(f[ix[X_QHOURS]].s, f[ix[X_QHOURS]].n, 4, &hrs) && hrs >= 0 &&
		    hrs < (int64_t)24 * HIST_UNIT)
			qmin = (int)((hrs * 60 + HIST_UNIT / 2) / HIST_UNIT);
		else if (ix[X_QREAD] >= 0 && f[ix[X_QREAD]].n >= 16) {
			const char *s = f[ix[X_QREAD]].s;
			size_t n = f[ix[X_QREAD]].n;
			while (n && blank(*s)) {
				s++;
				n--;
			}
			if (n >= 16 && s[13] == ':' && digits(s + 11, 2) >= 0 &&
			    digits(s + 14, 2) >= 0)
				qmin = digits(s + 11, 2) * 60 + digits(s + 14, 2);
		}
		if (qmin > 1439)
			qmin = close_min(base.session);
		if (!fixed(f[ix[X_UND]].s, f[ix[X_UND]].n, 4, &und) && und > 0)
			ctk_note(t, im, base.session, und, qmin, und);
	}
	memset(&cf, 0, sizeof(cf));
	memset(&pf, 0, sizeof(pf));
	cf.bid_rc = fixed(f[ix[X_CBID]].s, f[ix[X_CBID]].n, 4, &cf.bid);
	cf.ask_rc = fixed(f[ix[X_CASK]].s, f[ix[X_CASK]].n, 4, &cf.ask);
	cf.last_rc = fnum(&f[ix[X_CLAST] < 0 ? 0 : ix[X_CLAST]], ix[X_CLAST] >= 0, 4, &cf.last);
	cf.vol_rc = fnum(&f[ix[X_CVOL] < 0 ? 0 : ix[X_CVOL]], ix[X_CVOL] >= 0, 4, &cf.vol);
	cf.oi_rc = 1;
	cf.iv_rc = fnum(&f[ix[X_CIV] < 0 ? 0 : ix[X_CIV]], ix[X_CIV] >= 0, 6, &cf.iv);
	pf.bid_rc = fixed(f[ix[X_PBID]].s, f[ix[X_PBID]].n, 4, &pf.bid);
	pf.ask_rc = fixed(f[ix[X_PASK]].s, f[ix[X_PASK]].n, 4, &pf.ask);
	pf.last_rc = fnum(&f[ix[X_PLAST] < 0 ? 0 : ix[X_PLAST]], ix[X_PLAST] >= 0, 4, &pf.last);
	pf.vol_rc = fnum(&f[ix[X_PVOL] < 0 ? 0 : ix[X_PVOL]], ix[X_PVOL] >= 0, 4, &pf.vol);
	pf.oi_rc = 1;
	pf.iv_rc = fnum(&f[ix[X_PIV] < 0 ? 0 : ix[X_PIV]], ix[X_PIV] >= 0, 6, &pf.iv);
	one_option(c, t, &base, 0, &cf);
	one_option(c, t, &base, 1, &pf);
}

/* The mid of a two-sided quote in 1e-4 dollars (half up), 0 when there is none. */
static int64_t mid_of(const struct fld *bf, const struct fld *af)
{
	int64_t b, a;

	if (fixed(bf->s, bf->n, 4, &b) || fixed(af->s, af->n, 4, &a) || b <= 0 || a < b)
		return 0;
	return (a + b + 1) / 2;
}

static void cboe_line(struct chunk *c, const struct pctx *pc, const struct fld *f, size_t k)
{
	const struct imp *im = pc->im;
	const int *ix = pc->ix_cb;
	struct arow base;
	struct ofields o;
	struct ctk *t;
	char sym[HIST_SYMSZ];
	int64_t strike;
	int i, right;
	const struct fld *ty;

	memset(&base, 0, sizeof(base));
	if (k < pc->need) {
		c->read++;
		c->dropped[HIMP_SHORT]++;
		return;
	}
	if (norm_ticker(f[ix[Y_SYM]].s, f[ix[Y_SYM]].n, sym)) {
		c->read++;
		c->dropped[HIMP_SYMBOL]++;
		return;
	}
	if (im->o->ticker && strcasecmp(sym, im->o->ticker) != 0) {
		c->skipped++;
		return;
	}
	t = chunk_tk(c, im, sym);
	if (cached_date(&f[ix[Y_QDATE]], c->qd_txt, &c->qd_len, &c->qd_day, &c->qd_ok,
			&c->qd_have) ||
	    cached_date(&f[ix[Y_EXP]], c->ex_txt, &c->ex_len, &c->ex_day, &c->ex_ok, &c->ex_have)) {
		c->read++;
		c->dropped[HIMP_DATE]++;
		return;
	}
	base.session = c->qd_day;
	base.expiry = c->ex_day;
	ty = &f[ix[Y_TYPE]];
	{
		const char *s = ty->s;
		size_t n = ty->n;
		while (n && blank(*s)) {
			s++;
			n--;
		}
		while (n && blank(s[n - 1]))
			n--;
		right = (n == 1 && (*s == 'C' || *s == 'c')) ||
					(n == 4 && !strncasecmp(s, "call", 4))
				? 0
			: (n == 1 && (*s == 'P' || *s == 'p')) ||
					(n == 3 && !strncasecmp(s, "put", 3))
				? 1
				: -1;
	}
	i = !cal_is_session(base.session) ? HIMP_SESSION
	    : base.expiry < base.session  ? HIMP_EXPIRED
	    : fixed(f[ix[Y_STRIKE]].s, f[ix[Y_STRIKE]].n, 4, &strike) || strike <= 0
		    ? HIMP_STRIKE
	    : strike > INT32_MAX ? HIMP_RANGE
	    : right < 0		 ? HIMP_RIGHT
				 : -1;
	if (i >= 0) {
		c->read++;
		c->dropped[i]++;
		return;
	}
	base.strike = (int32_t)strike;
	if (!ctk_line(t, im, base.session)) {
		int64_t spot = mid_of(&f[ix[Y_UBID]], &f[ix[Y_UASK]]), close = 0, act;

		if (!spot && ix[Y_ACTIVE] >= 0 &&
		    !fixed(f[ix[Y_ACTIVE]].s, f[ix[Y_ACTIVE]].n, 4, &act) && act > 0)
			spot = act;
		if (ix[Y_UBID_EOD] >= 0 && ix[Y_UASK_EOD] >= 0)
			close = mid_of(&f[ix[Y_UBID_EOD]], &f[ix[Y_UASK_EOD]]);
		if (spot > 0)
			ctk_note(t, im, base.session, spot, close_min(base.session) - 15,
				 close > 0 ? close : spot);
	}
	memset(&o, 0, sizeof(o));
	o.bid_rc = fixed(f[ix[Y_BID]].s, f[ix[Y_BID]].n, 4, &o.bid);
	o.ask_rc = fixed(f[ix[Y_ASK]].s, f[ix[Y_ASK]].n, 4, &o.ask);
	o.last_rc = fnum(&f[ix[Y_CLOSE] < 0 ? 0 : ix[Y_CLOSE]], ix[Y_CLOSE] >= 0, 4, &o.last);
	/* Cboe's close is 0 on a day without a trade: no last price */
	if (!o.last_rc && o.last == 0)
		o.last_rc = 1;
	o.vol_rc = fnum(&f[ix[Y_VOL] < 0 ? 0 : ix[Y_VOL]], ix[Y_VOL] >= 0, 4, &o.vol);
	o.oi_rc = fnum(&f[ix[Y_OI] < 0 ? 0 : ix[Y_OI]], ix[Y_OI] >= 0, 4, &o.oi);
	o.iv_rc = fnum(&f[ix[Y_IV] < 0 ? 0 : ix[Y_IV]], ix[Y_IV] >= 0, 6, &o.iv);
	one_option(c, t, &base, right, &o);
}

/* Reads the lines of p..e into c. */
static void parse_piece(struct chunk *c, const struct pctx *pc, const char *p, const char *e)
{
	struct fld f[MAX_COLS];
	const char *next;
	size_t k;

	/* OptionsDX: the file's ticker, even without a line */
	if (pc->layout == L_OPTIONSDX)
		chunk_tk(c, pc->im, pc->sym);
	for (; p < e; p = next) {
		size_t n;

		k = split_line(p, e, f, pc->need, &n, &next);
		if (!n)
			continue;
		if (pc->layout == L_OPTIONSDX)
			dx_line(c, pc, f, k);
		else
			cboe_line(c, pc, f, k);
	}
}

/* The layout of a text file from its header: L_NONE with err naming what
 * the nearest layout lacks; *body is its first line after the header. */
static int text_layout(const char *path, const char *buf, size_t len, int *ix_dx, int *ix_cb,
		       size_t *need, const char **body, char *err)
{
	static char names[MAX_COLS][64];
	char missing_dx[512], missing_cb[512];
	int bracketed, miss_dx, miss_cb, layout, c;
	const char *p = buf, *e = buf + len, *nl;
	size_t k, hl;

	if (len >= 3 && !memcmp(p, "\xEF\xBB\xBF", 3))
		p += 3;
	nl = memchr(p, '\n', (size_t)(e - p));
	hl = (size_t)((nl ? nl : e) - p);
	if (hl > HEADER_MAX) {
		pt_err(err, PT_EINVAL, "%s: not a known layout: its first line is not a header",
		       path);
		return L_NONE;
	}
	k = header_names(p, hl, names, &bracketed);
	miss_dx = match_cols(dx_cols, X_N, names, k, ix_dx, missing_dx, sizeof(missing_dx));
	miss_cb = match_cols(cb_cols, Y_N, names, k, ix_cb, missing_cb, sizeof(missing_cb));
	layout = miss_dx == 0 ? L_OPTIONSDX : miss_cb == 0 ? L_CBOE : L_NONE;
	if (layout == L_NONE) {
		int dx = bracketed || miss_dx < miss_cb;
		pt_err(err, PT_EINVAL, "%s: not a known layout: as %s it lacks %s", path,
		       dx ? "OptionsDX" : "Cboe DataShop", dx ? missing_dx : missing_cb);
		return L_NONE;
	}
	*need = 0;
	for (c = 0; c < (layout == L_OPTIONSDX ? X_N : Y_N); c++) {
		int x = layout == L_OPTIONSDX ? ix_dx[c] : ix_cb[c];
		if (x + 1 > (int)*need)
			*need = (size_t)x + 1;
	}
	*body = nl ? nl + 1 : e;
	return layout;
}

/* ---- options-dataset-hist (SQLite) ---- */

struct dbctx {
	struct imp *im;
	struct atk *t;	      /* the one ticker of underlying_prices without a symbol */
	struct atk *bars_of;  /* where symbol-less bars were put */
	struct aday *pending; /* symbol-less bars before any option row: kept here */
	size_t n_pending;
	int symbolless;
};

static int cell_fixed(const struct histdb_cell *c, int dec, int64_t *v)
{
	if (c->kind == HISTDB_NULL)
		return 1;
	if (c->kind == HISTDB_TEXT)
		return himp_fixed(c->text, c->len, dec, v);
	if (!isfinite(c->num) || fabs(c->num) * pow(10, dec) > 9e17)
		return -1;
	*v = llround(c->num * pow(10, dec));
	return 0;
}

static int cell_date(const struct histdb_cell *c, int *day)
{
	return c->kind == HISTDB_TEXT ? himp_date(c->text, c->len, day) : -1;
}

/* A bar (and dividend) of underlying_prices into a's day. */
static void put_bar(struct atk *t, struct aday *a, const struct histdb_cell *c)
{
	int64_t v;

	if (!a->bar_explicit)
		t->n_bars += !a->has_bar;
	a->has_bar = a->bar_explicit = 1;
	cell_fixed(&c[HDB_U_CLOSE], 4, &a->close);
	a->open = cell_fixed(&c[HDB_U_OPEN], 4, &v) == 0 && v > 0 ? v : HIST_NONE64;
	a->high = cell_fixed(&c[HDB_U_HIGH], 4, &v) == 0 && v > 0 ? v : HIST_NONE64;
	a->low = cell_fixed(&c[HDB_U_LOW], 4, &v) == 0 && v > 0 ? v : HIST_NONE64;
	a->volume = cell_fixed(&c[HDB_U_VOLUME], 0, &v) == 0 && v >= 0 ? v : -1;
	if (cell_fixed(&c[HDB_U_DIVIDEND], 4, &v) == 0 && v > 0) {
		t->n_divs += !a->has_div;
		a->div = v;
		a->has_div = 1;
	}
}

static int db_underlying(void *arg, const struct histdb_cell *c, char *err)
{
	struct dbctx *x = arg;
	struct imp *im = x->im;
	char sym[HIST_SYMSZ];
	int day, i;
	int64_t close;

	(void)err;
	if (cell_date(&c[HDB_U_DATE], &day) || (i = day_ix(im, day)) < 0 || !cal_is_session(day) ||
	    cell_fixed(&c[HDB_U_CLOSE], 4, &close) || close <= 0)
		return 0; /* a bar the store cannot use: not an option row */
	if (c[HDB_U_SYMBOL].kind == HISTDB_TEXT &&
	    !norm_ticker(c[HDB_U_SYMBOL].text, c[HDB_U_SYMBOL].len, sym)) {
		struct atk *t;
		if (im->o->ticker && strcasecmp(sym, im->o->ticker) != 0)
			return 0;
		t = ticker_acc(im, sym);
		put_bar(t, &t->day[i], c);
		return 0;
	}
	/* no symbol column: the database's one underlying, known from its
	 * option rows; kept aside until then */
	x->symbolless = 1;
	if (!x->pending)
		x->pending = xcalloc((size_t)im->ndays, sizeof(*x->pending));
	{
		struct atk tmp;
		memset(&tmp, 0, sizeof(tmp));
		put_bar(&tmp, &x->pending[i], c);
		x->n_pending += tmp.n_bars;
	}
	return 0;
}

static int db_option(void *arg, const struct histdb_cell *c, char *err)
{
	struct dbctx *x = arg;
	struct imp *im = x->im;
	struct arow r;
	struct ofields o;
	char sym[HIST_SYMSZ];
	struct atk *t;
	int64_t strike;
	int why, right = -1;

	memset(&r, 0, sizeof(r));
	if (c[HDB_O_SYMBOL].kind != HISTDB_TEXT ||
	    norm_ticker(c[HDB_O_SYMBOL].text, c[HDB_O_SYMBOL].len, sym)) {
		im->f->read++;
		im->res->read++;
		drop(im, HIMP_SYMBOL, 1);
		return 0;
	}
	if (im->o->ticker && strcasecmp(sym, im->o->ticker) != 0) {
		im->f->skipped++;
		im->res->skipped++;
		return 0;
	}
	t = ticker_acc(im, sym);
	if (x->symbolless) {
		if (x->bars_of && x->bars_of != t)
			return pt_err(
				err, PT_EINVAL,
				"options_data has several symbols (%s, %s) but underlying_prices "
				"has no symbol column: import one with --ticker",
				x->bars_of->sym, t->sym);
		if (!x->bars_of) {
			int i;
			x->bars_of = t;
			for (i = 0; i < im->ndays; i++) {
				if (!x->pending[i].has_bar)
					continue;
				t->n_bars += !t->day[i].has_bar;
				t->n_divs += x->pending[i].has_div && !t->day[i].has_div;
				x->pending[i].has_spot = t->day[i].has_spot;
				x->pending[i].spot = t->day[i].spot;
				x->pending[i].qmin = t->day[i].qmin;
				t->day[i] = x->pending[i];
			}
		}
	}
	if (c[HDB_O_TYPE].kind == HISTDB_TEXT) {
		const char *s = c[HDB_O_TYPE].text;
		size_t n = c[HDB_O_TYPE].len;
		if ((n == 4 && !strncasecmp(s, "call", 4)) || (n == 1 && (*s == 'C' || *s == 'c')))
			right = 0;
		else if ((n == 3 && !strncasecmp(s, "put", 3)) ||
			 (n == 1 && (*s == 'P' || *s == 'p')))
			right = 1;
	}
	im->f->read++;
	im->res->read++;
	why = cell_date(&c[HDB_O_DATE], &r.session) || cell_date(&c[HDB_O_EXPIRATION], &r.expiry)
		      ? HIMP_DATE
	      : !cal_is_session(r.session)				? HIMP_SESSION
	      : r.expiry < r.session					? HIMP_EXPIRED
	      : cell_fixed(&c[HDB_O_STRIKE], 4, &strike) || strike <= 0 ? HIMP_STRIKE
	      : strike > INT32_MAX					? HIMP_RANGE
	      : right < 0						? HIMP_RIGHT
									: -1;
	if (why >= 0) {
		drop(im, why, 1);
		return 0;
	}
	r.strike = (int32_t)strike;
	r.right = (uint8_t)right;
	memset(&o, 0, sizeof(o));
	o.bid_rc = cell_fixed(&c[HDB_O_BID], 4, &o.bid);
	o.ask_rc = cell_fixed(&c[HDB_O_ASK], 4, &o.ask);
	o.last_rc = cell_fixed(&c[HDB_O_LAST], 4, &o.last);
	o.vol_rc = cell_fixed(&c[HDB_O_VOLUME], 4, &o.vol);
	o.oi_rc = cell_fixed(&c[HDB_O_OI], 4, &o.oi);
	o.iv_rc = cell_fixed(&c[HDB_O_IV], 6, &o.iv);
	why = option_row(&o, &r);
	if (why >= 0) {
		drop(im, why, 1);
		return 0;
	}
	push(t, &r);
	return 0;
}

static int parse_db(struct imp *im, const char *path, char *err)
{
	struct dbctx x;
	struct histdb_cb cb;
	char e2[PT_ERRSZ];
	int rc;

	memset(&x, 0, sizeof(x));
	x.im = im;
	cb.arg = &x;
	cb.underlying = db_underlying;
	cb.option = db_option;
	pt_strlcpy(im->f->layout, "options-dataset-hist", sizeof(im->f->layout));
	rc = histdb_read(path, &cb, e2);
	free(x.pending);
	if (rc)
		return pt_err(err, rc, "%s: %s", im->f->name, e2);
	return 0;
}

/* ---- files ---- */

/* Reads a text file of a known layout (after the store's building, below). */
static int parse_text(struct imp *im, const char *path, const char *buf, size_t len, char *err);

static int map_input(const char *path, const char *shown, const unsigned char **p, size_t *n,
		     char *err)
{
	struct stat st;
	void *m;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	*p = NULL;
	*n = 0;
	if (fd < 0)
		return pt_err(err, PT_EIO, "%s: %s", shown, strerror(errno));
	if (fstat(fd, &st) || !S_ISREG(st.st_mode)) {
		close(fd);
		return pt_err(err, PT_EIO, "%s: %s", shown,
			      errno ? strerror(errno) : "not a regular file");
	}
	if (st.st_size == 0) {
		close(fd);
		return pt_err(err, PT_EINVAL, "%s: empty file", shown);
	}
	m = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
	close(fd);
	if (m == MAP_FAILED)
		return pt_err(err, PT_EIO, "%s: %s", shown, strerror(errno));
	madvise(m, (size_t)st.st_size, MADV_SEQUENTIAL);
	*p = m;
	*n = (size_t)st.st_size;
	return 0;
}

static int is_zstd(const unsigned char *p, size_t n)
{
	return p && n >= 4 && p[0] == 0x28 && p[1] == 0xB5 && p[2] == 0x2F && p[3] == 0xFD;
}

/* Decompresses the zstd data at in[0..n) into a new file at out. */
static int unzstd(const unsigned char *in, size_t n, const char *out, const char *shown, char *err)
{
	ZSTD_DCtx *dc = ZSTD_createDCtx();
	size_t osz = ZSTD_DStreamOutSize(), ret = 1;
	unsigned char *obuf = xmalloc(osz);
	ZSTD_inBuffer ib = {in, n, 0};
	int fd, rc = 0;

	fd = open(out, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (fd < 0 || !dc) {
		rc = pt_err(err, PT_EIO, "%s: %s", out, fd < 0 ? strerror(errno) : "no memory");
		goto out;
	}
	while (ib.pos < ib.size) {
		ZSTD_outBuffer ob = {obuf, osz, 0};
		size_t off = 0;

		ret = ZSTD_decompressStream(dc, &ob, &ib);
		if (ZSTD_isError(ret)) {
			rc = pt_err(err, PT_EINVAL, "%s: damaged zstd data (%s)", shown,
				    ZSTD_getErrorName(ret));
			goto out;
		}
		while (off < ob.pos) {
			ssize_t w = write(fd, obuf + off, ob.pos - off);
			if (w < 0 && errno == EINTR)
				continue;
			if (w < 0) {
				rc = pt_err(err, PT_EIO, "%s: %s", out, strerror(errno));
				goto out;
			}
			off += (size_t)w;
		}
		if (ret == 0 && ib.pos < ib.size && ib.size - ib.pos < 4) {
			rc = pt_err(err, PT_EINVAL, "%s: damaged zstd data (junk after the end)",
				    shown);
			goto out;
		}
	}
	if (ret != 0)
		rc = pt_err(err, PT_EINVAL, "%s: truncated zstd data (it ends inside a frame)",
			    shown);
out:
	if (fd >= 0 && close(fd) && !rc)
		rc = pt_err(err, PT_EIO, "%s: %s", out, strerror(errno));
	free(obuf);
	ZSTD_freeDCtx(dc);
	return rc;
}

/* 1 when every file is plain OptionsDX text of a ticker the store lacks:
 * their rows can be written as they are read (parse_text), each ticker's
 * sessions coming in order (else the import starts again, keeping them). */
static int stream_ok(const struct imp *im, const char *const *files, size_t n)
{
	char sym[HIST_SYMSZ], err[PT_ERRSZ];
	int ix_dx[X_N], ix_cb[Y_N];
	size_t i, need;
	int ok = n > 0;

	for (i = 0; i < n && ok; i++) {
		const unsigned char *p;
		const char *body;
		size_t len;

		if (map_input(files[i], files[i], &p, &len, err) || !p)
			return 0;
		ok = !is_zstd(p, len) && !histdb_is_sqlite(p, len) &&
		     !memchr(p, '\0', len < 4096 ? len : 4096) &&
		     text_layout(files[i], (const char *)p, len, ix_dx, ix_cb, &need, &body, err) ==
			     L_OPTIONSDX &&
		     !dx_ticker(im, files[i], sym) && !hist_find(hist_txn_current(im->tx), sym);
		munmap((void *)p, len);
	}
	return ok;
}

static int import_file(struct imp *im, const char *path, char *err)
{
	const unsigned char *p = NULL;
	size_t n = 0;
	char tmp[PATH_MAX];
	int rc, have_tmp = 0;

	if ((rc = map_input(path, path, &p, &n, err)))
		return rc;
	if (im->stream && (is_zstd(p, n) || histdb_is_sqlite(p, n))) {
		rc = RESTART; /* not what stream_ok saw: it changed since */
		goto out;
	}
	if (is_zstd(p, n)) {
		char dir[PATH_MAX];

		im->f->zstd = 1;
		if (im->o->tmpdir)
			pt_strlcpy(dir, im->o->tmpdir, sizeof(dir));
		else if ((rc = hist_dir(im->o->home, dir, sizeof(dir), err)))
			goto out;
		if (snprintf(tmp, sizeof(tmp), "%s/import-%ld-%d.tmp", dir, (long)getpid(),
			     im->tmp_seq++) >= (int)sizeof(tmp)) {
			rc = pt_err(err, PT_EINVAL, "%s: path too long", dir);
			goto out;
		}
		unlink(tmp);
		have_tmp = 1;
		rc = unzstd(p, n, tmp, path, err);
		munmap((void *)p, n);
		p = NULL;
		if (rc)
			goto out;
		if ((rc = map_input(tmp, path, &p, &n, err)))
			goto out;
		if (is_zstd(p, n)) {
			rc = pt_err(err, PT_EINVAL, "%s: compressed twice", path);
			goto out;
		}
	}
	if (histdb_is_sqlite(p, n)) {
		munmap((void *)p, n);
		p = NULL;
		rc = parse_db(im, have_tmp ? tmp : path, err);
	} else if (!p || memchr(p, '\0', n < 4096 ? n : 4096)) {
		rc = pt_err(err, PT_EINVAL,
			    "%s: not a known layout: neither text nor an SQLite database", path);
	} else {
		rc = parse_text(im, path, (const char *)p, n, err);
	}
out:
	if (p)
		munmap((void *)p, n);
	if (have_tmp)
		unlink(tmp);
	return rc;
}

/* FRED's DTB3 CSV: DATE (or observation_date),DTB3; "." marks a day
 * without a value. */
static int parse_rates(struct imp *im, const char *path, struct hist_rate **out, size_t *n,
		       char *err)
{
	const unsigned char *p;
	const char *s, *e, *nl;
	size_t len, cap = 0;
	struct fld f[3];
	char names[MAX_COLS][64];
	int bracketed, rc;

	*out = NULL;
	*n = 0;
	if ((rc = map_input(path, path, &p, &len, err)))
		return rc;
	if (!p)
		return pt_err(err, PT_EINVAL, "%s: empty file", path);
	s = (const char *)p;
	e = s + len;
	if (len >= 3 && !memcmp(s, "\xEF\xBB\xBF", 3))
		s += 3;
	nl = memchr(s, '\n', (size_t)(e - s));
	if (header_names(s, (size_t)((nl ? nl : e) - s), names, &bracketed) != 2 ||
	    (strcmp(names[0], "date") != 0 && strcmp(names[0], "observation_date") != 0) ||
	    strcmp(names[1], "dtb3") != 0) {
		munmap((void *)p, len);
		return pt_err(err, PT_EINVAL,
			      "%s: not a FRED DTB3 file: want the columns DATE (or "
			      "observation_date) and DTB3",
			      path);
	}
	pt_strlcpy(im->f->layout, "fred-dtb3", sizeof(im->f->layout));
	for (s = nl ? nl + 1 : e; s < e; s = nl ? nl + 1 : e) {
		size_t m;
		int day;
		int64_t v;

		nl = memchr(s, '\n', (size_t)(e - s));
		m = (size_t)((nl ? nl : e) - s);
		if (m && s[m - 1] == '\r')
			m--;
		if (!m)
			continue;
		im->f->read++;
		if (split(s, m, f, 3) != 2 || himp_date(f[0].s, f[0].n, &day) ||
		    himp_fixed(f[1].s, f[1].n, 4, &v) || v < -500000 || v > 500000) {
			im->res->rates_dropped++; /* "." on holidays, or bad */
			continue;
		}
		if (*n && (*out)[*n - 1].date >= day) {
			if ((*out)[*n - 1].date == day) {
				(*out)[*n - 1].discount = (int32_t)v;
				continue;
			}
			munmap((void *)p, len);
			free(*out);
			*out = NULL;
			*n = 0;
			return pt_err(err, PT_EINVAL, "%s: dates out of order", path);
		}
		xgrow(out, &cap, *n + 1, sizeof(**out));
		(*out)[*n].date = day;
		(*out)[(*n)++].discount = (int32_t)v;
	}
	munmap((void *)p, len);
	return 0;
}

/* ---- from rows to the store ---- */

static int key_cmp(const struct arow *a, const struct arow *b)
{
	if (a->expiry != b->expiry)
		return a->expiry < b->expiry ? -1 : 1;
	if (a->right != b->right)
		return a->right < b->right ? -1 : 1;
	return a->strike < b->strike ? -1 : a->strike > b->strike;
}

static const struct arow *sort_base;

static int idx_cmp(const void *x, const void *y)
{
	uint32_t i = *(const uint32_t *)x, j = *(const uint32_t *)y;
	int c = key_cmp(&sort_base[i], &sort_base[j]);

	return c ? c : (i < j ? -1 : i > j);
}

/* Puts one session's rows r[0..n) in (expiry, right, strike) order,
 * stably (the later of two equal rows stays later), using tmp (n rows). */
static void sort_session(struct arow *r, size_t n, struct arow *tmp)
{
	size_t i, j, k, ok1 = 1, ok2 = 1;

	for (i = 1; i < n && (ok1 || ok2); i++) {
		if (key_cmp(&r[i - 1], &r[i]) > 0)
			ok1 = 0;
		if (r[i - 1].expiry > r[i].expiry ||
		    (r[i - 1].expiry == r[i].expiry && r[i - 1].strike > r[i].strike))
			ok2 = 0;
	}
	if (ok1)
		return;
	if (ok2) {
		/* by (expiry, strike), calls and puts mixed: split each expiry */
		for (i = 0; i < n; i = j) {
			for (j = i; j < n && r[j].expiry == r[i].expiry; j++)
				;
			k = i;
			for (size_t m = i; m < j; m++)
				if (r[m].right == 0)
					tmp[k++] = r[m];
			for (size_t m = i; m < j; m++)
				if (r[m].right != 0)
					tmp[k++] = r[m];
		}
		memcpy(r, tmp, n * sizeof(*r));
		return;
	}
	{
		uint32_t *ix = xmalloc(n * sizeof(*ix));

		for (i = 0; i < n; i++)
			ix[i] = (uint32_t)i;
		sort_base = r;
		qsort(ix, n, sizeof(*ix), idx_cmp);
		for (i = 0; i < n; i++)
			tmp[i] = r[ix[i]];
		memcpy(r, tmp, n * sizeof(*r));
		free(ix);
	}
}

static void to_row(const struct arow *a, struct hist_row *r)
{
	r->strike = a->strike;
	r->bid = a->bid;
	r->ask = a->ask;
	r->last = a->last;
	r->volume = a->volume;
	r->oi = a->oi;
	r->iv = a->iv;
}

static void data_release(struct hist_data *d)
{
	free(d->sess);
	free(d->blk);
	free(d->rows);
	free(d->bars);
	free(d->divs);
	memset(d, 0, sizeof(*d));
}

/* What building a ticker's file has made so far: its sessions and blocks
 * (d: rows counted in d.n_rows, kept by the caller), and the rows dropped. */
struct build {
	struct hist_data d;
	size_t cap_s, cap_b;
	uint64_t dups, under;
};

/*
 * One session's rows r[0..n) (all of day r[0].session, as read): sorted in
 * place by (expiry, right, strike) with tmp (n rows) and deduplicated (the
 * later row kept); the session and its blocks appended to b, its rows
 * written as the store's at dst (which may overlap r behind what is read:
 * 28 bytes a row where r has 40). Returns the rows written; 0, counted as
 * no_underlying, when the session has no underlying price.
 */
static size_t build_session(const struct imp *im, const struct atk *t, struct build *b,
			    struct arow *r, size_t n, struct arow *tmp, unsigned char *dst)
{
	struct hist_data *d = &b->d;
	int day = r[0].session;
	const struct aday *a = &t->day[day_ix(im, day)];
	int64_t spot = a->has_spot ? a->spot : a->bar_explicit ? a->close : 0;
	struct hist_session *s;
	struct hist_row row;
	size_t k, m, out = 0;

	if (spot <= 0) {
		b->under += n;
		return 0;
	}
	sort_session(r, n, tmp);
	xgrow(&d->sess, &b->cap_s, d->n_sess + 1, sizeof(*d->sess));
	s = &d->sess[d->n_sess++];
	s->day = day;
	s->quote_min = a->has_spot ? a->qmin : close_min(day);
	s->spot = spot;
	s->first_block = (uint32_t)d->n_blk;
	s->n_blocks = 0;
	for (k = 0; k < n;) {
		struct hist_block *bl;

		xgrow(&d->blk, &b->cap_b, d->n_blk + 1, sizeof(*d->blk));
		bl = &d->blk[d->n_blk++];
		memset(bl, 0, sizeof(*bl));
		bl->expiry = r[k].expiry;
		bl->first_row = d->n_rows;
		s->n_blocks++;
		for (m = k; m < n && r[m].expiry == bl->expiry; m++) {
			/* equal keys are next to each other, the later last */
			if (m + 1 < n && !key_cmp(&r[m], &r[m + 1])) {
				b->dups++;
				continue;
			}
			to_row(&r[m], &row);
			memcpy(dst + out++ * sizeof(row), &row, sizeof(row));
			d->n_rows++;
			if (r[m].right == 0)
				bl->n_calls++;
			else
				bl->n_puts++;
		}
		k = m;
	}
	return out;
}

/* t's bars and dividends into d, from the days it knows. */
static void build_bars(const struct imp *im, const struct atk *t, struct hist_data *d)
{
	size_t i, nd = 0;

	d->bars = xcalloc(t->n_bars + 1, sizeof(*d->bars));
	d->divs = xcalloc(t->n_divs + 1, sizeof(*d->divs));
	for (i = 0; i < (size_t)im->ndays; i++) {
		const struct aday *a = &t->day[i];

		if (a->has_bar && d->n_bars < t->n_bars) {
			struct hist_bar *b = &d->bars[d->n_bars++];
			b->date = im->day0 + (int)i;
			b->open = a->open;
			b->high = a->high;
			b->low = a->low;
			b->close = a->close;
			b->volume = a->volume;
		}
		if (a->has_div && nd < t->n_divs) {
			d->divs[nd].ex_date = im->day0 + (int)i;
			d->divs[nd++].amount = a->div;
		}
	}
	d->n_divs = nd;
}

/* Builds the import's own data of ticker t (sorted, deduplicated, sessions
 * without an underlying price dropped); frees t's rows. */
static void build_new(struct imp *im, struct atk *t, struct hist_data *d)
{
	struct arow *r = t->rows, *tmp;
	struct build b;
	size_t i, j, n = t->n, most = 0;

	memset(&b, 0, sizeof(b));
	pt_strlcpy(b.d.ticker, t->sym, sizeof(b.d.ticker));
	if (t->unsorted) {
		/* a counting sort by session: stable */
		size_t *cnt = xcalloc((size_t)im->ndays + 1, sizeof(*cnt));
		struct arow *s = xmalloc((n ? n : 1) * sizeof(*s));

		for (i = 0; i < n; i++)
			cnt[day_ix(im, r[i].session) + 1]++;
		for (i = 1; i <= (size_t)im->ndays; i++)
			cnt[i] += cnt[i - 1];
		for (i = 0; i < n; i++)
			s[cnt[day_ix(im, r[i].session)]++] = r[i];
		free(cnt);
		free(r);
		r = t->rows = s;
	}
	for (i = 0; i < n; i = j) {
		for (j = i; j < n && r[j].session == r[i].session; j++)
			;
		if (j - i > most)
			most = j - i;
	}
	tmp = xmalloc((most ? most : 1) * sizeof(*tmp));
	/* the store's rows are written over the import's, behind the reading:
	 * a row is 28 bytes where it was 40, and no session is read after a
	 * later one is written */
	for (i = 0; i < n; i = j) {
		for (j = i; j < n && r[j].session == r[i].session; j++)
			;
		build_session(im, t, &b, r + i, j - i, tmp,
			      (unsigned char *)r + b.d.n_rows * sizeof(struct hist_row));
	}
	free(tmp);
	*d = b.d;
	d->rows = xrealloc(r, (d->n_rows ? d->n_rows : 1) * sizeof(*d->rows));
	t->rows = NULL;
	t->n = t->cap = 0;
	im->res->dropped[HIMP_DUPLICATE] += b.dups;
	im->res->dropped[HIMP_UNDERLYING] += b.under;
	build_bars(im, t, d);
}

/* ---- taking the pieces read: kept, or streamed to the store ---- */

/* A ticker whose file is written as its rows come, session by session. */
struct stream {
	struct hist_out *out;
	struct build b;
	struct arow *rows, *tmp; /* the session being read (day), and room to sort it */
	size_t n, cap, cap_tmp;
	unsigned char *rowbuf; /* its rows as the store's */
	size_t cap_rowbuf;
	int day, last_line;
};

static void stream_free(struct stream *s)
{
	if (!s)
		return;
	hist_out_abort(s->out);
	free(s->b.d.sess);
	free(s->b.d.blk);
	free(s->rows);
	free(s->tmp);
	free(s->rowbuf);
	free(s);
}

/* The session being read is whole: built and its rows handed to the writer. */
static void stream_session(struct imp *im, struct atk *t)
{
	struct stream *s = t->st;
	size_t k;

	if (!s->n)
		return;
	if (s->n > s->cap_tmp) {
		free(s->tmp);
		s->tmp = xmalloc(s->n * sizeof(*s->tmp));
		s->cap_tmp = s->n;
	}
	xgrow(&s->rowbuf, &s->cap_rowbuf, s->n * sizeof(struct hist_row), 1);
	k = build_session(im, t, &s->b, s->rows, s->n, s->tmp, s->rowbuf);
	hist_out_rows(s->out, (const struct hist_row *)(void *)s->rowbuf, k);
	s->n = 0;
}

/* A piece's rows and notes of t, streamed; RESTART when its lines are not
 * in session order after those before (they are then read again, kept). */
static int stream_take(struct imp *im, struct atk *t, const struct ctk *c)
{
	struct stream *s = t->st;
	size_t i, j;

	if (c->first_line) {
		if (c->lines_back || c->first_line < s->last_line)
			return RESTART;
		s->last_line = c->last_line;
	}
	for (i = 0; i < c->n_notes; i++)
		note_underlying(t, im, c->notes[i].day, c->notes[i].spot, c->notes[i].qmin,
				c->notes[i].close);
	for (i = 0; i < c->n; i = j) {
		for (j = i; j < c->n && c->rows[j].session == c->rows[i].session; j++)
			;
		if (c->rows[i].session != s->day) {
			stream_session(im, t);
			s->day = c->rows[i].session;
		}
		xgrow(&s->rows, &s->cap, s->n + (j - i), sizeof(*s->rows));
		memcpy(s->rows + s->n, c->rows + i, (j - i) * sizeof(*s->rows));
		s->n += j - i;
	}
	return 0;
}

/* The end of t's rows: the last session, then the index. 0, or PT_EIO. */
static int stream_end(struct imp *im, struct atk *t, struct hist_data *d, char *err)
{
	struct stream *s = t->st;
	int rc;

	stream_session(im, t);
	*d = s->b.d;
	memset(&s->b.d, 0, sizeof(s->b.d));
	pt_strlcpy(d->ticker, t->sym, sizeof(d->ticker));
	im->res->dropped[HIMP_DUPLICATE] += s->b.dups;
	im->res->dropped[HIMP_UNDERLYING] += s->b.under;
	build_bars(im, t, d);
	if (!d->n_sess) {
		stream_free(s);
		t->st = NULL;
		return 0;
	}
	rc = hist_out_finish(s->out, d, err);
	s->out = NULL;
	stream_free(s);
	t->st = NULL;
	return rc;
}

/* Takes piece c (the next in the file's order) into the import. */
static int consume(struct imp *im, struct chunk *c)
{
	size_t i, r;

	im->f->read += c->read;
	im->res->read += c->read;
	im->f->skipped += c->skipped;
	im->res->skipped += c->skipped;
	for (r = 0; r < HIMP_NREASONS; r++) {
		im->f->dropped[r] += c->dropped[r];
		im->res->dropped[r] += c->dropped[r];
	}
	for (i = 0; i < c->n_tk; i++) {
		const struct ctk *s = &c->tk[i];
		struct atk *t = ticker_acc(im, s->sym);
		size_t j;

		if (t->st) {
			int rc = stream_take(im, t, s);
			if (rc)
				return rc;
			continue;
		}
		for (j = 0; j < s->n_notes; j++)
			note_underlying(t, im, s->notes[j].day, s->notes[j].spot, s->notes[j].qmin,
					s->notes[j].close);
		if (s->n) {
			if (t->n && s->rows[0].session < t->last_session)
				t->unsorted = 1;
			t->unsorted |= s->unsorted;
			xgrow(&t->rows, &t->cap, t->n + s->n, sizeof(*t->rows));
			memcpy(t->rows + t->n, s->rows, s->n * sizeof(*s->rows));
			t->n += s->n;
			t->last_session = s->last_session;
		}
	}
	return 0;
}

/* The pieces of one file, read by threads and taken in order. */
struct pipe {
	const struct pctx *pc;
	const char *p, *e;
	size_t size, n; /* bytes a piece, pieces */
	struct chunk slot[SLOTS];
	size_t next, done; /* the next piece to read; pieces taken */
	int stop;
	pthread_mutex_t mu;
	pthread_cond_t cv;
};

/* Piece k: the lines that start in its bytes. */
static void piece_bounds(const struct pipe *pp, size_t k, const char **a, const char **b)
{
	size_t i;

	for (i = 0; i < 2; i++) {
		size_t off = (k + i) * pp->size;
		const char *q, *nl;

		if (off == 0)
			q = pp->p;
		else if (off >= (size_t)(pp->e - pp->p))
			q = pp->e;
		else {
			/* after the end of the line that holds the piece's first byte - 1 */
			q = pp->p + off - 1;
			nl = memchr(q, '\n', (size_t)(pp->e - q));
			q = nl ? nl + 1 : pp->e;
		}
		if (i)
			*b = q;
		else
			*a = q;
	}
}

/* The text a..e is read: its pages leave the process (the file's mapping
 * would otherwise hold every page of it to the end; they stay cached). */
static void let_go(const char *a, const char *e)
{
	uintptr_t pg = (uintptr_t)sysconf(_SC_PAGESIZE), x = ((uintptr_t)a + pg - 1) / pg * pg,
		  y = (uintptr_t)e / pg * pg;

	if (y > x)
		madvise((void *)x, y - x, MADV_DONTNEED);
}

static void *pipe_main(void *arg)
{
	struct pipe *pp = arg;

	pthread_mutex_lock(&pp->mu);
	for (;;) {
		struct chunk *c;
		const char *a, *b;
		size_t k;

		while (!pp->stop && pp->next < pp->n && pp->next >= pp->done + SLOTS)
			pthread_cond_wait(&pp->cv, &pp->mu);
		if (pp->stop || pp->next >= pp->n)
			break;
		k = pp->next++;
		c = &pp->slot[k % SLOTS];
		pthread_mutex_unlock(&pp->mu);
		chunk_reset(c, pp->pc->im->day0);
		c->index = k;
		piece_bounds(pp, k, &a, &b);
		parse_piece(c, pp->pc, a, b);
		let_go(a, b);
		pthread_mutex_lock(&pp->mu);
		c->ready = 1;
		pthread_cond_broadcast(&pp->cv);
	}
	pthread_mutex_unlock(&pp->mu);
	return NULL;
}

static size_t n_threads(void)
{
	long n = sysconf(_SC_NPROCESSORS_ONLN);

	return n < 1 ? 1 : n > MAX_THREADS ? MAX_THREADS : (size_t)n;
}

/* Reads the lines p..e of a file whose header was read, in pieces. */
static int parse_lines(struct imp *im, const struct pctx *pc, const char *p, const char *e)
{
	struct pipe *pp = xcalloc(1, sizeof(*pp));
	pthread_t th[MAX_THREADS];
	size_t i, k, nt = 0, want;
	int rc = 0;

	pp->pc = pc;
	pp->p = p;
	pp->e = e;
	pp->size = im->o->piece ? im->o->piece : PIECE;
	pp->n = ((size_t)(e - p) + pp->size - 1) / pp->size;
	want = pp->n > 1 ? n_threads() : 0;
	if (want > pp->n)
		want = pp->n;
	pthread_mutex_init(&pp->mu, NULL);
	pthread_cond_init(&pp->cv, NULL);
	for (nt = 0; nt < want; nt++)
		if (pthread_create(&th[nt], NULL, pipe_main, pp))
			break;
	for (k = 0; k < pp->n && !rc; k++) {
		struct chunk *c = &pp->slot[k % SLOTS];

		if (!nt) {
			/* no thread: this one reads each piece */
			const char *a, *b;

			chunk_reset(c, im->day0);
			piece_bounds(pp, k, &a, &b);
			parse_piece(c, pc, a, b);
		} else {
			pthread_mutex_lock(&pp->mu);
			while (!c->ready || c->index != k)
				pthread_cond_wait(&pp->cv, &pp->mu);
			pthread_mutex_unlock(&pp->mu);
		}
		rc = consume(im, c);
		pthread_mutex_lock(&pp->mu);
		c->ready = 0;
		pp->done++;
		pthread_cond_broadcast(&pp->cv);
		pthread_mutex_unlock(&pp->mu);
	}
	pthread_mutex_lock(&pp->mu);
	pp->stop = 1;
	pthread_cond_broadcast(&pp->cv);
	pthread_mutex_unlock(&pp->mu);
	for (i = 0; i < nt; i++)
		pthread_join(th[i], NULL);
	for (i = 0; i < SLOTS; i++)
		chunk_release(&pp->slot[i]);
	pthread_mutex_destroy(&pp->mu);
	pthread_cond_destroy(&pp->cv);
	free(pp);
	return rc;
}

/* Reads a text file of a known layout. */
static int parse_text(struct imp *im, const char *path, const char *buf, size_t len, char *err)
{
	char sym[HIST_SYMSZ];
	int ix_dx[X_N], ix_cb[Y_N];
	struct pctx pc;
	const char *body;

	memset(&pc, 0, sizeof(pc));
	pc.im = im;
	pc.ix_dx = ix_dx;
	pc.ix_cb = ix_cb;
	pc.layout = text_layout(path, buf, len, ix_dx, ix_cb, &pc.need, &body, err);
	if (pc.layout == L_NONE)
		return PT_EINVAL;
	if (im->stream && pc.layout != L_OPTIONSDX)
		return RESTART; /* not what stream_ok saw: it changed since */
	pt_strlcpy(im->f->layout, pc.layout == L_OPTIONSDX ? "optionsdx" : "cboe",
		   sizeof(im->f->layout));
	if (pc.layout == L_OPTIONSDX) {
		struct atk *t;

		if (dx_ticker(im, path, sym))
			return pt_err(err, PT_EINVAL,
				      "%s: an OptionsDX file names no ticker: give --ticker "
				      "(or keep OptionsDX's file name, e.g. spy_eod_202301.txt)",
				      path);
		pc.sym = sym;
		t = ticker_acc(im, sym);
		if (im->stream && !t->st && !t->n) {
			struct stream *s = xcalloc(1, sizeof(*s));
			int rc = hist_txn_out(im->tx, sym, &s->out, err);

			if (rc) {
				free(s);
				return rc;
			}
			t->st = s;
		}
	}
	return parse_lines(im, &pc, body, buf + len);
}

/* Host-order copies of a mapped file's structs. */
static void row_host(const struct hist_row *in, struct hist_row *r)
{
	r->strike = hist_le32(in->strike);
	r->bid = hist_le32(in->bid);
	r->ask = hist_le32(in->ask);
	r->last = hist_le32(in->last);
	r->volume = hist_le32(in->volume);
	r->oi = hist_le32(in->oi);
	r->iv = hist_le32(in->iv);
}

static void bar_host(const struct hist_bar *in, struct hist_bar *b)
{
	memset(b, 0, sizeof(*b));
	b->date = hist_le32(in->date);
	b->open = hist_le64(in->open);
	b->high = hist_le64(in->high);
	b->low = hist_le64(in->low);
	b->close = hist_le64(in->close);
	b->volume = hist_le64(in->volume);
}

/* Appends rows a (old, mapped) and b (new) of one side of one block,
 * merged by strike, the new winning; returns how many. */
static uint32_t merge_side(const struct hist_row *a, uint32_t na, const struct hist_row *b,
			   uint32_t nb, struct hist_row *out)
{
	uint32_t i = 0, j = 0, k = 0;

	if (!a)
		na = 0;
	if (!b)
		nb = 0;
	while (i < na || j < nb) {
		int32_t sa = i < na ? hist_le32(a[i].strike) : INT32_MAX;

		if (j < nb && (i >= na || b[j].strike <= sa)) {
			if (i < na && b[j].strike == sa)
				i++;
			out[k++] = b[j++];
		} else {
			row_host(&a[i++], &out[k++]);
		}
	}
	return k;
}

/* The store's file o merged with the import's d (the import winning) into m. */
static void merge(const struct hist_ticker *o, const struct hist_data *d, struct hist_data *m,
		  size_t *replaced)
{
	size_t i = 0, j = 0, cap_s = 0, cap_b = 0, cap_r = 0;
	uint32_t x = 0, y = 0;

	memset(m, 0, sizeof(*m));
	*replaced = 0;
	pt_strlcpy(m->ticker, d->ticker, sizeof(m->ticker));
	cap_r = (size_t)o->n_rows + d->n_rows + 1;
	m->rows = xmalloc(cap_r * sizeof(*m->rows));
	while (i < o->n_sess || j < d->n_sess) {
		int od = i < o->n_sess ? hist_le32(o->sess[i].day) : INT32_MAX;
		int nd = j < d->n_sess ? d->sess[j].day : INT32_MAX;
		const struct hist_session *os = od <= nd ? &o->sess[i] : NULL;
		const struct hist_session *ns = nd <= od ? &d->sess[j] : NULL;
		struct hist_session *s;
		uint32_t ob = 0, obn = 0, nb = 0, nbn = 0;

		xgrow(&m->sess, &cap_s, m->n_sess + 1, sizeof(*m->sess));
		s = &m->sess[m->n_sess++];
		if (ns) {
			*s = *ns;
			nb = ns->first_block;
			nbn = ns->n_blocks;
			j++;
		}
		if (os) {
			if (!ns) {
				s->day = hist_le32(os->day);
				s->quote_min = hist_le32(os->quote_min);
				s->spot = hist_le64(os->spot);
			} else {
				(*replaced)++;
			}
			ob = (uint32_t)hist_le32((int32_t)os->first_block);
			obn = (uint32_t)hist_le32((int32_t)os->n_blocks);
			i++;
		}
		s->first_block = (uint32_t)m->n_blk;
		s->n_blocks = 0;
		x = 0;
		y = 0;
		while (x < obn || y < nbn) {
			const struct hist_block *a = x < obn ? &o->blk[ob + x] : NULL;
			const struct hist_block *b = y < nbn ? &d->blk[nb + y] : NULL;
			int ea = a ? hist_le32(a->expiry) : INT32_MAX,
			    eb = b ? b->expiry : INT32_MAX;
			struct hist_block *t;
			const struct hist_row *ar = NULL, *br = NULL;
			uint32_t anc = 0, anp = 0, bnc = 0, bnp = 0;

			xgrow(&m->blk, &cap_b, m->n_blk + 1, sizeof(*m->blk));
			t = &m->blk[m->n_blk++];
			memset(t, 0, sizeof(*t));
			t->expiry = ea < eb ? ea : eb;
			t->first_row = m->n_rows;
			s->n_blocks++;
			if (a && ea <= eb) {
				ar = &o->rows[(uint64_t)hist_le64((int64_t)a->first_row)];
				anc = (uint32_t)hist_le32((int32_t)a->n_calls);
				anp = (uint32_t)hist_le32((int32_t)a->n_puts);
				x++;
			}
			if (b && eb <= ea) {
				br = &d->rows[b->first_row];
				bnc = b->n_calls;
				bnp = b->n_puts;
				y++;
			}
			t->n_calls = merge_side(ar, anc, br, bnc, &m->rows[m->n_rows]);
			m->n_rows += t->n_calls;
			t->n_puts = merge_side(ar ? ar + anc : NULL, anp, br ? br + bnc : NULL, bnp,
					       &m->rows[m->n_rows]);
			m->n_rows += t->n_puts;
		}
	}
	/* bars and dividends: by date, the import winning */
	m->bars = xcalloc((size_t)o->n_bars + d->n_bars + 1, sizeof(*m->bars));
	for (i = j = 0; i < o->n_bars || j < d->n_bars;) {
		int a = i < o->n_bars ? hist_le32(o->bars[i].date) : INT32_MAX;
		int b = j < d->n_bars ? d->bars[j].date : INT32_MAX;

		if (b <= a) {
			m->bars[m->n_bars++] = d->bars[j++];
			i += a == b;
		} else {
			bar_host(&o->bars[i++], &m->bars[m->n_bars++]);
		}
	}
	m->divs = xcalloc((size_t)o->n_divs + d->n_divs + 1, sizeof(*m->divs));
	for (i = j = 0; i < o->n_divs || j < d->n_divs;) {
		int a = i < o->n_divs ? hist_le32(o->divs[i].ex_date) : INT32_MAX;
		int b = j < d->n_divs ? d->divs[j].ex_date : INT32_MAX;

		if (b <= a) {
			m->divs[m->n_divs++] = d->divs[j++];
			i += a == b;
		} else {
			m->divs[m->n_divs].ex_date = a;
			m->divs[m->n_divs++].amount = hist_le64(o->divs[i++].amount);
		}
	}
}

/* ---- the import ---- */

/* Counts d, the new rows of ticker sym, into res: its line of the result. */
static struct himp_ticker *tally(struct himp_result *res, const char *sym,
				 const struct hist_data *d)
{
	struct himp_ticker *r = &res->tk[res->n_tk++];

	pt_strlcpy(r->ticker, sym, sizeof(r->ticker));
	r->rows = d->n_rows;
	r->sessions = d->n_sess;
	r->first = d->sess[0].day;
	r->last = d->sess[d->n_sess - 1].day;
	r->bars = d->n_bars;
	r->divs = d->n_divs;
	res->kept += d->n_rows;
	return r;
}

int himp_run(const struct himp_opts *o, const char *const *files, size_t n, struct himp_result *res,
	     char *err)
{
	struct imp im;
	struct hist_txn *tx = NULL;
	struct hist_rate *rates = NULL;
	size_t i, n_rates = 0, total = n + (o->rates ? 1 : 0), written = 0;
	char sym[HIST_SYMSZ];
	int rc = 0;

	memset(res, 0, sizeof(*res));
	memset(&im, 0, sizeof(im));
	im.o = o;
	im.res = res;
	im.day0 = date_from_ymd(CAL_FIRST_YEAR, 1, 1);
	im.ndays = date_from_ymd(CAL_LAST_YEAR, 12, 31) - im.day0 + 1;
	if (o->ticker && norm_ticker(o->ticker, strlen(o->ticker), sym))
		return pt_err(err, PT_EINVAL, "--ticker: '%s' is not a ticker symbol", o->ticker);
	res->files = xcalloc(total + 1, sizeof(*res->files));
	if ((rc = hist_txn_begin(o->home, &tx, err)))
		return rc;
	im.tx = tx;
	im.stream = stream_ok(&im, files, n);
	for (i = 0; i < n; i++) {
		im.f = &res->files[res->n_files++];
		pt_strlcpy(im.f->name, files[i], sizeof(im.f->name));
		rc = import_file(&im, files[i], err);
		if (rc == RESTART) {
			/* lines out of session order: everything again, kept in
			 * memory and sorted (the files streamed are removed) */
			for (i = 0; i < im.n_tk; i++)
				atk_free(im.tk[i]);
			im.n_tk = 0;
			im.cur = NULL;
			im.stream = 0;
			memset(res->files, 0, (total + 1) * sizeof(*res->files));
			res->n_files = 0;
			res->read = res->skipped = 0;
			memset(res->dropped, 0, sizeof(res->dropped));
			i = (size_t)-1;
			continue;
		}
		if (rc)
			goto out;
	}
	if (o->rates) {
		im.f = &res->files[res->n_files++];
		pt_strlcpy(im.f->name, o->rates, sizeof(im.f->name));
		if ((rc = parse_rates(&im, o->rates, &rates, &n_rates, err)))
			goto out;
	}
	/* every ticker: this import's data, merged with the store's */
	res->tk = xcalloc(im.n_tk + 1, sizeof(*res->tk));
	for (i = 0; i < im.n_tk; i++) {
		struct atk *t = im.tk[i];
		const struct hist_ticker *old = hist_find(hist_txn_current(tx), t->sym);
		struct hist_data d, m;
		struct himp_ticker *r;
		size_t replaced = 0;

		if (t->st) {
			/* its rows are in its file: the index follows them */
			rc = stream_end(&im, t, &d, err);
			if (!rc && d.n_sess) {
				tally(res, t->sym, &d);
				written++;
			}
			data_release(&d);
			if (rc)
				goto out;
			continue;
		}
		build_new(&im, t, &d);
		if (!d.n_sess) {
			data_release(&d);
			continue;
		}
		r = tally(res, t->sym, &d);
		if (old) {
			merge(old, &d, &m, &replaced);
			data_release(&d);
			d = m;
		}
		r->replaced = replaced;
		rc = hist_txn_put(tx, &d, err);
		data_release(&d);
		if (rc)
			goto out;
		written++;
	}
	if (o->rates) {
		const struct hist *cur = hist_txn_current(tx);
		size_t a = 0, b = 0, cap = 0, k = 0;
		struct hist_rate *m = NULL;

		/* merged with the stored rates by date, the import winning */
		while (cur && (a < cur->n_rates || b < n_rates)) {
			int da = a < cur->n_rates ? cur->rates[a].date : INT32_MAX;
			int db = rates && b < n_rates ? rates[b].date : INT32_MAX;

			xgrow(&m, &cap, k + 1, sizeof(*m));
			if (rates && b < n_rates && db <= da) {
				m[k++] = rates[b++];
				a += da == db;
			} else {
				m[k++] = cur->rates[a++];
			}
		}
		if (m) {
			free(rates);
			rates = m;
			n_rates = k;
		}
		res->rates = n_rates;
		if (n_rates) {
			res->rates_first = rates[0].date;
			res->rates_last = rates[n_rates - 1].date;
			if ((rc = hist_txn_put_rates(tx, rates, n_rates, err)))
				goto out;
			written++;
		}
	}
	if (written) {
		rc = hist_txn_commit(tx, err);
		tx = NULL;
		if (!rc) {
			struct hist_coverage *c;
			size_t nc;
			if (!hist_coverage(o->home, &c, &nc, NULL, NULL, err)) {
				for (i = 0; i < res->n_tk; i++) {
					const struct hist_coverage *x =
						hist_coverage_find(c, nc, res->tk[i].ticker);
					if (x)
						res->tk[i].after = *x;
				}
				free(c);
			}
		}
	}
out:
	/* the streams first: their files are the txn's */
	for (i = 0; i < im.n_tk; i++)
		atk_free(im.tk[i]);
	if (tx)
		hist_txn_abort(tx);
	free(im.tk);
	free(rates);
	return rc;
}

void himp_result_release(struct himp_result *r)
{
	free(r->files);
	free(r->tk);
	memset(r, 0, sizeof(*r));
}

int himp_remove(const char *home, const char *const *tickers, size_t n, int rates, char *err)
{
	struct hist_txn *tx;
	char sym[HIST_SYMSZ];
	size_t i;
	int rc;

	if ((rc = hist_txn_begin(home, &tx, err)))
		return rc;
	for (i = 0; i < n; i++) {
		if (norm_ticker(tickers[i], strlen(tickers[i]), sym)) {
			hist_txn_abort(tx);
			return pt_err(err, PT_EINVAL, "'%s' is not a ticker symbol", tickers[i]);
		}
		if ((rc = hist_txn_remove(tx, sym, err))) {
			hist_txn_abort(tx);
			return rc;
		}
	}
	if (rates) {
		const struct hist *cur = hist_txn_current(tx);
		if (!cur || !cur->n_rates) {
			hist_txn_abort(tx);
			return pt_err(err, PT_ENOENT, "no rates in the history");
		}
		hist_txn_remove_rates(tx);
	}
	return hist_txn_commit(tx, err);
}
