// Ferry's Slurm target over its own SSH connection, with every remote exec
// counted: one exec is one round trip to the login node.
import { resolveSshHost, SlurmTarget, SshCommandRunner } from '@ferry/core/node';
import { slurmTargetConfig } from './slurm-cluster.mjs';

/** A CommandRunner that counts the execs it passes on. */
class CountingRunner {
  execs = 0;

  constructor(runner) {
    this.runner = runner;
    this.description = runner.description;
  }

  exec(command, options) {
    this.execs++;
    return this.runner.exec(command, options);
  }

  close() {
    return this.runner.close();
  }

  /** Execs since the last call. */
  take() {
    const count = this.execs;
    this.execs = 0;
    return count;
  }
}

/** The Slurm target for the dev cluster, and the counter of its execs. */
export function countedSlurmTarget(cluster) {
  const config = { ...slurmTargetConfig(cluster), local: false };
  const destination = resolveSshHost(config.host, { configFile: config.sshConfigFile });
  const runner = new CountingRunner(new SshCommandRunner(destination));
  const target = new SlurmTarget('bench', config, { connect: () => runner });
  return { target, runner, config };
}
