/*
 * http.h - HTTP GET for the market-data providers (DESIGN.md §6), the only
 * module that talks to libcurl. A live client sends a browser-like
 * User-Agent, accepts gzip, keeps cookies (in a file in the home folder when
 * given), enforces connect and total timeouts and a response-size cap, waits
 * politely between requests, and retries 429 and 5xx with exponential
 * backoff and jitter (honouring Retry-After). Every final response is
 * appended to a tape when one is given, so a live day can be replayed:
 * a replay client answers from a tape instead of the network.
 */
#ifndef PT_HTTP_H
#define PT_HTTP_H

#include <stddef.h>
#include <stdint.h>

/* One response as received: the body after content decoding (gzip). */
struct http_record {
	char *url;		/* the URL requested */
	long status;		/* HTTP status */
	int64_t fetched_at;	/* Unix time it arrived */
	char content_type[64];
	char *body;		/* NUL-terminated for convenience; len excludes the NUL */
	size_t len;
};

/* The responses of one run, in request order. The caller owns it. */
struct http_tape {
	struct http_record *rec;
	size_t n, cap;
};

void http_tape_init(struct http_tape *t);
void http_tape_release(struct http_tape *t);
/* Appends a copy of a response. */
void http_tape_add(struct http_tape *t, const char *url, long status, int64_t fetched_at,
		   const char *content_type, const void *body, size_t len);

struct http_opts {
	const char *user_agent;		/* default: a desktop Chrome UA */
	long connect_timeout_ms;	/* default 5000 */
	long timeout_ms;		/* whole request, default 20000 */
	size_t max_body;		/* bytes after decoding, default 32 MiB */
	int retries;			/* extra attempts on 429/5xx/transport errors, default 4 */
	long backoff_ms;		/* first wait, doubled each retry, +-25% jitter; default 500 */
	long max_wait_ms;		/* longest single wait (Retry-After above it fails), default 30000 */
	long min_interval_ms;		/* between two requests, default 200 */
	const char *cookie_file;	/* cookie jar to read and write, or NULL for memory only */
	uint64_t jitter_seed;		/* seed of the jitter (deterministic in tests) */
};
void http_opts_default(struct http_opts *o);

struct http_response {
	long status;
	char content_type[64];
	char *body;		/* NUL-terminated; owned by the response */
	size_t len;
};
void http_response_release(struct http_response *r);

struct http;

/* A live client. record, when not NULL, receives every final response. */
struct http *http_new(const struct http_opts *o, struct http_tape *record);
/* A client that answers from tape: each request is matched, in order, with
 * the first unused record of the same URL (query parameter "crumb" ignored). */
struct http *http_new_replay(const struct http_tape *tape);
void http_free(struct http *h);

/*
 * GET url. Returns 0 when a response arrived, whatever its status (after the
 * retries on 429 and 5xx, the last one): the caller judges the status. Returns
 * PT_EIO with err ("timed out after 20 s", "response larger than 32 MiB",
 * "connection refused", "not in the tape: URL") when none did.
 */
int http_get(struct http *h, const char *url, struct http_response *out, char *err);
/* How the client waits (backoff, politeness): tests install one that records
 * the waits instead of sleeping. */
void http_set_sleep(struct http *h, void (*sleep_ms)(long ms, void *ctx), void *ctx);

/* URL-escapes s (RFC 3986 unreserved kept); caller frees. */
char *http_escape(const char *s);

#endif
