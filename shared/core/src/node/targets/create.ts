import type { FerryConfig, SlurmTargetConfig, TargetConfig } from '../config.js';
import type { FerryPaths } from '../paths.js';
import type { PromptBroker } from '../prompts.js';
import type { CommandRunner } from '../remote/command-runner.js';
import { LocalCommandRunner } from '../remote/local-runner.js';
import { loadKubeClients } from '../kubernetes/kube-client.js';
import { KubernetesTarget, type KubernetesTargetOptions } from '../kubernetes/kubernetes-target.js';
import { SlurmTarget, type SlurmTargetOptions } from '../slurm/slurm-target.js';
import { SshConnectionPool } from '../ssh/ssh-pool.js';
import { brokerPrompter } from '../ssh/ssh-prompter.js';
import { LocalTarget } from './local.js';
import type { Target } from './target.js';

export interface TargetOptions {
  /** Local target: time between SIGTERM and SIGKILL when cancelling. */
  cancelGraceMs?: number;
  /** Who answers SSH questions (host keys, passwords, MFA codes); without it they fail. */
  prompts?: PromptBroker;
  /** SSH targets to one cluster share one connection through this pool. */
  sshPool?: SshConnectionPool;
  /** Slurm targets: polling rhythm and cancel wait (tests shorten them). */
  slurm?: Pick<SlurmTargetOptions, 'poll' | 'cancelWaitSeconds'>;
  /** Kubernetes targets: polling rhythm and cancel wait (tests shorten them). */
  kubernetes?: Pick<KubernetesTargetOptions, 'poll' | 'cancelWaitMs'>;
}

/** Builds the target a config entry describes; the one place that knows every target type. */
export function createTarget(name: string, config: TargetConfig, paths: FerryPaths, options: TargetOptions = {}): Target {
  switch (config.type) {
    case 'local':
      return new LocalTarget(name, config, { runsDir: paths.runsDir, ...(options.cancelGraceMs !== undefined && { cancelGraceMs: options.cancelGraceMs }) });
    case 'slurm':
      return new SlurmTarget(name, config, { connect: () => slurmRunner(name, config, options), ...options.slurm });
    case 'kubernetes':
      return new KubernetesTarget(name, config, {
        runsDir: paths.runsDir,
        connect: () => loadKubeClients({ kubeconfig: config.kubeconfig, ...(config.context !== undefined && { context: config.context }) }),
        ...options.kubernetes,
      });
  }
}

export function createTargets(config: FerryConfig, paths: FerryPaths, options: TargetOptions = {}): Map<string, Target> {
  const shared = { ...options, sshPool: options.sshPool ?? new SshConnectionPool() };
  return new Map(Object.entries(config.targets).map(([name, target]) => [name, createTarget(name, target, paths, shared)]));
}

/** bash on this machine for a login-node install, else the pooled SSH connection (resolved through ssh_config now). */
function slurmRunner(name: string, config: SlurmTargetConfig, options: TargetOptions): CommandRunner {
  if (config.local) return new LocalCommandRunner();
  const pool = options.sshPool ?? new SshConnectionPool();
  const address = {
    host: config.host,
    ...(config.user !== undefined && { user: config.user }),
    ...(config.port !== undefined && { port: config.port }),
    ...(config.sshConfigFile !== undefined && { configFile: config.sshConfigFile }),
    ...(config.identityFile !== undefined && { identityFile: config.identityFile }),
    ...(config.knownHostsFile !== undefined && { knownHostsFile: config.knownHostsFile }),
    ...(config.proxyJump !== undefined && { proxyJump: config.proxyJump }),
  };
  return pool.get(address, options.prompts ? brokerPrompter(options.prompts, name) : undefined);
}
