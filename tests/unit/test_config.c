/*
 * test_config.c - unit tests of the configuration module (src/config.c,
 * DESIGN.md §5 "Configuration"): defaults, every value type, the INI file
 * (through inih), the environment, --set, precedence, the default file and
 * the dump. Files live in a temporary folder made by the group setup.
 */
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <dirent.h>
#include <unistd.h>

#include <cmocka.h>

#include "config.h"
#include "util/util.h"

extern char **environ;

/* A key's value as a number (config_get prints the shortest exact text). */
static double K(const struct config *c, const char *key)
{
	char buf[64];

	assert_int_equal(config_get(c, key, buf, sizeof(buf)), 0);
	return strtod(buf, NULL);
}

static char tmpdir[256];

/* A path inside the test's temporary folder (a static buffer per call site is enough). */
static void path_of(char *buf, size_t n, const char *name)
{
	snprintf(buf, n, "%s/%s", tmpdir, name);
}

static void write_file(const char *path, const char *text, size_t len)
{
	FILE *f = fopen(path, "wb");

	assert_non_null(f);
	assert_int_equal(fwrite(text, 1, len, f), len);
	assert_int_equal(fclose(f), 0);
}

static void write_text(const char *path, const char *text)
{
	write_file(path, text, strlen(text));
}

/* Unsets every PAPERTRADE_* variable, so the environment tests start clean. */
static void clear_env(void)
{
	char name[128];
	int again = 1;

	while (again) {
		char **e;

		again = 0;
		for (e = environ; *e; e++) {
			const char *eq = strchr(*e, '=');

			if (!strncmp(*e, "PAPERTRADE_", 11) && eq &&
			    (size_t)(eq - *e) < sizeof(name)) {
				memcpy(name, *e, (size_t)(eq - *e));
				name[eq - *e] = '\0';
				unsetenv(name);
				again = 1;
				break;
			}
		}
	}
}

static int group_setup(void **state)
{
	(void)state;
	snprintf(tmpdir, sizeof(tmpdir), "%s/pt-config-XXXXXX",
		 getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
	if (!mkdtemp(tmpdir))
		return -1;
	clear_env();
	return 0;
}

static int group_teardown(void **state)
{
	char path[512];
	struct dirent *de;
	DIR *d;

	(void)state;
	d = opendir(tmpdir);
	if (!d)
		return -1;
	while ((de = readdir(d))) {
		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
			continue;
		snprintf(path, sizeof(path), "%s/%s", tmpdir, de->d_name);
		if (unlink(path))
			rmdir(path);
	}
	closedir(d);
	return rmdir(tmpdir);
}

/* The dump of c, in a static buffer (tests compare two at most at once: copy one). */
static void dump_to(const struct config *c, char *buf, size_t n)
{
	struct sbuf sb;

	sb_init(&sb, 1 << 20);
	config_dump(c, &sb);
	snprintf(buf, n, "%s", sb_str(&sb));
	sb_release(&sb);
}

/* err must be path followed by rest. */
static void assert_path_err(const char *err, const char *path, const char *rest)
{
	size_t n = strlen(path);

	if (strncmp(err, path, n))
		fail_msg("'%s' does not start with '%s'", err, path);
	assert_string_equal(err + n, rest);
}

static void assert_config_equal(const struct config *a, const struct config *b)
{
	char da[4096], db[4096];

	dump_to(a, da, sizeof(da));
	dump_to(b, db, sizeof(db));
	assert_string_equal(da, db);
	assert_memory_equal(a, b, sizeof(*a));
}

/* A config with every key away from its default. */
static void non_defaults(struct config *c)
{
	static const char *const pairs[] = {
		"initial_capital=2500.25", "tickers=IWM,DIA", "holdings=etf", "commission=0",
		"margin_pct=0.3", "margin_min_pct=0.15", "iv_edge=0.02", "price_edge=0.08",
		"min_volume=0", "min_bid=0.2", "otm_max=0.4", "otm_min=0.1", "target_dte=45",
		"max_positions_per_ticker=5", "position_pct=1", "sizing=margin",
		"contracts=whole", "hv_window=20", "risk_free_rate=0.045",
		"provider=yahoo,cboe", "seed=7", "yahoo_url=http://127.0.0.1:1",
		"cboe_url=http://127.0.0.1:2", "run_at=16:10",
	};
	char err[PT_ERRSZ];
	size_t i;

	config_defaults(c);
	for (i = 0; i < PT_ARRAY_SIZE(pairs); i++) {
		if (config_set_pair(c, pairs[i], err))
			fail_msg("%s: %s", pairs[i], err);
	}
}

static void test_defaults(void **state)
{
	struct config c;

	(void)state;
	config_defaults(&c);
	assert_int_equal(c.initial_capital_cents, 100000);
	assert_int_equal(c.n_tickers, 4);
	assert_string_equal(c.tickers[0], "SPY");
	assert_string_equal(c.tickers[1], "VOO");
	assert_string_equal(c.tickers[2], "VTI");
	assert_string_equal(c.tickers[3], "QQQ");
	assert_int_equal(c.holdings, HOLD_CASH);
	assert_true(c.commission == 0.65);
	assert_true(c.margin_pct == 0.20);
	assert_true(c.margin_min_pct == 0.10);
	assert_true(K(&c, "iv_edge") == 0.03);
	assert_true(K(&c, "price_edge") == 0.05);
	assert_int_equal(K(&c, "min_volume"), 10);
	assert_true(K(&c, "min_bid") == 0.10);
	assert_true(K(&c, "otm_min") == 0.05);
	assert_true(K(&c, "otm_max") == 0.15);
	assert_int_equal(K(&c, "target_dte"), 30);
	assert_int_equal(c.max_positions_per_ticker, 2);
	assert_true(c.position_pct == 0.05);
	assert_int_equal(c.sizing, SIZE_PREMIUM);
	assert_int_equal(c.contracts, CONTRACTS_FRACTIONAL);
	assert_int_equal(c.hv_window, 30);
	assert_true(isnan(c.risk_free_rate));
	assert_string_equal(c.provider, "sim");
	assert_true(c.seed == 20240101u);
	assert_string_equal(c.yahoo_url, "https://query2.finance.yahoo.com");
	assert_string_equal(c.cboe_url, "https://cdn.cboe.com");
	assert_int_equal(c.run_at_min, 9 * 60 + 35);
}

static void test_dump(void **state)
{
	static const char want[] = "initial_capital = 1000\n"
				   "tickers = SPY,VOO,VTI,QQQ\n"
				   "holdings = cash\n"
				   "commission = 0.65\n"
				   "margin_pct = 0.2\n"
				   "margin_min_pct = 0.1\n"
				   "short_puts = secured\n"
				   "liquidate_at = 0.5\n"
				   "cash_interest = auto\n"
				   "cash_interest_spread = 0.005\n"
				   "margin_loan_spread = 0.015\n"
				   "strategies = volarb\n"
				   "max_positions_per_ticker = 2\n"
				   "position_pct = 0.05\n"
				   "sizing = premium\n"
				   "contracts = fractional\n"
				   "max_trade_requirement = 0.2\n"
				   "max_stress_loss = 0.05\n"
				   "stress_move = 0.15\n"
				   "hv_window = 30\n"
				   "hv_estimator = close\n"
				   "ewma_lambda = 0.94\n"
				   "model = european\n"
				   "risk_free_rate = auto\n"
				   "iv_edge = 0.03\n"
				   "price_edge = 0.05\n"
				   "min_volume = 10\n"
				   "min_bid = 0.1\n"
				   "otm_min = 0.05\n"
				   "otm_max = 0.15\n"
				   "target_dte = 30\n"
				   "csp_iv_edge = 0.03\n"
				   "csp_price_edge = 0.05\n"
				   "csp_min_volume = 10\n"
				   "csp_min_bid = 0.1\n"
				   "csp_otm_min = 0.05\n"
				   "csp_otm_max = 0.15\n"
				   "csp_target_dte = 30\n"
				   "buywrite_otm = 0\n"
				   "provider = sim\n"
				   "seed = 20240101\n"
				   "yahoo_url = https://query2.finance.yahoo.com\n"
				   "yahoo_cookie_url = https://fc.yahoo.com\n"
				   "cboe_url = https://cdn.cboe.com\n"
				   "max_quote_age = 1800\n"
				   "http_timeout = 20\n"
				   "http_retries = 4\n"
				   "run_at = 09:35\n"
				   "serve_token_file = \n"
				   "notify_on = never\n"
				   "notify_command = \n"
				   "smtp_url = \n"
				   "smtp_starttls = required\n"
				   "smtp_from = \n"
				   "smtp_to = \n"
				   "smtp_username = \n"
				   "smtp_password_file = \n"
				   "smtp_ca_file = \n";
	char buf[4096], err[PT_ERRSZ];
	struct config c;

	(void)state;
	config_defaults(&c);
	dump_to(&c, buf, sizeof(buf));
	assert_string_equal(buf, want);
	assert_int_equal(config_set(&c, "initial_capital", "1234.567", err), 0);
	assert_int_equal(config_set(&c, "iv_edge", "0.1234567890123", err), 0);
	dump_to(&c, buf, sizeof(buf));
	assert_int_equal(strncmp(buf, "initial_capital = 1234.57\n", 26), 0);
	assert_non_null(strstr(buf, "\niv_edge = 0.1234567890123\n"));
}

/* Every line of a dump, fed back through --set, rebuilds the same struct. */
static void test_dump_round_trip(void **state)
{
	char buf[4096], err[PT_ERRSZ];
	struct config a, b;
	char *line, *nl;

	(void)state;
	non_defaults(&a);
	assert_int_equal(config_set(&a, "iv_edge", "0.1", err), 0);
	assert_int_equal(config_set(&a, "price_edge", "0.30000000000000004", err), 0);
	dump_to(&a, buf, sizeof(buf));
	config_defaults(&b);
	assert_int_equal(config_set(&b, "otm_max", "1", err), 0);	/* any order works */
	for (line = buf; *line; line = nl + 1) {
		nl = strchr(line, '\n');
		assert_non_null(nl);
		*nl = '\0';
		if (config_set_pair(&b, line, err))
			fail_msg("%s: %s", line, err);
	}
	assert_config_equal(&a, &b);
}

static void test_default_file(void **state)
{
	char path[512], err[PT_ERRSZ], dump[4096], text[8192];
	struct config def, c;
	struct stat st;
	mode_t old;
	FILE *f;
	size_t n;
	char *line, *nl, *prev;

	(void)state;
	path_of(path, sizeof(path), "default.ini");
	old = umask(022);
	assert_int_equal(config_write_default(path, err), 0);
	umask(old);
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0644);

	/* loading it over a struct far from the defaults gives exactly the defaults */
	config_defaults(&def);
	non_defaults(&c);
	assert_int_equal(config_load_file(&c, path, err), 0);
	assert_config_equal(&c, &def);

	/* every key is there, active, in a section, right after a comment */
	f = fopen(path, "r");
	assert_non_null(f);
	n = fread(text, 1, sizeof(text) - 1, f);
	fclose(f);
	text[n] = '\0';
	dump_to(&def, dump, sizeof(dump));
	for (line = dump; *line; line = nl + 1) {
		char key[64], *hit;

		nl = strchr(line, '\n');
		*nl = '\0';
		snprintf(key, sizeof(key), "\n%.*s = ", (int)(strchr(line, ' ') - line), line);
		hit = strstr(text, key);
		if (!hit)
			fail_msg("no line for '%s' in the default file", line);
		for (prev = hit - 1; prev > text && prev[-1] != '\n'; prev--)
			;
		assert_true(prev[0] == ';');
	}
	assert_non_null(strstr(text, "\n[account]\n"));
	assert_non_null(strstr(text, "\n[strategy]\n"));
	assert_non_null(strstr(text, "\n[market]\n"));
	assert_non_null(strstr(text, "\n[schedule]\n"));

	/* never overwrites */
	assert_int_not_equal(config_write_default(path, err), 0);
	assert_non_null(strstr(err, "already exists"));
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal((size_t)st.st_size, n);
}

struct vcase {
	const char *key, *value;
	const char *err;	/* NULL: must succeed */
};

static void test_values(void **state)
{
	static const struct vcase cases[] = {
		{"initial_capital", "1000000000", NULL},
		{"initial_capital", "0.01", NULL},
		{"initial_capital", "0",
		 "initial_capital: out of range (want more than 0, at most 1000000000): '0'"},
		{"initial_capital", "1e9x", "initial_capital: not a number: '1e9x'"},
		{"initial_capital", "1000000000.01",
		 "initial_capital: out of range (want more than 0, at most 1000000000): "
		 "'1000000000.01'"},
		{"initial_capital", "0.001", "initial_capital: less than one cent: '0.001'"},
		{"initial_capital", "nan", "initial_capital: not a number: 'nan'"},
		{"initial_capital", "inf", "initial_capital: not a number: 'inf'"},
		{"commission", "0", NULL},
		{"commission", "-0.01", "commission: out of range (want 0 to 1000): '-0.01'"},
		{"commission", "", "commission: not a number: ''"},
		{"commission", " 1", "commission: not a number: ' 1'"},
		{"margin_pct", "1", NULL},
		{"margin_pct", "1.01", "margin_pct: out of range (want 0 to 1): '1.01'"},
		{"margin_min_pct", "-1",
		 "margin_min_pct: out of range (want more than 0, at most 1): '-1'"},
		{"margin_min_pct", "0",
		 "margin_min_pct: out of range (want more than 0, at most 1): '0'"},
		{"smtp_url", "", NULL},
		{"smtp_url", "smtps://mail.example.com:465",
		 "smtp_url is set: smtp_from and smtp_to are needed too"},
		{"smtp_url", "https://mail.example.com",
		 "smtp_url: want an smtp:// or smtps:// URL (or nothing): "
		 "'https://mail.example.com'"},
		{"smtp_url", "smtps://",
		 "smtp_url: want smtp[s]://HOST[:PORT], no user or password in it: "
		 "'smtps://'"},
		{"smtp_starttls", "off", NULL},
		{"smtp_starttls", "no", "smtp_starttls: want required or off: 'no'"},
		{"notify_on", "failures", NULL},
		{"smtp_from", "a\nBcc: x@y",
		 "smtp_from: control character in file name: 'a\nBcc: x@y'"},
		{"liquidate_at", "0", NULL},
		{"liquidate_at", "1", NULL},
		{"liquidate_at", "1.01", "liquidate_at: out of range (want 0 to 1): '1.01'"},
		{"liquidate_at", "-0.01", "liquidate_at: out of range (want 0 to 1): '-0.01'"},
		{"cash_interest", "auto", NULL},
		{"cash_interest", "0", NULL},
		{"cash_interest", "0.05", NULL},
		{"cash_interest", "-0.01", "cash_interest: out of range (want 0 to 1): '-0.01'"},
		{"cash_interest", "5%", "cash_interest: not a number or auto: '5%'"},
		{"cash_interest_spread", "0.2", NULL},
		{"cash_interest_spread", "0.21",
		 "cash_interest_spread: out of range (want 0 to 0.2): '0.21'"},
		{"margin_loan_spread", "-0.001",
		 "margin_loan_spread: out of range (want 0 to 0.2): '-0.001'"},
		{"max_trade_requirement", "1", NULL},
		{"max_trade_requirement", "0",
		 "max_trade_requirement: out of range (want more than 0, at most 1): '0'"},
		{"max_stress_loss", "1.01",
		 "max_stress_loss: out of range (want more than 0, at most 1): '1.01'"},
		{"max_stress_loss", "0.0001", NULL},
		{"stress_move", "0",
		 "stress_move: out of range (want more than 0, at most 1): '0'"},
		{"stress_move", "1", NULL},
		{"iv_edge", "abc", "iv_edge: not a number: 'abc'"},
		{"iv_edge", "-0.02", NULL},
		{"price_edge", "0.05.1", "price_edge: not a number: '0.05.1'"},
		{"min_volume", "0", NULL},
		{"min_volume", "-1",
		 "min_volume: out of range (want an integer from 0 to 1000000000): '-1'"},
		{"min_volume", "1.5", "min_volume: not an integer: '1.5'"},
		{"min_volume", "99999999999999999999999",
		 "min_volume: not an integer: '99999999999999999999999'"},
		{"min_bid", "-0.1", "min_bid: out of range (want 0 to 1000000): '-0.1'"},
		{"target_dte", "0",
		 "target_dte: out of range (want an integer from 1 to 3650): '0'"},
		{"target_dte", "3650", NULL},
		{"target_dte", "3651",
		 "target_dte: out of range (want an integer from 1 to 3650): '3651'"},
		{"max_positions_per_ticker", "101",
		 "max_positions_per_ticker: out of range (want an integer from 0 to 100): '101'"},
		{"max_positions_per_ticker", "0", NULL},
		{"position_pct", "0",
		 "position_pct: out of range (want more than 0, at most 1): '0'"},
		{"position_pct", "1", NULL},
		{"hv_window", "1", "hv_window: out of range (want an integer from 2 to 1000): '1'"},
		{"hv_window", "2", NULL},
		{"hv_estimator", "yang_zhang", NULL},
		{"hv_estimator", "ewma", NULL},
		{"hv_estimator", "yang-zhang",
		 "hv_estimator: want close, parkinson, garman_klass, rogers_satchell, "
		 "yang_zhang or ewma: 'yang-zhang'"},
		{"ewma_lambda", "0",
		 "ewma_lambda: out of range (want more than 0, at most 1): '0'"},
		{"ewma_lambda", "0.000001", NULL},
		{"ewma_lambda", "1", NULL},
		{"ewma_lambda", "1.01",
		 "ewma_lambda: out of range (want more than 0, at most 1): '1.01'"},
		{"model", "american", NULL},
		{"model", "bermudan", "model: want european or american: 'bermudan'"},
		{"risk_free_rate", "0.045", NULL},
		{"risk_free_rate", "AUTO", NULL},
		{"risk_free_rate", "-0.1", NULL},
		{"risk_free_rate", "-0.11",
		 "risk_free_rate: out of range (want -0.1 to 1): '-0.11'"},
		{"risk_free_rate", "4.5%", "risk_free_rate: not a number or auto: '4.5%'"},
		{"holdings", "etf", NULL},
		{"holdings", "ETF", NULL},
		{"holdings", "stock", "holdings: want cash or etf: 'stock'"},
		{"sizing", "margin", NULL},
		{"sizing", "size", "sizing: want premium or margin: 'size'"},
		{"contracts", "whole", NULL},
		{"contracts", "", "contracts: want fractional or whole: ''"},
		{"provider", "yahoo", NULL},
		{"provider", "cboe, YAHOO ,sim", NULL},
		{"provider", "tape,history", NULL},
		{"provider", "csv",
		 "provider: unknown provider 'csv' (want sim, yahoo, cboe, tape or "
		 "history): 'csv'"},
		{"provider", "google",
		 "provider: unknown provider 'google' (want sim, yahoo, cboe, tape or history): "
		 "'google'"},
		{"provider", "sim,", "provider: empty provider name: 'sim,'"},
		{"provider", "sim,sim", "provider: provider 'sim' listed twice: 'sim,sim'"},
		{"seed", "0", NULL},
		{"seed", "18446744073709551615", NULL},
		{"seed", "18446744073709551616",
		 "seed: too large (at most 18446744073709551615): '18446744073709551616'"},
		{"seed", "-1", "seed: not a non-negative integer: '-1'"},
		{"seed", "+1", "seed: not a non-negative integer: '+1'"},
		{"seed", " 1", "seed: not a non-negative integer: ' 1'"},
		{"seed", "12x", "seed: not a non-negative integer: '12x'"},
		{"seed", "0x10", "seed: not a non-negative integer: '0x10'"},
		{"yahoo_url", "http://127.0.0.1:8080", NULL},
		{"yahoo_url", "ftp://example.com",
		 "yahoo_url: want an http:// or https:// URL: 'ftp://example.com'"},
		{"cboe_url", "https://", "cboe_url: no host in URL: 'https://'"},
		{"cboe_url", "https://a b",
		 "cboe_url: blank or control character in URL: 'https://a b'"},
		{"run_at", "00:00", NULL},
		{"run_at", "23:59", NULL},
		{"run_at", "9:05", NULL},
		{"run_at", "24:00", "run_at: out of range (want 00:00 to 23:59): '24:00'"},
		{"run_at", "12:60", "run_at: out of range (want 00:00 to 23:59): '12:60'"},
		{"run_at", "0935", "run_at: not a time (want HH:MM): '0935'"},
		{"run_at", "09:5", "run_at: not a time (want HH:MM): '09:5'"},
		{"run_at", "09:35:00", "run_at: not a time (want HH:MM): '09:35:00'"},
		{"run_at", "123:00", "run_at: not a time (want HH:MM): '123:00'"},
	};
	char err[PT_ERRSZ];
	struct config c, before;
	size_t i;
	int rc;

	(void)state;
	for (i = 0; i < PT_ARRAY_SIZE(cases); i++) {
		config_defaults(&c);
		memcpy(&before, &c, sizeof(c));
		err[0] = '\0';
		rc = config_set(&c, cases[i].key, cases[i].value, err);
		if (!cases[i].err) {
			if (rc)
				fail_msg("%s=%s: unexpected error: %s", cases[i].key,
					 cases[i].value, err);
			continue;
		}
		if (rc != PT_EINVAL)
			fail_msg("%s=%s: accepted", cases[i].key, cases[i].value);
		assert_string_equal(err, cases[i].err);
		/* a failed set leaves nothing half-applied */
		assert_memory_equal(&c, &before, sizeof(c));
	}
}

static void test_stored_values(void **state)
{
	char err[PT_ERRSZ];
	struct config c;

	(void)state;
	config_defaults(&c);
	assert_int_equal(config_set(&c, "initial_capital", "1234.565", err), 0);
	assert_int_equal(c.initial_capital_cents, 123457);
	assert_int_equal(config_set(&c, "initial_capital", "0.005", err), 0);
	assert_int_equal(c.initial_capital_cents, 1);
	assert_int_equal(config_set(&c, "risk_free_rate", "0.045", err), 0);
	assert_true(c.risk_free_rate == 0.045);
	assert_int_equal(config_set(&c, "risk_free_rate", "auto", err), 0);
	assert_true(isnan(c.risk_free_rate));
	assert_int_equal(config_set(&c, "holdings", "ETF", err), 0);
	assert_int_equal(c.holdings, HOLD_ETF);
	assert_int_equal(config_set(&c, "sizing", "margin", err), 0);
	assert_int_equal(c.sizing, SIZE_MARGIN);
	assert_int_equal(config_set(&c, "contracts", "whole", err), 0);
	assert_int_equal(c.contracts, CONTRACTS_WHOLE);
	assert_int_equal(config_set(&c, "provider", " cboe , YAHOO,sim ", err), 0);
	assert_string_equal(c.provider, "cboe,yahoo,sim");
	assert_int_equal(config_set(&c, "seed", "18446744073709551615", err), 0);
	assert_true(c.seed == UINT64_MAX);
	assert_int_equal(config_set(&c, "yahoo_url", "http://127.0.0.1:8080/", err), 0);
	assert_string_equal(c.yahoo_url, "http://127.0.0.1:8080");
	assert_int_equal(config_set(&c, "run_at", "9:05", err), 0);
	assert_int_equal(c.run_at_min, 545);
	assert_int_equal(config_set(&c, "run_at", "23:59", err), 0);
	assert_int_equal(c.run_at_min, 1439);
	assert_int_equal(config_set(&c, "min_volume", "123", err), 0);
	assert_int_equal(K(&c, "min_volume"), 123);
}

static void test_tickers(void **state)
{
	char err[PT_ERRSZ], list[2048];
	struct config c, before;
	size_t i, n;

	(void)state;
	config_defaults(&c);
	assert_int_equal(config_set(&c, "tickers", "spy, qqq ,brk.b,^spx,bf-b", err), 0);
	assert_int_equal(c.n_tickers, 5);
	assert_string_equal(c.tickers[0], "SPY");
	assert_string_equal(c.tickers[1], "QQQ");
	assert_string_equal(c.tickers[2], "BRK.B");
	assert_string_equal(c.tickers[3], "^SPX");
	assert_string_equal(c.tickers[4], "BF-B");
	assert_string_equal(c.tickers[5], "");

	memcpy(&before, &c, sizeof(c));
	assert_int_equal(config_set(&c, "tickers", "SPY,spy", err), PT_EINVAL);
	assert_string_equal(err, "tickers: ticker 'SPY' listed twice: 'SPY,spy'");
	assert_int_equal(config_set(&c, "tickers", "", err), PT_EINVAL);
	assert_string_equal(err, "tickers: empty ticker: ''");
	assert_int_equal(config_set(&c, "tickers", "SPY,,QQQ", err), PT_EINVAL);
	assert_string_equal(err, "tickers: empty ticker: 'SPY,,QQQ'");
	assert_int_equal(config_set(&c, "tickers", "SPY,", err), PT_EINVAL);
	assert_int_equal(config_set(&c, "tickers", "S&P", err), PT_EINVAL);
	assert_string_equal(err, "tickers: bad ticker 'S&P' (want A-Z, 0-9, '.', '-', '^'): 'S&P'");
	assert_int_equal(config_set(&c, "tickers", "SP Y", err), PT_EINVAL);
	assert_int_equal(config_set(&c, "tickers", "ABCDEFGHIJKLMNOP", err), PT_EINVAL);
	assert_string_equal(err, "tickers: ticker 'ABCDEFGHIJKLMNOP' longer than 15 characters: "
				 "'ABCDEFGHIJKLMNOP'");
	assert_memory_equal(&c, &before, sizeof(c));
	assert_int_equal(config_set(&c, "tickers", "ABCDEFGHIJKLMNO", err), 0);
	assert_string_equal(c.tickers[0], "ABCDEFGHIJKLMNO");

	/* 64 distinct tickers fit, 65 do not */
	for (n = 0, i = 0; i < CFG_MAX_TICKERS; i++)
		n += (size_t)snprintf(list + n, sizeof(list) - n, "%sT%zu", i ? "," : "", i);
	assert_int_equal(config_set(&c, "tickers", list, err), 0);
	assert_int_equal(c.n_tickers, CFG_MAX_TICKERS);
	assert_string_equal(c.tickers[63], "T63");
	snprintf(list + n, sizeof(list) - n, ",T64");
	memcpy(&before, &c, sizeof(c));
	assert_int_equal(config_set(&c, "tickers", list, err), PT_EINVAL);
	assert_non_null(strstr(err, "tickers: more than 64 tickers: "));
	assert_memory_equal(&c, &before, sizeof(c));
}

static void test_unknown_key(void **state)
{
	char err[PT_ERRSZ];
	struct config c, before;

	(void)state;
	config_defaults(&c);
	memcpy(&before, &c, sizeof(c));
	assert_int_equal(config_set(&c, "foo", "1", err), PT_EINVAL);
	assert_string_equal(err, "unknown key 'foo'");
	assert_int_equal(config_set(&c, "iv_edg", "1", err), PT_EINVAL);
	assert_string_equal(err, "unknown key 'iv_edg' (did you mean 'iv_edge'?)");
	assert_int_equal(config_set(&c, "IV_EDGE", "1", err), PT_EINVAL);
	assert_string_equal(err, "unknown key 'IV_EDGE' (did you mean 'iv_edge'?)");
	assert_int_equal(config_set(&c, "tickrs", "SPY", err), PT_EINVAL);
	assert_string_equal(err, "unknown key 'tickrs' (did you mean 'tickers'?)");
	assert_int_equal(config_set(&c, "max_position_per_ticker", "1", err), PT_EINVAL);
	assert_string_equal(err, "unknown key 'max_position_per_ticker' "
				 "(did you mean 'max_positions_per_ticker'?)");
	assert_int_equal(config_set(&c, "home", "/tmp", err), PT_EINVAL);
	assert_string_equal(err, "unknown key 'home'");
	assert_int_equal(config_set(&c, "", "1", err), PT_EINVAL);
	assert_string_equal(err, "unknown key ''");
	assert_memory_equal(&c, &before, sizeof(c));
}

static void test_set_pair(void **state)
{
	char err[PT_ERRSZ];
	struct config c, before;

	(void)state;
	config_defaults(&c);
	assert_int_equal(config_set_pair(&c, "iv_edge=0.02", err), 0);
	assert_true(K(&c, "iv_edge") == 0.02);
	assert_int_equal(config_set_pair(&c, "  iv_edge \t=  0.04  ", err), 0);
	assert_true(K(&c, "iv_edge") == 0.04);
	/* only the first '=' splits */
	assert_int_equal(config_set_pair(&c, "yahoo_url=http://127.0.0.1:9/x?a=b", err), 0);
	assert_string_equal(c.yahoo_url, "http://127.0.0.1:9/x?a=b");

	memcpy(&before, &c, sizeof(c));
	assert_int_equal(config_set_pair(&c, "iv_edge", err), PT_EINVAL);
	assert_string_equal(err, "missing '=' in 'iv_edge' (want key=value)");
	assert_int_equal(config_set_pair(&c, "=1", err), PT_EINVAL);
	assert_string_equal(err, "missing key before '=' (want key=value)");
	assert_int_equal(config_set_pair(&c, "iv_edge=", err), PT_EINVAL);
	assert_string_equal(err, "iv_edge: not a number: ''");
	assert_int_equal(config_set_pair(&c, "iv_edge = x", err), PT_EINVAL);
	assert_string_equal(err, "iv_edge: not a number: 'x'");
	assert_int_equal(config_set_pair(&c, "ivedge=1", err), PT_EINVAL);
	assert_string_equal(err, "unknown key 'ivedge' (did you mean 'iv_edge'?)");
	assert_memory_equal(&c, &before, sizeof(c));
}

static void test_cross_key(void **state)
{
	char err[PT_ERRSZ], path[512];
	struct config c, before;

	(void)state;
	config_defaults(&c);
	memcpy(&before, &c, sizeof(c));
	assert_int_equal(config_set(&c, "otm_min", "0.2", err), PT_EINVAL);
	assert_string_equal(err, "otm_min (0.2) is more than otm_max (0.15)");
	assert_memory_equal(&c, &before, sizeof(c));
	assert_int_equal(config_set(&c, "otm_max", "0.04", err), PT_EINVAL);
	assert_string_equal(err, "otm_min (0.05) is more than otm_max (0.04)");
	assert_memory_equal(&c, &before, sizeof(c));
	/* equal is fine; raising max first then min is fine */
	assert_int_equal(config_set(&c, "otm_max", "0.05", err), 0);
	assert_int_equal(config_set(&c, "otm_max", "0.3", err), 0);
	assert_int_equal(config_set(&c, "otm_min", "0.2", err), 0);
	assert_true(K(&c, "otm_min") == 0.2 && K(&c, "otm_max") == 0.3);

	/* in a file, the check runs after the whole file, in any key order */
	path_of(path, sizeof(path), "cross.ini");
	write_text(path, "[strategy]\notm_min = 0.5\notm_max = 0.6\n");
	config_defaults(&c);
	assert_int_equal(config_load_file(&c, path, err), 0);
	assert_true(K(&c, "otm_min") == 0.5 && K(&c, "otm_max") == 0.6);
	write_text(path, "[strategy]\notm_min = 0.5\notm_max = 0.4\n");
	config_defaults(&c);
	memcpy(&before, &c, sizeof(c));
	assert_int_equal(config_load_file(&c, path, err), PT_EINVAL);
	assert_path_err(err, path, ": otm_min (0.5) is more than otm_max (0.4)");
	assert_memory_equal(&c, &before, sizeof(c));

	/* and after the whole environment */
	setenv("PAPERTRADE_OTM_MIN", "0.7", 1);
	setenv("PAPERTRADE_OTM_MAX", "0.8", 1);
	assert_int_equal(config_load_env(&c, err), 0);
	assert_true(K(&c, "otm_min") == 0.7 && K(&c, "otm_max") == 0.8);
	setenv("PAPERTRADE_OTM_MAX", "0.6", 1);
	memcpy(&before, &c, sizeof(c));
	assert_int_equal(config_load_env(&c, err), PT_EINVAL);
	assert_string_equal(err, "otm_min (0.7) is more than otm_max (0.6)");
	assert_memory_equal(&c, &before, sizeof(c));
	clear_env();
}

static void test_missing_file(void **state)
{
	char err[PT_ERRSZ], path[512];
	struct config c, before;

	(void)state;
	non_defaults(&c);
	memcpy(&before, &c, sizeof(c));
	path_of(path, sizeof(path), "no-such.ini");
	err[0] = '\0';
	assert_int_equal(config_load_file(&c, path, err), 0);
	assert_memory_equal(&c, &before, sizeof(c));
	assert_string_equal(err, "");
}

static void test_unreadable_file(void **state)
{
	char err[PT_ERRSZ], path[512], want[PT_ERRSZ];
	struct config c, before;

	(void)state;
	config_defaults(&c);
	memcpy(&before, &c, sizeof(c));
	path_of(path, sizeof(path), "a-folder.ini");
	assert_int_equal(mkdir(path, 0700), 0);
	assert_int_equal(config_load_file(&c, path, err), PT_EIO);
	snprintf(want, sizeof(want), ": %s", strerror(EISDIR));
	assert_path_err(err, path, want);
	assert_memory_equal(&c, &before, sizeof(c));
}

static void test_file_values(void **state)
{
	char err[PT_ERRSZ], path[512];
	struct config c;

	(void)state;
	path_of(path, sizeof(path), "good.ini");
	write_text(path, "\xEF\xBB\xBF; a comment\r\n"
			 "# another\r\n"
			 "[account]\r\n"
			 "tickers = spy, iwm\r\n"
			 "initial_capital=5000 ; inline comment\r\n"
			 "\r\n"
			 "[schedule]\n"
			 "run_at = 10:00\n"
			 "[market]\n"
			 "seed = 42\n"
			 "seed = 43\n"
			 "provider = yahoo,sim");	/* no final newline */
	config_defaults(&c);
	assert_int_equal(config_load_file(&c, path, err), 0);
	assert_int_equal(c.n_tickers, 2);
	assert_string_equal(c.tickers[1], "IWM");
	assert_int_equal(c.initial_capital_cents, 500000);
	assert_int_equal(c.run_at_min, 600);
	assert_true(c.seed == 43);	/* the last one wins */
	assert_string_equal(c.provider, "yahoo,sim");
	assert_true(K(&c, "iv_edge") == 0.03);	/* untouched keys keep their value */

	write_text(path, "");
	non_defaults(&c);
	{
		struct config before;

		memcpy(&before, &c, sizeof(c));
		assert_int_equal(config_load_file(&c, path, err), 0);
		assert_memory_equal(&c, &before, sizeof(c));
	}
}

/* A papertrade.ini of before per-strategy sections: volarb's keys under
 * [strategy] are read, and config->moved says where they belong now. */
static void test_moved_keys(void **state)
{
	char err[PT_ERRSZ], path[512];
	struct config c;

	(void)state;
	path_of(path, sizeof(path), "old.ini");
	write_text(path, "[strategy]\niv_edge = 0.02\nposition_pct = 0.1\ntarget_dte = 45\n");
	config_defaults(&c);
	assert_string_equal(c.moved, "");
	assert_int_equal(config_load_file(&c, path, err), 0);
	assert_true(K(&c, "iv_edge") == 0.02);
	assert_true(K(&c, "target_dte") == 45);
	assert_true(c.sel[0].v[RICH_K_TARGET_DTE] == 45);	/* what volarb sees */
	assert_string_equal(c.moved, "line 2: key 'iv_edge' belongs in [volarb] now (read from [strategy])\n"
				     "line 4: key 'target_dte' belongs in [volarb] now (read from [strategy])\n");
	/* the same keys in their own section: no note */
	write_text(path, "[volarb]\niv_edge = 0.04\n[csp]\ncsp_iv_edge = 0.05\n"
			 "[strategy]\nstrategies = csp:1, volarb:3\n");
	config_defaults(&c);
	assert_int_equal(config_load_file(&c, path, err), 0);
	assert_string_equal(c.moved, "");
	assert_int_equal(c.n_strat, 2);
	assert_string_equal(c.strat[0]->name, "csp");
	assert_true(c.share[0] == 0.25 && c.share[1] == 0.75);
	assert_true(c.sel[0].v[RICH_K_IV_EDGE] == 0.05 && c.sel[1].v[RICH_K_IV_EDGE] == 0.04);
	assert_int_equal(config_get(&c, "strategies", err, sizeof(err)), 0);
	assert_string_equal(err, "csp:0.25,volarb:0.75");
}

struct fcase {
	const char *text;
	const char *err;	/* after "<path>:" */
};

static void test_file_errors(void **state)
{
	static const struct fcase cases[] = {
		{"[strategy]\niv_edge = 0.02\nbad line\n", "3: syntax error (want 'key = value', "
							   "'[section]' or a ; comment)"},
		{"; c\n[strategy\niv_edge = 0.02\n", "2: section header without a closing ']'"},
		{"[strategy]\n\n\n\niv_edge = x\n", "5: iv_edge: not a number: 'x'"},
		{"[account]\niv_edge = 0.02\n",
		 "2: key 'iv_edge' belongs in [volarb], not [account]"},
		{"[foo]\niv_edge = 0.02\n", "2: key 'iv_edge' belongs in [volarb], not [foo]"},
		{"[volarb]\ncsp_otm_min = 0.02\n", "2: key 'csp_otm_min' belongs in [csp], not [volarb]"},
		{"[strategy]\nstrategies = volarb,csp,volarb\n",
		 "2: strategies: strategy 'volarb' listed twice: 'volarb,csp,volarb'"},
		{"[strategy]\nstrategies = volarb,cps\n",
		 "2: strategies: unknown strategy 'cps' (want volarb, csp or buywrite): 'volarb,cps'"},
		{"[strategy]\nstrategies = volarb:0\n",
		 "2: strategies: weight of 'volarb' not a number more than 0, at most 1000: 'volarb:0'"},
		{"[strategy]\nstrategies = volarb:1000.01\n",
		 "2: strategies: weight of 'volarb' not a number more than 0, at most 1000: 'volarb:1000.01'"},
		{"[csp]\ncsp_otm_min = 0.2\ncsp_otm_max = 0.1\n", " csp_otm_min (0.2) is more than csp_otm_max (0.1)"},
		{"iv_edge = 0.02\n", "1: key 'iv_edge' must be under [volarb]"},
		{"[strategy]\nfoo = 1\n", "2: unknown key 'foo'"},
		{"[strategy]\nivedge = 1\n", "2: unknown key 'ivedge' (did you mean 'iv_edge'?)"},
		{"[strategy]\nPAPERTRADE_HOME = /x\n", "2: unknown key 'PAPERTRADE_HOME'"},
		/* an indented line is not a continuation of the value above */
		{"[strategy]\niv_edge = 0.02\n  0.04\n", "3: syntax error (want 'key = value', "
							 "'[section]' or a ; comment)"},
		/* the first error wins, whatever its kind */
		{"[strategy]\nnope\niv_edge = x\n", "2: syntax error (want 'key = value', "
						  "'[section]' or a ; comment)"},
		{"[strategy]\niv_edge = x\nnope\n", "2: iv_edge: not a number: 'x'"},
	};
	char err[PT_ERRSZ], path[512], want[PT_ERRSZ];
	struct config c, before;
	size_t i;

	(void)state;
	path_of(path, sizeof(path), "bad.ini");
	for (i = 0; i < PT_ARRAY_SIZE(cases); i++) {
		write_text(path, cases[i].text);
		config_defaults(&c);
		memcpy(&before, &c, sizeof(c));
		assert_int_equal(config_load_file(&c, path, err), PT_EINVAL);
		snprintf(want, sizeof(want), ":%s", cases[i].err);
		assert_path_err(err, path, want);
		assert_memory_equal(&c, &before, sizeof(c));
	}
}

/* A line too long for inih is an error on its line, not a silently cut value. */
static void test_long_line(void **state)
{
	char err[PT_ERRSZ], path[512], text[1024];
	struct config c, before;
	int n;

	(void)state;
	path_of(path, sizeof(path), "long.ini");
	/* 197 characters fit */
	n = snprintf(text, sizeof(text), "[market]\nyahoo_url = http://h/");
	memset(text + n, 'a', 197 - (sizeof("yahoo_url = http://h/") - 1));
	snprintf(text + n + 197 - (sizeof("yahoo_url = http://h/") - 1), 64, "\n");
	write_text(path, text);
	config_defaults(&c);
	assert_int_equal(config_load_file(&c, path, err), 0);
	assert_int_equal(strlen(c.yahoo_url), 197 - strlen("yahoo_url = "));

	/* 198 do not, and the error names line 3, before the bad value on line 4 */
	n = snprintf(text, sizeof(text), "[market]\n; fine\nyahoo_url = http://h/");
	memset(text + n, 'a', 198 - (sizeof("yahoo_url = http://h/") - 1));
	snprintf(text + n + 198 - (sizeof("yahoo_url = http://h/") - 1), 64, "\nseed = x\n");
	write_text(path, text);
	config_defaults(&c);
	memcpy(&before, &c, sizeof(c));
	assert_int_equal(config_load_file(&c, path, err), PT_EINVAL);
	assert_path_err(err, path, ":3: line longer than 197 characters");
	assert_memory_equal(&c, &before, sizeof(c));

	/* an earlier error is still the one reported */
	n = snprintf(text, sizeof(text), "[market]\nseed = x\nyahoo_url = http://h/");
	memset(text + n, 'a', 300);
	text[n + 300] = '\0';
	write_text(path, text);
	assert_int_equal(config_load_file(&c, path, err), PT_EINVAL);
	assert_path_err(err, path, ":2: seed: not a non-negative integer: 'x'");
}

static void test_nul_byte(void **state)
{
	static const char text[] = "[strategy]\niv_edge = 0.02\nmin\0_bid = 1\n";
	char err[PT_ERRSZ], path[512];
	struct config c;

	(void)state;
	path_of(path, sizeof(path), "nul.ini");
	write_file(path, text, sizeof(text) - 1);
	config_defaults(&c);
	assert_int_equal(config_load_file(&c, path, err), PT_EINVAL);
	assert_path_err(err, path, ":3: NUL byte in a text file");
	assert_true(K(&c, "iv_edge") == 0.03);
}

static void test_file_size_limit(void **state)
{
	const size_t mib = 1u << 20;
	char err[PT_ERRSZ], path[512];
	struct config c, before;
	char *text = xmalloc(mib + 2);
	size_t i;

	(void)state;
	/* exactly 1 MiB: 64-byte comment lines, the last one replaced by a key */
	for (i = 0; i < mib; i += 64) {
		memset(text + i, ' ', 64);
		text[i] = ';';
		text[i + 63] = '\n';
	}
	memcpy(text + mib - 64, "[strategy]\niv_edge=0.5", 22);
	path_of(path, sizeof(path), "big.ini");
	write_file(path, text, mib);
	config_defaults(&c);
	assert_int_equal(config_load_file(&c, path, err), 0);
	assert_true(K(&c, "iv_edge") == 0.5);

	/* one byte more is refused, before any key is applied */
	text[mib] = '\n';
	write_file(path, text, mib + 1);
	config_defaults(&c);
	memcpy(&before, &c, sizeof(c));
	assert_int_equal(config_load_file(&c, path, err), PT_EINVAL);
	assert_path_err(err, path, ": larger than 1048576 bytes");
	assert_memory_equal(&c, &before, sizeof(c));
	free(text);
}

static void test_env(void **state)
{
	char err[PT_ERRSZ];
	struct config c, before;

	(void)state;
	clear_env();
	config_defaults(&c);
	memcpy(&before, &c, sizeof(c));
	assert_int_equal(config_load_env(&c, err), 0);
	assert_memory_equal(&c, &before, sizeof(c));

	/* not config keys: ignored */
	setenv("PAPERTRADE_HOME", "/nonexistent", 1);
	setenv("PAPERTRADE_NOT_A_KEY", "x", 1);
	setenv("papertrade_iv_edge", "0.9", 1);
	assert_int_equal(config_load_env(&c, err), 0);
	assert_memory_equal(&c, &before, sizeof(c));

	setenv("PAPERTRADE_IV_EDGE", "0.02", 1);
	setenv("PAPERTRADE_YAHOO_URL", "http://127.0.0.1:5555", 1);
	setenv("PAPERTRADE_MAX_POSITIONS_PER_TICKER", "7", 1);
	setenv("PAPERTRADE_TICKERS", "iwm", 1);
	assert_int_equal(config_load_env(&c, err), 0);
	assert_true(K(&c, "iv_edge") == 0.02);
	assert_string_equal(c.yahoo_url, "http://127.0.0.1:5555");
	assert_int_equal(c.max_positions_per_ticker, 7);
	assert_int_equal(c.n_tickers, 1);
	assert_string_equal(c.tickers[0], "IWM");

	/* a bad value names the variable, and nothing of the environment is applied */
	config_defaults(&c);
	memcpy(&before, &c, sizeof(c));
	setenv("PAPERTRADE_PRICE_EDGE", "lots", 1);
	assert_int_equal(config_load_env(&c, err), PT_EINVAL);
	assert_string_equal(err, "PAPERTRADE_PRICE_EDGE: not a number: 'lots'");
	assert_memory_equal(&c, &before, sizeof(c));
	clear_env();
	unsetenv("papertrade_iv_edge");
}

/* defaults < file < environment < --set, by calling them in that order. */
static void test_precedence(void **state)
{
	char err[PT_ERRSZ], path[512];
	struct config c;

	(void)state;
	clear_env();
	path_of(path, sizeof(path), "prec.ini");
	write_text(path, "[strategy]\niv_edge = 0.01\nprice_edge = 0.02\nmin_bid = 0.03\n"
			 "[market]\nprovider = cboe\n");
	setenv("PAPERTRADE_PRICE_EDGE", "0.2", 1);
	setenv("PAPERTRADE_MIN_BID", "0.3", 1);
	config_defaults(&c);
	assert_int_equal(config_load_file(&c, path, err), 0);
	assert_int_equal(config_load_env(&c, err), 0);
	assert_int_equal(config_set_pair(&c, "min_bid=3", err), 0);
	assert_true(c.hv_window == 30);		/* default */
	assert_true(K(&c, "iv_edge") == 0.01);		/* file */
	assert_string_equal(c.provider, "cboe");	/* file */
	assert_true(K(&c, "price_edge") == 0.2);	/* environment over file */
	assert_true(K(&c, "min_bid") == 3);		/* --set over environment */
	clear_env();
}

/* --set pairs apply all or nothing, with the cross-key check once at the end. */
static void test_set_pairs_order(void **state)
{
	const char *widen[] = {"otm_min=0.16", "otm_max=0.30"};
	const char *bad[] = {"otm_max=0.30", "iv_edge=abc"};
	const char *crossed[] = {"otm_min=0.2", "otm_max=0.1"};
	struct config c, before;
	char err[PT_ERRSZ];

	(void)state;
	config_defaults(&c);
	assert_int_equal(config_set_pairs(&c, widen, 2, err), 0);
	assert_true(K(&c, "otm_min") == 0.16 && K(&c, "otm_max") == 0.30);
	memcpy(&before, &c, sizeof(c));
	assert_int_equal(config_set_pairs(&c, bad, 2, err), PT_EINVAL);
	assert_non_null(strstr(err, "iv_edge"));
	assert_memory_equal(&c, &before, sizeof(c));
	assert_int_equal(config_set_pairs(&c, crossed, 2, err), PT_EINVAL);
	assert_non_null(strstr(err, "otm_min"));
	assert_memory_equal(&c, &before, sizeof(c));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_defaults),
		cmocka_unit_test(test_dump),
		cmocka_unit_test(test_dump_round_trip),
		cmocka_unit_test(test_default_file),
		cmocka_unit_test(test_values),
		cmocka_unit_test(test_stored_values),
		cmocka_unit_test(test_tickers),
		cmocka_unit_test(test_unknown_key),
		cmocka_unit_test(test_set_pair),
		cmocka_unit_test(test_cross_key),
		cmocka_unit_test(test_missing_file),
		cmocka_unit_test(test_unreadable_file),
		cmocka_unit_test(test_file_values),
		cmocka_unit_test(test_file_errors),
		cmocka_unit_test(test_moved_keys),
		cmocka_unit_test(test_long_line),
		cmocka_unit_test(test_nul_byte),
		cmocka_unit_test(test_file_size_limit),
		cmocka_unit_test(test_env),
		cmocka_unit_test(test_precedence),
		cmocka_unit_test(test_set_pairs_order),
	};

	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
