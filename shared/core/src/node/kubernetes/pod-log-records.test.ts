import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { BUNDLED_RUNTIME } from '../targets/local.js';
import { PYTHON, pipeline, testHome } from '../testing.js';
import { MAX_RECORD_CHARS, METRIC_RECORD_PREFIX, PodLogRecordSplitter, STATUS_RECORD_PREFIX, type PodLogPart } from './pod-log-records.js';

const metric = (name: string, value: number, step: number) => JSON.stringify({ name, value, step, time: 1700000000.5 });
const status = { state: 'failed', exitCode: 1, error: { type: 'ValueError', message: 'bad lr', traceback: 'Traceback ...\nValueError: bad lr\n', cell: 3 } };

/** A log as the runtime prints it: the step's lines, records between them, the status last. */
const userText = 'loading data… ✓\nepoch 0\r\nprogress 50%\rprogress 100%\n';
const log =
  'loading data… ✓\n' +
  `${METRIC_RECORD_PREFIX}${metric('loss', 0.5, 0)}\n` +
  'epoch 0\r\n' +
  `${METRIC_RECORD_PREFIX}${metric('naïve/loss', 0.25, 1)}\n` +
  'progress 50%\rprogress 100%\n' +
  `${STATUS_RECORD_PREFIX}${JSON.stringify(status)}\n`;

/** Everything the splitter returns for `pieces`, then its end, joined. */
function splitAll(pieces: (Buffer | string)[]): PodLogPart {
  const splitter = new PodLogRecordSplitter();
  const parts = [...pieces.map((piece) => splitter.push(piece)), splitter.end()];
  const joined: PodLogPart = { text: parts.map((part) => part.text).join(''), metrics: parts.flatMap((part) => part.metrics) };
  const statuses = parts.filter((part) => part.status !== undefined);
  if (statuses.length > 0) joined.status = statuses.at(-1)!.status;
  return joined;
}

test('records leave the text; metrics come as their JSON texts, the status as an object', () => {
  assert.deepEqual(splitAll([log]), { text: userText, metrics: [metric('loss', 0.5, 0), metric('naïve/loss', 0.25, 1)], status });
});

test('the same result however the log is cut, within lines and within UTF-8 characters', () => {
  const bytes = Buffer.from(log, 'utf8');
  const whole = splitAll([bytes]);
  for (let cut = 1; cut < bytes.length; cut++) {
    assert.deepEqual(splitAll([bytes.subarray(0, cut), bytes.subarray(cut)]), whole, `cut at byte ${cut}`);
  }
  const byteByByte = [...bytes].map((byte) => Buffer.from([byte]));
  assert.deepEqual(splitAll(byteByByte), whole);
});

test('records ended with CRLF are taken, without the carriage return', () => {
  const part = new PodLogRecordSplitter().push(`line\r\n${METRIC_RECORD_PREFIX}${metric('acc', 1, 2)}\r\n${STATUS_RECORD_PREFIX}{"state":"succeeded","exitCode":0}\r\n`);
  assert.deepEqual(part, { text: 'line\r\n', metrics: [metric('acc', 1, 2)], status: { state: 'succeeded', exitCode: 0 } });
});

test('a record-looking text in the middle of a line is the step\'s own output', () => {
  const inLine = `epoch 1 ${METRIC_RECORD_PREFIX}${metric('x', 1, 0)}\n`;
  assert.deepEqual(splitAll([inLine]), { text: inLine, metrics: [] });
  // The line began in an earlier piece of the log.
  const splitter = new PodLogRecordSplitter();
  assert.deepEqual(splitter.push('downloading '), { text: 'downloading ', metrics: [] });
  assert.deepEqual(splitter.push(`${METRIC_RECORD_PREFIX}${metric('x', 1, 0)}\n`), { text: `${METRIC_RECORD_PREFIX}${metric('x', 1, 0)}\n`, metrics: [] });
  assert.deepEqual(splitter.push(`${METRIC_RECORD_PREFIX}${metric('x', 2, 1)}\n`), { text: '', metrics: [metric('x', 2, 1)] });
});

test('a prefix followed by anything but a JSON object stays in the text', () => {
  const lines = [
    `${METRIC_RECORD_PREFIX}{"name": "loss", "value": 0.5\n`,
    `${METRIC_RECORD_PREFIX}[1, 2]\n`,
    `${METRIC_RECORD_PREFIX}\n`,
    `${STATUS_RECORD_PREFIX}{"exitCode": 0}\n`,
    `${STATUS_RECORD_PREFIX}not json\n`,
    '##ferry:metrics {"name": "loss"}\n',
  ];
  assert.deepEqual(splitAll(lines), { text: lines.join(''), metrics: [] });
});

test('text that cannot become a record is returned at once; a possible record waits for its line to end', () => {
  const splitter = new PodLogRecordSplitter();
  assert.deepEqual(splitter.push('Downloading 10%'), { text: 'Downloading 10%', metrics: [] });
  assert.deepEqual(splitter.push('\n##ferry:met'), { text: '\n', metrics: [] });
  assert.deepEqual(splitter.push('ric {"name"'), { text: '', metrics: [] });
  assert.deepEqual(splitter.push(': "a"}\n##ferry: done\n'), { text: '##ferry: done\n', metrics: ['{"name": "a"}'] });
});

test('the end of the log closes its last line', () => {
  const splitter = new PodLogRecordSplitter();
  splitter.push(`${STATUS_RECORD_PREFIX}{"state": "cancelled"}`);
  assert.deepEqual(splitter.end(), { text: '', metrics: [], status: { state: 'cancelled' } });
  const other = new PodLogRecordSplitter();
  assert.deepEqual(other.push(`${METRIC_RECORD_PREFIX}{"nam`), { text: '', metrics: [] });
  assert.deepEqual(other.end(), { text: `${METRIC_RECORD_PREFIX}{"nam`, metrics: [] });
});

test('a line that starts like a record but never ends is released as text past the limit', () => {
  const splitter = new PodLogRecordSplitter();
  const start = `${METRIC_RECORD_PREFIX}${'x'.repeat(MAX_RECORD_CHARS - METRIC_RECORD_PREFIX.length)}`;
  assert.deepEqual(splitter.push(start), { text: '', metrics: [] });
  assert.deepEqual(splitter.push('y'), { text: `${start}y`, metrics: [] });
  assert.deepEqual(splitter.push(`${METRIC_RECORD_PREFIX}{}\n`), { text: `${METRIC_RECORD_PREFIX}{}\n`, metrics: [] });
});

test('the runtime\'s own stdout splits into the step\'s output, metrics.jsonl\'s lines and status.json', async () => {
  const home = testHome();
  try {
    const runDir = join(home.dir, 'run');
    const spec = pipeline('records', [{ name: 'train', code: 'for epoch in range(3):\n    print("epoch", epoch)\n    ferry.log_metric("loss", 1 / (epoch + 1))\nraise RuntimeError("diverged")' }]);
    mkdirSync(runDir);
    writeFileSync(join(runDir, 'spec.json'), JSON.stringify(spec));
    writeFileSync(join(runDir, 'params.json'), '{}');
    const { FERRY_RUN_DIR: _runDir, FERRY_STEP: _step, ...environment } = process.env;
    const child = spawn(PYTHON, [BUNDLED_RUNTIME, '--run-dir', runDir, '--step', 'train', '--mode', 'script'], {
      cwd: runDir,
      env: { ...environment, FERRY_STDOUT_RECORDS: '1' },
      stdio: ['ignore', 'pipe', 'ignore'],
    });
    const splitter = new PodLogRecordSplitter();
    const parts: PodLogPart[] = [];
    child.stdout.on('data', (chunk: Buffer) => parts.push(splitter.push(chunk)));
    const exitCode = await new Promise((resolve) => child.on('close', resolve));
    parts.push(splitter.end());

    assert.equal(exitCode, 1);
    assert.equal(parts.map((part) => part.text).join(''), 'epoch 0\nepoch 1\nepoch 2\n');
    const stepDir = join(runDir, 'steps', 'train');
    assert.deepEqual(parts.flatMap((part) => part.metrics), readFileSync(join(stepDir, 'metrics.jsonl'), 'utf8').split('\n').filter(Boolean));
    const statuses = parts.flatMap((part) => (part.status ? [part.status] : []));
    assert.deepEqual(statuses, [JSON.parse(readFileSync(join(stepDir, 'status.json'), 'utf8'))]);
    assert.equal(statuses[0]!.error?.type, 'RuntimeError');
    assert.match(statuses[0]!.error?.traceback ?? '', /RuntimeError: diverged/);
  } finally {
    home.cleanup();
  }
});
