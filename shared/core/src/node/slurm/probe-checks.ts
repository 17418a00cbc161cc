/** `ferry targets test` for a Slurm target: the probe's facts as checks, each failed one with what to do. */
import type { TargetCheck } from '../../api/contract.js';
import type { SlurmTargetConfig } from '../config.js';
import type { SlurmProbe } from './probe.js';

export function probeChecks(probe: SlurmProbe, config: SlurmTargetConfig, via: string): TargetCheck[] {
  const checks: TargetCheck[] = [{ name: 'connection', ok: true, detail: `${via}: home ${probe.home}` }];
  checks.push(
    probe.slurmProblem
      ? { name: 'slurm', ok: false, detail: probe.slurmProblem, fix: 'run Ferry against a Slurm login node; Slurm\'s commands must be on the PATH of a non-interactive `ssh HOST cmd` ("setup" lines only run inside jobs), e.g. a `module load slurm` at the top of ~/.bashrc there' }
      : { name: 'slurm', ok: true, detail: slurmFacts(probe) },
  );
  checks.push(
    probe.accounting
      ? { name: 'accounting', ok: true, detail: 'on: sacct reports finished jobs', optional: true }
      : {
          name: 'accounting',
          ok: false,
          optional: true,
          detail: `off: Slurm forgets a finished job after MinJobAge (${probe.minJobAgeSeconds ?? '?'} s); a step that ends while Ferry is not watching may lose its exit details`,
          fix: 'ask the cluster admins about slurmdbd; runs still work',
        },
  );
  if (!probe.slurmProblem) checks.push(...commandChecks(probe, config));
  if (config.partition) {
    const known = probe.partitions.includes(config.partition);
    checks.push({
      name: 'partition',
      ok: known || probe.partitions.length === 0,
      detail: known ? `partition ${config.partition} exists` : `no partition "${config.partition}" (partitions: ${probe.partitions.join(', ') || 'none listed'})`,
      ...(!known && { fix: 'set "partition" to one of the partitions listed' }),
    });
  }
  checks.push(
    probe.workdirProblem
      ? { name: 'workdir', ok: false, detail: `${probe.workdir}: ${probe.workdirProblem}`, fix: 'set "workdir" to a directory you can write on the cluster (shared with the compute nodes)' }
      : { name: 'workdir', ok: true, detail: `${probe.workdir} is writable` },
  );
  checks.push(pythonCheck(probe, config));
  return checks;
}

function pythonCheck(probe: SlurmProbe, config: SlurmTargetConfig): TargetCheck {
  const where = config.container ? ` in ${config.container.image}` : config.setup.length > 0 ? ' after the set-up lines' : '';
  const fix = `make "${config.python}" a Python ≥ 3.8${where} (set "python", or a "setup" line such as \`module load python\`)`;
  if (!probe.python.version) return { name: 'python', ok: false, detail: `${config.python}${where}: ${probe.python.problem ?? 'no answer'}`, fix };
  const [major, minor] = probe.python.version.split('.').map(Number);
  const ok = major === 3 && minor! >= 8;
  return { name: 'python', ok, detail: `${config.python}${where} is Python ${probe.python.version} (on the login node)`, ...(!ok && { fix }) };
}

/** sbatch, squeue and sacct as Ferry will call them; only once Slurm itself answered (else the slurm check says why). */
function commandChecks(probe: SlurmProbe, config: SlurmTargetConfig): TargetCheck[] {
  const asked = [config.partition && `partition ${config.partition}`, config.account && `account ${config.account}`, config.qos && `qos ${config.qos}`].filter(Boolean).join(', ');
  const { sbatch, squeue, sacct } = probe.commands;
  const checks: TargetCheck[] = [
    sbatch
      ? { name: 'sbatch', ok: false, detail: sbatch, fix: `check "partition", "account" and "qos" against \`sacctmgr show assoc user=$USER\` and \`sinfo\`${asked ? ` (tried ${asked})` : ''}` }
      : { name: 'sbatch', ok: true, detail: `slurmctld accepts a job${asked ? ` with ${asked}` : ''} (sbatch --test-only, nothing queued)` },
    squeue
      ? { name: 'squeue', ok: false, detail: squeue, fix: 'squeue must answer for your user on this host; ask the cluster admins whether slurmctld is reachable from it' }
      : { name: 'squeue', ok: true, detail: 'squeue lists your jobs' },
  ];
  if (probe.accounting) {
    checks.push(
      sacct
        ? { name: 'sacct', ok: false, optional: true, detail: sacct, fix: 'finished jobs are then read from scontrol while Slurm remembers them; ask the cluster admins whether slurmdbd is reachable' }
        : { name: 'sacct', ok: true, optional: true, detail: 'sacct reports your finished jobs' },
    );
  }
  return checks;
}

/** What the probe learnt of the cluster, in one line: `Slurm 22.05.8, UTC+0000, forgets finished jobs after 300 s, squeue --json: yes`. */
function slurmFacts(probe: SlurmProbe): string {
  return [
    `Slurm ${probe.slurmVersion ?? '(version unknown)'}`,
    `UTC${probe.utcOffset}`,
    ...(probe.minJobAgeSeconds !== undefined ? [`forgets finished jobs after ${probe.minJobAgeSeconds} s (MinJobAge)`] : []),
    `squeue --json: ${probe.squeueJson ? 'yes (polls use the text form, which every version filters by job)' : 'no'}`,
  ].join(', ');
}
