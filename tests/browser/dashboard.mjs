// tests/browser/dashboard.mjs - the dashboard in a real browser (Debian's
// chromium driven by playwright-core). Run by tests/e2e/browser.sh:
//
//   node tests/browser/dashboard.mjs --url URL --expect FILE.json
//        [--static FILE.html] [--out DIR]
//        [--token-url URL --token TOKEN [--token-market open|closed]]
//        [--empty-url URL] [--failed-url URL]
//
// URL is a running `papertrade serve`; FILE.json holds what the page must
// show: {"summary": report --json, "positions": positions --json,
// "trades": trades --json, "sessions": number of snapshots}. --static is the
// file of `papertrade dashboard --out`, opened through file://. --token-url
// is a second server started with --token-file holding TOKEN (at a time
// when the market is --token-market); --empty-url one on a home with no
// portfolio yet; --failed-url one whose last scheduled run failed (runs.log).
// Screenshots (desktop 1366x900 and phone 390x844, full
// page) go to DIR.
//
// Prints "ok - ..." / "not ok - ..." lines with "#   ..." diagnostics (the
// shell test numbers them) and exits 0; exits 1 only when the browser cannot
// be driven at all. Every request the browser makes is checked: nothing may
// leave 127.0.0.1 (or the static file itself).
import { chromium } from 'playwright-core';
import { readFileSync, mkdirSync } from 'node:fs';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

const args = {};
for (let i = 2; i < process.argv.length; i += 2)
	args[process.argv[i].replace(/^--/, '')] = process.argv[i + 1];
if (!args.url || !args.expect) {
	console.error('usage: dashboard.mjs --url URL --expect FILE.json [--static FILE.html] [--out DIR] [--token-url URL --token TOKEN [--token-market open|closed]] [--empty-url URL] [--failed-url URL]');
	process.exit(2);
}
const want = JSON.parse(readFileSync(args.expect, 'utf8'));
const S = want.summary;
const outDir = resolve(args.out || 'test-output');
mkdirSync(outDir, { recursive: true });
const base = new URL(args.url);

// ---- TAP-ish output ----
let failures = 0;
function ok(cond, desc, ...diag) {
	console.log(`${cond ? 'ok' : 'not ok'} - ${desc}`);
	if (!cond) {
		failures++;
		for (const d of diag) console.log(`#   ${typeof d === 'string' ? d : JSON.stringify(d)}`);
	}
	return cond;
}
function same(got, exp, desc) {
	return ok(JSON.stringify(got) === JSON.stringify(exp), desc, `got:  ${JSON.stringify(got)}`, `want: ${JSON.stringify(exp)}`);
}
function near(got, exp, desc, eps = 0.005) {
	return ok(typeof got === 'number' && Math.abs(got - exp) <= eps, desc, `got:  ${got}`, `want: ${exp}`);
}

// The page's own formatting (en-US), to compare card texts.
const usd = new Intl.NumberFormat('en-US', { style: 'currency', currency: 'USD' });
const pctSigned = new Intl.NumberFormat('en-US', { style: 'percent', minimumFractionDigits: 2, maximumFractionDigits: 2, signDisplay: 'exceptZero' });
const fmt2 = new Intl.NumberFormat('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 });

const CARDS = ['card-portfolio-value', 'card-alpha', 'card-sharpe', 'card-positions', 'card-total-return',
	'card-drawdown', 'card-win-rate', 'card-cash', 'card-margin'];

const browser = await chromium.launch({
	executablePath: process.env.PT_CHROMIUM || '/usr/bin/chromium',
	args: ['--no-sandbox', '--disable-background-networking', '--disable-component-update',
		'--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1'],
});

// A context that lets the page reach only `allowed` (a function of the URL)
// and records every request.
// With csp, every page it loads gets a strict Content-Security-Policy (no
// inline script or style, nothing from elsewhere): a violation is a console
// error, so the "no console error" checks also prove the page CSP-friendly.
const CSP = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; " +
	"connect-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'";
async function newContext(opts, allowed, csp = false) {
	const ctx = await browser.newContext({ deviceScaleFactor: 1, ...opts });
	ctx.requests = [];
	ctx.blocked = [];
	ctx.errors = [];
	await ctx.route('**/*', async (route) => {
		const req = route.request();
		const u = req.url();
		ctx.requests.push({ url: u, headers: req.headers() });
		if (!allowed(u)) {
			ctx.blocked.push(u);
			return route.abort('blockedbyclient');
		}
		if (csp && req.isNavigationRequest()) {
			const resp = await route.fetch();
			return route.fulfill({ response: resp, headers: { ...resp.headers(), 'content-security-policy': CSP } });
		}
		return route.continue();
	});
	ctx.on('weberror', (e) => ctx.errors.push(String(e.error())));
	ctx.on('console', (m) => { if (m.type() === 'error') ctx.errors.push(m.text()); });
	return ctx;
}
const local = (u) => {
	try {
		const x = new URL(u);
		return x.protocol === 'data:' || ((x.protocol === 'http:' || x.protocol === 'https:') && x.hostname === '127.0.0.1');
	} catch { return false; }
};

async function waitReady(page, what) {
	try {
		await page.waitForFunction(() => document.body.dataset.ready === '1', null, { timeout: 15000 });
		return ok(true, `${what}: the page renders (body[data-ready=1])`);
	} catch (e) {
		const state = await page.evaluate(() => ({ ready: document.body.dataset.ready, error: document.getElementById('error')?.textContent })).catch(() => ({}));
		return ok(false, `${what}: the page renders (body[data-ready=1])`, `state: ${JSON.stringify(state)}`, String(e.message).split('\n')[0]);
	}
}

// Everything the page shows that the tests compare.
async function readPage(page) {
	return page.evaluate((cards) => {
		const text = (sel) => document.querySelector(sel)?.textContent.trim() ?? null;
		const c = {};
		for (const id of cards) {
			c[id] = {
				value: text(`[data-testid="${id}"] [data-field="value"]`),
				detail: text(`[data-testid="${id}"] [data-field="detail"]`),
			};
		}
		const ch = window.ptCharts || {};
		const pts = (ds) => (ds._data || ds.data);
		const perf = ch.performance && {
			labels: ch.performance.data.datasets.map((d) => d.label),
			lengths: ch.performance.data.datasets.map((d) => pts(d).length),
			lastY: ch.performance.data.datasets.map((d) => { const p = pts(d); return p.length ? p[p.length - 1].y : null; }),
			drawn: ch.performance.getDatasetMeta(0).data.length > 0,
			aria: ch.performance.canvas.getAttribute('aria-label'),
		};
		const alloc = ch.allocation && {
			type: ch.allocation.config.type,
			labels: ch.allocation.data.labels,
			data: ch.allocation.data.datasets.map((d) => d.data),
			drawn: ch.allocation.getDatasetMeta(0).data.length > 0,
			aria: ch.allocation.canvas.getAttribute('aria-label'),
		};
		const ret = ch.returns && {
			type: ch.returns.config.type,
			labels: ch.returns.data.labels,
			data: ch.returns.data.datasets[0].data,
			drawn: ch.returns.getDatasetMeta(0).data.length > 0,
			aria: ch.returns.canvas.getAttribute('aria-label'),
		};
		return {
			cards: c,
			perf, alloc, ret,
			positionRows: document.querySelectorAll('[data-testid="positions-table"] tbody tr').length,
			tradeRows: document.querySelectorAll('[data-testid="trades-table"] tbody tr').length,
			market: { state: document.querySelector('[data-testid="market"]').dataset.state, text: text('[data-testid="market"]') },
			updated: { text: text('[data-testid="updated"]'), at: document.querySelector('[data-testid="updated"]').dataset.updated },
			summaries: ['summary-performance', 'summary-allocation', 'summary-returns'].map((id) => text(`[data-testid="${id}"]`)),
			/* drawn in their final state, not half way through an animation */
			settled: ['performance', 'allocation', 'returns'].every((k) => ch[k] && !window.Chart.animator.running(ch[k])),
			modeNote: document.getElementById('mode-note')?.hidden === false ? text('#mode-note') : '',
			error: document.getElementById('error')?.hidden === false ? text('#error') : '',
		};
	}, CARDS);
}

// The checks shared by the served page and the static file.
function checkContent(p, what) {
	ok(!p.error, `${what}: no error shown`, p.error);
	const empty = CARDS.filter((id) => !p.cards[id].value || p.cards[id].value === '—');
	ok(empty.length === 0, `${what}: every card shows a value`, `empty: ${empty.join(', ')}`);
	same(p.cards['card-portfolio-value'].value, usd.format(S.portfolio_value), `${what}: portfolio value card is the summary's`);
	same(p.cards['card-alpha'].value, pctSigned.format(S.excess_return_vs_spy), `${what}: excess return vs SPY card`);
	ok(p.cards['card-alpha'].detail.includes(pctSigned.format(S.alpha_vs_spy)), `${what}: Jensen's alpha shown beside it`, p.cards['card-alpha'].detail);
	same(p.cards['card-sharpe'].value, fmt2.format(S.sharpe), `${what}: Sharpe card`);
	same(p.cards['card-positions'].value, String(S.open_positions.length), `${what}: active positions card`);
	same(p.cards['card-total-return'].value, pctSigned.format(S.total_return), `${what}: total return card`);
	same(p.cards['card-cash'].value, usd.format(S.cash), `${what}: cash card`);
	same(p.cards['card-margin'].value, usd.format(S.margin_used), `${what}: margin card`);
	ok(S.margin.call > 0 ? p.cards['card-margin'].detail.includes('margin call: ' + usd.format(S.margin.call))
		: p.cards['card-margin'].detail.includes('excess ' + usd.format(S.margin.excess)),
	   `${what}: the margin card shows the excess, or the call`, p.cards['card-margin'].detail);

	const tickers = Object.keys(S.benchmarks);
	if (ok(!!p.perf, `${what}: performance chart exists`)) {
		same(p.perf.labels, ['Strategy', ...tickers], `${what}: performance chart has the strategy and ${tickers.length} benchmarks`);
		same(p.perf.lengths, p.perf.labels.map(() => want.sessions), `${what}: every performance line has one point per snapshot (${want.sessions})`);
		near(p.perf.lastY[0], S.portfolio_value, `${what}: the strategy line ends at the portfolio value`);
		tickers.forEach((t, i) => near(p.perf.lastY[i + 1], S.benchmarks[t].value, `${what}: the ${t} line ends at its benchmark value`));
		ok(p.perf.drawn && !!p.perf.aria, `${what}: performance chart drawn, with an aria-label`);
	}
	if (ok(!!p.alloc, `${what}: allocation chart exists`)) {
		ok(p.alloc.type === 'doughnut' || p.alloc.type === 'pie', `${what}: allocation is a pie or doughnut`, p.alloc.type);
		const cap = p.alloc.data[0].slice(0, tickers.length);
		near(cap.reduce((a, b) => a + b, 0), S.initial_capital, `${what}: allocation shares out the initial capital`);
		same(p.alloc.labels.slice(0, tickers.length), tickers, `${what}: allocation slices per ticker`);
		ok(p.alloc.data.some((d) => d.some((v) => Math.abs(v - S.margin_used) < 0.005)), `${what}: allocation shows the margin requirement`, p.alloc.data);
		ok(p.alloc.data.some((d) => d.some((v) => Math.abs(v - Math.max(S.margin.excess, 0)) < 0.005)), `${what}: allocation shows the excess equity`, p.alloc.data);
		ok(p.alloc.drawn && !!p.alloc.aria, `${what}: allocation chart drawn, with an aria-label`);
	}
	if (ok(!!p.ret, `${what}: returns chart exists`)) {
		same(p.ret.labels, ['Strategy', ...tickers], `${what}: returns chart compares the strategy with each benchmark`);
		const exp = [S.total_return, ...tickers.map((t) => S.benchmarks[t].return)].map((x) => x * 100);
		ok(p.ret.data.every((v, i) => Math.abs(v - exp[i]) < 1e-6), `${what}: returns chart values are the total returns`, `got ${p.ret.data}`, `want ${exp}`);
		ok(p.ret.drawn && !!p.ret.aria, `${what}: returns chart drawn, with an aria-label`);
	}
	ok(p.settled, `${what}: charts are drawn when the page says it is ready (no animation running)`);
	ok(p.summaries.every((s) => s && s.length > 20), `${what}: every chart has a text summary`, p.summaries);
	same(p.positionRows, S.open_positions.length, `${what}: positions table has one row per open position`);
	same(p.tradeRows, S.closed_trades.length, `${what}: trades table has one row per closed trade`);
}

// WCAG contrast of the page's text against the colour behind it, >= 4.5:1.
async function checkContrast(page, what) {
	const worst = await page.evaluate(() => {
		const rgb = (c) => { const m = c.match(/[\d.]+/g) || []; return { r: +m[0], g: +m[1], b: +m[2], a: m[3] === undefined ? 1 : +m[3] }; };
		const lum = ({ r, g, b }) => {
			const f = (v) => { v /= 255; return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4; };
			return 0.2126 * f(r) + 0.7152 * f(g) + 0.0722 * f(b);
		};
		const over = (top, bot) => ({ r: top.r * top.a + bot.r * (1 - top.a), g: top.g * top.a + bot.g * (1 - top.a), b: top.b * top.a + bot.b * (1 - top.a), a: 1 });
		const background = (el) => {
			const layers = [];
			for (let e = el; e; e = e.parentElement) {
				const c = rgb(getComputedStyle(e).backgroundColor);
				if (c.a > 0) layers.push(c);
				if (c.a === 1) break;
			}
			let bg = { r: 255, g: 255, b: 255, a: 1 };
			for (let i = layers.length - 1; i >= 0; i--) bg = over(layers[i], bg);
			return bg;
		};
		const sel = '.card .label, .card .value, .card .detail, .card .detail span, .hint, .chart-summary, #updated, #market-text, .refresh span, th, td, td span, .foot p, .brand .sub, .panel h2';
		let worst = { ratio: 99 };
		for (const el of document.querySelectorAll(sel)) {
			if (!el.textContent.trim() || el.closest('[hidden]') || el.closest('.visually-hidden')) continue;
			const fg = rgb(getComputedStyle(el).color);
			const bg = background(el);
			const L1 = lum(over(fg, bg)), L2 = lum(bg);
			const ratio = (Math.max(L1, L2) + 0.05) / (Math.min(L1, L2) + 0.05);
			if (ratio < worst.ratio) worst = { ratio: Math.round(ratio * 100) / 100, text: el.textContent.trim().slice(0, 40), cls: el.className || el.tagName };
		}
		return worst;
	});
	ok(worst.ratio >= 4.5, `${what}: text contrast at least 4.5:1 (lowest ${worst.ratio})`, worst);
}

let code = 0;
try {
	// ---- the served page, desktop, dark ----
	const ctx = await newContext({ viewport: { width: 1366, height: 900 }, colorScheme: 'dark' }, local, true);
	const page = await ctx.newPage();
	const resp = await page.goto(base.href);
	ok(resp && resp.status() === 200, 'served page: GET / is 200', resp && resp.status());
	if (await waitReady(page, 'served page')) {
		const p = await readPage(page);
		checkContent(p, 'served page');

		// The market indicator agrees with /api/health.
		const health = await (await ctx.request.get(new URL('api/health', base).href)).json();
		const state = health.market.open ? 'open' : 'closed';
		same(p.market.state, state, `market indicator is ${state}, as /api/health says`);
		ok(p.market.text.startsWith(health.market.open ? 'Market open' : 'Market closed'), 'market indicator text says so', p.market.text);
		ok(/^Updated \d\d:\d\d:\d\d/.test(p.updated.text), 'the last update time is shown', p.updated.text);
		if (want.expectMarket)
			same(state, want.expectMarket, `the market is ${want.expectMarket} at PAPERTRADE_NOW`);

		// Refresh: fetches every endpoint again and moves the update time.
		const before = ctx.requests.filter((r) => r.url.includes('/api/')).length;
		await page.waitForFunction((t) => Date.now() >= +t + 1100, p.updated.at);
		await page.getByRole('button', { name: 'Refresh' }).click();
		try {
			await page.waitForFunction((t) => {
				const u = document.querySelector('[data-testid="updated"]');
				return u.dataset.updated !== t && document.body.dataset.ready === '1';
			}, p.updated.at, { timeout: 10000 });
			const q = await readPage(page);
			ok(q.updated.text !== p.updated.text, 'refresh changes the last update time', `before: ${p.updated.text}`, `after: ${q.updated.text}`);
			const after = ctx.requests.filter((r) => r.url.includes('/api/')).length;
			ok(after - before >= 5, 'refresh requests the five endpoints again', `api requests: ${before} -> ${after}`);
			same(q.cards['card-portfolio-value'].value, p.cards['card-portfolio-value'].value, 'refresh shows the same portfolio value');
			ok(q.settled && q.perf && q.perf.lengths.every((n) => n === want.sessions), 'refresh redraws the charts at once, with all their points');
		} catch (e) {
			ok(false, 'refresh changes the last update time', String(e.message).split('\n')[0]);
		}

		// Accessibility basics.
		const a11y = await page.evaluate(() => ({
			landmarks: ['header', 'main', 'footer'].every((t) => document.querySelector(t)),
			live: document.querySelector('[data-testid="updated"]').getAttribute('aria-live'),
			captions: [...document.querySelectorAll('table')].every((t) => t.caption && t.caption.textContent.trim()),
			scopes: [...document.querySelectorAll('thead th')].every((th) => th.getAttribute('scope') === 'col'),
			inlineHandlers: [...document.querySelectorAll('*')].some((e) => [...e.attributes].some((x) => /^on/i.test(x.name))),
			lang: document.documentElement.lang,
		}));
		ok(a11y.landmarks && a11y.lang === 'en', 'header, main and footer landmarks, lang set');
		same(a11y.live, 'polite', 'the update time is an aria-live region');
		ok(a11y.captions && a11y.scopes, 'tables have captions and column headers with scope');
		ok(!a11y.inlineHandlers, 'no inline event handlers');
		await checkContrast(page, 'dark theme');

		const shot = resolve(outDir, 'dashboard-desktop.png');
		await page.screenshot({ path: shot, fullPage: true });
		console.log(`# screenshot: ${shot}`);

		// A token in the page's URL goes out as a bearer header.
		const n0 = ctx.requests.length;
		const tokenUrl = new URL(base.href);
		tokenUrl.searchParams.set('token', 'test-token-1');
		await page.goto(tokenUrl.href);
		await waitReady(page, 'page with ?token=');
		const apiReqs = ctx.requests.slice(n0).filter((r) => r.url.includes('/api/'));
		ok(apiReqs.length >= 5 && apiReqs.every((r) => r.headers.authorization === 'Bearer test-token-1'),
			'?token= is sent as Authorization: Bearer on every API request', apiReqs.map((r) => `${r.url} ${r.headers.authorization}`));
	}
	same(ctx.blocked, [], 'served page: no request leaves 127.0.0.1');
	same(ctx.errors, [], 'served page: no script or console error, under a strict Content-Security-Policy');
	await ctx.close();

	// ---- a server that requires a token ----
	if (args['token-url'] && args.token) {
		const tctx = await newContext({ viewport: { width: 1366, height: 900 } }, local);
		const tp = await tctx.newPage();
		await tp.goto(args['token-url']);
		try {
			await tp.waitForFunction(() => document.body.dataset.ready === 'error', null, { timeout: 15000 });
			const msg = await tp.evaluate(() => { const e = document.getElementById('error'); return e.hidden ? '' : e.textContent; });
			ok(/401|token|unauthori[sz]ed/i.test(msg), 'without its token the page says why it has no data', msg);
		} catch (e) {
			ok(false, 'without its token the page says why it has no data', String(e.message).split('\n')[0]);
		}
		const u = new URL(args['token-url']);
		u.searchParams.set('token', args.token);
		await tp.goto(u.href);
		if (await waitReady(tp, 'with ?token= on a server that requires it')) {
			const p = await readPage(tp);
			same(p.cards['card-portfolio-value'].value, usd.format(S.portfolio_value), 'with its token the page shows the portfolio');
			const h = await (await tctx.request.get(new URL('api/health', u).href,
				{ headers: { Authorization: `Bearer ${args.token}` } })).json();
			const st = h.market && h.market.open ? 'open' : 'closed';
			same(p.market.state, st, `token server: market indicator is ${st}, as its /api/health says`);
			if (args['token-market'])
				same(st, args['token-market'], `token server: the market is ${args['token-market']} at its PAPERTRADE_NOW`);
			ok(p.market.text.startsWith(st === 'open' ? 'Market open' : 'Market closed'), 'token server: market indicator text says so', p.market.text);
		}
		same(tctx.blocked, [], 'token server: no request leaves 127.0.0.1');
		await tctx.close();
	}

	// ---- auto-refresh, on a fake clock: every 5 minutes while the market is
	// open; while it is closed, not after 5 minutes but within the hour ----
	async function autoRefresh(url, what) {
		const actx = await newContext({ viewport: { width: 1366, height: 900 } }, local);
		const ap = await actx.newPage();
		// fetch() calls, counted as the page makes them: the clock's timers
		// run inside runFor, so the count is exact when it returns
		await ap.addInitScript(() => {
			const f = window.fetch;
			window.ptFetches = 0;
			window.fetch = function (...a) { window.ptFetches++; return f.apply(this, a); };
		});
		await ap.clock.install();
		await ap.goto(url);
		if (!(await waitReady(ap, `${what}: page on a fake clock`))) {
			await actx.close();
			return null;
		}
		const n = () => ap.evaluate(() => window.ptFetches);
		const r = { start: await n() };
		await ap.clock.runFor('04:50');
		r.at4m50 = await n();
		await ap.clock.runFor('00:20');
		r.at5m10 = await n();
		await ap.clock.runFor('01:00:00');
		r.at65m = await n();
		await actx.close();
		return r;
	}
	{
		const r = await autoRefresh(base.href, 'market open');
		if (r) {
			same(r.at4m50, r.start, 'market open: no refresh before 5 minutes');
			ok(r.at5m10 - r.at4m50 === 6, 'market open: the page refreshes itself (six requests) after 5 minutes', r);
		}
		if (args['token-url'] && args.token) {
			const u = new URL(args['token-url']);
			u.searchParams.set('token', args.token);
			const c = await autoRefresh(u.href, 'market closed');
			if (c) {
				same(c.at5m10, c.start, 'market closed: no refresh every 5 minutes');
				ok(c.at65m - c.at5m10 >= 5, 'market closed: it still looks again within the hour', c);
			}
		}
	}

	// ---- a server whose home has no portfolio yet ----
	if (args['empty-url']) {
		const ectx = await newContext({ viewport: { width: 1366, height: 900 } }, local);
		const ep = await ectx.newPage();
		await ep.goto(args['empty-url']);
		if (await waitReady(ep, 'before the first run')) {
			const p = await readPage(ep);
			const notice = await ep.evaluate(() => { const n = document.querySelector('[data-testid="notice"]'); return n.hidden ? '' : n.textContent; });
			ok(/no portfolio yet/i.test(notice) && !p.error, 'before the first run: a notice says there is no portfolio yet, not an error', notice, p.error);
			ok(p.market.state === 'open' || p.market.state === 'closed', 'before the first run: the market indicator still works', p.market);
			const axis = await ep.evaluate(() => { const c = window.ptCharts && window.ptCharts.performance; if (!c || !c.scales.y) return null; const canvas = c.canvas; return { shown: canvas.getBoundingClientRect().height > 0, labels: c.scales.y.ticks.map((t) => String(t.label)) }; });
			ok(!axis || !axis.shown || (axis.labels.length > 0 && new Set(axis.labels).size === axis.labels.length), 'before the first run: no chart axis of repeated labels ("$1 $1 ... $0")', axis);
		}
		same(ectx.blocked, [], 'empty home: no request leaves 127.0.0.1');
		await ectx.close();
	}

	{
		// the risk panel: a row per ticker of the risk API, the portfolio's total, and the
		// positions' spot, distance and delta beside P&L
		const rp = await (await newContext({ viewport: { width: 1366, height: 900 } }, local)).newPage();
		await rp.goto(base.href);
		if (await waitReady(rp, 'risk')) {
			const got = await rp.evaluate(async () => {
				const risk = await (await fetch('api/risk')).json();
				const rows = [...document.querySelectorAll('[data-testid="risk-table"] tbody tr')].map((r) => r.textContent);
				const foot = document.querySelector('[data-testid="risk-table"] tfoot').textContent;
				const head = [...document.querySelectorAll('[data-testid="positions-table"] thead th')].map((t) => t.textContent);
				const first = document.querySelector('[data-testid="positions-table"] tbody tr');
				return { risk, rows, foot, head, firstCells: first ? [...first.children].map((c) => c.textContent) : [] };
			});
			const tick = Object.keys(got.risk.tickers).sort();
			same(got.rows.length, tick.length, 'risk: a row per ticker');
			ok(tick.every((t, i) => got.rows[i].startsWith(t)), 'risk: rows in ticker order', got.rows);
			ok(/Portfolio/.test(got.foot) && isFinite(got.risk.total.delta_shares) && isFinite(got.risk.total.theta_day), 'risk: the portfolio total row, with delta and theta', got.foot);
			ok(got.risk.positions.length > 0 && got.risk.positions.every((p) => p.right === 'S' || (p.spot > 0 && isFinite(p.distance) && isFinite(p.delta_shares) && p.iv > 0)), 'risk: every option position has spot, distance, IV and delta', got.risk.positions.slice(0, 2));
			ok(got.risk.positions.filter((p) => p.right === 'C' && p.quantity < 0).every((p) => p.delta_shares < 0 && p.theta_day > 0 && p.vega < 0), 'risk: short calls are short delta, long theta, short vega', got.risk.positions.slice(0, 2));
			same(got.head.slice(0, 3), ['Ticker', 'Type', 'Unrealized P&L'], 'positions: P&L is the third column, visible on a phone');
			ok(got.head.includes('Spot') && got.head.includes('Distance') && got.head.includes('Delta'), 'positions: spot, distance to strike and delta columns', got.head);
		}
		await rp.context().close();
	}
	if (args['failed-url']) {
		const fctx = await newContext({ viewport: { width: 1366, height: 900 } }, local);
		const fp = await fctx.newPage();
		await fp.goto(args['failed-url']);
		if (await waitReady(fp, 'after a failed run')) {
			const b = await fp.evaluate(() => { const n = document.querySelector('[data-testid="run-status"]'); return { shown: !n.hidden && n.getBoundingClientRect().height > 0, text: n.textContent, state: n.dataset.state }; });
			ok(b.shown && b.state === 'failed', 'after a failed run: a banner is shown', b);
			ok(/failed at 09:35 ET/.test(b.text) && /connection refused/.test(b.text), 'the banner says when and why', b.text);
			ok(/next papertrade run --if-due tries again/.test(b.text), 'the banner says what tries again (the scheduler is off)', b.text);
			const labels = await fp.evaluate(() => { const y = window.ptCharts.performance.scales.y; return y.ticks.map((t, i) => y.getLabelForValue ? String(y.ticks[i].label) : ''); });
			ok(labels.length > 2 && new Set(labels).size === labels.length, 'one session of history: the value axis has distinct labels', labels);
			if (args.out)
				await fp.screenshot({ path: `${args.out}/dashboard-failed-run.png`, fullPage: false });
		}
		same(fctx.blocked, [], 'failed run: no request leaves 127.0.0.1');
		await fctx.close();
	}
	{
		// the healthy page shows no banner
		const hp = await (await newContext({ viewport: { width: 1366, height: 900 } }, local)).newPage();
		await hp.goto(base.href);
		if (await waitReady(hp, 'healthy')) {
			ok(await hp.evaluate(() => document.querySelector('[data-testid="run-status"]').hidden), 'a healthy run shows no banner');
			// the server goes away: the page says its figures are stale and keeps them
			const before = await hp.evaluate(() => document.querySelector('[data-testid="card-portfolio-value"]').textContent);
			await hp.route('**/api/**', (route) => route.abort('connectionrefused'));
			await hp.click('#refresh');
			await hp.waitForFunction(() => !document.getElementById('error').hidden, null, { timeout: 10000 }).catch(() => {});
			const st = await hp.evaluate(() => ({ shown: !document.getElementById('error').hidden, text: document.getElementById('error').textContent, ready: document.body.dataset.ready }));
			ok(st.shown && /Could not load the dashboard data/.test(st.text) && /Showing the previous data/.test(st.text), 'the server gone: a banner says the figures shown are stale', st);
			same(await hp.evaluate(() => document.querySelector('[data-testid="card-portfolio-value"]').textContent), before, 'the server gone: the previous figures stay');
		}
		await hp.context().close();
	}

	// ---- the served page on a phone, light ----
	const phone = await newContext({ viewport: { width: 390, height: 844 }, colorScheme: 'light', isMobile: true, hasTouch: true }, local);
	const pp = await phone.newPage();
	await pp.goto(base.href);
	if (await waitReady(pp, 'phone')) {
		const lay = await pp.evaluate(() => {
			const cards = [...document.querySelectorAll('.card')].map((c) => c.getBoundingClientRect());
			const wraps = [...document.querySelectorAll('.table-wrap')];
			const charts = ['performance', 'allocation', 'returns'].map((k) => window.ptCharts[k].width);
			return {
				scrollWidth: document.documentElement.scrollWidth,
				cardsFit: cards.every((r) => r.left >= 0 && r.right <= window.innerWidth),
				cardsStacked: new Set(cards.map((r) => Math.round(r.top))).size > 1,
				tablesScroll: wraps.every((w) => getComputedStyle(w).overflowX === 'auto' || getComputedStyle(w).overflowX === 'scroll'),
				tablesWider: wraps.some((w) => w.scrollWidth > w.clientWidth),
				charts, inner: window.innerWidth,
				pnl: (() => {
					const th = [...document.querySelectorAll('[data-testid="positions-table"] thead th')].find((t) => /P&L/.test(t.textContent));
					const td = document.querySelector('[data-testid="positions-table"] tbody tr td:nth-child(3)');
					return th && td ? Math.max(th.getBoundingClientRect().right, td.getBoundingClientRect().right) : Infinity;
				})(),
			};
		});
		ok(lay.pnl <= lay.inner, 'phone: the positions\' P&L is on screen without scrolling', `right edge ${lay.pnl} of ${lay.inner}`);
		ok(lay.scrollWidth <= 390, 'phone: nothing overflows the 390px width', `scrollWidth ${lay.scrollWidth}`);
		ok(lay.cardsFit && lay.cardsStacked, 'phone: cards stack within the screen');
		ok(lay.tablesScroll, 'phone: tables scroll sideways inside their box');
		await checkContrast(pp, 'light theme');
		ok(lay.charts.every((w) => w > 0 && w <= lay.inner), 'phone: charts resize to the screen', lay.charts);
		const shot = resolve(outDir, 'dashboard-phone.png');
		await pp.screenshot({ path: shot, fullPage: true });
		console.log(`# screenshot: ${shot}`);
	}
	same(phone.blocked, [], 'phone: no request leaves 127.0.0.1');
	same(phone.errors, [], 'phone: no script or console error');
	await phone.close();

	// ---- the static file ----
	if (args.static) {
		const fileUrl = pathToFileURL(resolve(args.static)).href;
		const sctx = await newContext({ viewport: { width: 1366, height: 900 }, colorScheme: 'light' }, (u) => u === fileUrl || u.startsWith('data:'));
		const sp = await sctx.newPage();
		await sp.goto(fileUrl);
		if (await waitReady(sp, 'static file')) {
			const p = await readPage(sp);
			checkContent(p, 'static file');
			ok(/static/i.test(p.modeNote), 'static file: says it is a static file near the update time', p.modeNote);
			ok(/^Market was (open|closed) at \d\d:\d\d ET/.test(p.market.text), 'static file: the market state is given as of the writing', p.market.text);
			ok(/^Data as of \d{4}-\d\d-\d\d \d\d:\d\d/.test(p.updated.text), 'static file: says when its data is from', p.updated.text);
			ok(await sp.evaluate(() => typeof window.PT_DATA === 'object' && !!window.Chart), 'static file: data and Chart.js are inlined');
			await sp.getByRole('button', { name: 'Refresh' }).click();
			await waitReady(sp, 'static file after refresh');
			const shot = resolve(outDir, 'dashboard-static.png');
			await sp.screenshot({ path: shot, fullPage: true });
			console.log(`# screenshot: ${shot}`);
		}
		const other = sctx.requests.filter((r) => r.url !== fileUrl && !r.url.startsWith('data:'));
		same(other.map((r) => r.url), [], 'static file: no request but the file itself');
		same(sctx.errors, [], 'static file: no script or console error');
		await sctx.close();
	}
} catch (e) {
	ok(false, 'the browser test ran to the end', String(e && e.stack || e));
	code = 1;
} finally {
	await browser.close();
}
console.log(`# ${failures} browser check(s) failed`);
process.exit(code);
