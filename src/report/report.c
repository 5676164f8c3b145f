/*
 * report.c - the daily report (text and JSON), listings and the scan
 * explanation (DESIGN.md §1, "report (text | --json)"; §5 JSON contract).
 * Text follows the brief's example output, section by section; numbers come
 * from the book, with shorts carried at their cost to close (errata 1).
 */
#include <ctype.h>
#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "report.h"
#include "analytics.h"
#include "metrics.h"
#include "../book/book.h"
#include "../config.h"
#include "../engine.h"
#include "../market/calendar.h"
#include "../util/date.h"
#include "../util/util.h"

#define RULE_LINE "======================================================================"
#define JSON_FLAGS (JSON_REAL_PRECISION(12) | JSON_PRESERVE_ORDER)

static const char *green(const struct report_in *in)
{
	return in->color ? "\033[32m" : "";
}

static const char *red(const struct report_in *in)
{
	return in->color ? "\033[31m" : "";
}

static const char *bold(const struct report_in *in)
{
	return in->color ? "\033[1m" : "";
}

static const char *reset(const struct report_in *in)
{
	return in->color ? "\033[0m" : "";
}

static const char *sign_color(const struct report_in *in, double v)
{
	return v > 0 ? green(in) : v < 0 ? red(in) : "";
}

static const char *money(char *buf, size_t n, int64_t cents)
{
	return pt_fmt_money(buf, n, cents);
}

static void pct(char *buf, size_t n, double f)
{
	if (isfinite(f))
		snprintf(buf, n, "%+.2f%%", f * 100.0);
	else
		snprintf(buf, n, "n/a");
}

static void num(char *buf, size_t n, double f, const char *fmt)
{
	if (isfinite(f))
		snprintf(buf, n, fmt, f);
	else
		snprintf(buf, n, "n/a");
}

/* The estimator of s's HV for people: its name, with ewma's lambda. */
static const char *hv_label(const struct report_in *in, const struct scan_ticker *s, char *buf,
			    size_t n)
{
	if (s->hv_estimator == HV_EWMA)
		snprintf(buf, n, "ewma %g", in->cfg->ewma_lambda);
	else
		snprintf(buf, n, "%s", hv_estimator_name(s->hv_estimator));
	return buf;
}

static const char *right_name(char r)
{
	return r == 'C' ? "call" : r == 'P' ? "put" : "shares";
}

void report_run_text(const struct report_in *in, struct sbuf *out)
{
	const struct engine_day *day = in->day;
	const struct portfolio *pf = in->pf;
	char d[DATE_BUFSZ], d2[DATE_BUFSZ], m1[32], m2[32], m3[32];
	size_t i, open = 0, closed = 0;

	{
		int aday, asec;
		cal_epoch_to_ny(day->asof, &aday, &asec);
		sb_addf(out, "%s\n%sDAILY PAPER TRADING UPDATE - %s %02d:%02d New York%s\n%s\n\n",
			RULE_LINE, bold(in), date_fmt(day->session, d), asec / 3600, asec / 60 % 60,
			reset(in), RULE_LINE);
	}
	if (day->first)
		sb_addf(out, "New portfolio: %s of capital, benchmarks bought at today's prices\n\n",
			money(m1, sizeof(m1), pf->initial_cents));

	sb_addf(out, "Updating positions...\n");
	for (i = 0; i < day->n_settled; i++) {
		const struct engine_settle *s = &day->settled[i];
		if (s->ex_date) {
			/* errata 10: engine.c early_assign */
			sb_addf(out,
				"  ASSIGNED EARLY: %s %g %s of %s, on the eve of the %s ex-date\n",
				s->ticker, s->strike, right_name(s->right), date_fmt(s->expiry, d),
				date_fmt(s->ex_date, d2));
			sb_addf(out,
				"     its time value after the %.4g dividend, %.2f, was below it: "
				"it cost %s against holding the call\n",
				s->dividend, s->time_value,
				money(m1, sizeof(m1),
				      pt_cents(-s->quantity * 100.0 *
					       (s->price - s->value_after))));
		} else {
			sb_addf(out, "  %s: %s %g %s of %s\n",
				s->reason[0] == 'e' ? "EXPIRED" : "ASSIGNED", s->ticker, s->strike,
				right_name(s->right), date_fmt(s->expiry, d));
		}
		sb_addf(out, "     close %.2f, intrinsic %.2f | settled %s | P&L %s%s%s\n", s->close,
			s->price, money(m1, sizeof(m1), s->cents), sign_color(in, (double)s->pnl_cents),
			money(m2, sizeof(m2), s->pnl_cents), reset(in));
	}
	for (i = 0; i < day->n_divs; i++) {
		const struct engine_dividend *e = &day->divs[i];
		sb_addf(out, "  DIVIDEND: %s %.4f per share, ex-date %s", e->ticker, e->amount,
			date_fmt(e->ex_date, d));
		if (e->cents)
			sb_addf(out, ", received %s", money(m1, sizeof(m1), e->cents));
		sb_addf(out, " (benchmark reinvested at %.2f)\n", e->price);
	}
	if (day->interest_cents)
		sb_addf(out, "  INTEREST: %s on cash at %.2f%% for %d day%s\n",
			money(m1, sizeof(m1), day->interest_cents), day->interest_rate * 100.0,
			day->interest_days, day->interest_days == 1 ? "" : "s");
	if (day->call_prev_cents && !day->call_cents)
		sb_addf(out, "  MARGIN CALL of %s met: equity is back above the requirement\n",
			money(m1, sizeof(m1), day->call_prev_cents));
	if (day->call_issued)
		sb_addf(out, "  %sMARGIN CALL%s: equity is %s below the maintenance requirement; "
			"unmet by the next session, positions are bought back\n",
			red(in), reset(in), money(m1, sizeof(m1), day->call_cents));
	else if (day->call_cents)
		sb_addf(out, "  %sMARGIN CALL%s: equity %s below the requirement%s: closing at the ask, "
			"largest requirement first\n", red(in), reset(in),
			money(m1, sizeof(m1), day->call_cents),
			day->call_prev_cents ? ", unmet since the last session" : ", past liquidate_at");
	for (i = 0; i < day->n_forced; i++) {
		const struct engine_settle *s = &day->forced[i];
		if (s->right == 'S')
			sb_addf(out, "  CLOSED FOR THE CALL: sold %g %s shares at %.2f", s->quantity,
				s->ticker, s->price);
		else
			sb_addf(out, "  CLOSED FOR THE CALL: %s %g %s %s x %.4g at %.2f", s->ticker,
				s->strike, right_name(s->right), date_fmt(s->expiry, d), s->quantity,
				s->price);
		sb_addf(out, " | cash %s | P&L %s%s%s\n", money(m1, sizeof(m1), s->cents),
			sign_color(in, (double)s->pnl_cents), money(m2, sizeof(m2), s->pnl_cents),
			reset(in));
	}
	/* The positions carried into the day, as marked before the scan; the
	 * day's new trades are listed below. */
	for (i = 0; i < pf->n_pos; i++)
		if (pf->pos[i].closed)
			closed++;
		else if (pf->pos[i].opened < day->session)
			open++;
	sb_addf(out, "  Open positions: %zu (marked: %d from quotes, %d from the model)\n", open,
		day->n_marked, day->n_model_marks);
	sb_addf(out, "  Closed trades: %zu\n\n", closed);

	sb_addf(out, "Scanning for new opportunities...\n");
	for (i = 0; i < day->n_scans; i++) {
		const struct scan_ticker *s = &day->scans[i];
		char hv[16], rate[16], est[32];

		sb_addf(out, "\nAnalyzing %s", s->symbol);
		if (in->cfg->n_strat > 1)
			sb_addf(out, " for %s", s->strat->name);
		if (s->source[0]) {
			int qday, qsec;
			char qd[DATE_BUFSZ];
			sb_addf(out, " (%s", s->source);
			if (s->quote_time) {
				cal_epoch_to_ny(s->quote_time, &qday, &qsec);
				sb_addf(out, ", quote of %s %02d:%02d New York", date_fmt(qday, qd),
					qsec / 3600, qsec / 60 % 60);
			}
			if (s->dropped)
				sb_addf(out, ", %d bad rows dropped", s->dropped);
			sb_addf(out, ")");
		}
		sb_addf(out, "...\n");
		if (s->fallback[0])
			sb_addf(out, "  Served by %s: %s\n", s->source, s->fallback);
		if (!s->ok) {
			sb_addf(out, "  %sskipped: %s%s\n", red(in), s->skip, reset(in));
			continue;
		}
		num(hv, sizeof(hv), s->hv * 100.0, "%.1f%%");
		num(rate, sizeof(rate), s->rate * 100.0, "%.2f%%");
		sb_addf(out, "  Using expiration: %s (%d days, T=%.3f years)\n",
			date_fmt(s->expiry, d), s->dte, s->T);
		sb_addf(out,
			"  Spot: %.2f | Historical vol (%ld sessions, %s): %s | rate %s | dividend "
			"yield %.2f%%\n",
			s->spot, in->cfg->hv_window, hv_label(in, s, est, sizeof(est)), hv, rate,
			s->div_yield * 100.0);
		sb_addf(out, "  %c%s looked at: %zu", toupper((unsigned char)s->strat->contracts[0]),
			s->strat->contracts + 1, s->n);
		for (size_t r = 1; r < s->strat->n_rules; r++)
			if (s->counts[r])
				sb_addf(out, ", %d failed %s", s->counts[r],
					strategy_rule_name(s->strat, (int)r));
		sb_addf(out, ", %d qualified\n", s->counts[0]);
		if (s->best < 0) {
			sb_addf(out, "  x No opportunities meeting criteria\n");
			continue;
		}
		{
			const struct scan_contract *c = &s->c[s->best];
			sb_addf(out, "  %sFOUND OPPORTUNITY%s\n", green(in), reset(in));
			sb_addf(out, "     Strike: %g (%.2f moneyness)\n", c->strike, 1.0 + c->moneyness);
			sb_addf(out, "     Bid: %.2f (Theo: %.2f, ask %.2f)\n", c->bid, c->theo, c->ask);
			sb_addf(out, "     IV: %.1f%% vs HV: %.1f%%", c->iv * 100.0, s->hv * 100.0);
			if (isfinite(c->vendor_iv))
				sb_addf(out, " (vendor IV %.1f%%)", c->vendor_iv * 100.0);
			if (c->theo >= 0.01)
				sb_addf(out, "\n     Edge: %.2f (%.1f%%)\n", c->edge, c->edge_pct * 100.0);
			else
				sb_addf(out, "\n     Edge: %.2f (theo under a cent)\n", c->edge);
			if (s->order.why[0])
				sb_addf(out, "     Chosen: %s\n", s->order.why);
		}
		if (!s->traded)
			sb_addf(out, "  %s\n", s->skip);
		else if (strstr(s->skip, "; sized down by "))
			sb_addf(out, "  Sized down by %s\n", strstr(s->skip, "; sized down by ") + 16);
	}
	sb_addf(out, "\n");
	for (i = 0; i < day->n_trades; i++) {
		const struct engine_trade *t = &day->trades[i];
		sb_addf(out, "  %sTRADE EXECUTED%s: %s %.4g x %s %g %s %s at %.2f\n", green(in),
			reset(in), t->quantity < 0 ? "SELL" : "BUY", fabs(t->quantity), t->ticker,
			t->strike, right_name(t->right), date_fmt(t->expiry, d2), t->price);
		sb_addf(out, "     Premium %s, commission %s", money(m1, sizeof(m1), t->premium_cents),
			money(m2, sizeof(m2), -t->commission_cents));
		if (t->margin_cents)
			sb_addf(out, ", margin %s", money(m3, sizeof(m3), t->margin_cents));
		sb_addf(out, "\n");
	}
	sb_addf(out, "Executed %zu new trade%s today\n\n", day->n_trades, day->n_trades == 1 ? "" : "s");
	if (day->notes.len)
		sb_addf(out, "Notes:\n%s\n", sb_str(&day->notes));

	sb_addf(out, "Daily Snapshot:\n");
	sb_addf(out, "   Portfolio Value: %s\n", money(m1, sizeof(m1), day->snap.value_cents));
	sb_addf(out, "   Cash: %s\n", money(m1, sizeof(m1), day->snap.cash_cents));
	sb_addf(out, "   Positions Value: %s (shorts at their cost to close)\n",
		money(m1, sizeof(m1), day->snap.positions_cents));
	sb_addf(out, "   Margin requirement: %s | Excess: %s\n", money(m1, sizeof(m1), day->snap.margin_cents),
		money(m2, sizeof(m2), day->snap.value_cents - day->snap.margin_cents));
	if (day->snap.call_cents)
		sb_addf(out, "   %sMargin call outstanding: %s%s\n", red(in),
			money(m1, sizeof(m1), day->snap.call_cents), reset(in));
	sb_addf(out, "\n");
}

int64_t report_interest_cents(const struct portfolio *pf)
{
	int64_t c = 0;
	size_t i;

	for (i = 0; i < pf->n_ledger; i++)
		if (!strcmp(pf->ledger[i].kind, "interest"))
			c += pf->ledger[i].cents;
	return c;
}

void report_margin_calls(const struct portfolio *pf, int *calls, int *forced)
{
	size_t i;

	*calls = *forced = 0;
	for (i = 0; i < pf->n_snaps; i++)
		*calls += pf->snaps[i].call_cents > 0 && (i == 0 || !pf->snaps[i - 1].call_cents);
	for (i = 0; i < pf->n_pos; i++)
		*forced += pf->pos[i].closed && !strcmp(pf->pos[i].reason, "margin call");
}

void report_summary_text(const struct report_in *in, struct sbuf *out)
{
	const struct portfolio *pf = in->pf;
	const struct snapshot *sn;
	struct metrics m;
	char d[DATE_BUFSZ], d2[DATE_BUFSZ], m1[32], m2[32], p1[24], p2[24], x[24];
	size_t i, open = 0, closed = 0;
	int64_t interest;
	int calls, forced;

	metrics_compute(pf, &m);
	for (i = 0; i < pf->n_pos; i++)
		pf->pos[i].closed ? closed++ : open++;
	sb_addf(out, "%s\n%s%s%s\n%s\n", RULE_LINE, bold(in),
		in->title ? in->title : "DAILY PORTFOLIO REPORT", reset(in), RULE_LINE);
	if (!pf->n_snaps && !pf->n_pos) {
		sb_addf(out, "No session run yet. Capital: %s\n%s\n",
			money(m1, sizeof(m1), pf->initial_cents), RULE_LINE);
		return;
	}
	if (!pf->n_snaps) { /* imported: positions, no session run here yet */
		int64_t pv = book_positions_value_cents(pf);
		sb_addf(out, "No session run yet (imported as of %s). Capital: %s\n\n",
			date_fmt(pf->last_session, d), money(m1, sizeof(m1), pf->initial_cents));
		sb_addf(out, "Portfolio Value: %s\n", money(m1, sizeof(m1), pf->cash_cents + pv));
		sb_addf(out, "Positions Value: %s (shorts at their cost to close)\n",
			money(m1, sizeof(m1), pv));
		sb_addf(out, "Open Positions: %zu\nClosed Trades: %zu\nCash: %s\n%s\n", open,
			closed, money(m1, sizeof(m1), pf->cash_cents), RULE_LINE);
		return;
	}
	sb_addf(out, "Date: %s\n", date_fmt(pf->last_session, d));
	sb_addf(out, "Sessions Trading: %zu (since %s)\n\n", pf->n_snaps, date_fmt(pf->start, d2));
	pct(p1, sizeof(p1), m.total_return);
	sb_addf(out, "Portfolio Value: %s\n", money(m1, sizeof(m1), pf->snaps[pf->n_snaps - 1].value_cents));
	sb_addf(out, "Total Return: %s%s%s\n", sign_color(in, m.total_return), p1, reset(in));
	/* bought on the first session run here (an imported portfolio's start
	 * is earlier) */
	sb_addf(out, "Benchmarks (buy and hold from %s, dividends reinvested):\n",
		date_fmt(pf->snaps[0].session, d2));
	for (i = 0; i < pf->n_bench && i < METRICS_MAX_BENCH; i++) {
		pct(p1, sizeof(p1), m.bench_return[i]);
		sb_addf(out, "  %-6s %12s  %s\n", pf->bench[i].ticker,
			money(m1, sizeof(m1), pf->snap_bench[(pf->n_snaps - 1) * pf->n_bench + i]), p1);
	}
	pct(p1, sizeof(p1), m.excess_return_vs_spy);
	sb_addf(out, "Excess return vs SPY: %s%s%s\n", sign_color(in, m.excess_return_vs_spy), p1,
		reset(in));
	/* with the analytics, these are in its section (once) */
	if (!in->an) {
		pct(p1, sizeof(p1), m.alpha_vs_spy);
		num(x, sizeof(x), m.beta_vs_spy, "%.2f");
		sb_addf(out, "Alpha vs SPY (Jensen, annualised): %s | Beta: %s\n", p1, x);
		num(p1, sizeof(p1), m.sharpe, "%.2f");
		num(p2, sizeof(p2), m.sortino, "%.2f");
		sb_addf(out, "Sharpe Ratio: %s | Sortino: %s", p1, p2);
		pct(p1, sizeof(p1), m.max_drawdown);
		sb_addf(out, " | Max Drawdown: %s\n", p1);
		if (m.n_closed)
			sb_addf(out, "Win Rate: %.0f%% (%d of %d closed trades)\n",
				m.win_rate * 100.0, m.n_wins, m.n_closed);
		else
			sb_addf(out, "Win Rate: n/a (no closed trades yet)\n");
	}
	sb_addf(out, "\nOpen Positions: %zu\nClosed Trades: %zu\nCash: %s\n", open, closed,
		money(m1, sizeof(m1), pf->cash_cents));
	interest = report_interest_cents(pf);
	if (pf->income_cents - interest)
		sb_addf(out, "Dividend income: %s\n", money(m1, sizeof(m1), pf->income_cents - interest));
	if (interest)
		sb_addf(out, "Interest on cash: %s\n", money(m1, sizeof(m1), interest));
	sn = &pf->snaps[pf->n_snaps - 1];
	sb_addf(out, "Margin requirement: %s | Excess: %s\n", money(m1, sizeof(m1), sn->margin_cents),
		money(m2, sizeof(m2), sn->value_cents - sn->margin_cents));
	report_margin_calls(pf, &calls, &forced);
	if ((calls || forced) && !in->an)
		sb_addf(out, "Margin calls: %d, positions closed for them: %d\n", calls, forced);
	if (sn->call_cents)
		sb_addf(out, "%sMargin call outstanding: %s%s\n", red(in),
			money(m1, sizeof(m1), sn->call_cents), reset(in));
	if (!in->an)
		sb_addf(out, "%s\n", RULE_LINE);
}

void report_text(const struct report_in *in, struct sbuf *out)
{
	report_run_text(in, out);
	report_summary_text(in, out);
}

/* JSON helpers: NAN becomes null. */
static json_t *jreal(double v)
{
	return isfinite(v) ? json_real(v) : json_null();
}

static json_t *jdollars(int64_t cents)
{
	return json_real((double)cents / 100.0);
}

static json_t *jdate(int day)
{
	char d[DATE_BUFSZ];
	return day > 0 ? json_string(date_fmt(day, d)) : json_null();
}

static json_t *jright(char r)
{
	char s[2] = {r, 0};
	return json_string(s);
}

static json_t *position_json(const struct position *p, int session)
{
	json_t *o = json_object();

	json_object_set_new(o, "id", json_integer(p->id));
	json_object_set_new(o, "ticker", json_string(p->ticker));
	json_object_set_new(o, "right", jright(p->right));
	json_object_set_new(o, "strike", p->right == 'S' ? json_null() : json_real(p->strike));
	json_object_set_new(o, "expiry", jdate(p->expiry));
	json_object_set_new(o, "quantity", json_real(p->quantity));
	json_object_set_new(o, "entry_price", json_real(p->entry_price));
	json_object_set_new(o, "opened", jdate(p->opened));
	json_object_set_new(o, "strategy", p->strategy[0] ? json_string(p->strategy) : json_null());
	if (!p->closed) {
		json_object_set_new(o, "mark", jreal(p->mark));
		json_object_set_new(o, "mark_source", json_string(p->mark_model ? "model" : "quote"));
		json_object_set_new(o, "credit", jdollars(p->credit_cents));
		json_object_set_new(o, "value", jdollars(book_position_value_cents(p)));
		json_object_set_new(o, "unrealized_pnl", jdollars(book_unrealized_cents(p)));
		json_object_set_new(o, "days_held", json_integer(session - p->opened));
		json_object_set_new(o, "days_to_expiry",
				    p->right == 'S' ? json_null() : json_integer(p->expiry - session));
	} else {
		json_object_set_new(o, "exit_price", json_real(p->exit_price));
		json_object_set_new(o, "closed", jdate(p->closed));
		json_object_set_new(o, "reason", json_string(p->reason));
		json_object_set_new(o, "credit", jdollars(p->credit_cents));
		json_object_set_new(o, "pnl", jdollars(book_pnl_cents(p)));
	}
	if (p->right != 'S') {
		json_object_set_new(o, "entry_spot", jreal(p->entry_spot));
		json_object_set_new(o, "entry_iv", jreal(p->entry_iv));
		json_object_set_new(o, "entry_hv", jreal(p->entry_hv));
		json_object_set_new(o, "entry_theo", jreal(p->entry_theo));
	}
	return o;
}

static json_t *positions_array(const struct portfolio *pf, int closed)
{
	json_t *a = json_array();
	size_t i;

	for (i = 0; i < pf->n_pos; i++)
		if (!pf->pos[i].closed == !closed)
			json_array_append_new(a, position_json(&pf->pos[i], pf->last_session));
	return a;
}

static int dump(json_t *o, int compact, struct sbuf *out)
{
	char *s = json_dumps(o, JSON_FLAGS | (compact ? JSON_COMPACT : JSON_INDENT(2)));
	int rc = -1;

	if (s) {
		rc = sb_add(out, s, strlen(s)) || sb_add(out, "\n", 1) ? -1 : 0;
		free(s);
	}
	json_decref(o);
	return rc;
}

/* Positions the day closed (settled, or bought back for a margin call):
 * the underlying's close, the price per share and the cash booked. */
static json_t *closed_events(const struct engine_settle *ev, size_t n)
{
	json_t *a = json_array();
	size_t i;

	for (i = 0; i < n; i++) {
		const struct engine_settle *s = &ev[i];
		json_t *x = json_object();
		json_object_set_new(x, "id", json_integer(s->pos_id));
		json_object_set_new(x, "ticker", json_string(s->ticker));
		json_object_set_new(x, "right", jright(s->right));
		json_object_set_new(x, "strike", json_real(s->strike));
		json_object_set_new(x, "expiry", jdate(s->expiry));
		json_object_set_new(x, "quantity", json_real(s->quantity));
		json_object_set_new(x, "close", jreal(s->close));
		json_object_set_new(x, "settlement_price", json_real(s->price));
		json_object_set_new(x, "cash", jdollars(s->cents));
		json_object_set_new(x, "pnl", jdollars(s->pnl_cents));
		json_object_set_new(x, "reason", json_string(s->reason));
		if (s->ex_date) {
			json_object_set_new(x, "ex_date", jdate(s->ex_date));
			json_object_set_new(x, "dividend", json_real(s->dividend));
			json_object_set_new(x, "value_after_ex", jreal(s->value_after));
			json_object_set_new(x, "time_value_after_ex", jreal(s->time_value));
		}
		json_array_append_new(a, x);
	}
	return a;
}

/* How the order's contract was chosen among those that qualified (the
 * order's why), null when none was. */
static json_t *chosen_by(const struct scan_ticker *s)
{
	return s->best >= 0 && s->order.why[0] ? json_string(s->order.why) : json_null();
}

static json_t *scan_json(const struct scan_ticker *s)
{
	json_t *o = json_object(), *a = json_array();
	size_t i;

	json_object_set_new(o, "ticker", json_string(s->symbol));
	json_object_set_new(o, "strategy", json_string(s->strat->name));
	json_object_set_new(o, "source", json_string(s->source));
	json_object_set_new(o, "fallback", s->fallback[0] ? json_string(s->fallback) : json_null());
	json_object_set_new(o, "ok", json_boolean(s->ok));
	json_object_set_new(o, "spot", jreal(s->spot));
	json_object_set_new(o, "hv", jreal(s->hv));
	json_object_set_new(o, "hv_estimator", json_string(hv_estimator_name(s->hv_estimator)));
	json_object_set_new(o, "rate", jreal(s->rate));
	json_object_set_new(o, "dividend_yield", jreal(s->div_yield));
	json_object_set_new(o, "expiry", jdate(s->expiry));
	json_object_set_new(o, "T", jreal(s->T));
	json_object_set_new(o, "dropped", json_integer(s->dropped));
	json_object_set_new(o, "quote_time", json_integer(s->quote_time));
	json_object_set_new(o, "traded", json_boolean(s->traded));
	json_object_set_new(o, "note", json_string(s->skip));
	json_object_set_new(o, "chosen_by", chosen_by(s));
	for (i = 0; i < s->n; i++) {
		const struct scan_contract *c = &s->c[i];
		json_t *k = json_object();
		json_object_set_new(k, "strike", json_real(c->strike));
		json_object_set_new(k, "bid", jreal(c->bid));
		json_object_set_new(k, "ask", jreal(c->ask));
		json_object_set_new(k, "volume", c->volume >= 0 ? json_integer(c->volume) : json_null());
		json_object_set_new(k, "moneyness", jreal(c->moneyness));
		json_object_set_new(k, "iv", jreal(c->iv));
		json_object_set_new(k, "vendor_iv", jreal(c->vendor_iv));
		json_object_set_new(k, "hv", jreal(s->hv));
		json_object_set_new(k, "theo", jreal(c->theo));
		json_object_set_new(k, "edge", jreal(c->edge));
		json_object_set_new(k, "edge_pct", jreal(c->edge_pct));
		json_object_set_new(k, "right", jright(c->right));
		json_object_set_new(k, "rule", json_string(strategy_rule_name(s->strat, c->rule)));
		json_object_set_new(k, "chosen", json_boolean((int)i == s->best));
		json_array_append_new(a, k);
	}
	json_object_set_new(o, "contracts", a);
	return o;
}

static json_t *run_object(const struct engine_day *day);

int report_json(const struct report_in *in, struct sbuf *out)
{
	const struct portfolio *pf = in->pf;
	json_t *o = json_object(), *b = json_object();
	struct metrics m;
	int64_t pv = book_positions_value_cents(pf);
	size_t i, last = pf->n_snaps ? pf->n_snaps - 1 : 0;

	metrics_compute(pf, &m);
	json_object_set_new(o, "session", jdate(pf->last_session));
	json_object_set_new(o, "start", jdate(pf->start));
	json_object_set_new(o, "provider", json_string(in->provider ? in->provider : ""));
	json_object_set_new(o, "initial_capital", jdollars(pf->initial_cents));
	json_object_set_new(o, "cash", jdollars(pf->cash_cents));
	json_object_set_new(o, "positions_value", jdollars(pv));
	json_object_set_new(o, "portfolio_value", jdollars(pf->cash_cents + pv));
	json_object_set_new(o, "total_return", jreal(m.total_return));
	for (i = 0; i < pf->n_bench && i < METRICS_MAX_BENCH; i++) {
		json_t *x = json_object();
		json_object_set_new(x, "value", pf->n_snaps ? jdollars(pf->snap_bench[last * pf->n_bench + i])
							     : json_null());
		json_object_set_new(x, "return", jreal(m.bench_return[i]));
		json_object_set_new(x, "shares", json_real(pf->bench[i].shares));
		json_object_set_new(b, pf->bench[i].ticker, x);
	}
	json_object_set_new(o, "benchmarks", b);
	json_object_set_new(o, "excess_return_vs_spy", jreal(m.excess_return_vs_spy));
	json_object_set_new(o, "alpha_vs_spy", jreal(m.alpha_vs_spy));
	json_object_set_new(o, "beta_vs_spy", jreal(m.beta_vs_spy));
	json_object_set_new(o, "sharpe", jreal(m.sharpe));
	json_object_set_new(o, "sortino", jreal(m.sortino));
	json_object_set_new(o, "max_drawdown", pf->n_snaps ? jreal(m.max_drawdown) : json_null());
	json_object_set_new(o, "win_rate", jreal(m.win_rate));
	json_object_set_new(o, "margin_used", pf->n_snaps ? jdollars(pf->snaps[last].margin_cents)
							  : json_integer(0));
	json_object_set_new(o, "income", jdollars(pf->income_cents));
	{
		int64_t interest = report_interest_cents(pf);
		json_t *mg = json_object();
		int calls, forced;

		json_object_set_new(o, "dividends", jdollars(pf->income_cents - interest));
		json_object_set_new(o, "interest", jdollars(interest));
		report_margin_calls(pf, &calls, &forced);
		if (pf->n_snaps) {
			json_object_set_new(mg, "equity", jdollars(pf->snaps[last].value_cents));
			json_object_set_new(mg, "requirement", jdollars(pf->snaps[last].margin_cents));
			json_object_set_new(mg, "excess", jdollars(pf->snaps[last].value_cents -
								   pf->snaps[last].margin_cents));
			json_object_set_new(mg, "call", jdollars(pf->snaps[last].call_cents));
		} else {
			json_object_set_new(mg, "equity", jdollars(pf->cash_cents + pv));
			json_object_set_new(mg, "requirement", json_integer(0));
			json_object_set_new(mg, "excess", jdollars(pf->cash_cents + pv));
			json_object_set_new(mg, "call", json_integer(0));
		}
		json_object_set_new(mg, "calls", json_integer(calls));
		json_object_set_new(mg, "forced_closes", json_integer(forced));
		json_object_set_new(o, "margin", mg);
	}
	json_object_set_new(o, "sessions", json_integer((json_int_t)pf->n_snaps));
	json_object_set_new(o, "open_positions", positions_array(pf, 0));
	json_object_set_new(o, "closed_trades", positions_array(pf, 1));
	if (in->day) {
		json_object_set_new(o, "run", run_object(in->day));
	} else if (in->run_json && in->run_json[0]) {
		json_error_t je;
		json_t *r = json_loads(in->run_json, 0, &je);

		if (!json_is_object(r)) {
			json_decref(r);
			json_decref(o);
			return -1;
		}
		json_object_set_new(o, "run", r);
	}
	return dump(o, in->compact, out);
}

/* The "run" object of report_json: the day's events, O(1) in history. */
static json_t *run_object(const struct engine_day *day)
{
	json_t *r = json_object(), *a;
	size_t i;

	{

		json_object_set_new(r, "settled", closed_events(day->settled, day->n_settled));
		json_object_set_new(r, "margin_closes", closed_events(day->forced, day->n_forced));
		{
			json_t *mc = json_object();
			json_object_set_new(mc, "outstanding_before", jdollars(day->call_prev_cents));
			json_object_set_new(mc, "shortfall", jdollars(day->call_cents));
			json_object_set_new(mc, "issued", json_boolean(day->call_issued));
			json_object_set_new(r, "margin_call", mc);
		}
		json_object_set_new(r, "interest", jdollars(day->interest_cents));
		a = json_array();
		for (i = 0; i < day->n_trades; i++) {
			const struct engine_trade *t = &day->trades[i];
			json_t *x = json_object();
			json_object_set_new(x, "id", json_integer(t->pos_id));
			json_object_set_new(x, "ticker", json_string(t->ticker));
			json_object_set_new(x, "right", jright(t->right));
			json_object_set_new(x, "strike", json_real(t->strike));
			json_object_set_new(x, "expiry", jdate(t->expiry));
			json_object_set_new(x, "quantity", json_real(t->quantity));
			json_object_set_new(x, "price", json_real(t->price));
			json_object_set_new(x, "spot", jreal(t->spot));
			json_object_set_new(x, "iv", jreal(t->iv));
			json_object_set_new(x, "hv", jreal(t->hv));
			json_object_set_new(x, "theo", jreal(t->theo));
			json_object_set_new(x, "premium", jdollars(t->premium_cents));
			json_object_set_new(x, "commission", jdollars(-t->commission_cents));
			json_object_set_new(x, "margin", jdollars(t->margin_cents));
			json_array_append_new(a, x);
		}
		json_object_set_new(r, "trades", a);
		a = json_array();
		for (i = 0; i < day->n_divs; i++) {
			json_t *x = json_object();
			json_object_set_new(x, "ticker", json_string(day->divs[i].ticker));
			json_object_set_new(x, "ex_date", jdate(day->divs[i].ex_date));
			json_object_set_new(x, "amount", json_real(day->divs[i].amount));
			json_object_set_new(x, "received", jdollars(day->divs[i].cents));
			json_array_append_new(a, x);
		}
		json_object_set_new(r, "dividends", a);
		a = json_array();
		for (i = 0; i < day->n_scans; i++) {
			const struct scan_ticker *s = &day->scans[i];
			json_t *x = json_object();
			json_object_set_new(x, "ticker", json_string(s->symbol));
			json_object_set_new(x, "source", json_string(s->source));
			json_object_set_new(x, "fallback",
					    s->fallback[0] ? json_string(s->fallback) : json_null());
			json_object_set_new(x, "ok", json_boolean(s->ok));
			json_object_set_new(x, "hv", jreal(s->hv));
			json_object_set_new(x, "hv_estimator",
					    json_string(hv_estimator_name(s->hv_estimator)));
			json_object_set_new(x, "expiry", jdate(s->expiry));
			json_object_set_new(x, "strategy", json_string(s->strat->name));
			json_object_set_new(x, "qualified", json_integer(s->counts[0]));
			json_object_set_new(x, "traded", json_boolean(s->traded));
			json_object_set_new(x, "dropped", json_integer(s->dropped));
			json_object_set_new(x, "quote_time", json_integer(s->quote_time));
			json_object_set_new(x, "note", json_string(s->skip));
			json_object_set_new(x, "chosen_by", chosen_by(s));
			json_array_append_new(a, x);
		}
		json_object_set_new(r, "tickers", a);
		json_object_set_new(r, "marked_from_quotes", json_integer(day->n_marked));
		json_object_set_new(r, "marked_from_model", json_integer(day->n_model_marks));
		json_object_set_new(r, "notes", json_string(sb_str(&day->notes)));
	}
	return r;
}

int report_run_json(const struct engine_day *day, struct sbuf *out)
{
	return dump(run_object(day), 1, out);
}

void report_positions_text(const struct portfolio *pf, struct sbuf *out)
{
	char d[DATE_BUFSZ], d2[DATE_BUFSZ], m1[32], m2[32];
	size_t i, n = 0;

	sb_addf(out, "%-4s %-6s %-6s %8s %-10s %10s %8s %8s %12s %12s %5s\n", "id", "ticker", "right",
		"strike", "expiry", "quantity", "entry", "mark", "credit", "unrealized", "held");
	for (i = 0; i < pf->n_pos; i++) {
		const struct position *p = &pf->pos[i];
		if (p->closed)
			continue;
		n++;
		sb_addf(out, "%-4lld %-6s %-6s %8.2f %-10s %10.4f %8.2f %7.2f%s %12s %12s %5d\n",
			(long long)p->id, p->ticker, right_name(p->right), p->strike,
			p->expiry ? date_fmt(p->expiry, d) : "-", p->quantity, p->entry_price, p->mark,
			p->mark_model ? "*" : " ", money(m1, sizeof(m1), p->credit_cents),
			money(m2, sizeof(m2), book_unrealized_cents(p)), pf->last_session - p->opened);
	}
	if (!n)
		sb_addf(out, "(no open positions)\n");
	else
		sb_addf(out, "marks as of %s; * = model price (no usable quote)\n",
			date_fmt(pf->last_session, d2));
}

void report_trades_text(const struct portfolio *pf, struct sbuf *out)
{
	char d[DATE_BUFSZ], d1[DATE_BUFSZ], d2[DATE_BUFSZ], m1[32];
	size_t i, n = 0;
	int64_t total = 0;

	sb_addf(out, "%-4s %-6s %-6s %8s %-10s %10s %8s %8s %-10s %-10s %-9s %10s\n", "id", "ticker",
		"right", "strike", "expiry", "quantity", "entry", "exit", "opened", "closed", "reason",
		"pnl");
	for (i = 0; i < pf->n_pos; i++) {
		const struct position *p = &pf->pos[i];
		if (!p->closed)
			continue;
		n++;
		total += book_pnl_cents(p);
		sb_addf(out, "%-4lld %-6s %-6s %8.2f %-10s %10.4f %8.2f %8.2f %-10s %-10s %-9s %10s\n",
			(long long)p->id, p->ticker, right_name(p->right), p->strike,
			p->expiry ? date_fmt(p->expiry, d) : "-", p->quantity, p->entry_price,
			p->exit_price, date_fmt(p->opened, d1), date_fmt(p->closed, d2), p->reason,
			money(m1, sizeof(m1), book_pnl_cents(p)));
	}
	if (!n)
		sb_addf(out, "(no closed trades)\n");
	else
		sb_addf(out, "%zu closed trades, total P&L %s (net of commissions)\n", n,
			money(m1, sizeof(m1), total));
}

int report_positions_json(const struct portfolio *pf, int compact, struct sbuf *out)
{
	return dump(positions_array(pf, 0), compact, out);
}

int report_trades_json(const struct portfolio *pf, int compact, struct sbuf *out)
{
	return dump(positions_array(pf, 1), compact, out);
}

void report_scan_text(const struct report_in *in, int verbose, struct sbuf *out)
{
	const struct engine_day *day = in->day;
	char d[DATE_BUFSZ], iv[16], viv[16], hv[16], est[32];
	size_t i, j;

	sb_addf(out, "Scan of %s (%s)\n", date_fmt(day->session, d), in->provider ? in->provider : "");
	for (i = 0; i < day->n_scans; i++) {
		const struct scan_ticker *s = &day->scans[i];
		int outside = s->strat->hidden_rule;

		sb_addf(out, "\n%s%s%s", bold(in), s->symbol, reset(in));
		if (in->cfg->n_strat > 1)
			sb_addf(out, " (%s)", s->strat->name);
		if (s->fallback[0])
			sb_addf(out, " (served by %s: %s)", s->source, s->fallback);
		if (!s->ok) {
			sb_addf(out, ": skipped: %s\n", s->skip);
			continue;
		}
		num(hv, sizeof(hv), s->hv * 100.0, "%.1f%%");
		sb_addf(out, ": spot %.2f, HV(%ld, %s) %s, expiry %s (%d days), %zu %s\n", s->spot,
			in->cfg->hv_window, hv_label(in, s, est, sizeof(est)), hv,
			date_fmt(s->expiry, d), s->dte, s->n, s->strat->contracts);
		sb_addf(out, "  %8s %7s %7s %7s %7s %7s %7s %7s %8s %s\n", "strike", "otm", "bid", "ask",
			"volume", "iv", "vndr iv", "theo", "edge", "result");
		for (j = 0; j < s->n; j++) {
			const struct scan_contract *c = &s->c[j];
			if (!verbose && outside && c->rule == outside)
				continue;
			num(iv, sizeof(iv), c->iv * 100.0, "%.1f%%");
			num(viv, sizeof(viv), c->vendor_iv * 100.0, "%.1f%%");
			sb_addf(out, "  %8.2f %6.1f%% %7.2f %7.2f %7lld %7s %7s %7.2f %+8.2f %s%s\n",
				c->strike, c->moneyness * 100.0, c->bid, c->ask, (long long)c->volume, iv,
				viv, c->theo, c->edge,
				c->rule == 0 ? "qualified" : "failed ",
				c->rule == 0 ? ((int)j == s->best ? " (chosen)" : "")
					     : strategy_rule_name(s->strat, c->rule));
		}
		if (!verbose && outside && s->counts[outside])
			sb_addf(out, "  (%d %s that failed %s not shown; --all shows them)\n",
				s->counts[outside], s->strat->contracts,
				strategy_rule_name(s->strat, outside));
		if (s->best >= 0 && !s->traded && s->order.why[0])
			sb_addf(out, "  chosen: %s\n", s->order.why);
		sb_addf(out, "  => %s\n", s->skip);
	}
}

int report_scan_json(const struct report_in *in, struct sbuf *out)
{
	json_t *o = json_object(), *a = json_array();
	size_t i;

	json_object_set_new(o, "session", jdate(in->day->session));
	json_object_set_new(o, "provider", json_string(in->provider ? in->provider : ""));
	for (i = 0; i < in->day->n_scans; i++)
		json_array_append_new(a, scan_json(&in->day->scans[i]));
	json_object_set_new(o, "tickers", a);
	return dump(o, in->compact, out);
}

/* ---- a backtest's analytics (report/analytics.h, docs/metrics.md) ---- */

static const char *const month_names[12] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
					    "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};

/* The date of session index i of the analysed series: "the start" for the
 * initial capital (index 0 when it is dated before the first session). */
static const char *an_date(const struct report_in *in, size_t i, char *buf)
{
	if (i == 0 && in->pf->n_snaps && in->series->n == in->pf->n_snaps + 1)
		return "the start";
	return date_fmt(in->series->days[i], buf);
}

static void an_drawdown_text(const struct report_in *in, const struct an_drawdown *d, char *buf,
			     size_t n)
{
	char p1[24], d1[DATE_BUFSZ], d2[DATE_BUFSZ], d3[DATE_BUFSZ];

	if (!d->valid) {
		snprintf(buf, n, "none (the value never fell below a peak)");
		return;
	}
	pct(p1, sizeof(p1), d->depth);
	snprintf(buf, n, "%s: peak %s, trough %s, %s %s (%ld session%s, %ld calendar day%s)", p1,
		 an_date(in, d->peak, d1), an_date(in, d->trough, d2),
		 d->recovered ? "recovered" : "not recovered by", an_date(in, d->end, d3),
		 d->sessions, d->sessions == 1 ? "" : "s", d->days, d->days == 1 ? "" : "s");
}

static struct report_row *an_row(struct report_row **rows, size_t *n, size_t *cap,
				 const char *group, const char *label)
{
	struct report_row *r;

	xgrow(rows, cap, *n + 1, sizeof(**rows));
	r = &(*rows)[(*n)++];
	r->group = group;
	pt_strlcpy(r->label, label, sizeof(r->label));
	r->value[0] = '\0';
	return r;
}

static void money_d(char *buf, size_t n, double cents)
{
	if (isfinite(cents))
		pt_fmt_money(buf, n, (int64_t)llround(cents));
	else
		snprintf(buf, n, "n/a");
}

size_t report_analytics_rows(const struct report_in *in, struct report_row **rows)
{
	const struct analytics *a = in->an;
	struct report_row *r;
	size_t n = 0, cap = 0;
	char p1[24], p2[24], p3[24], p4[24], m1[32], m2[32], d1[DATE_BUFSZ];
	int calls, forced, ci = 0;
	static const char g_ret[] = "Returns", g_dd[] = "Drawdowns", g_tr[] = "Trades",
			  g_spy[] = "Against SPY", g_mg[] = "Margin";

	*rows = NULL;
	if (!a)
		return 0;
	if (isfinite(a->confidence))
		ci = (int)lround(a->confidence * 100.0);
	r = an_row(rows, &n, &cap, g_ret, "Measured from");
	if (in->series->n && in->series->n == in->pf->n_snaps + 1)
		snprintf(r->value, sizeof(r->value),
			 "the initial capital of %s before the first session: %zu daily return%s",
			 money(m1, sizeof(m1), in->series->value_cents[0]), a->n_returns,
			 a->n_returns == 1 ? "" : "s");
	else if (in->series->n)
		snprintf(r->value, sizeof(r->value), "%s on %s: %zu daily return%s",
			 money(m1, sizeof(m1), in->series->value_cents[0]),
			 date_fmt(in->series->days[0], d1), a->n_returns,
			 a->n_returns == 1 ? "" : "s");
	pct(p1, sizeof(p1), a->cagr);
	pct(p2, sizeof(p2), a->cagr_calendar);
	r = an_row(rows, &n, &cap, g_ret, "CAGR");
	if (isfinite(a->cagr))
		snprintf(r->value, sizeof(r->value),
			 "%s (252 sessions a year; %s by calendar days)", p1, p2);
	else
		snprintf(r->value, sizeof(r->value), "n/a");
	num(p1, sizeof(p1), a->volatility * 100.0, "%.2f%%");
	snprintf(an_row(rows, &n, &cap, g_ret, "Volatility")->value, sizeof(r->value), "%s%s", p1,
		 isfinite(a->volatility) ? " a year" : "");
	r = an_row(rows, &n, &cap, g_ret, "Sharpe");
	num(p1, sizeof(p1), a->sharpe, "%.2f");
	if (isfinite(a->sharpe)) {
		num(p2, sizeof(p2), a->sharpe_lo_iid, "%.2f");
		num(p3, sizeof(p3), a->sharpe_hi_iid, "%.2f");
		snprintf(r->value, sizeof(r->value), "%s, %d%% interval %s to %s (Lo 2002, IID)",
			 p1, ci, p2, p3);
		r = an_row(rows, &n, &cap, g_ret, "Sharpe, HAC interval");
		num(p2, sizeof(p2), a->sharpe_lo_hac, "%.2f");
		num(p3, sizeof(p3), a->sharpe_hi_hac, "%.2f");
		snprintf(r->value, sizeof(r->value),
			 "%d%% interval %s to %s (Lo 2002, serially correlated returns: "
			 "Newey-West, %d lag%s)",
			 ci, p2, p3, a->hac_lags, a->hac_lags == 1 ? "" : "s");
	} else {
		snprintf(r->value, sizeof(r->value), "n/a");
	}
	num(p1, sizeof(p1), a->sortino, "%.2f");
	snprintf(an_row(rows, &n, &cap, g_ret, "Sortino")->value, sizeof(r->value), "%s", p1);
	num(p1, sizeof(p1), a->tail_ratio, "%.2f");
	snprintf(an_row(rows, &n, &cap, g_ret, "Tail ratio")->value, sizeof(r->value), "%s%s", p1,
		 isfinite(a->tail_ratio) ? " (95th percentile of daily returns over the 5th)" : "");

	an_drawdown_text(in, &a->max_dd, an_row(rows, &n, &cap, g_dd, "Max drawdown")->value,
			 sizeof(r->value));
	an_drawdown_text(in, &a->longest_dd,
			 an_row(rows, &n, &cap, g_dd, "Longest drawdown")->value, sizeof(r->value));
	num(p1, sizeof(p1), a->calmar, "%.2f");
	snprintf(an_row(rows, &n, &cap, g_dd, "Calmar")->value, sizeof(r->value), "%s%s", p1,
		 isfinite(a->calmar) ? " (CAGR over the max drawdown)" : "");

	snprintf(an_row(rows, &n, &cap, g_tr, "Closed trades")->value, sizeof(r->value),
		 "%d: %d won, %d lost, %d even; net P&L %s", a->n_trades, a->n_wins, a->n_losses,
		 a->n_zero, money(m1, sizeof(m1), a->net_pnl_cents));
	num(p1, sizeof(p1), a->win_rate * 100.0, "%.2f%%");
	snprintf(an_row(rows, &n, &cap, g_tr, "Win rate")->value, sizeof(r->value), "%s%s", p1,
		 a->n_trades ? "" : " (no closed trades)");
	r = an_row(rows, &n, &cap, g_tr, "Profit factor");
	if (isfinite(a->profit_factor))
		snprintf(r->value, sizeof(r->value), "%.2f (gross profit %s over gross loss %s)",
			 a->profit_factor, money(m1, sizeof(m1), a->gross_profit_cents),
			 money(m2, sizeof(m2), a->gross_loss_cents));
	else
		snprintf(r->value, sizeof(r->value), "n/a%s", a->n_trades ? " (no loss)" : "");
	money_d(m1, sizeof(m1), a->avg_win_cents);
	money_d(m2, sizeof(m2), a->avg_loss_cents);
	snprintf(an_row(rows, &n, &cap, g_tr, "Average win / loss")->value, sizeof(r->value),
		 "%s / %s", m1, m2);
	money_d(m1, sizeof(m1), a->expectancy_cents);
	snprintf(an_row(rows, &n, &cap, g_tr, "Expectancy")->value, sizeof(r->value), "%s%s", m1,
		 isfinite(a->expectancy_cents) ? " a trade" : "");
	num(p1, sizeof(p1), a->avg_hold_days, "%.1f");
	snprintf(an_row(rows, &n, &cap, g_tr, "Average holding")->value, sizeof(r->value), "%s%s",
		 p1, isfinite(a->avg_hold_days) ? " calendar days" : "");

	r = an_row(rows, &n, &cap, g_spy, "Alpha");
	if (!in->series->bench_cents) {
		snprintf(r->value, sizeof(r->value), "n/a (SPY is not among the tickers)");
	} else {
		pct(p1, sizeof(p1), a->alpha);
		pct(p2, sizeof(p2), a->alpha_geometric);
		pct(p3, sizeof(p3), a->alpha_lo);
		pct(p4, sizeof(p4), a->alpha_hi);
		if (isfinite(a->alpha))
			snprintf(r->value, sizeof(r->value),
				 "%s a year (geometric %s), %d%% interval %s to %s (stationary "
				 "bootstrap: %d of %d replicates, blocks of %.1f sessions on "
				 "average)",
				 p1, p2, ci, p3, p4, a->boot_used, a->boot_reps, a->boot_block);
		else
			snprintf(r->value, sizeof(r->value), "n/a");
	}
	num(p1, sizeof(p1), a->beta, "%.2f");
	snprintf(an_row(rows, &n, &cap, g_spy, "Beta")->value, sizeof(r->value), "%s",
		 in->series->bench_cents ? p1 : "n/a (SPY is not among the tickers)");

	report_margin_calls(in->pf, &calls, &forced);
	snprintf(an_row(rows, &n, &cap, g_mg, "Margin calls")->value, sizeof(r->value),
		 "%d, positions closed for them: %d", calls, forced);
	return n;
}

static void attr_text(const char *title, const struct an_attr *t, size_t n, struct sbuf *out)
{
	char m1[32], p1[24];
	size_t i;

	sb_addf(out, "%s:\n", title);
	if (!n) {
		sb_addf(out, "  (no closed trades)\n");
		return;
	}
	sb_addf(out, "  %-12s %12s %7s %5s %5s %9s\n", "", "P&L", "trades", "won", "lost",
		"win rate");
	for (i = 0; i < n; i++) {
		num(p1, sizeof(p1), t[i].win_rate * 100.0, "%.2f%%");
		sb_addf(out, "  %-12s %12s %7d %5d %5d %9s\n", t[i].name,
			money(m1, sizeof(m1), t[i].pnl_cents), t[i].trades, t[i].wins, t[i].losses,
			p1);
	}
}

void report_analytics_text(const struct report_in *in, struct sbuf *out)
{
	const struct analytics *a = in->an;
	struct report_row *rows;
	const char *group = NULL;
	size_t i, n;
	int y, k;

	if (!a)
		return;
	n = report_analytics_rows(in, &rows);
	sb_addf(out,
		"\n%sANALYTICS%s (docs/metrics.md: daily returns, 252 sessions a year, "
		"over the rate the cash earned)\n",
		bold(in), reset(in));
	for (i = 0; i < n; i++) {
		if (rows[i].group != group)
			sb_addf(out, "%s:\n", group = rows[i].group);
		sb_addf(out, "  %-22s %s\n", rows[i].label, rows[i].value);
	}
	free(rows);
	attr_text("Attribution by ticker", a->by_ticker, a->n_tickers, out);
	attr_text("Attribution by strategy", a->by_strategy, a->n_strategies, out);
	sb_addf(out, "Monthly returns (%%):\n  %-4s", "");
	for (k = 0; k < 12; k++)
		sb_addf(out, " %6s", month_names[k]);
	sb_addf(out, " %7s\n", "Year");
	for (y = 0; y < a->n_years; y++) {
		sb_addf(out, "  %4d", a->first_year + y);
		for (k = 0; k < 12; k++) {
			double v = a->monthly[y * 12 + k];
			if (isfinite(v))
				sb_addf(out, " %+6.2f", v * 100.0);
			else
				sb_addf(out, " %6s", "-");
		}
		if (isfinite(a->yearly[y]))
			sb_addf(out, " %+7.2f\n", a->yearly[y] * 100.0);
		else
			sb_addf(out, " %7s\n", "-");
	}
	sb_addf(out, "%s\n", RULE_LINE);
}

static json_t *jdd(const struct report_in *in, const struct an_drawdown *d, double depth)
{
	const int *days = in->series->days;

	if (!d->valid)
		return json_pack("{s:o, s:n, s:n, s:n, s:n, s:n, s:n}", "depth", jreal(depth),
				 "peak", "trough", "end", "recovered", "sessions", "days");
	return json_pack("{s:o, s:o, s:o, s:o, s:b, s:I, s:I}", "depth", jreal(depth), "peak",
			 jdate(days[d->peak]), "trough", jdate(days[d->trough]), "end",
			 jdate(days[d->end]), "recovered", d->recovered, "sessions",
			 (json_int_t)d->sessions, "days", (json_int_t)d->days);
}

static json_t *jattr(const struct an_attr *t, size_t n)
{
	json_t *a = json_array();
	size_t i;

	for (i = 0; i < n; i++)
		json_array_append_new(a,
				      json_pack("{s:s, s:o, s:i, s:i, s:i, s:o}", "name", t[i].name,
						"pnl", jdollars(t[i].pnl_cents), "trades",
						t[i].trades, "wins", t[i].wins, "losses",
						t[i].losses, "win_rate", jreal(t[i].win_rate)));
	return a;
}

static json_t *jcents_d(double cents)
{
	return isfinite(cents) ? json_real(cents / 100.0) : json_null();
}

int report_analytics_json(const struct report_in *in, struct sbuf *out)
{
	const struct analytics *a = in->an;
	const struct an_series *s = in->series;
	json_t *o, *t, *x, *years, *months, *yearly, *ser, *dates, *vals, *rates, *spy, *dd, *rs;
	int calls, forced, y, k;
	size_t i;

	if (!a || !s)
		return -1;
	o = json_object();
	json_object_set_new(o, "start",
			    json_pack("{s:o, s:o, s:b}", "date",
				      s->n ? jdate(s->days[0]) : json_null(), "value",
				      s->n ? jdollars(s->value_cents[0]) : json_null(),
				      "initial_capital", s->n && s->n == in->pf->n_snaps + 1));
	json_object_set_new(o, "sessions", json_integer((json_int_t)a->n_sessions));
	json_object_set_new(o, "returns", json_integer((json_int_t)a->n_returns));
	json_object_set_new(o, "periods_per_year", json_integer(AN_YEAR));
	json_object_set_new(o, "confidence", jreal(a->confidence));
	json_object_set_new(o, "total_return", jreal(a->total_return));
	json_object_set_new(o, "cagr", jreal(a->cagr));
	json_object_set_new(o, "cagr_calendar", jreal(a->cagr_calendar));
	json_object_set_new(o, "volatility", jreal(a->volatility));
	json_object_set_new(o, "sharpe", jreal(a->sharpe));
	json_object_set_new(o, "sharpe_interval",
			    json_pack("{s:s, s:o, s:o, s:o}", "method", "Lo 2002, IID", "se",
				      jreal(a->sharpe_se_iid), "low", jreal(a->sharpe_lo_iid),
				      "high", jreal(a->sharpe_hi_iid)));
	json_object_set_new(o, "sharpe_interval_hac",
			    json_pack("{s:s, s:i, s:o, s:o, s:o}", "method",
				      "Lo 2002, GMM with a Newey-West covariance", "lags",
				      a->hac_lags, "se", jreal(a->sharpe_se_hac), "low",
				      jreal(a->sharpe_lo_hac), "high", jreal(a->sharpe_hi_hac)));
	json_object_set_new(o, "sortino", jreal(a->sortino));
	json_object_set_new(o, "tail_ratio", jreal(a->tail_ratio));
	json_object_set_new(o, "max_drawdown", jdd(in, &a->max_dd, a->max_drawdown));
	json_object_set_new(o, "longest_drawdown",
			    jdd(in, &a->longest_dd,
				a->longest_dd.valid ? a->longest_dd.depth : a->max_drawdown));
	json_object_set_new(o, "calmar", jreal(a->calmar));
	t = json_object();
	json_object_set_new(t, "closed", json_integer(a->n_trades));
	json_object_set_new(t, "wins", json_integer(a->n_wins));
	json_object_set_new(t, "losses", json_integer(a->n_losses));
	json_object_set_new(t, "even", json_integer(a->n_zero));
	json_object_set_new(t, "win_rate", jreal(a->win_rate));
	json_object_set_new(t, "profit_factor", jreal(a->profit_factor));
	json_object_set_new(t, "average_win", jcents_d(a->avg_win_cents));
	json_object_set_new(t, "average_loss", jcents_d(a->avg_loss_cents));
	json_object_set_new(t, "expectancy", jcents_d(a->expectancy_cents));
	json_object_set_new(t, "average_holding_days", jreal(a->avg_hold_days));
	json_object_set_new(t, "net_pnl", jdollars(a->net_pnl_cents));
	json_object_set_new(t, "gross_profit", jdollars(a->gross_profit_cents));
	json_object_set_new(t, "gross_loss", jdollars(a->gross_loss_cents));
	json_object_set_new(o, "trades", t);
	x = json_object();
	json_object_set_new(x, "return", jreal(a->bench_return));
	json_object_set_new(x, "alpha", jreal(a->alpha));
	json_object_set_new(x, "alpha_geometric", jreal(a->alpha_geometric));
	json_object_set_new(x, "alpha_interval",
			    json_pack("{s:s, s:o, s:o, s:i, s:i, s:o, s:I}", "method",
				      "stationary bootstrap (Politis and Romano 1994)", "low",
				      jreal(a->alpha_lo), "high", jreal(a->alpha_hi), "replicates",
				      a->boot_reps, "used", a->boot_used, "mean_block",
				      jreal(a->boot_block), "seed", (json_int_t)in->an_seed));
	json_object_set_new(x, "beta", jreal(a->beta));
	json_object_set_new(o, "spy", x);
	report_margin_calls(in->pf, &calls, &forced);
	json_object_set_new(o, "margin_calls", json_integer(calls));
	json_object_set_new(o, "forced_closes", json_integer(forced));
	json_object_set_new(o, "attribution",
			    json_pack("{s:o, s:o}", "ticker", jattr(a->by_ticker, a->n_tickers),
				      "strategy", jattr(a->by_strategy, a->n_strategies)));
	years = json_array();
	months = json_array();
	yearly = json_array();
	for (y = 0; y < a->n_years; y++) {
		json_t *row = json_array();
		for (k = 0; k < 12; k++)
			json_array_append_new(row, jreal(a->monthly[y * 12 + k]));
		json_array_append_new(years, json_integer(a->first_year + y));
		json_array_append_new(months, row);
		json_array_append_new(yearly, jreal(a->yearly[y]));
	}
	json_object_set_new(
		o, "monthly",
		json_pack("{s:o, s:o, s:o}", "years", years, "months", months, "year", yearly));
	dates = json_array();
	vals = json_array();
	rates = json_array();
	spy = s->bench_cents ? json_array() : json_null();
	dd = json_array();
	rs = json_array();
	for (i = 0; i < s->n; i++) {
		json_array_append_new(dates, jdate(s->days[i]));
		json_array_append_new(vals, jdollars(s->value_cents[i]));
		json_array_append_new(rates, s->rate ? jreal(s->rate[i]) : json_real(0));
		if (s->bench_cents)
			json_array_append_new(spy, jdollars(s->bench_cents[i]));
		json_array_append_new(dd, a->drawdown ? jreal(a->drawdown[i]) : json_null());
		json_array_append_new(rs, a->rolling_sharpe ? jreal(a->rolling_sharpe[i])
							    : json_null());
	}
	ser = json_object();
	json_object_set_new(ser, "window", json_integer((json_int_t)a->window));
	json_object_set_new(ser, "dates", dates);
	json_object_set_new(ser, "value", vals);
	json_object_set_new(ser, "rate", rates);
	json_object_set_new(ser, "spy", spy);
	json_object_set_new(ser, "drawdown", dd);
	json_object_set_new(ser, "rolling_sharpe", rs);
	json_object_set_new(o, "series", ser);
	{
		/* every digit: the figures are checked against a recomputation */
		char *js = json_dumps(o, JSON_REAL_PRECISION(17) | JSON_PRESERVE_ORDER |
						 (in->compact ? JSON_COMPACT : JSON_INDENT(2)));
		int rc = -1;

		if (js) {
			rc = sb_add(out, js, strlen(js)) || sb_add(out, "\n", 1) ? -1 : 0;
			free(js);
		}
		json_decref(o);
		return rc;
	}
}
