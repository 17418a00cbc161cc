// `npm run bench`: Ferry's figures beside the peer measured in the same run,
// as ratios. Not a test: nothing here fails on a slow machine.
// `node scripts/bench.mjs [compile] [pipeline] [slurm] [compare] [compare-paint]` runs only those sections
// (`compare` includes `compare-paint`, the chart view's first paint in headless Chromium).
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { compileNotebookText, isFinalRunState } from '@ferry/core';
import { connect } from '@ferry/server';
import { benchCompare } from './bench/compare.mjs';
import { benchComparePaint } from './bench/compare-paint.mjs';
import { benchSlurm } from './bench/slurm.mjs';
import { code, median, ms, notebook } from './bench/stats.mjs';

const root = fileURLToPath(new URL('..', import.meta.url));
const python = join(root, '.venv/bin/python');
const work = mkdtempSync(join(tmpdir(), 'ferry-bench-'));
process.env.FERRY_HOME = join(work, 'home');
process.env.FERRY_PYTHON = python;
const REPEATS = Number(process.env.FERRY_BENCH_REPEATS ?? 5);

const SECTIONS = { compile: benchCompile, pipeline: benchPipeline, slurm: () => benchSlurm({ root, work }), compare: benchCompareAll, 'compare-paint': () => benchComparePaint({ root, work }) };

async function benchCompareAll() {
  await benchCompare({ work });
  await benchComparePaint({ root, work });
}

/** 1,000 cells: 20 steps of 50 cells, each using what the step before made. */
function largeNotebook() {
  const cells = [code('import math\nimport json', ['imports']), code('scale = 2  # factor\nname = "x"  # label', ['parameters'])];
  for (let step = 0; step < 20; step++) {
    for (let cell = 0; cell < 50 && cells.length < 1000; cell++) {
      const tags = cell === 0 ? [`step:s${step}`] : [];
      const input = step === 0 ? 'scale' : `v${step - 1}_49`;
      cells.push(code(`v${step}_${cell} = [math.sqrt(i) * ${input === 'scale' ? 'scale' : `len(${input})`} for i in range(${cell + 1})]\nif v${step}_${cell}:\n    total = sum(v${step}_${cell})`, tags));
    }
  }
  return notebook(cells);
}

function benchCompile() {
  const text = JSON.stringify(largeNotebook());
  for (let i = 0; i < 3; i++) compileNotebookText(text, 'large.ipynb'); // warm the JIT
  const times = [];
  for (let i = 0; i < 10; i++) {
    const start = performance.now();
    compileNotebookText(text, 'large.ipynb');
    times.push(performance.now() - start);
  }
  const cells = JSON.parse(text).cells.length;
  const value = median(times);
  console.log(`compile ${cells}-cell tagged notebook: median ${ms(value)} (goal ≤ 100 ms: ${value <= 100 ? 'met' : 'missed'})`);
}

/** Five trivial steps in a chain, the same notebook for Ferry and Papermill. */
function fiveStepNotebook() {
  const cells = [code('n = 3  # a parameter', ['parameters'])];
  for (let step = 0; step < 5; step++) {
    const input = step === 0 ? 'n' : `x${step - 1}`;
    cells.push(code(`x${step} = ${input} + 1\nprint("step ${step}", x${step})`, [`step:s${step}`]));
  }
  return notebook(cells);
}

async function ferryWall(client, file, mode) {
  const start = performance.now();
  const run = await client.submit({ notebookPath: file, mode, parameters: { n: 4 } });
  for (;;) {
    const current = await client.run(run.id);
    if (isFinalRunState(current.state)) {
      if (current.state !== 'succeeded') throw new Error(`bench run ${run.id} ${current.state}`);
      return performance.now() - start;
    }
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

function papermillWall(file) {
  const out = join(work, 'papermill-out.ipynb');
  const start = performance.now();
  const result = spawnSync(python, ['-m', 'papermill', '--no-progress-bar', '-p', 'n', '4', file, out], { encoding: 'utf8' });
  if (result.status !== 0) throw new Error(`papermill failed: ${result.stderr}`);
  return performance.now() - start;
}

async function benchPipeline() {
  const file = join(work, 'five_steps.ipynb');
  writeFileSync(file, JSON.stringify(fiveStepNotebook()));
  execFileSync(python, ['-c', 'import papermill'], { stdio: 'inherit' });
  const client = await connect();
  await ferryWall(client, file, 'script'); // warm: server, page cache, Python bytecode
  papermillWall(file);
  const rows = { script: [], notebook: [], papermill: [] };
  for (let i = 0; i < REPEATS; i++) {
    rows.script.push(await ferryWall(client, file, 'script'));
    rows.notebook.push(await ferryWall(client, file, 'notebook'));
    rows.papermill.push(papermillWall(file));
  }
  const peer = median(rows.papermill);
  console.log(`5-step trivial pipeline, median of ${REPEATS} (Papermill runs the same notebook in one kernel):`);
  console.log(`  papermill            ${ms(peer)}`);
  for (const mode of ['script', 'notebook']) {
    const value = median(rows[mode]);
    const ratio = value / peer;
    console.log(`  ferry ${mode.padEnd(8)}       ${ms(value)}  = ${ratio.toFixed(2)}× Papermill (goal ≤ 0.5×: ${ratio <= 0.5 ? 'met' : 'missed'})`);
  }
}

const chosen = process.argv.slice(2);
try {
  const unknown = chosen.filter((name) => !(name in SECTIONS));
  if (unknown.length > 0) throw new Error(`unknown bench section ${unknown.join(', ')}; sections: ${Object.keys(SECTIONS).join(', ')}`);
  for (const name of chosen.length > 0 ? chosen : Object.keys(SECTIONS)) await SECTIONS[name]();
} finally {
  spawnSync(process.execPath, [join(root, 'server/bin/ferry.js'), 'server', 'stop'], { stdio: 'ignore', env: process.env });
  rmSync(work, { recursive: true, force: true });
}
