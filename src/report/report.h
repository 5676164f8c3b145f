/*
 * report.h - the daily report as text (the brief's example output, section
 * by section, with correct numbers) and as JSON (DESIGN.md §5 contract), and
 * the positions and trades listings. Writes into an sbuf; never prints.
 */
#ifndef PT_REPORT_H
#define PT_REPORT_H

struct portfolio;
struct engine_day;
struct config;
struct sbuf;

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

/* Listings for the positions and trades commands. */
void report_positions_text(const struct portfolio *pf, struct sbuf *out);
void report_trades_text(const struct portfolio *pf, struct sbuf *out);
int report_positions_json(const struct portfolio *pf, int compact, struct sbuf *out);
int report_trades_json(const struct portfolio *pf, int compact, struct sbuf *out);
/* The scan: every contract looked at and the first rule it failed. */
void report_scan_text(const struct report_in *in, int verbose, struct sbuf *out);
int report_scan_json(const struct report_in *in, struct sbuf *out);

#endif
