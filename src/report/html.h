/*
 * html.h - a report as one self-contained HTML file (issue 11: `backtest
 * --html`, and `compare --html` after it): named curves drawn with Chart.js
 * (equity against benchmarks, drawdown, rolling Sharpe), monthly-return
 * heatmaps and tables of text (the analytics, attribution, the trade list).
 * The last box of DESIGN.md §1 for a backtest, beside report.c's text.
 *
 * The page needs no network and no server: the dashboard's style.css,
 * Chart.js (the pinned npm package) and web/report/report.js are inlined
 * from the assets embedded at build time (web/assets.h; tools/embed.c), and
 * the data goes in as JSON inside <script type="application/json"
 * id="pt-report">, which report.js renders. Nothing is copied from
 * elsewhere into the repository. Pure: structs in, text out; no I/O.
 */
#ifndef PT_HTML_H
#define PT_HTML_H

#include <stddef.h>

struct sbuf;

/* One line of a chart: a strategy's or a benchmark's. */
struct html_curve {
	const char *name;     /* the legend's label: "volarb", "SPY" */
	const int *days;      /* n day numbers (util/date.h), increasing */
	const double *values; /* n values; NAN leaves a gap */
	size_t n;
	int benchmark; /* 1: drawn as a reference (thinner, dashed) */
};

/* A table of text. A row whose first cell is set and every other cell NULL
 * is drawn as a heading across the table (a group of rows). */
struct html_table {
	const char *id;		   /* letters, digits and '-': the table's data-testid is
				    * "table-" id */
	const char *title;	   /* the panel's heading */
	const char *note;	   /* a line under the heading, or NULL */
	const char *const *header; /* n_cols names */
	size_t n_cols;
	const char *const *cells; /* n_rows x n_cols, row-major; NULL is empty */
	size_t n_rows;
	const unsigned char *numeric; /* n_cols flags (right-aligned), or NULL */
	int lead;		      /* 1: shown before the charts */
};

/* Monthly returns: a years x months heatmap with the year's own column. */
struct html_monthly {
	const char *title;
	int first_year, n_years;
	const double *monthly; /* n_years x 12, row-major: fractions, NAN none */
	const double *yearly;  /* n_years, or NULL */
};

struct html_report {
	const char *title;    /* <title> and the page's heading */
	const char *subtitle; /* a line under it, or NULL */
	const char *note;     /* a paragraph at the foot (what the figures assume), or NULL */
	/* Charts, each left out when it has no curve: values in dollars, the
	 * drawdown as fractions (<= 0), the rolling Sharpe as is. */
	const struct html_curve *equity;
	size_t n_equity;
	const struct html_curve *drawdown;
	size_t n_drawdown;
	const struct html_curve *rolling;
	size_t n_rolling;
	const char *rolling_title; /* e.g. "Rolling Sharpe (126 sessions)" */
	const struct html_monthly *monthly;
	size_t n_monthly;
	const struct html_table *tables; /* in order; `lead` ones before the charts */
	size_t n_tables;
};

/*
 * Appends the page of r to out. Inside every inlined script and style `</`
 * is written `<\/` and `<!--` as `<\!--`; in the data `</` is written
 * `<\/` and `<!` as `\u003c!` (both still the same JSON), so nothing ends
 * a script early. Returns 0, or
 * PT_EINVAL with err (PT_ERRSZ) when an embedded asset is missing from the
 * build or r is malformed (a NULL array with a count, a bad table id),
 * PT_ERANGE past out's limit.
 */
int html_report_build(const struct html_report *r, struct sbuf *out, char *err);

#endif
