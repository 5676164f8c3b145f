/*
 * history_gen.c - writes a generated SPY-sized end-of-day option history in
 * OptionsDX's layout (docs/history.md), for bench/history.sh: every NYSE
 * session FROM..TO, ROWS_PER_DAY option rows a session (half calls, half
 * puts: one wide line per strike), the underlying a random walk from
 * START_SPOT, expirations as listed then (the next eight weeklies and the
 * monthlies a year out), strikes a dollar apart around the spot, prices
 * Black-Scholes at a smile-free 20% with a spread, written with OptionsDX's
 * six decimals. Numbers only for timing: not a market model.
 *
 *   history_gen FILE [FROM TO ROWS_PER_DAY]   (default 2008-01-02 2025-12-12 5468)
 *
 * Prints the option rows written.
 */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "market/calendar.h"
#include "quant/bs.h"
#include "util/date.h"
#include "util/util.h"

/* v (millionths) with six decimals at p; returns the end. */
static char *fx6(char *p, int64_t v)
{
	char tmp[32];
	int n = 0, i;
	uint64_t u;

	if (v < 0) {
		*p++ = '-';
		v = -v;
	}
	u = (uint64_t)v;
	do {
		tmp[n++] = (char)('0' + u % 10);
		u /= 10;
	} while (u || n < 7);
	for (i = n - 1; i >= 0; i--) {
		*p++ = tmp[i];
		if (i == 6)
			*p++ = '.';
	}
	return p;
}

static char *str(char *p, const char *s)
{
	size_t n = strlen(s);

	memcpy(p, s, n);
	return p + n;
}

static char *num(char *p, long long v)
{
	char tmp[24];
	int n = snprintf(tmp, sizeof(tmp), "%lld", v);

	memcpy(p, tmp, (size_t)n);
	return p + n;
}

int main(int argc, char **argv)
{
	int from = date_from_ymd(2008, 1, 2), to = date_from_ymd(2025, 12, 12), day, e, k;
	long per_day = 5468;
	double spot = 144.9;
	uint64_t rng = 88172645463325252ULL, rows = 0;
	FILE *f;
	static char buf[1024];

	if (argc < 2 || (argc > 2 && argc != 5)) {
		fprintf(stderr, "usage: history_gen FILE [FROM TO ROWS_PER_DAY]\n");
		return 2;
	}
	if (argc == 5 && (date_parse(argv[2], &from) || date_parse(argv[3], &to) ||
			  (per_day = strtol(argv[4], NULL, 10)) < 2)) {
		fprintf(stderr, "history_gen: bad arguments\n");
		return 2;
	}
	f = fopen(argv[1], "w");
	if (!f) {
		perror(argv[1]);
		return 1;
	}
	setvbuf(f, NULL, _IOFBF, 1 << 22);
	fputs("[QUOTE_UNIXTIME], [QUOTE_READTIME], [QUOTE_DATE], [QUOTE_TIME_HOURS], "
	      "[UNDERLYING_LAST], [EXPIRE_DATE], [EXPIRE_UNIX], [DTE], [C_DELTA], [C_GAMMA], "
	      "[C_VEGA], [C_THETA], [C_RHO], [C_IV], [C_VOLUME], [C_LAST], [C_SIZE], [C_BID], "
	      "[C_ASK], [STRIKE], [P_BID], [P_ASK], [P_SIZE], [P_LAST], [P_DELTA], [P_GAMMA], "
	      "[P_VEGA], [P_THETA], [P_RHO], [P_IV], [P_VOLUME], [STRIKE_DISTANCE], "
	      "[STRIKE_DISTANCE_PCT]\n",
	      f);
	for (day = from; day <= to; day++) {
		int exps[32], ne = 0, x, lines = (int)(per_day / 2);
		char qd[DATE_BUFSZ];
		int64_t qt;
		double z;

		if (!cal_is_session(day))
			continue;
		/* a daily move of about 1.2% */
		rng ^= rng << 13;
		rng ^= rng >> 7;
		rng ^= rng << 17;
		z = ((double)(rng >> 11) / 9007199254740992.0 - 0.5) * 0.042;
		spot *= exp(z + 0.0003);
		spot = round(spot * 100) / 100;
		for (x = cal_next_expiration(day + 1); x > 0 && ne < 8;
		     x = cal_next_expiration(x + 1))
			exps[ne++] = x;
		for (; x > 0 && x - day < 366 && ne < 32; x = cal_next_expiration(x + 1))
			if (cal_is_monthly_expiration(x))
				exps[ne++] = x;
		cal_ny_to_epoch(day, 960, &qt);
		date_fmt(day, qd);
		for (e = 0; e < ne; e++) {
			int n = lines / ne + (e < lines % ne), k0 = (int)lround(spot) - n / 2;
			char ed[DATE_BUFSZ];
			int64_t et;
			double T = (exps[e] - day) / 365.0;

			date_fmt(exps[e], ed);
			cal_ny_to_epoch(exps[e], 960, &et);
			for (k = 0; k < n; k++) {
				double K = k0 + k, c, pp;
				int64_t cm, pm, sp = llround(spot * 1e6);
				char *p = buf;

				if (K <= 0)
					K = 0.5 + k * 0.5;
				c = bs_price('C', spot, K, T, 0.02, 0.015, 0.2);
				pp = bs_price('P', spot, K, T, 0.02, 0.015, 0.2);
				cm = llround(c * 100) * 10000;
				pm = llround(pp * 100) * 10000;
				p = num(p, qt);
				p = str(p, ", ");
				p = str(p, qd);
				p = str(p, " 16:00, ");
				p = str(p, qd);
				p = str(p, ", 16.000000, ");
				p = fx6(p, sp);
				p = str(p, ", ");
				p = str(p, ed);
				p = str(p, ", ");
				p = num(p, et);
				p = str(p, ", ");
				p = fx6(p, (exps[e] - day) * 1000000LL);
				p = str(p, ", 0.512300, 0.012300, 0.201200, -0.041200, 0.051200, "
					   "0.200000, ");
				p = fx6(p, (k % 50) * 1000000LL);
				p = str(p, ", ");
				p = fx6(p, cm);
				p = str(p, ", 10 x 10, ");
				p = fx6(p, cm > 10000 ? cm - 10000 : 0);
				p = str(p, ", ");
				p = fx6(p, cm + 20000);
				p = str(p, ", ");
				p = fx6(p, llround(K * 1e6));
				p = str(p, ", ");
				p = fx6(p, pm > 10000 ? pm - 10000 : 0);
				p = str(p, ", ");
				p = fx6(p, pm + 20000);
				p = str(p, ", 10 x 10, ");
				p = fx6(p, pm);
				p = str(p, ", -0.487700, 0.012300, 0.201200, -0.031200, -0.051200, "
					   "0.200000, ");
				p = fx6(p, (k % 40) * 1000000LL);
				p = str(p, ", ");
				p = fx6(p, llround(fabs(K - spot) * 1e6));
				p = str(p, ", 0.010000\n");
				fwrite(buf, 1, (size_t)(p - buf), f);
				rows += 2;
			}
		}
	}
	if (fclose(f)) {
		perror(argv[1]);
		return 1;
	}
	printf("%llu\n", (unsigned long long)rows);
	return 0;
}
