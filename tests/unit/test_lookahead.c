/*
 * test_lookahead.c - no look-ahead, end to end (DESIGN.md §1, "Rules that
 * keep this honest"): the engine run over the simulated market, and over the
 * same market with every draw after day D changed, makes identical
 * decisions and bookings for every session up to D — and different ones
 * after, so the perturbation is real. Also checks the ledger identities after
 * every session of the first half of 2024.
 */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "book/book.h"
#include "config.h"
#include "engine.h"
#include "market/calendar.h"
#include "market/sim.h"
#include "util/date.h"
#include "util/util.h"

static int step(struct sim *s, struct portfolio *pf, const struct config *c, int session)
{
	const char *t[] = {"SPY", "VOO", "VTI", "QQQ"};
	struct market_view v;
	struct engine_day day;
	char err[PT_ERRSZ];
	int rc;

	memset(&v, 0, sizeof(v));
	assert_int_equal(sim_load(s, session, t, 4, session - 200, &v, err), 0);
	v.session = session;
	rc = engine_step(pf, &v, c, &day, err);
	if (rc)
		fail_msg("%s", err);
	rc = (int)day.n_trades;
	engine_day_release(&day);
	mv_release(&v);
	return rc;
}

/* memcmp of n bytes; an empty book's arrays may be NULL (memcmp(NULL, ..., 0)
 * is undefined). */
static int same_bytes(const void *x, const void *y, size_t n)
{
	return n == 0 || !memcmp(x, y, n);
}

static int same_book(const struct portfolio *a, const struct portfolio *b)
{
	return a->n_ledger == b->n_ledger && a->n_pos == b->n_pos && a->n_snaps == b->n_snaps &&
	       a->cash_cents == b->cash_cents &&
	       same_bytes(a->ledger, b->ledger, a->n_ledger * sizeof(*a->ledger)) &&
	       same_bytes(a->snaps, b->snaps, a->n_snaps * sizeof(*a->snaps));
}

static void test_no_lookahead(void **state)
{
	int D = date_from_ymd(2024, 5, 15), end = date_from_ymd(2024, 8, 30), s, trades = 0;
	int differs = 0;
	struct sim *a = sim_new(20240101, 0), *b = sim_new(20240101, D);
	struct portfolio pa, pb;
	struct config c;
	char err[PT_ERRSZ];

	(void)state;
	config_defaults(&c);
	book_init(&pa, c.initial_capital_cents);
	book_init(&pb, c.initial_capital_cents);
	for (s = date_from_ymd(2024, 1, 2); s > 0 && s <= end; s = cal_next_session(s)) {
		trades += step(a, &pa, &c, s);
		step(b, &pb, &c, s);
		if (book_check(&pa, err))
			fail_msg("identities after %d: %s", s, err);
		if (s <= D)
			assert_true(same_book(&pa, &pb));
		else
			differs |= !same_book(&pa, &pb);
	}
	assert_true(trades > 0);
	assert_true(differs);
	book_release(&pa);
	book_release(&pb);
	sim_free(a);
	sim_free(b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_no_lookahead),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
