/*
 * sim_export.c - writes the simulated market's view of one session as CSV
 * files, so the brief's Python approach (bench/brief_daily.py) can run the
 * same day on the same data as papertrade. A bench tool, not part of the
 * product: `build/bench/sim_export SEED YYYY-MM-DD DIR TICKER...`.
 *
 * DIR/meta.csv:   ticker,session,asof,rate,spot,div_yield
 * DIR/bars.csv:   ticker,date,open,high,low,close
 * DIR/chain.csv:  ticker,expiry,strike,right,bid,ask,last,volume,open_interest,vendor_iv
 */
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "config.h"
#include "market/provider.h"
#include "market/sim.h"
#include "market/view.h"
#include "util/date.h"
#include "util/util.h"

static FILE *open_out(const char *dir, const char *name)
{
	char path[4096];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "w");
	if (!f) {
		fprintf(stderr, "sim_export: cannot write %s\n", path);
		exit(1);
	}
	return f;
}

int main(int argc, char **argv)
{
	struct config cfg;
	struct provider *p;
	struct market_view v = {0};
	char err[PT_ERRSZ], d[DATE_BUFSZ];
	int session;
	size_t i, j;
	FILE *meta, *bars, *chain;

	if (argc < 5 || date_parse(argv[2], &session)) {
		fprintf(stderr, "usage: sim_export SEED YYYY-MM-DD DIR TICKER...\n");
		return 2;
	}
	config_defaults(&cfg);
	if (config_set(&cfg, "seed", argv[1], err)) {
		fprintf(stderr, "sim_export: %s\n", err);
		return 2;
	}
	p = provider_new(&cfg, NULL, err);
	if (!p || provider_load_session(p, session, (const char *const *)argv + 4, (size_t)argc - 4,
					session - 120, &v, err)) {
		fprintf(stderr, "sim_export: %s\n", err);
		return 1;
	}
	meta = open_out(argv[3], "meta.csv");
	bars = open_out(argv[3], "bars.csv");
	chain = open_out(argv[3], "chain.csv");
	fprintf(meta, "ticker,session,asof,rate,spot,div_yield\n");
	fprintf(bars, "ticker,date,open,high,low,close\n");
	fprintf(chain, "ticker,expiry,strike,right,bid,ask,last,volume,open_interest,vendor_iv\n");
	for (i = 0; i < v.n_tickers; i++) {
		const struct ticker_view *t = &v.tickers[i];
		fprintf(meta, "%s,%s,%" PRId64 ",%.17g,%.17g,%.17g\n", t->symbol, date_fmt(session, d),
			v.asof, v.rate, t->spot, t->div_yield);
		for (j = 0; j < t->n_bars; j++)
			fprintf(bars, "%s,%s,%.17g,%.17g,%.17g,%.17g\n", t->symbol,
				date_fmt(t->bars[j].date, d), t->bars[j].open, t->bars[j].high,
				t->bars[j].low, t->bars[j].close);
		for (j = 0; j < t->n_opts; j++) {
			const struct option_quote *o = &t->opts[j];
			fprintf(chain, "%s,%s,%.17g,%c,%.17g,%.17g,%.17g,%" PRId64 ",%" PRId64 ",%.17g\n",
				t->symbol, date_fmt(o->expiry, d), o->strike, o->right, o->bid, o->ask,
				o->last, o->volume, o->open_interest, o->vendor_iv);
		}
	}
	fclose(meta);
	fclose(bars);
	fclose(chain);
	mv_release(&v);
	provider_free(p);
	return 0;
}
