/*
 * history.h - the `history` provider (DESIGN.md §6): replays the end-of-day
 * option history imported into HOME/history (history/hist.h) through the
 * provider interface, for `run --provider history` and the backtest.
 *
 * As of: the view of session D is as of the quotes' time that D's data
 * was taken at (the close for OptionsDX and options-dataset-hist, 15:45
 * New York for Cboe's 1545 fields, 15 minutes before an early close):
 * out->asof and each ticker's quote_time are that moment, so the staleness
 * check (max_quote_age) holds, and T is counted from it. A request whose
 * as-of moment (req->asof, when not 0) is before that time cannot be
 * served: the data would be from its future. Bars are those dated before
 * D, dividends those with ex-dates up to D, the rate the latest DTB3
 * observation dated D or up to 10 days before; chains only for the
 * wanted expirations listed on D. Nothing dated after D is read.
 *
 * A ticker the history lacks is marked not ok, naming the ones it has
 * ("VOO: not in the history (imported: QQQ, SPY)"); so is a session the
 * ticker's history has no quotes for. Nothing is invented.
 */
#ifndef PT_MARKET_HISTORY_H
#define PT_MARKET_HISTORY_H

#include "provider.h"

/* The provider's state for the history of home (opened on first use and
 * again when an import changed it); free with history_free. */
void *history_new(const char *home);
void history_free(void *state);
/* Days of DTB3 data a session may look back for its rate. */
#define HISTORY_RATE_DAYS 10

extern const struct provider_ops history_provider_ops;

#endif
