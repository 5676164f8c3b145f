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
/* ---- erfcx ---- */

/*
 * sum_{i<n} c[i] u^i as four interleaved Horner chains in u^4 (Estrin's
 * idea, one level): a quarter of Horner's latency for the same work, and
 * within an ulp of it on these well-conditioned polynomials.
 */
static inline double poly4(const double *c, int n, double u)
{
	double u2 = u * u, u4 = u2 * u2, p[4];
	int j, i;

	for (j = 0; j < 4; j++) {
		i = j + ((n - 1 - j) / 4) * 4;
		p[j] = c[i];
		for (i -= 4; i >= 0; i -= 4)
			p[j] = p[j] * u4 + c[i];
	}
	return (p[0] + u * p[1]) + u2 * (p[2] + u * p[3]);
}

/* The derivative of that polynomial at u: poly4 on the coefficients
 * (k + 1) c[k + 1], k < n - 1. */
static inline double poly4_deriv(const double *c, int n, double u)
{
	double u2 = u * u, u4 = u2 * u2, p[4];
	int j, k;

	for (j = 0; j < 4; j++) {
		k = j + ((n - 2 - j) / 4) * 4;
		p[j] = (k + 1) * c[k + 1];
		for (k -= 4; k >= 0; k -= 4)
			p[j] = p[j] * u4 + (k + 1) * c[k + 1];
	}
	return (p[0] + u * p[1]) + u2 * (p[2] + u * p[3]);
}

/* erfcx's polynomial at u. */
static inline double erfcx_poly(double u)
{
	return poly4(erfcx_c, 29, u);
}

/* erfcx(x) for x >= -0.75 (the polynomial's domain). */
static inline double erfcx_pos(double x)
{
	double y = 3 / (3 + x);

	return y * erfcx_poly(1.5 * y - 1);
}

/* erfcx(x) and, in *d, its derivative, for x >= -0.75. The derivative
 * comes from the polynomial's, so it keeps its relative precision where
 * 2 x erfcx(x) - 2/sqrt(pi) would cancel (large x). */
static inline double erfcx_pos_d(double x, double *d)
{
	double y = 3 / (3 + x), u = 1.5 * y - 1;
	double p = erfcx_poly(u), dp = poly4_deriv(erfcx_c, 29, u);

	/* d/dx (y P(u)) with dy/dx = -y^2/3 and du/dy = 1.5 */
	*d = -(y * y / 3) * (p + 1.5 * y * dp);
	return y * p;
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
static inline double ppf_central(double q)
{
	return q * poly4(ppf_c, 29, 2 * q * q / 0.180625 - 1);
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
static inline double m_asym(double h, double t)
{
	double u = -1 / (h + t), w = -1 / (h - t);
	double u2 = u * u, w2 = w * w, uw = u + w;
	double e = 1, wp = w, sum = asym_c[0];
	int k;

	for (k = 1; k < 10; k++) {
		e = u2 * e + wp * uw;
		wp *= w2;
		sum += asym_c[k] * e;
	}
	return 2 * INV_SQRT2PI * t * u * w * sum;
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
static inline double rcubic(double z, double zc, double w, double yl, double yr, double dl,
			    double dr, double r)
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
static inline double householder(double nu, double h2, double h3)
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
	double r = a / b;

	/* a - b is exact for a/b in [1/2, 2] (Sterbenz), so log1p((a-b)/b) has
	 * the relative precision of its argument; elsewhere |ln(a/b)| > 0.69
	 * and the rounding of a/b costs an ulp of it at most. */
	return r > 0.5 && r < 2 ? log1p((a - b) / b) : log(r);
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
