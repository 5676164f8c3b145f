/*
 * file.h - writing a file whole or not at all, for everything papertrade
 * leaves on disk outside the database: exports and dashboards the user asked
 * for (cli/), tape files (tape/), the Yahoo crumb cache (market/). Sits
 * under everything in DESIGN.md §1, beside util.h.
 */
#ifndef PT_FILE_H
#define PT_FILE_H

#include <stddef.h>
#include <sys/types.h>

/*
 * Writes the len bytes at data to path whole or not at all: a new temporary
 * file beside it ("PATH.tmp.PID.N", created exclusively and never through a
 * symbolic link, with mode less the umask, as open(2) creates), written in
 * full, fsynced, then renamed over path. A reader sees the old file or the
 * new one, never part of either. On failure path is as it was (absent, or
 * its old content) and no temporary file is left. Safe to call from several
 * threads at once (each gets its own temporary file).
 * Returns 0, or PT_EINVAL ("PATH: path too long") or PT_EIO ("PATH: why",
 * why from strerror) with err filled.
 */
int pt_write_atomic(const char *path, const void *data, size_t len, mode_t mode, char *err);

#endif
