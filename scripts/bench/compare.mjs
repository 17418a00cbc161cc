// Server-side history query + downsampling for comparing runs: 100 runs ×
// 10 metrics × 100,000 points generated straight into a temporary run store,
// every series downsampled to a 1,000-pixel chart. The peer, measured on the
// same store in the same run, reads each run's full history the way
// MLflow's get_metric_history does (every point, as objects) and downsamples
// it in JS with the same bucket reducer.
// FERRY_BENCH_COMPARE_RUNS / _METRICS / _POINTS shrink it for a quick look.
import { statSync } from 'node:fs';
import { join } from 'node:path';
import { downsample } from '@ferry/core';
import { RunComparison, RunStore, backfillMetricBlocks } from '@ferry/core/node';
import Database from 'better-sqlite3';
import { median, ms } from './stats.mjs';

const RUNS = Number(process.env.FERRY_BENCH_COMPARE_RUNS ?? 100);
const METRICS = Number(process.env.FERRY_BENCH_COMPARE_METRICS ?? 10);
const POINTS = Number(process.env.FERRY_BENCH_COMPARE_POINTS ?? 100_000);
const WIDTH = 1000;
const NAMES = ['loss', 'val_loss', 'accuracy', 'val_accuracy', 'lr', 'grad_norm', 'f1', 'auc', 'error', 'throughput'].slice(0, METRICS);
while (NAMES.length < METRICS) NAMES.push(`metric_${NAMES.length}`);

const SPEC = {
  specVersion: 1,
  name: 'bench',
  notebook: 'bench.ipynb',
  prelude: [],
  parameters: [],
  steps: [{ name: 'train', cells: [{ cell: 0, source: 'pass' }], dependsOn: [], inputs: [], outputs: [], metrics: [], resources: {} }],
};

/**
 * Points as a training loop logs them (every metric once per step, a spike
 * now and then), written by SQLite itself so the store fills in minutes;
 * the block summaries are then built by the code that builds them for a
 * store from an older Ferry, the same fold the monitor's appends use.
 */
function generate(store, file) {
  const ids = [];
  for (let r = 0; r < RUNS; r++) {
    const id = `r-20260101-000000-${r.toString(16).padStart(6, '0')}`;
    store.createRun({ id, pipeline: 'bench', notebookPath: '/bench.ipynb', target: 'local', mode: 'script', parameters: { lr: 0.001 * (r + 1) }, spec: SPEC, runDir: `/runs/${id}` });
    ids.push(id);
  }
  const db = new Database(file);
  db.pragma('journal_mode = WAL');
  db.function('metric_name', { deterministic: true }, (m) => NAMES[m]);
  const insert = db.prepare(`
    WITH RECURSIVE steps(step) AS (SELECT 0 UNION ALL SELECT step + 1 FROM steps WHERE step < @points - 1),
         metrics(m) AS (SELECT 0 UNION ALL SELECT m + 1 FROM metrics WHERE m < @metrics - 1)
    INSERT INTO metrics (run_id, step_name, name, step, value, time)
    SELECT @id, 'train', metric_name(m), step,
           exp(-step / (@points / 4.0)) * (m + 1) + (abs(random()) % 1000) / 20000.0 + (CASE WHEN abs(random()) % 10000 = 0 THEN 10 ELSE 0 END),
           1767225600 + step * 0.05
    FROM steps, metrics ORDER BY step, m`);
  for (const id of ids) db.transaction(() => insert.run({ id, points: POINTS, metrics: METRICS }))();
  db.transaction(() => backfillMetricBlocks(db))();
  db.close();
  return ids;
}

/** The peer: every point of every run read as objects, then downsampled in JS per series. */
function naive(store, ids, x0, x1) {
  const out = [];
  for (const id of ids) {
    for (const series of store.getMetrics(id)) {
      out.push(downsample(series.points, 'step', { x0, x1, width: WIDTH }));
    }
  }
  return out;
}

export async function benchCompare({ work }) {
  const file = join(work, 'compare.db');
  const store = RunStore.open(file);
  try {
    let start = performance.now();
    const ids = generate(store, file);
    const total = RUNS * METRICS * POINTS;
    console.log(`compare: ${RUNS} runs × ${METRICS} metrics × ${POINTS.toLocaleString('en')} points = ${total.toLocaleString('en')} points stored in ${(performance.now() - start) / 1000 | 0} s (${(statSync(file).size / 2 ** 30).toFixed(1)} GiB)`);
    const comparison = new RunComparison(store);
    const request = { runs: ids, metrics: NAMES, width: WIDTH };

    const full = [];
    let answer;
    for (let i = 0; i < 3; i++) {
      start = performance.now();
      answer = comparison.history(request);
      full.push(performance.now() - start);
    }
    const kept = answer.series.reduce((sum, series) => sum + series.step.length, 0);
    const zoomRange = { x0: Math.floor(POINTS * 0.45), x1: Math.floor(POINTS * 0.55) };
    const zoom = [];
    for (let i = 0; i < 3; i++) {
      start = performance.now();
      comparison.history({ ...request, ...zoomRange });
      zoom.push(performance.now() - start);
    }
    const table = [];
    for (let i = 0; i < 3; i++) {
      start = performance.now();
      comparison.compare(ids);
      table.push(performance.now() - start);
    }

    start = performance.now();
    const peer = naive(store, ids, answer.x0, answer.x1);
    const peerMs = performance.now() - start;
    // Same extremes as the exact answer: the summaries lose no spike.
    const mismatched = answer.series.filter((series, index) => Math.max(...series.value) !== Math.max(...peer[index].map((p) => p.value))).length;

    const ferryMs = median(full);
    console.log(`  history of all ${answer.series.length} series at ${WIDTH} px (${kept.toLocaleString('en')} points kept): median ${ms(ferryMs)}, ${ms(ferryMs / answer.series.length)} per series`);
    console.log(`  zoom to 10% of the steps, same width: median ${ms(median(zoom))}`);
    console.log(`  compare table (parameters, reduced metrics, job facts of ${RUNS} runs): median ${ms(median(table))}`);
    console.log(`  peer: full history read + downsample in JS: ${ms(peerMs)} (once)  → Ferry is ${(peerMs / ferryMs).toFixed(0)}× faster`);
    if (mismatched > 0) console.log(`  WARNING: ${mismatched} series whose highest kept point differs from the exact downsampling`);
  } finally {
    store.close();
  }
}
