/*
 * api.c - the dashboard's JSON answers; see api.h. The summary, positions and
 * trades bodies are the report module's own (report/report.c); the
 * snapshots and health bodies are written here, by hand, with amounts in
 * exact cents-to-dollars text.
 */
#include <inttypes.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include "api.h"
#include "../book/book.h"
#include "../config.h"
#include "../market/calendar.h"
#include "../report/report.h"
#include "../sched/sched.h"
#include "../util/date.h"
#include "../util/util.h"

static const char *const names[WEB_N_PF] = {
	[WEB_SUMMARY] = "summary",
	[WEB_SNAPSHOTS] = "snapshots",
	[WEB_POSITIONS] = "positions",
	[WEB_TRADES] = "trades",
};

const char *web_api_name(enum web_api_kind k)
{
	return (unsigned)k < WEB_N_PF ? names[k] : "?";
}

/* Cents as a JSON number of dollars, exactly: -1234.05. */
static void dollars(struct sbuf *out, int64_t c)
{
	uint64_t a = c < 0 ? (uint64_t)0 - (uint64_t)c : (uint64_t)c;

	sb_addf(out, "%s%" PRIu64 ".%02u", c < 0 ? "-" : "", a / 100, (unsigned)(a % 100));
}

/* A JSON string of s (ASCII controls and quotes escaped; UTF-8 passed through). */
static void jstr(struct sbuf *out, const char *s)
{
	sb_add(out, "\"", 1);
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;
		if (c == '"' || c == '\\')
			sb_addf(out, "\\%c", c);
		else if (c < 0x20 || c == 0x7f)
			sb_addf(out, "\\u%04x", c);
		else
			sb_add(out, s, 1);
	}
	sb_add(out, "\"", 1);
}

static void jdate(struct sbuf *out, int day)
{
	char d[DATE_BUFSZ];

	if (day > 0)
		sb_addf(out, "\"%s\"", date_fmt(day, d));
	else
		sb_addf(out, "null");
}

static void jhm(struct sbuf *out, int minute)
{
	sb_addf(out, "\"%02d:%02d\"", minute / 60, minute % 60);
}

/* One column of the snapshots: cents picked by field offset, as dollars. */
static void column(struct sbuf *out, const char *key, const struct portfolio *pf, size_t off)
{
	size_t i;

	sb_addf(out, ",\n  \"%s\": [", key);
	for (i = 0; i < pf->n_snaps; i++) {
		const int64_t *v = (const int64_t *)(const void *)((const char *)&pf->snaps[i] + off);
		if (i)
			sb_add(out, ",", 1);
		dollars(out, *v);
	}
	sb_add(out, "]", 1);
}

static int snapshots(const struct portfolio *pf, struct sbuf *out)
{
	size_t i, b;
	size_t len0 = out->len;

	sb_addf(out, "{\n  \"initial_capital\": ");
	dollars(out, pf->initial_cents);
	sb_addf(out, ",\n  \"tickers\": [");
	for (b = 0; b < pf->n_bench; b++) {
		if (b)
			sb_add(out, ", ", 2);
		jstr(out, pf->bench[b].ticker);
	}
	sb_addf(out, "],\n  \"dates\": [");
	for (i = 0; i < pf->n_snaps; i++) {
		if (i)
			sb_add(out, ",", 1);
		jdate(out, pf->snaps[i].session);
	}
	sb_add(out, "]", 1);
	column(out, "portfolio", pf, offsetof(struct snapshot, value_cents));
	column(out, "cash", pf, offsetof(struct snapshot, cash_cents));
	column(out, "margin", pf, offsetof(struct snapshot, margin_cents));
	sb_addf(out, ",\n  \"benchmarks\": {");
	for (b = 0; b < pf->n_bench; b++) {
		sb_addf(out, "%s\n    ", b ? "," : "");
		jstr(out, pf->bench[b].ticker);
		sb_add(out, ": [", 3);
		for (i = 0; i < pf->n_snaps; i++) {
			if (i)
				sb_add(out, ",", 1);
			dollars(out, pf->snap_bench[i * pf->n_bench + b]);
		}
		sb_add(out, "]", 1);
	}
	/* Every piece appended is under 64 bytes, and an sbuf refuses a whole
	 * piece at its limit: less room than that left means one was refused. */
	if (sb_addf(out, "%s}\n}\n", pf->n_bench ? "\n  " : "") ||
	    out->limit - out->len < 64) {
		out->len = len0;
		if (out->buf)
			out->buf[len0] = '\0';
		return -1;
	}
	return 0;
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
	case WEB_N_PF:
		break;
	}
	return -1;
}

int web_api_health(const struct web_health_in *in, struct sbuf *out)
{
	struct sched_decision d;
	int day, sec, minute, open_min = 0, close_min = 0, session, next;
	int64_t next_at = 0;
	char buf[DATE_BUFSZ];

	cal_epoch_to_ny(in->now, &day, &sec);
	minute = sec / 60;
	session = cal_session_hours(day, &open_min, &close_min) == 0;
	next = cal_next_session(day);
	memset(&d, 0, sizeof(d));
	if (sched_decide(in->now, in->run_at_min, in->last_session, &d) == 0) {
		if (d.due)
			sched_run_time(d.due, in->run_at_min, &next_at);
		else
			next_at = d.next;
	}
	sb_addf(out, "{\n  \"ok\": true,\n  \"version\": ");
	jstr(out, in->version ? in->version : "");
	sb_addf(out, ",\n  \"now_ny\": \"%sT%02d:%02d\",\n  \"market\": {\"open\": %s, "
		     "\"session_today\": %s, \"opens\": ",
		date_fmt(day, buf), minute / 60, minute % 60,
		session && minute >= open_min && minute < close_min ? "true" : "false",
		session ? "true" : "false");
	if (session)
		jhm(out, open_min);
	else
		sb_addf(out, "null");
	sb_addf(out, ", \"closes\": ");
	if (session)
		jhm(out, close_min);
	else
		sb_addf(out, "null");
	sb_addf(out, ", \"next_session\": ");
	jdate(out, next);
	sb_addf(out, "},\n  \"last_session\": ");
	jdate(out, in->last_session);
	sb_addf(out, ",\n  \"scheduler\": %s,\n  \"run_at\": ", in->scheduler ? "true" : "false");
	jhm(out, in->run_at_min);
	sb_addf(out, ",\n  \"next_run\": ");
	if (next_at > 0) {
		int nd, ns;
		cal_epoch_to_ny(next_at, &nd, &ns);
		sb_addf(out, "\"%sT%02d:%02d\"", date_fmt(nd, buf), ns / 3600, ns / 60 % 60);
	} else {
		sb_addf(out, "null");
	}
	return sb_addf(out, "\n}\n") ? -1 : 0;
}

void web_api_error(struct sbuf *out, const char *msg)
{
	sb_addf(out, "{\"error\": ");
	jstr(out, msg);
	sb_addf(out, "}\n");
}
