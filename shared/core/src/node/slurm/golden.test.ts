/**
 * Everything the Slurm target generates, for the train_pipeline example spec
 * (shared/core/golden/train_pipeline.spec.json), against golden files in
 * shared/core/golden/slurm/: the batch script of each step, the submit
 * script, a sweep's job-array batch script and submit script, the poll script (with and without accounting), the probe, cancel,
 * job lookup, log read and run-file read scripts. Each is also parsed by `bash -n`.
 * A change shows up as a diff to review; to accept it:
 *   npx tsc -b && FERRY_UPDATE_GOLDEN=1 node --test shared/core/dist/node/slurm/golden.test.js
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { assertGolden } from '../golden-files.js';
import type { PipelineSpec } from '../../spec.js';
import type { SlurmTargetConfig } from '../config.js';
import { cancelScript } from './cancel-script.js';
import { pollScript } from './poll-script.js';
import { probeScript } from './probe.js';
import { readFileScript } from './read-file-script.js';
import { readLogScript } from './read-log-script.js';
import { arrayJob, stepDirOf, stepJob, type SweepLocation } from './step-job.js';
import { submitScript, type SubmitStep } from './submit-script.js';

// dist/node/slurm/ → the repository root
const repoRoot = fileURLToPath(new URL('../../../../../', import.meta.url));
const goldenDir = join(repoRoot, 'shared/core/golden/slurm');

const spec = JSON.parse(readFileSync(join(repoRoot, 'shared/core/golden/train_pipeline.spec.json'), 'utf8')) as PipelineSpec;
const NONCE = '0123456789abcdef';
const run = { id: 'r-20250101-120000-abcdef', runDir: '/scratch/alice/ferry/runs/r-20250101-120000-abcdef', mode: 'script' as const };

/** A site with everything set: partition, account, QOS, set-up lines, a container. */
const config: SlurmTargetConfig = {
  type: 'slurm',
  host: 'login1.hpc.example.org',
  workdir: '/scratch/alice/ferry',
  partition: 'gpu',
  account: 'proj42',
  qos: 'normal',
  python: 'python3',
  setup: ['module load apptainer/1.2', 'source "$HOME/venvs/ferry/bin/activate"'],
  container: { image: '/images/ferry dev.sif', runtime: 'apptainer', bind: ['/scratch', '/data:/data:ro'] },
  local: false,
};
/** The plainest site: defaults only. */
const plain: SlurmTargetConfig = { type: 'slurm', host: 'login1', workdir: '~/ferry', python: 'python3', setup: [], local: false };

function submitSteps(steps: PipelineSpec['steps'], target: SlurmTargetConfig): SubmitStep[] {
  return steps.map((step) => ({ ...stepJob(run, step, target), after: step.dependsOn, afterJobs: [] }));
}

/** A 4-point sweep of the pipeline: one job array per step, chained with aftercorr. */
const sweep: SweepLocation = { id: 's-20250101-120000-fedcba', sweepDir: '/scratch/alice/ferry/sweeps/s-20250101-120000-fedcba', mode: 'script' };

function sweepSteps(indices: number[], maxParallel: number | undefined, target: SlurmTargetConfig): SubmitStep[] {
  return spec.steps.map((step) => ({ ...arrayJob(sweep, step, indices, maxParallel, target), after: step.dependsOn, afterJobs: [], dependency: 'aftercorr' }));
}

const generated: Record<string, string> = {
  ...Object.fromEntries(spec.steps.map((step) => [`train_pipeline.${step.name}.job.sh`, stepJob(run, step, config).script])),
  'train_pipeline.plain.train.job.sh': stepJob(run, spec.steps[1]!, plain).script,
  'train_pipeline.submit.sh': submitScript(NONCE, run.id, submitSteps(spec.steps, config), true),
  // A GPU step submitted after its upstream step was (the engine resuming a half-submitted run): it waits on a recorded job id.
  'train_pipeline.gpu-train.submit.sh': submitScript(NONCE, run.id, [
    { ...stepJob(run, { ...spec.steps[1]!, resources: { gpus: 2, cpus: 1.5, memoryMiB: 1000.5, timeMinutes: 2 * 1440 + 61 } }, config), after: [], afterJobs: ['4242'] },
  ], false),
  'train_pipeline.gpu-train.job.sh': stepJob(run, { ...spec.steps[1]!, resources: { gpus: 2 } }, config).script,
  // The sweep: every step's array over points 0-3, at most 2 at once.
  'train_pipeline.sweep.submit.sh': submitScript(NONCE, sweep.id, sweepSteps([0, 1, 2, 3], 2, config), true),
  'train_pipeline.sweep.train.job.sh': arrayJob(sweep, spec.steps[1]!, [0, 1, 2, 3], 2, config).script,
  // A plain site, point 1 cancelled before the submit, no limit: --array=0,2-3.
  'train_pipeline.sweep.plain.submit.sh': submitScript(NONCE, sweep.id, sweepSteps([0, 2, 3], undefined, plain), false),
  'train_pipeline.sweep.plain.train.job.sh': arrayJob(sweep, spec.steps[1]!, [0, 2, 3], undefined, plain).script,
  'poll.sh': pollScript(NONCE, {
    jobIds: ['101', '102', '103'],
    steps: spec.steps.map((step, index) => ({ stepDir: stepDirOf(run.runDir, step.name), metricsOffset: index * 100 })),
    accounting: true,
  }),
  'poll.no-accounting.sh': pollScript(NONCE, {
    jobIds: ['101'],
    steps: [{ stepDir: stepDirOf(run.runDir, 'prepare'), metricsOffset: 0 }],
    accounting: false,
  }),
  'probe.sh': probeScript(NONCE, config),
  'probe.plain.sh': probeScript(NONCE, plain),
  'cancel.sh': cancelScript(NONCE, ['101', '102', '103'], 30),
  'read-log.sh': readLogScript(NONCE, join(stepDirOf(run.runDir, 'train'), 'log.txt'), 1024, 65536),
  // A run directory with a space (a site's scratch path): both paths arrive quoted.
  'read-file.sh': readFileScript(NONCE, '/scratch/alice smith/ferry/runs/r-20250101-120000-abcdef', 'steps/train/executed.ipynb', 64 * 1024 * 1024),
};

describe('golden files of the Slurm target (train_pipeline)', () => {
  for (const [name, actual] of Object.entries(generated)) {
    test(name, () => {
      execFileSync('bash', ['-n'], { input: actual }); // it is valid bash, whatever the diff says
      assertGolden(join(goldenDir, name), actual, import.meta.url);
    });
  }

  test('every golden script is generated by this test', () => {
    const stale = readdirSync(goldenDir).filter((file) => file.endsWith('.sh') && !(file in generated));
    assert.deepEqual(stale, [], 'golden files nothing generates any more');
  });
});
