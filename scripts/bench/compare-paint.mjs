// First paint of the compare chart view: 100 runs × 10 metrics × 100,000
// points, each series downsampled for the chart's width by the reducer the
// server's history endpoint uses (first, last, lowest and highest point per
// pixel column). Ferry's compare view bundle draws it in headless Chromium,
// fed by an in-page host that answers compare/init and compare/history; the
// peer is Plotly, one chart per metric with a trace per run (how MLflow's UI
// draws metric charts), given the same points. Each repeat is a fresh page;
// the time runs inside the page from handing over the data to the frame
// after the last chart is drawn. Plotly is also timed with every point (no
// downsampling) at a smaller size.
// FERRY_BENCH_COMPARE_RUNS / _METRICS / _POINTS shrink it, as for the history
// part; FERRY_BENCH_PAINT_FULL_RUNS / _METRICS / _POINTS size the full-data row.
import { Buffer } from 'node:buffer';
import { createServer } from 'node:http';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { BucketReducer } from '@ferry/core';
import { chromium } from 'playwright-core';
import { median, ms } from './stats.mjs';

const RUNS = Number(process.env.FERRY_BENCH_COMPARE_RUNS ?? 100);
const METRICS = Number(process.env.FERRY_BENCH_COMPARE_METRICS ?? 10);
const POINTS = Number(process.env.FERRY_BENCH_COMPARE_POINTS ?? 100_000);
const FULL = {
  runs: Number(process.env.FERRY_BENCH_PAINT_FULL_RUNS ?? 10),
  metrics: Number(process.env.FERRY_BENCH_PAINT_FULL_METRICS ?? 10),
  points: Number(process.env.FERRY_BENCH_PAINT_FULL_POINTS ?? 10_000),
};
const REPEATS = Number(process.env.FERRY_BENCH_PAINT_REPEATS ?? 3);
const GOAL_MS = 100;
const VIEWPORT = { width: 1280, height: 900 };
const CHART_HEIGHT = 220;
const NAMES = ['loss', 'val_loss', 'accuracy', 'val_accuracy', 'lr', 'grad_norm', 'f1', 'auc', 'error', 'throughput'];
const metricNames = (count) => Array.from({ length: count }, (_, m) => NAMES[m] ?? `metric_${m}`);
const runId = (r) => `r-20260101-000000-${r.toString(16).padStart(6, '0')}`;

const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/** A small seeded generator, so every run of the bench draws the same curves. */
function random(seed) {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 2 ** 32;
  };
}

/**
 * Every series of the comparison as a training loop logs it (the curve the
 * history part stores), either folded into `width` buckets as the server
 * answers a history request, or whole. `each(r, m, step, time, value)` gets
 * the kept points of one series at a time.
 */
function generate({ runs, metrics, points, width }, each) {
  const grid = { x0: 0, x1: points - 1, width };
  for (let r = 0; r < runs; r++) {
    for (let m = 0; m < metrics; m++) {
      const next = random(r * 1000 + m + 1);
      const step = new Float64Array(points);
      const time = new Float64Array(points);
      const value = new Float64Array(points);
      for (let s = 0; s < points; s++) {
        step[s] = s;
        time[s] = 1767225600 + s * 0.05;
        value[s] = Math.exp(-s / (points / 4)) * (m + 1) + Math.floor(next() * 1000) / 20000 + (next() < 1e-4 ? 10 : 0);
      }
      if (!width) {
        each(r, m, step, time, value);
        continue;
      }
      const reducer = new BucketReducer(grid, 'step');
      for (let s = 0; s < points; s++) reducer.add(step[s], time[s], value[s]);
      const kept = reducer.result();
      each(r, m, kept.step, kept.time, kept.value);
    }
  }
}

/**
 * The prepared data: the comparison (`CompareResponse`), the history answer's
 * frame and, as one binary block, each series' step, time and value arrays.
 */
function prepare(size) {
  const names = metricNames(size.metrics);
  const reduced = Array.from({ length: size.runs }, () => []);
  const series = [];
  const blocks = [];
  let total = 0;
  generate(size, (r, m, step, time, value) => {
    let min = Infinity;
    let max = -Infinity;
    let sum = 0;
    for (const v of value) {
      min = Math.min(min, v);
      max = Math.max(max, v);
      sum += v;
    }
    const count = size.width ? size.points : step.length;
    reduced[r].push({ stepName: 'train', name: names[m], count, last: value[value.length - 1], lastStep: step[step.length - 1], min, max, mean: sum / value.length });
    series.push({ runId: runId(r), stepName: 'train', name: names[m], count, complete: !size.width, length: step.length });
    blocks.push(Float64Array.from(step), Float64Array.from(time), Float64Array.from(value));
    total += step.length;
  });
  const compare = {
    runs: reduced.map((metrics, r) => ({
      id: runId(r),
      pipeline: 'bench',
      createdAt: new Date(Date.UTC(2026, 0, 1, 0, 0, r)).toISOString(),
      parameters: { lr: 0.001 * (r + 1) },
      metrics,
      job: { target: 'local', state: 'succeeded', jobIds: { train: String(1000 + r) } },
    })),
    parameters: ['lr'],
    differingParameters: size.runs > 1 ? ['lr'] : [],
    metrics: names.map((name) => ({ name, goal: /loss|error/.test(name) ? 'lower' : undefined, reducer: 'last' })),
    unrecorded: [],
  };
  const bytes = Buffer.alloc(blocks.reduce((sum, block) => sum + block.byteLength, 0));
  let at = 0;
  for (const block of blocks) {
    bytes.set(new Uint8Array(block.buffer, block.byteOffset, block.byteLength), at);
    at += block.byteLength;
  }
  const meta = { compare, history: { x: 'step', x0: 0, x1: size.points - 1, width: size.width ?? size.points, series }, names, height: CHART_HEIGHT };
  return { meta: JSON.stringify(meta), bytes, total };
}

/** Fetches the prepared data and rebuilds it as plain arrays, the form a host's message carries; untimed. */
const LOAD = `
async function load() {
  const meta = await (await fetch('/meta.json')).json();
  const numbers = new Float64Array(await (await fetch('/points.bin')).arrayBuffer());
  let at = 0;
  const take = (n) => Array.from(numbers.subarray(at, (at += n)));
  meta.history.series = meta.history.series.map(({ length, ...series }) => ({ ...series, step: take(length), time: take(length), value: take(length) }));
  return meta;
}
/** Resolves after the frame that follows now has been painted. */
const painted = () => new Promise((resolve) => requestAnimationFrame(() => setTimeout(() => resolve(performance.now()))));
`;

/**
 * Ferry: the compare view bundle with a host in the page. The time starts as
 * the host hands over compare/init and stops after the frame in which every
 * chart holds a line per run (its legend has a row per run).
 */
const FERRY_PAGE = `<!doctype html>
<html><head><meta charset="utf-8"><link rel="stylesheet" href="/ferry-ui.css"></head>
<body class="vscode-dark"><div id="root"></div>
<script src="/compare-view.js"></script>
<script>
${LOAD}
window.paint = async (probe) => {
  const data = probe ? { compare: { runs: [], parameters: [], differingParameters: [], metrics: [], unrecorded: [] } } : await load();
  const listeners = new Set();
  const deliver = (message) => queueMicrotask(() => listeners.forEach((listener) => listener(message)));
  let start;
  let asked;
  const answered = new Promise((resolve) => (asked = resolve));
  const host = {
    postMessage(message) {
      if (message.type === 'ready') {
        start = performance.now();
        deliver({ type: 'compare/init', compare: data.compare });
      } else if (message.type === 'compare/history') {
        asked(message.width);
        if (!probe) deliver({ type: 'compare/history', request: message.request, history: { ...data.history, width: message.width } });
      }
    },
    onMessage(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
  };
  const root = document.getElementById('root');
  if (probe) {
    FerryCompareView.mount(root, host);
    return answered;
  }
  const lines = data.compare.runs.length + 1;
  const complete = (chart) => chart.querySelectorAll('.u-legend .u-series').length === lines;
  // In sight: some chart drawn, and every chart whose box is on screen drawn with a line per run.
  const inSight = () => {
    const charts = [...root.querySelectorAll('.uplot')];
    const waiting = [...root.querySelectorAll('.ferry-chart-pending')].filter((box) => box.getBoundingClientRect().top < innerHeight);
    return charts.length > 0 && waiting.length === 0 && charts.every(complete);
  };
  const all = () => root.querySelectorAll('.uplot').length === data.names.length && [...root.querySelectorAll('.uplot')].every(complete);
  const when = (done) => new Promise((resolve) => {
    const observer = new MutationObserver(() => done() && (observer.disconnect(), resolve()));
    observer.observe(root, { childList: true, subtree: true });
  });
  const firstDrawn = when(inSight);
  const allDrawn = when(all);
  FerryCompareView.mount(root, host);
  await firstDrawn;
  const first = await painted();
  const shown = root.querySelectorAll('.uplot').length;
  await allDrawn;
  const end = await painted();
  return { ms: first - start, allMs: end - start, shown, sinceNavigation: first };
};
</script></body></html>`;

/** Plotly: one chart per metric, a trace per run, the same points; timed from the first newPlot. */
const PLOTLY_PAGE = `<!doctype html>
<html><head><meta charset="utf-8"></head>
<body><div id="root"></div>
<script src="/plotly.min.js"></script>
<script>
${LOAD}
window.paint = async (type) => {
  const data = await load();
  const root = document.getElementById('root');
  const start = performance.now();
  for (const name of data.names) {
    const element = document.createElement('div');
    root.appendChild(element);
    const traces = data.history.series
      .filter((series) => series.name === name)
      .map((series) => ({ type, mode: 'lines', name: series.runId, x: series.step, y: series.value, line: { width: 1.5 } }));
    await Plotly.newPlot(element, traces, { title: { text: name }, width: data.chartWidth, height: data.height, margin: { l: 50, r: 10, t: 30, b: 30 } }, { responsive: false });
  }
  const end = await painted();
  return { ms: end - start, sinceNavigation: end };
};
</script></body></html>`;

/**
 * The floor: the same points stroked straight onto one canvas per chart, a
 * path per run, no library; what rasterizing the lines alone costs here.
 */
const CANVAS_PAGE = `<!doctype html>
<html><head><meta charset="utf-8"></head>
<body><div id="root"></div>
<script>
${LOAD}
window.paint = async () => {
  const data = await load();
  const root = document.getElementById('root');
  const start = performance.now();
  const span = data.history.x1 - data.history.x0;
  for (const name of data.names) {
    const canvas = document.createElement('canvas');
    canvas.width = data.chartWidth;
    canvas.height = data.height;
    root.appendChild(canvas);
    const context = canvas.getContext('2d');
    const series = data.history.series.filter((one) => one.name === name);
    let low = Infinity;
    let high = -Infinity;
    for (const one of series) for (const value of one.value) if (value !== null) (low = Math.min(low, value)), (high = Math.max(high, value));
    series.forEach((one, index) => {
      const path = new Path2D();
      for (let i = 0; i < one.step.length; i++) {
        const value = one.value[i];
        if (value !== null) path.lineTo(((one.step[i] - data.history.x0) / span) * canvas.width, canvas.height - ((value - low) / (high - low)) * canvas.height);
      }
      context.strokeStyle = 'hsl(' + index * 37 + ', 70%, 50%)';
      context.lineWidth = 1.5;
      context.stroke(path);
    });
  }
  const end = await painted();
  return { ms: end - start, sinceNavigation: end };
};
</script></body></html>`;

function serve(files) {
  const server = createServer((request, response) => {
    const body = files[new URL(request.url, 'http://localhost').pathname];
    if (body === undefined) {
      response.writeHead(404).end();
      return;
    }
    const path = request.url.split('?')[0];
    const type = path.endsWith('.html') ? 'text/html' : path.endsWith('.js') ? 'text/javascript' : path.endsWith('.css') ? 'text/css' : path.endsWith('.json') ? 'application/json' : 'application/octet-stream';
    response.writeHead(200, { 'content-type': `${type}; charset=utf-8`, 'cache-control': 'no-store' }).end(body);
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)));
}

/** One fresh page per repeat; the median of what the page measured. */
async function timed(context, url, argument, repeats = REPEATS) {
  const figures = [];
  for (let i = 0; i < repeats; i++) {
    const page = await context.newPage();
    try {
      await page.goto(url);
      figures.push(await page.evaluate((value) => globalThis.paint(value), argument));
    } finally {
      await page.close();
    }
  }
  const middle = (key) => median(figures.map((figure) => figure[key]));
  return { ms: middle('ms'), sinceNavigation: middle('sinceNavigation'), allMs: figures[0].allMs === undefined ? undefined : middle('allMs'), shown: figures[0].shown };
}

export async function benchComparePaint({ root, work }) {
  const ui = join(root, 'shared/ui/dist-web');
  const files = {
    '/ferry.html': FERRY_PAGE,
    '/plotly.html': PLOTLY_PAGE,
    '/canvas.html': CANVAS_PAGE,
    '/compare-view.js': readFileSync(join(ui, 'compare-view.js')),
    '/ferry-ui.css': readFileSync(join(ui, 'ferry-ui.css')),
    '/plotly.min.js': readFileSync(join(root, 'node_modules/plotly.js-dist-min/plotly.min.js')),
  };
  const server = await serve(files);
  const base = `http://127.0.0.1:${server.address().port}`;
  const profile = mkdtempSync(join(work, 'chromium-'));
  const context = await chromium.launchPersistentContext(profile, { executablePath: '/usr/bin/chromium', headless: true, args: CHROMIUM_ARGS, viewport: VIEWPORT });
  try {
    // The width the view asks its host for, as laid out in this viewport.
    const probe = await context.newPage();
    await probe.goto(`${base}/ferry.html`);
    const width = await probe.evaluate(() => globalThis.paint(true));
    const chartWidth = await probe.evaluate(() => globalThis.document.querySelector('.ferry-compare-charts').clientWidth);
    await probe.close();

    let start = performance.now();
    const data = prepare({ runs: RUNS, metrics: METRICS, points: POINTS, width });
    const withWidth = (meta) => JSON.stringify({ ...JSON.parse(meta), chartWidth });
    files['/meta.json'] = withWidth(data.meta);
    files['/points.bin'] = data.bytes;
    console.log(
      `compare paint: ${RUNS} runs × ${METRICS} metrics × ${POINTS.toLocaleString('en')} points downsampled to ${width} px` +
        ` (${data.total.toLocaleString('en')} points kept, prepared in ${((performance.now() - start) / 1000).toFixed(1)} s), median of ${REPEATS} fresh pages, from handing over the data to the frame painted:`,
    );
    const ferry = await timed(context, `${base}/ferry.html`, false);
    console.log(
      `  ferry compare view    ${ms(ferry.ms)} first paint, the ${ferry.shown} chart(s) in sight drawn (goal ≤ ${GOAL_MS} ms: ${ferry.ms <= GOAL_MS ? 'met' : 'missed'}); ` +
        `all ${METRICS} charts drawn ${ms(ferry.allMs)}; ${ms(ferry.sinceNavigation)} from navigation start, loading the data included`,
    );
    const floor = await timed(context, `${base}/canvas.html`, false);
    console.log(`  bare canvas (floor)   ${ms(floor.ms)}: every chart's lines stroked with no library → Ferry's first paint ${(ferry.ms / floor.ms).toFixed(2)}×, all its charts ${(ferry.allMs / floor.ms).toFixed(2)}× of it`);
    if (process.env.FERRY_BENCH_PAINT_PEERS === '0') return;
    for (const type of ['scatter', 'scattergl']) {
      const figure = await timed(context, `${base}/plotly.html`, type);
      console.log(
        `  plotly ${type.padEnd(9)}      ${ms(figure.ms)} (every chart at once)  → Ferry's first paint takes ${(ferry.ms / figure.ms).toFixed(2)}× Plotly's time, ` +
          `all its charts ${(ferry.allMs / figure.ms).toFixed(2)}×; ${ms(figure.sinceNavigation)} from navigation start`,
      );
    }
    const full = prepare({ ...FULL });
    files['/meta.json'] = JSON.stringify({ ...JSON.parse(full.meta), chartWidth });
    files['/points.bin'] = full.bytes;
    console.log(`  not downsampled, smaller: ${FULL.runs} runs × ${FULL.metrics} metrics × ${FULL.points.toLocaleString('en')} points, every point given to Plotly (${full.total.toLocaleString('en')} points):`);
    for (const type of ['scatter', 'scattergl']) console.log(`    plotly ${type.padEnd(9)}      ${ms((await timed(context, `${base}/plotly.html`, type)).ms)}`);
  } finally {
    await context.close();
    server.close();
    rmSync(profile, { recursive: true, force: true });
  }
}
