/*
 * provider.h - the one interface behind which market data comes in
 * (DESIGN.md §1 and §6): sim | yahoo | cboe | tape | csv. Only providers talk
 * to the network. The engine never sees a provider, only the view it fills.
 */
#ifndef PT_PROVIDER_H
#define PT_PROVIDER_H

#include "view.h"

struct config;

struct provider_ops {
	const char *name;
	/* Fill out for session (a day number), tickers[0..n-1], with bars from
	 * hist_from (a day number) to the session before. out is zeroed by the
	 * caller. Returns 0 or a negative PT_E* code with err filled. A ticker
	 * that cannot be served is marked !ok rather than failing the whole view. */
	int (*load)(void *state, int session, const char *const *tickers, size_t n, int hist_from,
		    struct market_view *out, char *err);
	void (*free)(void *state);
};

struct provider;

/* Opens the provider named by cfg->provider. NULL with err filled when unknown. */
struct provider *provider_new(const struct config *cfg, char *err);
int provider_load(struct provider *p, int session, const char *const *tickers, size_t n,
		  int hist_from, struct market_view *out, char *err);
const char *provider_name(const struct provider *p);
void provider_free(struct provider *p);

#endif
