import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { JsonValue, ParameterSpec, ParamType } from '@ferry/core';
import { canSweep, initialInput, validateField, validateParameterForm, type FieldInput } from './validate.js';

const param = (name: string, type: ParamType, value: JsonValue): ParameterSpec => ({ name, type, default: value, cell: 1, line: 1 });
const one = (text: string): FieldInput => ({ text, sweep: false });
const many = (text: string): FieldInput => ({ text, sweep: true });

const epochs = param('epochs', 'int', 10);
const lr = param('lr', 'float', 0.001);
const name = param('name', 'str', 'baseline');
const verbose = param('verbose', 'bool', false);
const sizes = param('sizes', 'list', [32, 64]);
const checkpoint = param('checkpoint', 'None', null);
const all = [epochs, lr, name, verbose, sizes, checkpoint];

describe('parameter form validation', () => {
  test('the defaults fill the form and pass as typed values', () => {
    const input = initialInput(all);
    assert.deepEqual(input.sizes, { text: '[32,64]', sweep: false });
    assert.equal(input.checkpoint!.text, '');
    const result = validateParameterForm(all, input);
    assert.equal(result.ok, true);
    assert.deepEqual(result.values, { epochs: 10, lr: 0.001, name: 'baseline', verbose: false, sizes: [32, 64], checkpoint: null });
    assert.equal(result.runCount, 1);
  });

  test('given values (a re-run) take the place of defaults', () => {
    assert.equal(initialInput(all, { epochs: 3 }).epochs!.text, '3');
  });

  test('each bad field gets its own message, in the user\'s terms', () => {
    const result = validateParameterForm(all, {
      ...initialInput(all),
      epochs: one('ten'),
      lr: one('1e-3x'),
      verbose: one('maybe'),
      sizes: one('[1, 2'),
    });
    assert.equal(result.ok, false);
    assert.deepEqual(result.errors, {
      epochs: "Expected a whole number, got 'ten'.",
      lr: "Expected a number, got '1e-3x'.",
      verbose: "Expected true or false, got 'maybe'.",
      sizes: "Expected a list, e.g. [1, 2], got '[1, 2'.",
    });
    assert.equal(validateField(epochs, one('2.5')).error, "Expected a whole number, got '2.5'.");
    assert.equal(validateField(epochs, one('')).error, 'Enter a whole number.');
  });

  test('values are typed the way the command line types them', () => {
    assert.deepEqual(validateField(epochs, one(' 1_000 ')), { value: 1000 });
    assert.deepEqual(validateField(lr, one('3e-4')), { value: 0.0003 });
    assert.deepEqual(validateField(verbose, one('yes')), { value: true });
    assert.deepEqual(validateField(sizes, one('[16, 32]')), { value: [16, 32] });
    assert.deepEqual(validateField(name, one('')), { value: '' }, 'empty text is a valid str');
    assert.deepEqual(validateField(checkpoint, one('')), { value: null }, 'empty means None where None is the default');
  });

  test('a sweep field takes a comma list, checks each value and counts the runs', () => {
    const result = validateParameterForm(all, { ...initialInput(all), lr: many('0.1, 0.01,0.001'), epochs: many('5,10') });
    assert.equal(result.ok, true);
    assert.deepEqual(result.sweep, { lr: [0.1, 0.01, 0.001], epochs: [5, 10] });
    assert.equal(result.values.lr, 0.1, 'the first value stands in for the sweep');
    assert.equal(result.runCount, 6);
    assert.equal(validateField(epochs, many('5,x,7')).error, "Value 2 of 3: expected a whole number, got 'x'.");
    assert.equal(validateField(epochs, many('5,,7')).error, 'Value 2 of 3 is empty.');
    assert.equal(validateField(epochs, many('5,5')).error, '5 is listed twice.');
    assert.equal(validateField(epochs, many(' ')).error, 'List one or more values, separated by commas.');
  });

  test('ranges plug in through the sweep syntax hook, and their values are checked too', () => {
    const dots = {
      expandRange: (_p: ParameterSpec, text: string) => {
        const m = /^(\d+)\.\.(\d+)$/.exec(text);
        return m ? Array.from({ length: Number(m[2]) - Number(m[1]) + 1 }, (_, i) => Number(m[1]) + i) : undefined;
      },
    };
    assert.deepEqual(validateField(epochs, many('3..5'), dots).sweep, [3, 4, 5]);
    assert.deepEqual(validateField(epochs, many('3,9'), dots).sweep, [3, 9], 'not a range: read as a list');
    assert.equal(validateField(epochs, many('5..3'), dots).error, 'The range has no values.');
    assert.equal(validateField(verbose, many('1..2'), dots).error, 'The range gives 1, not true or false.');
    const strict = {
      expandRange: () => {
        throw new Error('a range needs a number of grid points, e.g. 1..10:5');
      },
    };
    assert.equal(validateField(epochs, many('1..10'), strict).error, 'a range needs a number of grid points, e.g. 1..10:5');
  });

  test('only scalar parameters marked sweepable can be swept', () => {
    assert.equal(canSweep(lr, ['lr']), true);
    assert.equal(canSweep(lr, []), false);
    assert.equal(canSweep(sizes, ['sizes']), false, 'commas belong to the list itself');
  });
});
