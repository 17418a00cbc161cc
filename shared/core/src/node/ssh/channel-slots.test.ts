import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ChannelSlots } from './channel-slots.js';
import { reconnectDelayMs } from './reconnect-backoff.js';

test('slots: at most the limit at once, the rest in order of arrival', async () => {
  const slots = new ChannelSlots(2);
  const order: number[] = [];
  const first = await slots.acquire();
  const second = await slots.acquire();
  const waiting = [3, 4].map((n) => slots.acquire().then((release) => (order.push(n), release)));
  assert.equal(slots.active, 2);
  assert.equal(slots.queued, 2);
  first();
  first(); // releasing twice frees one slot only
  const third = await waiting[0]!;
  assert.deepEqual(order, [3]);
  assert.equal(slots.queued, 1);
  second();
  (await waiting[1]!)();
  third();
  assert.deepEqual(order, [3, 4]);
  assert.equal(slots.active, 0);
});

test('slots: an aborted wait leaves the queue; a lower server limit is respected', async () => {
  const slots = new ChannelSlots(3);
  const held = await Promise.all([slots.acquire(), slots.acquire()]);
  slots.lowerLimitTo(2);
  const controller = new AbortController();
  const aborted = slots.acquire(controller.signal);
  controller.abort(new Error('gave up'));
  await assert.rejects(aborted, /gave up/);
  assert.equal(slots.queued, 0);
  const later = slots.acquire();
  assert.equal(slots.queued, 1, 'the limit is now 2');
  held[0]!();
  (await later)();
  assert.equal(slots.max, 2);
});

test('backoff doubles from 1 s to at most 30 s, with jitter in the upper half', () => {
  const low = () => 0;
  const high = () => 1;
  assert.equal(reconnectDelayMs(0), 0);
  assert.deepEqual([1, 2, 3, 4, 5, 6, 7].map((n) => reconnectDelayMs(n, undefined, high)), [1_000, 2_000, 4_000, 8_000, 16_000, 30_000, 30_000]);
  assert.deepEqual([1, 2, 6].map((n) => reconnectDelayMs(n, undefined, low)), [500, 1_000, 15_000]);
});
