import assert from 'node:assert/strict';
import { test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { waitFor } from '../testing.js';
import { PollLoop, type TickResult } from './poll-loop.js';

function probeLoop(results: () => TickResult, tickMs = 0) {
  const stats = { ticks: 0, running: 0, maxRunning: 0, errors: 0 };
  const loop = new PollLoop(
    async () => {
      stats.ticks++;
      stats.running++;
      stats.maxRunning = Math.max(stats.maxRunning, stats.running);
      await sleep(tickMs);
      stats.running--;
      return results();
    },
    { intervalMs: 5, maxIntervalMs: 20, onError: () => stats.errors++ },
  );
  return { loop, stats };
}

test('polls never overlap, even when woken during a slow poll', async () => {
  const { loop, stats } = probeLoop(() => ({ active: true, changed: true }), 30);
  loop.wake();
  for (let i = 0; i < 10; i++) {
    loop.wake();
    await sleep(5);
  }
  await waitFor('a few polls', () => stats.ticks >= 4);
  await loop.stop();
  assert.equal(stats.maxRunning, 1);
});

test('with nothing active it sleeps until woken', async () => {
  const { loop, stats } = probeLoop(() => ({ active: false, changed: false }));
  loop.wake();
  await waitFor('the first poll', () => stats.ticks === 1 && stats.running === 0);
  await sleep(60);
  assert.equal(stats.ticks, 1);
  loop.wake();
  await waitFor('the poll after wake()', () => stats.ticks === 2);
  await loop.stop();
});

test('a failing poll is reported and retried', async () => {
  let calls = 0;
  const errors: unknown[] = [];
  const loop = new PollLoop(
    async () => {
      if (++calls < 3) throw new Error('unreachable');
      return { active: false, changed: false };
    },
    { intervalMs: 5, maxIntervalMs: 20, onError: (error) => errors.push(error) },
  );
  loop.wake();
  await waitFor('the third poll', () => calls === 3);
  await loop.stop();
  assert.equal(errors.length, 2);
});

test('stop() waits for the poll in flight and no poll follows', async () => {
  const { loop, stats } = probeLoop(() => ({ active: true, changed: true }), 20);
  loop.wake();
  await waitFor('a poll in flight', () => stats.running === 1);
  await loop.stop();
  const ticks = stats.ticks;
  assert.equal(stats.running, 0);
  await sleep(40);
  assert.equal(stats.ticks, ticks);
});

test("a target's poll policy sets the wait after each poll", async () => {
  const asked: [number, boolean][] = [];
  let ticks = 0;
  const loop = new PollLoop(async () => ({ active: ++ticks < 4, changed: ticks === 1 }), {
    intervalMs: 5,
    maxIntervalMs: 20,
    policy: { nextDelayMs: (previousMs, changed) => (asked.push([previousMs, changed]), previousMs + 1) },
    onError: () => {},
  });
  loop.wake();
  await waitFor('four polls', () => ticks === 4);
  await loop.stop();
  assert.deepEqual(asked, [[5, true], [6, false], [7, false]]);
});

test('watching switches a quiet loop to light polls at once, and unwatching switches them off', async () => {
  let full = 0;
  let light = 0;
  const loop = new PollLoop(async () => (full++, { active: true, changed: false }), {
    intervalMs: 5,
    maxIntervalMs: 20,
    policy: { nextDelayMs: () => 60_000, watchedMs: 5 },
    light: async () => (light++, { needsFullPoll: false }),
    onError: () => {},
  });
  loop.wake();
  await waitFor('the first full poll', () => full === 1);
  loop.setWatched(true); // the 60 s wait under way is cut short
  await waitFor('a few light polls', () => light >= 3);
  loop.setWatched(false);
  const lightWhenUnwatched = light;
  await sleep(50);
  await loop.stop();
  assert.ok(light <= lightWhenUnwatched + 1, 'at most the light poll in flight finished after unwatching');
  assert.equal(full, 1, 'the full polls kept their backoff');
});

test('a light poll that asks for a full one gets it next', async () => {
  const polls: string[] = [];
  const loop = new PollLoop(async () => (polls.push('full'), { active: true, changed: false }), {
    intervalMs: 5,
    maxIntervalMs: 20,
    policy: { nextDelayMs: () => 60_000, watchedMs: 5 },
    light: async () => ({ needsFullPoll: polls.push('light') === 3 }),
    onError: () => {},
  });
  loop.wake();
  await waitFor('the first full poll', () => polls.length === 1);
  loop.setWatched(true);
  await waitFor('the full poll the second light poll asked for', () => polls.filter((kind) => kind === 'full').length === 2);
  await loop.stop();
  assert.deepEqual(polls.slice(0, 4), ['full', 'light', 'light', 'full']);
});
