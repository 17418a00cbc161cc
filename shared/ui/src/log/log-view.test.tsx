import { setViewportHeight } from '../testing/dom.js';
import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, test } from 'node:test';
import type { LogChunk } from '@ferry/core';
import { render, TestHost, typeInto, user, type RenderedView } from '../testing/view-harness.js';
import { LogView } from './LogView.js';

const ROW = 18; // the row height the view uses where nothing is laid out
const VIEWPORT = 360; // 20 rows

/** A log held by the "host": served in byte ranges, as the server's log endpoint does. */
function hostedLog(text: string) {
  const size = text.length; // ASCII: one byte per character
  return {
    size,
    range: (offset: number, end = size): LogChunk => ({ offset, nextOffset: end, size, data: text.slice(offset, end) }),
  };
}

const numbered = (count: number, from = 0) => Array.from({ length: count }, (_, i) => `line ${from + i}\n`).join('');

let host: TestHost;
let view: RenderedView;
const $ = <T extends Element = HTMLElement>(selector: string) => view.container.querySelector<T>(selector)!;
const rows = () => [...view.container.querySelectorAll('.ferry-log-rows > .ferry-log-line')];
const rowTexts = () => rows().map((row) => row.textContent);
const scroller = () => $<HTMLDivElement>('.ferry-log-scroller');
const followButton = () => $<HTMLButtonElement>('button[aria-pressed]');
const scrollBy = (top: number) =>
  user(() => {
    scroller().scrollTop = top;
    scroller().dispatchEvent(new Event('scroll'));
  });

beforeEach(() => {
  setViewportHeight(VIEWPORT);
  host = new TestHost();
  view = render(<LogView host={host} />);
});
afterEach(() => view.unmount());

describe('log view', () => {
  test('says ready, shows the tail it is given and streams what follows', () => {
    assert.deepEqual(host.posted, [{ type: 'ready', view: 'log', protocol: 1 }]);
    const log = hostedLog(numbered(3));
    host.send({ type: 'log/init', runId: 'r1', step: 'train', chunk: log.range(0), finished: false });
    assert.deepEqual(rowTexts(), ['line 0', 'line 1', 'line 2']);
    host.send({ type: 'log/append', chunk: { offset: log.size, nextOffset: log.size + 9, size: log.size + 9, data: 'epoch 1: ' } });
    host.send({ type: 'log/append', chunk: { offset: log.size + 9, nextOffset: log.size + 17, size: log.size + 17, data: 'loss 0.5' } });
    assert.equal(rowTexts().at(-1), 'epoch 1: loss 0.5', 'a line still being written shows as it grows');
    host.send({ type: 'log/end', state: 'succeeded' });
    assert.match($('.ferry-log-title').textContent!, /train · succeeded/);
  });

  test('follows the end, pauses when the user scrolls up, and follows again on request', () => {
    const log = hostedLog(numbered(1000));
    host.send({ type: 'log/init', runId: 'r1', step: 'train', chunk: log.range(0), finished: false });
    assert.equal(followButton().getAttribute('aria-pressed'), 'true');
    assert.equal(rowTexts().at(-1), 'line 999', 'the end is in view');

    scrollBy(100 * ROW);
    assert.equal(followButton().getAttribute('aria-pressed'), 'false', 'scrolling up pauses');
    host.send({ type: 'log/append', chunk: { offset: log.size, nextOffset: log.size + 9, size: log.size + 9, data: 'new line\n' } });
    assert.equal(scroller().scrollTop, 100 * ROW, 'new output does not pull the view away');
    assert.ok(rowTexts().includes('line 105'));
    assert.ok(!rowTexts().includes('new line'));

    user(() => followButton().click());
    assert.equal(followButton().getAttribute('aria-pressed'), 'true');
    assert.equal(rowTexts().at(-1), 'new line', 'following again jumps to the end');
  });

  test('a 100 MB log keeps the DOM small and pages earlier output in when the user reaches the top', () => {
    const lineCount = 1_048_576; // lines of 100 bytes: 100 MiB
    const line = (i: number) => `step ${String(i).padStart(9, '0')} ${'x'.repeat(84)}\n`;
    const size = lineCount * 100;
    const range = (offset: number, end: number): LogChunk => {
      let data = '';
      for (let i = Math.floor(offset / 100); i * 100 < end; i++) data += line(i);
      const skip = offset % 100;
      return { offset, nextOffset: end, size, data: data.slice(skip, skip + end - offset) };
    };
    const TAIL = 256 * 1024;
    host.send({ type: 'log/init', runId: 'r1', step: 'train', chunk: range(size - TAIL, size), finished: false });

    assert.ok(rows().length <= 40, `${rows().length} rows in the DOM`);
    assert.match(rowTexts().at(-1)!, /^step 001048575 x+$/);
    assert.match($('.ferry-log-earlier').textContent!, /99\.8 MB earlier/);
    assert.equal(host.posted.length, 1, 'nothing more is asked while the end is in view');

    scrollBy(0);
    const ask = host.posted.at(-1)!;
    assert.deepEqual(ask, { type: 'log/loadEarlier', before: size - TAIL });
    const topBefore = rowTexts()[0]!; // the tail starts inside a line: this is its end
    host.send({ type: 'log/page', chunk: range(size - 2 * TAIL, size - TAIL) });

    assert.ok(rows().length <= 40, `${rows().length} rows in the DOM after a page`);
    const whole = rowTexts().find((text) => text!.endsWith(topBefore) && text !== topBefore);
    assert.ok(whole && /^step \d{9} x+$/.test(whole), 'the cut line is whole now and still in view');
    assert.match($('.ferry-log-earlier').textContent!, /99\.5 MB earlier/);
  });

  test('ANSI colours become classes and styles, and markup in a log stays text', () => {
    const data = '\x1b[31mERROR\x1b[0m disk full\n\x1b[38;2;255;128;0morange\x1b[0m <img src=x onerror="alert(1)"><b>not bold</b>\n';
    host.send({ type: 'log/init', runId: 'r1', step: 'train', chunk: { offset: 0, nextOffset: data.length, size: data.length, data }, finished: true });
    const red = $('.ferry-ansi-fg-1');
    assert.equal(red.textContent, 'ERROR');
    assert.equal(rowTexts()[0], 'ERROR disk full', 'no escape codes show');
    const orange = [...view.container.querySelectorAll<HTMLElement>('.ferry-log-line span')].find((s) => s.textContent === 'orange')!;
    const expected = document.createElement('span');
    expected.style.color = '#ff8000'; // 38;2;255;128;0, compared as this DOM writes colours
    assert.equal(orange.style.color, expected.style.color);
    assert.equal(view.container.querySelector('img, b'), null);
    assert.match(rowTexts()[1]!, /<b>not bold<\/b>/);
  });

  test('search highlights matches and steps through them, pausing the follow', () => {
    const log = hostedLog(numbered(500).replace('line 250\n', 'loss diverged\n').replace('line 20\n', 'LOSS warning\n'));
    host.send({ type: 'log/init', runId: 'r1', step: 'train', chunk: log.range(0), finished: false });
    typeInto($<HTMLInputElement>('input[type=search]'), 'loss');
    assert.equal($('.ferry-log-match-count').textContent, '1 of 2');

    user(() => $<HTMLButtonElement>('button[aria-label="Next match"]').click());
    assert.equal($('.ferry-log-match-count').textContent, '2 of 2');
    assert.equal($('.ferry-log-match-current').textContent, 'loss');
    assert.ok(rowTexts().includes('loss diverged'), 'the match is scrolled into view');
    assert.equal(followButton().getAttribute('aria-pressed'), 'false');

    user(() => $<HTMLButtonElement>('button[aria-label="Next match"]').click());
    assert.equal($('.ferry-log-match-count').textContent, '1 of 2', 'next wraps around');
    assert.equal($('.ferry-log-match-current').textContent, 'LOSS');

    typeInto($<HTMLInputElement>('input[type=search]'), 'no such text');
    assert.equal($('.ferry-log-match-count').textContent, 'No results');
  });

  test('malformed messages are ignored and host errors show in place', () => {
    host.send({ type: 'log/append', chunk: { offset: 'zero', data: '<script>' } });
    host.send({ type: 'log/init', runId: 'r1' });
    assert.equal(rows().length, 0);
    host.send({ type: 'error', message: 'The Ferry server stopped.' });
    assert.equal($('[role=alert]').textContent, 'The Ferry server stopped.');
  });

  test('unmounting stops listening to the host', () => {
    assert.equal(host.listening, 1);
    view.unmount();
    assert.equal(host.listening, 0);
    view = render(<div />);
  });
});
