import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { LogChunk, LogHostMessage, LogStreamEvent } from '@ferry/core';
import { LogSession, PAGE_BYTES, TAIL_BYTES, type LogSource } from './log-session.js';

/** A step's log held in memory, read the way the server's log endpoints read it (byte ranges of ASCII text). */
function logOf(text: string, live: LogStreamEvent[] = []): LogSource & { reads: Array<{ offset: number; maxBytes: number }> } {
  const reads: Array<{ offset: number; maxBytes: number }> = [];
  const chunk = (offset: number, maxBytes: number): LogChunk => {
    const start = offset < 0 ? Math.max(0, text.length + offset) : offset;
    const data = text.slice(start, start + maxBytes);
    return { offset: start, nextOffset: start + data.length, size: text.length, data };
  };
  return {
    reads,
    log: async (_run, _step, options = {}) => {
      reads.push({ offset: options.offset ?? 0, maxBytes: options.maxBytes ?? 0 });
      return chunk(options.offset ?? 0, options.maxBytes ?? TAIL_BYTES);
    },
    followLog: async function* () {
      yield* live;
    },
  };
}

test('a big log opens at its tail, then streams what the step writes, then says how the step ended', async () => {
  const line = 'x'.repeat(99) + '\n';
  const text = line.repeat(10_000); // 1 MB
  const appended = { offset: text.length, nextOffset: text.length + 6, size: text.length + 6, data: 'done!\n' };
  const posted: LogHostMessage[] = [];
  const source = logOf(text, [{ type: 'log', chunk: appended }, { type: 'end', state: 'succeeded' }]);
  await new LogSession(source, 'r-1', 'train', (message) => posted.push(message)).start('running');

  assert.deepEqual(source.reads, [{ offset: -TAIL_BYTES, maxBytes: TAIL_BYTES }], 'only the tail is read');
  const init = posted[0]!;
  assert.equal(init.type, 'log/init');
  assert.ok(init.type === 'log/init' && init.chunk.offset === text.length - TAIL_BYTES && !init.finished);
  assert.deepEqual(posted.slice(1), [
    { type: 'log/append', chunk: appended },
    { type: 'log/end', state: 'succeeded' },
  ]);
});

test('earlier pages are read on demand, each ending where the view starts, once however often asked', async () => {
  const text = 'y'.repeat(PAGE_BYTES * 2 + 100);
  const posted: LogHostMessage[] = [];
  const session = new LogSession(logOf(text), 'r-1', 'train', (message) => posted.push(message));
  const before = PAGE_BYTES + 100;
  await Promise.all([session.loadEarlier(before), session.loadEarlier(before)]);
  assert.equal(posted.length, 1);
  const page = posted[0]!;
  assert.ok(page.type === 'log/page');
  assert.equal(page.chunk.nextOffset, before);
  assert.equal(page.chunk.offset, 100);
  await session.loadEarlier(0); // the view holds the start: nothing earlier
  assert.equal(posted.length, 1);
});

test('a finished step says so in its first message, and a failing server shows as an error in the view', async () => {
  const posted: LogHostMessage[] = [];
  await new LogSession(logOf('all done\n'), 'r-1', 'train', (message) => posted.push(message)).start('succeeded');
  assert.ok(posted[0]!.type === 'log/init' && posted[0]!.finished);

  const failing: LogSource = { log: () => Promise.reject(new Error('run r-2 not found')), followLog: logOf('').followLog };
  const errors: LogHostMessage[] = [];
  await new LogSession(failing, 'r-2', 'train', (message) => errors.push(message)).start('running');
  assert.deepEqual(errors, [{ type: 'error', message: 'run r-2 not found' }]);
});
