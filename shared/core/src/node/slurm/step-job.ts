/**
 * One step as a Slurm batch job: the sbatch options (resources from the
 * spec's normalized vocabulary, the target's partition/account/qos, names
 * that tie the job to its run) and the batch script staged in the run
 * directory. Options go on sbatch's command line rather than into `#SBATCH`
 * lines, so the script stays the same whatever the resources, and every
 * option value is one argv word that submit-script.ts shell-quotes.
 */
import { posix } from 'node:path';
import { FerryError } from '../../errors.js';
import type { Resources, StepMode, StepSpec } from '../../spec.js';
import { STEP_NAME_PATTERN } from '../../tags/index.js';
import type { SlurmTargetConfig } from '../config.js';
import { RUN_ID_PATTERN } from '../store/run-id.js';
import { shellQuote } from '../remote/command-runner.js';

export interface RunLocation {
  id: string;
  /** Absolute path on the cluster. */
  runDir: string;
  mode: StepMode;
}

export interface StepJob {
  step: string;
  /** sbatch options (unquoted argv words), `--dependency` excluded: the submit script adds it. */
  options: string[];
  /** Where the batch script is staged, and what it holds. */
  scriptPath: string;
  script: string;
}

export const stepDirOf = (runDir: string, step: string) => posix.join(runDir, 'steps', step);
export const jobScriptPath = (runDir: string, step: string) => posix.join(stepDirOf(runDir, step), 'job.sh');

/**
 * `ferry-<runId>-<step>`: at most 94 characters (run ids are 24, step names
 * at most 63), well under what Slurm and its accounting database keep (255),
 * so a lookup by name after a lost submit answer finds the job.
 */
export const jobName = (runId: string, step: string) => `ferry-${runId}-${step}`;

export function stepJob(run: RunLocation, step: StepSpec, config: SlurmTargetConfig): StepJob {
  checkNames(run.id, step.name);
  const log = escapeFilenamePattern(posix.join(stepDirOf(run.runDir, step.name), 'log.txt'));
  const options = [
    `--job-name=${jobName(run.id, step.name)}`,
    `--comment=ferry:${run.id}:${step.name}`,
    `--chdir=${run.runDir}`,
    // stdout and stderr into one log, appended: a requeued job adds to it instead of wiping it.
    `--output=${log}`,
    `--error=${log}`,
    '--open-mode=append',
    `--export=ALL,PYTHONUNBUFFERED=1,FERRY_RUN_ID=${run.id},FERRY_STEP=${step.name}`,
    ...(config.partition ? [`--partition=${config.partition}`] : []),
    ...(config.account ? [`--account=${config.account}`] : []),
    ...(config.qos ? [`--qos=${config.qos}`] : []),
    ...resourceOptions(step.resources),
  ];
  return { step: step.name, options, scriptPath: jobScriptPath(run.runDir, step.name), script: batchScript(run, step, config) };
}

/** The normalized resources in sbatch's terms; absent ones are left to the partition's defaults. */
export function resourceOptions(resources: Resources): string[] {
  const options: string[] = [];
  if (resources.timeMinutes !== undefined) options.push(`--time=${slurmDuration(resources.timeMinutes)}`);
  if (resources.cpus !== undefined) options.push(`--cpus-per-task=${Math.max(1, Math.ceil(resources.cpus))}`);
  if (resources.memoryMiB !== undefined) options.push(`--mem=${Math.max(1, Math.ceil(resources.memoryMiB))}M`);
  // --gres rather than --gpus: it works on every Slurm with GPUs configured, 22.05 and older included.
  if (resources.gpus) options.push(`--gres=gpu:${Math.ceil(resources.gpus)}`);
  return options;
}

/** Minutes as sbatch's `D-HH:MM:SS` (rounded up to whole minutes). */
export function slurmDuration(minutes: number): string {
  const total = Math.max(1, Math.ceil(minutes));
  const two = (n: number) => String(n).padStart(2, '0');
  return `${Math.floor(total / 1440)}-${two(Math.floor((total % 1440) / 60))}:${two(total % 60)}:00`;
}

/**
 * The batch script: strict bash, the target's set-up lines exactly as the
 * user wrote them (their own shell code, on purpose), then the step runtime
 * replacing the shell (`exec`), so Slurm's signals (scancel, the time limit)
 * reach Python directly and its exit status is the job's.
 */
function batchScript(run: RunLocation, step: StepSpec, config: SlurmTargetConfig): string {
  const runtime = [
    config.python,
    posix.join(run.runDir, 'ferry_runtime.py'),
    '--run-dir', run.runDir,
    '--step', step.name,
    '--mode', run.mode,
  ];
  const command = config.container ? [...containerPrefix(config.container, run.runDir, (step.resources.gpus ?? 0) > 0), ...runtime] : runtime;
  return [
    '#!/bin/bash',
    `# Ferry: step ${step.name} of run ${run.id}. Submitted by Ferry with its sbatch options on the command line.`,
    'set -eo pipefail',
    ...(config.setup.length > 0 ? ['# Set-up lines of the target, as written in the Ferry config:', ...config.setup] : []),
    `exec ${command.map(shellQuote).join(' ')}`,
    '',
  ].join('\n');
}

function containerPrefix(container: NonNullable<SlurmTargetConfig['container']>, runDir: string, gpus: boolean): string[] {
  // The run directory is bound explicitly: it may live outside the paths the runtime binds by default ($HOME, /tmp).
  const binds = [runDir, ...container.bind].flatMap((bind) => ['--bind', bind]);
  return [container.runtime, 'exec', ...(gpus ? ['--nv'] : []), ...binds, container.image];
}

/** In sbatch's --output, `%j` and friends are patterns; a literal `%` is written `%%`. */
function escapeFilenamePattern(path: string): string {
  if (path.includes('\\')) {
    throw new FerryError('target', `the run directory ${path} contains a backslash, which sbatch's --output cannot take literally`);
  }
  return path.replace(/%/g, '%%');
}

/** Run ids and step names go into job names, paths and --export lists: hold them to their patterns. */
function checkNames(runId: string, step: string): void {
  if (!RUN_ID_PATTERN.test(runId)) throw new FerryError('internal', `not a run id: ${JSON.stringify(runId)}`);
  if (!STEP_NAME_PATTERN.test(step)) throw new FerryError('pipeline', `not a valid step name: ${JSON.stringify(step)}`, { step });
}
