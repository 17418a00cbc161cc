import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { analyzeCellDataFlow } from './data-flow.js';
import { parsePythonCell } from './python-cell.js';

function flow(source: string) {
  const result = analyzeCellDataFlow(parsePythonCell(source));
  return { uses: [...result.uses].sort(), defines: [...result.defines].sort(), deletes: [...result.deletes].sort() };
}

describe('data flow of a cell', () => {
  test('assignment targets, starred and nested, are defined; the value is used', () => {
    assert.deepEqual(flow('a, (b, *c) = [d, e] = source'), {
      uses: ['source'],
      defines: ['a', 'b', 'c', 'd', 'e'],
      deletes: [],
    });
  });

  test('a name used before the cell defines it is an input; used after, it is not', () => {
    assert.deepEqual(flow('y = x + 1\nx = 2\nz = x').uses, ['x']);
    assert.deepEqual(flow('x = 2\nz = x').uses, []);
  });

  test('augmented assignment uses and defines', () => {
    assert.deepEqual(flow('total += 1'), { uses: ['total'], defines: ['total'], deletes: [] });
  });

  test('annotated assignment defines; a bare annotation does not', () => {
    assert.deepEqual(flow('lr: float = base_lr'), { uses: ['base_lr', 'float'], defines: ['lr'], deletes: [] });
    assert.deepEqual(flow('lr: float').defines, []);
  });

  test('for and async for targets are defined after the iterable is evaluated', () => {
    assert.deepEqual(flow('for i, (k, v) in enumerate(items):\n    acc = v\nelse:\n    done = 1'), {
      uses: ['enumerate', 'items'],
      defines: ['acc', 'done', 'i', 'k', 'v'],
      deletes: [],
    });
    assert.deepEqual(flow('async def f():\n    pass\nasync for row in stream():\n    last = row').defines.sort(), [
      'f',
      'last',
      'row',
    ]);
  });

  test('with ... as defines the alias and uses the context expression', () => {
    assert.deepEqual(flow('with open(path) as fh, lock:\n    text = fh.read()'), {
      uses: ['lock', 'open', 'path'],
      defines: ['fh', 'text'],
      deletes: [],
    });
  });

  test('walrus defines in the enclosing scope, even inside a comprehension', () => {
    assert.deepEqual(flow('if (n := len(data)) > 3:\n    pass').defines, ['n']);
    assert.deepEqual(flow('values = [last := x for x in xs]'), {
      uses: ['xs'],
      defines: ['last', 'values'],
      deletes: [],
    });
  });

  test('imports bind the top-level package or the alias', () => {
    assert.deepEqual(flow('import os.path, numpy as np\nfrom a.b import (c as d, e)\nfrom . import f').defines, [
      'd',
      'e',
      'f',
      'np',
      'os',
    ]);
    assert.deepEqual(flow('import os.path').uses, [], 'module names in an import are not reads');
    assert.deepEqual(flow('from pkg import *'), { uses: [], defines: [], deletes: [] });
  });

  test('def: decorators and defaults are used, parameters are local, free names of the body are used', () => {
    const result = flow('@register(registry)\ndef f(a, b=default, *args, c: Kind = 1, **kw) -> Out:\n    return a + b + c + outside');
    assert.deepEqual(result.defines, ['f']);
    assert.deepEqual(result.uses, ['Kind', 'Out', 'default', 'outside', 'register', 'registry']);
  });

  test('a function may use a name the cell defines later', () => {
    assert.deepEqual(flow('def main():\n    return helper()\ndef helper():\n    return 1\nmain()').uses, []);
  });

  test('class: bases and keywords are used, the body runs at once, methods see module names', () => {
    const result = flow(
      'class Model(Base, metaclass=Meta):\n    size = default_size\n    twice = size * 2\n    def fit(self):\n        return size_global + self.size',
    );
    assert.deepEqual(result.defines, ['Model']);
    assert.deepEqual(result.uses, ['Base', 'Meta', 'default_size', 'size_global']);
  });

  test('keyword argument names are not reads', () => {
    assert.deepEqual(flow('plot(x, color=c, label="a")').uses, ['c', 'plot', 'x']);
  });

  test('lambda parameters are local; defaults are used', () => {
    assert.deepEqual(flow('f = lambda u, v=offset: u * v * scale'), {
      uses: ['offset', 'scale'],
      defines: ['f'],
      deletes: [],
    });
  });

  test('comprehension variables do not leak; the first iterable is evaluated outside', () => {
    assert.deepEqual(flow('squares = [x * x for x in xs if x > limit]'), {
      uses: ['limit', 'xs'],
      defines: ['squares'],
      deletes: [],
    });
    assert.deepEqual(flow('pairs = {k: v for k, row in rows for v in row}').defines, ['pairs']);
    assert.deepEqual(flow('total = sum(x for x in xs)\nprint(x)').uses, ['print', 'sum', 'x', 'xs']);
  });

  test('a comprehension variable shadowing an outer name is not a use of it', () => {
    assert.deepEqual(flow('items = [item for item in batch]').uses, ['batch']);
  });

  test('del uses the name, and the name is no longer defined after it', () => {
    assert.deepEqual(flow('del model'), { uses: ['model'], defines: [], deletes: ['model'] });
    assert.deepEqual(flow('tmp = 1\ndel tmp'), { uses: [], defines: [], deletes: ['tmp'] });
    assert.deepEqual(flow('del cache\ncache = {}').defines, ['cache']);
  });

  test('a global assigned inside a function is a module-level definition', () => {
    assert.deepEqual(flow('def init():\n    global model\n    model = build()\ninit()\nmodel.fit()'), {
      uses: ['build'],
      defines: ['init', 'model'],
      deletes: [],
    });
  });

  test('a name assigned in a function is local to it', () => {
    assert.deepEqual(flow('def f():\n    model = 1\n    return model'), { uses: [], defines: ['f'], deletes: [] });
  });

  test('except ... as e exists only in the handler', () => {
    const result = flow('try:\n    run()\nexcept ValueError as e:\n    print(e)\nprint(e)');
    assert.deepEqual(result.defines, []);
    assert.deepEqual(result.uses, ['ValueError', 'e', 'print', 'run']);
  });

  test('subscript and attribute assignment use the base and redefine it (the value changed)', () => {
    assert.deepEqual(flow('df["total"] = df["a"] + extra'), { uses: ['df', 'extra'], defines: ['df'], deletes: [] });
    assert.deepEqual(flow('config.lr = 0.1'), { uses: ['config'], defines: ['config'], deletes: [] });
    assert.deepEqual(flow('table[key].field += 1'), { uses: ['key', 'table'], defines: ['table'], deletes: [] });
    assert.deepEqual(flow('del cache[key]'), { uses: ['cache', 'key'], defines: ['cache'], deletes: [] });
  });

  test('mutation inside a function does not make the name local', () => {
    assert.deepEqual(flow('def add(v):\n    results[v] = 1').uses, ['results']);
  });

  test('match captures are defined; class patterns and guards are used; `_` binds nothing', () => {
    const result = flow(
      'match event:\n    case Click(x=px, y=py) if px > threshold:\n        pos = (px, py)\n    case [first, *rest]:\n        pass\n    case {"kind": kind, **extra}:\n        pass\n    case Color.RED | None as c:\n        pass\n    case _:\n        pass',
    );
    assert.deepEqual(result.uses, ['Click', 'Color', 'event', 'threshold']);
    assert.deepEqual(result.defines, ['c', 'extra', 'first', 'kind', 'pos', 'px', 'py', 'rest']);
  });

  test('f-string replacement fields are uses', () => {
    assert.deepEqual(flow('msg = f"{name!r:>{width}} {value:.3f}"').uses, ['name', 'value', 'width']);
  });

  test('IPython magics and shell escapes do not break the analysis, and lines keep their numbers', () => {
    const cell = parsePythonCell('%matplotlib inline\n!pip install x\nif ready:\n    !ls\nresult = compute(data)');
    assert.deepEqual(analyzeCellDataFlow(cell).uses, ['ready', 'compute', 'data']);
    assert.equal(cell.lineAt(cell.source.indexOf('result')), 5);
  });

  test('a %%time cell is Python; a %%bash cell is not', () => {
    assert.deepEqual(flow('%%time\nmodel = fit(x)'), { uses: ['fit', 'x'], defines: ['model'], deletes: [] });
    assert.deepEqual(flow('%%bash\nfor f in *.csv; do echo $f; done'), { uses: [], defines: [], deletes: [] });
  });
});
