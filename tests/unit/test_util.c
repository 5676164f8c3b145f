/*
 * test_util.c - unit tests of util/ (under everything in DESIGN.md §1): the
 * edit distance behind every "did you mean" and xmemdupz (util.h), and the
 * atomic file writer (file.h) that exports, dashboards, tape files and the
 * crumb cache go through. Files live in a temporary folder (tmpdir.h).
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "util/file.h"
#include "util/util.h"
#include "tmpdir.h"

/* The whole content of path into buf (NUL-terminated); its length, or -1
 * when it cannot be read. */
static long slurp(const char *path, char *buf, size_t n)
{
	FILE *f = fopen(path, "rb");
	size_t got;

	if (!f)
		return -1;
	got = fread(buf, 1, n - 1, f);
	fclose(f);
	buf[got] = '\0';
	return (long)got;
}

/* How many names in the test folder contain ".tmp.". */
static int temp_files(void)
{
	DIR *d = opendir(tmpdir);
	struct dirent *e;
	int n = 0;

	assert_non_null(d);
	while ((e = readdir(d)))
		n += strstr(e->d_name, ".tmp.") != NULL;
	closedir(d);
	return n;
}

/* ---- pt_edit_distance ---- */

static void test_distance_basics(void **state)
{
	(void)state;
	assert_int_equal(pt_edit_distance("", ""), 0);
	assert_int_equal(pt_edit_distance("", "run"), 3);
	assert_int_equal(pt_edit_distance("run", ""), 3);
	assert_int_equal(pt_edit_distance("run", "run"), 0);
	assert_int_equal(pt_edit_distance("kitten", "sitting"), 3);
	assert_int_equal(pt_edit_distance("sitting", "kitten"), 3);
	assert_int_equal(pt_edit_distance("a", "b"), 1);
	assert_int_equal(pt_edit_distance("ab", "ba"), 2);	/* no transpositions */
	assert_int_equal(pt_edit_distance("rnu", "run"), 2);	/* main.c's "did you mean 'run'" */
	assert_int_equal(pt_edit_distance("tickrs", "tickers"), 1);
	assert_int_equal(pt_edit_distance("ivedge", "iv_edge"), 1);
}

static void test_distance_case(void **state)
{
	(void)state;
	assert_int_equal(pt_edit_distance("IV_EDGE", "iv_edge"), 0);
	assert_int_equal(pt_edit_distance("Run", "rUN"), 0);
	assert_int_equal(pt_edit_distance("RNU", "run"), 2);
	/* only ASCII folds: other bytes compare as they are */
	assert_int_equal(pt_edit_distance("\xc3\x89", "\xc3\xa9"), 1);
}

static void test_distance_lengths(void **state)
{
	char a63[64], b63[64], a64[65];

	(void)state;
	memset(a63, 'a', 63);
	a63[63] = '\0';
	memset(b63, 'b', 63);
	b63[63] = '\0';
	memset(a64, 'a', 64);
	a64[64] = '\0';
	/* 63 bytes is the longest measured */
	assert_int_equal(pt_edit_distance(a63, a63), 0);
	assert_int_equal(pt_edit_distance(a63, b63), 63);
	assert_int_equal(pt_edit_distance(a63, ""), 63);
	assert_int_equal(pt_edit_distance("", b63), 63);
	/* 64 bytes on either side: too long to suggest */
	assert_true(pt_edit_distance(a64, a64) == SIZE_MAX);
	assert_true(pt_edit_distance(a64, "a") == SIZE_MAX);
	assert_true(pt_edit_distance("a", a64) == SIZE_MAX);
}

/* ---- xmemdupz ---- */

static void test_memdupz(void **state)
{
	char *p;

	(void)state;
	p = xmemdupz("a\0bc", 4);
	assert_memory_equal(p, "a\0bc", 5);	/* bytes as they are, and a NUL after */
	free(p);
	p = xmemdupz("abc", 2);
	assert_string_equal(p, "ab");
	free(p);
	p = xmemdupz(NULL, 0);
	assert_string_equal(p, "");
	free(p);
	p = xstrdup("xstrdup");
	assert_string_equal(p, "xstrdup");
	free(p);
}

/* ---- pt_write_atomic ---- */

/* Exact cents for CSV and JSON: the sign, the cents below a dollar, the
 * extremes of int64_t. */
static void test_fmt_cents(void **state)
{
	char b[32];

	(void)state;
	assert_string_equal(pt_fmt_cents(b, sizeof(b), 0), "0.00");
	assert_string_equal(pt_fmt_cents(b, sizeof(b), 1), "0.01");
	assert_string_equal(pt_fmt_cents(b, sizeof(b), -1), "-0.01");
	assert_string_equal(pt_fmt_cents(b, sizeof(b), 99), "0.99");
	assert_string_equal(pt_fmt_cents(b, sizeof(b), 100), "1.00");
	assert_string_equal(pt_fmt_cents(b, sizeof(b), -100), "-1.00");
	assert_string_equal(pt_fmt_cents(b, sizeof(b), 123456789), "1234567.89");
	assert_string_equal(pt_fmt_cents(b, sizeof(b), INT64_MAX), "92233720368547758.07");
	assert_string_equal(pt_fmt_cents(b, sizeof(b), INT64_MIN), "-92233720368547758.08");
}

/* A CSV field is quoted only when it must be, and its quotes doubled. */
static void test_csv_field(void **state)
{
	static const char *const cases[][2] = {
		{"", ""},
		{"plain", "plain"},
		{"a b;c", "a b;c"},
		{"a,b", "\"a,b\""},
		{"say \"hi\"", "\"say \"\"hi\"\"\""},
		{"\"", "\"\"\"\""},
		{"two\nlines", "\"two\nlines\""},
		{"cr\r", "\"cr\r\""},
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct sbuf sb;

		sb_init(&sb, 1024);
		sb_add_csv(&sb, cases[i][0]);
		assert_string_equal(sb_str(&sb), cases[i][1]);
		sb_release(&sb);
	}
}

static void test_atomic_new_and_replace(void **state)
{
	char path[PATH_MAX], buf[256], err[PT_ERRSZ];
	struct stat st;

	(void)state;
	path_of(path, sizeof(path), "a.txt");
	assert_int_equal(pt_write_atomic(path, "a longer first version\n", 23, 0666, err), 0);
	assert_int_equal(slurp(path, buf, sizeof(buf)), 23);
	assert_string_equal(buf, "a longer first version\n");
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_mode & 07777, 0644);	/* 0666 less the umask 022 */
	/* replaced whole: nothing of the longer old content is left */
	assert_int_equal(pt_write_atomic(path, "short\n", 6, 0666, err), 0);
	assert_int_equal(slurp(path, buf, sizeof(buf)), 6);
	assert_string_equal(buf, "short\n");
	/* empty is a content too */
	assert_int_equal(pt_write_atomic(path, "", 0, 0666, err), 0);
	assert_int_equal(slurp(path, buf, sizeof(buf)), 0);
	/* the mode of the new file, whatever the old one's was */
	assert_int_equal(pt_write_atomic(path, "secret\n", 7, 0600, err), 0);
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_mode & 07777, 0600);
	assert_int_equal(temp_files(), 0);
}

/* Through a symbolic link at path: the link is replaced, its target untouched. */
static void test_atomic_symlink(void **state)
{
	char path[PATH_MAX], target[PATH_MAX], buf[64], err[PT_ERRSZ];
	struct stat st;

	(void)state;
	path_of(target, sizeof(target), "target.txt");
	path_of(path, sizeof(path), "link.txt");
	assert_int_equal(pt_write_atomic(target, "target\n", 7, 0666, err), 0);
	assert_int_equal(symlink(target, path), 0);
	assert_int_equal(pt_write_atomic(path, "new\n", 4, 0666, err), 0);
	assert_int_equal(lstat(path, &st), 0);
	assert_true(S_ISREG(st.st_mode));
	assert_int_equal(slurp(target, buf, sizeof(buf)), 7);
	assert_string_equal(buf, "target\n");
	assert_int_equal(temp_files(), 0);
}

static void test_atomic_failures(void **state)
{
	char path[PATH_MAX], dir[PATH_MAX], inner[PATH_MAX], buf[64], err[PT_ERRSZ];
	char *longpath;
	struct stat st;

	(void)state;
	/* a missing folder: nothing made, the message names the file */
	path_of(path, sizeof(path), "nope/x.json");
	assert_int_equal(pt_write_atomic(path, "x", 1, 0666, err), PT_EIO);
	assert_non_null(strstr(err, path));
	assert_non_null(strstr(err, strerror(ENOENT)));
	/* a folder in the way: the rename fails, the folder and its file stay */
	path_of(dir, sizeof(dir), "adir");
	assert_int_equal(mkdir(dir, 0755), 0);
	path_of(inner, sizeof(inner), "adir/keep");
	assert_int_equal(pt_write_atomic(inner, "keep\n", 5, 0666, err), 0);
	assert_int_equal(pt_write_atomic(dir, "x", 1, 0666, err), PT_EIO);
	assert_int_equal(lstat(dir, &st), 0);
	assert_true(S_ISDIR(st.st_mode));
	assert_int_equal(slurp(inner, buf, sizeof(buf)), 5);
	assert_int_equal(temp_files(), 0);
	/* a path too long for a temporary name beside it (the message, cut at
	 * PT_ERRSZ, starts with the path) */
	longpath = malloc(PATH_MAX + 1);
	assert_non_null(longpath);
	memset(longpath, 'x', PATH_MAX);
	longpath[PATH_MAX] = '\0';
	assert_int_equal(pt_write_atomic(longpath, "x", 1, 0666, err), PT_EINVAL);
	assert_int_equal(strncmp(err, longpath, 100), 0);
	free(longpath);
}

/*
 * A write that fails half way (the file size limit, in a child so the limit
 * stays there) leaves the old file whole and no temporary file.
 */
static void test_atomic_write_fails(void **state)
{
	char path[PATH_MAX], buf[256], err[PT_ERRSZ];
	static char big[65536];
	pid_t pid;
	int status;

	(void)state;
	path_of(path, sizeof(path), "old.txt");
	assert_int_equal(pt_write_atomic(path, "the old content\n", 16, 0666, err), 0);
	memset(big, 'n', sizeof(big));
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		struct rlimit rl = {4096, 4096};

		signal(SIGXFSZ, SIG_IGN);	/* write then fails with EFBIG */
		if (setrlimit(RLIMIT_FSIZE, &rl))
			_exit(3);
		if (pt_write_atomic(path, big, sizeof(big), 0666, err) != PT_EIO)
			_exit(1);
		_exit(strstr(err, path) && strstr(err, strerror(EFBIG)) ? 0 : 2);
	}
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 0);
	assert_int_equal(slurp(path, buf, sizeof(buf)), 16);
	assert_string_equal(buf, "the old content\n");
	assert_int_equal(temp_files(), 0);
}

/* Writers racing on one file: every reader sees one version whole. */
#define RACERS 4
#define ROUNDS 50
#define RACE_LEN 8192

static const char *race_path;

static void *racer(void *arg)
{
	char data[RACE_LEN], err[PT_ERRSZ];
	long id = (long)(intptr_t)arg, i;

	memset(data, 'A' + (int)id, sizeof(data));
	for (i = 0; i < ROUNDS; i++)
		if (pt_write_atomic(race_path, data, sizeof(data), 0666, err))
			return (void *)1;
	return NULL;
}

static void test_atomic_threads(void **state)
{
	char path[PATH_MAX], buf[RACE_LEN + 2];
	pthread_t th[RACERS];
	void *res;
	long i, n, k;

	(void)state;
	path_of(path, sizeof(path), "race.txt");
	race_path = path;
	for (i = 0; i < RACERS; i++)
		assert_int_equal(pthread_create(&th[i], NULL, racer, (void *)(intptr_t)i), 0);
	/* read while they write: always one writer's content, never a mix or a part */
	for (k = 0; k < 200; k++) {
		n = slurp(path, buf, sizeof(buf));
		if (n < 0)
			continue;	/* not written yet */
		assert_int_equal(n, RACE_LEN);
		for (i = 1; i < n; i++)
			assert_int_equal(buf[i], buf[0]);
	}
	for (i = 0; i < RACERS; i++) {
		assert_int_equal(pthread_join(th[i], &res), 0);
		assert_null(res);
	}
	assert_int_equal(slurp(path, buf, sizeof(buf)), RACE_LEN);
	assert_int_equal(temp_files(), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_distance_basics),
		cmocka_unit_test(test_distance_case),
		cmocka_unit_test(test_distance_lengths),
		cmocka_unit_test(test_memdupz),
		cmocka_unit_test(test_fmt_cents),
		cmocka_unit_test(test_csv_field),
		cmocka_unit_test(test_atomic_new_and_replace),
		cmocka_unit_test(test_atomic_symlink),
		cmocka_unit_test(test_atomic_failures),
		cmocka_unit_test(test_atomic_write_fails),
		cmocka_unit_test(test_atomic_threads),
	};

	return cmocka_run_group_tests(tests, tmpdir_setup, tmpdir_teardown);
}
