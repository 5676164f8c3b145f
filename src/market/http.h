/*
 * http.h - HTTP GET for the market-data providers (DESIGN.md §6), the only
 * module that talks to libcurl. A live client sends a browser-like
 * User-Agent, accepts gzip, keeps cookies (in a file in the home folder when
 * given), enforces connect and total timeouts and a response-size cap, waits
 * politely between requests, and retries 429 and 5xx with exponential
 * backoff and jitter (honouring Retry-After). Every final response is
 * appended to a tape (tape/tape.h) when one is given, so a live day can be
 * replayed: a replay client answers from a tape instead of the network.
 */
#ifndef PT_HTTP_H
#define PT_HTTP_H

#include <stddef.h>
#include <stdint.h>

#include "../tape/tape.h"

struct http_opts {
	const char *user_agent;		/* NULL or "": a desktop Chrome UA */
	long connect_timeout_ms;	/* default 5000; <= 0 means the default */
	long timeout_ms;		/* whole request, default 20000; <= 0 means the default */
	size_t max_body;		/* bytes after decoding, default 32 MiB; 0 means the default */
	int retries;			/* extra attempts on 429/5xx/transport errors, default 4 */
	long backoff_ms;		/* first wait, doubled each retry, +-25% jitter; default 500 */
	long max_wait_ms;		/* longest single wait, default 30000: a backoff or
					 * Retry-After wait above it ends the retries */
	long min_interval_ms;		/* between the starts of two requests, default 200 */
	const char *cookie_file;	/* cookie jar to read and write (kept 0600), or NULL
					 * for cookies in memory only */
	uint64_t jitter_seed;		/* seed of the jitter (deterministic in tests) */
};
/* Fills o with the defaults above. */
void http_opts_default(struct http_opts *o);

struct http_response {
	long status;
	char content_type[64];
	char *body;		/* NUL-terminated; owned by the response */
	size_t len;
};
/* Frees the body and zeroes r; NULL or an already released r is fine. */
void http_response_release(struct http_response *r);

struct http;

/*
 * A live client (o NULL: the defaults; its strings are copied). record, when
 * not NULL, receives every final response (not the attempts that were
 * retried, not the failures) and must outlive the client. One curl handle
 * is reused for all requests (connections and cookies persist). Returns
 * NULL only when libcurl cannot be initialised.
 */
struct http *http_new(const struct http_opts *o, struct tape *record);
/* A client that answers from tape, never from the network: each request is
 * matched with the first unused record whose URL is the same once the scheme
 * and host (a tape replays whatever the sources' base URLs are now) and every
 * query parameter named "crumb" are removed from both. The tape is borrowed: it
 * must outlive the client, and records added after this call are not seen. */
struct http *http_new_replay(const struct tape *tape);
/* Writes the cookie jar (if any) and frees the client; NULL is a no-op. */
void http_free(struct http *h);

/*
 * GET url into *out (always initialised; release it with
 * http_response_release). Returns 0 when a response arrived, whatever its
 * status (after the retries on 429 and 5xx, the last one): the caller judges
 * the status. Retry waits are backoff_ms * 2^attempt +-25%, or the
 * Retry-After header's seconds when present (its HTTP-date form counts as
 * absent). Returns PT_EIO with a one-line err naming the host when no whole
 * response did ("127.0.0.1: timed out after 20 s", "host: response larger
 * than 32 MiB", "host: response cut short (...)", "connecting to host:port:
 * connection refused", "not in the tape: URL"); a body shorter than its
 * Content-Length is never passed on as a success.
 */
int http_get(struct http *h, const char *url, struct http_response *out, char *err);
/* How the client waits (backoff, politeness), in milliseconds: tests install
 * one that records the waits instead of sleeping; NULL restores nanosleep. */
void http_set_sleep(struct http *h, void (*sleep_ms)(long ms, void *ctx), void *ctx);

/* URL-escapes s (RFC 3986 unreserved A-Z a-z 0-9 - . _ ~ kept, every other
 * byte as %XX); never NULL, the caller frees. */
char *http_escape(const char *s);

#endif
