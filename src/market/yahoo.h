/*
 * yahoo.h - the Yahoo Finance provider (DESIGN.md §6), the only module that
 * knows Yahoo's formats: daily OHLC and dividends from the v8 chart
 * endpoint, option chains from the v7 options endpoint (only the
 * expirations the request wants), the cookie-and-crumb handshake (cached in
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

/* A provider state over an HTTP client (borrowed: it must outlive the state).
 * o may be NULL (Yahoo's own hosts, no crumb cache); its strings are copied.
 * A crumb cached in o->crumb_file is read here and sent from the first request. */
void *yahoo_new(struct http *h, const struct yahoo_opts *o);
/* Frees the state (not the HTTP client); NULL is a no-op. */
void yahoo_free(void *state);
/*
 * provider_ops load (see provider.h). Serves only the session that is today
 * in New York at req->asof (0: now): any other gives PT_EINVAL. Per ticker:
 * the v8 chart (bars from req->hist_from, dividends of at least the last
 * year: div_yield is their sum over the spot, as ln(1 + x)), the v7 options
 * (spot, quote time, the nearest expiration's contracts), then by ?date=,
 * in listed order, every listed expiration that a want of req->want asks
 * of that ticker (provider_want_expiry: an exact one, or the listed one
 * nearest some days) not fetched yet. A ticker that fails is
 * marked !ok with "TICKER: what: why"; out->rate is the 13-week bill (^IRX)
 * as a continuous rate, NAN when unavailable. Returns PT_EIO when the source
 * is unusable: no crumb can be had, Yahoo refuses a fresh crumb, or every
 * ticker failed without any response (network). The URLs depend only on req,
 * never on the clock, so a tape of the run replays with the same req.
 */
int yahoo_load(void *state, const struct provider_req *req, struct market_view *out, char *err);

/* ---- parsers: pure, on hostile input; exposed for tests ---- */

/*
 * Parses a v8 chart body into t: bars dated before `session` (New York
 * dates of the timestamps), oldest first, and dividends with ex-dates (New
 * York dates) up to and including `session`, oldest first. t->bars and
 * t->divs are replaced (freed first: zero them before the first call); other
 * fields are left alone. Rows with a missing, non-finite or non-positive
 * price, a bad timestamp or a date not after the previous row's, and
 * malformed dividends, are dropped and counted in t->dropped (a null volume
 * is 0). Returns 0, or PT_EDATA with err and t emptied: not JSON, over the
 * size or nesting caps, arrays of unequal lengths, or Yahoo's own error
 * description when the body carries one ("No data found, symbol may be delisted").
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
	char symbol[32];	/* underlyingSymbol (else quote.symbol); "" when absent */
};
/*
 * Parses a v7 options body into out (overwritten; release it). Contracts
 * need strike, bid and ask (finite, strike > 0, quotes >= 0); lastPrice,
 * volume and openInterest are optional (NAN, -1, -1); impliedVolatility 0
 * or Yahoo's 1e-5 placeholder is NAN; the expiry is the UTC date of the
 * contract's (or the group's) expiration epoch. A malformed contract is
 * dropped and counted in out->dropped. An empty result (a symbol without
 * options, an unlisted date) is a valid empty chain. Returns 0, or PT_EDATA
 * with err: not JSON, over the caps, a wrong structure, or Yahoo's error
 * description (optionChain.error, or the finance envelope: "Invalid Crumb").
 */
int yahoo_parse_options(const char *body, size_t len, struct yahoo_chain *out, char *err);
/* Frees what the chain owns and empties it; twice is harmless. */
void yahoo_chain_release(struct yahoo_chain *c);

/* The description from Yahoo's error envelopes ({"finance":{"error":...}} or
 * {"chart":{"error":...}}) into msg; 0 when found, -1 when the body has none. */
int yahoo_error_text(const char *body, size_t len, char *msg, size_t n);

extern const struct provider_ops yahoo_provider_ops;

#endif
