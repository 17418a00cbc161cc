import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { LogChunk } from '@ferry/core';
import { LogLineStore } from './line-store.js';
import { LogSearch } from './search.js';

const encoder = new TextEncoder();

/** Cuts `text` into chunks at the given byte positions, as the server would send them. */
function chunksOf(text: string, cuts: number[], base = 0): LogChunk[] {
  const bytes = encoder.encode(text);
  const edges = [0, ...cuts, bytes.length];
  const decoder = new TextDecoder();
  return edges.slice(1).map((end, i) => ({
    offset: base + edges[i]!,
    nextOffset: base + end,
    size: base + bytes.length,
    data: decoder.decode(bytes.subarray(edges[i]!, end), { stream: true }),
  }));
}

const allLines = (store: LogLineStore) => Array.from({ length: store.lineCount }, (_, i) => store.line(i));

describe('log line store', () => {
  test('lines cut across chunks come out whole, the last one while it is written', () => {
    const store = new LogLineStore();
    store.appendChunk({ offset: 0, nextOffset: 9, size: 9, data: 'first\nsec' });
    assert.deepEqual(allLines(store), ['first', 'sec']);
    store.appendChunk({ offset: 9, nextOffset: 20, size: 20, data: 'ond\r\nthird\n' });
    assert.deepEqual(allLines(store), ['first', 'second', 'third']);
    assert.equal(store.endOffset, 20);
  });

  test('a UTF-8 character cut between two byte chunks is joined', () => {
    const store = new LogLineStore();
    const bytes = encoder.encode('température 21°C\n');
    const cut = bytes.indexOf(0xc3) + 1; // inside "é"
    store.appendBytes(bytes.subarray(0, cut));
    store.appendBytes(bytes.subarray(cut));
    assert.deepEqual(allLines(store), ['température 21°C']);
    assert.equal(store.endOffset, bytes.length);
  });

  test('an escape sequence cut between chunks still colours the line', () => {
    const store = new LogLineStore();
    store.appendText('\x1b[3');
    store.appendText('1mred line\n\x1b[0mplain\n');
    assert.equal(store.line(0), '\x1b[31mred line');
    assert.equal(store.styleAt(1).fg, 1, 'the second line starts red, until its reset');
  });

  test('a chunk sent twice or overlapping is not shown twice; a gap says so', () => {
    const store = new LogLineStore();
    const [a, b] = chunksOf('one\ntwo\nthree\n', [6]);
    store.appendChunk(a!);
    store.appendChunk(a!);
    store.appendChunk({ ...b!, offset: 4, data: 'two\nthree\n' });
    assert.deepEqual(allLines(store), ['one', 'two', 'three']);
    store.appendChunk({ offset: 20, nextOffset: 25, size: 25, data: 'four\n' });
    assert.deepEqual(allLines(store).slice(3), ['[… 6 bytes not received …]', 'four']);
  });

  test('the tail first, then earlier pages joined at a cut line, in order', () => {
    const log = Array.from({ length: 10_000 }, (_, i) => `line ${i}`).join('\n') + '\n';
    const size = encoder.encode(log).length;
    const store = new LogLineStore();
    const tailStart = size - 1000;
    store.reset(tailStart);
    store.appendChunk({ offset: tailStart, nextOffset: size, size, data: log.slice(tailStart) });
    assert.ok(store.hasEarlier);
    const firstShown = store.line(0); // a cut line: the tail started inside it
    let added = 0;
    while (store.hasEarlier) {
      const pageStart = Math.max(0, store.startOffset - 20_000);
      added += store.prependChunk({ offset: pageStart, nextOffset: store.startOffset, size, data: log.slice(pageStart, store.startOffset) });
    }
    assert.deepEqual(allLines(store), log.split('\n').slice(0, -1));
    assert.ok(store.line(added).endsWith(firstShown), 'the line that was first is whole now, at the index returned');
  });

  test('a page that does not end where the held bytes start is ignored', () => {
    const store = new LogLineStore();
    store.reset(100);
    store.appendChunk({ offset: 100, nextOffset: 104, size: 104, data: 'end\n' });
    assert.equal(store.prependChunk({ offset: 0, nextOffset: 50, size: 104, data: 'x'.repeat(50) }), 0);
    assert.deepEqual(allLines(store), ['end']);
  });

  test('a colour opened in an earlier page carries into the lines held before', () => {
    const store = new LogLineStore();
    store.reset(12);
    store.appendChunk({ offset: 12, nextOffset: 29, size: 29, data: 'still\n\x1b[0mplain\n' });
    assert.equal(store.styleAt(0).fg, undefined);
    store.prependChunk({ offset: 0, nextOffset: 12, size: 29, data: '\x1b[31mred\n\x1b[1m' });
    assert.deepEqual(allLines(store), ['\x1b[31mred', '\x1b[1mstill', '\x1b[0mplain']);
    assert.equal(store.styleAt(1).fg, 1);
    assert.equal(store.styleAt(2).fg, 1);
    assert.equal(store.styleAt(2).bold, true);
  });

  test('many lines are reachable by index across blocks', () => {
    const store = new LogLineStore();
    store.appendText(Array.from({ length: 20_000 }, (_, i) => `#${i}`).join('\n') + '\n');
    assert.equal(store.lineCount, 20_000);
    assert.equal(store.line(4095), '#4095');
    assert.equal(store.line(4096), '#4096');
    assert.equal(store.line(19_999), '#19999');
    assert.throws(() => store.line(20_001), RangeError);
  });
});

describe('log search', () => {
  test('finds text as shown, case-insensitive, and keeps up as lines arrive', () => {
    const store = new LogLineStore();
    const search = new LogSearch(store);
    store.appendText('Epoch 1 \x1b[31mLoss\x1b[0m 0.9\nepoch 2 lo');
    assert.deepEqual(search.matches('loss'), [{ line: 0, start: 8, end: 12 }]);
    store.appendText('ss 0.5 (loss)\n');
    assert.deepEqual(
      search.matches('loss').map((m) => [m.line, m.start]),
      [[0, 8], [1, 8], [1, 18]],
    );
    assert.deepEqual(search.matches(''), []);
  });
});
