/*
 * provider.c - opens the market-data sources named in the configuration and
 * fills market views through them (DESIGN.md §1 "market view for D", §6).
 * The engine and the commands only ever see struct provider and the views.
 *
 * cfg->provider is a comma list tried in order for each ticker: a ticker the
 * first source cannot serve goes to the next, and its view says which source
 * served it. Every view is cleaned here, whatever its source: bad rows are
 * dropped and counted, stale quotes make a ticker unusable.
 *
 * The names a configuration may use are one table here (kinds[]), which
 * config.c checks names against: a new provider is one entry.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "provider.h"
#include "calendar.h"
#include "cboe.h"
#include "history.h"
#include "http.h"
#include "sim.h"
#include "yahoo.h"
#include "../config.h"
#include "../util/date.h"
#include "../util/util.h"

#define MAX_SOURCES 8

struct source {
	const struct provider_ops *ops;
	void *state;
};

struct provider {
	struct source src[MAX_SOURCES];
	size_t n_src;
	struct http *http;	/* shared by the network sources: live, or replaying a tape */
	char crumb_file[4096], cookie_file[4096];
	char names[64];
	int run_at_min;
	long max_quote_age;
	double fixed_rate;	/* cfg->risk_free_rate: NAN for "auto" */
	int has_history;	/* a source is the imported history (its rate message) */
};

/* Copies the next comma-separated, blank-trimmed item of *p into name. */
static void next_item(const char **p, char *name, size_t size)
{
	const char *s = *p, *e;
	size_t n;

	while (*s == ' ' || *s == '\t')
		s++;
	e = strchr(s, ',');
	if (!e)
		e = s + strlen(s);
	*p = *e ? e + 1 : e;
	while (e > s && (e[-1] == ' ' || e[-1] == '\t'))
		e--;
	n = (size_t)(e - s);
	if (n >= size)
		n = size - 1;
	memcpy(name, s, n);
	name[n] = '\0';
}

/* The HTTP client of the network sources: a replay of the tape, or live
 * (recording into env->record), made on first need. */
static struct http *client(struct provider *pv, const struct config *cfg,
			   const struct provider_env *env)
{
	struct http_opts o;

	if (pv->http)
		return pv->http;
	if (env && env->replay) {
		pv->http = http_new_replay(env->replay);
		return pv->http;
	}
	http_opts_default(&o);
	o.timeout_ms = cfg->http_timeout * 1000;
	o.retries = (int)cfg->http_retries;
	if (env && env->home &&
	    snprintf(pv->cookie_file, sizeof(pv->cookie_file), "%s/yahoo-cookies.txt", env->home) <
		    (int)sizeof(pv->cookie_file))
		o.cookie_file = pv->cookie_file;
	pv->http = http_new(&o, env ? env->record : NULL);
	return pv->http;
}

static void open_sim(struct provider *pv, struct source *s, const struct config *cfg,
		     const struct provider_env *env)
{
	(void)pv;
	(void)env;
	s->ops = &sim_provider_ops;
	s->state = sim_new(cfg->seed, cfg->sim_perturb_after);
}

static void open_yahoo(struct provider *pv, struct source *s, const struct config *cfg,
		       const struct provider_env *env)
{
	struct yahoo_opts yo = {cfg->yahoo_url, cfg->yahoo_cookie_url, NULL};

	if (env && env->home && !env->replay &&
	    snprintf(pv->crumb_file, sizeof(pv->crumb_file), "%s/yahoo-crumb", env->home) <
		    (int)sizeof(pv->crumb_file))
		yo.crumb_file = pv->crumb_file;
	s->ops = &yahoo_provider_ops;
	s->state = yahoo_new(client(pv, cfg, env), &yo);
}

static void open_history(struct provider *pv, struct source *s, const struct config *cfg,
			 const struct provider_env *env)
{
	(void)cfg;
	pv->has_history = 1;
	s->ops = &history_provider_ops;
	s->state = history_new(env ? env->home : NULL);
}

static void open_cboe(struct provider *pv, struct source *s, const struct config *cfg,
		      const struct provider_env *env)
{
	s->ops = &cboe_provider_ops;
	s->state = cboe_new(client(pv, cfg, env), cfg->cboe_url);
}

/*
 * Every provider a configuration may name, served or not by this build: the
 * one list (config.c checks names against it through provider_lookup), so
 * adding a provider is one entry. open is NULL for a name that is not a
 * source of its own: "tape" replays through the sources it was recorded
 * with (provider_new).
 */
static const struct kind {
	const char *name;
	void (*open)(struct provider *pv, struct source *s, const struct config *cfg,
		     const struct provider_env *env);
} kinds[] = {
	{"sim", open_sim},   {"yahoo", open_yahoo},	 {"cboe", open_cboe},
	{"tape", NULL},	     {"history", open_history},
};

_Static_assert(PT_ARRAY_SIZE(kinds) <= PROVIDER_MAX_KNOWN, "raise PROVIDER_MAX_KNOWN");

const char *provider_known(size_t i)
{
	return i < PT_ARRAY_SIZE(kinds) ? kinds[i].name : NULL;
}

int provider_lookup(const char *name, size_t n)
{
	size_t i;

	for (i = 0; i < PT_ARRAY_SIZE(kinds); i++)
		if (strlen(kinds[i].name) == n && !strncasecmp(name, kinds[i].name, n))
			return (int)i;
	return -1;
}

/* 1 when this build serves the provider: a source of its own, or tape. */
static int served(size_t i)
{
	return kinds[i].open || !strcmp(kinds[i].name, "tape");
}

char *provider_known_text(char *buf, size_t size)
{
	size_t i, k = 0, len = 0, n = 0;

	buf[0] = '\0';
	for (i = 0; i < PT_ARRAY_SIZE(kinds); i++)
		n += (size_t)served(i);
	for (i = 0; i < PT_ARRAY_SIZE(kinds); i++) {
		const char *sep;

		if (!served(i))
			continue;
		sep = k == 0 ? "" : k + 1 == n ? " or " : ", ";
		k++;
		int w = snprintf(buf + len, size - len, "%s%s", sep, kinds[i].name);

		if (w < 0 || (size_t)w >= size - len) {
			buf[len] = '\0';	/* no part of a name */
			break;
		}
		len += (size_t)w;
	}
	return buf;
}

/* Opens one source by name; 0, or an error. */
static int open_source(struct provider *pv, const char *name, const struct config *cfg,
		       const struct provider_env *env, char *err)
{
	int k = provider_lookup(name, strlen(name));
	char known[128];

	if (pv->n_src == MAX_SOURCES)
		return pt_err(err, PT_EINVAL, "more than %d providers listed", MAX_SOURCES);
	if (k < 0)
		return pt_err(err, PT_EINVAL, "unknown provider '%s' (expected %s)", name,
			      provider_known_text(known, sizeof(known)));
	if (!kinds[k].open)
		return pt_err(err, PT_EINVAL, "provider '%s' is not available in this build", name);
	kinds[k].open(pv, &pv->src[pv->n_src], cfg, env);
	pv->n_src++;
	return 0;
}

struct provider *provider_new(const struct config *cfg, const struct provider_env *env, char *err)
{
	const char *p = cfg->provider;
	char name[64];
	struct provider *pv = xcalloc(1, sizeof(*pv));

	pv->run_at_min = cfg->run_at_min;
	pv->max_quote_age = cfg->max_quote_age;
	pv->fixed_rate = cfg->risk_free_rate;
	/* A tape replays through the sources it was recorded with. */
	if (strcmp(cfg->provider, "tape") == 0) {
		if (!env || !env->replay || !env->replay_sources) {
			pt_err(err, PT_EINVAL, "provider 'tape' needs a recorded session (papertrade tape list)");
			provider_free(pv);
			return NULL;
		}
		p = env->replay_sources;
	}
	pt_strlcpy(pv->names, p, sizeof(pv->names));
	while (*p) {
		next_item(&p, name, sizeof(name));
		if (!name[0])
			continue;
		if (strcmp(name, "tape") == 0 || (env && env->replay && strcmp(name, "sim") == 0)) {
			pt_err(err, PT_EINVAL, "provider 'tape' cannot be combined with others");
			provider_free(pv);
			return NULL;
		}
		if (open_source(pv, name, cfg, env, err)) {
			provider_free(pv);
			return NULL;
		}
	}
	if (!pv->n_src) {
		pt_err(err, PT_EINVAL, "no provider configured");
		provider_free(pv);
		return NULL;
	}
	return pv;
}

int provider_is_live(const struct provider *p)
{
	return p->http != NULL;
}

/*
 * Quotes no market makes (issue 13, defect 3): an underlying below a cent
 * or above QUOTE_MAX_PRICE, one more than QUOTE_MAX_MOVE times away from
 * the previous close either way (a split shows in adjusted closes; no ETF
 * has moved so far in a session), and a quote stamped more than
 * QUOTE_FUTURE_SKEW seconds after the as-of time (a clock or a body that
 * lies). Such a ticker is not used: never booked, never a benchmark row.
 */
#define QUOTE_MIN_PRICE 0.01
#define QUOTE_MAX_PRICE 1e7
#define QUOTE_MAX_MOVE 3.0
#define QUOTE_FUTURE_SKEW 300

/* Drops what must never be traded on, counting it; marks stale quotes and
 * implausible ones. */
static void clean_ticker(struct ticker_view *t, const struct market_view *v, long max_age)
{
	size_t i, k = 0;
	char when[DATE_BUFSZ];
	int day, sec;

	for (i = 0; i < t->n_opts; i++) {
		const struct option_quote *o = &t->opts[i];
		int bad = !(o->right == 'C' || o->right == 'P') || !isfinite(o->strike) ||
			  o->strike <= 0 || o->expiry < v->session || !isfinite(o->bid) ||
			  !isfinite(o->ask) || o->bid < 0 || o->ask <= o->bid;
		if (bad)
			t->dropped++;
		else
			t->opts[k++] = *o;
	}
	t->n_opts = k;
	for (i = k = 0; i < t->n_bars; i++) {
		const struct bar *b = &t->bars[i];
		if (!isfinite(b->close) || b->close <= 0 || b->date >= v->session)
			t->dropped++;
		else
			t->bars[k++] = *b;
	}
	t->n_bars = k;
	if (!t->ok)
		return;
	if (!isfinite(t->spot) || t->spot <= 0) {
		t->ok = 0;
		snprintf(t->error, sizeof(t->error), "no valid price for the underlying");
		return;
	}
	if (t->spot < QUOTE_MIN_PRICE || t->spot > QUOTE_MAX_PRICE) {
		t->ok = 0;
		snprintf(t->error, sizeof(t->error),
			 "implausible price for the underlying: %.6g (outside %.2f..%.0f)", t->spot,
			 QUOTE_MIN_PRICE, QUOTE_MAX_PRICE);
		return;
	}
	if (t->n_bars) {
		double prev = t->bars[t->n_bars - 1].close, ratio = t->spot / prev;

		if (!(ratio <= QUOTE_MAX_MOVE && ratio >= 1 / QUOTE_MAX_MOVE)) {
			t->ok = 0;
			snprintf(t->error, sizeof(t->error),
				 "implausible quote: %.6g against a previous close of %.6g (more "
				 "than %gx apart)",
				 t->spot, prev, QUOTE_MAX_MOVE);
			return;
		}
	}
	if (t->quote_time && t->quote_time > v->asof + QUOTE_FUTURE_SKEW) {
		cal_epoch_to_ny(t->quote_time, &day, &sec);
		t->ok = 0;
		snprintf(t->error, sizeof(t->error),
			 "quote from the future: stamped %s %02d:%02d New York, after the as-of "
			 "time",
			 date_fmt(day, when), sec / 3600, sec / 60 % 60);
		return;
	}
	if (!t->quote_time || v->asof - t->quote_time > max_age) {
		t->ok = 0;
		if (!t->quote_time) {
			snprintf(t->error, sizeof(t->error), "the quote has no time");
			return;
		}
		cal_epoch_to_ny(t->quote_time, &day, &sec);
		snprintf(t->error, sizeof(t->error),
			 "stale quote: from %s %02d:%02d New York, older than max_quote_age (%lds)%s",
			 date_fmt(day, when), sec / 3600, sec / 60 % 60, max_age,
			 day < v->session ? "; the market has not opened yet today" : "");
	}
}

/* WHY as "SOURCE: why" into out: a source's errors may or may not begin
 * with its name. */
static void named(const char *source, const char *why, char *out, size_t n)
{
	size_t len = strlen(source);

	if (!len || (!strncmp(why, source, len) && why[len] == ':'))
		pt_strlcpy(out, why, n);
	else
		snprintf(out, n, "%s: %.200s", source, why);
}

/* Appends "; then SOURCE: WHAT" to a ticker's error, as room allows. */
static void add_why(struct ticker_view *t, const char *source, const char *what)
{
	char why[PT_ERRSZ];
	size_t n = strlen(t->error);

	named(source, what, why, sizeof(why));
	if (n + 8 < sizeof(t->error))
		snprintf(t->error + n, sizeof(t->error) - n, "; then %.*s",
			 (int)(sizeof(t->error) - n - 8), why);
}

/* Moves the views of tickers the sources before could not serve from the
 * next source's answer into out, each saying why the sources before did
 * not; a ticker the next source cannot serve either adds its reason. */
static void take_failed(struct market_view *out, struct market_view *next)
{
	char why[PT_ERRSZ];
	size_t i, j;

	for (i = 0; i < out->n_tickers; i++) {
		struct ticker_view *t = &out->tickers[i];
		if (t->ok)
			continue;
		for (j = 0; j < next->n_tickers; j++) {
			struct ticker_view *u = &next->tickers[j];
			if (strcmp(u->symbol, t->symbol) != 0)
				continue;
			if (!u->ok) {
				add_why(t, u->source, u->error);
				break;
			}
			named(t->source, t->error, why, sizeof(why));
			free(t->bars);
			free(t->divs);
			free(t->opts);
			*t = *u;
			memset(u, 0, sizeof(*u));
			pt_strlcpy(t->fallback, why, sizeof(t->fallback));
			break;
		}
	}
	if (!isfinite(out->rate) && isfinite(next->rate))
		out->rate = next->rate;
}

/* A view in which the first source served nothing: every ticker failed
 * with its error, left for the next sources. */
static void whole_failure(const struct provider_req *req, const char *source, const char *why,
			  struct market_view *out)
{
	size_t i;

	memset(out, 0, sizeof(*out));
	out->rate = NAN;
	out->n_tickers = req->n;
	out->tickers = xcalloc(req->n + 1, sizeof(*out->tickers));
	for (i = 0; i < req->n; i++) {
		struct ticker_view *t = &out->tickers[i];
		pt_strlcpy(t->symbol, req->tickers[i] ? req->tickers[i] : "", sizeof(t->symbol));
		pt_strlcpy(t->source, source, sizeof(t->source));
		t->spot = t->div_yield = NAN;
		named(source, why, t->error, sizeof(t->error));
	}
}

int provider_load(struct provider *p, const struct provider_req *req, struct market_view *out,
		  char *err)
{
	struct provider_req sub = *req;
	const char **left = NULL;
	size_t s, i, n, served = 0;
	int rc;

	memset(out, 0, sizeof(*out));
	out->rate = NAN;
	rc = p->src[0].ops->load(p->src[0].state, req, out, err);
	if (rc) {
		mv_release(out);
		if (p->n_src < 2)
			return rc;
		/* The whole first source failed (no network, every request
		 * refused): the next one in the list serves every ticker. */
		whole_failure(req, p->src[0].ops->name, err, out);
	}
	out->session = req->session;
	if (out->asof == 0)
		out->asof = req->asof;
	if (out->asof == 0 && cal_ny_to_epoch(req->session, p->run_at_min, &out->asof)) {
		mv_release(out);
		return pt_err(err, PT_EINVAL, "cannot convert the run time to New York time");
	}
	left = xcalloc(out->n_tickers + 1, sizeof(*left));
	for (s = 1; s < p->n_src; s++) {
		struct market_view next;
		char e2[PT_ERRSZ];

		for (i = n = 0; i < out->n_tickers; i++)
			if (!out->tickers[i].ok)
				left[n++] = out->tickers[i].symbol;
		if (!n)
			break;
		sub.tickers = left;
		sub.n = n;
		memset(&next, 0, sizeof(next));
		next.rate = NAN;
		if (p->src[s].ops->load(p->src[s].state, &sub, &next, e2) == 0) {
			take_failed(out, &next);
		} else {
			for (i = 0; i < out->n_tickers; i++)
				if (!out->tickers[i].ok)
					add_why(&out->tickers[i], p->src[s].ops->name, e2);
		}
		mv_release(&next);
	}
	free(left);
	for (i = 0; i < out->n_tickers; i++)
		served += out->tickers[i].ok;
	if (isfinite(p->fixed_rate))
		out->rate = p->fixed_rate;
	if (out->n_tickers && !served && (rc || !isfinite(out->rate))) {
		/* Nothing served at all: the tickers' errors say why (a host not
		 * found, a refused connection), not the missing rate. */
		char why[PT_ERRSZ];

		named(out->tickers[0].source, out->tickers[0].error, why, sizeof(why));
		rc = pt_err(err, PT_EIO, "no data for any ticker: %s: %.200s",
			    out->tickers[0].symbol, why);
		mv_release(out);
		return rc;
	}
	if (!isfinite(out->rate)) {
		char d[DATE_BUFSZ];

		mv_release(out);
		if (p->has_history)
			return pt_err(err, PT_EDATA,
				      "no risk-free rate for %s: the history has no 13-week bill rate "
				      "(FRED DTB3) dated then or up to %d days before; import one with "
				      "'papertrade history import --rates FILE' or set risk_free_rate "
				      "in papertrade.ini",
				      date_fmt(req->session, d), HISTORY_RATE_DAYS);
		return pt_err(err, PT_EDATA,
			      "no risk-free rate from the data source; set risk_free_rate in papertrade.ini");
	}
	for (i = 0; i < out->n_tickers; i++)
		clean_ticker(&out->tickers[i], out, p->max_quote_age);
	return 0;
}

int provider_load_session(struct provider *p, int session, const char *const *tickers, size_t n,
			  int hist_from, struct market_view *out, char *err)
{
	static const struct provider_want near30 = {"", 0, 30};
	struct provider_req req;

	memset(&req, 0, sizeof(req));
	req.session = session;
	req.tickers = tickers;
	req.n = n;
	req.hist_from = hist_from;
	req.want = &near30;
	req.n_want = 1;
	return provider_load(p, &req, out, err);
}

int provider_want_expiry(const struct provider_want *w, const char *ticker, const int *exp,
			 size_t n, size_t stride, int session)
{
	if (w->ticker[0] && strcmp(w->ticker, ticker) != 0)
		return 0;
	if (w->expiry)
		return w->expiry;
	return cal_nearest_expiry(exp, n, stride, session, w->days);
}

const char *provider_name(const struct provider *p)
{
	return p->names;
}

void provider_free(struct provider *p)
{
	size_t i;

	if (!p)
		return;
	for (i = 0; i < p->n_src; i++)
		if (p->src[i].ops->free)
			p->src[i].ops->free(p->src[i].state);
	http_free(p->http);
	free(p);
}
