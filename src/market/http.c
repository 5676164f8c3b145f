/*
 * http.c - HTTP GET for the market-data providers (DESIGN.md §6 "Market
 * data"; §1 "market view for D"), the only file that talks to libcurl.
 *
 * A live client keeps one curl easy handle (connection reuse, one cookie
 * engine), sends browser-like headers, caps timeouts and body size, spaces
 * its requests (min_interval_ms, on CLOCK_MONOTONIC) and retries 429, 5xx
 * and transport failures with exponential backoff and deterministic jitter,
 * honouring Retry-After. Every wait goes through a sleep function that tests
 * replace. Final responses are appended to the run's tape; a replay client
 * answers from such a tape and never touches the network.
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <curl/curl.h>

#include "http.h"
#include "../util/util.h"

#define HTTP_DEFAULT_UA \
	"Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 " \
	"(KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36"
#define HTTP_MAX_REDIRS 5L
#define HTTP_MIB ((size_t)1024 * 1024)

struct http {
	int replay;
	/* live */
	CURL *curl;
	struct curl_slist *headers;
	struct http_opts o;	/* strings point into ua / cookie_file below */
	char *ua;
	char *cookie_file;
	struct tape *record;
	uint64_t rng;
	int have_last;
	struct timespec last_start;
	char curl_err[CURL_ERROR_SIZE];
	/* replay */
	const struct tape *tape;
	unsigned char *used;	/* one flag per record of the tape as it was at creation */
	size_t n_used;
	/* both */
	void (*sleep_ms)(long ms, void *ctx);
	void *sleep_ctx;
};

/* What one attempt collects through curl's callbacks. */
struct xfer {
	struct sbuf body;
	int too_big;
	long retry_after;	/* seconds, -1 when absent */
};

/* ---- options, responses ---- */

void http_opts_default(struct http_opts *o)
{
	memset(o, 0, sizeof(*o));
	o->user_agent = NULL;
	o->connect_timeout_ms = 5000;
	o->timeout_ms = 20000;
	o->max_body = 32 * HTTP_MIB;
	o->retries = 4;
	o->backoff_ms = 500;
	o->max_wait_ms = 30000;
	o->min_interval_ms = 200;
	o->cookie_file = NULL;
	o->jitter_seed = 0x5eed;
}

void http_response_release(struct http_response *r)
{
	if (!r)
		return;
	free(r->body);
	memset(r, 0, sizeof(*r));
}

static void response_set(struct http_response *out, long status, const char *ctype,
			 const char *body, size_t len)
{
	out->status = status;
	pt_strlcpy(out->content_type, ctype ? ctype : "", sizeof(out->content_type));
	out->body = xmemdupz(body, len);
	out->len = len;
}

/* ---- waits ---- */

static void default_sleep(long ms, void *ctx)
{
	struct timespec ts;

	(void)ctx;
	if (ms <= 0)
		return;
	ts.tv_sec = ms / 1000;
	ts.tv_nsec = (ms % 1000) * 1000000L;
	while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
		;
}

void http_set_sleep(struct http *h, void (*sleep_ms)(long ms, void *ctx), void *ctx)
{
	h->sleep_ms = sleep_ms ? sleep_ms : default_sleep;
	h->sleep_ctx = sleep_ms ? ctx : NULL;
}

static void do_sleep(struct http *h, long ms)
{
	if (ms > 0)
		h->sleep_ms(ms, h->sleep_ctx);
}

static long elapsed_ms(const struct timespec *since)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return (long)(now.tv_sec - since->tv_sec) * 1000L +
	       (long)((now.tv_nsec - since->tv_nsec) / 1000000L);
}

/* splitmix64: small, deterministic, good enough for jitter. */
static uint64_t next_rand(uint64_t *s)
{
	uint64_t z = (*s += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

/* backoff_ms * 2^attempt, times a factor in [0.75, 1.25). */
static long backoff_wait(struct http *h, int attempt)
{
	double base = (double)h->o.backoff_ms, u;

	for (int i = 0; i < attempt && base < 1e12; i++)
		base *= 2.0;
	u = (double)(next_rand(&h->rng) >> 11) / 9007199254740992.0;
	base *= 0.75 + 0.5 * u;
	return base > 1e12 ? (long)1e12 : (long)(base + 0.5);
}

/* ---- curl plumbing ---- */

static pthread_once_t global_once = PTHREAD_ONCE_INIT;
static CURLcode global_rc = CURLE_FAILED_INIT;

static void global_init(void)
{
	global_rc = curl_global_init(CURL_GLOBAL_DEFAULT);
}

static size_t on_body(char *data, size_t size, size_t n, void *ud)
{
	struct xfer *x = ud;
	size_t bytes = size * n;

	if (sb_add(&x->body, data, bytes) != 0) {
		x->too_big = 1;
		return 0;	/* aborts the transfer with CURLE_WRITE_ERROR */
	}
	return bytes;
}

/* Seconds of a "Retry-After: N" header; the HTTP-date form counts as absent. */
static long parse_retry_after(const char *v, size_t n)
{
	char buf[32];
	long secs;
	size_t i = 0;

	while (i < n && (v[i] == ' ' || v[i] == '\t'))
		i++;
	while (n > i && (v[n - 1] == '\r' || v[n - 1] == '\n' || v[n - 1] == ' ' ||
			 v[n - 1] == '\t'))
		n--;
	if (n - i == 0 || n - i >= sizeof(buf))
		return -1;
	memcpy(buf, v + i, n - i);
	buf[n - i] = '\0';
	if (buf[0] < '0' || buf[0] > '9' || pt_parse_long(buf, &secs) != 0 || secs < 0 ||
	    secs > 86400L * 365)
		return -1;
	return secs;
}

static size_t on_header(char *data, size_t size, size_t n, void *ud)
{
	struct xfer *x = ud;
	size_t bytes = size * n;
	static const char name[] = "retry-after:";

	/* A new status line (a redirect's or an interim response's) starts over. */
	if (bytes >= 5 && memcmp(data, "HTTP/", 5) == 0)
		x->retry_after = -1;
	else if (bytes > sizeof(name) - 1 && strncasecmp(data, name, sizeof(name) - 1) == 0)
		x->retry_after =
			parse_retry_after(data + sizeof(name) - 1, bytes - (sizeof(name) - 1));
	return bytes;
}

static int setup_handle(struct http *h)
{
	CURL *c = h->curl;
	int bad = 0;

	bad |= curl_easy_setopt(c, CURLOPT_ERRORBUFFER, h->curl_err) != CURLE_OK;
	bad |= curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L) != CURLE_OK;
	bad |= curl_easy_setopt(c, CURLOPT_USERAGENT, h->ua) != CURLE_OK;
	bad |= curl_easy_setopt(c, CURLOPT_ACCEPT_ENCODING, "") != CURLE_OK;
	bad |= curl_easy_setopt(c, CURLOPT_HTTPHEADER, h->headers) != CURLE_OK;
	bad |= curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS, h->o.connect_timeout_ms) != CURLE_OK;
	bad |= curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, h->o.timeout_ms) != CURLE_OK;
	bad |= curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 1L) != CURLE_OK;
	bad |= curl_easy_setopt(c, CURLOPT_MAXREDIRS, HTTP_MAX_REDIRS) != CURLE_OK;
	bad |= curl_easy_setopt(c, CURLOPT_MAXFILESIZE_LARGE, (curl_off_t)h->o.max_body) !=
	       CURLE_OK;
#if LIBCURL_VERSION_NUM >= 0x075500
	bad |= curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https") != CURLE_OK;
	bad |= curl_easy_setopt(c, CURLOPT_REDIR_PROTOCOLS_STR, "http,https") != CURLE_OK;
#else
	bad |= curl_easy_setopt(c, CURLOPT_PROTOCOLS, (long)(CURLPROTO_HTTP | CURLPROTO_HTTPS)) !=
	       CURLE_OK;
	bad |= curl_easy_setopt(c, CURLOPT_REDIR_PROTOCOLS,
				(long)(CURLPROTO_HTTP | CURLPROTO_HTTPS)) != CURLE_OK;
#endif
	bad |= curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_body) != CURLE_OK;
	bad |= curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, on_header) != CURLE_OK;
	if (h->cookie_file) {
		bad |= curl_easy_setopt(c, CURLOPT_COOKIEFILE, h->cookie_file) != CURLE_OK;
		bad |= curl_easy_setopt(c, CURLOPT_COOKIEJAR, h->cookie_file) != CURLE_OK;
	} else {
		bad |= curl_easy_setopt(c, CURLOPT_COOKIEFILE, "") != CURLE_OK;
	}
	return bad ? -1 : 0;
}

struct http *http_new(const struct http_opts *o, struct tape *record)
{
	struct http_opts def;
	struct http *h;
	struct curl_slist *l = NULL, *t;

	http_opts_default(&def);
	pthread_once(&global_once, global_init);
	if (global_rc != CURLE_OK)
		return NULL;
	h = xcalloc(1, sizeof(*h));
	h->o = o ? *o : def;
	if (h->o.connect_timeout_ms <= 0)
		h->o.connect_timeout_ms = def.connect_timeout_ms;
	if (h->o.timeout_ms <= 0)
		h->o.timeout_ms = def.timeout_ms;
	if (h->o.max_body == 0)
		h->o.max_body = def.max_body;
	if (h->o.retries < 0)
		h->o.retries = 0;
	if (h->o.backoff_ms < 0)
		h->o.backoff_ms = 0;
	if (h->o.max_wait_ms < 0)
		h->o.max_wait_ms = 0;
	if (h->o.min_interval_ms < 0)
		h->o.min_interval_ms = 0;
	h->ua = xstrdup(h->o.user_agent && *h->o.user_agent ? h->o.user_agent : HTTP_DEFAULT_UA);
	h->cookie_file = h->o.cookie_file && *h->o.cookie_file ? xstrdup(h->o.cookie_file) : NULL;
	h->o.user_agent = h->ua;
	h->o.cookie_file = h->cookie_file;
	h->record = record;
	h->rng = h->o.jitter_seed;
	h->sleep_ms = default_sleep;

	static const char *const hdrs[] = {
		"Accept: text/html,application/xhtml+xml,application/xml;q=0.9,"
		"application/json;q=0.9,*/*;q=0.8",
		"Accept-Language: en-US,en;q=0.9",
	};
	for (size_t i = 0; i < PT_ARRAY_SIZE(hdrs); i++) {
		t = curl_slist_append(l, hdrs[i]);
		if (!t)
			goto fail;
		l = t;
	}
	h->headers = l;
	h->curl = curl_easy_init();
	if (!h->curl || setup_handle(h) != 0)
		goto fail;
	return h;
fail:
	http_free(h);
	return NULL;
}

struct http *http_new_replay(const struct tape *tape)
{
	struct http *h = xcalloc(1, sizeof(*h));

	h->replay = 1;
	h->tape = tape;
	h->n_used = tape ? tape->n : 0;
	h->used = xcalloc(h->n_used ? h->n_used : 1, 1);
	h->sleep_ms = default_sleep;
	return h;
}

/* Creates the jar 0600 before curl writes it, and keeps it 0600 after. */
static void cookie_jar_write(struct http *h)
{
	int fd;

	if (!h->cookie_file)
		return;
	fd = open(h->cookie_file, O_WRONLY | O_CREAT | O_CLOEXEC, 0600);
	if (fd >= 0)
		close(fd);
	curl_easy_setopt(h->curl, CURLOPT_COOKIELIST, "FLUSH");
	chmod(h->cookie_file, 0600);
}

void http_free(struct http *h)
{
	if (!h)
		return;
	if (h->curl) {
		cookie_jar_write(h);
		curl_easy_cleanup(h->curl);	/* writes the jar once more */
		if (h->cookie_file)
			chmod(h->cookie_file, 0600);
	}
	curl_slist_free_all(h->headers);
	free(h->ua);
	free(h->cookie_file);
	free(h->used);
	free(h);
}

/* ---- URL helpers ---- */

char *http_escape(const char *s)
{
	static const char hex[] = "0123456789ABCDEF";
	size_t n = strlen(s), j = 0;
	char *out = xmalloc(3 * n + 1);

	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];

		if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
		    c == '-' || c == '.' || c == '_' || c == '~') {
			out[j++] = (char)c;
		} else {
			out[j++] = '%';
			out[j++] = hex[c >> 4];
			out[j++] = hex[c & 15];
		}
	}
	out[j] = '\0';
	return out;
}

/* url without its scheme and host (so a tape replays whatever base URL the
 * sources are configured with) and with every query parameter named
 * "crumb" removed (and the '?' when nothing is left); the fragment, if any,
 * is kept. Caller frees. */
static char *url_without_crumb(const char *url)
{
	const char *q, *frag, *p, *sep = strstr(url, "://");
	struct sbuf sb;
	int first = 1;
	char *out;

	if (sep) {
		const char *path = strchr(sep + 3, '/');
		url = path ? path : "/";
	}
	q = strchr(url, '?');
	if (!q)
		return xstrdup(url);
	frag = strchr(q, '#');
	if (!frag)
		frag = q + strlen(q);
	sb_init(&sb, (size_t)-1);
	sb_add(&sb, url, (size_t)(q - url));
	for (p = q + 1; p < frag;) {
		const char *amp = memchr(p, '&', (size_t)(frag - p));
		const char *end = amp ? amp : frag;
		size_t len = (size_t)(end - p);

		if (len && !(len >= 5 && memcmp(p, "crumb", 5) == 0 && (len == 5 || p[5] == '='))) {
			sb_add(&sb, first ? "?" : "&", 1);
			sb_add(&sb, p, len);
			first = 0;
		}
		p = amp ? amp + 1 : frag;
	}
	sb_add(&sb, frag, strlen(frag));
	out = xstrdup(sb_str(&sb));
	sb_release(&sb);
	return out;
}

static int replay_get(struct http *h, const char *url, struct http_response *out, char *err)
{
	char *want = url_without_crumb(url);
	int rc = PT_EIO;

	for (size_t i = 0; h->tape && i < h->n_used && i < h->tape->n; i++) {
		const struct tape_record *r = &h->tape->rec[i];
		char *have;
		int same;

		if (h->used[i])
			continue;
		have = url_without_crumb(r->url);
		same = strcmp(have, want) == 0;
		free(have);
		if (!same)
			continue;
		h->used[i] = 1;
		response_set(out, r->status, r->content_type, r->body, r->len);
		rc = 0;
		goto out;
	}
	pt_err(err, PT_EIO, "not in the tape: %s", url);
out:
	free(want);
	return rc;
}

/* host and port of url for messages; "?" when it cannot be parsed. */
static void url_host(const char *url, char *host, size_t hostsz, long *port)
{
	CURLU *u = curl_url();
	char *hs = NULL, *ps = NULL;

	pt_strlcpy(host, "?", hostsz);
	*port = 0;
	if (!u)
		return;
	if (curl_url_set(u, CURLUPART_URL, url, 0) == CURLUE_OK) {
		if (curl_url_get(u, CURLUPART_HOST, &hs, 0) == CURLUE_OK && hs)
			pt_strlcpy(host, hs, hostsz);
		if (curl_url_get(u, CURLUPART_PORT, &ps, CURLU_DEFAULT_PORT) == CURLUE_OK && ps &&
		    pt_parse_long(ps, port) != 0)
			*port = 0;
	}
	curl_free(hs);
	curl_free(ps);
	curl_url_cleanup(u);
}

static void fmt_secs(char *buf, size_t n, long ms)
{
	if (ms % 1000 == 0)
		snprintf(buf, n, "%ld s", ms / 1000);
	else
		snprintf(buf, n, "%.1f s", (double)ms / 1000.0);
}

static void fmt_size(char *buf, size_t n, size_t bytes)
{
	if (bytes % HTTP_MIB == 0)
		snprintf(buf, n, "%zu MiB", bytes / HTTP_MIB);
	else if (bytes % 1024 == 0)
		snprintf(buf, n, "%zu KiB", bytes / 1024);
	else
		snprintf(buf, n, "%zu bytes", bytes);
}

/* The one-line message for a failed transfer. */
static void transfer_error(struct http *h, const char *url, CURLcode cc, const struct xfer *x,
			   char *err)
{
	char host[256], t[32], detail[CURL_ERROR_SIZE];
	long port, os_errno = 0;
	curl_off_t connect_us = 0;

	url_host(url, host, sizeof(host), &port);
	if (strcmp(host, "?") == 0)
		pt_strlcpy(host, url, sizeof(host));
	pt_strlcpy(detail, h->curl_err[0] ? h->curl_err : curl_easy_strerror(cc), sizeof(detail));
	for (char *p = detail; *p; p++)	/* one line, whatever curl wrote */
		if ((unsigned char)*p < 0x20)
			*p = ' ';
	if (x->too_big || cc == CURLE_FILESIZE_EXCEEDED) {
		fmt_size(t, sizeof(t), h->o.max_body);
		pt_err(err, PT_EIO, "%s: response larger than %s", host, t);
		return;
	}
	if (curl_easy_getinfo(h->curl, CURLINFO_OS_ERRNO, &os_errno) != CURLE_OK)
		os_errno = 0;
	switch (os_errno) {
	case ECONNREFUSED:
		pt_strlcpy(detail, "connection refused", sizeof(detail));
		break;
	case ECONNRESET:
		pt_strlcpy(detail, "connection reset", sizeof(detail));
		break;
	case ENETUNREACH:
		pt_strlcpy(detail, "network unreachable", sizeof(detail));
		break;
	case EHOSTUNREACH:
		pt_strlcpy(detail, "host unreachable", sizeof(detail));
		break;
	default:
		break;
	}
	switch (cc) {
	case CURLE_COULDNT_CONNECT:
		pt_err(err, PT_EIO, "connecting to %s:%ld: %s", host, port, detail);
		break;
	case CURLE_OPERATION_TIMEDOUT:
		curl_easy_getinfo(h->curl, CURLINFO_CONNECT_TIME_T, &connect_us);
		if (connect_us == 0 && strstr(detail, "onnect")) {
			fmt_secs(t, sizeof(t), h->o.connect_timeout_ms);
			pt_err(err, PT_EIO, "connecting to %s:%ld: timed out after %s", host, port,
			       t);
		} else {
			fmt_secs(t, sizeof(t), h->o.timeout_ms);
			pt_err(err, PT_EIO, "%s: timed out after %s", host, t);
		}
		break;
	case CURLE_PARTIAL_FILE:
		pt_err(err, PT_EIO, "%s: response cut short (%s)", host, detail);
		break;
	case CURLE_COULDNT_RESOLVE_HOST:
		pt_err(err, PT_EIO, "%s: host not found", host);
		break;
	case CURLE_TOO_MANY_REDIRECTS:
		pt_err(err, PT_EIO, "%s: more than %ld redirects", host, HTTP_MAX_REDIRS);
		break;
	default:
		pt_err(err, PT_EIO, "%s: %s", host, detail);
		break;
	}
}

/* Transport failures worth another attempt. */
static int transient(CURLcode cc)
{
	switch (cc) {
	case CURLE_OPERATION_TIMEDOUT:
	case CURLE_COULDNT_CONNECT:
	case CURLE_RECV_ERROR:
	case CURLE_SEND_ERROR:
	case CURLE_GOT_NOTHING:
	case CURLE_PARTIAL_FILE:
	case CURLE_HTTP2:
	case CURLE_HTTP2_STREAM:
		return 1;
	default:
		return 0;
	}
}

static int live_get(struct http *h, const char *url, struct http_response *out, char *err)
{
	struct xfer x;
	CURLcode cc = CURLE_OK;
	long status = 0, waited = 0;
	int rc;

	sb_init(&x.body, h->o.max_body);
	if (curl_easy_setopt(h->curl, CURLOPT_URL, url) != CURLE_OK) {
		rc = pt_err(err, PT_EINVAL, "bad URL: %s", url);
		goto out;
	}
	curl_easy_setopt(h->curl, CURLOPT_WRITEDATA, &x);
	curl_easy_setopt(h->curl, CURLOPT_HEADERDATA, &x);
	for (int attempt = 0;; attempt++) {
		long wait;

		/* Politeness: a backoff wait just taken counts as time passed
		 * (a test's sleep hook does not move the clock). */
		if (h->have_last && h->o.min_interval_ms > 0) {
			long e = elapsed_ms(&h->last_start);

			if (waited > e)
				e = waited;
			do_sleep(h, h->o.min_interval_ms - e);
		}
		clock_gettime(CLOCK_MONOTONIC, &h->last_start);
		h->have_last = 1;

		sb_release(&x.body);
		x.too_big = 0;
		x.retry_after = -1;
		h->curl_err[0] = '\0';
		status = 0;
		cc = curl_easy_perform(h->curl);
		if (cc == CURLE_OK)
			curl_easy_getinfo(h->curl, CURLINFO_RESPONSE_CODE, &status);

		if (cc == CURLE_OK ? !(status == 429 || status >= 500) : !transient(cc) || x.too_big)
			break;
		if (attempt >= h->o.retries)
			break;
		wait = cc == CURLE_OK && x.retry_after >= 0 ? x.retry_after * 1000
							    : backoff_wait(h, attempt);
		if (wait > h->o.max_wait_ms)
			break;
		do_sleep(h, wait);
		waited = wait;
	}
	cookie_jar_write(h);
	if (cc != CURLE_OK) {
		transfer_error(h, url, cc, &x, err);
		rc = PT_EIO;
		goto out;
	}
	{
		const char *ctype = NULL;

		curl_easy_getinfo(h->curl, CURLINFO_CONTENT_TYPE, &ctype);
		response_set(out, status, ctype, sb_str(&x.body), x.body.len);
	}
	if (h->record)
		tape_append(h->record, url, out->status, (int64_t)time(NULL), out->content_type,
			      out->body, out->len);
	rc = 0;
out:
	/* The handle outlives this frame: drop pointers to x. */
	curl_easy_setopt(h->curl, CURLOPT_WRITEDATA, NULL);
	curl_easy_setopt(h->curl, CURLOPT_HEADERDATA, NULL);
	sb_release(&x.body);
	return rc;
}

int http_get(struct http *h, const char *url, struct http_response *out, char *err)
{
	memset(out, 0, sizeof(*out));
	if (!h || !url)
		return pt_err(err, PT_EINVAL, "no HTTP client or URL");
	if (h->replay)
		return replay_get(h, url, out, err);
	return live_get(h, url, out, err);
}
