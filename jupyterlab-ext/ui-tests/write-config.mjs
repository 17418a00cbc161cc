// Writes the test FERRY_HOME's config.json: the local target, and a Slurm
// target on the dev cluster when its cluster.json exists (as the core's
// real-cluster tests configure it).
import { existsSync, readFileSync, writeFileSync } from 'node:fs';

const [file, python, clusterFile] = process.argv.slice(2);
const targets = { local: { type: 'local', python, maxParallel: 4 } };
if (clusterFile && existsSync(clusterFile)) {
  const cluster = JSON.parse(readFileSync(clusterFile, 'utf8'));
  targets.slurm = {
    type: 'slurm',
    host: cluster.sshHostAlias,
    sshConfigFile: cluster.sshConfigFile,
    workdir: '~/ferry',
    partition: cluster.defaultPartition,
    account: cluster.account,
    python: cluster.python,
    setup: cluster.setup,
    local: false,
  };
}
writeFileSync(file, JSON.stringify({ targets }, null, 2) + '\n', { mode: 0o600 });
