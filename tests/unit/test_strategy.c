/*
 * test_strategy.c - the strategy table as a plug-in point (issue 8): a
 * throwaway strategy defined here, through its ops table alone, runs a
 * session through the session layer on the simulated market - its plan
 * reaches the request, its order is sized and filled by the engine, its
 * own rule names reach the report, and the ledger identities hold - and
 * the two built-in strategies run side by side with their shares - and
 * the premium sellers' ranking (issue 9 point 6): on a hand-built
 * arbitrage-free chain the pick is the qualifying contract nearest the
 * middle of the moneyness band, it stays put when every quote moves by less
 * than its spread, and a quote out of line with its neighbours is not
 * picked for being rich.
 */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "backtest.h"
#include "book/book.h"
#include "config.h"
#include "market/calendar.h"
#include "market/provider.h"
#include "quant/bs.h"
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

/*
 * The ranking (issue 9 point 6). A chain built by hand for one session:
 * spot 100, one expiration 45 days out, strikes 80 to 125 every dollar,
 * calls and puts priced by Black-Scholes on a smooth smile in
 * log-moneyness, bid and ask the mid less and plus a half-spread, rounded
 * to cents. 30-session HV is about 22%, the smile 32% and up in the
 * moneyness band, so every contract 5-15% out of the money clears the rules
 * with room to spare.
 */
#define CH_LO 80
#define CH_N 46 /* strikes CH_LO .. CH_LO + CH_N - 1 */
#define CH_SPOT 100.0
#define CH_Q 0.01
#define CH_R 0.04

struct chain {
	struct config cfg;
	struct market_view v;
	struct ticker_view tv;
	struct bar bars[40];
	struct option_quote opts[2 * CH_N]; /* calls, then puts, strikes ascending */
	double mid[2 * CH_N];
};

static double smile(double k)
{
	return 0.34 - 0.25 * k + 0.8 * k * k;
}

static double cents(double x)
{
	return round(x * 100.0) / 100.0;
}

static void chain_build(struct chain *ch)
{
	static const char *const pairs[] = {"tickers=TST", "risk_free_rate=0.04"};
	double close = 100.0, T, F;
	size_t i;

	memset(ch, 0, sizeof(*ch));
	sim_config(&ch->cfg, pairs, PT_ARRAY_SIZE(pairs));
	ch->v.session = date_from_ymd(2024, 3, 1);
	assert_int_equal(cal_ny_to_epoch(ch->v.session, 9 * 60 + 35, &ch->v.asof), 0);
	ch->v.rate = CH_R;
	ch->v.tickers = &ch->tv;
	ch->v.n_tickers = 1;
	pt_strlcpy(ch->tv.symbol, "TST", sizeof(ch->tv.symbol));
	pt_strlcpy(ch->tv.source, "test", sizeof(ch->tv.source));
	ch->tv.ok = 1;
	ch->tv.spot = CH_SPOT;
	ch->tv.div_yield = CH_Q;
	/* closes up and down by 1.36% in turn: an HV of about 22% */
	for (i = 0; i < PT_ARRAY_SIZE(ch->bars); i++) {
		close *= exp(i % 2 ? 0.0136 : -0.0136);
		ch->bars[i].date = ch->v.session - 60 + (int)i;
		ch->bars[i].open = ch->bars[i].high = ch->bars[i].low = ch->bars[i].close = close;
	}
	ch->tv.bars = ch->bars;
	ch->tv.n_bars = PT_ARRAY_SIZE(ch->bars);
	T = cal_year_frac(ch->v.asof, ch->v.session + 45);
	F = CH_SPOT * exp((CH_R - CH_Q) * T);
	for (i = 0; i < 2 * CH_N; i++) {
		struct option_quote *o = &ch->opts[i];
		double K = CH_LO + (double)(i % CH_N), h;

		o->expiry = ch->v.session + 45;
		o->strike = K;
		o->right = i < CH_N ? 'C' : 'P';
		ch->mid[i] = bs_price(o->right, CH_SPOT, K, T, CH_R, CH_Q, smile(log(K / F)));
		h = fmax(0.02, 0.03 * ch->mid[i]);
		o->bid = cents(ch->mid[i] - h);
		o->ask = cents(ch->mid[i] + h);
		o->last = NAN;
		o->volume = 100;
		o->open_interest = -1;
		o->vendor_iv = NAN;
	}
	ch->tv.opts = ch->opts;
	ch->tv.n_opts = PT_ARRAY_SIZE(ch->opts);
}

/* The quote of right at strike K in ch. */
static struct option_quote *chain_quote(struct chain *ch, char right, double K)
{
	size_t i = (size_t)(K - CH_LO) + (right == 'P' ? CH_N : 0);

	assert_true(i < 2 * CH_N && ch->opts[i].strike == K && ch->opts[i].right == right);
	return &ch->opts[i];
}

/* Scans ch with the built-in strategy name (its default keys) into out
 * (the caller releases it); returns the strike picked, NAN when none. */
static double chain_scan(const struct chain *ch, const char *name, struct scan_ticker *out)
{
	const struct strategy *st = strategy_find(name);
	struct strategy_params p;
	struct strategy_in in = {&ch->cfg, &p, ch->v.session};

	assert_non_null(st);
	strategy_defaults(st, &p);
	memset(out, 0, sizeof(*out));
	out->strat = st;
	st->scan(&in, &ch->tv, &ch->v, out);
	assert_true(out->ok);
	return out->best >= 0 ? out->c[out->best].strike : NAN;
}

/* The old ranking, for comparison: the qualifying contract with the
 * largest bid / theo - 1; its strike, NAN when none qualified. */
static double richest(const struct scan_ticker *s)
{
	const struct scan_contract *b = NULL;
	size_t i;

	for (i = 0; i < s->n; i++)
		if (s->c[i].rule == 0 && (!b || s->c[i].edge_pct > b->edge_pct))
			b = &s->c[i];
	return b ? b->strike : NAN;
}

/* Which strikes qualified, as a bit per strike above CH_LO. */
static uint64_t qualified_set(const struct scan_ticker *s)
{
	uint64_t m = 0;
	size_t i;

	for (i = 0; i < s->n; i++)
		if (s->c[i].rule == 0)
			m |= UINT64_C(1) << (int)(s->c[i].strike - CH_LO);
	return m;
}

/* splitmix64: a deterministic generator; uniform in [0, 1). */
static double uniform(uint64_t *state)
{
	uint64_t z = (*state += UINT64_C(0x9E3779B97F4A7C15));

	z = (z ^ (z >> 30)) * UINT64_C(0xBF58476D1CE4E5B9);
	z = (z ^ (z >> 27)) * UINT64_C(0x94D049BB133111EB);
	return (double)((z ^ (z >> 31)) >> 11) / 9007199254740992.0;
}

/* The chain has no static arbitrage at its mids (calls falling and convex
 * in strike, puts rising and convex) nor at its quotes: no bid is above the
 * ask of the next strike nearer the money. */
static void assert_arbitrage_free(const struct chain *ch)
{
	const double *cm = ch->mid, *pm = ch->mid + CH_N;
	const struct option_quote *c = ch->opts, *p = ch->opts + CH_N;
	size_t i;

	for (i = 0; i + 1 < CH_N; i++) {
		assert_true(cm[i + 1] < cm[i] && pm[i + 1] > pm[i]);
		assert_true(c[i + 1].bid <= c[i].ask && p[i].bid <= p[i + 1].ask);
		assert_true(c[i].bid > 0 && c[i].ask > c[i].bid && p[i].ask > p[i].bid);
		if (i > 0) {
			assert_true(cm[i - 1] - 2 * cm[i] + cm[i + 1] > 0);
			assert_true(pm[i - 1] - 2 * pm[i] + pm[i + 1] > 0);
		}
	}
}

/* On the smooth chain: volarb sells the 110 call and csp the 90 put (the
 * middle of 5-15%), every contract in the band qualifies, and the order
 * says how it was chosen; then 2000 times every bid and ask moves by less
 * than its own spread (bid below ask): the contracts that qualify and the
 * pick stay the same. */
static void test_rank_is_robust_to_quote_noise(void **state)
{
	static const struct {
		const char *name;
		char right;
		double pick;
		const char *why;
	} cases[] = {
		{"volarb", 'C', 110, "closest to 10% out of the money among 11 qualifying calls"},
		{"csp", 'P', 90, "closest to 10% out of the money among 10 qualifying puts"},
	};
	struct chain *base = xmalloc(sizeof(*base)), *ch = xmalloc(sizeof(*ch));
	uint64_t rng = 20240301;
	size_t k, t, i;

	(void)state;
	chain_build(base);
	assert_arbitrage_free(base);
	for (k = 0; k < PT_ARRAY_SIZE(cases); k++) {
		struct scan_ticker s;
		uint64_t want_set;
		double old_pick;
		int old_moved = 0;

		assert_true(chain_scan(base, cases[k].name, &s) == cases[k].pick);
		assert_string_equal(s.order.why, cases[k].why);
		assert_int_equal(s.order.leg[0].right, cases[k].right);
		/* every contract in the band qualifies (the put at 85 is a hair
		 * past 15% in floating point), the rest fail moneyness */
		for (i = 0; i < s.n; i++)
			assert_true(s.c[i].rule == 0 || s.c[i].rule == RICH_MONEYNESS);
		assert_int_equal(s.counts[0] + s.counts[RICH_MONEYNESS], CH_N);
		want_set = qualified_set(&s);
		old_pick = richest(&s);
		scan_ticker_release(&s);

		for (t = 0; t < 2000; t++) {
			*ch = *base;
			ch->tv.opts = ch->opts;
			ch->v.tickers = &ch->tv;
			ch->tv.bars = ch->bars;
			for (i = 0; i < 2 * CH_N; i++) {
				struct option_quote *o = &ch->opts[i];
				double w = base->opts[i].ask - base->opts[i].bid;

				do {
					o->bid = base->opts[i].bid +
						 0.999 * w * (2 * uniform(&rng) - 1);
					o->ask = base->opts[i].ask +
						 0.999 * w * (2 * uniform(&rng) - 1);
				} while (!(o->bid < o->ask) || o->bid < 0);
			}
			if (chain_scan(ch, cases[k].name, &s) != cases[k].pick)
				fail_msg("%s: trial %zu picked %g", cases[k].name, t,
					 s.best >= 0 ? s.c[s.best].strike : NAN);
			assert_true(qualified_set(&s) == want_set);
			old_moved += richest(&s) != old_pick;
			scan_ticker_release(&s);
		}
		print_message("# %s: the pick never moved in 2000 trials (the richest by "
			      "bid / theo did in %d)\n",
			      cases[k].name, old_moved);
	}
	free(base);
	free(ch);
}

/* The old failure mode: a strike whose quote is out of line with its
 * neighbours - its bid above the ask of the next strike nearer the money -
 * is the richest by bid / theo, and still is not picked for it; nor does it
 * win a tie for the nearest to the aim. */
static void test_rank_ignores_an_out_of_line_quote(void **state)
{
	struct chain *ch = xmalloc(sizeof(*ch));
	struct scan_ticker s;
	struct option_quote *o;

	(void)state;
	/* a call at 114 bid above the 113's ask */
	chain_build(ch);
	o = chain_quote(ch, 'C', 114);
	o->bid = chain_quote(ch, 'C', 113)->ask + 0.01;
	o->ask = o->bid + 0.10;
	assert_true(chain_scan(ch, "volarb", &s) == 110);
	assert_true(richest(&s) == 114);
	scan_ticker_release(&s);

	/* a put at 86 bid above the 87's ask */
	chain_build(ch);
	o = chain_quote(ch, 'P', 86);
	o->bid = chain_quote(ch, 'P', 87)->ask + 0.01;
	o->ask = o->bid + 0.10;
	assert_true(chain_scan(ch, "csp", &s) == 90);
	assert_true(richest(&s) == 86);
	scan_ticker_release(&s);

	/* the 110 call fails volume: 109 and 111 are as near 10% out; the 109
	 * is made rich (bid above the 108's ask) and the tie still goes to the
	 * 111, the farther out of the money */
	chain_build(ch);
	chain_quote(ch, 'C', 110)->volume = 0;
	o = chain_quote(ch, 'C', 109);
	o->bid = chain_quote(ch, 'C', 108)->ask + 0.05;
	o->ask = o->bid + 0.10;
	assert_true(chain_scan(ch, "volarb", &s) == 111);
	assert_true(s.c[109 - CH_LO].edge_pct > s.c[111 - CH_LO].edge_pct);
	assert_int_equal(s.counts[RICH_VOLUME], 1);
	scan_ticker_release(&s);
	free(ch);
}

/* strategy_rank alone, spot 100: the strike of the pick among contracts
 * (strike, right, rule), fed in the order given, aiming at aim. */
static double rank_of(const double *strikes, const int *rules, size_t n, char right, double aim,
		      int *qualified)
{
	struct scan_ticker s;
	struct scan_contract c[16];
	size_t i;

	assert_true(n <= PT_ARRAY_SIZE(c));
	memset(&s, 0, sizeof(s));
	memset(c, 0, sizeof(c));
	s.best = -1;
	s.c = c;
	s.n = n;
	s.spot = 100;
	for (i = 0; i < n; i++) {
		c[i].right = right;
		c[i].strike = strikes[i];
		c[i].moneyness = strikes[i] / s.spot - 1.0;
		c[i].rule = rules ? rules[i] : 0;
		c[i].edge_pct = (double)i; /* the later, the "richer": must not matter */
		strategy_rank(&s, &c[i], aim);
	}
	if (qualified)
		*qualified = s.counts[0];
	return s.best >= 0 ? c[s.best].strike : NAN;
}

/* The ranking rule at its boundaries, in both orders of the chain: the
 * contract at the aim; a tie either side of it (to the farther out of the
 * money: the higher call, the lower put); a contract nearer by a millionth
 * of spot against one farther out; nearer by less than that, a tie; the aim
 * itself not qualifying; every qualifier on one side of it; none at all. */
static void test_rank_boundaries(void **state)
{
	static const struct {
		char right;
		double k[2];
		double want;
	} pairs[] = {
		{'C', {109, 111}, 111}, /* a tie: the farther out */
		{'P', {89, 91}, 89},
		{'C', {109.0001, 111}, 109.0001}, /* nearer by a millionth of spot */
		{'P', {90.9999, 89}, 90.9999},
		{'C', {109.00004, 111}, 111}, /* nearer by less: a tie */
		{'P', {90.99996, 89}, 89},
		{'C', {110, 110.0001}, 110}, /* at the aim */
		{'P', {90, 89.9999}, 90},
		{'C', {104, 116}, 116}, /* far either side: a tie too */
	};
	static const double band[] = {105, 106, 107, 108, 109, 110, 111, 112, 113, 114, 115};
	static const int rules[] = {0, 0, 0, 0, 0, RICH_VOLUME, 0, 0, 0, 0, 0};
	static const int none[] = {RICH_BID, RICH_IV_EDGE, RICH_PRICE_EDGE};
	double shuffled[PT_ARRAY_SIZE(band)];
	uint64_t rng = 9;
	size_t i, j;
	int q;

	(void)state;
	for (i = 0; i < PT_ARRAY_SIZE(pairs); i++) {
		double rev[2] = {pairs[i].k[1], pairs[i].k[0]};

		if (rank_of(pairs[i].k, NULL, 2, pairs[i].right, 0.10, NULL) != pairs[i].want ||
		    rank_of(rev, NULL, 2, pairs[i].right, 0.10, NULL) != pairs[i].want)
			fail_msg("case %zu: want %g", i, pairs[i].want);
	}
	assert_true(rank_of(band, NULL, 11, 'C', 0.10, &q) == 110 && q == 11);
	/* the aim does not qualify: 109 and 111 tie, the farther out wins */
	assert_true(rank_of(band, rules, 11, 'C', 0.10, &q) == 111 && q == 10);
	/* qualifiers all below the aim: the nearest of them */
	assert_true(rank_of(band, NULL, 3, 'C', 0.10, NULL) == 107);
	/* an aim between two strikes: 112 and 113 tie, the farther out wins */
	assert_true(rank_of(band, NULL, 11, 'C', 0.125, NULL) == 113);
	/* nothing qualifies: no pick */
	assert_true(isnan(rank_of(band, none, 3, 'C', 0.10, &q)));
	assert_int_equal(q, 0);
	/* any order of the chain, the same pick */
	for (j = 0; j < 200; j++) {
		memcpy(shuffled, band, sizeof(band));
		for (i = PT_ARRAY_SIZE(shuffled) - 1; i > 0; i--) {
			size_t r = (size_t)(uniform(&rng) * (double)(i + 1));
			double x = shuffled[i];
			shuffled[i] = shuffled[r];
			shuffled[r] = x;
		}
		assert_true(rank_of(shuffled, NULL, 11, 'C', 0.10, NULL) == 110);
		assert_true(rank_of(shuffled, NULL, 11, 'C', 0.125, NULL) == 113);
	}
}

/*
 * buywrite (issue 11 point 5): the call it writes, on the smooth chain with
 * every expiry moved to the session's next monthly expiration (2024-03-15
 * for 2024-03-01): the first strike at or above spot, with spot exactly on
 * a strike, a cent below one and a cent above one; buywrite_otm's aim; the
 * first strike's quote unusable (no sale, not the next strike); no shares
 * to write on (holdings = cash).
 */
static double bw_scan(struct chain *ch, double spot, double otm, struct scan_ticker *out)
{
	const struct strategy *st = strategy_find("buywrite");
	struct strategy_params p;
	struct strategy_in in = {&ch->cfg, &p, ch->v.session};

	assert_non_null(st);
	strategy_defaults(st, &p);
	assert_true(p.v[0] == 0);
	p.v[0] = otm;
	ch->tv.spot = spot;
	memset(out, 0, sizeof(*out));
	out->strat = st;
	st->scan(&in, &ch->tv, &ch->v, out);
	return out->best >= 0 ? out->c[out->best].strike : NAN;
}

static void test_buywrite_strike_boundaries(void **state)
{
	static const struct {
		double spot, otm, want;
	} cases[] = {
		{100.0, 0, 100},     /* exactly on a strike: that strike */
		{99.99, 0, 100},     /* a cent below: the strike above it */
		{100.01, 0, 101},    /* a cent above: the next one up */
		{100.0, 0.02, 102},  /* 2% out of the money (BXY): 102 exactly */
		{100.01, 0.02, 103}, /* 102.0102: the next one up */
	};
	static struct chain ch;
	struct scan_ticker s;
	size_t i;
	int monthly;

	(void)state;
	chain_build(&ch);
	ch.cfg.holdings = HOLD_ETF;
	monthly = strategy_buywrite_expiry(ch.v.session);
	assert_int_equal(monthly, date_from_ymd(2024, 3, 15));
	for (i = 0; i < PT_ARRAY_SIZE(ch.opts); i++)
		ch.opts[i].expiry = monthly;
	for (i = 0; i < PT_ARRAY_SIZE(cases); i++) {
		double got = bw_scan(&ch, cases[i].spot, cases[i].otm, &s);

		if (got != cases[i].want)
			fail_msg("spot %.2f, otm %g: want the %g call, got %g (%s)", cases[i].spot,
				 cases[i].otm, cases[i].want, got, s.skip);
		assert_true(s.ok);
		assert_int_equal(s.expiry, monthly);
		assert_int_equal(s.order.n_legs, 1);
		assert_int_equal(s.order.leg[0].right, 'C');
		assert_int_equal(s.order.leg[0].ratio, -1);
		assert_int_equal(s.order.leg[0].expiry, monthly);
		assert_true(s.order.leg[0].price == chain_quote(&ch, 'C', got)->bid);
		assert_true(s.order.leg[0].close_price == chain_quote(&ch, 'C', got)->ask);
		/* calls only; one qualifies, the rest below spot or not the first */
		assert_int_equal(s.n, CH_N);
		assert_int_equal(s.counts[0], 1);
		assert_int_equal(s.counts[2], (int)(cases[i].want - CH_LO));
		scan_ticker_release(&s);
	}
	/* the first strike's bid is gone: no sale today, not the 101 call */
	chain_quote(&ch, 'C', 100)->bid = 0;
	assert_true(isnan(bw_scan(&ch, 99.99, 0, &s)));
	assert_int_equal(s.counts[1], 1);
	assert_non_null(strstr(s.skip, "the 100 call of 2024-03-15 has no usable bid"));
	scan_ticker_release(&s);
	/* no shares to write on */
	ch.cfg.holdings = HOLD_CASH;
	assert_true(isnan(bw_scan(&ch, 100.0, 0, &s)));
	assert_false(s.ok);
	assert_non_null(strstr(s.skip, "holdings = etf"));
	scan_ticker_release(&s);
	/* an expiration not listed: nothing to write */
	ch.cfg.holdings = HOLD_ETF;
	for (i = 0; i < PT_ARRAY_SIZE(ch.opts); i++)
		ch.opts[i].expiry = monthly + 7;
	assert_true(isnan(bw_scan(&ch, 100.0, 0, &s)));
	assert_int_equal(s.n, 0);
	assert_non_null(strstr(s.skip, "no calls quoted for the monthly expiration 2024-03-15"));
	scan_ticker_release(&s);
}

/*
 * buywrite's roll dates: the expiration written is the first monthly one
 * after the session (the third Friday's, or the Thursday before when the
 * Friday is Good Friday: 2022-04-14), and the plan asks exactly that one.
 * Then on the sim, 2022-03-01..2022-06-30 through bt_run with compare's
 * reference configuration: one call at a time covering the shares, sold on
 * the first session and on the session after each monthly expiration (the
 * Monday after Good Friday; the Tuesday after Juneteenth), held to its
 * expiration and settled at that close, struck at the first strike at or
 * above the spot it was sold at.
 */
static void test_buywrite_roll_dates(void **state)
{
	static const struct {
		int session[3], expiry[3];
	} exp[] = {
		{{2022, 4, 13}, {2022, 4, 14}}, /* the Thursday before Good Friday */
		{{2022, 4, 14}, {2022, 5, 20}}, /* on it: the next month's */
		{{2024, 3, 14}, {2024, 3, 15}}, {{2024, 3, 15}, {2024, 4, 19}},
		{{2024, 3, 16}, {2024, 4, 19}}, /* a Saturday */
	};
	static const int legs[][6] = {
		/* sold on, expiring */
		{2022, 3, 1, 2022, 3, 18},  {2022, 3, 21, 2022, 4, 14}, {2022, 4, 18, 2022, 5, 20},
		{2022, 5, 23, 2022, 6, 17}, {2022, 6, 21, 2022, 7, 15},
	};
	static const char *const pairs[] = {"tickers=SPY",	   "holdings=etf",
					    "strategies=buywrite", "sizing=premium",
					    "position_pct=1",	   "max_positions_per_ticker=1",
					    "risk_free_rate=0.04"};
	const struct strategy *st = strategy_find("buywrite");
	struct strategy_params p;
	struct strategy_in in;
	struct config c;
	struct provider *prov;
	struct session_err e;
	struct bt_result r;
	char err[PT_ERRSZ];
	size_t i, k = 0;
	long days[STRATEGY_MAX_WANTS];
	double shares;

	(void)state;
	for (i = 0; i < PT_ARRAY_SIZE(exp); i++) {
		int s = date_from_ymd(exp[i].session[0], exp[i].session[1], exp[i].session[2]);
		int x = date_from_ymd(exp[i].expiry[0], exp[i].expiry[1], exp[i].expiry[2]);

		assert_int_equal(strategy_buywrite_expiry(s), x);
		strategy_defaults(st, &p);
		in.cfg = &c;
		in.p = &p;
		in.session = s;
		assert_int_equal(st->plan(&in, days), 1);
		assert_int_equal(days[0], x - s);
	}
	in.session = 0;
	assert_int_equal(st->plan(&in, days), 1);
	assert_int_equal(days[0], 30);

	sim_config(&c, pairs, PT_ARRAY_SIZE(pairs));
	prov = provider_new(&c, NULL, err);
	assert_non_null(prov);
	if (bt_run(&c, prov, date_from_ymd(2022, 3, 1), date_from_ymd(2022, 6, 30), NULL, NULL,
		   NULL, &r, &e))
		fail_msg("%s: %s", e.what, e.why);
	provider_free(prov);
	assert_int_equal(book_check(&r.pf, err), 0);
	assert_true(r.pf.n_pos >= 1 && r.pf.pos[0].right == 'S');
	shares = r.pf.pos[0].quantity;
	for (i = 1; i < r.pf.n_pos; i++) {
		const struct position *ps = &r.pf.pos[i];

		assert_true(k < PT_ARRAY_SIZE(legs));
		assert_int_equal(ps->right, 'C');
		assert_string_equal(ps->strategy, "buywrite");
		assert_int_equal(ps->opened, date_from_ymd(legs[k][0], legs[k][1], legs[k][2]));
		assert_int_equal(ps->expiry, date_from_ymd(legs[k][3], legs[k][4], legs[k][5]));
		/* every share written on, to a ten-thousandth of a contract */
		assert_true(ps->quantity == -floor(shares / 100.0 * 1e4) / 1e4);
		/* at the money: the first $1 strike at or above the spot */
		assert_true(ps->strike >= ps->entry_spot && ps->strike < ps->entry_spot + 1.0);
		/* held to expiry: settled at its close (still open at the end) */
		if (ps->closed) {
			assert_int_equal(ps->closed, ps->expiry);
			assert_true(!strcmp(ps->reason, "expired") ||
				    !strcmp(ps->reason, "assigned"));
		} else {
			assert_true(ps->expiry > r.pf.last_session);
		}
		k++;
	}
	assert_int_equal(k, PT_ARRAY_SIZE(legs));
	bt_release(&r);
}

/*
 * Issue 12 point 5: the strategies evaluate a whole expiration's chain in
 * one call (theo; the IVs the rules ask for, as a second chain). Every contract's theo and IV of
 * the bid are the same bits whichever way they are reached: the scan's own chain (volarb,
 * strategy_scan_start), the view's precompute (strategy_calc_begin and
 * strategy_calc_part, as a sweep's, in one part or three), and one
 * contract at a time (strategy_model_price, strategy_model_iv, which the
 * engine's marks and `chain` call); and each is bs_price's and
 * bs_implied_vol's to 1e-13, relative.
 */
static void test_whole_chain_paths(void **state)
{
	static struct chain ch;
	struct scan_ticker out;
	struct model_divs m;
	size_t i, parts;
	double T;

	(void)state;
	chain_build(&ch);
	chain_scan(&ch, "volarb", &out);
	assert_non_null(out.own);
	assert_null(out.calc);
	T = out.T;
	strategy_model_divs(ch.cfg.model, &ch.v, &ch.tv, out.expiry, &m);
	assert_false(m.american);
	assert_true(out.best >= 0);
	for (i = 0; i < out.n; i++) {
		const struct scan_contract *c = &out.c[i];
		const struct option_quote *o = chain_quote(&ch, c->right, c->strike);
		double iv1, iv2;
		int rc = strategy_model_iv(&m, c->right, CH_SPOT, c->strike, T, CH_R, o->bid, &iv1);

		assert_true(c->theo == strategy_model_price(&m, c->right, CH_SPOT, c->strike, T,
							    CH_R, out.hv));
		assert_true(fabs(c->theo - bs_price(c->right, CH_SPOT, c->strike, T, CH_R, CH_Q,
						    out.hv)) <= 1e-13 * c->theo);
		/* solved for the contracts the rules before it let through */
		if (c->rule == 0 || c->calc != 0)
			assert_int_equal(c->calc, rc == 0 ? 1 : -1);
		if (c->calc == 0)
			continue;
		assert_int_equal(
			bs_implied_vol(c->right, CH_SPOT, c->strike, T, CH_R, CH_Q, o->bid, &iv2),
			rc);
		if (rc == 0) {
			assert_true(c->calc_iv == iv1);
			assert_true(fabs(iv1 - iv2) <= 1e-13 * iv2);
		}
	}
	for (parts = 1; parts <= 3; parts += 2) {
		struct market_view v = ch.v;
		struct ticker_view tv = ch.tv;
		struct scan_ticker o2;
		size_t p;

		v.tickers = &tv;
		tv.calc = NULL;
		strategy_calc_begin(&v, &ch.cfg);
		assert_non_null(tv.calc);
		for (p = 0; p < parts; p++)
			strategy_calc_part(&v, p, parts);
		for (i = 0; i < tv.n_opts; i++) {
			const struct option_quote *o = &tv.opts[i];
			double iv;
			int rc = strategy_model_iv(&m, o->right, CH_SPOT, o->strike, T, CH_R,
						   o->bid, &iv);

			assert_true(tv.calc->opt[i].theo == strategy_model_price(&m, o->right,
										 CH_SPOT, o->strike,
										 T, CH_R, out.hv));
			assert_int_equal(tv.calc->opt[i].iv_ok, rc == 0);
			assert_true(rc ? isnan(tv.calc->opt[i].iv) : tv.calc->opt[i].iv == iv);
		}
		/* a scan on the precomputed view reads it: the same contracts */
		memset(&o2, 0, sizeof(o2));
		{
			struct strategy_params sp;
			struct strategy_in in = {&ch.cfg, &sp, v.session};
			const struct strategy *st = strategy_find("volarb");

			strategy_defaults(st, &sp);
			o2.strat = st;
			st->scan(&in, &tv, &v, &o2);
		}
		assert_true(o2.calc == tv.calc);
		assert_null(o2.own);
		assert_int_equal(o2.n, out.n);
		for (i = 0; i < out.n; i++) {
			assert_true(o2.c[i].theo == out.c[i].theo);
			assert_true(o2.c[i].iv == out.c[i].iv ||
				    (isnan(o2.c[i].iv) && isnan(out.c[i].iv)));
			if (out.c[i].calc)
				assert_true(o2.c[i].calc_iv == out.c[i].calc_iv ||
					    (isnan(o2.c[i].calc_iv) && isnan(out.c[i].calc_iv)));
			assert_int_equal(o2.c[i].rule, out.c[i].rule);
		}
		assert_int_equal(o2.best, out.best);
		scan_ticker_release(&o2);
		free(tv.calc->opt);
		free(tv.calc->exp);
		free(tv.calc->start);
		free(tv.calc->idx);
		free(tv.calc);
	}
	scan_ticker_release(&out);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_throwaway_strategy_runs_a_session),
		cmocka_unit_test(test_two_strategies_share_the_capital),
		cmocka_unit_test(test_two_leg_order),
		cmocka_unit_test(test_rank_is_robust_to_quote_noise),
		cmocka_unit_test(test_rank_ignores_an_out_of_line_quote),
		cmocka_unit_test(test_rank_boundaries),
		cmocka_unit_test(test_buywrite_strike_boundaries),
		cmocka_unit_test(test_buywrite_roll_dates),
		cmocka_unit_test(test_whole_chain_paths),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
