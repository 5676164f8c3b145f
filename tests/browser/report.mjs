// tests/browser/report.mjs - the page of `papertrade backtest --html` in a
// real browser (Debian's chromium driven by playwright-core). Run by
// tests/e2e/browser_report.sh:
//
//   node tests/browser/report.mjs --out DIR NAME=PAGE.html:BACKTEST.json ...
//
// A JSON with a "compare" object is `compare --json` of the page's
// `compare --html`: every row's equity and drawdown curve (a point per
// session and the start), a table row per row, a heatmap per configuration.
//
// Each PAGE.html is opened from disk (file://) and held to BACKTEST.json,
// the `backtest --json` of the same run: the charts are drawn (Chart.js
// instances with the curves the JSON names, canvases with pixels on them),
// the heatmap has a row per year with the JSON's monthly returns, the trade
// table a row per closed trade, the analytics table the JSON's Sharpe; no
// script or console error, and no request at all but the file itself.
// Screenshots (desktop 1366x900 and phone 390x844, full page) go to DIR.
//
// Prints "ok - ..." / "not ok - ..." lines with "#   ..." diagnostics (the
// shell test numbers them) and exits 0; exits 1 only when the browser cannot
// be driven at all.
import { chromium } from 'playwright-core';
import { readFileSync, mkdirSync } from 'node:fs';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

let outDir = resolve('test-output');
const cases = [];
for (let i = 2; i < process.argv.length; i++) {
	const a = process.argv[i];
	if (a === '--out')
		outDir = resolve(process.argv[++i]);
	else {
		const m = /^([\w-]+)=(.+\.html):(.+\.json)$/.exec(a);
		if (!m) {
			console.error('usage: report.mjs [--out DIR] NAME=PAGE.html:BACKTEST.json ...');
			process.exit(2);
		}
		cases.push({ name: m[1], page: resolve(m[2]), want: JSON.parse(readFileSync(m[3], 'utf8')) });
	}
}
mkdirSync(outDir, { recursive: true });

function ok(cond, desc, ...diag) {
	console.log(`${cond ? 'ok' : 'not ok'} - ${desc}`);
	if (!cond)
		for (const d of diag) console.log(`#   ${typeof d === 'string' ? d : JSON.stringify(d)}`);
	return cond;
}
function same(got, exp, desc) {
	return ok(JSON.stringify(got) === JSON.stringify(exp), desc, `got:  ${JSON.stringify(got)}`, `want: ${JSON.stringify(exp)}`);
}

/* Charts as the page built them: labels, points, pixels inked. */
async function charts(page) {
	return page.evaluate(() => {
		const out = {};
		for (const [k, x] of Object.entries(window.ptReportCharts || {})) {
			if (!x || !(x instanceof window.Chart))
				continue;
			const cv = x.canvas, d = cv.getContext('2d').getImageData(0, 0, cv.width, cv.height).data;
			let inked = 0;
			for (let i = 3; i < d.length; i += 4)
				if (d[i])
					inked++;
			out[k] = { labels: x.data.datasets.map((s) => s.label), lengths: x.data.datasets.map((s) => s.data.length), inked };
		}
		return out;
	});
}

async function checkCompare(page, W, what) {
	const names = W.rows.map((r) => r.name);
	const n = W.compare.sessions + 1;
	const ch = await charts(page);
	for (const k of ['equity', 'drawdown']) {
		if (!ok(ch[k] !== undefined, `${what}: the ${k} chart is a Chart.js chart`))
			continue;
		same(ch[k].labels, names, `${what}: ${k}: a curve per row`);
		same(ch[k].lengths, names.map(() => n), `${what}: ${k}: a point per session and the start (${n})`);
		ok(ch[k].inked > 2000, `${what}: ${k}: the canvas is drawn on (${ch[k].inked} pixels)`);
	}
	const p = await page.evaluate(() => ({
		rows: [...document.querySelectorAll('[data-testid="table-compare"] tbody tr')].map((tr) => tr.children[0].textContent.trim()),
		heatmaps: document.querySelectorAll('[data-testid="heatmap"]').length,
		title: document.title,
		overflow: document.documentElement.scrollWidth > window.innerWidth + 1,
	}));
	ok(p.title.startsWith(`papertrade compare ${W.compare.first_session}..${W.compare.last_session}`), `${what}: the title names the dates`, p.title);
	same(p.rows, names, `${what}: the comparison table has a row per row, in order`);
	same(p.heatmaps, W.rows.filter((r) => r.kind === 'config').length, `${what}: a monthly heatmap per configuration`);
	ok(!p.overflow, `${what}: nothing wider than the window (tables scroll in their panels)`);
}

const browser = await chromium.launch({
	executablePath: process.env.PT_CHROMIUM || '/usr/bin/chromium',
	args: ['--no-sandbox', '--disable-background-networking', '--disable-component-update',
		'--host-resolver-rules=MAP * ~NOTFOUND'],
});

for (const c of cases) {
	const W = c.want;
	const A = W.analytics;
	const fileUrl = pathToFileURL(c.page).href;
	for (const view of [{ width: 1366, height: 900, tag: 'desktop' }, { width: 390, height: 844, tag: 'phone' }]) {
		const what = `${c.name} (${view.tag})`;
		const ctx = await browser.newContext({ viewport: { width: view.width, height: view.height }, deviceScaleFactor: 1 });
		const requests = [], errors = [];
		await ctx.route('**/*', (route) => {
			const u = route.request().url();
			requests.push(u);
			return u === fileUrl ? route.continue() : route.abort('blockedbyclient');
		});
		ctx.on('weberror', (e) => errors.push(String(e.error())));
		ctx.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });
		const page = await ctx.newPage();
		await page.goto(fileUrl);
		let ready = true;
		try {
			await page.waitForFunction(() => document.body.dataset.ready, null, { timeout: 15000 });
		} catch {
			ready = false;
		}
		ok(ready && await page.evaluate(() => document.body.dataset.ready) === '1', `${what}: the page renders (body[data-ready=1])`);
		if (W.compare) {
			await checkCompare(page, W, what);
			same(requests.filter((u) => u !== fileUrl), [], `${what}: no request but the file itself`);
			same(errors, [], `${what}: no script or console error`);
			const shot = resolve(outDir, `report-${c.name}-${view.tag}.png`);
			await page.screenshot({ path: shot, fullPage: true });
			console.log(`# screenshot ${shot}`);
			await ctx.close();
			continue;
		}
		const p = await page.evaluate(() => {
			const ch = window.ptReportCharts || {};
			const chart = (k) => {
				const x = ch[k];
				if (!x || !(x instanceof window.Chart))
					return null;
				/* pixels drawn: any not fully transparent */
				const cv = x.canvas, g = cv.getContext('2d');
				const d = g.getImageData(0, 0, cv.width, cv.height).data;
				let inked = 0;
				for (let i = 3; i < d.length; i += 4)
					if (d[i])
						inked++;
				return {
					labels: x.data.datasets.map((s) => s.label),
					lengths: x.data.datasets.map((s) => s.data.length),
					finite: x.data.datasets.map((s) => s.data.filter((q) => Number.isFinite(q.y)).length),
					width: cv.width, height: cv.height, inked,
				};
			};
			const rows = (id) => [...document.querySelectorAll(`[data-testid="${id}"] tbody tr`)]
				.map((tr) => [...tr.children].map((td) => td.textContent.trim()));
			const heat = [...document.querySelectorAll('[data-testid="heatmap"] tbody tr')].map((tr) => ({
				year: +tr.dataset.year,
				values: [...tr.querySelectorAll('td')].map((td) => td.dataset.value === undefined ? null : +td.dataset.value),
				text: [...tr.querySelectorAll('td')].map((td) => td.textContent.trim()),
			}));
			return {
				title: document.title,
				equity: chart('equity'), drawdown: chart('drawdown'), rolling: chart('rolling'),
				heat, trades: rows('table-trades'), analytics: rows('table-analytics'),
				byTicker: rows('table-by-ticker'),
				overflow: document.documentElement.scrollWidth > window.innerWidth + 1,
			};
		});
		const n = A.series.dates.length;
		const curves = ['Strategy', ...Object.keys(W.summary.benchmarks)];
		ok(p.title.startsWith(`papertrade backtest ${W.backtest.first_session}..${W.backtest.last_session}`), `${what}: the title names the dates`, p.title);
		for (const k of ['equity', 'drawdown']) {
			if (!ok(p[k] !== null, `${what}: the ${k} chart is a Chart.js chart`))
				continue;
			same(p[k].labels, curves, `${what}: ${k}: the strategy and each benchmark`);
			same(p[k].lengths, curves.map(() => n), `${what}: ${k}: a point per session and the start (${n})`);
			ok(p[k].inked > 2000, `${what}: ${k}: the canvas is drawn on (${p[k].inked} pixels of ${p[k].width}x${p[k].height})`);
		}
		if (ok(p.rolling !== null, `${what}: the rolling Sharpe chart is a Chart.js chart`)) {
			same(p.rolling.finite, [A.series.rolling_sharpe.filter((v) => v !== null).length], `${what}: rolling Sharpe: a value per full window`);
			ok(p.rolling.inked > 500, `${what}: rolling Sharpe: the canvas is drawn on (${p.rolling.inked} pixels)`);
		}
		same(p.heat.map((r) => r.year), A.monthly.years, `${what}: the heatmap has a row per year`);
		const heatOk = p.heat.every((r, i) => r.values.length === 13 &&
			A.monthly.months[i].concat([A.monthly.year[i]]).every((v, k) =>
				v === null ? r.values[k] === null && r.text[k] === '–' : Math.abs(r.values[k] - v) <= 1e-9 * Math.abs(v)));
		ok(heatOk, `${what}: each heatmap cell is the JSON's monthly return (and the year's)`, JSON.stringify(p.heat.slice(0, 2)));
		same(p.trades.length, W.trades.length, `${what}: the trade table has a row per closed trade (${W.trades.length})`);
		if (W.trades.length)
			same([p.trades[0][0], p.trades[0][1]], [String(W.trades[0].id), W.trades[0].ticker], `${what}: the trade table's first row`);
		same(p.byTicker.map((r) => r[0]), A.attribution.ticker.map((r) => r.name), `${what}: the attribution by ticker`);
		const sharpe = p.analytics.find((r) => r[0] === 'Sharpe');
		ok(sharpe && (A.sharpe === null ? sharpe[1] === 'n/a' : sharpe[1].startsWith(A.sharpe.toFixed(2))),
			`${what}: the analytics table has the JSON's Sharpe`, JSON.stringify(sharpe));
		ok(p.analytics.some((r) => r[0] === 'Total return' && r[1] === `${W.summary.total_return >= 0 ? '+' : ''}${(W.summary.total_return * 100).toFixed(2)}%`),
			`${what}: the analytics table has the total return`);
		ok(!p.overflow, `${what}: nothing wider than the window (tables scroll in their panels)`);
		same(requests.filter((u) => u !== fileUrl), [], `${what}: no request but the file itself`);
		same(errors, [], `${what}: no script or console error`);
		const shot = resolve(outDir, `report-${c.name}-${view.tag}.png`);
		await page.screenshot({ path: shot, fullPage: true });
		console.log(`# screenshot ${shot}`);
		await ctx.close();
	}
}
await browser.close();
