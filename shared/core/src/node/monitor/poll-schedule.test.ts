import assert from 'node:assert/strict';
import { test } from 'node:test';
import { BackoffPollPolicy } from '../slurm/poll-policy.js';
import { PollSchedule, type PollKind } from './poll-schedule.js';

/** A schedule on a fake clock, with the Slurm policy without jitter (2 s, then ×1.5 per quiet poll, up to 60 s). */
function slurmLike(lightPolls = true) {
  const clock = { now: 0 };
  const schedule = new PollSchedule({
    intervalMs: 2_000,
    maxIntervalMs: 60_000,
    policy: new BackoffPollPolicy({ random: () => 0.5 }),
    watchedMs: 500,
    lightPolls,
    now: () => clock.now,
  });
  /** Runs the loop for `ms` of fake time, each poll taking no time; full polls see a change when `changed` says so. */
  const advance = (ms: number, changed: (atMs: number) => boolean = () => false, needsFull: (atMs: number) => boolean = () => false) => {
    const polls: Array<[number, PollKind]> = [];
    const end = clock.now + ms;
    for (;;) {
      const kind = schedule.kind();
      polls.push([clock.now, kind]);
      const wait = kind === 'full' ? schedule.afterFull(changed(clock.now)) : schedule.afterLight(needsFull(clock.now));
      if (clock.now + wait > end) {
        clock.now = end;
        return { polls, nextWaitMs: wait };
      }
      clock.now += wait;
    }
  };
  return { clock, schedule, advance };
}

const count = (polls: Array<[number, PollKind]>, kind: PollKind) => polls.filter(([, k]) => k === kind).length;

test('unwatched: only full polls, on the backoff rhythm (2 s after a change, then half again per quiet poll)', () => {
  const { advance } = slurmLike();
  const { polls } = advance(20_000, (at) => at === 0);
  assert.deepEqual(polls, [[0, 'full'], [2_000, 'full'], [5_000, 'full'], [9_500, 'full'], [16_250, 'full']]);
});

test('watched: light polls every 500 ms between full polls, which keep their backoff', () => {
  const { schedule, advance } = slurmLike();
  advance(60_000); // long quiet: full polls a minute apart by now
  schedule.watched = true;
  const { polls } = advance(120_000);
  assert.ok(polls.every((_poll, i) => i === 0 || polls[i]![0] - polls[i - 1]![0] <= 500), 'never more than 500 ms between polls');
  // The scheduler is asked no more often than unwatched: a couple of times in two minutes, the rest reads files.
  assert.ok(count(polls, 'full') <= 3, `full polls: ${count(polls, 'full')}`);
  assert.ok(count(polls, 'light') >= 200, `light polls: ${count(polls, 'light')}`);
});

test('a light poll that sees a step start or end brings the full poll forward to now', () => {
  const { schedule, advance } = slurmLike();
  advance(30_000);
  schedule.watched = true;
  assert.equal(schedule.kind(), 'light');
  assert.equal(schedule.afterLight(true), 0);
  assert.equal(schedule.kind(), 'full');
});

test('unwatched again: back to the backoff rhythm from where it was, no more light polls', () => {
  const { schedule, advance } = slurmLike();
  advance(40_000);
  schedule.watched = true;
  advance(10_000);
  schedule.watched = false;
  const { polls } = advance(120_000);
  assert.equal(count(polls, 'light'), 0);
  const gaps = polls.slice(1).map(([at], i) => at - polls[i]![0]);
  assert.ok(gaps.every((gap) => gap >= 20_000), `gaps: ${gaps.join(', ')}`);
});

test('a target without light polls gets full polls at the watched rhythm while watched', () => {
  const { schedule, advance } = slurmLike(false);
  advance(30_000);
  schedule.watched = true;
  const { polls } = advance(5_000);
  assert.equal(count(polls, 'light'), 0);
  assert.ok(count(polls, 'full') >= 10);
});

test('a wake restarts the backoff: a full poll now, then the short wait', () => {
  const { schedule, advance, clock } = slurmLike();
  advance(60_000);
  schedule.restart();
  assert.equal(schedule.kind(), 'full');
  assert.equal(schedule.waitMs(), 0);
  assert.equal(schedule.afterFull(false), 3_000);
  assert.equal(clock.now, 60_000);
});

test('without a policy: the interval after a change, doubling up to the maximum while quiet', () => {
  const clock = { now: 0 };
  const schedule = new PollSchedule({ intervalMs: 250, maxIntervalMs: 1_000, watchedMs: 500, lightPolls: false, now: () => clock.now });
  assert.deepEqual([schedule.afterFull(false), schedule.afterFull(false), schedule.afterFull(false), schedule.afterFull(true)], [500, 1_000, 1_000, 250]);
});
