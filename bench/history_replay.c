/*
 * history_replay.c - replay figures of an imported history, for
 * bench/history.sh (docs/history.md, "Figures"):
 *
 * 1. every option row of every ticker read back through the store and
 *    decoded into the market view's struct option_quote (the work the
 *    provider does for each row it serves), with the open and checks;
 * 2. the market view of every session of TICKER through the history
 *    provider, as a run or a backtest asks for it: the expiration nearest
 *    30 days (the default strategy's), bars from 82 days before (HV),
 *    dividends, the rate.
 *
 *   history_replay HOME [TICKER]   (default SPY)
 */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "history/hist.h"
#include "market/history.h"
#include "market/view.h"
#include "util/util.h"

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

int main(int argc, char **argv)
{
	const char *home, *ticker;
	struct hist *h;
	char err[PT_ERRSZ];
	struct option_quote *buf = NULL;
	size_t cap = 0, i;
	uint64_t rows = 0, served = 0;
	double t0, t1, sum = 0;
	const struct hist_ticker *t;
	void *st;
	uint32_t s;

	if (argc < 2 || argc > 3) {
		fprintf(stderr, "usage: history_replay HOME [TICKER]\n");
		return 2;
	}
	home = argv[1];
	ticker = argc > 2 ? argv[2] : "SPY";
	t0 = now();
	if (hist_open(home, &h, err) || !h) {
		fprintf(stderr, "history_replay: %s\n", h ? err : "no history");
		return 1;
	}
	for (i = 0; i < h->n_tk; i++) {
		t = &h->tk[i];
		for (s = 0; s < t->n_sess; s++) {
			uint32_t fb = (uint32_t)hist_le32((int32_t)t->sess[s].first_block);
			uint32_t nb = (uint32_t)hist_le32((int32_t)t->sess[s].n_blocks), b;

			for (b = 0; b < nb; b++) {
				const struct hist_block *k = &t->blk[fb + b];
				uint32_t nc = (uint32_t)hist_le32((int32_t)k->n_calls);
				uint32_t n = nc + (uint32_t)hist_le32((int32_t)k->n_puts), r;
				const struct hist_row *row =
					&t->rows[hist_le64((int64_t)k->first_row)];
				int e = hist_le32(k->expiry);

				if (n > cap)
					xgrow(&buf, &cap, n, sizeof(*buf));
				for (r = 0; r < n; r++, row++) {
					struct option_quote *o = &buf[r];
					int32_t last = hist_le32(row->last),
						iv = hist_le32(row->iv);

					o->expiry = e;
					o->right = r < nc ? 'C' : 'P';
					o->strike = (double)hist_le32(row->strike) / HIST_UNIT;
					o->bid = (double)hist_le32(row->bid) / HIST_UNIT;
					o->ask = (double)hist_le32(row->ask) / HIST_UNIT;
					o->last =
						last == HIST_NONE ? NAN : (double)last / HIST_UNIT;
					o->volume = hist_le32(row->volume);
					o->open_interest = hist_le32(row->oi);
					o->vendor_iv =
						iv == HIST_NONE ? NAN : (double)iv / HIST_IV_UNIT;
				}
				if (n)
					sum += buf[n / 2].bid; /* keep the loop honest */
				rows += n;
			}
		}
	}
	t1 = now();
	printf("every row read back: %llu rows in %.3f s (%.1fM rows/s; check %.2f)\n",
	       (unsigned long long)rows, t1 - t0, rows / (t1 - t0) / 1e6, sum);
	t = hist_find(h, ticker);
	if (!t) {
		fprintf(stderr, "history_replay: %s is not in the history\n", ticker);
		return 1;
	}
	st = history_new(home);
	t0 = now();
	for (s = 0; s < t->n_sess; s++) {
		static const struct provider_want near30 = {"", 0, 30};
		const char *tk[1] = {ticker};
		struct provider_req req;
		struct market_view v;

		memset(&req, 0, sizeof(req));
		memset(&v, 0, sizeof(v));
		req.session = hist_le32(t->sess[s].day);
		req.tickers = tk;
		req.n = 1;
		req.hist_from = req.session - 82;
		req.want = &near30;
		req.n_want = 1;
		if (history_provider_ops.load(st, &req, &v, err)) {
			fprintf(stderr, "history_replay: %s\n", err);
			return 1;
		}
		served += v.tickers[0].n_opts;
		mv_release(&v);
	}
	t1 = now();
	printf("views of every session (%s, the expiration nearest 30 days, 82 days of bars): "
	       "%u sessions in %.3f s (%.1f us a session, %llu option rows served)\n",
	       ticker, t->n_sess, t1 - t0, (t1 - t0) / t->n_sess * 1e6, (unsigned long long)served);
	history_free(st);
	free(buf);
	hist_close(h);
	return 0;
}
