/*
 * sim_stats.c - the simulated market's calibration table (docs/sim.md,
 * DESIGN.md §4 errata 11): every statistic the sim is tuned to, the
 * published value and its source, the bounds the sim must stay within, and
 * the value measured on the default seed's market, 2000-2035, through the
 * sim's public API (sim_new, sim_close, sim_load) as any client sees it.
 * A bench tool, not part of the product: `build/bench/sim_stats [SEED]`.
 * Prints one Markdown row per statistic; exits 1 when any is out of bounds.
 * tests/e2e/sim_stats.sh runs it and checks docs/sim.md states the same
 * bounds.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "market/calendar.h"
#include "market/sim.h"
#include "market/view.h"
#include "quant/bs.h"
#include "util/date.h"
#include "util/util.h"

#define NT 4
#define MAXS 9400

static const char *const TK[NT] = {"SPY", "VOO", "VTI", "QQQ"};

/* One row of the table: the bounds live here and nowhere else. */
struct row {
	const char *name, *published, *source;
	double lo, hi, value;
	const char *fmt; /* printf format of lo, hi and value */
};

static struct row rows[] = {
#define R(name, pub, src, lo, hi, fmt)                                                             \
	{                                                                                          \
		name, pub, src, lo, hi, NAN, fmt                                                   \
	}
	R("SPY price drift, %/yr", "~8 (1993-2024)", "[1]", 5.5, 10.0, "%.2f"),
	R("SPY total return, %/yr", "~10 (1993-2024)", "[1]", 7.5, 12.0, "%.2f"),
	R("SPY annualised volatility, %", "~19 (1993-2024)", "[1]", 15.0, 23.0, "%.2f"),
	R("SPY excess kurtosis, daily log returns", "~10-12 (1993-2024)", "[1]", 6.0, 30.0, "%.2f"),
	R("SPY worst day, %", "-10.9 (2020-03-16); -9.8 (2008-10-15)", "[1]", -13.0, -7.0, "%.2f"),
	R("SPY days below -7%, 36 years", "~7 (1993-2024)", "[1]", 2, 20, "%.0f"),
	R("SPY autocorrelation of abs(r), lag 1", "~0.2-0.35", "[1][6]", 0.15, 0.40, "%.3f"),
	R("SPY autocorrelation of abs(r), lag 20", "~0.15-0.25 (slow decay)", "[1][6]", 0.06, 0.30,
	  "%.3f"),
	R("correlation SPY-VOO, daily", ">= 0.99", "[1]", 0.985, 1.0, "%.4f"),
	R("correlation SPY-VTI, daily", "~0.99", "[1]", 0.975, 0.998, "%.4f"),
	R("correlation SPY-QQQ, daily", "~0.85-0.90", "[1]", 0.80, 0.93, "%.4f"),
	R("volatility ratio QQQ/SPY", "~1.3-1.5", "[1]", 1.2, 1.6, "%.3f"),
	R("volatility ratio VTI/SPY", "~1.0-1.05", "[1]", 0.99, 1.07, "%.3f"),
	R("dividend yield SPY, %", "~1.3-2.2", "[1]", 1.2, 2.3, "%.2f"),
	R("dividend yield VOO, %", "~1.3-2.2", "[1]", 1.2, 2.3, "%.2f"),
	R("dividend yield VTI, %", "~1.4-2.2", "[1]", 1.3, 2.3, "%.2f"),
	R("dividend yield QQQ, %", "~0.5-0.9", "[1]", 0.4, 1.0, "%.2f"),
	R("VRP mean: 30d ATM IV - later 21d RV, pts", "~3-4 (VIX - SPX RV)", "[2][3]", 2.0, 5.0,
	  "%.2f"),
	R("VRP standard deviation, pts", "~5-6", "[2][3]", 3.5, 8.0, "%.2f"),
	R("VRP negative, share of months", "~0.15-0.25", "[2][3]", 0.08, 0.30, "%.3f"),
	R("SPY 25-delta put - 25-delta call IV, 1m, pts", "~5-8", "[4]", 4.0, 9.0, "%.2f"),
	R("SPY 110% call IV - ATM IV, 1m, pts", "~-3 to -5", "[4]", -6.0, -2.5, "%.2f"),
	R("SPY 3m - 1m ATM IV, calm half of days, pts", "~+1-3 (VIX3M > VIX)", "[5]", 0.5, 4.0,
	  "%.2f"),
	R("SPY 3m - 1m ATM IV, most stressed 5%, pts", "< 0 (VIX3M < VIX)", "[5]", -20.0, -1.0,
	  "%.2f"),
	R("SPY term structure inverted, share of days", "~0.1-0.2", "[5]", 0.04, 0.25, "%.3f"),
	R("SPY ATM 1m spread, $", "0.01-0.02", "[7]", 0.01, 0.03, "%.3f"),
	R("SPY 10% OTM put 1m spread, $", "~0.01-0.03", "[7]", 0.01, 0.04, "%.3f"),
	R("QQQ ATM 1m spread, $", "~0.01-0.03", "[7]", 0.01, 0.04, "%.3f"),
	R("VOO ATM 1m spread, $", "wider than SPY, ~0.1-0.5", "[7]", 0.05, 0.60, "%.3f"),
	R("VTI ATM 1m spread, $", "wider than SPY, ~0.1-0.5", "[7]", 0.05, 0.60, "%.3f"),
	R("SPY 1m volume within 5% of spot, share", "most of it", "[7]", 0.55, 0.95, "%.3f"),
	R("SPY put/call volume ratio", "~1.2-2", "[8]", 1.1, 2.2, "%.3f"),
	R("SPY put/call open interest ratio", "~1.5-2", "[8]", 1.2, 2.6, "%.3f"),
	R("SPY expirations listed a day", "~25-35", "[7]", 18, 45, "%.1f"),
	R("SPY longest expiration, days out", "~2-3 years (LEAPS)", "[7]", 650, 1100, "%.0f"),
	R("SPY (strike, expiry) pairs listed a day", "thousands", "[7]", 1500, 12000, "%.0f"),
	R("SPY lowest strike / spot", "~0.5 or lower", "[7]", 0.35, 0.62, "%.3f"),
	R("SPY highest strike / spot", "~1.2-1.3", "[7]", 1.15, 1.45, "%.3f"),
	R("SPY OTM put IV - OTM call IV, whole listing, pts", "puts far higher", "[4][7]", 4.0,
	  25.0, "%.2f"),
	R("SPY chains with a call bid above a lower strike's ask, share", "0 (no arbitrage)", "[9]",
	  0, 0, "%.4f"),
#undef R
};

enum {
	S_DRIFT,
	S_TOTAL,
	S_VOL,
	S_KURT,
	S_WORST,
	S_BELOW7,
	S_ACF1,
	S_ACF20,
	S_CVOO,
	S_CVTI,
	S_CQQQ,
	S_RQQQ,
	S_RVTI,
	S_YSPY,
	S_YVOO,
	S_YVTI,
	S_YQQQ,
	S_VRP,
	S_VRPSD,
	S_VRPNEG,
	S_SKEW25,
	S_C110,
	S_TCALM,
	S_TSTRESS,
	S_TINV,
	S_SPATM,
	S_SPPUT,
	S_SPQQQ,
	S_SPVOO,
	S_SPVTI,
	S_VNEAR,
	S_PCVOL,
	S_PCOI,
	S_NEXP,
	S_LONGEST,
	S_NSTRIKES,
	S_LOWK,
	S_HIGHK,
	S_PUTCALL,
	S_ARB,
	S_N
};

static double corr(const double *a, const double *b, size_t n)
{
	double ma = 0, mb = 0, sab = 0, saa = 0, sbb = 0;
	size_t i;

	for (i = 0; i < n; i++) {
		ma += a[i];
		mb += b[i];
	}
	ma /= (double)n;
	mb /= (double)n;
	for (i = 0; i < n; i++) {
		sab += (a[i] - ma) * (b[i] - mb);
		saa += (a[i] - ma) * (a[i] - ma);
		sbb += (b[i] - mb) * (b[i] - mb);
	}
	return sab / sqrt(saa * sbb);
}

static double mean_of(const double *a, size_t n)
{
	double m = 0;
	size_t i;

	for (i = 0; i < n; i++)
		m += a[i];
	return n ? m / (double)n : NAN;
}

static double sd_of(const double *a, size_t n)
{
	double m = mean_of(a, n), v = 0;
	size_t i;

	for (i = 0; i < n; i++)
		v += (a[i] - m) * (a[i] - m);
	return n > 1 ? sqrt(v / (double)(n - 1)) : NAN;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

/* ---- paths ---- */

static void path_stats(struct sim *s, const int *sess, size_t n)
{
	static double r[NT][MAXS], ab[MAXS];
	double first[NT], last[NT], tr[NT], m, m2 = 0, m4 = 0, worst = 0, vol[NT];
	double divsum[NT][40] = {{0}}, yclose[NT][40] = {{0}};
	size_t i, k, below = 0;
	int y0, mo, dd, y;

	date_to_ymd(sess[0], &y0, &mo, &dd);
	for (k = 0; k < NT; k++) {
		first[k] = sim_close(s, TK[k], sess[0]);
		tr[k] = 0;
	}
	for (i = 1; i < n; i++) {
		for (k = 0; k < NT; k++) {
			double c0 = sim_close(s, TK[k], sess[i - 1]),
			       c1 = sim_close(s, TK[k], sess[i]);
			r[k][i - 1] = log(c1 / c0);
		}
	}
	/* Total return and dividends from the views' dividends (one view a year
	 * holds that year's bars and ex-dates). */
	for (y = y0; y < y0 + 36 && y <= CAL_LAST_YEAR; y++) {
		struct market_view v = {0};
		char err[PT_ERRSZ];
		int last_day = cal_prev_session(date_from_ymd(y + 1, 1, 1));
		int first_day = cal_next_session(date_from_ymd(y, 1, 1) - 1);

		if (sim_load(s, last_day, TK, NT, first_day, &v, err)) {
			fprintf(stderr, "sim_stats: %s\n", err);
			exit(1);
		}
		for (k = 0; k < NT; k++) {
			const struct ticker_view *t = &v.tickers[k];
			size_t j;
			for (j = 0; j < t->n_divs; j++) {
				if (t->divs[j].ex_date >= first_day &&
				    t->divs[j].ex_date <= last_day) {
					double c = sim_close(s, TK[k],
							     cal_prev_session(t->divs[j].ex_date));
					divsum[k][y - y0] += t->divs[j].amount;
					tr[k] += log1p(t->divs[j].amount / c);
				}
			}
			yclose[k][y - y0] = sim_close(s, TK[k], last_day);
		}
		mv_release(&v);
	}
	for (k = 0; k < NT; k++) {
		double ysum = 0;
		int ny = 0;
		last[k] = sim_close(s, TK[k], sess[n - 1]);
		for (y = 1; y < 36; y++) {
			if (yclose[k][y - 1] > 0 && divsum[k][y] > 0) {
				ysum += divsum[k][y] / (0.5 * (yclose[k][y - 1] + yclose[k][y]));
				ny++;
			}
		}
		rows[S_YSPY + k].value = 100 * ysum / ny;
		vol[k] = sd_of(r[k], n - 1) * sqrt(252);
	}
	{
		double years = (double)(sess[n - 1] - sess[0]) / 365.25;
		rows[S_DRIFT].value = 100 * (exp(log(last[0] / first[0]) / years) - 1);
		rows[S_TOTAL].value = 100 * (exp((log(last[0] / first[0]) + tr[0]) / years) - 1);
	}
	rows[S_VOL].value = 100 * vol[0];
	m = mean_of(r[0], n - 1);
	for (i = 0; i < n - 1; i++) {
		double d = r[0][i] - m;
		m2 += d * d;
		m4 += d * d * d * d;
		if (r[0][i] < worst)
			worst = r[0][i];
		below += exp(r[0][i]) - 1 < -0.07;
		ab[i] = fabs(r[0][i]);
	}
	m2 /= (double)(n - 1);
	m4 /= (double)(n - 1);
	rows[S_KURT].value = m4 / (m2 * m2) - 3;
	rows[S_WORST].value = 100 * (exp(worst) - 1);
	rows[S_BELOW7].value = (double)below;
	rows[S_ACF1].value = corr(ab, ab + 1, n - 2);
	rows[S_ACF20].value = corr(ab, ab + 20, n - 21);
	rows[S_CVOO].value = corr(r[0], r[1], n - 1);
	rows[S_CVTI].value = corr(r[0], r[2], n - 1);
	rows[S_CQQQ].value = corr(r[0], r[3], n - 1);
	rows[S_RQQQ].value = vol[3] / vol[0];
	rows[S_RVTI].value = vol[2] / vol[0];
}

/* ---- chains ---- */

struct chain_ctx {
	const struct market_view *v;
	const struct ticker_view *t;
	double S, r, q;
};

/* IV of the mid of an option quote; NAN when none reproduces it. */
static double quote_iv(const struct chain_ctx *c, const struct option_quote *o)
{
	double T = cal_year_frac(c->v->asof, o->expiry), iv;

	if (o->bid <= 0 ||
	    bs_implied_vol(o->right, c->S, o->strike, T, c->r, c->q, (o->bid + o->ask) / 2, &iv))
		return NAN;
	return iv;
}

/* The out-of-the-money quotes of expiry e (puts below the forward, calls
 * above), in strike order: their strikes and mid IVs; returns the count. */
static size_t otm_smile(const struct chain_ctx *c, int e, double *ks, double *ivs, size_t max)
{
	double T = cal_year_frac(c->v->asof, e), F = c->S * exp((c->r - c->q) * T);
	size_t i, n = 0;

	for (i = 0; i < c->t->n_opts && n < max; i++) {
		const struct option_quote *o = &c->t->opts[i];
		double iv;
		if (o->expiry != e || (o->right == 'P') != (o->strike < F))
			continue;
		iv = quote_iv(c, o);
		if (isnan(iv))
			continue;
		ks[n] = o->strike;
		ivs[n++] = iv;
	}
	return n;
}

/* Linear interpolation of y(x) at x0 over ascending xs; NAN outside. */
static double interp(const double *xs, const double *ys, size_t n, double x0)
{
	size_t i;

	for (i = 1; i < n; i++)
		if (xs[i - 1] <= x0 && x0 <= xs[i])
			return ys[i - 1] +
			       (ys[i] - ys[i - 1]) * (x0 - xs[i - 1]) / (xs[i] - xs[i - 1]);
	return NAN;
}

#define MAXK 4096

/* ATM (forward) IV of expiry e. */
static double atm_iv(const struct chain_ctx *c, int e)
{
	static double ks[MAXK], ivs[MAXK];
	double T = cal_year_frac(c->v->asof, e);
	size_t n = otm_smile(c, e, ks, ivs, MAXK);

	return interp(ks, ivs, n, c->S * exp((c->r - c->q) * T));
}

/* ATM IV at a constant maturity of days, from the two expirations around
 * it, total variance interpolated linearly in time (the VIX method). */
static double cm_atm_iv(const struct chain_ctx *c, int days)
{
	int exps[128], ne = 0, lo = -1, hi = -1;
	size_t i;
	double T0 = days / 365.0, T1, T2, v1, v2, w;

	for (i = 0; i < c->t->n_opts; i++)
		if (ne == 0 || exps[ne - 1] != c->t->opts[i].expiry)
			if (ne < 128)
				exps[ne++] = c->t->opts[i].expiry;
	for (i = 0; i < (size_t)ne; i++) {
		double T = cal_year_frac(c->v->asof, exps[i]);
		if (T > 7 / 365.0 && T <= T0)
			lo = exps[i];
		if (T > T0 && hi < 0)
			hi = exps[i];
	}
	if (lo < 0 || hi < 0)
		return NAN;
	T1 = cal_year_frac(c->v->asof, lo);
	T2 = cal_year_frac(c->v->asof, hi);
	v1 = atm_iv(c, lo);
	v2 = atm_iv(c, hi);
	w = (T2 - T0) / (T2 - T1);
	return sqrt((w * v1 * v1 * T1 + (1 - w) * v2 * v2 * T2) / T0);
}

/* The expiration nearest days out. */
static int exp_near(const struct chain_ctx *c, int days)
{
	int best = -1;
	size_t i;

	for (i = 0; i < c->t->n_opts; i++) {
		int e = c->t->opts[i].expiry;
		if (best < 0 || abs(e - c->v->session - days) < abs(best - c->v->session - days))
			best = e;
	}
	return best;
}

static const struct option_quote *find_q(const struct ticker_view *t, int e, double K, char right)
{
	const struct option_quote *best = NULL;
	size_t i;

	for (i = 0; i < t->n_opts; i++) {
		const struct option_quote *o = &t->opts[i];
		if (o->expiry == e && o->right == right &&
		    (!best || fabs(o->strike - K) < fabs(best->strike - K)))
			best = o;
	}
	return best;
}

/* IV at the strike whose Black-Scholes delta is target (0.25 call, -0.25 put). */
static double delta_iv(const struct chain_ctx *c, int e, char right, double target)
{
	static double ds[MAXK], ivs[MAXK];
	double T = cal_year_frac(c->v->asof, e);
	size_t i, n = 0;

	for (i = 0; i < c->t->n_opts && n < MAXK; i++) {
		const struct option_quote *o = &c->t->opts[i];
		double iv, d1, dl;
		if (o->expiry != e || o->right != right)
			continue;
		iv = quote_iv(c, o);
		if (isnan(iv))
			continue;
		d1 = (log(c->S / o->strike) + (c->r - c->q + 0.5 * iv * iv) * T) / (iv * sqrt(T));
		dl = exp(-c->q * T) * 0.5 * erfc(-d1 / sqrt(2));
		if (right == 'P')
			dl -= exp(-c->q * T);
		/* deltas fall with the strike: store them ascending */
		ds[n] = -dl;
		ivs[n++] = iv;
	}
	/* ascending in -delta means ascending strike order; interp needs ascending x */
	return interp(ds, ivs, n, -target);
}

static void load1(struct sim *s, int d, const char *const *tk, size_t n, struct market_view *v)
{
	char err[PT_ERRSZ];

	memset(v, 0, sizeof(*v));
	if (sim_load(s, d, tk, n, d, v, err)) {
		fprintf(stderr, "sim_stats: %s\n", err);
		exit(1);
	}
}

static void chain_stats(struct sim *s, const int *sess, size_t n)
{
	static double vrp[MAXS], iv1[MAXS], slope[MAXS], order[MAXS];
	double skew = 0, c110 = 0, sp_atm = 0, sp_put = 0, sp_q = 0, sp_voo = 0, sp_vti = 0;
	double vnear = 0, vall = 0, vput = 0, vcall = 0, oiput = 0, oicall = 0, nexp = 0;
	double longest = 0, nstrikes = 0, lowk = 0, highk = 0, piv = 0, civ = 0;
	size_t i, nv = 0, nt = 0, nskew = 0, n110 = 0, nsp = 0, nsq = 0, nsv = 0, nl = 0;
	size_t npiv = 0, nciv = 0, ncalm = 0, nstress = 0, ninv = 0, nchains = 0, narb = 0;
	double calm = 0, stress = 0, cut;
	const char *spy[] = {"SPY"}, *qqq[] = {"QQQ"}, *vv[] = {"VOO", "VTI"};

	/* SPY every 9th session (every 27th for the VRP's 21-session windows,
	 * which do not overlap), the others and the listing's IVs every 36th */
	for (i = 0; i + 22 < n; i += 9) {
		struct market_view v;
		struct chain_ctx c;
		int e, m;
		double a1, a3, rv = 0, p;
		size_t j;

		load1(s, sess[i], spy, 1, &v);
		c.v = &v;
		c.t = &v.tickers[0];
		c.S = c.t->spot;
		c.r = v.rate;
		c.q = c.t->div_yield;
		a1 = cm_atm_iv(&c, 30);
		a3 = cm_atm_iv(&c, 91);
		if (isfinite(a1) && isfinite(a3)) {
			iv1[nt] = a1;
			slope[nt++] = a3 - a1;
		}
		if (i % 27 == 0 && isfinite(a1)) {
			/* realised over the next 21 sessions, from the as-of spot */
			p = c.S;
			for (m = 0; m < 21; m++) {
				double cl = sim_close(s, "SPY", sess[i + (size_t)m]);
				rv += log(cl / p) * log(cl / p);
				p = cl;
			}
			vrp[nv++] = 100 * (a1 - sqrt(rv / 21 * 252));
		}
		e = exp_near(&c, 30);
		{
			double p25 = delta_iv(&c, e, 'P', -0.25), c25 = delta_iv(&c, e, 'C', 0.25);
			double a = atm_iv(&c, e), w;
			static double ks[MAXK], ivs[MAXK];
			size_t nk = otm_smile(&c, e, ks, ivs, MAXK);
			w = interp(ks, ivs, nk, 1.1 * c.S);
			if (isfinite(p25) && isfinite(c25)) {
				skew += p25 - c25;
				nskew++;
			}
			if (isfinite(w) && isfinite(a)) {
				c110 += w - a;
				n110++;
			}
		}
		{
			const struct option_quote *a = find_q(c.t, e, c.S, 'C'),
						  *pp = find_q(c.t, e, 0.9 * c.S, 'P');
			sp_atm += a->ask - a->bid;
			sp_put += pp->ask - pp->bid;
			nsp++;
		}
		/* listing */
		{
			double lo = 1e300, hi = 0, min_ask = 1e300;
			int le = 0, arb = 0, day_longest = 0;
			for (j = 0; j < c.t->n_opts; j++) {
				const struct option_quote *o = &c.t->opts[j];
				double iv;
				if (o->expiry != le) {
					nexp++;
					nchains++;
					narb += arb;
					arb = 0;
					min_ask = 1e300;
					le = o->expiry;
				}
				if (o->right == 'C') {
					arb |= o->bid > min_ask + 1e-9;
					min_ask = fmin(min_ask, o->ask);
				}
				nstrikes += o->right == 'C';
				lo = fmin(lo, o->strike);
				hi = fmax(hi, o->strike);
				if (o->expiry - v.session > day_longest)
					day_longest = o->expiry - v.session;
				if (o->right == 'P') {
					vput += (double)o->volume;
					oiput += (double)o->open_interest;
				} else {
					vcall += (double)o->volume;
					oicall += (double)o->open_interest;
				}
				if (o->expiry == e) {
					vall += (double)o->volume;
					if (fabs(o->strike / c.S - 1) <= 0.05)
						vnear += (double)o->volume;
				}
				if (i % 36 == 0 && ((o->right == 'P' && o->strike < c.S) ||
						    (o->right == 'C' && o->strike > c.S))) {
					iv = quote_iv(&c, o);
					if (isfinite(iv)) {
						if (o->right == 'P') {
							piv += iv;
							npiv++;
						} else {
							civ += iv;
							nciv++;
						}
					}
				}
			}
			narb += arb;
			longest += day_longest;
			lowk += lo / c.S;
			highk += hi / c.S;
			nl++;
		}
		mv_release(&v);
		if (i % 36 == 0) {
			struct market_view w;
			int eq;
			load1(s, sess[i], qqq, 1, &w);
			eq = w.tickers[0].opts[0].expiry;
			{
				struct chain_ctx cq = {&w, &w.tickers[0], w.tickers[0].spot, w.rate,
						       w.tickers[0].div_yield};
				const struct option_quote *a;
				eq = exp_near(&cq, 30);
				a = find_q(cq.t, eq, cq.S, 'C');
				sp_q += a->ask - a->bid;
				nsq++;
			}
			mv_release(&w);
			load1(s, sess[i], vv, 2, &w);
			for (j = 0; j < 2; j++) {
				struct chain_ctx cv = {&w, &w.tickers[j], w.tickers[j].spot, w.rate,
						       w.tickers[j].div_yield};
				const struct option_quote *a =
					find_q(cv.t, exp_near(&cv, 30), cv.S, 'C');
				if (j == 0)
					sp_voo += a->ask - a->bid;
				else
					sp_vti += a->ask - a->bid;
			}
			nsv++;
			mv_release(&w);
		}
	}
	rows[S_VRP].value = mean_of(vrp, nv);
	rows[S_VRPSD].value = sd_of(vrp, nv);
	{
		size_t neg = 0;
		for (i = 0; i < nv; i++)
			neg += vrp[i] < 0;
		rows[S_VRPNEG].value = (double)neg / (double)nv;
	}
	rows[S_SKEW25].value = 100 * skew / (double)nskew;
	rows[S_C110].value = 100 * c110 / (double)n110;
	memcpy(order, iv1, nt * sizeof(double));
	qsort(order, nt, sizeof(double), cmp_double);
	cut = order[nt / 2];
	for (i = 0; i < nt; i++) {
		if (iv1[i] <= cut) {
			calm += slope[i];
			ncalm++;
		}
		if (iv1[i] >= order[nt - 1 - nt / 20]) {
			stress += slope[i];
			nstress++;
		}
		ninv += slope[i] < 0;
	}
	rows[S_TCALM].value = 100 * calm / (double)ncalm;
	rows[S_TSTRESS].value = 100 * stress / (double)nstress;
	rows[S_TINV].value = (double)ninv / (double)nt;
	rows[S_SPATM].value = sp_atm / (double)nsp;
	rows[S_SPPUT].value = sp_put / (double)nsp;
	rows[S_SPQQQ].value = sp_q / (double)nsq;
	rows[S_SPVOO].value = sp_voo / (double)nsv;
	rows[S_SPVTI].value = sp_vti / (double)nsv;
	rows[S_VNEAR].value = vnear / vall;
	rows[S_PCVOL].value = vput / vcall;
	rows[S_PCOI].value = oiput / oicall;
	rows[S_NEXP].value = nexp / (double)nl;
	rows[S_LONGEST].value = longest / (double)nl;
	rows[S_NSTRIKES].value = nstrikes / (double)nl;
	rows[S_LOWK].value = lowk / (double)nl;
	rows[S_HIGHK].value = highk / (double)nl;
	rows[S_PUTCALL].value = 100 * (piv / (double)npiv - civ / (double)nciv);
	rows[S_ARB].value = (double)narb / (double)nchains;
}

int main(int argc, char **argv)
{
	static int sess[MAXS];
	uint64_t seed = 20240101ULL;
	struct sim *s;
	size_t n = 0, i, bad = 0;
	int d;

	if (argc > 2 || (argc == 2 && !strcmp(argv[1], "--help"))) {
		fprintf(stderr, "usage: sim_stats [SEED]\n");
		return 2;
	}
	if (argc == 2)
		seed = strtoull(argv[1], NULL, 10);
	if (PT_ARRAY_SIZE(rows) != S_N) {
		fprintf(stderr, "sim_stats: the table and its index disagree\n");
		return 1;
	}
	for (d = cal_next_session(date_from_ymd(2000, 1, 1)); d > 0 && n < MAXS;
	     d = cal_next_session(d)) {
		if (d > date_from_ymd(CAL_LAST_YEAR, 12, 31))
			break;
		sess[n++] = d;
	}
	s = sim_new(seed, 0);
	path_stats(s, sess, n);
	chain_stats(s, sess, n);
	sim_free(s);
	printf("| statistic | published | source | bounds | sim | |\n");
	printf("|---|---|---|---|---|---|\n");
	for (i = 0; i < S_N; i++) {
		const struct row *r = &rows[i];
		int ok = r->value >= r->lo && r->value <= r->hi;
		char lo[32], hi[32], val[32];

		snprintf(lo, sizeof(lo), r->fmt, r->lo);
		snprintf(hi, sizeof(hi), r->fmt, r->hi);
		snprintf(val, sizeof(val), r->fmt, r->value);
		printf("| %s | %s | %s | %s to %s | %s | %s |\n", r->name, r->published, r->source,
		       lo, hi, val, ok ? "ok" : "FAIL");
		bad += !ok;
	}
	return bad ? 1 : 0;
}
