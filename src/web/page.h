/*
 * page.h - the dashboard as one self-contained HTML file (`papertrade
 * dashboard --out FILE`): the embedded index.html with style.css, Chart.js
 * and app.js inlined in place of their three tags, and the API bodies
 * inlined as `window.PT_DATA` before app.js, so the file opens from disk
 * with no server. Pure: text in, text out.
 */
#ifndef PT_WEB_PAGE_H
#define PT_WEB_PAGE_H

#include <stddef.h>

struct sbuf;
struct web_asset;

/* The embedded asset called name ("app.js"), or NULL. */
const struct web_asset *web_asset_find(const char *name);

/*
 * Appends the page to out. keys[i] / bodies[i] (n of them, JSON texts) make
 * the object `window.PT_DATA = {"summary": ..., ...};`. index.html must hold,
 * each on a line of its own, `<link rel="stylesheet" href="style.css">`,
 * `<script src="vendor/chart.umd.min.js"></script>` and
 * `<script src="app.js"></script>`; inside every inlined script and the data
 * `</` is written `<\/` (and `<!--` as `<\!--`), so nothing ends a script
 * early. Returns 0, or PT_EINVAL with err when an asset or a line is
 * missing, PT_ERANGE past out's limit.
 */
int web_page_build(const char *const *keys, const char *const *bodies, size_t n,
		   struct sbuf *out, char *err);

#endif
