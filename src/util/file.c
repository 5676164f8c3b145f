/*
 * file.c - writing a file whole or not at all (a temporary file renamed into
 * place); see file.h. Under everything in DESIGN.md §1: cli/, tape/ and
 * market/ write their files through it.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "file.h"
#include "util.h"

/* Temporary files a process may find taken (left by a crash of an earlier
 * process with the same pid) before it gives up. */
#define TRIES 100

/* Writes all of buf to fd; 0 or -1 with errno. */
static int write_all(int fd, const char *buf, size_t len)
{
	while (len) {
		ssize_t n = write(fd, buf, len);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		buf += n;
		len -= (size_t)n;
	}
	return 0;
}

int pt_write_atomic(const char *path, const void *data, size_t len, mode_t mode, char *err)
{
	static atomic_uint seq;
	char tmp[PATH_MAX];
	int fd = -1, e, i;

	/* The name is predictable; O_EXCL and O_NOFOLLOW make that harmless, and
	 * open's mode (not fchmod) lets the umask apply without reading it. */
	for (i = 0; i < TRIES && fd < 0; i++) {
		if (snprintf(tmp, sizeof(tmp), "%s.tmp.%ld.%u", path, (long)getpid(),
			     atomic_fetch_add(&seq, 1)) >= (int)sizeof(tmp))
			return pt_err(err, PT_EINVAL, "%s: path too long", path);
		fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, mode);
		if (fd < 0 && errno != EEXIST)
			return pt_err(err, PT_EIO, "%s: %s", path, strerror(errno));
	}
	if (fd < 0)
		return pt_err(err, PT_EIO, "%s: %s", path, strerror(EEXIST));
	if (write_all(fd, data, len) || fsync(fd)) {
		e = errno;
		close(fd);
		unlink(tmp);
		return pt_err(err, PT_EIO, "%s: %s", path, strerror(e));
	}
	if (close(fd) || rename(tmp, path)) {
		e = errno;
		unlink(tmp);
		return pt_err(err, PT_EIO, "%s: %s", path, strerror(e));
	}
	return 0;
}
