/*
 * provider.h - the one interface behind which market data comes in
 * (DESIGN.md §1 and §6): sim | yahoo | cboe | tape | history. Only providers talk
 * to the network (through http.h). The engine never sees a provider, only
 * the view it fills.
 */
#ifndef PT_PROVIDER_H
#define PT_PROVIDER_H

#include <stddef.h>
#include <stdint.h>

#include "view.h"

struct config;
struct tape;

/*
 * An expiration a provider must quote: an exact one (an open position's) or
 * "the listed expiration nearest `days` days after the session" (a
 * strategy's, resolved per ticker against what the source lists, with
 * cal_nearest_expiry's rule: see provider_want_expiry).
 */
struct provider_want {
	char ticker[MV_SYMSZ];	/* "" = every ticker of the request */
	int expiry;		/* the exact day, or 0 */
	long days;		/* when expiry is 0: the one nearest this many days */
};

/* What a run asks of a provider: tickers, a history start and expirations,
 * nothing of a strategy's parameters (DESIGN.md §2). */
struct provider_req {
	int session;			/* day number */
	int64_t asof;			/* the as-of moment (Unix time); 0: the session at run_at */
	const char *const *tickers;
	size_t n;
	int hist_from;			/* first day of the bars wanted */
	const struct provider_want *want;	/* the expirations wanted: all of them are served */
	size_t n_want;
};

struct provider_ops {
	const char *name;
	/* Fill out (zeroed by the caller) for req. Returns 0 or a negative PT_E*
	 * code with err filled. A ticker that cannot be served is marked !ok with
	 * its reason rather than failing the whole view. */
	int (*load)(void *state, const struct provider_req *req, struct market_view *out,
		    char *err);
	void (*free)(void *state);
};

/* Where a provider lives: the home folder (crumb cache, cookie jar) and the tapes. */
struct provider_env {
	const char *home;		/* NULL: nothing cached on disk */
	struct tape *record;	/* live sources append every response here, or NULL */
	const struct tape *replay;	/* for provider "tape": the responses to replay */
	const char *replay_sources;	/* for "tape": the provider list the tape was recorded with */
};

/*
 * The provider names a configuration may use, served or not by this build:
 * one list, which the configuration checks names against (config.c), so a
 * new provider is one entry in provider.c. At most PROVIDER_MAX_KNOWN.
 */
#define PROVIDER_MAX_KNOWN 32
/* The i-th name ("sim", "yahoo", ...), or NULL past the last; borrowed. */
const char *provider_known(size_t i);
/* The index in that list of the n bytes at name (not NUL-terminated),
 * compared ignoring ASCII case; -1 when it is none of them. */
int provider_lookup(const char *name, size_t n);
/* The providers this build serves, for messages ("sim, yahoo, cboe, tape
 * or history"), into buf of size bytes (at least 1; cut at a name when it
 * does not fit); returns buf. */
char *provider_known_text(char *buf, size_t size);

struct provider;

/*
 * Opens the providers named by cfg->provider, a comma list tried in order
 * for each ticker: a ticker the first cannot serve goes to the next. NULL
 * with err filled when a name is unknown or unavailable. env may be NULL.
 */
struct provider *provider_new(const struct config *cfg, const struct provider_env *env, char *err);
/*
 * Fills out for req, then cleans it: option rows with missing or non-finite
 * numbers, crossed or zero-width quotes, or an expiry before the session are
 * dropped and counted in each ticker's `dropped`; a ticker whose quote is
 * older than cfg->max_quote_age is marked !ok (stale). out->session and
 * out->asof are set.
 */
int provider_load(struct provider *p, const struct provider_req *req, struct market_view *out,
		  char *err);
/* Convenience for tools and tests: the view of a session wanting, for every
 * ticker, the expiration nearest 30 days. */
int provider_load_session(struct provider *p, int session, const char *const *tickers, size_t n,
			  int hist_from, struct market_view *out, char *err);
/*
 * The expiration w asks of ticker, given the n expirations listed for it at
 * exp, stride bytes apart (read as cal_nearest_expiry reads them; exp may be
 * NULL when n is 0): w->expiry when w names one (listed or not: a provider
 * serves it only when listed), else the listed one nearest w->days after
 * session. 0 when w is for another ticker or nothing is listed after the
 * session. Sources that list more expirations than they serve (yahoo, cboe)
 * keep those that some want of the request asks.
 */
int provider_want_expiry(const struct provider_want *w, const char *ticker, const int *exp,
			 size_t n, size_t stride, int session);
/* 1 when the provider fetches over HTTP (live or replaying a tape): its
 * responses are what a tape records. */
int provider_is_live(const struct provider *p);
/* The provider list that serves, e.g. "yahoo,cboe" (for a tape: the
 * sources it was recorded with). */
const char *provider_name(const struct provider *p);
void provider_free(struct provider *p);

#endif
