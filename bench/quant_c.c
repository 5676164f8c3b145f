/*
 * quant_c.c - papertrade's side of bench/quant.sh (issue 12): price + five
 * greeks by bs_greeks one option at a time and by chain_greeks a chain at
 * a time, and implied volatility by bs_implied_vol, on the cases
 * bench/quant_cases.py wrote into DIR. Prints "name ns_per_option" lines
 * (the median of several timed passes after a warm-up pass) and writes
 * each method's outputs to DIR/out_c_*.f64 for the accuracy columns.
 *
 *     build/bench/quant_c DIR
 */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "quant/bs.h"
#include "quant/chain.h"
#include "quant/lbr.h"
#include "util/util.h"

enum { REPS = 9 };

struct cases {
	size_t n;
	double *S, *K, *T, *r, *q, *sigma, *price;
	char *right;
};

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

/* Reads DIR/name whole; *n set to its size in bytes / size. */
static void *load(const char *dir, const char *name, size_t size, size_t *n)
{
	char path[4096];
	FILE *f;
	long len;
	void *p;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "rb");
	if (!f || fseek(f, 0, SEEK_END) || (len = ftell(f)) < 0 || fseek(f, 0, SEEK_SET)) {
		fprintf(stderr, "quant_c: cannot read %s\n", path);
		exit(1);
	}
	p = xmalloc(len ? (size_t)len : 1);
	if (fread(p, 1, (size_t)len, f) != (size_t)len) {
		fprintf(stderr, "quant_c: short read %s\n", path);
		exit(1);
	}
	fclose(f);
	*n = (size_t)len / size;
	return p;
}

static void save(const char *dir, const char *name, const double *v, size_t n)
{
	char path[4096];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "wb");
	if (!f || fwrite(v, sizeof(double), n, f) != n || fclose(f)) {
		fprintf(stderr, "quant_c: cannot write %s\n", path);
		exit(1);
	}
}

static void load_cases(const char *dir, const char *pre, struct cases *c)
{
	char name[64];
	size_t n;

#define COL(field, suffix)                                                                         \
	snprintf(name, sizeof(name), "%s_%s.f64", pre, suffix);                                    \
	c->field = load(dir, name, sizeof(double), &n);                                            \
	if (c->n && n != c->n) {                                                                   \
		fprintf(stderr, "quant_c: %s: %zu values, not %zu\n", name, n, c->n);              \
		exit(1);                                                                           \
	}                                                                                          \
	c->n = n;
	c->n = 0;
	COL(S, "S")
	COL(K, "K")
	COL(T, "T")
	COL(r, "r")
	COL(q, "q")
	COL(sigma, "sigma")
#undef COL
	snprintf(name, sizeof(name), "%s_right.u8", pre);
	c->right = load(dir, name, 1, &n);
	c->price = NULL;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

/* The median of REPS timed calls of fn after one warm-up call, in ns per
 * option of n. */
static double time_median(void (*fn)(void *), void *arg, size_t n)
{
	double t[REPS];
	int i;

	fn(arg);
	for (i = 0; i < REPS; i++) {
		double t0 = now();

		fn(arg);
		t[i] = (now() - t0) * 1e9 / (double)n;
	}
	qsort(t, REPS, sizeof(double), cmp_double);
	return t[REPS / 2];
}

struct greeks_run {
	const struct cases *c;
	const int64_t *chain;
	size_t n_chain;
	double *out; /* 6 x n */
};

static void run_scalar(void *arg)
{
	struct greeks_run *g = arg;
	const struct cases *c = g->c;
	size_t i, n = c->n;

	for (i = 0; i < n; i++) {
		struct bs_greeks o;

		bs_greeks(c->right[i], c->S[i], c->K[i], c->T[i], c->r[i], c->q[i], c->sigma[i],
			  &o);
		g->out[i] = o.price;
		g->out[n + i] = o.delta;
		g->out[2 * n + i] = o.gamma;
		g->out[3 * n + i] = o.vega;
		g->out[4 * n + i] = o.theta;
		g->out[5 * n + i] = o.rho;
	}
}

/* One chain_greeks call per chain (an expiry of one underlying). */
static void run_chain(void *arg)
{
	struct greeks_run *g = arg;
	const struct cases *c = g->c;
	size_t k, n = c->n;

	for (k = 0; k + 1 < g->n_chain; k++) {
		size_t a = (size_t)g->chain[k], m = (size_t)(g->chain[k + 1] - g->chain[k]);
		struct chain_in in = {c->S + a, c->K + a,     c->T + a,	   c->r + a,
				      c->q + a, c->sigma + a, c->right + a};
		struct chain_out out = {g->out + a,	    g->out + n + a,	g->out + 2 * n + a,
					g->out + 3 * n + a, g->out + 4 * n + a, g->out + 5 * n + a};

		chain_greeks(&in, &out, m);
	}
}

struct iv_run {
	const struct cases *c;
	double *out;
	double *F, *P; /* forward and undiscounted price, for the chain IV */
};

static void run_iv(void *arg)
{
	struct iv_run *v = arg;
	const struct cases *c = v->c;
	size_t i;

	for (i = 0; i < c->n; i++)
		bs_implied_vol(c->right[i], c->S[i], c->K[i], c->T[i], c->r[i], c->q[i],
			       c->price[i], &v->out[i]);
}

/* chain_iv over the whole table in one call, on the BSM inputs. */
static void run_chain_iv(void *arg)
{
	struct iv_run *v = arg;
	const struct cases *c = v->c;
	struct chain_in in = {c->S, c->K, c->T, c->r, c->q, NULL, c->right};

	chain_iv(&in, c->price, v->out, c->n);
}

/*
 * lbr_implied_vol_chain over the whole table in one call, in Black's forward
 * terms (the forward and the undiscounted price, computed before the clock
 * starts: on a real chain they are one exp per expiration, shared by its
 * strikes, where the table's cases each have their own T).
 */
static void run_lbr(void *arg)
{
	struct iv_run *v = arg;
	const struct cases *c = v->c;

	lbr_implied_vol_chain(v->P, v->F, c->K, c->T, c->right, c->n, v->out);
}

int main(int argc, char **argv)
{
	const char *dir;
	struct cases g, iv;
	struct greeks_run gr;
	struct iv_run vr;
	size_t n;
	double t;

	if (argc != 2) {
		fprintf(stderr, "usage: quant_c DIR\n");
		return 2;
	}
	dir = argv[1];
	load_cases(dir, "g", &g);
	gr.c = &g;
	gr.chain = load(dir, "g_chain.i64", sizeof(int64_t), &gr.n_chain);
	gr.out = xmalloc(6 * g.n * sizeof(double));

	/* chain.c's condition for its AVX2 and baseline copies on libmvec */
#if defined(__GNUC__) && !defined(__clang__) && defined(__x86_64__) && defined(__GLIBC__)
	__builtin_cpu_init();
	printf("info ours: gcc %s, chain_greeks on %s\n", __VERSION__,
	       __builtin_cpu_supports("avx2") ? "AVX2 (its avx2 copy, libmvec _ZGVdN4v_*)"
					      : "SSE2 (its default copy, libmvec _ZGVbN2v_*)");
#else
	printf("info ours: %s, chain_greeks without libmvec (not gcc on x86-64 glibc)\n",
	       __VERSION__);
#endif
	t = time_median(run_scalar, &gr, g.n);
	printf("c_scalar %.2f\n", t);
	save(dir, "out_c_scalar.f64", gr.out, 6 * g.n);
	memset(gr.out, 0, 6 * g.n * sizeof(double));
	t = time_median(run_chain, &gr, g.n);
	printf("c_chain %.2f\n", t);
	save(dir, "out_c_chain.f64", gr.out, 6 * g.n);

	load_cases(dir, "iv", &iv);
	iv.price = load(dir, "iv_price.f64", sizeof(double), &n);
	vr.c = &iv;
	vr.out = xmalloc(iv.n * sizeof(double));
	t = time_median(run_iv, &vr, iv.n);
	printf("c_iv %.2f\n", t);
	save(dir, "out_c_iv.f64", vr.out, iv.n);
	t = time_median(run_chain_iv, &vr, iv.n);
	printf("c_chain_iv %.2f\n", t);
	save(dir, "out_c_chain_iv.f64", vr.out, iv.n);
	vr.F = xmalloc(iv.n * sizeof(double));
	vr.P = xmalloc(iv.n * sizeof(double));
	for (n = 0; n < iv.n; n++) {
		vr.F[n] = iv.S[n] * exp((iv.r[n] - iv.q[n]) * iv.T[n]);
		vr.P[n] = iv.price[n] * exp(iv.r[n] * iv.T[n]);
	}
	t = time_median(run_lbr, &vr, iv.n);
	printf("c_lbr %.2f\n", t);
	save(dir, "out_c_lbr.f64", vr.out, iv.n);
	return 0;
}
