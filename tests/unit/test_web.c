/*
 * test_web.c - unit tests of web/ (DESIGN.md §2 web/, the dashboard): the
 * snapshots columns and health answers of api.c on a small hand-made
 * portfolio and injected clocks (weekend, early close, before the open, a
 * day already run), the self-contained page of page.c (every asset tag
 * replaced, nothing that could close a script early), the embedded asset
 * table, and the server itself on 127.0.0.1 with a random port: health,
 * 404 with no portfolio, 405, traversal, a token, loopback refusal.
 */
#include <stdarg.h>
#include <stddef.h>
#include <math.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <jansson.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "book/book.h"
#include "config.h"
#include "market/calendar.h"
#include "util/date.h"
#include "util/util.h"
#include "quant/bs.h"
#include "runlog.h"
#include "web/api.h"
#include "web/assets.h"
#include "web/page.h"
#include "web/server.h"

static int D(const char *s)
{
	int d = -1;

	if (date_parse(s, &d))
		fail_msg("bad date in test: %s", s);
	return d;
}

static int64_t ny(const char *day, int h, int m)
{
	int64_t t = 0;

	assert_int_equal(cal_ny_to_epoch(D(day), h * 60 + m, &t), 0);
	return t;
}

/* A portfolio of three sessions with two benchmarks, values in cents. */
static void small_portfolio(struct portfolio *pf)
{
	static const char *const days[] = {"2024-12-27", "2024-12-30", "2024-12-31"};
	size_t i;

	book_init(pf, 100000);
	pf->n_bench = 2;
	pf->bench = calloc(2, sizeof(*pf->bench));
	assert_non_null(pf->bench);
	pt_strlcpy(pf->bench[0].ticker, "SPY", BOOK_SYMSZ);
	pt_strlcpy(pf->bench[1].ticker, "QQQ", BOOK_SYMSZ);
	for (i = 0; i < 3; i++) {
		struct snapshot s;
		int64_t b[2] = {100000 + (int64_t)i * 101, 100000 - (int64_t)i * 5};
		memset(&s, 0, sizeof(s));
		s.session = D(days[i]);
		s.cash_cents = 100000 + (int64_t)i * 1234;
		s.positions_cents = -(int64_t)i * 205;
		s.value_cents = s.cash_cents + s.positions_cents;
		s.margin_cents = (int64_t)i * 6105;
		book_add_snapshot(pf, &s, b);
	}
	pf->start = D("2024-12-27");
	pf->last_session = D("2024-12-31");
}

static void test_snapshots_columns(void **state)
{
	struct portfolio pf;
	struct config cfg;
	struct sbuf sb;
	const char *s;

	(void)state;
	config_defaults(&cfg);
	small_portfolio(&pf);
	sb_init(&sb, 1 << 20);
	assert_int_equal(web_api_body(WEB_SNAPSHOTS, &pf, &cfg, &sb), 0);
	s = sb_str(&sb);
	assert_non_null(strstr(s, "\"initial_capital\":1000.0"));
	assert_non_null(strstr(s, "\"tickers\":[\"SPY\",\"QQQ\"]"));
	assert_non_null(strstr(s, "\"dates\":[\"2024-12-27\",\"2024-12-30\",\"2024-12-31\"]"));
	/* value = cash + positions: 1000.0, 1010.29, 1020.58 */
	assert_non_null(strstr(s, "\"portfolio\":[1000.0,1010.29,1020.58]"));
	assert_non_null(strstr(s, "\"cash\":[1000.0,1012.34,1024.68]"));
	assert_non_null(strstr(s, "\"margin\":[0.0,61.05,122.1]"));
	assert_non_null(strstr(s, "\"SPY\":[1000.0,1001.01,1002.02]"));
	assert_non_null(strstr(s, "\"QQQ\":[1000.0,999.95,999.9]"));
	sb_release(&sb);

	/* Too small a buffer: an error, not half a body. */
	sb_init(&sb, 100);
	assert_int_equal(web_api_body(WEB_SNAPSHOTS, &pf, &cfg, &sb), -1);
	sb_release(&sb);
	book_release(&pf);
}

static const struct runlog_entry *attempt; /* the runs.log entry health_at sees */

static void health_at(int64_t now, int last, const char *want1, const char *want2)
{
	struct web_health_in in;
	struct sbuf sb;

	memset(&in, 0, sizeof(in));
	in.last_attempt = attempt;
	in.retry_every = 300;
	in.now = now;
	in.version = "9.9";
	in.run_at_min = 9 * 60 + 35;
	in.last_session = last;
	in.scheduler = 1;
	sb_init(&sb, 1 << 16);
	assert_int_equal(web_api_health(&in, &sb), 0);
	if (!strstr(sb_str(&sb), want1) || (want2 && !strstr(sb_str(&sb), want2)))
		fail_msg("health: want %s and %s in:\n%s", want1, want2 ? want2 : "-", sb_str(&sb));
	sb_release(&sb);
}

static void test_health(void **state)
{
	(void)state;
	/* A session, market open, today already run: next run is the next session. */
	health_at(ny("2024-12-31", 10, 0), D("2024-12-31"),
		  "\"market\":{\"open\":true,\"session_today\":true,\"opens\":\"09:30\","
		  "\"closes\":\"16:00\",\"next_session\":\"2025-01-02\"}",
		  "\"next_run\":\"2025-01-02T09:35\"");
	/* Before the open, not run: today's run_at; market closed. */
	health_at(ny("2024-12-31", 8, 0), D("2024-12-30"), "\"open\":false,\"session_today\":true",
		  "\"next_run\":\"2024-12-31T09:35\"");
	/* Due now (past run_at, not run): the scheduler runs it now, never at a
	 * time already past; 85 minutes late, the session counts as missed. */
	health_at(ny("2024-12-31", 11, 0), D("2024-12-30"), "\"now_ny\":\"2024-12-31T11:00\"",
		  "\"next_run\":\"2024-12-31T11:00\"");
	health_at(ny("2024-12-31", 11, 0), D("2024-12-30"), "\"missed_session\":\"2024-12-31\"",
		  "\"ok\":true");
	/* missed from 15 minutes after run_at: 09:49 not yet, 09:50 yes */
	health_at(ny("2024-12-31", 9, 49), D("2024-12-30"), "\"missed_session\":null", NULL);
	health_at(ny("2024-12-31", 9, 50), D("2024-12-30"), "\"missed_session\":\"2024-12-31\"",
		  NULL);
	/* Early close. */
	health_at(ny("2024-12-24", 12, 0), 0, "\"closes\":\"13:00\"", "\"last_session\":null");
	health_at(ny("2024-12-24", 13, 30), 0, "\"open\":false,\"session_today\":true", NULL);
	/* Weekend: no hours. */
	health_at(ny("2024-12-28", 12, 0), D("2024-12-27"),
		  "\"open\":false,\"session_today\":false,\"opens\":null,\"closes\":null,"
		  "\"next_session\":\"2024-12-30\"",
		  "\"next_run\":\"2024-12-30T09:35\"");
	health_at(ny("2024-12-28", 12, 0), 0, "\"version\":\"9.9\"", "\"scheduler\":true");
}

/* A failed attempt at the due session: ok false, the failure, the next try. */
static void test_health_failure(void **state)
{
	struct runlog_entry e;

	(void)state;
	memset(&e, 0, sizeof(e));
	e.at = ny("2024-12-31", 9, 35);
	e.session = D("2024-12-31");
	e.ok = 0;
	pt_strlcpy(e.trigger, "scheduled", sizeof(e.trigger));
	pt_strlcpy(e.message, "no data for any ticker: SPY: yahoo: connection refused",
		   sizeof(e.message));
	attempt = &e;
	health_at(ny("2024-12-31", 9, 36), D("2024-12-30"), "\"ok\":false",
		  "\"last_failure\":{\"at\":\"2024-12-31T09:35\",\"session\":\"2024-12-31\","
		  "\"trigger\":\"scheduled\",\"message\":\"no data for any ticker: SPY: yahoo: "
		  "connection refused\"}");
	/* the next try five minutes after the failure, not the past run_at */
	health_at(ny("2024-12-31", 9, 36), D("2024-12-30"), "\"next_run\":\"2024-12-31T09:40\"",
		  "\"missed_session\":null");
	/* past its retry time: now */
	health_at(ny("2024-12-31", 9, 45), D("2024-12-30"), "\"next_run\":\"2024-12-31T09:45\"",
		  NULL);
	/* the session ran after all: ok again */
	health_at(ny("2024-12-31", 10, 0), D("2024-12-31"), "\"ok\":true", "\"last_failure\":null");
	/* a failure of an older session does not mark today's due run failed */
	e.session = D("2024-12-30");
	health_at(ny("2024-12-31", 9, 40), D("2024-12-30"), "\"ok\":true", NULL);
	/* a success as the newest attempt: ok */
	e.session = D("2024-12-31");
	e.ok = 1;
	health_at(ny("2024-12-31", 9, 40), D("2024-12-30"), "\"ok\":true", NULL);
	attempt = NULL;
}

/* api/risk: each open position's greeks in the units the page shows
 * (delta and gamma in shares, vega per vol point, theta per calendar day),
 * summed per ticker and in all; P&L realised and unrealised per ticker. */
static void test_risk(void **state)
{
	struct portfolio pf;
	struct config cfg;
	struct sbuf sb;
	struct position *p;
	struct snapshot sn;
	struct bs_greeks g;
	json_t *o, *pos, *spy;
	double iv, T;
	int64_t asof, bench = 0;

	(void)state;
	config_defaults(&cfg);
	book_init(&pf, 100000);
	pf.n_bench = 1;
	pf.bench = xcalloc(1, sizeof(*pf.bench));
	pt_strlcpy(pf.bench[0].ticker, "SPY", sizeof(pf.bench[0].ticker));
	pf.bench[0].shares = 2;
	pf.bench[0].price = 500;
	pf.start = pf.last_session = D("2024-12-02");
	memset(&sn, 0, sizeof(sn));
	sn.session = pf.last_session;
	sn.rate = 0.04;
	sn.cash_rate = NAN;
	book_add_snapshot(&pf, &sn, &bench);
	p = book_open(&pf, pf.last_session, "SPY", 'C', 530, D("2024-12-20"), -0.5, 2.0, 0);
	p->mark = 2.10;
	p->entry_iv = 0.15;
	book_open(&pf, pf.last_session, "SPY", 'S', 0, 0, 3, 500.0, 0);
	sb_init(&sb, 1 << 20);
	assert_int_equal(web_api_body(WEB_RISK, &pf, &cfg, &sb), 0);
	o = json_loads(sb_str(&sb), 0, NULL);
	assert_non_null(o);
	assert_int_equal(cal_ny_to_epoch(pf.last_session, cfg.run_at_min, &asof), 0);
	T = cal_year_frac(asof, D("2024-12-20"));
	assert_int_equal(bs_implied_vol('C', 500, 530, T, 0.04, 0, 2.10, &iv), 0);
	assert_int_equal(bs_greeks('C', 500, 530, T, 0.04, 0, iv, &g), 0);
	pos = json_array_get(json_object_get(o, "positions"), 0);
	assert_true(fabs(json_real_value(json_object_get(pos, "iv")) - iv) < 1e-12);
	assert_true(fabs(json_real_value(json_object_get(pos, "spot")) - 500) < 1e-12);
	assert_true(fabs(json_real_value(json_object_get(pos, "distance")) - 0.06) < 1e-12);
	assert_true(fabs(json_real_value(json_object_get(pos, "delta_shares")) + 50 * g.delta) < 1e-9);
	assert_true(fabs(json_real_value(json_object_get(pos, "gamma_shares")) + 50 * g.gamma) < 1e-9);
	assert_true(fabs(json_real_value(json_object_get(pos, "vega")) + 0.5 * g.vega) < 1e-9);
	assert_true(fabs(json_real_value(json_object_get(pos, "theta_day")) + 50 * g.theta / 365) < 1e-9);
	/* the ticker: the shares' 3 of delta and the call's, the call's P&L */
	spy = json_object_get(json_object_get(o, "tickers"), "SPY");
	assert_true(fabs(json_real_value(json_object_get(spy, "delta_shares")) - (3 - 50 * g.delta)) <
		    1e-9);
	assert_true(fabs(json_real_value(json_object_get(spy, "pnl")) + 5.0) < 1e-9); /* 100.00 sold, 105.00 to close */
	assert_true(fabs(json_real_value(json_object_get(json_object_get(o, "total"), "vega")) +
			 0.5 * g.vega) < 1e-9);
	json_decref(o);
	sb_release(&sb);
	book_release(&pf);
}

static void test_error_body(void **state)
{
	struct sbuf sb;

	(void)state;
	sb_init(&sb, 1024);
	web_api_error(&sb, "a \"quoted\"\nline\\");
	assert_string_equal(sb_str(&sb), "{\"error\":\"a \\\"quoted\\\"\\nline\\\\\"}\n");
	sb_release(&sb);
}

static void test_assets_table(void **state)
{
	size_t i;

	(void)state;
	assert_non_null(web_asset_find("index.html"));
	assert_non_null(web_asset_find("vendor/chart.umd.min.js"));
	assert_null(web_asset_find("../index.html"));
	assert_null(web_asset_find(""));
	for (i = 0; i < web_n_assets; i++) {
		const struct web_asset *a = &web_assets[i];
		assert_non_null(a->type);
		assert_true(a->etag[0] == '"' && a->etag[strlen(a->etag) - 1] == '"');
		assert_int_equal(a->data[a->len], 0);
		if (a->gz)
			assert_true(a->gz_len < a->len && a->gz[0] == 0x1f && a->gz[1] == 0x8b);
	}
	assert_string_equal(web_asset_find("index.html")->type, "text/html; charset=utf-8");
}

static void test_page(void **state)
{
	const char *keys[2] = {"summary", "health"};
	const char *bodies[2] = {"{\"x\": \"</script><!--\"}\n", "{\"ok\": true}"};
	struct sbuf sb;
	char err[PT_ERRSZ];
	const char *s, *p;

	(void)state;
	sb_init(&sb, 64u << 20);
	assert_int_equal(web_page_build(keys, bodies, 2, &sb, err), 0);
	s = sb_str(&sb);
	assert_null(strstr(s, "<script src="));
	assert_null(strstr(s, "<link rel=\"stylesheet\""));
	assert_non_null(strstr(s, "<style>"));
	assert_non_null(strstr(s, "window.PT_DATA = {\n\"summary\": {\"x\": \"<\\/script><\\!--\"},\n"
				  "\"health\": {\"ok\": true}\n};"));
	/* Inside each inlined script, no "</" but the closing tag. */
	for (p = strstr(s, "<script>"); p; p = strstr(p, "<script>")) {
		const char *end = strstr(p, "</script>");
		const char *q = strstr(p + 8, "</");
		assert_non_null(end);
		assert_true(q == end);
		p = end;
	}
	/* The data comes before app.js. */
	assert_true(strstr(s, "window.PT_DATA") < strstr(s, "</html>"));
	sb_release(&sb);

	sb_init(&sb, 1000);
	assert_int_equal(web_page_build(keys, bodies, 2, &sb, err), PT_ERANGE);
	sb_release(&sb);
}

/* ---- the server, over a socket ----------------------------------------- */

/* Sends req to 127.0.0.1:port and reads the whole answer into buf. */
static size_t http(unsigned port, const char *req, char *buf, size_t n)
{
	struct sockaddr_in a;
	size_t len = 0;
	ssize_t r;
	int fd = socket(AF_INET, SOCK_STREAM, 0);

	assert_true(fd >= 0);
	memset(&a, 0, sizeof(a));
	a.sin_family = AF_INET;
	a.sin_port = htons((uint16_t)port);
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	assert_int_equal(connect(fd, (struct sockaddr *)&a, sizeof(a)), 0);
	assert_int_equal(write(fd, req, strlen(req)), (ssize_t)strlen(req));
	while (len + 1 < n && (r = read(fd, buf + len, n - 1 - len)) > 0)
		len += (size_t)r;
	buf[len] = '\0';
	close(fd);
	return len;
}

static int64_t fixed_now(void)
{
	return 1735657200; /* 2024-12-31 10:00 New York */
}

static void start(struct web_server **srv, const char *token, const char *db, struct config *cfg)
{
	struct web_opts o;
	char err[PT_ERRSZ];

	memset(&o, 0, sizeof(o));
	o.host = "127.0.0.1";
	o.port = 0;
	o.db_path = db;
	o.token = token;
	o.cfg = cfg;
	o.version = "test";
	o.threads = 2;
	o.now = fixed_now;
	if (web_start(&o, srv, err))
		fail_msg("web_start: %s", err);
	assert_true(web_port(*srv) > 0);
	assert_string_equal(web_host(*srv), "127.0.0.1");
}

#define TOK16 "0123456789abcdef"

/* Every answer, whatever made it, forbids framing, inline script and
 * sniffing, and sends no referrer. */
static void assert_security_headers(const char *resp)
{
	const char *csp = strstr(resp, "\r\nContent-Security-Policy: ");
	const char *end;
	char policy[512];

	assert_non_null(csp);
	csp += 27;
	end = strstr(csp, "\r\n");
	assert_non_null(end);
	assert_true((size_t)(end - csp) < sizeof(policy));
	memcpy(policy, csp, (size_t)(end - csp));
	policy[end - csp] = '\0';
	assert_non_null(strstr(policy, "frame-ancestors 'none'"));
	assert_non_null(strstr(policy, "script-src 'self'"));
	assert_null(strstr(policy, "unsafe-inline"));
	assert_null(strstr(policy, "unsafe-eval"));
	assert_non_null(strstr(resp, "\r\nX-Frame-Options: DENY\r\n"));
	assert_non_null(strstr(resp, "\r\nReferrer-Policy: no-referrer\r\n"));
	assert_non_null(strstr(resp, "\r\nX-Content-Type-Options: nosniff\r\n"));
}

static void test_server(void **state)
{
	static char buf[1 << 20];
	struct web_server *srv = NULL;
	struct config cfg;
	unsigned port;

	(void)state;
	config_defaults(&cfg);
	start(&srv, NULL, "/nonexistent/papertrade.db", &cfg);
	port = web_port(srv);

	http(port, "GET /api/health HTTP/1.0\r\n\r\n", buf, sizeof(buf));
	assert_true(!strncmp(buf, "HTTP/1.0 200", 12) || !strncmp(buf, "HTTP/1.1 200", 12));
	assert_non_null(strstr(buf, "\"now_ny\":\"2024-12-31T10:00\""));
	assert_non_null(strstr(buf, "\"last_session\":null"));
	assert_security_headers(buf);
	http(port, "GET /api/summary HTTP/1.0\r\n\r\n", buf, sizeof(buf));
	assert_non_null(strstr(buf, " 404 "));
	assert_security_headers(buf);
	assert_non_null(strstr(buf, "{\"error\":\"no portfolio yet: run papertrade run\"}"));
	http(port, "POST /api/summary HTTP/1.0\r\nContent-Length: 0\r\n\r\n", buf, sizeof(buf));
	assert_non_null(strstr(buf, " 405 "));
	assert_non_null(strstr(buf, "Allow: GET, HEAD"));
	assert_security_headers(buf);
	http(port, "GET /../x HTTP/1.0\r\n\r\n", buf, sizeof(buf));
	assert_non_null(strstr(buf, " 400 "));
	http(port, "GET /%2e%2e/x HTTP/1.0\r\n\r\n", buf, sizeof(buf));
	assert_non_null(strstr(buf, " 400 "));
	http(port, "GET / HTTP/1.0\r\nAccept-Encoding: gzip\r\n\r\n", buf, sizeof(buf));
	assert_non_null(strstr(buf, " 200 "));
	assert_non_null(strstr(buf, "Content-Encoding: gzip"));
	assert_security_headers(buf);
	http(port, "GET /app.js HTTP/1.0\r\n\r\n", buf, sizeof(buf));
	assert_non_null(strstr(buf, " 200 "));
	assert_security_headers(buf);
	http(port, "GET /style.css HTTP/1.0\r\nIf-None-Match: *\r\n\r\n", buf, sizeof(buf));
	assert_non_null(strstr(buf, " 304 "));
	assert_security_headers(buf);
	http(port, "GET /nope HTTP/1.0\r\n\r\n", buf, sizeof(buf));
	assert_non_null(strstr(buf, " 404 "));
	assert_security_headers(buf);
	http(port, "GET /api/health HTTP/1.0\r\nHost: evil.example\r\n\r\n", buf, sizeof(buf));
	assert_non_null(strstr(buf, " 421 "));
	assert_security_headers(buf);
	web_stop(srv);

	start(&srv, TOK16, "/nonexistent/papertrade.db", &cfg);
	port = web_port(srv);
	http(port, "GET /api/health HTTP/1.0\r\n\r\n", buf, sizeof(buf));
	assert_non_null(strstr(buf, " 401 "));
	assert_security_headers(buf);
	http(port, "GET /api/health HTTP/1.0\r\nAuthorization: Bearer " TOK16 "\r\n\r\n", buf,
	     sizeof(buf));
	assert_non_null(strstr(buf, " 200 "));
	http(port, "GET /api/health?token=" TOK16 " HTTP/1.0\r\n\r\n", buf, sizeof(buf));
	assert_non_null(strstr(buf, " 200 "));
	http(port, "GET /api/health?token=0123456789abcde HTTP/1.0\r\n\r\n", buf, sizeof(buf));
	assert_non_null(strstr(buf, " 401 "));
	web_stop(srv);
	web_stop(NULL);
}

static void test_loopback_rule(void **state)
{
	struct web_server *srv = NULL;
	struct web_opts o;
	struct config cfg;
	char err[PT_ERRSZ];

	(void)state;
	assert_true(web_host_is_loopback("127.0.0.1"));
	assert_true(web_host_is_loopback("127.1.2.3"));
	assert_true(web_host_is_loopback("::1"));
	assert_false(web_host_is_loopback("0.0.0.0"));
	assert_false(web_host_is_loopback("::"));
	config_defaults(&cfg);
	memset(&o, 0, sizeof(o));
	o.host = "0.0.0.0";
	o.db_path = "/nonexistent";
	o.cfg = &cfg;
	assert_int_equal(web_start(&o, &srv, err), PT_EINVAL);
	assert_null(srv);
	assert_non_null(strstr(err, "token"));
	o.token = "";
	assert_int_equal(web_start(&o, &srv, err), PT_EINVAL);
}

static void test_auth_scheme(void **state)
{
	static char buf[1 << 16];
	struct web_server *srv = NULL;
	struct config cfg;
	unsigned port;

	(void)state;
	config_defaults(&cfg);
	start(&srv, TOK16, "/nonexistent/papertrade.db", &cfg);
	port = web_port(srv);
	/* RFC 7235 §2.1: the scheme is case-insensitive. */
	http(port, "GET /api/health HTTP/1.0\r\nAuthorization: bearer " TOK16 "\r\n\r\n", buf,
	     sizeof(buf));
	assert_non_null(strstr(buf, " 200 "));
	http(port, "GET /api/health HTTP/1.0\r\nAuthorization: BEARER " TOK16 "\r\n\r\n", buf,
	     sizeof(buf));
	assert_non_null(strstr(buf, " 200 "));
	http(port, "GET /api/health HTTP/1.0\r\nAuthorization: Basic " TOK16 "\r\n\r\n", buf,
	     sizeof(buf));
	assert_non_null(strstr(buf, " 401 "));
	http(port, "GET /api/health HTTP/1.0\r\nAuthorization: bearer" TOK16 "\r\n\r\n", buf,
	     sizeof(buf));
	assert_non_null(strstr(buf, " 401 "));
	web_stop(srv);
}

/* A token is at least 16 characters: 15 is refused before listening (on
 * loopback too), 16 and 17 start. */
static void test_token_length(void **state)
{
	static const char *const toks[] = {"0123456789abcde", TOK16, TOK16 "g"};
	struct web_server *srv = NULL;
	struct web_opts o;
	struct config cfg;
	char err[PT_ERRSZ];
	size_t i;

	(void)state;
	config_defaults(&cfg);
	memset(&o, 0, sizeof(o));
	o.host = "127.0.0.1";
	o.db_path = "/nonexistent/papertrade.db";
	o.cfg = &cfg;
	o.threads = 2;
	for (i = 0; i < 3; i++) {
		o.token = toks[i];
		err[0] = '\0';
		if (i == 0) {
			assert_int_equal(web_start(&o, &srv, err), PT_EINVAL);
			assert_null(srv);
			assert_non_null(strstr(err, "at least 16 characters"));
			assert_null(strchr(err, '\n'));
		} else {
			assert_int_equal(web_start(&o, &srv, err), 0);
			assert_non_null(srv);
			web_stop(srv);
			srv = NULL;
		}
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_snapshots_columns),
		cmocka_unit_test(test_health),
		cmocka_unit_test(test_health_failure),
		cmocka_unit_test(test_risk),
		cmocka_unit_test(test_error_body),
		cmocka_unit_test(test_assets_table),
		cmocka_unit_test(test_page),
		cmocka_unit_test(test_server),
		cmocka_unit_test(test_loopback_rule),
		cmocka_unit_test(test_auth_scheme),
		cmocka_unit_test(test_token_length),
	};

	/* A zone far from New York: nothing may depend on the machine's. */
	setenv("TZ", "Asia/Tokyo", 1);
	tzset();
	return cmocka_run_group_tests(tests, NULL, NULL);
}
