/*
 * provider.c - opens the market-data provider named in the configuration and
 * fills market views through it (DESIGN.md §1 "market view for D", §6). The
 * engine and the commands only ever see struct provider and the views.
 *
 * cfg->provider is a comma list tried in order; the first provider this
 * build can serve is used. Today only the embedded "sim" exists here.
 */
#include <stdlib.h>
#include <string.h>

#include "provider.h"
#include "calendar.h"
#include "sim.h"
#include "../config.h"
#include "../util/util.h"

struct provider {
	const struct provider_ops *ops;
	void *state;
	int run_at_min;
};

/* Names a configuration may use, served or not by this build. */
static const char *const known_names[] = {"sim", "yahoo", "cboe", "tape", "csv"};

static int is_known(const char *name)
{
	size_t i;

	for (i = 0; i < PT_ARRAY_SIZE(known_names); i++)
		if (!strcmp(name, known_names[i]))
			return 1;
	return 0;
}

/* Copies the next comma-separated, blank-trimmed item of *p into name. */
static void next_item(const char **p, char *name, size_t size)
{
	const char *s = *p, *e;
	size_t n;

	while (*s == ' ' || *s == '\t')
		s++;
	e = strchr(s, ',');
	if (!e)
		e = s + strlen(s);
	*p = *e ? e + 1 : e;
	while (e > s && (e[-1] == ' ' || e[-1] == '\t'))
		e--;
	n = (size_t)(e - s);
	if (n >= size)
		n = size - 1;
	memcpy(name, s, n);
	name[n] = '\0';
}

struct provider *provider_new(const struct config *cfg, char *err)
{
	const char *p = cfg->provider;
	char name[64], first_err[PT_ERRSZ] = "";
	struct provider *pv;
	int any = 0;

	while (*p) {
		next_item(&p, name, sizeof(name));
		if (!name[0])
			continue;
		any = 1;
		if (!strcmp(name, "sim")) {
			pv = xcalloc(1, sizeof(*pv));
			pv->ops = &sim_provider_ops;
			pv->state = sim_new(cfg->seed, 0);
			pv->run_at_min = cfg->run_at_min;
			return pv;
		}
		if (!is_known(name)) {
			pt_err(err, PT_EINVAL,
			       "unknown provider '%s' (expected sim, yahoo, cboe, tape or csv)",
			       name);
			return NULL;
		}
		if (!first_err[0])
			pt_err(first_err, PT_EINVAL, "provider '%s' is not available in this build",
			       name);
	}
	if (!any)
		pt_err(err, PT_EINVAL, "no provider configured");
	else
		pt_err(err, PT_EINVAL, "%s", first_err);
	return NULL;
}

int provider_load(struct provider *p, int session, const char *const *tickers, size_t n,
                  int hist_from, struct market_view *out, char *err)
{
	int rc = p->ops->load(p->state, session, tickers, n, hist_from, out, err);

	if (rc) {
		mv_release(out);
		return rc;
	}
	out->session = session;
	if (out->asof == 0 && cal_ny_to_epoch(session, p->run_at_min, &out->asof)) {
		mv_release(out);
		return pt_err(err, PT_EINVAL, "cannot convert the run time to New York time");
	}
	return 0;
}

const char *provider_name(const struct provider *p)
{
	return p->ops->name;
}

void provider_free(struct provider *p)
{
	if (!p)
		return;
	if (p->ops->free)
		p->ops->free(p->state);
	free(p);
}
