import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { FerryError } from '../errors.js';
import { extractParameters } from './parameters-cell.js';
import { parsePythonCell } from './python-cell.js';

const where = { file: 'train.ipynb', cell: 2 };

function parameters(source: string) {
  return extractParameters(parsePythonCell(source), where);
}

function only(source: string) {
  const [parameter, ...rest] = parameters(source);
  assert.equal(rest.length, 0);
  const { type, default: value } = parameter!;
  return { type, value };
}

function rejects(source: string, expected: { line: number; parameter?: string; message: RegExp }) {
  assert.throws(
    () => parameters(source),
    (error: unknown) => {
      assert.ok(error instanceof FerryError);
      assert.equal(error.category, 'parameter');
      assert.equal(error.location?.file, 'train.ipynb');
      assert.equal(error.location?.cell, 2);
      assert.equal(error.location?.line, expected.line);
      if (expected.parameter) assert.equal(error.location?.parameter, expected.parameter);
      assert.match(error.message, expected.message);
      return true;
    },
  );
}

describe('parameters cell', () => {
  test('each literal type', () => {
    assert.deepEqual(only('epochs = 10'), { type: 'int', value: 10 });
    assert.deepEqual(only('lr = 0.5'), { type: 'float', value: 0.5 });
    assert.deepEqual(only('lr = 1e-3'), { type: 'float', value: 0.001 });
    assert.deepEqual(only('name = "run"'), { type: 'str', value: 'run' });
    assert.deepEqual(only('flag = False'), { type: 'bool', value: false });
    assert.deepEqual(only('sizes = [1, 2.5, "x", None]'), { type: 'list', value: [1, 2.5, 'x', null] });
    assert.deepEqual(only('shape = (3, 4)'), { type: 'list', value: [3, 4] });
    assert.deepEqual(only('opts = {"a": {"b": [True]}}'), { type: 'dict', value: { a: { b: [true] } } });
    assert.deepEqual(only('checkpoint = None'), { type: 'None', value: null });
  });

  test('number notations: negatives, underscores, exponents, hex', () => {
    assert.deepEqual(only('offset = -1'), { type: 'int', value: -1 });
    assert.deepEqual(only('shift = -0.5'), { type: 'float', value: -0.5 });
    assert.deepEqual(only('steps = 1_000'), { type: 'int', value: 1000 });
    assert.deepEqual(only('mask = 0xff'), { type: 'int', value: 255 });
    assert.deepEqual(only('tiny = -2.5E-3'), { type: 'float', value: -0.0025 });
  });

  test('every string literal form decodes as Python would', () => {
    assert.equal(only("s = 'single'").value, 'single');
    assert.equal(only('s = """triple\nline"""').value, 'triple\nline');
    assert.equal(only("s = '''it's'''").value, "it's");
    assert.equal(only('s = "tab\\tnew\\nline \\x41\\u00e9\\\\"').value, 'tab\tnew\nline Aé\\');
    assert.equal(only('s = r"C:\\data\\new"').value, 'C:\\data\\new');
    assert.equal(only('s = "a" \'b\' """c"""').value, 'abc');
    assert.equal(only('s = u"unicode"').value, 'unicode');
  });

  test('an annotation that names a type wins over the literal', () => {
    assert.deepEqual(only('lr: float = 1'), { type: 'float', value: 1 });
    assert.deepEqual(only('ids: list[int] = (1, 2)'), { type: 'list', value: [1, 2] });
    assert.deepEqual(only('path: Optional[str] = None'), { type: 'str', value: null });
    assert.deepEqual(only('limit: int | None = None'), { type: 'int', value: null });
    assert.deepEqual(only('model: MyConfig = "small"'), { type: 'str', value: 'small' });
  });

  test('an annotation that contradicts the default is an error', () => {
    rejects('epochs: int = 1.5', { line: 1, parameter: 'epochs', message: /annotated `int`.*float/ });
  });

  test('help is the trailing comment; lines, docstrings and comments are kept apart', () => {
    const result = parameters(
      '"""Training parameters."""\n# learning setup\n\nepochs = 10  # passes over the data\nlr = 0.1\nsizes = [\n    1,\n]  #   layer sizes  ',
    );
    assert.deepEqual(
      result.map(({ name, help, line, cell }) => ({ name, help, line, cell })),
      [
        { name: 'epochs', help: 'passes over the data', line: 4, cell: 2 },
        { name: 'lr', help: undefined, line: 5, cell: 2 },
        { name: 'sizes', help: 'layer sizes', line: 6, cell: 2 },
      ],
    );
  });

  test('non-literal defaults are refused with the line and the parameter', () => {
    rejects('a = 1\nx = compute()', { line: 2, parameter: 'x', message: /defaults must be literals.*`compute\(\)` is a function call/ });
    rejects('y = a + 1', { line: 1, parameter: 'y', message: /`a \+ 1` is an expression/ });
    rejects('name = f"run-{seed}"', { line: 1, parameter: 'name', message: /f-string/ });
    rejects('data = b"raw"', { line: 1, parameter: 'data', message: /bytes/ });
    rejects('tags = {"a", "b"}', { line: 1, parameter: 'tags', message: /set/ });
    rejects('m = {1: "a"}', { line: 1, parameter: 'm', message: /dict key `1` is not a string/ });
    rejects('big = 12345678901234567890', { line: 1, parameter: 'big', message: /too large/ });
    rejects('z = 1j', { line: 1, parameter: 'z', message: /complex/ });
  });

  test('statements other than assignments are refused, naming the line', () => {
    rejects('epochs = 3\nimport os', { line: 2, message: /only assign defaults.*`import os`/ });
    rejects('a = b = 1', { line: 1, parameter: 'a', message: /one name per line/ });
    rejects('a, b = 1, 2', { line: 1, message: /one name per line/ });
    rejects('size: int', { line: 1, parameter: 'size', message: /no default/ });
    rejects('x = 1\nx = 2', { line: 2, parameter: 'x', message: /assigned twice \(lines 1 and 2\)/ });
  });

  test('an empty cell declares no parameters', () => {
    assert.deepEqual(parameters('# nothing to set\n'), []);
  });
});
