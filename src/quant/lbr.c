/*
 * lbr.c - implied volatility by Peter Jäckel's "Let's Be Rational" (2015),
 * implemented from the paper's mathematics; see lbr.h for the interface and
 * docs/pricing.md for the derivations. Pure math under bs.c's
 * bs_implied_vol (DESIGN.md §1: the strategies' scans, the book's marks);
 * no I/O, no global state.
 *
 * Layout. The normalised Black function b(x, s) of an out-of-the-money call
 * (x <= 0) is computed in four regimes that each keep full relative
 * precision where the others lose it (h = x/s, t = s/2, d1,2 = h +- t):
 *   I    h < -10 and d1 < -10 + TAU: Phi(d1) and Phi(d2) are both deep in
 *        the tail; a difference of asymptotic Mills-ratio series whose terms
 *        are summed without cancellation;
 *   II   t < TAU: a Taylor series in t (b is then a small difference of two
 *        nearly equal terms);
 *   IV   d1 > 0.85: b = b_max - (two positive tail terms);
 *   III  otherwise: the difference of two erfcx values, which does not
 *        cancel here.
 * In I-III, b = e^{-(h^2+t^2)/2} m and b' = e^{-(h^2+t^2)/2} / sqrt(2 pi),
 * so ln b and b'/b never underflow however small b is; in IV the same holds
 * for b_max - b.
 *
 * The inverse takes the initial guess of the paper's four branches (the
 * rational cubic interpolations of s, or of the lower and upper maps, on
 * [0, b_l], [b_l, b_c], [b_c, b_u], [b_u, b_max]) and two Householder steps
 * of order three on the branch's objective: 1/ln b - 1/ln beta below b_l,
 * b - beta in the middle, ln(b_max - beta) - ln(b_max - b) above b_u.
 *
 * The polynomials (erfcx, the asymptotic Mills ratio, the inverse normal
 * CDF) are Chebyshev interpolants computed by tools/gen_lbr_coef.py.
 */
#include <float.h>
#include <math.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "lbr.h"

#define INV_SQRT2PI 0.39894228040143267794  /* phi(0) = 1/sqrt(2 pi) */
#define SQRT_PI_2 1.25331413731550025121    /* sqrt(pi/2) */
#define HALF_SQRT_PI 0.88622692545275801365 /* sqrt(pi)/2 */
#define SQRT1_2 0.70710678118654752440	    /* 1/sqrt(2) */
#define SQRT3 1.73205080756887729353
#define TWO_PI_OVER_SQRT27 1.20919957615614523 /* 2 pi / 3^{3/2} */
#define PI_OVER_2 1.57079632679489661923

/* The regimes' borders (Jäckel §3): ETA for the asymptotic expansion,
 * TAU = 2 DBL_EPSILON^{1/16} for the small-t series, D_IV for the form
 * b = b_max - (b_max - b). */
#define ETA (-10.0)
#define TAU 0.21022410381342863
#define D_IV 0.85

/* The rational cubic's control parameter: at R_MAX it is as good as the
 * straight line; R_MIN keeps its denominator positive. */
#define R_MAX 1e12
#define R_MIN (-(1 - 1.4901161193847656e-08))

/* Small functions the chain's loops call must be inlined into them for the
 * loops to vectorise (into each of lbr_implied_vol_chain's clones). */
#if defined(__GNUC__)
#define LBR_INLINE static inline __attribute__((always_inline))
#else
#define LBR_INLINE static inline
#endif

/* erfcx(x) = y P(u), y = 3/(3+x), u = 1.5y - 1; max rel. error 6.86e-18 */
static const double erfcx_c[29] = {
	0.48237812468147623,	 0.62207657001330408,	  0.58655657090204139,
	0.3929655707064677,	 0.16643269887762491,	  0.023462579667542866,
	-0.016730549604327814,	 -0.0076849765006558437,  0.0018659176170260508,
	0.0016151235662777094,	 -0.00036819035883561884, -0.00033082075921796124,
	0.00011697866535521662,	 6.0708518450454282e-05,  -4.0360133825851645e-05,
	-6.0158082145281636e-06, 1.2183425149982861e-05,  -2.102713233599149e-06,
	-2.6794245131200263e-06, 1.6169369396134808e-06,  1.7400936008471472e-07,
	-6.0220397548920912e-07, 1.7380602833956956e-07,  1.4494990191824226e-07,
	-9.1314819160799874e-08, -2.11689547992679e-08,	  2.2387329567199923e-08,
	1.3977030944650655e-09,	 -2.4168162357496277e-09,
};
/* R(d) |d| = A(1/d^2) for d <= -9.75; max rel. error 7.8e-18 */
static const double asym_c[10] = {
	1,
	-0.99999999999985145,
	2.9999999995317088,
	-14.999999424640832,
	104.99963896113555,
	-944.86883212312102,
	10365.628417740425,
	-130976.54357889399,
	1655872.1232574428,
	-14167385.281494347,
};
/* ppf(1/2 + q) = q C(2q^2/0.425^2 - 1), |q| <= 0.425; max rel. error 4.16e-17 */
static const double ppf_c[29] = {
	2.806736249905641,	 0.38539042352010411,	  0.11648711641770028,
	0.044072120802415432,	 0.018552375744209575,	  0.0083112615341604558,
	0.0038780801593561441,	 0.0018621869577036992,	  0.00091342564846094623,
	0.00045545914017306339,	 0.00023008631307719598,  0.00011748900375190951,
	6.0515758570462994e-05,	 3.1328865899985207e-05,  1.6358028067587383e-05,
	8.8221332804275282e-06,	 4.6586804490902561e-06,  1.9401307121358318e-06,
	1.0240315304878534e-06,	 1.3982227817207968e-06,  7.5753802345009798e-07,
	-5.6678492351771306e-07, -3.1264291025496273e-07, 6.0060359250054747e-07,
	3.2868225578770732e-07,	 -2.2196273314935835e-07, -1.2169741804249415e-07,
	5.6915764336269574e-08,	 3.1146670181569422e-08,
};
/* ppf(p) = -t T((2 ln t - (L0 + L1))/(L1 - L0)), t = sqrt(-2 ln p), p < 0.075; max rel.
 * error 2.58e-17 */
static const double ppf_t[25] = {
	0.9636984379810376,	 0.087326837684537723,	  -0.10228395849385562,
	0.077125052314786682,	 -0.041579198089017291,	  0.016729981281241296,
	-0.0050212694400627146,	 0.0010499704311750489,	  -0.00011206796475754948,
	-5.7339218232502088e-06, -4.0547605514536855e-06, 7.9237329215366432e-06,
	-3.6923045865220384e-06, 1.0343131774076511e-07,  8.3906552724108351e-07,
	-4.5674802123331547e-07, 4.7033842581761179e-09,  1.3470680279727689e-07,
	-6.6780921841841627e-08, -1.5109583006473982e-08, 2.4185722882758825e-08,
	-1.5410886832488038e-09, -4.5138460531803122e-09, 5.1899074032237169e-10,
	3.8476578623766687e-10,
};
#define PPF_T_L0 0.82245410181665302
#define PPF_T_L1 3.653355100270022
/* the same to degree 16 (the chain's guess and first step); max rel. error 1.48e-10 */
static const double erfcx_lo_c[17] = {
	0.48237812468147623,	 0.62207656983338466,	  0.58655657124667615,
	0.39296557928769887,	 0.16643268225236846,	  0.023462461444368709,
	-0.01673031402928913,	 -0.0076842557064495222,  0.0018644059309323566,
	0.0016128548988985701,	 -0.00036298397998337005, -0.00032701595374928262,
	0.00010661311196619244,	 5.7757358966634171e-05,  -2.820633007607495e-05,
	-6.1745726662839643e-06, 4.0782501657365315e-06,
};
/* ppf(1/2 + q) to degree 12 (the chain's guess); max rel. error 1.33e-8 */
static const double ppf_c_lo[13] = {
	2.806736249905641,	0.38539014884597883,	0.11648697150342611,
	0.044079734890678061,	0.018556392500314982,	0.0082518627788348686,
	0.0038467513149871169,	0.0020565402817262234,	0.0010158941371547524,
	0.00015814162678084721, 7.3444492044418268e-05, 0.00031584126664840109,
	0.00016485430702458707,
};
/* ppf(p) = -t T(2 (1/t - V0)/(V1 - V0) - 1), t = sqrt(-2 ln p), p < 0.075, degree 10 (the chain's
 * guess); max rel. error 7.09e-7 */
static const double ppf_t_lo[11] = {
	0.86685635031625308,	-0.1929993797113366,	 -0.048845240886179295,
	0.0093880151180778422,	-0.0026326738461033119,	 0.0011739122706903174,
	-0.0005823297209766817, -0.00016092707398503297, 0.00015144969382072852,
	0.00036417833267054871, -0.00025225905170598922,
};
#define PPF_T_V0 0.025904072059247378
#define PPF_T_V1 0.43935211557359616
/* ---- erfcx ---- */

/*
 * sum_{i<n} c[i] u^i as four interleaved Horner chains in u^4 (Estrin's
 * idea, one level): a quarter of Horner's latency for the same work, and
 * within an ulp of it on these well-conditioned polynomials.
 */
LBR_INLINE double poly4(const double *c, int n, double u)
{
	double u2 = u * u, u4 = u2 * u2, p[4];
	int j, i;

	/* unrolled, so that the chain's loops are straight code to vectorise */
#pragma GCC unroll 4
	for (j = 0; j < 4; j++) {
		i = j + ((n - 1 - j) / 4) * 4;
		p[j] = c[i];
#pragma GCC unroll 8
		for (i -= 4; i >= 0; i -= 4)
			p[j] = p[j] * u4 + c[i];
	}
	return (p[0] + u * p[1]) + u2 * (p[2] + u * p[3]);
}

/* The derivative of that polynomial at u: poly4 on the coefficients
 * (k + 1) c[k + 1], k < n - 1. */
LBR_INLINE double poly4_deriv(const double *c, int n, double u)
{
	double u2 = u * u, u4 = u2 * u2, p[4];
	int j, k;

#pragma GCC unroll 4
	for (j = 0; j < 4; j++) {
		k = j + ((n - 2 - j) / 4) * 4;
		p[j] = (k + 1) * c[k + 1];
#pragma GCC unroll 8
		for (k -= 4; k >= 0; k -= 4)
			p[j] = p[j] * u4 + (k + 1) * c[k + 1];
	}
	return (p[0] + u * p[1]) + u2 * (p[2] + u * p[3]);
}

/* erfcx's polynomial at u. */
LBR_INLINE double erfcx_poly(double u)
{
	return poly4(erfcx_c, 29, u);
}

/* erfcx(x) for x >= -0.75 (the polynomial's domain). */
LBR_INLINE double erfcx_pos(double x)
{
	double y = 3 / (3 + x);

	return y * erfcx_poly(1.5 * y - 1);
}

/* erfcx(x) and, in *d, its derivative, for x >= -0.75. The derivative
 * comes from the polynomial's, so it keeps its relative precision where
 * 2 x erfcx(x) - 2/sqrt(pi) would cancel (large x). */
LBR_INLINE double erfcx_pos_d(double x, double *d)
{
	double y = 3 / (3 + x), u = 1.5 * y - 1;
	double p = erfcx_poly(u), dp = poly4_deriv(erfcx_c, 29, u);

	/* d/dx (y P(u)) with dy/dx = -y^2/3 and du/dy = 1.5 */
	*d = -(y * y / 3) * (p + 1.5 * y * dp);
	return y * p;
}

/* erfcx to 1.5e-10 (degree 16), for lbr_implied_vol_chain's guess and first step. */
LBR_INLINE double erfcx_lo(double x)
{
	double y = 3 / (3 + x);

	return y * poly4(erfcx_lo_c, 17, 1.5 * y - 1);
}

/* e^{x^2} to the precision of x itself: x is split so that its high part
 * squares exactly (the rounding of x^2 would cost x^2 ulps). */
static double exp_x2(double x)
{
	double hi = (double)(float)x, lo = x - hi;

	return exp(hi * hi) * exp(lo * (x + hi));
}

double lbr_erfcx(double x)
{
	if (isnan(x))
		return x;
	if (x >= -0.75)
		return erfcx_pos(x);
	if (x < -26.63)
		return INFINITY;
	return 2 * exp_x2(x) - erfcx_pos(-x);
}

/* ---- the inverse normal CDF ---- */

/* ppf(1/2 + q) for |q| <= 0.425. */
LBR_INLINE double ppf_central(double q)
{
	return q * poly4(ppf_c, 29, 2 * q * q * (1 / 0.180625) - 1);
}

/* ppf(p) for 0 < p < 0.075 (negative). */
static inline double ppf_tail(double p)
{
	double t = sqrt(-2 * log(p));
	double u = (2 * log(t) - (PPF_T_L0 + PPF_T_L1)) / (PPF_T_L1 - PPF_T_L0);

	return -t * poly4(ppf_t, 25, u);
}

double lbr_norm_ppf(double p)
{
	double q = p - 0.5;

	if (!(p >= 0 && p <= 1))
		return NAN;
	if (fabs(q) <= 0.425)
		return ppf_central(q);
	if (p == 0)
		return -INFINITY;
	if (p == 1)
		return INFINITY;
	return q < 0 ? ppf_tail(p) : -ppf_tail(1 - p); /* 1 - p is exact here */
}

/* ---- the normalised Black function ---- */

/*
 * b = e^{-(h^2+t^2)/2} m in regime I: m = phi(0) (R(d1) - R(d2)), R the
 * Mills ratio, R(d) = sum_k a_k |d|^{-(2k+1)} (asym_c), so the difference
 * is (u - w) sum_k a_k E_k with u = 1/|d1|, w = 1/|d2|, u - w = 2 t u w and
 * E_k = sum_{i=0}^{2k} u^i w^{2k-i} = u^2 E_{k-1} + w^{2k-1} (u + w), every
 * term positive.
 */
LBR_INLINE double m_asym_uw(double t, double u, double w)
{
	double u2 = u * u, w2 = w * w, uw = u + w;
	double e = 1, wp = w, sum = asym_c[0];
	int k;

#pragma GCC unroll 9
	for (k = 1; k < 10; k++) {
		e = u2 * e + wp * uw;
		wp *= w2;
		sum += asym_c[k] * e;
	}
	return 2 * INV_SQRT2PI * t * u * w * sum;
}

/* m_asym_uw's first five terms (1e-7 relative): the chain's guess. */
LBR_INLINE double m_asym_lo(double t, double u, double w)
{
	double u2 = u * u, w2 = w * w, uw = u + w;
	double e = 1, wp = w, sum = asym_c[0];
	int k;

#pragma GCC unroll 4
	for (k = 1; k < 5; k++) {
		e = u2 * e + wp * uw;
		wp *= w2;
		sum += asym_c[k] * e;
	}
	return 2 * INV_SQRT2PI * t * u * w * sum;
}

LBR_INLINE double m_asym(double h, double t)
{
	return m_asym_uw(t, -1 / (h + t), -1 / (h - t));
}

/*
 * m in regime II: m = phi(0) (R(h+t) - R(h-t)) = 2 phi(0) sum over odd k
 * of R^(k)(h) t^k / k!, with R' = 1 + h R from erfcx's derivative (no
 * cancellation) and R^(k+1) = h R^(k) + k R^(k-1). Terms to t^15: the next
 * is below 1e-19 of the sum for t < TAU.
 */
static inline double m_small(double h, double t)
{
	double f1, f0 = erfcx_pos_d(-h * SQRT1_2, &f1);
	double a0 = SQRT_PI_2 * f0, a1 = -HALF_SQRT_PI * f1;
	double a2 = h * a1 + a0, a3 = h * a2 + 2 * a1, a4 = h * a3 + 3 * a2;
	double a5 = h * a4 + 4 * a3, a6 = h * a5 + 5 * a4, a7 = h * a6 + 6 * a5;
	double a8 = h * a7 + 7 * a6, a9 = h * a8 + 8 * a7, a10 = h * a9 + 9 * a8;
	double a11 = h * a10 + 10 * a9, a12 = h * a11 + 11 * a10, a13 = h * a12 + 12 * a11;
	double a14 = h * a13 + 13 * a12, a15 = h * a14 + 14 * a13;
	double t2 = t * t;
	double sum = a13 * (1 / 6227020800.0) + t2 * (a15 * (1 / 1307674368000.0));

	sum = a11 * (1 / 39916800.0) + t2 * sum;
	sum = a9 * (1 / 362880.0) + t2 * sum;
	sum = a7 * (1 / 5040.0) + t2 * sum;
	sum = a5 * (1 / 120.0) + t2 * sum;
	sum = a3 * (1 / 6.0) + t2 * sum;
	sum = a1 + t2 * sum;
	return 2 * INV_SQRT2PI * t * sum;
}

/* b(x, s) of an out-of-the-money call and what the Householder steps need. */
struct bval {
	double b;   /* b(x, s) */
	double c;   /* b_max - b, with its own relative precision */
	double v;   /* b'(s) = phi(0) e^{-(h^2+t^2)/2} */
	double lnb; /* ln b, when asked for (NEED_LNB) */
	double vb;  /* b'(s) / b, NEED_LNB */
	double lnc; /* ln c, NEED_LNC */
	double vc;  /* b'(s) / c, NEED_LNC */
};

enum { NEED_LNB = 1, NEED_LNC = 2 };

/* Fills *r for x <= 0, s > 0 and bmax = e^{x/2}; need says which of the
 * logarithmic fields to fill. */
static void bval(double x, double s, double bmax, int need, struct bval *r)
{
	double h = x / s, t = 0.5 * s, d1 = h + t, e = 0.5 * (h * h + t * t);
	double E = exp(-e), m;

	r->v = INV_SQRT2PI * E;
	if (d1 > D_IV) {
		/* IV: b_max - b = e^{x/2} Phi(-d1) + e^{-x/2} Phi(d2) = E cs */
		double cs = 0.5 * (erfcx_pos(d1 * SQRT1_2) + erfcx_pos((t - h) * SQRT1_2));

		r->c = E * cs;
		r->b = bmax - r->c;
		if (need & NEED_LNB) {
			r->lnb = log(r->b);
			r->vb = r->v / r->b;
		}
		if (need & NEED_LNC) {
			r->lnc = log(cs) - e;
			r->vc = INV_SQRT2PI / cs;
		}
		return;
	}
	if (h < ETA && d1 < ETA + TAU)
		m = m_asym(h, t);
	else if (t < TAU)
		m = m_small(h, t);
	else /* III */
		m = 0.5 * (erfcx_pos(-d1 * SQRT1_2) - erfcx_pos((t - h) * SQRT1_2));
	r->b = E * m;
	r->c = bmax - r->b;
	if (need & NEED_LNB) {
		r->lnb = log(m) - e;
		r->vb = INV_SQRT2PI / m;
	}
	if (need & NEED_LNC) {
		r->lnc = log(r->c);
		r->vc = r->v / r->c;
	}
}

/* b(x, s) out of the money (x <= 0), s >= 0. */
static double black_otm(double x, double s)
{
	struct bval r;

	if (!(s > 0))
		return 0;
	if (isinf(s))
		return exp(0.5 * x);
	bval(x, s, exp(0.5 * x), 0, &r);
	return r.b;
}

double lbr_normalised_black(double x, double s, char right)
{
	if ((right != 'C' && right != 'P') || isnan(x) || !(s >= 0))
		return NAN;
	if (right == 'P')
		x = -x;
	if (x <= 0)
		return black_otm(x, s);
	/* in the money: 2 sinh(x/2) = -e^{x/2} expm1(-x), plus the put */
	return -exp(0.5 * x) * expm1(-x) + black_otm(-x, s);
}

/* ---- the rational cubic (Delbourgo and Gregory 1985) ---- */

/*
 * The interpolant on [x_l, x_r] of width w with values y_l, y_r, slopes
 * d_l, d_r and control parameter r, at the point a fraction z of the way
 * (zc = 1 - z, passed in for its precision):
 *	(y_r z^3 + (r y_r - w d_r) z^2 zc + (r y_l + w d_l) z zc^2 + y_l zc^3)
 *	/ (1 + (r - 3) z zc).
 * r = 3 is the cubic Hermite interpolant, r -> infinity the straight line.
 */
LBR_INLINE double rcubic(double z, double zc, double w, double yl, double yr, double dl, double dr,
			 double r)
{
	double num = yr * z * z * z + (r * yr - w * dr) * z * z * zc +
		     (r * yl + w * dl) * z * zc * zc + yl * zc * zc * zc;

	return num / (1 + (r - 3) * z * zc);
}

/*
 * The smallest r for which the interpolant keeps the data's shape: monotone
 * when both slopes have the sign of the secant delta (r >= (d_l + d_r) /
 * delta), and convex or concave as the data are (the second derivative at
 * both ends, 2 (r (delta - d_l) - (d_r - d_l)) / w at the left and
 * 2 (r (d_r - delta) - (d_r - d_l)) / w at the right, keeps its sign).
 */
static inline double rcubic_min_r(double dl, double dr, double delta)
{
	int mono = dl * delta >= 0 && dr * delta >= 0;
	int convex = dl <= delta && delta <= dr, concave = dl >= delta && delta >= dr;
	double r1 = R_MIN, r2 = R_MIN;

	if (mono)
		r1 = delta != 0 ? (dr + dl) / delta : R_MAX;
	if (convex || concave) {
		double a = delta - dl, b = dr - delta;

		r2 = a != 0 && b != 0 ? fmax(fabs((dr - dl) / b), fabs((dr - dl) / a)) : R_MAX;
	}
	return fmin(fmax(r1, r2), R_MAX);
}

/* r matching the second derivative d2 at the left end (the left end's
 * expression above solved for r), kept at least the minimum. */
static inline double rcubic_r_left(double w, double delta, double dl, double dr, double d2)
{
	double num = 0.5 * w * d2 + (dr - dl), den = delta - dl;
	double r = den != 0 ? num / den : (num > 0 ? R_MAX : R_MIN);

	return fmin(fmax(r, rcubic_min_r(dl, dr, delta)), R_MAX);
}

/* The same at the right end. */
static inline double rcubic_r_right(double w, double delta, double dl, double dr, double d2)
{
	double num = 0.5 * w * d2 + (dr - dl), den = dr - delta;
	double r = den != 0 ? num / den : (num > 0 ? R_MAX : R_MIN);

	return fmin(fmax(r, rcubic_min_r(dl, dr, delta)), R_MAX);
}

/* ---- the inverse ---- */

enum objective { OBJ_LOWER, OBJ_MIDDLE, OBJ_UPPER };

/*
 * The initial guess of s for 0 < beta < b_max = e^{x/2} (beta_c = b_max -
 * beta), x <= 0, and which objective the Householder steps use.
 *
 * s_c = sqrt(2|x|) is b's inflection point, b_c = b(x, s_c) = b_max (1 -
 * erfcx(sqrt|x|)) / 2 and b'(s_c) = phi(0) b_max; the tangent there meets
 * 0 at s_l and b_max at s_u. Between b_l = b(s_l) and b_u = b(s_u) s is
 * interpolated directly; below b_l the interpolated quantity is the lower
 * map f_l(s) = 2 pi |x| / 3^{3/2} Phi(-|x| / (sqrt(3) s))^3, which behaves
 * like b as s -> 0 and inverts in closed form; above b_u it is the upper
 * map f_u(s) = Phi(-s/2), which behaves like (b_max - b)/2 as s -> inf.
 */
static double lbr_guess(double x, double beta, double beta_c, double bmax, enum objective *obj)
{
	double ax = -x, sc = sqrt(2 * ax), ex = erfcx_pos(sqrt(ax));
	double bc = 0.5 * bmax * (1 - ex), vc = INV_SQRT2PI * bmax;
	struct bval r;

	if (beta <= bc) {
		double sl = sc - bc / vc, bl = 0, vl = 0;

		if (sl > 0) {
			bval(x, sl, bmax, 0, &r);
			bl = r.b;
			vl = r.v;
		}
		if (beta < bl) {
			/* the lower map: f_l, df/dbeta and d2f/dbeta2 at s_l */
			double z = -ax / (SQRT3 * sl), y = z * z;
			double ez = erfcx_pos(-z * SQRT1_2); /* Phi(z) = ez/2 e^{-y/2} */
			double phi3 = 0.125 * ez * ez * ez * exp(-1.5 * y);
			double a = TWO_PI_OVER_SQRT27 * ax, fl = a * phi3;
			double dfl = PI_OVER_2 * y * ez * ez * exp(0.125 * sl * sl);
			/* f_ss/f_s = z' (2 phi(z)/Phi(z) - z) - 2/s, z' = -z/s */
			double fss = -z / sl * (2 / (SQRT_PI_2 * ez) - z) - 2 / sl;
			double bss = x * x / (sl * sl * sl) - 0.25 * sl;
			double d2fl = (fss - bss) * dfl / vl;
			double rl = rcubic_r_right(bl, fl / bl, 1, dfl, d2fl);
			double f = rcubic(beta / bl, (bl - beta) / bl, bl, 0, fl, 1, dfl, rl);

			if (!(f > 0)) { /* roundoff for extreme x: the quadratic */
				double tt = beta / bl;

				f = (fl * tt + bl * (1 - tt)) * tt;
			}
			if (!(f > 0)) /* underflow (subnormal beta): f'(0) = 1 */
				f = beta;
			*obj = OBJ_LOWER;
			return ax / (-SQRT3 * lbr_norm_ppf(cbrt(f) / cbrt(a)));
		}
		*obj = OBJ_MIDDLE;
		if (!(sl > 0)) /* no left interval: the line through 0 */
			return sc * beta / bc;
		{
			double w = bc - bl, dl = 1 / vl, dr = 1 / vc, delta = (sc - sl) / w;
			double rr = rcubic_r_right(w, delta, dl, dr, 0);

			return rcubic((beta - bl) / w, (bc - beta) / w, w, sl, sc, dl, dr, rr);
		}
	}
	{
		double su = sc + 0.5 * bmax * (1 + ex) / vc, bu, vu, cu;

		bval(x, su, bmax, 0, &r);
		bu = r.b;
		vu = r.v;
		cu = r.c;
		if (beta <= bu) {
			double w = bu - bc, dl = 1 / vc, dr = 1 / vu, delta = (su - sc) / w;
			double rr = rcubic_r_left(w, delta, dl, dr, 0);

			*obj = OBJ_MIDDLE;
			return rcubic((beta - bc) / w, (bu - beta) / w, w, sc, su, dl, dr, rr);
		}
		{
			/* the upper map: f_u = Phi(-s_u/2), df/dbeta = -e^{x^2/(2 s^2)}/2,
			 * d2f/dbeta2 = sqrt(2 pi) x^2 e^{x^2/s^2 + s^2/8} / (2 s^3) */
			double hh = x / su, q = 0.5 * hh * hh;
			double fu = 0.5 * erfcx_pos(su * 0.5 * SQRT1_2) * exp(-0.125 * su * su);
			double dfu = -0.5 * exp(q);
			double d2fu =
				0.5 / INV_SQRT2PI * hh * hh / su * exp(2 * q + 0.125 * su * su);
			double rr = rcubic_r_left(cu, -fu / cu, dfu, -0.5, d2fu);
			double f =
				rcubic((cu - beta_c) / cu, beta_c / cu, cu, fu, 0, dfu, -0.5, rr);

			if (!(f > 0)) {
				double tc = beta_c / cu;

				f = (fu * tc + 0.5 * cu * (1 - tc)) * tc;
			}
			*obj = OBJ_UPPER;
			return -2 * lbr_norm_ppf(f);
		}
	}
}

/* One Householder step of order three: nu = -g/g', h2 = g''/g', h3 = g'''/g'. */
LBR_INLINE double householder(double nu, double h2, double h3)
{
	return nu * (1 + 0.5 * h2 * nu) / (1 + nu * (h2 + h3 * nu / 6));
}

double lbr_implied_s(double x, double beta, double beta_c)
{
	double bmax, s, ln_beta, ln_beta_c;
	enum objective obj;
	int i;

	if (!(x <= 0) || !(beta > 0) || !(beta_c > 0) || isinf(beta) || isinf(beta_c))
		return NAN;
	bmax = exp(0.5 * x);
	s = lbr_guess(x, beta, beta_c, bmax, &obj);
	ln_beta = log(beta);
	ln_beta_c = log(beta_c);
	for (i = 0; i < 2; i++) {
		struct bval r;
		double h = x / s, b2 = h * h / s - 0.25 * s;	  /* b''/b' */
		double b3 = b2 * b2 - 3 * h * h / (s * s) - 0.25; /* b'''/b' */
		double nu, h2, h3, ds;

		bval(x, s, bmax, obj == OBJ_LOWER ? NEED_LNB : obj == OBJ_UPPER ? NEED_LNC : 0, &r);
		if (obj == OBJ_LOWER) {
			double L = r.lnb, lam = r.vb, k = 1 + 2 / L;

			nu = (ln_beta - L) * L / (ln_beta * lam);
			h2 = b2 - lam * k;
			h3 = b3 + lam * lam * (2 + 6 / L + 6 / (L * L)) - 3 * lam * k * b2;
		} else if (obj == OBJ_MIDDLE) {
			nu = (beta - r.b) / r.v;
			h2 = b2;
			h3 = b3;
		} else {
			double kap = r.vc;

			nu = (r.lnc - ln_beta_c) / kap;
			h2 = kap + b2;
			h3 = 2 * kap * kap + 3 * kap * b2 + b3;
		}
		ds = householder(nu, h2, h3);
		if (!(ds > -0.5 * s)) /* never more than halve s (and on NAN, stay) */
			ds = isnan(ds) ? 0 : -0.5 * s;
		s += ds;
	}
	return s;
}

double lbr_log_ratio(double a, double b)
{
	/* ln(1 + |a - b| / min(a, b)) with the sign of a - b: a - b is exact
	 * for a/b in [1/2, 2] (Sterbenz), so log1p keeps the relative precision
	 * of its argument near the money; far from it the argument's rounding
	 * costs less than an ulp of the logarithm. */
	return a >= b ? log1p((a - b) / b) : -log1p((b - a) / a);
}

/* sqrt(F K) without overflow or underflow. */
static double sqrt_fk(double F, double K)
{
	double p = F * K;

	return isnormal(p) ? sqrt(p) : sqrt(F) * sqrt(K);
}

static int valid_fk(double F, double K, double T, char right)
{
	return (right == 'C' || right == 'P') && F > 0 && K > 0 && isfinite(F) && isfinite(K) &&
	       T >= 0 && isfinite(T);
}

double lbr_black(double F, double K, double sigma, double T, char right)
{
	double intr;

	if (!valid_fk(F, K, T, right) || !(sigma >= 0) || !isfinite(sigma))
		return NAN;
	intr = right == 'C' ? fmax(F - K, 0) : fmax(K - F, 0);
	return intr + sqrt_fk(F, K) * black_otm(-fabs(lbr_log_ratio(F, K)), sigma * sqrt(T));
}

double lbr_implied_vol(double price, double F, double K, double T, char right)
{
	double intr, upper, norm, beta, beta_c;

	if (!valid_fk(F, K, T, right) || !(T > 0) || !isfinite(price))
		return NAN;
	intr = right == 'C' ? fmax(F - K, 0) : fmax(K - F, 0);
	upper = right == 'C' ? F : K;
	if (!(price > intr && price < upper))
		return NAN;
	norm = sqrt_fk(F, K);
	/* the time value and the distance to the upper bound, each normalised;
	 * never 0 for a price strictly inside the bounds */
	beta = fmax((price - intr) / norm, DBL_TRUE_MIN);
	beta_c = fmax((upper - price) / norm, DBL_TRUE_MIN);
	return lbr_implied_s(-fabs(lbr_log_ratio(F, K)), beta, beta_c) / sqrt(T);
}

/* ---- the whole chain ---- */

/*
 * lbr_implied_vol_chain runs the scalar algorithm above on blocks of
 * CHAIN_BLOCK options, one stage at a time over the block (structure of
 * arrays), with every branch of the scalar code turned into a blend: each
 * lane computes every regime of b and every branch of the guess and keeps
 * its own, so each stage is a straight loop with no call in it, which gcc
 * vectorises (the Makefile's per-file flags for lbr.c: no errno, so sqrt
 * is an instruction; no FP traps, so comparisons are blends; the dynamic
 * cost model). Built by gcc on x86-64, chain_block is cloned for AVX-512
 * and AVX2 (x86-64-v4 and v3, with FMA; chosen at load time by the CPU)
 * besides the baseline's SSE2. Where the scalar code is exact the chain
 * need not be: the guess and the first Householder step use erfcx to
 * degree 16, the asymptotic and small-t series truncated and a 1e-6
 * inverse normal CDF (the second, full-precision step repairs it all), and
 * exp and ln are its own, inline (chain_exp, chain_log: vector math calls
 * would make the compiler save every live vector register around them).
 * The few options whose inputs the blends do not cover (F K out of the
 * normal range, a normalised price or its complement below DBL_MIN,
 * |ln F/K| > 700) and any whose result is not a finite positive number are
 * recomputed by lbr_implied_vol.
 */
#if defined(__GNUC__) && !defined(__clang__) && defined(__x86_64__)
#define CHAIN_CLONES __attribute__((target_clones("arch=x86-64-v4", "arch=x86-64-v3", "default")))
#else
#define CHAIN_CLONES
#endif

#define CHAIN_BLOCK 128

/* The stages' arrays for one block. */
struct chain_block {
	double x[CHAIN_BLOCK], beta[CHAIN_BLOCK], betac[CHAIN_BLOCK], bmax[CHAIN_BLOCK];
	double sc[CHAIN_BLOCK], bc[CHAIN_BLOCK], sl[CHAIN_BLOCK], su[CHAIN_BLOCK];
	double se[CHAIN_BLOCK], be[CHAIN_BLOCK], ve[CHAIN_BLOCK], ce[CHAIN_BLOCK];
	double s[CHAIN_BLOCK], obj[CHAIN_BLOCK], lnb0[CHAIN_BLOCK], ok[CHAIN_BLOCK];
	double f[CHAIN_BLOCK], a[CHAIN_BLOCK], rvc[CHAIN_BLOCK];
	/* chain_b1 and chain_b2's results */
	double h[CHAIN_BLOCK], rs[CHAIN_BLOCK], e[CHAIN_BLOCK], f1[CHAIN_BLOCK], f2[CHAIN_BLOCK];
	double m1[CHAIN_BLOCK], m2[CHAIN_BLOCK];
};

/* c ? a : b. The chain's flags are ints combined with & and |, not && and
 * ||: short circuits are branches, which keep gcc from vectorising. */
LBR_INLINE double sel(int c, double a, double b)
{
	return c ? a : b;
}

static inline uint64_t dbl_bits(double d)
{
	uint64_t u;

	memcpy(&u, &d, sizeof(u));
	return u;
}

static inline double bits_dbl(uint64_t u)
{
	double d;

	memcpy(&d, &u, sizeof(d));
	return d;
}

#define LN2_HI 0.693147180369123816490 /* 0x3FE62E42FEE00000: k LN2_HI is exact */
#define LN2_LO 1.90821492927058770002e-10
#define LOG2E 1.44269504088896340736
#define SHIFT52 6755399441055744.0 /* 1.5 2^52: x + SHIFT52 rounds x to an integer */

/*
 * e^x and ln x for the chain's loops, written out so that they vectorise
 * with no call in the loop. Within 1 and 2 ulps of the true value (checked
 * against libm on 2 million points when written).
 * e^x: x = k ln 2 + r, |r| <= ln2/2, the Taylor polynomial of e^r to r^13,
 * times 2^k as two powers of two (so subnormal and infinite results come
 * out right).
 */
LBR_INLINE double chain_exp(double x)
{
	double xc = x > 760 ? 760 : x < -760 ? -760 : x;
	double kd = xc * LOG2E + SHIFT52, k = kd - SHIFT52;
	double r = (xc - k * LN2_HI) - k * LN2_LO, p = 1 / 6227020800.0;
	int64_t ki = (int64_t)(dbl_bits(kd) - dbl_bits(SHIFT52)), k1 = ki / 2, k2 = ki - k1;

	p = p * r + 1 / 479001600.0;
	p = p * r + 1 / 39916800.0;
	p = p * r + 1 / 3628800.0;
	p = p * r + 1 / 362880.0;
	p = p * r + 1 / 40320.0;
	p = p * r + 1 / 5040.0;
	p = p * r + 1 / 720.0;
	p = p * r + 1 / 120.0;
	p = p * r + 1 / 24.0;
	p = p * r + 1 / 6.0;
	p = p * r + 0.5;
	p = p * r + 1;
	p = p * r + 1;
	return p * bits_dbl((uint64_t)(k1 + 1023) << 52) * bits_dbl((uint64_t)(k2 + 1023) << 52);
}

/* ln x for x > 0: x = 2^k m, m in [sqrt(1/2), sqrt 2), ln m = 2 atanh(s) with
 * s = (m - 1)/(m + 1), |s| < 0.172, the series to s^21. */
LBR_INLINE double chain_log(double x)
{
	int sub = x < DBL_MIN;
	double xs = sel(sub, x * 18014398509481984.0, x); /* 2^54 */
	uint64_t b = dbl_bits(xs);
	int64_t k = (int64_t)(b - 0x3FE6A09E667F3BCDull) >> 52; /* 0x3FE6A... = sqrt(1/2) */
	double m = bits_dbl(b - ((uint64_t)k << 52));
	double kd = bits_dbl(dbl_bits(SHIFT52) + (uint64_t)k) - SHIFT52 - sel(sub, 54, 0);
	double f = m - 1, s = f / (2 + f), s2 = s * s, p = 1 / 21.0;

	p = p * s2 + 1 / 19.0;
	p = p * s2 + 1 / 17.0;
	p = p * s2 + 1 / 15.0;
	p = p * s2 + 1 / 13.0;
	p = p * s2 + 1 / 11.0;
	p = p * s2 + 1 / 9.0;
	p = p * s2 + 1 / 7.0;
	p = p * s2 + 1 / 5.0;
	p = p * s2 + 1 / 3.0;
	return kd * LN2_HI + ((2 * s + 2 * s * s2 * p) + kd * LN2_LO);
}

/* ln(1 + z), z > -1: ln u for u = 1 + z, corrected for the rounding of u. */
LBR_INLINE double chain_log1p(double z)
{
	double u = 1 + z;

	return chain_log(u) - ((u - 1) - z) / u;
}

/*
 * bval's blend, in three loops over the block (chain_b1, chain_b2,
 * chain_b3): each loop's body is short enough for the processor to overlap
 * consecutive iterations, where one long body would wait on its own chain
 * of dependent operations (the small-t recursion above all). Every regime
 * is computed and the lane's is kept. Two differences from bval, both
 * below the iteration's sensitivity: R' = 1 + h R in the small-t series is
 * computed as written (it loses up to (x/s)^2 ulps of b where the
 * elasticity of b is that large too, so s keeps its digits), and 1/|d1|,
 * 1/|d2| share one division.
 */

/* At s for lane i (w->s or w->se): h = x/s, the exponential, both erfcx
 * values and the asymptotic m. */
LBR_INLINE void chain_b1(struct chain_block *restrict w, size_t i, double s, int lo)
{
	double rs = 1 / s, h = w->x[i] * rs, t = 0.5 * s, d1 = h + t, d2 = h - t;
	double dd = 1 / (d1 * d2);
	int is4 = d1 > D_IV, is1 = (h < ETA) & (d1 < ETA + TAU), is2 = !is1 & (t < TAU);

	w->h[i] = h;
	w->rs[i] = rs;
	w->e[i] = 0.5 * (h * h + t * t);
	double a1 = sel(is2, -h, sel(is4, d1, -d1)) * SQRT1_2, a2 = -d2 * SQRT1_2;

	w->f1[i] = lo ? erfcx_lo(a1) : erfcx_pos(a1);
	w->f2[i] = lo ? erfcx_lo(a2) : erfcx_pos(a2);
	w->m1[i] = lo ? m_asym_lo(t, -d2 * dd, -d1 * dd) : m_asym_uw(t, -d2 * dd, -d1 * dd);
}

/* The small-t m, from h and f1 = erfcx(-h/sqrt 2); with lo, to t^9 (a
 * relative 1e-11 for t < TAU). */
LBR_INLINE void chain_b2(struct chain_block *restrict w, size_t i, double s, int lo)
{
	double h = w->h[i], t = 0.5 * s, a0 = SQRT_PI_2 * w->f1[i], r1 = 1 + h * a0;
	double a2 = h * r1 + a0, a3 = h * a2 + 2 * r1, a4 = h * a3 + 3 * a2;
	double a5 = h * a4 + 4 * a3, a6 = h * a5 + 5 * a4, a7 = h * a6 + 6 * a5;
	double a8 = h * a7 + 7 * a6, a9 = h * a8 + 8 * a7, a10 = h * a9 + 9 * a8;
	double t2 = t * t, sum = a9 * (1 / 362880.0);

	if (!lo) {
		double a11 = h * a10 + 10 * a9, a12 = h * a11 + 11 * a10;
		double a13 = h * a12 + 12 * a11, a14 = h * a13 + 13 * a12;
		double a15 = h * a14 + 14 * a13;

		sum = a13 * (1 / 6227020800.0) + t2 * (a15 * (1 / 1307674368000.0));
		sum = a11 * (1 / 39916800.0) + t2 * sum;
		sum = a9 * (1 / 362880.0) + t2 * sum;
	}
	sum = a7 * (1 / 5040.0) + t2 * sum;
	sum = a5 * (1 / 120.0) + t2 * sum;
	sum = a3 * (1 / 6.0) + t2 * sum;
	sum = r1 + t2 * sum;
	w->m2[i] = 2 * INV_SQRT2PI * t * sum;
}

/* b, b_max - b and b' at s, and when want_log (a constant) for objective o
 * (0 lower, 1 middle, 2 upper) the logarithm of b (o = 0) or of b_max - b
 * (o = 2) and b' over it. */
LBR_INLINE void chain_b3(struct chain_block *restrict w, size_t i, double s, double o, int want_log,
			 double *b, double *c, double *v, double *lnx, double *vx)
{
	double h = w->h[i], t = 0.5 * s, d1 = h + t, e = w->e[i], E = chain_exp(-e);
	double f1 = w->f1[i], f2 = w->f2[i], bmax = w->bmax[i], cs = 0.5 * (f1 + f2), m, bb, cc;
	int is4 = d1 > D_IV, is1 = (h < ETA) & (d1 < ETA + TAU), is2 = !is1 & (t < TAU);

	m = sel(is1, w->m1[i], sel(is2, w->m2[i], 0.5 * (f1 - f2)));
	bb = sel(is4, bmax - E * cs, E * m);
	cc = sel(is4, E * cs, bmax - E * m);
	*b = bb;
	*c = cc;
	*v = INV_SQRT2PI * E;
	if (want_log) {
		/* one logarithm and one division, of what the objective needs */
		double den = sel(o == 0, sel(is4, bb, m), sel(is4, cs, cc));

		*lnx = chain_log(sel(o == 1, 1.0, den)) -
		       sel(o == 0, sel(is4, 0.0, e), sel(is4, e, 0.0));
		*vx = sel(o == 0, sel(is4, *v, INV_SQRT2PI), sel(is4, INV_SQRT2PI, *v)) / den;
	}
}

/* rcubic_min_r without branches (and with two divisions, not three). */
LBR_INLINE double chain_min_r(double dl, double dr, double delta)
{
	int mono = (dl * delta >= 0) & (dr * delta >= 0);
	int cvx = ((dl <= delta) & (delta <= dr)) | ((dl >= delta) & (delta >= dr));
	double a = fabs(delta - dl), b = fabs(dr - delta), ab = a < b ? a : b;
	double r1 = sel(mono, sel(delta != 0, (dr + dl) / delta, R_MAX), R_MIN);
	double r2 = sel(cvx, sel(ab != 0, fabs(dr - dl) / ab, R_MAX), R_MIN);
	double r = r1 > r2 ? r1 : r2;

	return r < R_MAX ? r : R_MAX;
}

/* The inverse normal CDF to 1e-6 for 0 < p <= 1/2, given p and ln p: the
 * guess's, refined by the steps that follow. */
LBR_INLINE double chain_ppf_lo(double p, double lnp)
{
	double q = p - 0.5, t = sqrt(-2 * lnp), v = 1 / t;
	double u = (v - PPF_T_V0) * (2 / (PPF_T_V1 - PPF_T_V0)) - 1;

	return sel(p < 0.075, -t * poly4(ppf_t_lo, 11, u),
		   q * poly4(ppf_c_lo, 13, 2 * q * q * (1 / 0.180625) - 1));
}

/* One Householder step for lane i, after chain_b1 and chain_b2 at its s. */
LBR_INLINE void chain_step(struct chain_block *restrict w, size_t i)
{
	double s = w->s[i], o = w->obj[i], h = w->h[i], rs = w->rs[i];
	double b2 = h * h * rs - 0.25 * s, b3 = b2 * b2 - 3 * (h * rs) * (h * rs) - 0.25;
	double lb = w->lnb0[i], b, c, v, lx, vx, iL, k, nu, h2, h3, ds;

	chain_b3(w, i, s, o, 1, &b, &c, &v, &lx, &vx);
	iL = 1 / lx;
	k = 1 + 2 * iL;
	nu = sel(o == 0, (lb - lx) * lx, sel(o == 2, lx - lb, w->beta[i] - b)) /
	     sel(o == 0, lb * vx, sel(o == 2, vx, v));
	h2 = sel(o == 0, b2 - vx * k, sel(o == 2, vx + b2, b2));
	h3 = sel(o == 0, b3 + vx * vx * (2 + (6 + 6 * iL) * iL) - 3 * vx * k * b2,
		 sel(o == 2, 2 * vx * vx + 3 * vx * b2 + b3, b3));
	ds = householder(nu, h2, h3);
	ds = sel(ds > -0.5 * s, ds, sel(ds == ds, -0.5 * s, 0));
	w->s[i] = s + ds;
}

/* One block of at most CHAIN_BLOCK options. Divisions are the slowest
 * vector operations: each reciprocal is taken once. */
/* The guess's first numbers of lane i from its normalised problem (x <= 0,
 * beta, beta_c, bm = e^{x/2}, rvc = 1/b'(s_c) = sqrt(2 pi) e^{-x/2}). */
LBR_INLINE void chain_prep_lane(struct chain_block *restrict w, size_t i, double x, double be,
				double bc, double bm, double rvc)
{
	double ax = -x, sqa = sqrt(ax), sc = M_SQRT2 * sqa, ex = erfcx_lo(sqa);
	double bcr = 0.5 * bm * (1 - ex);
	double sl = sc - bcr * rvc, su = sc + 0.5 * bm * (1 + ex) * rvc;

	w->x[i] = x;
	w->beta[i] = be;
	w->betac[i] = bc;
	w->bmax[i] = bm;
	w->sc[i] = sc;
	w->bc[i] = bcr;
	w->rvc[i] = rvc;
	w->sl[i] = sl;
	w->su[i] = su;
	w->se[i] = sel(be <= bcr, sel(sl > 0, sl, sc), su);
}

/* Black's inputs to the normalised problem, lane by lane. w->ok: 1 the
 * vector path, 2 none (NAN), 3 the scalar function. */
CHAIN_CLONES static void chain_prep_black(const double *restrict price, const double *restrict F,
					  const double *restrict K, const double *restrict T,
					  const char *restrict right, size_t n,
					  struct chain_block *restrict w)
{
	size_t i;

	for (i = 0; i < n; i++) {
		double p = price[i], f = F[i], k = K[i], t = T[i], th = right[i] == 'C' ? 1 : -1;
		double intr = th * (f - k) > 0 ? th * (f - k) : 0, up = th > 0 ? f : k;
		double fk = f * k, d = f > k ? f - k : k - f;
		double mn = f < k ? f : k, mx = f < k ? k : f, rmn = 1 / mn;
		double x = -chain_log1p(d * rmn), bm = sqrt(mn / mx), ax = -x; /* bm = e^{x/2} */
		double rn = bm * rmn, rvc = (1 / INV_SQRT2PI) * mx * rn; /* 1/sqrt(FK), 1/b'(s_c) */
		double be = (p - intr) * rn, bc = (up - p) * rn;
		int ok = ((right[i] == 'C') | (right[i] == 'P')) & (f > 0) & (k > 0) &
			 (f <= DBL_MAX) & (k <= DBL_MAX) & (t > 0) & (t <= DBL_MAX) & (p > intr) &
			 (p < up);

		w->ok[i] = sel(ok,
			       sel((fk >= DBL_MIN) & (fk <= DBL_MAX) & (be >= DBL_MIN) &
					   (bc >= DBL_MIN) & (ax <= 700),
				   1.0, 3.0),
			       2.0);
		chain_prep_lane(w, i, x, be, bc, bm, rvc);
	}
}

/* The normalised inputs (x <= 0, beta, beta_c > 0; x NAN: none) to the
 * guess's first numbers. */
CHAIN_CLONES static void chain_prep_norm(const double *restrict x, const double *restrict beta,
					 const double *restrict betac, size_t n,
					 struct chain_block *restrict w)
{
	size_t i;

	for (i = 0; i < n; i++) {
		double xi = x[i], be = beta[i], bc = betac[i];
		int ok = (xi <= 0) & (be > 0) & (bc > 0) & (be <= DBL_MAX) & (bc <= DBL_MAX);
		double xs = sel(ok & (xi >= -700), xi, -1.0), bm = chain_exp(0.5 * xs);

		w->ok[i] = sel(ok, sel((be >= DBL_MIN) & (bc >= DBL_MIN) & (xi >= -700), 1.0, 3.0),
			       2.0);
		chain_prep_lane(w, i, xs, be, bc, bm, (1 / INV_SQRT2PI) / bm);
	}
}

/* The guess and two Householder steps on the block prepared in w, into w->s. */
CHAIN_CLONES static void chain_solve(size_t n, struct chain_block *restrict w)
{
	size_t i;
	int it;

	/* b at s_l (below b_c) or s_u (above) */
	for (i = 0; i < n; i++)
		chain_b1(w, i, w->se[i], 1);
	for (i = 0; i < n; i++)
		chain_b2(w, i, w->se[i], 1);
	for (i = 0; i < n; i++) {
		double lx, vx;

		chain_b3(w, i, w->se[i], 1, 0, &w->be[i], &w->ce[i], &w->ve[i], &lx, &vx);
	}
	/* the guess on the lane's branch: every branch's numbers, blended */
	for (i = 0; i < n; i++) {
		double x = w->x[i], ax = -x, beta = w->beta[i], betac = w->betac[i];
		double sc = w->sc[i], bc = w->bc[i], sl = w->sl[i], su = w->su[i];
		double be = w->be[i], ve = w->ve[i], cu = w->ce[i];
		double rve = 1 / ve, rvc = w->rvc[i];
		int low = beta <= bc, has_l = sl > 0;
		double bl = sel(low & has_l, be, 0);
		int br1 = low & has_l & (beta < bl), br4 = !low & !(beta <= be);
		int br2 = low & !br1, br2l = br2 & !has_l, left = !low;
		/*
		 * The lower and upper maps, their erfcx and exponentials blended.
		 * e^{-1.5 y} (lower) and e^{-s_u^2/8} (upper) are e2 e^{-(h^2+t^2)/2}
		 * at the evaluation point, that is e2 b'/phi(0).
		 */
		/* chain_b1 left 1/s and h = x/s at s_l or s_u */
		double hh = w->h[i], rsl = w->rs[i], rsu = rsl;
		double z = hh * (1 / SQRT3), y = z * z, q = 0.5 * hh * hh;
		double ea = erfcx_lo(sel(br1, -z * SQRT1_2, su * 0.5 * SQRT1_2)), rea = 1 / ea;
		double e2 = chain_exp(sel(br1, 0.125 * sl * sl, q)),
		       e1 = e2 * ve * (1 / INV_SQRT2PI);
		double a = TWO_PI_OVER_SQRT27 * ax;
		double fl = a * 0.125 * ea * ea * ea * e1, dfl = PI_OVER_2 * y * ea * ea * e2;
		double fss = -z * rsl * (2 * rea * (1 / SQRT_PI_2) - z) - 2 * rsl;
		double d2fl = (fss - (x * x * rsl * rsl * rsl - 0.25 * sl)) * dfl * rve;
		double fu = 0.5 * ea * e1, dfu = -0.5 * e2;
		double d2fu = 0.5 * hh * hh * rsu * e2 * rve;
		/* the branch's interpolation data */
		double wd = sel(br1, bl, sel(br2, bc - bl, sel(br4, cu, be - bc))), rwd = 1 / wd;
		double zz =
			sel(br1, beta, sel(br2, beta - bl, sel(br4, cu - betac, beta - bc))) * rwd;
		double zc =
			sel(br1, bl - beta, sel(br2, bc - beta, sel(br4, betac, be - beta))) * rwd;
		double yl = sel(br1, 0, sel(br2, sl, sel(br4, fu, sc)));
		double yr = sel(br1, fl, sel(br2, sc, sel(br4, 0, su)));
		double dl = sel(br1, 1, sel(br2, rve, sel(br4, dfu, rvc)));
		double dr = sel(br1, dfl, sel(br2, rvc, sel(br4, -0.5, rve)));
		double d2 = sel(br1, d2fl, sel(br4, d2fu, 0));
		double delta = (yr - yl) * rwd;
		double num = 0.5 * wd * d2 + (dr - dl), den = sel(left, delta - dl, dr - delta);
		double r = sel(den != 0, num / den, sel(num > 0, R_MAX, R_MIN));
		double rm = chain_min_r(dl, dr, delta), rc, f;

		r = r > rm ? r : rm;
		r = r < R_MAX ? r : R_MAX;
		rc = rcubic(zz, zc, wd, yl, yr, dl, dr, r);
		/* the maps' fallbacks, as in lbr_guess (zz = beta/b_l, zc = beta_c/c_u) */
		f = sel(rc > 0, rc,
			sel(br1, (fl * zz + bl * (1 - zz)) * zz,
			    (fu * zc + 0.5 * cu * (1 - zc)) * zc));
		w->f[i] = sel(f > 0, f, beta);
		w->a[i] = a;
		w->s[i] = sel(br2l, sc * beta / bc, rc);
		w->obj[i] = sel(br1, 0, sel(br4, 2, 1));
	}
	/* the maps' inverses: s = |x| / (sqrt 3 |N^-1((f/a)^{1/3})|) or -2 N^-1(f) */
	for (i = 0; i < n; i++) {
		double o = w->obj[i], f = w->f[i], a = w->a[i];
		double lf = chain_log(sel(o == 0, f / a, sel(o == 2, f, 0.25)));
		double lnp = sel(o == 0, lf * (1.0 / 3), lf);
		double pp = sel(o == 0, chain_exp(lnp), sel(o == 2, f, 0.25));
		double z0 = chain_ppf_lo(pp, lnp);

		w->s[i] = sel(o == 0, -w->x[i] / (-SQRT3 * z0), sel(o == 2, -2 * z0, w->s[i]));
		w->lnb0[i] = chain_log(sel(o == 0, w->beta[i], w->betac[i]));
	}
	/* two Householder steps */
	for (it = 0; it < 2; it++) {
		/* the first at the guess's precision, the second at full */
		if (it == 0) {
			for (i = 0; i < n; i++)
				chain_b1(w, i, w->s[i], 1);
			for (i = 0; i < n; i++)
				chain_b2(w, i, w->s[i], 1);
		} else {
			for (i = 0; i < n; i++)
				chain_b1(w, i, w->s[i], 0);
			for (i = 0; i < n; i++)
				chain_b2(w, i, w->s[i], 0);
		}
		for (i = 0; i < n; i++)
			chain_step(w, i);
	}
}

/* vol = s / sqrt(T) on the vector path's lanes, NAN on lanes with none; a
 * lane whose result is not a finite positive number goes to the scalar
 * function (w->ok 3). */
CHAIN_CLONES static void chain_finish(const double *restrict T, size_t n, double *restrict vol,
				      struct chain_block *restrict w)
{
	size_t i;

	for (i = 0; i < n; i++) {
		double v = w->s[i] / sqrt(T[i]);

		vol[i] = sel(w->ok[i] == 1, v, NAN);
		w->ok[i] = sel((w->ok[i] == 1) & !((v > 0) & (v <= DBL_MAX)), 3, w->ok[i]);
	}
}

void lbr_implied_vol_chain(const double *price, const double *F, const double *K, const double *T,
			   const char *right, size_t n, double *vol)
{
	struct chain_block w;
	size_t i, j, m;

	for (i = 0; i < n; i += m) {
		m = n - i < CHAIN_BLOCK ? n - i : CHAIN_BLOCK;
		chain_prep_black(price + i, F + i, K + i, T + i, right + i, m, &w);
		chain_solve(m, &w);
		chain_finish(T + i, m, vol + i, &w);
		for (j = 0; j < m; j++)
			if (w.ok[j] == 3)
				vol[i + j] = lbr_implied_vol(price[i + j], F[i + j], K[i + j],
							     T[i + j], right[i + j]);
	}
}

void lbr_implied_s_chain(const double *x, const double *beta, const double *beta_c, size_t n,
			 double *s)
{
	struct chain_block w;
	size_t i, j, m;

	for (i = 0; i < n; i += m) {
		m = n - i < CHAIN_BLOCK ? n - i : CHAIN_BLOCK;
		chain_prep_norm(x + i, beta + i, beta_c + i, m, &w);
		chain_solve(m, &w);
		for (j = 0; j < m; j++) {
			double v = w.s[j];

			if (w.ok[j] == 2)
				v = NAN;
			else if (!(w.ok[j] == 1 && v > 0 && v <= DBL_MAX))
				v = lbr_implied_s(x[i + j], beta[i + j], beta_c[i + j]);
			s[i + j] = v;
		}
	}
}
