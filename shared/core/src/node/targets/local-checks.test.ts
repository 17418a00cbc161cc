import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { checkLocalTarget } from './local-checks.js';

test('a python that cannot run fails the check and says how to fix it', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'ferry-checks-'));
  try {
    const checks = await checkLocalTarget(join(dir, 'no-such-python'), join(dir, 'runs'));
    const python = checks.find((c) => c.name === 'python')!;
    assert.equal(python.ok, false);
    assert.match(python.detail, /could not be run/);
    assert.match(python.fix ?? '', /FERRY_PYTHON/);
    assert.equal(checks.find((c) => c.name === 'runs directory')?.ok, true);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
