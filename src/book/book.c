/*
 * book.c - portfolio accounting: the ledger, fills, settlement, margin and
 * snapshots (DESIGN.md §1 steps 1, 2, 4-6). Every cash flow is rounded to
 * cents once, here, and posted as one ledger row; see book.h.
 */
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "book.h"
#include "../util/date.h"
#include "../util/util.h"

void book_init(struct portfolio *pf, int64_t initial_cents)
{
	memset(pf, 0, sizeof(*pf));
	pf->initial_cents = initial_cents;
	pf->cash_cents = initial_cents;
	pf->next_pos_id = 1;
	pf->next_ledger_id = 1;
}

void book_release(struct portfolio *pf)
{
	free(pf->pos);
	free(pf->bench);
	free(pf->snaps);
	free(pf->snap_bench);
	free(pf->ledger);
	memset(pf, 0, sizeof(*pf));
}

struct ledger_entry *book_post(struct portfolio *pf, int session, int64_t position_id,
			       const char *kind, int64_t cents, const char *memo)
{
	struct ledger_entry *e;

	xgrow(&pf->ledger, &pf->cap_ledger, pf->n_ledger + 1, sizeof(*pf->ledger));
	e = &pf->ledger[pf->n_ledger++];
	memset(e, 0, sizeof(*e));
	e->id = pf->next_ledger_id++;
	e->session = session;
	e->position_id = position_id;
	pt_strlcpy(e->kind, kind, sizeof(e->kind));
	e->cents = cents;
	pt_strlcpy(e->memo, memo ? memo : "", sizeof(e->memo));
	pf->cash_cents += cents;
	return e;
}

double book_multiplier(const struct position *p)
{
	return p->right == 'S' ? 1.0 : 100.0;
}

static void describe(const struct position *p, char *buf, size_t n)
{
	char d[DATE_BUFSZ];

	if (p->right == 'S')
		snprintf(buf, n, "%s shares", p->ticker);
	else
		snprintf(buf, n, "%s %s %g %s", p->ticker, date_fmt(p->expiry, d), p->strike,
			 p->right == 'C' ? "call" : "put");
}

struct position *book_open(struct portfolio *pf, int session, const char *ticker, char right,
			   double strike, int expiry, double quantity, double price,
			   double commission_per_contract)
{
	struct position *p;
	char what[64], memo[BOOK_MEMOSZ];
	int64_t flow, fee = 0;

	xgrow(&pf->pos, &pf->cap_pos, pf->n_pos + 1, sizeof(*pf->pos));
	p = &pf->pos[pf->n_pos++];
	memset(p, 0, sizeof(*p));
	p->id = pf->next_pos_id++;
	pt_strlcpy(p->ticker, ticker, sizeof(p->ticker));
	p->right = right;
	p->strike = right == 'S' ? 0 : strike;
	p->expiry = right == 'S' ? 0 : expiry;
	p->quantity = quantity;
	p->entry_price = price;
	p->opened = session;
	p->mark = price;
	p->entry_iv = p->entry_hv = p->entry_theo = p->entry_spot = NAN;

	describe(p, what, sizeof(what));
	flow = pt_cents(-quantity * price * book_multiplier(p));
	snprintf(memo, sizeof(memo), "%s %g %s at %.4g", quantity < 0 ? "sell" : "buy",
		 fabs(quantity), what, price);
	book_post(pf, session, p->id, right == 'S' ? "purchase" : "premium", flow, memo);
	if (right != 'S' && commission_per_contract > 0) {
		fee = -pt_cents(commission_per_contract * fabs(quantity));
		snprintf(memo, sizeof(memo), "commission on %s", what);
		book_post(pf, session, p->id, "commission", fee, memo);
	}
	p->credit_cents = flow + fee;
	return p;
}

void book_close(struct portfolio *pf, struct position *p, int session, double price,
		const char *reason, double commission_per_contract)
{
	char what[64], memo[BOOK_MEMOSZ];
	int64_t flow, fee = 0;

	describe(p, what, sizeof(what));
	flow = pt_cents(p->quantity * price * book_multiplier(p));
	snprintf(memo, sizeof(memo), "%s: %s at %.4g", reason, what, price);
	book_post(pf, session, p->id, "settlement", flow, memo);
	if (p->right != 'S' && commission_per_contract > 0) {
		fee = -pt_cents(commission_per_contract * fabs(p->quantity));
		snprintf(memo, sizeof(memo), "commission on closing %s", what);
		book_post(pf, session, p->id, "commission", fee, memo);
	}
	p->closed = session;
	p->exit_price = price;
	p->mark = price;
	p->mark_model = 0;
	p->close_cents = flow + fee;
	pt_strlcpy(p->reason, reason, sizeof(p->reason));
}

void book_dividend(struct portfolio *pf, int session, const struct position *p,
		   double amount_per_share)
{
	char memo[BOOK_MEMOSZ];
	int64_t c = pt_cents(amount_per_share * p->quantity);

	snprintf(memo, sizeof(memo), "dividend %.4g on %g %s shares", amount_per_share, p->quantity,
		 p->ticker);
	book_post(pf, session, p->id, "dividend", c, memo);
	pf->income_cents += c;
}

int64_t book_interest(struct portfolio *pf, int session, double rate, int days)
{
	char memo[BOOK_MEMOSZ];
	double exact;
	int64_t c;

	if (!isfinite(rate) || days <= 0)
		return 0;
	exact = (double)pf->cash_cents * rate * (double)days / 365.0 + pf->interest_carry;
	c = (int64_t)llround(exact);
	pf->interest_carry = exact - (double)c;
	if (!c)
		return 0;
	snprintf(memo, sizeof(memo), "interest at %.3f%% for %d day%s on %.2f", rate * 100.0, days,
		 days == 1 ? "" : "s", (double)pf->cash_cents / 100.0);
	book_post(pf, session, 0, "interest", c, memo);
	pf->income_cents += c;
	return c;
}

int64_t book_pnl_cents(const struct position *p)
{
	return p->credit_cents + p->close_cents;
}

int64_t book_position_value_cents(const struct position *p)
{
	return pt_cents(p->quantity * p->mark * book_multiplier(p));
}

int64_t book_unrealized_cents(const struct position *p)
{
	return p->credit_cents + book_position_value_cents(p);
}

int64_t book_margin_cents(char right, double quantity, double strike, double spot,
			  double option_price, double pct, double min_pct, int cover)
{
	double otm, per_share, floor_base;

	if (quantity >= 0 || (right == 'C' && cover == BOOK_COVERED))
		return 0;
	if (right == 'P' && cover == BOOK_SECURED)
		return pt_cents((strike - option_price) * 100.0 * fabs(quantity));
	otm = right == 'C' ? (strike > spot ? strike - spot : 0)
			   : (spot > strike ? spot - strike : 0);
	floor_base = right == 'C' ? spot : strike;
	per_share = pct * spot - otm;
	if (per_share < min_pct * floor_base)
		per_share = min_pct * floor_base;
	return pt_cents(per_share * 100.0 * fabs(quantity));
}

int64_t book_spread_margin_cents(double units, double short_strike, double long_strike,
				 double short_price, double long_price)
{
	double per_share = fabs(long_strike - short_strike) - (short_price - long_price);

	return per_share > 0 ? pt_cents(per_share * 100.0 * units) : 0;
}

int book_hedges(char right, double short_strike, double long_strike)
{
	return right == 'C' ? long_strike > short_strike : long_strike < short_strike;
}

int64_t book_positions_value_cents(const struct portfolio *pf)
{
	int64_t v = 0;
	size_t i;

	for (i = 0; i < pf->n_pos; i++)
		if (!pf->pos[i].closed)
			v += book_position_value_cents(&pf->pos[i]);
	return v;
}

int book_open_count(const struct portfolio *pf, const char *ticker, const char *strategy)
{
	int n = 0;
	size_t i;

	for (i = 0; i < pf->n_pos; i++)
		if (!pf->pos[i].closed && pf->pos[i].right != 'S' &&
		    !strcmp(pf->pos[i].ticker, ticker) &&
		    (!strategy || !strcmp(pf->pos[i].strategy, strategy)))
			n++;
	return n;
}

double book_shares(const struct portfolio *pf, const char *ticker)
{
	double q = 0;
	size_t i;

	for (i = 0; i < pf->n_pos; i++)
		if (!pf->pos[i].closed && pf->pos[i].right == 'S' &&
		    !strcmp(pf->pos[i].ticker, ticker))
			q += pf->pos[i].quantity;
	return q;
}

void book_add_snapshot(struct portfolio *pf, const struct snapshot *s, const int64_t *bench_cents)
{
	size_t cap_bench;

	xgrow(&pf->snaps, &pf->cap_snaps, pf->n_snaps + 1, sizeof(*pf->snaps));
	/* snap_bench grows in step with snaps: same capacity in rows. */
	cap_bench = pf->cap_snaps * (pf->n_bench ? pf->n_bench : 1);
	pf->snap_bench = xrealloc(pf->snap_bench, cap_bench * sizeof(*pf->snap_bench));
	pf->snaps[pf->n_snaps] = *s;
	if (pf->n_bench)
		memcpy(pf->snap_bench + pf->n_snaps * pf->n_bench, bench_cents,
		       pf->n_bench * sizeof(*bench_cents));
	pf->n_snaps++;
}

/* The identities, given the ledger's sum and the positions' closed P&L and
 * open credit. */
static int identities(const struct portfolio *pf, int64_t sum, int64_t closed, int64_t open,
		      char *err)
{
	if (pf->cash_cents != pf->initial_cents + sum)
		return pt_err(err, -1,
			      "cash %" PRId64 " != initial %" PRId64 " + ledger %" PRId64
			      " (off by %" PRId64 " cents)",
			      pf->cash_cents, pf->initial_cents, sum,
			      pf->cash_cents - pf->initial_cents - sum);
	if (pf->cash_cents != pf->initial_cents + closed + open + pf->income_cents)
		return pt_err(err, -1,
			      "cash %" PRId64 " != initial + closed pnl %" PRId64
			      " + open credit %" PRId64 " + income %" PRId64 " (off by %" PRId64
			      " cents)",
			      pf->cash_cents, closed, open, pf->income_cents,
			      pf->cash_cents - pf->initial_cents - closed - open -
				      pf->income_cents);
	return 0;
}

int book_check(const struct portfolio *pf, char *err)
{
	int64_t sum = 0, closed = 0, open = 0;
	size_t i;

	for (i = 0; i < pf->n_ledger; i++)
		sum += pf->ledger[i].cents;
	for (i = 0; i < pf->n_pos; i++) {
		if (pf->pos[i].closed)
			closed += book_pnl_cents(&pf->pos[i]);
		else
			open += pf->pos[i].credit_cents;
	}
	return identities(pf, sum, closed, open, err);
}

int book_check_since(struct portfolio *pf, char *err)
{
	int64_t closed, open = 0;
	size_t i;

	if (pf->chk_ledger > pf->n_ledger || pf->chk_pos > pf->n_pos)
		pf->chk_ledger = pf->chk_pos = 0, pf->chk_sum = pf->chk_closed = 0;
	for (i = pf->chk_ledger; i < pf->n_ledger; i++)
		pf->chk_sum += pf->ledger[i].cents;
	pf->chk_ledger = pf->n_ledger;
	for (; pf->chk_pos < pf->n_pos && pf->pos[pf->chk_pos].closed; pf->chk_pos++)
		pf->chk_closed += book_pnl_cents(&pf->pos[pf->chk_pos]);
	closed = pf->chk_closed;
	for (i = pf->chk_pos; i < pf->n_pos; i++) {
		if (pf->pos[i].closed)
			closed += book_pnl_cents(&pf->pos[i]);
		else
			open += pf->pos[i].credit_cents;
	}
	return identities(pf, pf->chk_sum, closed, open, err);
}

static void *dup_array(const void *src, size_t n, size_t sz)
{
	void *p;

	if (!n || !src)
		return NULL;
	p = xmalloc(n * sz);
	memcpy(p, src, n * sz);
	return p;
}

void book_copy(struct portfolio *dst, const struct portfolio *src)
{
	*dst = *src;
	dst->pos = dup_array(src->pos, src->n_pos, sizeof(*src->pos));
	dst->cap_pos = src->n_pos;
	dst->bench = dup_array(src->bench, src->n_bench, sizeof(*src->bench));
	dst->snaps = dup_array(src->snaps, src->n_snaps, sizeof(*src->snaps));
	dst->cap_snaps = src->n_snaps;
	dst->snap_bench =
		dup_array(src->snap_bench, src->n_snaps * src->n_bench, sizeof(*src->snap_bench));
	dst->ledger = dup_array(src->ledger, src->n_ledger, sizeof(*src->ledger));
	dst->cap_ledger = src->n_ledger;
}
