/*
 * market.c - `papertrade quote` and `papertrade chain`: what the market data
 * source returns, the first thing to check when a run finds nothing
 * (DESIGN.md §6). Read-only; nothing is stored.
 */
#include <getopt.h>
#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "../session.h"
#include "../market/calendar.h"
#include "../market/provider.h"
#include "../quant/bs.h"
#include "../util/date.h"
#include "../util/util.h"

static const char quote_usage[] =
	"usage: papertrade quote [--date D] [--json] [--provider NAME] [--set key=value]... TICKER...\n"
	"\n"
	"Prints each underlying's price, quote time (New York), previous close,\n"
	"dividend yield, and the source that served it, as the daily run sees them.\n"
	"\n"
	"  --date D        the session (default: today, or the last session)\n"
	"  --json          machine-readable output\n"
	"  --provider NAME sim, yahoo, cboe, or a list tried in order per ticker\n"
	"  --set key=value override a configuration key\n"
	"  -h, --help      this help\n";

static const char chain_usage[] =
	"usage: papertrade chain [--expiry D] [--date D] [--json] [--provider NAME] [--set k=v]... "
	"TICKER\n"
	"\n"
	"Prints the option chain of one expiration (default: the one nearest\n"
	"target_dte days) with bid, ask, last, volume, open interest, our IV (solved\n"
	"from the bid, as the strategy does), the vendor's IV, the Black-Scholes\n"
	"value at historical volatility (HV: hv_estimator over hv_window sessions,\n"
	"as the strategy takes it) and the edge (bid - theo); with\n"
	"--set model=american, American values with the ticker's dividends.\n"
	"\n"
	"  --expiry D      the expiration\n"
	"  --date D        the session (default: today, or the last session)\n"
	"  --json          machine-readable output\n"
	"  --provider NAME sim, yahoo, cboe, or a list tried in order per ticker\n"
	"  --set key=value override a configuration key\n"
	"  -h, --help      this help\n";

struct market_args {
	int date, expiry, json;
	char *sets[CLI_MAX_SETS + 1];
	size_t nsets;
};

static int parse(int argc, char **argv, const char *usage, struct market_args *a)
{
	static const struct option opts[] = {
		{"date", required_argument, NULL, 'd'},	  {"expiry", required_argument, NULL, 'e'},
		{"json", no_argument, NULL, 'j'},	  {"set", required_argument, NULL, 's'},
		{"provider", required_argument, NULL, 'P'}, {"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	int c;

	memset(a, 0, sizeof(*a));
	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (c) {
		case 'd':
			if (cli_parse_date("--date", optarg, &a->date))
				return EXIT_USAGE;
			break;
		case 'e':
			if (strcmp(argv[0], "chain") != 0) {
				cli_error(argv[0], "--expiry is for chain");
				return EXIT_USAGE;
			}
			if (cli_parse_date("--expiry", optarg, &a->expiry))
				return EXIT_USAGE;
			break;
		case 'j':
			a->json = 1;
			break;
		case 's':
		case 'P':
			if (cli_add_set(a->sets, &a->nsets, optarg, c == 'P'))
				return EXIT_USAGE;
			break;
		case 'h':
			return cli_usage(usage, 0) + 100;
		default:
			cli_error(argv[0], "unknown or incomplete option '%s' (see papertrade %s --help)",
				  argv[optind - 1], argv[0]);
			return EXIT_USAGE;
		}
	}
	return 0;
}

/* Loads the view of the session for the tickers: today (or the last session
 * before it) unless --date. */
static int load_view(const struct cli_ctx *ctx, struct market_args *a, const char *const *tick,
		     size_t n, struct config *cfg, struct provider **prov, struct market_view *v)
{
	struct provider_env env = {0};
	struct provider_want want[2];
	struct provider_req req;
	char err[PT_ERRSZ], d[DATE_BUFSZ];
	int today, minute;

	if (cli_now_ny(&today, &minute) || cli_load_config(ctx, cfg, a->sets, a->nsets))
		return EXIT_USAGE;
	if (strcmp(cfg->provider, "tape") == 0) {
		cli_error("provider", "quote and chain ask the data source; 'tape' replays a run "
				      "(papertrade run --provider tape)");
		return EXIT_USAGE;
	}
	if (!a->date)
		a->date = cal_is_session(today) ? today : cal_prev_session(today);
	if (a->date > today || !cal_in_range(a->date)) {
		cli_error("--date", "%s is in the future or outside %d-%d", date_fmt(a->date, d),
			  CAL_FIRST_YEAR, CAL_LAST_YEAR);
		return EXIT_USAGE;
	}
	if (!cal_is_session(a->date)) {
		cli_error("--date", "%s is not a session", date_fmt(a->date, d));
		return EXIT_USAGE;
	}
	env.home = ctx->home;
	*prov = provider_new(cfg, &env, err);
	if (!*prov) {
		cli_error("provider", "%s", err);
		return EXIT_RUNTIME;
	}
	memset(&req, 0, sizeof(req));
	req.session = a->date;
	req.asof = cli_now_epoch();
	req.tickers = tick;
	req.n = n;
	req.hist_from = a->date - (int)(cfg->hv_window * 7 / 4) - 30;
	/* what a run would see: the strategy's expiration for every ticker
	 * (chain's default), and --expiry */
	memset(want, 0, sizeof(want));
	want[0].days = session_strategy_days(cfg);
	req.want = want;
	req.n_want = 1;
	if (a->expiry) {
		pt_strlcpy(want[1].ticker, tick[0], sizeof(want[1].ticker));
		want[1].expiry = a->expiry;
		req.n_want = 2;
	}
	if (provider_load(*prov, &req, v, err)) {
		cli_error(date_fmt(a->date, d), "%s", err);
		return EXIT_RUNTIME;
	}
	return 0;
}

static double last_close(const struct ticker_view *t)
{
	return t->n_bars ? t->bars[t->n_bars - 1].close : NAN;
}

static json_t *jnum(double v)
{
	return isfinite(v) ? json_real(v) : json_null();
}

static void ny_time(int64_t t, char *buf, size_t n)
{
	char d[DATE_BUFSZ];
	int day, sec;

	if (!t) {
		snprintf(buf, n, "-");
		return;
	}
	cal_epoch_to_ny(t, &day, &sec);
	snprintf(buf, n, "%s %02d:%02d", date_fmt(day, d), sec / 3600, sec / 60 % 60);
}

static void synthetic_note(const char *symbol)
{
	fprintf(stderr, "papertrade: note: %s: %s\n", symbol, CLI_SYNTHETIC_WHY);
}

int cmd_quote(struct cli_ctx *ctx, int argc, char **argv)
{
	struct market_args a;
	struct config cfg;
	struct provider *prov = NULL;
	struct market_view v;
	json_t *arr = NULL;
	char when[32];
	size_t i;
	int rc = parse(argc, argv, quote_usage, &a);

	if (rc)
		return rc >= 100 ? rc - 100 : rc;
	if (optind >= argc) {
		cli_error("quote", "want one or more tickers (see papertrade quote --help)");
		return EXIT_USAGE;
	}
	for (i = (size_t)optind; i < (size_t)argc; i++)
		if (!cli_ticker_ok(argv[i])) {
			cli_error("quote", "not a ticker symbol: '%s'", argv[i]);
			return EXIT_USAGE;
		}
	memset(&v, 0, sizeof(v));
	rc = load_view(ctx, &a, (const char *const *)argv + optind, (size_t)(argc - optind), &cfg,
		       &prov, &v);
	if (rc)
		goto out;
	if (a.json)
		arr = json_array();
	else
		printf("%-8s %-6s %10s %-17s %10s %8s %9s  %s\n", "ticker", "source", "price",
		       "quote time (NY)", "prev close", "change", "div yield", "note");
	for (i = 0; i < v.n_tickers; i++) {
		const struct ticker_view *t = &v.tickers[i];
		double prev = last_close(t);

		ny_time(t->quote_time, when, sizeof(when));
		if (t->ok && cli_sim_synthetic(t->source, t->symbol))
			synthetic_note(t->symbol);
		if (a.json) {
			json_t *o = json_object();
			json_object_set_new(o, "ticker", json_string(t->symbol));
			json_object_set_new(o, "source", json_string(t->source));
			json_object_set_new(o, "ok", json_boolean(t->ok));
			json_object_set_new(o, "error", json_string(t->error));
			json_object_set_new(o, "price", jnum(t->spot));
			json_object_set_new(o, "quote_time", json_integer(t->quote_time));
			json_object_set_new(o, "previous_close", jnum(prev));
			json_object_set_new(o, "dividend_yield", jnum(t->div_yield));
			json_object_set_new(o, "dropped", json_integer(t->dropped));
			json_object_set_new(o, "synthetic",
					    json_boolean(cli_sim_synthetic(t->source, t->symbol)));
			json_array_append_new(arr, o);
		} else {
			printf("%-8s %-6s %10.2f %-17s %10.2f %+7.2f%% %8.2f%%  %s\n", t->symbol,
			       t->source, t->spot, when, prev, (t->spot / prev - 1.0) * 100.0,
			       t->div_yield * 100.0,
			       !t->ok					 ? t->error
			       : cli_sim_synthetic(t->source, t->symbol) ? "synthetic"
									 : "");
		}
	}
	if (a.json) {
		json_t *o = json_object();
		char *s;
		json_object_set_new(o, "rate", jnum(v.rate));
		json_object_set_new(o, "quotes", arr);
		s = json_dumps(o, JSON_INDENT(2) | JSON_REAL_PRECISION(12) | JSON_PRESERVE_ORDER);
		if (s)
			puts(s);
		free(s);
		json_decref(o);
	} else {
		printf("risk-free rate %.3f%%\n", v.rate * 100.0);
	}
	rc = 0;
out:
	mv_release(&v);
	provider_free(prov);
	return rc;
}

int cmd_chain(struct cli_ctx *ctx, int argc, char **argv)
{
	struct market_args a;
	struct config cfg;
	struct provider *prov = NULL;
	struct market_view v;
	const struct ticker_view *t;
	const char *tick[1];
	double hv, T;
	struct model_divs model;
	json_t *arr = NULL;
	char d[DATE_BUFSZ], iv[16], viv[16], hv_text[16], hv_est[32], hv_why[PT_ERRSZ];
	struct option_calc *calc = NULL;
	uint32_t *idx = NULL;
	size_t i, shown = 0, n_idx = 0;
	int rc = parse(argc, argv, chain_usage, &a), expiry;

	if (rc)
		return rc >= 100 ? rc - 100 : rc;
	if (argc - optind != 1) {
		cli_error("chain", "want one ticker (see papertrade chain --help)");
		return EXIT_USAGE;
	}
	tick[0] = argv[optind];
	if (!cli_ticker_ok(tick[0])) {
		cli_error("chain", "not a ticker symbol: '%s'", tick[0]);
		return EXIT_USAGE;
	}
	memset(&v, 0, sizeof(v));
	rc = load_view(ctx, &a, tick, 1, &cfg, &prov, &v);
	if (rc)
		goto out;
	rc = EXIT_RUNTIME;
	t = &v.tickers[0];
	if (!t->ok) {
		cli_error(tick[0], "%s", t->error);
		goto out;
	}
	/* the strategy's HV; without one the chain is still shown (theo NAN) */
	hv = strategy_hv(&cfg, t, hv_why);
	if (!isfinite(hv))
		fprintf(stderr, "papertrade: note: %s: %s\n", t->symbol, hv_why);
	expiry = a.expiry ? a.expiry : tv_nearest_expiry(t, v.session, session_strategy_days(&cfg));
	if (!expiry) {
		cli_error(tick[0], "no option expiration quoted");
		goto out;
	}
	if (cli_sim_synthetic(t->source, t->symbol))
		synthetic_note(t->symbol);
	T = cal_year_frac(v.asof, expiry);
	snprintf(hv_text, sizeof(hv_text), isfinite(hv) ? "%.1f%%" : "-", hv * 100.0);
	if (cfg.hv_estimator == HV_EWMA) /* as the scan report writes it */
		snprintf(hv_est, sizeof(hv_est), "ewma %g", cfg.ewma_lambda);
	else
		pt_strlcpy(hv_est, hv_estimator_name(cfg.hv_estimator), sizeof(hv_est));
	if (a.json)
		arr = json_array();
	else
		printf("%s %s (%s): spot %.2f, HV(%ld, %s) %s, rate %.2f%%, T %.4f\n"
		       "%-5s %9s %8s %8s %8s %8s %8s %8s %8s %8s %8s\n",
		       t->symbol, date_fmt(expiry, d), t->source, t->spot, cfg.hv_window, hv_est,
		       hv_text, v.rate * 100.0, T, "right", "strike", "bid", "ask", "last",
		       "volume", "open int", "iv(bid)", "vndr iv", "theo", "edge");
	strategy_model_divs(cfg.model, &v, t, expiry, &model);
	/* the expiration's theo and IVs as one chain (strategy_model_chain) */
	calc = xcalloc(t->n_opts ? t->n_opts : 1, sizeof(*calc));
	idx = xmalloc((t->n_opts ? t->n_opts : 1) * sizeof(*idx));
	for (i = 0; i < t->n_opts && i <= UINT32_MAX; i++)
		if (t->opts[i].expiry == expiry)
			idx[n_idx++] = (uint32_t)i;
	strategy_model_chain(&model, t->spot, T, v.rate, hv, t->opts, idx, n_idx, STRATEGY_BOTH,
			     calc);
	for (i = 0; i < t->n_opts; i++) {
		const struct option_quote *o = &t->opts[i];
		double ours, theo;

		if (o->expiry != expiry)
			continue;
		shown++;
		ours = calc[i].iv_ok ? calc[i].iv : NAN;
		theo = calc[i].theo;
		if (a.json) {
			json_t *x = json_object();
			char r[2] = {o->right, 0};
			json_object_set_new(x, "right", json_string(r));
			json_object_set_new(x, "strike", json_real(o->strike));
			json_object_set_new(x, "bid", jnum(o->bid));
			json_object_set_new(x, "ask", jnum(o->ask));
			json_object_set_new(x, "last", jnum(o->last));
			json_object_set_new(x, "volume", o->volume >= 0 ? json_integer(o->volume) : json_null());
			json_object_set_new(x, "open_interest",
					    o->open_interest >= 0 ? json_integer(o->open_interest) : json_null());
			json_object_set_new(x, "iv", jnum(ours));
			json_object_set_new(x, "vendor_iv", jnum(o->vendor_iv));
			json_object_set_new(x, "theo", jnum(theo));
			json_object_set_new(x, "edge", jnum(o->bid - theo));
			json_array_append_new(arr, x);
		} else {
			snprintf(iv, sizeof(iv), isfinite(ours) ? "%.1f%%" : "-", ours * 100.0);
			snprintf(viv, sizeof(viv), isfinite(o->vendor_iv) ? "%.1f%%" : "-",
				 o->vendor_iv * 100.0);
			printf("%-5s %9.2f %8.2f %8.2f %8.2f %8lld %8lld %8s %8s %8.2f %+8.2f\n",
			       o->right == 'C' ? "call" : "put", o->strike, o->bid, o->ask, o->last,
			       (long long)o->volume, (long long)o->open_interest, iv, viv, theo,
			       o->bid - theo);
		}
	}
	if (a.json) {
		json_t *o = json_object();
		char *s;
		json_object_set_new(o, "ticker", json_string(t->symbol));
		json_object_set_new(o, "source", json_string(t->source));
		json_object_set_new(o, "session", json_string(date_fmt(v.session, d)));
		json_object_set_new(o, "expiry", json_string(date_fmt(expiry, d)));
		json_object_set_new(o, "spot", jnum(t->spot));
		json_object_set_new(o, "hv", jnum(hv));
		json_object_set_new(o, "hv_estimator",
				    json_string(hv_estimator_name(cfg.hv_estimator)));
		json_object_set_new(o, "rate", jnum(v.rate));
		json_object_set_new(o, "T", jnum(T));
		json_object_set_new(o, "dropped", json_integer(t->dropped));
		json_object_set_new(o, "contracts", arr);
		s = json_dumps(o, JSON_INDENT(2) | JSON_REAL_PRECISION(12) | JSON_PRESERVE_ORDER);
		if (s)
			puts(s);
		free(s);
		json_decref(o);
	} else {
		printf("%zu contracts; %d bad rows dropped\n", shown, t->dropped);
	}
	rc = shown ? 0 : EXIT_RUNTIME;
	if (!shown)
		cli_error(tick[0], "no contracts quoted for %s", date_fmt(expiry, d));
out:
	free(idx);
	free(calc);
	mv_release(&v);
	provider_free(prov);
	return rc;
}
