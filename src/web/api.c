/*
 * api.c - the dashboard's JSON answers; see api.h. The summary, positions and
 * trades bodies are the report module's own (report/report.c); the
 * snapshots and health bodies are built here with jansson, compact, amounts
 * in dollars written back from cents to the cent.
 */
#include <math.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "api.h"
#include "../runlog.h"
#include "../book/book.h"
#include "../config.h"
#include "../market/calendar.h"
#include "../quant/bs.h"
#include "../report/report.h"
#include "../sched/sched.h"
#include "../util/date.h"
#include "../util/util.h"

static const char *const names[WEB_N_PF] = {
	[WEB_SUMMARY] = "summary",
	[WEB_SNAPSHOTS] = "snapshots",
	[WEB_POSITIONS] = "positions",
	[WEB_TRADES] = "trades",
	[WEB_RISK] = "risk",
};

const char *web_api_name(enum web_api_kind k)
{
	return (unsigned)k < WEB_N_PF ? names[k] : "?";
}

/* Dollars from cents: the double nearest the two-decimal amount, which
 * JSON_REAL_PRECISION(12) writes back as that amount (-1234.05). */
static json_t *dollars(int64_t c)
{
	return json_real((double)c / 100.0);
}

static json_t *jdate(int day)
{
	char d[DATE_BUFSZ];

	return day > 0 ? json_string(date_fmt(day, d)) : json_null();
}

static json_t *jhm(int minute)
{
	char b[8];

	snprintf(b, sizeof(b), "%02d:%02d", minute / 60 % 100, minute % 60);
	return json_string(b);
}

/* "YYYY-MM-DDTHH:MM", New York, of a Unix time. */
static json_t *jny(int64_t t)
{
	char d[DATE_BUFSZ], b[32];
	int day, sec;

	cal_epoch_to_ny(t, &day, &sec);
	snprintf(b, sizeof(b), "%sT%02d:%02d", date_fmt(day, d), sec / 3600, sec / 60 % 60);
	return json_string(b);
}

/* Appends o (taken) compactly, with a newline; -1 past out's limit. */
static int dump(json_t *o, struct sbuf *out)
{
	char *text = o ? json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER |
					       JSON_REAL_PRECISION(12)) : NULL;
	int rc = -1;

	if (text) {
		rc = sb_add(out, text, strlen(text)) || sb_add(out, "\n", 1) ? -1 : 0;
		free(text);
	}
	json_decref(o);
	return rc;
}

/* One column of the snapshots: cents picked by field offset, as dollars. */
static json_t *column(const struct portfolio *pf, size_t off)
{
	json_t *a = json_array();
	size_t i;

	for (i = 0; i < pf->n_snaps; i++) {
		const int64_t *v = (const int64_t *)(const void *)((const char *)&pf->snaps[i] + off);
		json_array_append_new(a, dollars(*v));
	}
	return a;
}

static int snapshots(const struct portfolio *pf, struct sbuf *out)
{
	json_t *o = json_object(), *tickers = json_array(), *dates = json_array();
	json_t *bench = json_object();
	size_t i, b;

	json_object_set_new(o, "initial_capital", dollars(pf->initial_cents));
	for (b = 0; b < pf->n_bench; b++)
		json_array_append_new(tickers, json_string(pf->bench[b].ticker));
	json_object_set_new(o, "tickers", tickers);
	for (i = 0; i < pf->n_snaps; i++)
		json_array_append_new(dates, jdate(pf->snaps[i].session));
	json_object_set_new(o, "dates", dates);
	json_object_set_new(o, "portfolio", column(pf, offsetof(struct snapshot, value_cents)));
	json_object_set_new(o, "cash", column(pf, offsetof(struct snapshot, cash_cents)));
	json_object_set_new(o, "margin", column(pf, offsetof(struct snapshot, margin_cents)));
	for (b = 0; b < pf->n_bench; b++) {
		json_t *a = json_array();
		for (i = 0; i < pf->n_snaps; i++)
			json_array_append_new(a, dollars(pf->snap_bench[i * pf->n_bench + b]));
		json_object_set_new(bench, pf->bench[b].ticker, a);
	}
	json_object_set_new(o, "benchmarks", bench);
	return dump(o, out);
}

static json_t *num_or_null(double v)
{
	return isfinite(v) ? json_real(v) : json_null();
}

/* The latest price of ticker: its benchmark's, else the one at entry. */
static double spot_of(const struct portfolio *pf, const struct position *p)
{
	size_t i;

	for (i = 0; i < pf->n_bench; i++)
		if (!strcmp(pf->bench[i].ticker, p->ticker) && pf->bench[i].price > 0)
			return pf->bench[i].price;
	return isfinite(p->entry_spot) && p->entry_spot > 0 ? p->entry_spot : NAN;
}

struct exposure {
	double delta, gamma, vega, theta, pnl;
};

static json_t *exposure_json(const struct exposure *e)
{
	json_t *o = json_object();

	json_object_set_new(o, "delta_shares", num_or_null(e->delta));
	json_object_set_new(o, "gamma_shares", num_or_null(e->gamma));
	json_object_set_new(o, "vega", num_or_null(e->vega));
	json_object_set_new(o, "theta_day", num_or_null(e->theta));
	json_object_set_new(o, "pnl", num_or_null(e->pnl));
	return o;
}

static void add_exposure(struct exposure *to, const struct exposure *e)
{
	to->delta += e->delta;
	to->gamma += e->gamma;
	to->vega += e->vega;
	to->theta += e->theta;
	to->pnl += e->pnl;
}

/* The greeks of the open positions (Black-Scholes at the IV of each mark,
 * no dividend yield: the store keeps none), by position, ticker and in all. */
static int risk(const struct portfolio *pf, const struct config *cfg, struct sbuf *out)
{
	json_t *o = json_object(), *a = json_array(), *t = json_object();
	struct exposure total = {0, 0, 0, 0, 0}, *by = xcalloc(pf->n_pos + 1, sizeof(*by));
	const char **tick = xcalloc(pf->n_pos + 1, sizeof(*tick));
	size_t i, j, nt = 0;
	int64_t asof = 0;
	double r = pf->n_snaps && isfinite(pf->snaps[pf->n_snaps - 1].rate)
			   ? pf->snaps[pf->n_snaps - 1].rate
			   : 0;

	if (pf->last_session)
		cal_ny_to_epoch(pf->last_session, cfg->run_at_min, &asof);
	for (i = 0; i < pf->n_pos; i++) {
		const struct position *p = &pf->pos[i];
		struct exposure e = {0, 0, 0, 0, 0};
		double S = spot_of(pf, p), mult = book_multiplier(p), iv = NAN, T = 0;
		struct bs_greeks g;
		json_t *x;

		e.pnl = (double)(p->closed ? book_pnl_cents(p) : book_unrealized_cents(p)) / 100.0;
		if (!p->closed && p->right == 'S') {
			e.delta = p->quantity;
		} else if (!p->closed && isfinite(S)) {
			T = asof ? cal_year_frac(asof, p->expiry) : 0;
			if (T < 0)
				T = 0;
			if (bs_implied_vol(p->right, S, p->strike, T, r, 0, p->mark, &iv))
				iv = isfinite(p->entry_iv) && p->entry_iv > 0 ? p->entry_iv : 0.20;
			if (bs_greeks(p->right, S, p->strike, T, r, 0, iv, &g) == 0) {
				e.delta = g.delta * p->quantity * mult;
				e.gamma = g.gamma * p->quantity * mult;
				e.vega = g.vega / 100.0 * p->quantity * mult;
				e.theta = g.theta / 365.0 * p->quantity * mult;
			}
		}
		for (j = 0; j < nt && strcmp(tick[j], p->ticker) != 0; j++)
			;
		if (j == nt)
			tick[nt++] = p->ticker;
		add_exposure(&by[j], &e);
		add_exposure(&total, &e);
		if (p->closed)
			continue;
		x = json_object();
		json_object_set_new(x, "id", json_integer(p->id));
		json_object_set_new(x, "ticker", json_string(p->ticker));
		json_object_set_new(x, "right", json_stringn(&p->right, 1));
		json_object_set_new(x, "strike", p->right == 'S' ? json_null() : json_real(p->strike));
		json_object_set_new(x, "expiry", p->right == 'S' ? json_null() : jdate(p->expiry));
		json_object_set_new(x, "quantity", json_real(p->quantity));
		json_object_set_new(x, "spot", num_or_null(S));
		json_object_set_new(x, "distance",
				    p->right == 'S' ? json_null() : num_or_null(p->strike / S - 1.0));
		json_object_set_new(x, "iv", p->right == 'S' ? json_null() : num_or_null(iv));
		json_object_set_new(x, "delta_shares", num_or_null(e.delta));
		json_object_set_new(x, "gamma_shares", num_or_null(e.gamma));
		json_object_set_new(x, "vega", num_or_null(e.vega));
		json_object_set_new(x, "theta_day", num_or_null(e.theta));
		json_array_append_new(a, x);
	}
	for (j = 0; j < nt; j++)
		json_object_set_new(t, tick[j], exposure_json(&by[j]));
	json_object_set_new(o, "asof", pf->last_session ? jny(asof) : json_null());
	json_object_set_new(o, "rate", json_real(r));
	json_object_set_new(o, "positions", a);
	json_object_set_new(o, "tickers", t);
	json_object_set_new(o, "total", exposure_json(&total));
	free(by);
	free(tick);
	return dump(o, out);
}

int web_api_body(enum web_api_kind k, const struct portfolio *pf, const struct config *cfg,
		 struct sbuf *out)
{
	struct report_in in;

	switch (k) {
	case WEB_SUMMARY:
		memset(&in, 0, sizeof(in));
		in.pf = pf;
		in.day = NULL;
		in.cfg = cfg;
		in.provider = cfg->provider;
		in.color = 0;
		in.compact = 1;
		return report_json(&in, out);
	case WEB_SNAPSHOTS:
		return snapshots(pf, out);
	case WEB_POSITIONS:
		return report_positions_json(pf, 1, out);
	case WEB_TRADES:
		return report_trades_json(pf, 1, out);
	case WEB_RISK:
		return risk(pf, cfg, out);
	case WEB_N_PF:
		break;
	}
	return -1;
}

int web_api_health(const struct web_health_in *in, struct sbuf *out)
{
	struct sched_decision d;
	int day, sec, minute, open_min = 0, close_min = 0, session;
	int64_t next_at = 0;
	json_t *o = json_object(), *m = json_object();

	cal_epoch_to_ny(in->now, &day, &sec);
	minute = sec / 60;
	session = cal_session_hours(day, &open_min, &close_min) == 0;
	const struct runlog_entry *la = in->last_attempt;
	int failed = 0, missed = 0;
	int64_t due_at = 0;

	memset(&d, 0, sizeof(d));
	if (sched_decide(in->now, in->run_at_min, in->last_session, &d) == 0) {
		if (d.due) {
			sched_run_time(d.due, in->run_at_min, &due_at);
			/* due and not run: failed at its last try, or not tried yet */
			failed = la && !la->ok && la->session >= d.due;
			missed = in->now - due_at >= WEB_MISSED_AFTER;
			if (failed && in->scheduler)
				next_at = la->at + in->retry_every;
			else if (in->scheduler)
				next_at = due_at;
			if (next_at && next_at < in->now)
				next_at = in->now; /* never a time already past */
		} else {
			next_at = d.next;
		}
	}
	json_object_set_new(o, "ok", json_boolean(!failed));
	if (failed) {
		json_t *f = json_object();
		json_object_set_new(f, "at", jny(la->at));
		json_object_set_new(f, "session", jdate(la->session));
		json_object_set_new(f, "trigger", json_string(la->trigger));
		json_t *msg = json_string(la->message); /* NULL for invalid UTF-8 */
		json_object_set_new(f, "message", msg ? msg : json_string("(unprintable message)"));
		json_object_set_new(o, "last_failure", f);
	} else {
		json_object_set_new(o, "last_failure", json_null());
	}
	json_object_set_new(o, "missed_session", missed ? jdate(d.due) : json_null());
	json_object_set_new(o, "version", json_string(in->version ? in->version : ""));
	json_object_set_new(o, "now_ny", jny(in->now));
	json_object_set_new(m, "open",
			    json_boolean(session && minute >= open_min && minute < close_min));
	json_object_set_new(m, "session_today", json_boolean(session));
	json_object_set_new(m, "opens", session ? jhm(open_min) : json_null());
	json_object_set_new(m, "closes", session ? jhm(close_min) : json_null());
	json_object_set_new(m, "next_session", jdate(cal_next_session(day)));
	json_object_set_new(o, "market", m);
	json_object_set_new(o, "last_session", jdate(in->last_session));
	json_object_set_new(o, "scheduler", json_boolean(in->scheduler));
	json_object_set_new(o, "run_at", jhm(in->run_at_min));
	json_object_set_new(o, "next_run", next_at > 0 ? jny(next_at) : json_null());
	return dump(o, out);
}

void web_api_error(struct sbuf *out, const char *msg)
{
	json_t *o = json_object(), *m = json_string(msg);

	/* json_string refuses invalid UTF-8: say so rather than lose the answer */
	json_object_set_new(o, "error", m ? m : json_string("(unprintable error)"));
	dump(o, out);
}
