import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { analyzeCellDataFlow } from './data-flow.js';
import { extractParameters } from './parameters-cell.js';
import { findSyntaxError, parsePythonCell } from './python-cell.js';

const syntaxError = (source: string) => findSyntaxError(parsePythonCell(source));

describe('parsing a cell', () => {
  test('a real syntax error gives its line and text', () => {
    assert.deepEqual(syntaxError('x = 1\ny = (2 +\n'), { line: 2, lineText: 'y = (2 +' });
    assert.deepEqual(syntaxError('def f(:\n    pass'), { line: 1, lineText: 'def f(:' });
  });

  test('valid Python the grammar does not cover is not reported', () => {
    for (const source of [
      '@contextmanager\ndef opened():\n    yield  # hand over\n    cleanup()',
      'def gen():\n    x = (yield)',
      'lr = 1.\nscale = 2.*lr',
      'match shape:\n    case Circle():\n        pass\n    case str() | bytes():\n        pass',
      'heads = [h for h, *rest in rows]',
      'x = 1\f\ny = 2',
    ]) {
      assert.equal(syntaxError(source), undefined, source);
    }
  });

  test('a float with a trailing dot is a float parameter default', () => {
    const [lr] = extractParameters(parsePythonCell('lr = 1.  # step size'), { cell: 0 });
    assert.deepEqual([lr?.type, lr?.default, lr?.help], ['float', 1, 'step size']);
  });

  test('a `%` continuation line inside brackets is Python, even in a cell with magics', () => {
    const cell = parsePythonCell('%matplotlib inline\nmessage = ("run %s"\n           % run_name)');
    assert.equal(findSyntaxError(cell), undefined);
    assert.deepEqual(analyzeCellDataFlow(cell).uses, ['run_name']);
  });

  test('a multi-line string keeps lines that start with `%` or `!`', () => {
    const cell = parsePythonCell('%load_ext autoreload\nquery = """\n!important\n%s\n"""');
    assert.equal(cell.source.split('\n').slice(2, 4).join('\n'), '!important\n%s');
  });
});
