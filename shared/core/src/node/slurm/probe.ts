/**
 * What Ferry must know about a cluster before it submits there, learnt in one
 * exec and cached by the target: the remote home (Slurm wants absolute paths,
 * so `~/ferry` is resolved once, here), the Slurm version, whether accounting
 * (sacct) is on and how long slurmctld remembers finished jobs, the cluster's
 * UTC offset (Slurm prints local times), the partitions, and the Python the
 * steps will run after the target's set-up lines. `ferry targets test` shows
 * the same facts as checks (probe-checks.ts).
 */
import { posix } from 'node:path';
import { FerryError } from '../../errors.js';
import type { SlurmTargetConfig } from '../config.js';
import { shellQuote } from '../remote/command-runner.js';
import { capturedCommands, decodeText, lastLines, remoteScript, type CapturedCommand, type ScriptRecord } from './remote-script.js';

export interface SlurmProbe {
  /** The remote $HOME, absolute. */
  home: string;
  /** `workdir` with `~` resolved. */
  workdir: string;
  /** The workdir exists (created if needed) and is writable; else why not. */
  workdirProblem?: string;
  /** Why Slurm's commands did not answer (not a login node, slurmctld down); undefined when they did. */
  slurmProblem?: string;
  slurmVersion?: string;
  accounting: boolean;
  minJobAgeSeconds?: number;
  /** `+0100`: the cluster's offset from UTC. */
  utcOffset: string;
  squeueJson: boolean;
  partitions: string[];
  defaultPartition?: string;
  /** The steps' Python after the set-up lines (in the container, if one is configured). */
  python: { version?: string; problem?: string };
  /**
   * What the commands Ferry runs said when tried: `sbatch --test-only` with
   * the target's partition/account/qos (validated by slurmctld, nothing
   * queued), `squeue` for the user, and `sacct` where accounting is on.
   * Undefined: the command worked; a string: why not.
   */
  commands: { sbatch?: string; squeue?: string; sacct?: string };
}

export function probeScript(nonce: string, config: SlurmTargetConfig): string {
  const versionCheck = `import sys; print("%d.%d.%d" % sys.version_info[:3])`;
  const python = config.container
    ? [config.container.runtime, 'exec', config.container.image, config.python, '-c', versionCheck]
    : [config.python, '-c', versionCheck];
  // The set-up lines run in a bash of their own: a line with a syntax error fails this check, not the probe.
  const pythonCheck = ['set -e', ...config.setup, `exec ${python.map(shellQuote).join(' ')}`].join('\n');
  const body = [
    `ferry_record home "$(printf %s "$HOME" | base64 -w0)"`,
    `ferry_capture workdir bash -c 'mkdir -p -- "$1" && test -w "$1"' ferry-workdir ${remoteWorkdirWord(config.workdir)}`,
    'ferry_capture version sinfo -V',
    'ferry_capture config scontrol show config',
    'ferry_capture tz date +%z',
    `ferry_capture json bash -c 'squeue --help 2>&1 | grep -q -- --json'`,
    'ferry_capture partitions sinfo --noheader --format=%P',
    `ferry_capture python bash -c ${shellQuote(pythonCheck)}`,
    // --test-only: slurmctld checks the request (partition, account, qos) and queues nothing.
    `ferry_capture sbatch sbatch --test-only ${accountOptions(config).map(shellQuote).join(' ')} --wrap=true`,
    'ferry_capture squeue squeue --noheader --user="$(id -un)" --format=%i',
    'ferry_capture sacct sacct -X --noheader --starttime=now-1hours --format=JobID',
  ];
  return remoteScript(nonce, 'Ferry: probe the cluster', body);
}

/** The target's own sbatch options, as `sbatch --test-only` tries them. */
function accountOptions(config: SlurmTargetConfig): string[] {
  return [
    ...(config.partition ? [`--partition=${config.partition}`] : []),
    ...(config.account ? [`--account=${config.account}`] : []),
    ...(config.qos ? [`--qos=${config.qos}`] : []),
  ];
}

/**
 * The workdir as one shell word that the remote shell expands: `~/x` becomes
 * `"$HOME"/'x'` (the home is the remote one; the rest stays quoted).
 */
export function remoteWorkdirWord(workdir: string): string {
  if (workdir === '~') return '"$HOME"';
  if (workdir.startsWith('~/')) return `"$HOME"/${shellQuote(workdir.slice(2))}`;
  if (workdir.startsWith('/')) return shellQuote(workdir);
  return `"$HOME"/${shellQuote(workdir)}`; // relative: to the home, as ssh and scp take it
}

export function resolveWorkdir(workdir: string, home: string): string {
  if (workdir === '~') return home;
  if (workdir.startsWith('~/')) return posix.join(home, workdir.slice(2));
  return posix.isAbsolute(workdir) ? posix.normalize(workdir) : posix.join(home, workdir);
}

export function parseProbe(records: readonly ScriptRecord[], config: SlurmTargetConfig): SlurmProbe {
  const homeRecord = records.find((record) => record.kind === 'home');
  const home = decodeText(homeRecord?.fields[0]);
  if (!posix.isAbsolute(home)) throw new FerryError('target', `the cluster's $HOME is not an absolute path: ${JSON.stringify(home)}`);
  const commands = capturedCommands(records);
  const get = (name: string): CapturedCommand => commands.get(name) ?? { status: 127, stdout: '', stderr: `${name}: not run` };
  const version = get('version');
  const showConfig = get('config');
  const slurmProblem = version.status !== 0 ? failure(version, 'sinfo -V') : showConfig.status !== 0 ? failure(showConfig, 'scontrol show config') : undefined;
  const settings = parseSettings(showConfig.stdout);
  const listed = get('partitions').stdout.split('\n').map((line) => line.trim()).filter(Boolean);
  const defaultPartition = listed.find((name) => name.endsWith('*'))?.slice(0, -1);
  const python = get('python');
  const workdir = get('workdir');
  const accounting = showConfig.status !== 0 || !/accounting_storage\/none/.test(settings.get('AccountingStorageType') ?? '');
  const tried = (name: string, what: string): string | undefined => (get(name).status === 0 ? undefined : failure(get(name), what));
  // A probe captured before these checks existed has no record of them: nothing to report.
  const problems = {
    sbatch: commands.has('sbatch') ? tried('sbatch', 'sbatch --test-only') : undefined,
    squeue: commands.has('squeue') ? tried('squeue', 'squeue') : undefined,
    sacct: accounting && commands.has('sacct') ? tried('sacct', 'sacct') : undefined,
  };
  return {
    home,
    workdir: resolveWorkdir(config.workdir, home),
    ...(workdir.status !== 0 && { workdirProblem: failure(workdir, 'mkdir') }),
    ...(slurmProblem && { slurmProblem }),
    ...(version.status === 0 && { slurmVersion: version.stdout.trim().split(/\s+/).pop() }),
    // Unknown (scontrol failed) counts as on: sacct is then tried, and its failure only makes jobs "unknown".
    accounting,
    ...(settings.has('MinJobAge') && { minJobAgeSeconds: Number.parseInt(settings.get('MinJobAge')!, 10) }),
    utcOffset: /^[+-]\d{4}$/.test(get('tz').stdout.trim()) ? get('tz').stdout.trim() : '+0000', // GNU date; else assume UTC
    squeueJson: get('json').status === 0,
    partitions: listed.map((name) => name.replace(/\*$/, '')),
    ...(defaultPartition && { defaultPartition }),
    python: python.status === 0 ? { version: python.stdout.trim().split('\n').pop() } : { problem: failure(python, config.python) },
    commands: Object.fromEntries(Object.entries(problems).filter(([, problem]) => problem !== undefined)),
  };
}

/** `Key = value` lines of `scontrol show config`. */
function parseSettings(text: string): Map<string, string> {
  const settings = new Map<string, string>();
  for (const line of text.split('\n')) {
    const match = /^(\w+)\s*=\s*(.*)$/.exec(line.trim());
    if (match) settings.set(match[1]!, match[2]!.trim());
  }
  return settings;
}

function failure(command: CapturedCommand, what: string): string {
  const said = lastLines(command.stderr, 3) || lastLines(command.stdout, 3);
  return `${what} exited with status ${command.status}${said ? `: ${said}` : ''}`;
}
