// Log latency of a watched Slurm step: a job prints a line stamped with the
// time every 200 ms; each line's latency is when a client following the log
// through Ferry's server API received it, minus that stamp. Measured the way
// every client watches a log (the server's log stream), so whatever makes
// that path faster shows here. Beside it, in the same run and on the same
// file, the naive peer: `ssh HOST tail -f LOG`. The cluster runs on this
// machine, so both ends read the same clock.
import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, posix } from 'node:path';
import { createInterface } from 'node:readline';
import { connect } from '@ferry/server';
import { shellQuote } from '@ferry/core/node';
import { slurmTargetConfig, sshArgs } from './slurm-cluster.mjs';
import { code, notebook, percentile } from './stats.mjs';

const TICK_SECONDS = 0.2;
const TICKS = 100;
const STEP = 'ticker';
const TARGET = 'cluster';

function tickerNotebook() {
  const source = [
    'import time',
    `for i in range(${TICKS}):`,
    '    print("tick", i, "%.3f" % time.time(), flush=True)',
    `    time.sleep(${TICK_SECONDS})`,
  ].join('\n');
  return notebook([code(source, [`step:${STEP}`])]);
}

/** Latencies (ms) of `tick I STAMP` lines, measured as each line arrives. */
class TickLatencies {
  values = [];
  partial = '';

  /** A chunk of text (any cut); complete lines are timed now. */
  push(text) {
    const now = Date.now();
    const lines = (this.partial + text).split('\n');
    this.partial = lines.pop();
    for (const line of lines) this.line(line, now);
  }

  line(line, now) {
    const match = /^tick \d+ (\d+\.\d+)$/.exec(line.trim());
    if (match) this.values.push(now - Number(match[1]) * 1000);
  }

  summary() {
    return { lines: this.values.length, p50Ms: percentile(this.values, 0.5), p90Ms: percentile(this.values, 0.9) };
  }
}

/**
 * The naive peer: wait on the cluster for the log to appear, then `tail -f`
 * it over the ssh CLI (inotify: lines arrive as they are written). Ends by
 * itself on the cluster after `seconds`.
 */
function tailOverSsh(cluster, logFile, seconds, latencies) {
  const file = shellQuote(logFile);
  const command = `exec timeout ${Math.ceil(seconds)} bash -c ${shellQuote(`until [ -e ${file} ]; do sleep 0.1; done; exec tail -n +1 -f ${file}`)} 2>/dev/null`;
  const child = spawn('ssh', sshArgs(cluster, command), { stdio: ['ignore', 'pipe', 'ignore'] });
  createInterface({ input: child.stdout }).on('line', (line) => latencies.line(line, Date.now()));
  return child;
}

/**
 * A Ferry server of its own (its own FERRY_HOME holding a config with the
 * cluster as target "cluster"), so this section does not depend on the
 * config of the server the other benchmarks use.
 */
async function withServer(home, cluster, body) {
  mkdirSync(home, { recursive: true, mode: 0o700 });
  writeFileSync(join(home, 'config.json'), JSON.stringify({ targets: { [TARGET]: slurmTargetConfig(cluster) } }, null, 2));
  const previous = process.env.FERRY_HOME;
  process.env.FERRY_HOME = home; // the server starts with this environment
  try {
    return await body(await connect());
  } finally {
    spawnSync(process.execPath, [join(import.meta.dirname, '../../server/bin/ferry.js'), 'server', 'stop'], { stdio: 'ignore', env: process.env });
    if (previous === undefined) delete process.env.FERRY_HOME;
    else process.env.FERRY_HOME = previous;
  }
}

export async function benchLogLatency(cluster, { work, leftovers }) {
  const file = join(work, 'ticker.ipynb');
  writeFileSync(file, JSON.stringify(tickerNotebook()));
  return withServer(join(work, 'slurm-home'), cluster, async (client) => {
    const run = await client.submit({ notebookPath: file, target: TARGET, mode: 'script' });
    leftovers.runDirs.push(run.runDir);
    const ferry = new TickLatencies();
    const naive = new TickLatencies();
    const tail = tailOverSsh(cluster, posix.join(run.runDir, 'steps', STEP, 'log.txt'), TICKS * TICK_SECONDS + 120, naive);
    let state;
    try {
      for await (const event of client.followLog(run.id, STEP, 0)) {
        if (event.type === 'log') ferry.push(event.chunk.data);
        else state = event.state;
      }
    } finally {
      tail.kill();
      const final = await client.run(run.id);
      leftovers.jobIds.push(...final.steps.map((step) => step.jobId).filter(Boolean));
    }
    if (state !== 'succeeded') throw new Error(`the ticker step ended ${state}`);
    return { ticks: TICKS, tickMs: TICK_SECONDS * 1000, ferry: ferry.summary(), naive: naive.summary(), goal: { p50Ms: 1000 } };
  });
}
