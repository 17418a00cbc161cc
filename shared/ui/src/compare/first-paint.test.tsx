/** The compare view's first paint holds the charts in sight; those below the fold follow a moment later. */
import '../testing/dom.js';
import assert from 'node:assert/strict';
import { afterEach, beforeEach, test } from 'node:test';
import { act } from 'react';
import { setTimeout as sleep } from 'node:timers/promises';
import type { CompareHistoryRequestMessage } from '@ferry/core';
import { sweepComparison, sweepHistory } from '../testing/compare-fixtures.js';
import { render, TestHost, type RenderedView } from '../testing/view-harness.js';
import { CompareView } from './CompareView.js';

let host: TestHost;
let view: RenderedView;
const realRect = Element.prototype.getBoundingClientRect;
const drawn = () => [...view.container.querySelectorAll<HTMLElement>('.ferry-chart[data-metric]')].map((chart) => chart.dataset.metric);
const waiting = () => [...view.container.querySelectorAll<HTMLElement>('.ferry-chart-pending')].map((chart) => chart.dataset.pendingMetric);

beforeEach(() => {
  // A page laid out with the first chart card on screen and the second one a screen below (happy-dom lays nothing out).
  Element.prototype.getBoundingClientRect = function rect(this: Element) {
    const card = this.closest('.ferry-chart-card');
    const index = card ? [...card.parentElement!.children].indexOf(card) : 0;
    const top = index === 0 ? 300 : window.innerHeight + 400;
    return { top, bottom: top + 260, left: 0, right: 800, width: 800, height: 260, x: 0, y: top, toJSON: () => ({}) } as DOMRect;
  };
  host = new TestHost();
  view = render(<CompareView host={host} />);
});
afterEach(() => {
  view.unmount();
  Element.prototype.getBoundingClientRect = realRect;
});

test('the chart in sight is drawn at once, the one below the fold stands as its title until a moment later', async () => {
  host.send({ type: 'compare/init', compare: sweepComparison() });
  const request = host.posted.filter((m): m is CompareHistoryRequestMessage => m.type === 'compare/history').at(-1)!;
  host.send({ type: 'compare/history', request: request.request, history: sweepHistory() });
  assert.deepEqual(drawn(), ['loss']);
  assert.deepEqual(waiting(), ['accuracy']);
  assert.equal(view.container.querySelectorAll('.uplot').length, 1);
  await act(() => sleep(200));
  assert.deepEqual(drawn(), ['loss', 'accuracy'], 'drawn without scrolling to it');
  assert.deepEqual(waiting(), []);
});
