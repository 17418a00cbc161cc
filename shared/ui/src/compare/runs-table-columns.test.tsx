import '../testing/dom.js';
import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, test } from 'node:test';
import type { CompareResponse, ComparedRun } from '@ferry/core';
import { setViewportHeight } from '../testing/dom.js';
import { render, TestHost, user, type RenderedView } from '../testing/view-harness.js';
import { CompareView } from './CompareView.js';
import { sweepComparison } from '../testing/compare-fixtures.js';
import { COLUMN_WIDTH } from './virtual-columns.js';

let host: TestHost;
let view: RenderedView;
const $ = (selector: string) => view.container.querySelector<HTMLElement>(selector)!;
const $$ = (selector: string) => [...view.container.querySelectorAll<HTMLElement>(selector)];
const headers = () => $$('.ferry-compare-table thead tr:first-child th[data-column]').map((th) => th.dataset.column!);
const rowOrder = () => $$('.ferry-compare-table tr[data-run]').map((row) => row.dataset.run);
const scrollTo = (left: number) =>
  user(() => {
    const scroller = $('.ferry-compare-scroller');
    scroller.scrollLeft = left;
    scroller.dispatchEvent(new Event('scroll'));
  });

/** Six runs with 300 parameters each: p<i> is i for every run but the last, whose value orders the runs backwards. */
function wideComparison(): CompareResponse {
  const compare = sweepComparison();
  const template = compare.runs[0]!;
  const names = Array.from({ length: 300 }, (_, i) => `p${i}`);
  compare.runs = Array.from({ length: 6 }, (_, r): ComparedRun => ({
    ...template,
    id: `r-${r}`,
    parameters: { ...Object.fromEntries(names.map((name, i) => [name, i])), p299: 10 - r },
  }));
  compare.parameters = names;
  compare.differingParameters = ['p299'];
  return compare;
}

beforeEach(() => {
  setViewportHeight(400);
  host = new TestHost();
  view = render(<CompareView host={host} />);
  host.send({ type: 'compare/init', compare: wideComparison() });
  user(() => $('.ferry-compare-all-parameters').click());
});
afterEach(() => view.unmount());

describe('a runs table with many columns', () => {
  test('draws only the columns in view, and the run column and the pinned base run in every state', () => {
    const columns = headers();
    assert.ok(columns.length < 30, `${columns.length} column headers in the DOM, of 300 and more`);
    assert.equal(columns[0], 'parameter:p0');
    const cells = $$('.ferry-compare-table td[data-column]').length;
    assert.ok(cells < 30 * rowOrder().length, `${cells} cells for ${rowOrder().length} rows`);
    assert.ok($('.ferry-compare-table thead tr.ferry-compare-base[data-run="r-0"] th.ferry-compare-run'), 'the base run is pinned with its name cell');

    scrollTo(200 * COLUMN_WIDTH);
    const scrolled = headers();
    assert.ok(scrolled.includes('parameter:p200'), `the columns scrolled to are drawn: ${scrolled[0]}…${scrolled.at(-1)}`);
    assert.ok(!scrolled.includes('parameter:p0'), 'the columns scrolled past are not');
    assert.ok(scrolled.length < 30);
    assert.equal($('tr[data-run="r-3"] td[data-column="parameter:p200"]').textContent, '200', 'the rows show the same columns');
    for (const row of $$('.ferry-compare-table tr[data-run]')) assert.ok(row.querySelector('th.ferry-compare-run'), `row ${row.dataset.run} keeps its run cell`);
    assert.ok($('.ferry-compare-table thead tr.ferry-compare-base[data-run="r-0"]'), 'the base run is still pinned');

    // Every row has as many cells as the header: spacers stand in for the columns left out.
    const widths = $$('.ferry-compare-table tr[data-run], .ferry-compare-table thead tr:first-child').map((row) => row.children.length);
    assert.equal(new Set(widths).size, 1, `cells per row: ${widths.join(', ')}`);
  });

  test('sorting by a column scrolled to still orders the rows', () => {
    scrollTo(298 * COLUMN_WIDTH);
    assert.ok(headers().includes('parameter:p299'), 'the last parameter is in view');
    assert.deepEqual(rowOrder(), ['r-0', 'r-1', 'r-2', 'r-3', 'r-4', 'r-5']);
    user(() => $('th[data-column="parameter:p299"] .ferry-compare-sort').click());
    assert.deepEqual(rowOrder(), ['r-0', 'r-5', 'r-4', 'r-3', 'r-2', 'r-1'], 'ascending p299, the base run first');
    assert.equal($('th[data-column="parameter:p299"]').getAttribute('aria-sort'), 'ascending');
  });

  test('with few columns every one is drawn', () => {
    user(() => $('.ferry-compare-all-parameters').click());
    assert.deepEqual(headers().filter((key) => key.startsWith('parameter:')), ['parameter:p299']);
    assert.ok(headers().includes('fact:durationSeconds'));
    assert.equal($$('.ferry-compare-column-spacer').length, 0);
  });
});
