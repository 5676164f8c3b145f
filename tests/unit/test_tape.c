/*
 * test_tape.c - unit tests of tape/ (DESIGN.md §6; §1 "market view for D"):
 * the record type (copies, defaults, reuse) and tape files, written whole and
 * read back field by field, and read as hostile input: whatever is not a
 * whole papertrade tape fails with a message naming the file and leaves an
 * empty tape. Files live in a temporary folder (tmpdir.h).
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <zlib.h>

#include "tape/tape.h"
#include "util/date.h"
#include "util/util.h"
#include "tmpdir.h"

/* Writes text gzip-compressed to path. */
static void gz_spit(const char *path, const char *text)
{
	gzFile gz = gzopen(path, "wb");

	assert_non_null(gz);
	assert_int_equal(gzwrite(gz, text, (unsigned)strlen(text)), (int)strlen(text));
	assert_int_equal(gzclose(gz), Z_OK);
}

static void test_records(void **state)
{
	struct tape t;
	char url[] = "http://x/a?crumb=1", body[] = "{\"a\": 1}";
	char ct[100];

	(void)state;
	tape_init(&t);
	assert_int_equal(t.n, 0);
	tape_append(&t, url, 200, 1761768100, "application/json", body, 8);
	/* copies: the caller's buffers may change */
	url[0] = 'X';
	body[0] = 'X';
	assert_string_equal(t.rec[0].url, "http://x/a?crumb=1");
	assert_string_equal(t.rec[0].body, "{\"a\": 1}");
	assert_int_equal(t.rec[0].len, 8);
	assert_int_equal(t.rec[0].status, 200);
	assert_int_equal(t.rec[0].fetched_at, 1761768100);
	assert_string_equal(t.rec[0].content_type, "application/json");
	/* NULLs are "", an empty body is NUL-terminated, a long type is cut */
	memset(ct, 'c', sizeof(ct) - 1);
	ct[sizeof(ct) - 1] = '\0';
	tape_append(&t, NULL, 404, 2, NULL, NULL, 0);
	tape_append(&t, "u", 500, 3, ct, "a\0b", 3);
	assert_int_equal(t.n, 3);
	assert_string_equal(t.rec[1].url, "");
	assert_string_equal(t.rec[1].content_type, "");
	assert_non_null(t.rec[1].body);
	assert_int_equal(t.rec[1].body[0], '\0');
	assert_int_equal(strlen(t.rec[2].content_type), 63);
	assert_memory_equal(t.rec[2].body, "a\0b", 4);	/* NUL inside kept, and one after */
	tape_release(&t);
	assert_int_equal(t.n, 0);
	assert_null(t.rec);
	/* reusable after release */
	tape_append(&t, "again", 200, 4, "text/plain", "x", 1);
	assert_int_equal(t.n, 1);
	tape_release(&t);
	tape_release(&t);	/* twice is fine */
}

static void test_file_round_trip(void **state)
{
	struct tape t, back;
	struct tape_info info = {0}, got;
	char path[PATH_MAX], err[PT_ERRSZ];
	static char big[70000];
	struct stat st;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(big); i++)
		big[i] = (char)('a' + i % 23);
	tape_init(&t);
	tape_append(&t, "http://127.0.0.1:1/v7/finance/options/AAPL?crumb=x", 200, 1761768100,
		    "application/json", "{\"a\": 1}", 8);
	tape_append(&t, "http://127.0.0.1:1/v1/test/getcrumb", 200, 1761768101, "text/plain",
		    "", 0);
	tape_append(&t, "http://127.0.0.1:1/big", 404, 1761768102, "text/plain", big, sizeof(big));
	tape_append(&t, "http://127.0.0.1:1/utf8", 503, 1761768103, "", "caf\xc3\xa9\n\"", 7);
	info.session = date_from_ymd(2025, 10, 29);
	info.asof = 1761768000;
	pt_strlcpy(info.sources, "yahoo,cboe", sizeof(info.sources));

	path_of(path, sizeof(path), "tape.json.gz");
	assert_int_equal(tape_write_file(path, &info, &t, err), 0);
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_mode & 07777, 0644);	/* 0666 less the umask */
	assert_true((size_t)st.st_size < sizeof(big) / 10);	/* compressed */
	assert_int_equal(tape_read_file(path, &got, &back, err), 0);
	assert_int_equal(got.session, info.session);
	assert_int_equal(got.asof, info.asof);
	assert_string_equal(got.sources, "yahoo,cboe");
	assert_int_equal(back.n, t.n);
	for (i = 0; i < t.n; i++) {
		assert_string_equal(back.rec[i].url, t.rec[i].url);
		assert_int_equal(back.rec[i].status, t.rec[i].status);
		assert_int_equal(back.rec[i].fetched_at, t.rec[i].fetched_at);
		assert_string_equal(back.rec[i].content_type, t.rec[i].content_type);
		assert_int_equal(back.rec[i].len, t.rec[i].len);
		assert_memory_equal(back.rec[i].body, t.rec[i].body, t.rec[i].len + 1);
	}
	tape_release(&back);

	/* an empty tape is a tape */
	tape_init(&back);
	path_of(path, sizeof(path), "empty.json.gz");
	assert_int_equal(tape_write_file(path, &info, &back, err), 0);
	assert_int_equal(tape_read_file(path, &got, &back, err), 0);
	assert_int_equal(back.n, 0);
	tape_release(&back);
	tape_release(&t);
}

/* A tape that cannot be written leaves what was there. */
static void test_file_write_errors(void **state)
{
	struct tape t;
	struct tape_info info = {0}, got;
	char path[PATH_MAX], err[PT_ERRSZ];

	(void)state;
	info.session = date_from_ymd(2025, 10, 29);
	info.asof = 1761768000;
	pt_strlcpy(info.sources, "yahoo", sizeof(info.sources));
	tape_init(&t);
	tape_append(&t, "http://x/a", 200, 1, "text/plain", "old", 3);
	path_of(path, sizeof(path), "keep.json.gz");
	assert_int_equal(tape_write_file(path, &info, &t, err), 0);
	tape_release(&t);

	/* a body that is not text: refused, the old file stays */
	tape_append(&t, "http://x/bin", 200, 1, "image/png", "\xff\xfe\x00", 3);
	assert_int_equal(tape_write_file(path, &info, &t, err), PT_EINVAL);
	assert_non_null(strstr(err, "http://x/bin"));
	tape_release(&t);
	assert_int_equal(tape_read_file(path, &got, &t, err), 0);
	assert_int_equal(t.n, 1);
	assert_string_equal(t.rec[0].body, "old");
	tape_release(&t);

	/* a missing folder: PT_EIO naming the file */
	path_of(path, sizeof(path), "nope/tape.json.gz");
	assert_int_equal(tape_write_file(path, &info, &t, err), PT_EIO);
	assert_non_null(strstr(err, path));
}

static void test_file_hostile(void **state)
{
	static const struct {
		const char *text, *want;
	} cases[] = {
		{"", "not a tape"},
		{"{\"papertrade_tape\": 1", "not a tape"},
		{"[]", "not a papertrade tape"},
		{"{\"papertrade_tape\": 2}", "not a papertrade tape (version 1)"},
		{"{\"papertrade_tape\": 1, \"papertrade_tape\": 1}", "not a tape"},
		{"{\"papertrade_tape\": 1, \"session\": \"2025-02-30\"}", "session: not a date"},
		{"{\"papertrade_tape\": 1, \"session\": \"2025-10-29\", \"asof\": 0}",
		 "asof: not a time"},
		{"{\"papertrade_tape\": 1, \"session\": \"2025-10-29\", \"asof\": 1, "
		 "\"sources\": \"\"}",
		 "sources: missing or too long"},
		{"{\"papertrade_tape\": 1, \"session\": \"2025-10-29\", \"asof\": 1, "
		 "\"sources\": \"xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx\"}",
		 "sources: missing or too long"},
		{"{\"papertrade_tape\": 1, \"session\": \"2025-10-29\", \"asof\": 1, "
		 "\"sources\": \"yahoo\", \"responses\": {}}",
		 "responses: not an array"},
		{"{\"papertrade_tape\": 1, \"session\": \"2025-10-29\", \"asof\": 1, "
		 "\"sources\": \"yahoo\", \"responses\": [{\"url\": \"u\", \"status\": 200, "
		 "\"fetched_at\": 1, \"content_type\": \"\", \"body\": \"\"}, 5]}",
		 "responses[1]: want url"},
		{"{\"papertrade_tape\": 1, \"session\": \"2025-10-29\", \"asof\": 1, "
		 "\"sources\": \"yahoo\", \"responses\": [{\"url\": \"u\", \"status\": 600, "
		 "\"fetched_at\": 1, \"content_type\": \"\", \"body\": \"\"}]}",
		 "responses[0]: want url"},
		{"{\"papertrade_tape\": 1, \"session\": \"2025-10-29\", \"asof\": 1, "
		 "\"sources\": \"yahoo\", \"responses\": [{\"url\": \"u\", \"status\": 200, "
		 "\"fetched_at\": 1, \"content_type\": \"\"}]}",
		 "responses[0]: want url"},
	};
	struct tape t;
	struct tape_info got;
	char path[PATH_MAX], err[PT_ERRSZ];
	FILE *f;
	size_t i;

	(void)state;
	path_of(path, sizeof(path), "bad.json.gz");
	for (i = 0; i < PT_ARRAY_SIZE(cases); i++) {
		gz_spit(path, cases[i].text);
		err[0] = '\0';
		if (tape_read_file(path, &got, &t, err) != PT_EINVAL ||
		    !strstr(err, cases[i].want) || !strstr(err, path))
			fail_msg("case %zu: %s: got '%s', want '%s'", i, cases[i].text, err,
				 cases[i].want);
		assert_int_equal(t.n, 0);
		assert_null(t.rec);
	}
	/* not gzip at all, or cut short */
	f = fopen(path, "wb");
	assert_non_null(f);
	fputs("\x1f\x8b\x08 not really", f);
	fclose(f);
	assert_int_equal(tape_read_file(path, &got, &t, err), PT_EINVAL);
	assert_non_null(strstr(err, "not a gzip file, or cut short"));
	assert_int_equal(t.n, 0);
	/* missing */
	path_of(path, sizeof(path), "missing.json.gz");
	assert_int_equal(tape_read_file(path, &got, &t, err), PT_EIO);
	assert_non_null(strstr(err, path));
	assert_int_equal(t.n, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_records),
		cmocka_unit_test(test_file_round_trip),
		cmocka_unit_test(test_file_write_errors),
		cmocka_unit_test(test_file_hostile),
	};

	return cmocka_run_group_tests(tests, tmpdir_setup, tmpdir_teardown);
}
