// The Slurm section of `npm run bench`, against the real dev cluster
// (scripts/dev-slurm.sh): Ferry beside the naive peer measured in the same
// run, as ratios; nothing is asserted. The figures also go to
// bench-results/slurm.json so they can be quoted.
//
// The cluster is shared with the tests, and slurmctld counts RPCs per user:
// run it while nothing else uses the cluster, e.g.
// `flock /tmp/ferry-cluster.lock npm run bench`.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { countedSlurmTarget } from './ferry-slurm.mjs';
import { cancelJobs, CLUSTER_JSON, readCluster, removeRunDirs, sdiagAccess } from './slurm-cluster.mjs';
import { benchLogLatency } from './slurm-log.mjs';
import { benchRpcs } from './slurm-rpc.mjs';
import { benchSubmit } from './slurm-submit.mjs';
import { ms } from './stats.mjs';

const REPEATS = Number(process.env.FERRY_BENCH_REPEATS ?? 5);
/** Windows of one poll each for the RPC counts. */
const RPC_WINDOWS = 5;

const goal = (met) => (met ? 'met' : 'missed');
/** Two decimals, or two significant digits for small ratios (2 RPCs beside 600 is 0.0033×, not 0.00×). */
const ratio = (value) => `${value >= 0.1 ? value.toFixed(2) : value.toPrecision(2)}×`;

export async function benchSlurm({ root, work }) {
  const cluster = readCluster();
  if (!cluster) {
    console.log(`slurm: skipped, no dev cluster (${CLUSTER_JSON} is absent; start one with: sudo bash scripts/dev-slurm.sh up)`);
    return;
  }
  const ferry = countedSlurmTarget(cluster);
  const coldStart = performance.now();
  const probe = await ferry.target.probe().catch((error) => ({ slurmProblem: error.message }));
  if (probe.slurmProblem) {
    await ferry.target.dispose();
    console.log(`slurm: skipped, the dev cluster does not answer (${probe.slurmProblem}); see: bash scripts/dev-slurm.sh status`);
    return;
  }
  const results = {
    cluster: { slurmVersion: probe.slurmVersion, accounting: probe.accounting, when: new Date().toISOString() },
    connect: { ms: performance.now() - coldStart, roundTrips: ferry.runner.take() },
  };
  console.log(
    `slurm (${cluster.clusterName}, Slurm ${probe.slurmVersion}, accounting ${probe.accounting ? 'on' : 'off'}; ` +
      `Ferry's first connection + probe: ${ms(results.connect.ms)}, ${results.connect.roundTrips} exec):`,
  );
  const leftovers = { jobIds: [], runDirs: [] };
  try {
    results.submit = await benchSubmit(cluster, ferry, { repeats: REPEATS, leftovers });
    printSubmit(results.submit);

    const sdiag = sdiagAccess();
    if (sdiag.ok) {
      results.rpcs = await benchRpcs(cluster, ferry, { windows: RPC_WINDOWS, leftovers });
      printRpcs(results.rpcs);
    } else {
      results.rpcs = { skipped: sdiag.why };
      console.log(`  slurmctld RPCs per poll: skipped, ${sdiag.why}`);
    }
    cancelJobs(cluster, leftovers.jobIds); // the held jobs go before the log step needs the node

    results.logLatency = await benchLogLatency(cluster, { work, leftovers });
    printLogLatency(results.logLatency);
  } finally {
    cancelJobs(cluster, leftovers.jobIds);
    removeRunDirs(cluster, probe.workdir, leftovers.runDirs);
    await ferry.target.dispose();
  }
  const file = join(root, 'bench-results/slurm.json');
  mkdirSync(join(root, 'bench-results'), { recursive: true });
  writeFileSync(file, JSON.stringify(results, null, 2) + '\n');
  console.log(`  figures: ${file}`);
}

function printSubmit(submit) {
  const { ferry, naive } = submit;
  console.log(`  submit a ${submit.steps}-step chain, median of ${submit.repeats}:`);
  console.log(`    naive: ssh + sbatch per step  ${ms(naive.medianMs).padStart(10)}  ${naive.roundTrips} round trips (${naive.sshConnections} ssh connections)`);
  console.log(
    `    ferry: stage + submit DAG     ${ms(ferry.medianMs).padStart(10)}  ${ferry.roundTrips} round trips ` +
      `(stage ${ferry.stageRoundTrips}, submit ${ferry.submitRoundTrips}; goal ≤ ${submit.goals.roundTrips}: ${goal(ferry.roundTrips <= submit.goals.roundTrips)})` +
      `  = ${ratio(submit.timeRatio)} naive (goal ≤ ${submit.goals.timeRatio}×: ${goal(submit.timeRatio <= submit.goals.timeRatio)})`,
  );
}

function printRpcs(rpcs) {
  console.log(`  slurmctld RPCs per poll (sdiag, fewest of ${rpcs.windows} one-poll windows: other traffic only adds; goal ≤ ${rpcs.goal.rpcsPerPoll} and flat in N):`);
  console.log('    active jobs   ferry RPCs/poll   naive RPCs/poll     ratio   ferry ms/poll   naive ms/poll');
  for (const row of rpcs.rows) {
    const ferry = row.ferry.rpcsPerPoll;
    const naive = row.naive.rpcsPerPoll;
    console.log(
      `    ${String(row.activeJobs).padStart(11)}   ${String(ferry).padStart(15)}   ${String(naive).padStart(15)}   ${ratio(ferry / naive).padStart(7)}   ` +
        `${ms(row.ferry.msPerPoll).padStart(13)}   ${ms(row.naive.msPerPoll).padStart(13)}`,
    );
  }
  const worst = Math.max(...rpcs.rows.map((row) => row.ferry.rpcsPerPoll));
  console.log(`    ferry: at most ${worst} RPCs per poll (goal: ${goal(worst <= rpcs.goal.rpcsPerPoll)})`);
}

function printLogLatency(log) {
  const { ferry, naive } = log;
  console.log(`  log latency of a watched step (a line every ${log.tickMs} ms, ${log.ticks} lines):`);
  console.log(`    naive: ssh tail -f            p50 ${ms(naive.p50Ms).padStart(10)}  p90 ${ms(naive.p90Ms).padStart(10)}  (${naive.lines} lines)`);
  console.log(
    `    ferry: server log stream      p50 ${ms(ferry.p50Ms).padStart(10)}  p90 ${ms(ferry.p90Ms).padStart(10)}  (${ferry.lines} lines)` +
      `  = ${ratio(ferry.p50Ms / naive.p50Ms)} naive (goal p50 ≤ ${log.goal.p50Ms / 1000} s: ${goal(ferry.p50Ms <= log.goal.p50Ms)})`,
  );
}
