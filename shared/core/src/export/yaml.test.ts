/**
 * The YAML writer against a real YAML reader: PyYAML (YAML 1.1, like the Go
 * readers behind kubectl and the Argo CLI) loads what it writes back to the
 * same value, for strings that other readers would take for other types,
 * text with YAML's own syntax in it, and multi-line text.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { describe, test } from 'node:test';
import { PYTHON } from '../node/testing.js';
import type { JsonValue } from '../spec.js';
import { toYaml } from './yaml.js';

const TRICKY_STRINGS = [
  '', ' ', 'yes', 'No', 'ON', 'off', 'y', 'N', 'true', 'False', 'null', 'Null', '~', '1', '-1', '0x10', '0o17', '017', '1_000', '1e3', '1.5',
  '.inf', '-.Inf', '.nan', '2001-12-14', '12:30:00', '1:30', '=', '<<', '- item', '-', '? key', 'key: value', 'a:b', 'a #b', '#comment', '&anchor',
  '*alias', '!tag', '%directive', '@at', '`tick', '"quoted"', "'single'", '{{$.inputs.parameters[\'x\']}}', '{{workflow.uid}}', '[1, 2]', '{a: 1}',
  '|', '>', 'trailing ', ' leading', 'tab\there', 'line\nbreak', 'two lines\n', 'ends with blank lines\n\n', '\nstarts with a newline', '  indented\nblock',
  'spaces at the end \nof a line', 'windows\r\nline', 'next line\u0085here', 'line\u2028separator', 'paragraph\u2029separator', 'bom\ufeff', 'bell\u0007',
  'delete\u007f', 'c1\u0080control', 'élève', '日本語', 'emoji 🚀', 'lone \ud800 surrogate', '/ferry/runs/x', 'python3', 'ferry_runtime.py', 'a-b_c.d/e',
  'def f():\n    return {"a": 1}\n', '# comment line\nimport os\n',
];

describe('YAML writer', () => {
  test('PyYAML loads every value back as written', () => {
    const document: JsonValue = {
      strings: TRICKY_STRINGS,
      keys: Object.fromEntries(TRICKY_STRINGS.filter((s) => !s.includes('\ud800')).map((s, i) => [s, i])),
      numbers: [0, -0, 1, -7, 0.5, 1e-7, 2.5e-12, 1e21, 123456789012, Number.MAX_SAFE_INTEGER, 0.1 + 0.2],
      others: [true, false, null, [], {}, [[1, [2]], { a: [] }], [{ a: 1, b: { c: [{ d: 'e' }] } }]],
      empty: {},
      list: [],
    };
    const yaml = toYaml(document, ['a header comment', '']);
    const result = spawnSync(PYTHON, ['-c', 'import json, sys, yaml; json.dump(yaml.safe_load(sys.stdin), sys.stdout, ensure_ascii=True)'], {
      input: yaml,
      encoding: 'utf8',
    });
    assert.equal(result.status, 0, result.stderr);
    // Through JSON on both sides: -0 and 0, a lone surrogate and its escape compare alike.
    assert.deepEqual(JSON.parse(result.stdout), JSON.parse(JSON.stringify(document)));
  });

  test('readable text: multi-line strings are literal blocks, plain words stay plain', () => {
    const yaml = toYaml({ program: 'import os\nprint(os.getcwd())\n', command: ['python3', '-c'], name: 'train-pipeline-' });
    assert.equal(yaml, 'program: |\n  import os\n  print(os.getcwd())\ncommand:\n- python3\n- "-c"\nname: train-pipeline-\n');
  });
});
