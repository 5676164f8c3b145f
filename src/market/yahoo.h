/*
 * yahoo.h - the Yahoo Finance provider (DESIGN.md §6), the only module that
 * knows Yahoo's formats: daily OHLC and dividends from the v8 chart
 * endpoint, option chains from the v7 options endpoint (only the
 * expirations the strategy needs), the cookie-and-crumb handshake (cached in
 * the home folder until it fails), and the risk-free rate from the 13-week
 * T-bill (^IRX). Requests go through http.h, so they are recorded on the
 * run's tape and can be replayed.
 */
#ifndef PT_YAHOO_H
#define PT_YAHOO_H

#include <stddef.h>
#include <stdint.h>

#include "provider.h"
#include "view.h"

struct http;

struct yahoo_opts {
	const char *base_url;	/* e.g. https://query2.finance.yahoo.com (no trailing /) */
	const char *cookie_url;	/* where the session cookie comes from: https://fc.yahoo.com */
	const char *crumb_file;	/* crumb cache in the home folder, or NULL */
};

/* A provider state over an HTTP client (borrowed: it must outlive the state). */
void *yahoo_new(struct http *h, const struct yahoo_opts *o);
void yahoo_free(void *state);
/* provider_ops load: see provider.h. */
int yahoo_load(void *state, const struct provider_req *req, struct market_view *out, char *err);

/* ---- parsers: pure, on hostile input; exposed for tests ---- */

/*
 * Parses a v8 chart body into t: bars dated before `session` (New York
 * dates of the timestamps), and dividends with ex-dates up to and including
 * `session`. Bars with a missing or non-finite field are dropped and counted
 * in t->dropped. Returns 0, or PT_EDATA with err (Yahoo's own error
 * description when the body carries one: "No data found, symbol may be delisted").
 */
int yahoo_parse_chart(const char *body, size_t len, int session, struct ticker_view *t,
		      char *err);

/* One v7 options response: the expiration list, the underlying quote, and the
 * contracts of the one expiration it holds. */
struct yahoo_chain {
	int *expirations;	/* day numbers (UTC dates of expirationDates), ascending */
	size_t n_exp;
	int64_t *expiration_epochs;	/* the raw epochs, for ?date= */
	double spot;		/* quote.regularMarketPrice; NAN when absent */
	int64_t quote_time;	/* quote.regularMarketTime; 0 when absent */
	struct option_quote *opts;
	size_t n_opts;
	int dropped;		/* contracts dropped as malformed */
};
int yahoo_parse_options(const char *body, size_t len, struct yahoo_chain *out, char *err);
void yahoo_chain_release(struct yahoo_chain *c);

/* The description from Yahoo's error envelopes ({"finance":{"error":...}} or
 * {"chart":{"error":...}}) into msg; 0 when found, -1 when the body has none. */
int yahoo_error_text(const char *body, size_t len, char *msg, size_t n);

extern const struct provider_ops yahoo_provider_ops;

#endif
