import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { LogResume, parseLogTimestamp, parseTimestampedLine, sinceTimeOf, type TimestampedLine } from './log-resume.js';

describe('log timestamps', () => {
  test('nanoseconds since the epoch, whatever the precision', () => {
    const base = BigInt(Date.UTC(2026, 11, 2, 7, 10, 0) / 1000) * 1_000_000_000n;
    assert.equal(parseLogTimestamp('2026-12-02T07:10:00.123456789Z'), base + 123_456_789n);
    assert.equal(parseLogTimestamp('2026-12-02T07:10:00.5Z'), base + 500_000_000n);
    assert.equal(parseLogTimestamp('2026-12-02T07:10:00Z'), base);
    assert.equal(parseLogTimestamp('2026-12-02T07:10:00.000000001z'), base + 1n);
  });

  test('zone offsets count: 09:10+02:00 is 07:10Z', () => {
    assert.equal(parseLogTimestamp('2026-12-02T09:10:00.25+02:00'), parseLogTimestamp('2026-12-02T07:10:00.25Z'));
    assert.equal(parseLogTimestamp('2026-12-02T02:40:00-04:30'), parseLogTimestamp('2026-12-02T07:10:00Z'));
  });

  test('what is not an RFC 3339 time', () => {
    for (const text of ['', 'hello', '2026-12-02 07:10:00Z', '2026-12-02T07:10:00', '2026-13-02T07:10:00Z', '2026-12-02T24:00:00Z', '2026-12-02T07:10:00.1234567891Z']) {
      assert.equal(parseLogTimestamp(text), undefined, text);
    }
  });

  test('a served line splits at the first space; the text keeps the rest as it is', () => {
    assert.deepEqual(parseTimestampedLine('2026-12-02T07:10:00.000000001Z  two spaces and a\ttab '), {
      nanos: parseLogTimestamp('2026-12-02T07:10:00.000000001Z'),
      text: ' two spaces and a\ttab ',
    });
    assert.equal(parseTimestampedLine('2026-12-02T07:10:00Z ').text, '');
    assert.throws(() => parseTimestampedLine('no timestamp here'), /does not start with a timestamp: "no timestamp here"/);
  });

  test('sinceTime is the whole second, in UTC', () => {
    assert.equal(sinceTimeOf(parseLogTimestamp('2026-12-02T07:10:05.999999999Z')!), '2026-12-02T07:10:05Z');
    assert.equal(sinceTimeOf(parseLogTimestamp('2026-12-02T09:10:05.5+02:00')!), '2026-12-02T07:10:05Z');
    assert.equal(sinceTimeOf(parseLogTimestamp('2026-12-02T07:10:05Z')!), '2026-12-02T07:10:05Z');
  });
});

/**
 * A log as a server serves it: every line once, in order; asked again from
 * `sinceTime`, the lines of that second and later (the server's filter).
 */
class ServedLog {
  readonly lines: TimestampedLine[] = [];
  add(at: string, text: string): void {
    this.lines.push({ nanos: parseLogTimestamp(at)!, text });
  }
  from(sinceTime: string | undefined): TimestampedLine[] {
    const since = sinceTime === undefined ? undefined : parseLogTimestamp(sinceTime)!;
    return this.lines.filter((line) => since === undefined || line.nanos >= since);
  }
}

/** Reads `log` in answers cut after `cuts[i]` lines each (the last answer reads to the end); the delivered texts. */
function readWithCuts(log: ServedLog, cuts: number[]): { delivered: string[]; sinceTimes: (string | undefined)[] } {
  const resume = new LogResume();
  const delivered: string[] = [];
  const sinceTimes: (string | undefined)[] = [];
  for (const cut of [...cuts, Infinity]) {
    const since = resume.resume();
    sinceTimes.push(since);
    for (const line of log.from(since).slice(0, cut)) if (resume.accept(line)) delivered.push(line.text);
  }
  return { delivered, sinceTimes };
}

describe('resuming a log', () => {
  const log = new ServedLog();
  log.add('2026-12-02T07:10:04.900000000Z', 'before');
  log.add('2026-12-02T07:10:05.100000000Z', 'a');
  log.add('2026-12-02T07:10:05.100000000Z', 'b');
  log.add('2026-12-02T07:10:05.100000000Z', 'a');
  log.add('2026-12-02T07:10:05.200000000Z', 'same');
  log.add('2026-12-02T07:10:05.200000000Z', 'same');
  log.add('2026-12-02T07:10:05.300000000Z', 'c');
  log.add('2026-12-02T07:10:06.000000000Z', 'next second');
  log.add('2026-12-02T07:10:06.000000000Z', 'next second');
  log.add('2026-12-02T09:10:06.500000000+02:00', 'other zone');
  const all = log.lines.map((line) => line.text);

  test('read in one answer, every line comes through, repeated texts included', () => {
    assert.deepEqual(readWithCuts(log, []).delivered, all);
  });

  test('cut anywhere, any number of times: no line lost, none twice', () => {
    for (let first = 0; first <= log.lines.length; first++) {
      for (let second = 0; second <= 4; second++) {
        assert.deepEqual(readWithCuts(log, [first, second]).delivered, all, `cut after ${first}, then after ${second} more`);
      }
    }
  });

  test('cut between two lines with the same time and text, the second still comes', () => {
    // "same" twice at 05.200: the first delivered, then the connection drops.
    const { delivered, sinceTimes } = readWithCuts(log, [5]);
    assert.deepEqual(delivered, all);
    assert.deepEqual(sinceTimes, [undefined, '2026-12-02T07:10:05Z']);
  });

  test('answers that only repeat (no new line) change nothing', () => {
    assert.deepEqual(readWithCuts(log, [7, 0, 0, 3, 0]).delivered, all);
  });

  test('after the log moves to a new second, the older second is forgotten and not asked for again', () => {
    const { sinceTimes } = readWithCuts(log, [8]);
    assert.equal(sinceTimes[1], '2026-12-02T07:10:06Z');
  });

  test('lines written after the cut, in the same second, come through', () => {
    const growing = new ServedLog();
    growing.add('2026-12-02T07:10:05.100000000Z', 'x');
    const resume = new LogResume();
    const delivered: string[] = [];
    const read = () => {
      for (const line of growing.from(resume.resume())) if (resume.accept(line)) delivered.push(line.text);
    };
    read();
    growing.add('2026-12-02T07:10:05.100000000Z', 'x');
    growing.add('2026-12-02T07:10:05.050000000Z', 'late stderr');
    read();
    read();
    assert.deepEqual(delivered, ['x', 'x', 'late stderr']);
  });
});
