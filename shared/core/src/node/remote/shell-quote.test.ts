import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { test } from 'node:test';
import { shellQuote } from './command-runner.js';

test('quoted values reach a real shell unchanged and never run', () => {
  const values = ['plain', 'with space', "it's", '$(touch /tmp/ferry-pwned)', '`id`', 'a;b|c&d', 'new\nline', '', '-n', "'\"\\"];
  for (const value of values) {
    const echoed = execFileSync('bash', ['-c', `printf %s ${shellQuote(value)}`], { encoding: 'utf8' });
    assert.equal(echoed, value);
  }
  assert.throws(() => shellQuote('a\0b'), /NUL/);
});
