/*
 * test_engine.c - the book and the daily step on hand-built market views
 * (DESIGN.md §1 steps 1-6, errata 1, 2, 3 and 5): first session and
 * benchmarks, the entry rules, sizing modes, margin and buying power,
 * settlement at intrinsic value, marks, dividends, the ledger identities,
 * determinism and refusal to run a session twice.
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
#include "engine.h"
#include "market/calendar.h"
#include "quant/bs.h"
#include "report/metrics.h"
#include "util/date.h"
#include "util/util.h"

#define D(y, m, d) date_from_ymd(y, m, d)

/* A ticker with 60 sessions of closes before `session` alternating +-1% log
 * returns around `spot` (HV30 = 0.01 x sqrt(252) x sqrt(30/29)). */
static void add_ticker(struct market_view *v, const char *sym, double spot)
{
	struct ticker_view *t;
	int day = v->session, i, n = 60;

	v->tickers = xrealloc(v->tickers, (v->n_tickers + 1) * sizeof(*v->tickers));
	t = &v->tickers[v->n_tickers++];
	memset(t, 0, sizeof(*t));
	pt_strlcpy(t->symbol, sym, sizeof(t->symbol));
	pt_strlcpy(t->source, "test", sizeof(t->source));
	t->ok = 1;
	t->spot = spot;
	t->bars = xcalloc((size_t)n, sizeof(*t->bars));
	t->n_bars = (size_t)n;
	for (i = n - 1; i >= 0; i--) {
		day = cal_prev_session(day);
		t->bars[i].date = day;
		t->bars[i].close = spot * exp((i % 2) ? 0.0 : 0.01);
		t->bars[i].open = t->bars[i].high = t->bars[i].low = t->bars[i].close;
	}
}

static struct option_quote *add_option(struct ticker_view *t, int expiry, double strike,
				       double bid, double ask, int64_t volume)
{
	struct option_quote *o;

	t->opts = xrealloc(t->opts, (t->n_opts + 1) * sizeof(*t->opts));
	o = &t->opts[t->n_opts++];
	memset(o, 0, sizeof(*o));
	o->expiry = expiry;
	o->strike = strike;
	o->right = 'C';
	o->bid = bid;
	o->ask = ask;
	o->last = NAN;
	o->volume = volume;
	o->open_interest = 1000;
	o->vendor_iv = NAN;
	return o;
}

static void make_view(struct market_view *v, int session)
{
	memset(v, 0, sizeof(*v));
	v->session = session;
	v->rate = 0.04;
	assert_int_equal(cal_ny_to_epoch(session, 9 * 60 + 35, &v->asof), 0);
}

static double call_at(const struct market_view *v, double S, double K, int expiry, double vol)
{
	return bs_price('C', S, K, cal_year_frac(v->asof, expiry), v->rate, 0, vol);
}

/* SPY at 500 with a chain on the expiration nearest 30 days: one call that
 * meets every rule (530, priced at 25% vol), and one failing each rule. */
static int spy_chain(struct market_view *v, double spot)
{
	struct ticker_view *t;
	int expiry = cal_next_expiration(v->session + 30);
	double p;

	add_ticker(v, "SPY", spot);
	t = &v->tickers[v->n_tickers - 1];
	p = call_at(v, spot, 530, expiry, 0.25);
	add_option(t, expiry, 530, floor(p * 100) / 100, ceil(p * 100) / 100 + 0.05, 100);
	p = call_at(v, spot, 526, expiry, 0.25);
	add_option(t, expiry, 526, floor(p * 100) / 100, ceil(p * 100) / 100 + 0.05, 5); /* volume */
	p = call_at(v, spot, 540, expiry, 0.17);
	add_option(t, expiry, 540, floor(p * 100) / 100, ceil(p * 100) / 100 + 0.05, 100); /* iv edge */
	add_option(t, expiry, 600, 0.05, 0.10, 100);				/* moneyness */
	add_option(t, expiry, 505, 3.0, 2.0, 100);				/* crossed */
	/* a far expiration that must not be chosen */
	add_option(t, expiry + 63, 530, 9.0, 9.5, 100);
	return expiry;
}

static void cfg_one(struct config *c)
{
	config_defaults(c);
	c->n_tickers = 1;
	pt_strlcpy(c->tickers[0], "SPY", sizeof(c->tickers[0]));
	c->risk_free_rate = NAN;
}

/* The brief's sizing alone: no per-trade caps, no interest on cash. */
static void cfg_plain(struct config *c)
{
	cfg_one(c);
	c->max_trade_requirement = 1;
	c->max_stress_loss = 1;
	c->cash_interest = 0;
}

static void check_identities(const struct portfolio *pf)
{
	char err[PT_ERRSZ];
	int rc = book_check(pf, err);

	if (rc)
		fail_msg("%s", err);
}

static void test_first_session_trades_by_the_rules(void **state)
{
	struct market_view v;
	struct portfolio pf;
	struct engine_day day;
	struct config c;
	char err[PT_ERRSZ];
	int session = D(2024, 3, 1), expiry;
	const struct position *p;
	double contracts;

	(void)state;
	cfg_plain(&c);
	make_view(&v, session);
	expiry = spy_chain(&v, 500);
	book_init(&pf, 100000);
	assert_int_equal(engine_step(&pf, &v, &c, &day, err), 0);
	check_identities(&pf);

	assert_int_equal(pf.start, session);
	assert_int_equal(pf.n_bench, 1);
	assert_true(fabs(pf.bench[0].shares - 2.0) < 1e-12);
	assert_int_equal(day.n_scans, 1);
	assert_int_equal(day.scans[0].expiry, expiry);
	assert_int_equal(day.scans[0].counts[RICH_QUALIFIED], 1);
	assert_int_equal(day.scans[0].counts[RICH_VOLUME], 1);
	assert_int_equal(day.scans[0].counts[RICH_IV_EDGE], 1);
	assert_int_equal(day.scans[0].counts[RICH_MONEYNESS], 1);
	assert_int_equal(day.scans[0].counts[RICH_BAD_QUOTE], 1);
	assert_int_equal(day.n_trades, 1);
	assert_int_equal(pf.n_pos, 1);
	p = &pf.pos[0];
	assert_true(p->strike == 530 && p->right == 'C' && p->expiry == expiry);
	/* premium sizing: 5% of the 1000 allocation in premium, fractional contracts */
	contracts = floor(50.0 / (p->entry_price * 100.0) * 1e4) / 1e4;
	assert_true(fabs(p->quantity + contracts) < 1e-12);
	assert_int_equal(p->credit_cents,
			 pt_cents(contracts * p->entry_price * 100) - pt_cents(0.65 * contracts));
	/* marked at the cost to close: the ask */
	assert_true(p->mark > p->entry_price);
	assert_int_equal(day.snap.value_cents, day.snap.cash_cents + day.snap.positions_cents);
	assert_true(day.snap.positions_cents < 0);
	assert_true(day.snap.margin_cents > 0);
	engine_day_release(&day);
	mv_release(&v);
	book_release(&pf);
}

static void test_whole_contracts_skip_with_reason(void **state)
{
	struct market_view v;
	struct portfolio pf;
	struct engine_day day;
	struct config c;
	char err[PT_ERRSZ];

	(void)state;
	cfg_plain(&c);
	c.contracts = CONTRACTS_WHOLE;
	make_view(&v, D(2024, 3, 1));
	spy_chain(&v, 500);
	book_init(&pf, 100000);
	assert_int_equal(engine_step(&pf, &v, &c, &day, err), 0);
	assert_int_equal(day.n_trades, 0);
	assert_non_null(strstr(day.scans[0].skip, "needs an allocation"));
	assert_int_equal(pf.cash_cents, 100000);
	check_identities(&pf);
	engine_day_release(&day);
	mv_release(&v);
	book_release(&pf);
}

/* The view of the session after expiry, SPY at 500, with the expiry
 * date's close at `close`. */
static void view_after(struct market_view *w, int expiry, double close)
{
	size_t i;

	make_view(w, cal_next_session(expiry));
	add_ticker(w, "SPY", 500);
	for (i = 0; i < w->tickers[0].n_bars; i++)
		if (w->tickers[0].bars[i].date == expiry)
			w->tickers[0].bars[i].close = close;
}

/* Runs two sessions: the trade, then the session after expiry with the
 * expiry date's close set to `close`. Returns the settled position's pnl. */
static void run_to_expiry(double close, const char *reason, int64_t intrinsic_cents)
{
	struct market_view v, w;
	struct portfolio pf;
	struct engine_day day;
	struct config c;
	char err[PT_ERRSZ];
	int session = D(2024, 3, 1), expiry;
	int64_t credit;
	double qty;

	cfg_plain(&c);
	make_view(&v, session);
	expiry = spy_chain(&v, 500);
	book_init(&pf, 100000);
	assert_int_equal(engine_step(&pf, &v, &c, &day, err), 0);
	engine_day_release(&day);
	assert_int_equal(pf.n_pos, 1);
	credit = pf.pos[0].credit_cents;
	qty = pf.pos[0].quantity;

	view_after(&w, expiry, close);
	assert_int_equal(engine_step(&pf, &w, &c, &day, err), 0);
	assert_int_equal(day.n_settled, 1);
	assert_string_equal(day.settled[0].reason, reason);
	assert_int_equal(pf.pos[0].closed, expiry);
	assert_string_equal(pf.pos[0].reason, reason);
	assert_int_equal(pf.pos[0].close_cents, pt_cents(qty * (double)intrinsic_cents));
	assert_int_equal(book_pnl_cents(&pf.pos[0]), credit + pf.pos[0].close_cents);
	check_identities(&pf);
	engine_day_release(&day);
	mv_release(&v);
	mv_release(&w);
	book_release(&pf);
}

static void test_expired_worthless(void **state)
{
	(void)state;
	run_to_expiry(510.0, "expired", 0);
}

static void test_assigned_in_the_money(void **state)
{
	(void)state;
	run_to_expiry(545.5, "assigned", 1550); /* 15.50 intrinsic per share */
}

/* A short put of 2 contracts at 480 sold on the first session, settled the
 * session after its expiry with the expiry's close at `close`: at its cash
 * equivalent, and with holdings = etf also the 200 shares bought at that
 * close, so strike x 100 x 2 leaves the cash in all. */
static void put_to_expiry(int holdings, double close, const char *reason)
{
	struct market_view v, w;
	struct portfolio pf;
	struct engine_day day;
	struct config c;
	char err[PT_ERRSZ];
	int session = D(2024, 3, 1), expiry = D(2024, 3, 15);
	int64_t cash_before, intrinsic_cents = close < 480 ? pt_cents((480 - close) * 200) : 0;
	double etf_shares;
	size_t n_before;
	struct position *p;

	cfg_plain(&c);
	c.holdings = holdings;
	make_view(&v, session);
	add_ticker(&v, "SPY", 500);
	/* 100,000.00: enough equity to carry the shares (no margin call) */
	book_init(&pf, 10000000);
	assert_int_equal(engine_step(&pf, &v, &c, &day, err), 0);
	engine_day_release(&day);
	etf_shares = book_shares(&pf, "SPY");
	p = book_open(&pf, session, "SPY", 'P', 480, expiry, -2, 3.0, 0.65);
	p->mark = 3.1;
	cash_before = pf.cash_cents;
	n_before = pf.n_pos;

	view_after(&w, expiry, close);
	assert_int_equal(engine_step(&pf, &w, &c, &day, err), 0);
	check_identities(&pf);
	assert_int_equal(day.n_settled, 1);
	assert_string_equal(day.settled[0].reason, reason);
	assert_int_equal(day.settled[0].cents, -intrinsic_cents);
	if (holdings == HOLD_ETF && intrinsic_cents) {
		/* the shares delivered, bought at the close */
		assert_int_equal(pf.n_pos, n_before + 1);
		assert_int_equal(pf.pos[n_before].right, 'S');
		assert_true(pf.pos[n_before].quantity == 200);
		assert_true(pf.pos[n_before].entry_price == close);
		assert_true(book_shares(&pf, "SPY") == etf_shares + 200);
		assert_int_equal(pf.cash_cents, cash_before - pt_cents(480 * 200.0));
	} else {
		assert_int_equal(pf.n_pos, n_before);
		assert_int_equal(pf.cash_cents, cash_before - intrinsic_cents);
	}
	engine_day_release(&day);
	mv_release(&v);
	mv_release(&w);
	book_release(&pf);
}

static void test_put_settlement(void **state)
{
	(void)state;
	put_to_expiry(HOLD_CASH, 470.0, "assigned");
	put_to_expiry(HOLD_CASH, 480.0, "expired");	/* at the strike: worthless */
	put_to_expiry(HOLD_CASH, 479.99, "assigned");	/* a cent inside */
	put_to_expiry(HOLD_ETF, 470.0, "assigned");
	put_to_expiry(HOLD_ETF, 479.99, "assigned");
	put_to_expiry(HOLD_ETF, 480.0, "expired");
}

static void test_max_positions_and_rerun(void **state)
{
	struct market_view v, w, x;
	struct portfolio pf, copy;
	struct engine_day day;
	struct config c;
	char err[PT_ERRSZ];
	int s1 = D(2024, 3, 1), s2 = cal_next_session(s1), s3 = cal_next_session(s2);

	(void)state;
	cfg_one(&c);
	c.max_positions_per_ticker = 1;
	book_init(&pf, 100000);
	make_view(&v, s1);
	spy_chain(&v, 500);
	assert_int_equal(engine_step(&pf, &v, &c, &day, err), 0);
	engine_day_release(&day);
	make_view(&w, s2);
	spy_chain(&w, 500);
	assert_int_equal(engine_step(&pf, &w, &c, &day, err), 0);
	assert_int_equal(day.n_trades, 0);
	assert_non_null(strstr(day.scans[0].skip, "max 1"));
	engine_day_release(&day);

	/* the same session again, or an earlier one, is refused and changes nothing */
	book_copy(&copy, &pf);
	assert_int_equal(engine_step(&pf, &w, &c, &day, err), PT_EINVAL);
	engine_day_release(&day);
	assert_int_equal(engine_step(&pf, &v, &c, &day, err), PT_EINVAL);
	engine_day_release(&day);
	assert_int_equal(pf.n_ledger, copy.n_ledger);
	assert_int_equal(pf.n_snaps, copy.n_snaps);
	assert_int_equal(pf.cash_cents, copy.cash_cents);

	/* a contract missing from the chain is marked by the model */
	make_view(&x, s3);
	add_ticker(&x, "SPY", 500);
	assert_int_equal(engine_step(&pf, &x, &c, &day, err), 0);
	assert_int_equal(day.n_model_marks, 1);
	assert_true(pf.pos[0].mark_model);
	assert_true(pf.pos[0].mark > 0);
	check_identities(&pf);
	engine_day_release(&day);
	mv_release(&v);
	mv_release(&w);
	mv_release(&x);
	book_release(&pf);
	book_release(&copy);
}

static void test_buying_power(void **state)
{
	struct market_view v;
	struct portfolio pf;
	struct engine_day day;
	struct config c;
	char err[PT_ERRSZ];

	(void)state;
	cfg_plain(&c);
	c.sizing = SIZE_MARGIN;
	c.position_pct = 1.0;
	book_init(&pf, 100000);
	/* a portfolio already using most of its equity as margin: 80 a share
	 * of 0.1 contract, 800.00 of 1,000.00 */
	book_open(&pf, D(2024, 2, 1), "SPY", 'C', 520, D(2024, 3, 15), -0.1, 2.0, 0);
	pf.start = pf.last_session = pf.events_through = D(2024, 2, 1);
	pf.n_bench = 1;
	pf.bench = xcalloc(1, sizeof(*pf.bench));
	pt_strlcpy(pf.bench[0].ticker, "SPY", sizeof(pf.bench[0].ticker));
	pf.bench[0].shares = 2;
	pf.pos[0].entry_iv = 0.2;
	make_view(&v, D(2024, 3, 1));
	spy_chain(&v, 500);
	assert_int_equal(engine_step(&pf, &v, &c, &day, err), 0);
	assert_int_equal(day.n_trades, 0);
	assert_non_null(strstr(day.scans[0].skip, "buying power"));
	check_identities(&pf);
	engine_day_release(&day);
	mv_release(&v);
	book_release(&pf);
}

static void test_etf_holdings_covered_and_dividends(void **state)
{
	struct market_view v, w;
	struct portfolio pf;
	struct engine_day day;
	struct config c;
	char err[PT_ERRSZ];
	int s1 = D(2024, 3, 1), s2 = D(2024, 3, 18), ex = D(2024, 3, 15);
	double shares;

	(void)state;
	cfg_one(&c);
	c.holdings = HOLD_ETF;
	c.cash_interest = 0;
	book_init(&pf, 100000);
	make_view(&v, s1);
	spy_chain(&v, 500);
	assert_int_equal(engine_step(&pf, &v, &c, &day, err), 0);
	/* the allocation bought in shares, and a covered call sold on them */
	shares = book_shares(&pf, "SPY");
	assert_true(fabs(shares - 2.0) < 1e-6);
	assert_int_equal(day.n_trades, 1);
	/* the covered call needs nothing; the shares FINRA's 25% */
	assert_int_equal(day.snap.margin_cents, pt_cents(0.25 * shares * 500));
	assert_true(-day.trades[0].quantity * 100 <= shares + 1e-9);
	engine_day_release(&day);

	make_view(&w, s2);
	add_ticker(&w, "SPY", 495);
	w.tickers[0].divs = xcalloc(2, sizeof(*w.tickers[0].divs));
	w.tickers[0].n_divs = 2;
	w.tickers[0].divs[0].ex_date = D(2024, 2, 15); /* before the start: not ours */
	w.tickers[0].divs[0].amount = 1.5;
	w.tickers[0].divs[1].ex_date = ex;
	w.tickers[0].divs[1].amount = 1.75;
	assert_int_equal(engine_step(&pf, &w, &c, &day, err), 0);
	assert_int_equal(day.n_divs, 1);
	assert_int_equal(pf.income_cents, pt_cents(1.75 * shares));
	/* benchmark reinvested at the ex-date's open (500 x e^0.01 or 500 in the test bars) */
	assert_true(pf.bench[0].shares > 2.0);
	check_identities(&pf);
	engine_day_release(&day);
	mv_release(&v);
	mv_release(&w);
	book_release(&pf);
}

/* Errata 10's rule at its boundary: the dividend at which exercising on
 * the eve (S - K) equals holding through the ex-date (C(S - div)), found
 * by bisection; a dividend 1% below it keeps the call, 1% above exercises. */
static void test_early_exercise_boundary(void **state)
{
	double S = 600, K = 530, T = 10.0 / 365, r = 0.04, vol = 0.25, lo = 0, hi = 10, after;
	int i;

	(void)state;
	for (i = 0; i < 200; i++) {
		double mid = 0.5 * (lo + hi);
		if (engine_early_exercise(S, K, T, r, vol, mid, &after))
			hi = mid;
		else
			lo = mid;
	}
	/* at the boundary exercise and holding are worth the same */
	assert_true(fabs(bs_price('C', S - hi, K, T, r, 0, vol) - (S - K)) < 1e-9);
	/* the time value left after the ex-date equals the dividend there */
	assert_true(fabs(bs_price('C', S - hi, K, T, r, 0, vol) - (S - hi - K) - hi) < 1e-9);
	assert_int_equal(engine_early_exercise(S, K, T, r, vol, hi * 0.99, &after), 0);
	assert_true(after > S - K);
	assert_int_equal(engine_early_exercise(S, K, T, r, vol, hi * 1.01, &after), 1);
	assert_true(after < S - K);
	/* out of the money, at the money, no dividend, a dividend above spot: never */
	assert_int_equal(engine_early_exercise(520, K, T, r, vol, 5, &after), 0);
	assert_int_equal(engine_early_exercise(K, K, T, r, vol, 5, &after), 0);
	assert_int_equal(engine_early_exercise(S, K, T, r, vol, 0, &after), 0);
	assert_true(isnan(after));
	assert_int_equal(engine_early_exercise(S, K, T, r, vol, S, &after), 0);
	/* the last day: a call expiring on the ex-date has almost no time value */
	assert_int_equal(engine_early_exercise(S, K, 1.0 / 365, r, vol, 0.2, &after), 1);
}

/*
 * A short 530 call sold on 2024-03-01 (SPY at 500, the call at 25%), and
 * the session of a 2024-03-15 ex-date whose eve (03-14) closed at
 * eve_close, with dividend div: assigned early on the eve, or not.
 */
static void ex_dividend_eve(int holdings, double eve_close, double div, int assigned)
{
	struct market_view v, w;
	struct portfolio pf;
	struct engine_day day;
	struct config c;
	char err[PT_ERRSZ];
	int s1 = D(2024, 3, 1), ex = D(2024, 3, 15), eve = D(2024, 3, 14), expiry;
	int64_t credit, settled, income0;
	double qty, shares;
	size_t i;

	cfg_plain(&c);
	c.holdings = holdings;
	c.liquidate_at = 0; /* a margin call waits a session: the call stays open */
	book_init(&pf, 100000);
	make_view(&v, s1);
	expiry = spy_chain(&v, 500);
	assert_int_equal(engine_step(&pf, &v, &c, &day, err), 0);
	engine_day_release(&day);
	for (i = 0; i < pf.n_pos && pf.pos[i].right != 'C'; i++)
		;
	assert_true(i < pf.n_pos);
	credit = pf.pos[i].credit_cents;
	qty = pf.pos[i].quantity;
	shares = book_shares(&pf, "SPY");
	income0 = pf.income_cents;

	make_view(&w, ex);
	add_ticker(&w, "SPY", eve_close - div);
	assert_int_equal(w.tickers[0].bars[w.tickers[0].n_bars - 1].date, eve);
	w.tickers[0].bars[w.tickers[0].n_bars - 1].close = eve_close;
	w.tickers[0].divs = xcalloc(1, sizeof(*w.tickers[0].divs));
	w.tickers[0].n_divs = 1;
	w.tickers[0].divs[0].ex_date = ex;
	w.tickers[0].divs[0].amount = div;
	assert_int_equal(engine_step(&pf, &w, &c, &day, err), 0);
	check_identities(&pf);
	/* the dividend is booked on the shares held either way */
	assert_int_equal(day.n_divs, 1);
	assert_int_equal(pf.income_cents - income0, pt_cents(div * shares));
	if (!assigned) {
		assert_int_equal(day.n_settled, 0);
		assert_int_equal(pf.pos[i].closed, 0);
		goto out;
	}
	assert_int_equal(day.n_settled, 1);
	assert_string_equal(day.settled[0].reason, "assigned early");
	assert_int_equal(day.settled[0].ex_date, ex);
	assert_true(day.settled[0].dividend == div);
	assert_true(day.settled[0].close == eve_close);
	assert_true(day.settled[0].time_value < div);
	assert_true(day.settled[0].value_after < eve_close - 530);
	/* booked on the eve, at its cash equivalent against the eve's close */
	assert_int_equal(pf.pos[i].closed, eve);
	assert_string_equal(pf.pos[i].reason, "assigned early");
	settled = pt_cents(qty * (eve_close - 530) * 100);
	assert_int_equal(pf.pos[i].close_cents, settled);
	assert_int_equal(book_pnl_cents(&pf.pos[i]), credit + settled);
	/* the shares (holdings = etf) stay, bought back at the eve's close */
	assert_true(book_shares(&pf, "SPY") == shares);
	engine_day_release(&day);
	mv_release(&w);
	/* the expiry comes and goes: nothing is settled twice */
	view_after(&w, expiry, 600);
	assert_int_equal(engine_step(&pf, &w, &c, &day, err), 0);
	assert_int_equal(day.n_settled, 0);
	check_identities(&pf);
out:
	engine_day_release(&day);
	mv_release(&v);
	mv_release(&w);
	book_release(&pf);
}

static void test_early_assignment(void **state)
{
	(void)state;
	ex_dividend_eve(HOLD_CASH, 600, 3.0, 1); /* time value ~1.5 < 3 */
	ex_dividend_eve(HOLD_ETF, 600, 3.0, 1);
	ex_dividend_eve(HOLD_CASH, 600, 0.5, 0); /* the dividend is below the time value */
	ex_dividend_eve(HOLD_CASH, 529, 3.0, 0); /* out of the money on the eve */
	ex_dividend_eve(HOLD_CASH, 533, 3.0, 0); /* in the money, but not after the ex-date */
}

static void test_deterministic(void **state)
{
	struct market_view v;
	struct portfolio a, b;
	struct engine_day da, db;
	struct config c;
	char err[PT_ERRSZ];

	(void)state;
	cfg_one(&c);
	make_view(&v, D(2024, 3, 1));
	spy_chain(&v, 500);
	book_init(&a, 100000);
	book_init(&b, 100000);
	assert_int_equal(engine_step(&a, &v, &c, &da, err), 0);
	assert_int_equal(engine_step(&b, &v, &c, &db, err), 0);
	assert_int_equal(a.n_ledger, b.n_ledger);
	assert_memory_equal(a.ledger, b.ledger, a.n_ledger * sizeof(*a.ledger));
	assert_memory_equal(a.pos, b.pos, a.n_pos * sizeof(*a.pos));
	assert_memory_equal(&da.snap, &db.snap, sizeof(da.snap));
	engine_day_release(&da);
	engine_day_release(&db);
	mv_release(&v);
	book_release(&a);
	book_release(&b);
}

static void test_start_needs_prices(void **state)
{
	struct market_view v;
	struct portfolio pf;
	struct engine_day day;
	struct config c;
	char err[PT_ERRSZ];

	(void)state;
	cfg_one(&c);
	c.n_tickers = 2;
	pt_strlcpy(c.tickers[1], "QQQ", sizeof(c.tickers[1]));
	make_view(&v, D(2024, 3, 1));
	spy_chain(&v, 500);
	book_init(&pf, 100000);
	assert_int_equal(engine_step(&pf, &v, &c, &day, err), PT_EDATA);
	assert_non_null(strstr(err, "QQQ"));
	assert_int_equal(pf.start, 0);
	assert_int_equal(pf.n_ledger, 0);
	engine_day_release(&day);
	mv_release(&v);
	book_release(&pf);
}

static void test_margin_formula(void **state)
{
	(void)state;
	/* 1 short call, spot 500, strike 530 (30 OTM), premium 2, on the equity
	 * basis (the premium is already deducted from equity):
	 * max(0.20 x 500 - 30, 0.10 x 500) = 70 per share -> 7,000.00 */
	assert_int_equal(book_margin_cents('C', -1, 530, 500, 2, 0.20, 0.10, BOOK_NAKED), 700000);
	/* far OTM: the 10% floor: 50; at the floor's edge, 550: 50; a dollar inside, 51 */
	assert_int_equal(book_margin_cents('C', -1, 600, 500, 2, 0.20, 0.10, BOOK_NAKED), 500000);
	assert_int_equal(book_margin_cents('C', -1, 550, 500, 2, 0.20, 0.10, BOOK_NAKED), 500000);
	assert_int_equal(book_margin_cents('C', -1, 549, 500, 2, 0.20, 0.10, BOOK_NAKED), 510000);
	assert_int_equal(book_margin_cents('C', -1, 600, 500, 2, 0.20, 0.10, BOOK_COVERED), 0);
	assert_int_equal(book_margin_cents('C', 1, 600, 500, 2, 0.20, 0.10, BOOK_NAKED), 0);
	/* a naked put, spot 500, strike 470 (30 OTM): max(100 - 30, 0.10 x 470) =
	 * 70; far OTM the floor is 10% of the strike: 400 -> 40 */
	assert_int_equal(book_margin_cents('P', -1, 470, 500, 2, 0.20, 0.10, BOOK_NAKED), 700000);
	assert_int_equal(book_margin_cents('P', -1, 400, 500, 2, 0.20, 0.10, BOOK_NAKED), 400000);
	assert_int_equal(book_margin_cents('P', -2, 400, 500, 2, 0.20, 0.10, BOOK_NAKED), 800000);
	/* cash-secured: the strike less the premium, per contract */
	assert_int_equal(book_margin_cents('P', -1, 470, 500, 2, 0.20, 0.10, BOOK_SECURED), 4680000);
	assert_int_equal(book_margin_cents('P', -0.5, 470, 500, 2, 0.20, 0.10, BOOK_SECURED),
			 2340000);
	assert_int_equal(book_margin_cents('P', 1, 470, 500, 2, 0.20, 0.10, BOOK_SECURED), 0);
	/* a call covered "by shares" is no cover for a put */
	assert_int_equal(book_margin_cents('P', -1, 400, 500, 2, 0.20, 0.10, BOOK_COVERED), 400000);
	/* verticals: width less credit; 5 wide, credit 1.20 -> 3.80 x 100 x 2 */
	assert_int_equal(book_spread_margin_cents(2, 530, 535, 2.00, 0.80), 76000);
	assert_int_equal(book_spread_margin_cents(1, 470, 465, 2.00, 0.80), 38000);
	/* credit equal to the width: nothing more at risk; the long dearer than
	 * the short (prices out of line): the width and the debit */
	assert_int_equal(book_spread_margin_cents(1, 530, 535, 5.80, 0.80), 0);
	assert_int_equal(book_spread_margin_cents(1, 530, 535, 0.50, 0.80), 53000);
}

static void test_money_format(void **state)
{
	char b[32];

	(void)state;
	assert_string_equal(pt_fmt_money(b, sizeof(b), 123456789), "1,234,567.89");
	assert_string_equal(pt_fmt_money(b, sizeof(b), -5), "-0.05");
	assert_string_equal(pt_fmt_money(b, sizeof(b), 0), "0.00");
	assert_int_equal(pt_cents(0.125), 13);
	assert_int_equal(pt_cents(-0.125), -13);
}

/* A portfolio of given daily values against SPY, at a given rate. */
static void series(struct portfolio *pf, const double *v, const double *spy, size_t n, double rate)
{
	size_t i;

	book_init(pf, 100000);
	pf->n_bench = 1;
	pf->bench = xcalloc(1, sizeof(*pf->bench));
	pt_strlcpy(pf->bench[0].ticker, "SPY", sizeof(pf->bench[0].ticker));
	for (i = 0; i < n; i++) {
		struct snapshot s = {0};
		int64_t b = pt_cents(spy[i]);
		s.session = D(2024, 3, 1) + (int)i;
		s.value_cents = s.cash_cents = pt_cents(v[i]);
		s.rate = rate;
		s.cash_rate = NAN; /* stored before cash earned interest */
		book_add_snapshot(pf, &s, &b);
	}
}

/* Figures against numpy on the same series (ddof = 1 for the standard
 * deviation and the covariance; downside deviation over all days). */
static void test_metrics_against_numpy(void **state)
{
	const double v[] = {1000, 1010, 1005, 1020, 1018};
	const double spy[] = {1000, 1005, 1000, 1012, 1011};
	const double flat[] = {1000, 1000, 1000, 1000, 1000};
	struct portfolio pf;
	struct metrics m;

	(void)state;
	series(&pf, v, spy, 5, 0.0);
	metrics_compute(&pf, &m);
	assert_true(fabs(m.sharpe - 7.535948484921529) < 1e-9);
	assert_true(fabs(m.sortino - 26.852842147511474) < 1e-9);
	assert_true(fabs(m.beta_vs_spy - 1.2537878737878527) < 1e-9);
	assert_true(fabs(m.alpha_vs_spy - 0.2631113954573306) < 1e-9);
	assert_true(fabs(m.total_return - 0.018) < 1e-12);
	assert_true(fabs(m.excess_return_vs_spy - 0.007) < 1e-12);
	assert_true(fabs(m.max_drawdown - (1005.0 / 1010.0 - 1.0)) < 1e-12);
	book_release(&pf);

	/* each session's own rate: 5% a year */
	series(&pf, v, spy, 5, 0.05);
	metrics_compute(&pf, &m);
	assert_true(fabs(m.sharpe - 7.203935585912127) < 1e-9);
	book_release(&pf);

	/* the rate the cash earned, where known, is the one subtracted (errata 9) */
	series(&pf, v, spy, 5, 0.0);
	for (size_t i = 0; i < pf.n_snaps; i++)
		pf.snaps[i].cash_rate = 0.05;
	metrics_compute(&pf, &m);
	assert_true(fabs(m.sharpe - 7.203935585912127) < 1e-9);
	book_release(&pf);

	/* a flat account has no Sharpe, whatever the rate */
	series(&pf, flat, spy, 5, 0.01);
	metrics_compute(&pf, &m);
	assert_true(isnan(m.sharpe));
	book_release(&pf);
	series(&pf, flat, spy, 5, 0.0);
	metrics_compute(&pf, &m);
	assert_true(isnan(m.sharpe));
	assert_true(isnan(m.sortino));
	book_release(&pf);
}

/* Marks refuse quotes outside the no-arbitrage bounds; settlement waits for a
 * valid close; a trade whose commission eats the premium is skipped. */
static void test_bad_data_not_booked(void **state)
{
	struct market_view v, w;
	struct portfolio pf;
	struct engine_day day;
	struct config c;
	char err[PT_ERRSZ];
	int s1 = D(2024, 3, 1), expiry, after;
	size_t i;

	(void)state;
	cfg_one(&c);
	make_view(&v, s1);
	expiry = spy_chain(&v, 500);
	book_init(&pf, 100000);
	assert_int_equal(engine_step(&pf, &v, &c, &day, err), 0);
	engine_day_release(&day);
	assert_int_equal(pf.n_pos, 1);

	/* next day: the held call quoted 0 / 600 on a 500 spot: modelled instead */
	make_view(&w, cal_next_session(s1));
	add_ticker(&w, "SPY", 500);
	add_option(&w.tickers[0], expiry, 530, 0, 600, 100);
	assert_int_equal(engine_step(&pf, &w, &c, &day, err), 0);
	assert_int_equal(day.n_model_marks, 1);
	assert_true(pf.pos[0].mark < 20);
	check_identities(&pf);
	engine_day_release(&day);
	mv_release(&w);

	/* after expiry with a zero close on the expiry date: not settled yet */
	after = cal_next_session(expiry);
	make_view(&w, after);
	add_ticker(&w, "SPY", 500);
	for (i = 0; i < w.tickers[0].n_bars; i++)
		if (w.tickers[0].bars[i].date == expiry)
			w.tickers[0].bars[i].close = 0;
	assert_int_equal(engine_step(&pf, &w, &c, &day, err), 0);
	assert_int_equal(day.n_settled, 0);
	assert_int_equal(pf.pos[0].closed, 0);
	assert_non_null(strstr(sb_str(&day.notes), "cannot settle"));
	engine_day_release(&day);
	mv_release(&w);
	mv_release(&v);
	book_release(&pf);

	/* a commission of 1000 a contract: never worth a trade */
	cfg_one(&c);
	c.commission = 1000;
	make_view(&v, s1);
	spy_chain(&v, 500);
	book_init(&pf, 100000);
	assert_int_equal(engine_step(&pf, &v, &c, &day, err), 0);
	assert_int_equal(day.n_trades, 0);
	assert_non_null(strstr(day.scans[0].skip, "commission"));
	engine_day_release(&day);
	mv_release(&v);
	book_release(&pf);
}

/* A naked call stays naked when the config switches to holdings = etf. */
static void test_cover_needs_shares(void **state)
{
	struct market_view v, w;
	struct portfolio pf;
	struct engine_day day;
	struct config c;
	char err[PT_ERRSZ];
	int s1 = D(2024, 3, 1);

	(void)state;
	cfg_one(&c);
	make_view(&v, s1);
	spy_chain(&v, 500);
	book_init(&pf, 100000);
	assert_int_equal(engine_step(&pf, &v, &c, &day, err), 0);
	assert_true(day.snap.margin_cents > 0);
	engine_day_release(&day);
	c.holdings = HOLD_ETF;
	make_view(&w, cal_next_session(s1));
	spy_chain(&w, 500);
	assert_int_equal(engine_step(&pf, &w, &c, &day, err), 0);
	assert_true(day.snap.margin_cents > 0);
	assert_int_equal(day.n_trades, 0); /* no shares to cover a new call */
	engine_day_release(&day);
	mv_release(&v);
	mv_release(&w);
	book_release(&pf);
}

/* ---- the margin account (errata 8) ---- */

/* An account of 10,000.00 short one SPY 520 call sold at 5.00, no
 * commission, no interest: cash 10,500.00. At spot 500 its requirement is
 * (0.20 x 500 - 20) x 100 = 8,000.00 and its equity 10,500.00 - ask x 100,
 * so an ask of 25.00 leaves equity exactly at the requirement. */
static void margin_account(struct portfolio *pf, struct config *c)
{
	cfg_plain(c);
	c->commission = 0;
	c->max_positions_per_ticker = 1;
	book_init(pf, 1000000);
	book_open(pf, D(2024, 2, 1), "SPY", 'C', 520, D(2024, 3, 15), -1, 5.0, 0);
	pf->pos[0].entry_iv = 0.2;
	pf->start = pf->last_session = pf->events_through = D(2024, 2, 1);
}

static void margin_view(struct market_view *v, int session, double ask)
{
	make_view(v, session);
	add_ticker(v, "SPY", 500);
	add_option(&v->tickers[0], D(2024, 3, 15), 520, ask - 0.10, ask, 100);
}

/* One session of the margin account at ask; returns the day (to release). */
static void margin_day(struct portfolio *pf, const struct config *c, int session, double ask,
		       struct engine_day *day)
{
	struct market_view v;
	char err[PT_ERRSZ];

	margin_view(&v, session, ask);
	assert_int_equal(engine_step(pf, &v, c, day, err), 0);
	check_identities(pf);
	assert_int_equal(day->snap.value_cents - day->snap.margin_cents >= 0 ? 0 : 1,
			 day->snap.call_cents > 0);
	mv_release(&v);
}

static void test_margin_call_boundary(void **state)
{
	struct portfolio pf;
	struct engine_day day;
	struct config c;
	int s1 = D(2024, 3, 1);

	(void)state;
	/* equity at the requirement: no call */
	margin_account(&pf, &c);
	margin_day(&pf, &c, s1, 25.00, &day);
	assert_int_equal(day.snap.margin_cents, 800000);
	assert_int_equal(day.snap.value_cents, 800000);
	assert_int_equal(day.call_cents, 0);
	assert_int_equal(day.snap.call_cents, 0);
	assert_int_equal(day.n_forced, 0);
	engine_day_release(&day);
	book_release(&pf);

	/* a cent short: a call, nothing closed yet */
	margin_account(&pf, &c);
	margin_day(&pf, &c, s1, 25.01, &day);
	assert_int_equal(day.call_cents, 100);
	assert_true(day.call_issued);
	assert_int_equal(day.snap.call_cents, 100);
	assert_int_equal(day.n_forced, 0);
	assert_int_equal(pf.pos[0].closed, 0);
	engine_day_release(&day);

	/* unmet at the next session: bought to close at the ask */
	margin_day(&pf, &c, cal_next_session(s1), 25.01, &day);
	assert_int_equal(day.call_prev_cents, 100);
	assert_int_equal(day.n_forced, 1);
	assert_string_equal(day.forced[0].reason, "margin call");
	assert_true(day.forced[0].price == 25.01);
	assert_int_equal(pf.pos[0].closed, cal_next_session(s1));
	assert_string_equal(pf.pos[0].reason, "margin call");
	assert_int_equal(book_pnl_cents(&pf.pos[0]), 50000 - 250100);
	assert_int_equal(day.snap.call_cents, 0);
	assert_int_equal(day.snap.margin_cents, 0);
	engine_day_release(&day);
	book_release(&pf);

	/* met by the market by the next session: nothing closed */
	margin_account(&pf, &c);
	margin_day(&pf, &c, s1, 25.01, &day);
	engine_day_release(&day);
	margin_day(&pf, &c, cal_next_session(s1), 25.00, &day);
	assert_int_equal(day.call_prev_cents, 100);
	assert_int_equal(day.call_cents, 0);
	assert_int_equal(day.n_forced, 0);
	assert_int_equal(pf.pos[0].closed, 0);
	engine_day_release(&day);
	book_release(&pf);
}

static void test_margin_call_at_once(void **state)
{
	struct portfolio pf;
	struct engine_day day;
	struct config c;
	int s1 = D(2024, 3, 1);

	(void)state;
	/* equity exactly liquidate_at (0.5) x the requirement: 4,000.00, a call */
	margin_account(&pf, &c);
	margin_day(&pf, &c, s1, 65.00, &day);
	assert_int_equal(day.call_cents, 400000);
	assert_true(day.call_issued);
	assert_int_equal(day.n_forced, 0);
	engine_day_release(&day);
	book_release(&pf);

	/* a cent below: closed at once */
	margin_account(&pf, &c);
	margin_day(&pf, &c, s1, 65.01, &day);
	assert_false(day.call_issued);
	assert_int_equal(day.n_forced, 1);
	assert_int_equal(pf.pos[0].closed, s1);
	assert_int_equal(day.snap.call_cents, 0);
	engine_day_release(&day);
	book_release(&pf);

	/* liquidate_at = 0: always a session's grace, however short */
	margin_account(&pf, &c);
	c.liquidate_at = 0;
	margin_day(&pf, &c, s1, 65.01, &day);
	assert_true(day.call_issued);
	assert_int_equal(day.n_forced, 0);
	engine_day_release(&day);
	book_release(&pf);
}

/* While a call is outstanding nothing new is sold. */
static void test_margin_call_blocks_trades(void **state)
{
	struct portfolio pf;
	struct engine_day day;
	struct config c;
	struct market_view v;
	char err[PT_ERRSZ];

	(void)state;
	margin_account(&pf, &c);
	c.max_positions_per_ticker = 5;
	make_view(&v, D(2024, 3, 1));
	spy_chain(&v, 500);
	add_option(&v.tickers[0], D(2024, 3, 15), 520, 30.00, 30.10, 100);
	assert_int_equal(engine_step(&pf, &v, &c, &day, err), 0);
	assert_true(day.call_issued);
	assert_int_equal(day.n_trades, 0);
	assert_non_null(strstr(day.scans[0].skip, "margin call"));
	check_identities(&pf);
	engine_day_release(&day);
	mv_release(&v);
	book_release(&pf);
}

/* Buying power credits the premium and counts the short once: a trade
 * needing exactly the excess is taken, a cent more is refused. */
static void test_buying_power_boundary(void **state)
{
	struct market_view v;
	struct portfolio pf;
	struct engine_day day;
	struct config c;
	char err[PT_ERRSZ];
	int session = D(2024, 3, 1);
	int64_t need, value;
	double q, bid, ask;
	int k;

	(void)state;
	cfg_plain(&c);
	make_view(&v, session);
	spy_chain(&v, 500);
	book_init(&pf, 100000);
	assert_int_equal(engine_step(&pf, &v, &c, &day, err), 0);
	assert_int_equal(day.n_trades, 1);
	q = -day.trades[0].quantity;
	bid = day.trades[0].price;
	ask = day.scans[0].order.leg[0].close_price;
	/* 70 a share (20% of 500 less 30 out of the money), the spread crossed
	 * and the commission */
	assert_int_equal(day.trades[0].margin_cents, pt_cents(q * 70 * 100));
	need = day.trades[0].margin_cents - pt_cents(q * (bid - ask) * 100 - q * 0.65);
	engine_day_release(&day);
	book_release(&pf);

	for (k = 0; k < 2; k++) {
		/* shares of another ticker take Reg-T's 50% of their value from the
		 * excess, leaving need (k = 0) or a cent less (k = 1) */
		value = 2 * (100000 - need) + 2 * k;
		book_init(&pf, 100000);
		book_open(&pf, cal_prev_session(session), "VOO", 'S', 0, 0,
			  (double)value / 100.0 / 500.0, 500.0, 0);
		assert_int_equal(engine_step(&pf, &v, &c, &day, err), 0);
		assert_int_equal(day.n_trades, k == 0);
		if (k)
			assert_non_null(strstr(day.scans[0].skip, "buying power"));
		check_identities(&pf);
		engine_day_release(&day);
		book_release(&pf);
	}
	mv_release(&v);
}

/* The stress loss of q contracts of the 530 call sold at bid: SPY 15% up
 * overnight, repriced at the IV it was sold at, plus commission. */
static double stress_of(const struct market_view *v, const struct scan_ticker *s, double bid,
			double iv)
{
	double T = cal_year_frac(v->asof, s->expiry);
	double up = bs_price('C', 500 * 1.15, 530, T, s->rate, s->div_yield, iv);

	return (up - bid) * 100 + 0.65;
}

/* Runs the first session with the given caps; returns the contracts sold
 * (0 when none) and the scan's text in skip. */
static double capped_run(double position_pct, double max_req, double max_loss, char *skip,
			 double *unit_loss)
{
	struct market_view v;
	struct portfolio pf;
	struct engine_day day;
	struct config c;
	char err[PT_ERRSZ];
	double q = 0;

	cfg_plain(&c);
	c.position_pct = position_pct;
	c.max_trade_requirement = max_req;
	c.max_stress_loss = max_loss;
	make_view(&v, D(2024, 3, 1));
	spy_chain(&v, 500);
	book_init(&pf, 100000);
	assert_int_equal(engine_step(&pf, &v, &c, &day, err), 0);
	check_identities(&pf);
	if (day.n_trades)
		q = -day.trades[0].quantity;
	pt_strlcpy(skip, day.scans[0].skip, PT_ERRSZ);
	if (unit_loss)
		*unit_loss = stress_of(&v, &day.scans[0], day.scans[0].order.leg[0].price,
				       day.scans[0].order.leg[0].iv);
	engine_day_release(&day);
	mv_release(&v);
	book_release(&pf);
	return q;
}

static void test_trade_caps(void **state)
{
	char skip[PT_ERRSZ];
	double free_q, loss, frac, q;

	(void)state;
	/* uncapped: the brief's premium sizing at 1% of the allocation */
	free_q = capped_run(0.01, 1, 1, skip, &loss);
	assert_true(free_q > 0);
	assert_null(strstr(skip, "sized down"));

	/* the stress cap a percent above what the trade risks: not bound; a
	 * percent below: bound, to the cap */
	frac = free_q * loss / 1000.0;
	q = capped_run(0.01, 1, frac * 1.01, skip, NULL);
	assert_true(q == free_q);
	q = capped_run(0.01, 1, frac * 0.99, skip, NULL);
	assert_true(fabs(q - floor(frac * 0.99 * 1000.0 / loss * 1e4) / 1e4) < 1e-12);
	assert_non_null(strstr(skip, "sized down by the stress cap"));

	/* the requirement cap likewise: 7,000.00 a contract */
	frac = free_q * 7000.0 / 1000.0;
	q = capped_run(0.01, frac * 1.01, 1, skip, NULL);
	assert_true(q == free_q);
	q = capped_run(0.01, frac * 0.99, 1, skip, NULL);
	assert_true(fabs(q - floor(frac * 0.99 * 1000.0 / 7000.0 * 1e4) / 1e4) < 1e-12);
	assert_non_null(strstr(skip, "sized down by the requirement cap"));

	/* the defaults (5% stress loss on a 15% move): the stress cap binds */
	{
		struct config d;
		config_defaults(&d);
		assert_true(d.max_stress_loss == 0.05 && d.stress_move == 0.15 &&
			    d.max_trade_requirement == 0.20);
	}
	q = capped_run(0.05, 0.20, 0.05, skip, &loss);
	assert_true(fabs(q - floor(0.05 * 1000.0 / loss * 1e4) / 1e4) < 1e-12);
	assert_non_null(strstr(skip, "stress cap"));

	/* a cap that allows nothing says so */
	q = capped_run(0.05, 0.20, 1e-6, skip, NULL);
	assert_true(q == 0);
	assert_non_null(strstr(skip, "allows no contract"));
}

/* ---- interest on cash (errata 9) ---- */

static void cash_view(struct market_view *v, int session)
{
	make_view(v, session);
	add_ticker(v, "SPY", 500);
}

/* Runs sessions s[0..n) on pf; returns the interest booked on the last. */
static int64_t cash_days(struct portfolio *pf, const struct config *c, const int *s, size_t n)
{
	struct market_view v;
	struct engine_day day;
	char err[PT_ERRSZ];
	int64_t got = 0;
	size_t i;

	for (i = 0; i < n; i++) {
		cash_view(&v, s[i]);
		assert_int_equal(engine_step(pf, &v, c, &day, err), 0);
		check_identities(pf);
		got = day.interest_cents;
		engine_day_release(&day);
		mv_release(&v);
	}
	return got;
}

static void test_interest(void **state)
{
	struct portfolio pf;
	struct config c;
	const int s[] = {D(2024, 3, 1), D(2024, 3, 4), D(2024, 3, 5)};
	double exact = 0, carry;
	int64_t booked = 0, cash;
	int day, prev, i;

	(void)state;
	cfg_one(&c);
	c.risk_free_rate = 0.04;
	/* auto: 4% less the 0.5% spread; Friday to Monday is 3 days:
	 * 1,000.00 x 3.5% x 3 / 365 = 28.767 cents -> 29, 0.233 carried short */
	book_init(&pf, 100000);
	assert_int_equal(cash_days(&pf, &c, s, 2), 29);
	assert_true(fabs(pf.interest_carry - (100000 * 0.035 * 3 / 365 - 29)) < 1e-9);
	assert_true(fabs(pf.snaps[1].cash_rate - 0.035) < 1e-15);
	assert_string_equal(pf.ledger[pf.n_ledger - 1].kind, "interest");
	/* 1,000.29 x 3.5% / 365 = 9.592 cents, less the 0.233 owed: 9 */
	assert_int_equal(cash_days(&pf, &c, s + 2, 1), 9);
	assert_int_equal(pf.income_cents, 38);
	book_release(&pf);

	/* the spread equal to the rate: nothing; a basis point under it: some */
	c.cash_interest_spread = 0.04;
	book_init(&pf, 100000);
	assert_int_equal(cash_days(&pf, &c, s, 2), 0);
	assert_int_equal(pf.n_ledger, 0);
	book_release(&pf);
	c.cash_interest_spread = 0.0399;
	book_init(&pf, 100000);
	assert_int_equal(cash_days(&pf, &c, s, 3), 0); /* 0.08 + 0.03 cents, carried */
	assert_true(pf.interest_carry > 0.1);
	book_release(&pf);

	/* a fixed rate, and none */
	c.cash_interest = 0.02;
	book_init(&pf, 100000);
	assert_int_equal(cash_days(&pf, &c, s, 2), 16); /* 16.438 */
	book_release(&pf);
	c.cash_interest = 0;
	book_init(&pf, 100000);
	assert_int_equal(cash_days(&pf, &c, s, 3), 0);
	book_release(&pf);

	/* a debit balance pays the risk-free rate plus the loan spread: 500.00
	 * borrowed for 3 days at 5.5% = 22.603 cents */
	c.cash_interest = NAN;
	c.cash_interest_spread = 0.005;
	book_init(&pf, 100000);
	book_open(&pf, D(2024, 2, 29), "VOO", 'S', 0, 0, 3, 500.0, 0);
	assert_int_equal(cash_days(&pf, &c, s, 2), -23);
	book_release(&pf);

	/* a year of sessions: what is booked never strays half a cent from
	 * what accrued */
	book_init(&pf, 100000);
	prev = 0;
	for (day = D(2024, 1, 2), i = 0; i < 252; i++, day = cal_next_session(day)) {
		cash = pf.cash_cents;
		booked += cash_days(&pf, &c, &day, 1);
		if (prev)
			exact += (double)cash * 0.035 * (day - prev) / 365.0;
		prev = day;
		carry = exact - (double)booked;
		assert_true(fabs(carry) <= 0.5 + 1e-9);
	}
	assert_int_equal(pf.income_cents, booked);
	assert_true(booked > 3400 && booked < 3600); /* about 3.5% of 1,000.00 */
	book_release(&pf);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_first_session_trades_by_the_rules),
		cmocka_unit_test(test_whole_contracts_skip_with_reason),
		cmocka_unit_test(test_expired_worthless),
		cmocka_unit_test(test_assigned_in_the_money),
		cmocka_unit_test(test_put_settlement),
		cmocka_unit_test(test_max_positions_and_rerun),
		cmocka_unit_test(test_buying_power),
		cmocka_unit_test(test_etf_holdings_covered_and_dividends),
		cmocka_unit_test(test_early_exercise_boundary),
		cmocka_unit_test(test_early_assignment),
		cmocka_unit_test(test_deterministic),
		cmocka_unit_test(test_start_needs_prices),
		cmocka_unit_test(test_margin_formula),
		cmocka_unit_test(test_money_format),
		cmocka_unit_test(test_metrics_against_numpy),
		cmocka_unit_test(test_bad_data_not_booked),
		cmocka_unit_test(test_cover_needs_shares),
		cmocka_unit_test(test_margin_call_boundary),
		cmocka_unit_test(test_margin_call_at_once),
		cmocka_unit_test(test_margin_call_blocks_trades),
		cmocka_unit_test(test_buying_power_boundary),
		cmocka_unit_test(test_trade_caps),
		cmocka_unit_test(test_interest),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
