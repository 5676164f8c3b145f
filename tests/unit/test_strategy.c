/*
 * test_strategy.c - the strategy table as a plug-in point (issue 8): a
 * throwaway strategy defined here, through its ops table alone, runs a
 * session through the session layer on the simulated market - its plan
 * reaches the request, its order is sized and filled by the engine, its
 * own rule names reach the report, and the ledger identities hold - and
 * the two built-in strategies run side by side with their shares.
 */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "book/book.h"
#include "config.h"
#include "market/provider.h"
#include "report/report.h"
#include "session.h"
#include "strategy/strategy.h"
#include "util/date.h"
#include "util/util.h"

/* The throwaway: on the expiration nearest toy_days, sell the put whose
 * strike is nearest 90% of spot, every time; rules of its own. */
static const struct strategy_key toy_keys[] = {
	{"toy_days", SKEY_LONG, 0, 1, 365, NULL, "45", "Days to the toy's expiration."},
};
static const char *const toy_rules[] = {"qualified", "not the one"};
static int toy_planned;

static size_t toy_plan(const struct strategy_in *in, long *days)
{
	toy_planned++;
	days[0] = (long)in->p->v[0];
	return 1;
}

static void toy_scan(const struct strategy_in *in, const struct ticker_view *tv,
		     const struct market_view *v, struct scan_ticker *out)
{
	size_t i, cap = 0;
	double best = INFINITY;

	if (strategy_scan_start(in, tv, v, (long)in->p->v[0], out))
		return;
	for (i = 0; i < tv->n_opts; i++) {
		struct scan_contract *c;
		if (tv->opts[i].expiry != out->expiry || tv->opts[i].right != 'P')
			continue;
		c = strategy_add_contract(out, &cap, &tv->opts[i]);
		c->rule = 1;
		if (fabs(c->strike - 0.9 * out->spot) < best) {
			best = fabs(c->strike - 0.9 * out->spot);
			out->best = (int)(c - out->c);
		}
	}
	assert_true(out->best >= 0);
	out->c[out->best].rule = 0;
	for (i = 0; i < out->n; i++)
		out->counts[out->c[i].rule]++;
	strategy_sell_one(out, "strike nearest 90% of spot");
}

static const struct strategy toy = {
	.name = "toy",
	.summary = "a test's throwaway",
	.keys = toy_keys,
	.n_keys = 1,
	.rules = toy_rules,
	.n_rules = 2,
	.contracts = "puts",
	.plan = toy_plan,
	.scan = toy_scan,
};

/* A second throwaway, with orders of two legs: toy's put, bought back
 * below by the next lower strike listed (a vertical put credit spread). */
static void spread_scan(const struct strategy_in *in, const struct ticker_view *tv,
			const struct market_view *v, struct scan_ticker *out)
{
	const struct scan_contract *lo = NULL;
	struct order_leg *l;
	size_t i;

	toy_scan(in, tv, v, out);
	for (i = 0; i < out->n; i++)
		if (out->c[i].strike < out->c[out->best].strike &&
		    (!lo || out->c[i].strike > lo->strike))
			lo = &out->c[i];
	assert_non_null(lo);
	l = &out->order.leg[out->order.n_legs++];
	l->right = 'P';
	l->strike = lo->strike;
	l->expiry = out->expiry;
	l->ratio = 1;
	l->price = lo->ask;
	l->close_price = lo->bid;
	l->iv = NAN;
	l->theo = lo->theo;
}

static void sim_config(struct config *c, const char *const *pairs, size_t n)
{
	char err[PT_ERRSZ];

	config_defaults(c);
	assert_int_equal(config_set_pairs(c, pairs, n, err), 0);
}

/* Plans and steps session on the sim for a fresh portfolio of c's capital:
 * plan, v and day are the caller's to release, with pf. */
static void sim_day(const struct config *c, int session, struct portfolio *pf,
		    struct session_plan *plan, struct market_view *v, struct engine_day *day)
{
	struct provider *prov;
	struct session_err e;
	char err[PT_ERRSZ];

	book_init(pf, c->initial_capital_cents);
	session_plan(pf, c, session, 0, plan);
	prov = provider_new(c, NULL, err);
	assert_non_null(prov);
	if (session_step(pf, prov, plan, c, v, day, &e))
		fail_msg("%s: %s", e.what, e.why);
	provider_free(prov);
	assert_int_equal(book_check(pf, err), 0);
}

static void test_throwaway_strategy_runs_a_session(void **state)
{
	static const char *const pairs[] = {"tickers=SPY", "initial_capital=100000",
					    "sizing=margin", "risk_free_rate=0.04"};
	struct config c;
	struct portfolio pf;
	struct session_plan plan;
	struct market_view v;
	struct engine_day day;
	struct report_in in;
	struct sbuf text;
	size_t i, nearest = 0;

	(void)state;
	sim_config(&c, pairs, PT_ARRAY_SIZE(pairs));
	/* the table entry: the strategy and its keys' defaults */
	c.strat[0] = &toy;
	c.share[0] = 1;
	c.n_strat = 1;
	strategy_defaults(&toy, &c.sel[0]);
	assert_true(c.sel[0].v[0] == 45);

	sim_day(&c, date_from_ymd(2024, 3, 1), &pf, &plan, &v, &day);
	assert_int_equal(toy_planned, 1);
	for (i = 0; i < plan.n_want; i++)
		nearest += plan.want[i].expiry == 0 && plan.want[i].days == 45 &&
			   !plan.want[i].ticker[0];
	assert_int_equal(nearest, 1);
	assert_int_equal(day.n_scans, 1);
	assert_ptr_equal(day.scans[0].strat, &toy);
	if (day.n_trades != 1)
		fail_msg("no trade: %s", day.scans[0].skip);
	assert_int_equal(day.trades[0].right, 'P');
	assert_true(day.trades[0].quantity < 0);
	assert_true(fabs(day.trades[0].strike - 0.9 * day.scans[0].spot) <
		    0.06 * day.scans[0].spot);
	assert_int_equal(day.scans[0].expiry, day.trades[0].expiry);
	assert_true(abs(day.scans[0].dte - 45) <= 7);
	/* cash-secured (short_puts = secured): margin = (strike - ask) x 100 x q */
	assert_int_equal(day.snap.margin_cents,
			 book_margin_cents('P', pf.pos[0].quantity, pf.pos[0].strike, 0,
					   pf.pos[0].mark, 0, 0, BOOK_SECURED));

	/* the report speaks the toy's words */
	memset(&in, 0, sizeof(in));
	in.pf = &pf;
	in.day = &day;
	in.cfg = &c;
	in.provider = "sim";
	sb_init(&text, 1u << 20);
	report_run_text(&in, &text);
	assert_non_null(strstr(sb_str(&text), "Puts looked at: "));
	assert_non_null(strstr(sb_str(&text), "failed not the one"));
	assert_non_null(strstr(sb_str(&text), "TRADE EXECUTED: SELL "));
	assert_non_null(strstr(sb_str(&text), " put "));
	sb_release(&text);
	engine_day_release(&day);
	mv_release(&v);
	session_plan_release(&plan);
	book_release(&pf);
}

/* volarb and csp side by side: each ticker is scanned by each, in order;
 * each one's allocation is its share of the capital, and its positions count
 * against max_positions_per_ticker apart from the other's (1 each here). */
static void test_two_strategies_share_the_capital(void **state)
{
	static const char *const pairs[] = {
		"tickers=SPY,QQQ", "strategies=csp:1,volarb:3", "max_positions_per_ticker=1",
		"sizing=margin",   "initial_capital=100000",	"risk_free_rate=0.04",
		"csp_iv_edge=-1",  "csp_price_edge=-1",		"iv_edge=-1",
		"price_edge=-1"};
	struct config c;
	struct portfolio pf;
	struct session_plan plan;
	struct market_view v;
	struct engine_day day;
	size_t i;

	(void)state;
	sim_config(&c, pairs, PT_ARRAY_SIZE(pairs));
	assert_int_equal(c.n_strat, 2);
	sim_day(&c, date_from_ymd(2024, 3, 1), &pf, &plan, &v, &day);
	assert_int_equal(day.n_scans, 4);
	assert_string_equal(day.scans[0].strat->name, "csp");
	assert_string_equal(day.scans[1].strat->name, "csp");
	assert_string_equal(day.scans[2].strat->name, "volarb");
	assert_string_equal(day.scans[1].symbol, "QQQ");
	assert_int_equal(day.n_trades, 4);
	for (i = 0; i < day.n_trades; i++) {
		/* margin sizing: each trade ties up about 5% of its allocation
		 * (25,000 / 2 tickers for csp, 75,000 / 2 for volarb) */
		double alloc = (i < 2 ? 25000.0 : 75000.0) / 2;
		assert_int_equal(day.trades[i].right, i < 2 ? 'P' : 'C');
		assert_string_equal(pf.pos[i].strategy, i < 2 ? "csp" : "volarb");
		assert_true(day.trades[i].margin_cents <= pt_cents(0.05 * alloc * 1.05));
		assert_true(day.trades[i].margin_cents >= pt_cents(0.05 * alloc * 0.90));
	}
	engine_day_release(&day);
	mv_release(&v);
	session_plan_release(&plan);
	book_release(&pf);
}

/* An order of two legs is sized, checked and filled like one of one: a
 * short and a long put of the same expiry, margined as a vertical (the
 * width less the credit), the ledger whole. */
static void test_two_leg_order(void **state)
{
	static struct strategy spread;
	static const char *const pairs[] = {"tickers=SPY", "initial_capital=100000",
					    "sizing=margin", "risk_free_rate=0.04"};
	struct config c;
	struct portfolio pf;
	struct session_plan plan;
	struct market_view v;
	struct engine_day day;
	const struct position *sp, *lp;
	double q;

	(void)state;
	/* the toy with a scan of its own: one more table entry */
	spread = toy;
	spread.name = "spread";
	spread.scan = spread_scan;
	sim_config(&c, pairs, PT_ARRAY_SIZE(pairs));
	c.strat[0] = &spread;
	c.share[0] = 1;
	c.n_strat = 1;
	strategy_defaults(&spread, &c.sel[0]);
	sim_day(&c, date_from_ymd(2024, 3, 1), &pf, &plan, &v, &day);
	if (day.n_trades != 2)
		fail_msg("want 2 legs traded: %s", day.scans[0].skip);
	sp = &pf.pos[pf.n_pos - 2];
	lp = &pf.pos[pf.n_pos - 1];
	q = -sp->quantity;
	assert_true(q > 0 && lp->quantity == q);
	assert_true(sp->right == 'P' && lp->right == 'P' && lp->strike < sp->strike);
	assert_int_equal(sp->expiry, lp->expiry);
	assert_string_equal(lp->strategy, "spread");
	/* the order's margin at the fill's cost to close, and the day's */
	assert_int_equal(day.trades[0].margin_cents,
			 book_spread_margin_cents(q, sp->strike, lp->strike, sp->mark, lp->mark));
	assert_int_equal(day.trades[1].margin_cents, 0);
	assert_int_equal(day.snap.margin_cents, day.trades[0].margin_cents);
	/* margin sizing: about 5% of the 100,000 allocation, per spread */
	assert_true(day.trades[0].margin_cents <= pt_cents(5000 * 1.05));
	assert_true(day.trades[0].margin_cents >= pt_cents(5000 * 0.90));
	/* each leg's premium: sold at the bid, bought at the ask */
	assert_true(day.trades[0].premium_cents > 0 && day.trades[1].premium_cents < 0);
	engine_day_release(&day);
	mv_release(&v);
	session_plan_release(&plan);
	book_release(&pf);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_throwaway_strategy_runs_a_session),
		cmocka_unit_test(test_two_strategies_share_the_capital),
		cmocka_unit_test(test_two_leg_order),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
