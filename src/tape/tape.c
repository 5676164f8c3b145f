/*
 * tape.c - tapes (DESIGN.md §6): the responses a live run used, recorded by
 * market/http.c and stored by store/ (§1 "market view for D", "append
 * events, commit"); and a tape as a file to share ("a tape can be exported
 * and imported"): gzip-compressed JSON, written whole or not at all
 * (util/file.h), read as hostile input with a size cap. See tape.h.
 */
#include <errno.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>
#include <zlib.h>

#include "tape.h"
#include "../util/date.h"
#include "../util/file.h"
#include "../util/util.h"

#define TAPEFILE_MAX ((size_t)256 << 20)

/* ---- records ---- */

void tape_init(struct tape *t)
{
	t->rec = NULL;
	t->n = 0;
	t->cap = 0;
}

void tape_release(struct tape *t)
{
	for (size_t i = 0; i < t->n; i++) {
		free(t->rec[i].url);
		free(t->rec[i].body);
	}
	free(t->rec);
	tape_init(t);
}

void tape_append(struct tape *t, const char *url, long status, int64_t fetched_at,
		 const char *content_type, const void *body, size_t len)
{
	struct tape_record *r;

	xgrow(&t->rec, &t->cap, t->n + 1, sizeof(*t->rec));
	r = &t->rec[t->n++];
	r->url = xstrdup(url ? url : "");
	r->status = status;
	r->fetched_at = fetched_at;
	pt_strlcpy(r->content_type, content_type ? content_type : "", sizeof(r->content_type));
	r->body = xmemdupz(body, len);
	r->len = len;
}

/* ---- files ---- */

/* Appends text, gzip-compressed at level 9, to out; 0 or -1. */
static int gzip(const char *text, size_t len, struct sbuf *out)
{
	unsigned char buf[65536];
	z_stream zs;
	int zrc = Z_OK;

	memset(&zs, 0, sizeof(zs));
	/* windowBits 15 + 16: a gzip header and trailer, as gzopen writes */
	if (deflateInit2(&zs, 9, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) != Z_OK)
		return -1;
	zs.next_in = (Bytef *)(uintptr_t)text;
	while (zrc != Z_STREAM_END) {
		/* avail_in is 32 bits: feed the text a piece at a time */
		size_t piece = len < UINT_MAX ? len : UINT_MAX;

		zs.avail_in = (uInt)piece;
		zs.next_out = buf;
		zs.avail_out = sizeof(buf);
		zrc = deflate(&zs, len == piece ? Z_FINISH : Z_NO_FLUSH);
		len -= piece - zs.avail_in;
		if ((zrc != Z_OK && zrc != Z_STREAM_END) ||
		    sb_add(out, buf, sizeof(buf) - zs.avail_out)) {
			deflateEnd(&zs);
			return -1;
		}
	}
	deflateEnd(&zs);
	return 0;
}

int tape_write_file(const char *path, const struct tape_info *info, const struct tape *t,
		    char *err)
{
	json_t *o = json_object(), *a = json_array();
	char d[DATE_BUFSZ];
	char *text = NULL;
	struct sbuf gz;
	size_t i;
	int code = 0;

	sb_init(&gz, SIZE_MAX);
	json_object_set_new(o, "papertrade_tape", json_integer(1));
	json_object_set_new(o, "session", json_string(date_fmt(info->session, d)));
	json_object_set_new(o, "asof", json_integer(info->asof));
	json_object_set_new(o, "sources", json_string(info->sources));
	for (i = 0; i < t->n; i++) {
		const struct tape_record *r = &t->rec[i];
		json_t *x = json_object(), *body = json_stringn(r->body, r->len);

		if (!body) {
			json_decref(x);
			code = pt_err(err, PT_EINVAL, "response %zu (%s) is not text", i, r->url);
			goto out;
		}
		json_object_set_new(x, "url", json_string(r->url));
		json_object_set_new(x, "status", json_integer(r->status));
		json_object_set_new(x, "fetched_at", json_integer(r->fetched_at));
		json_object_set_new(x, "content_type", json_string(r->content_type));
		json_object_set_new(x, "body", body);
		json_array_append_new(a, x);
	}
	json_object_set(o, "responses", a);
	text = json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER);
	if (!text) {
		code = pt_err(err, PT_EIO, "cannot format the tape");
		goto out;
	}
	if (gzip(text, strlen(text), &gz)) {
		code = pt_err(err, PT_EIO, "cannot compress the tape");
		goto out;
	}
	code = pt_write_atomic(path, gz.buf, gz.len, 0666, err);
out:
	sb_release(&gz);
	free(text);
	json_decref(a);
	json_decref(o);
	return code;
}

static int get_field(json_t *x, const char *key, json_type type, json_t **out)
{
	*out = json_object_get(x, key);
	return *out && json_typeof(*out) == type ? 0 : -1;
}

int tape_read_file(const char *path, struct tape_info *info, struct tape *t, char *err)
{
	struct sbuf sb;
	char buf[65536];
	gzFile gz;
	json_t *o = NULL, *v, *a;
	json_error_t je;
	int n, zrc, code = PT_EINVAL;
	size_t i;

	memset(info, 0, sizeof(*info));
	tape_init(t);
	sb_init(&sb, TAPEFILE_MAX);
	gz = gzopen(path, "rb");
	if (!gz)
		return pt_err(err, PT_EIO, "cannot open %s: %s", path, strerror(errno));
	while ((n = gzread(gz, buf, sizeof(buf))) > 0) {
		if (sb_add(&sb, buf, (size_t)n)) {
			gzclose(gz);
			sb_release(&sb);
			return pt_err(err, PT_EINVAL, "%s: larger than %zu MiB", path,
				      TAPEFILE_MAX >> 20);
		}
	}
	zrc = gzclose(gz);	/* also after a read error: it frees the stream */
	if (n < 0 || zrc != Z_OK) {
		sb_release(&sb);
		return pt_err(err, PT_EINVAL, "%s: not a gzip file, or cut short", path);
	}
	o = json_loadb(sb_str(&sb), sb.len, JSON_REJECT_DUPLICATES, &je);
	sb_release(&sb);
	if (!o) {
		pt_err(err, PT_EINVAL, "%s: not a tape: line %d: %s", path, je.line, je.text);
		goto out;
	}
	if (get_field(o, "papertrade_tape", JSON_INTEGER, &v) || json_integer_value(v) != 1) {
		pt_err(err, PT_EINVAL, "%s: not a papertrade tape (version 1)", path);
		goto out;
	}
	if (get_field(o, "session", JSON_STRING, &v) ||
	    date_parse(json_string_value(v), &info->session)) {
		pt_err(err, PT_EINVAL, "%s: session: not a date", path);
		goto out;
	}
	if (get_field(o, "asof", JSON_INTEGER, &v) || json_integer_value(v) <= 0) {
		pt_err(err, PT_EINVAL, "%s: asof: not a time", path);
		goto out;
	}
	info->asof = json_integer_value(v);
	if (get_field(o, "sources", JSON_STRING, &v) ||
	    pt_strlcpy(info->sources, json_string_value(v), sizeof(info->sources)) ||
	    !info->sources[0]) {
		pt_err(err, PT_EINVAL, "%s: sources: missing or too long", path);
		goto out;
	}
	if (get_field(o, "responses", JSON_ARRAY, &a)) {
		pt_err(err, PT_EINVAL, "%s: responses: not an array", path);
		goto out;
	}
	for (i = 0; i < json_array_size(a); i++) {
		json_t *x = json_array_get(a, i), *url, *st, *at, *ct, *body;

		if (!json_is_object(x) || get_field(x, "url", JSON_STRING, &url) ||
		    get_field(x, "status", JSON_INTEGER, &st) ||
		    get_field(x, "fetched_at", JSON_INTEGER, &at) ||
		    get_field(x, "content_type", JSON_STRING, &ct) ||
		    get_field(x, "body", JSON_STRING, &body) || json_integer_value(st) < 100 ||
		    json_integer_value(st) > 599) {
			pt_err(err, PT_EINVAL, "%s: responses[%zu]: want url, status, fetched_at, "
					       "content_type and body",
			       path, i);
			goto out;
		}
		tape_append(t, json_string_value(url), (long)json_integer_value(st),
			      json_integer_value(at), json_string_value(ct), json_string_value(body),
			      json_string_length(body));
	}
	code = 0;
out:
	json_decref(o);
	if (code)
		tape_release(t);
	return code;
}
