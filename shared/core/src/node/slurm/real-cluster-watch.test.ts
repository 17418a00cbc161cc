/**
 * A step's log followed live on the dev Slurm cluster: while a client watches
 * it, the monitor adds light polls (the step's files only, no squeue/sacct)
 * between its full polls, and every line arrives once, in order; when the
 * client stops watching, the light polls stop. The rhythm is checked by
 * counting polls, never by wall times; the latency is reported, not asserted.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { RunEngine } from '../engine.js';
import type { PollEvent } from '../events.js';
import { pipeline, stepOf, testHome, waitFor, waitForFinalRun, type TestHome } from '../testing.js';
import { cleanUpRuns, followLog, lineNumbers, openClusterEngine, skipWithoutCluster, slurmTarget, type LogArrival } from './real-cluster-testing.js';

const LINES = 60;

describe('a watched step on the dev cluster', { skip: skipWithoutCluster }, () => {
  let home: TestHome;
  let engine: RunEngine;

  before(async () => {
    home = testHome();
    // Production's shape (2 s, then backing off) with a lower ceiling, so the unwatched phases do not wait a minute.
    engine = await openClusterEngine(home, { slurm: slurmTarget() }, { poll: { minMs: 2_000, maxMs: 10_000 } });
  });

  after(async () => {
    const runs = await engine.listRuns({ limit: 10 });
    await engine.close();
    cleanUpRuns(runs);
    home.cleanup();
  });

  test('lines arrive complete and in order; light polls only while watched', async (t) => {
    const polls: Array<PollEvent & { phase: string }> = [];
    let phase = 'unwatched';
    engine.on('poll', (event) => polls.push({ ...event, phase }));
    const spec = pipeline('watched', [
      { name: 'talk', code: `for i in range(${LINES}):\n    print(f"line {i} t={time.time():.3f}", flush=True)\n    time.sleep(0.25)` },
    ]);
    const run = await engine.submit({ notebookPath: home.notebookPath, spec, target: 'slurm', mode: 'script', parameters: {} });

    const follower = followLog(engine, run.id, 'talk', { watch: false });
    await waitFor('line 5, unwatched', () => lineNumbers(follower.arrivals).some((n) => n >= 5), 60_000);
    const unwatch = engine.watch(run.id, 'talk');
    phase = 'watched';
    const watchedFrom = follower.arrivals.length;
    await waitFor(`line ${LINES - 20}, watched`, () => lineNumbers(follower.arrivals).some((n) => n >= LINES - 20), 60_000);
    unwatch();
    phase = 'unwatched again';
    const watchedTo = follower.arrivals.length;
    const done = await waitForFinalRun(engine, run.id, 90_000);
    await follower.drain();
    follower.stop();

    assert.equal(stepOf(done, 'talk').state, 'succeeded', JSON.stringify(done.steps));
    assert.deepEqual(lineNumbers(follower.arrivals), Array.from({ length: LINES }, (_, i) => i), 'every line once, in order');

    const count = (when: string, kind: PollEvent['kind']) => polls.filter((poll) => poll.phase === when && poll.kind === kind).length;
    assert.equal(count('unwatched', 'light'), 0, 'no light polls before anyone watched');
    assert.ok(count('watched', 'light') >= 5, `light polls while watched: ${count('watched', 'light')}`);
    assert.ok(count('watched', 'light') > count('watched', 'full'), `light ${count('watched', 'light')} vs full ${count('watched', 'full')} polls while watched`);
    assert.ok(count('unwatched again', 'light') <= 1, `light polls after the watch ended: ${count('unwatched again', 'light')} (at most the one in flight)`);

    const p50 = (arrivals: LogArrival[]) => {
      const delays = arrivals.flatMap(({ line, atMs }) => {
        const printed = /t=(\d+\.\d+)/.exec(line);
        return printed ? [atMs - Number(printed[1]) * 1000] : [];
      }).sort((a, b) => a - b);
      return Math.round(delays[Math.floor(delays.length / 2)] ?? NaN);
    };
    // Same machine, same clock: print-to-read delays (a measurement, not an assertion).
    t.diagnostic(`print→read p50: watched ${p50(follower.arrivals.slice(watchedFrom + 2, watchedTo))} ms, unwatched ${p50(follower.arrivals.slice(0, watchedFrom))} ms`);
    t.diagnostic(`polls: ${['unwatched', 'watched', 'unwatched again'].map((when) => `${when} ${count(when, 'full')} full/${count(when, 'light')} light`).join('; ')}`);
  });
});
