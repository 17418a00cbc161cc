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
import { SWEEP_ID_PATTERN } from '../../sweeps/sweep.js';
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
 * `ferry-<runId>-<step>` (`ferry-<sweepId>-<step>` for a sweep's job
 * arrays): at most 94 characters (ids are 24, step names at most 63), well
 * under what Slurm and its accounting database keep (255), so a lookup by
 * name after a lost submit answer finds the job.
 */
export const jobName = (ownerId: string, step: string) => `ferry-${ownerId}-${step}`;

export function stepJob(run: RunLocation, step: StepSpec, config: SlurmTargetConfig): StepJob {
  checkNames(run.id, step.name);
  const runDir = shellQuote(run.runDir);
  return {
    step: step.name,
    options: jobOptions(run.id, step, config, {
      chdir: run.runDir,
      log: escapeFilenamePattern(posix.join(stepDirOf(run.runDir, step.name), 'log.txt')),
      exports: [`FERRY_RUN_ID=${run.id}`],
    }),
    scriptPath: jobScriptPath(run.runDir, step.name),
    script: batchScript(step, run.mode, config, {
      title: `step ${step.name} of run ${run.id}`,
      preamble: [],
      runDir,
      runtime: shellQuote(posix.join(run.runDir, 'ferry_runtime.py')),
    }),
  };
}

/** A sweep as its job arrays see it: the sweep directory on the cluster, and the points' step mode. */
export interface SweepLocation {
  id: string;
  /** Absolute path on the cluster: `<workdir>/sweeps/<id>`. */
  sweepDir: string;
  mode: StepMode;
}

/**
 * `points/<index>` in the sweep directory: a relative symbolic link to the
 * point's run directory, staged with the sweep. It is the index an array
 * task finds its run by (`points/$SLURM_ARRAY_TASK_ID`), and the path
 * sbatch writes each task's log through (`points/%a/steps/<step>/log.txt`),
 * so every point's log is in its own run directory as for any run.
 */
export const sweepPointsDir = (sweepDir: string) => posix.join(sweepDir, 'points');

/**
 * One step of every given point of a sweep as ONE job array: task i is the
 * point with sweep index i (`--array=0-3`, `%M` when at most M points may
 * run at once). The batch script reads nothing the user wrote: it resolves
 * the run directory from the task id alone.
 */
export function arrayJob(sweep: SweepLocation, step: StepSpec, indices: readonly number[], maxParallel: number | undefined, config: SlurmTargetConfig): StepJob {
  checkSweepNames(sweep.id, step.name);
  const points = sweepPointsDir(sweep.sweepDir);
  return {
    step: step.name,
    options: [
      ...jobOptions(sweep.id, step, config, {
        chdir: sweep.sweepDir,
        // %a: sbatch puts in the array task id.
        log: posix.join(escapeFilenamePattern(points), '%a', 'steps', step.name, 'log.txt'),
        exports: [`FERRY_SWEEP_ID=${sweep.id}`],
      }),
      `--array=${arraySpec(indices, maxParallel)}`,
    ],
    scriptPath: posix.join(sweep.sweepDir, 'steps', step.name, 'job.sh'),
    script: arrayJobScript(sweep, step, config),
  };
}

/** The batch script of a step's job array: the same for any set of points, staged once per sweep. */
export function arrayJobScript(sweep: SweepLocation, step: StepSpec, config: SlurmTargetConfig): string {
  checkSweepNames(sweep.id, step.name);
  return batchScript(step, sweep.mode, config, {
    title: `step ${step.name} of sweep ${sweep.id}, one array task per point`,
    preamble: [
      "# The point's run directory: points/<array task id> in the sweep directory links to it.",
      `[[ \${SLURM_ARRAY_TASK_ID:-} =~ ^[0-9]+$ ]] || { echo 'ferry: SLURM_ARRAY_TASK_ID is not set: this script runs as a task of a job array' >&2; exit 2; }`,
      `ferry_run_dir=$(cd -P -- ${shellQuote(sweepPointsDir(sweep.sweepDir))}/"$SLURM_ARRAY_TASK_ID" && pwd)`,
      'cd -- "$ferry_run_dir"',
      'export FERRY_RUN_ID=${ferry_run_dir##*/}',
    ],
    runDir: '"$ferry_run_dir"',
    runtime: '"$ferry_run_dir"/ferry_runtime.py',
  });
}

/** Sorted indices as sbatch's --array list: `0-3`, `0,2-5`, then `%M` when it limits anything. */
export function arraySpec(indices: readonly number[], maxParallel?: number): string {
  const sorted = [...new Set(indices)].sort((a, b) => a - b);
  if (sorted.length === 0 || !sorted.every((index) => Number.isSafeInteger(index) && index >= 0)) {
    throw new FerryError('internal', `not a list of array indices: ${JSON.stringify(indices)}`);
  }
  const ranges: string[] = [];
  for (let i = 0; i < sorted.length; ) {
    let j = i;
    while (j + 1 < sorted.length && sorted[j + 1] === sorted[j]! + 1) j++;
    ranges.push(i === j ? String(sorted[i]) : `${sorted[i]}-${sorted[j]}`);
    i = j + 1;
  }
  const limit = maxParallel !== undefined && maxParallel < sorted.length ? `%${maxParallel}` : '';
  return ranges.join(',') + limit;
}

/** Options every step job has: its name, where it runs and logs (`log`: an sbatch filename pattern), the environment, the resources. */
function jobOptions(ownerId: string, step: StepSpec, config: SlurmTargetConfig, where: { chdir: string; log: string; exports: string[] }): string[] {
  return [
    `--job-name=${jobName(ownerId, step.name)}`,
    `--comment=ferry:${ownerId}:${step.name}`,
    `--chdir=${where.chdir}`,
    // stdout and stderr into one log, appended: a requeued job adds to it instead of wiping it.
    `--output=${where.log}`,
    `--error=${where.log}`,
    '--open-mode=append',
    `--export=ALL,PYTHONUNBUFFERED=1,${where.exports.join(',')},FERRY_STEP=${step.name}`,
    ...(config.partition ? [`--partition=${config.partition}`] : []),
    ...(config.account ? [`--account=${config.account}`] : []),
    ...(config.qos ? [`--qos=${config.qos}`] : []),
    ...resourceOptions(step.resources),
  ];
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

/** Shell words of the run directory and the runtime: quoted paths, or a variable the script set. */
interface ScriptWhere {
  title: string;
  /** Lines before the set-up lines (an array task finding its run directory). */
  preamble: string[];
  runDir: string;
  runtime: string;
}

/**
 * The batch script: strict bash, the target's set-up lines exactly as the
 * user wrote them (their own shell code, on purpose), then the step runtime
 * replacing the shell (`exec`), so Slurm's signals (scancel, the time limit)
 * reach Python directly and its exit status is the job's.
 */
function batchScript(step: StepSpec, mode: StepMode, config: SlurmTargetConfig, where: ScriptWhere): string {
  const runtime = [shellQuote(config.python), where.runtime, '--run-dir', where.runDir, '--step', shellQuote(step.name), '--mode', shellQuote(mode)];
  const command = config.container ? [...containerPrefix(config.container, where.runDir, (step.resources.gpus ?? 0) > 0), ...runtime] : runtime;
  return [
    '#!/bin/bash',
    `# Ferry: ${where.title}. Submitted by Ferry with its sbatch options on the command line.`,
    'set -eo pipefail',
    ...where.preamble,
    ...(config.setup.length > 0 ? ['# Set-up lines of the target, as written in the Ferry config:', ...config.setup] : []),
    `exec ${command.join(' ')}`,
    '',
  ].join('\n');
}

/** Shell words; `runDir` is already one. */
function containerPrefix(container: NonNullable<SlurmTargetConfig['container']>, runDir: string, gpus: boolean): string[] {
  // The run directory is bound explicitly: it may live outside the paths the runtime binds by default ($HOME, /tmp).
  const binds = [runDir, ...container.bind.map(shellQuote)].flatMap((bind) => ['--bind', bind]);
  return [shellQuote(container.runtime), 'exec', ...(gpus ? ['--nv'] : []), ...binds, shellQuote(container.image)];
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
  checkStepName(step);
}

function checkSweepNames(sweepId: string, step: string): void {
  if (!SWEEP_ID_PATTERN.test(sweepId)) throw new FerryError('internal', `not a sweep id: ${JSON.stringify(sweepId)}`);
  checkStepName(step);
}

function checkStepName(step: string): void {
  if (!STEP_NAME_PATTERN.test(step)) throw new FerryError('pipeline', `not a valid step name: ${JSON.stringify(step)}`, { step });
}
