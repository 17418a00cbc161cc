import assert from 'node:assert/strict';
import { test } from 'node:test';
import { BackoffPollPolicy } from './poll-policy.js';

test('2 s while things change; then half again per quiet poll, with jitter, up to a minute', () => {
  const middle = new BackoffPollPolicy({ random: () => 0.5 }); // no jitter
  assert.equal(middle.nextDelayMs(60_000, true), 2_000);
  const waits: number[] = [];
  for (let wait = 250, i = 0; i < 12; i++) waits.push((wait = middle.nextDelayMs(wait, false)));
  assert.deepEqual(waits.slice(0, 4), [3_000, 4_500, 6_750, 10_125]);
  assert.equal(waits.at(-1), 60_000);
  const low = new BackoffPollPolicy({ random: () => 0 });
  const high = new BackoffPollPolicy({ random: () => 0.999 });
  assert.deepEqual([low.nextDelayMs(10_000, false), high.nextDelayMs(10_000, false)], [12_000, 17_994]);
  assert.equal(low.nextDelayMs(0, false), 2_400, 'never below the base wait before jitter');
  assert.equal(high.nextDelayMs(59_000, false), 60_000, 'never above the cap');
});
