import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { applySgr, paletteColor, parseAnsi, plainText, PLAIN_STYLE, styleAfter } from './ansi.js';
import { segmentLook } from './ansi-look.js';

const texts = (line: string) => parseAnsi(line).segments.map((s) => s.text);

describe('ANSI colours in log lines', () => {
  test('red text is red and reset ends it', () => {
    const { segments, end } = parseAnsi('ok \x1b[31mfailed\x1b[0m done');
    assert.deepEqual(texts('ok \x1b[31mfailed\x1b[0m done'), ['ok ', 'failed', ' done']);
    assert.equal(segments[1]!.style.fg, 1);
    assert.equal(segments[2]!.style, PLAIN_STYLE);
    assert.equal(end, PLAIN_STYLE);
    assert.equal(segmentLook(segments[1]!.style).className, 'ferry-ansi-fg-1');
  });

  test('16 colours, bright colours, backgrounds and attributes', () => {
    const style = applySgr(PLAIN_STYLE, '1;4;93;44');
    assert.deepEqual({ ...style }, { bold: true, underline: true, fg: 11, bg: 4 });
    assert.equal(segmentLook(style).className, 'ferry-ansi-fg-11 ferry-ansi-bg-4 ferry-ansi-bold ferry-ansi-underline');
    assert.deepEqual({ ...applySgr(style, '22;24;39') }, { bg: 4 });
    assert.equal(applySgr(style, ''), PLAIN_STYLE, 'ESC[m is a reset');
  });

  test('256-colour and truecolor become inline colours', () => {
    const orange = applySgr(PLAIN_STYLE, '38;5;208');
    assert.equal(orange.fg, 208);
    assert.equal(segmentLook(orange).color, '#ff8700');
    assert.equal(paletteColor(232), '#080808');
    const truecolor = applySgr(PLAIN_STYLE, '38;2;10;20;255;48;2;0;0;0');
    assert.deepEqual({ ...truecolor }, { fg: '#0a14ff', bg: '#000000' });
    assert.deepEqual({ ...applySgr(PLAIN_STYLE, '38:2::1:2:3') }, { fg: '#010203' }, 'colon form with colour space');
    assert.deepEqual({ ...applySgr(PLAIN_STYLE, '38:5:9') }, { fg: 9 });
    assert.equal(applySgr(PLAIN_STYLE, '38;2;300;0;0'), PLAIN_STYLE, 'an out-of-range channel is ignored');
  });

  test('inverse swaps the colours, defaults included', () => {
    const look = segmentLook(applySgr(PLAIN_STYLE, '7;31'));
    assert.equal(look.className, 'ferry-ansi-fg-background ferry-ansi-bg-1');
  });

  test('a style carries over to the next line until reset', () => {
    const afterFirst = styleAfter('\x1b[32mgreen starts', PLAIN_STYLE);
    assert.equal(afterFirst.fg, 2);
    const second = parseAnsi('still green\x1b[0m plain', afterFirst);
    assert.equal(second.segments[0]!.style.fg, 2);
    assert.equal(second.end, PLAIN_STYLE);
    assert.equal(styleAfter('no escapes', afterFirst), afterFirst);
  });

  test('other control sequences are dropped, never shown', () => {
    assert.equal(plainText('\x1b[2K\x1b[1Gline\x1b[?25l'), 'line');
    assert.equal(plainText('\x1b]0;window title\x07text'), 'text');
    assert.equal(plainText('see \x1b]8;;https://example.org\x1b\\the docs\x1b]8;;\x1b\\ now'), 'see the docs now');
    assert.equal(plainText('bell\x07 and\x08 tab\tkept'), 'bell and tab\tkept');
    assert.equal(plainText('cut off \x1b[3'), 'cut off ', 'an unfinished sequence shows nothing');
  });

  test('a carriage return lets the progress bar show its last state', () => {
    assert.equal(plainText('epoch 1:  10%\repoch 1:  50%\repoch 1: 100%'), 'epoch 1: 100%');
    assert.equal(plainText('\x1b[32m 10%\r\x1b[32m 90%\x1b[0m'), ' 90%');
    assert.equal(plainText('waiting\r'), 'waiting', 'a return with nothing after it erases nothing yet');
  });

  test('text that looks like markup stays text', () => {
    assert.deepEqual(texts('<img src=x onerror=alert(1)>'), ['<img src=x onerror=alert(1)>']);
  });
});
