// The dev Slurm cluster as the Slurm benchmarks see it (scripts/dev-slurm.sh,
// docs/dev-cluster.md): its description, the ssh CLI a user would script with,
// slurmctld's RPC counters, and clean-up of what the benchmarks leave there.
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { posix } from 'node:path';
import { RUN_ID_PATTERN, shellQuote } from '@ferry/core/node';

export const CLUSTER_JSON = '/var/lib/ferry-dev-cluster/cluster.json';

/** The cluster's description, or undefined when there is no dev cluster (or it cannot be read). */
export function readCluster() {
  if (!existsSync(CLUSTER_JSON)) return undefined;
  return JSON.parse(readFileSync(CLUSTER_JSON, 'utf8'));
}

/** A Slurm target config for the dev cluster, as a user would write it in ~/.ferry/config.json. */
export function slurmTargetConfig(cluster) {
  return {
    type: 'slurm',
    host: cluster.sshHostAlias,
    sshConfigFile: cluster.sshConfigFile,
    workdir: '~/ferry',
    partition: cluster.defaultPartition,
    account: cluster.account,
    python: cluster.python,
    setup: cluster.setup,
  };
}

/** The ssh CLI's arguments for one command on the cluster (a new connection each time, as `ssh HOST cmd`). */
export function sshArgs(cluster, command) {
  return ['-F', cluster.sshConfigFile, cluster.sshHostAlias, command];
}

/** Runs `command` (a shell command line: quote values with shellQuote) on the cluster over the ssh CLI; its stdout. */
export function onCluster(cluster, command) {
  return execFileSync('ssh', sshArgs(cluster, command), { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
}

/** The command line of `words`, each one shell-quoted. */
export function commandLine(words) {
  return words.map(shellQuote).join(' ');
}

/** Cancels the given jobs (already ended ones are fine). */
export function cancelJobs(cluster, jobIds) {
  const ids = [...new Set(jobIds)].filter((id) => /^\d+$/.test(id));
  if (ids.length > 0) onCluster(cluster, `${commandLine(['scancel', ...ids])} 2>/dev/null; true`);
}

/** Removes run directories the benchmark staged: only `<workdir>/runs/<run id>`, nothing else. */
export function removeRunDirs(cluster, workdir, runDirs) {
  const ours = runDirs.filter((dir) => posix.dirname(dir) === posix.join(workdir, 'runs') && RUN_ID_PATTERN.test(posix.basename(dir)));
  if (ours.length > 0) onCluster(cluster, commandLine(['rm', '-rf', '--', ...ours]));
}

/**
 * slurmctld's RPC counters (`sdiag`) are read and reset on this machine,
 * which is the cluster's controller host. Resetting needs root or the
 * SlurmUser: tries it once, and says why not when it fails.
 */
export function sdiagAccess() {
  try {
    execFileSync('sdiag', ['--reset'], { stdio: 'pipe' });
    return { ok: true };
  } catch (error) {
    return { ok: false, why: `sdiag --reset failed (needs root or the SlurmUser on the controller host): ${String(error.stderr || error.message).trim()}` };
  }
}

export function resetRpcCounts() {
  execFileSync('sdiag', ['--reset'], { stdio: 'pipe' });
}

/**
 * RPCs slurmctld received from `user` since the last reset, and the counts
 * by message type (every user's; sdiag's own REQUEST_STATS_INFO left out).
 */
export function rpcCounts(user) {
  const text = execFileSync('sdiag', { encoding: 'utf8' });
  const section = (title) => text.split(title)[1]?.split(/\n\s*\n/)[0] ?? '';
  const byType = {};
  for (const [, type, count] of section('statistics by message type').matchAll(/^\s*(\w+)\s+\(\s*\d+\)\s+count:(\d+)/gm)) {
    if (type !== 'REQUEST_STATS_INFO') byType[type] = Number(count);
  }
  const mine = new RegExp(`^\\s*${user}\\s+\\(\\s*\\d+\\)\\s+count:(\\d+)`, 'm').exec(section('statistics by user'));
  return { user: mine ? Number(mine[1]) : 0, byType };
}
