/*
 * web/app.js - fills the dashboard page (index.html) and draws its charts
 * with Chart.js.
 *
 * Two modes. Served by `papertrade serve`: fetches api/summary, api/snapshots,
 * api/positions, api/trades, api/risk and api/health (relative URLs, so a path prefix
 * works), sending ?token=... of the page's URL as "Authorization: Bearer",
 * and refreshes every 5 minutes while the market is open. Written by
 * `papertrade dashboard --out FILE`: window.PT_DATA holds the same six
 * answers and nothing is requested.
 *
 * For the browser test: window.ptCharts = {performance, allocation, returns}
 * (the Chart.js instances) and document.body.dataset.ready = "1" after every
 * render. No inline handlers, no network resource but the page's own API.
 */
(function () {
	"use strict";

	var REFRESH_OPEN_MS = 5 * 60 * 1000;
	var ENDPOINTS = ["summary", "snapshots", "positions", "trades", "risk", "health"];
	var SERIES = [
		{ key: "strategy", label: "Strategy", color: "--c-strategy" },
		{ key: "SPY", label: "SPY", color: "--c-spy" },
		{ key: "VOO", label: "VOO", color: "--c-voo" },
		{ key: "VTI", label: "VTI", color: "--c-vti" },
		{ key: "QQQ", label: "QQQ", color: "--c-qqq" }
	];
	/* for tickers other than the brief's four (the tickers key), drawn dashed */
	var EXTRA_COLORS = ["--c-margin", "--muted", "--text"];

	var $ = function (id) { return document.getElementById(id); };
	var charts = { performance: null, allocation: null, returns: null };
	window.ptCharts = charts;
	var last = null;	/* the data of the last render */
	var timer = null;
	var loading = false;
	var staticMode = typeof window.PT_DATA === "object" && window.PT_DATA !== null;

	/* ---- formatting ---- */

	var fmtUsd = new Intl.NumberFormat("en-US", { style: "currency", currency: "USD" });
	var fmtUsdSigned = new Intl.NumberFormat("en-US", { style: "currency", currency: "USD", signDisplay: "exceptZero" });
	var fmtPct = new Intl.NumberFormat("en-US", { style: "percent", minimumFractionDigits: 2, maximumFractionDigits: 2 });
	var fmtPctSigned = new Intl.NumberFormat("en-US", { style: "percent", minimumFractionDigits: 2, maximumFractionDigits: 2, signDisplay: "exceptZero" });
	var fmtPct0 = new Intl.NumberFormat("en-US", { style: "percent", maximumFractionDigits: 0 });
	var fmtUsd0 = new Intl.NumberFormat("en-US", { style: "currency", currency: "USD", maximumFractionDigits: 0 });
	var fmt2 = new Intl.NumberFormat("en-US", { minimumFractionDigits: 2, maximumFractionDigits: 2 });
	var fmtQty = new Intl.NumberFormat("en-US", { maximumFractionDigits: 4, signDisplay: "exceptZero" });
	var fmtStrike = new Intl.NumberFormat("en-US", { minimumFractionDigits: 0, maximumFractionDigits: 2 });
	var MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];

	function isNum(x) { return typeof x === "number" && isFinite(x); }
	function usd(x) { return isNum(x) ? fmtUsd.format(x) : "—"; }
	function usdSigned(x) { return isNum(x) ? fmtUsdSigned.format(x) : "—"; }
	function pct(x) { return isNum(x) ? fmtPct.format(x) : "—"; }
	function pctSigned(x) { return isNum(x) ? fmtPctSigned.format(x) : "—"; }
	function num2(x) { return isNum(x) ? fmt2.format(x) : "—"; }
	function tone(x) { return !isNum(x) || x === 0 ? "" : (x > 0 ? "up" : "down"); }

	/* "2024-07-01" -> days since 1970-01-01 (calendar days, no time zone) */
	function dayNumber(s) {
		var m = /^(\d{4})-(\d{2})-(\d{2})/.exec(s || "");
		return m ? Date.UTC(+m[1], +m[2] - 1, +m[3]) / 86400000 : NaN;
	}
	function shortDate(s, withYear) {
		var m = /^(\d{4})-(\d{2})-(\d{2})/.exec(s || "");
		if (!m)
			return s || "";
		var t = MONTHS[+m[2] - 1] + " " + (+m[3]);
		return withYear ? t + ", " + m[1] : t;
	}
	function monthYear(s) {
		var m = /^(\d{4})-(\d{2})/.exec(s || "");
		return m ? MONTHS[+m[2] - 1] + " " + m[1] : (s || "");
	}
	function rightName(r) { return r === "C" ? "Call" : r === "P" ? "Put" : r === "S" ? "Shares" : String(r || ""); }

	/*
	 * The theme's colours, read once per render before the DOM changes:
	 * each getComputedStyle after a change forces a style pass over the page.
	 */
	var THEME_VARS = ["--text", "--muted", "--surface", "--border", "--grid", "--c-strategy", "--c-spy",
		"--c-voo", "--c-vti", "--c-qqq", "--c-margin", "--c-free"];
	var theme = null;
	function readTheme() {
		var cs = getComputedStyle(document.documentElement);
		theme = {};
		THEME_VARS.forEach(function (v) { theme[v] = cs.getPropertyValue(v).trim() || "#888"; });
	}
	function cssVar(name) {
		if (!theme)
			readTheme();
		return theme[name] || "#888";
	}

	/* el("td", {class: "num"}, "text" | node | [nodes]) */
	function el(tag, attrs, content) {
		var e = document.createElement(tag);
		if (attrs)
			Object.keys(attrs).forEach(function (k) {
				if (attrs[k] !== null && attrs[k] !== undefined && attrs[k] !== "")
					e.setAttribute(k, attrs[k]);
			});
		if (content !== undefined && content !== null)
			(Array.isArray(content) ? content : [content]).forEach(function (c) {
				e.appendChild(typeof c === "string" ? document.createTextNode(c) : c);
			});
		return e;
	}
	function span(cls, text) { return el("span", { "class": cls }, text); }

	/* ---- data ---- */

	function token() {
		try {
			return new URLSearchParams(window.location.search).get("token");
		} catch (e) {
			return null;
		}
	}

	function fetchJson(name) {
		var headers = { "Accept": "application/json" };
		var t = token();
		if (t)
			headers["Authorization"] = "Bearer " + t;
		return fetch("api/" + name, { headers: headers, cache: "no-store", credentials: "same-origin" })
			.then(function (r) {
				if (!r.ok)
					return r.text().then(function (body) {
						var why = r.status + " " + r.statusText;
						try {
							var j = JSON.parse(body);
							if (j && j.error)
								why = j.error;
						} catch (e) { /* not JSON: keep the status */ }
						if (r.status === 401)
							why += t ? " (the token in the address was refused)" :
								" (open the page with ?token=YOUR_TOKEN in its address)";
						var err = new Error("api/" + name + ": " + why);
						err.status = r.status;
						err.why = why;
						throw err;
					});
				return r.json();
			});
	}

	function load() {
		if (staticMode)
			return Promise.resolve(window.PT_DATA);
		var settle = function (name) {
			return fetchJson(name).then(function (v) { return { v: v }; }, function (e) { return { e: e }; });
		};
		return Promise.all(ENDPOINTS.map(settle)).then(function (all) {
			var d = {};
			var failed = all.filter(function (r) { return r.e; });
			ENDPOINTS.forEach(function (k, i) { d[k] = all[i].v; });
			if (!failed.length)
				return d;
			/* a new home before its first run: 404s, but the server is up */
			if (d.health && failed.every(function (r) { return r.e.status === 404; }))
				return { summary: {}, snapshots: {}, positions: [], trades: [], health: d.health,
					empty: failed[0].e.why };
			throw failed[0].e;
		});
	}

	/* ---- header: market, update time ---- */

	function renderMarket(h) {
		var m = $("market");
		var text = $("market-text");
		var mk = h && h.market;
		if (!mk) {
			m.dataset.state = "unknown";
			text.textContent = "Market status unknown";
			return;
		}
		var nowTime = h.now_ny ? h.now_ny.slice(11, 16) : "";
		var parts;
		if (mk.open) {
			m.dataset.state = "open";
			parts = ["Market open"];
			if (mk.closes)
				parts.push("closes " + mk.closes + " ET");
		} else {
			m.dataset.state = "closed";
			parts = ["Market closed"];
			if (mk.session_today && mk.opens && nowTime && nowTime < mk.opens)
				parts.push("opens " + mk.opens + " ET");
			else if (mk.next_session)
				parts.push("next session " + shortDate(mk.next_session, false));
		}
		if (staticMode) {
			/* a file is read later than it was written: say when this was true */
			parts = ["Market " + (mk.open ? "was open" : "was closed") + (nowTime ? " at " + nowTime + " ET" : "")];
		}
		text.textContent = parts.join(" · ");
		m.title = "New York time " + (h.now_ny ? h.now_ny.replace("T", " ") : "unknown") +
			(h.scheduler ? " · daily run at " + (h.run_at || "?") + " ET" +
				(h.next_run ? ", next " + h.next_run.replace("T", " ") : "") : " · scheduler off");
	}

	function renderUpdated(d) {
		var now = new Date();
		var u = $("updated");
		var hh = String(now.getHours()).padStart(2, "0") + ":" + String(now.getMinutes()).padStart(2, "0") +
			":" + String(now.getSeconds()).padStart(2, "0");
		var ny = d.health && d.health.now_ny ? " (New York " + d.health.now_ny.slice(11, 16) + ")" : "";
		u.dataset.updated = String(now.getTime());
		if (staticMode) {
			var mode = $("mode-note");
			mode.hidden = false;
			mode.textContent = "Static file";
			var asOf = d.health && d.health.now_ny ? d.health.now_ny.replace("T", " ") + " New York" : "unknown time";
			u.textContent = "Data as of " + asOf + " · shown " + hh;
		} else {
			u.textContent = "Updated " + hh + ny;
		}
	}

	/* ---- cards ---- */

	function card(id, value, detail, valueTone) {
		var c = document.querySelector('[data-testid="' + id + '"]');
		var v = c.querySelector('[data-field="value"]');
		v.textContent = value;
		v.className = "value" + (valueTone ? " " + valueTone : "");
		var dEl = c.querySelector('[data-field="detail"]');
		dEl.textContent = "";
		(Array.isArray(detail) ? detail : [detail]).forEach(function (x) {
			if (x === null || x === undefined)
				return;
			dEl.appendChild(typeof x === "string" ? document.createTextNode(x) : x);
		});
	}

	function renderCards(d) {
		var s = d.summary || {};
		var snaps = d.snapshots || {};
		var pv = snaps.portfolio || [];
		var initial = isNum(s.initial_capital) ? s.initial_capital : snaps.initial_capital;
		if (d.empty) {
			Array.prototype.forEach.call(document.querySelectorAll("#cards [data-testid]"), function (c) {
				card(c.dataset.testid, "—", "");
			});
			$("session-line").textContent = "No session yet";
			return;
		}

		/* Portfolio value, with the change since the previous session and since the start */
		var detail = [];
		if (pv.length >= 2 && isNum(s.portfolio_value)) {
			var prev = pv[pv.length - 2];
			var ch = s.portfolio_value - prev;
			detail.push(span(tone(ch), usdSigned(ch) + " (" + pctSigned(prev ? ch / prev : NaN) + ")"));
			detail.push(" last session · ");
		}
		if (isNum(s.total_return))
			detail.push(span(tone(s.total_return), pctSigned(s.total_return)), " since " + usd(initial));
		card("card-portfolio-value", usd(s.portfolio_value), detail);

		/* The brief's "alpha" is excess return; Jensen's alpha is shown beside it */
		card("card-alpha", pctSigned(s.excess_return_vs_spy), [
			el("abbr", { title: "Jensen's alpha: the annualized intercept of a regression of daily returns on SPY's" },
				"Jensen's α"),
			" " + pctSigned(s.alpha_vs_spy) + "/yr",
			el("br"),
			"β " + num2(s.beta_vs_spy) + " to SPY"
		], tone(s.excess_return_vs_spy));

		card("card-sharpe", num2(s.sharpe), ["annualized", el("br"), "Sortino " + num2(s.sortino)]);

		var open = s.open_positions || d.positions || [];
		var tickers = {};
		open.forEach(function (p) { tickers[p.ticker] = 1; });
		var nt = Object.keys(tickers).length;
		card("card-positions", String(open.length),
			open.length ? "across " + nt + (nt === 1 ? " ticker" : " tickers") : "none open");

		var spy = s.benchmarks && s.benchmarks.SPY;
		var cagr = cagrOf(d.snapshots, s);
		card("card-total-return", pctSigned(s.total_return),
			(isNum(cagr) ? ["CAGR ", span(tone(cagr), pctSigned(cagr)), "/yr · "] : []).concat(
				spy ? ["SPY ", span(tone(spy.return), pctSigned(spy.return))] : []), tone(s.total_return));

		card("card-drawdown", pct(s.max_drawdown), "worst peak-to-trough fall",
			isNum(s.max_drawdown) && s.max_drawdown < 0 ? "down" : "");

		var closed = s.closed_trades || d.trades || [];
		var wins = closed.filter(function (t) { return t.pnl > 0; }).length;
		card("card-win-rate", closed.length ? pct(s.win_rate) : "—",
			closed.length ? wins + " of " + closed.length + " closed trades" : "no closed trades yet");

		card("card-cash", usd(s.cash), "positions " + usdSigned(s.positions_value));

		/* the requirement on the equity basis: the excess is equity less it */
		var mu = s.margin_used, mg = s.margin || {};
		card("card-margin", usd(mu),
			isNum(mg.call) && mg.call > 0 ? "margin call: " + usd(mg.call) + " short" :
			isNum(mg.excess) ? "excess " + usd(mg.excess) +
				(mg.calls ? " · " + mg.calls + (mg.calls === 1 ? " call" : " calls") + " so far" : "") : "",
			isNum(mg.call) && mg.call > 0 ? "down" : "");

		var sess = s.session ? "Session " + shortDate(s.session, true) : "No session yet";
		var hh = d.health || {};
		if (s.provider)
			sess += " · " + s.provider + " data";
		if (hh.last_failure)
			sess += " · run of " + shortDate(hh.last_failure.session, false) + " failed";
		else if (hh.missed_session)
			sess += " · run of " + shortDate(hh.missed_session, false) + " not done";
		else if (s.session)
			sess += " · up to date";
		$("session-line").textContent = sess;
	}

	/* ---- charts ---- */

	function baseOptions() {
		var text = cssVar("--muted");
		return {
			responsive: true,
			maintainAspectRatio: false,
			/* drawn at once: the page is ready when it says so, and long histories stay fast */
			animation: false,
			color: text
		};
	}

	function themeScale(extra) {
		var s = {
			grid: { color: cssVar("--grid") },
			border: { display: false },
			ticks: { color: cssVar("--muted") }
		};
		Object.keys(extra || {}).forEach(function (k) {
			s[k] = typeof extra[k] === "object" && s[k] ? Object.assign({}, s[k], extra[k]) : extra[k];
		});
		return s;
	}

	function tooltipTheme() {
		return {
			backgroundColor: cssVar("--surface"),
			titleColor: cssVar("--text"),
			bodyColor: cssVar("--text"),
			borderColor: cssVar("--border"),
			borderWidth: 1,
			padding: 10,
			boxPadding: 4,
			usePointStyle: true
		};
	}

	function performanceData(snaps) {
		var dates = snaps.dates || [];
		var sets = [];
		SERIES.forEach(function (ser, i) {
			var ys = ser.key === "strategy" ? snaps.portfolio : (snaps.benchmarks || {})[ser.key];
			if (!ys)
				return;
			var pts = new Array(ys.length);
			for (var k = 0; k < ys.length; k++)
				pts[k] = { x: k, y: ys[k] };
			var c = cssVar(ser.color);
			sets.push({
				label: ser.label,
				data: pts,
				borderColor: c,
				backgroundColor: c,
				borderWidth: i === 0 ? 2.5 : 1.5,
				pointRadius: 0,
				pointHoverRadius: 4,
				tension: 0,
				order: i === 0 ? 0 : 1
			});
		});
		/* benchmarks of tickers other than the four usual ones */
		Object.keys(snaps.benchmarks || {}).forEach(function (t, j) {
			if (SERIES.some(function (s) { return s.key === t; }))
				return;
			var ys = snaps.benchmarks[t];
			var c = cssVar(EXTRA_COLORS[j % EXTRA_COLORS.length]);
			sets.push({
				label: t, data: ys.map(function (y, k) { return { x: k, y: y }; }),
				borderColor: c, backgroundColor: c, borderWidth: 1.5, borderDash: [4, 3],
				pointRadius: 0, pointHoverRadius: 4, tension: 0
			});
		});
		return { dates: dates, datasets: sets };
	}

	/* indexes of the sessions that open a month (or a year), at most max of them, evenly thinned */
	function sessionTicks(dates, yearly, max) {
		var idx = [];
		var len = yearly ? 4 : 7;
		for (var i = 1; i < dates.length; i++)
			if (dates[i].slice(0, len) !== dates[i - 1].slice(0, len))
				idx.push(i);
		var step = Math.max(1, Math.ceil(idx.length / max));
		return idx.filter(function (v, k) { return k % step === 0; }).map(function (v) { return { value: v }; });
	}

	/* A y range for the performance chart that reads well when the lines are
	 * flat (one session, or none yet): at least 2% either side of the capital. */
	function yRange(snaps) {
		var vals = [].concat(snaps.portfolio || []);
		Object.keys(snaps.benchmarks || {}).forEach(function (k) { vals = vals.concat(snaps.benchmarks[k]); });
		vals = vals.filter(isNum);
		var base = isNum(snaps.initial_capital) ? snaps.initial_capital : (vals.length ? vals[0] : 1000);
		var lo = Math.min.apply(null, vals.concat([base])), hi = Math.max.apply(null, vals.concat([base]));
		return hi - lo >= 0.02 * base ? {} : { suggestedMin: base * 0.98, suggestedMax: base * 1.02 };
	}

	function drawPerformance(d) {
		var snaps = d.snapshots || {};
		var pd = performanceData(snaps);
		var dates = pd.dates;
		var spanYears = dates.length ? (dayNumber(dates[dates.length - 1]) - dayNumber(dates[0])) / 365 : 0;
		var opts = baseOptions();
		Object.assign(opts, {
			parsing: false,
			normalized: true,
			spanGaps: true,
			interaction: { mode: "index", intersect: false, axis: "x" },
			scales: {
				x: themeScale({
					type: "linear",
					min: 0,
					max: Math.max(dates.length - 1, 1),
					grid: { display: false },
					/* ticks on the first session of a month (or a year), not at round indexes */
					afterBuildTicks: function (scale) {
						scale.ticks = sessionTicks(dates, spanYears > 3, 10);
					},
					ticks: {
						maxRotation: 0,
						autoSkip: true,
						callback: function (v, i) {
							var s = dates[Math.round(v)];
							if (!s)
								return "";
							if (spanYears > 3)
								return s.slice(0, 4);
							return i === 0 || s.slice(5, 7) === "01" ? monthYear(s) : MONTHS[+s.slice(5, 7) - 1];
						}
					}
				}),
				y: themeScale(Object.assign(yRange(snaps), {
					/* as many decimals as the tick step needs: never "$1 $1 ... $0" */
					ticks: {
						callback: function (v, i, ticks) {
							var step = ticks.length > 1 ? Math.abs(ticks[1].value - ticks[0].value) : 1;
							return step >= 1 ? fmtUsd0.format(v) : usd(v);
						}
					}
				}))
			},
			plugins: {
				legend: { labels: { usePointStyle: true, pointStyle: "line", boxWidth: 24, color: cssVar("--text") } },
				decimation: { enabled: true, algorithm: "lttb", samples: 600, threshold: 800 },
				tooltip: Object.assign(tooltipTheme(), {
					callbacks: {
						title: function (items) {
							return items.length ? shortDate(dates[items[0].parsed.x], true) : "";
						},
						label: function (it) {
							var init = snaps.initial_capital;
							var r = isNum(init) && init ? " (" + pctSigned(it.parsed.y / init - 1) + ")" : "";
							return " " + it.dataset.label + ": " + usd(it.parsed.y) + r;
						}
					}
				})
			}
		});
		charts.performance = replaceChart(charts.performance, "chart-performance", {
			type: "line",
			data: { datasets: pd.datasets },
			options: opts
		});

		/* the text alternative */
		var n = dates.length;
		var summ = "";
		if (n) {
			var pv = snaps.portfolio || [];
			summ = n + " sessions from " + shortDate(dates[0], true) + " to " + shortDate(dates[n - 1], true) +
				". Strategy " + usd(pv[n - 1]);
			var b = snaps.benchmarks || {};
			Object.keys(b).forEach(function (t) { summ += ", " + t + " " + usd(b[t][n - 1]); });
			summ += ", from " + usd(snaps.initial_capital) + " each.";
		} else {
			summ = "No sessions yet: the chart fills in after the first daily run.";
		}
		$("sum-performance").textContent = summ;
	}

	function drawAllocation(d) {
		var s = d.summary || {};
		var snaps = d.snapshots || {};
		var tickers = snaps.tickers && snaps.tickers.length ? snaps.tickers :
			Object.keys(s.benchmarks || {});
		if (!tickers.length)
			tickers = ["SPY", "VOO", "VTI", "QQQ"];
		var initial = isNum(s.initial_capital) ? s.initial_capital : (snaps.initial_capital || 0);
		var per = tickers.length ? initial / tickers.length : 0;
		var margin = isNum(s.margin_used) ? s.margin_used : 0;
		var free = Math.max(isNum(s.margin && s.margin.excess) ? s.margin.excess :
			(isNum(s.portfolio_value) ? s.portfolio_value : 0) - margin, 0);

		var labels = tickers.concat(["Margin requirement", "Excess equity"]);
		var colors = tickers.map(function (t, i) {
			var ser = SERIES.filter(function (x) { return x.key === t; })[0];
			return cssVar(ser ? ser.color : EXTRA_COLORS[i % EXTRA_COLORS.length]);
		}).concat([cssVar("--c-margin"), cssVar("--c-free")]);
		var outer = tickers.map(function () { return per; }).concat([0, 0]);
		var inner = tickers.map(function () { return 0; }).concat([margin, free]);
		var surface = cssVar("--surface");
		var opts = baseOptions();
		Object.assign(opts, {
			cutout: "52%",
			plugins: {
				legend: {
					position: "right",
					labels: { usePointStyle: true, pointStyle: "rectRounded", color: cssVar("--text"), padding: 12 }
				},
				tooltip: Object.assign(tooltipTheme(), {
					filter: function (it) { return it.raw > 0; },
					callbacks: {
						title: function (items) { return items.length ? items[0].dataset.label : ""; },
						label: function (it) {
							var total = it.dataset.data.reduce(function (a, b) { return a + b; }, 0);
							var ring = it.datasetIndex === 0 ? "capital" : "equity";
							return " " + it.label + ": " + usd(it.raw) +
								(total ? " (" + fmtPct0.format(it.raw / total) + " of " + ring + ")" : "");
						}
					}
				})
			}
		});
		if (window.matchMedia && window.matchMedia("(max-width: 640px)").matches)
			opts.plugins.legend.position = "bottom";
		charts.allocation = replaceChart(charts.allocation, "chart-allocation", {
			type: "doughnut",
			data: {
				labels: labels,
				datasets: [
					{ label: "Capital per ticker", data: outer, backgroundColor: colors, borderColor: surface, borderWidth: 2 },
					{ label: "Equity and margin", data: inner, backgroundColor: colors, borderColor: surface, borderWidth: 2 }
				]
			},
			options: opts
		});
		$("sum-allocation").textContent = usd(per) + " of capital per ticker (" + tickers.join(", ") +
			"); margin requirement " + usd(margin) + ", excess equity " + usd(free) + ".";
	}

	function drawReturns(d) {
		var s = d.summary || {};
		var labels = ["Strategy"], colors = [cssVar("--c-strategy")];
		var fractions = [isNum(s.total_return) ? s.total_return : 0];
		Object.keys(s.benchmarks || {}).forEach(function (t, i) {
			labels.push(t);
			fractions.push(s.benchmarks[t].return);
			var ser = SERIES.filter(function (x) { return x.key === t; })[0];
			colors.push(cssVar(ser ? ser.color : EXTRA_COLORS[i % EXTRA_COLORS.length]));
		});
		var values = fractions.map(function (f) { return f * 100; });	/* percent on the axis */
		var opts = baseOptions();
		Object.assign(opts, {
			scales: {
				x: themeScale({ grid: { display: false }, ticks: { color: cssVar("--text"), maxRotation: 0, autoSkip: false } }),
				y: themeScale({ ticks: { callback: function (v) { return v + "%"; } } })
			},
			plugins: {
				legend: { display: false },
				tooltip: Object.assign(tooltipTheme(), {
					callbacks: {
						label: function (it) { return " " + it.label + ": " + pctSigned(fractions[it.dataIndex]); }
					}
				})
			}
		});
		charts.returns = replaceChart(charts.returns, "chart-returns", {
			type: "bar",
			data: {
				labels: labels,
				datasets: [{
					label: "Total return (%)",
					data: values,
					backgroundColor: colors,
					borderRadius: 6,
					maxBarThickness: 56
				}]
			},
			options: opts
		});
		var parts = labels.map(function (l, i) { return l + " " + pctSigned(fractions[i]); });
		$("sum-returns").textContent = "Total return: " + parts.join(", ") + ".";
	}

	/*
	 * A refresh updates a chart in place, without animation, so nothing
	 * flickers; a new chart type (or the first render) builds a new one.
	 */
	function replaceChart(old, canvasId, config) {
		if (old && old.config.type === config.type) {
			old.data = config.data;
			old.options = config.options;
			old.update("none");
			return old;
		}
		if (old)
			old.destroy();
		return new window.Chart($(canvasId), config);
	}

	/* ---- tables ---- */

	function daysBetween(a, b) {
		var x = dayNumber(a), y = dayNumber(b);
		return isNaN(x) || isNaN(y) ? NaN : Math.round(y - x);
	}

	function tickerCell(t) {
		var ser = SERIES.filter(function (x) { return x.key === t; })[0];
		var sw = el("span", { "class": "swatch", "aria-hidden": "true" });
		sw.style.background = cssVar(ser ? ser.color : "--muted");
		return el("th", { scope: "row" }, [sw, String(t)]);
	}

	function fmtGreek(v) {
		return Math.abs(v) >= 100 ? fmtQty.format(Math.round(v)) : v.toFixed(Math.abs(v) >= 1 ? 2 : 4);
	}

	/* P&L and greeks per ticker, with the portfolio's total (from api/risk). */
	function renderRisk(d) {
		var rk = d.risk || {};
		var by = rk.tickers || {};
		var body = $("risk-body"), foot = $("risk-foot");
		var frag = document.createDocumentFragment();
		var cell = function (v, money) {
			return el("td", { "class": "num" }, !isNum(v) ? "—" :
				money ? span(tone(v), usdSigned(v)) : fmtGreek(v));
		};
		var row = function (head, x) {
			return el("tr", { "data-row": "risk" }, [head, cell(x.pnl, true), cell(x.delta_shares),
				cell(x.gamma_shares), cell(x.vega), cell(x.theta_day)]);
		};
		Object.keys(by).sort().forEach(function (t) { frag.appendChild(row(tickerCell(t), by[t])); });
		body.replaceChildren(frag);
		foot.replaceChildren(rk.total ? row(el("th", { scope: "row" }, "Portfolio"), rk.total) : "");
	}

	function renderPositions(d) {
		var s = d.summary || {};
		var riskOf = {};
		((d.risk && d.risk.positions) || []).forEach(function (r) { riskOf[r.id] = r; });
		var rows = d.positions || s.open_positions || [];
		var today = s.session || (d.health && d.health.now_ny ? d.health.now_ny.slice(0, 10) : "");
		var body = $("positions-body");
		var frag = document.createDocumentFragment();
		var total = 0;
		rows.slice().sort(function (a, b) {
			return (a.expiry || "").localeCompare(b.expiry || "") || String(a.ticker).localeCompare(String(b.ticker));
		}).forEach(function (p) {
			var dte = isNum(p.days_to_expiry) ? p.days_to_expiry : daysBetween(today, p.expiry);
			var held = isNum(p.days_held) ? p.days_held : daysBetween(p.opened, today);
			var shares = p.right === "S";
			if (isNum(p.unrealized_pnl))
				total += p.unrealized_pnl;
			var r = riskOf[p.id] || {};
			frag.appendChild(el("tr", { "data-row": "position" }, [
				tickerCell(p.ticker),
				el("td", null, span("tag", rightName(p.right))),
				el("td", { "class": "num" }, span(tone(p.unrealized_pnl), usdSigned(p.unrealized_pnl))),
				el("td", { "class": "num" }, shares ? "—" : fmtStrike.format(p.strike)),
				el("td", { "class": "num" }, isNum(r.spot) ? usd(r.spot) : "—"),
				el("td", { "class": "num" }, isNum(r.distance) ? pctSigned(r.distance) : "—"),
				el("td", null, shares ? "—" : (p.expiry || "")),
				el("td", { "class": "num" }, shares || isNaN(dte) ? "—" : String(dte)),
				el("td", { "class": "num" }, isNum(p.quantity) ? fmtQty.format(p.quantity) : "—"),
				el("td", { "class": "num" }, isNum(r.delta_shares) ? fmtGreek(r.delta_shares) : "—"),
				el("td", { "class": "num" }, usd(p.entry_price)),
				el("td", { "class": "num" }, usd(p.mark)),
				el("td", { "class": "num" }, usdSigned(p.credit)),
				el("td", null, p.strategy || "—"),
				el("td", { "class": "num" }, isNaN(held) ? "—" : String(held))
			]));
		});
		body.replaceChildren(frag);
		$("positions-empty").hidden = rows.length > 0;
		$("positions-total").textContent = rows.length ?
			"Unrealized P&L " + usdSigned(total) + (today ? " · marked " + shortDate(today, true) : "") : "";
	}

	function renderTrades(d) {
		var s = d.summary || {};
		var rows = d.trades || s.closed_trades || [];
		var body = $("trades-body");
		var frag = document.createDocumentFragment();
		var total = 0;
		rows.slice().sort(function (a, b) {
			return (b.closed || "").localeCompare(a.closed || "") || (b.id || 0) - (a.id || 0);
		}).forEach(function (t) {
			var shares = t.right === "S";
			if (isNum(t.pnl))
				total += t.pnl;
			frag.appendChild(el("tr", { "data-row": "trade" }, [
				tickerCell(t.ticker),
				el("td", null, span("tag", rightName(t.right))),
				el("td", null, t.strategy || "—"),
				el("td", { "class": "num" }, shares ? "—" : fmtStrike.format(t.strike)),
				el("td", null, shares ? "—" : (t.expiry || "")),
				el("td", { "class": "num" }, isNum(t.quantity) ? fmtQty.format(t.quantity) : "—"),
				el("td", { "class": "num" }, usd(t.entry_price)),
				el("td", { "class": "num" }, usd(t.exit_price)),
				el("td", null, t.opened || ""),
				el("td", null, t.closed || ""),
				el("td", null, t.reason || ""),
				el("td", { "class": "num" }, span(tone(t.pnl), usdSigned(t.pnl)))
			]));
		});
		body.replaceChildren(frag);
		$("trades-empty").hidden = rows.length > 0;
		$("trades-total").textContent = rows.length ?
			rows.length + (rows.length === 1 ? " trade" : " trades") + " · realized P&L " + usdSigned(total) : "";
	}

	/* ---- render, refresh ---- */

	function render(d) {
		last = d;
		document.body.dataset.ready = "0";
		readTheme();
		renderNotice(d);
		renderRunStatus(d.health);
		renderRisk(d);
		$("main").classList.toggle("is-empty", !!d.empty);
		renderMarket(d.health);
		renderCards(d);
		/* charts before the long tables: Chart.js measures its canvases, and
		   a style pass over a small page is cheaper than over a big one */
		if (window.Chart) {
			drawPerformance(d);
			drawAllocation(d);
			drawReturns(d);
		} else {
			showError("Chart.js did not load: the charts cannot be drawn.");
		}
		mark("pt-charts");
		renderPositions(d);
		renderTrades(d);
		renderUpdated(d);
		document.body.dataset.ready = "1";
		mark("pt-ready");
	}

	/* for bench/page.mjs: times from navigation start (data in, charts drawn, all drawn) */
	function mark(name) {
		if (window.performance && performance.mark)
			performance.mark(name);
	}

	function renderNotice(d) {
		var n = $("notice");
		if (!d.empty) {
			n.hidden = true;
			return;
		}
		var h = d.health || {};
		var when = h.next_run ? " The next daily run is at " + h.next_run.slice(11, 16) + " ET on " +
			shortDate(h.next_run.slice(0, 10), true) + "." : "";
		var why = String(d.empty).replace(/^no portfolio yet:?\s*/i, "");
		n.textContent = "No portfolio yet" + (why ? ": " + why : "") + "." + when;
		n.hidden = false;
	}

	/* The compound annual growth rate, once there is a year of history. */
	function cagrOf(snaps, s) {
		var dates = snaps && snaps.dates, vals = snaps && snaps.portfolio;
		var initial = isNum(s.initial_capital) ? s.initial_capital : snaps && snaps.initial_capital;
		if (!dates || !vals || dates.length < 2 || !(initial > 0))
			return NaN;
		var days = (Date.parse(dates[dates.length - 1]) - Date.parse(dates[0])) / 86400000;
		var last = vals[vals.length - 1];
		if (!(days >= 365) || !(last > 0))
			return NaN;
		return Math.pow(last / initial, 365.25 / days) - 1;
	}

	/* A failed or missed daily run: said at the top, never only in serve's log. */
	function renderRunStatus(h) {
		var b = $("run-status");
		var msg = "";
		h = h || {};
		if (h.last_failure) {
			var f = h.last_failure;
			msg = "The daily run of " + shortDate(f.session, true) + " failed at " +
				String(f.at).slice(11, 16) + " ET: " + f.message + "." +
				(h.next_run ? " Next try at " + h.next_run.slice(11, 16) + " ET." :
					" The next papertrade run --if-due tries again.");
		} else if (h.missed_session) {
			msg = "The daily run of " + shortDate(h.missed_session, true) + " has not happened" +
				(h.last_session ? ": the figures are from " + shortDate(h.last_session, true) + "." : ".");
		}
		b.textContent = msg;
		b.hidden = !msg;
		b.dataset.state = h.last_failure ? "failed" : h.missed_session ? "missed" : "ok";
	}

	function showError(msg) {
		var e = $("error");
		e.textContent = msg;
		e.hidden = !msg;
	}

	function schedule(h) {
		if (timer)
			clearTimeout(timer);
		timer = null;
		if (staticMode)
			return;
		var wait = REFRESH_OPEN_MS;
		var mk = h && h.market;
		if (mk && !mk.open) {
			/* closed: wake up for the next open or daily run, checking at least hourly */
			var target = h.next_run || (mk.next_session && mk.opens ? mk.next_session + "T" + mk.opens : null);
			var mins = target && h.now_ny ? minutesBetween(h.now_ny, target) : NaN;
			wait = isNaN(mins) ? 60 * 60 * 1000 : Math.min(Math.max(mins + 1, 5), 60) * 60 * 1000;
		}
		timer = setTimeout(refresh, wait);
	}

	function minutesBetween(a, b) {
		var p = function (s) {
			var m = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})/.exec(s);
			return m ? Date.UTC(+m[1], +m[2] - 1, +m[3], +m[4], +m[5]) : NaN;
		};
		return (p(b) - p(a)) / 60000;
	}

	function refresh() {
		if (loading)
			return Promise.resolve();
		loading = true;
		var btn = $("refresh");
		btn.setAttribute("aria-busy", "true");
		return load().then(function (d) {
			mark("pt-data");
			showError("");
			render(d);
			schedule(d.health);
		}).catch(function (err) {
			showError("Could not load the dashboard data: " + (err && err.message ? err.message : err) +
				(last ? " Showing the previous data." : ""));
			$("updated").textContent = last ? $("updated").textContent : "Not loaded";
			document.body.dataset.ready = last ? "1" : "error";
			schedule(last && last.health);
		}).then(function () {
			loading = false;
			btn.removeAttribute("aria-busy");
		});
	}

	function init() {
		if (window.Chart) {
			window.Chart.defaults.font.family = getComputedStyle(document.body).fontFamily;
		}
		$("refresh").addEventListener("click", function () { refresh(); });
		if (staticMode) {
			$("refresh").title = "This file holds fixed data: refreshing redraws it";
			$("foot-text").replaceChildren("papertrade — a static copy written by ", el("code", null, "papertrade dashboard"),
				"; run ", el("code", null, "papertrade serve"), " for live data. Paper trading only, no real orders are placed.");
		}
		/* follow a theme change */
		if (window.matchMedia) {
			var mq = window.matchMedia("(prefers-color-scheme: dark)");
			var rerender = function () { if (last) render(last); };
			if (mq.addEventListener)
				mq.addEventListener("change", rerender);
		}
		/* come back to a stale page: refresh if the market is open */
		document.addEventListener("visibilitychange", function () {
			if (document.visibilityState !== "visible" || staticMode || !last)
				return;
			var u = +($("updated").dataset.updated || 0);
			if (Date.now() - u > REFRESH_OPEN_MS && last.health && last.health.market && last.health.market.open)
				refresh();
		});
		refresh();
	}

	if (document.readyState === "loading")
		document.addEventListener("DOMContentLoaded", init);
	else
		init();
})();
