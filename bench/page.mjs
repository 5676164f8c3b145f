// bench/page.mjs - how long the dashboard takes to draw in headless chromium
// (Debian's, driven by playwright-core). Run by bench/page.sh:
//
//   node bench/page.mjs URL [RUNS]
//
// Loads URL RUNS times (default 5), each in a fresh browser context (empty
// cache), at 1366x900, and measures from navigation start to the moment
// document.body.dataset.ready is "1" with all three charts drawn (the page
// sets it after its last chart is built; animation is off for long
// histories). Prints each time with its parts (scripts run, data in, charts
// drawn: the page's performance marks), the median, and whether the goal
// (< 1 s) is met. Requests anywhere but 127.0.0.1 are refused.
import { chromium } from 'playwright-core';

const url = process.argv[2];
const runs = Number(process.argv[3] || 5);
const GOAL_MS = 1000;
if (!url || !(runs > 0)) {
	console.error('usage: page.mjs URL [RUNS]');
	process.exit(2);
}

const browser = await chromium.launch({
	executablePath: process.env.PT_CHROMIUM || '/usr/bin/chromium',
	args: ['--no-sandbox', '--disable-background-networking', '--disable-component-update',
		'--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1'],
});
const times = [];
let points = 0;
try {
	for (let i = 0; i < runs; i++) {
		const ctx = await browser.newContext({ viewport: { width: 1366, height: 900 }, deviceScaleFactor: 1 });
		await ctx.route('**/*', (r) => (new URL(r.request().url()).hostname === '127.0.0.1' ? r.continue() : r.abort()));
		const page = await ctx.newPage();
		await page.goto(url, { waitUntil: 'commit' });
		await page.waitForFunction(() => {
			const c = window.ptCharts;
			return document.body.dataset.ready === '1' && c && c.performance && c.allocation && c.returns &&
				c.performance.getDatasetMeta(0).data.length > 0;
		}, null, { timeout: 60000, polling: 'raf' });
		const r = await page.evaluate(() => {
			/* the page's own marks (data in, charts drawn, ready), else now */
			const at = (n) => { const m = performance.getEntriesByName(n); return m.length ? m[m.length - 1].startTime : NaN; };
			const ds = window.ptCharts.performance.data.datasets;
			const ready = at('pt-ready');
			return {
				ms: isNaN(ready) ? performance.now() : ready,
				data: at('pt-data'),
				charts: at('pt-charts'),
				script: performance.getEntriesByType('navigation')[0].domContentLoadedEventEnd,
				points: ds.reduce((n, d) => n + (d._data || d.data).length, 0),
				drawn: window.ptCharts.performance.getDatasetMeta(0).data.length,
			};
		});
		times.push(r.ms);
		points = r.points;
		console.log(`run ${i + 1}: ${r.ms.toFixed(0)} ms (scripts run ${r.script.toFixed(0)}, data in ${r.data.toFixed(0)}, ` +
			`charts drawn ${r.charts.toFixed(0)}; ${r.points} points, ${r.drawn} drawn in the strategy line)`);
		await ctx.close();
	}
} finally {
	await browser.close();
}
times.sort((a, b) => a - b);
const median = times.length % 2 ? times[(times.length - 1) / 2] : (times[times.length / 2 - 1] + times[times.length / 2]) / 2;
console.log(`page draw: median ${median.toFixed(0)} ms over ${runs} loads, ${points} points in the performance chart`);
console.log(`goal (< ${GOAL_MS} ms): ${median < GOAL_MS ? 'met' : 'NOT met'}`);
