/*
 * sim.h - the embedded, deterministic simulated market, papertrade's default
 * provider (DESIGN.md §6). Offline and instant; any session 2000-2035.
 *
 * Data for session D depends only on the seed and days up to D (no
 * look-ahead), so a run, a backtest and a sweep see the same world.
 * Tickers SPY, VOO, VTI and QQQ (and any other symbol, as a generic ETF
 * derived from the symbol's name) move with realistic levels and
 * correlations, volatility clustering, fat tails and quarterly dividends;
 * chains list weeklies, monthlies, quarterlies and LEAPS
 * (strikes from 50% to 130% of spot), priced from one implied-vol surface per
 * ticker and session that holds no static arbitrage, above realised
 * volatility on average, with skew, spreads, volume and open interest
 * (docs/sim.md: construction and calibration).
 */
#ifndef PT_SIM_H
#define PT_SIM_H

#include <stdint.h>

#include "provider.h"

struct sim;

/* A new simulated market for seed. perturb_after: when > 0, every random
 * draw for days after that day number is changed (for the no-look-ahead test);
 * 0 for the normal market. */
struct sim *sim_new(uint64_t seed, int perturb_after);
void sim_free(struct sim *s);
/* Fills out with the view of session for n tickers, bars from hist_from, and
 * every listed expiration; state is a struct sim *. (Through the provider
 * interface, sim_provider_ops serves only the expirations a request wants,
 * each quote the same as here.) */
int sim_load(void *state, int session, const char *const *tickers, size_t n, int hist_from,
	     struct market_view *out, char *err);
/* Close of symbol on session day (after the close), for tests and the CSV export;
 * NAN when day is not a session or out of range. */
double sim_close(struct sim *s, const char *symbol, int day);

/* Total implied variance sigma^2 T of symbol's option surface on session (as
 * of its 09:35 view) at T years to expiry and log-moneyness k = ln(K/F), F
 * the forward at the view's rate and dividend yield: the surface the
 * chains' mids are priced from (for tests of its calendar order). NAN when
 * day is not a session, T <= 0 or symbol is not a plausible symbol. */
double sim_total_var(struct sim *s, const char *symbol, int session, double T, double k);

extern const struct provider_ops sim_provider_ops;

#endif
