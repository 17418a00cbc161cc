import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { ParameterSpec } from '@ferry/core';
import { changedParameterStrings, checkParameterText, parameterPrompt, valueText } from './parameters.js';

const param = (name: string, type: ParameterSpec['type'], value: ParameterSpec['default'], help?: string): ParameterSpec => ({
  name, type, default: value, cell: 3, line: 1, ...(help ? { help } : {}),
});

test('defaults are shown as a notebook user writes them', () => {
  assert.equal(valueText(param('a', 'float', 1), 1), '1.0');
  assert.equal(valueText(param('a', 'float', 0.5), 0.5), '0.5');
  assert.equal(valueText(param('a', 'bool', true), true), 'True');
  assert.equal(valueText(param('a', 'None', null), null), 'None');
  assert.equal(valueText(param('a', 'str', 'adam'), 'adam'), 'adam');
  assert.equal(valueText(param('a', 'list', [1, 2]), [1, 2]), '[1,2]');
});

test('typed text is checked against the parameter type, with the reason when it does not fit', () => {
  const epochs = param('epochs', 'int', 20);
  assert.equal(checkParameterText(epochs, '50'), undefined);
  assert.match(checkParameterText(epochs, '2.5') ?? '', /`epochs` expects int, got '2.5'/);
  assert.equal(checkParameterText(param('lr', 'float', 0.1), '1e-3'), undefined);
  assert.match(checkParameterText(param('lr', 'float', 0.1), 'fast') ?? '', /expects float/);
  assert.equal(checkParameterText(param('flag', 'bool', false), 'True'), undefined);
  assert.match(checkParameterText(param('layers', 'list', [1]), '{"a": 1}') ?? '', /expects list/);
  assert.equal(checkParameterText(param('layers', 'list', [1]), '[64, 32]'), undefined);
});

test('the prompt carries the help text, type and default', () => {
  assert.equal(
    parameterPrompt(param('epochs', 'int', 20, 'passes over the training set'), 0, 4),
    'passes over the training set (int, default 20) — parameter 1 of 4',
  );
});

test('only values that differ from the defaults are sent, and names stay data', () => {
  const parameters = [param('epochs', 'int', 20), param('lr', 'float', 0.5), param('__proto__', 'str', 'x')];
  const texts = JSON.parse('{"epochs": "20", "lr": "0.1", "__proto__": "y"}') as Record<string, string>;
  const changed = changedParameterStrings(parameters, texts);
  assert.deepEqual(Object.keys(changed), ['lr', '__proto__']);
  assert.equal(Object.getPrototypeOf(changed), Object.prototype);
  assert.equal(changed.lr, '0.1');
});
