/*
 * cboe.h - the Cboe delayed-quotes provider (DESIGN.md §6): the whole option
 * chain of an underlying in one JSON response, contracts named by OCC
 * symbols, plus the underlying's daily history. The only module that knows
 * Cboe's formats. Requests go through http.h (recorded on the run's tape).
 *
 * Per ticker, two GETs: {base}/api/global/delayed_quotes/options/{T}.json
 * (quote and every contract) and .../charts/historical/{T}.json (daily
 * bars). Cboe names cash indices with a leading '_' (_SPX): a ticker written
 * ^SPX, _SPX, or one of the bare index names SPX XSP NDX RUT VIX DJX OEX XEO
 * is asked for as _NAME; others as they are. Cboe serves only the current
 * snapshot, so the provider refuses any session but today's; it gives no
 * dividends (div_yield 0) and no rate (out->rate stays NAN).
 */
#ifndef PT_CBOE_H
#define PT_CBOE_H

#include <stddef.h>
#include <stdint.h>

#include "provider.h"
#include "view.h"

struct http;

/* A provider state over an HTTP client (borrowed: it must outlive the
 * state). base_url e.g. https://cdn.cboe.com (a trailing '/' is ignored).
 * cboe_free(NULL) is a no-op. */
void *cboe_new(struct http *h, const char *base_url);
void cboe_free(void *state);
/*
 * provider_ops load (see provider.h). PT_EINVAL "cboe serves only today's
 * session" when req->session is not the New York date of req->asof (of the
 * clock when req->asof is 0). Otherwise 0, with one view per ticker: a
 * ticker whose request fails (transport error, HTTP status other than 200),
 * whose body does not parse, or whose chain has no usable contract is !ok
 * with a one-line reason naming it. To keep views small, only the contracts
 * of the expirations that the wants of req->want ask of that ticker are kept
 * (provider_want_expiry: exact ones, and for "nearest" ones the expiration
 * of the chain nearest their days after the session). Bars from
 * req->hist_from to the day before the session.
 */
int cboe_load(void *state, const struct provider_req *req, struct market_view *out, char *err);

/* ---- parsers: pure, on hostile input; exposed for tests ---- */

/*
 * Parses an OCC option symbol strictly: root (1-6 characters A-Z, 0-9, '.'
 * after the first), YYMMDD (20YY), C or P, strike x 1000 in 8 digits, e.g.
 * QQQ230609C00350000. Optional space padding of the root (the 21-character
 * form "SPY   240119C00470000") is accepted. Returns 0, or -1 when any part
 * is malformed, the strike is zero, the date is not a real calendar day, or
 * the root does not fit in rootsz.
 */
int cboe_parse_occ(const char *sym, char *root, size_t rootsz, int *expiry, char *right,
		   double *strike);

/*
 * Parses a delayed_quotes options body: the underlying (data.current_price,
 * the top-level "timestamp" as New York time) into t->spot and
 * t->quote_time, and every contract of data.options[] whose OCC root is the
 * underlying's into t->opts (replacing any there), sorted by expiry, right
 * and strike. `symbol` is Cboe's name of the underlying: "QQQ", or "_SPX"
 * for an index, whose options may also have the root NAME+"W" (SPXW) or
 * NAME+"P" (NDXP), both PM-settled. The view holds one contract per expiry,
 * strike and right: where two roots list the same one (SPX and SPXW on a
 * monthly expiration) the PM-settled is kept (W before P before the bare
 * root), as settlement here is at the expiry date's close. Contracts of
 * other roots (adjusted deliverables such as QQQ1) are skipped, not counted.
 * A body without data.options gives no contracts (the quotes endpoint has
 * the same quote fields). Rows with a malformed OCC symbol, a missing or
 * non-finite bid or ask, a negative bid, a crossed or zero-width quote, a
 * present but invalid volume or open interest, or a second row of the same
 * contract and root are dropped and counted in t->dropped. last is
 * last_trade_price (NAN when absent, not positive, or when last_trade_time
 * is null); vendor_iv is iv as a fraction (NAN when 0 or absent); volume and
 * open interest are -1 when absent. Returns 0, or PT_EDATA with err when the
 * body is not JSON, has no valid current_price or timestamp, or names
 * another symbol (top-level "symbol", index prefix ignored).
 */
int cboe_parse_chain(const char *body, size_t len, const char *symbol, struct ticker_view *t,
		     char *err);

/*
 * Parses a charts/historical body, {"symbol": ..., "data": [{"date":
 * "YYYY-MM-DD", "open", "high", "low", "close", "volume"}, ...]} (the shape
 * OpenBB's Cboe equity-historical fetcher reads; numbers may also come as
 * numeric strings, volume also as "stock_volume"), into t->bars (replacing
 * any there): the bars dated from `from` to the day before `session`, oldest
 * first. In that range, rows with a malformed date, a missing, non-finite or
 * non-positive close, or a duplicate date are dropped and counted in
 * t->dropped; a bad open, high or low becomes NAN, a missing volume -1.
 * Returns 0, or PT_EDATA with err when the body is not JSON or has no rows.
 */
int cboe_parse_history(const char *body, size_t len, int from, int session,
		       struct ticker_view *t, char *err);

extern const struct provider_ops cboe_provider_ops;

#endif
