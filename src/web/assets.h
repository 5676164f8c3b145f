/*
 * assets.h - the page's files embedded in the binary (DESIGN.md §2 web/):
 * web/ (index.html, app.js, style.css, ...) and Chart.js as
 * vendor/chart.umd.min.js. The table itself is generated at build time by
 * tools/embed.c into $(BUILD)/gen/assets.c; this header is its whole face.
 */
#ifndef PT_WEB_ASSETS_H
#define PT_WEB_ASSETS_H

#include <stddef.h>

struct web_asset {
	const char *name;		/* path below the site root, no leading '/': "app.js" */
	const char *type;		/* Content-Type */
	const unsigned char *data;	/* the file's bytes (followed by a NUL, not counted) */
	size_t len;
	const unsigned char *gz;	/* gzip copy, or NULL when it would not help */
	size_t gz_len;
	const char *etag;		/* strong ETag, quotes included: "\"0123abcd...\"" */
};

extern const struct web_asset web_assets[];
extern const size_t web_n_assets;

#endif
