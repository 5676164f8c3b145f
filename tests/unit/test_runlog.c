/*
 * test_runlog.c - the log of run attempts (runlog.h): an entry written is
 * the newest read back, whatever garbage a crash left on the last line; the
 * file is created private and never grows past its limit.
 */
#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "runlog.h"
#include "util/date.h"
#include "util/util.h"

#include "tmpdir.h"

static struct runlog_entry entry(int64_t at, int session, int ok, const char *msg)
{
	struct runlog_entry e;

	memset(&e, 0, sizeof(e));
	e.at = at;
	e.session = session;
	e.ok = ok;
	pt_strlcpy(e.trigger, "scheduled", sizeof(e.trigger));
	pt_strlcpy(e.message, msg, sizeof(e.message));
	return e;
}

static void test_append_and_last(void **state)
{
	struct runlog_entry e, got;
	char err[PT_ERRSZ], path[PATH_MAX];
	struct stat st;

	(void)state;
	assert_int_equal(runlog_last(tmpdir, &got, err), PT_ENOENT);
	e = entry(1735655700, date_from_ymd(2024, 12, 31), 0, "yahoo: \"quoted\" \xc3\xa9 failure");
	assert_int_equal(runlog_append(tmpdir, &e, err), 0);
	path_of(path, sizeof(path), RUNLOG_NAME);
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0600);
	assert_int_equal(runlog_last(tmpdir, &got, err), 0);
	assert_true(got.at == e.at);
	assert_int_equal(got.session, e.session);
	assert_int_equal(got.ok, 0);
	assert_string_equal(got.trigger, "scheduled");
	assert_string_equal(got.message, e.message);

	e = entry(1735656000, date_from_ymd(2024, 12, 31), 1, "2024-12-31 ran");
	assert_int_equal(runlog_append(tmpdir, &e, err), 0);
	assert_int_equal(runlog_last(tmpdir, &got, err), 0);
	assert_int_equal(got.ok, 1);
	assert_string_equal(got.message, "2024-12-31 ran");

	/* a torn last line (a crash mid-write) is skipped: the one before counts */
	{
		FILE *f = fopen(path, "a");
		assert_non_null(f);
		fputs("{\"at\": 17356", f);
		fclose(f);
	}
	assert_int_equal(runlog_last(tmpdir, &got, err), 0);
	assert_string_equal(got.message, "2024-12-31 ran");
	/* and the next entry starts on a line of its own after it */
	e = entry(1735656300, date_from_ymd(2024, 12, 31), 0, "after the tear");
	assert_int_equal(runlog_append(tmpdir, &e, err), 0);
	assert_int_equal(runlog_last(tmpdir, &got, err), 0);
	assert_string_equal(got.message, "after the tear");
	unlink(path);
}

static void test_bounded(void **state)
{
	struct runlog_entry e, got;
	char err[PT_ERRSZ], path[PATH_MAX], msg[400];
	struct stat st;
	int i;

	(void)state;
	memset(msg, 'x', sizeof(msg) - 1);
	msg[sizeof(msg) - 1] = '\0';
	for (i = 0; i < 2000; i++) {
		e = entry(1735655700 + i, date_from_ymd(2024, 12, 31), i % 2, msg);
		snprintf(e.message, sizeof(e.message), "%d %s", i, msg);
		assert_int_equal(runlog_append(tmpdir, &e, err), 0);
	}
	path_of(path, sizeof(path), RUNLOG_NAME);
	assert_int_equal(stat(path, &st), 0);
	assert_true(st.st_size <= RUNLOG_MAX_BYTES + 1024);
	assert_true(st.st_size >= RUNLOG_MAX_BYTES / 2);
	assert_int_equal(runlog_last(tmpdir, &got, err), 0);
	assert_true(got.at == 1735655700 + 1999);
	assert_int_equal(strncmp(got.message, "1999 ", 5), 0);
	unlink(path);
}

static void test_bad_home(void **state)
{
	struct runlog_entry e = entry(1, 0, 1, "x"), got;
	char err[PT_ERRSZ] = "";

	(void)state;
	assert_int_equal(runlog_append("/nonexistent/pt-home", &e, err), PT_EIO);
	assert_non_null(strstr(err, "/nonexistent/pt-home/runs.log"));
	assert_int_equal(runlog_last("/nonexistent/pt-home", &got, err), PT_ENOENT);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_append_and_last),
		cmocka_unit_test(test_bounded),
		cmocka_unit_test(test_bad_home),
	};
	return cmocka_run_group_tests(tests, tmpdir_setup, tmpdir_teardown);
}
