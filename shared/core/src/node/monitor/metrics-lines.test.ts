import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseMetricLines } from './metrics-lines.js';

const line = (record: object) => JSON.stringify(record) + '\n';

test('whole lines become points; a trailing partial line is left for the next read', () => {
  const whole = line({ name: 'loss', value: 0.5, step: 0, time: 10 }) + line({ name: 'loss', value: 0.25, step: 1, time: 11 });
  const chunk = Buffer.from(whole + '{"name": "loss", "val');
  const parsed = parseMetricLines(chunk);
  assert.deepEqual(parsed.points, [
    { name: 'loss', value: 0.5, step: 0, time: 10 },
    { name: 'loss', value: 0.25, step: 1, time: 11 },
  ]);
  assert.equal(parsed.consumed, Buffer.byteLength(whole));
  assert.deepEqual(parsed.malformed, []);
});

test('a chunk without a newline consumes nothing', () => {
  assert.deepEqual(parseMetricLines(Buffer.from('{"name": "x"')), { points: [], consumed: 0, malformed: [] });
});

test('"NaN", "Infinity" and "-Infinity" (and Python\'s bare forms) decode to numbers', () => {
  const text =
    line({ name: 'a', value: 'NaN', step: 0, time: 1 }) +
    line({ name: 'a', value: 'Infinity', step: 1, time: 1 }) +
    line({ name: 'a', value: '-Infinity', step: 2, time: 1 }) +
    '{"name": "a", "value": NaN, "step": 3, "time": 1}\n' +
    '{"name": "a", "value": -Infinity, "step": 4, "time": 1}\n';
  assert.deepEqual(parseMetricLines(Buffer.from(text)).points.map((point) => point.value), [NaN, Infinity, -Infinity, NaN, -Infinity]);
});

test('malformed lines are reported and skipped, and still consumed', () => {
  const good = line({ name: 'ok', value: 1, step: 0, time: 1 });
  const text = 'not json\n' + line({ name: 'x', value: 'high', step: 0, time: 1 }) + line({ value: 1, step: 0 }) + '\n' + good;
  const parsed = parseMetricLines(Buffer.from(text));
  assert.deepEqual(parsed.points.map((point) => point.name), ['ok']);
  assert.equal(parsed.consumed, Buffer.byteLength(text));
  assert.deepEqual(parsed.malformed.map((bad) => bad.problem.split(':')[0]), ['not JSON', '"value" is not a number', 'no "name"']);
  assert.equal(parsed.malformed[0]!.offset, 0);
});

test('multi-byte characters split across reads are not mistaken for line ends', () => {
  const text = line({ name: 'Genauigkeit ü', value: 1, step: 0, time: 1 });
  const bytes = Buffer.from(text);
  const cut = bytes.indexOf(Buffer.from('ü')) + 1; // inside the two bytes of ü
  assert.equal(parseMetricLines(bytes.subarray(0, cut)).consumed, 0);
  assert.equal(parseMetricLines(bytes).points[0]!.name, 'Genauigkeit ü');
});
