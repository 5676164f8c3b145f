/*
 * himport.c - `papertrade history import`: the readers of each layout, the
 * accumulation of rows per ticker and session, and the merge into the
 * store (hist.h) in one transaction; see himport.h and docs/history.md.
 *
 * Speed matters (docs/history.md, "Figures"): text is mapped, not copied;
 * a line's fields are found by one scan and only the needed ones parsed;
 * dates repeat, so the last one parsed is remembered; rows that arrive in
 * session order (every vendor's files do) are not sorted again, and rows
 * within a session in (expiry, strike) order are split into calls and puts
 * in one pass.
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

#include "himport.h"
#include "../market/calendar.h"
#include "../store/histdb.h"
#include "../util/date.h"
#include "../util/util.h"

#define HEADER_MAX 65536 /* longest header line */
#define MAX_COLS 256
#define PARALLEL_MIN (16u << 20) /* text smaller than this is read by one thread */

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

int himp_fixed(const char *s, size_t n, int dec, int64_t *out)
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
	for (; frac < dec; frac++)
		v *= 10;
	v += (uint64_t)round;
	*out = neg ? -(int64_t)v : (int64_t)v;
	return 0;
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

struct atk {
	char sym[HIST_SYMSZ];
	struct arow *rows;
	size_t n, cap;
	int last_session, unsorted;
	struct aday *day; /* indexed by day - day0 */
	size_t n_bars, n_divs;
};

struct imp {
	const struct himp_opts *o;
	struct himp_result *res;
	struct himp_file *f;
	struct atk **tk;
	size_t n_tk;
	struct atk *cur;
	int day0, ndays;
	int tmp_seq;
	/* the last dates parsed */
	char qd_txt[32], ex_txt[32];
	size_t qd_len, ex_len;
	int qd_day, ex_day, qd_ok, ex_ok;
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

static void atk_free(struct atk *t)
{
	if (!t)
		return;
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

/* A date field through the one-entry cache of the last one parsed. */
static int cached_date(const struct fld *f, char *txt, size_t *len, int *day, int *ok)
{
	if (f->n == *len && f->n < 32 && !memcmp(f->s, txt, f->n))
		return *ok ? 0 : -1;
	*len = f->n < 32 ? f->n : 0;
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

static void one_option(struct imp *im, struct atk *t, const struct arow *base, int right,
		       const struct ofields *of)
{
	struct arow r = *base;
	int why = option_row(of, &r);

	im->f->read++;
	im->res->read++;
	if (why >= 0) {
		drop(im, why, 1);
		return;
	}
	r.right = (uint8_t)right;
	push(t, &r);
}

static int fnum(const struct fld *f, int idx_ok, int dec, int64_t *v)
{
	return idx_ok ? himp_fixed(f->s, f->n, dec, v) : 1;
}

static void dx_line(struct imp *im, struct atk *t, const int *ix, const struct fld *f, size_t k)
{
	struct arow base;
	struct ofields c, p;
	int64_t strike, und, hrs;
	int qmin, i, need = 0;

	for (i = 0; i < X_N; i++)
		if (ix[i] + 1 > need)
			need = ix[i] + 1;
	memset(&base, 0, sizeof(base));
	if (k < (size_t)need) {
		im->f->read += 2;
		im->res->read += 2;
		drop(im, HIMP_SHORT, 2);
		return;
	}
	if (cached_date(&f[ix[X_QDATE]], im->qd_txt, &im->qd_len, &im->qd_day, &im->qd_ok) ||
	    cached_date(&f[ix[X_EXP]], im->ex_txt, &im->ex_len, &im->ex_day, &im->ex_ok)) {
		im->f->read += 2;
		im->res->read += 2;
		drop(im, HIMP_DATE, 2);
		return;
	}
	base.session = im->qd_day;
	base.expiry = im->ex_day;
	i = !cal_is_session(base.session) ? HIMP_SESSION
	    : base.expiry < base.session  ? HIMP_EXPIRED
	    : himp_fixed(f[ix[X_STRIKE]].s, f[ix[X_STRIKE]].n, 4, &strike) || strike <= 0
		    ? HIMP_STRIKE
	    : strike > INT32_MAX ? HIMP_RANGE
				 : -1;
	if (i >= 0) {
		im->f->read += 2;
		im->res->read += 2;
		drop(im, i, 2);
		return;
	}
	base.strike = (int32_t)strike;
	if (!t->day[day_ix(im, base.session)].has_spot) {
		qmin = close_min(base.session);
		if (ix[X_QHOURS] >= 0 &&
		    !himp_fixed(f[ix[X_QHOURS]].s, f[ix[X_QHOURS]].n, 4, &hrs) && hrs >= 0 &&
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
		if (!himp_fixed(f[ix[X_UND]].s, f[ix[X_UND]].n, 4, &und) && und > 0)
			note_underlying(t, im, base.session, und, qmin, und);
	}
	memset(&c, 0, sizeof(c));
	memset(&p, 0, sizeof(p));
	c.bid_rc = himp_fixed(f[ix[X_CBID]].s, f[ix[X_CBID]].n, 4, &c.bid);
	c.ask_rc = himp_fixed(f[ix[X_CASK]].s, f[ix[X_CASK]].n, 4, &c.ask);
	c.last_rc = fnum(&f[ix[X_CLAST] < 0 ? 0 : ix[X_CLAST]], ix[X_CLAST] >= 0, 4, &c.last);
	c.vol_rc = fnum(&f[ix[X_CVOL] < 0 ? 0 : ix[X_CVOL]], ix[X_CVOL] >= 0, 4, &c.vol);
	c.oi_rc = 1;
	c.iv_rc = fnum(&f[ix[X_CIV] < 0 ? 0 : ix[X_CIV]], ix[X_CIV] >= 0, 6, &c.iv);
	p.bid_rc = himp_fixed(f[ix[X_PBID]].s, f[ix[X_PBID]].n, 4, &p.bid);
	p.ask_rc = himp_fixed(f[ix[X_PASK]].s, f[ix[X_PASK]].n, 4, &p.ask);
	p.last_rc = fnum(&f[ix[X_PLAST] < 0 ? 0 : ix[X_PLAST]], ix[X_PLAST] >= 0, 4, &p.last);
	p.vol_rc = fnum(&f[ix[X_PVOL] < 0 ? 0 : ix[X_PVOL]], ix[X_PVOL] >= 0, 4, &p.vol);
	p.oi_rc = 1;
	p.iv_rc = fnum(&f[ix[X_PIV] < 0 ? 0 : ix[X_PIV]], ix[X_PIV] >= 0, 6, &p.iv);
	one_option(im, t, &base, 0, &c);
	one_option(im, t, &base, 1, &p);
}

/* The mid of a two-sided quote in 1e-4 dollars (half up), 0 when there is none. */
static int64_t mid_of(const struct fld *bf, const struct fld *af)
{
	int64_t b, a;

	if (himp_fixed(bf->s, bf->n, 4, &b) || himp_fixed(af->s, af->n, 4, &a) || b <= 0 || a < b)
		return 0;
	return (a + b + 1) / 2;
}

static void cboe_line(struct imp *im, const int *ix, const struct fld *f, size_t k)
{
	struct arow base;
	struct ofields o;
	struct atk *t;
	char sym[HIST_SYMSZ];
	int64_t strike;
	int i, need = 0, right;
	const struct fld *ty;

	for (i = 0; i < Y_N; i++)
		if (ix[i] + 1 > need)
			need = ix[i] + 1;
	memset(&base, 0, sizeof(base));
	if (k < (size_t)need) {
		im->f->read++;
		im->res->read++;
		drop(im, HIMP_SHORT, 1);
		return;
	}
	if (norm_ticker(f[ix[Y_SYM]].s, f[ix[Y_SYM]].n, sym)) {
		im->f->read++;
		im->res->read++;
		drop(im, HIMP_SYMBOL, 1);
		return;
	}
	if (im->o->ticker && strcasecmp(sym, im->o->ticker) != 0) {
		im->f->skipped++;
		im->res->skipped++;
		return;
	}
	t = ticker_acc(im, sym);
	if (cached_date(&f[ix[Y_QDATE]], im->qd_txt, &im->qd_len, &im->qd_day, &im->qd_ok) ||
	    cached_date(&f[ix[Y_EXP]], im->ex_txt, &im->ex_len, &im->ex_day, &im->ex_ok)) {
		im->f->read++;
		im->res->read++;
		drop(im, HIMP_DATE, 1);
		return;
	}
	base.session = im->qd_day;
	base.expiry = im->ex_day;
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
	    : himp_fixed(f[ix[Y_STRIKE]].s, f[ix[Y_STRIKE]].n, 4, &strike) || strike <= 0
		    ? HIMP_STRIKE
	    : strike > INT32_MAX ? HIMP_RANGE
	    : right < 0		 ? HIMP_RIGHT
				 : -1;
	if (i >= 0) {
		im->f->read++;
		im->res->read++;
		drop(im, i, 1);
		return;
	}
	base.strike = (int32_t)strike;
	if (!t->day[day_ix(im, base.session)].has_spot) {
		int64_t spot = mid_of(&f[ix[Y_UBID]], &f[ix[Y_UASK]]), close = 0, act;

		if (!spot && ix[Y_ACTIVE] >= 0 &&
		    !himp_fixed(f[ix[Y_ACTIVE]].s, f[ix[Y_ACTIVE]].n, 4, &act) && act > 0)
			spot = act;
		if (ix[Y_UBID_EOD] >= 0 && ix[Y_UASK_EOD] >= 0)
			close = mid_of(&f[ix[Y_UBID_EOD]], &f[ix[Y_UASK_EOD]]);
		if (spot > 0)
			note_underlying(t, im, base.session, spot, close_min(base.session) - 15,
					close > 0 ? close : spot);
	}
	memset(&o, 0, sizeof(o));
	o.bid_rc = himp_fixed(f[ix[Y_BID]].s, f[ix[Y_BID]].n, 4, &o.bid);
	o.ask_rc = himp_fixed(f[ix[Y_ASK]].s, f[ix[Y_ASK]].n, 4, &o.ask);
	o.last_rc = fnum(&f[ix[Y_CLOSE] < 0 ? 0 : ix[Y_CLOSE]], ix[Y_CLOSE] >= 0, 4, &o.last);
	/* Cboe's close is 0 on a day without a trade: no last price */
	if (!o.last_rc && o.last == 0)
		o.last_rc = 1;
	o.vol_rc = fnum(&f[ix[Y_VOL] < 0 ? 0 : ix[Y_VOL]], ix[Y_VOL] >= 0, 4, &o.vol);
	o.oi_rc = fnum(&f[ix[Y_OI] < 0 ? 0 : ix[Y_OI]], ix[Y_OI] >= 0, 4, &o.oi);
	o.iv_rc = fnum(&f[ix[Y_IV] < 0 ? 0 : ix[Y_IV]], ix[Y_IV] >= 0, 6, &o.iv);
	one_option(im, t, &base, right, &o);
}

/* The data lines p..e of a text file whose header was read. */
static int parse_lines(struct imp *im, int layout, const int *ix_dx, const int *ix_cb, size_t need,
		       const char *sym, const char *p, const char *e)
{
	struct fld f[MAX_COLS];
	struct atk *t = sym ? ticker_acc(im, sym) : NULL;
	const char *nl = memchr(p, '\n', (size_t)(e - p));
	size_t k;

	/* one ticker: room for the rows the file's size promises, at once
	 * (growing by doubling touched twice the memory) */
	if (t && nl && nl - p > 16)
		xgrow(&t->rows, &t->cap,
		      t->n + (size_t)((e - p) / (nl - p + 1)) * 2 +
			      (size_t)((e - p) / (nl - p + 1)) / 8 + 16,
		      sizeof(*t->rows));

	im->qd_len = im->ex_len = 0;
	for (; p < e; p = nl ? nl + 1 : e) {
		size_t n;

		nl = memchr(p, '\n', (size_t)(e - p));
		n = (size_t)((nl ? nl : e) - p);
		if (n && p[n - 1] == '\r')
			n--;
		if (!n)
			continue;
		k = split(p, n, f, need);
		if (layout == L_OPTIONSDX)
			dx_line(im, t, ix_dx, f, k);
		else
			cboe_line(im, ix_cb, f, k);
	}
	return 0;
}

/* The second half of a file, parsed by a thread of its own into its own
 * accumulators (the machine has two cores: docs/history.md, "Figures"). */
struct half {
	struct imp im;
	struct himp_result res;
	struct himp_file f;
	int layout;
	const int *ix_dx, *ix_cb;
	size_t need;
	const char *sym, *p, *e;
};

static void *half_main(void *arg)
{
	struct half *h = arg;

	parse_lines(&h->im, h->layout, h->ix_dx, h->ix_cb, h->need, h->sym, h->p, h->e);
	return NULL;
}

/* Moves what sub accumulated into im, as if im had read it after its own. */
static void absorb(struct imp *im, struct imp *sub)
{
	size_t i, r;
	int d;

	for (r = 0; r < HIMP_NREASONS; r++) {
		im->f->dropped[r] += sub->f->dropped[r];
		im->res->dropped[r] += sub->res->dropped[r];
	}
	im->f->read += sub->f->read;
	im->f->skipped += sub->f->skipped;
	im->res->read += sub->res->read;
	im->res->skipped += sub->res->skipped;
	for (i = 0; i < sub->n_tk; i++) {
		struct atk *s = sub->tk[i], *t = ticker_acc(im, s->sym);

		if (s->n) {
			if (t->n && s->rows[0].session < t->last_session)
				t->unsorted = 1;
			t->unsorted |= s->unsorted;
			xgrow(&t->rows, &t->cap, t->n + s->n, sizeof(*t->rows));
			memcpy(t->rows + t->n, s->rows, s->n * sizeof(*s->rows));
			t->n += s->n;
			t->last_session = s->last_session;
		}
		for (d = 0; d < im->ndays; d++) {
			struct aday *a = &t->day[d];
			const struct aday *b = &s->day[d];

			if (!a->has_spot && b->has_spot) {
				a->spot = b->spot;
				a->qmin = b->qmin;
				a->has_spot = 1;
			}
			if (!a->has_bar && b->has_bar) {
				a->open = b->open;
				a->high = b->high;
				a->low = b->low;
				a->close = b->close;
				a->volume = b->volume;
				a->has_bar = 1;
				t->n_bars++;
			}
		}
		atk_free(s);
	}
	free(sub->tk);
	sub->tk = NULL;
	sub->n_tk = 0;
}

static int parse_halves(struct imp *im, int layout, const int *ix_dx, const int *ix_cb, size_t need,
			const char *sym, const char *p, const char *e)
{
	struct half *h = xcalloc(1, sizeof(*h));
	const char *mid = p + (e - p) / 2, *nl = memchr(mid, '\n', (size_t)(e - mid));
	pthread_t th;

	mid = nl ? nl + 1 : e;
	h->im = *im;
	h->im.res = &h->res;
	h->im.f = &h->f;
	h->im.tk = NULL;
	h->im.n_tk = 0;
	h->im.cur = NULL;
	h->layout = layout;
	h->ix_dx = ix_dx;
	h->ix_cb = ix_cb;
	h->need = need;
	h->sym = sym;
	h->p = mid;
	h->e = e;
	if (pthread_create(&th, NULL, half_main, h)) {
		free(h);
		return parse_lines(im, layout, ix_dx, ix_cb, need, sym, p, e);
	}
	parse_lines(im, layout, ix_dx, ix_cb, need, sym, p, mid);
	pthread_join(th, NULL);
	absorb(im, &h->im);
	free(h);
	return 0;
}

/* Reads a text file of a known layout. */
static int parse_text(struct imp *im, const char *path, const char *buf, size_t len, char *err)
{
	static char names[MAX_COLS][64];
	char missing_dx[512], missing_cb[512], sym[HIST_SYMSZ];
	int ix_dx[X_N], ix_cb[Y_N], bracketed, miss_dx, miss_cb, layout;
	const char *p = buf, *e = buf + len, *nl;
	size_t k, hl, need = 0;
	int c;

	if (len >= 3 && !memcmp(p, "\xEF\xBB\xBF", 3))
		p += 3;
	nl = memchr(p, '\n', (size_t)(e - p));
	hl = (size_t)((nl ? nl : e) - p);
	if (hl > HEADER_MAX)
		return pt_err(err, PT_EINVAL,
			      "%s: not a known layout: its first line is not a header", path);
	k = header_names(p, hl, names, &bracketed);
	miss_dx = match_cols(dx_cols, X_N, names, k, ix_dx, missing_dx, sizeof(missing_dx));
	miss_cb = match_cols(cb_cols, Y_N, names, k, ix_cb, missing_cb, sizeof(missing_cb));
	layout = miss_dx == 0 ? L_OPTIONSDX : miss_cb == 0 ? L_CBOE : L_NONE;
	if (layout == L_NONE) {
		int dx = bracketed || miss_dx < miss_cb;
		return pt_err(err, PT_EINVAL, "%s: not a known layout: as %s it lacks %s", path,
			      dx ? "OptionsDX" : "Cboe DataShop", dx ? missing_dx : missing_cb);
	}
	pt_strlcpy(im->f->layout, layout == L_OPTIONSDX ? "optionsdx" : "cboe",
		   sizeof(im->f->layout));
	if (layout == L_OPTIONSDX) {
		if (dx_ticker(im, path, sym))
			return pt_err(err, PT_EINVAL,
				      "%s: an OptionsDX file names no ticker: give --ticker "
				      "(or keep OptionsDX's file name, e.g. spy_eod_202301.txt)",
				      path);
	}
	for (c = 0; c < (layout == L_OPTIONSDX ? X_N : Y_N); c++) {
		int x = layout == L_OPTIONSDX ? ix_dx[c] : ix_cb[c];
		if (x + 1 > (int)need)
			need = (size_t)x + 1;
	}
	p = nl ? nl + 1 : e;
	if ((size_t)(e - p) < PARALLEL_MIN)
		return parse_lines(im, layout, ix_dx, ix_cb, need,
				   layout == L_OPTIONSDX ? sym : NULL, p, e);
	return parse_halves(im, layout, ix_dx, ix_cb, need, layout == L_OPTIONSDX ? sym : NULL, p,
			    e);
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

static int import_file(struct imp *im, const char *path, char *err)
{
	const unsigned char *p = NULL;
	size_t n = 0;
	char tmp[PATH_MAX];
	int rc, have_tmp = 0;

	if ((rc = map_input(path, path, &p, &n, err)))
		return rc;
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

/* Builds the import's own data of ticker t (sorted, deduplicated, sessions
 * without an underlying price dropped); frees t's rows. */
static void build_new(struct imp *im, struct atk *t, struct hist_data *d)
{
	struct arow *r = t->rows, *tmp;
	struct hist_row row;
	unsigned char *out;
	size_t i, j, k, n = t->n, cap_s = 0, cap_b = 0, nd = 0;
	int dups = 0, under = 0;

	memset(d, 0, sizeof(*d));
	pt_strlcpy(d->ticker, t->sym, sizeof(d->ticker));
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
	/* the store's rows are written over the import's, behind the reading:
	 * a row is 28 bytes where it was 40, and no session is read after a
	 * later one is written */
	out = (unsigned char *)r;
	tmp = NULL;
	{
		size_t most = 0;
		for (i = 0; i < n; i = j) {
			for (j = i; j < n && r[j].session == r[i].session; j++)
				;
			if (j - i > most)
				most = j - i;
		}
		tmp = xmalloc((most ? most : 1) * sizeof(*tmp));
	}
	for (i = 0; i < n; i = j) {
		int day = r[i].session;
		const struct aday *a = &t->day[day_ix(im, day)];
		struct hist_session *s;
		int64_t spot = a->has_spot ? a->spot : a->bar_explicit ? a->close : 0;

		for (j = i; j < n && r[j].session == day; j++)
			;
		if (spot <= 0) {
			under += (int)(j - i);
			continue;
		}
		sort_session(r + i, j - i, tmp);
		xgrow(&d->sess, &cap_s, d->n_sess + 1, sizeof(*d->sess));
		s = &d->sess[d->n_sess++];
		s->day = day;
		s->quote_min = a->has_spot ? a->qmin : close_min(day);
		s->spot = spot;
		s->first_block = (uint32_t)d->n_blk;
		s->n_blocks = 0;
		for (k = i; k < j;) {
			struct hist_block *b;
			size_t m = k;

			xgrow(&d->blk, &cap_b, d->n_blk + 1, sizeof(*d->blk));
			b = &d->blk[d->n_blk++];
			memset(b, 0, sizeof(*b));
			b->expiry = r[k].expiry;
			b->first_row = d->n_rows;
			s->n_blocks++;
			for (; m < j && r[m].expiry == b->expiry; m++) {
				/* equal keys are next to each other, the later last */
				if (m + 1 < j && !key_cmp(&r[m], &r[m + 1])) {
					dups++;
					continue;
				}
				to_row(&r[m], &row);
				memcpy(out + d->n_rows++ * sizeof(row), &row, sizeof(row));
				if (r[m].right == 0)
					b->n_calls++;
				else
					b->n_puts++;
			}
			k = m;
		}
	}
	free(tmp);
	d->rows = xrealloc(out, (d->n_rows ? d->n_rows : 1) * sizeof(*d->rows));
	t->rows = NULL;
	t->n = t->cap = 0;
	im->res->dropped[HIMP_DUPLICATE] += (uint64_t)dups;
	im->res->dropped[HIMP_UNDERLYING] += (uint64_t)under;
	/* bars and dividends */
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
	for (i = 0; i < n; i++) {
		im.f = &res->files[res->n_files++];
		pt_strlcpy(im.f->name, files[i], sizeof(im.f->name));
		if ((rc = import_file(&im, files[i], err)))
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

		build_new(&im, t, &d);
		if (!d.n_sess) {
			data_release(&d);
			continue;
		}
		r = &res->tk[res->n_tk++];
		pt_strlcpy(r->ticker, t->sym, sizeof(r->ticker));
		r->rows = d.n_rows;
		r->sessions = d.n_sess;
		r->first = d.sess[0].day;
		r->last = d.sess[d.n_sess - 1].day;
		r->bars = d.n_bars;
		r->divs = d.n_divs;
		res->kept += d.n_rows;
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
	if (tx)
		hist_txn_abort(tx);
	for (i = 0; i < im.n_tk; i++)
		atk_free(im.tk[i]);
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
