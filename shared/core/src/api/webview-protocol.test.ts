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
    ];
    for (const message of refused) assert.equal(isHostToViewMessage(message), false, JSON.stringify(message));

    const refusedFromView: unknown[] = [
      { type: 'ready', view: 'terminal', protocol: 1 },
      { type: 'ready', view: 'log' },
      { type: 'log/loadEarlier', before: 1.5 },
      { type: 'parameters/submit', values: { epochs: 3 } },
      { type: 'parameters/submit', values: { f: () => 1 }, sweep: {} },
      { type: 'log/init', runId: 'r1', step: 'train', chunk, finished: false },
    ];
    for (const message of refusedFromView) assert.equal(isViewToHostMessage(message), false, JSON.stringify(message));
  });
});
