/*
 * sim.c - the embedded deterministic simulated market, papertrade's default
 * provider (DESIGN.md §6 "sim"). It fills the "market view for D" box of
 * DESIGN.md §1 for any NYSE session 2000-2035, offline, from a seed.
 *
 * No look-ahead by construction: every random number is a keyed hash of
 * (seed, day, ticker, purpose, index) (splitmix64 finaliser, a counter-based
 * generator), so a draw for day D exists before any later day is touched.
 * Paths are path-dependent (GARCH, regimes, mean reversion), so each is
 * generated from 2000-01-03 forward once per struct sim and cached. The view
 * for D holds bars up to D-1 and the market at 09:35 of D: the day's open
 * (the overnight gap, dividends included) and chains priced from the
 * volatility state known at that moment; D's intraday move is never used.
 *
 * Model, per session:
 *   market factor   eps = sqrt(h) (overnight normal + intraday Student t)
 *                   + rare jumps, h GARCH(1,1) whose long-run level follows a
 *                   two-state calm/stressed Markov regime;
 *   ticker          log return = drift + beta eps + idiosyncratic noise, with a
 *                   weak pull of the log price toward a trend line, minus the
 *                   dividend gap on ex-dates;
 *   options         one implied-variance surface per ticker and session, free
 *                   of static arbitrage by construction (errata 11): SSVI
 *                   (Gatheral and Jacquier 2014) with a power-law phi,
 *                   eta (1 + |rho|) < 2 and gamma <= 1/2 (no butterflies),
 *                   rho and eta the same for every expiry and the ATM total
 *                   variance theta(T) increasing in T (no calendar spreads).
 *                   theta(T) = GARCH forecast of the ticker's variance to
 *                   expiry, times (1 + a variance risk premium)^2, the premium
 *                   a slow AR(1) plus a term premium non-decreasing in T. The
 *                   session's randomness moves the parameters, never a single
 *                   strike. mid = Black-Scholes-Merton (European, the view's r
 *                   and q), so mids are monotone and convex in strike and
 *                   satisfy put-call parity; bid = floor-to-cent(mid - h),
 *                   ask = ceil-to-cent(mid + h) with h = a + b mid (b < 1) per
 *                   ticker and expiry, so bids and asks keep the mids' order,
 *                   bid <= mid <= ask, and no trader can buy a butterfly or a
 *                   vertical for less than it is worth at the mids. Volume and
 *                   open interest are keyed draws of the contract.
 */
#include <ctype.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "sim.h"
#include "calendar.h"
#include "../quant/bs.h"
#include "../quant/chain.h"
#include "../util/date.h"
#include "../util/util.h"

#define SIM_ASOF_MIN (9 * 60 + 35)
#define TDAYS 252.0

/* Market factor: GARCH(1,1) with regime-dependent long-run variance. */
#define G_ALPHA 0.08
#define G_BETA 0.905
#define ON_SHARE 0.30 /* overnight share of a day's variance */
#define T_DF 6        /* degrees of freedom of the intraday Student t */
#define VOL_CALM 0.115
#define VOL_STRESS 0.30
#define VOL_BAR 0.17 /* long-run annual vol, for scaling */
#define P_STRESS0 0.19
#define P_TO_STRESS (1.0 / 500)
#define P_TO_STRESS_SHOCK 0.25 /* after a move of 4 sigma */
#define P_TO_CALM (1.0 / 120)
#define J_PROB 0.003
#define J_MEAN (-0.03)
#define J_SD 0.025
#define PULL 0.35 /* per year: log price toward its trend line */

/* Variance risk premium: IV = expected vol (1 + premium), the premium an
 * AR(1) (as a fraction of VOL_BAR, market and per ticker) plus a term
 * premium rising over the first TERM_CAP years. */
#define VRP_MEAN 0.025
#define VRP_SD 0.022
#define VRP_PHI 0.985
#define W_SD 0.008
#define W_PHI 0.97
#define TERM_SLOPE 0.5
#define TERM_CAP 0.3

/* The SSVI smile: rho, eta around these, moved by a slow market skew factor
 * (AR(1), unit variance); gamma fixed. eta (1 + |rho|) stays below ETA_CAP. */
#define SSVI_RHO (-0.62)
#define SSVI_RHO_SD 0.04
#define SSVI_ETA 1.18
#define SSVI_ETA_SD 0.08
#define SSVI_GAMMA 0.45
#define ETA_CAP 1.98
#define SK_PHI 0.98

#define RATE_PHI 0.99
#define RATE_NOISE 0.08

#define MAX_EXPIRIES 64
#define STRIKE_LO 0.5 /* the listing's lowest and highest strikes, of spot */
#define STRIKE_HI 1.3

enum purpose {
	PU_REGIME = 1,
	PU_ZON,
	PU_ZID,
	PU_JUMP,
	PU_JSIZE,
	PU_JWHEN,
	PU_VRP,
	PU_RATE,
	PU_TON,
	PU_TID,
	PU_HIGH,
	PU_LOW,
	PU_VOLUME,
	PU_W,
	PU_DIV,
	PU_CONTRACT,
	PU_TDF,
	PU_SKEW,
};

enum { SCHED_THIRD_FRI, SCHED_AFTER_THIRD_FRI, SCHED_LATE };

/* One ticker's parameters and cached path (one entry per session index). */
struct sim_tk {
	char sym[MV_SYMSZ]; /* upper case */
	uint64_t key;
	double level0, beta, idio, growth, yield, opt_volume, liq, vrp_bias, bar_volume;
	double hs_a, hs_b; /* half-spread a + b mid at a month, dollars and fraction */
	int sched;
	double *open, *high, *low, *close, *div, *w;
	int64_t *volume;
	size_t n, cap;
	int ex_ym, ex_day;            /* the ex-date of month ex_ym (y * 12 + m), cached */
	double log_level0, log_close; /* log of level0 and of close[n - 1] */
};

struct sim {
	uint64_t seed;
	int perturb_after;
	int first_day, last_day; /* 2000-01-01, 2035-12-31 */
	int *sess;               /* every session in range, ascending */
	size_t n_sess;
	int *idx_of; /* day - first_day -> session index, or -1 */
	/* market factor path */
	double *h, *eon, *eid, *vrp, *rn, *sk;
	unsigned char *reg;
	size_t m_n, m_cap;
	struct sim_tk **tk;
	size_t n_tk, cap_tk;
};

/* ---- keyed random numbers ---- */

static uint64_t mix64(uint64_t x)
{
	x ^= x >> 30;
	x *= 0xbf58476d1ce4e5b9ULL;
	x ^= x >> 27;
	x *= 0x94d049bb133111ebULL;
	x ^= x >> 31;
	return x;
}

#define GOLDEN 0x9e3779b97f4a7c15ULL

/* The key of every draw for day: changes after perturb_after. */
static uint64_t day_key(const struct sim *s, int day)
{
	uint64_t k = mix64(s->seed ^ 0x7061706572747264ULL);

	if (s->perturb_after > 0 && day > s->perturb_after)
		k = mix64(k ^ 0x706572747572622eULL) + 1;
	return mix64(k + (uint64_t)(uint32_t)day * GOLDEN);
}

static uint64_t draw_bits(uint64_t dk, uint64_t tick, unsigned purpose, unsigned idx)
{
	return mix64(mix64(dk ^ tick) ^ (((uint64_t)purpose << 32) | idx));
}

/* Uniform in (0, 1), never 0 or 1. */
static double unit(uint64_t h)
{
	return ((double)(h >> 11) + 0.5) * (1.0 / 9007199254740992.0);
}

static double u_draw(uint64_t dk, uint64_t tick, unsigned purpose, unsigned idx)
{
	return unit(draw_bits(dk, tick, purpose, idx));
}

static double n_draw(uint64_t dk, uint64_t tick, unsigned purpose, unsigned idx)
{
	return bs_norm_ppf_fast(u_draw(dk, tick, purpose, idx));
}

/* A cheap, bounded (+-3.46) near-normal variate from one hash: the sum of
 * four 16-bit uniforms, standardised. Enough for per-contract noise. */
static double quick_normal(uint64_t h)
{
	double sum = (double)(h & 0xffff) + (double)((h >> 16) & 0xffff) +
	             (double)((h >> 32) & 0xffff) + (double)(h >> 48) + 2.0;
	return (sum / 65536.0 - 2.0) * 1.7320508075688772;
}

/* Poisson(lambda) by inversion of u for small lambda; beyond, the normal
 * approximation with the near-normal z. */
static int64_t poisson(double lambda, double u, double z)
{
	double p, f;
	int64_t k = 0;

	if (!(lambda > 0))
		return 0;
	if (lambda >= 12) {
		double v = floor(lambda + sqrt(lambda) * z + 0.5);
		return v < 0 ? 0 : (int64_t)v;
	}
	p = exp(-lambda);
	f = p;
	while (u > f && k < 100) {
		k++;
		p *= lambda / (double)k;
		f += p;
	}
	return k;
}

/* ---- sessions ---- */

static void ensure_sessions(struct sim *s)
{
	int d, n = 0;
	size_t cap = 0;

	if (s->sess)
		return;
	s->idx_of = xmalloc((size_t)(s->last_day - s->first_day + 1) * sizeof(int));
	for (d = s->first_day; d <= s->last_day; d++) {
		s->idx_of[d - s->first_day] = -1;
		if (!cal_is_session(d))
			continue;
		xgrow(&s->sess, &cap, (size_t)n + 1, sizeof(int));
		s->idx_of[d - s->first_day] = n;
		s->sess[n++] = d;
	}
	s->n_sess = (size_t)n;
}

/* Session index of day, or -1. */
static long sess_index(const struct sim *s, int day)
{
	if (day < s->first_day || day > s->last_day)
		return -1;
	return s->idx_of[day - s->first_day];
}

/* Index of the first session on or after day (n_sess when none). */
static size_t sess_lower_bound(const struct sim *s, int day)
{
	size_t lo = 0, hi = s->n_sess;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (s->sess[mid] < day)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

static size_t grow_cap(size_t cap, size_t need)
{
	size_t c = cap < 512 ? 512 : cap;

	while (c < need)
		c *= 2;
	return c;
}

/* ---- the market factor ---- */

static double regime_var(int stressed)
{
	double v = stressed ? VOL_STRESS : VOL_CALM;
	return v * v / TDAYS;
}

/* A Student t with T_DF degrees of freedom, scaled to unit variance. */
static double student_t(uint64_t dk, unsigned purpose)
{
	double chi = 0;
	unsigned j;

	for (j = 0; j < T_DF; j++) {
		double z = n_draw(dk, 0, PU_TDF, j);
		chi += z * z;
	}
	return n_draw(dk, 0, purpose, 0) / sqrt(chi / T_DF) * sqrt((T_DF - 2.0) / T_DF);
}

static void mkt_step(struct sim *s, size_t i)
{
	uint64_t dk = day_key(s, s->sess[i]);
	double h, vrp, rn, sk;
	int reg;

	if (i == 0) {
		reg = u_draw(dk, 0, PU_REGIME, 0) < P_STRESS0;
		h = regime_var(reg);
		vrp = VRP_MEAN + VRP_SD * n_draw(dk, 0, PU_VRP, 0);
		rn = n_draw(dk, 0, PU_RATE, 0);
		sk = n_draw(dk, 0, PU_SKEW, 0);
	} else {
		double ep = s->eon[i - 1] + s->eid[i - 1], u = u_draw(dk, 0, PU_REGIME, 0);
		double hmin = 0.04 * 0.04 / TDAYS, hmax = 1.5 * 1.5 / TDAYS;
		if (!s->reg[i - 1])
			reg = u < (ep * ep > 16 * s->h[i - 1] ? P_TO_STRESS_SHOCK : P_TO_STRESS);
		else
			reg = !(u < P_TO_CALM);
		h = (1 - G_ALPHA - G_BETA) * regime_var(reg) + G_ALPHA * ep * ep +
		    G_BETA * s->h[i - 1];
		h = h < hmin ? hmin : h > hmax ? hmax : h;
		vrp = VRP_MEAN + VRP_PHI * (s->vrp[i - 1] - VRP_MEAN) +
		      VRP_SD * sqrt(1 - VRP_PHI * VRP_PHI) * n_draw(dk, 0, PU_VRP, 0);
		rn = RATE_PHI * s->rn[i - 1] +
		     sqrt(1 - RATE_PHI * RATE_PHI) * n_draw(dk, 0, PU_RATE, 0);
		sk = SK_PHI * s->sk[i - 1] + sqrt(1 - SK_PHI * SK_PHI) * n_draw(dk, 0, PU_SKEW, 0);
	}
	s->reg[i] = (unsigned char)reg;
	s->h[i] = h;
	s->vrp[i] = vrp;
	s->rn[i] = rn;
	s->sk[i] = sk;
	s->eon[i] = sqrt(h * ON_SHARE) * n_draw(dk, 0, PU_ZON, 0);
	s->eid[i] = sqrt(h * (1 - ON_SHARE)) * student_t(dk, PU_ZID);
	if (u_draw(dk, 0, PU_JUMP, 0) < J_PROB) {
		double j = J_MEAN + J_SD * n_draw(dk, 0, PU_JSIZE, 0);
		if (u_draw(dk, 0, PU_JWHEN, 0) < 0.5)
			s->eon[i] += j;
		else
			s->eid[i] += j;
	}
}

static void ensure_market(struct sim *s, size_t i)
{
	if (i < s->m_n)
		return;
	if (i >= s->m_cap) {
		size_t c = grow_cap(s->m_cap, i + 1);
		s->h = xrealloc(s->h, c * sizeof(double));
		s->eon = xrealloc(s->eon, c * sizeof(double));
		s->eid = xrealloc(s->eid, c * sizeof(double));
		s->vrp = xrealloc(s->vrp, c * sizeof(double));
		s->rn = xrealloc(s->rn, c * sizeof(double));
		s->sk = xrealloc(s->sk, c * sizeof(double));
		s->reg = xrealloc(s->reg, c);
		s->m_cap = c;
	}
	while (s->m_n <= i)
		mkt_step(s, s->m_n++);
}

/* ---- tickers ---- */

/* Upper-cases a symbol into out; 0, or -1 when it is not a plausible symbol. */
static int norm_symbol(const char *sym, char *out)
{
	size_t i, n = sym ? strlen(sym) : 0;

	if (n == 0 || n >= MV_SYMSZ)
		return -1;
	for (i = 0; i < n; i++) {
		unsigned char ch = (unsigned char)sym[i];
		if (!isalnum(ch) && ch != '.' && ch != '-' && ch != '^' && ch != '/')
			return -1;
		out[i] = (char)toupper(ch);
	}
	out[n] = '\0';
	return 0;
}

static uint64_t symbol_key(const char *sym)
{
	uint64_t h = 0xcbf29ce484222325ULL;

	for (; *sym; sym++) {
		h ^= (unsigned char)*sym;
		h *= 0x100000001b3ULL;
	}
	h = mix64(h);
	return h ? h : 1;
}

static void tk_params(struct sim_tk *t)
{
	static const struct {
		const char *sym;
		double level0, beta, idio, growth, yield, opt_volume, liq, vrp_bias, bar_volume;
		double hs_a, hs_b;
		int sched;
	} known[] = {
	        {"SPY", 145.0, 1.00, 0.0000, 0.072, 0.0155, 6000, 0.6, 0.000, 8e7, 0.002, 0.0001,
	         SCHED_THIRD_FRI},
	        {"VOO", 133.4, 1.00, 0.0005, 0.072, 0.0155, 150, 1.0, 0.000, 4e6, 0.04, 0.007,
	         SCHED_LATE},
	        {"VTI", 72.5, 1.02, 0.0017, 0.072, 0.0170, 120, 1.2, 0.004, 3.5e6, 0.04, 0.012,
	         SCHED_LATE},
	        {"QQQ", 90.0, 1.20, 0.0065, 0.09, 0.0060, 3000, 0.7, 0.005, 4.5e7, 0.003, 0.0001,
	         SCHED_AFTER_THIRD_FRI},
	};
	size_t i;
	uint64_t k = t->key;

	for (i = 0; i < PT_ARRAY_SIZE(known); i++) {
		if (strcmp(t->sym, known[i].sym) != 0)
			continue;
		t->level0 = known[i].level0;
		t->beta = known[i].beta;
		t->idio = known[i].idio;
		t->growth = known[i].growth;
		t->yield = known[i].yield;
		t->opt_volume = known[i].opt_volume;
		t->liq = known[i].liq;
		t->vrp_bias = known[i].vrp_bias;
		t->bar_volume = known[i].bar_volume;
		t->hs_a = known[i].hs_a;
		t->hs_b = known[i].hs_b;
		t->sched = known[i].sched;
		return;
	}
	/* A generic ETF: parameters from the symbol alone, the same in every seed. */
	t->beta = 0.8 + 0.6 * unit(mix64(k + 1));
	t->level0 = 20 + 280 * unit(mix64(k + 2));
	t->idio = 0.004 + 0.008 * unit(mix64(k + 3));
	t->growth = 0.03 + 0.04 * unit(mix64(k + 4));
	t->yield = 0.003 + 0.022 * unit(mix64(k + 5));
	t->opt_volume = 40 + 1500 * unit(mix64(k + 6));
	t->liq = 0.8 + 1.2 * unit(mix64(k + 7));
	t->vrp_bias = 0.01 * (unit(mix64(k + 8)) - 0.5);
	t->bar_volume = 1e5 * exp(log(200.0) * unit(mix64(k + 9)));
	t->hs_a = 0.01 + 0.04 * unit(mix64(k + 10));
	t->hs_b = 0.002 + 0.01 * unit(mix64(k + 11));
	t->sched = SCHED_THIRD_FRI;
}

static struct sim_tk *tk_get(struct sim *s, const char *usym)
{
	struct sim_tk *t;
	size_t i;

	for (i = 0; i < s->n_tk; i++)
		if (!strcmp(s->tk[i]->sym, usym))
			return s->tk[i];
	t = xcalloc(1, sizeof(*t));
	pt_strlcpy(t->sym, usym, sizeof(t->sym));
	t->key = symbol_key(usym);
	t->ex_ym = -1;
	tk_params(t);
	t->log_level0 = log(t->level0);
	xgrow(&s->tk, &s->cap_tk, s->n_tk + 1, sizeof(struct sim_tk *));
	s->tk[s->n_tk++] = t;
	return t;
}

static void tk_free(struct sim_tk *t)
{
	if (!t)
		return;
	free(t->open);
	free(t->high);
	free(t->low);
	free(t->close);
	free(t->div);
	free(t->w);
	free(t->volume);
	free(t);
}

static int third_friday(int y, int m)
{
	int first = date_from_ymd(y, m, 1);
	return first + (5 - date_weekday(first) + 7) % 7 + 14;
}

/* The quarter's ex-date of t's schedule in month m of year y (-1 when none). */
static int ex_date_of(int sched, int y, int m)
{
	int d;

	switch (sched) {
	case SCHED_AFTER_THIRD_FRI:
		return cal_next_session(third_friday(y, m));
	case SCHED_LATE:
		d = date_from_ymd(y, m, 26);
		while (d > date_from_ymd(y, m, 1) && !cal_is_session(d))
			d--;
		return d;
	default:
		d = third_friday(y, m);
		return cal_is_session(d) ? d : cal_next_session(d);
	}
}

static int is_ex_date(struct sim_tk *t, int day)
{
	int y, m, dd;

	date_to_ymd(day, &y, &m, &dd);
	if (m % 3)
		return 0;
	if (t->ex_ym != y * 12 + m) {
		t->ex_ym = y * 12 + m;
		t->ex_day = ex_date_of(t->sched, y, m);
	}
	return day == t->ex_day;
}

static double idio_scale(double h)
{
	return 0.5 + 0.5 * sqrt(h / (VOL_BAR * VOL_BAR / TDAYS));
}

/* exp(x) for the small |x| of a bar's range extension (< 0.2). */
static double exp_small(double x)
{
	return 1 + x * (1 + x * (0.5 + x * (1.0 / 6 + x / 24)));
}

static void tk_step(struct sim *s, struct sim_tk *t, size_t i)
{
	int day = s->sess[i];
	uint64_t tk = mix64(day_key(s, day) ^ t->key);
	double h = s->h[i], prev, div = 0, dev = 0, drift, sc, on, id, o, c, sdi, sdt, v;

#define TK_BITS(pu) mix64(tk ^ ((uint64_t)(pu) << 32))
	prev = i == 0 ? t->level0 : t->close[i - 1];
	if (i > 0 && is_ex_date(t, day)) {
		size_t j, from = i > 63 ? i - 63 : 0;
		double avg = 0;
		for (j = from; j < i; j++)
			avg += t->close[j];
		avg /= (double)(i - from);
		div = t->yield / 4 * avg * (1 + 0.05 * quick_normal(TK_BITS(PU_DIV)));
		div = floor(div * 10000 + 0.5) / 10000;
		if (div > 0.1 * prev)
			div = floor(0.1 * prev * 10000) / 10000;
		if (div < 0.0001)
			div = 0.0001;
	}
	/* the weak pull of the log price toward the trend line */
	if (i > 0)
		dev = t->log_close - t->log_level0 -
		      t->growth * (double)(s->sess[i - 1] - s->sess[0]) / 365.25;
	drift = (t->growth + t->yield) / TDAYS - PULL * dev / TDAYS - t->beta * J_PROB * J_MEAN;
	sc = t->idio * idio_scale(h);
	on = drift + t->beta * s->eon[i] + sc * sqrt(ON_SHARE) * bs_norm_ppf_fast(unit(TK_BITS(PU_TON)));
	id = t->beta * s->eid[i] + sc * sqrt(1 - ON_SHARE) * bs_norm_ppf_fast(unit(TK_BITS(PU_TID)));
	o = (prev - div) * exp(on);
	c = o * exp(id);
	t->log_close = log(prev - div) + on + id;
	sdt = sqrt(t->beta * t->beta * h + sc * sc);
	sdi = sdt * sqrt(1 - ON_SHARE);
	t->open[i] = o;
	t->close[i] = c;
	t->high[i] = (o > c ? o : c) * exp_small(0.5 * sdi * fabs(quick_normal(TK_BITS(PU_HIGH))));
	t->low[i] = (o < c ? o : c) / exp_small(0.5 * sdi * fabs(quick_normal(TK_BITS(PU_LOW))));
	v = t->bar_volume * sqrt(h / (VOL_BAR * VOL_BAR / TDAYS)) *
	    exp_small(0.25 * quick_normal(TK_BITS(PU_VOLUME)) - 0.03) *
	    (1 + 0.4 * fabs(on + id) / sdt);
	t->volume[i] = (int64_t)floor(v + 0.5);
	t->div[i] = div;
	t->w[i] = (i == 0 ? 0 : W_PHI * t->w[i - 1]) +
	          W_SD * sqrt(1 - W_PHI * W_PHI) * quick_normal(TK_BITS(PU_W));
#undef TK_BITS
}

static void ensure_ticker(struct sim *s, struct sim_tk *t, size_t i)
{
	if (i < t->n)
		return;
	ensure_market(s, i);
	if (i >= t->cap) {
		size_t c = grow_cap(t->cap, i + 1);
		t->open = xrealloc(t->open, c * sizeof(double));
		t->high = xrealloc(t->high, c * sizeof(double));
		t->low = xrealloc(t->low, c * sizeof(double));
		t->close = xrealloc(t->close, c * sizeof(double));
		t->div = xrealloc(t->div, c * sizeof(double));
		t->w = xrealloc(t->w, c * sizeof(double));
		t->volume = xrealloc(t->volume, c * sizeof(int64_t));
		t->cap = c;
	}
	while (t->n <= i)
		tk_step(s, t, t->n++);
}

/* ---- the risk-free rate ---- */

/* Mid-year anchors, percent, 2000..2035. */
static const double rate_anchor[] = {
        6.0,  3.5,  1.7,  1.0,  1.4, 3.2, 4.9, 4.4, 1.4, 0.15, 0.14, 0.06,
        0.09, 0.06, 0.05, 0.15, 0.4, 1.0, 2.0, 2.1, 0.4, 0.05, 2.0,  5.1,
        5.0,  4.2,  3.7,  3.5,  3.5, 3.5, 3.5, 3.5, 3.5, 3.5,  3.5,  3.5,
};

static double base_rate(int day)
{
	int y, m, d, n = (int)PT_ARRAY_SIZE(rate_anchor), k;
	double pos, f, w;

	date_to_ymd(day, &y, &m, &d);
	pos = (double)(y - CAL_FIRST_YEAR) - 0.5 +
	      (double)(day - date_from_ymd(y, 1, 1)) /
	              (double)(date_from_ymd(y + 1, 1, 1) - date_from_ymd(y, 1, 1));
	if (pos <= 0)
		return rate_anchor[0] / 100;
	if (pos >= n - 1)
		return rate_anchor[n - 1] / 100;
	k = (int)floor(pos);
	f = pos - k;
	w = (1 - cos(M_PI * f)) / 2;
	return (rate_anchor[k] + (rate_anchor[k + 1] - rate_anchor[k]) * w) / 100;
}

/* ---- option chains ---- */

/* Expirations quoted on day: the next 6 standard ones (day included), every
 * monthly within a year, the quarterly months (March, June, September,
 * December) within two years and the LEAPS (January, December) within
 * LEAPS_DAYS. */
#define LEAPS_DAYS 1100
static size_t expiries_for(int day, int *out)
{
	size_t n = 0, weekly = 0;
	int e = cal_next_expiration(day), y, m, d;

	while (e > 0 && e <= day + LEAPS_DAYS && n < MAX_EXPIRIES) {
		if (weekly < 6) {
			out[n++] = e;
			weekly++;
		} else if (cal_is_monthly_expiration(e)) {
			date_to_ymd(e, &y, &m, &d);
			if (e <= day + 365 || (e <= day + 730 && m % 3 == 0) || m == 1 || m == 12)
				out[n++] = e;
		}
		e = cal_next_expiration(e + 1);
	}
	return n;
}

/* Strikes listed for an expiry T years out, as fractions of spot: far more
 * below spot than above, and wider for later expiries. */
static double strike_lo(double T)
{
	return fmax(STRIKE_LO, 0.8 - 0.6 * sqrt(T));
}

static double strike_hi(double T)
{
	return fmin(STRIKE_HI, 1.1 + 0.3 * sqrt(T));
}

/* Listed-style strikes from STRIKE_LO to STRIKE_HI of spot: fine steps
 * within 10%, coarse beyond. */
static size_t strikes_for(double spot, double **out)
{
	double a = spot < 10 ? 0.5 : spot < 50 ? 0.5 : 1.0;
	double b = spot < 10 ? 1.0 : spot < 50 ? 2.5 : 5.0;
	double lo_in = ceil(0.9 * spot / a) * a, hi_in = floor(1.1 * spot / a) * a, k;
	size_t n = 0, cap = 0;
	double *v = NULL;
	long i;

	/* Strikes are i * step with an integer i (exact: the steps are multiples of 0.5). */
	*out = NULL;
	if (!(spot > 0) || !isfinite(spot))
		return 0;
	for (i = (long)ceil(STRIKE_LO * spot / b); (double)i * b < lo_in - 1e-9; i++) {
		k = (double)i * b;
		if (k <= 0)
			continue;
		xgrow(&v, &cap, n + 1, sizeof(double));
		v[n++] = k;
	}
	for (i = (long)ceil(0.9 * spot / a); (double)i * a <= hi_in + 1e-9; i++) {
		k = (double)i * a;
		if (k <= 0)
			continue;
		xgrow(&v, &cap, n + 1, sizeof(double));
		v[n++] = k;
	}
	for (i = (long)floor(hi_in / b) + 1; (double)i * b <= STRIKE_HI * spot + 1e-9; i++) {
		k = (double)i * b;
		xgrow(&v, &cap, n + 1, sizeof(double));
		v[n++] = k;
	}
	*out = v;
	return n;
}

static double cents_down(double x)
{
	return floor(x * 100 + 1e-7) / 100;
}

static double cents_up(double x)
{
	return ceil(x * 100 - 1e-7) / 100;
}

static double cents_round(double x)
{
	return floor(x * 100 + 0.5) / 100;
}

/* The state one expiry of a chain is priced from. */
struct sim_chain {
	const struct sim_tk *t;
	uint64_t ck; /* the day's and ticker's key */
	double S, r, q, T, sqrt_t, drift, sq, atm, vol_t;
	double theta, phi, rho; /* the SSVI slice */
	double hs_a, hs_b;      /* half-spread a + b mid */
	int expiry;
};

/* What the call and the put of one strike share. */
struct strike_in {
	double K, lnks; /* ln(K/S) */
	uint64_t kbits;
	double iv, z, lam;
};

/* The SSVI parameters of t's surface at session index i: rho and eta are
 * the same for every expiry (so that, with theta increasing in T, the
 * surface has no calendar arbitrage); eta (1 + |rho|) <= ETA_CAP < 2 and
 * gamma <= 1/2 keep every slice free of butterflies. */
static void ssvi_params(const struct sim *s, size_t i, double *rho, double *eta)
{
	double sk = s->sk[i];

	*rho = fmin(-0.3, fmax(-0.9, SSVI_RHO - SSVI_RHO_SD * sk));
	*eta = fmin(SSVI_ETA * exp(SSVI_ETA_SD * sk), ETA_CAP / (1 - *rho));
}

static double ssvi_phi(double theta, double eta)
{
	return eta / (pow(theta, SSVI_GAMMA) * pow(1 + theta, 1 - SSVI_GAMMA));
}

/* Total implied variance of the slice at log-moneyness k = ln(K/F). */
static double ssvi_w(double theta, double phi, double rho, double k)
{
	double pk = phi * k;

	return theta / 2 * (1 + rho * pk + sqrt((pk + rho) * (pk + rho) + 1 - rho * rho));
}

static void quote_contract(const struct sim_chain *c, const struct strike_in *k, char right,
			   double mid, struct option_quote *o)
{
	uint64_t base = mix64(k->kbits ^ (uint64_t)(unsigned char)right), flags;
	double hs, bid, ask, lam, vega, d1, sd, u_vol;

	/* h = a + b mid with b < 1: mid - h and mid + h keep the mids' order in
	 * strike, and floor/ceil to the cent keep any weak order. */
	hs = c->hs_a + c->hs_b * mid;
	bid = cents_down(mid - hs);
	ask = cents_up(mid + hs);
	if (bid < 0)
		bid = 0;
	if (ask < bid + 0.01)
		ask = bid + 0.01;
	o->expiry = c->expiry;
	o->strike = k->K;
	o->right = right;
	o->bid = bid;
	o->ask = ask;
	/* Volume: lognormal intensity times Poisson counts, so quiet contracts
	 * trade 0; open interest a multiple of the intensity, larger far out
	 * and for puts. */
	lam = k->lam * (right == 'P' ? 1.3 : 1.0) *
	      exp(0.8 * quick_normal(mix64(base + 2 * GOLDEN)) - 0.32);
	u_vol = unit(mix64(base + 3 * GOLDEN));
	o->volume = poisson(lam, u_vol, lam >= 12 ? quick_normal(mix64(base + 8 * GOLDEN)) : 0);
	o->open_interest =
	        (int64_t)floor(lam * (right == 'P' ? 1.3 : 1.0) * (3 + 25 * c->sqrt_t) *
	                               exp(0.7 * quick_normal(mix64(base + 4 * GOLDEN)) - 0.245) +
	                       0.5);
	/* flags: three 21-bit uniforms */
	flags = mix64(base + 5 * GOLDEN);
#define FLAG_U(n) (((double)((flags >> (21 * (n))) & 0x1fffff) + 0.5) / 2097152.0)
	if (o->volume == 0 && FLAG_U(0) < 0.6)
		o->last = NAN;
	else
		o->last = fmax(
		        0.01, cents_round(mid + 0.5 * hs * quick_normal(mix64(base + 6 * GOLDEN))));
	/* The vendor's IV: from its mid (bid+ask)/2, to first order, with noise;
	 * missing now and then, and often for no-bid contracts. */
	o->vendor_iv = NAN;
	if (FLAG_U(1) >= 0.02 && !(bid == 0 && FLAG_U(2) < 0.5)) {
		sd = k->iv * c->sqrt_t;
		d1 = (c->drift - k->lnks) / sd + 0.5 * sd;
		vega = c->sq * exp(-0.5 * d1 * d1) * 0.39894228040143267794 * c->sqrt_t;
		if (vega > 1e-4) {
			double v = k->iv + ((bid + ask) / 2 - mid) / vega +
			           0.003 * quick_normal(mix64(base + 7 * GOLDEN));
			if (v >= 0.005 && v <= 5.0) /* a vendor quotes 0.5%..500% */
				o->vendor_iv = v;
		}
	}
#undef FLAG_U
}

/* ATM implied vol of t for an expiry T years out, from the state at 09:35 of
 * session index i: the GARCH forecast of the ticker's variance to expiry
 * times 1 + the variance risk premium. sigma^2 T increases with T: the
 * forecast's integrated variance does, and the premium's term part is
 * non-decreasing in T. */
static double atm_vol(const struct sim *s, const struct sim_tk *t, size_t i, double T)
{
	double phi = G_ALPHA + G_BETA, h = s->h[i], eon = s->eon[i], vl, n, avg, sc, var, m, calm;

	/* The overnight gap is news: fold it into today's variance. */
	h += G_ALPHA * (eon * eon - ON_SHARE * h);
	if (h < 0.5 * s->h[i])
		h = 0.5 * s->h[i];
	vl = 0.7 * regime_var(s->reg[i]) + 0.3 * VOL_BAR * VOL_BAR / TDAYS;
	n = T * TDAYS;
	if (n < 0.05)
		n = 0.05;
	avg = vl + (h - vl) * (1 - pow(phi, n)) / (n * (1 - phi));
	sc = t->idio * idio_scale(avg);
	var = (t->beta * t->beta * (avg + J_PROB * (J_MEAN * J_MEAN + J_SD * J_SD)) + sc * sc) *
	      TDAYS;
	/* The term premium fades as today's variance rises: in a storm the
	 * curve inverts. */
	calm = fmin(1, fmax(0, 2 - sqrt(h * TDAYS) / VOL_BAR));
	m = fmax(-0.5, (s->vrp[i] + t->w[i] + t->vrp_bias) / VOL_BAR) +
	    TERM_SLOPE * calm * fmin(T, TERM_CAP);
	return fmin(2.5, fmax(0.04, sqrt(var) * (1 + m)));
}

/* Chain state of expiry T years out: the SSVI slice and the half-spread. */
static void chain_slice(const struct sim *s, const struct sim_tk *t, size_t i, double rho,
			double eta, struct sim_chain *c)
{
	double stress;

	c->sqrt_t = sqrt(c->T);
	c->drift = (c->r - c->q) * c->T;
	c->sq = c->S * exp(-c->q * c->T);
	c->atm = atm_vol(s, t, i, c->T);
	c->theta = c->atm * c->atm * c->T;
	c->phi = ssvi_phi(c->theta, eta);
	c->rho = rho;
	/* Spreads: wider for later expiries and in turbulent markets; one h per
	 * expiry, the same rule for every strike. */
	stress = fmin(3.0, fmax(0.8, c->atm / VOL_BAR));
	c->hs_a = t->hs_a * (1 + 3 * fmin(c->T, 3.0)) * stress;
	c->hs_b = t->hs_b * (1 + 3 * fmin(c->T, 3.0)) * stress;
	c->vol_t = t->opt_volume / (1 + c->T / 0.06);
}

/* The request's wants (none: every listed expiration). */
struct wants {
	const struct provider_want *w;
	size_t n;
};

/* 1 when expiry exps[e] of the listing is served: asked for by some want
 * of the request, "nearest" wants resolved against the whole listing (as
 * cboe and yahoo keep what is needed of theirs). Every expiration's quotes
 * are computed alone, so serving fewer changes none of them. */
static int wanted(const struct wants *w, const char *sym, const int *exps, size_t ne, size_t e,
                  int session)
{
	size_t j;

	if (!w || w->n == 0)
		return 1;
	for (j = 0; j < w->n; j++)
		if (provider_want_expiry(&w->w[j], sym, exps, ne, sizeof(int), session) == exps[e])
			return 1;
	return 0;
}

static void fill_chain(struct sim *s, const struct sim_tk *t, size_t i, int64_t asof, double r,
                       const struct wants *want, struct ticker_view *tv)
{
	int exps[MAX_EXPIRIES], serve[MAX_EXPIRIES];
	double years[MAX_EXPIRIES];
	size_t ne = expiries_for(s->sess[i], exps), nk, e, j, n = 0, n_serve = 0, m;
	double *strikes = NULL, *lnks, rho, eta, *a, *px;
	char *right;
	struct sim_chain c;
	struct strike_in *k;

	memset(&c, 0, sizeof(c));
	c.t = t;
	c.ck = mix64(day_key(s, s->sess[i]) ^ t->key ^ ((uint64_t)PU_CONTRACT << 40));
	c.S = tv->spot;
	c.r = r;
	c.q = tv->div_yield;
	ssvi_params(s, i, &rho, &eta);
	nk = strikes_for(c.S, &strikes);
	lnks = xmalloc((nk ? nk : 1) * sizeof(double));
	for (j = 0; j < nk; j++)
		lnks[j] = log(strikes[j] / c.S);
	/* an expiration's strikes, and its calls and puts as one chain for
	 * chain_greeks: S, K, T, r, q, sigma, then the six outputs */
	k = xmalloc((nk ? nk : 1) * sizeof(*k));
	a = xmalloc((nk ? nk : 1) * 2 * 12 * sizeof(double));
	right = xmalloc((nk ? nk : 1) * 2);
	/* room for the expirations served only (a session asks one or two of
	 * the twenty-odd listed) */
	for (e = 0; e < ne; e++) {
		years[e] = cal_year_frac(asof, exps[e]);
		serve[e] = years[e] > 0 && wanted(want, tv->symbol, exps, ne, e, s->sess[i]);
		n_serve += (size_t)serve[e];
	}
	tv->opts = xcalloc(n_serve * nk > 0 ? n_serve * nk * 2 : 1, sizeof(*tv->opts));
	for (e = 0; e < ne; e++) {
		uint64_t ek = mix64(c.ck ^ ((uint64_t)(uint32_t)exps[e] * GOLDEN));
		double lo, hi, prev_c = INFINITY, prev_p = 0;

		c.expiry = exps[e];
		c.T = years[e];
		if (!serve[e])
			continue;
		chain_slice(s, t, i, rho, eta, &c);
		lo = strike_lo(c.T) * c.S - 1e-9;
		hi = strike_hi(c.T) * c.S + 1e-9;
		for (j = m = 0; j < nk; j++) {
			struct strike_in *x = &k[m];
			double lx;

			if (strikes[j] < lo || strikes[j] > hi)
				continue;
			x->K = strikes[j];
			x->lnks = lnks[j];
			x->kbits = mix64(ek ^
					 ((uint64_t)llround(x->K * 1000) * 0xd6e8feb86659fd93ULL));
			lx = x->lnks - c.drift;
			x->iv = sqrt(ssvi_w(c.theta, c.phi, c.rho, lx) / c.T);
			x->z = lx / (c.atm * c.sqrt_t);
			x->lam = c.vol_t * exp(-0.7 * fabs(x->z));
			m++;
		}
		/* lane 2j the call of strike j, 2j + 1 its put */
		for (j = 0; j < 2 * m; j++) {
			a[j] = c.S;
			a[2 * m + j] = k[j / 2].K;
			a[4 * m + j] = c.T;
			a[6 * m + j] = c.r;
			a[8 * m + j] = c.q;
			a[10 * m + j] = k[j / 2].iv;
			right[j] = j % 2 ? 'P' : 'C';
		}
		px = a + 12 * m;
		{
			struct chain_in in = {a,	 a + 2 * m,  a + 4 * m, a + 6 * m,
					      a + 8 * m, a + 10 * m, right};
			struct chain_out out = {px,	    px + 2 * m, px + 4 * m,
						px + 6 * m, px + 8 * m, px + 10 * m};

			chain_greeks(&in, &out, 2 * m);
		}
		for (j = 0; j < m; j++) {
			double mc = px[2 * j], mp = px[2 * j + 1];

			if (!isfinite(mc))
				mc = fmax(0, c.sq - k[j].K * exp(-c.r * c.T));
			if (!isfinite(mp))
				mp = fmax(0, k[j].K * exp(-c.r * c.T) - c.sq);
			/* Exact arithmetic gives monotone mids; keep rounding from
			 * ever reversing two neighbours. */
			mc = fmin(mc, prev_c);
			mp = fmax(mp, prev_p);
			prev_c = mc;
			prev_p = mp;
			quote_contract(&c, &k[j], 'C', mc, &tv->opts[n++]);
			quote_contract(&c, &k[j], 'P', mp, &tv->opts[n++]);
		}
	}
	tv->n_opts = n;
	free(right);
	free(a);
	free(k);
	free(lnks);
	free(strikes);
}

double sim_total_var(struct sim *s, const char *symbol, int session, double T, double k)
{
	char usym[MV_SYMSZ];
	long idx;
	struct sim_tk *t;
	double rho, eta, atm, theta;

	if (session < s->first_day || session > s->last_day || norm_symbol(symbol, usym) ||
	    !(T > 0))
		return NAN;
	ensure_sessions(s);
	idx = sess_index(s, session);
	if (idx < 0)
		return NAN;
	t = tk_get(s, usym);
	ensure_ticker(s, t, (size_t)idx);
	ssvi_params(s, (size_t)idx, &rho, &eta);
	atm = atm_vol(s, t, (size_t)idx, T);
	theta = atm * atm * T;
	return ssvi_w(theta, ssvi_phi(theta, eta), rho, k);
}

/* ---- the view ---- */

static void fill_ticker(struct sim *s, struct sim_tk *t, size_t i, size_t from, int64_t asof,
                        double r, const struct wants *want, struct ticker_view *tv)
{
	size_t j, nd = 0, cnt = 0;
	double ttm = 0;

	ensure_ticker(s, t, i);
	pt_strlcpy(tv->source, "sim", sizeof(tv->source));
	tv->ok = 1;
	tv->spot = t->open[i];
	tv->quote_time = asof;
	if (from < i) {
		tv->bars = xcalloc(i - from, sizeof(*tv->bars));
		for (j = from; j < i; j++) {
			struct bar *b = &tv->bars[tv->n_bars++];
			b->date = s->sess[j];
			b->open = t->open[j];
			b->high = t->high[j];
			b->low = t->low[j];
			b->close = t->close[j];
			b->volume = t->volume[j];
		}
	}
	/* Dividends up to and including the session's own ex-date: declared
	 * weeks ahead, and today's open is already ex-dividend (view.h). */
	for (j = from; j <= i; j++)
		nd += t->div[j] > 0;
	if (nd) {
		tv->divs = xcalloc(nd, sizeof(*tv->divs));
		for (j = from; j <= i; j++) {
			if (t->div[j] > 0) {
				tv->divs[tv->n_divs].ex_date = s->sess[j];
				tv->divs[tv->n_divs++].amount = t->div[j];
			}
		}
	}
	/* Trailing yield: the last four dividends within ~15 months. */
	for (j = i; j > 0 && cnt < 4 && s->sess[i] - s->sess[j - 1] <= 460; j--) {
		if (t->div[j - 1] > 0) {
			ttm += t->div[j - 1];
			cnt++;
		}
	}
	if (cnt)
		tv->div_yield = log1p(ttm * 4 / (double)cnt / tv->spot);
	else
		tv->div_yield = log1p(t->yield);
	fill_chain(s, t, i, asof, r, want, tv);
}

struct sim *sim_new(uint64_t seed, int perturb_after)
{
	struct sim *s = xcalloc(1, sizeof(*s));

	s->seed = seed;
	s->perturb_after = perturb_after;
	s->first_day = date_from_ymd(CAL_FIRST_YEAR, 1, 1);
	s->last_day = date_from_ymd(CAL_LAST_YEAR, 12, 31);
	return s;
}

void sim_free(struct sim *s)
{
	size_t i;

	if (!s)
		return;
	for (i = 0; i < s->n_tk; i++)
		tk_free(s->tk[i]);
	free(s->tk);
	free(s->sess);
	free(s->idx_of);
	free(s->h);
	free(s->eon);
	free(s->eid);
	free(s->vrp);
	free(s->rn);
	free(s->sk);
	free(s->reg);
	free(s);
}

/* Checks that session is a simulated session; its index in *idx. */
static int check_session(struct sim *s, int session, long *idx, char *err)
{
	char buf[DATE_BUFSZ];
	const char *why;

	if (session < s->first_day || session > s->last_day) {
		if (session < date_from_ymd(1900, 1, 1) || session > date_from_ymd(2199, 12, 31))
			return pt_err(err, PT_ERANGE,
			              "day %d is outside the simulated market (%d-01-01..%d-12-31)",
			              session, CAL_FIRST_YEAR, CAL_LAST_YEAR);
		return pt_err(err, PT_ERANGE,
		              "%s is outside the simulated market (%d-01-01..%d-12-31)",
		              date_fmt(session, buf), CAL_FIRST_YEAR, CAL_LAST_YEAR);
	}
	ensure_sessions(s);
	*idx = sess_index(s, session);
	if (*idx < 0) {
		int wd = date_weekday(session);
		why = cal_holiday_name(session);
		if (!why)
			why = wd == 0 || wd == 6 ? "a weekend" : "a market holiday";
		return pt_err(err, PT_EINVAL, "%s is not an NYSE session (%s)",
		              date_fmt(session, buf), why);
	}
	return 0;
}

static int load_wants(struct sim *s, int session, const char *const *tickers, size_t n,
                      int hist_from, const struct wants *want, struct market_view *out, char *err)
{
	long idx = -1;
	size_t i, from;
	int64_t asof;
	double r;
	int rc;

	rc = check_session(s, session, &idx, err);
	if (rc)
		return rc;
	if (cal_ny_to_epoch(session, SIM_ASOF_MIN, &asof))
		return pt_err(err, PT_EINVAL, "cannot convert the as-of time to New York time");
	ensure_market(s, (size_t)idx);
	r = log1p(base_rate(session)) * exp(RATE_NOISE * s->rn[idx]);
	from = sess_lower_bound(s, hist_from);
	if (from > (size_t)idx)
		from = (size_t)idx;
	out->session = session;
	out->asof = asof;
	out->rate = r;
	out->n_tickers = n;
	out->tickers = n ? xcalloc(n, sizeof(*out->tickers)) : NULL;
	for (i = 0; i < n; i++) {
		struct ticker_view *tv = &out->tickers[i];
		char usym[MV_SYMSZ];

		if (tickers[i])
			pt_strlcpy(tv->symbol, tickers[i], sizeof(tv->symbol));
		pt_strlcpy(tv->source, "sim", sizeof(tv->source));
		if (norm_symbol(tickers[i], usym)) {
			tv->ok = 0;
			tv->spot = NAN;
			tv->div_yield = NAN;
			pt_err(tv->error, PT_EINVAL, "'%s' is not a valid symbol",
			       tickers[i] ? tickers[i] : "");
			continue;
		}
		fill_ticker(s, tk_get(s, usym), (size_t)idx, from, asof, r, want, tv);
	}
	return 0;
}

int sim_load(void *state, int session, const char *const *tickers, size_t n, int hist_from,
             struct market_view *out, char *err)
{
	return load_wants(state, session, tickers, n, hist_from, NULL, out, err);
}

double sim_close(struct sim *s, const char *symbol, int day)
{
	char usym[MV_SYMSZ];
	long idx = -1;
	struct sim_tk *t;

	if (day < s->first_day || day > s->last_day || norm_symbol(symbol, usym))
		return NAN;
	ensure_sessions(s);
	idx = sess_index(s, day);
	if (idx < 0)
		return NAN;
	t = tk_get(s, usym);
	ensure_ticker(s, t, (size_t)idx);
	return t->close[idx];
}

static void sim_ops_free(void *state)
{
	sim_free(state);
}

static int sim_load_req(void *state, const struct provider_req *req, struct market_view *out,
                        char *err)
{
	struct wants w = {req->want, req->n_want};

	return load_wants(state, req->session, req->tickers, req->n, req->hist_from, &w, out, err);
}

const struct provider_ops sim_provider_ops = {
        .name = "sim",
        .load = sim_load_req,
        .free = sim_ops_free,
};
