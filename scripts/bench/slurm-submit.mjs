// Submitting a 10-step chained pipeline: Ferry's Slurm target (stage the run
// directory, then submit the whole DAG) beside the way a user scripts it by
// hand, one `ssh HOST sbatch ...` per step, each waiting for the job id of
// the one before for its --dependency.
import { compileNotebookText } from '@ferry/core';
import { newRunId } from '@ferry/core/node';
import { cancelJobs, commandLine, onCluster } from './slurm-cluster.mjs';
import { median, notebook, code } from './stats.mjs';

export const CHAIN_STEPS = 10;

/** Ten steps, each using the value of the one before: a chain of afterok dependencies. */
function chainSpec() {
  const cells = [code('n = 1  # a parameter', ['parameters'])];
  for (let step = 0; step < CHAIN_STEPS; step++) {
    const input = step === 0 ? 'n' : `x${step - 1}`;
    cells.push(code(`x${step} = ${input} + 1\nprint("step ${step}", x${step})`, [`step:s${step}`]));
  }
  return compileNotebookText(JSON.stringify(notebook(cells)), 'chain.ipynb');
}

/** What RunEngine.submit hands the target: the run with its spec and its directory on the cluster. */
async function draftRun(target, spec) {
  const id = newRunId();
  return {
    id,
    pipeline: spec.name,
    notebookPath: '/bench/chain.ipynb',
    target: target.name,
    mode: 'script',
    state: 'queued',
    parameters: { n: 1 },
    createdAt: new Date().toISOString(),
    runDir: await target.runDir(id),
    steps: spec.steps.map((step) => ({ name: step.name, state: 'waiting', logOffset: 0, metricsOffset: 0 })),
    spec,
  };
}

/** Ferry: what RunEngine does for a submit (stage, then the monitor starts the whole DAG); its execs and time. */
async function ferrySubmit(ferry, spec, leftovers) {
  const run = await draftRun(ferry.target, spec); // the probe is cached: no exec
  leftovers.runDirs.push(run.runDir);
  ferry.runner.take();
  const start = performance.now();
  await ferry.target.stage(run);
  const staged = ferry.runner.take();
  const outcomes = await ferry.target.start(run, spec.steps.map((step) => step.name));
  const ms = performance.now() - start;
  const submitted = ferry.runner.take();
  const jobIds = Object.values(outcomes).map((outcome) => outcome.jobId);
  leftovers.jobIds.push(...jobIds);
  return { ms, execs: staged + submitted, stageExecs: staged, startExecs: submitted, jobIds };
}

/** The naive peer: one ssh connection and one sbatch per step, with the same sbatch options for resources. */
function naiveSubmit(cluster, leftovers) {
  const start = performance.now();
  const jobIds = [];
  for (let step = 0; step < CHAIN_STEPS; step++) {
    const previous = jobIds.at(-1);
    const words = [
      'sbatch', '--parsable', `--job-name=bench-naive-s${step}`, '--output=/dev/null',
      `--partition=${cluster.defaultPartition}`, `--account=${cluster.account}`,
      ...(previous ? [`--dependency=afterok:${previous}`, '--kill-on-invalid-dep=yes'] : []),
      `--wrap=${cluster.python} -c pass`,
    ];
    const jobId = onCluster(cluster, commandLine(words)).trim().split(';')[0];
    jobIds.push(jobId);
    leftovers.jobIds.push(jobId);
  }
  return { ms: performance.now() - start, connections: CHAIN_STEPS, jobIds };
}

export async function benchSubmit(cluster, ferry, { repeats, leftovers }) {
  const spec = chainSpec();
  // Warm both sides once (page cache, sshd, slurmctld), then alternate them.
  cancelJobs(cluster, (await ferrySubmit(ferry, spec, leftovers)).jobIds);
  cancelJobs(cluster, naiveSubmit(cluster, leftovers).jobIds);
  const rows = { ferry: [], naive: [] };
  for (let i = 0; i < repeats; i++) {
    const ferryRow = await ferrySubmit(ferry, spec, leftovers);
    cancelJobs(cluster, ferryRow.jobIds); // outside the timing: the chains must not load the machine
    rows.ferry.push(ferryRow);
    const naiveRow = naiveSubmit(cluster, leftovers);
    cancelJobs(cluster, naiveRow.jobIds);
    rows.naive.push(naiveRow);
  }
  const ferryMs = median(rows.ferry.map((row) => row.ms));
  const naiveMs = median(rows.naive.map((row) => row.ms));
  return {
    steps: CHAIN_STEPS,
    repeats,
    ferry: {
      medianMs: ferryMs,
      roundTrips: median(rows.ferry.map((row) => row.execs)),
      stageRoundTrips: median(rows.ferry.map((row) => row.stageExecs)),
      submitRoundTrips: median(rows.ferry.map((row) => row.startExecs)),
    },
    naive: { medianMs: naiveMs, roundTrips: CHAIN_STEPS, sshConnections: CHAIN_STEPS },
    timeRatio: ferryMs / naiveMs,
    goals: { roundTrips: 2, timeRatio: 0.2 },
  };
}
