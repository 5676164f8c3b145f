/*
 * tape.h - tapes (DESIGN.md §6): the raw responses a live run used, in
 * request order, so that the run can be replayed to the same decisions. In
 * the data flow of DESIGN.md §1 a tape is recorded by the market view's HTTP
 * client (market/http.c) while the providers fill the view, stored with the
 * run by store/ ("append events, commit"), and replayed by the same client
 * in place of the network.
 *
 * This module owns the record type and tape files (a tape to share: `tape
 * export` / `tape import`). It depends only on util/ (and zlib and jansson
 * for the files); market/ and store/ depend on it, never the other way.
 *
 * Errors: 0 or a negative PT_E* code with a one-line message in err
 * (PT_ERRSZ) naming the file.
 */
#ifndef PT_TAPE_H
#define PT_TAPE_H

#include <stddef.h>
#include <stdint.h>

/* One response as received: the body after content decoding (gzip). */
struct tape_record {
	char *url;		/* the URL requested */
	long status;		/* HTTP status */
	int64_t fetched_at;	/* Unix time it arrived */
	char content_type[64];
	char *body;		/* NUL-terminated for convenience; len excludes the NUL */
	size_t len;
};

/* The responses of one run, in request order. The caller owns the struct;
 * the records and their strings belong to the tape. */
struct tape {
	struct tape_record *rec;
	size_t n, cap;
};

/* An empty tape. */
void tape_init(struct tape *t);
/* Frees every record; the tape is empty (and reusable) afterwards. */
void tape_release(struct tape *t);
/* Appends a copy of a response (url and body copied, body NUL-terminated;
 * url NULL is "", content_type NULL is "" and is cut at 63 bytes). */
void tape_append(struct tape *t, const char *url, long status, int64_t fetched_at,
		 const char *content_type, const void *body, size_t len);

/* What a tape was recorded for: the session, the run's as-of moment and the
 * provider list whose sources made the requests (a replay goes through the
 * same sources). store.h's struct store_tape_info adds how it is stored. */
struct tape_info {
	int session;		/* day number */
	int64_t asof;		/* Unix time */
	char sources[64];	/* e.g. "yahoo,cboe" */
};

/*
 * A tape as a file to share: gzip-compressed JSON {"papertrade_tape": 1,
 * "session": "YYYY-MM-DD", "asof", "sources", "responses": [{url, status,
 * fetched_at, content_type, body}]}.
 *
 * tape_write_file writes it whole or not at all (util/file.h; mode 0666 less
 * the umask). PT_EINVAL when a body is not text (not valid UTF-8), PT_EIO
 * when the file cannot be written; path is then as it was.
 */
int tape_write_file(const char *path, const struct tape_info *info, const struct tape *t,
		    char *err);
/*
 * tape_read_file reads one into info and t (t initialised here: the caller
 * releases it after a success; after a failure it is empty). The file is hostile
 * input: at most 256 MiB of JSON once decompressed, every field's type
 * checked, status 100-599, sources not empty. PT_EIO when the file cannot
 * be opened, PT_EINVAL when it is not a whole papertrade tape.
 */
int tape_read_file(const char *path, struct tape_info *info, struct tape *t, char *err);

#endif
