/*
 * util.c - allocation, bounded strings, edit distance, strict parsing and
 * cents; see util.h.
 */
#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

static void oom(size_t n)
{
	fprintf(stderr, "papertrade: out of memory allocating %zu bytes\n", n);
	abort();
}

void *xmalloc(size_t n)
{
	void *p = malloc(n ? n : 1);
	if (!p)
		oom(n);
	return p;
}

void *xcalloc(size_t n, size_t size)
{
	void *p = calloc(n ? n : 1, size ? size : 1);
	if (!p)
		oom(n * size);
	return p;
}

void *xrealloc(void *p, size_t n)
{
	void *q = realloc(p, n ? n : 1);
	if (!q)
		oom(n);
	return q;
}

char *xstrdup(const char *s)
{
	return xmemdupz(s, strlen(s));
}

char *xmemdupz(const void *p, size_t n)
{
	char *q = xmalloc(n + 1);

	if (n)
		memcpy(q, p, n);
	q[n] = '\0';
	return q;
}

void xgrow(void *pp, size_t *cap, size_t need, size_t sz)
{
	void **p = pp;
	size_t c = *cap;

	if (need <= c)
		return;
	if (c < 8)
		c = 8;
	while (c < need)
		c *= 2;
	*p = xrealloc(*p, c * sz);
	*cap = c;
}

int pt_err(char *err, int code, const char *fmt, ...)
{
	va_list ap;

	if (err) {
		va_start(ap, fmt);
		vsnprintf(err, PT_ERRSZ, fmt, ap);
		va_end(ap);
	}
	return code;
}

int pt_strlcpy(char *dst, const char *src, size_t size)
{
	size_t n = strlen(src);

	if (!size)
		return -1;
	if (n >= size) {
		memcpy(dst, src, size - 1);
		dst[size - 1] = '\0';
		return -1;
	}
	memcpy(dst, src, n + 1);
	return 0;
}

size_t pt_edit_distance(const char *a, const char *b)
{
	size_t row[64], la = strlen(a), lb = strlen(b), i, j;

	if (la >= PT_ARRAY_SIZE(row) || lb >= PT_ARRAY_SIZE(row))
		return SIZE_MAX;
	/* one row of the matrix: row[j] is the distance of a[0..i) to b[0..j) */
	for (j = 0; j <= lb; j++)
		row[j] = j;
	for (i = 1; i <= la; i++) {
		size_t diag = row[0];

		row[0] = i;
		for (j = 1; j <= lb; j++) {
			size_t up = row[j];
			size_t best = diag + (tolower((unsigned char)a[i - 1]) !=
					      tolower((unsigned char)b[j - 1]));

			if (up + 1 < best)
				best = up + 1;
			if (row[j - 1] + 1 < best)
				best = row[j - 1] + 1;
			diag = up;
			row[j] = best;
		}
	}
	return row[lb];
}

void sb_init(struct sbuf *sb, size_t limit)
{
	sb->buf = NULL;
	sb->len = 0;
	sb->cap = 0;
	sb->limit = limit;
}

void sb_release(struct sbuf *sb)
{
	free(sb->buf);
	sb_init(sb, sb->limit);
}

int sb_add(struct sbuf *sb, const void *data, size_t n)
{
	if (n > sb->limit || sb->len > sb->limit - n)
		return -1;
	xgrow(&sb->buf, &sb->cap, sb->len + n + 1, 1);
	if (n)
		memcpy(sb->buf + sb->len, data, n);
	sb->len += n;
	sb->buf[sb->len] = '\0';
	return 0;
}

int sb_vaddf(struct sbuf *sb, const char *fmt, va_list ap)
{
	va_list cp;
	int n;

	va_copy(cp, ap);
	n = vsnprintf(NULL, 0, fmt, cp);
	va_end(cp);
	if (n < 0 || (size_t)n > sb->limit || sb->len > sb->limit - (size_t)n)
		return -1;
	xgrow(&sb->buf, &sb->cap, sb->len + (size_t)n + 1, 1);
	vsnprintf(sb->buf + sb->len, (size_t)n + 1, fmt, ap);
	sb->len += (size_t)n;
	return 0;
}

int sb_addf(struct sbuf *sb, const char *fmt, ...)
{
	va_list ap;
	int rc;

	va_start(ap, fmt);
	rc = sb_vaddf(sb, fmt, ap);
	va_end(ap);
	return rc;
}

const char *sb_str(const struct sbuf *sb)
{
	return sb->buf ? sb->buf : "";
}

void sb_add_csv(struct sbuf *sb, const char *s)
{
	if (!strpbrk(s, ",\"\r\n")) {
		sb_add(sb, s, strlen(s));
		return;
	}
	sb_add(sb, "\"", 1);
	for (; *s; s++) {
		if (*s == '"')
			sb_add(sb, "\"", 1);
		sb_add(sb, s, 1);
	}
	sb_add(sb, "\"", 1);
}

int pt_parse_double(const char *s, double *out)
{
	char *end;
	double v;

	if (!s || !*s || strchr(" \t\n\r\f\v", *s))
		return -1;
	errno = 0;
	v = strtod(s, &end);
	if (errno || *end || !isfinite(v))
		return -1;
	*out = v;
	return 0;
}

int pt_parse_long(const char *s, long *out)
{
	char *end;
	long v;

	if (!s || !*s || strchr(" \t\n\r\f\v", *s))
		return -1;
	errno = 0;
	v = strtol(s, &end, 10);
	if (errno || *end)
		return -1;
	*out = v;
	return 0;
}

int64_t pt_cents(double dollars)
{
	/* llround of NaN or of a value past int64 is undefined: no amount is
	 * that large, so such input is a bug upstream; book nothing for it. */
	if (!isfinite(dollars) || fabs(dollars) > 9e16)
		return 0;
	return (int64_t)llround(dollars * 100.0);
}

char *pt_fmt_cents(char *buf, size_t n, int64_t cents)
{
	uint64_t a = cents < 0 ? (uint64_t)(-(cents + 1)) + 1 : (uint64_t)cents;

	snprintf(buf, n, "%s%llu.%02llu", cents < 0 ? "-" : "", (unsigned long long)(a / 100),
		 (unsigned long long)(a % 100));
	return buf;
}

char *pt_fmt_money(char *buf, size_t n, int64_t cents)
{
	char digits[32];
	char out[48];
	uint64_t a = cents < 0 ? (uint64_t)(-(cents + 1)) + 1 : (uint64_t)cents;
	uint64_t whole = a / 100;
	int len, i, o = 0;

	len = snprintf(digits, sizeof(digits), "%llu", (unsigned long long)whole);
	if (cents < 0)
		out[o++] = '-';
	for (i = 0; i < len; i++) {
		if (i && (len - i) % 3 == 0)
			out[o++] = ',';
		out[o++] = digits[i];
	}
	snprintf(out + o, sizeof(out) - (size_t)o, ".%02llu", (unsigned long long)(a % 100));
	snprintf(buf, n, "%s", out);
	return buf;
}
