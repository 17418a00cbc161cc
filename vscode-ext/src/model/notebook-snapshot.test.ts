import assert from 'node:assert/strict';
import { test } from 'node:test';
import { compileCells, type EditorCell } from './notebook-snapshot.js';

const code = (source: string, tags: string[] = []): EditorCell => ({ kind: 'code', source, tags });
const python = { kernelspec: { name: 'python3', language: 'python', display_name: 'Python 3' } };

test('the notebook as the editor holds it compiles to steps and parameters', () => {
  const result = compileCells(
    [code('epochs = 3  # passes', ['parameters']), { kind: 'markdown', source: '# prep', tags: [] }, code('x = epochs * 2', ['step:prepare']), code('print(x)', ['step:report'])],
    python,
    'demo.ipynb',
  );
  assert.ok(result.ok);
  assert.deepEqual(result.spec.steps.map((s) => s.name), ['prepare', 'report']);
  assert.deepEqual(result.spec.parameters.map((p) => [p.name, p.type, p.help]), [['epochs', 'int', 'passes']]);
});

test('a compile problem points at the cell (counting markdown cells) and the 0-based line', () => {
  const result = compileCells([{ kind: 'markdown', source: '# t', tags: [] }, code('x = 1', ['step:a', 'gpus:many'])], python, 'demo.ipynb');
  assert.equal(result.ok, false);
  if (result.ok) return;
  assert.equal(result.problem.cell, 1);
  assert.match(result.problem.message, /gpus:many/);

  const syntax = compileCells([code('epochs = 3', ['parameters']), code('a = 1\nb = (', ['step:a'])], python, 'demo.ipynb');
  assert.equal(syntax.ok, false);
  if (!syntax.ok) assert.equal(syntax.problem.cell, 1);
});
