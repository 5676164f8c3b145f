/*
 * html.c - a report as one self-contained HTML file; see html.h. The page
 * is a small skeleton written here, the dashboard's style.css, Chart.js and
 * web/report/report.{css,js} inlined from the embedded assets, and the data
 * as JSON that report.js draws.
 */
#include <jansson.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "html.h"
#include "../util/date.h"
#include "../util/util.h"
#include "../web/assets.h"

/* The assets this page inlines (web/ and Chart.js, embedded by the Makefile). */
#define ASSET_STYLE "style.css"
#define ASSET_REPORT_CSS "report/report.css"
#define ASSET_CHART "vendor/chart.umd.min.js"
#define ASSET_REPORT_JS "report/report.js"

static const struct web_asset *asset(const char *name)
{
	size_t i;

	for (i = 0; i < web_n_assets; i++)
		if (!strcmp(web_assets[i].name, name))
			return &web_assets[i];
	return NULL;
}

/* Appends p[0..n) with `</` as `<\/` and, when json, `<!` as `\u003c!`,
 * else `<!--` as `<\!--`. 0 or -1 at the limit. */
static int add_escaped(struct sbuf *out, const char *p, size_t n, int json)
{
	size_t i, from = 0;
	int rc = 0;

	for (i = 0; i + 1 < n; i++) {
		int comment = p[i + 1] == '!' && i + 3 < n && p[i + 2] == '-' && p[i + 3] == '-';

		if (p[i] != '<')
			continue;
		if (p[i + 1] == '!' && json) {
			rc |= sb_add(out, p + from, i - from);
			rc |= sb_add(out, "\\u003c", 6);
			from = i + 1;
		} else if (p[i + 1] == '/' || comment) {
			rc |= sb_add(out, p + from, i + 1 - from);
			rc |= sb_add(out, "\\", 1);
			from = i + 1;
		}
	}
	rc |= sb_add(out, p + from, n - from);
	return rc ? -1 : 0;
}

/* Text as HTML: & < > " escaped. */
static int add_text(struct sbuf *out, const char *s)
{
	int rc = 0;

	for (; *s; s++) {
		switch (*s) {
		case '&':
			rc |= sb_add(out, "&amp;", 5);
			break;
		case '<':
			rc |= sb_add(out, "&lt;", 4);
			break;
		case '>':
			rc |= sb_add(out, "&gt;", 4);
			break;
		case '"':
			rc |= sb_add(out, "&quot;", 6);
			break;
		default:
			rc |= sb_add(out, s, 1);
		}
	}
	return rc ? -1 : 0;
}

static int add_asset(struct sbuf *out, const char *open, const char *name, const char *close,
		     char *err)
{
	const struct web_asset *a = asset(name);

	if (!a)
		return pt_err(err, PT_EINVAL, "%s is not embedded in this build", name);
	if (sb_addf(out, "%s\n", open) || add_escaped(out, (const char *)a->data, a->len, 0) ||
	    sb_addf(out, "\n%s\n", close))
		return pt_err(err, PT_ERANGE, "page too large");
	return 0;
}

static json_t *jnum(double v)
{
	return isfinite(v) ? json_real(v) : json_null();
}

static json_t *jstr(const char *s)
{
	return s ? json_string(s) : json_null();
}

static int curves_json(json_t *o, const char *key, const struct html_curve *c, size_t n, char *err)
{
	json_t *a = json_array();
	size_t i, j;

	json_object_set_new(o, key, a);
	if (n && !c)
		return pt_err(err, PT_EINVAL, "%s: no curves", key);
	for (i = 0; i < n; i++) {
		json_t *x, *y, *e;

		if (c[i].n && (!c[i].days || !c[i].values))
			return pt_err(err, PT_EINVAL, "%s: curve %zu has no data", key, i);
		x = json_array();
		y = json_array();
		for (j = 0; j < c[i].n; j++) {
			json_array_append_new(x, json_integer(c[i].days[j]));
			json_array_append_new(y, jnum(c[i].values[j]));
		}
		e = json_pack("{s:o, s:b, s:o, s:o}", "name", jstr(c[i].name ? c[i].name : ""),
			      "benchmark", c[i].benchmark, "x", x, "y", y);
		if (!e)
			return pt_err(err, PT_EINVAL, "%s: curve %zu: not valid UTF-8", key, i);
		json_array_append_new(a, e);
	}
	return 0;
}

static int id_ok(const char *id)
{
	if (!id || !*id)
		return 0;
	for (; *id; id++)
		if (!strchr("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-", *id))
			return 0;
	return 1;
}

static int tables_json(json_t *o, const struct html_report *r, char *err)
{
	json_t *a = json_array();
	size_t t, i, j;

	json_object_set_new(o, "tables", a);
	if (r->n_tables && !r->tables)
		return pt_err(err, PT_EINVAL, "no tables");
	for (t = 0; t < r->n_tables; t++) {
		const struct html_table *tb = &r->tables[t];
		json_t *h, *num, *rows, *e;

		if (!id_ok(tb->id))
			return pt_err(err, PT_EINVAL, "table %zu: a bad id", t);
		if ((tb->n_cols && !tb->header) || (tb->n_rows && tb->n_cols && !tb->cells))
			return pt_err(err, PT_EINVAL, "table %s: no cells", tb->id);
		h = json_array();
		num = json_array();
		rows = json_array();
		for (j = 0; j < tb->n_cols; j++) {
			json_array_append_new(h, jstr(tb->header[j] ? tb->header[j] : ""));
			json_array_append_new(num, json_boolean(tb->numeric && tb->numeric[j]));
		}
		for (i = 0; i < tb->n_rows; i++) {
			json_t *row = json_array();
			for (j = 0; j < tb->n_cols; j++)
				json_array_append_new(row, jstr(tb->cells[i * tb->n_cols + j]));
			json_array_append_new(rows, row);
		}
		e = json_pack("{s:s, s:o, s:o, s:o, s:o, s:o, s:b}", "id", tb->id, "title",
			      jstr(tb->title), "note", jstr(tb->note), "header", h, "numeric", num,
			      "rows", rows, "lead", tb->lead);
		if (!e)
			return pt_err(err, PT_EINVAL, "table %s: not valid UTF-8", tb->id);
		json_array_append_new(a, e);
	}
	return 0;
}

static int monthly_json(json_t *o, const struct html_report *r, char *err)
{
	json_t *a = json_array();
	size_t t;
	int y, k;

	json_object_set_new(o, "monthly", a);
	if (r->n_monthly && !r->monthly)
		return pt_err(err, PT_EINVAL, "no monthly table");
	for (t = 0; t < r->n_monthly; t++) {
		const struct html_monthly *m = &r->monthly[t];
		json_t *years, *months, *yearly;

		if (m->n_years < 0 || (m->n_years && !m->monthly))
			return pt_err(err, PT_EINVAL, "monthly table %zu: no data", t);
		years = json_array();
		months = json_array();
		yearly = json_array();
		for (y = 0; y < m->n_years; y++) {
			json_t *row = json_array();
			for (k = 0; k < 12; k++)
				json_array_append_new(row, jnum(m->monthly[y * 12 + k]));
			json_array_append_new(years, json_integer(m->first_year + y));
			json_array_append_new(months, row);
			json_array_append_new(yearly, m->yearly ? jnum(m->yearly[y]) : json_null());
		}
		json_array_append_new(a,
				      json_pack("{s:o, s:o, s:o, s:o}", "title", jstr(m->title),
						"years", years, "months", months, "year", yearly));
	}
	return 0;
}

/* The data of the page as JSON text (malloc'd), or NULL with err. */
static char *data_json(const struct html_report *r, char *err)
{
	json_t *o = json_object();
	char *s = NULL;

	json_object_set_new(o, "title", jstr(r->title));
	json_object_set_new(o, "subtitle", jstr(r->subtitle));
	json_object_set_new(o, "note", jstr(r->note));
	json_object_set_new(o, "rollingTitle", jstr(r->rolling_title));
	if (!curves_json(o, "equity", r->equity, r->n_equity, err) &&
	    !curves_json(o, "drawdown", r->drawdown, r->n_drawdown, err) &&
	    !curves_json(o, "rolling", r->rolling, r->n_rolling, err) && !monthly_json(o, r, err) &&
	    !tables_json(o, r, err)) {
		s = json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(10));
		if (!s)
			pt_err(err, PT_EINVAL, "the data cannot be written as JSON");
	}
	json_decref(o);
	return s;
}

int html_report_build(const struct html_report *r, struct sbuf *out, char *err)
{
	const char *title = r->title ? r->title : "papertrade report";
	char *data;
	int rc = 0;

	if (!(data = data_json(r, err)))
		return PT_EINVAL;
	rc |= sb_addf(out, "<!doctype html>\n<!-- papertrade report: one file, no network: the "
			   "data is the JSON below, drawn by the inlined report.js with "
			   "Chart.js -->\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
			   "<meta name=\"viewport\" content=\"width=device-width, "
			   "initial-scale=1\">\n<meta name=\"color-scheme\" content=\"light "
			   "dark\">\n<title>");
	rc |= add_text(out, title);
	rc |= sb_addf(out, "</title>\n<link rel=\"icon\" href=\"data:,\">\n");
	if (rc)
		goto range;
	if ((rc = add_asset(out, "<style>", ASSET_STYLE, "</style>", err)) ||
	    (rc = add_asset(out, "<style>", ASSET_REPORT_CSS, "</style>", err)))
		goto out;
	rc |= sb_addf(out, "</head>\n<body class=\"report\">\n<header class=\"top\" "
			   "role=\"banner\">\n\t<div class=\"brand\">\n\t\t<span class=\"logo\" "
			   "aria-hidden=\"true\"></span>\n\t\t<div>\n\t\t\t<h1 "
			   "data-testid=\"title\">");
	rc |= add_text(out, title);
	rc |= sb_addf(out, "</h1>\n\t\t\t<p class=\"sub\" data-testid=\"subtitle\">");
	rc |= add_text(out, r->subtitle ? r->subtitle : "");
	rc |= sb_addf(out, "</p>\n\t\t</div>\n\t</div>\n</header>\n<main id=\"main\">\n"
			   "<noscript><p class=\"error\">This report draws its charts and "
			   "tables with JavaScript.</p></noscript>\n<div id=\"report\" "
			   "class=\"report-body\"></div>\n</main>\n"
			   "<script type=\"application/json\" id=\"pt-report\">");
	rc |= add_escaped(out, data, strlen(data), 1);
	rc |= sb_addf(out, "</script>\n");
	if (rc)
		goto range;
	if ((rc = add_asset(out, "<script>", ASSET_CHART, "</script>", err)) ||
	    (rc = add_asset(out, "<script>", ASSET_REPORT_JS, "</script>", err)))
		goto out;
	if (sb_addf(out, "</body>\n</html>\n"))
		goto range;
	goto out;
range:
	rc = pt_err(err, PT_ERANGE, "page too large");
out:
	free(data);
	return rc;
}
