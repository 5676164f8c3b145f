/*
 * hist.c - the end-of-day option history store: the file format, mapping
 * and checking files, the manifest and the transactions that replace it;
 * see hist.h and docs/history.md. Written by `history import` (cli/,
 * through history/himport.c), read by the history provider (market/).
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
#include <dirent.h>
#include <sys/file.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <zlib.h>

#include "hist.h"
#include "../util/date.h"
#include "../util/file.h"
#include "../util/util.h"

_Static_assert(sizeof(struct hist_row) == 28, "row layout");
_Static_assert(sizeof(struct hist_session) == 24, "session layout");
_Static_assert(sizeof(struct hist_block) == 24, "block layout");
_Static_assert(sizeof(struct hist_bar) == 48, "bar layout");
_Static_assert(sizeof(struct hist_div) == 16, "dividend layout");
_Static_assert(sizeof(struct hist_rate) == 8, "rate layout");
_Static_assert(sizeof(struct hist_header) == 128, "header layout");

#define MANIFEST "MANIFEST"
#define MANIFEST_HEAD "papertrade history 1\n"
#define MANIFEST_MAX (1u << 20)
#define LOCKFILE "import.lock"
#define ENDIAN_MARK 0x01020304u
#define RATES_HDR 24	 /* magic 8, version 4, count 4, crc 4, reserved 4 */
#define STAGE (4u << 20) /* the writer's buffer */

static const unsigned char rates_magic[8] = {'P', 'T', 'R', 'A', 'T', 'E', '\r', '\n'};

static uint32_t le32u(uint32_t v)
{
	return (uint32_t)hist_le32((int32_t)v);
}

static uint64_t le64u(uint64_t v)
{
	return (uint64_t)hist_le64((int64_t)v);
}

static uint32_t crc(uint32_t c, const void *p, uint64_t n)
{
	const unsigned char *b = p;

	while (n) {
		z_size_t k = n > (1u << 30) ? (1u << 30) : (z_size_t)n;
		c = (uint32_t)crc32_z(c, b, k);
		b += k;
		n -= k;
	}
	return c;
}

int hist_dir(const char *home, char *buf, size_t n, char *err)
{
	if (snprintf(buf, n, "%s/history", home) >= (int)n)
		return pt_err(err, PT_EINVAL, "%s: path too long", home);
	return 0;
}

/* 1 when s is a file name the store may have made: [A-Za-z0-9.^=_-]+ */
static int name_ok(const char *s)
{
	size_t i, n = strlen(s);

	if (!n || n >= 64 || s[0] == '.')
		return 0;
	for (i = 0; i < n; i++)
		if (!strchr("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789.^=_-",
			    s[i]))
			return 0;
	return 1;
}

/* ---- the manifest ---- */

struct man_entry {
	char ticker[HIST_SYMSZ];
	char file[64];
};

struct manifest {
	uint64_t generation;
	struct man_entry *e;
	size_t n;
	char rates[64]; /* "" when none */
};

static void manifest_release(struct manifest *m)
{
	free(m->e);
	m->e = NULL;
	m->n = 0;
	m->generation = 0;
	m->rates[0] = '\0';
}

/* Reads dir/MANIFEST into m; PT_ENOENT when there is none. st (may be
 * NULL) gets its identity. */
static int manifest_read(const char *dir, struct manifest *m, struct stat *st, char *err)
{
	char path[PATH_MAX], *buf = NULL, *line, *next;
	struct stat sb;
	ssize_t got;
	size_t len = 0, cap = 0;
	int fd, rc = 0, lineno = 0;

	memset(m, 0, sizeof(*m));
	snprintf(path, sizeof(path), "%s/%s", dir, MANIFEST);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		if (errno == ENOENT)
			return PT_ENOENT;
		return pt_err(err, PT_EIO, "%s: %s", path, strerror(errno));
	}
	if (fstat(fd, &sb) || sb.st_size > (off_t)MANIFEST_MAX) {
		close(fd);
		return pt_err(err, PT_EIO, "%s: %s", path,
			      errno ? strerror(errno) : "larger than a manifest can be");
	}
	if (st)
		*st = sb;
	cap = (size_t)sb.st_size + 1;
	buf = xmalloc(cap);
	while (len + 1 < cap && (got = read(fd, buf + len, cap - 1 - len)) > 0)
		len += (size_t)got;
	close(fd);
	buf[len] = '\0';
	if (strlen(buf) != len || strncmp(buf, MANIFEST_HEAD, strlen(MANIFEST_HEAD)) != 0) {
		rc = pt_err(err, PT_EIO, "%s: not a papertrade history manifest", path);
		goto out;
	}
	for (line = buf + strlen(MANIFEST_HEAD); *line; line = next) {
		char a[32], b[80], c[80], extra[2];
		int k;

		lineno++;
		next = strchr(line, '\n');
		if (!next) {
			rc = pt_err(err, PT_EIO, "%s: cut short", path);
			goto out;
		}
		*next++ = '\0';
		k = sscanf(line, "%31s %79s %79s %1s", a, b, c, extra);
		if (k == 2 && !strcmp(a, "generation")) {
			char *end;
			errno = 0;
			m->generation = strtoull(b, &end, 10);
			if (errno || *end)
				k = -1;
		} else if (k == 2 && !strcmp(a, "rates") && name_ok(b)) {
			pt_strlcpy(m->rates, b, sizeof(m->rates));
		} else if (k == 3 && !strcmp(a, "ticker") && name_ok(c) && strlen(b) < HIST_SYMSZ &&
			   name_ok(b)) {
			m->e = xrealloc(m->e, (m->n + 1) * sizeof(*m->e));
			pt_strlcpy(m->e[m->n].ticker, b, HIST_SYMSZ);
			pt_strlcpy(m->e[m->n].file, c, sizeof(m->e[m->n].file));
			m->n++;
		} else {
			k = -1;
		}
		if (k < 0) {
			rc = pt_err(err, PT_EIO, "%s: line %d is not understood", path, lineno + 1);
			goto out;
		}
	}
out:
	free(buf);
	if (rc)
		manifest_release(m);
	return rc;
}

static int cmp_entry(const void *a, const void *b)
{
	return strcmp(((const struct man_entry *)a)->ticker, ((const struct man_entry *)b)->ticker);
}

/* The manifest's text. */
static char *manifest_text(const struct manifest *m, size_t *len)
{
	struct sbuf sb;
	size_t i;

	sb_init(&sb, MANIFEST_MAX);
	sb_addf(&sb, "%sgeneration %" PRIu64 "\n", MANIFEST_HEAD, m->generation);
	for (i = 0; i < m->n; i++)
		sb_addf(&sb, "ticker %s %s\n", m->e[i].ticker, m->e[i].file);
	if (m->rates[0])
		sb_addf(&sb, "rates %s\n", m->rates);
	*len = sb.len;
	return sb.buf ? sb.buf : xstrdup("");
}

/* ---- reading a ticker's file ---- */

static int bad(char *err, const char *file, const char *why)
{
	return pt_err(err, PT_EIO, "history file %s: %s", file, why);
}

/* 1 when a section of n items of size sz at off fits in size bytes. */
static int fits(uint64_t off, uint64_t n, uint64_t sz, uint64_t size)
{
	return off % 8 == 0 && off <= size && n <= (size - off) / sz;
}

/* Checks the mapped file t (its map and size set) and fills the section
 * pointers. */
static int check_ticker(struct hist_ticker *t, const char *want, char *err)
{
	const struct hist_header *h = (const void *)t->map;
	uint64_t size = t->size, row = 0, off_r, off_s, off_b, off_bar, off_d, n_rows;
	uint32_t n_s, n_b, n_bar, n_d, i, c, blk = 0;
	struct hist_header copy;
	char tk[HIST_SYMSZ + 1];

	if (size < sizeof(*h) || memcmp(h->magic, HIST_MAGIC, 8) != 0)
		return bad(err, t->file, "not a papertrade history file");
	if (le32u(h->endian) != ENDIAN_MARK)
		return bad(err, t->file, "wrong byte order");
	if (le32u(h->version) != HIST_VERSION)
		return bad(err, t->file,
			   le32u(h->version) > HIST_VERSION
				   ? "made by a newer papertrade (format version too new)"
				   : "unknown format version");
	memcpy(tk, h->ticker, HIST_SYMSZ);
	tk[HIST_SYMSZ] = '\0';
	if (strcmp(tk, want) != 0)
		return bad(err, t->file, "holds another ticker than the manifest says");
	if (le64u(h->file_size) != size)
		return bad(err, t->file, "cut short or grown (size differs from its header)");
	n_s = le32u(h->n_sessions);
	n_b = le32u(h->n_blocks);
	n_bar = le32u(h->n_bars);
	n_d = le32u(h->n_divs);
	n_rows = le64u(h->n_rows);
	off_r = le64u(h->off_rows);
	off_s = le64u(h->off_sessions);
	off_b = le64u(h->off_blocks);
	off_bar = le64u(h->off_bars);
	off_d = le64u(h->off_divs);
	if (!fits(off_r, n_rows, sizeof(struct hist_row), size) ||
	    !fits(off_s, n_s, sizeof(struct hist_session), size) ||
	    !fits(off_b, n_b, sizeof(struct hist_block), size) ||
	    !fits(off_bar, n_bar, sizeof(struct hist_bar), size) ||
	    !fits(off_d, n_d, sizeof(struct hist_div), size) || off_r < sizeof(*h) ||
	    off_s != (off_r + n_rows * sizeof(struct hist_row) + 7) / 8 * 8 ||
	    off_b != off_s + (uint64_t)n_s * sizeof(struct hist_session) ||
	    off_bar != off_b + (uint64_t)n_b * sizeof(struct hist_block) ||
	    off_d != off_bar + (uint64_t)n_bar * sizeof(struct hist_bar) ||
	    size != off_d + (uint64_t)n_d * sizeof(struct hist_div))
		return bad(err, t->file, "sections out of bounds");
	memcpy(&copy, h, sizeof(copy));
	copy.crc_meta = copy.crc_rows = 0;
	c = crc(0, &copy, sizeof(copy));
	c = crc(c, t->map + off_s, size - off_s);
	if (c != le32u(h->crc_meta))
		return bad(err, t->file, "damaged (its index fails its checksum)");
	t->hdr = h;
	t->rows = (const void *)(t->map + off_r);
	t->n_rows = n_rows;
	t->sess = (const void *)(t->map + off_s);
	t->n_sess = n_s;
	t->blk = (const void *)(t->map + off_b);
	t->n_blk = n_b;
	t->bars = (const void *)(t->map + off_bar);
	t->n_bars = n_bar;
	t->divs = (const void *)(t->map + off_d);
	t->n_divs = n_d;
	/* The index is canonical: sessions by day, each one's blocks next in
	 * order by expiry (none before the session), each block's rows next. */
	for (i = 0; i < n_s; i++) {
		const struct hist_session *s = &t->sess[i];
		uint32_t fb = le32u(s->first_block), nb = le32u(s->n_blocks), j;
		int day = hist_le32(s->day), qm = hist_le32(s->quote_min);

		if ((i && day <= hist_le32(t->sess[i - 1].day)) || fb != blk || nb > n_b - blk ||
		    qm < 0 || qm > 1439 || hist_le64(s->spot) <= 0)
			return bad(err, t->file, "its session index is out of order");
		for (j = 0; j < nb; j++) {
			const struct hist_block *b = &t->blk[fb + j];
			uint64_t nr = (uint64_t)le32u(b->n_calls) + le32u(b->n_puts);
			int e = hist_le32(b->expiry);

			if (le64u(b->first_row) != row || nr > n_rows - row || e < day ||
			    (j && e <= hist_le32(t->blk[fb + j - 1].expiry)))
				return bad(err, t->file, "its expiry index is out of order");
			row += nr;
		}
		blk += nb;
	}
	if (blk != n_b || row != n_rows)
		return bad(err, t->file, "its index does not cover its rows");
	for (i = 1; i < n_bar; i++)
		if (hist_le32(t->bars[i].date) <= hist_le32(t->bars[i - 1].date))
			return bad(err, t->file, "its bars are out of order");
	for (i = 1; i < n_d; i++)
		if (hist_le32(t->divs[i].ex_date) <= hist_le32(t->divs[i - 1].ex_date))
			return bad(err, t->file, "its dividends are out of order");
	return 0;
}

static int map_file(const char *dir, const char *name, const unsigned char **map, size_t *size,
		    char *err)
{
	char path[PATH_MAX];
	struct stat sb;
	void *p;
	int fd;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return pt_err(err, errno == ENOENT ? PT_ENOENT : PT_EIO, "history file %s: %s",
			      name, strerror(errno));
	if (fstat(fd, &sb) || sb.st_size < 1) {
		int e = errno;
		close(fd);
		return pt_err(err, PT_EIO, "history file %s: %s", name, e ? strerror(e) : "empty");
	}
	p = mmap(NULL, (size_t)sb.st_size, PROT_READ, MAP_SHARED, fd, 0);
	close(fd);
	if (p == MAP_FAILED)
		return pt_err(err, PT_EIO, "history file %s: %s", name, strerror(errno));
	*map = p;
	*size = (size_t)sb.st_size;
	return 0;
}

static int read_rates(struct hist *h, const char *name, char *err)
{
	const unsigned char *map = NULL;
	size_t size = 0, i;
	uint32_t n, c;
	int rc;

	if ((rc = map_file(h->dir, name, &map, &size, err)))
		return rc;
	rc = 0;
	if (size < RATES_HDR || memcmp(map, rates_magic, sizeof(rates_magic)) != 0) {
		rc = bad(err, name, "not a papertrade rates file");
		goto out;
	}
	memcpy(&n, map + 12, 4);
	n = le32u(n);
	memcpy(&c, map + 16, 4);
	c = le32u(c);
	if ((uint64_t)n * sizeof(struct hist_rate) != size - RATES_HDR) {
		rc = bad(err, name, "cut short or grown");
		goto out;
	}
	if (crc(0, map + RATES_HDR, size - RATES_HDR) != c) {
		rc = bad(err, name, "damaged (fails its checksum)");
		goto out;
	}
	h->rates = xcalloc(n ? n : 1, sizeof(*h->rates));
	memcpy(h->rates, map + RATES_HDR, (size_t)n * sizeof(*h->rates));
	h->n_rates = n;
	for (i = 0; i < n; i++) {
		h->rates[i].date = hist_le32(h->rates[i].date);
		h->rates[i].discount = hist_le32(h->rates[i].discount);
		if (i && h->rates[i].date <= h->rates[i - 1].date) {
			rc = bad(err, name, "out of order");
			goto out;
		}
	}
	pt_strlcpy(h->rates_file, name, sizeof(h->rates_file));
out:
	munmap((void *)map, size);
	return rc;
}

/* One attempt at opening; PT_ENOENT from a file means an import replaced
 * it meanwhile (the caller tries again). */
static int open_once(const char *home, struct hist **out, int *raced, char *err)
{
	struct manifest m;
	struct stat st;
	struct hist *h;
	size_t i;
	int rc;

	*out = NULL;
	*raced = 0;
	memset(&st, 0, sizeof(st));
	h = xcalloc(1, sizeof(*h));
	if ((rc = hist_dir(home, h->dir, sizeof(h->dir), err))) {
		free(h);
		return rc;
	}
	rc = manifest_read(h->dir, &m, &st, err);
	if (rc == PT_ENOENT) {
		free(h);
		return 0;
	}
	if (rc) {
		free(h);
		return rc;
	}
	h->generation = m.generation;
	h->man_dev = (uint64_t)st.st_dev;
	h->man_ino = (uint64_t)st.st_ino;
	h->man_size = (uint64_t)st.st_size;
	h->man_mtime_ns = (int64_t)st.st_mtim.tv_sec * 1000000000 + st.st_mtim.tv_nsec;
	if (m.n)
		qsort(m.e, m.n, sizeof(*m.e), cmp_entry);
	h->tk = xcalloc(m.n + 1, sizeof(*h->tk));
	for (i = 0; i < m.n && !rc; i++) {
		struct hist_ticker *t = &h->tk[i];

		pt_strlcpy(t->ticker, m.e[i].ticker, sizeof(t->ticker));
		pt_strlcpy(t->file, m.e[i].file, sizeof(t->file));
		rc = map_file(h->dir, t->file, &t->map, &t->size, err);
		if (rc)
			break;
		h->n_tk++;
		rc = check_ticker(t, t->ticker, err);
	}
	if (!rc && m.rates[0])
		rc = read_rates(h, m.rates, err);
	manifest_release(&m);
	if (rc) {
		*raced = rc == PT_ENOENT;
		hist_close(h);
		return rc == PT_ENOENT ? PT_EIO : rc;
	}
	*out = h;
	return 0;
}

int hist_open(const char *home, struct hist **out, char *err)
{
	int rc = 0, raced = 1, tries;

	for (tries = 0; tries < 5 && raced; tries++)
		rc = open_once(home, out, &raced, err);
	return rc;
}

void hist_close(struct hist *h)
{
	size_t i;

	if (!h)
		return;
	for (i = 0; i < h->n_tk; i++)
		if (h->tk[i].map)
			munmap((void *)h->tk[i].map, h->tk[i].size);
	free(h->tk);
	free(h->rates);
	free(h);
}

int hist_changed(const struct hist *h)
{
	char path[PATH_MAX + 16];
	struct stat st;

	snprintf(path, sizeof(path), "%s/%s", h->dir, MANIFEST);
	if (stat(path, &st))
		return 1;
	return (uint64_t)st.st_dev != h->man_dev || (uint64_t)st.st_ino != h->man_ino ||
	       (uint64_t)st.st_size != h->man_size ||
	       (int64_t)st.st_mtim.tv_sec * 1000000000 + st.st_mtim.tv_nsec != h->man_mtime_ns;
}

const struct hist_ticker *hist_find(const struct hist *h, const char *ticker)
{
	size_t lo = 0, hi = h ? h->n_tk : 0;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c = strcmp(h->tk[mid].ticker, ticker);

		if (!c)
			return &h->tk[mid];
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

long hist_session_index(const struct hist_ticker *t, int day)
{
	uint32_t lo = 0, hi = t->n_sess;

	while (lo < hi) {
		uint32_t mid = lo + (hi - lo) / 2;
		int d = hist_le32(t->sess[mid].day);

		if (d == day)
			return (long)mid;
		if (d < day)
			lo = mid + 1;
		else
			hi = mid;
	}
	return -1;
}

uint32_t hist_bars_before(const struct hist_ticker *t, int day)
{
	uint32_t lo = 0, hi = t->n_bars;

	while (lo < hi) {
		uint32_t mid = lo + (hi - lo) / 2;

		if (hist_le32(t->bars[mid].date) < day)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

double hist_rate_on(const struct hist *h, int day, int max_age, int *date)
{
	size_t lo = 0, hi = h ? h->n_rates : 0;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (h->rates[mid].date <= day)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (date)
		*date = 0;
	if (!lo || h->rates[lo - 1].date < day - max_age)
		return NAN;
	if (date)
		*date = h->rates[lo - 1].date;
	return h->rates[lo - 1].discount / 1e6;
}

int hist_verify(const struct hist *h, char *err)
{
	size_t i;

	for (i = 0; h && i < h->n_tk; i++) {
		const struct hist_ticker *t = &h->tk[i];

		if (crc(0, t->rows, t->n_rows * sizeof(struct hist_row)) != le32u(t->hdr->crc_rows))
			return bad(err, t->file, "damaged (its rows fail their checksum)");
	}
	return 0;
}

/* ---- coverage ---- */

void hist_coverage_of(const struct hist_ticker *t, struct hist_coverage *c)
{
	memset(c, 0, sizeof(*c));
	pt_strlcpy(c->ticker, t->ticker, sizeof(c->ticker));
	c->sessions = t->n_sess;
	c->rows = t->n_rows;
	c->bytes = t->size;
	if (t->n_sess) {
		c->first = hist_le32(t->sess[0].day);
		c->last = hist_le32(t->sess[t->n_sess - 1].day);
	}
	if (t->n_bars) {
		c->bars_first = hist_le32(t->bars[0].date);
		c->bars_last = hist_le32(t->bars[t->n_bars - 1].date);
	}
	c->bars = t->n_bars;
	c->divs = t->n_divs;
}

int hist_coverage(const char *home, struct hist_coverage **out, size_t *n, int *rates_first,
		  int *rates_last, char *err)
{
	struct hist *h;
	size_t i;
	int rc;

	*out = NULL;
	*n = 0;
	if (rates_first)
		*rates_first = 0;
	if (rates_last)
		*rates_last = 0;
	if ((rc = hist_open(home, &h, err)))
		return rc;
	if (!h)
		return 0;
	if (h->n_tk) {
		*out = xcalloc(h->n_tk, sizeof(**out));
		for (i = 0; i < h->n_tk; i++)
			hist_coverage_of(&h->tk[i], &(*out)[i]);
		*n = h->n_tk;
	}
	if (h->n_rates && rates_first)
		*rates_first = h->rates[0].date;
	if (h->n_rates && rates_last)
		*rates_last = h->rates[h->n_rates - 1].date;
	hist_close(h);
	return 0;
}

const struct hist_coverage *hist_coverage_find(const struct hist_coverage *c, size_t n,
					       const char *ticker)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (!strcmp(c[i].ticker, ticker))
			return &c[i];
	return NULL;
}

/* ---- writing ---- */

/*
 * The writer: bytes go out through W_BUFS buffers of STAGE bytes each. A
 * ticker's rows (hundreds of megabytes) are checksummed and written by a
 * thread of the writer's own while the importer goes on building them
 * (w_thread_start .. w_thread_stop): the caller fills one buffer while the
 * thread takes the others. Everything else is written by the caller. Every
 * W_SYNC bytes the file's writeback is started (sync_file_range, not waited
 * for), so the fsync that makes the file durable before a manifest names
 * it has less left to wait for; the fsync is still what makes it durable.
 */
#define W_BUFS 4
#define W_SYNC (64u << 20)

struct writer {
	int fd;
	unsigned char *buf[W_BUFS];
	size_t len;	   /* bytes in the buffer being filled */
	size_t count_from; /* the thread's checksum covers those from here on */
	uint32_t crc;
	int counting;	       /* crc the bytes written */
	int failed;	       /* an errno */
	uint64_t off, started; /* bytes written; bytes whose writeback was started */
	/* while threaded: buffers head..tail-1 (counters, mod W_BUFS) are
	 * queued, buf[tail % W_BUFS] is filled; crc, off, started and
	 * tfailed are the thread's until it stops */
	int threaded, stop, tfailed;
	unsigned head, tail;
	size_t qlen[W_BUFS], qfrom[W_BUFS];
	pthread_t th;
	pthread_mutex_t mu;
	pthread_cond_t cv;
};

static void w_init(struct writer *w, int fd)
{
	memset(w, 0, sizeof(*w));
	w->fd = fd;
	w->buf[0] = xmalloc(STAGE);
}

/* Writes p[0..n) at the file's end; an errno into *failed. */
static void w_out(struct writer *w, const unsigned char *p, size_t n, int *failed)
{
	size_t off = 0;

	while (!*failed && off < n) {
		ssize_t k = write(w->fd, p + off, n - off);

		if (k < 0) {
			if (errno == EINTR)
				continue;
			*failed = errno ? errno : EIO;
			break;
		}
		off += (size_t)k;
	}
	w->off += off;
#ifdef SYNC_FILE_RANGE_WRITE
	if (!*failed && w->off - w->started >= W_SYNC &&
	    sync_file_range(w->fd, (off_t)w->started, (off_t)(w->off - w->started),
			    SYNC_FILE_RANGE_WRITE) == 0)
		w->started = w->off;
#endif
}

static void *w_thread(void *arg)
{
	struct writer *w = arg;

	pthread_mutex_lock(&w->mu);
	for (;;) {
		unsigned i;
		size_t n, from;

		while (w->head == w->tail && !w->stop)
			pthread_cond_wait(&w->cv, &w->mu);
		if (w->head == w->tail)
			break;
		i = w->head % W_BUFS;
		n = w->qlen[i];
		from = w->qfrom[i];
		pthread_mutex_unlock(&w->mu);
		if (from < n)
			w->crc = crc(w->crc, w->buf[i] + from, n - from);
		w_out(w, w->buf[i], n, &w->tfailed);
		pthread_mutex_lock(&w->mu);
		w->head++;
		pthread_cond_broadcast(&w->cv);
	}
	pthread_mutex_unlock(&w->mu);
	return NULL;
}

/* The bytes added from here on are checksummed, by the thread it starts
 * (those already buffered are written, not checksummed) or, without one,
 * by the caller. */
static void w_thread_start(struct writer *w)
{
	int i;

	w->counting = 1;
	w->count_from = w->len;
	for (i = 1; i < W_BUFS; i++)
		w->buf[i] = xmalloc(STAGE);
	pthread_mutex_init(&w->mu, NULL);
	pthread_cond_init(&w->cv, NULL);
	w->threaded = pthread_create(&w->th, NULL, w_thread, w) == 0;
	if (!w->threaded) {
		pthread_mutex_destroy(&w->mu);
		pthread_cond_destroy(&w->cv);
	}
}

/* The buffer filled: to the thread (waiting for a free one), or written. */
static void w_flush(struct writer *w)
{
	if (!w->threaded) {
		w_out(w, w->buf[0], w->len, &w->failed);
		w->len = 0;
		return;
	}
	pthread_mutex_lock(&w->mu);
	w->qlen[w->tail % W_BUFS] = w->len;
	w->qfrom[w->tail % W_BUFS] = w->count_from;
	w->tail++;
	pthread_cond_broadcast(&w->cv);
	while (w->tail - w->head >= W_BUFS)
		pthread_cond_wait(&w->cv, &w->mu);
	pthread_mutex_unlock(&w->mu);
	w->len = w->count_from = 0;
}

/* Waits for the thread to write all that was added and stops it. */
static void w_thread_stop(struct writer *w)
{
	int i;

	if (!w->threaded)
		return;
	if (w->len)
		w_flush(w);
	pthread_mutex_lock(&w->mu);
	w->stop = 1;
	pthread_cond_broadcast(&w->cv);
	pthread_mutex_unlock(&w->mu);
	pthread_join(w->th, NULL);
	pthread_mutex_destroy(&w->mu);
	pthread_cond_destroy(&w->cv);
	w->threaded = 0;
	if (!w->failed)
		w->failed = w->tfailed;
	/* every buffer is written: buf[0] is the one to fill again */
	for (i = 1; i < W_BUFS; i++) {
		free(w->buf[i]);
		w->buf[i] = NULL;
	}
}

static void w_release(struct writer *w)
{
	int i;

	w_thread_stop(w);
	for (i = 0; i < W_BUFS; i++)
		free(w->buf[i]);
	memset(w->buf, 0, sizeof(w->buf));
}

static void w_add(struct writer *w, const void *p, size_t n)
{
	const unsigned char *b = p;

	if (w->counting && !w->threaded)
		w->crc = crc(w->crc, p, n);
	while (n && !w->failed) {
		size_t k = STAGE - w->len < n ? STAGE - w->len : n;

		memcpy(w->buf[w->threaded ? w->tail % W_BUFS : 0] + w->len, b, k);
		w->len += k;
		b += k;
		n -= k;
		if (w->len == STAGE)
			w_flush(w);
	}
}

/* Writes what is buffered; 0, or -1 with the errno in w->failed. */
static int w_drain(struct writer *w)
{
	w_thread_stop(w);
	if (w->len)
		w_flush(w);
	return w->failed ? -1 : 0;
}

static void w_pad(struct writer *w, uint64_t *pos)
{
	static const unsigned char zero[8];

	if (*pos % 8) {
		w_add(w, zero, 8 - *pos % 8);
		*pos += 8 - *pos % 8;
	}
}

/* Writes n items of size sz at p, little-endian: fields is the struct's
 * field widths in order ("4484": 4, 4, 8 and 4 bytes). */
static void w_items(struct writer *w, const void *p, size_t n, size_t sz, const char *fields)
{
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
	const unsigned char *b = p;
	unsigned char item[64];
	size_t i, off;
	const char *f;

	for (i = 0; i < n; i++, b += sz) {
		memcpy(item, b, sz);
		for (f = fields, off = 0; *f; off += (size_t)(*f++ - '0')) {
			if (*f == '4') {
				uint32_t v;
				memcpy(&v, item + off, 4);
				v = __builtin_bswap32(v);
				memcpy(item + off, &v, 4);
			} else {
				uint64_t v;
				memcpy(&v, item + off, 8);
				v = __builtin_bswap64(v);
				memcpy(item + off, &v, 8);
			}
		}
		w_add(w, item, sz);
	}
#else
	(void)fields;
	w_add(w, p, n * sz);
#endif
}

struct hist_txn {
	char dir[PATH_MAX];
	int lock_fd;
	struct manifest man; /* the new manifest, built up */
	struct hist *cur;    /* the store as it was */
	char **written;	     /* files this txn wrote */
	size_t n_written;
};

int hist_txn_begin(const char *home, struct hist_txn **out, char *err)
{
	struct hist_txn *tx = xcalloc(1, sizeof(*tx));
	char path[PATH_MAX + 32];
	int rc;

	*out = NULL;
	tx->lock_fd = -1;
	if ((rc = hist_dir(home, tx->dir, sizeof(tx->dir), err)))
		goto fail;
	if (mkdir(home, 0700) && errno != EEXIST) {
		rc = pt_err(err, PT_EIO, "%s: %s", home, strerror(errno));
		goto fail;
	}
	if (mkdir(tx->dir, 0700) && errno != EEXIST) {
		rc = pt_err(err, PT_EIO, "%s: %s", tx->dir, strerror(errno));
		goto fail;
	}
	snprintf(path, sizeof(path), "%s/%s", tx->dir, LOCKFILE);
	tx->lock_fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
	if (tx->lock_fd < 0) {
		rc = pt_err(err, PT_EIO, "%s: %s", path, strerror(errno));
		goto fail;
	}
	if (flock(tx->lock_fd, LOCK_EX | LOCK_NB)) {
		rc = errno == EWOULDBLOCK
			     ? pt_err(err, PT_EBUSY,
				      "another history import or removal is running in %s", tx->dir)
			     : pt_err(err, PT_EIO, "%s: %s", path, strerror(errno));
		goto fail;
	}
	rc = manifest_read(tx->dir, &tx->man, NULL, err);
	if (rc == PT_ENOENT)
		rc = 0;
	if (rc)
		goto fail;
	if ((rc = hist_open(home, &tx->cur, err)))
		goto fail;
	tx->man.generation++;
	*out = tx;
	return 0;
fail:
	if (tx->lock_fd >= 0)
		close(tx->lock_fd);
	manifest_release(&tx->man);
	free(tx);
	return rc;
}

const struct hist *hist_txn_current(const struct hist_txn *tx)
{
	return tx->cur;
}

static struct man_entry *man_find(struct manifest *m, const char *ticker)
{
	size_t i;

	for (i = 0; i < m->n; i++)
		if (!strcmp(m->e[i].ticker, ticker))
			return &m->e[i];
	return NULL;
}

/* Opens a new file of the txn by name, exclusively; records it. */
static int new_file(struct hist_txn *tx, const char *name, int *fd, char *err)
{
	char path[PATH_MAX + 80];

	snprintf(path, sizeof(path), "%s/%s", tx->dir, name);
	*fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (*fd < 0 && errno == EEXIST) {
		/* left by an import that died: no manifest names it */
		unlink(path);
		*fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
	}
	if (*fd < 0)
		return pt_err(err, PT_EIO, "%s: %s", path, strerror(errno));
	tx->written = xrealloc(tx->written, (tx->n_written + 1) * sizeof(*tx->written));
	tx->written[tx->n_written++] = xstrdup(name);
	return 0;
}

static int finish_file(struct hist_txn *tx, int fd, struct writer *w, const char *name, char *err)
{
	int e = 0;

	if (w_drain(w))
		e = w->failed;
	else if (fsync(fd))
		e = errno;
	if (close(fd) && !e)
		e = errno;
	w_release(w);
	if (e)
		return pt_err(err, PT_EIO, "%s/%s: %s", tx->dir, name, strerror(e));
	return 0;
}

/* Forgets a file the txn wrote, removing it. */
static void drop_file(struct hist_txn *tx, const char *name)
{
	char path[PATH_MAX + 80];
	size_t i;

	snprintf(path, sizeof(path), "%s/%s", tx->dir, name);
	unlink(path);
	for (i = 0; i < tx->n_written; i++)
		if (!strcmp(tx->written[i], name)) {
			free(tx->written[i]);
			tx->written[i] = tx->written[--tx->n_written];
			break;
		}
}

struct hist_out {
	struct hist_txn *tx;
	char ticker[HIST_SYMSZ];
	char name[64];
	int fd;
	uint64_t n_rows;
	struct writer w;
};

int hist_txn_out(struct hist_txn *tx, const char *ticker, struct hist_out **out, char *err)
{
	static const unsigned char zero[sizeof(struct hist_header)];
	struct hist_out *o;
	int rc;

	*out = NULL;
	if (!name_ok(ticker) || strlen(ticker) >= HIST_SYMSZ) {
		pt_err(err, PT_EINVAL, "'%s' is not a ticker symbol", ticker);
		return PT_EINVAL;
	}
	o = xcalloc(1, sizeof(*o));
	o->tx = tx;
	pt_strlcpy(o->ticker, ticker, sizeof(o->ticker));
	snprintf(o->name, sizeof(o->name), "%s-%" PRIu64 ".hist", ticker, tx->man.generation);
	if ((rc = new_file(tx, o->name, &o->fd, err))) {
		free(o);
		return rc;
	}
	w_init(&o->w, o->fd);
	/* the header needs the counts and checksums: written last, over this */
	w_add(&o->w, zero, sizeof(zero));
	w_thread_start(&o->w);
	*out = o;
	return 0;
}

void hist_out_rows(struct hist_out *o, const struct hist_row *r, size_t n)
{
	w_items(&o->w, r, n, sizeof(*r), "4444444");
	o->n_rows += n;
}

void hist_out_abort(struct hist_out *o)
{
	if (!o)
		return;
	w_release(&o->w);
	close(o->fd);
	drop_file(o->tx, o->name);
	free(o);
}

int hist_out_finish(struct hist_out *o, const struct hist_data *d, char *err)
{
	struct hist_txn *tx = o->tx;
	struct hist_header h;
	struct man_entry *me;
	uint64_t pos;
	int rc;

	memset(&h, 0, sizeof(h));
	memcpy(h.magic, HIST_MAGIC, 8);
	h.version = le32u(HIST_VERSION);
	h.endian = le32u(ENDIAN_MARK);
	memcpy(h.ticker, o->ticker, strlen(o->ticker));
	h.n_sessions = le32u((uint32_t)d->n_sess);
	h.n_blocks = le32u((uint32_t)d->n_blk);
	h.n_bars = le32u((uint32_t)d->n_bars);
	h.n_divs = le32u((uint32_t)d->n_divs);
	h.n_rows = le64u(o->n_rows);
	pos = sizeof(h);
	h.off_rows = le64u(pos);
	pos += o->n_rows * sizeof(struct hist_row);
	pos = (pos + 7) / 8 * 8;
	h.off_sessions = le64u(pos);
	pos += (uint64_t)d->n_sess * sizeof(struct hist_session);
	h.off_blocks = le64u(pos);
	pos += (uint64_t)d->n_blk * sizeof(struct hist_block);
	h.off_bars = le64u(pos);
	pos += (uint64_t)d->n_bars * sizeof(struct hist_bar);
	h.off_divs = le64u(pos);
	pos += (uint64_t)d->n_divs * sizeof(struct hist_div);
	h.file_size = le64u(pos);

	/* the rows are written: their checksum is final */
	w_thread_stop(&o->w);
	h.crc_rows = le32u(o->w.crc);
	o->w.counting = 0;
	pos = sizeof(h) + o->n_rows * sizeof(struct hist_row);
	w_pad(&o->w, &pos);
	{
		struct hist_header z = h;

		z.crc_meta = z.crc_rows = 0;
		o->w.crc = crc(0, &z, sizeof(z));
	}
	o->w.counting = 1;
	w_items(&o->w, d->sess, d->n_sess, sizeof(*d->sess), "44844");
	w_items(&o->w, d->blk, d->n_blk, sizeof(*d->blk), "44448");
	w_items(&o->w, d->bars, d->n_bars, sizeof(*d->bars), "4488888");
	w_items(&o->w, d->divs, d->n_divs, sizeof(*d->divs), "448");
	h.crc_meta = le32u(o->w.crc);
	w_drain(&o->w);
	if (!o->w.failed && pwrite(o->fd, &h, sizeof(h), 0) != (ssize_t)sizeof(h))
		o->w.failed = errno ? errno : EIO;
	rc = finish_file(tx, o->fd, &o->w, o->name, err);
	if (!rc) {
		me = man_find(&tx->man, o->ticker);
		if (!me) {
			tx->man.e = xrealloc(tx->man.e, (tx->man.n + 1) * sizeof(*tx->man.e));
			me = &tx->man.e[tx->man.n++];
			pt_strlcpy(me->ticker, o->ticker, sizeof(me->ticker));
		}
		pt_strlcpy(me->file, o->name, sizeof(me->file));
	}
	free(o);
	return rc;
}

int hist_txn_put(struct hist_txn *tx, const struct hist_data *d, char *err)
{
	struct hist_out *o;
	int rc;

	if ((rc = hist_txn_out(tx, d->ticker, &o, err)))
		return rc;
	hist_out_rows(o, d->rows, d->n_rows);
	return hist_out_finish(o, d, err);
}

int hist_txn_remove(struct hist_txn *tx, const char *ticker, char *err)
{
	struct man_entry *me = man_find(&tx->man, ticker);

	if (!me)
		return pt_err(err, PT_ENOENT, "%s is not in the history", ticker);
	*me = tx->man.e[--tx->man.n];
	return 0;
}

int hist_txn_put_rates(struct hist_txn *tx, const struct hist_rate *r, size_t n, char *err)
{
	unsigned char hdr[RATES_HDR];
	struct writer w;
	char name[64];
	uint32_t v;
	int fd, rc;

	snprintf(name, sizeof(name), "rates-%" PRIu64 ".hist", tx->man.generation);
	if ((rc = new_file(tx, name, &fd, err)))
		return rc;
	memset(hdr, 0, sizeof(hdr));
	memcpy(hdr, rates_magic, sizeof(rates_magic));
	v = le32u(1);
	memcpy(hdr + 8, &v, 4);
	v = le32u((uint32_t)n);
	memcpy(hdr + 12, &v, 4);
	w_init(&w, fd);
	w_add(&w, hdr, sizeof(hdr));
	w.counting = 1;
	w_items(&w, r, n, sizeof(*r), "44");
	v = le32u(w.crc);
	memcpy(hdr + 16, &v, 4);
	w_drain(&w);
	if (!w.failed && pwrite(fd, hdr, sizeof(hdr), 0) != (ssize_t)sizeof(hdr))
		w.failed = errno ? errno : EIO;
	rc = finish_file(tx, fd, &w, name, err);
	if (!rc)
		pt_strlcpy(tx->man.rates, name, sizeof(tx->man.rates));
	return rc;
}

void hist_txn_remove_rates(struct hist_txn *tx)
{
	tx->man.rates[0] = '\0';
}

static void txn_free(struct hist_txn *tx)
{
	size_t i;

	for (i = 0; i < tx->n_written; i++)
		free(tx->written[i]);
	free(tx->written);
	manifest_release(&tx->man);
	hist_close(tx->cur);
	if (tx->lock_fd >= 0)
		close(tx->lock_fd);
	free(tx);
}

void hist_txn_abort(struct hist_txn *tx)
{
	char path[PATH_MAX + 80];
	size_t i;

	if (!tx)
		return;
	for (i = 0; i < tx->n_written; i++) {
		snprintf(path, sizeof(path), "%s/%s", tx->dir, tx->written[i]);
		unlink(path);
	}
	txn_free(tx);
}

/* 1 when name is referenced by m. */
static int named(const struct manifest *m, const char *name)
{
	size_t i;

	if (!strcmp(m->rates, name))
		return 1;
	for (i = 0; i < m->n; i++)
		if (!strcmp(m->e[i].file, name))
			return 1;
	return 0;
}

/* Removes the store's files that m does not name (old generations, files
 * of imports that died), never anything else. */
static void sweep(const char *dir, const struct manifest *m)
{
	char path[PATH_MAX + 300];
	struct dirent *de;
	DIR *d = opendir(dir);

	if (!d)
		return;
	while ((de = readdir(d))) {
		size_t n = strlen(de->d_name);

		if (n < 6 || strcmp(de->d_name + n - 5, ".hist") != 0 || !name_ok(de->d_name) ||
		    named(m, de->d_name))
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
		unlink(path);
	}
	closedir(d);
}

int hist_txn_commit(struct hist_txn *tx, char *err)
{
	char path[PATH_MAX + 32], *text;
	size_t len;
	int rc, dfd;

	if (tx->man.n)
		qsort(tx->man.e, tx->man.n, sizeof(*tx->man.e), cmp_entry);
	text = manifest_text(&tx->man, &len);
	snprintf(path, sizeof(path), "%s/%s", tx->dir, MANIFEST);
	rc = pt_write_atomic(path, text, len, 0600, err);
	free(text);
	if (rc) {
		hist_txn_abort(tx);
		return rc;
	}
	/* the rename is durable once the folder is synced */
	dfd = open(tx->dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd >= 0) {
		if (fsync(dfd)) {
			/* the new manifest is in place; only its durability is in doubt */
		}
		close(dfd);
	}
	sweep(tx->dir, &tx->man);
	txn_free(tx);
	return 0;
}
