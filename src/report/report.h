/*
 * report.h - the daily report as text (the brief's example output, section
 * by section, with correct numbers) and as JSON (DESIGN.md §5 contract), and
 * the positions and trades listings. Writes into an sbuf; never prints.
 */
#ifndef PT_REPORT_H
#define PT_REPORT_H

#include <stddef.h>
#include <stdint.h>

struct portfolio;
struct engine_day;
struct config;
struct sbuf;
struct an_series;
struct analytics;

struct report_in {
	const struct portfolio *pf;
	const struct engine_day *day;	/* the run just done, or NULL (report command) */
	const struct config *cfg;
	const char *provider;		/* name of the market data source */
	int color;			/* ANSI colour allowed */
	int compact;			/* JSON without whitespace (the wire, web/);
					 * else indented for people (the CLI) */
	const char *run_json;		/* with day NULL: a stored "run" object
					 * (report_run_json's), shown as "run" */
	const char *title;		/* the summary's title; NULL: DAILY PORTFOLIO REPORT */
	/* A backtest's analytics (report/analytics.h), computed from series
	 * (whose first entry may be the initial capital, the day before the
	 * first session) with the bootstrap seed an_seed; NULL for none. When
	 * set, report_summary_text leaves out the figures the analytics
	 * section gives (Sharpe, Sortino, drawdown, alpha and beta, win rate,
	 * margin calls), so each figure is shown once. */
	const struct an_series *series;
	const struct analytics *an;
	uint64_t an_seed;
};

/* The run's progress sections (positions updated, tickers analysed, trades,
 * snapshot); needs in->day. */
void report_run_text(const struct report_in *in, struct sbuf *out);
/* The summary: value, return, benchmarks, excess return and alpha vs SPY,
 * Sharpe, Sortino, drawdown, win rate, positions. */
void report_summary_text(const struct report_in *in, struct sbuf *out);
/* Interest on cash booked so far (the "interest" ledger rows), in cents;
 * the rest of pf->income_cents is dividends. */
int64_t report_interest_cents(const struct portfolio *pf);
/* Margin calls so far (runs of sessions ending with one outstanding) and
 * positions closed to meet them. */
void report_margin_calls(const struct portfolio *pf, int *calls, int *forced);
/* The daily report as text: report_run_text, then report_summary_text. */
void report_text(const struct report_in *in, struct sbuf *out);
/* The JSON object of DESIGN.md §5 (plus "run" with the day's events when
 * in->day is set, or the stored one in->run_json). Returns 0, or -1 when
 * the JSON library fails or run_json is not a JSON object. */
int report_json(const struct report_in *in, struct sbuf *out);
/* The "run" object of report_json alone, compact, with a newline: what a
 * run stores (its size does not grow with the history; the summary is
 * rendered from the tables when asked). Returns 0 or -1. */
int report_run_json(const struct engine_day *day, struct sbuf *out);

/* One line of the analytics table: a group ("Returns", "Drawdowns", ...),
 * the figure's name and its value as text ("n/a" when it cannot be
 * computed). */
struct report_row {
	const char *group;
	char label[40];
	char value[224];
};
/* The analytics of in->an as rows, for the text and the HTML report:
 * *rows is malloc'd (the caller frees), the count returned. 0 and NULL
 * when in->an is NULL. */
size_t report_analytics_rows(const struct report_in *in, struct report_row **rows);
/* The analytics section of the text report: the rows, the attribution per
 * ticker and per strategy, the monthly returns (years x months and the
 * year's). Nothing when in->an is NULL. */
void report_analytics_text(const struct report_in *in, struct sbuf *out);
/* The analytics as one JSON object (NAN as null; amounts in dollars,
 * returns as fractions, dates as YYYY-MM-DD): every figure, the intervals,
 * both drawdowns, the attribution, the monthly table and the series
 * (dates, values, rates, SPY, drawdown, rolling Sharpe). Returns 0, or -1
 * when in->an is NULL or the JSON library fails. */
int report_analytics_json(const struct report_in *in, struct sbuf *out);

/* Listings for the positions and trades commands. */
void report_positions_text(const struct portfolio *pf, struct sbuf *out);
void report_trades_text(const struct portfolio *pf, struct sbuf *out);
int report_positions_json(const struct portfolio *pf, int compact, struct sbuf *out);
int report_trades_json(const struct portfolio *pf, int compact, struct sbuf *out);
/* The scan: every contract looked at and the first rule it failed. */
void report_scan_text(const struct report_in *in, int verbose, struct sbuf *out);
int report_scan_json(const struct report_in *in, struct sbuf *out);

#endif
