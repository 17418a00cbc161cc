/**
 * The Slurm target: a run directory staged on the cluster in one tar stream,
 * the whole DAG submitted in one exec (sbatch per step, chained with
 * afterok), every active job of the cluster polled in one exec, cancels with
 * one scancel. All of it goes through one CommandRunner (SSH to a login node,
 * or bash on it), as generated scripts whose values are shell-quoted.
 */
import { readFile } from 'node:fs/promises';
import { posix } from 'node:path';
import type { TargetCheck } from '../../api/contract.js';
import { FerryError } from '../../errors.js';
import type { Run, RunWithSpec } from '../../run.js';
import { isSweepId, type Sweep } from '../../sweeps/sweep.js';
import type { SlurmTargetConfig } from '../config.js';
import { shellQuote, type CommandRunner } from '../remote/command-runner.js';
import { BUNDLED_RUNTIME, runtimeCompanions } from '../targets/local.js';
import { checkRunFilePath, runFileMissing, runFileOutside, runFileTooLarge } from '../targets/run-files.js';
import { runFiles } from '../targets/staged-files.js';
import type { ActiveStep, LogRange, StartOutcome, StepFilesObservation, StepObservation, Target } from '../targets/target.js';
import { cancelScript, scancelFailure } from './cancel-script.js';
import { parseNamedJobs, type NamedJob } from './find-jobs-script.js';
import { isEndedState, observeStep } from './job-observation.js';
import { pollScript } from './poll-script.js';
import { BackoffPollPolicy, type BackoffOptions } from './poll-policy.js';
import { parsePollRecords, parseStepFiles } from './poll-result.js';
import { probeChecks } from './probe-checks.js';
import { parseProbe, probeScript, type SlurmProbe } from './probe.js';
import { readFileScript } from './read-file-script.js';
import { readLogScript } from './read-log-script.js';
import { capturedCommands, decodeBytes, lastLines, newNonce, runScript, type ScriptRecord } from './remote-script.js';
import { arrayJobId } from './slurm-job.js';
import { arrayJob, arrayJobScript, jobName, stepDirOf, stepJob, sweepPointsDir } from './step-job.js';
import { parseSubmitRecords, submitScript, type SubmitResult, type SubmitStep } from './submit-script.js';
import { tarArchive, type TarEntry } from './tar.js';
import { watchPollScript } from './watch-poll-script.js';

export interface SlurmTargetOptions {
  /** The runner to the cluster; called on first use (connecting may need a person to answer a prompt). */
  connect: () => CommandRunner;
  /** Defaults to the runtime shipped with @ferry/core. */
  runtimeFile?: string;
  poll?: BackoffOptions;
  /** How long cancel waits for the jobs to leave the queue (default 30 s). */
  cancelWaitSeconds?: number;
}

/** `watch` is short: a light poll that hangs holds up the monitor's loop, full polls included. */
const TIMEOUT_MS = { probe: 120_000, stage: 120_000, submit: 120_000, poll: 60_000, watch: 15_000, cancel: 120_000, log: 60_000, file: 120_000 };
/** Submit attempts when an answer is lost, and the pause (growing) before looking up what the lost one did. */
const SUBMIT_ATTEMPTS = 3;
const SUBMIT_RETRY_PAUSE_MS = 2_000;
const SLURM_JOB_ID = /^\d+(_\d+)?$/;

export class SlurmTarget implements Target {
  readonly type = 'slurm';
  readonly description: string;
  readonly submitsWholeDag = true;
  readonly pollPolicy: BackoffPollPolicy;
  private connection: CommandRunner | undefined;
  private probing: Promise<SlurmProbe> | undefined;
  private warn: ((message: string) => void) | undefined;
  /** The last problem warned about, so a controller that stays down is reported once, not every poll. */
  private lastProblem: string | undefined;
  /** Jobs Slurm shows ended while their status.json does not say how the step ended, with when that was first seen. */
  private readonly endedWithoutStatus = new Map<string, number>();

  constructor(
    readonly name: string,
    private readonly config: SlurmTargetConfig,
    private readonly options: SlurmTargetOptions,
  ) {
    this.pollPolicy = new BackoffPollPolicy(options.poll);
    const where = config.local ? 'Slurm on this login node' : `Slurm via ssh ${config.host}`;
    this.description = `${where}${config.partition ? `, partition ${config.partition}` : ''}`;
  }

  onWarning(listener: (message: string) => void): void {
    this.warn = listener;
  }

  private get runner(): CommandRunner {
    this.connection ??= this.options.connect();
    return this.connection;
  }

  /** The cluster's facts, from one exec; cached once it succeeds (a failed probe is tried again next time). */
  probe(): Promise<SlurmProbe> {
    if (!this.probing) {
      const nonce = newNonce();
      const probing = runScript(this.runner, probeScript(nonce, this.config), nonce, 'probing the cluster', TIMEOUT_MS.probe)
        .then((records) => parseProbe(records, this.config));
      this.probing = probing;
      probing.catch(() => {
        if (this.probing === probing) this.probing = undefined;
      });
    }
    return this.probing;
  }

  async check(): Promise<TargetCheck[]> {
    this.probing = undefined; // a test looks afresh
    try {
      return probeChecks(await this.probe(), this.config, this.runner.description);
    } catch (error) {
      return [{
        name: 'connection',
        ok: false,
        detail: (error as Error).message,
        fix: this.config.local ? 'run Ferry on a machine with bash' : `check that \`ssh ${this.config.host}\` works (host, user, key, known_hosts)`,
      }];
    }
  }

  async runDir(runId: string): Promise<string> {
    return posix.join((await this.probe()).workdir, 'runs', runId);
  }

  /** One transfer: a tar stream of the whole run directory, unpacked by `tar` on the cluster. */
  async stage(run: RunWithSpec): Promise<void> {
    await this.unpack(run.runDir, await this.runEntries(run, ''));
  }

  /**
   * Every point of a sweep in one transfer: each point's run directory (as
   * `stage` makes it, so a point can also be run on its own), and the sweep
   * directory with one array batch script per step and `points/<index>`,
   * relative links to the points' run directories.
   */
  async stageSweep(sweep: Sweep, points: RunWithSpec[]): Promise<void> {
    const probe = await this.probe();
    const sweepDir = sweepDirOf(probe.workdir, sweep.id);
    const relative = (path: string) => {
      const inside = posix.relative(probe.workdir, path);
      if (inside.startsWith('..') || posix.isAbsolute(inside)) throw new FerryError('internal', `${path} is not inside the workdir ${probe.workdir}`);
      return inside;
    };
    const sweepPath = relative(sweepDir);
    const location = { id: sweep.id, sweepDir, mode: points[0]!.mode };
    const spec = points[0]!.spec;
    const entries: TarEntry[] = [];
    for (const point of points) entries.push(...(await this.runEntries(point, relative(point.runDir))));
    entries.push(
      { path: sweepPath, mode: 0o700 },
      { path: `${sweepPath}/sweep.json`, mode: 0o600, data: JSON.stringify(sweepManifest(sweep, points), null, 2) + '\n' },
      { path: `${sweepPath}/steps`, mode: 0o700 },
      ...spec.steps.flatMap((step): TarEntry[] => [
        { path: `${sweepPath}/steps/${step.name}`, mode: 0o700 },
        { path: `${sweepPath}/steps/${step.name}/job.sh`, mode: 0o700, data: arrayJobScript(location, step, this.config) },
      ]),
      { path: `${sweepPath}/points`, mode: 0o700 },
      ...points.map((point): TarEntry => ({
        path: `${sweepPath}/points/${point.sweepIndex!}`,
        mode: 0o700,
        link: posix.relative(sweepPointsDir(sweepDir), point.runDir),
      })),
    );
    await this.unpack(probe.workdir, entries);
  }

  /** A run directory's files as tar entries under `prefix` ('' for the run directory itself). */
  private async runEntries(run: RunWithSpec, prefix: string): Promise<TarEntry[]> {
    const runtimeFile = this.options.runtimeFile ?? BUNDLED_RUNTIME;
    const runtime = await readFile(runtimeFile);
    const companions = await Promise.all(
      runtimeCompanions(runtimeFile).map(async ({ name, path }) => ({ name, data: await readFile(path) })),
    );
    const under = (path: string) => (prefix ? posix.join(prefix, path) : path);
    return [
      ...(prefix ? [{ path: prefix, mode: 0o700 }] : []),
      ...runFiles(run).map((file): TarEntry => ({ path: under(file.path), mode: 0o600, data: file.text })),
      { path: under('ferry_runtime.py'), mode: 0o600, data: runtime },
      ...companions.map(({ name, data }): TarEntry => ({ path: under(name), mode: 0o600, data })),
      { path: under('artifacts'), mode: 0o700 },
      { path: under('steps'), mode: 0o700 },
      ...run.spec.steps.flatMap((step): TarEntry[] => {
        const job = stepJob(run, step, this.config);
        return [
          { path: under(`steps/${step.name}`), mode: 0o700 },
          { path: under(`steps/${step.name}/job.sh`), mode: 0o700, data: job.script },
        ];
      }),
    ];
  }

  /** Unpacks the entries into `dir` (created if needed) in one exec. */
  private async unpack(dir: string, entries: readonly TarEntry[]): Promise<void> {
    const quoted = shellQuote(dir);
    // -m: extracted files get the cluster's time, not this machine's (clocks differ; tar would warn).
    const result = await this.runner.exec(`umask 077 && mkdir -p -- ${quoted} && tar -xmf - -C ${quoted}`, {
      stdin: tarArchive(entries),
      timeoutMs: TIMEOUT_MS.stage,
    });
    if (result.code !== 0) {
      throw new FerryError('target', `unpacking the run directory into ${dir} failed: ${lastLines(result.stderr) || `exit status ${String(result.code)}`}`);
    }
  }

  /**
   * Submits the given steps (the engine gives the whole DAG, topologically
   * ordered) in one exec. A step whose upstream step is in the same batch
   * waits on that job; one whose upstream step was submitted before waits on
   * its recorded job id.
   */
  async start(run: RunWithSpec, steps: string[]): Promise<Record<string, StartOutcome>> {
    const probe = await this.slurmProbe();
    const recorded = new Map(run.steps.map((step) => [step.name, step]));
    const batch = run.spec.steps.filter((step) => steps.includes(step.name));
    const submitting = new Set<string>();
    const submits: SubmitStep[] = batch.map((step) => {
      const after: string[] = [];
      const afterJobs: string[] = [];
      for (const upstream of step.dependsOn) {
        const before = recorded.get(upstream);
        if (submitting.has(upstream)) after.push(upstream);
        else if (before?.state === 'succeeded') continue;
        else if (before?.jobId && SLURM_JOB_ID.test(before.jobId)) afterJobs.push(before.jobId);
        else throw new FerryError('internal', `step "${step.name}" was handed to Slurm before its upstream step "${upstream}" was submitted`);
      }
      submitting.add(step.name);
      return { ...stepJob(run, step, this.config), after, afterJobs };
    });
    const result = await this.submitOnce(run.id, submits, probe);
    if (!result.ok) {
      const rollback = result.rolledBack ? '' : ' (cancelling the steps submitted before it failed too: check squeue)';
      throw new FerryError('target', `sbatch refused step "${result.step}": ${result.message}${rollback}`, { step: result.step });
    }
    return Object.fromEntries(batch.map((step) => [step.name, { ok: true, jobId: result.jobIds[step.name]!, state: 'queued' } as const]));
  }

  /**
   * Submits every step of the given points (none of them started yet) as
   * one job array per step, in one exec: array task i is the point with
   * sweep index i, and a step's array waits on its upstream steps' arrays
   * with `aftercorr` (task i on task i only). Each point's step gets its
   * array task's id (`123_4`), which the monitor polls like any job.
   */
  async startSweep(sweep: Sweep, points: RunWithSpec[]): Promise<Record<string, Record<string, StartOutcome>>> {
    const probe = await this.slurmProbe();
    const location = { id: sweep.id, sweepDir: sweepDirOf(probe.workdir, sweep.id), mode: points[0]!.mode };
    const indices = points.map((point) => point.sweepIndex!);
    const steps = points[0]!.spec.steps;
    const submits: SubmitStep[] = steps.map((step) => ({
      ...arrayJob(location, step, indices, sweep.maxParallel, this.config),
      after: step.dependsOn,
      afterJobs: [],
      dependency: 'aftercorr',
    }));
    const result = await this.submitOnce(sweep.id, submits, probe);
    if (!result.ok) {
      const rollback = result.rolledBack ? '' : ' (cancelling the arrays submitted before it failed too: check squeue)';
      throw new FerryError('target', `sbatch refused the job array of step "${result.step}": ${result.message}${rollback}`, { step: result.step });
    }
    return Object.fromEntries(
      points.map((point) => [
        point.id,
        Object.fromEntries(steps.map((step) => [step.name, { ok: true, jobId: `${result.jobIds[step.name]!}_${point.sweepIndex!}`, state: 'queued' } as const])),
      ]),
    );
  }

  /**
   * Submits the run (or the sweep's arrays), exactly once, in one exec per
   * attempt: the submit script first looks the jobs up by name
   * (`ferry-<id>-<step>`), so neither a submit whose answer was lost (the
   * connection dropped, a timeout) nor one whose job ids never reached the
   * store (the server stopped in between) is queued a second time. When the
   * script found jobs instead of submitting, they are adopted if every step
   * has one, else withdrawn and the next attempt submits anew.
   */
  private async submitOnce(runId: string, steps: readonly SubmitStep[], probe: SlurmProbe): Promise<SubmitResult> {
    let lastError: unknown;
    for (let attempt = 1; attempt <= SUBMIT_ATTEMPTS; attempt++) {
      if (attempt > 1) await new Promise((resolve) => setTimeout(resolve, SUBMIT_RETRY_PAUSE_MS * (attempt - 1)));
      const nonce = newNonce();
      try {
        const records = await runScript(this.runner, submitScript(nonce, runId, steps, probe.accounting), nonce, 'submitting with sbatch', TIMEOUT_MS.submit);
        if (records.some((record) => record.kind === 'job' || record.kind === 'refused')) return parseSubmitRecords(records);
        // Nothing submitted: the lookups failed (parseNamedJobs throws; look again) or found jobs.
        const adopted = await this.adoptQueuedJobs(runId, steps, parseNamedJobs(capturedCommands(records)));
        if (adopted) return adopted;
      } catch (error) {
        lastError = error;
      }
    }
    throw new FerryError(
      'target',
      `could not submit ${isSweepId(runId) ? 'sweep' : 'run'} ${runId}: ${(lastError as Error | undefined)?.message ?? 'jobs of an earlier submit were still being withdrawn'}. If jobs named ferry-${runId}-* are queued, cancel them with scancel --name`,
    );
  }

  /**
   * The jobs of these steps when every one is queued already; else withdraws
   * any that are, and undefined (submit them). A job array counts by its
   * array job id, whatever form squeue lists its tasks in.
   */
  private async adoptQueuedJobs(runId: string, steps: readonly SubmitStep[], found: readonly NamedJob[]): Promise<SubmitResult | undefined> {
    const names = steps.map((step) => jobName(runId, step.step));
    const live = found.filter((job) => job.state !== 'CANCELLED');
    const byName = new Map(live.map((job) => [job.name, arrayJobId(job.jobId)]));
    if (names.every((name) => byName.has(name))) {
      return { ok: true, jobIds: Object.fromEntries(steps.map((step, index) => [step.step, byName.get(names[index]!)!])) };
    }
    if (live.length > 0) await this.scancel([...new Set(live.map((job) => arrayJobId(job.jobId)))]);
    return undefined;
  }

  async poll(active: ActiveStep[]): Promise<StepObservation[]> {
    if (active.length === 0) return [];
    const probe = await this.slurmProbe();
    const jobIds = [...new Set(active.map((step) => step.jobId))].filter((jobId) => SLURM_JOB_ID.test(jobId));
    const nonce = newNonce();
    const script = pollScript(nonce, {
      jobIds,
      steps: active.map((step) => ({ stepDir: stepDirOf(step.runDir, step.step), metricsOffset: step.metricsOffset })),
      accounting: probe.accounting,
    });
    const result = parsePollRecords(await runScript(this.runner, script, nonce, 'polling jobs', TIMEOUT_MS.poll), jobIds, active.length);
    if (result.accountingOff) this.probing = undefined; // accounting was switched off: learn the new setup
    if (result.problem !== this.lastProblem) {
      this.lastProblem = result.problem;
      if (result.problem) this.warn?.(`Slurm did not answer about some jobs on target "${this.name}" (their steps keep their state): ${result.problem}`);
    }
    const now = Date.now();
    return active.map((step, index) => {
      const knowledge = result.jobs.get(step.jobId) ?? { kind: 'unknown' as const };
      const files = result.files[index]!;
      // Ended in Slurm while the runtime has not said how the step ended (no status, running, or only that it got SIGTERM).
      const told = files.status?.state === 'succeeded' || files.status?.state === 'failed';
      const endedEarly = knowledge.kind === 'known' && isEndedState(knowledge.job.state) && !told;
      if (endedEarly && !this.endedWithoutStatus.has(step.jobId)) this.endedWithoutStatus.set(step.jobId, now);
      if (!endedEarly) this.endedWithoutStatus.delete(step.jobId);
      const observation = observeStep(step, knowledge, files, {
        utcOffset: probe.utcOffset,
        endedWithoutStatusForMs: now - (this.endedWithoutStatus.get(step.jobId) ?? now),
      });
      if (observation.state !== 'queued' && observation.state !== 'running') this.endedWithoutStatus.delete(step.jobId);
      return observation;
    });
  }

  /** The light poll of watched steps (watch-poll-script.ts says why it asks Slurm nothing). */
  async pollFiles(steps: ActiveStep[]): Promise<StepFilesObservation[]> {
    if (steps.length === 0) return [];
    const nonce = newNonce();
    const script = watchPollScript(nonce, steps.map((step) => ({ stepDir: stepDirOf(step.runDir, step.step), metricsOffset: step.metricsOffset })));
    const files = parseStepFiles(await runScript(this.runner, script, nonce, 'reading watched step files', TIMEOUT_MS.watch), steps.length);
    return steps.map((step, index) => {
      const { status, logSize, metrics } = files[index]!;
      return { runId: step.runId, step: step.step, logSize, metrics, ...(status && { status: status.state }) };
    });
  }

  /** One scancel for all the steps' jobs; resolves once they left the queue (or the wait ran out). */
  cancel(run: Run, steps: string[]): Promise<void> {
    return this.cancelRuns([{ run, steps }]);
  }

  /** One scancel for the steps of several runs (the points of a sweep: their array tasks). */
  async cancelRuns(runs: { run: Run; steps: string[] }[]): Promise<void> {
    const jobIds = runs.flatMap(({ run, steps }) =>
      run.steps.filter((step) => steps.includes(step.name) && step.jobId !== undefined && SLURM_JOB_ID.test(step.jobId)).map((step) => step.jobId!),
    );
    if (jobIds.length > 0) await this.scancel(jobIds);
  }

  private async scancel(jobIds: readonly string[]): Promise<void> {
    const nonce = newNonce();
    const wait = this.options.cancelWaitSeconds ?? 30;
    const records = await runScript(this.runner, cancelScript(nonce, jobIds, wait), nonce, 'cancelling with scancel', TIMEOUT_MS.cancel);
    const commands = capturedCommands(records);
    const failure = scancelFailure(commands.get('scancel'));
    if (failure) throw new FerryError('target', `scancel failed: ${failure}`);
    const remaining = commands.get('remaining')?.stdout.split('\n').map((line) => line.trim()).filter(Boolean) ?? [];
    if (remaining.length > 0) this.warn?.(`jobs ${remaining.join(', ')} were still in the queue ${wait} s after scancel (completing?)`);
  }

  async readLog(run: Run, step: string, offset: number, maxBytes: number): Promise<LogRange> {
    const nonce = newNonce();
    const file = posix.join(stepDirOf(run.runDir, step), 'log.txt');
    const records = await runScript(this.runner, readLogScript(nonce, file, offset, maxBytes), nonce, `reading the log of step ${step}`, TIMEOUT_MS.log);
    return logRange(records, offset);
  }

  async readRunFile(run: Run, relativePath: string, maxBytes: number): Promise<Buffer> {
    const path = checkRunFilePath(relativePath);
    const nonce = newNonce();
    const records = await runScript(this.runner, readFileScript(nonce, run.runDir, path, maxBytes), nonce, `reading ${path}`, TIMEOUT_MS.file);
    const [record] = records;
    switch (record?.kind) {
      case 'file':
        return decodeBytes(record.fields[1]);
      case 'too-large':
        throw runFileTooLarge(run, path, Number(record.fields[0]), maxBytes);
      case 'outside':
        throw runFileOutside(run, path);
      case 'missing':
        throw runFileMissing(run, path);
      default:
        throw new FerryError('target', `reading ${path} of run ${run.id}: the cluster answered nothing about the file`);
    }
  }

  async dispose(): Promise<void> {
    // Jobs keep running on the cluster; only the connection goes.
    this.endedWithoutStatus.clear();
    await this.connection?.close();
    this.connection = undefined;
    this.probing = undefined;
  }

  /** The probe, insisting that Slurm answered it (submitting and polling need Slurm). */
  private async slurmProbe(): Promise<SlurmProbe> {
    const probe = await this.probe();
    if (probe.slurmProblem) {
      this.probing = undefined; // perhaps slurmctld is back next time
      throw new FerryError('target', `Slurm does not answer on target "${this.name}": ${probe.slurmProblem}`);
    }
    return probe;
  }
}

/** Where a sweep's array scripts and point links live: beside the runs directory. */
export const sweepDirOf = (workdir: string, sweepId: string) => posix.join(workdir, 'sweeps', sweepId);

/** sweep.json in the sweep directory: for people looking on the cluster, which point is which run. */
function sweepManifest(sweep: Sweep, points: readonly RunWithSpec[]) {
  const { id, pipeline, axes, sample, seed, maxParallel } = sweep;
  return { id, pipeline, axes, sample, seed, maxParallel, points: points.map((point) => ({ index: point.sweepIndex, run: point.id, parameters: point.parameters })) };
}

function logRange(records: readonly ScriptRecord[], offset: number): LogRange {
  const range = records.find((record) => record.kind === 'range');
  const size = Number(range?.fields[0]) || 0;
  return { data: decodeBytes(range?.fields[1]), offset: Math.min(Math.max(0, offset), size), size };
}
