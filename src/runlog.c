/*
 * runlog.c - the log of run attempts; see runlog.h.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <jansson.h>

#include "runlog.h"
#include "market/calendar.h"
#include "util/date.h"
#include "util/file.h"

#define TAIL_BYTES 8192 /* enough for the newest line */

static int log_path(const char *home, char *path, size_t n, char *err)
{
	if ((size_t)snprintf(path, n, "%s/%s", home, RUNLOG_NAME) >= n)
		return pt_err(err, PT_EINVAL, "%s: path too long", home);
	return 0;
}

/* Reads up to max bytes of path from offset from into a new buffer. */
static int read_part(const char *path, off_t from, size_t max, char **buf, size_t *len, char *err)
{
	/* O_NONBLOCK: a FIFO put there must not hang the open */
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK);
	struct stat sb;
	ssize_t got;

	*buf = NULL;
	*len = 0;
	if (fd < 0)
		return errno == ENOENT ? PT_ENOENT
				       : pt_err(err, PT_EIO, "%s: %s", path, strerror(errno));
	if (fstat(fd, &sb) != 0 || !S_ISREG(sb.st_mode)) {
		close(fd);
		return pt_err(err, PT_EINVAL, "%s: not a regular file", path);
	}
	*buf = xmalloc(max + 1);
	if (lseek(fd, from, SEEK_SET) < 0) {
		close(fd);
		free(*buf);
		*buf = NULL;
		return pt_err(err, PT_EIO, "%s: %s", path, strerror(errno));
	}
	while (*len < max && (got = read(fd, *buf + *len, max - *len)) > 0)
		*len += (size_t)got;
	close(fd);
	(*buf)[*len] = '\0';
	return 0;
}

/* Past the limit, keeps the newest half of the file (whole lines). */
static int trim(const char *path, char *err)
{
	struct stat st;
	char *buf, *cut;
	size_t len;
	int rc;

	if (stat(path, &st) || st.st_size <= RUNLOG_MAX_BYTES)
		return 0;
	rc = read_part(path, st.st_size - RUNLOG_MAX_BYTES / 2, RUNLOG_MAX_BYTES / 2, &buf, &len,
		       err);
	if (rc || !buf)
		return rc == PT_ENOENT ? 0 : rc;
	cut = memchr(buf, '\n', len);
	cut = cut ? cut + 1 : buf + len;
	rc = pt_write_atomic(path, cut, len - (size_t)(cut - buf), 0600, err);
	free(buf);
	return rc;
}

int runlog_append(const char *home, const struct runlog_entry *e, char *err)
{
	char path[4096], d[DATE_BUFSZ], ny[32], *line;
	json_t *o = json_object(), *msg;
	int fd, day, sec, rc = 0;
	size_t len;

	if ((rc = log_path(home, path, sizeof(path), err)) || (rc = trim(path, err))) {
		json_decref(o);
		return rc;
	}
	cal_epoch_to_ny(e->at, &day, &sec);
	snprintf(ny, sizeof(ny), "%sT%02d:%02d", date_fmt(day, d), sec / 3600, sec / 60 % 60);
	json_object_set_new(o, "at", json_integer(e->at));
	json_object_set_new(o, "at_ny", json_string(ny));
	json_object_set_new(o, "session",
			    e->session ? json_string(date_fmt(e->session, d)) : json_null());
	json_object_set_new(o, "trigger", json_string(e->trigger));
	json_object_set_new(o, "ok", json_boolean(e->ok));
	msg = json_string(e->message); /* NULL for invalid UTF-8: say so */
	json_object_set_new(o, "message", msg ? msg : json_string("(unprintable message)"));
	line = json_dumps(o, JSON_COMPACT | JSON_ENSURE_ASCII);
	json_decref(o);
	if (!line)
		return pt_err(err, PT_EIO, "%s: cannot encode the entry", path);
	len = strlen(line);
	fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
	if (fd < 0) {
		rc = pt_err(err, PT_EIO, "%s: %s", path, strerror(errno));
	} else {
		struct stat st;
		char last = '\n', *buf = xmalloc(len + 2);
		size_t n = 0;

		/* after a line torn by a crash, start a line of our own */
		if (!fstat(fd, &st) && st.st_size > 0) {
			int rfd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
			if (rfd >= 0) {
				if (pread(rfd, &last, 1, st.st_size - 1) != 1)
					last = '\n';
				close(rfd);
			}
		}
		if (last != '\n')
			buf[n++] = '\n';
		memcpy(buf + n, line, len);
		n += len;
		buf[n++] = '\n';
		/* one write of one line: appends from several processes do not interleave */
		if (write(fd, buf, n) != (ssize_t)n)
			rc = pt_err(err, PT_EIO, "%s: %s", path, strerror(errno));
		if (close(fd) && !rc)
			rc = pt_err(err, PT_EIO, "%s: %s", path, strerror(errno));
		free(buf);
	}
	free(line);
	return rc;
}

static int parse_line(const char *line, struct runlog_entry *e)
{
	json_t *o = json_loads(line, 0, NULL), *v;
	const char *s;
	int rc = -1;

	memset(e, 0, sizeof(*e));
	if (!json_is_object(o))
		goto out;
	v = json_object_get(o, "at");
	if (!json_is_integer(v))
		goto out;
	e->at = json_integer_value(v);
	s = json_string_value(json_object_get(o, "session"));
	if (s && date_parse(s, &e->session))
		goto out;
	s = json_string_value(json_object_get(o, "trigger"));
	pt_strlcpy(e->trigger, s ? s : "", sizeof(e->trigger));
	e->ok = json_is_true(json_object_get(o, "ok"));
	s = json_string_value(json_object_get(o, "message"));
	pt_strlcpy(e->message, s ? s : "", sizeof(e->message));
	rc = 0;
out:
	json_decref(o);
	return rc;
}

int runlog_last(const char *home, struct runlog_entry *e, char *err)
{
	char path[4096], *buf, *end, *start;
	struct stat st;
	size_t len;
	int rc;

	if ((rc = log_path(home, path, sizeof(path), err)))
		return rc;
	if (stat(path, &st))
		return errno == ENOENT ? PT_ENOENT
				       : pt_err(err, PT_EIO, "%s: %s", path, strerror(errno));
	rc = read_part(path, st.st_size > TAIL_BYTES ? st.st_size - TAIL_BYTES : 0, TAIL_BYTES,
		       &buf, &len, err);
	if (rc || !buf)
		return rc ? rc : PT_ENOENT;
	/* the newest complete line that parses */
	end = buf + len;
	rc = PT_ENOENT;
	while (end > buf) {
		while (end > buf && end[-1] == '\n')
			*--end = '\0';
		start = end;
		while (start > buf && start[-1] != '\n')
			start--;
		if (start == end)
			break;
		if (parse_line(start, e) == 0) {
			rc = 0;
			break;
		}
		end = start;
	}
	free(buf);
	return rc;
}

void runlog_note(const char *home, const char *trigger, int64_t at, int session, int ok,
		 const char *message)
{
	struct runlog_entry e;
	char err[PT_ERRSZ];

	memset(&e, 0, sizeof(e));
	e.at = at;
	e.session = session;
	e.ok = ok;
	pt_strlcpy(e.trigger, trigger, sizeof(e.trigger));
	pt_strlcpy(e.message, message ? message : "", sizeof(e.message));
	/* a failed run in a read-only home has said so already, in one line */
	if (runlog_append(home, &e, err) && (ok || (access(home, W_OK) == 0 || errno != EROFS)))
		fprintf(stderr, "papertrade: runs.log: %s\n", err);
}
