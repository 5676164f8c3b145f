/*
 * american.c - American options: Barone-Adesi-Whaley, Bjerksund-Stensland
 * (1993, 2002), the reference lattice with discrete cash dividends, the
 * model price and the American implied volatility; see american.h. Pure
 * math under the strategy's theoretical value and IV (DESIGN.md §1 step 3)
 * and the engine's model marks; no I/O, no global state. docs/american.md
 * describes the methods and their measured accuracy.
 *
 * The lattice works in y = ln S* - nu t (nu = r - q - sigma^2 / 2), where
 * S* (the stock less the escrowed dividends) has no drift left: a step of
 * dt is the convolution with a normal law of variance sigma^2 dt, which the
 * trinomial stencil (1/6, 2/3, 1/6 at a spacing of sigma sqrt(3 dt))
 * reproduces to fourth order in the spacing on smooth values. Values are
 * not smooth at the payoff's kink and where an exercise decision is taken
 * (max(continuation, exercise) has a kink where the two cross): there the
 * function is split into a quadratic ramp J w + J2 w^2 / 2 (w the signed
 * distance past the kink) and a remainder that is twice differentiable; the
 * stencil carries the remainder and the ramp is carried in closed form (the
 * normal law's first two partial moments): through the next step where
 * exercise is checked at every step, to the next exercise decision where it
 * is not. This removes most of the lattice's dependence on where kinks fall
 * between nodes, the classic source of its erratic convergence.
 */
#include <math.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "american.h"
#include "bs.h"
#include "../util/util.h"

#define SQRT1_2 0.70710678118654752440	   /* 1/sqrt(2) */
#define INV_SQRT2PI 0.39894228040143267794 /* 1/sqrt(2 pi) */
#define INV_2PI 0.15915494309189533577	   /* 1/(2 pi) */

/* Lattice half-width in standard deviations of ln S*(T): the mass beyond
 * is below 1e-9 and the values there reach the centre through as many
 * standard deviations again. */
#define LAT_NSD 6.0
/* Standard deviations of a step within which an exercise kink's closed
 * form differs from the stencil by more than ~1e-7 of its slope (the
 * payoff's kink, whose slope is the strike, is carried to 7). */
#define KINK_REACH 4.5
/* Steps from expiry without fitting an exercise kink (lattice_run). */
#define LAT_NOFIT 8
/*
 * Where the exercise boundary comes within LAT_NEAR nodes of the spot (a
 * put deep in the money), the lattice's error c / n has a c that depends
 * on where the boundary falls between two nodes, and the runs at n and 2n
 * put it at different fractions: Richardson's extrapolation then leaves up
 * to 3e-4. There the model averages LAT_PHASES grids shifted by a fraction
 * of a node against the spot, at LAT_NEAR_STEPS steps at least
 * (docs/american.md, "The model price"; measured on bench/american's
 * table: LAT_NEAR 3 leaves a row beyond 1e-4, 5 none).
 */
#define LAT_PHASES 2
#define LAT_NEAR 5
#define LAT_NEAR_STEPS 288
/* The model's steps at three months (exercise at any time). */
#define LAT_BASE 256
/* Dividends held on the stack; more go to the heap. */
#define JOB_STACK_DIVS 32

static double ncdf(double x)
{
	return 0.5 * erfc(-x * SQRT1_2);
}

static double npdf(double x)
{
	return INV_SQRT2PI * exp(-0.5 * x * x);
}

/* Early exercise can pay only at ex-dividend instants (a call with q <= 0
 * and r >= 0) or never (a put with r <= 0 and q >= 0): otherwise at any
 * time. The classic bounds: such a call is worth at least S* - K e^{-r tau}
 * between dividends, such a put at least K e^{-r tau} - S* e^{-q tau}. */
static int exercise_continuous(char right, double r, double q)
{
	return right == 'C' ? !(q <= 0 && r >= 0) : !(r <= 0 && q >= 0);
}

/* ---- the option with its dividends, prepared once ---- */

struct job {
	char right;
	double phi; /* +1 call, -1 put */
	double S, K, T, r, q, sigma;
	double Ss;   /* S less the present value of the dividends in (0, T] */
	size_t n;    /* dividends in (0, T], by time, equal times merged */
	double *t;   /* their times */
	double *d;   /* their amounts */
	double *cum; /* cum[i] = sum over k >= i of d[k] e^{-r t[k]}; n + 1 */
	double stack[3 * JOB_STACK_DIVS + 1];
	double *heap;
};

static void job_release(struct job *j)
{
	free(j->heap);
	j->heap = NULL;
}

/* Validates and prepares; 0, or -1 (nothing to release) for invalid input. */
static int job_init(struct job *j, char right, double S, double K, double T, double r, double q,
		    double sigma, const struct am_div *div, size_t n_div)
{
	size_t i, k, n = 0;
	double *buf;

	memset(j, 0, sizeof(*j));
	if (!bs_valid_input(right, S, K, T, r, q, sigma) || (n_div && !div))
		return -1;
	for (i = 0; i < n_div; i++) {
		if (!isfinite(div[i].t) || !isfinite(div[i].amount) || div[i].amount < 0)
			return -1;
		n += div[i].t > 0 && div[i].t <= T && div[i].amount > 0;
	}
	buf = j->stack;
	if (n > JOB_STACK_DIVS)
		buf = j->heap = xmalloc((3 * n + 1) * sizeof(*buf));
	j->t = buf;
	j->d = buf + n;
	j->cum = buf + 2 * n;
	for (i = 0; i < n_div; i++) {
		double t = div[i].t;

		if (!(t > 0 && t <= T && div[i].amount > 0))
			continue;
		/* insertion in time order, merging equal times */
		for (k = j->n; k > 0 && j->t[k - 1] > t; k--)
			;
		if (k > 0 && j->t[k - 1] == t) {
			j->d[k - 1] += div[i].amount;
			continue;
		}
		memmove(j->t + k + 1, j->t + k, (j->n - k) * sizeof(double));
		memmove(j->d + k + 1, j->d + k, (j->n - k) * sizeof(double));
		j->t[k] = t;
		j->d[k] = div[i].amount;
		j->n++;
	}
	j->cum[j->n] = 0;
	for (k = j->n; k > 0; k--)
		j->cum[k - 1] = j->cum[k] + j->d[k - 1] * exp(-r * j->t[k - 1]);
	j->right = right;
	j->phi = right == 'C' ? 1 : -1;
	j->S = S;
	j->K = K;
	j->T = T;
	j->r = r;
	j->q = q;
	j->sigma = sigma;
	j->Ss = S - j->cum[0];
	if (!(j->Ss > 0)) {
		job_release(j);
		return -1;
	}
	return 0;
}

static double job_european(const struct job *j)
{
	return bs_price(j->right, j->Ss, j->K, j->T, j->r, j->q, j->sigma);
}

/*
 * The value at sigma = 0: the stock follows its forward, and the holder
 * exercises at the best instant. Discounted to now, exercising at t pays
 * phi (S* e^{-q t} + c - K e^{-r t}), c the present value now of the
 * dividends the exercise still collects: constant between ex-dividend
 * instants, so the best instant is an end of such an interval (a call just
 * before an ex-dividend instant, a put just after it) or where the
 * derivative vanishes, S* q e^{-q t} = K r e^{-r t}.
 */
static double job_zero_vol(const struct job *j)
{
	double best = fmax(0, j->phi * (j->S - j->K)), ts = NAN;
	size_t i;

	if (j->r != j->q && j->r * j->q > 0 && j->r * j->K / (j->q * j->Ss) > 0)
		ts = log(j->r * j->K / (j->q * j->Ss)) / (j->r - j->q);
	for (i = 0; i <= j->n; i++) {
		/* the interval (t[i-1], t[i]] (t[-1] = 0, t[n] = T) */
		double lo = i ? j->t[i - 1] : 0, hi = i < j->n ? j->t[i] : j->T;
		double c = j->cum[i], v;

		if (hi > lo || i == j->n) {
			/* at its end: a call still collects dividend i, a put not */
			double ce = j->phi > 0 ? c : (i < j->n ? j->cum[i + 1] : c);

			v = j->phi * (j->Ss * exp(-j->q * hi) + ce - j->K * exp(-j->r * hi));
			best = fmax(best, v);
		}
		if (ts > lo && ts < hi) {
			v = j->phi * (j->Ss * exp(-j->q * ts) + c - j->K * exp(-j->r * ts));
			best = fmax(best, v);
		}
	}
	return best;
}

/* ---- the lattice ---- */

/*
 * A kink between grid nodes: at fractional node index jc, the value holds
 * J w + J2 w^2 / 2 more than its smooth continuation on the side dir, w the
 * distance past the kink in y.
 */
struct kink {
	int on, dir;
	double jc, J, J2;
	double reach; /* standard deviations of the step where it matters */
};

/* The ramp at signed distance w past the kink, smoothed by a normal law of
 * standard deviation s: E[(J W + J2 W^2 / 2) 1{W > 0}], W ~ N(w, s^2). */
static double ramp(const struct kink *k, double w, double s)
{
	double u, P, d;

	if (s <= 0 || w >= 7 * s)
		return w > 0 ? k->J * w + 0.5 * k->J2 * (w * w + s * s) : 0;
	if (w <= -7 * s)
		return 0;
	u = w / s;
	P = ncdf(u);
	d = npdf(u);
	return k->J * (w * P + s * d) + 0.5 * k->J2 * ((w * w + s * s) * P + w * s * d);
}

/* After a stencil step of probabilities p, 1 - 2p, p (W the stencil's
 * result, disc the step's discount, s its standard deviation in y, f
 * e^{-(dx/s)^2}): the
 * ramp's exact smoothing in place of the stencil's. Only nodes whose
 * stencil or whose normal law reaches the kink differ: the stencil is exact
 * on the quadratic. */
static void kink_step(const struct kink *k, double *W, int N, double dx, double p, double disc,
		      double s, double f)
{
	double reach = k->reach * s / dx + 1, u, du, d, m;
	int lo = (int)floor(k->jc - reach), hi = (int)ceil(k->jc + reach), j;

	if (lo < 1)
		lo = 1;
	if (hi > N - 2)
		hi = N - 2;
	if (lo > hi)
		return;
	/* the normal density at u_j = w_j / s by recurrence along the nodes:
	 * n(u + du) = n(u) e^{-u du - du^2/2} */
	du = k->dir * dx / s;
	u = k->dir * (lo - k->jc) * dx / s;
	d = npdf(u);
	m = exp(-u * du - 0.5 * du * du);
	for (j = lo; j <= hi; j++) {
		double w = k->dir * (j - k->jc) * dx, P = ncdf(w / s), exact, st;

		exact = k->J * (w * P + s * d) + 0.5 * k->J2 * ((w * w + s * s) * P + w * s * d);
		st = p * (ramp(k, w + dx, 0) + ramp(k, w - dx, 0)) + (1 - 2 * p) * ramp(k, w, 0);
		W[j] += disc * (exact - st);
		d *= m;
		m *= f;
	}
}

/* Adds scale times the ramp, smoothed by s, to every node: with scale -1
 * and s 0 it takes the kink out of the values, to be carried apart in
 * closed form. */
static void kink_add(const struct kink *k, double *V, int N, double dx, double scale, double s)
{
	for (int i = 0; i < N; i++)
		V[i] += scale * ramp(k, k->dir * (i - k->jc) * dx, s);
}

/* The derivatives of the smoothed ramp in w: R' and R''. */
static void ramp_d(const struct kink *k, double w, double s, double *d1, double *d2)
{
	double P = ncdf(w / s), d = npdf(w / s);

	*d1 = k->J * P + k->J2 * (w * P + s * d);
	*d2 = k->J * d / s + k->J2 * P;
}

/*
 * The kink of max(C, E) on the grid, C the continuation in V and E[j] =
 * phi s[j] g + c the exercise value: D = E - C is monotone (nondecreasing
 * in y for a call, nonincreasing for a put). Finds the crossing (from the
 * last one, *hint, else by bisection), then its position, slope and
 * curvature from the cubic of D through the four nodes around it. When an
 * is not NULL, C holds an_scale times an's ramp smoothed by an_s, exactly:
 * then E is taken exactly and only the rest of C is interpolated (a kink
 * carried from the previous event can be sharper than the grid). k->on = 0
 * when there is no crossing inside the grid.
 */
static void kink_find(struct kink *k, const double *V, const double *s, int N, double dx,
		      double phi, double g, double c, int *hint, const struct kink *an,
		      double an_scale, double an_s)
{
	int lo = 0, hi = N - 1, a, i;
	double f[4], u, c0, c1, c2, c3, F = 0, F1 = 0, F2 = 0;

	k->on = 0;
#define D(j) (phi * s[(j)] * g + c - V[(j)])
#define UPPER(j) ((D(j) > 0) == (phi > 0)) /* on the upper side of the crossing */
	/* lo below the crossing (the continuation side for a call, the
	 * exercise side for a put), hi above */
	if (UPPER(0) || !UPPER(N - 1))
		return;
	/* the crossing moves a node or so a step: search from the last one */
	a = *hint;
	if (a >= 0 && a + 1 < N && !UPPER(a) && UPPER(a + 1)) {
		lo = a;
	} else if (a >= 0 && a + 2 < N && !UPPER(a + 1) && UPPER(a + 2)) {
		lo = a + 1;
	} else if (a >= 1 && a < N && !UPPER(a - 1) && UPPER(a)) {
		lo = a - 1;
	} else {
		while (hi - lo > 1) {
			int mid = lo + (hi - lo) / 2;

			if (UPPER(mid))
				hi = mid;
			else
				lo = mid;
		}
	}
#undef UPPER
	a = *hint = lo;
	if (a < 1 || a + 2 > N - 1)
		return;
	/* the cubic through (-1, f0), (0, f1), (1, f2), (2, f3) of C less
	 * the part known exactly */
	for (i = 0; i < 4; i++) {
		f[i] = V[a - 1 + i];
		if (an)
			f[i] -= an_scale * ramp(an, an->dir * (a - 1 + i - an->jc) * dx, an_s);
	}
	c0 = f[1];
	c1 = (-2 * f[0] - 3 * f[1] + 6 * f[2] - f[3]) / 6;
	c2 = (f[0] - 2 * f[1] + f[2]) / 2;
	c3 = (-f[0] + 3 * f[1] - 3 * f[2] + f[3]) / 6;
	/* Newton on D(u) = E(u) - cubic(u) - exact part, u in nodes from a */
	u = D(a) / (D(a) - D(a + 1));
#undef D
	/* without an exact part, E too is taken as its cubic (it is smooth;
	 * the error is ~dx^4 of it): no exponential in the iteration */
	if (!an) {
		double e[4];

		for (i = 0; i < 4; i++)
			e[i] = phi * s[a - 1 + i] * g + c - f[i];
		c0 = e[1];
		c1 = (-2 * e[0] - 3 * e[1] + 6 * e[2] - e[3]) / 6;
		c2 = (e[0] - 2 * e[1] + e[2]) / 2;
		c3 = (-e[0] + 3 * e[1] - 3 * e[2] + e[3]) / 6;
	}
	for (int it = 0; it < 12; it++) {
		double e = an ? phi * s[a] * g * exp(u * dx) : 0, du;

		if (an) {
			F = e + c - (((c3 * u + c2) * u + c1) * u + c0);
			F1 = e * dx - ((3 * c3 * u + 2 * c2) * u + c1);
			F2 = e * dx * dx - (6 * c3 * u + 2 * c2);
		} else {
			F = ((c3 * u + c2) * u + c1) * u + c0;
			F1 = (3 * c3 * u + 2 * c2) * u + c1;
			F2 = 6 * c3 * u + 2 * c2;
		}
		if (an) {
			double w = an->dir * (a + u - an->jc) * dx, r1, r2;

			F -= an_scale * ramp(an, w, an_s);
			ramp_d(an, w, an_s, &r1, &r2);
			F1 -= an_scale * r1 * an->dir * dx;
			F2 -= an_scale * r2 * dx * dx;
		}
		if (!(F1 != 0))
			break;
		du = F / F1;
		u -= du;
		if (fabs(du) < 1e-12)
			break;
	}
	k->dir = phi > 0 ? 1 : -1;
	if (u >= -0.5 && u <= 1.5 && fabs(F) <= 1e-9 * (fabs(c) + 1)) {
		k->jc = a + u;
		k->J = k->dir * F1 / dx;
		k->J2 = F2 / (dx * dx);
	} else {
		/* the cubic is no guide (near expiry, where the crossing is
		 * sharper than the grid): the secant of D */
		double d0 = phi * s[a] * g + c - V[a], d1 = phi * s[a + 1] * g + c - V[a + 1];

		u = d0 / (d0 - d1);
		k->jc = a + u;
		k->J = k->dir * (d1 - d0) / dx;
		k->J2 = 0;
	}
	k->on = k->J > 0 && isfinite(k->J) && isfinite(k->J2);
	k->reach = KINK_REACH;
}

/* One step of the stencil, w from v: a (v[i+1] + v[i-1]) + b v[i] inside,
 * the edges discounted (no curvature there). In pairs, which the compiler
 * turns into two-wide vector instructions at -O2. */
static void stencil(double *restrict w, const double *restrict v, int N, double a, double b,
		    double disc)
{
	int i;

	for (i = 1; i + 1 < N - 1; i += 2) {
		w[i] = a * (v[i + 1] + v[i - 1]) + b * v[i];
		w[i + 1] = a * (v[i + 2] + v[i]) + b * v[i + 1];
	}
	for (; i < N - 1; i++)
		w[i] = a * (v[i + 1] + v[i - 1]) + b * v[i];
	w[0] = disc * v[0];
	w[N - 1] = disc * v[N - 1];
}

/*
 * The last step to a spot d = Hc - H of a node above node H (0 < d < 1)
 * from the values v one step before: nodes H - 1, H, H + 1, at -1 - d, -d,
 * 1 - d nodes from it, weighted to the step's mean (0) and variance (2p
 * nodes squared) -- in u = x + d, E u = d and E u^2 = 2p + d^2 -- so exact
 * on quadratics as the stencil is (every weight positive for p = 1/6); a
 * kink within reach is smoothed exactly, as kink_step does.
 */
static double off_node_step(const struct kink *k, const double *v, int H, double Hc, double dx,
			    double p, double disc, double sd)
{
	double d = Hc - H, m2 = 2 * p + d * d;
	double wp = 0.5 * (m2 + d), wm = 0.5 * (m2 - d), w0 = 1 - m2;
	double r = disc * (wm * v[H - 1] + w0 * v[H] + wp * v[H + 1]);

	if (k->on) {
		double x = k->dir * (Hc - k->jc) * dx, st;

		st = wm * ramp(k, x - k->dir * (1 + d) * dx, 0) +
		     w0 * ramp(k, x - k->dir * d * dx, 0) +
		     wp * ramp(k, x + k->dir * (1 - d) * dx, 0);
		r += disc * (ramp(k, x, sd) - st);
	}
	return r;
}

/*
 * One run of the lattice at `steps` steps, exercise at every step when
 * cont, else only before ex-dividend instants (calls): the value of not
 * exercising now (the caller compares it with exercising). The grid: nodes
 * y0 + (i - H) dx, y0 = ln S*, so the value now is node H's.
 */
static double lattice_run(const struct job *jb, int steps, int cont, double shift, int *near)
{
	double T = jb->T, sg = jb->sigma, r = jb->r, phi = jb->phi, K = jb->K;
	double nu = r - jb->q - 0.5 * sg * sg, y0 = log(jb->Ss), dt0 = T / steps;
	double dx = sg * sqrt(3 * dt0), *mem, *V, *W, *s, res;
	int H = (int)ceil(LAT_NSD * sqrt(steps / 3.0)) + 3, N = 2 * H + 1, i;
	double Hc = H + shift; /* the spot's place on the grid, in nodes */
	size_t m = jb->n && jb->t[jb->n - 1] >= T ? jb->n - 1 : jb->n; /* events before T */
	struct kink kk = {0}, carried = {0}, last = {0};
	int call_ev = phi > 0; /* exercise at events: a call's, just before */
	/* without exercise between events, the last kink is carried apart
	 * in closed form (its variance and discount so far) to the next one */
	int carry = 0;
	double kvar = 0, kdisc = 1;
	int hint = -1; /* where the exercise boundary crossed the grid */

	if (near)
		*near = 0;
	mem = xmalloc(3 * (size_t)N * sizeof(*mem));
	V = mem;
	W = mem + N;
	s = mem + 2 * (size_t)N;
	for (i = 0; i < N; i++)
		s[i] = exp(y0 + (i - Hc) * dx);

	/* expiry: phi (S*(T) + dividend at T for a call - K), at least 0 */
	{
		double g = exp(nu * T), c = m < jb->n && phi > 0 ? jb->d[m] : 0, kc = K - c;

		for (i = 0; i < N; i++)
			V[i] = fmax(0, phi * (s[i] * g + c - K));
		if (kc > 0) {
			kk.on = 1;
			kk.dir = phi > 0 ? 1 : -1;
			kk.jc = Hc + (log(kc) - nu * T - y0) / dx;
			kk.J = kc;
			kk.J2 = phi * kc;
			kk.reach = 7;
			if (!cont) {
				carried = kk;
				kk.on = 0;
				kink_add(&carried, V, N, dx, -1, 0);
				carry = 1;
			}
		}
	}

	/* intervals [e(k-1), e(k)], e(0) = 0, e(1..m) the events, e(m+1) = T */
	res = NAN;
	for (size_t k = m + 1; k > 0; k--) {
		double ek = k <= m ? jb->t[k - 1] : T, ek1 = k > 1 ? jb->t[k - 2] : 0;
		double len = ek - ek1, dt, p, a, b, disc, sd, f, gz, gstep, ez, estep;
		long st = lround(len / dt0), z;

		if (st < 1)
			st = 1;
		dt = len / (double)st;
		p = 0.5 * sg * sg * dt / (dx * dx);
		disc = exp(-r * dt);
		a = disc * p;
		b = disc * (1 - 2 * p);
		sd = sg * sqrt(dt);
		f = exp(-dx * dx / (sd * sd));
		/* e^{nu t} and e^{r t} along the steps, by one factor a step */
		gz = exp(nu * (ek1 + (double)(st - 1) * dt));
		ez = exp(r * (ek1 + (double)(st - 1) * dt));
		gstep = exp(-nu * dt);
		estep = exp(-r * dt);
		for (z = st - 1; z >= 0; z--, gz *= gstep, ez *= estep) {
			double t = ek1 + (double)z * dt, g, c, pv;
			int event = z == 0 && k > 1;
			double *x;

			stencil(W, V, N, a, b, disc);
			if (kk.on)
				kink_step(&kk, W, N, dx, p, disc, sd, f);
			last = kk;
			kk.on = 0;
			if (carry) {
				kvar += sg * sg * dt;
				kdisc *= disc;
			}
			x = V;
			V = W;
			W = x;
			if (z == 0 && k == 1) {
				res = shift != 0 ? off_node_step(&last, W, H, Hc, dx, p, disc, sd)
						 : V[H];
				if (carry)
					res += kdisc * ramp(&carried,
							    carried.dir * (Hc - carried.jc) * dx,
							    sqrt(kvar));
				break;
			}
			if (!cont && !(event && call_ev))
				continue;
			{
				/* the carried kink, exactly, into the values */
				const struct kink *an = NULL;
				double an_s = sqrt(kvar);

				if (carry) {
					kink_add(&carried, V, N, dx, kdisc, an_s);
					an = &carried;
					carry = 0;
				}
				g = gz;
				pv = ez * jb->cum[event && call_ev ? k - 2 : k - 1];
				c = phi * (pv - K);
				/* the crossing is sharper than the grid for the first
				 * steps from expiry: a fit there is noise (it makes
				 * the error jump with the number of steps); not so
				 * when the kink was carried exactly */
				if (!cont || T - t >= LAT_NOFIT * dt0)
					kink_find(&kk, V, s, N, dx, phi, g, c, &hint, an, kdisc,
						  an_s);
			}

			{
				double *restrict v = V;
				const double *restrict sp = s;
				double pg = phi * g;

				for (i = 0; i + 1 < N; i += 2) {
					double e0 = pg * sp[i] + c, e1 = pg * sp[i + 1] + c;

					v[i] = v[i] > e0 ? v[i] : e0;
					v[i + 1] = v[i + 1] > e1 ? v[i + 1] : e1;
				}
				for (; i < N; i++) {
					double e = pg * sp[i] + c;

					v[i] = v[i] > e ? v[i] : e;
				}
				/* exercised within LAT_NEAR nodes of the spot, at a
				 * date from which the spot is within LAT_NEAR of the
				 * step's standard deviations (3 LAT_NEAR^2 steps) */
				if (near && t <= 3 * LAT_NEAR * LAT_NEAR * dt0)
					for (i = H - LAT_NEAR; i <= H + LAT_NEAR; i++)
						*near |= i >= 0 && i < N && v[i] <= pg * sp[i] + c;
			}
			if (!cont && kk.on) {
				carried = kk;
				kk.on = 0;
				kink_add(&carried, V, N, dx, -1, 0);
				carry = 1;
				kvar = 0;
				kdisc = 1;
			}
		}
	}
	free(mem);
	return res;
}

/* Special cases every method shares: T == 0 or sigma == 0 (exact), no early
 * exercise at all (European). Returns 1 with *v set when one applies. */
static int job_trivial(const struct job *j, int cont, double *v)
{
	if (j->T == 0 || j->sigma * sqrt(j->T) == 0) {
		*v = job_zero_vol(j);
		return 1;
	}
	if (!cont && (j->phi < 0 || j->n == 0)) {
		/* a put never exercised early, a call with no dividend */
		*v = fmax(job_european(j), fmax(0, j->phi * (j->S - j->K)));
		return 1;
	}
	return 0;
}

double am_european(char right, double S, double K, double T, double r, double q, double sigma,
		   const struct am_div *div, size_t n_div)
{
	struct job j;
	double v;

	if (job_init(&j, right, S, K, T, r, q, sigma, div, n_div))
		return NAN;
	v = job_european(&j);
	job_release(&j);
	return v;
}

double am_lattice(char right, double S, double K, double T, double r, double q, double sigma,
		  const struct am_div *div, size_t n_div, int steps)
{
	struct job j;
	double v;
	int cont;

	if (job_init(&j, right, S, K, T, r, q, sigma, div, n_div))
		return NAN;
	cont = exercise_continuous(right, r, q);
	if (!job_trivial(&j, cont, &v))
		v = fmax(lattice_run(&j, steps < 1 ? 1 : steps, cont, 0, NULL),
			 fmax(0, j.phi * (S - K)));
	job_release(&j);
	return v;
}

/*
 * The model's number of steps (docs/american.md, "The model price"). With
 * exercise at every step the extrapolated lattice's residual error grows
 * about like sqrt(T) at a given number of steps (the exercise boundary's
 * crossings of the grid), so the steps grow like sqrt(T): 256 at three
 * months. With exercise only before ex-dividend instants (a call on a
 * dividend payer) one run at 192 steps is within the goal at every tenor.
 */
static int model_steps(const struct job *j, int cont)
{
	double n;

	if (!cont)
		return 192;
	n = LAT_BASE * sqrt(j->T / 0.25);
	return n < 24 ? 24 : n > 2048 ? 2048 : (int)n;
}

/* The lattice's value at `steps` steps, the mean of LAT_PHASES grids whose
 * nodes sit at 0, 1/LAT_PHASES, ... of a node from the spot; b0 the first
 * when known (NAN otherwise). */
static double phased(const struct job *j, int steps, double b0)
{
	double v = isnan(b0) ? lattice_run(j, steps, 1, 0, NULL) : b0;

	for (int i = 1; i < LAT_PHASES; i++)
		v += lattice_run(j, steps, 1, (double)i / LAT_PHASES, NULL);
	return v / LAT_PHASES;
}

static double model_price(const struct job *j, int cont, int steps)
{
	double b;
	int near = 0, m;

	if (!cont)
		return lattice_run(j, steps, 0, 0, NULL);
	/* below the model's steps (the IV's first, coarse search): plain */
	b = lattice_run(j, steps, 1, 0, steps >= model_steps(j, cont) ? &near : NULL);
	if (!near)
		return 2 * lattice_run(j, 2 * steps, 1, 0, NULL) - b;
	/* the exercise boundary near the spot: the runs' phase on the grid,
	 * averaged out, at LAT_NEAR_STEPS steps at least */
	m = steps < LAT_NEAR_STEPS ? LAT_NEAR_STEPS : steps;
	return 2 * phased(j, 2 * m, NAN) - phased(j, m, m == steps ? b : NAN);
}

double am_price(char right, double S, double K, double T, double r, double q, double sigma,
		const struct am_div *div, size_t n_div)
{
	struct job j;
	double v;
	int cont;

	if (job_init(&j, right, S, K, T, r, q, sigma, div, n_div))
		return NAN;
	cont = exercise_continuous(right, r, q);
	if (!job_trivial(&j, cont, &v))
		v = fmax(model_price(&j, cont, model_steps(&j, cont)), job_zero_vol(&j));
	job_release(&j);
	return v;
}

void am_bounds(char right, double S, double K, double T, double r, double q,
	       const struct am_div *div, size_t n_div, double *lower, double *upper)
{
	struct job j;

	*lower = *upper = NAN;
	if (job_init(&j, right, S, K, T, r, q, 0, div, n_div))
		return;
	*lower = job_zero_vol(&j);
	*upper = right == 'C' ? S : K;
	job_release(&j);
}

/* ---- the approximations (continuous yield only) ---- */

/* log N(z), with the tail's asymptotic series where N underflows. */
static double log_ncdf(double z)
{
	if (z > -30)
		return log(ncdf(z));
	return -0.5 * z * z - log(-z) - 0.5 * log(2 * M_PI) +
	       log1p(-1 / (z * z) + 3 / (z * z * z * z));
}

/* e^a N(z) without overflow when a is large and N(z) tiny. */
static double exp_ncdf(double a, double z)
{
	if (a < 600)
		return exp(a) * ncdf(z);
	return exp(a + log_ncdf(z));
}

/*
 * The standard bivariate normal CDF M(a, b; rho) for |rho| <= 0.9 (the
 * approximations use rho = +-sqrt(t1 / T) = +-0.786): Sheppard's formula
 * M = N(a) N(b) + 1/(2 pi) int_0^{asin rho} exp(-(a^2 + b^2 - 2 a b sin u)
 * / (2 cos^2 u)) du, by 20-point Gauss-Legendre (Drezner and Wesolowsky's
 * route; the integrand is smooth there, and the rule is good to ~1e-15).
 */
static double bvn(double a, double b, double rho)
{
	static const double x[10] = {0.076526521133497338, 0.2277858511416451,	0.37370608871541955,
				     0.51086700195082713,  0.63605368072651502, 0.7463319064601508,
				     0.83911697182221878,  0.91223442825132584, 0.96397192727791381,
				     0.99312859918509488};
	static const double w[10] = {0.15275338713072578,  0.14917298647260366,
				     0.14209610931838187,  0.13168863844917653,
				     0.11819453196151825,  0.10193011981724026,
				     0.083276741576704671, 0.062672048334109443,
				     0.040601429800386217, 0.017614007139153273};
	double h = 0.5 * asin(rho), sum = 0, hs = 0.5 * (a * a + b * b), ab = a * b;
	int i, sgn;

	for (i = 0; i < 10; i++)
		for (sgn = -1; sgn <= 1; sgn += 2) {
			double sn = sin(h * (1 + sgn * x[i]));

			sum += w[i] * exp((sn * ab - hs) / (1 - sn * sn));
		}
	return fmax(0, fmin(1, ncdf(a) * ncdf(b) + sum * h * INV_2PI));
}

/*
 * Bjerksund-Stensland's phi, divided by X^gamma (X a scale that keeps
 * S^gamma finite when gamma is large): the value now of S_t^gamma / X^gamma
 * at t if S_t <= H and S has not reached I before t.
 */
static double bjs_phi(double S, double t, double gamma, double H, double I, double X, double r,
		      double b, double sigma)
{
	double v2 = sigma * sigma, st = sigma * sqrt(t);
	double lambda = (-r + gamma * b + 0.5 * gamma * (gamma - 1) * v2) * t;
	double d = -(log(S / H) + (b + (gamma - 0.5) * v2) * t) / st;
	double kappa = 2 * b / v2 + 2 * gamma - 1, lead = lambda + gamma * log(S / X);

	return exp_ncdf(lead, d) - exp_ncdf(lead + kappa * log(I / S), d - 2 * log(I / S) / st);
}

/*
 * The 2002 paper's psi, divided by X^gamma: the value now of S_T^gamma /
 * X^gamma at T if S_T <= H, S has not reached I2 before t1 nor I1 between
 * t1 and T (derived by reflection in each period; rho = sqrt(t1 / T)).
 */
static double bjs_psi(double S, double T, double gamma, double H, double I2, double I1, double t1,
		      double X, double r, double b, double sigma)
{
	double v2 = sigma * sigma, s1 = sigma * sqrt(t1), sT = sigma * sqrt(T);
	double lambda = (-r + gamma * b + 0.5 * gamma * (gamma - 1) * v2) * T;
	double kappa = 2 * b / v2 + 2 * gamma - 1, m = b + (gamma - 0.5) * v2;
	double rho = sqrt(t1 / T), lead = lambda + gamma * log(S / X);
	double e1 = (log(S / I1) + m * t1) / s1, e2 = (log(I2 * I2 / (S * I1)) + m * t1) / s1;
	double e3 = (log(S / I1) - m * t1) / s1, e4 = (log(I2 * I2 / (S * I1)) - m * t1) / s1;
	double f1 = (log(S / H) + m * T) / sT, f2 = (log(I2 * I2 / (S * H)) + m * T) / sT;
	double f3 = (log(I1 * I1 / (S * H)) + m * T) / sT;
	double f4 = (log(S * I1 * I1 / (H * I2 * I2)) + m * T) / sT;

	return exp(lead) * bvn(-e1, -f1, rho) -
	       exp(lead + kappa * log(I2 / S)) * bvn(-e2, -f2, rho) -
	       exp(lead + kappa * log(I1 / S)) * bvn(-e3, -f3, -rho) +
	       exp(lead + kappa * log(I1 / I2)) * bvn(-e4, -f4, -rho);
}

/* The call (S, K, r, b = r - q) of both papers, for b < r, r >= 0,
 * sigma sqrt(T) > 0. */
static double bjs_call(double S, double K, double T, double r, double b, double sigma, int y2002)
{
	double v2 = sigma * sigma, beta, Binf, B0, I1, I2, t1, h1, h2, c;

	beta = (0.5 - b / v2) + sqrt((b / v2 - 0.5) * (b / v2 - 0.5) + 2 * r / v2);
	Binf = beta / (beta - 1) * K;
	B0 = fmax(K, r / (r - b) * K);
	if (!y2002) {
		h2 = -(b * T + 2 * sigma * sqrt(T)) * B0 / (Binf - B0);
		I2 = B0 + (Binf - B0) * -expm1(h2);
		if (S >= I2)
			return S - K;
		return (I2 - K) * (exp(beta * log(S / I2)) -
				   bjs_phi(S, T, beta, I2, I2, I2, r, b, sigma)) +
		       bjs_phi(S, T, 1, I2, I2, 1, r, b, sigma) -
		       bjs_phi(S, T, 1, K, I2, 1, r, b, sigma) -
		       K * bjs_phi(S, T, 0, I2, I2, 1, r, b, sigma) +
		       K * bjs_phi(S, T, 0, K, I2, 1, r, b, sigma);
	}
	t1 = 0.5 * (sqrt(5.0) - 1) * T;
	h1 = -(b * t1 + 2 * sigma * sqrt(t1)) * K * K / ((Binf - B0) * B0);
	h2 = -(b * T + 2 * sigma * sqrt(T)) * K * K / ((Binf - B0) * B0);
	I1 = B0 + (Binf - B0) * -expm1(h1);
	I2 = B0 + (Binf - B0) * -expm1(h2);
	if (S >= I2)
		return S - K;
	c = (I2 - K) * (exp(beta * log(S / I2)) - bjs_phi(S, t1, beta, I2, I2, I2, r, b, sigma));
	c += bjs_phi(S, t1, 1, I2, I2, 1, r, b, sigma) - bjs_phi(S, t1, 1, I1, I2, 1, r, b, sigma);
	c += -K * bjs_phi(S, t1, 0, I2, I2, 1, r, b, sigma) +
	     K * bjs_phi(S, t1, 0, I1, I2, 1, r, b, sigma);
	c += (I1 - K) * (bjs_phi(S, t1, beta, I1, I2, I1, r, b, sigma) -
			 bjs_psi(S, T, beta, I1, I2, I1, t1, I1, r, b, sigma));
	c += bjs_psi(S, T, 1, I1, I2, I1, t1, 1, r, b, sigma) -
	     bjs_psi(S, T, 1, K, I2, I1, t1, 1, r, b, sigma);
	c += -K * bjs_psi(S, T, 0, I1, I2, I1, t1, 1, r, b, sigma) +
	     K * bjs_psi(S, T, 0, K, I2, I1, t1, 1, r, b, sigma);
	return c;
}

/* What the approximations share: the trivial cases (exact) and their
 * domain, r >= 0 and q >= 0. Returns 1 with *v set when done. */
static int approx_trivial(char right, double S, double K, double T, double r, double q,
			  double sigma, double *v)
{
	struct job j;

	if (job_init(&j, right, S, K, T, r, q, sigma, NULL, 0)) {
		*v = NAN;
		return 1;
	}
	if (job_trivial(&j, exercise_continuous(right, r, q), v))
		return 1;
	if (!(r >= 0 && q >= 0)) {
		*v = NAN;
		return 1;
	}
	return 0;
}

static double bjs_any(char right, double S, double K, double T, double r, double q, double sigma,
		      int y2002)
{
	double v, e;

	if (approx_trivial(right, S, K, T, r, q, sigma, &v))
		return v;
	e = bs_price(right, S, K, T, r, q, sigma);
	/* a put is the call of the put-call transformation */
	v = right == 'C' ? bjs_call(S, K, T, r, r - q, sigma, y2002)
			 : bjs_call(K, S, T, q, q - r, sigma, y2002);
	/* both are lower bounds of the American value; never below the
	 * European one (the flat-boundary strategy can be worse) */
	return isfinite(v) ? fmax(v, fmax(e, fmax(0, right == 'C' ? S - K : K - S))) : NAN;
}

double am_bjs(char right, double S, double K, double T, double r, double q, double sigma)
{
	return bjs_any(right, S, K, T, r, q, sigma, 1);
}

double am_bjs1993(char right, double S, double K, double T, double r, double q, double sigma)
{
	return bjs_any(right, S, K, T, r, q, sigma, 0);
}

/* r / (1 - e^{-r T}), and its limit 1 / T at r = 0. */
static double r_over_kt(double r, double T)
{
	return r == 0 ? 1 / T : r / -expm1(-r * T);
}

double am_baw(char right, double S, double K, double T, double r, double q, double sigma)
{
	double v, v2, sT, b, N, MK, M, eq, root, qq, qinf, Sinf, Sx, phi;
	int it;

	if (approx_trivial(right, S, K, T, r, q, sigma, &v))
		return v;
	phi = right == 'C' ? 1 : -1;
	v2 = sigma * sigma;
	sT = sigma * sqrt(T);
	b = r - q;
	N = 2 * b / v2;
	M = 2 * r / v2;
	MK = 2 * r_over_kt(r, T) / v2;
	eq = exp(-q * T);
	/* q2 (call, > 1) or q1 (put, < 0) of the quadratic; the same with
	 * K_T = 1 for the perpetual seed */
	root = sqrt((N - 1) * (N - 1) + 4 * MK);
	qq = 0.5 * (-(N - 1) + phi * root);
	qinf = 0.5 * (-(N - 1) + phi * sqrt((N - 1) * (N - 1) + 4 * M));
	Sinf = K / (1 - 1 / qinf);
	Sx = phi > 0 ? K + (Sinf - K) * -expm1(-(b * T + 2 * sT) * K / (Sinf - K))
		     : Sinf + (K - Sinf) * exp((b * T - 2 * sT) * K / (K - Sinf));
	/* Newton on the critical price: value matching with smooth pasting */
	for (it = 0; it < 100; it++) {
		double d1 = (log(Sx / K) + (b + 0.5 * v2) * T) / sT;
		double Nd = ncdf(phi * d1), e = bs_price(right, Sx, K, T, r, q, sigma);
		double g, dg, step;

		g = phi * (Sx - K) - e - phi * (1 - eq * Nd) * Sx / qq;
		dg = phi - phi * eq * Nd - phi * (1 - eq * Nd) / qq + eq * npdf(d1) / (sT * qq);
		if (!(dg != 0) || !isfinite(g))
			return NAN;
		step = g / dg;
		/* stay on the right side of the strike */
		if (phi > 0 ? Sx - step <= K : Sx - step <= 0)
			step = 0.5 * (phi > 0 ? Sx - K : Sx);
		Sx -= step;
		if (fabs(step) <= 1e-13 * Sx)
			break;
	}
	if (!(isfinite(Sx) && Sx > 0))
		return NAN;
	if (phi * (S - Sx) >= 0)
		return phi * (S - K);
	{
		double d1 = (log(Sx / K) + (b + 0.5 * v2) * T) / sT;
		double A = phi * (Sx / qq) * (1 - eq * ncdf(phi * d1));

		return bs_price(right, S, K, T, r, q, sigma) + A * exp(qq * log(S / Sx));
	}
}

/* ---- the implied volatility ---- */

/* The model price minus the target at sigma, with the steps given. */
static double iv_gap(struct job *j, int cont, int steps, double sigma, double price)
{
	j->sigma = sigma;
	if (sigma == 0)
		return job_zero_vol(j) - price;
	return fmax(model_price(j, cont, steps), job_zero_vol(j)) - price;
}

/* A root being sought: the gap's steps and target, and the bracket. */
struct iv_root {
	struct job *j;
	int cont, steps;
	double price;
	double a, fa, b, fb; /* fa < 0 < fb */
};

/* The bracket [a, b] of the root from two points x, y whose gaps fx, fy
 * have opposite signs: a the one at or below the price (gap <= 0). */
static void set_bracket(struct iv_root *rt, double x, double fx, double y, double fy)
{
	int x_low = fx <= 0;

	rt->a = x_low ? x : y;
	rt->fa = x_low ? fx : fy;
	rt->b = x_low ? y : x;
	rt->fb = x_low ? fy : fx;
}

/*
 * Brent's method on the bracket (inverse quadratic interpolation and the
 * secant, bisection when they stray or stall), until the bracket is within
 * 1e-9 of sigma or the gap within 1e-12 of the price. Returns the root;
 * the bracket is left around it.
 */
static double iv_brent(struct iv_root *rt)
{
	double a = rt->a, fa = rt->fa, b = rt->b, fb = rt->fb;
	double c = a, fc = fa, d = b - a, e = d;
	int it;

	for (it = 0; it < 100; it++) {
		double tol, m, p, q, r, s;

		if ((fb > 0) == (fc > 0)) {
			c = a;
			fc = fa;
			d = e = b - a;
		}
		if (fabs(fc) < fabs(fb)) {
			a = b;
			b = c;
			c = a;
			fa = fb;
			fb = fc;
			fc = fa;
		}
		tol = 0.5e-9 * fabs(b) + 1e-15;
		m = 0.5 * (c - b);
		if (fabs(m) <= tol || fabs(fb) <= 1e-12 * rt->price)
			break;
		if (fabs(e) >= tol && fabs(fa) > fabs(fb)) {
			s = fb / fa;
			if (a == c) {
				p = 2 * m * s;
				q = 1 - s;
			} else {
				q = fa / fc;
				r = fb / fc;
				p = s * (2 * m * q * (q - r) - (b - a) * (r - 1));
				q = (q - 1) * (r - 1) * (s - 1);
			}
			if (p > 0)
				q = -q;
			else
				p = -p;
			if (2 * p < fmin(3 * m * q - fabs(tol * q), fabs(e * q))) {
				e = d;
				d = p / q;
			} else {
				d = m;
				e = m;
			}
		} else {
			d = m;
			e = m;
		}
		a = b;
		fa = fb;
		b += fabs(d) > tol ? d : (m > 0 ? tol : -tol);
		fb = iv_gap(rt->j, rt->cont, rt->steps, b, rt->price);
	}
	/* b and c bracket the root */
	set_bracket(rt, b, fb, c, fc);
	return b;
}

/*
 * Brackets the root from zero volatility (whose gap is known exactly)
 * up: from `guess` (an upper estimate, or NAN), doubling up to AM_IV_MAX.
 * Then one step inside the bracket: the European IV of the price less the
 * early-exercise premium at the bracket's top (the premium changes slowly
 * with sigma, so this lands close to the root). -1 when no sigma up to
 * AM_IV_MAX reaches the price.
 */
static int iv_bracket(struct iv_root *rt, double guess)
{
	struct job *j = rt->j;
	double eep, s1;

	rt->a = 0;
	rt->fa = job_zero_vol(j) - rt->price;
	/* beyond a few hundred percent the lattice's own error can put the
	 * American price under the European one: start below, and double */
	rt->b = isfinite(guess) && guess > 0 && guess <= 5 ? guess : 0.3;
	rt->fb = iv_gap(j, rt->cont, rt->steps, rt->b, rt->price);
	while (!(rt->fb > 0)) {
		if (!(rt->fb <= 0) || rt->b >= AM_IV_MAX)
			return -1;
		rt->a = rt->b;
		rt->fa = rt->fb;
		rt->b = fmin(2 * rt->b, AM_IV_MAX);
		rt->fb = iv_gap(j, rt->cont, rt->steps, rt->b, rt->price);
	}
	j->sigma = rt->b;
	eep = rt->fb + rt->price - job_european(j);
	if (bs_implied_vol(j->right, j->Ss, j->K, j->T, j->r, j->q, rt->price - eep, &s1) == 0 &&
	    s1 > rt->a && s1 < rt->b) {
		double f1 = iv_gap(j, rt->cont, rt->steps, s1, rt->price);

		if (f1 <= 0) {
			rt->a = s1;
			rt->fa = f1;
		} else {
			rt->b = s1;
			rt->fb = f1;
		}
	}
	return 0;
}

/*
 * The root at the model's steps, from the root at fewer steps (sc, the
 * slope of the gap there): the two differ by about the coarser lattice's
 * error, a small shift in sigma. A bracket around sc, widened until it
 * holds the root, then Brent; -1 if none is found within AM_IV_MAX.
 */
static int iv_refine(struct iv_root *rt, double sc, double slope)
{
	double f = iv_gap(rt->j, rt->cont, rt->steps, sc, rt->price), h, x, fx;
	int i;

	h = slope > 0 && isfinite(slope) ? fabs(f / slope) : 1e-3 * sc;
	h = fmax(2 * h, 1e-7 * sc);
	if (f == 0) {
		rt->a = rt->b = sc;
		rt->fa = rt->fb = 0;
		return 0;
	}
	for (i = 0; i < 40; i++) {
		x = f > 0 ? sc - h : sc + h;
		if (x <= 0) {
			x = 0;
			fx = job_zero_vol(rt->j) - rt->price;
		} else {
			x = fmin(x, AM_IV_MAX);
			fx = iv_gap(rt->j, rt->cont, rt->steps, x, rt->price);
		}
		if ((fx > 0) != (f > 0)) {
			set_bracket(rt, x, fx, sc, f);
			return 0;
		}
		if (x == 0 || x >= AM_IV_MAX)
			return -1;
		sc = x;
		f = fx;
		h *= 4;
	}
	return -1;
}

int am_implied_vol(char right, double S, double K, double T, double r, double q,
		   const struct am_div *div, size_t n_div, double price, double *iv)
{
	struct job j;
	struct iv_root rt;
	double lower, guess = NAN, sc, slope;
	int cont, rc = -1;

	*iv = NAN;
	if (job_init(&j, right, S, K, T, r, q, 0, div, n_div))
		return -1;
	lower = job_zero_vol(&j);
	if (!(T > 0) || !isfinite(price) || !(price > lower && price < (right == 'C' ? S : K)))
		goto out;
	cont = exercise_continuous(right, r, q);
	if (!cont && (j.phi < 0 || j.n == 0)) {
		/* European exactly: the IV of S* */
		rc = bs_implied_vol(right, j.Ss, K, T, r, q, price, iv) ? -1 : 0;
		goto out;
	}
	/* the European IV is an upper bound: American >= European */
	if (bs_implied_vol(right, j.Ss, K, T, r, q, price, &guess))
		guess = NAN;
	rt.j = &j;
	rt.cont = cont;
	rt.price = price;
	rt.steps = model_steps(&j, cont);
	/* first on a lattice a quarter as fine (an eighth of the work), then
	 * at the model's own steps from there */
	if (rt.steps >= 96) {
		rt.steps /= 4;
		if (iv_bracket(&rt, guess))
			goto out;
		sc = iv_brent(&rt);
		slope = (rt.fb - rt.fa) / (rt.b - rt.a);
		rt.steps = model_steps(&j, cont);
		if (iv_refine(&rt, sc, slope))
			goto out;
	} else if (iv_bracket(&rt, guess)) {
		goto out;
	}
	*iv = rt.fb == 0 ? rt.b : rt.fa == 0 ? rt.a : iv_brent(&rt);
	rc = 0;
out:
	if (rc)
		*iv = NAN;
	job_release(&j);
	return rc;
}
