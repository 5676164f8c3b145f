/*
 * test_http.c - unit tests of market/http (DESIGN.md §6 "Market data"): the
 * live client against tests/fixture_server.py on 127.0.0.1 (a random port,
 * scripted failures), its retries, waits, caps and error messages, cookies,
 * recording every final response on a tape, and replaying from a tape.
 *
 * Waits go through a sleep hook that records them, so no backoff is ever
 * slept; the only real waits are the 0.3 s timeout test and the server's start.
 */
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <arpa/inet.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>
#include <jansson.h>

#include "market/http.h"
#include "util/util.h"

#define MIB (1024L * 1024L)

static const char scenario[] =
	"{\"rules\": [\n"
	" {\"path\": \"/t/ra\", \"responses\": [{\"status\": 429, \"headers\": {\"Retry-After\": "
	"\"2\"}, \"body\": \"slow down\"}, {\"body\": \"ok\"}]},\n"
	" {\"path\": \"/t/ra-date\", \"responses\": [{\"status\": 503, \"headers\": "
	"{\"Retry-After\": \"Wed, 21 Oct 2015 07:28:00 GMT\"}, \"body\": \"x\"}, {\"body\": \"ok\"}]},\n"
	" {\"path\": \"/t/ra-long\", \"responses\": [{\"status\": 429, \"headers\": {\"Retry-After\": "
	"\"100\"}, \"body\": \"later\"}]},\n"
	" {\"path\": \"/t/5xx\", \"responses\": [{\"status\": 500, \"body\": \"e1\"}, {\"status\": "
	"502, \"body\": \"e2\"}, {\"body\": \"done\"}]},\n"
	" {\"path\": \"/t/503\", \"responses\": [{\"status\": 503, \"body\": \"busy\"}]},\n"
	" {\"path\": \"/t/cut\", \"responses\": [{\"fixture\": "
	"\"yahoo/yahoo-AAPL-options-2025-10-29.json\", \"truncate\": 100}]},\n"
	" {\"path\": \"/t/big\", \"responses\": [{\"repeat\": 2097152}]},\n"
	" {\"path\": \"/t/bigz\", \"responses\": [{\"repeat\": 2097152, \"gzip\": true}]},\n"
	" {\"path\": \"/t/slow\", \"responses\": [{\"delay\": 2.0, \"body\": \"late\"}]},\n"
	" {\"path\": \"/t/gz\", \"responses\": [{\"fixture\": "
	"\"yahoo/yahoo-AAPL-chart-1d-6mo-divs-2025-10-29.json\", \"gzip\": true}]},\n"
	" {\"path\": \"/t/rec\", \"responses\": [{\"status\": 500, \"body\": \"oops\"}, "
	"{\"body\": \"second\", \"content_type\": \"text/plain\"}]},\n"
	" {\"path\": \"/t/q\", \"query\": {\"date\": \"7\"}, \"responses\": [{\"body\": \"seven\"}]}\n"
	"]}\n";

/* The fixture server of the whole group. */
static struct {
	pid_t pid;
	int in_fd;
	int port;
	char dir[64];
	char log[128];
	char scenario[128];
	char jar[128];
	char fixtures[512];
} srv = {.pid = -1, .in_fd = -1};

struct waits {
	long ms[32];
	int n;
};

static void record_sleep(long ms, void *ctx)
{
	struct waits *w = ctx;

	if (w->n < (int)PT_ARRAY_SIZE(w->ms))
		w->ms[w->n++] = ms;
}

static int write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	if (!f)
		return -1;
	fputs(text, f);
	return fclose(f);
}

/* The bytes of a file (NUL-terminated), or NULL. */
static char *slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	struct sbuf sb;
	char buf[8192];
	size_t n;
	char *out;

	*len = 0;
	if (!f)
		return NULL;
	sb_init(&sb, 64 * MIB);
	while ((n = fread(buf, 1, sizeof(buf), f)) > 0)
		sb_add(&sb, buf, n);
	fclose(f);
	*len = sb.len;
	out = xmalloc(sb.len + 1);
	memcpy(out, sb_str(&sb), sb.len + 1);
	sb_release(&sb);
	return out;
}

static char *fixture(const char *name, size_t *len)
{
	char p[1024];

	snprintf(p, sizeof(p), "%s/%s", srv.fixtures, name);
	return slurp(p, len);
}

/* How many requests the server logged for exactly this path and query. */
static int log_count(const char *target)
{
	size_t len = 0, tl = strlen(target);
	char *text = slurp(srv.log, &len);
	int n = 0;

	for (char *line = text; line && *line;) {
		char *nl = strchr(line, '\n');

		if (strncmp(line, "GET ", 4) == 0 && strncmp(line + 4, target, tl) == 0 &&
		    line[4 + tl] == ' ')
			n++;
		line = nl ? nl + 1 : line + strlen(line);
	}
	free(text);
	return n;
}

static void url(char *buf, size_t n, const char *path)
{
	snprintf(buf, n, "http://127.0.0.1:%d%s", srv.port, path);
}

/* Options for tests: no politeness wait, short backoff, fixed seed. */
static void test_opts(struct http_opts *o)
{
	http_opts_default(o);
	o->min_interval_ms = 0;
	o->backoff_ms = 100;
	o->retries = 2;
	o->timeout_ms = 5000;
	o->connect_timeout_ms = 2000;
	o->jitter_seed = 42;
}

static struct http *client(const struct http_opts *o, struct waits *w, struct tape *tape)
{
	struct http *h = http_new(o, tape);

	assert_non_null(h);
	memset(w, 0, sizeof(*w));
	http_set_sleep(h, record_sleep, w);
	return h;
}

static int get(struct http *h, const char *path, struct http_response *r, char *err)
{
	char u[256];

	url(u, sizeof(u), path);
	err[0] = '\0';
	return http_get(h, u, r, err);
}

/* ---- group setup: start the fixture server ---- */

static int start_server(void **state)
{
	int in[2], out[2];
	const char *fx = getenv("PT_FIXTURES");
	char line[64];
	FILE *f;

	(void)state;
	pt_strlcpy(srv.fixtures, fx && *fx ? fx : "tests/fixtures", sizeof(srv.fixtures));
	snprintf(srv.dir, sizeof(srv.dir), "/tmp/pt-http-XXXXXX");
	if (!mkdtemp(srv.dir))
		return -1;
	snprintf(srv.log, sizeof(srv.log), "%s/requests.log", srv.dir);
	snprintf(srv.scenario, sizeof(srv.scenario), "%s/scenario.json", srv.dir);
	snprintf(srv.jar, sizeof(srv.jar), "%s/cookies.txt", srv.dir);
	if (write_file(srv.scenario, scenario) != 0)
		return -1;
	if (pipe2(in, O_CLOEXEC) != 0 || pipe2(out, O_CLOEXEC) != 0)
		return -1;
	srv.pid = fork();
	if (srv.pid < 0)
		return -1;
	if (srv.pid == 0) {
		dup2(in[0], 0);
		dup2(out[1], 1);
		execl("/usr/bin/python3", "python3", "tests/fixture_server.py", "--fixtures",
		      srv.fixtures, "--scenario", srv.scenario, "--log", srv.log, "--idle-exit",
		      "60", (char *)NULL);
		_exit(127);
	}
	close(in[0]);
	close(out[1]);
	srv.in_fd = in[1];
	f = fdopen(out[0], "r");
	if (!f)
		return -1;
	if (!fgets(line, sizeof(line), f) || sscanf(line, "PORT %d", &srv.port) != 1 ||
	    srv.port <= 0) {
		fprintf(stderr, "fixture server did not start (is PT_FIXTURES right? %s)\n",
			srv.fixtures);
		fclose(f);
		return -1;
	}
	fclose(f);
	return 0;
}

static int stop_server(void **state)
{
	const char *names[] = {"requests.log", "scenario.json", "cookies.txt", ""};
	char p[256];

	(void)state;
	if (srv.in_fd >= 0)
		close(srv.in_fd);	/* EOF on its stdin: it exits */
	if (srv.pid > 0) {
		kill(srv.pid, SIGTERM);
		waitpid(srv.pid, NULL, 0);
	}
	for (size_t i = 0; i < PT_ARRAY_SIZE(names) && names[i][0]; i++) {
		snprintf(p, sizeof(p), "%s/%s", srv.dir, names[i]);
		unlink(p);
	}
	rmdir(srv.dir);
	return 0;
}

/* ---- live client ---- */

static void test_get_200(void **state)
{
	struct http_opts o;
	struct waits w;
	struct http_response r;
	char err[PT_ERRSZ];
	size_t len = 0;
	char *want = fixture("yahoo/yahoo-AAPL-options-2025-10-29.json", &len);
	struct http *h;

	(void)state;
	assert_non_null(want);
	test_opts(&o);
	h = client(&o, &w, NULL);
	assert_int_equal(get(h, "/v7/finance/options/AAPL", &r, err), 0);
	assert_int_equal(r.status, 200);
	assert_string_equal(r.content_type, "application/json");
	assert_int_equal(r.len, len);
	assert_memory_equal(r.body, want, len);
	assert_int_equal(r.body[r.len], '\0');
	assert_int_equal(w.n, 0);
	http_response_release(&r);
	assert_null(r.body);
	http_response_release(&r);	/* twice is harmless */

	/* %-escaped symbol, and a scripted rule matching on the query. */
	assert_int_equal(get(h, "/v7/finance/options/%5EVXAPL", &r, err), 0);
	assert_int_equal(r.status, 200);
	assert_non_null(strstr(r.body, "\"underlyingSymbol\":\"^VXAPL\""));
	http_response_release(&r);
	assert_int_equal(get(h, "/t/q?x=1&date=7", &r, err), 0);
	assert_string_equal(r.body, "seven");
	http_response_release(&r);
	assert_int_equal(get(h, "/t/q?date=8", &r, err), 0);
	assert_int_equal(r.status, 404);
	http_response_release(&r);
	http_free(h);
	free(want);
}

static void test_headers_and_reuse(void **state)
{
	struct http_opts o;
	struct waits w;
	struct http_response r;
	char err[PT_ERRSZ];
	json_t *j;
	long port[2];
	struct http *h;

	(void)state;
	test_opts(&o);
	h = client(&o, &w, NULL);
	for (int i = 0; i < 2; i++) {
		const char *ua, *lang, *enc;

		assert_int_equal(get(h, "/__fixture/headers", &r, err), 0);
		j = json_loadb(r.body, r.len, 0, NULL);
		assert_non_null(j);
		ua = json_string_value(json_object_get(json_object_get(j, "headers"), "User-Agent"));
		lang = json_string_value(
			json_object_get(json_object_get(j, "headers"), "Accept-Language"));
		enc = json_string_value(
			json_object_get(json_object_get(j, "headers"), "Accept-Encoding"));
		assert_non_null(ua);
		assert_non_null(strstr(ua, "Mozilla/5.0"));
		assert_non_null(strstr(ua, "Chrome/"));
		assert_non_null(lang);
		assert_int_equal(strncmp(lang, "en-US", 5), 0);
		assert_non_null(enc);
		assert_non_null(strstr(enc, "gzip"));
		port[i] = (long)json_integer_value(json_object_get(j, "client_port"));
		json_decref(j);
		http_response_release(&r);
	}
	assert_true(port[0] > 0);
	assert_int_equal(port[0], port[1]);	/* the same connection, reused */
	http_free(h);

	o.user_agent = "pt-test/1.0";
	h = client(&o, &w, NULL);
	assert_int_equal(get(h, "/__fixture/headers", &r, err), 0);
	assert_non_null(strstr(r.body, "\"User-Agent\": \"pt-test/1.0\""));
	http_response_release(&r);
	http_free(h);
}

static void test_gzip(void **state)
{
	struct http_opts o;
	struct waits w;
	struct http_response r;
	char err[PT_ERRSZ];
	size_t len = 0;
	char *want = fixture("yahoo/yahoo-AAPL-chart-1d-6mo-divs-2025-10-29.json", &len);
	struct http *h;

	(void)state;
	assert_non_null(want);
	test_opts(&o);
	h = client(&o, &w, NULL);
	/* Sent with Content-Encoding: gzip: the body must come back decoded. */
	assert_int_equal(get(h, "/t/gz", &r, err), 0);
	assert_int_equal(r.status, 200);
	assert_int_equal(r.len, len);
	assert_memory_equal(r.body, want, len);
	http_response_release(&r);
	free(want);

	/* Cboe's route gzips when the client accepts it, as the CDN does. */
	want = fixture("cboe/cboe-AAPL-quote-2024-06-27.json", &len);
	assert_non_null(want);
	assert_int_equal(get(h, "/api/global/delayed_quotes/quotes/AAPL.json", &r, err), 0);
	assert_int_equal(r.status, 200);
	assert_int_equal(r.len, len);
	assert_memory_equal(r.body, want, len);
	http_response_release(&r);
	free(want);
	http_free(h);
}

static void test_status_not_error(void **state)
{
	struct http_opts o;
	struct waits w;
	struct http_response r;
	char err[PT_ERRSZ];
	struct http *h;

	(void)state;
	test_opts(&o);
	h = client(&o, &w, NULL);
	assert_int_equal(get(h, "/v8/finance/chart/MDLY", &r, err), 0);
	assert_int_equal(r.status, 404);
	assert_non_null(strstr(r.body, "symbol may be delisted"));
	http_response_release(&r);
	assert_int_equal(get(h, "/v8/finance/chart/BEKE", &r, err), 0);
	assert_int_equal(r.status, 400);
	http_response_release(&r);
	assert_int_equal(w.n, 0);	/* 4xx other than 429 is not retried */
	assert_int_equal(log_count("/v8/finance/chart/BEKE"), 1);
	http_free(h);
}

static void test_retry_after(void **state)
{
	struct http_opts o;
	struct waits w;
	struct http_response r;
	char err[PT_ERRSZ];
	struct http *h;

	(void)state;
	test_opts(&o);
	h = client(&o, &w, NULL);
	assert_int_equal(get(h, "/t/ra", &r, err), 0);
	assert_int_equal(r.status, 200);
	assert_string_equal(r.body, "ok");
	assert_int_equal(w.n, 1);
	assert_int_equal(w.ms[0], 2000);
	assert_int_equal(log_count("/t/ra"), 2);
	http_response_release(&r);

	/* The HTTP-date form counts as absent: a normal backoff wait. */
	w.n = 0;
	assert_int_equal(get(h, "/t/ra-date", &r, err), 0);
	assert_string_equal(r.body, "ok");
	assert_int_equal(w.n, 1);
	assert_in_range(w.ms[0], 75, 125);
	http_response_release(&r);

	/* A Retry-After beyond max_wait_ms ends the retries: the 429 comes back. */
	w.n = 0;
	assert_int_equal(get(h, "/t/ra-long", &r, err), 0);
	assert_int_equal(r.status, 429);
	assert_string_equal(r.body, "later");
	assert_int_equal(w.n, 0);
	assert_int_equal(log_count("/t/ra-long"), 1);
	http_response_release(&r);
	http_free(h);
}

static void test_backoff(void **state)
{
	struct http_opts o;
	struct waits w, w2;
	struct http_response r;
	char err[PT_ERRSZ];
	struct http *h;

	(void)state;
	test_opts(&o);
	o.backoff_ms = 1000;
	h = client(&o, &w, NULL);
	assert_int_equal(get(h, "/t/5xx", &r, err), 0);
	assert_int_equal(r.status, 200);
	assert_string_equal(r.body, "done");
	assert_int_equal(w.n, 2);
	assert_in_range(w.ms[0], 750, 1250);
	assert_in_range(w.ms[1], 1500, 2500);
	assert_int_equal(log_count("/t/5xx"), 3);
	http_response_release(&r);
	http_free(h);

	/* The jitter is deterministic: the same seed gives the same waits. */
	h = client(&o, &w2, NULL);
	assert_int_equal(get(h, "/__fixture/reset", &r, err), 0);
	http_response_release(&r);
	assert_int_equal(get(h, "/t/5xx", &r, err), 0);
	assert_string_equal(r.body, "done");
	assert_int_equal(w2.n, 2);
	assert_int_equal(w2.ms[0], w.ms[0]);
	assert_int_equal(w2.ms[1], w.ms[1]);
	http_response_release(&r);
	http_free(h);
}

static void test_retries_exhausted(void **state)
{
	struct http_opts o;
	struct waits w;
	struct http_response r;
	char err[PT_ERRSZ];
	struct http *h;

	(void)state;
	test_opts(&o);
	o.retries = 3;
	h = client(&o, &w, NULL);
	assert_int_equal(get(h, "/t/503", &r, err), 0);
	assert_int_equal(r.status, 503);
	assert_string_equal(r.body, "busy");
	assert_int_equal(w.n, 3);
	assert_in_range(w.ms[2], 300, 500);
	assert_int_equal(log_count("/t/503"), 4);
	http_response_release(&r);
	http_free(h);

	/* retries = 0: one attempt, no wait. */
	o.retries = 0;
	h = client(&o, &w, NULL);
	assert_int_equal(get(h, "/t/503", &r, err), 0);
	assert_int_equal(r.status, 503);
	assert_int_equal(w.n, 0);
	assert_int_equal(log_count("/t/503"), 5);
	http_response_release(&r);
	http_free(h);
}

static void test_truncated(void **state)
{
	struct http_opts o;
	struct waits w;
	struct http_response r;
	char err[PT_ERRSZ];
	struct http *h;

	(void)state;
	test_opts(&o);
	o.retries = 1;
	h = client(&o, &w, NULL);
	assert_int_equal(get(h, "/t/cut", &r, err), PT_EIO);
	assert_non_null(strstr(err, "127.0.0.1"));
	assert_non_null(strstr(err, "cut short"));
	assert_null(strchr(err, '\n'));
	assert_null(r.body);
	assert_int_equal(w.n, 1);	/* a transport failure is retried */
	assert_int_equal(log_count("/t/cut"), 2);
	http_response_release(&r);
	http_free(h);
}

static void test_too_big(void **state)
{
	struct http_opts o;
	struct waits w;
	struct http_response r;
	char err[PT_ERRSZ];
	struct http *h;

	(void)state;
	test_opts(&o);
	o.max_body = 1 * MIB;
	h = client(&o, &w, NULL);
	/* Content-Length above the cap. */
	assert_int_equal(get(h, "/t/big", &r, err), PT_EIO);
	assert_non_null(strstr(err, "response larger than 1 MiB"));
	assert_null(r.body);
	/* A small gzip body that decodes past the cap. */
	assert_int_equal(get(h, "/t/bigz", &r, err), PT_EIO);
	assert_non_null(strstr(err, "response larger than 1 MiB"));
	assert_int_equal(w.n, 0);	/* not retried */
	assert_int_equal(log_count("/t/bigz"), 1);
	http_free(h);

	/* Under a larger cap the same body arrives whole. */
	o.max_body = 3 * MIB;
	h = client(&o, &w, NULL);
	assert_int_equal(get(h, "/t/bigz", &r, err), 0);
	assert_int_equal(r.len, 2 * MIB);
	assert_int_equal(strncmp(r.body, "{\"pad\":\"xxx", 11), 0);
	assert_int_equal(r.body[r.len - 1], '}');
	http_response_release(&r);
	http_free(h);
}

static void test_timeout(void **state)
{
	struct http_opts o;
	struct waits w;
	struct http_response r;
	char err[PT_ERRSZ];
	struct http *h;

	(void)state;
	test_opts(&o);
	o.timeout_ms = 300;
	o.retries = 0;
	h = client(&o, &w, NULL);
	assert_int_equal(get(h, "/t/slow", &r, err), PT_EIO);
	assert_string_equal(err, "127.0.0.1: timed out after 0.3 s");
	assert_null(r.body);
	http_free(h);
}

static void test_refused(void **state)
{
	struct http_opts o;
	struct waits w;
	struct http_response r;
	char err[PT_ERRSZ], u[128], want[128];
	struct sockaddr_in a;
	socklen_t alen = sizeof(a);
	int s = socket(AF_INET, SOCK_STREAM, 0);
	struct http *h;

	(void)state;
	/* A port nobody listens on: bind, read the port, close. */
	assert_true(s >= 0);
	memset(&a, 0, sizeof(a));
	a.sin_family = AF_INET;
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	assert_int_equal(bind(s, (struct sockaddr *)&a, sizeof(a)), 0);
	assert_int_equal(getsockname(s, (struct sockaddr *)&a, &alen), 0);
	close(s);
	snprintf(u, sizeof(u), "http://127.0.0.1:%d/x", ntohs(a.sin_port));
	snprintf(want, sizeof(want), "connecting to 127.0.0.1:%d: connection refused",
		 ntohs(a.sin_port));

	test_opts(&o);
	o.retries = 1;
	h = client(&o, &w, NULL);
	assert_int_equal(http_get(h, u, &r, err), PT_EIO);
	assert_string_equal(err, want);
	assert_int_equal(w.n, 1);	/* retried once, after a backoff wait */
	assert_in_range(w.ms[0], 75, 125);
	assert_null(r.body);

	/* Only http and https. */
	assert_int_equal(http_get(h, "file:///etc/passwd", &r, err), PT_EIO);
	assert_null(r.body);
	http_free(h);
}

static void test_cookies(void **state)
{
	struct http_opts o;
	struct waits w;
	struct http_response r;
	char err[PT_ERRSZ];
	struct stat sb;
	size_t len = 0;
	char *jar;
	struct http *h;

	(void)state;
	unlink(srv.jar);
	test_opts(&o);
	o.cookie_file = srv.jar;
	h = client(&o, &w, NULL);
	/* No cookie yet: the crumb is refused. */
	assert_int_equal(get(h, "/v1/test/getcrumb", &r, err), 0);
	assert_int_equal(r.status, 401);
	assert_non_null(strstr(r.body, "Invalid Crumb"));
	http_response_release(&r);
	/* The consent page sets it; the jar is written at once, 0600. */
	assert_int_equal(get(h, "/consent", &r, err), 0);
	assert_int_equal(r.status, 200);
	http_response_release(&r);
	assert_int_equal(stat(srv.jar, &sb), 0);
	assert_int_equal(sb.st_mode & 0777, 0600);
	jar = slurp(srv.jar, &len);
	assert_non_null(jar);
	assert_non_null(strstr(jar, "A3\td=fixture"));
	free(jar);
	assert_int_equal(get(h, "/v1/test/getcrumb", &r, err), 0);
	assert_int_equal(r.status, 200);
	assert_string_equal(r.body, "haT3oykhHqZ");
	assert_string_equal(r.content_type, "text/plain;charset=utf-8");
	http_response_release(&r);
	http_free(h);

	/* A new client reads the jar back. */
	h = client(&o, &w, NULL);
	assert_int_equal(get(h, "/v1/test/getcrumb", &r, err), 0);
	assert_int_equal(r.status, 200);
	http_response_release(&r);
	http_free(h);
	assert_int_equal(stat(srv.jar, &sb), 0);
	assert_int_equal(sb.st_mode & 0777, 0600);

	/* Without a jar the cookies live in memory, per client. */
	o.cookie_file = NULL;
	h = client(&o, &w, NULL);
	assert_int_equal(get(h, "/", &r, err), 0);
	http_response_release(&r);
	assert_int_equal(get(h, "/v1/test/getcrumb", &r, err), 0);
	assert_int_equal(r.status, 200);
	http_response_release(&r);
	http_free(h);
	h = client(&o, &w, NULL);
	assert_int_equal(get(h, "/v1/test/getcrumb", &r, err), 0);
	assert_int_equal(r.status, 401);
	http_response_release(&r);
	http_free(h);
}

static void test_min_interval(void **state)
{
	struct http_opts o;
	struct waits w;
	struct http_response r;
	char err[PT_ERRSZ];
	struct http *h;

	(void)state;
	test_opts(&o);
	o.min_interval_ms = 60000;	/* far above any request's duration */
	h = client(&o, &w, NULL);
	assert_int_equal(get(h, "/consent", &r, err), 0);
	http_response_release(&r);
	assert_int_equal(w.n, 0);	/* the first request does not wait */
	assert_int_equal(get(h, "/consent", &r, err), 0);
	http_response_release(&r);
	assert_int_equal(w.n, 1);
	assert_in_range(w.ms[0], 50000, 60000);
	http_free(h);

	/* A backoff wait counts towards the interval (its start-to-start gap). */
	test_opts(&o);
	o.min_interval_ms = 1500;
	h = client(&o, &w, NULL);
	assert_int_equal(get(h, "/__fixture/reset", &r, err), 0);
	http_response_release(&r);
	w.n = 0;
	assert_int_equal(get(h, "/t/ra", &r, err), 0);
	assert_string_equal(r.body, "ok");
	http_response_release(&r);
	/* politeness before the first /t/ra, then Retry-After 2 s and nothing more */
	assert_int_equal(w.n, 2);
	assert_in_range(w.ms[0], 500, 1500);
	assert_int_equal(w.ms[1], 2000);
	http_free(h);
}

static void test_record_and_replay(void **state)
{
	struct http_opts o;
	struct waits w;
	struct http_response r;
	struct tape tape;
	char err[PT_ERRSZ], u[3][256], other[256];
	size_t len = 0;
	char *aapl = fixture("yahoo/yahoo-AAPL-options-2025-10-29.json", &len);
	time_t t0 = time(NULL), t1;
	struct http *h;

	(void)state;
	assert_non_null(aapl);
	tape_init(&tape);
	test_opts(&o);
	h = client(&o, &w, &tape);
	assert_int_equal(get(h, "/__fixture/reset", &r, err), 0);
	http_response_release(&r);
	tape_release(&tape);	/* start with an empty tape */
	url(u[0], sizeof(u[0]), "/v7/finance/options/AAPL?crumb=abc");
	url(u[1], sizeof(u[1]), "/t/rec");
	url(u[2], sizeof(u[2]), "/v8/finance/chart/MDLY");
	for (int i = 0; i < 3; i++) {
		assert_int_equal(http_get(h, u[i], &r, err), 0);
		http_response_release(&r);
	}
	/* A failure leaves no record. */
	url(other, sizeof(other), "/t/cut");
	assert_int_equal(http_get(h, other, &r, err), PT_EIO);
	http_free(h);
	t1 = time(NULL);

	/* Exactly the final responses, in order: /t/rec's 500 was retried away. */
	assert_int_equal(tape.n, 3);
	assert_string_equal(tape.rec[0].url, u[0]);
	assert_int_equal(tape.rec[0].status, 200);
	assert_string_equal(tape.rec[0].content_type, "application/json");
	assert_int_equal(tape.rec[0].len, len);
	assert_memory_equal(tape.rec[0].body, aapl, len);
	assert_string_equal(tape.rec[1].url, u[1]);
	assert_int_equal(tape.rec[1].status, 200);
	assert_string_equal(tape.rec[1].body, "second");
	assert_string_equal(tape.rec[1].content_type, "text/plain");
	assert_string_equal(tape.rec[2].url, u[2]);
	assert_int_equal(tape.rec[2].status, 404);
	assert_non_null(strstr(tape.rec[2].body, "delisted"));
	for (size_t i = 0; i < tape.n; i++)
		assert_in_range(tape.rec[i].fetched_at, t0, t1);

	/* Replay: the same answers, crumb ignored, each record used once. */
	h = http_new_replay(&tape);
	assert_non_null(h);
	url(other, sizeof(other), "/v7/finance/options/AAPL?crumb=zzz");
	assert_int_equal(http_get(h, other, &r, err), 0);
	assert_int_equal(r.status, 200);
	assert_string_equal(r.content_type, "application/json");
	assert_int_equal(r.len, len);
	assert_memory_equal(r.body, aapl, len);
	http_response_release(&r);
	assert_int_equal(http_get(h, u[2], &r, err), 0);
	assert_int_equal(r.status, 404);
	http_response_release(&r);
	assert_int_equal(http_get(h, u[1], &r, err), 0);
	assert_string_equal(r.body, "second");
	http_response_release(&r);
	assert_int_equal(http_get(h, u[1], &r, err), PT_EIO);	/* used up */
	assert_null(r.body);
	assert_int_equal(strncmp(err, "not in the tape: ", 17), 0);
	assert_string_equal(err + 17, u[1]);
	http_free(h);
	tape_release(&tape);
	assert_int_equal(tape.n, 0);
	free(aapl);
}

static void test_replay_matching(void **state)
{
	struct tape tape;
	struct http_response r;
	char err[PT_ERRSZ];
	struct http *h;

	(void)state;
	tape_init(&tape);
	tape_append(&tape, "http://x/a?s=1&crumb=AAA&t=2", 200, 1, "text/plain", "one", 3);
	tape_append(&tape, "http://x/a?s=1&t=2&crumb=BBB", 503, 2, NULL, "two", 3);
	tape_append(&tape, "http://x/b?crumb=C", 200, 3, "application/json", "{}", 2);
	tape_append(&tape, "http://x/c?crumbs=1", 200, 4, "", "", 0);
	h = http_new_replay(&tape);
	/* No network at all: the host does not exist. */
	assert_int_equal(http_get(h, "http://x/a?s=1&t=2", &r, err), 0);
	assert_string_equal(r.body, "one");
	assert_string_equal(r.content_type, "text/plain");
	http_response_release(&r);
	assert_int_equal(http_get(h, "http://x/a?crumb=Z&s=1&t=2", &r, err), 0);
	assert_int_equal(r.status, 503);	/* a recorded status comes back as it was */
	assert_string_equal(r.body, "two");
	assert_string_equal(r.content_type, "");
	http_response_release(&r);
	assert_int_equal(http_get(h, "http://x/b", &r, err), 0);
	assert_string_equal(r.body, "{}");
	http_response_release(&r);
	/* "crumbs" is another parameter; order of parameters matters. */
	assert_int_equal(http_get(h, "http://x/c", &r, err), PT_EIO);
	assert_string_equal(err, "not in the tape: http://x/c");
	assert_int_equal(http_get(h, "http://x/c?crumbs=1", &r, err), 0);
	assert_int_equal(r.len, 0);
	assert_string_equal(r.body, "");
	http_response_release(&r);
	assert_int_equal(http_get(h, "http://x/a?t=2&s=1", &r, err), PT_EIO);
	http_free(h);

	/* An empty tape answers nothing. */
	tape_release(&tape);
	h = http_new_replay(&tape);
	assert_int_equal(http_get(h, "http://x/b", &r, err), PT_EIO);
	http_free(h);
	http_free(NULL);
}

static void test_escape(void **state)
{
	static const struct {
		const char *in, *out;
	} cases[] = {
		{"^VXAPL", "%5EVXAPL"},
		{"AZaz09-._~", "AZaz09-._~"},
		{"a b&c=d/e?f", "a%20b%26c%3Dd%2Fe%3Ff"},
		{"div|split", "div%7Csplit"},
		{"\xc3\xa9+%", "%C3%A9%2B%25"},
		{"", ""},
	};

	(void)state;
	for (size_t i = 0; i < PT_ARRAY_SIZE(cases); i++) {
		char *e = http_escape(cases[i].in);

		assert_string_equal(e, cases[i].out);
		free(e);
	}
}

static void test_defaults(void **state)
{
	struct http_opts o;
	struct http *h;

	(void)state;
	http_opts_default(&o);
	assert_null(o.user_agent);
	assert_int_equal(o.connect_timeout_ms, 5000);
	assert_int_equal(o.timeout_ms, 20000);
	assert_int_equal(o.max_body, 32 * MIB);
	assert_int_equal(o.retries, 4);
	assert_int_equal(o.backoff_ms, 500);
	assert_int_equal(o.max_wait_ms, 30000);
	assert_int_equal(o.min_interval_ms, 200);
	assert_null(o.cookie_file);
	h = http_new(NULL, NULL);
	assert_non_null(h);
	http_free(h);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_get_200),
		cmocka_unit_test(test_headers_and_reuse),
		cmocka_unit_test(test_gzip),
		cmocka_unit_test(test_status_not_error),
		cmocka_unit_test(test_retry_after),
		cmocka_unit_test(test_backoff),
		cmocka_unit_test(test_retries_exhausted),
		cmocka_unit_test(test_truncated),
		cmocka_unit_test(test_too_big),
		cmocka_unit_test(test_timeout),
		cmocka_unit_test(test_refused),
		cmocka_unit_test(test_cookies),
		cmocka_unit_test(test_min_interval),
		cmocka_unit_test(test_record_and_replay),
		cmocka_unit_test(test_replay_matching),
		cmocka_unit_test(test_escape),
		cmocka_unit_test(test_defaults),
	};

	return cmocka_run_group_tests(tests, start_server, stop_server);
}
