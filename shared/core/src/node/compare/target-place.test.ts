import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseConfig } from '../config.js';
import { targetPlace } from './target-place.js';

test("a run's place is its target's partition or namespace; local runs and Slurm's default partition have none", () => {
  const { targets } = parseConfig(
    {
      targets: {
        hpc: { type: 'slurm', host: 'login', partition: 'gpu' },
        anyPartition: { type: 'slurm', host: 'login' },
        k8s: { type: 'kubernetes', namespace: 'ml-team', image: 'python:3.12-slim' },
      },
    },
    '/home/me/.ferry/config.json',
    {},
  );
  assert.equal(targetPlace(targets.hpc), 'partition gpu');
  assert.equal(targetPlace(targets.anyPartition), undefined);
  assert.equal(targetPlace(targets.k8s), 'namespace ml-team');
  assert.equal(targetPlace(targets.local), undefined);
  assert.equal(targetPlace(undefined), undefined, 'a target no longer in the config');
});
