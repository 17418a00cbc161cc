/**
 * The local target: steps run as processes on this machine. Each step is a
 * detached process (its own process group) whose stdout and stderr go
 * straight into its log file, so steps keep running and logging when the
 * server stops, and a new server reattaches by pid and status.json.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { closeSync, existsSync, openSync, statSync } from 'node:fs';
import { copyFile, mkdir, writeFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { TargetCheck } from '../../api/contract.js';
import { FerryError } from '../../errors.js';
import type { Run, RunWithSpec } from '../../run.js';
import type { LocalTargetConfig } from '../config.js';
import { checkLocalTarget } from './local-checks.js';
import { isProcessAlive, terminateProcessGroup } from './processes.js';
import { readConfinedFile } from './read-run-file.js';
import { checkRunFilePath } from './run-files.js';
import { runFiles } from './staged-files.js';
import { fileSize, logFile, metricsFile, readRange, readStepStatus, stepDir, type StepStatus } from './step-files.js';
import type { ActiveStep, LogRange, StartOutcome, StepObservation, Target } from './target.js';

/** dist/node/targets/local.js → shared/core/runtime/ferry_runtime.py (also in the published package). */
export const BUNDLED_RUNTIME = fileURLToPath(new URL('../../../runtime/ferry_runtime.py', import.meta.url));

/**
 * Modules the runtime loads from its own directory (metrics logged through
 * MLflow, DVCLive, Lightning and TensorBoard), staged next to it. The runtime
 * runs without them, so a custom `runtimeFile` need not have them.
 */
const RUNTIME_COMPANIONS = ['ferry_log_sources.py', 'ferry_tfevents.py'];

/** The companions found next to `runtimeFile`: their file names and paths. */
export function runtimeCompanions(runtimeFile: string): Array<{ name: string; path: string }> {
  return RUNTIME_COMPANIONS.map((name) => ({ name, path: join(dirname(runtimeFile), name) })).filter((file) => existsSync(file.path));
}

/** Most metrics bytes read per step and poll; the rest comes with the next poll. */
const METRICS_CHUNK = 4 * 1024 * 1024;

export interface LocalTargetOptions {
  /** Run directories are created here, one per run id. */
  runsDir: string;
  /** Defaults to the runtime shipped with @ferry/core. */
  runtimeFile?: string;
  /** Time between SIGTERM and SIGKILL when cancelling. */
  cancelGraceMs?: number;
}

interface ExitInfo {
  code: number | null;
  signal: NodeJS.Signals | null;
}

export class LocalTarget implements Target {
  readonly type = 'local';
  readonly maxParallel: number;
  readonly description: string;
  private readonly python: string;
  private readonly runtimeFile: string;
  private readonly cancelGraceMs: number;
  /**
   * Exit statuses of processes this server spawned, by pid. A bonus that
   * makes failure reasons precise; after a restart it is empty and the poll
   * still decides from status.json and liveness.
   */
  private readonly exits = new Map<number, ExitInfo>();
  private readonly children = new Set<ChildProcess>();
  private activity: (() => void) | undefined;

  constructor(
    readonly name: string,
    config: LocalTargetConfig,
    private readonly options: LocalTargetOptions,
  ) {
    this.python = config.python;
    this.maxParallel = config.maxParallel;
    this.runtimeFile = options.runtimeFile ?? BUNDLED_RUNTIME;
    this.cancelGraceMs = options.cancelGraceMs ?? 5_000;
    this.description = `this machine, ${plural(this.maxParallel, 'step')} at once`;
  }

  onActivity(listener: () => void): void {
    this.activity = listener;
  }

  check(): Promise<TargetCheck[]> {
    return checkLocalTarget(this.python, this.options.runsDir);
  }

  runDir(runId: string): string {
    return join(this.options.runsDir, runId);
  }

  async stage(run: RunWithSpec): Promise<void> {
    if (!existsSync(this.runtimeFile)) {
      throw new FerryError('internal', `the step runtime is missing: ${this.runtimeFile}`, { file: this.runtimeFile });
    }
    await mkdir(run.runDir, { recursive: true, mode: 0o700 });
    for (const file of runFiles(run)) await writeFile(join(run.runDir, file.path), file.text);
    await copyFile(this.runtimeFile, join(run.runDir, 'ferry_runtime.py'));
    for (const companion of runtimeCompanions(this.runtimeFile)) await copyFile(companion.path, join(run.runDir, companion.name));
    await mkdir(join(run.runDir, 'artifacts'), { recursive: true });
    for (const step of run.spec.steps) await mkdir(stepDir(run.runDir, step.name), { recursive: true });
  }

  async start(run: RunWithSpec, steps: string[]): Promise<Record<string, StartOutcome>> {
    const outcomes: Record<string, StartOutcome> = {};
    for (const step of steps) outcomes[step] = await this.startStep(run, step);
    return outcomes;
  }

  private async startStep(run: RunWithSpec, step: string): Promise<StartOutcome> {
    // The notebook's directory, so relative paths in the notebook keep working.
    const cwd = dirname(run.notebookPath);
    if (!isDirectory(cwd)) return { ok: false, reason: `the notebook's directory ${cwd} does not exist any more` };
    const log = openSync(logFile(run.runDir, step), 'a', 0o600);
    let child: ChildProcess;
    try {
      // An argv array, never a shell: nothing here is interpreted as shell text.
      child = spawn(this.python, this.runtimeArgs(run, step), {
        cwd,
        detached: true, // own process group: survives the server, and cancel can stop all it started
        stdio: ['ignore', log, log], // the child writes the file itself, not through this process
        env: { ...process.env, PYTHONUNBUFFERED: '1', FERRY_RUN_ID: run.id, FERRY_STEP: step },
      });
    } finally {
      closeSync(log); // the child holds its own copy
    }
    if (child.pid === undefined) {
      const [error] = (await once(child, 'error')) as [Error];
      return { ok: false, reason: `could not start ${this.python}: ${error.message}` };
    }
    const pid = child.pid;
    this.children.add(child);
    child.once('exit', (code, signal) => {
      this.exits.set(pid, { code, signal });
      this.children.delete(child);
      this.activity?.(); // the status file is final now: look without waiting for the next poll
    });
    child.unref(); // a server (or CLI) may exit while its steps run on
    return { ok: true, jobId: String(pid), state: 'running', startedAt: new Date().toISOString() };
  }

  private runtimeArgs(run: Run, step: string): string[] {
    return [join(run.runDir, 'ferry_runtime.py'), '--run-dir', run.runDir, '--step', step, '--mode', run.mode];
  }

  async poll(active: ActiveStep[]): Promise<StepObservation[]> {
    return Promise.all(active.map((step) => this.observe(step)));
  }

  private async observe(active: ActiveStep): Promise<StepObservation> {
    const { runDir, step } = active;
    const pid = Number(active.jobId);
    // Order matters. Liveness first: a process seen dead has written its last
    // status, so status.json read next is final or never will be. Metrics
    // last: the runtime writes them before its final status, so a final state
    // always comes with all of its metrics.
    const alive = isProcessAlive(pid, [join(runDir, 'ferry_runtime.py'), step]);
    const status = await readStepStatus(runDir, step);
    const logSize = await fileSize(logFile(runDir, step));
    const metrics = await readRange(metricsFile(runDir, step), active.metricsOffset, METRICS_CHUNK);
    // Steps run here, and a local step is never started again.
    const base = { runId: active.runId, step, node: hostname(), retries: 0, logSize, metrics: { data: metrics.data, size: metrics.size } };
    const times = { ...(status?.startedAt && { startedAt: status.startedAt }), ...(status?.finishedAt && { finishedAt: status.finishedAt }) };

    if (status && status.state !== 'running') {
      this.exits.delete(pid);
      return { ...base, ...times, ...finalFromStatus(status) };
    }
    if (alive) return { ...base, ...times, state: 'running' };
    const exit = this.exits.get(pid);
    this.exits.delete(pid);
    return { ...base, ...times, state: 'failed', ...vanished(exit) };
  }

  async cancel(run: Run, steps: string[]): Promise<void> {
    const jobs = run.steps.filter((step) => steps.includes(step.name) && step.jobId !== undefined);
    await Promise.all(jobs.map((step) => terminateProcessGroup(Number(step.jobId), this.cancelGraceMs)));
  }

  async readLog(run: Run, step: string, offset: number, maxBytes: number): Promise<LogRange> {
    return readRange(logFile(run.runDir, step), offset, maxBytes);
  }

  async readRunFile(run: Run, relativePath: string, maxBytes: number): Promise<Buffer> {
    return readConfinedFile(run, checkRunFilePath(relativePath), maxBytes);
  }

  async dispose(): Promise<void> {
    // Running steps are left alone on purpose; only forget about them here.
    for (const child of this.children) child.removeAllListeners('exit');
    this.children.clear();
    this.exits.clear();
  }
}

function finalFromStatus(status: StepStatus): Pick<StepObservation, 'state' | 'exitCode' | 'reason'> {
  const exitCode = typeof status.exitCode === 'number' ? status.exitCode : undefined;
  if (status.state === 'succeeded') return { state: 'succeeded', ...(exitCode !== undefined && { exitCode }) };
  if (status.state === 'cancelled') {
    return { state: 'cancelled', ...(exitCode !== undefined && { exitCode }), reason: 'the step process was sent SIGTERM' };
  }
  return { state: 'failed', ...(exitCode !== undefined && { exitCode }), reason: failureReason(status, exitCode) };
}

function failureReason(status: StepStatus, exitCode: number | undefined): string {
  const error = status.error;
  if (error?.type || error?.message) {
    const where = typeof error.cell === 'number' ? ` (cell ${error.cell})` : '';
    return `${error.type ?? 'Error'}: ${error.message ?? ''}${where}`;
  }
  return exitCode !== undefined ? `the step exited with code ${exitCode}` : 'the step failed';
}

/** A step process that is gone without a final status.json. */
function vanished(exit: ExitInfo | undefined): Pick<StepObservation, 'exitCode' | 'reason'> {
  if (exit?.signal) return { reason: `the step process was killed by ${exit.signal} without reporting` };
  if (exit && exit.code !== null) {
    return { exitCode: exit.code, reason: `the step process exited with code ${exit.code} without reporting` };
  }
  return { reason: 'the step process exited without reporting (killed?)' };
}

function isDirectory(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}

function plural(count: number, noun: string): string {
  return `${count} ${noun}${count === 1 ? '' : 's'}`;
}
