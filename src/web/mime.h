/*
 * mime.h - the content type of a page asset from its file name, shared by
 * the build-time generator (tools/embed.c, which bakes it into the embedded
 * assets) and the server's --assets-dir mode (web/server.c), so both agree.
 */
#ifndef PT_WEB_MIME_H
#define PT_WEB_MIME_H

#include <string.h>

static inline const char *web_mime(const char *name)
{
	static const char *const map[][2] = {
		{".html", "text/html; charset=utf-8"},
		{".js", "text/javascript; charset=utf-8"},
		{".mjs", "text/javascript; charset=utf-8"},
		{".css", "text/css; charset=utf-8"},
		{".json", "application/json; charset=utf-8"},
		{".map", "application/json; charset=utf-8"},
		{".txt", "text/plain; charset=utf-8"},
		{".svg", "image/svg+xml"},
		{".png", "image/png"},
		{".ico", "image/x-icon"},
		{".webp", "image/webp"},
		{".woff2", "font/woff2"},
	};
	size_t n = strlen(name), i;

	for (i = 0; i < sizeof(map) / sizeof(map[0]); i++) {
		size_t k = strlen(map[i][0]);
		if (n > k && !strcmp(name + n - k, map[i][0]))
			return map[i][1];
	}
	return "application/octet-stream";
}

#endif
