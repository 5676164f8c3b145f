/*
 * page.c - the self-contained dashboard file; see page.h. The page engineer's
 * index.html keeps its three asset tags on lines of their own: those exact
 * lines are replaced by the inlined files, everything else is copied as is.
 */
#include <string.h>

#include "page.h"
#include "assets.h"
#include "../util/util.h"

const struct web_asset *web_asset_find(const char *name)
{
	size_t i;

	for (i = 0; i < web_n_assets; i++)
		if (!strcmp(web_assets[i].name, name))
			return &web_assets[i];
	return NULL;
}

/* Appends text with `</` as `<\/` and `<!--` as `<\!--`; 0 or -1 at the limit. */
static int add_escaped(struct sbuf *out, const char *p, size_t n)
{
	size_t i, from = 0;
	int rc = 0;

	for (i = 0; i + 1 < n; i++) {
		if (p[i] != '<' || (p[i + 1] != '/' && p[i + 1] != '!'))
			continue;
		if (p[i + 1] == '!' && (i + 3 >= n || p[i + 2] != '-' || p[i + 3] != '-'))
			continue;
		rc |= sb_add(out, p + from, i + 1 - from);
		rc |= sb_add(out, "\\", 1);
		from = i + 1;
	}
	rc |= sb_add(out, p + from, n - from);
	return rc ? -1 : 0;
}

static int add_asset(struct sbuf *out, const char *open, const char *name, const char *close,
		     char *err)
{
	const struct web_asset *a = web_asset_find(name);

	if (!a)
		return pt_err(err, PT_EINVAL, "%s is not embedded in this build", name);
	if (sb_addf(out, "%s\n", open) || add_escaped(out, (const char *)a->data, a->len) ||
	    sb_addf(out, "\n%s\n", close))
		return pt_err(err, PT_ERANGE, "page too large");
	return 0;
}

static int add_data(const char *const *keys, const char *const *bodies, size_t n,
		    struct sbuf *out, char *err)
{
	size_t i;
	int rc = sb_addf(out, "<script>window.PT_DATA = {");

	for (i = 0; i < n; i++) {
		size_t len = strlen(bodies[i]);
		while (len && (bodies[i][len - 1] == '\n' || bodies[i][len - 1] == ' '))
			len--;
		rc |= sb_addf(out, "%s\n\"%s\": ", i ? "," : "", keys[i]);
		rc |= add_escaped(out, bodies[i], len);
	}
	rc |= sb_addf(out, "\n};</script>\n");
	return rc ? pt_err(err, PT_ERANGE, "page too large") : 0;
}

/* The line [p, p+n) without surrounding blanks equals s. */
static int line_is(const char *p, size_t n, const char *s)
{
	size_t k = strlen(s);

	while (n && (*p == ' ' || *p == '\t')) {
		p++;
		n--;
	}
	while (n && (p[n - 1] == ' ' || p[n - 1] == '\t' || p[n - 1] == '\r'))
		n--;
	return n == k && !memcmp(p, s, k);
}

int web_page_build(const char *const *keys, const char *const *bodies, size_t n,
		   struct sbuf *out, char *err)
{
	static const char css_tag[] = "<link rel=\"stylesheet\" href=\"style.css\">";
	static const char chart_tag[] = "<script src=\"vendor/chart.umd.min.js\"></script>";
	static const char app_tag[] = "<script src=\"app.js\"></script>";
	const struct web_asset *index = web_asset_find("index.html");
	const char *p, *end, *nl;
	int seen = 0, code;

	if (!index)
		return pt_err(err, PT_EINVAL, "index.html is not embedded in this build");
	p = (const char *)index->data;
	end = p + index->len;
	for (; p < end; p = nl + 1) {
		size_t len;
		nl = memchr(p, '\n', (size_t)(end - p));
		if (!nl)
			nl = end;
		len = (size_t)(nl - p);
		if (line_is(p, len, css_tag)) {
			code = add_asset(out, "<style>", "style.css", "</style>", err);
			seen |= 1;
		} else if (line_is(p, len, chart_tag)) {
			code = add_asset(out, "<script>", "vendor/chart.umd.min.js", "</script>", err);
			seen |= 2;
		} else if (line_is(p, len, app_tag)) {
			code = add_data(keys, bodies, n, out, err);
			if (!code)
				code = add_asset(out, "<script>", "app.js", "</script>", err);
			seen |= 4;
		} else {
			code = sb_add(out, p, len) || (nl < end && sb_add(out, "\n", 1))
				       ? pt_err(err, PT_ERANGE, "page too large")
				       : 0;
		}
		if (code)
			return code;
	}
	if (seen != 7)
		return pt_err(err, PT_EINVAL, "index.html lacks the line %s",
			      !(seen & 1) ? css_tag : !(seen & 2) ? chart_tag : app_tag);
	return 0;
}
