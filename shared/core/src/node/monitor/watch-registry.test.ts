import assert from 'node:assert/strict';
import { test } from 'node:test';
import { WatchRegistry } from './watch-registry.js';

test('watches are counted: the target is watched until the last one is released', () => {
  const changes: boolean[] = [];
  const watches = new WatchRegistry((watched) => changes.push(watched));
  const panel = watches.add('r-1', 'train');
  const terminal = watches.add('r-1', 'train');
  panel();
  panel(); // a second release of the same watch changes nothing
  assert.equal(watches.covers('r-1', 'train'), true, 'the terminal still follows it');
  terminal();
  assert.equal(watches.covers('r-1', 'train'), false);
  assert.deepEqual(changes, [true, false]);
});

test('a watch of a whole run covers each of its steps, and no other run', () => {
  const watches = new WatchRegistry(() => {});
  const release = watches.add('r-1');
  assert.deepEqual([watches.covers('r-1', 'prepare'), watches.covers('r-1', 'train'), watches.covers('r-2', 'train')], [true, true, false]);
  const step = watches.add('r-2', 'train');
  assert.deepEqual([watches.covers('r-2', 'train'), watches.covers('r-2', 'evaluate')], [true, false]);
  release();
  step();
  assert.equal(watches.watched, false);
});
