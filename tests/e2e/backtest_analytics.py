#!/usr/bin/python3
"""backtest_analytics.py FILE.json - checks the "analytics" object of
`papertrade backtest --json` against figures recomputed with numpy and scipy
from the backtest's own series and trades, for tests/e2e/backtest.sh.

The recomputation is tests/gen_metrics_ref.py's reference_case (written from
docs/metrics.md, independently of src/report/analytics.c), fed with what the
JSON says the backtest analysed: analytics.series (dates, values, rates,
SPY), the closed trades, and the bootstrap's seed. Also checks that the
series is the equity curve with the initial capital put before it, on the
day before the first session.

Every figure must agree to 1e-9 relative (an absolute floor of 1e-12 for
figures that are zero up to rounding), counts and dates exactly, null where
the reference has NAN. Prints "ok N figures" or one line per difference, and
exits 1 on any difference.
"""
import datetime
import json
import math
import os
import sys

sys.dont_write_bytecode = True  # no __pycache__ in the tree
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
import gen_metrics_ref as ref  # noqa: E402

o = json.load(open(sys.argv[1]))
a = o["analytics"]
ser = a["series"]
bad = []
count = 0


def cents(x):
    return int(round(x * 100))


def check(name, got, want):
    global count
    count += 1
    if want is None or (isinstance(want, float) and math.isnan(want)):
        if got is not None:
            bad.append("%s: %r, want null" % (name, got))
        return
    if got is None:
        bad.append("%s: null, want %r" % (name, want))
        return
    if isinstance(want, (int, str, bool, list, tuple)) and not isinstance(want, float):
        if got != want:
            bad.append("%s: %r, want %r" % (name, got, want))
        return
    if abs(got - want) > max(1e-9 * abs(want), 1e-12):
        bad.append("%s: %.17g, want %.17g" % (name, got, want))


# The series: the initial capital on the day before the first session, then the equity.
eq = o["equity"]
first = datetime.date.fromisoformat(eq["dates"][0])
check("series starts the day before the first session", ser["dates"][0],
      (first - datetime.timedelta(days=1)).isoformat())
check("series: the initial capital first", ser["value"][0], o["summary"]["initial_capital"])
check("series: then the equity's dates", ser["dates"][1:] == eq["dates"], True)
check("series: then the equity's values", ser["value"][1:] == eq["value"], True)
check("equity's drawdown is the series'", eq["drawdown"] == ser["drawdown"][1:], True)

case = {
    "name": "backtest",
    "options": {"window": 0, "confidence": 0, "boot_reps": 0, "boot_block": 0,
                "seed": a["spy"]["alpha_interval"]["seed"]},
    "dates": ser["dates"],
    "value": [cents(v) for v in ser["value"]],
    "rate": ser["rate"],
    "spy": None if ser["spy"] is None else [cents(v) for v in ser["spy"]],
    "trades": [{"ticker": t["ticker"], "strategy": t["strategy"] or "", "opened": t["opened"],
                "closed": t["closed"], "pnl": cents(t["pnl"])} for t in o["trades"]],
}
r = ref.reference_case(case)
s, n = r["scalars"], r["ints"]
t = a["trades"]
x = a["spy"]
for name, got, want in [
        ("total_return", a["total_return"], s["total_return"]),
        ("cagr", a["cagr"], s["cagr"]),
        ("cagr_calendar", a["cagr_calendar"], s["cagr_calendar"]),
        ("volatility", a["volatility"], s["volatility"]),
        ("sharpe", a["sharpe"], s["sharpe"]),
        ("sortino", a["sortino"], s["sortino"]),
        ("tail_ratio", a["tail_ratio"], s["tail_ratio"]),
        ("max_drawdown", a["max_drawdown"]["depth"], s["max_drawdown"]),
        ("calmar", a["calmar"], s["calmar"]),
        ("sharpe_interval.se", a["sharpe_interval"]["se"], s["sharpe_se_iid"]),
        ("sharpe_interval.low", a["sharpe_interval"]["low"], s["sharpe_lo_iid"]),
        ("sharpe_interval.high", a["sharpe_interval"]["high"], s["sharpe_hi_iid"]),
        ("sharpe_interval_hac.se", a["sharpe_interval_hac"]["se"], s["sharpe_se_hac"]),
        ("sharpe_interval_hac.low", a["sharpe_interval_hac"]["low"], s["sharpe_lo_hac"]),
        ("sharpe_interval_hac.high", a["sharpe_interval_hac"]["high"], s["sharpe_hi_hac"]),
        ("sharpe_interval_hac.lags", a["sharpe_interval_hac"]["lags"], n["hac_lags"]),
        ("trades.win_rate", t["win_rate"], s["win_rate"]),
        ("trades.profit_factor", t["profit_factor"], s["profit_factor"]),
        ("trades.average_win", None if t["average_win"] is None else t["average_win"] * 100,
         s["avg_win_cents"]),
        ("trades.average_loss", None if t["average_loss"] is None else t["average_loss"] * 100,
         s["avg_loss_cents"]),
        ("trades.expectancy", None if t["expectancy"] is None else t["expectancy"] * 100,
         s["expectancy_cents"]),
        ("trades.average_holding_days", t["average_holding_days"], s["avg_hold_days"]),
        ("trades.closed", t["closed"], n["n_trades"]),
        ("trades.wins", t["wins"], n["n_wins"]),
        ("trades.losses", t["losses"], n["n_losses"]),
        ("trades.even", t["even"], n["n_zero"]),
        ("trades.net_pnl", cents(t["net_pnl"]), n["net_pnl_cents"]),
        ("trades.gross_profit", cents(t["gross_profit"]), n["gross_profit_cents"]),
        ("trades.gross_loss", cents(t["gross_loss"]), n["gross_loss_cents"]),
        ("spy.return", x["return"], s["bench_return"]),
        ("spy.beta", x["beta"], s["beta"]),
        ("spy.alpha", x["alpha"], s["alpha"]),
        ("spy.alpha_geometric", x["alpha_geometric"], s["alpha_geometric"]),
        ("spy.alpha_interval.low", x["alpha_interval"]["low"], s["alpha_lo"]),
        ("spy.alpha_interval.high", x["alpha_interval"]["high"], s["alpha_hi"]),
        ("spy.alpha_interval.mean_block", x["alpha_interval"]["mean_block"], s["boot_block"]),
        ("spy.alpha_interval.replicates", x["alpha_interval"]["replicates"], n["boot_reps"]),
        ("spy.alpha_interval.used", x["alpha_interval"]["used"], n["boot_used"]),
        ("sessions", a["sessions"], n["n_sessions"]),
        ("returns", a["returns"], n["n_returns"]),
        ("series.window", ser["window"], n["window"])]:
    check(name, got, want)
for key in ("max_dd", "longest_dd"):
    d, j = r[key], a["max_drawdown" if key == "max_dd" else "longest_drawdown"]
    if d["valid"]:
        for f in ("peak", "trough", "end"):
            check("%s.%s" % (key, f), j[f], ser["dates"][d[f]])
        check(key + ".recovered", j["recovered"], bool(d["recovered"]))
        check(key + ".sessions", j["sessions"], d["sessions"])
        check(key + ".days", j["days"], d["days"])
        check(key + ".depth", j["depth"], d["depth"])
    else:
        check(key + ".peak", j["peak"], None)
for i, v in enumerate(r["drawdown"]):
    check("series.drawdown[%d]" % i, ser["drawdown"][i], float(v))
for i, v in enumerate(r["rolling_sharpe"]):
    check("series.rolling_sharpe[%d]" % i, ser["rolling_sharpe"][i], float(v))
check("monthly.years", a["monthly"]["years"],
      list(range(r["first_year"], r["first_year"] + n["n_years"])))
for k, v in enumerate(r["monthly"]):
    check("monthly[%d][%d]" % (k // 12, k % 12), a["monthly"]["months"][k // 12][k % 12], float(v))
for k, v in enumerate(r["yearly"]):
    check("monthly.year[%d]" % k, a["monthly"]["year"][k], float(v))
for which in ("ticker", "strategy"):
    want = r["by_" + which]
    got = a["attribution"][which]
    check("attribution.%s rows" % which, len(got), len(want))
    for g, w in zip(got, want):
        check("attribution.%s %s" % (which, w["name"]),
              (g["name"], cents(g["pnl"]), g["trades"], g["wins"], g["losses"]),
              (w["name"], w["pnl_cents"], w["trades"], w["wins"], w["losses"]))
        check("attribution.%s %s win_rate" % (which, w["name"]), g["win_rate"], w["win_rate"])

if bad:
    print("\n".join(bad[:40]))
    sys.exit(1)
print("ok %d figures" % count)
