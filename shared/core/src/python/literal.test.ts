import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { parsePythonLiteral } from './literal.js';

describe('a text as one Python literal', () => {
  test('lists, tuples and dicts in Python notation', () => {
    assert.deepEqual(parsePythonLiteral("[1, 'a', -2.5, None, True]"), { type: 'list', value: [1, 'a', -2.5, null, true] });
    assert.deepEqual(parsePythonLiteral('(1, 2,)'), { type: 'list', value: [1, 2] });
    assert.deepEqual(parsePythonLiteral("{'a': 1, 'b': [2]}"), { type: 'dict', value: { a: 1, b: [2] } });
  });

  test('anything that would have to run is not a literal', () => {
    assert.equal(parsePythonLiteral('1; import os'), undefined);
    assert.equal(parsePythonLiteral("__import__('os').system('id')"), undefined);
    assert.equal(parsePythonLiteral('[1, x]'), undefined);
    assert.equal(parsePythonLiteral('1, 2'), undefined);
    assert.equal(parsePythonLiteral('[1,'), undefined);
  });

  test('a `__proto__` key stays an ordinary key', () => {
    const parsed = parsePythonLiteral("{'__proto__': {'polluted': 1}}");
    assert.ok(parsed);
    assert.deepEqual(Object.keys(parsed.value as object), ['__proto__']);
    assert.equal(({} as Record<string, unknown>)['polluted'], undefined);
  });

  test('later duplicate keys win, as in Python', () => {
    assert.deepEqual(parsePythonLiteral("{'a': 1, 'a': 2}")?.value, { a: 2 });
  });
});
