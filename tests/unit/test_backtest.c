/*
 * test_backtest.c - the in-memory replay (src/backtest.h): no look-ahead
 * through the whole stack (session_plan, the provider, session_step,
 * engine_step) — the same backtest over a sim whose every draw after day D
 * is changed makes the same decisions and bookings up to D and different
 * ones after; the stop flag ends the replay where it is raised; the
 * identities hold at the end; a replay is deterministic.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "backtest.h"
#include "book/book.h"
#include "config.h"
#include "market/calendar.h"
#include "market/provider.h"
#include "sweep.h"
#include "util/date.h"
#include "util/util.h"

static int D(const char *s)
{
	int d;

	assert_int_equal(date_parse(s, &d), 0);
	return d;
}

static void run(struct config *c, int from, int to, struct bt_result *r)
{
	struct session_err e;
	struct provider *p;
	char err[PT_ERRSZ];

	p = provider_new(c, NULL, err);
	assert_non_null(p);
	if (bt_run(c, p, from, to, NULL, NULL, NULL, r, &e))
		fail_msg("%s: %s", e.what, e.why);
	provider_free(p);
}

/* Ledger rows of sessions up to day: how many. */
static size_t rows_through(const struct portfolio *pf, int day)
{
	size_t n = 0;

	while (n < pf->n_ledger && pf->ledger[n].session <= day)
		n++;
	return n;
}

static void test_no_lookahead(void **state)
{
	struct config c;
	struct bt_result a, b;
	int from = D("2023-01-03"), cut = D("2023-09-15"), to = D("2023-12-29");
	size_t i, na, nb, snaps = 0;
	int later_differs = 0;

	(void)state;
	config_defaults(&c);
	run(&c, from, to, &a);
	c.sim_perturb_after = cut;
	run(&c, from, to, &b);

	/* every booking up to the cut is the same, row for row */
	na = rows_through(&a.pf, cut);
	nb = rows_through(&b.pf, cut);
	assert_true(na > 50);
	assert_int_equal(na, nb);
	for (i = 0; i < na; i++) {
		assert_int_equal(a.pf.ledger[i].cents, b.pf.ledger[i].cents);
		assert_string_equal(a.pf.ledger[i].kind, b.pf.ledger[i].kind);
		assert_string_equal(a.pf.ledger[i].memo, b.pf.ledger[i].memo);
		assert_int_equal(a.pf.ledger[i].position_id, b.pf.ledger[i].position_id);
	}
	/* every position opened up to the cut, opened the same way */
	for (i = 0; i < a.pf.n_pos && a.pf.pos[i].opened <= cut; i++) {
		assert_true(i < b.pf.n_pos);
		assert_int_equal(a.pf.pos[i].opened, b.pf.pos[i].opened);
		assert_true(a.pf.pos[i].strike == b.pf.pos[i].strike);
		assert_true(a.pf.pos[i].quantity == b.pf.pos[i].quantity);
		assert_true(a.pf.pos[i].entry_price == b.pf.pos[i].entry_price);
	}
	/* every snapshot up to the cut */
	for (i = 0; i < a.pf.n_snaps && a.pf.snaps[i].session <= cut; i++) {
		assert_int_equal(a.pf.snaps[i].value_cents, b.pf.snaps[i].value_cents);
		assert_int_equal(a.pf.snaps[i].margin_cents, b.pf.snaps[i].margin_cents);
		snaps++;
	}
	assert_int_equal(snaps, (size_t)cal_count_sessions(from, cut));
	/* and the perturbation is real: something after the cut differs */
	for (; i < a.pf.n_snaps && i < b.pf.n_snaps; i++)
		later_differs |= a.pf.snaps[i].value_cents != b.pf.snaps[i].value_cents;
	assert_true(later_differs);
	bt_release(&a);
	bt_release(&b);
}

struct stopper {
	int at;
	volatile int flag;
};

static void stop_at(int done, int total, void *arg)
{
	struct stopper *s = arg;

	(void)total;
	if (done == s->at)
		s->flag = 1;
}

static void test_stop_and_counts(void **state)
{
	struct config c;
	struct bt_result r;
	struct session_err e;
	struct stopper s = {10, 0};
	struct provider *p;
	char err[PT_ERRSZ];
	int from = D("2024-01-01"), to = D("2024-03-28");

	(void)state;
	config_defaults(&c);
	p = provider_new(&c, NULL, err);
	assert_non_null(p);
	assert_int_equal(bt_run(&c, p, from, to, stop_at, &s, &s.flag, &r, &e), 0);
	assert_int_equal(r.sessions, 10);
	assert_int_equal(r.pf.n_snaps, 10);
	assert_int_equal(r.pf.start, D("2024-01-02")); /* the first session of the range */
	assert_int_equal(book_check(&r.pf, err), 0);
	bt_release(&r);

	/* the whole range: every session, one snapshot each, identities hold */
	assert_int_equal(bt_run(&c, p, from, to, NULL, NULL, NULL, &r, &e), 0);
	assert_int_equal(r.sessions, cal_count_sessions(from, to));
	assert_int_equal(r.pf.n_snaps, (size_t)r.sessions);
	assert_int_equal(r.pf.last_session, D("2024-03-28"));
	assert_int_equal(book_check(&r.pf, err), 0);
	assert_true(r.options_quoted > 0);
	bt_release(&r);
	provider_free(p);
}

static void test_deterministic(void **state)
{
	struct config c;
	struct bt_result a, b;
	size_t i;

	(void)state;
	config_defaults(&c);
	run(&c, D("2022-06-01"), D("2022-12-30"), &a);
	run(&c, D("2022-06-01"), D("2022-12-30"), &b);
	assert_int_equal(a.pf.n_ledger, b.pf.n_ledger);
	for (i = 0; i < a.pf.n_ledger; i++)
		assert_int_equal(a.pf.ledger[i].cents, b.pf.ledger[i].cents);
	assert_int_equal(a.n_trades, b.n_trades);
	assert_int_equal(a.n_calls, b.n_calls);
	assert_int_equal(a.pf.cash_cents, b.pf.cash_cents);
	bt_release(&a);
	bt_release(&b);
}

/* book_check_since says what book_check says, reading only what changed:
 * a row appended since its last call, a position still open then. */
static void test_check_since(void **state)
{
	struct config c;
	struct bt_result r;
	char err[PT_ERRSZ];
	size_t i;

	(void)state;
	config_defaults(&c);
	run(&c, D("2024-01-02"), D("2024-06-28"), &r);
	assert_true(r.pf.n_pos > 3);
	assert_int_equal(book_check(&r.pf, err), 0);
	assert_int_equal(book_check_since(&r.pf, err), 0);
	assert_int_equal(r.pf.chk_ledger, r.pf.n_ledger);
	/* a row appended without its cash: both see it, by the cent */
	book_post(&r.pf, r.pf.last_session, 0, "interest", 1, "test");
	r.pf.cash_cents -= 1;
	assert_int_not_equal(book_check(&r.pf, err), 0);
	assert_int_not_equal(book_check_since(&r.pf, err), 0);
	assert_non_null(strstr(err, "off by -1 cents"));
	r.pf.cash_cents += 1;
	r.pf.income_cents += 1;
	assert_int_equal(book_check_since(&r.pf, err), 0);
	/* the last position (open, or closed after the first open one) changed */
	i = r.pf.n_pos - 1;
	assert_true(i >= r.pf.chk_pos);
	r.pf.pos[i].credit_cents += 1;
	assert_int_not_equal(book_check(&r.pf, err), 0);
	assert_int_not_equal(book_check_since(&r.pf, err), 0);
	r.pf.pos[i].credit_cents -= 1;
	assert_int_equal(book_check_since(&r.pf, err), 0);
	/* a ledger cut shorter than what was checked: checked again whole */
	r.pf.cash_cents -= r.pf.ledger[r.pf.n_ledger - 1].cents;
	r.pf.income_cents -= r.pf.ledger[r.pf.n_ledger - 1].cents;
	r.pf.n_ledger--;
	assert_int_equal(book_check(&r.pf, err), 0);
	assert_int_equal(book_check_since(&r.pf, err), 0);
	bt_release(&r);
}

/* The grid: mixed radix, the last axis fastest; values at their bounds. */
static void test_sweep_grid(void **state)
{
	struct config c;
	struct sweep_grid g;
	char err[PT_ERRSZ];

	(void)state;
	config_defaults(&c);
	memset(&g, 0, sizeof(g));
	assert_int_equal(sweep_grid_add(&g, &c, "iv_edge=0.01:0.03:0.01", err), 0);
	assert_int_equal(sweep_grid_add(&g, &c, "target_dte=30,45", err), 0);
	assert_int_equal(g.n_combos, 6);
	assert_string_equal(sweep_value(&g, 0, 0), "0.01");
	assert_string_equal(sweep_value(&g, 0, 1), "30");
	assert_string_equal(sweep_value(&g, 1, 0), "0.01");
	assert_string_equal(sweep_value(&g, 1, 1), "45");
	assert_string_equal(sweep_value(&g, 5, 0), "0.03");
	assert_string_equal(sweep_value(&g, 5, 1), "45");
	assert_int_not_equal(sweep_grid_add(&g, &c, "iv_edge=0.04", err), 0);
	assert_non_null(strstr(err, "swept twice"));
	assert_int_not_equal(sweep_grid_add(&g, &c, "seed=1,2", err), 0);
	assert_int_equal(g.n_combos, 6);
	sweep_grid_release(&g);
	/* 0.1:0.3:0.1 has 3 values though 0.1 + 2 x 0.1 > 0.3 in binary */
	assert_int_equal(sweep_grid_add(&g, &c, "price_edge=0.1:0.3:0.1", err), 0);
	assert_int_equal(g.axis[0].n, 3);
	assert_string_equal(g.axis[0].val[2], "0.3");
	sweep_grid_release(&g);
	assert_int_equal(sweep_grid_add(&g, &c, "price_edge=0.1:0.2999:0.1", err), 0);
	assert_int_equal(g.axis[0].n, 2);
	sweep_grid_release(&g);
}

/* Every row is its combination's own backtest, whatever the threads, and
 * whichever combinations ran beside it. */
static void test_sweep_rows(void **state)
{
	struct config c, one;
	struct sweep_grid g;
	struct sweep_result a, b, part;
	struct bt_market m = {0};
	struct session_err e;
	struct provider *p;
	char err[PT_ERRSZ];
	int from = D("2024-01-02"), to = D("2024-04-30");

	(void)state;
	config_defaults(&c);
	memset(&g, 0, sizeof(g));
	assert_int_equal(sweep_grid_add(&g, &c, "iv_edge=0.02,0.05", err), 0);
	assert_int_equal(sweep_grid_add(&g, &c, "target_dte=30,60", err), 0);
	p = provider_new(&c, NULL, err);
	assert_non_null(p);
	m.prov = p;
	assert_int_equal(sweep_run(&g, &c, &m, from, to, 0, 0, 4, 1, NULL, NULL, NULL, &a, &e), 0);
	assert_int_equal(sweep_run(&g, &c, &m, from, to, 0, 0, 4, 3, NULL, NULL, NULL, &b, &e), 0);
	assert_int_equal(a.n_rows, 4);
	assert_memory_equal(a.rows, b.rows, 4 * sizeof(*a.rows));
	assert_memory_equal(a.ret, b.ret, 4 * a.n_ret * sizeof(*a.ret));
	/* combination 3 alone (first = 2, n = 1): the same row */
	assert_int_equal(sweep_run(&g, &c, &m, from, to, 0, 2, 1, 2, NULL, NULL, NULL, &part, &e),
			 0);
	assert_memory_equal(&part.rows[0], &a.rows[2], sizeof(*a.rows));
	for (size_t i = 0; i < 4; i++) {
		struct bt_result r;

		assert_int_equal(sweep_config(&g, &c, i, &one, err), 0);
		run(&one, from, to, &r);
		assert_true(a.rows[i].full[SW_FINAL_VALUE] ==
			    (double)r.pf.snaps[r.pf.n_snaps - 1].value_cents / 100.0);
		assert_int_equal(a.rows[i].trades, (int64_t)r.n_trades);
		assert_int_equal(a.rows[i].margin_calls, (int64_t)r.n_calls);
		bt_release(&r);
	}
	sweep_release(&a);
	sweep_release(&b);
	sweep_release(&part);
	sweep_grid_release(&g);
	provider_free(p);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_no_lookahead),  cmocka_unit_test(test_stop_and_counts),
		cmocka_unit_test(test_deterministic), cmocka_unit_test(test_check_since),
		cmocka_unit_test(test_sweep_grid),    cmocka_unit_test(test_sweep_rows),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
