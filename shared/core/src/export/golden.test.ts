/**
 * `ferry export` of the train_pipeline example spec
 * (shared/core/golden/train_pipeline.spec.json) against golden files in
 * shared/core/golden/export/: the KFP pipeline in YAML and JSON, the Argo
 * Workflow in YAML. The staged runtime is a one-line stand-in, so the files
 * show the layout and change with it, not with every change to the runtime
 * (export.test.ts validates and runs the output with the real one).
 * A change shows up as a diff to review; to accept it:
 *   npx tsc -b && FERRY_UPDATE_GOLDEN=1 node --test shared/core/dist/export/golden.test.js
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { assertGolden } from '../node/golden-files.js';
import type { PipelineSpec } from '../spec.js';
import { exportPipeline, type ExportRequest } from './index.js';

// dist/export/ → the repository root
const repoRoot = fileURLToPath(new URL('../../../../', import.meta.url));
const goldenDir = join(repoRoot, 'shared/core/golden/export');

const spec = JSON.parse(readFileSync(join(repoRoot, 'shared/core/golden/train_pipeline.spec.json'), 'utf8')) as PipelineSpec;
const runtime = [{ name: 'ferry_runtime.py', text: '# the Ferry step runtime\n' }];
const base = { image: 'registry.example.org/ml/train:1.4', runtime };

const cases: Record<string, ExportRequest> = {
  'train_pipeline.kfp.yaml': { ...base, format: 'kfp' },
  'train_pipeline.kfp.json': { ...base, format: 'kfp', syntax: 'json' },
  'train_pipeline.argo.yaml': { ...base, format: 'argo', claimName: 'team-runs', mode: 'notebook' },
};

describe('golden files of ferry export', () => {
  for (const [file, request] of Object.entries(cases)) {
    test(file, () => {
      const actual = exportPipeline(spec, request);
      assertGolden(join(goldenDir, file), actual, import.meta.url);
    });
  }
});
