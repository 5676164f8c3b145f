/*
 * server.h - the dashboard's HTTP server (DESIGN.md §2 web/: `papertrade
 * serve`): the page's embedded assets (or a folder on disk, for editing)
 * and the read-only JSON API of web/api.h, on libmicrohttpd (the only
 * module that talks to it).
 *
 * Requests are answered by MHD's internal thread pool (epoll). Each pool
 * thread keeps its own connection to the database and a cache of every
 * portfolio endpoint's body, its gzip copy and ETag, rebuilt, all from one
 * read transaction, only when PRAGMA data_version says a run committed
 * (asked at most every 20 ms per thread, so an answer trails a commit by
 * that at most): so an answer never shows half a run, and a run writing
 * (WAL) never stops the answers. GET and HEAD only; request bodies, long URLs and large
 * headers are refused; connections are limited and time out.
 */
#ifndef PT_WEB_SERVER_H
#define PT_WEB_SERVER_H

#include <stdint.h>

struct config;
struct web_server;

struct web_opts {
	const char *host;		/* address or name to bind ("127.0.0.1", "::1", "localhost") */
	unsigned port;			/* 0: a free port, chosen by the system */
	const char *db_path;		/* the portfolio (may not exist yet) */
	const char *home;		/* the home folder: its runs.log, for /api/health */
	const char *assets_dir;		/* serve the page from here, or NULL: the embedded copy */
	const char *token;		/* required on /api/ when set and non-empty */
	const struct config *cfg;	/* borrowed for the server's life */
	const char *version;		/* papertrade's, for /api/health */
	int scheduler;			/* reported by /api/health */
	unsigned threads;		/* pool size; 0: the number of processors (at least 2) */
	int64_t (*now)(void);		/* the clock (Unix time), for /api/health */
};

/*
 * Starts listening and answering (in the pool's threads). A host that is
 * not a loopback address needs a token: PT_EINVAL with err otherwise, as for
 * a bad host or a token shorter than 16 characters. PT_EIO when the address cannot be bound. The
 * caller should block SIGINT/SIGTERM first, so that the pool's threads inherit the mask.
 */
int web_start(const struct web_opts *o, struct web_server **out, char *err);
/* The bound port (the real one when 0 was asked) and the numeric address
 * bound, in URL form ("127.0.0.1", "[::1]"), borrowed. */
unsigned web_port(const struct web_server *s);
const char *web_host(const struct web_server *s);
/* Stops listening, waits for the threads, frees everything. NULL is a no-op. */
void web_stop(struct web_server *s);

/* 1 when host resolves only to loopback addresses (127.0.0.0/8, ::1). */
int web_host_is_loopback(const char *host);

#endif
