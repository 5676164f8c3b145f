/*
 * cboe.h - the Cboe delayed-quotes provider (DESIGN.md §6): the whole option
 * chain of an underlying in one JSON response, contracts named by OCC
 * symbols, plus the underlying's daily history. The only module that knows
 * Cboe's formats. Requests go through http.h (recorded on the run's tape).
 */
#ifndef PT_CBOE_H
#define PT_CBOE_H

#include <stddef.h>
#include <stdint.h>

#include "provider.h"
#include "view.h"

struct http;

/* A provider state over an HTTP client (borrowed). base_url e.g. https://cdn.cboe.com */
void *cboe_new(struct http *h, const char *base_url);
void cboe_free(void *state);
int cboe_load(void *state, const struct provider_req *req, struct market_view *out, char *err);

/*
 * Parses an OCC option symbol strictly: root (1-6 characters A-Z, 0-9, '.'
 * after the first), YYMMDD, C or P, strike x 1000 in 8 digits, e.g.
 * QQQ230609C00350000. Optional space padding of the root (the 21-character
 * form) is accepted. Returns 0, or -1 when any part is malformed or the date
 * is not a real calendar day.
 */
int cboe_parse_occ(const char *sym, char *root, size_t rootsz, int *expiry, char *right,
		   double *strike);

/*
 * Parses a delayed_quotes options body: the underlying (data.current_price,
 * the timestamp as New York time) into t->spot and t->quote_time, and every
 * contract of data.options[] for the underlying `symbol` into t->opts;
 * malformed rows are dropped and counted in t->dropped. 0 or PT_EDATA.
 */
int cboe_parse_chain(const char *body, size_t len, const char *symbol, struct ticker_view *t,
		     char *err);

extern const struct provider_ops cboe_provider_ops;

#endif
