/*
 * server.c - the dashboard's HTTP server on libmicrohttpd; see server.h.
 * Sits at the end of DESIGN.md §1 beside the report: it reads what runs
 * stored and never writes.
 *
 * Speed comes from answering from ready-made MHD responses: the embedded
 * assets' (plain and gzip) are made once at start; each pool thread keeps
 * the portfolio endpoints' responses and swaps them only when PRAGMA
 * data_version moves. MHD counts references on a response, so one that is
 * still being sent when a thread replaces it lives until it is sent.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <netdb.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <microhttpd.h>
#include <zlib.h>

#include "server.h"
#include "../runlog.h"
#include "../session.h"
#include "api.h"
#include "assets.h"
#include "mime.h"
#include "page.h"
#include "../book/book.h"
#include "../config.h"
#include "../store/store.h"
#include "../util/util.h"

/*
 * Idle floods (issue 13): MHD closes a connection past its limit at once, so
 * the limit is what a flood of idle connections must exceed to starve the
 * server. It is high (each connection costs CONN_MEMORY and a descriptor;
 * RLIMIT_NOFILE is raised to fit, or the limit lowered to it), a silent
 * connection is dropped after CONN_TIMEOUT, and off loopback one address may
 * hold at most CONN_PER_IP, so a single client cannot reach the limit. On
 * loopback every client shares 127.0.0.1, and the per-address limit would
 * lock out the owner's own browser: there only the total counts.
 */
#define CONN_LIMIT 2048 /* connections at once */
#define CONN_PER_IP 64	/* from one address, off loopback */
#define FD_RESERVE 256	/* descriptors kept for the database and the rest */
/* Per connection: the request line, the headers and MHD's copy of every
 * query argument must fit, or MHD drops the request unanswered at the
 * timeout (16 KB held fewer than 300 arguments; 64 KB about 680). */
#define CONN_MEMORY (64u << 10)
#define CONN_TIMEOUT 10 /* seconds of silence before a connection is closed */
/* The shortest token accepted: 16 characters (96 bits as base64, 64 as hex). */
#define TOKEN_MIN 16
#define URL_MAX 2048		/* longer URLs: 414 */
#define BODY_MAX (64u << 20)	/* the largest API body we build */
#define DISK_FILE_MAX (16u << 20)	/* the largest file --assets-dir serves */
#define ETAGSZ 32
/* How long a thread trusts its answers before asking the database again
 * whether a run committed (nanoseconds): a stale answer is at most this old,
 * and a request costs no locking in the database file. */
#define RECHECK_NS 20000000LL

/* One answer ready to queue: plain and gzip (NULL when gzip does not help). */
struct ready {
	struct MHD_Response *plain, *gz;
	char etag[ETAGSZ], etag_gz[ETAGSZ];
};

/* What one pool thread keeps: its database connection and answers. */
struct tctx {
	struct web_server *srv;
	struct tctx *next;
	struct store *st;
	int64_t version;
	int valid;		/* the answers below match version */
	int no_pf;		/* no account yet at version */
	int last_session;
	int64_t checked;	/* monotonic ns of the last look at the database */
	struct ready api[WEB_N_PF];
};

struct web_server {
	struct MHD_Daemon *d;
	struct web_opts o;
	char host[INET6_ADDRSTRLEN + 2];
	unsigned port;
	char *assets_real;	/* realpath of assets_dir, or NULL */
	struct ready *assets;	/* one per embedded asset */
	pthread_mutex_t lock;	/* guards threads */
	struct tctx *threads;
};

static _Thread_local struct tctx *tls;

/* ---- responses -------------------------------------------------------- */

static struct MHD_Response *buffer_response(const void *data, size_t len, int copy)
{
	struct MHD_Response *r = MHD_create_response_from_buffer(
	        len, (void *)(uintptr_t)data, copy ? MHD_RESPMEM_MUST_FREE : MHD_RESPMEM_PERSISTENT);

	if (!r) {
		fputs("papertrade: serve: out of memory\n", stderr);
		abort();
	}
	return r;
}

/*
 * What every answer carries (pages, assets, API, 304s, errors): the page
 * loads its script, style and data from this server only and has no inline
 * script or style attribute (web/index.html, web/app.js), nothing may frame
 * it (clickjacking), no Referer leaks a ?token= to another site, and no
 * browser guesses a type.
 */
#define CSP                                                                                        \
	"default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "          \
	"connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"

static void add_security_headers(struct MHD_Response *r)
{
	MHD_add_response_header(r, "Content-Security-Policy", CSP);
	MHD_add_response_header(r, "X-Frame-Options", "DENY");
	MHD_add_response_header(r, "Referrer-Policy", "no-referrer");
	MHD_add_response_header(r, "X-Content-Type-Options", "nosniff");
}

static void add_headers(struct MHD_Response *r, const char *type, const char *etag,
			const char *cache, int gz, int vary)
{
	MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, type);
	add_security_headers(r);
	if (cache)
		MHD_add_response_header(r, MHD_HTTP_HEADER_CACHE_CONTROL, cache);
	if (etag)
		MHD_add_response_header(r, MHD_HTTP_HEADER_ETAG, etag);
	if (gz)
		MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_ENCODING, "gzip");
	if (vary)
		MHD_add_response_header(r, MHD_HTTP_HEADER_VARY, "Accept-Encoding");
}

/* A strong ETag: zlib's CRC-32 of the bytes and their length (the same
 * form tools/embed.c gives the embedded assets). */
static void make_etag(char *dst, size_t sz, const void *data, size_t n)
{
	snprintf(dst, sz, "\"%08lx-%zx\"", crc32(0L, data, (uInt)n), n);
}

/* The gzip variant's ETag: the plain one with "-gz" before the closing quote. */
static void etag_gz(char *dst, const char *etag)
{
	size_t n = strlen(etag);

	snprintf(dst, ETAGSZ, "%.*s-gz\"", (int)(n > 1 ? n - 1 : 0), etag);
}

/* gzip of data into a malloc'ed buffer; NULL when it fails or does not help. */
static unsigned char *gzip(const void *data, size_t len, size_t *out_len)
{
	z_stream zs;
	size_t cap = len + len / 100 + 64;
	unsigned char *buf = xmalloc(cap);
	int rc;

	memset(&zs, 0, sizeof(zs));
	if (deflateInit2(&zs, 6, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) != Z_OK) {
		free(buf);
		return NULL;
	}
	zs.next_in = (unsigned char *)(uintptr_t)data;
	zs.avail_in = (uInt)len;
	zs.next_out = buf;
	zs.avail_out = (uInt)cap;
	rc = deflate(&zs, Z_FINISH);
	deflateEnd(&zs);
	if (rc != Z_STREAM_END || zs.total_out + 64 >= len) {
		free(buf);
		return NULL;
	}
	*out_len = zs.total_out;
	return buf;
}

static void ready_release(struct ready *r)
{
	if (r->plain)
		MHD_destroy_response(r->plain);
	if (r->gz)
		MHD_destroy_response(r->gz);
	memset(r, 0, sizeof(*r));
}

/* Makes r from body (taken: freed by MHD with the response). */
static void ready_api(struct ready *r, char *body, size_t len)
{
	unsigned char *z;
	size_t zlen = 0;

	make_etag(r->etag, ETAGSZ, body, len);
	etag_gz(r->etag_gz, r->etag);
	z = gzip(body, len, &zlen);
	r->plain = buffer_response(body, len, 1);
	add_headers(r->plain, "application/json; charset=utf-8", r->etag, "no-cache", 0, 1);
	r->gz = NULL;
	if (z) {
		r->gz = buffer_response(z, zlen, 1);
		add_headers(r->gz, "application/json; charset=utf-8", r->etag_gz, "no-cache", 1,
			    1);
	}
}

/* Queues a one-off response: body copied; extra header (name, value) optional. */
static enum MHD_Result answer(struct MHD_Connection *c, unsigned status, const char *type,
			      const char *body, const char *hname, const char *hvalue)
{
	size_t len = body ? strlen(body) : 0;
	struct MHD_Response *r = buffer_response(len ? memcpy(xmalloc(len), body, len) : NULL,
						 len, len > 0);
	enum MHD_Result rc;

	if (type)
		add_headers(r, type, NULL, "no-cache", 0, 0);
	else
		add_security_headers(r);
	if (hname)
		MHD_add_response_header(r, hname, hvalue);
	rc = MHD_queue_response(c, status, r);
	MHD_destroy_response(r);
	return rc;
}

static enum MHD_Result answer_error(struct MHD_Connection *c, unsigned status, const char *msg,
				    const char *hname, const char *hvalue)
{
	struct sbuf sb;
	enum MHD_Result rc;

	sb_init(&sb, 4096);
	web_api_error(&sb, msg);
	rc = answer(c, status, "application/json; charset=utf-8", sb_str(&sb), hname, hvalue);
	sb_release(&sb);
	return rc;
}

/* ---- request helpers -------------------------------------------------- */

/* If-None-Match names one of the ETags (or is "*"). */
static int not_modified(struct MHD_Connection *c, const char *etag, const char *etag2)
{
	const char *inm = MHD_lookup_connection_value(c, MHD_HEADER_KIND,
						      MHD_HTTP_HEADER_IF_NONE_MATCH);

	if (!inm)
		return 0;
	if (!strcmp(inm, "*"))
		return 1;
	return strstr(inm, etag) != NULL || (etag2 && *etag2 && strstr(inm, etag2) != NULL);
}

/* Accept-Encoding allows gzip (present, and not with q=0). */
static int accepts_gzip(struct MHD_Connection *c)
{
	const char *ae = MHD_lookup_connection_value(c, MHD_HEADER_KIND,
						     MHD_HTTP_HEADER_ACCEPT_ENCODING);
	const char *p, *q;

	if (!ae || !(p = strstr(ae, "gzip")))
		return 0;
	q = p + 4;
	while (*q == ' ')
		q++;
	if (*q != ';')
		return 1;
	q++;
	while (*q == ' ')
		q++;
	if (q[0] != 'q' || q[1] != '=')
		return 1;
	q += 2;
	/* q=0, q=0.0, q=0.000: refused; anything else accepted. */
	if (*q != '0')
		return 1;
	for (q++; *q == '.' || *q == '0'; q++)
		;
	return *q >= '1' && *q <= '9';
}

static enum MHD_Result send_ready(struct MHD_Connection *c, const struct ready *r,
				  const char *cache)
{
	int gz = r->gz && accepts_gzip(c);

	if (not_modified(c, r->etag, r->gz ? r->etag_gz : NULL)) {
		struct MHD_Response *nm = buffer_response(NULL, 0, 0);
		enum MHD_Result rc;
		add_security_headers(nm);
		MHD_add_response_header(nm, MHD_HTTP_HEADER_ETAG, gz ? r->etag_gz : r->etag);
		MHD_add_response_header(nm, MHD_HTTP_HEADER_CACHE_CONTROL, cache);
		if (r->gz)
			MHD_add_response_header(nm, MHD_HTTP_HEADER_VARY, "Accept-Encoding");
		rc = MHD_queue_response(c, MHD_HTTP_NOT_MODIFIED, nm);
		MHD_destroy_response(nm);
		return rc;
	}
	return MHD_queue_response(c, MHD_HTTP_OK, gz ? r->gz : r->plain);
}

/* Constant-time comparison of what the client sent with the secret. */
static int token_equal(const char *given, const char *secret)
{
	size_t lg = strlen(given), ls = strlen(secret), i;
	volatile unsigned char diff = (unsigned char)(lg != ls);

	for (i = 0; i < ls; i++)
		diff |= (unsigned char)((i < lg ? (unsigned char)given[i] : 0) ^
					(unsigned char)secret[i]);
	return diff == 0;
}

static int authorised(struct web_server *s, struct MHD_Connection *c)
{
	const char *h, *q;

	if (!s->o.token || !*s->o.token)
		return 1;
	h = MHD_lookup_connection_value(c, MHD_HEADER_KIND, MHD_HTTP_HEADER_AUTHORIZATION);
	/* RFC 7235 §2.1: the scheme is case-insensitive ("bearer", "BEARER"). */
	if (h && !strncasecmp(h, "Bearer ", 7) && token_equal(h + 7, s->o.token))
		return 1;
	q = MHD_lookup_connection_value(c, MHD_GET_ARGUMENT_KIND, "token");
	return q && token_equal(q, s->o.token);
}

/*
 * Without a token the server is for this machine only, and a web page from
 * elsewhere must not read it through DNS rebinding (its own name pointed at
 * 127.0.0.1): the Host header must then name a loopback address or
 * localhost, with or without a port. A client that sends no Host (HTTP/1.0)
 * is no browser and is let through. With a token, the token decides.
 */
static int host_allowed(const struct web_server *s, struct MHD_Connection *c)
{
	const char *h = MHD_lookup_connection_value(c, MHD_HEADER_KIND, MHD_HTTP_HEADER_HOST);
	char name[256];
	struct in_addr a4;
	size_t n;

	if (s->o.token && *s->o.token)
		return 1;
	if (!h)
		return 1;
	if (h[0] == '[') {	/* [::1]:port */
		const char *e = strchr(h, ']');
		if (!e || (e[1] && e[1] != ':'))
			return 0;
		return (size_t)(e - h - 1) == 3 && !strncmp(h + 1, "::1", 3);
	}
	n = strcspn(h, ":");
	if (n == 0 || n >= sizeof(name) || (h[n] == ':' && strspn(h + n + 1, "0123456789") !=
								strlen(h + n + 1)))
		return 0;
	memcpy(name, h, n);
	name[n] = '\0';
	if (!strcasecmp(name, "localhost"))
		return 1;
	/* a numeric address only: no name lookup on the request path */
	return inet_pton(AF_INET, name, &a4) == 1 && (ntohl(a4.s_addr) >> 24) == 127;
}

/* ---- the portfolio endpoints ----------------------------------------- */

static struct tctx *thread_ctx(struct web_server *s)
{
	struct tctx *t = tls;

	if (t && t->srv == s)
		return t;
	t = xcalloc(1, sizeof(*t));
	t->srv = s;
	pthread_mutex_lock(&s->lock);
	t->next = s->threads;
	s->threads = t;
	pthread_mutex_unlock(&s->lock);
	tls = t;
	return t;
}

static void tctx_free(struct tctx *t)
{
	size_t k;

	for (k = 0; k < WEB_N_PF; k++)
		ready_release(&t->api[k]);
	store_close(t->st);
	free(t);
}

/*
 * Brings the thread's answers up to date with the database. Returns 0 (then
 * t->no_pf says whether there is a portfolio), or -1 with err.
 */
static int refresh(struct web_server *s, struct tctx *t, char *err)
{
	struct portfolio pf;
	struct stat sb;
	int64_t v = 0;
	struct timespec ts;
	int64_t now_ns;
	size_t k;
	int rc;

	clock_gettime(CLOCK_MONOTONIC_COARSE, &ts);
	now_ns = (int64_t)ts.tv_sec * 1000000000LL + ts.tv_nsec;
	if (t->valid && now_ns - t->checked < RECHECK_NS)
		return 0;
	t->checked = now_ns;
	if (!t->st) {
		if (stat(s->o.db_path, &sb) != 0) {
			t->valid = 1;
			t->no_pf = 1;
			t->last_session = 0;
			return 0;
		}
		if (store_open(s->o.db_path, 0, &t->st, err))
			return -1;
		t->valid = 0;
	}
	if (store_data_version(t->st, &v, err))
		return -1;
	if (t->valid && v == t->version)
		return 0;
	book_init(&pf, 0);
	rc = store_load_versioned(t->st, &pf, &v, err);
	if (rc == PT_ENOENT) {
		book_release(&pf);
		for (k = 0; k < WEB_N_PF; k++)
			ready_release(&t->api[k]);
		t->no_pf = 1;
		t->last_session = 0;
		t->version = v;
		t->valid = 1;
		return 0;
	}
	if (rc) {
		book_release(&pf);
		return -1;
	}
	for (k = 0; k < WEB_N_PF; k++) {
		struct sbuf body;
		sb_init(&body, BODY_MAX);
		if (web_api_body((enum web_api_kind)k, &pf, s->o.cfg, &body)) {
			sb_release(&body);
			book_release(&pf);
			t->valid = 0;
			return pt_err(err, PT_ERANGE, "cannot build /api/%s",
				      web_api_name((enum web_api_kind)k));
		}
		ready_release(&t->api[k]);
		/* The sbuf's memory is handed to MHD, which frees it. */
		if (!body.buf)
			body.buf = xstrdup("");
		ready_api(&t->api[k], body.buf, body.len);
	}
	t->no_pf = 0;
	t->last_session = pf.last_session;
	t->version = v;
	t->valid = 1;
	book_release(&pf);
	return 0;
}

static enum MHD_Result api(struct web_server *s, struct MHD_Connection *c, const char *path)
{
	static const char no_pf[] = "no portfolio yet: run papertrade run";
	char err[PT_ERRSZ];
	struct tctx *t = thread_ctx(s);
	size_t k;
	int health = !strcmp(path, "health");

	for (k = 0; k < WEB_N_PF && strcmp(path, web_api_name((enum web_api_kind)k)) != 0; k++)
		;
	if (!health && k == WEB_N_PF)
		return answer_error(c, MHD_HTTP_NOT_FOUND, "no such endpoint", NULL, NULL);
	if (refresh(s, t, err)) {
		fprintf(stderr, "papertrade: serve: %s\n", err);
		return answer_error(c, MHD_HTTP_INTERNAL_SERVER_ERROR, err, NULL, NULL);
	}
	if (health) {
		struct web_health_in in;
		struct runlog_entry last;
		struct sbuf sb;
		enum MHD_Result rc;

		memset(&in, 0, sizeof(in));
		if (s->o.home && runlog_last(s->o.home, &last, err) == 0)
			in.last_attempt = &last;
		in.retry_every = SESSION_DUE_RETRY;
		in.now = s->o.now ? s->o.now() : (int64_t)time(NULL);
		in.version = s->o.version;
		in.run_at_min = s->o.cfg->run_at_min;
		in.last_session = t->no_pf ? 0 : t->last_session;
		in.scheduler = s->o.scheduler;
		sb_init(&sb, 1 << 16);
		web_api_health(&in, &sb);
		rc = answer(c, MHD_HTTP_OK, "application/json; charset=utf-8", sb_str(&sb), NULL,
			    NULL);
		sb_release(&sb);
		return rc;
	}
	if (t->no_pf)
		return answer_error(c, MHD_HTTP_NOT_FOUND, no_pf, NULL, NULL);
	return send_ready(c, &t->api[k], "no-cache");
}

/* ---- the page --------------------------------------------------------- */

/* A path below the site root we are willing to look up: no empty segment
 * (so no "//" or leading '/'), no segment starting with '.' (so no "..",
 * and no dotfiles such as .git/ or .env when --assets-dir is a checkout),
 * no backslash, no control characters. */
static int safe_path(const char *p)
{
	int seg_start = 1;

	if (!*p)
		return 0;
	for (; *p; p++) {
		if ((unsigned char)*p < 0x20 || *p == '\\' || *p == 0x7f)
			return 0;
		if (seg_start && (*p == '/' || *p == '.'))
			return 0;
		seg_start = *p == '/';
	}
	return !seg_start;
}

static enum MHD_Result from_disk(struct web_server *s, struct MHD_Connection *c, const char *rel)
{
	char path[PATH_MAX], real[PATH_MAX], etag[ETAGSZ];
	size_t n = strlen(s->assets_real), len = 0;
	struct stat sb;
	char *buf = NULL;
	ssize_t r;
	int fd = -1;
	struct MHD_Response *resp;
	enum MHD_Result rc;

	if (snprintf(path, sizeof(path), "%s/%s", s->assets_real, rel) >= (int)sizeof(path))
		return answer_error(c, MHD_HTTP_NOT_FOUND, "not found", NULL, NULL);
	if (!realpath(path, real) || strncmp(real, s->assets_real, n) != 0 || real[n] != '/')
		goto missing;
	/* O_NONBLOCK: a FIFO put there must not hang a pool thread in open();
	 * fstat then refuses anything but a regular file. */
	fd = open(real, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK);
	if (fd < 0 || fstat(fd, &sb) != 0 || !S_ISREG(sb.st_mode) ||
	    (size_t)sb.st_size > DISK_FILE_MAX)
		goto missing;
	buf = xmalloc((size_t)sb.st_size + 1);
	while (len < (size_t)sb.st_size && (r = read(fd, buf + len, (size_t)sb.st_size - len)) > 0)
		len += (size_t)r;
	close(fd);
	make_etag(etag, sizeof(etag), buf, len);
	if (not_modified(c, etag, NULL)) {
		free(buf);
		resp = buffer_response(NULL, 0, 0);
		add_security_headers(resp);
		MHD_add_response_header(resp, MHD_HTTP_HEADER_ETAG, etag);
		MHD_add_response_header(resp, MHD_HTTP_HEADER_CACHE_CONTROL, "no-cache");
		rc = MHD_queue_response(c, MHD_HTTP_NOT_MODIFIED, resp);
	} else {
		resp = buffer_response(buf, len, 1);
		add_headers(resp, web_mime(rel), etag, "no-cache", 0, 0);
		rc = MHD_queue_response(c, MHD_HTTP_OK, resp);
	}
	MHD_destroy_response(resp);
	return rc;
missing:
	if (fd >= 0)
		close(fd);
	return answer_error(c, MHD_HTTP_NOT_FOUND, "not found", NULL, NULL);
}

static enum MHD_Result page(struct web_server *s, struct MHD_Connection *c, const char *url)
{
	const char *rel = url[1] ? url + 1 : "index.html";
	const struct web_asset *a;

	if (!safe_path(rel))
		return answer_error(c, MHD_HTTP_BAD_REQUEST, "bad path", NULL, NULL);
	if (s->assets_real) {
		char probe[PATH_MAX];
		struct stat sb;
		/* Chart.js is not in web/: the embedded copy stands in for it. */
		int embedded_vendor = !strncmp(rel, "vendor/", 7) && web_asset_find(rel) &&
				      (snprintf(probe, sizeof(probe), "%s/%s", s->assets_real, rel) >=
					       (int)sizeof(probe) ||
				       stat(probe, &sb) != 0);
		if (!embedded_vendor)
			return from_disk(s, c, rel);
	}
	a = web_asset_find(rel);
	if (!a)
		return answer_error(c, MHD_HTTP_NOT_FOUND, "not found", NULL, NULL);
	return send_ready(c, &s->assets[a - web_assets], "no-cache");
}

/* ---- dispatch --------------------------------------------------------- */

static enum MHD_Result handle(void *cls, struct MHD_Connection *c, const char *url,
			      const char *method, const char *version, const char *upload_data,
			      size_t *upload_data_size, void **con_cls)
{
	struct web_server *s = cls;
	const char *cl, *te;

	(void)version;
	(void)upload_data;
	/* The first call only says the headers are in; answering then would
	 * make MHD close the connection (an "early" answer), so wait for the
	 * second, when the request is complete. A body announced in the headers
	 * is refused at once. */
	if (!*con_cls) {
		*con_cls = s;
		if (strcmp(method, MHD_HTTP_METHOD_GET) != 0 &&
		    strcmp(method, MHD_HTTP_METHOD_HEAD) != 0)
			return answer_error(c, MHD_HTTP_METHOD_NOT_ALLOWED, "only GET and HEAD",
					    MHD_HTTP_HEADER_ALLOW, "GET, HEAD");
		cl = MHD_lookup_connection_value(c, MHD_HEADER_KIND, MHD_HTTP_HEADER_CONTENT_LENGTH);
		te = MHD_lookup_connection_value(c, MHD_HEADER_KIND,
						 MHD_HTTP_HEADER_TRANSFER_ENCODING);
		if (te || (cl && strcmp(cl, "0") != 0))
			return answer_error(c, MHD_HTTP_CONTENT_TOO_LARGE, "no request body allowed",
					    MHD_HTTP_HEADER_CONNECTION, "close");
		return MHD_YES;
	}
	if (*upload_data_size) {
		/* A body MHD let through anyway: refuse it. */
		*upload_data_size = 0;
		return answer_error(c, MHD_HTTP_CONTENT_TOO_LARGE, "no request body allowed",
				    MHD_HTTP_HEADER_CONNECTION, "close");
	}
	if (strlen(url) > URL_MAX)
		return answer_error(c, MHD_HTTP_URI_TOO_LONG, "URL too long", NULL, NULL);
	if (!host_allowed(s, c))
		return answer_error(c, MHD_HTTP_MISDIRECTED_REQUEST,
				    "this server answers to localhost only (or set a token)", NULL,
				    NULL);
	if (url[0] != '/')
		return answer_error(c, MHD_HTTP_BAD_REQUEST, "bad path", NULL, NULL);
	if (!strncmp(url, "/api/", 5)) {
		if (!authorised(s, c))
			return answer_error(c, MHD_HTTP_UNAUTHORIZED, "token required",
					    MHD_HTTP_HEADER_WWW_AUTHENTICATE, "Bearer");
		return api(s, c, url + 5);
	}
	return page(s, c, url);
}

static int hexval(char ch)
{
	if (ch >= '0' && ch <= '9')
		return ch - '0';
	if (ch >= 'a' && ch <= 'f')
		return ch - 'a' + 10;
	if (ch >= 'A' && ch <= 'F')
		return ch - 'A' + 10;
	return -1;
}

/*
 * Percent-decoding of the path and query arguments, in place: as MHD's own,
 * except that %00 is left as it is, so a NUL can never cut a path short
 * ("/app.js%00.png" stays a name that does not exist). Returns the length.
 */
static size_t unescape(void *cls, struct MHD_Connection *c, char *s)
{
	char *r = s, *w = s;

	(void)cls;
	(void)c;
	while (*r) {
		int hi, lo;
		if (r[0] == '%' && r[1] && r[2] && (hi = hexval(r[1])) >= 0 &&
		    (lo = hexval(r[2])) >= 0 && (hi | lo)) {
			*w++ = (char)(hi * 16 + lo);
			r += 3;
		} else {
			*w++ = *r++;
		}
	}
	*w = '\0';
	return (size_t)(w - s);
}

/* ---- start and stop ---------------------------------------------------- */

static int is_loopback(const struct sockaddr *sa)
{
	if (sa->sa_family == AF_INET) {
		const struct sockaddr_in *in = (const struct sockaddr_in *)(const void *)sa;
		return (ntohl(in->sin_addr.s_addr) >> 24) == 127;
	}
	if (sa->sa_family == AF_INET6) {
		const struct sockaddr_in6 *in6 = (const struct sockaddr_in6 *)(const void *)sa;
		return IN6_IS_ADDR_LOOPBACK(&in6->sin6_addr);
	}
	return 0;
}

static int resolve(const char *host, struct addrinfo **res)
{
	struct addrinfo hints;

	memset(&hints, 0, sizeof(hints));
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_STREAM;
	hints.ai_flags = AI_PASSIVE;
	return getaddrinfo(host, NULL, &hints, res);
}

int web_host_is_loopback(const char *host)
{
	struct addrinfo *res = NULL, *ai;
	int all = 1;

	if (resolve(host, &res) != 0)
		return 0;
	for (ai = res; ai; ai = ai->ai_next)
		if (!is_loopback(ai->ai_addr))
			all = 0;
	freeaddrinfo(res);
	return all;
}

/*
 * The connection limit this process can keep: CONN_LIMIT, with the soft
 * RLIMIT_NOFILE raised (up to the hard one) to hold it and FD_RESERVE more;
 * less when the hard limit is lower.
 */
static unsigned conn_limit(void)
{
	struct rlimit rl;
	const rlim_t want = (rlim_t)CONN_LIMIT + FD_RESERVE;

	if (getrlimit(RLIMIT_NOFILE, &rl) != 0 || rl.rlim_cur == RLIM_INFINITY ||
	    rl.rlim_cur >= want)
		return CONN_LIMIT;
	if (rl.rlim_max == RLIM_INFINITY || rl.rlim_max > rl.rlim_cur) {
		struct rlimit up = rl;
		up.rlim_cur =
			rl.rlim_max == RLIM_INFINITY || rl.rlim_max >= want ? want : rl.rlim_max;
		if (setrlimit(RLIMIT_NOFILE, &up) == 0)
			rl = up;
	}
	if (rl.rlim_cur >= want)
		return CONN_LIMIT;
	return rl.rlim_cur > (rlim_t)2 * FD_RESERVE ? (unsigned)(rl.rlim_cur - FD_RESERVE)
						    : (unsigned)(rl.rlim_cur / 2);
}

static void make_asset_responses(struct web_server *s)
{
	size_t i;

	s->assets = xcalloc(web_n_assets ? web_n_assets : 1, sizeof(*s->assets));
	for (i = 0; i < web_n_assets; i++) {
		const struct web_asset *a = &web_assets[i];
		struct ready *r = &s->assets[i];
		pt_strlcpy(r->etag, a->etag, sizeof(r->etag));
		etag_gz(r->etag_gz, a->etag);
		r->plain = buffer_response(a->data, a->len, 0);
		add_headers(r->plain, a->type, r->etag, "no-cache", 0, a->gz != NULL);
		if (a->gz) {
			r->gz = buffer_response(a->gz, a->gz_len, 0);
			add_headers(r->gz, a->type, r->etag_gz, "no-cache", 1, 1);
		}
	}
}

int web_start(const struct web_opts *o, struct web_server **out, char *err)
{
	struct web_server *s;
	struct addrinfo *res = NULL;
	struct sockaddr_storage ss;
	const union MHD_DaemonInfo *info;
	struct stat dbst;
	unsigned threads = o->threads;
	unsigned flags = MHD_USE_EPOLL_INTERNAL_THREAD | MHD_USE_TURBO;
	unsigned limit, per_ip;
	int rc;

	*out = NULL;
	if ((rc = resolve(o->host, &res)) != 0)
		return pt_err(err, PT_EINVAL, "--listen: cannot resolve '%s': %s", o->host,
			      gai_strerror(rc));
	if (res->ai_addrlen > sizeof(ss)) {
		freeaddrinfo(res);
		return pt_err(err, PT_EINVAL, "--listen: bad address '%s'", o->host);
	}
	memcpy(&ss, res->ai_addr, res->ai_addrlen);
	freeaddrinfo(res);
	if (o->token && *o->token && strlen(o->token) < TOKEN_MIN)
		return pt_err(
			err, PT_EINVAL,
			"the token is %zu characters long; it must have at least %d characters",
			strlen(o->token), TOKEN_MIN);
	if (!is_loopback((struct sockaddr *)&ss) && (!o->token || !*o->token))
		return pt_err(err, PT_EINVAL,
			      "refusing to listen on %s, not a loopback address, without a token "
			      "(--token-file or serve_token_file)",
			      o->host);
	if (ss.ss_family == AF_INET6) {
		((struct sockaddr_in6 *)(void *)&ss)->sin6_port = htons((uint16_t)o->port);
		flags |= MHD_USE_IPv6;
	} else {
		((struct sockaddr_in *)(void *)&ss)->sin_port = htons((uint16_t)o->port);
	}
	/* The whole-file integrity check belongs here, once at start, not in
	 * every open (a daily run's): a corrupt store is refused before serving. */
	if (o->db_path && !stat(o->db_path, &dbst)) {
		struct store *st = NULL;

		if ((rc = store_open(o->db_path, 0, &st, err)) || (rc = store_check(st, 0, err))) {
			store_close(st);
			return rc;
		}
		store_close(st);
	}
	if (!threads) {
		long n = sysconf(_SC_NPROCESSORS_ONLN);
		threads = n < 2 ? 2 : n > 64 ? 64 : (unsigned)n;
	}

	s = xcalloc(1, sizeof(*s));
	s->o = *o;
	pthread_mutex_init(&s->lock, NULL);
	if (o->assets_dir) {
		char real[PATH_MAX];
		struct stat sb;
		if (!realpath(o->assets_dir, real) || stat(real, &sb) != 0 || !S_ISDIR(sb.st_mode)) {
			rc = pt_err(err, PT_EINVAL, "--assets-dir: %s: not a folder", o->assets_dir);
			goto fail;
		}
		s->assets_real = xstrdup(real);
	}
	make_asset_responses(s);
	limit = conn_limit();
	per_ip = is_loopback((struct sockaddr *)&ss) ? 0 : CONN_PER_IP;
	if (ss.ss_family == AF_INET6) {
		char a[INET6_ADDRSTRLEN];
		inet_ntop(AF_INET6, &((struct sockaddr_in6 *)(void *)&ss)->sin6_addr, a, sizeof(a));
		snprintf(s->host, sizeof(s->host), "[%s]", a);
	} else {
		inet_ntop(AF_INET, &((struct sockaddr_in *)(void *)&ss)->sin_addr, s->host,
			  sizeof(s->host));
	}
	s->d = MHD_start_daemon(flags, (uint16_t)o->port, NULL, NULL, handle, s,
				MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&ss,
				MHD_OPTION_THREAD_POOL_SIZE, threads, MHD_OPTION_CONNECTION_LIMIT,
				limit, MHD_OPTION_PER_IP_CONNECTION_LIMIT, per_ip,
				MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)CONN_MEMORY,
				MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)CONN_TIMEOUT,
				MHD_OPTION_LISTEN_BACKLOG_SIZE, limit, MHD_OPTION_UNESCAPE_CALLBACK,
				unescape, NULL, MHD_OPTION_END);
	if (!s->d) {
		rc = pt_err(err, PT_EIO, "cannot listen on %s port %u: %s", s->host, o->port,
			    errno ? strerror(errno) : "libmicrohttpd failed to start");
		goto fail;
	}
	info = MHD_get_daemon_info(s->d, MHD_DAEMON_INFO_BIND_PORT);
	s->port = info ? info->port : o->port;
	*out = s;
	return 0;
fail:
	web_stop(s);
	return rc;
}

unsigned web_port(const struct web_server *s)
{
	return s->port;
}

const char *web_host(const struct web_server *s)
{
	return s->host;
}

void web_stop(struct web_server *s)
{
	struct tctx *t, *next;
	size_t i;

	if (!s)
		return;
	if (s->d)
		MHD_stop_daemon(s->d);
	for (t = s->threads; t; t = next) {
		next = t->next;
		tctx_free(t);
	}
	if (s->assets)
		for (i = 0; i < web_n_assets; i++)
			ready_release(&s->assets[i]);
	free(s->assets);
	free(s->assets_real);
	pthread_mutex_destroy(&s->lock);
	free(s);
}
