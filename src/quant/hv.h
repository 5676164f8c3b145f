/*
 * hv.h - historical volatility of daily bars by six estimators: close-to-
 * close (the brief's, bs.c's hv_close_to_close), Parkinson, Garman-Klass,
 * Rogers-Satchell, Yang-Zhang and RiskMetrics' EWMA. Pure math (DESIGN.md
 * §1 step 3: the strategy's scan takes the ticker's HV from the view's
 * bars through here); no I/O, no global state. docs/volatility.md has the
 * formulas with their sources, what each assumes and what each needs of a
 * provider.
 *
 * Notation, for bar i (oldest first): O, H, L, C its open, high, low and
 * close; C' the close of the bar before. Logs are natural. n = window. Every
 * estimator gives a daily variance s2 and returns sqrt(252 * s2).
 *
 *   close      r_i = ln(C/C'), the last n of them (n + 1 closes):
 *              s2 = sum (r_i - mean r)^2 / (n - 1).
 *   parkinson  (Parkinson 1980) the last n bars:
 *              s2 = sum ln(H/L)^2 / (4 n ln 2).
 *   garman_klass  (Garman and Klass 1980, the practical form of their best
 *              estimator) the last n bars:
 *              s2 = (1/n) sum [ ln(H/L)^2 / 2 - (2 ln 2 - 1) ln(C/O)^2 ].
 *   rogers_satchell  (Rogers and Satchell 1991) the last n bars:
 *              s2 = (1/n) sum [ ln(H/C) ln(H/O) + ln(L/C) ln(L/O) ].
 *   yang_zhang (Yang and Zhang 2000) the last n bars and the close before
 *              them (n + 1 bars): overnight o_i = ln(O/C'), open-to-close
 *              c_i = ln(C/O), each's sample variance (mean removed, n - 1)
 *              Vo and Vc, Vrs the Rogers-Satchell s2 of the same n bars:
 *              s2 = Vo + k Vc + (1 - k) Vrs, k = 0.34 / (1.34 + (n+1)/(n-1)).
 *   ewma       (RiskMetrics 1996) r_i as for close, the last n of them,
 *              r_0 the newest: s2 = sum lambda^i r_i^2 / sum lambda^i
 *              (i = 0 .. n-1). No mean is removed (RiskMetrics takes the
 *              daily mean as zero); at lambda = 1 it is the uncentred
 *              close-to-close variance sum r_i^2 / n.
 *
 * What they assume. All: prices follow a continuous diffusion with a
 * volatility constant over the window, 252 sessions a year. Parkinson,
 * Garman-Klass: no drift, continuous trading between the open and the
 * close, and no overnight move (open == previous close); they see only the
 * trading day, so an overnight gap's variance is left out and they
 * underestimate the volatility of a close-to-close position by it; a
 * high and low sampled from discrete trades make the range, and so the
 * estimate, a little small. Rogers-Satchell: unbiased under any constant
 * drift, otherwise as Garman-Klass (overnight gaps left out). Yang-Zhang:
 * drift-independent and includes the overnight gap (Vo); the
 * minimum-variance combination of Vo, Vc and Vrs. Close-to-close and EWMA
 * see every move between closes, gaps included, and nothing within the
 * day; EWMA assumes a zero daily mean.
 *
 * Bars are validated where an estimator reads them: close and ewma read
 * only the closes; the range estimators read the whole bar, which must
 * have four finite positive prices with low <= open, close <= high (a bar
 * whose range does not hold its open and close is not trusted), and
 * yang_zhang the close before the window's first bar as well.
 */
#ifndef PT_HV_H
#define PT_HV_H

#include <stddef.h>

/* The estimators; config.h's hv_estimator is one of these. */
enum hv_estimator {
	HV_CLOSE,
	HV_PARKINSON,
	HV_GARMAN_KLASS,
	HV_ROGERS_SATCHELL,
	HV_YANG_ZHANG,
	HV_EWMA,
	HV_ESTIMATORS
};

/* Their names in the config and the reports ("close", "parkinson",
 * "garman_klass", "rogers_satchell", "yang_zhang", "ewma"), NULL-terminated. */
extern const char *const hv_estimator_names[HV_ESTIMATORS + 1];

/* One daily bar: a day number (for the reasons only) and dollar prices.
 * A price that is not known is NAN (or anything not positive). */
struct hv_bar {
	int date;
	double open, high, low, close;
};

/* The name of estimator e, "?" when e is not one. */
const char *hv_estimator_name(int e);

/* How many bars estimator e needs for a window of n sessions: n + 1 for
 * close, yang_zhang and ewma (a return needs the close before), n for
 * parkinson, garman_klass and rogers_satchell; 0 when e is not one. */
size_t hv_bars_needed(int e, size_t window);

/*
 * The annualised volatility of bars[0..n-1] (oldest first) over their last
 * `window` sessions by estimator e (lambda: ewma's decay, in (0, 1]; the
 * others ignore it). Returns NAN, with why (PT_ERRSZ bytes, or NULL) saying
 * why, when:
 *   - e is not an estimator, or lambda is outside (0, 1] for ewma;
 *   - window is below 2 for close and yang_zhang (a sample variance), below
 *     1 for the others;
 *   - fewer than hv_bars_needed(e, window) bars ("too few bars: 25 of the
 *     31 needed");
 *   - a bar read is bad: a price not finite or not positive, high below
 *     low, open or close outside [low, high] (the reason names the bar's
 *     date and the field: "bar of 2024-03-04: no high").
 * HV_CLOSE is bs.c's hv_close_to_close on the same closes, bit for bit.
 */
double hv_estimate(const struct hv_bar *bars, size_t n, size_t window, int e, double lambda,
		   char *why);

#endif
