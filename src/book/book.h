/*
 * book.h - portfolio accounting (DESIGN.md §1 steps 1, 2, 4-6; §3; errata
 * 1-3 and 5): positions, the cash ledger in integer cents, margin, fills,
 * settlement, benchmarks and daily snapshots. Pure: no I/O, no clock; the
 * store loads and saves a struct portfolio, the engine changes it.
 *
 * Identities that hold after every booking, to the cent:
 *   cash = initial + sum(ledger)                 (every cash flow is a ledger row)
 *   cash = initial + sum(closed pnl) + sum(open credit) + income
 *   value = cash + positions value               (shorts at their cost to close)
 */
#ifndef PT_BOOK_H
#define PT_BOOK_H

#include <stddef.h>
#include <stdint.h>

#define BOOK_SYMSZ 16
#define BOOK_KINDSZ 16
#define BOOK_MEMOSZ 96

struct position {
	int64_t id;		/* unique, assigned by book_open (1, 2, ...) */
	char ticker[BOOK_SYMSZ];
	char right;		/* 'C', 'P', or 'S' for shares of the ETF */
	double strike;		/* 0 for shares */
	int expiry;		/* day number; 0 for shares */
	double quantity;	/* signed: contracts (short < 0), or shares */
	double entry_price;	/* dollars per share */
	int opened;		/* session day number */
	int64_t credit_cents;	/* net cash booked at open, commission included
				 * (negative for a purchase) */
	double mark;		/* latest mark, dollars per share (the cost to close a short) */
	int mark_model;		/* 1 when the mark came from the model, not a quote */
	double entry_spot, entry_iv, entry_hv, entry_theo;	/* at entry, for the record */
	int closed;		/* session day number it closed; 0 while open */
	double exit_price;	/* dollars per share */
	int64_t close_cents;	/* net cash booked at close, commission included */
	char reason[BOOK_KINDSZ];	/* why it closed: "expired", "assigned" */
	char strategy[BOOK_SYMSZ];	/* the strategy that opened it; "" for shares */
};

struct ledger_entry {
	int64_t id;		/* unique, assigned by book_post (1, 2, ...) */
	int session;
	int64_t position_id;	/* 0 when not tied to a position */
	char kind[BOOK_KINDSZ];	/* "premium", "commission", "settlement", "purchase", "dividend" */
	int64_t cents;		/* signed: positive flows into cash */
	char memo[BOOK_MEMOSZ];
};

struct bench {
	char ticker[BOOK_SYMSZ];
	double shares;		/* initial capital / first price, dividends reinvested */
	double price;		/* latest price used to value it */
};

struct snapshot {
	int session;
	int64_t cash_cents;
	int64_t positions_cents;	/* longs at mark minus shorts at cost to close */
	int64_t value_cents;		/* cash + positions */
	int64_t margin_cents;		/* maintenance requirement at the close of
					 * the session, equity basis (schema 5;
					 * before, short options' value included) */
	int64_t call_cents;		/* margin call outstanding: requirement
					 * above equity (0 when none) */
	double cash_rate;		/* annual rate the cash earns from this
					 * session to the next; NAN when unknown */
	double rate;			/* risk-free rate of the session (annual fraction);
					 * NAN when unknown */
};

struct portfolio {
	int64_t initial_cents;
	int start;		/* first session run; 0 before */
	int last_session;	/* last session run; 0 before */
	int events_through;	/* expirations and dividends processed through this day */
	int64_t cash_cents;
	int64_t income_cents;	/* dividends received on shares held, and
				 * interest on cash (errata 9) */
	double interest_carry;	/* interest accrued but not yet booked: less
				 * than a cent either way */
	int64_t next_pos_id;
	int64_t next_ledger_id;

	struct position *pos;	/* open and closed, in id order */
	size_t n_pos, cap_pos;

	struct bench *bench;	/* one per configured ticker, fixed at the first session */
	size_t n_bench;

	struct snapshot *snaps;	/* one per session run, in order */
	size_t n_snaps, cap_snaps;
	int64_t *snap_bench;	/* n_snaps x n_bench benchmark values in cents, row-major */

	struct ledger_entry *ledger;	/* the whole ledger, in id order */
	size_t n_ledger, cap_ledger;
	size_t ledger_saved;	/* entries [0, ledger_saved) are already in the store */
	/* what book_check_since verified last: the ledger's first chk_ledger
	 * rows sum to chk_sum, and positions [0, chk_pos) are closed with a
	 * P&L of chk_closed (rows and closed positions never change again) */
	size_t chk_ledger, chk_pos;
	int64_t chk_sum, chk_closed;
};

void book_init(struct portfolio *pf, int64_t initial_cents);
void book_release(struct portfolio *pf);

/* Appends a ledger row and moves cash by cents. Returns the entry (borrowed). */
struct ledger_entry *book_post(struct portfolio *pf, int session, int64_t position_id,
			       const char *kind, int64_t cents, const char *memo);

/*
 * Opens a position: books the premium (quantity x price x 100, rounded once
 * to cents, sign by side) and the commission (per contract x |quantity|,
 * rounded once; none on shares) as ledger rows. credit_cents is their sum.
 * Returns the new position (borrowed; valid until the next book_open).
 */
struct position *book_open(struct portfolio *pf, int session, const char *ticker, char right,
			   double strike, int expiry, double quantity, double price,
			   double commission_per_contract);

/*
 * Closes an open position at price per share (intrinsic value at expiry),
 * booking the cash (no commission on expiry or assignment: pass 0).
 * reason: "expired" (worthless), "assigned", "exercised".
 */
void book_close(struct portfolio *pf, struct position *p, int session, double price,
		const char *reason, double commission_per_contract);

/*
 * Books a cash dividend on a shares position: amount per share x shares,
 * rounded once, as a "dividend" ledger row; also counted in income.
 */
void book_dividend(struct portfolio *pf, int session, const struct position *p,
		   double amount_per_share);

/*
 * Interest on the cash balance (errata 9): cash_cents x rate x days / 365
 * (simple, actual/365; rate an annual fraction, negative cash is charged),
 * plus the fraction of a cent carried from before, is accrued; its whole
 * cents are booked as an "interest" ledger row counted in income and the
 * rest is carried, so rounding never builds up. Returns the cents booked.
 */
int64_t book_interest(struct portfolio *pf, int session, double rate, int days);

/* Multiplier: 100 shares per contract, 1 for shares. */
double book_multiplier(const struct position *p);
/* Realised P&L of a closed position: credit + close cash. */
int64_t book_pnl_cents(const struct position *p);
/* Value of an open position at its mark: positive for longs, negative for shorts. */
int64_t book_position_value_cents(const struct position *p);
/* Unrealised P&L of an open position: credit + value. */
int64_t book_unrealized_cents(const struct position *p);

/* How a short option is held, for its margin. */
enum book_cover {
	BOOK_NAKED,	/* Reg-T margin */
	BOOK_COVERED,	/* a call covered by 100 shares a contract: no margin */
	BOOK_SECURED,	/* a put whose strike is held in cash */
};

/*
 * Maintenance requirement of a short option (errata 3 and 8), per
 * |quantity| x 100, in cents, on the equity basis: what the account's
 * equity (cash + longs - shorts at their cost to close, which already
 * deducts the option's value) must cover beyond it. A broker's statement
 * shows the same rule as "100% of the option's value + ...", against an
 * equity that does not deduct it; the excess is the same (docs/margin.md).
 *   call, naked:   pct x spot - OTM amount, at least min_pct x spot
 *   put, naked:    pct x spot - OTM amount, at least min_pct x strike
 *   put, secured:  strike - option_price (the strike in cash, of which the
 *                  put's value is already deducted from equity)
 *   call, covered: 0 (the shares carry their own requirement)
 * Zero for longs (quantity >= 0).
 */
int64_t book_margin_cents(char right, double quantity, double strike, double spot,
			  double option_price, double pct, double min_pct, int cover);
/*
 * Margin of a vertical credit spread of units (> 0) spreads: the short leg
 * at short_strike and price short_price, hedged by a long of the same right
 * and expiry at long_strike and long_price: the width less the credit,
 * (|long_strike - short_strike| - (short_price - long_price)) x 100 x
 * units, in cents, never below 0 (a debit spread is paid in full).
 */
int64_t book_spread_margin_cents(double units, double short_strike, double long_strike,
				 double short_price, double long_price);
/* 1 when a long of right at long_strike caps the loss of a short at
 * short_strike (same right and expiry): a call struck higher, a put lower. */
int book_hedges(char right, double short_strike, double long_strike);

/* Sum of positions value (open only). */
int64_t book_positions_value_cents(const struct portfolio *pf);
/* Number of open option positions on ticker opened by strategy (any
 * strategy when NULL). */
int book_open_count(const struct portfolio *pf, const char *ticker, const char *strategy);
/* Shares held of ticker (0 when none). */
double book_shares(const struct portfolio *pf, const char *ticker);

/* Appends the snapshot for a session (bench_cents has n_bench values). */
void book_add_snapshot(struct portfolio *pf, const struct snapshot *s, const int64_t *bench_cents);

/*
 * Checks the ledger identities of DESIGN.md §5. Returns 0, or -1 with err
 * (PT_ERRSZ) saying which identity fails and by how much.
 */
int book_check(const struct portfolio *pf, char *err);
/*
 * book_check, reading only what changed since its last call on pf: the
 * ledger rows appended since, and the positions from the first one that
 * was still open. The same verdict, at a cost that does not grow with the
 * history (a ten-year replay checks every session). Updates pf's chk_*.
 */
int book_check_since(struct portfolio *pf, char *err);

/* Deep copy (for dry runs such as `scan`). dst is overwritten. */
void book_copy(struct portfolio *dst, const struct portfolio *src);

#endif
