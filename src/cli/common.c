/*
 * common.c - helpers every subcommand uses: errors, the home folder, config
 * loading with its precedence, date arguments and colour; see cli.h.
 */
#include <errno.h>
#include <jansson.h>
#include <math.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"
#include "../history/hist.h"
#include "../market/calendar.h"
#include "../market/provider.h"
#include "../store/store.h"
#include "../util/date.h"
#include "../util/file.h"
#include "../util/util.h"

/* Copies s with control characters shown as \xNN, so that whatever the
 * user typed (a newline in a flag, say) cannot split the message. */
static void put_clean(FILE *f, const char *s)
{
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;
		if (c < 0x20 || c == 0x7f)
			fprintf(f, "\\x%02x", c);
		else
			fputc(c, f);
	}
}

void cli_error(const char *what, const char *fmt, ...)
{
	char why[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(why, sizeof(why), fmt, ap);
	va_end(ap);
	/* one line even when threads (serve's scheduler and its HTTP pool)
	 * report at once */
	flockfile(stderr);
	fputs("papertrade: ", stderr);
	put_clean(stderr, what);
	fputs(": ", stderr);
	put_clean(stderr, why);
	fputc('\n', stderr);
	funlockfile(stderr);
}

int cli_usage(const char *text, int to_stderr)
{
	fputs(text, to_stderr ? stderr : stdout);
	return to_stderr ? EXIT_USAGE : EXIT_OK_;
}

int cli_home_file(const struct cli_ctx *ctx, const char *name, char *buf, size_t n)
{
	int len = snprintf(buf, n, "%s/%s", ctx->home, name);
	return len < 0 || (size_t)len >= n ? -1 : 0;
}

int cli_make_home(const struct cli_ctx *ctx, char *err)
{
	char path[PATH_MAX];
	size_t i, len;

	if (pt_strlcpy(path, ctx->home, sizeof(path)))
		return pt_err(err, PT_EINVAL, "home folder path too long");
	len = strlen(path);
	for (i = 1; i <= len; i++) {
		if (path[i] != '/' && path[i] != '\0')
			continue;
		path[i] = '\0';
		if (mkdir(path, 0700) && errno != EEXIST)
			return pt_err(err, PT_EIO, "cannot create %s: %s", path, strerror(errno));
		if (i < len)
			path[i] = '/';
	}
	return 0;
}

int cli_load_config(const struct cli_ctx *ctx, struct config *cfg, char **sets, size_t nsets)
{
	char path[PATH_MAX];
	char err[PT_ERRSZ];

	config_defaults(cfg);
	if (cli_home_file(ctx, "papertrade.ini", path, sizeof(path))) {
		cli_error("config", "home folder path too long");
		return -1;
	}
	if (config_load_file(cfg, path, err) || config_load_env(cfg, err)) {
		cli_error("config", "%s", err);
		return -1;
	}
	/* --provider NAME is checked alone, so its error names the flag */
	for (size_t i = 0; i < nsets; i++) {
		struct config tmp;

		if (!cli_is_provider_pair(sets[i]))
			continue;
		memcpy(&tmp, cfg, sizeof(tmp));
		if (config_set_pair(&tmp, sets[i], err)) {
			const char *why = err;
			if (!strncmp(why, "provider: ", 10))
				why += 10;
			cli_error("--provider", "%s", why);
			return -1;
		}
	}
	if (nsets && config_set_pairs(cfg, (const char *const *)sets, nsets, err)) {
		cli_error("--set", "%s", err);
		return -1;
	}
	return 0;
}

static char provider_pairs[8][96];
static int n_provider_pairs;

char *cli_provider_pair(const char *name)
{
	char *b = provider_pairs[n_provider_pairs++ % 8];

	snprintf(b, sizeof(provider_pairs[0]), "provider=%s", name);
	return b;
}

int cli_add_set(char **sets, size_t *n, char *arg, int provider)
{
	if (*n >= CLI_MAX_SETS) {
		cli_error("--set", "more than %d overrides", CLI_MAX_SETS);
		return -1;
	}
	sets[(*n)++] = provider ? cli_provider_pair(arg) : arg;
	return 0;
}

int cli_is_provider_pair(const char *pair)
{
	return pair >= provider_pairs[0] && pair < provider_pairs[0] + sizeof(provider_pairs);
}

int cli_sim_synthetic(const char *source, const char *symbol)
{
	static const char *const known[] = {"SPY", "VOO", "VTI", "QQQ"}; /* market/sim.c */
	size_t i;

	if (!source || strcmp(source, "sim") != 0)
		return 0;
	for (i = 0; i < PT_ARRAY_SIZE(known); i++)
		if (!strcmp(symbol, known[i]))
			return 0;
	return 1;
}

int cli_ticker_ok(const char *sym)
{
	size_t i, n = strlen(sym);

	if (!n || n >= 16)
		return 0;
	for (i = 0; i < n; i++)
		if (!strchr("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789.^=_-",
			    sym[i]))
			return 0;
	return 1;
}

int cli_parse_date(const char *opt, const char *arg, int *day)
{
	if (date_parse(arg, day)) {
		cli_error(opt, "not a date (want YYYY-MM-DD): '%s'", arg);
		return -1;
	}
	return 0;
}

int cli_use_color(int fd)
{
	const char *term = getenv("TERM");
	const char *no_color = getenv("NO_COLOR");

	/* no-color.org: set and not empty */
	if (no_color && *no_color)
		return 0;
	if (!term || !strcmp(term, "dumb"))
		return 0;
	return isatty(fd);
}

int cli_write_atomic(const char *path, const char *buf, size_t len, char *err)
{
	return pt_write_atomic(path, buf, len, 0666, err);
}

double cli_mono(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

void cli_progress(int done, int total, double t0)
{
	static double shown;
	double now = cli_mono(), dt = now - t0, rate = dt > 0 ? done / dt : 0;
	long left = rate > 0 ? lround((total - done) / rate) : 0;

	if (done > 1 && done < total && now - shown < 0.1)
		return; /* ten updates a second at most */
	shown = now;
	fprintf(stderr, "\rpapertrade: %d of %d sessions, %.1f/s, about %ld:%02ld left\033[K", done,
		total, rate, left / 60, left % 60);
	fflush(stderr);
}

int cli_replay_range(int *from, int *to)
{
	char d[DATE_BUFSZ], d2[DATE_BUFSZ];
	int today, minute;

	if (cli_now_ny(&today, &minute))
		return -1;
	if (!*to)
		*to = cal_prev_session(today);
	if (*to >= today) {
		cli_error("--to",
			  "%s is not before today (%s in New York): a backtest replays "
			  "sessions that are over",
			  date_fmt(*to, d), date_fmt(today, d2));
		return -1;
	}
	if (*from > *to) {
		cli_error("--from", "%s is after --to %s", date_fmt(*from, d), date_fmt(*to, d2));
		return -1;
	}
	if (!cal_in_range(*from) || !cal_in_range(*to)) {
		cli_error(cal_in_range(*from) ? "--to" : "--from",
			  "%s is outside the supported years %d-%d",
			  date_fmt(cal_in_range(*from) ? *to : *from, d), CAL_FIRST_YEAR,
			  CAL_LAST_YEAR);
		return -1;
	}
	if (!cal_count_sessions(*from, *to)) {
		cli_error("backtest", "no session between %s and %s", date_fmt(*from, d),
			  date_fmt(*to, d2));
		return -1;
	}
	return 0;
}

int cli_market_open(const struct cli_ctx *ctx, const struct config *cfg, struct cli_market *cm)
{
	struct session_err e;
	struct provider_env env = {0};
	char err[PT_ERRSZ];

	memset(cm, 0, sizeof(*cm));
	env.home = ctx->home;
	if (strcmp(cfg->provider, "tape") != 0) {
		if (!(cm->prov = provider_new(cfg, &env, err))) {
			cli_error("provider", "%s", err);
			return -1;
		}
		cm->m.prov = cm->prov;
		return 0;
	}
	if (cli_open_store(ctx, 0, &cm->st))
		return -1;
	cm->has_sc = 1;
	if (session_ctx_init(&cm->sc, cfg, ctx->home, cm->st, &e)) {
		cli_error(e.what, "%s", e.why);
		return -1;
	}
	cm->m.tapes = &cm->sc;
	return 0;
}

void cli_market_close(struct cli_market *cm)
{
	if (cm->has_sc)
		session_ctx_release(&cm->sc);
	provider_free(cm->prov);
	store_close(cm->st);
	memset(cm, 0, sizeof(*cm));
}

const char *cli_market_name(const struct cli_market *cm)
{
	return cm->prov ? provider_name(cm->prov) : "tape";
}

static void catf(char *buf, size_t n, size_t *len, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
static void catf(char *buf, size_t n, size_t *len, const char *fmt, ...)
{
	va_list ap;
	int k;

	va_start(ap, fmt);
	k = *len < n ? vsnprintf(buf + *len, n - *len, fmt, ap) : vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	*len += k > 0 ? (size_t)k : 0;
}

void cli_fit_text(const struct cli_fit *fit, char *buf, size_t size)
{
	size_t i, j, len = 0;

	buf[0] = '\0';
	for (i = 0; i < fit->n_left; i = j) {
		catf(buf, size, &len, "%s%s", i ? "; " : "", fit->left[i].ticker);
		for (j = i + 1; j < fit->n_left && !strcmp(fit->left[j].why, fit->left[i].why); j++)
			catf(buf, size, &len, ", %s", fit->left[j].ticker);
		catf(buf, size, &len, ": %s", fit->left[i].why);
	}
}

static int fit_is_left(const struct cli_fit *fit, const char *ticker)
{
	size_t i;

	for (i = 0; i < fit->n_left; i++)
		if (!strcmp(fit->left[i].ticker, ticker))
			return 1;
	return 0;
}

int cli_history_fit(const struct cli_ctx *ctx, const char *cmd, struct config *const *cfgs,
		    const char *const *names, size_t n, int *from, int *to, struct cli_fit *fit)
{
	struct hist_coverage *cov = NULL;
	char err[PT_ERRSZ], d1[DATE_BUFSZ], d2[DATE_BUFSZ], d3[DATE_BUFSZ], d4[DATE_BUFSZ];
	char left[CLI_FIT_MAX * 48], imported[256] = "";
	char seen[CLI_FIT_MAX][CFG_SYMSZ];
	const char *first_tk = NULL, *last_tk = NULL;
	size_t n_cov = 0, n_seen = 0, i, t, k, len = 0;
	int lo = 0, hi = 0, rc = 0;

	memset(fit, 0, sizeof(*fit));
	fit->asked_from = *from;
	fit->asked_to = *to;
	if (hist_coverage(ctx->home, &cov, &n_cov, NULL, NULL, err)) {
		cli_error("history", "%s", err);
		return EXIT_RUNTIME;
	}
	for (i = 0; i < n_cov; i++)
		catf(imported, sizeof(imported), &len, "%s%s", i ? ", " : "", cov[i].ticker);
	/* every distinct ticker, in the order the configurations name them */
	for (i = 0; i < n; i++) {
		for (t = 0; t < cfgs[i]->n_tickers; t++) {
			const char *tk = cfgs[i]->tickers[t];
			const struct hist_coverage *c;

			for (k = 0; k < n_seen && strcmp(seen[k], tk) != 0; k++)
				;
			if (k < n_seen)
				continue;
			if (n_seen == CLI_FIT_MAX) {
				cli_error(cmd, "more than %d tickers", CLI_FIT_MAX);
				rc = EXIT_USAGE;
				goto out;
			}
			pt_strlcpy(seen[n_seen++], tk, sizeof(seen[0]));
			c = hist_coverage_find(cov, n_cov, tk);
			if (c && c->sessions && c->first <= *to && c->last >= *from) {
				if (!lo || c->first > lo) {
					lo = c->first;
					first_tk = c->ticker;
				}
				if (!hi || c->last < hi) {
					hi = c->last;
					last_tk = c->ticker;
				}
				continue;
			}
			pt_strlcpy(fit->left[fit->n_left].ticker, tk, sizeof(fit->left[0].ticker));
			if (!c || !c->sessions)
				snprintf(fit->left[fit->n_left].why, sizeof(fit->left[0].why),
					 "not in the history");
			else
				snprintf(fit->left[fit->n_left].why, sizeof(fit->left[0].why),
					 "not in the history between %s and %s (it has %s..%s)",
					 date_fmt(*from, d1), date_fmt(*to, d2),
					 date_fmt(c->first, d3), date_fmt(c->last, d4));
			fit->n_left++;
		}
	}
	cli_fit_text(fit, left, sizeof(left));
	for (i = 0; i < n; i++) {
		struct config *cfg = cfgs[i];

		for (t = k = 0; t < cfg->n_tickers; t++) {
			if (fit_is_left(fit, cfg->tickers[t]))
				continue;
			if (k != t)
				memcpy(cfg->tickers[k], cfg->tickers[t], sizeof(cfg->tickers[k]));
			k++;
		}
		cfg->n_tickers = k;
		if (k)
			continue;
		if (!n_cov)
			cli_error(cmd,
				  "%s%sno ticker to replay: nothing was imported into the history "
				  "(see papertrade history import)",
				  names ? names[i] : "", names ? ": " : "");
		else
			cli_error(cmd,
				  "%s%sno ticker to replay: %s (the history has %s; see "
				  "papertrade history list)",
				  names ? names[i] : "", names ? ": " : "", left, imported);
		rc = EXIT_RUNTIME;
		goto out;
	}
	if (lo > hi) {
		cli_error(cmd,
			  "the tickers' histories do not overlap: %s starts on %s, after %s "
			  "ends on %s (see papertrade history list)",
			  first_tk, date_fmt(lo, d1), last_tk, date_fmt(hi, d2));
		rc = EXIT_RUNTIME;
		goto out;
	}
	if (lo > *from || hi < *to) {
		len = 0;
		if (lo > *from)
			catf(fit->clamped, sizeof(fit->clamped), &len,
			     "--from %s moved to %s, the first session of %s in the history",
			     date_fmt(*from, d1), date_fmt(lo, d2), first_tk);
		if (hi < *to)
			catf(fit->clamped, sizeof(fit->clamped), &len,
			     "%s--to %s moved to %s, the last session of %s in the history",
			     len ? "; " : "", date_fmt(*to, d3), date_fmt(hi, d4), last_tk);
		if (lo > *from)
			*from = lo;
		if (hi < *to)
			*to = hi;
	}
out:
	free(cov);
	return rc;
}

void cli_fit_json(const struct cli_fit *fit, json_t *obj, const char *key)
{
	json_t *a = json_array();
	size_t i;

	for (i = 0; i < fit->n_left; i++)
		json_array_append_new(a, json_pack("{s:s, s:s}", "ticker", fit->left[i].ticker,
						   "why", fit->left[i].why));
	json_object_set_new(obj, key, a);
	json_object_set_new(obj, "dates_moved",
			    fit->clamped[0] ? json_string(fit->clamped) : json_null());
}

void cli_fit_say(const char *cmd, const struct cli_fit *fit)
{
	char left[CLI_FIT_MAX * 48];

	if (fit->n_left) {
		cli_fit_text(fit, left, sizeof(left));
		cli_error(cmd, "%s (see papertrade history list); replaying the others", left);
	}
	if (fit->clamped[0])
		cli_error(cmd, "%s", fit->clamped);
}

void cli_no_session(const char *cmd, int skipped, int stopped, int from, int to)
{
	char d1[DATE_BUFSZ], d2[DATE_BUFSZ];

	if (skipped && !stopped)
		cli_error(cmd, "no tape recorded from %s to %s (papertrade tape list)",
			  date_fmt(from, d1), date_fmt(to, d2));
	else
		cli_error(cmd, "no session ran%s", stopped ? " (interrupted)" : "");
}
