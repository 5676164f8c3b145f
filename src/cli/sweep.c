/*
 * sweep.c - `papertrade sweep`: every combination of a parameter grid
 * backtested over the same sessions (src/sweep.h), ranked by a figure, as a
 * table, CSV or JSON, with the deflated Sharpe ratio and the probability of
 * backtest overfitting. Under Open MPI (`mpirun -np N papertrade sweep
 * ...`, in a build with MPI) the grid is split over the ranks in contiguous
 * blocks and rank 0 merges and prints: the same rows, byte for byte, as
 * one process.
 */
#include <getopt.h>
#include <jansson.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#ifdef PT_MPI
#include <fcntl.h>
#include <mpi.h>
#endif

#include "cli.h"
#include "../config.h"
#include "../market/provider.h"
#include "../sweep.h"
#include "../util/date.h"
#include "../util/util.h"

static const char usage[] =
	"usage: papertrade sweep --from D1 [--to D2] [--provider NAME] [--set KEY=VALUE ...]\n"
	"                        [--sort FIGURE] [--top N] [--train-until D] [--threads N]\n"
	"                        [--blocks S] [--csv | --json] [-q] KEY=VALUES...\n"
	"\n"
	"Backtests every combination of the grid KEY=VALUES... over the sessions\n"
	"D1..D2, as `papertrade backtest` does one configuration, with each\n"
	"session's market view built once and shared by every combination, on\n"
	"every core; then ranks them. VALUES is first:last:step (every value from\n"
	"first to last, step apart) or a comma list; keys are those of\n"
	"papertrade.ini, on top of it and of --set. Keys that change the market\n"
	"(tickers, provider, seed) cannot be swept.\n"
	"\n"
	"  --from D         first session (YYYY-MM-DD)\n"
	"  --to D           last session (default: the last one before today)\n"
	"  --provider P     the market: sim (default), or what the config names\n"
	"  --set K=V        override a configuration key for every combination\n"
	"  --sort FIGURE    rank by sharpe (default), cagr, total_return, sortino,\n"
	"                   calmar, max_drawdown, volatility (lowest first),\n"
	"                   win_rate, profit_factor, trades, final_value, alpha, beta\n"
	"  --top N          rows shown (default: 20 in the table, all in CSV and JSON)\n"
	"  --train-until D  in-sample to D, out-of-sample after: ranked in-sample,\n"
	"                   both shown side by side\n"
	"  --threads N      threads (default: the cores online, shared by the MPI\n"
	"                   ranks of one machine)\n"
	"  --blocks S       CSCV's blocks for the probability of overfitting (even,\n"
	"                   2-24; default 16)\n"
	"  --csv            one line per combination\n"
	"  --json           one JSON object: sweep, axes, rows, selection\n"
	"  -q, --quiet      no progress line\n"
	"  -h, --help       this help\n"
	"\n"
	"Example: papertrade sweep --from 2015-01-01 --to 2024-12-31 \\\n"
	"           iv_edge=0.01:0.06:0.01 target_dte=30,45,60\n"
	"\n"
	"Under Open MPI (mpirun -np N [--hostfile H] papertrade sweep ...) the\n"
	"grid is split over the ranks and rank 0 prints the merged result: the\n"
	"same rows as one process.\n";

static volatile int stop;

static void on_sigint(int sig)
{
	(void)sig;
	stop = 1;
}

struct sw_opts {
	int from, to, train_until, sort, threads, blocks, csv, json, quiet;
	long top;
	struct cli_fit fit; /* --provider history: tickers left out, dates moved */
};

static int rank_id, n_ranks = 1;
static int saved_stderr = -1; /* a rank above 0's, while it parses */

/* Every rank parses the same command line, and one says what is wrong with
 * it; every rank says why its own part of the run failed. */
static void speak_again(void)
{
	if (saved_stderr < 0)
		return;
	fflush(stderr);
	dup2(saved_stderr, STDERR_FILENO);
	close(saved_stderr);
	saved_stderr = -1;
}

static void progress_cb(int done, int total, void *arg)
{
	cli_progress(done, total, *(const double *)arg);
}

/* A figure as the table shows it, into buf. */
static const char *fig_text(int fig, double v, char *buf, size_t n)
{
	if (isnan(v))
		return "-";
	switch (fig) {
	case SW_TOTAL_RETURN:
	case SW_CAGR:
	case SW_VOLATILITY:
	case SW_MAX_DRAWDOWN:
	case SW_WIN_RATE:
	case SW_ALPHA:
		snprintf(buf, n, "%.2f%%", 100.0 * v);
		break;
	case SW_TRADES:
		snprintf(buf, n, "%.0f", v);
		break;
	case SW_FINAL_VALUE:
		snprintf(buf, n, "%.2f", v);
		break;
	default:
		if (isinf(v))
			snprintf(buf, n, "%s", v > 0 ? "inf" : "-inf");
		else
			snprintf(buf, n, "%.2f", v);
	}
	return buf;
}

static const char *const fig_heads[SW_NFIG] = {
	"Return", "CAGR", "Vol",    "Sharpe", "Sortino", "MaxDD", "Calmar",
	"Win",	  "PF",	  "Trades", "Final",  "Alpha",	 "Beta",
};

/* The table's columns: (period, figure); period 0 whole, 1 in, 2 out. */
struct col {
	int period, fig;
};

static size_t table_cols(const struct sw_opts *o, struct col *c)
{
	static const int whole[] = {SW_CAGR,	 SW_VOLATILITY,	  SW_SHARPE,
				    SW_SORTINO,	 SW_MAX_DRAWDOWN, SW_CALMAR,
				    SW_WIN_RATE, SW_TRADES,	  SW_FINAL_VALUE};
	static const int is[] = {SW_CAGR, SW_SHARPE, SW_MAX_DRAWDOWN};
	static const int oos[] = {SW_CAGR, SW_SHARPE, SW_MAX_DRAWDOWN, SW_TRADES};
	size_t n = 0, k;

	if (!o->train_until) {
		for (k = 0; k < PT_ARRAY_SIZE(whole); k++)
			c[n++] = (struct col){0, whole[k]};
		return n;
	}
	c[n++] = (struct col){1, o->sort};
	for (k = 0; k < PT_ARRAY_SIZE(is); k++)
		if (is[k] != o->sort)
			c[n++] = (struct col){1, is[k]};
	c[n++] = (struct col){2, o->sort};
	for (k = 0; k < PT_ARRAY_SIZE(oos); k++)
		if (oos[k] != o->sort)
			c[n++] = (struct col){2, oos[k]};
	return n;
}

static double row_fig(const struct sweep_row *r, const struct col *c)
{
	return c->period == 0 ? r->full[c->fig] : c->period == 1 ? r->is[c->fig] : r->oos[c->fig];
}

static void selection_text(const struct sweep_grid *g, const struct sweep_result *r,
			   const struct sweep_stats *st, int blocks, struct sbuf *sb)
{
	const struct sweep_row *b = &r->rows[st->best];
	const char *period = r->train_until ? " in-sample" : "";

	sb_addf(sb, "\nBest by Sharpe%s:", period);
	for (size_t a = 0; a < g->n_axes; a++)
		sb_addf(sb, " %s=%s", g->axis[a].key, sweep_value(g, (size_t)b->combo, a));
	sb_addf(sb, " (Sharpe %.2f)\n", r->train_until ? b->is[SW_SHARPE] : b->full[SW_SHARPE]);
	if (st->dsr_ok)
		sb_addf(sb,
			"  Deflated Sharpe ratio %.3f: the probability that its true Sharpe "
			"exceeds %.2f,\n  the best that %zu trials with no skill are expected "
			"to show (PSR above 0: %.3f; %zu returns)\n",
			st->dsr.dsr, st->dsr.sr0_ann, st->dsr.n_trials, st->dsr.psr, st->dsr.n_obs);
	else
		sb_addf(sb, "  Deflated Sharpe ratio: none (%s)\n", st->why);
	if (st->cscv_ok)
		sb_addf(sb,
			"  Probability of backtest overfitting %.3f (CSCV over the whole period: "
			"%d blocks,\n  %zu splits; the in-sample best lost out of sample in "
			"%.1f%% of them)\n",
			st->cscv.pbo, st->cscv.s, st->cscv.n_splits, 100.0 * st->cscv.p_loss);
	else if (r->n_rows < 2)
		sb_addf(sb, "  Probability of backtest overfitting: none (one combination)\n");
	else
		sb_addf(sb,
			"  Probability of backtest overfitting: none (%s%zu returns for %d "
			"blocks)\n",
			*st->why && strncmp(st->why, "CSCV", 4) == 0 ? st->why : "", r->n_ret,
			blocks);
}

static void text_out(const struct sweep_grid *g, const struct sweep_result *r,
		     const struct sw_opts *o, const size_t *order, const struct sweep_stats *st,
		     const char *provider, int threads, struct sbuf *sb)
{
	struct col c[16];
	size_t nc = table_cols(o, c), a, k, shown, *w;
	char d1[DATE_BUFSZ], d2[DATE_BUFSZ], d3[DATE_BUFSZ], buf[64];
	double cs = (double)r->n_rows * r->sessions;

	sb_addf(sb, "SWEEP %s..%s on %s: %zu combination%s x %d session%s in %.2f s on %d thread%s",
		date_fmt(r->first, d1), date_fmt(r->last, d2), provider, r->n_rows,
		r->n_rows == 1 ? "" : "s", r->sessions, r->sessions == 1 ? "" : "s", r->seconds,
		threads, threads == 1 ? "" : "s");
	if (n_ranks > 1)
		sb_addf(sb, " x %d ranks", n_ranks);
	sb_addf(sb, " (%.0f combination-sessions/s)%s\n", r->seconds > 0 ? cs / r->seconds : 0.0,
		stop ? " (interrupted)" : "");
	if (r->skipped)
		sb_addf(sb, "%d session%s without a tape skipped\n", r->skipped,
			r->skipped == 1 ? "" : "s");
	if (o->fit.n_left) {
		char left[CLI_FIT_MAX * 48];

		cli_fit_text(&o->fit, left, sizeof(left));
		sb_addf(sb, "Left out: %s (see papertrade history list)\n", left);
	}
	if (o->fit.clamped[0])
		sb_addf(sb, "Dates: %s\n", o->fit.clamped);
	shown = o->top > 0 && (size_t)o->top < r->n_rows ? (size_t)o->top : r->n_rows;
	sb_addf(sb, "Ranked by %s%s%s; %zu of %zu shown\n", sweep_fig_names[o->sort],
		o->train_until ? " in-sample, to " : " over the whole period",
		o->train_until ? date_fmt(o->train_until, d3) : "", shown, r->n_rows);
	if (o->train_until)
		sb_addf(sb, "IS: %s..%s   OOS: after it, the same run going on\n",
			date_fmt(r->first, d1), date_fmt(o->train_until, d2));
	/* widths: the axes' keys and values */
	w = xcalloc(g->n_axes + 1, sizeof(*w));
	for (a = 0; a < g->n_axes; a++) {
		w[a] = strlen(g->axis[a].key);
		for (k = 0; k < g->axis[a].n; k++)
			if (strlen(g->axis[a].val[k]) > w[a])
				w[a] = strlen(g->axis[a].val[k]);
	}
	sb_addf(sb, "\n%4s", "#");
	for (a = 0; a < g->n_axes; a++)
		sb_addf(sb, "  %*s", (int)w[a], g->axis[a].key);
	for (k = 0; k < nc; k++) {
		snprintf(buf, sizeof(buf), "%s%s",
			 c[k].period == 1   ? "IS "
			 : c[k].period == 2 ? "OOS "
					    : "",
			 fig_heads[c[k].fig]);
		sb_addf(sb, "  %*s", c[k].fig == SW_FINAL_VALUE ? 11 : 10, buf);
	}
	sb_addf(sb, "\n");
	for (size_t i = 0; i < shown; i++) {
		const struct sweep_row *row = &r->rows[order[i]];

		sb_addf(sb, "%4zu", i + 1);
		for (a = 0; a < g->n_axes; a++)
			sb_addf(sb, "  %*s", (int)w[a], sweep_value(g, (size_t)row->combo, a));
		for (k = 0; k < nc; k++)
			sb_addf(sb, "  %*s", c[k].fig == SW_FINAL_VALUE ? 11 : 10,
				fig_text(c[k].fig, row_fig(row, &c[k]), buf, sizeof(buf)));
		sb_addf(sb, "\n");
	}
	free(w);
	selection_text(g, r, st, o->blocks, sb);
}

/* A number of CSV or JSON: %.17g, so what is printed reads back exactly. */
static void csv_num(struct sbuf *sb, double v)
{
	if (isfinite(v))
		sb_addf(sb, ",%.17g", v);
	else
		sb_addf(sb, ",%s", isnan(v) ? "" : v > 0 ? "inf" : "-inf");
}

static void csv_out(const struct sweep_grid *g, const struct sweep_result *r,
		    const struct sw_opts *o, const size_t *order, struct sbuf *sb)
{
	size_t shown = o->top > 0 && (size_t)o->top < r->n_rows ? (size_t)o->top : r->n_rows;
	int k;

	sb_addf(sb, "rank,combination");
	for (size_t a = 0; a < g->n_axes; a++)
		sb_addf(sb, ",%s", g->axis[a].key);
	for (k = 0; k < SW_NFIG; k++)
		sb_addf(sb, ",%s", sweep_fig_names[k]);
	if (o->train_until) {
		for (k = 0; k < SW_NFIG; k++)
			sb_addf(sb, ",is_%s", sweep_fig_names[k]);
		for (k = 0; k < SW_NFIG; k++)
			sb_addf(sb, ",oos_%s", sweep_fig_names[k]);
	}
	sb_addf(sb, ",orders,margin_calls\n");
	for (size_t i = 0; i < shown; i++) {
		const struct sweep_row *row = &r->rows[order[i]];

		sb_addf(sb, "%zu,%llu", i + 1, (unsigned long long)row->combo + 1);
		for (size_t a = 0; a < g->n_axes; a++)
			sb_addf(sb, ",%s", sweep_value(g, (size_t)row->combo, a));
		for (k = 0; k < SW_NFIG; k++)
			csv_num(sb, row->full[k]);
		if (o->train_until) {
			for (k = 0; k < SW_NFIG; k++)
				csv_num(sb, row->is[k]);
			for (k = 0; k < SW_NFIG; k++)
				csv_num(sb, row->oos[k]);
		}
		sb_addf(sb, ",%lld,%lld\n", (long long)row->trades, (long long)row->margin_calls);
	}
}

static json_t *jnum(double v)
{
	return isfinite(v) ? json_real(v) : json_null();
}

static json_t *figs_json(const double *f)
{
	json_t *o = json_object();

	for (int k = 0; k < SW_NFIG; k++)
		json_object_set_new(o, sweep_fig_names[k], jnum(f[k]));
	return o;
}

static char *json_out(const struct sweep_grid *g, const struct sweep_result *r,
		      const struct sw_opts *o, const size_t *order, const struct sweep_stats *st,
		      const char *provider, int threads)
{
	size_t shown = o->top > 0 && (size_t)o->top < r->n_rows ? (size_t)o->top : r->n_rows;
	json_t *root = json_object(), *sw = json_object(), *axes = json_array(),
	       *rows = json_array(), *sel = json_object();
	char d[DATE_BUFSZ];
	char *s;

	json_object_set_new(sw, "from", json_string(date_fmt(o->fit.asked_from, d)));
	json_object_set_new(sw, "to", json_string(date_fmt(o->fit.asked_to, d)));
	json_object_set_new(sw, "first_session", json_string(date_fmt(r->first, d)));
	json_object_set_new(sw, "last_session", json_string(date_fmt(r->last, d)));
	json_object_set_new(sw, "sessions", json_integer(r->sessions));
	json_object_set_new(sw, "skipped_sessions", json_integer(r->skipped));
	cli_fit_json(&o->fit, sw, "left_out");
	json_object_set_new(sw, "provider", json_string(provider));
	json_object_set_new(sw, "combinations", json_integer((json_int_t)r->n_rows));
	json_object_set_new(sw, "sort", json_string(sweep_fig_names[o->sort]));
	json_object_set_new(sw, "train_until",
			    o->train_until ? json_string(date_fmt(o->train_until, d))
					   : json_null());
	json_object_set_new(sw, "option_quotes", json_integer((json_int_t)r->options_quoted));
	json_object_set_new(sw, "interrupted", json_boolean(stop));
	json_object_set_new(sw, "seconds", json_real(r->seconds));
	json_object_set_new(sw, "threads", json_integer(threads));
	json_object_set_new(sw, "ranks", json_integer(n_ranks));
	for (size_t a = 0; a < g->n_axes; a++) {
		json_t *vals = json_array();

		for (size_t k = 0; k < g->axis[a].n; k++)
			json_array_append_new(vals, json_string(g->axis[a].val[k]));
		json_array_append_new(
			axes, json_pack("{s:s, s:o}", "key", g->axis[a].key, "values", vals));
	}
	for (size_t i = 0; i < shown; i++) {
		const struct sweep_row *row = &r->rows[order[i]];
		json_t *jr = json_object(), *params = json_object();

		for (size_t a = 0; a < g->n_axes; a++)
			json_object_set_new(params, g->axis[a].key,
					    json_string(sweep_value(g, (size_t)row->combo, a)));
		json_object_set_new(jr, "rank", json_integer((json_int_t)i + 1));
		json_object_set_new(jr, "combination", json_integer((json_int_t)row->combo + 1));
		json_object_set_new(jr, "params", params);
		json_object_set_new(jr, "whole", figs_json(row->full));
		if (o->train_until) {
			json_object_set_new(jr, "in_sample", figs_json(row->is));
			json_object_set_new(jr, "out_of_sample", figs_json(row->oos));
		}
		json_object_set_new(jr, "orders", json_integer((json_int_t)row->trades));
		json_object_set_new(jr, "margin_calls",
				    json_integer((json_int_t)row->margin_calls));
		json_array_append_new(rows, jr);
	}
	if (r->n_rows)
		json_object_set_new(sel, "best_combination",
				    json_integer((json_int_t)r->rows[st->best].combo + 1));
	if (st->dsr_ok)
		json_object_set_new(sel, "deflated_sharpe",
				    json_pack("{s:o, s:o, s:o, s:o, s:I, s:I, s:o, s:o}", "dsr",
					      jnum(st->dsr.dsr), "psr", jnum(st->dsr.psr), "sharpe",
					      jnum(st->dsr.sr_ann), "expected_max_sharpe",
					      jnum(st->dsr.sr0_ann), "trials",
					      (json_int_t)st->dsr.n_trials, "returns",
					      (json_int_t)st->dsr.n_obs, "skew", jnum(st->dsr.skew),
					      "kurtosis", jnum(st->dsr.kurt)));
	else
		json_object_set_new(sel, "deflated_sharpe", json_null());
	if (st->cscv_ok)
		json_object_set_new(sel, "pbo",
				    json_pack("{s:o, s:o, s:i, s:I}", "pbo", jnum(st->cscv.pbo),
					      "p_loss", jnum(st->cscv.p_loss), "blocks", st->cscv.s,
					      "splits", (json_int_t)st->cscv.n_splits));
	else
		json_object_set_new(sel, "pbo", json_null());
	if (!st->dsr_ok || !st->cscv_ok)
		json_object_set_new(sel, "why", json_string(st->why));
	json_object_set_new(root, "sweep", sw);
	json_object_set_new(root, "axes", axes);
	json_object_set_new(root, "rows", rows);
	json_object_set_new(root, "selection", sel);
	s = json_dumps(root, JSON_INDENT(2) | JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(17));
	json_decref(root);
	return s;
}

/* ---- Open MPI --------------------------------------------------------------- */

#ifdef PT_MPI
/* Under mpirun: Open MPI's launcher says so in the environment. */
static int under_mpirun(void)
{
	return getenv("OMPI_COMM_WORLD_SIZE") != NULL;
}

/* Rank 0 gathers every rank's rows and returns into r, in combination
 * order (the blocks are contiguous and ascending by rank). 0, or -1 with
 * the error printed. */
static int mpi_merge(struct sweep_result *r, int rc)
{
	int any = rc != 0, bad;
	long long mine[4] = {(long long)r->n_rows, (long long)r->n_ret, r->sessions,
			     (long long)r->options_quoted};
	double secs = r->seconds;

	MPI_Allreduce(&any, &bad, 1, MPI_INT, MPI_MAX, MPI_COMM_WORLD);
	if (bad && !any && !rank_id)
		cli_error("sweep", "another rank failed (its message is above)");
	if (bad)
		return -1;
	MPI_Reduce(rank_id ? &secs : MPI_IN_PLACE, &r->seconds, 1, MPI_DOUBLE, MPI_MAX, 0,
		   MPI_COMM_WORLD);
	if (rank_id) {
		MPI_Send(mine, 4, MPI_LONG_LONG, 0, 1, MPI_COMM_WORLD);
		MPI_Send(r->rows, (int)(r->n_rows * sizeof(*r->rows)), MPI_BYTE, 0, 2,
			 MPI_COMM_WORLD);
		for (size_t i = 0; i < r->n_rows; i++)
			MPI_Send(r->ret + i * r->n_ret, (int)r->n_ret, MPI_DOUBLE, 0, 3,
				 MPI_COMM_WORLD);
		return 0;
	}
	for (int k = 1; k < n_ranks; k++) {
		long long theirs[4];
		size_t n0 = r->n_rows, n;

		MPI_Recv(theirs, 4, MPI_LONG_LONG, k, 1, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
		n = (size_t)theirs[0];
		if (n && n0 && ((size_t)theirs[1] != r->n_ret || theirs[2] != r->sessions)) {
			cli_error("sweep", "rank %d ran %lld sessions where rank 0 ran %d", k,
				  theirs[2], r->sessions);
			return -1;
		}
		if (!n0) {
			r->n_ret = (size_t)theirs[1];
			r->sessions = (int)theirs[2];
		}
		r->options_quoted += theirs[3];
		r->rows = xrealloc(r->rows, (n0 + n + 1) * sizeof(*r->rows));
		r->ret = xrealloc(r->ret, ((n0 + n) * r->n_ret + 1) * sizeof(*r->ret));
		MPI_Recv(r->rows + n0, (int)(n * sizeof(*r->rows)), MPI_BYTE, k, 2, MPI_COMM_WORLD,
			 MPI_STATUS_IGNORE);
		for (size_t i = 0; i < n; i++)
			MPI_Recv(r->ret + (n0 + i) * r->n_ret, (int)r->n_ret, MPI_DOUBLE, k, 3,
				 MPI_COMM_WORLD, MPI_STATUS_IGNORE);
		r->n_rows = n0 + n;
	}
	return 0;
}
#endif

/* Threads for this process: the cores online, shared by the ranks on this
 * machine. */
static int default_threads(void)
{
	long cores = sysconf(_SC_NPROCESSORS_ONLN);
	const char *local = getenv("OMPI_COMM_WORLD_LOCAL_SIZE");
	long per = local ? strtol(local, NULL, 10) : 1;

	if (cores < 1)
		cores = 1;
	if (per < 1)
		per = 1;
	return cores / per > 0 ? (int)(cores / per) : 1;
}

static int run_sweep(const struct cli_ctx *ctx, const struct config *cfg,
		     const struct sweep_grid *g, const struct sw_opts *o)
{
	struct sigaction sa, old_sa;
	struct sweep_result r;
	struct sweep_stats st;
	struct session_err e;
	struct cli_market cm;
	struct sbuf out;
	char *js;
	double t0 = cli_mono();
	size_t first = g->n_combos * (size_t)rank_id / (size_t)n_ranks;
	size_t n = g->n_combos * (size_t)(rank_id + 1) / (size_t)n_ranks - first, *order;
	int threads = o->threads ? o->threads : default_threads();
	int tty = !o->quiet && !o->json && !o->csv && rank_id == 0 && isatty(STDERR_FILENO);
	int rc;

	if (cli_market_open(ctx, cfg, &cm)) {
		cli_market_close(&cm);
		return EXIT_RUNTIME;
	}
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_sigint;
	sa.sa_flags = SA_RESTART | SA_RESETHAND;
	sigemptyset(&sa.sa_mask);
	stop = 0;
	sigaction(SIGINT, &sa, &old_sa);
	rc = sweep_run(g, cfg, &cm.m, o->from, o->to, o->train_until, first, n, threads,
		       tty ? progress_cb : NULL, &t0, &stop, &r, &e);
	sigaction(SIGINT, &old_sa, NULL);
	if (tty)
		fputs("\r\033[K", stderr);
	if (rc)
		cli_error(e.what, "%s", e.why);
#ifdef PT_MPI
	if (n_ranks > 1 && mpi_merge(&r, rc)) {
		sweep_release(&r);
		cli_market_close(&cm);
		return EXIT_RUNTIME;
	}
#endif
	if (rc || rank_id) {
		sweep_release(&r);
		cli_market_close(&cm);
		return rc ? EXIT_RUNTIME : 0;
	}
	if (!r.sessions) {
		cli_no_session("sweep", r.skipped, stop, o->from, o->to);
		sweep_release(&r);
		cli_market_close(&cm);
		return stop ? 130 : EXIT_RUNTIME;
	}
	order = xcalloc(r.n_rows + 1, sizeof(*order));
	sweep_rank(&r, o->sort, o->train_until != 0, order);
	sweep_stats(&r, o->blocks, &st);
	sb_init(&out, 1u << 30);
	js = NULL;
	if (o->json) {
		js = json_out(g, &r, o, order, &st, cli_market_name(&cm), threads);
		if (js)
			sb_addf(&out, "%s\n", js);
	} else if (o->csv) {
		csv_out(g, &r, o, order, &out);
	} else {
		text_out(g, &r, o, order, &st, cli_market_name(&cm), threads, &out);
	}
	if (o->json && !js) {
		cli_error("sweep", "the JSON cannot be formatted");
		rc = EXIT_RUNTIME;
	} else {
		fputs(sb_str(&out), stdout);
	}
	if (stop) {
		char d[DATE_BUFSZ];

		fprintf(stderr, "papertrade: sweep interrupted after %s (%d sessions)\n",
			date_fmt(r.last, d), r.sessions);
		rc = 130;
	}
	free(js);
	sb_release(&out);
	sweep_stats_release(&st);
	free(order);
	sweep_release(&r);
	cli_market_close(&cm);
	return rc;
}

static int sweep_main(struct cli_ctx *ctx, int argc, char **argv)
{
	static const struct option opts[] = {
		{"from", required_argument, NULL, 'f'},
		{"to", required_argument, NULL, 't'},
		{"provider", required_argument, NULL, 'P'},
		{"set", required_argument, NULL, 's'},
		{"sort", required_argument, NULL, 'S'},
		{"top", required_argument, NULL, 'n'},
		{"train-until", required_argument, NULL, 'T'},
		{"threads", required_argument, NULL, 'j'},
		{"blocks", required_argument, NULL, 'b'},
		{"csv", no_argument, NULL, 'c'},
		{"json", no_argument, NULL, 'J'},
		{"quiet", no_argument, NULL, 'q'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	char *sets[CLI_MAX_SETS], *end, err[PT_ERRSZ], d[DATE_BUFSZ], d2[DATE_BUFSZ];
	size_t nsets = 0;
	struct sw_opts o = {0};
	struct sweep_grid g;
	struct config cfg;
	long v;
	int c, rc;

	o.sort = SW_SHARPE;
	o.blocks = 16;
	while ((c = getopt_long(argc, argv, ":hq", opts, NULL)) != -1) {
		switch (c) {
		case 'f':
			if (cli_parse_date("--from", optarg, &o.from))
				return EXIT_USAGE;
			break;
		case 't':
			if (cli_parse_date("--to", optarg, &o.to))
				return EXIT_USAGE;
			break;
		case 'T':
			if (cli_parse_date("--train-until", optarg, &o.train_until))
				return EXIT_USAGE;
			break;
		case 'S':
			if ((o.sort = sweep_fig_find(optarg)) < 0) {
				cli_error("--sort", "no figure '%s' (see papertrade sweep --help)",
					  optarg);
				return EXIT_USAGE;
			}
			break;
		case 'n':
		case 'j':
		case 'b':
			v = strtol(optarg, &end, 10);
			if (*end || end == optarg || v < 1 || v > (c == 'j' ? 1024 : 1000000000L) ||
			    (c == 'b' && (v % 2 || v > AN_CSCV_MAX_S))) {
				cli_error(c == 'n'   ? "--top"
					  : c == 'j' ? "--threads"
						     : "--blocks",
					  c == 'b'   ? "'%s' is not an even number from 2 to 24"
					  : c == 'j' ? "'%s' is not a number from 1 to 1024"
						     : "'%s' is not a positive number",
					  optarg);
				return EXIT_USAGE;
			}
			if (c == 'n')
				o.top = v;
			else if (c == 'j')
				o.threads = (int)v;
			else
				o.blocks = (int)v;
			break;
		case 'c':
			o.csv = 1;
			break;
		case 'J':
			o.json = 1;
			break;
		case 'q':
			o.quiet = 1;
			break;
		case 's':
		case 'P':
			if (cli_add_set(sets, &nsets, optarg, c == 'P'))
				return EXIT_USAGE;
			break;
		case 'h':
			return cli_usage(usage, 0);
		case ':':
			cli_error("sweep", "option '%s' needs a value", argv[optind - 1]);
			return EXIT_USAGE;
		default:
			cli_error("sweep", "unknown option '%s' (see papertrade sweep --help)",
				  argv[optind - 1]);
			return EXIT_USAGE;
		}
	}
	if (o.csv && o.json) {
		cli_error("sweep", "--csv and --json exclude each other");
		return EXIT_USAGE;
	}
	if (!o.from) {
		cli_error("sweep", "--from is required (see papertrade sweep --help)");
		return EXIT_USAGE;
	}
	if (optind == argc) {
		cli_error("sweep", "no KEY=VALUES to sweep (see papertrade sweep --help)");
		return EXIT_USAGE;
	}
	if (cli_replay_range(&o.from, &o.to))
		return EXIT_USAGE;
	if (o.train_until && (o.train_until < o.from || o.train_until >= o.to)) {
		cli_error("--train-until", "%s is not from --from %s to the day before --to",
			  date_fmt(o.train_until, d), date_fmt(o.from, d2));
		return EXIT_USAGE;
	}
	if (!o.csv && !o.json && !o.top)
		o.top = 20;
	if (cli_load_config(ctx, &cfg, sets, nsets))
		return EXIT_USAGE;
	o.fit.asked_from = o.from;
	o.fit.asked_to = o.to;
	if (!strcmp(cfg.provider, "history")) {
		struct config *one = &cfg;

		/* the tickers are not swept: every combination replays these */
		if ((rc = cli_history_fit(ctx, "sweep", &one, NULL, 1, &o.from, &o.to, &o.fit)))
			return rc;
		if (o.train_until && (o.train_until < o.from || o.train_until >= o.to)) {
			cli_error("--train-until",
				  "%s is not inside the history's %s..%s (see papertrade history "
				  "list)",
				  date_fmt(o.train_until, d), date_fmt(o.from, d2),
				  date_fmt(o.to, err));
			return EXIT_USAGE;
		}
		cli_fit_say("sweep", &o.fit);
	}
	memset(&g, 0, sizeof(g));
	for (; optind < argc; optind++)
		if (sweep_grid_add(&g, &cfg, argv[optind], err)) {
			cli_error("sweep", "%s", err);
			sweep_grid_release(&g);
			return EXIT_USAGE;
		}
	if (n_ranks > 1 && (size_t)n_ranks > g.n_combos) {
		cli_error("sweep", "%d ranks for %zu combinations: use at most as many ranks",
			  n_ranks, g.n_combos);
		sweep_grid_release(&g);
		return EXIT_USAGE;
	}
	speak_again();
	rc = run_sweep(ctx, &cfg, &g, &o);
	sweep_grid_release(&g);
	return rc;
}

int cmd_sweep(struct cli_ctx *ctx, int argc, char **argv)
{
	int rc;
#ifdef PT_MPI
	if (under_mpirun()) {
		MPI_Init(NULL, NULL);
		MPI_Comm_rank(MPI_COMM_WORLD, &rank_id);
		MPI_Comm_size(MPI_COMM_WORLD, &n_ranks);
		if (rank_id) {
			int null = open("/dev/null", O_WRONLY | O_CLOEXEC);

			fflush(stderr);
			if (null >= 0) {
				saved_stderr = dup(STDERR_FILENO);
				dup2(null, STDERR_FILENO);
				close(null);
			}
		}
	}
#endif
	rc = sweep_main(ctx, argc, argv);
	speak_again();
#ifdef PT_MPI
	if (under_mpirun())
		MPI_Finalize();
#endif
	return rc;
}
