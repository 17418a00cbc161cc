/**
 * How often a Slurm target is polled. Each poll is a round trip to the login
 * node and a query of slurmctld (shared by everyone on the cluster), so:
 * every 2 s while something changes, then backing off by half again per quiet
 * poll up to a minute, with ±20% jitter so many Ferry servers do not poll in
 * step. A submit or cancel wakes the monitor at once regardless. While a
 * client watches a step live, light polls of its files (no slurmctld query)
 * come every `watchedMs` in between.
 */
import type { PollPolicy } from '../monitor/poll-loop.js';

export interface BackoffOptions {
  /** The wait while things change (default 2 s). */
  minMs?: number;
  /** The longest wait while nothing does (default 60 s). */
  maxMs?: number;
  /** The wait between light polls while a client watches a step (default 500 ms: a new log line shows within about a second). */
  watchedMs?: number;
  /** [0, 1): injectable for tests. */
  random?: () => number;
}

export class BackoffPollPolicy implements PollPolicy {
  readonly minMs: number;
  readonly maxMs: number;
  readonly watchedMs: number;
  private readonly random: () => number;

  constructor(options: BackoffOptions = {}) {
    this.minMs = options.minMs ?? 2_000;
    this.maxMs = Math.max(this.minMs, options.maxMs ?? 60_000);
    this.watchedMs = options.watchedMs ?? 500;
    this.random = options.random ?? Math.random;
  }

  nextDelayMs(previousMs: number, changed: boolean): number {
    if (changed) return this.minMs;
    const grown = Math.max(this.minMs, previousMs) * 1.5;
    const jittered = grown * (0.8 + 0.4 * this.random());
    return Math.round(Math.min(this.maxMs, Math.max(this.minMs, jittered)));
  }
}
