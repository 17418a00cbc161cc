import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import * as core from '../index.js';
import {
  isHostToViewMessage,
  isViewToHostMessage,
  WEBVIEW_PROTOCOL_VERSION,
  type HostToViewMessage,
  type ViewToHostMessage,
} from './webview-protocol.js';

const chunk = { offset: 100, nextOffset: 112, size: 112, data: 'hello world\n' };
const compare = {
  runs: [
    {
      id: 'r1',
      pipeline: 'train',
      createdAt: '2026-12-02T01:00:00.000Z',
      sweepId: 's1',
      sweepIndex: 0,
      parameters: { lr: 0.1, layers: [64, 64] },
      metrics: [{ stepName: 'train', name: 'loss', count: 3, last: 0.2, lastStep: 2, min: 0.2, max: 0.9, mean: 0.5 }],
      job: { target: 'local', state: 'failed' as const, jobIds: { train: '4242' }, exitCode: 137, oom: true, queueWaitSeconds: 0.1, durationSeconds: 2 },
    },
  ],
  parameters: ['lr', 'layers'],
  differingParameters: ['lr'],
  metrics: [{ name: 'loss', goal: 'lower' as const, reducer: 'min' as const }],
  unrecorded: ['node' as const],
};
const history = {
  x: 'step' as const,
  x0: 0,
  x1: 2,
  width: 800,
  series: [{ runId: 'r1', stepName: 'train', name: 'loss', count: 3, complete: true, step: [0, 1, 2], time: [10, 11, 12], value: [0.9, null, 0.2] }],
};

describe('webview protocol guards', () => {
  test('the browser-safe entry of @ferry/core exports the protocol', () => {
    assert.equal(core.isHostToViewMessage, isHostToViewMessage);
    assert.equal(core.WEBVIEW_PROTOCOL_VERSION, WEBVIEW_PROTOCOL_VERSION);
  });

  test('every well-formed host message passes', () => {
    const messages: HostToViewMessage[] = [
      { type: 'log/init', runId: 'r1', step: 'train', chunk, finished: false },
      { type: 'log/append', chunk },
      { type: 'log/page', chunk: { offset: 0, nextOffset: 100, size: 112, data: 'x'.repeat(100) } },
      { type: 'log/end', state: 'succeeded' },
      {
        type: 'metrics/init',
        runs: [{ runId: 'r1', label: 'run 1', series: [{ stepName: 'train', name: 'loss', points: [{ step: 0, value: 1.5, time: 10 }] }] }],
        x: 'time',
      },
      { type: 'metrics/append', runId: 'r1', stepName: 'train', name: 'loss', points: [{ step: 1, value: NaN, time: 11 }] },
      { type: 'metrics/end', runId: 'r1', state: 'failed' },
      {
        type: 'parameters/init',
        pipeline: 'train',
        parameters: [{ name: 'epochs', type: 'int', default: 10, help: 'passes over the data', cell: 1, line: 1 }],
        values: { epochs: 3 },
        sweepable: ['epochs'],
        submitLabel: 'Run',
      },
      { type: 'parameters/rejected', message: 'bad value', errors: { epochs: 'expects int' } },
      { type: 'compare/init', compare },
      { type: 'compare/table', compare },
      { type: 'compare/history', request: 2, history },
      { type: 'compare/points', runId: 'r1', stepName: 'train', name: 'loss', from: 3, step: [3], time: [13], value: [0.1] },
      { type: 'compare/run', runId: 'r1', state: 'succeeded' },
      { type: 'error', message: 'the server is not running' },
    ];
    for (const message of messages) assert.ok(isHostToViewMessage(message), message.type);
  });

  test('every well-formed view message passes', () => {
    const messages: ViewToHostMessage[] = [
      { type: 'ready', view: 'log', protocol: WEBVIEW_PROTOCOL_VERSION },
      { type: 'log/loadEarlier', before: 4096 },
      { type: 'parameters/submit', values: { epochs: 3, lr: 0.1 }, sweep: { lr: [0.1, 0.01] } },
      { type: 'parameters/cancel' },
      { type: 'ready', view: 'compare', protocol: WEBVIEW_PROTOCOL_VERSION },
      { type: 'compare/history', request: 1, metrics: ['loss'], width: 640, x: 'time', x0: 1.5, x1: 9 },
      { type: 'compare/openLog', runId: 'r1', step: 'train' },
    ];
    for (const message of messages) assert.ok(isViewToHostMessage(message), message.type);
  });

  test('a NaN metric that JSON turned into null still passes', () => {
    const overTheWire: unknown = JSON.parse(
      JSON.stringify({ type: 'metrics/append', runId: 'r', stepName: 's', name: 'loss', points: [{ step: 2, value: NaN, time: 1 }] }),
    );
    assert.ok(isHostToViewMessage(overTheWire));
  });

  test('unknown types, missing fields and wrong field types are refused', () => {
    const refused: unknown[] = [
      null,
      'ready',
      [],
      { type: 'log/delete' },
      { type: 'toString' },
      { type: 'log/init', runId: 'r1', step: 'train', finished: false },
      { type: 'log/append', chunk: { ...chunk, offset: -1 } },
      { type: 'log/append', chunk: { ...chunk, nextOffset: 50 } },
      { type: 'log/append', chunk: { ...chunk, data: 42 } },
      { type: 'metrics/append', runId: 'r', stepName: 's', name: 'loss', points: [{ step: 'one', value: 1, time: 1 }] },
      { type: 'metrics/init', runs: [], x: 'epoch' },
      { type: 'parameters/init', pipeline: 'p', parameters: [{ name: 'x', type: 'complex', default: 1, cell: 0, line: 1 }] },
      { type: 'parameters/rejected', message: 'no', errors: { epochs: 3 } },
      { type: 'compare/init', compare: { ...compare, differingParameters: undefined } },
      { type: 'compare/init', compare: { ...compare, metrics: [{ name: 'loss', reducer: 'median' }] } },
      { type: 'compare/table', compare: { ...compare, runs: [{ ...compare.runs[0], job: { target: 'local' } }] } },
      { type: 'compare/history', history },
      { type: 'compare/history', request: 1, history: { ...history, series: [{ ...history.series[0], value: [1] }] } },
      { type: 'compare/points', runId: 'r1', stepName: 'train', name: 'loss', from: -1, step: [3], time: [13], value: [0.1] },
      { type: 'compare/points', runId: 'r1', stepName: 'train', name: 'loss', from: 3, step: [3, 4], time: [13], value: [0.1] },
    ];
    for (const message of refused) assert.equal(isHostToViewMessage(message), false, JSON.stringify(message));

    const refusedFromView: unknown[] = [
      { type: 'ready', view: 'terminal', protocol: 1 },
      { type: 'ready', view: 'log' },
      { type: 'log/loadEarlier', before: 1.5 },
      { type: 'parameters/submit', values: { epochs: 3 } },
      { type: 'parameters/submit', values: { f: () => 1 }, sweep: {} },
      { type: 'log/init', runId: 'r1', step: 'train', chunk, finished: false },
      { type: 'compare/history', request: 1, metrics: ['loss'], width: 0, x: 'step' },
      { type: 'compare/history', request: 1, metrics: ['loss'], width: 640, x: 'epoch' },
      { type: 'compare/history', request: 1, metrics: 'loss', width: 640, x: 'step' },
      { type: 'compare/openLog', runId: 'r1' },
      { type: 'compare/openLog', runId: 7, step: 'train' },
    ];
    for (const message of refusedFromView) assert.equal(isViewToHostMessage(message), false, JSON.stringify(message));
  });
});
