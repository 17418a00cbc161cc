import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { FerryError } from '../errors.js';
import type { ParameterSpec, ParamType, JsonValue } from '../spec.js';
import { parseParameterArgs } from './parse-args.js';
import { resolveParameters } from './resolve-parameters.js';

function param(name: string, type: ParamType, value: JsonValue, line = 1): ParameterSpec {
  return { name, type, default: value, cell: 3, line };
}

const spec = {
  parameters: [
    param('epochs', 'int', 20, 1),
    param('lr', 'float', 0.5, 2),
    param('name', 'str', 'run', 3),
    param('verbose', 'bool', false, 4),
    param('sizes', 'list', [1, 2], 5),
    param('opts', 'dict', { a: 1 }, 6),
    param('checkpoint', 'None', null, 7),
  ],
};

function fromCli(values: Record<string, string>) {
  return resolveParameters(spec, values, { fromStrings: true });
}

function rejectsValue(run: () => unknown, parameter: string, message: RegExp, line?: number) {
  assert.throws(run, (error: unknown) => {
    assert.ok(error instanceof FerryError);
    assert.equal(error.category, 'parameter');
    assert.equal(error.location?.parameter, parameter);
    if (line !== undefined) assert.deepEqual(error.location, { parameter, cell: 3, line });
    assert.match(error.message, message);
    return true;
  });
}

describe('-p NAME=VALUE arguments', () => {
  test('split at the first `=`', () => {
    assert.deepEqual(parseParameterArgs(['epochs=5', 'expr=a=b', 'empty=']), { epochs: '5', expr: 'a=b', empty: '' });
  });

  test('malformed or repeated arguments are refused', () => {
    assert.throws(() => parseParameterArgs(['epochs']), /expected NAME=VALUE after -p, got 'epochs'/);
    assert.throws(() => parseParameterArgs(['=5']), /expected NAME=VALUE/);
    assert.throws(() => parseParameterArgs(['bad name=1']), /expected NAME=VALUE/);
    assert.throws(() => parseParameterArgs(['a=1', 'a=2']), /`a` is given twice/);
  });
});

describe('resolving parameter values', () => {
  test('defaults fill in what is not given, in the spec order', () => {
    const values = resolveParameters(spec, { lr: 0.1 });
    assert.deepEqual(Object.keys(values), spec.parameters.map((p) => p.name));
    assert.equal(values['lr'], 0.1);
    assert.equal(values['epochs'], 20);
  });

  test('command-line strings are converted by the declared type', () => {
    assert.deepEqual(
      fromCli({
        epochs: '1_000',
        lr: '1e-3',
        name: 'x=1; import os',
        verbose: 'yes',
        sizes: "[1, 'a']",
        opts: '{"b": [true]}',
        checkpoint: 'ckpt.pt',
      }),
      {
        epochs: 1000,
        lr: 0.001,
        name: 'x=1; import os',
        verbose: true,
        sizes: [1, 'a'],
        opts: { b: [true] },
        checkpoint: 'ckpt.pt',
      },
    );
    assert.equal(fromCli({ epochs: '-3' })['epochs'], -3);
    assert.equal(fromCli({ lr: '2' })['lr'], 2);
    assert.deepEqual(fromCli({ sizes: '(3, 4)' })['sizes'], [3, 4]);
    assert.deepEqual(fromCli({ opts: "{'a': None}" })['opts'], { a: null });
    assert.equal(fromCli({ checkpoint: '5' })['checkpoint'], 5);
    assert.equal(fromCli({ checkpoint: 'None' })['checkpoint'], null);
    for (const [text, value] of [['True', true], ['false', false], ['1', true], ['0', false], ['no', false]] as const) {
      assert.equal(fromCli({ verbose: text })['verbose'], value);
    }
  });

  test('a string of the wrong type names the parameter, the type and the value', () => {
    rejectsValue(() => fromCli({ epochs: 'ten' }), 'epochs', /^parameter `epochs` expects int, got 'ten'$/, 1);
    rejectsValue(() => fromCli({ epochs: '1; import os' }), 'epochs', /^parameter `epochs` expects int, got '1; import os'$/, 1);
    rejectsValue(() => fromCli({ epochs: '1.5' }), 'epochs', /expects int/);
    rejectsValue(() => fromCli({ epochs: '' }), 'epochs', /expects int, got ''/);
    rejectsValue(() => fromCli({ epochs: '99999999999999999999' }), 'epochs', /expects int/);
    rejectsValue(() => fromCli({ lr: 'inf' }), 'lr', /expects float, got 'inf'/);
    rejectsValue(() => fromCli({ lr: 'nan' }), 'lr', /expects float/);
    rejectsValue(() => fromCli({ lr: '0x10' }), 'lr', /expects float/);
    rejectsValue(() => fromCli({ verbose: 'maybe' }), 'verbose', /expects bool, got 'maybe'/);
    rejectsValue(() => fromCli({ sizes: '{"a": 1}' }), 'sizes', /expects list/);
    rejectsValue(() => fromCli({ sizes: "[1, __import__('os')]" }), 'sizes', /expects list/);
    rejectsValue(() => fromCli({ opts: '[1]' }), 'opts', /expects dict/);
  });

  test('typed JSON values are checked, not converted', () => {
    assert.equal(resolveParameters(spec, { lr: 3 })['lr'], 3);
    assert.equal(resolveParameters(spec, { name: '1; import os' })['name'], '1; import os');
    assert.deepEqual(resolveParameters(spec, { checkpoint: { any: ['thing'] } })['checkpoint'], { any: ['thing'] });
    rejectsValue(() => resolveParameters(spec, { epochs: 2.5 }), 'epochs', /expects int, got 2\.5/, 1);
    rejectsValue(() => resolveParameters(spec, { epochs: '10' }), 'epochs', /expects int, got '10'/);
    rejectsValue(() => resolveParameters(spec, { verbose: 1 }), 'verbose', /expects bool, got 1/);
    rejectsValue(() => resolveParameters(spec, { name: null }), 'name', /expects str, got null/);
    rejectsValue(() => resolveParameters(spec, { sizes: { a: 1 } }), 'sizes', /expects list/);
    rejectsValue(() => resolveParameters(spec, { opts: [1] }), 'opts', /expects dict/);
  });

  test('a parameter whose default is None accepts None', () => {
    const optional = { parameters: [param('limit', 'int', null)] };
    assert.equal(resolveParameters(optional, { limit: null })['limit'], null);
    assert.equal(resolveParameters(optional, { limit: 'None' }, { fromStrings: true })['limit'], null);
    assert.equal(resolveParameters(optional, { limit: '4' }, { fromStrings: true })['limit'], 4);
  });

  test('unknown names are refused with the list of known ones', () => {
    rejectsValue(() => resolveParameters(spec, { epoch: 3 }), 'epoch', /unknown parameter `epoch`; known parameters: epochs, lr, name, verbose, sizes, opts, checkpoint/);
    rejectsValue(() => resolveParameters({ parameters: [] }, { x: 1 }), 'x', /known parameters: none/);
  });

  test('a parameter called __proto__ is an ordinary value', () => {
    const given = JSON.parse('{"__proto__": "2"}') as Record<string, JsonValue>;
    const values = resolveParameters({ parameters: [param('__proto__', 'int', 1)] }, given, { fromStrings: true });
    assert.equal(Object.getPrototypeOf(values), Object.prototype);
    assert.equal(JSON.stringify(values), '{"__proto__":2}');
  });
});
