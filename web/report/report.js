/*
 * web/report/report.js - draws a report file (`papertrade backtest --html`;
 * src/report/html.c writes the page) from the JSON in
 * <script type="application/json" id="pt-report">: tables of text, line
 * charts (equity against benchmarks, drawdown, rolling Sharpe) with Chart.js
 * and monthly-return heatmaps. Needs nothing but the page: no request.
 *
 * The data: {title, subtitle, note, rollingTitle, equity, drawdown, rolling:
 * [{name, benchmark, x: [day numbers], y: [values or null]}], monthly:
 * [{title, years, months: [[12]], year}], tables: [{id, title, note,
 * header, numeric, rows, lead}]}.
 *
 * For the browser test: window.ptReportCharts = {equity, drawdown, rolling}
 * (Chart.js instances, or null when left out) and document.body.dataset.ready
 * = "1" when everything is drawn ("error" when the data cannot be read).
 */
(function () {
	"use strict";

	var MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
	/* the dashboard's series colours (style.css), by benchmark ticker; other
	   curves take the palette in turn */
	var TICKER_COLORS = { SPY: "--c-spy", VOO: "--c-voo", VTI: "--c-vti", QQQ: "--c-qqq" };
	var PALETTE = ["--c-strategy", "--c-margin", "--c-qqq", "--c-vti", "--c-voo", "--c-spy", "--muted", "--text"];
	var charts = { equity: null, drawdown: null, rolling: null };
	window.ptReportCharts = charts;

	var fmtUsd = new Intl.NumberFormat("en-US", { style: "currency", currency: "USD" });
	var fmtUsd0 = new Intl.NumberFormat("en-US", { style: "currency", currency: "USD", maximumFractionDigits: 0 });
	var fmtPct = new Intl.NumberFormat("en-US", { style: "percent", minimumFractionDigits: 2, maximumFractionDigits: 2, signDisplay: "exceptZero" });
	var fmtPct0 = new Intl.NumberFormat("en-US", { style: "percent", maximumFractionDigits: 1 });
	var fmt2 = new Intl.NumberFormat("en-US", { minimumFractionDigits: 2, maximumFractionDigits: 2 });

	function isNum(x) { return typeof x === "number" && isFinite(x); }
	function $(id) { return document.getElementById(id); }

	/* days since 1970-01-01 -> "2024-07-01" */
	function isoDay(d) {
		return new Date(Math.round(d) * 86400000).toISOString().slice(0, 10);
	}
	function shortDay(d) {
		var s = isoDay(d);
		return MONTHS[+s.slice(5, 7) - 1] + " " + (+s.slice(8, 10)) + ", " + s.slice(0, 4);
	}

	var theme = {};
	function cssVar(name) {
		if (!(name in theme))
			theme[name] = getComputedStyle(document.documentElement).getPropertyValue(name).trim() || "#888";
		return theme[name];
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

	function panel(id, title, note) {
		var head = el("div", { "class": "panel-head" }, [el("h2", { id: "h-" + id }, title)]);
		if (note)
			head.appendChild(el("p", { "class": "hint" }, note));
		return el("section", { "class": "panel", "aria-labelledby": "h-" + id, "data-testid": "panel-" + id }, head);
	}

	/* ---- tables ---- */

	function table(t) {
		var p = panel("table-" + t.id, t.title || "", t.note);
		var head = el("tr", null, t.header.map(function (h, j) {
			return el("th", { scope: "col", "class": t.numeric[j] ? "num" : null }, h);
		}));
		var body = el("tbody");
		t.rows.forEach(function (r) {
			var rest = r.slice(1).every(function (c) { return c === null; });
			if (r.length > 1 && rest && r[0] !== null) {
				body.appendChild(el("tr", { "class": "group" },
					el("th", { colspan: String(r.length), scope: "colgroup" }, r[0])));
				return;
			}
			body.appendChild(el("tr", null, r.map(function (c, j) {
				return el("td", { "class": t.numeric[j] ? "num" : (j === 0 ? "label" : null) }, c === null ? "" : c);
			})));
		});
		/* a long list scrolls in its panel; the lead tables are read whole */
		var wrap = el("div", { "class": "table-wrap" + (!t.lead && t.rows.length > 20 ? " table-scroll" : ""), tabindex: "0",
			role: "region", "aria-labelledby": "h-table-" + t.id },
		el("table", { "data-testid": "table-" + t.id }, [el("thead", null, head), body]));
		p.appendChild(wrap);
		if (!t.rows.length)
			p.appendChild(el("p", { "class": "empty" }, "Nothing to list."));
		return p;
	}

	/* ---- charts ---- */

	function curveColor(c, i) {
		if (c.benchmark && TICKER_COLORS[c.name])
			return cssVar(TICKER_COLORS[c.name]);
		return cssVar(PALETTE[i % PALETTE.length]);
	}

	/* x-axis ticks on the first day of a month (a year when the span is
	   over three years), at most about twelve of them */
	function calendarTicks(lo, hi) {
		if (hi - lo < 62) {	/* a short backtest: days */
			var days = [], step = Math.max(1, Math.ceil((hi - lo) / 8));
			for (var d = lo; d <= hi; d += step)
				days.push({ value: d });
			return days;
		}
		var a = new Date(lo * 86400000), b = new Date(hi * 86400000);
		var months = (b.getUTCFullYear() - a.getUTCFullYear()) * 12 + b.getUTCMonth() - a.getUTCMonth();
		var step = months > 36 ? 12 * Math.max(1, Math.ceil(months / 12 / 12)) : Math.max(1, Math.ceil(months / 12));
		var y = a.getUTCFullYear(), m = months > 36 ? 0 : a.getUTCMonth();
		var ticks = [];
		for (;;) {
			var t = Date.UTC(y, m, 1) / 86400000;
			if (t > hi)
				break;
			if (t >= lo)
				ticks.push({ value: t });
			m += step;
			y += Math.floor(m / 12);
			m %= 12;
		}
		if (ticks.length < 2)
			ticks = [{ value: lo }, { value: hi }];
		return ticks;
	}

	function scale(extra) {
		var s = { grid: { color: cssVar("--grid") }, border: { display: false }, ticks: { color: cssVar("--muted") } };
		Object.keys(extra || {}).forEach(function (k) {
			s[k] = typeof extra[k] === "object" && s[k] ? Object.assign({}, s[k], extra[k]) : extra[k];
		});
		return s;
	}

	function lineChart(id, title, note, curves, fmt, axisFmt, fill) {
		var p = panel(id, title, note);
		var canvas = el("canvas", { id: "chart-" + id, "data-testid": "chart-" + id, role: "img",
			"aria-label": title + ": " + curves.map(function (c) { return c.name; }).join(", ") });
		p.appendChild(el("div", { "class": "chart chart-tall" }, canvas));
		var summary = el("p", { "class": "chart-summary", "data-testid": "summary-" + id });
		p.appendChild(summary);
		var lo = Infinity, hi = -Infinity;
		var nStrategy = 0;
		var datasets = curves.map(function (c, i) {
			var pts = c.x.map(function (x, k) {
				var y = c.y[k];
				return { x: x, y: isNum(y) ? y : NaN };
			});
			c.x.forEach(function (x) { lo = Math.min(lo, x); hi = Math.max(hi, x); });
			var color = curveColor(c, c.benchmark ? i : nStrategy++);
			return {
				label: c.name, data: pts, parsing: false, borderColor: color, backgroundColor: color,
				borderWidth: c.benchmark ? 1.5 : 2.25, borderDash: c.benchmark ? [6, 4] : [],
				pointRadius: 0, pointHitRadius: 6, tension: 0, spanGaps: false,
				fill: fill && !c.benchmark ? "origin" : false
			};
		});
		if (fill)
			datasets.forEach(function (d) { if (d.fill) d.backgroundColor = "color-mix(in srgb, " + d.borderColor + " 18%, transparent)"; });
		var span = hi - lo;
		var chart = { canvas: canvas, config: {
			type: "line",
			data: { datasets: datasets },
			options: {
				responsive: true, maintainAspectRatio: false, animation: false, color: cssVar("--muted"),
				interaction: { mode: "index", intersect: false },
				scales: {
					x: scale({ type: "linear", min: lo, max: hi,
						afterBuildTicks: function (axis) { axis.ticks = calendarTicks(lo, hi); },
						ticks: {
							maxRotation: 0, autoSkip: true,
							callback: function (v) {
								var s = isoDay(v);
								if (span > 3 * 365)
									return s.slice(0, 4);
								if (span < 62)
									return MONTHS[+s.slice(5, 7) - 1] + " " + (+s.slice(8, 10));
								return s.slice(5, 7) === "01" ? MONTHS[0] + " " + s.slice(0, 4) : MONTHS[+s.slice(5, 7) - 1];
							}
						}
					}),
					y: scale({ ticks: { callback: axisFmt } })
				},
				plugins: {
					legend: { labels: { usePointStyle: true, pointStyle: "line", boxWidth: 24, color: cssVar("--text") } },
					decimation: { enabled: true, algorithm: "lttb", samples: 600, threshold: 800 },
					tooltip: {
						backgroundColor: cssVar("--surface"), titleColor: cssVar("--text"), bodyColor: cssVar("--text"),
						borderColor: cssVar("--border"), borderWidth: 1, padding: 10, usePointStyle: true,
						callbacks: {
							title: function (items) { return items.length ? shortDay(items[0].parsed.x) : ""; },
							label: function (it) { return " " + it.dataset.label + ": " + fmt(it.parsed.y); }
						}
					}
				}
			}
		} };
		/* the text alternative: each curve's last value */
		summary.textContent = curves.map(function (c) {
			var k = c.y.length - 1;
			while (k >= 0 && !isNum(c.y[k]))
				k--;
			return c.name + " " + (k >= 0 ? fmt(c.y[k]) + " on " + shortDay(c.x[k]) : "none (too few sessions)");
		}).join("; ") + ".";
		return { panel: p, chart: chart };
	}

	/* ---- the monthly heatmap ---- */

	function heatmap(m, i) {
		var p = panel("monthly-" + i, m.title || "Monthly returns", "Each month's return; the year's in the last column");
		var max = 0;
		m.months.forEach(function (row) { row.forEach(function (v) { if (isNum(v)) max = Math.max(max, Math.abs(v)); }); });
		var up = cssVar("--up"), down = cssVar("--down");
		function cell(v, cls) {
			if (!isNum(v))
				return el("td", { "class": (cls ? cls + " " : "") + "none" }, "–");
			var share = max > 0 ? Math.min(Math.abs(v) / max, 1) : 0;
			var td = el("td", { "class": cls || null, "data-value": String(v) }, fmtPct.format(v));
			td.style.background = "color-mix(in srgb, " + (v >= 0 ? up : down) + " " + Math.round(8 + 52 * share) + "%, transparent)";
			return td;
		}
		var head = el("tr", null, [el("th", { scope: "col" }, "Year")].concat(MONTHS.map(function (n) {
			return el("th", { scope: "col", "class": "num" }, n);
		})).concat([el("th", { scope: "col", "class": "num" }, "Year")]));
		var body = el("tbody", null, m.years.map(function (y, r) {
			return el("tr", { "data-year": String(y) }, [el("th", { scope: "row" }, String(y))]
				.concat(m.months[r].map(function (v) { return cell(v); }))
				.concat([cell(m.year[r], "year")]));
		}));
		p.appendChild(el("div", { "class": "table-wrap", tabindex: "0", role: "region", "aria-labelledby": "h-monthly-" + i },
			el("table", { "class": "heatmap", "data-testid": "heatmap" }, [el("thead", null, head), body])));
		p.appendChild(el("p", { "class": "heat-legend" }, "Green a gain, red a loss; the stronger the colour, the larger against the largest month (" +
			fmtPct0.format(max) + ")."));
		return p;
	}

	/* ---- the page ---- */

	function render(d) {
		var root = $("report");
		var pending = [];
		var tables = d.tables || [];
		tables.filter(function (t) { return t.lead; }).forEach(function (t) { root.appendChild(table(t)); });
		function add(key, made) {
			root.appendChild(made.panel);
			pending.push([key, made.chart]);
		}
		if ((d.equity || []).length)
			add("equity", lineChart("equity", "Equity", "Value of the strategy and of buy-and-hold of each benchmark, from the same capital",
				d.equity, function (v) { return isNum(v) ? fmtUsd.format(v) : "—"; },
				function (v) { return fmtUsd0.format(v); }, false));
		if ((d.drawdown || []).length)
			add("drawdown", lineChart("drawdown", "Drawdown", "Below the running peak",
				d.drawdown, function (v) { return isNum(v) ? fmtPct.format(v) : "—"; },
				function (v) { return fmtPct0.format(v); }, true));
		(d.monthly || []).forEach(function (m, i) { root.appendChild(heatmap(m, i)); });
		if ((d.rolling || []).length)
			add("rolling", lineChart("rolling", d.rollingTitle || "Rolling Sharpe", "Annualised, over the window ending each session",
				d.rolling, function (v) { return isNum(v) ? fmt2.format(v) : "—"; },
				function (v) { return fmt2.format(v); }, false));
		tables.filter(function (t) { return !t.lead; }).forEach(function (t) { root.appendChild(table(t)); });
		if (d.note)
			root.appendChild(el("p", { "class": "report-note", "data-testid": "note" }, d.note));
		/* the canvases are in the page: Chart.js can measure them */
		if (window.Chart) {
			window.Chart.defaults.font.family = getComputedStyle(document.body).fontFamily;
			pending.forEach(function (k) { charts[k[0]] = new window.Chart(k[1].canvas, k[1].config); });
		} else {
			root.insertBefore(el("p", { "class": "error", role: "alert" }, "Chart.js did not load: the charts cannot be drawn."), root.firstChild);
		}
	}

	function init() {
		var d;
		try {
			d = JSON.parse($("pt-report").textContent);
		} catch (e) {
			$("report").appendChild(el("p", { "class": "error", role: "alert" }, "The report's data cannot be read: " + e.message));
			document.body.dataset.ready = "error";
			return;
		}
		render(d);
		document.body.dataset.ready = "1";
	}

	if (document.readyState === "loading")
		document.addEventListener("DOMContentLoaded", init);
	else
		init();
})();
