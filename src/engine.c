/*
 * engine.c - the daily step of DESIGN.md §1: settle what expired, book
 * dividends, mark, scan, size against margin and buying power, fill at the
 * bid, snapshot. Pure: it reads the view and the config and changes only
 * the portfolio it is given; see engine.h.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine.h"
#include "config.h"
#include "market/calendar.h"
#include "quant/bs.h"
#include "util/date.h"
#include "util/util.h"

#define NOTES_LIMIT ((size_t)256 * 1024)

/* Shares held long: FINRA Rule 4210(c) maintenance, and Regulation T's
 * initial requirement, which a new trade must meet (docs/margin.md). */
#define STOCK_MAINT 0.25
#define STOCK_INITIAL 0.50

void engine_day_release(struct engine_day *d)
{
	size_t i;

	free(d->settled);
	free(d->divs);
	for (i = 0; i < d->n_scans; i++)
		scan_ticker_release(&d->scans[i]);
	free(d->scans);
	free(d->trades);
	free(d->forced);
	free(d->bench_cents);
	sb_release(&d->notes);
	memset(d, 0, sizeof(*d));
}

static double rate_of(const struct market_view *v, const struct config *cfg)
{
	return isfinite(cfg->risk_free_rate) ? cfg->risk_free_rate : v->rate;
}

static const struct ticker_view *usable(const struct market_view *v, const char *sym)
{
	const struct ticker_view *tv = mv_ticker(v, sym);

	return tv && tv->ok && tv->spot > 0 && isfinite(tv->spot) ? tv : NULL;
}

/* First session: benchmarks, and the ETF purchase when holdings = etf. */
static int start(struct portfolio *pf, const struct market_view *v, const struct config *cfg,
		 struct engine_day *out, char *err)
{
	double initial = (double)pf->initial_cents / 100.0;
	char d[DATE_BUFSZ];
	size_t i;

	for (i = 0; i < cfg->n_tickers; i++) {
		const struct ticker_view *tv = mv_ticker(v, cfg->tickers[i]);
		if (!usable(v, cfg->tickers[i]))
			return pt_err(err, PT_EDATA, "cannot start the portfolio on %s: no price for %s%s%.160s",
				      date_fmt(v->session, d), cfg->tickers[i],
				      tv && tv->error[0] ? ": " : "", tv ? tv->error : "");
	}
	pf->bench = xcalloc(cfg->n_tickers, sizeof(*pf->bench));
	pf->n_bench = cfg->n_tickers;
	for (i = 0; i < cfg->n_tickers; i++) {
		const struct ticker_view *tv = usable(v, cfg->tickers[i]);
		struct bench *b = &pf->bench[i];

		pt_strlcpy(b->ticker, cfg->tickers[i], sizeof(b->ticker));
		b->shares = initial / tv->spot;
		b->price = tv->spot;
		if (cfg->holdings == HOLD_ETF) {
			double alloc = initial / (double)cfg->n_tickers;
			double shares = alloc / tv->spot;
			shares = cfg->contracts == CONTRACTS_WHOLE ? floor(shares)
								   : floor(shares * 1e6) / 1e6;
			if (shares > 0)
				book_open(pf, v->session, tv->symbol, 'S', 0, 0, shares, tv->spot, 0);
			else
				sb_addf(&out->notes, "%s: the allocation of %.2f buys no whole share at %.2f\n",
					tv->symbol, alloc, tv->spot);
		}
	}
	pf->start = v->session;
	pf->events_through = v->session;
	out->first = 1;
	return 0;
}

/* Appends the event of closed position p (at its exit price, the
 * underlying at close) to the array *ev of *n, *cap: settlements and the
 * closes of a margin call are the same record. */
static void closed_event(struct engine_settle **ev, size_t *n, size_t *cap,
			 const struct position *p, double close)
{
	struct engine_settle *e;

	xgrow(ev, cap, *n + 1, sizeof(**ev));
	e = &(*ev)[(*n)++];
	memset(e, 0, sizeof(*e));
	e->pos_id = p->id;
	pt_strlcpy(e->ticker, p->ticker, sizeof(e->ticker));
	e->right = p->right;
	e->strike = p->strike;
	e->expiry = p->expiry;
	e->quantity = p->quantity;
	e->close = close;
	e->price = p->exit_price;
	e->cents = p->close_cents;
	e->pnl_cents = book_pnl_cents(p);
	pt_strlcpy(e->reason, p->reason, sizeof(e->reason));
}

/* Errata 5: an option expires after the close of its expiration date and
 * settles at intrinsic value from that close. */
static void settle(struct portfolio *pf, const struct market_view *v, const struct config *cfg,
		   struct engine_day *out)
{
	size_t i, cap = 0;
	char d[DATE_BUFSZ];

	for (i = 0; i < pf->n_pos; i++) {
		struct position *p = &pf->pos[i];
		const struct ticker_view *tv;
		double close, intrinsic;

		if (p->closed || p->right == 'S' || p->expiry >= v->session)
			continue;
		tv = mv_ticker(v, p->ticker);
		close = tv && tv->ok ? tv_close_on(tv, p->expiry) : NAN;
		if (!isfinite(close) || close <= 0) {
			sb_addf(&out->notes, "%s: cannot settle the %g %s of %s yet: no valid close for that day\n",
				p->ticker, p->strike, p->right == 'C' ? "call" : "put",
				date_fmt(p->expiry, d));
			continue;
		}
		intrinsic = p->right == 'C' ? close - p->strike : p->strike - close;
		if (intrinsic < 0)
			intrinsic = 0;
		book_close(pf, p, p->expiry, intrinsic,
			   intrinsic > 0 ? (p->quantity < 0 ? "assigned" : "exercised") : "expired", 0);
		/* With holdings = etf an assigned put delivers the shares: the cash
		 * equivalent above, then the shares bought at that close, so strike x
		 * 100 is paid in all (the wheel's first turn). */
		if (intrinsic > 0 && p->right == 'P' && p->quantity < 0 && cfg->holdings == HOLD_ETF) {
			double shares = -p->quantity * 100.0;
			char sym[BOOK_SYMSZ];

			/* book_open may move the array p points into */
			pt_strlcpy(sym, p->ticker, sizeof(sym));
			book_open(pf, p->expiry, sym, 'S', 0, 0, shares, close, 0);
			p = &pf->pos[i];
		}
		closed_event(&out->settled, &out->n_settled, &cap, p, close);
	}
}

int engine_early_exercise(double S, double K, double T, double r, double sigma, double div,
			  double *value_after)
{
	double after = NAN;

	if (S > div && div > 0 && isfinite(div) && K > 0 && isfinite(S))
		after = bs_price('C', S - div, K, T > 0 ? T : 0, r, 0, sigma);
	*value_after = after;
	return isfinite(after) && S - K > after;
}

/* Whether every benchmark ticker has data today: dividends (and the early
 * assignments on their eves) wait whole for a day when all do, so nothing
 * is booked twice or lost. */
static int events_ready(const struct portfolio *pf, const struct market_view *v,
			struct engine_day *out)
{
	size_t i;

	for (i = 0; i < pf->n_bench; i++) {
		if (!usable(v, pf->bench[i].ticker)) {
			sb_addf(&out->notes, "%s: no data today: dividends wait for the next run\n",
				pf->bench[i].ticker);
			return 0;
		}
	}
	return 1;
}

/*
 * Errata 10: on the eve of an ex-dividend date (the session before it), a
 * short call the holder would rationally exercise (engine_early_exercise,
 * at the eve's close, with the volatility it was sold at) is assigned.
 * It is booked on the eve like an assignment at expiry (errata 5): its
 * cash equivalent, the intrinsic value against the eve's close, which is
 * the shares delivered at the strike and bought back at that close (so
 * with holdings = etf the shares stay, and so does their dividend). What
 * it cost against holding the call through the ex-date is the dividend
 * less the time value left after it, per share; the event says both.
 * Runs before settle() so a call assigned early is not settled at expiry.
 */
static void early_assign(struct portfolio *pf, const struct market_view *v,
			 const struct config *cfg, struct engine_day *out)
{
	size_t i, j, cap = 0;

	for (i = 0; i < pf->n_pos; i++) {
		struct position *p = &pf->pos[i];
		const struct ticker_view *tv;

		if (p->closed || p->right != 'C' || !(p->quantity < 0))
			continue;
		tv = usable(v, p->ticker);
		if (!tv)
			continue;
		for (j = 0; j < tv->n_divs; j++) {
			const struct dividend *dv = &tv->divs[j];
			int eve = cal_prev_session(dv->ex_date), close_min;
			double S, T, after, sigma;
			int64_t at;
			struct engine_settle *e;

			if (dv->ex_date <= pf->events_through || dv->ex_date > v->session ||
			    dv->ex_date > p->expiry || eve < p->opened || !(dv->amount > 0) ||
			    !isfinite(dv->amount))
				continue;
			S = tv_close_on(tv, eve);
			if (!(S > p->strike) || !isfinite(S) ||
			    cal_session_hours(eve, NULL, &close_min) ||
			    cal_ny_to_epoch(eve, close_min, &at))
				continue;
			T = cal_year_frac(at, p->expiry);
			sigma = isfinite(p->entry_iv) && p->entry_iv > 0 ? p->entry_iv : 0.20;
			if (!engine_early_exercise(S, p->strike, T, rate_of(v, cfg), sigma,
						   dv->amount, &after))
				continue;
			book_close(pf, p, eve, S - p->strike, "assigned early", 0);
			closed_event(&out->settled, &out->n_settled, &cap, p, S);
			e = &out->settled[out->n_settled - 1];
			e->ex_date = dv->ex_date;
			e->dividend = dv->amount;
			e->value_after = after;
			e->time_value = after - fmax(S - dv->amount - p->strike, 0);
			break;
		}
	}
}

static double open_on(const struct ticker_view *tv, int day)
{
	size_t i;

	for (i = tv->n_bars; i-- > 0;) {
		if (tv->bars[i].date == day)
			return tv->bars[i].open;
		if (tv->bars[i].date < day)
			break;
	}
	return NAN;
}

/* Dividends with ex-dates after the last processed day, up to the session:
 * reinvested in the benchmarks at the ex-date's opening price, and booked as
 * income on shares held before the ex-date. Deferred whole when any
 * benchmark ticker has no data today, so nothing is booked twice or lost. */
static void dividends(struct portfolio *pf, const struct market_view *v, struct engine_day *out)
{
	size_t i, j, k, cap = 0;

	for (i = 0; i < pf->n_bench; i++) {
		struct bench *b = &pf->bench[i];
		const struct ticker_view *tv = usable(v, b->ticker);

		for (j = 0; j < tv->n_divs; j++) {
			const struct dividend *dv = &tv->divs[j];
			struct engine_dividend *e;
			double px;

			if (dv->ex_date <= pf->events_through || dv->ex_date > v->session ||
			    !(dv->amount > 0) || !isfinite(dv->amount))
				continue;
			px = dv->ex_date == v->session ? tv->spot : open_on(tv, dv->ex_date);
			if (!(px > 0))
				px = tv->spot;
			xgrow(&out->divs, &cap, out->n_divs + 1, sizeof(*out->divs));
			e = &out->divs[out->n_divs++];
			memset(e, 0, sizeof(*e));
			pt_strlcpy(e->ticker, b->ticker, sizeof(e->ticker));
			e->ex_date = dv->ex_date;
			e->amount = dv->amount;
			e->price = px;
			b->shares += b->shares * dv->amount / px;
			for (k = 0; k < pf->n_pos; k++) {
				const struct position *p = &pf->pos[k];
				if (p->right != 'S' || p->closed || p->opened >= dv->ex_date ||
				    strcmp(p->ticker, b->ticker) != 0)
					continue;
				book_dividend(pf, dv->ex_date, p, dv->amount);
				e->cents += pt_cents(dv->amount * p->quantity);
			}
		}
	}
	pf->events_through = v->session;
}

/* Model price for a contract with no usable quote: the option model
 * (config key model) at the IV it was sold at (or HV-free fallback of 20%). */
static double model_mark(const struct position *p, const struct ticker_view *tv,
			 const struct market_view *v, const struct config *cfg)
{
	double T = cal_year_frac(v->asof, p->expiry);
	double vol = isfinite(p->entry_iv) && p->entry_iv > 0 ? p->entry_iv : 0.20;
	struct model_divs m;

	if (T < 0)
		T = 0;
	strategy_model_divs(cfg->model, v, tv, p->expiry, &m);
	return strategy_model_price(&m, p->right, tv->spot, p->strike, T, rate_of(v, cfg), vol);
}

/* A quote fit to mark at: finite, not crossed, a positive ask, and inside the
 * no-arbitrage bounds (with a nickel of slack for rounding and staleness). */
static int quote_sane(const struct option_quote *q, const struct position *p,
		      const struct ticker_view *tv, const struct market_view *v,
		      const struct config *cfg)
{
	double T = cal_year_frac(v->asof, p->expiry), lo, hi;

	if (!isfinite(q->bid) || !isfinite(q->ask) || q->bid < 0 || q->ask <= 0 || q->ask < q->bid)
		return 0;
	if (T < 0)
		T = 0;
	bs_bounds(p->right, tv->spot, p->strike, T, rate_of(v, cfg), tv->div_yield, &lo, &hi);
	return q->ask <= hi + 0.05 && q->bid >= lo - 0.05 - 0.01 * tv->spot;
}

/* Step 2: open positions at the cost to close (the ask for a short, the bid
 * for a long), or the model price when there is no usable quote. */
static void mark(struct portfolio *pf, const struct market_view *v, const struct config *cfg,
		 struct engine_day *out)
{
	size_t i;

	for (i = 0; i < pf->n_pos; i++) {
		struct position *p = &pf->pos[i];
		const struct ticker_view *tv;
		const struct option_quote *q;
		double px;

		if (p->closed)
			continue;
		tv = usable(v, p->ticker);
		if (!tv) {
			sb_addf(&out->notes, "%s: no data today: position %lld keeps its last mark\n",
				p->ticker, (long long)p->id);
			continue;
		}
		if (p->right == 'S') {
			p->mark = tv->spot;
			p->mark_model = 0;
			continue;
		}
		q = tv_find_option(tv, p->expiry, p->strike, p->right);
		px = !q ? NAN : p->quantity < 0 ? q->ask : q->bid;
		if (q && quote_sane(q, p, tv, v, cfg) && isfinite(px)) {
			p->mark = px;
			p->mark_model = 0;
			out->n_marked++;
		} else {
			px = model_mark(p, tv, v, cfg);
			if (isfinite(px)) {
				p->mark = px;
				p->mark_model = 1;
			}
			out->n_model_marks++;
		}
	}
}

static double short_calls(const struct portfolio *pf, const char *ticker)
{
	double n = 0;
	size_t i;

	for (i = 0; i < pf->n_pos; i++)
		if (!pf->pos[i].closed && pf->pos[i].right == 'C' && pf->pos[i].quantity < 0 &&
		    !strcmp(pf->pos[i].ticker, ticker))
			n -= pf->pos[i].quantity;
	return n;
}

/* The underlying's price for margin: today's, else the benchmark's last,
 * else the one at entry, else the strike. */
static double last_spot(const struct portfolio *pf, const struct market_view *v,
			const struct position *p)
{
	const struct ticker_view *tv = usable(v, p->ticker);
	size_t i;

	if (tv)
		return tv->spot;
	for (i = 0; i < pf->n_bench; i++)
		if (!strcmp(pf->bench[i].ticker, p->ticker) && pf->bench[i].price > 0)
			return pf->bench[i].price;
	return isfinite(p->entry_spot) && p->entry_spot > 0 ? p->entry_spot : p->strike;
}

static double mark_of(const struct position *p)
{
	return isfinite(p->mark) ? p->mark : p->entry_price;
}

/* How the account holds a short put: its strike in cash, or on margin. */
static int put_cover(const struct config *cfg)
{
	return cfg->short_puts == PUTS_SECURED ? BOOK_SECURED : BOOK_NAKED;
}

/* How a short of right is held: calls covered only by shares actually
 * held, whatever the config says now; puts as the account says. */
static int cover_of(const struct portfolio *pf, const struct config *cfg, char right,
		    const char *ticker)
{
	if (right == 'P')
		return put_cover(cfg);
	return book_shares(pf, ticker) + 1e-9 >= 100.0 * short_calls(pf, ticker) ? BOOK_COVERED
										 : BOOK_NAKED;
}

/*
 * The account's requirement on the equity basis (errata 8, book.h): each
 * short option's, a vertical's width less its value when a long of the
 * same ticker, right and expiry hedges it, and stock_pct of the shares
 * held. When per is given, per[i] gets open position i's part (a spread's
 * on its short leg) and hedge[j] the short a long j is paired with (-1).
 */
static int64_t requirement(const struct portfolio *pf, const struct market_view *v,
			   const struct config *cfg, double stock_pct, int64_t *per, long *hedge)
{
	double *left = xcalloc(pf->n_pos + 1, sizeof(*left));
	int64_t m = 0, r;
	size_t i, j;

	for (i = 0; i < pf->n_pos; i++) {
		const struct position *p = &pf->pos[i];

		if (per)
			per[i] = 0;
		if (hedge)
			hedge[i] = -1;
		if (p->closed)
			continue;
		if (p->right == 'S') {
			r = pt_cents(stock_pct * p->quantity * mark_of(p));
			m += r;
			if (per)
				per[i] = r;
		} else if (p->quantity > 0) {
			left[i] = p->quantity;
		}
	}
	for (i = 0; i < pf->n_pos; i++) {
		const struct position *p = &pf->pos[i];
		double q;

		if (p->closed || p->right == 'S' || p->quantity >= 0)
			continue;
		q = -p->quantity;
		r = 0;
		for (j = 0; j < pf->n_pos && q > 1e-12; j++) {
			const struct position *l = &pf->pos[j];
			double pair;

			if (!(left[j] > 0) || l->right != p->right || l->expiry != p->expiry ||
			    strcmp(l->ticker, p->ticker) != 0 || !book_hedges(p->right, p->strike, l->strike))
				continue;
			pair = left[j] < q ? left[j] : q;
			r += book_spread_margin_cents(pair, p->strike, l->strike, mark_of(p), mark_of(l));
			left[j] -= pair;
			q -= pair;
			if (hedge)
				hedge[j] = (long)i;
		}
		if (q > 1e-12)
			r += book_margin_cents(p->right, -q, p->strike, last_spot(pf, v, p), mark_of(p),
					       cfg->margin_pct, cfg->margin_min_pct,
					       cover_of(pf, cfg, p->right, p->ticker));
		m += r;
		if (per)
			per[i] = r;
	}
	free(left);
	return m;
}

int64_t engine_margin_used(const struct portfolio *pf, const struct market_view *v,
			   const struct config *cfg)
{
	return requirement(pf, v, cfg, STOCK_MAINT, NULL, NULL);
}

static int64_t equity_of(const struct portfolio *pf)
{
	return pf->cash_cents + book_positions_value_cents(pf);
}

/* Closes open position i at its mark (the cost to close: the ask of a
 * short, the bid of a long, the spot for shares) to meet a margin call. */
static void force_close(struct portfolio *pf, const struct market_view *v,
			const struct config *cfg, size_t i, struct engine_day *out, size_t *cap)
{
	struct position *p = &pf->pos[i];
	const struct ticker_view *tv = usable(v, p->ticker);

	book_close(pf, p, v->session, mark_of(p), "margin call", cfg->commission);
	closed_event(&out->forced, &out->n_forced, cap, p, tv ? tv->spot : NAN);
}

/* What to close next for a call: the short option with the largest
 * requirement; when none has any, shares, the largest first (after the
 * calls they cover). -1 when nothing is left. */
static long next_to_close(const struct portfolio *pf, const int64_t *per)
{
	long best = -1;
	size_t i;

	for (i = 0; i < pf->n_pos; i++) {
		const struct position *p = &pf->pos[i];
		if (!p->closed && p->right != 'S' && p->quantity < 0 && per[i] > 0 &&
		    (best < 0 || per[i] > per[best]))
			best = (long)i;
	}
	if (best >= 0)
		return best;
	for (i = 0; i < pf->n_pos; i++) {
		const struct position *p = &pf->pos[i];
		if (!p->closed && p->right == 'S' && per[i] > 0 && (best < 0 || per[i] > per[best]))
			best = (long)i;
	}
	return best;
}

/*
 * The maintenance check of errata 8, after marking: equity below the
 * requirement is a margin call. A call still unmet at the next session,
 * or equity below liquidate_at x the requirement, is met by buying to
 * close at the ask, largest requirement first (a spread's long sold with
 * its short), until the requirement is covered.
 */
static void margin_check(struct portfolio *pf, const struct market_view *v,
			 const struct config *cfg, struct engine_day *out)
{
	int64_t *per = xcalloc(pf->n_pos + 1, sizeof(*per));
	long *hedge = xcalloc(pf->n_pos + 1, sizeof(*hedge));
	int64_t req = requirement(pf, v, cfg, STOCK_MAINT, NULL, NULL), equity = equity_of(pf);
	size_t cap = 0, j;
	long i;

	out->call_prev_cents = pf->n_snaps ? pf->snaps[pf->n_snaps - 1].call_cents : 0;
	if (equity >= req)
		goto out;
	out->call_cents = req - equity;
	if (!out->call_prev_cents && (double)equity >= cfg->liquidate_at * (double)req) {
		out->call_issued = 1;
		goto out;
	}
	while (equity < req) {
		requirement(pf, v, cfg, STOCK_MAINT, per, hedge);
		i = next_to_close(pf, per);
		if (i < 0) {
			sb_addf(&out->notes, "margin call: nothing left to close; %.2f short\n",
				(double)(req - equity) / 100.0);
			break;
		}
		if (pf->pos[i].right == 'S') {
			/* the calls these shares cover first, or they would be naked */
			for (j = 0; j < pf->n_pos; j++)
				if (!pf->pos[j].closed && pf->pos[j].right == 'C' &&
				    pf->pos[j].quantity < 0 &&
				    !strcmp(pf->pos[j].ticker, pf->pos[i].ticker))
					force_close(pf, v, cfg, j, out, &cap);
		}
		force_close(pf, v, cfg, (size_t)i, out, &cap);
		for (j = 0; j < pf->n_pos; j++)
			if (hedge[j] == i && !pf->pos[j].closed)
				force_close(pf, v, cfg, j, out, &cap);
		req = requirement(pf, v, cfg, STOCK_MAINT, NULL, NULL);
		equity = equity_of(pf);
	}
out:
	free(per);
	free(hedge);
}

/* The margin of units of order o at spot, its legs priced at the fill
 * (at_fill) or at the cost to close; its calls are not covered (a covered
 * call needs none). */
static int64_t order_margin(const struct order *o, double units, double spot, int at_fill,
			    const struct config *cfg)
{
	int64_t m = 0;
	size_t i, j;

	for (i = 0; i < o->n_legs; i++) {
		const struct order_leg *l = &o->leg[i], *hedge = NULL;
		double px = at_fill ? l->price : l->close_price;

		if (l->ratio >= 0)
			continue;
		for (j = 0; j < o->n_legs && !hedge; j++)
			if (o->leg[j].ratio > 0 && o->leg[j].right == l->right &&
			    o->leg[j].expiry == l->expiry &&
			    book_hedges(l->right, l->strike, o->leg[j].strike))
				hedge = &o->leg[j];
		if (hedge)
			m += book_spread_margin_cents(units * -l->ratio, l->strike, hedge->strike, px,
						      at_fill ? hedge->price : hedge->close_price);
		else
			m += book_margin_cents(l->right, units * l->ratio, l->strike, spot, px,
					       cfg->margin_pct, cfg->margin_min_pct,
					       l->right == 'C' ? BOOK_NAKED : put_cover(cfg));
	}
	return m;
}

/* Loss of one unit of order o should the underlying move stress_move
 * against it overnight (up or down, the worse), its legs repriced by
 * Black-Scholes at their own IVs, commissions included (point 5 of the
 * brief's "never risk more than 5% per trade"; docs/margin.md). */
static double stress_loss(const struct order *o, const struct scan_ticker *s,
			  const struct market_view *v, const struct config *cfg)
{
	double worst = 0, fees = 0;
	size_t i;
	int k;

	for (k = -1; k <= 1; k += 2) {
		double pnl = 0;

		for (i = 0; i < o->n_legs; i++) {
			const struct order_leg *l = &o->leg[i];
			double T = cal_year_frac(v->asof, l->expiry), px;
			double vol = isfinite(l->iv) && l->iv > 0 ? l->iv : s->hv > 0 ? s->hv : 0.20;

			px = bs_price(l->right, s->spot * (1.0 + k * cfg->stress_move), l->strike,
				      T > 0 ? T : 0, s->rate, s->div_yield, vol);
			if (!isfinite(px))
				px = l->right == 'C' ? fmax(0, s->spot * (1.0 + k * cfg->stress_move) - l->strike)
						     : fmax(0, l->strike - s->spot * (1.0 + k * cfg->stress_move));
			pnl += l->ratio * (px - l->price) * 100.0;
		}
		if (-pnl > worst)
			worst = -pnl;
	}
	for (i = 0; i < o->n_legs; i++)
		fees += abs(o->leg[i].ratio) * cfg->commission;
	return worst + fees;
}

/* Steps 4 and 5 for one proposed order of strategy slot si: size (errata
 * 2) by premium or margin, fractional or whole, within the per-trade caps
 * on requirement and stress loss (errata 8), check buying power (premium
 * credited, the short's value counted once) or cover (errata 3), fill
 * every leg (sales at the bid). */
static void size_and_fill(struct portfolio *pf, const struct market_view *v,
			  const struct config *cfg, size_t si, struct scan_ticker *s,
			  struct engine_day *out, size_t *trade_cap)
{
	const struct order *o = &s->order;
	double alloc = (double)pf->initial_cents / 100.0 * cfg->share[si] / (double)cfg->n_tickers;
	double budget = cfg->position_pct * alloc;
	double per_contract, contracts, premium = 0, fees = 0, eq, unit_req = 0, unit_loss = 0;
	double d_equity = 0;
	int64_t margin = 0, equity = equity_of(pf), excess, need;
	int open = book_open_count(pf, s->symbol, s->strat->name), calls = 1;
	int covered;
	const char *bound = NULL;
	char capped[160] = "";
	size_t i;

	for (i = 0; i < o->n_legs; i++) {
		premium += -o->leg[i].ratio * o->leg[i].price * 100.0;
		fees += abs(o->leg[i].ratio) * cfg->commission;
		calls &= o->leg[i].right == 'C' && o->leg[i].ratio < 0;
	}
	/* A buy-write: short calls only, against the ETF shares held. */
	covered = cfg->holdings == HOLD_ETF && calls;
	if (premium <= fees) {
		snprintf(s->skip, sizeof(s->skip),
			 "qualified, not traded: the commission (%.2f a contract) is not less than "
			 "the premium (%.2f)", fees, premium);
		return;
	}
	if (open >= cfg->max_positions_per_ticker) {
		snprintf(s->skip, sizeof(s->skip), "qualified, not traded: %d open positions (max %ld)",
			 open, cfg->max_positions_per_ticker);
		return;
	}
	if (cfg->sizing == SIZE_PREMIUM)
		per_contract = premium;
	else if (covered)
		per_contract = s->spot * 100.0;
	else
		per_contract = (double)order_margin(o, 1, s->spot, 1, cfg) / 100.0;
	contracts = per_contract > 0 ? budget / per_contract : 0;
	if (covered) {
		double free_shares = book_shares(pf, s->symbol) - 100.0 * short_calls(pf, s->symbol);
		if (contracts > free_shares / 100.0)
			contracts = free_shares / 100.0;
	} else {
		/* the per-trade caps, as fractions of equity (a covered call's loss
		 * is the shares' gain: neither cap applies) */
		eq = (double)equity / 100.0;
		unit_req = (double)order_margin(o, 1, s->spot, 0, cfg) / 100.0;
		unit_loss = stress_loss(o, s, v, cfg);
		if (unit_req > 0 && contracts * unit_req > cfg->max_trade_requirement * eq) {
			contracts = eq > 0 ? cfg->max_trade_requirement * eq / unit_req : 0;
			bound = "requirement";
			snprintf(capped, sizeof(capped),
				 "the requirement cap: %.2f a contract, at most %.0f%% of equity (%.2f)",
				 unit_req, cfg->max_trade_requirement * 100.0,
				 cfg->max_trade_requirement * eq);
		}
		if (unit_loss > 0 && contracts * unit_loss > cfg->max_stress_loss * eq) {
			contracts = eq > 0 ? cfg->max_stress_loss * eq / unit_loss : 0;
			bound = "stress";
			snprintf(capped, sizeof(capped),
				 "the stress cap: a %.0f%% move against it loses %.2f a contract, at "
				 "most %.0f%% of equity (%.2f)",
				 cfg->stress_move * 100.0, unit_loss, cfg->max_stress_loss * 100.0,
				 cfg->max_stress_loss * eq);
		}
	}
	contracts = cfg->contracts == CONTRACTS_WHOLE ? floor(contracts + 1e-9)
						     : floor(contracts * 1e4) / 1e4;
	if (!(contracts > 0)) {
		if (covered && book_shares(pf, s->symbol) - 100.0 * short_calls(pf, s->symbol) <
				       (cfg->contracts == CONTRACTS_WHOLE ? 100.0 : 0.01))
			snprintf(s->skip, sizeof(s->skip),
				 "qualified, not traded: not enough uncovered %s shares to cover a call",
				 s->symbol);
		else if (bound)
			snprintf(s->skip, sizeof(s->skip), "qualified, not traded: %s allows no %s",
				 capped, cfg->contracts == CONTRACTS_WHOLE ? "whole contract" : "contract");
		else
			snprintf(s->skip, sizeof(s->skip),
				 "qualified, not traded: one contract needs %.2f of %s; %.0f%% of the "
				 "%.2f allocation is %.2f (needs an allocation of %.2f)",
				 per_contract, cfg->sizing == SIZE_PREMIUM ? "premium" : "margin",
				 cfg->position_pct * 100.0, alloc, budget,
				 per_contract / cfg->position_pct);
		return;
	}
	/* Buying power (errata 8): the premium is credited and the shorts are
	 * marked at their cost to close, so the trade costs the account its
	 * requirement, the spread it crosses and the commission. */
	if (!covered)
		margin = order_margin(o, contracts, s->spot, 0, cfg);
	for (i = 0; i < o->n_legs; i++)
		d_equity += -o->leg[i].ratio * contracts *
			    (o->leg[i].price - o->leg[i].close_price) * 100.0 -
			    abs(o->leg[i].ratio) * contracts * cfg->commission;
	need = margin - pt_cents(d_equity);
	excess = equity - requirement(pf, v, cfg, STOCK_INITIAL, NULL, NULL);
	if (need > excess) {
		int64_t maint = equity - requirement(pf, v, cfg, STOCK_MAINT, NULL, NULL);

		if (maint < 0)
			snprintf(s->skip, sizeof(s->skip),
				 "qualified, refused: the account is in a margin call (%.2f short)",
				 (double)-maint / 100.0);
		else
			snprintf(s->skip, sizeof(s->skip),
				 "qualified, refused for buying power: needs %.2f (requirement %.2f, "
				 "spread and commission %.2f), %.2f left",
				 (double)need / 100.0, (double)margin / 100.0,
				 (double)(need - margin) / 100.0, (double)excess / 100.0);
		return;
	}
	for (i = 0; i < o->n_legs; i++) {
		const struct order_leg *l = &o->leg[i];
		double q = l->ratio * contracts;
		struct position *p = book_open(pf, v->session, s->symbol, l->right, l->strike,
					       l->expiry, q, l->price, cfg->commission);
		struct engine_trade *t;

		pt_strlcpy(p->strategy, s->strat->name, sizeof(p->strategy));
		p->entry_spot = s->spot;
		p->entry_iv = l->iv;
		p->entry_hv = s->hv;
		p->entry_theo = l->theo;
		p->mark = l->close_price;
		xgrow(&out->trades, trade_cap, out->n_trades + 1, sizeof(*out->trades));
		t = &out->trades[out->n_trades++];
		memset(t, 0, sizeof(*t));
		t->pos_id = p->id;
		pt_strlcpy(t->ticker, s->symbol, sizeof(t->ticker));
		t->right = l->right;
		t->strike = l->strike;
		t->expiry = l->expiry;
		t->quantity = q;
		t->price = l->price;
		t->spot = s->spot;
		t->iv = l->iv;
		t->hv = s->hv;
		t->theo = l->theo;
		t->premium_cents = pt_cents(-l->ratio * contracts * l->price * 100.0);
		t->commission_cents = p->credit_cents - t->premium_cents;
		t->margin_cents = i == 0 ? margin : 0;
	}
	s->traded = 1;
	if (bound)
		snprintf(s->skip, sizeof(s->skip), "traded: %s; sized down by %s", o->why, capped);
	else
		snprintf(s->skip, sizeof(s->skip), "traded: %s", o->why);
}

/* Step 3 for every strategy on every configured ticker, then steps 4 and
 * 5 for what each proposes when trade is set. */
static void scan_and_trade(struct portfolio *pf, const struct market_view *v,
			   const struct config *cfg, struct engine_day *out, int trade)
{
	size_t si, i, trade_cap = 0;

	out->n_scans = cfg->n_strat * cfg->n_tickers;
	out->scans = xcalloc(out->n_scans + 1, sizeof(*out->scans));
	for (si = 0; si < cfg->n_strat; si++) {
		struct strategy_in in = config_strategy_in(cfg, si);

		in.session = v->session;
		for (i = 0; i < cfg->n_tickers; i++) {
			const struct ticker_view *tv = mv_ticker(v, cfg->tickers[i]);
			struct scan_ticker *s = &out->scans[si * cfg->n_tickers + i];

			s->strat = cfg->strat[si];
			s->best = -1;
			if (!tv) {
				pt_strlcpy(s->symbol, cfg->tickers[i], sizeof(s->symbol));
				snprintf(s->skip, sizeof(s->skip), "not in the market view");
				continue;
			}
			cfg->strat[si]->scan(&in, tv, v, s);
			if (si == 0)
				out->dropped += tv->dropped;
			if (trade && s->best >= 0)
				size_and_fill(pf, v, cfg, si, s, out, &trade_cap);
		}
	}
}

/* The annual rate the account's cash earns from session v on (errata 9):
 * the risk-free rate less the broker's spread (never below 0) when
 * cash_interest is auto, else the fixed rate. */
static double cash_rate(const struct market_view *v, const struct config *cfg)
{
	double r = rate_of(v, cfg);

	if (isfinite(cfg->cash_interest))
		return cfg->cash_interest;
	if (!isfinite(r))
		return 0;
	return r - cfg->cash_interest_spread > 0 ? r - cfg->cash_interest_spread : 0;
}

/* Interest on the cash held since the last session, at the rate known
 * then (errata 9); a debit balance pays the risk-free rate plus the
 * broker's margin-loan spread. */
static void interest(struct portfolio *pf, const struct config *cfg, int session,
		     struct engine_day *out)
{
	const struct snapshot *last;
	double rate;

	if (!pf->n_snaps)
		return;
	last = &pf->snaps[pf->n_snaps - 1];
	if (pf->cash_cents >= 0)
		rate = last->cash_rate;
	else
		rate = (isfinite(last->rate) ? last->rate : 0) + cfg->margin_loan_spread;
	if (!isfinite(rate) || session <= last->session)
		return;
	out->interest_rate = rate;
	out->interest_days = session - last->session;
	out->interest_cents = book_interest(pf, session, rate, out->interest_days);
}

static void snapshot(struct portfolio *pf, const struct market_view *v, const struct config *cfg,
		     struct engine_day *out)
{
	struct snapshot *s = &out->snap;
	size_t i;

	s->session = v->session;
	s->cash_cents = pf->cash_cents;
	s->positions_cents = book_positions_value_cents(pf);
	s->value_cents = s->cash_cents + s->positions_cents;
	s->margin_cents = engine_margin_used(pf, v, cfg);
	s->call_cents = s->margin_cents > s->value_cents ? s->margin_cents - s->value_cents : 0;
	s->rate = rate_of(v, cfg);
	s->cash_rate = cash_rate(v, cfg);
	out->n_bench = pf->n_bench;
	out->bench_cents = xcalloc(pf->n_bench ? pf->n_bench : 1, sizeof(*out->bench_cents));
	for (i = 0; i < pf->n_bench; i++) {
		struct bench *b = &pf->bench[i];
		const struct ticker_view *tv = usable(v, b->ticker);
		if (tv)
			b->price = tv->spot;
		out->bench_cents[i] = pt_cents(b->shares * b->price);
	}
	book_add_snapshot(pf, s, out->bench_cents);
}

int engine_step(struct portfolio *pf, const struct market_view *v, const struct config *cfg,
		struct engine_day *out, char *err)
{
	char d1[DATE_BUFSZ], d2[DATE_BUFSZ];
	int rc, ready;

	memset(out, 0, sizeof(*out));
	sb_init(&out->notes, NOTES_LIMIT);
	out->session = v->session;
	out->asof = v->asof;
	if (v->session <= pf->last_session)
		return pt_err(err, PT_EINVAL, "session %s is not after the last run (%s)",
			      date_fmt(v->session, d1), date_fmt(pf->last_session, d2));
	if (!cfg->n_tickers)
		return pt_err(err, PT_EINVAL, "no tickers configured");
	if (!pf->start && (rc = start(pf, v, cfg, out, err)))
		return rc;
	interest(pf, cfg, v->session, out);
	ready = events_ready(pf, v, out);
	if (ready)
		early_assign(pf, v, cfg, out);
	settle(pf, v, cfg, out);
	if (ready)
		dividends(pf, v, out);
	mark(pf, v, cfg, out);
	margin_check(pf, v, cfg, out);
	scan_and_trade(pf, v, cfg, out, 1);
	snapshot(pf, v, cfg, out);
	pf->last_session = v->session;
	return 0;
}

void engine_scan(struct portfolio *pf, const struct market_view *v, const struct config *cfg,
		 struct engine_day *out)
{
	memset(out, 0, sizeof(*out));
	sb_init(&out->notes, NOTES_LIMIT);
	out->session = v->session;
	out->asof = v->asof;
	scan_and_trade(pf, v, cfg, out, 0);
}
