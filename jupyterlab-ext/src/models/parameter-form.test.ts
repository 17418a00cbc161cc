import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { ParameterSpec } from '@ferry/core';
import { checkParameters, defaultText } from './parameter-form.js';

const param = (name: string, type: ParameterSpec['type'], value: ParameterSpec['default']): ParameterSpec => ({
  name,
  type,
  default: value,
  cell: 0,
  line: 1,
});

describe('parameter form', () => {
  const parameters = [param('epochs', 'int', 20), param('lr', 'float', 0.5), param('name', 'str', 'a b'), param('on', 'bool', true), param('sizes', 'list', [1, 2])];

  test('starts from the defaults, shown as a user types them', () => {
    assert.deepEqual(parameters.map(defaultText), ['20', '0.5', 'a b', 'True', '[1,2]']);
    assert.deepEqual(checkParameters(parameters, {}).values, { epochs: 20, lr: 0.5, name: 'a b', on: true, sizes: [1, 2] });
  });

  test('converts typed text by the parameter’s type', () => {
    const { values } = checkParameters(parameters, { epochs: '50', lr: '1e-3', on: 'False', sizes: '[3, 4]', name: "x'; import os" });
    assert.deepEqual(values, { epochs: 50, lr: 0.001, name: "x'; import os", on: false, sizes: [3, 4] });
  });

  test('names each field that is wrong and gives no values', () => {
    const check = checkParameters(parameters, { epochs: '2.5', lr: 'fast' });
    assert.equal(check.values, undefined);
    assert.deepEqual(Object.keys(check.errors), ['epochs', 'lr']);
    assert.match(check.errors.epochs!, /epochs/);
  });
});
