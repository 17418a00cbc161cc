import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isAtBottom, MAX_SCROLL_HEIGHT, scrollTopFor, scrollTopToReveal, visibleRows } from './viewport.js';

test('only the lines in view (and a few around) are rendered', () => {
  const g = { rowCount: 100_000, rowHeight: 20, viewportHeight: 400 };
  const rows = visibleRows(g, 20 * 5000, 5);
  assert.deepEqual([rows.first, rows.last], [4995, 5025]);
  assert.equal(rows.top, 4995 * 20);
  assert.equal(isAtBottom(g, 20 * 5000), false);
  assert.equal(isAtBottom(g, 100_000 * 20 - 400), true);
});

test('a log taller than a browser allows is scaled into the scroll range, both ends reachable', () => {
  const g = { rowCount: 3_300_000, rowHeight: 18, viewportHeight: 360 };
  const bottom = visibleRows(g, MAX_SCROLL_HEIGHT - 360, 0);
  assert.equal(bottom.scrollHeight, MAX_SCROLL_HEIGHT);
  assert.equal(bottom.last, 3_300_000);
  assert.equal(isAtBottom(g, MAX_SCROLL_HEIGHT - 360), true);
  const middle = scrollTopToReveal(g, 1_650_000);
  const shown = visibleRows(g, middle, 0);
  assert.ok(shown.first <= 1_650_000 && 1_650_000 < shown.last);
  assert.equal(scrollTopFor(g, -50), 0);
});
