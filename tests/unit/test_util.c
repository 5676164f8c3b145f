/*
 * test_util.c - unit tests of util/ (under everything in DESIGN.md §1): the
 * edit distance behind every "did you mean" (util.h).
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "util/util.h"

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

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_distance_basics),
		cmocka_unit_test(test_distance_case),
		cmocka_unit_test(test_distance_lengths),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
