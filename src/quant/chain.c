/*
 * chain.c - price and greeks of a whole chain in one call; see chain.h.
 * Pure math beside bs.c (DESIGN.md §1); no I/O, no global state.
 *
 * How it is fast. The loop bodies have no branch: every option computes
 * the same arithmetic and the right, the side of the money and the sign of
 * d pick among the results (selects, which gcc turns into blends), so gcc
 * vectorises them. log, erfc and exp are declared with gcc's simd
 * attribute below, so the vectorised loops call glibc's libmvec
 * (_ZGVdN4v_* with AVX2, _ZGVbN2v_* otherwise) instead of the scalar
 * functions; the Makefile builds this file with -fno-math-errno (the
 * vector functions set no errno), -fno-trapping-math (so that both sides
 * of a select may be computed) and a cost model that vectorises loops
 * needing a scalar remainder. None of these changes a result. target_clones
 * makes an AVX2 and a baseline copy of the loops, chosen once at load time
 * by the CPU. `make vec-report` lists the loops gcc vectorised.
 *
 * How it stays exact. The discount factors e^{-qT} and e^{-rT} are
 * bs_greeks's own (the scalar exp, computed once per run of options with
 * the same qT or rT: once per expiry of a chain), so the discounted
 * intrinsic value is bit for bit bs_greeks's. The price is bs.c's: that
 * intrinsic value plus the out-of-the-money side's value. Each normal
 * probability comes from its smaller tail, N(-|d|) = erfc(|d|/sqrt 2)/2,
 * and the larger one as 1 minus that (>= 1/2, so no cancellation), so
 * N(d1), N(-d1), N(d2) and N(-d2) are all good to an ulp or two relative
 * with two erfc calls. libmvec's log, erfc and exp are within 1.4, 1.5 and
 * 2.6 ulp (glibc's scalar ones within about 0.5 to 1), hence "a few ulps"
 * in chain.h. Options with a NaN among the loop's results - invalid input,
 * T == 0 or sigma == 0 (sigma sqrt(T) == 0: the limits), which the loop
 * marks so, or any overflow - are then computed by bs_greeks itself, so
 * those cases are bs_greeks's to the bit.
 */
#include <float.h>
#include <math.h>
#include <stddef.h>

#include "chain.h"
#include "bs.h"
#include "lbr.h"

/*
 * glibc declares its vector math functions only under -ffast-math, which
 * would break NaN and infinity handling here; declare the three we use
 * ourselves. (gcc only: clang has no simd attribute, and builds the same
 * loop with scalar calls.)
 */
#if defined(__GNUC__) && !defined(__clang__) && defined(__x86_64__) && defined(__GLIBC__)
#define PT_CHAIN_MVEC 1
__attribute__((simd("notinbranch"))) double exp(double);
__attribute__((simd("notinbranch"))) double log(double);
__attribute__((simd("notinbranch"))) double erfc(double);
__attribute__((simd("notinbranch"))) double log1p(double);
__attribute__((simd("notinbranch"))) double sinh(double);
#endif

/* An AVX2 copy and a baseline copy, chosen by the CPU at load time (an
 * ifunc); only where the loops call libmvec, which is what AVX2 speeds up. */
#if defined(PT_CHAIN_MVEC)
#define PT_CHAIN_CLONES __attribute__((target_clones("avx2", "default")))
#else
#define PT_CHAIN_CLONES
#endif

/* Options per block: the rights and discount factors are prepared a block
 * at a time, and the block's intermediates (6 KB) stay in the L1 cache. */
#define CHAIN_BLOCK 128
/* The widest vector's lanes (AVX2: four doubles); CHAIN_BLOCK is a multiple. */
#define LANES 4

#define SQRT1_2 0.70710678118654752440	   /* 1/sqrt(2) */
#define INV_SQRT2PI 0.39894228040143267794 /* 1/sqrt(2 pi) */

/*
 * One block of m <= CHAIN_BLOCK options, every one as if its input were
 * valid with sigma sqrt(T) > 0; the others get a NaN price, for
 * chain_greeks to redo. w[i] is 1 for a call, -1 for a put, 0 for neither.
 * restrict: the outputs overlap nothing (chain.h), so gcc needs no
 * run-time alias checks.
 *
 * The work is split into passes over the block, each vectorised: a loop
 * that only calls one vector function keeps several calls in flight,
 * where one loop doing it all waits on each call in turn (half as fast
 * again, measured). The block's intermediates stay in the L1 cache.
 */
PT_CHAIN_CLONES
static long long chain_block(size_t m, const double *restrict S, const double *restrict K,
			     const double *restrict T, const double *restrict r,
			     const double *restrict q, const double *restrict sigma,
			     const double *restrict w, const double *restrict eq,
			     const double *restrict er, double *restrict price,
			     double *restrict delta, double *restrict gamma, double *restrict vega,
			     double *restrict theta, double *restrict rho)
{
	double rt[CHAIN_BLOCK], sd[CHAIN_BLOCK];
	double d1[CHAIN_BLOCK], t1[CHAIN_BLOCK], t2[CHAIN_BLOCK], pd[CHAIN_BLOCK];
	long long nan_seen = 0;
	size_t i;

	for (i = 0; i < m; i++)
		d1[i] = log(S[i] / K[i]);
	for (i = 0; i < m; i++) {
		double d;

		rt[i] = sqrt(T[i]);
		sd[i] = sigma[i] * rt[i];
		d = (d1[i] + (r[i] - q[i]) * T[i]) / sd[i] + 0.5 * sd[i];
		d1[i] = d;
		/* the smaller tails' erfc arguments, and the density's exponent */
		t1[i] = fabs(d) * SQRT1_2;
		t2[i] = fabs(d - sd[i]) * SQRT1_2;
		pd[i] = -0.5 * d * d;
	}
	for (i = 0; i < m; i++)
		t1[i] = 0.5 * erfc(t1[i]);
	for (i = 0; i < m; i++)
		t2[i] = 0.5 * erfc(t2[i]);
	for (i = 0; i < m; i++)
		pd[i] = INV_SQRT2PI * exp(pd[i]);
	for (i = 0; i < m; i++) {
		double s = S[i], t = T[i], rr = r[i], qq = q[i], sg = sigma[i], cp = w[i];
		double sq = s * eq[i], kr = K[i] * er[i], d = d1[i], d2 = d - sd[i];
		/* N(d1), N(-d1), N(d2), N(-d2): the smaller tail, or its complement */
		double n1p = d > 0 ? 1 - t1[i] : t1[i], n1m = d > 0 ? t1[i] : 1 - t1[i];
		double n2p = d2 > 0 ? 1 - t2[i] : t2[i], n2m = d2 > 0 ? t2[i] : 1 - t2[i];
		double x = sq - kr, otm, intr, decay, n1, n2, a, b, all;
		_Bool ok;

		/* bs.c's otm_value and price_valid */
		otm = x > 0 ? kr * n2m - sq * n1m : sq * n1p - kr * n2p;
		otm = otm > 0 ? otm : 0;
		intr = cp > 0 ? (x > 0 ? x : 0) : (x < 0 ? -x : 0); /* fmax does not vectorise */
		decay = -sq * pd[i] * sg / (2 * rt[i]);
		n1 = cp > 0 ? n1p : n1m;
		n2 = cp > 0 ? n2p : n2m;
		a = qq * sq * n1;
		b = rr * kr * n2;
		/* bs.c's valid_input, and sigma sqrt(T) > 0 */
		ok = (cp != 0) & (s > 0) & (s < HUGE_VAL) & (K[i] > 0) & (K[i] < HUGE_VAL) &
		     (t >= 0) & (t < HUGE_VAL) & (sg >= 0) & (sg < HUGE_VAL) &
		     (fabs(rr) < HUGE_VAL) & (fabs(qq) < HUGE_VAL) & (sd[i] > 0);
		price[i] = all = ok ? intr + otm : NAN;
		gamma[i] = eq[i] * pd[i] / (s * sd[i]);
		vega[i] = sq * pd[i] * rt[i];
		delta[i] = cp > 0 ? eq[i] * n1 : -eq[i] * n1;
		theta[i] = cp > 0 ? decay + a - b : decay - a + b;
		rho[i] = cp > 0 ? t * kr * n2 : -t * kr * n2;
		all += gamma[i] + vega[i] + delta[i] + theta[i] + rho[i];
		nan_seen |= all != all;
	}
	return nan_seen;
}

/* Options of [i, i + m) whose block result holds a NaN: bs_greeks's values,
 * invalid input or a limit. Returns how many had invalid input. */
static size_t redo_scalar(const struct chain_in *in, const struct chain_out *out, size_t i,
			  size_t m)
{
	size_t j, bad = 0;

	for (j = i; j < i + m; j++) {
		struct bs_greeks g;

		if (!isnan(out->price[j] + out->delta[j] + out->gamma[j] + out->vega[j] +
			   out->theta[j] + out->rho[j]))
			continue;
		if (bs_greeks(in->right[j], in->S[j], in->K[j], in->T[j], in->r[j], in->q[j],
			      in->sigma[j], &g) < 0)
			bad++;
		out->price[j] = g.price;
		out->delta[j] = g.delta;
		out->gamma[j] = g.gamma;
		out->vega[j] = g.vega;
		out->theta[j] = g.theta;
		out->rho[j] = g.rho;
	}
	return bad;
}

/* Discount factors of a run of options sharing qT or rT, computed once. */
struct memo {
	double xq, xr, fq, fr;
};

/*
 * The block's rights as doubles (gcc 12 vectorises no loop that mixes
 * chars with doubles), and its discount factors: bs_greeks's exp(-q * T)
 * and exp(-r * T), computed again only when the product changes.
 */
static void prepare(const struct chain_in *in, size_t i, size_t m, double *w, double *eq,
		    double *er, struct memo *mm)
{
	size_t j;

	for (j = 0; j < m; j++) {
		char c = in->right[i + j];
		double xq = -in->q[i + j] * in->T[i + j], xr = -in->r[i + j] * in->T[i + j];

		w[j] = c == 'C' ? 1.0 : c == 'P' ? -1.0 : 0.0;
		if (xq != mm->xq) {
			mm->xq = xq;
			mm->fq = exp(xq);
		}
		if (xr != mm->xr) {
			mm->xr = xr;
			mm->fr = exp(xr);
		}
		eq[j] = mm->fq;
		er[j] = mm->fr;
	}
}

/*
 * The last k < LANES options of a chain, padded to LANES with a harmless
 * option, so that they too take the vector path: an option's outputs are
 * then the same wherever it sits in a chain (gcc's scalar remainder loop
 * would call the scalar functions, a bit or two apart). w, eq and er are
 * the tail's.
 */
static size_t tail(const struct chain_in *in, const struct chain_out *out, size_t i, size_t k,
		   const double *w, const double *eq, const double *er)
{
	double a[15][LANES];
	size_t j;
	int f;

	for (j = 0; j < LANES; j++) {
		int pad = j >= k;

		a[0][j] = pad ? 100 : in->S[i + j];
		a[1][j] = pad ? 100 : in->K[i + j];
		a[2][j] = pad ? 1 : in->T[i + j];
		a[3][j] = pad ? 0 : in->r[i + j];
		a[4][j] = pad ? 0 : in->q[i + j];
		a[5][j] = pad ? 0.2 : in->sigma[i + j];
		a[6][j] = pad ? 1 : w[j];
		a[7][j] = pad ? 1 : eq[j];
		a[8][j] = pad ? 1 : er[j];
	}
	chain_block(LANES, a[0], a[1], a[2], a[3], a[4], a[5], a[6], a[7], a[8], a[9], a[10], a[11],
		    a[12], a[13], a[14]);
	for (j = 0; j < k; j++) {
		double *o[6] = {out->price, out->delta, out->gamma,
				out->vega,  out->theta, out->rho};

		for (f = 0; f < 6; f++)
			o[f][i + j] = a[9 + f][j];
	}
	return redo_scalar(in, out, i, k);
}

size_t chain_greeks(const struct chain_in *in, const struct chain_out *out, size_t n)
{
	size_t i, m, m4, bad = 0;
	double w[CHAIN_BLOCK], eq[CHAIN_BLOCK], er[CHAIN_BLOCK];
	struct memo mm = {NAN, NAN, NAN, NAN};

	for (i = 0; i < n; i += m) {
		m = n - i < CHAIN_BLOCK ? n - i : CHAIN_BLOCK;
		prepare(in, i, m, w, eq, er, &mm);
		m4 = m / LANES * LANES;
		if (m4 > 0 &&
		    chain_block(m4, in->S + i, in->K + i, in->T + i, in->r + i, in->q + i,
				in->sigma + i, w, eq, er, out->price + i, out->delta + i,
				out->gamma + i, out->vega + i, out->theta + i, out->rho + i))
			bad += redo_scalar(in, out, i, m4);
		if (m4 < m)
			bad += tail(in, out, i + m4, m - m4, w + m4, eq + m4, er + m4);
	}
	return bad;
}

/*
 * chain_iv's normalised problems. bs_iv_normalise, lane by lane, costs a
 * hundred nanoseconds or more, most of it the long double logarithm of
 * bs_log_moneyness; here the vector pass computes every lane in double
 * (ln S/K with log1p, as lbr_log_ratio does, plus (r - q) T) and sends to
 * bs_iv_normalise only the lanes where that sum cancels: |(r - q) T| above
 * IV_CANCEL times the larger of |ln F/K| and the normalised price, beyond
 * which the double sum's rounding (a few ulps of (r - q) T) is no longer a
 * few ulps of what the volatility depends on. Lanes outside the bounds, or
 * with anything the vector pass does not cover (sqrt(S e^{-qT} K e^{-rT})
 * out of the normal range, |ln F/K| > 700), go there too, so the NANs are
 * bs_implied_vol's exactly. The discount factors are bs_bounds's (scalar
 * exp, one per distinct product as chain_greeks's). The block is padded
 * to whole vectors with a harmless option, so no lane falls to gcc's
 * scalar remainder loop and a lane's result does not depend on where it
 * sits in the chain.
 */
#define IV_CANCEL 4.0

struct iv_block {
	double S[CHAIN_BLOCK], K[CHAIN_BLOCK], T[CHAIN_BLOCK], r[CHAIN_BLOCK], q[CHAIN_BLOCK];
	double p[CHAIN_BLOCK], w[CHAIN_BLOCK], eq[CHAIN_BLOCK], er[CHAIN_BLOCK];
	double u[CHAIN_BLOCK], x[CHAIN_BLOCK], beta[CHAIN_BLOCK], beta_c[CHAIN_BLOCK];
	double scalar[CHAIN_BLOCK];
};

PT_CHAIN_CLONES
static void iv_block_norm(size_t m, struct iv_block *restrict b)
{
	size_t i;

	/* ln(S/K) = +-log1p(|S - K| / min(S, K)) */
	for (i = 0; i < m; i++) {
		double s = b->S[i], k = b->K[i];

		b->u[i] = (s > k ? s - k : k - s) / (s < k ? s : k);
	}
	for (i = 0; i < m; i++)
		b->u[i] = log1p(b->u[i]);
	for (i = 0; i < m; i++) {
		double s = b->S[i], k = b->K[i], t = b->T[i], pr = b->p[i], th = b->w[i];
		double sq = s * b->eq[i], kr = k * b->er[i], skr = sq * kr;
		double lower = th * (sq - kr) > 0 ? th * (sq - kr) : 0, upper = th > 0 ? sq : kr;
		double a = (b->r[i] - b->q[i]) * t, lx = (s >= k ? b->u[i] : -b->u[i]) + a;
		double norm = sqrt(skr), bt = pr / norm, ax = fabs(lx), big = ax > bt ? ax : bt;
		int ok = (th != 0) & (s > 0) & (s <= DBL_MAX) & (k > 0) & (k <= DBL_MAX) & (t > 0) &
			 (t <= DBL_MAX) & (fabs(b->r[i]) <= DBL_MAX) & (fabs(b->q[i]) <= DBL_MAX) &
			 (pr > lower) & (pr < upper) & (skr >= DBL_MIN) & (skr <= DBL_MAX) &
			 (ax <= 700) & !(fabs(a) > IV_CANCEL * big);

		b->scalar[i] = ok ? 0 : 1;
		b->x[i] = th * lx; /* > 0: in the money */
		b->u[i] = 0.5 * (ok ? ax : 0);
		b->beta[i] = bt;
		b->beta_c[i] = (upper - pr) / norm;
	}
	for (i = 0; i < m; i++)
		b->u[i] = sinh(b->u[i]);
	for (i = 0; i < m; i++) {
		double be = b->x[i] > 0 ? b->beta[i] - 2 * b->u[i] : b->beta[i];

		b->x[i] = -fabs(b->x[i]);
		b->beta[i] = be > DBL_TRUE_MIN ? be : DBL_TRUE_MIN;
		b->beta_c[i] = b->beta_c[i] > DBL_TRUE_MIN ? b->beta_c[i] : DBL_TRUE_MIN;
	}
}

size_t chain_iv(const struct chain_in *in, const double *price, double *vol, size_t n)
{
	struct iv_block b;
	struct memo mm = {NAN, NAN, NAN, NAN};
	size_t i, j, m, m4, bad = 0;

	for (i = 0; i < n; i += m) {
		m = n - i < CHAIN_BLOCK ? n - i : CHAIN_BLOCK;
		m4 = (m + LANES - 1) / LANES * LANES;
		prepare(in, i, m, b.w, b.eq, b.er, &mm);
		for (j = 0; j < m4; j++) {
			int pad = j >= m;

			b.S[j] = pad ? 100 : in->S[i + j];
			b.K[j] = pad ? 100 : in->K[i + j];
			b.T[j] = pad ? 1 : in->T[i + j];
			b.r[j] = pad ? 0 : in->r[i + j];
			b.q[j] = pad ? 0 : in->q[i + j];
			b.p[j] = pad ? 10 : price[i + j];
			if (pad)
				b.w[j] = b.eq[j] = b.er[j] = 1;
		}
		iv_block_norm(m4, &b);
		for (j = 0; j < m; j++)
			if (b.scalar[j] != 0)
				bs_iv_normalise(in->right[i + j], in->S[i + j], in->K[i + j],
						in->T[i + j], in->r[i + j], in->q[i + j],
						price[i + j], &b.x[j], &b.beta[j], &b.beta_c[j]);
		lbr_implied_s_chain(b.x, b.beta, b.beta_c, m, vol + i);
		for (j = 0; j < m; j++) {
			vol[i + j] /= sqrt(in->T[i + j]);
			bad += isnan(vol[i + j]);
		}
	}
	return bad;
}
