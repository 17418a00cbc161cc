/**
 * One SSH connection per cluster for the whole process: every run, monitor
 * and client that talks to the same destination (user@host:port, through the
 * same jump hosts) gets the same runner, hence the same connection.
 */
import { resolveSshHost, type ResolvedHost, type ResolveSshHostOptions } from './ssh-config.js';
import { SshCommandRunner, type SshRunnerOptions } from './ssh-runner.js';
import type { SshPrompter } from './ssh-prompter.js';

export interface SshTargetAddress extends ResolveSshHostOptions {
  /** An ssh_config alias or a host name, optionally `user@host:port`. */
  host: string;
}

export class SshConnectionPool {
  private readonly runners = new Map<string, SshCommandRunner>();

  /** `runnerOptions` apply to every connection the pool opens (the prompter is given per `get`). */
  constructor(private readonly runnerOptions: Omit<SshRunnerOptions, 'prompter'> = {}) {}

  /**
   * The shared runner for this address (resolved through ssh_config now).
   * The first caller's prompter answers for the connection. Closing the
   * runner closes it for every holder; the pool then opens a new one on the
   * next `get`. Close everything with `closeAll()`.
   */
  get(address: SshTargetAddress, prompter?: SshPrompter): SshCommandRunner {
    const destination = resolveSshHost(address.host, address);
    const key = destinationKey(destination);
    const existing = this.runners.get(key);
    if (existing && !existing.isClosed) return existing;
    const runner = new SshCommandRunner(destination, { ...this.runnerOptions, ...(prompter && { prompter }) });
    this.runners.set(key, runner);
    return runner;
  }

  async closeAll(): Promise<void> {
    const runners = [...this.runners.values()];
    this.runners.clear();
    await Promise.all(runners.map((runner) => runner.close()));
  }
}

/**
 * "alice@jump:22 > bob@login1:22" plus the known_hosts files each hop is
 * verified against: what makes two connections the same. Two targets for one
 * host that trust different known_hosts files never share a connection, so
 * the stricter one is not satisfied by the other's check.
 */
export function destinationKey(destination: ResolvedHost): string {
  return [...destination.proxyJump, destination]
    .map((hop) => `${hop.user}@${hop.host}:${hop.port} [${hop.knownHostsFiles.join(',')}]`)
    .join(' > ');
}
