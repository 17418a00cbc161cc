// slurmctld RPCs per poll while N jobs are active (held, so they stay
// pending): Ferry's batched poll of all of them beside the naive loop of one
// `squeue -j ID` per job. Counted by slurmctld itself (sdiag, the test user's
// RPCs); sacct talks to slurmdbd, not slurmctld, and is not needed while every
// job is still in squeue.
import { posix } from 'node:path';
import { commandLine, onCluster, resetRpcCounts, rpcCounts } from './slurm-cluster.mjs';
import { median } from './stats.mjs';

export const ACTIVE_JOB_COUNTS = [1, 50, 200];

/** Submits `count` held jobs in one ssh exec; their ids. */
function submitHeldJobs(cluster, count) {
  const sbatch = commandLine([
    'sbatch', '--parsable', '--hold', '--job-name=bench-held', '--output=/dev/null',
    `--partition=${cluster.defaultPartition}`, `--account=${cluster.account}`, '--wrap=sleep 600',
  ]);
  const out = onCluster(cluster, `for i in $(seq ${Number(count)}); do ${sbatch} || exit 1; done`);
  return out.split('\n').map((line) => line.trim().split(';')[0]).filter(Boolean);
}

/** What the monitor hands the target for each job: a step with no files yet. */
function activeSteps(workdir, jobIds) {
  const runDir = posix.join(workdir, 'runs', 'bench-held');
  return jobIds.map((jobId, index) => ({
    runId: 'bench-held', runDir, step: `j${index}`, jobId, state: 'queued', logOffset: 0, metricsOffset: 0,
  }));
}

/**
 * RPCs of one poll, counted in `windows` separate windows (reset, one poll,
 * read). The cluster is shared and its counters are per user, so anything
 * else the test user does meanwhile adds to a window; it can only add, so
 * the fewest seen is the poll's own count.
 */
async function measure(cluster, windows, poll) {
  await poll(); // warm
  const samples = [];
  for (let i = 0; i < windows; i++) {
    resetRpcCounts();
    const start = performance.now();
    await poll();
    const ms = performance.now() - start;
    samples.push({ ms, ...rpcCounts(cluster.user) });
  }
  const fewest = samples.reduce((best, sample) => (sample.user < best.user ? sample : best));
  return {
    rpcsPerPoll: fewest.user,
    rpcsPerWindow: samples.map((sample) => sample.user),
    rpcTypes: fewest.byType,
    msPerPoll: median(samples.map((sample) => sample.ms)),
  };
}

export async function benchRpcs(cluster, ferry, { windows, leftovers }) {
  const workdir = (await ferry.target.probe()).workdir;
  const jobIds = [];
  const rows = [];
  for (const count of ACTIVE_JOB_COUNTS) {
    const added = submitHeldJobs(cluster, count - jobIds.length);
    jobIds.push(...added);
    leftovers.jobIds.push(...added);
    const active = activeSteps(workdir, jobIds);
    const ferryRow = await measure(cluster, windows, async () => {
      const observations = await ferry.target.poll(active);
      const notQueued = observations.filter((observation) => observation.state !== 'queued');
      if (notQueued.length > 0) throw new Error(`a held job was not seen pending: ${JSON.stringify(notQueued[0])}`);
    });
    const loop = `for id in ${jobIds.join(' ')}; do squeue --noheader --jobs="$id" --format='%i|%T|%r'; done`;
    const naiveRow = await measure(cluster, windows, async () => onCluster(cluster, loop));
    rows.push({ activeJobs: count, ferry: ferryRow, naive: naiveRow });
  }
  return { windows, rows, goal: { rpcsPerPoll: 2, flatInN: true } };
}
