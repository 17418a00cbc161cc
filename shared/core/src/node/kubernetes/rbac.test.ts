import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { loadAllYaml } from '@kubernetes/client-node';
import { ferryRole } from './rbac.js';

const docs = new URL('../../../../../docs/kubernetes.md', import.meta.url);

test('the Role printed in docs/kubernetes.md is the one the permission check asks about', () => {
  const blocks = [...readFileSync(docs, 'utf8').matchAll(/```yaml\n([\s\S]*?)```/g)].flatMap((match) => loadAllYaml(match[1]!) as { kind?: string }[]);
  const role = blocks.find((object) => object.kind === 'Role');
  assert.ok(role, 'docs/kubernetes.md shows a Role');
  const plain = (value: unknown) => JSON.parse(JSON.stringify(value)) as unknown;
  assert.deepEqual(plain(role), plain(ferryRole('ml-team')));
});
