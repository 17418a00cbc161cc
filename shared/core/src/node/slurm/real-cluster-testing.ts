/**
 * What the tests against the dev Slurm cluster (scripts/dev-slurm.sh) share:
 * its description, target configs for it, an engine on it, and commands on
 * the cluster over the ssh CLI — a witness independent of Ferry's own SSH
 * layer. Not part of the API.
 */
import { execFile, execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Run } from '../../run.js';
import type { SlurmTargetConfig } from '../config.js';
import { RunEngine } from '../engine.js';
import { shellQuote } from '../remote/command-runner.js';
import type { TargetOptions } from '../targets/create.js';
import type { TestHome } from '../testing.js';

export const CLUSTER_JSON = process.env.FERRY_DEV_CLUSTER ?? '/var/lib/ferry-dev-cluster/cluster.json';
/** dist/node/slurm → the repository root. */
export const repoRoot = fileURLToPath(new URL('../../../../../', import.meta.url));

/** cluster.json, as scripts/dev-slurm.sh writes it (docs/dev-cluster.md). */
export interface DevCluster {
  host: string;
  port: number;
  user: string;
  identityFile: string;
  knownHostsFile: string;
  sshHostAlias: string;
  sshConfigFile: string;
  account: string;
  python: string;
  setup: string[];
  defaultPartition: string;
  accounting: boolean;
}

export const cluster = existsSync(CLUSTER_JSON) ? (JSON.parse(readFileSync(CLUSTER_JSON, 'utf8')) as DevCluster) : undefined;
/** For `describe(..., { skip })`: false, or why the tests cannot run here. */
export const skipWithoutCluster = cluster ? false : `no dev Slurm cluster (${CLUSTER_JSON} is absent); start one with: sudo bash scripts/dev-slurm.sh up`;
/** Switching accounting or restarting slurmctld needs root (CI has it). */
export const skipWithoutRoot = process.getuid?.() !== 0 && 'changing the dev cluster needs root';

/** A Slurm target on the dev cluster, reached through its ssh_config alias. */
export function slurmTarget(overrides: Partial<SlurmTargetConfig> = {}): SlurmTargetConfig {
  return {
    type: 'slurm',
    host: cluster!.sshHostAlias,
    sshConfigFile: cluster!.sshConfigFile,
    workdir: '~/ferry',
    partition: cluster!.defaultPartition,
    account: cluster!.account,
    python: cluster!.python,
    setup: cluster!.setup,
    local: false,
    ...overrides,
  };
}

/** A command on the cluster over the ssh CLI; its stdout lines. */
export function onCluster(command: string): string[] {
  const out = execFileSync('ssh', ['-F', cluster!.sshConfigFile, cluster!.sshHostAlias, command], { encoding: 'utf8' });
  return out.split('\n').map((line) => line.trim()).filter(Boolean);
}

/** startedAt and finishedAt of a step as the runtime wrote them into status.json on the cluster (ISO-8601, to the microsecond). */
export function runtimeTimes(run: Run, step: string): { startedAt: string; finishedAt: string } {
  const status = JSON.parse(onCluster(`cat ${run.runDir}/steps/${step}/status.json`).join('\n')) as { startedAt: string; finishedAt: string };
  return { startedAt: new Date(status.startedAt).toISOString(), finishedAt: new Date(status.finishedAt).toISOString() };
}

/** The cluster's own word: job ids squeue still lists as waiting or running. */
export function liveJobs(jobIds: readonly (string | undefined)[]): string[] {
  const ids = jobIds.filter((id): id is string => id !== undefined);
  return ids.length === 0 ? [] : onCluster(`squeue --noheader --jobs=${ids.join(',')} --format=%i 2>/dev/null; true`);
}

/** The test runs' directories on the cluster (only those under the test user's runs directory). */
export function removeRunDirs(dirs: readonly string[]): void {
  const ours = dirs.filter((dir) => /^\/home\/[^/]+\/ferry\/runs\/r-[0-9a-f-]+$/.test(dir));
  if (ours.length > 0) onCluster(`rm -rf -- ${ours.map(shellQuote).join(' ')}`);
}

/** scripts/dev-slurm.sh with these arguments (accounting on|off, restart-slurmctld, ...). */
export function devSlurm(...args: string[]): void {
  execFileSync('bash', [join(repoRoot, 'scripts/dev-slurm.sh'), ...args], { stdio: 'pipe', timeout: 180_000 });
}

export function jobIds(run: Run): (string | undefined)[] {
  return run.steps.map((step) => step.jobId);
}

/** Cancels the jobs of `runs` still queued and removes their directories (what a failed assertion left behind). */
export function cleanUpRuns(runs: readonly Run[]): void {
  const leftovers = runs.flatMap(jobIds).filter((id): id is string => id !== undefined);
  if (leftovers.length > 0) onCluster(`scancel ${leftovers.join(' ')}; true`);
  removeRunDirs(runs.map((run) => run.runDir));
}

/** An engine with these targets (and `local`), polling faster than production so tests do not wait out long back-offs. */
export function openClusterEngine(home: TestHome, targets: Record<string, SlurmTargetConfig>, slurm: TargetOptions['slurm'] = {}): Promise<RunEngine> {
  return RunEngine.open({
    paths: home.paths,
    config: { targets: { local: { type: 'local', python: 'python3', maxParallel: 1 }, ...targets } },
    slurm: { poll: { minMs: 1_000, maxMs: 3_000 }, ...slurm },
  });
}

/** A line of a followed log and when this process read it. */
export interface LogArrival {
  line: string;
  atMs: number;
}

export interface LogFollower {
  /** Whole lines in the order read. */
  readonly arrivals: LogArrival[];
  /** Reads what is left (call after the step ended). */
  drain(): Promise<void>;
  /** Stops following; releases the watch (if it holds one). */
  stop(): void;
  /** Releases the watch only; lines keep coming on the slower rhythm. */
  unwatch(): void;
}

/**
 * Follows a step's log the way the server's log stream does: on each log
 * event, reads from its cursor to the end. A read that fails (a dropped
 * connection) leaves the cursor where it was and is tried again on the next
 * event. With `watch`, it registers a watch for the time it follows.
 */
export function followLog(engine: RunEngine, runId: string, step: string, options: { watch: boolean }): LogFollower {
  const arrivals: LogArrival[] = [];
  let cursor = 0;
  let partial = '';
  let reading: Promise<void> = Promise.resolve();
  const read = async (): Promise<void> => {
    for (;;) {
      const range = await engine.readLog(runId, step, cursor, 1 << 20);
      if (range.data.length === 0) return;
      cursor += range.data.length;
      const atMs = Date.now();
      const lines = (partial + range.data.toString('utf8')).split('\n');
      partial = lines.pop()!;
      for (const line of lines) arrivals.push({ line, atMs });
    }
  };
  const readAgain = (): Promise<void> => (reading = reading.then(read).catch(() => undefined));
  const onLog = (event: { runId: string; step: string }) => {
    if (event.runId === runId && event.step === step) void readAgain();
  };
  engine.on('log', onLog);
  const release = options.watch ? engine.watch(runId, step) : () => {};
  return {
    arrivals,
    drain: async () => {
      await readAgain();
      await reading.then(read); // once more, failing loudly this time
    },
    stop: () => {
      engine.off('log', onLog);
      release();
    },
    unwatch: release,
  };
}

/** `numbered` lines a step printed, as `line <i> ...`: their numbers, in the order read. */
export function lineNumbers(arrivals: readonly LogArrival[]): number[] {
  return arrivals.flatMap(({ line }) => {
    const match = /^line (\d+)\b/.exec(line);
    return match ? [Number(match[1])] : [];
  });
}

/** devSlurm without blocking this process: the engine under test keeps polling meanwhile. */
export function devSlurmInBackground(...args: string[]): Promise<void> {
  return new Promise((resolve, reject) => {
    execFile('bash', [join(repoRoot, 'scripts/dev-slurm.sh'), ...args], { timeout: 180_000 }, (error, _stdout, stderr) =>
      error ? reject(new Error(`dev-slurm.sh ${args.join(' ')} failed: ${stderr || error.message}`)) : resolve(),
    );
  });
}

/** Local ports of this process's SSH connections to the dev cluster's sshd. */
export function ourSshPorts(): number[] {
  const out = execFileSync('ss', ['-tnpH', 'state', 'established', `( dport = :${cluster!.port} )`], { encoding: 'utf8' });
  return out
    .split('\n')
    .filter((line) => line.includes(`pid=${process.pid},`))
    .map((line) => Number(/:(\d+)\s+\S+:\d+\s/.exec(line)?.[1]));
}

/**
 * The sshd processes serving the connection from our local `port`: the
 * session's `sshd: ferrytest [priv]` and its `sshd: ferrytest@notty` child,
 * found by the socket they hold. Never the listening sshd (its pid file says
 * which that is), whose loss would take the cluster's SSH down for everyone.
 */
export function sshdServing(port: number): number[] {
  const out = execFileSync('ss', ['-tnpH', 'state', 'established', `( sport = :${cluster!.port} and dport = :${port} )`], { encoding: 'utf8' });
  const listener = Number(readFileSync(join(dirname(CLUSTER_JSON), 'sshd.pid'), 'utf8').trim());
  const pids = [...new Set([...out.matchAll(/pid=(\d+)/g)].map((match) => Number(match[1])))].filter((pid) => pid !== listener);
  for (const pid of pids) {
    const command = execFileSync('ps', ['-o', 'args=', '-p', String(pid)], { encoding: 'utf8' }).trim();
    if (!command.startsWith(`sshd: ${cluster!.user}`)) throw new Error(`process ${pid} (${command}) is not a session of ${cluster!.user}`);
  }
  return pids;
}
