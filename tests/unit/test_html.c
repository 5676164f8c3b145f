/*
 * test_html.c - unit tests of report/html.c (the page of `backtest --html`):
 * the page is whole and self-contained (the dashboard's style.css, Chart.js
 * and report.js inlined, no external script or style), its data is the JSON
 * of the curves, heatmaps and tables given (NAN as null, every cell as
 * given), text that could end a script or open a comment cannot, titles are
 * escaped as HTML, and malformed input or a full buffer fails with a message.
 */
#include <stdarg.h>
#include <stddef.h>
#include <math.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <jansson.h>

#include <stdlib.h>
#include <string.h>

#include "report/html.h"
#include "util/util.h"

static const int days[] = {19723, 19724, 19725, 19728};
static const double eq_a[] = {1000.0, 1001.5, NAN, 1003.25};
static const double eq_b[] = {1000.0, 990.0, 995.0, 1010.0};
static const double monthly[] = {0.01, NAN, -0.02, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0};
static const double yearly[] = {-0.0102};
static const char *const head[] = {"Figure", "Value"};
/* a group row, then rows whose text tries to end the script and open a comment */
static const char *const cells[] = {
	"Returns",    NULL,    "Sharpe",    "0.75", "</script><script>alert(1)</script>",
	"<!-- x -->", "A & B", "\"quoted\""};
static const unsigned char numeric[] = {0, 1};

static void fill(struct html_report *r, struct html_curve *c, struct html_table *t,
		 struct html_monthly *m)
{
	memset(r, 0, sizeof(*r));
	c[0] = (struct html_curve){"Strategy", days, eq_a, 4, 0};
	c[1] = (struct html_curve){"SPY", days, eq_b, 4, 1};
	*t = (struct html_table){.id = "analytics",
				 .title = "Analytics",
				 .note = NULL,
				 .header = head,
				 .n_cols = 2,
				 .cells = cells,
				 .n_rows = 4,
				 .numeric = numeric,
				 .lead = 1};
	*m = (struct html_monthly){"Monthly returns", 2024, 1, monthly, yearly};
	r->title = "Backtest <2024> & more";
	r->subtitle = "a \"sub\" title";
	r->equity = c;
	r->n_equity = 2;
	r->drawdown = c;
	r->n_drawdown = 1;
	r->rolling = c + 1;
	r->n_rolling = 1;
	r->rolling_title = "Rolling Sharpe (126 sessions)";
	r->monthly = m;
	r->n_monthly = 1;
	r->tables = t;
	r->n_tables = 1;
}

/* The text of the page's <script type="application/json" id="pt-report">. */
static json_t *page_data(const char *page)
{
	const char *open = "<script type=\"application/json\" id=\"pt-report\">";
	const char *p = strstr(page, open), *end;
	char *s;
	json_t *j;

	assert_non_null(p);
	p += strlen(open);
	end = strstr(p, "</script>");
	assert_non_null(end);
	s = xmalloc((size_t)(end - p) + 1);
	memcpy(s, p, (size_t)(end - p));
	s[end - p] = '\0';
	assert_null(strstr(s, "</"));
	assert_null(strstr(s, "<!"));
	j = json_loads(s, 0, NULL);
	free(s);
	assert_non_null(j);
	return j;
}

static void test_page(void **state)
{
	struct html_report r;
	struct html_curve c[2];
	struct html_table t;
	struct html_monthly m;
	struct sbuf sb;
	char err[PT_ERRSZ];
	const char *page;
	json_t *d, *x;

	(void)state;
	fill(&r, c, &t, &m);
	sb_init(&sb, 64u << 20);
	assert_int_equal(html_report_build(&r, &sb, err), 0);
	page = sb_str(&sb);
	assert_true(!strncmp(page, "<!doctype html>", 15));
	assert_non_null(strstr(page, "</html>\n"));
	/* titles escaped as HTML */
	assert_non_null(strstr(page, "<title>Backtest &lt;2024&gt; &amp; more</title>"));
	assert_non_null(strstr(page, "a &quot;sub&quot; title"));
	/* self-contained: Chart.js, the dashboard's style and report.js inlined */
	assert_non_null(strstr(page, "Chart.js v4"));
	assert_non_null(strstr(page, "--c-strategy"));
	assert_non_null(strstr(page, "ptReportCharts"));
	assert_null(strstr(page, "<script src"));
	assert_null(strstr(page, "<link rel=\"stylesheet\""));
	/* nothing the text tried could end the script */
	assert_null(strstr(page, "</script><script>alert(1)"));

	d = page_data(page);
	assert_string_equal(json_string_value(json_object_get(d, "title")), r.title);
	x = json_array_get(json_object_get(d, "equity"), 0);
	assert_string_equal(json_string_value(json_object_get(x, "name")), "Strategy");
	assert_false(json_is_true(json_object_get(x, "benchmark")));
	assert_int_equal(json_integer_value(json_array_get(json_object_get(x, "x"), 3)), 19728);
	assert_true(json_is_null(json_array_get(json_object_get(x, "y"), 2))); /* NAN */
	assert_true(json_real_value(json_array_get(json_object_get(x, "y"), 3)) == 1003.25);
	x = json_array_get(json_object_get(d, "equity"), 1);
	assert_true(json_is_true(json_object_get(x, "benchmark")));
	assert_int_equal(json_array_size(json_object_get(d, "drawdown")), 1);
	assert_string_equal(json_string_value(json_object_get(
				    json_array_get(json_object_get(d, "rolling"), 0), "name")),
			    "SPY");
	x = json_array_get(json_object_get(d, "monthly"), 0);
	assert_int_equal(json_integer_value(json_array_get(json_object_get(x, "years"), 0)), 2024);
	assert_true(
		json_is_null(json_array_get(json_array_get(json_object_get(x, "months"), 0), 1)));
	assert_true(json_real_value(json_array_get(json_array_get(json_object_get(x, "months"), 0),
						   2)) == -0.02);
	assert_true(json_real_value(json_array_get(json_object_get(x, "year"), 0)) == -0.0102);
	x = json_array_get(json_object_get(d, "tables"), 0);
	assert_string_equal(json_string_value(json_object_get(x, "id")), "analytics");
	assert_true(json_is_true(json_object_get(x, "lead")));
	assert_true(json_is_true(json_array_get(json_object_get(x, "numeric"), 1)));
	assert_int_equal(json_array_size(json_object_get(x, "rows")), 4);
	/* the group row's empty cell is null; every cell as given */
	assert_true(json_is_null(json_array_get(json_array_get(json_object_get(x, "rows"), 0), 1)));
	assert_string_equal(
		json_string_value(json_array_get(json_array_get(json_object_get(x, "rows"), 2), 0)),
		"</script><script>alert(1)</script>");
	assert_string_equal(
		json_string_value(json_array_get(json_array_get(json_object_get(x, "rows"), 2), 1)),
		"<!-- x -->");
	json_decref(d);
	sb_release(&sb);
}

static void test_empty(void **state)
{
	struct html_report r;
	struct sbuf sb;
	char err[PT_ERRSZ];
	json_t *d;

	(void)state;
	/* nothing but a title: a page with no chart and no table */
	memset(&r, 0, sizeof(r));
	r.title = "empty";
	sb_init(&sb, 64u << 20);
	assert_int_equal(html_report_build(&r, &sb, err), 0);
	d = page_data(sb_str(&sb));
	assert_int_equal(json_array_size(json_object_get(d, "equity")), 0);
	assert_int_equal(json_array_size(json_object_get(d, "tables")), 0);
	assert_true(json_is_null(json_object_get(d, "subtitle")));
	json_decref(d);
	sb_release(&sb);
}

static void test_errors(void **state)
{
	struct html_report r;
	struct html_curve c[2];
	struct html_table t;
	struct html_monthly m;
	struct sbuf sb;
	char err[PT_ERRSZ];

	(void)state;
	sb_init(&sb, 64u << 20);
	fill(&r, c, &t, &m);
	t.id = "no spaces";
	assert_int_equal(html_report_build(&r, &sb, err), PT_EINVAL);
	assert_non_null(strstr(err, "bad id"));
	fill(&r, c, &t, &m);
	r.equity = NULL;
	assert_int_equal(html_report_build(&r, &sb, err), PT_EINVAL);
	assert_non_null(strstr(err, "equity"));
	fill(&r, c, &t, &m);
	c[1].values = NULL;
	assert_int_equal(html_report_build(&r, &sb, err), PT_EINVAL);
	fill(&r, c, &t, &m);
	t.cells = NULL;
	assert_int_equal(html_report_build(&r, &sb, err), PT_EINVAL);
	sb_release(&sb);
	/* past the buffer's limit */
	fill(&r, c, &t, &m);
	sb_init(&sb, 4096);
	assert_int_equal(html_report_build(&r, &sb, err), PT_ERANGE);
	assert_string_equal(err, "page too large");
	sb_release(&sb);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_page),
		cmocka_unit_test(test_empty),
		cmocka_unit_test(test_errors),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
