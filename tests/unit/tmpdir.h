/*
 * tmpdir.h - a temporary folder for a group of unit tests (test_util.c,
 * test_tape.c; included, not a test of its own): made with umask 022 by the
 * group setup, removed with everything in it by the group teardown.
 * Needs <cmocka.h>, <limits.h>, <stdio.h>, <stdlib.h>, <sys/stat.h> and
 * <unistd.h> before it.
 */
#ifndef PT_TEST_TMPDIR_H
#define PT_TEST_TMPDIR_H

static char tmpdir[] = "/tmp/pt-test-XXXXXX";

/* The path of name inside the folder, into buf of n bytes. */
static void path_of(char *buf, size_t n, const char *name)
{
	snprintf(buf, n, "%s/%s", tmpdir, name);
}

static int tmpdir_setup(void **state)
{
	(void)state;
	umask(022);
	return mkdtemp(tmpdir) ? 0 : -1;
}

static int tmpdir_teardown(void **state)
{
	char cmd[PATH_MAX + 16];

	(void)state;
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmpdir);
	return system(cmd) == 0 ? 0 : -1;
}

#endif
