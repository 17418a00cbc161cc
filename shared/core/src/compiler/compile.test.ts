/** How tags and data flow shape the compiled pipeline. */

import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { FerryError } from '../errors.js';
import type { Notebook } from '../notebook/notebook.js';
import type { PipelineSpec, StepSpec } from '../spec.js';
import { compileNotebook } from './compile.js';

type Cell = string | { tags?: string[]; source: string; markdown?: boolean };

function notebookOf(cells: Cell[]): Notebook {
  return {
    nbformat: 4,
    nbformatMinor: 5,
    metadata: {},
    cells: cells.map((cell, index) => {
      const { tags = [], source, markdown = false } = typeof cell === 'string' ? { source: cell } : cell;
      return { index, cellType: markdown ? 'markdown' : 'code', source, tags };
    }),
  };
}

function compile(cells: Cell[]): PipelineSpec {
  return compileNotebook(notebookOf(cells), { file: 'nb.ipynb' });
}

function step(spec: PipelineSpec, name: string): StepSpec {
  const found = spec.steps.find((s) => s.name === name);
  assert.ok(found, `no step ${name} in ${spec.steps.map((s) => s.name).join(', ')}`);
  return found;
}

const stepNames = (spec: PipelineSpec) => spec.steps.map((s) => s.name);
const cellsOf = (s: StepSpec) => s.cells.map((c) => c.cell);

function compileError(cells: Cell[]): FerryError {
  try {
    compile(cells);
  } catch (e) {
    assert.ok(e instanceof FerryError);
    return e;
  }
  assert.fail('the notebook compiled');
}

describe('cells to steps', () => {
  test('a notebook without step tags is one step `main` (the Papermill case)', () => {
    const spec = compile([
      { tags: ['imports'], source: 'import math' },
      { tags: ['parameters'], source: 'n = 3' },
      { source: '# notes', markdown: true },
      'x = math.sqrt(n)',
      { tags: ['gpus:1'], source: 'print(x)' },
    ]);
    assert.deepEqual(stepNames(spec), ['main']);
    assert.deepEqual(cellsOf(step(spec, 'main')), [3, 4]);
    assert.deepEqual(step(spec, 'main').resources, { gpus: 1 });
    assert.deepEqual(spec.prelude, [{ cell: 0, source: 'import math' }]);
    assert.deepEqual(spec.parameters.map((p) => [p.name, p.default]), [['n', 3]]);
  });

  test('untagged cells continue the step above, across markdown and role cells', () => {
    const spec = compile([
      { tags: ['step:load'], source: 'a = 1' },
      { source: 'text', markdown: true },
      'b = a',
      { tags: ['functions'], source: 'def f():\n    return 1' },
      'c = f()',
      { tags: ['step:train'], source: 'd = c' },
    ]);
    assert.deepEqual(cellsOf(step(spec, 'load')), [0, 2, 4]);
    assert.deepEqual(cellsOf(step(spec, 'train')), [5]);
    assert.deepEqual(spec.prelude.map((c) => c.cell), [3]);
  });

  test('cells tagged with the same step join it, even when not adjacent (Kale)', () => {
    const spec = compile([
      { tags: ['block:load'], source: 'a = 1' },
      { tags: ['block:other'], source: 'b = 2' },
      { tags: ['block:load'], source: 'c = a' },
    ]);
    assert.deepEqual(cellsOf(step(spec, 'load')), [0, 2]);
    assert.deepEqual(stepNames(spec), ['load', 'other']);
  });

  test('skip cells never run, whatever else they are tagged', () => {
    const spec = compile([
      { tags: ['step:a'], source: 'x = 1' },
      { tags: ['skip'], source: 'x.plot()' },
      { tags: ['skip', 'step:debug'], source: 'breakpoint()' },
      'y = x',
    ]);
    assert.deepEqual(stepNames(spec), ['a']);
    assert.deepEqual(cellsOf(step(spec, 'a')), [0, 3]);
  });

  test('the parameters cell is in no step, and a step may share a parameter name', () => {
    const spec = compile([{ tags: ['parameters'], source: 'train = True' }, { tags: ['step:train'], source: 'print(train)' }]);
    assert.deepEqual(cellsOf(step(spec, 'train')), [1]);
    assert.deepEqual(step(spec, 'train').inputs, []);
  });

  test('resources, labels and annotations from any cell of a step', () => {
    const spec = compile([
      { tags: ['step:train', 'gpus:1', 'label:team:vision'], source: 'x = 1' },
      { tags: ['time:2h', 'annotation:note:first try'], source: 'y = 2' },
      { tags: ['limit:nvidia.com/gpu:1', 'mem:16Gi'], source: 'z = 3' },
    ]);
    const train = step(spec, 'train');
    assert.deepEqual(train.resources, { gpus: 1, memoryMiB: 16384, timeMinutes: 120 });
    assert.deepEqual(train.labels, { team: 'vision' });
    assert.deepEqual(train.annotations, { note: 'first try' });
    assert.equal('labels' in step(compile([{ tags: ['step:a'], source: 'x = 1' }]), 'a'), false);
  });

  test('conflicting resources in two cells of a step name both cells', () => {
    const error = compileError([{ tags: ['step:train', 'gpus:1'], source: 'x = 1' }, { tags: ['gpus:2'], source: 'y = 2' }]);
    assert.equal(error.category, 'tag');
    assert.equal(error.location?.cell, 1);
    assert.match(error.message, /step `train` has conflicting gpus: 1 \(cell 0\) and 2 \(cell 1\)/);
  });

  test('the spec name and notebook come from the file name, with any directory', () => {
    const spec = compileNotebook(notebookOf(['x = 1']), { file: 'C:\\work\\My Run.ipynb' });
    assert.equal(spec.name, 'My Run');
    assert.equal(spec.notebook, 'My Run.ipynb');
    assert.equal(compileNotebook(notebookOf(['x = 1']), { file: 'a/b/train.ipynb' }).notebook, 'train.ipynb');
  });

  test('IPython magics in a step do not stop compilation, and the source is kept as written', () => {
    const spec = compile([{ tags: ['step:a'], source: '%matplotlib inline\n!pip install tqdm\nx = 1' }]);
    assert.equal(step(spec, 'a').cells[0]!.source, '%matplotlib inline\n!pip install tqdm\nx = 1');
  });
});

describe('data flow between steps', () => {
  test('without after: tags, dependencies follow the data, so independent steps are parallel', () => {
    const spec = compile([
      { tags: ['step:load'], source: 'data = [1, 2]' },
      { tags: ['step:left'], source: 'l = sum(data)' },
      { tags: ['step:right'], source: 'r = max(data)' },
      { tags: ['step:join'], source: 'both = l + r' },
    ]);
    assert.deepEqual(step(spec, 'left').dependsOn, ['load']);
    assert.deepEqual(step(spec, 'right').dependsOn, ['load']);
    assert.deepEqual(step(spec, 'join').dependsOn, ['left', 'right']);
    assert.deepEqual(step(spec, 'join').inputs, [
      { name: 'l', from: 'left' },
      { name: 'r', from: 'right' },
    ]);
    assert.deepEqual(step(spec, 'load').outputs, ['data']);
  });

  test('the producer is the nearest earlier step that defines the name', () => {
    const spec = compile([
      { tags: ['step:a'], source: 'x = 1' },
      { tags: ['step:b'], source: 'x = x + 1' },
      { tags: ['step:c'], source: 'print(x)' },
    ]);
    assert.deepEqual(step(spec, 'b').inputs, [{ name: 'x', from: 'a' }]);
    assert.deepEqual(step(spec, 'c').inputs, [{ name: 'x', from: 'b' }]);
    assert.deepEqual(step(spec, 'c').dependsOn, ['b']);
    assert.deepEqual(step(spec, 'a').outputs, ['x']);
  });

  test('a step changing a value in place passes the changed value on', () => {
    const spec = compile([
      { tags: ['step:load'], source: 'df = {"a": 1}' },
      { tags: ['step:enrich'], source: 'df["b"] = 2' },
      { tags: ['step:report'], source: 'print(df)' },
    ]);
    assert.deepEqual(step(spec, 'enrich').inputs, [{ name: 'df', from: 'load' }]);
    assert.deepEqual(step(spec, 'report').inputs, [{ name: 'df', from: 'enrich' }]);
  });

  test('parameters, prelude names, builtins and names a step defines first are not inputs', () => {
    const spec = compile([
      { tags: ['imports'], source: 'import json' },
      { tags: ['functions'], source: 'def helper(v):\n    return v' },
      { tags: ['parameters'], source: 'size = 3' },
      { tags: ['step:a'], source: 'len = 5\nitems = list(range(size))' },
      { tags: ['step:b'], source: 'items = [1]\nprint(json.dumps(helper(items)), len)' },
    ]);
    assert.deepEqual(step(spec, 'b').inputs, []);
    assert.deepEqual(step(spec, 'b').dependsOn, []);
    assert.deepEqual(step(spec, 'a').outputs, []);
  });

  test('a name defined only by a later step is not an input', () => {
    const spec = compile([
      { tags: ['step:a'], source: 'print(result)' },
      { tags: ['step:b'], source: 'result = 1' },
    ]);
    assert.deepEqual(step(spec, 'a').inputs, []);
    assert.deepEqual(step(spec, 'a').dependsOn, []);
  });

  test('a value deleted within a step is not passed on', () => {
    const spec = compile([
      { tags: ['step:a'], source: 'tmp = 1\nkeep = 2' },
      'del tmp',
      { tags: ['step:b'], source: 'print(tmp, keep)' },
    ]);
    assert.deepEqual(step(spec, 'b').inputs, [{ name: 'keep', from: 'a' }]);
  });

  test('with after: tags the dependencies are exactly those, and inputs come from any ancestor', () => {
    const spec = compile([
      { tags: ['block:prepare'], source: 'x = 1\ny = 2' },
      { tags: ['block:train', 'prev:prepare'], source: 'w = x' },
      { tags: ['block:evaluate', 'prev:train'], source: 'score = w + y' },
    ]);
    assert.deepEqual(step(spec, 'evaluate').dependsOn, ['train']);
    assert.deepEqual(step(spec, 'evaluate').inputs, [
      { name: 'w', from: 'train' },
      { name: 'y', from: 'prepare' },
    ]);
    assert.deepEqual(step(spec, 'prepare').outputs, ['x', 'y']);
  });

  test('after: may point to a later cell; the order follows the dependencies', () => {
    const spec = compile([
      { tags: ['step:report', 'after:compute'], source: 'print(total)' },
      { tags: ['step:compute'], source: 'total = 42' },
      { tags: ['step:other'], source: 'z = 0' },
    ]);
    assert.deepEqual(stepNames(spec), ['compute', 'report', 'other']);
    assert.deepEqual(step(spec, 'report').inputs, [{ name: 'total', from: 'compute' }]);
  });

  test('steps are ordered by dependencies, then by notebook order', () => {
    const spec = compile([
      { tags: ['step:z_last', 'after:b'], source: 'pass' },
      { tags: ['step:a'], source: 'pass' },
      { tags: ['step:b', 'after:a'], source: 'pass' },
      { tags: ['step:c'], source: 'pass' },
    ]);
    assert.deepEqual(stepNames(spec), ['a', 'b', 'z_last', 'c']);
  });

  test('after: matches step names as duplicate detection does', () => {
    const spec = compile([
      { tags: ['step:load-data'], source: 'x = 1' },
      { tags: ['step:train', 'after:Load_Data'], source: 'y = x' },
    ]);
    assert.deepEqual(step(spec, 'train').dependsOn, ['load-data']);
  });
});

describe('pipeline metrics', () => {
  test('each name goes to the last step that defines it; print(name) is accepted', () => {
    const spec = compile([
      { tags: ['step:train'], source: 'loss = 0.5\naccuracy = 0.7' },
      { tags: ['step:evaluate'], source: 'accuracy = 0.9' },
      { tags: ['pipeline-metrics'], source: '# final numbers\naccuracy\nprint(loss)\n' },
    ]);
    assert.deepEqual(step(spec, 'train').metrics, ['loss']);
    assert.deepEqual(step(spec, 'evaluate').metrics, ['accuracy']);
  });

  test('anything but variable names in the metrics cell is refused, naming the line', () => {
    const error = compileError([{ tags: ['step:a'], source: 'x = 1' }, { tags: ['pipeline-metrics'], source: 'x\nx * 2' }]);
    assert.equal(error.category, 'pipeline');
    assert.deepEqual(error.location, { file: 'nb.ipynb', cell: 1, line: 2 });
    assert.match(error.message, /one per line; line 2 is `x \* 2`/);
  });

  test('a parameter is not a metric of any step', () => {
    const error = compileError([
      { tags: ['parameters'], source: 'lr = 0.1' },
      { tags: ['step:a'], source: 'x = lr' },
      { tags: ['pipeline-metrics'], source: 'lr' },
    ]);
    assert.match(error.message, /metric `lr` .* not defined by any step/);
  });
});
