/**
 * When a target's monitor polls next, and which kind of poll it makes.
 *
 * Two rhythms share one loop. Full polls (every active job: squeue and
 * sacct on a cluster) follow the target's policy, backing off while nothing
 * changes. While a client watches a step live (a log view, `ferry logs -f`),
 * light polls of only the watched steps' files fill the gaps every
 * `watchedMs`, so new lines reach the client within about a second without
 * asking the scheduler any more often. A light poll that sees something only
 * a full poll can settle (the runtime reported the step started or ended)
 * brings the next full poll forward to now.
 *
 * Pure bookkeeping: time comes from `now`, so tests drive it with a fake clock.
 */
import type { PollPolicy } from './poll-loop.js';

export type PollKind = 'full' | 'light';

export interface PollScheduleOptions {
  /** The first wait, and the wait after a change (without a policy). */
  intervalMs: number;
  /** Longest wait without a policy. */
  maxIntervalMs: number;
  /** Replaces the doubling from `intervalMs` to `maxIntervalMs` for full polls. */
  policy?: PollPolicy;
  /** Longest wait between polls while a client watches. */
  watchedMs: number;
  /** Whether the target can poll just the watched steps' files; if not, watched ticks are full polls. */
  lightPolls: boolean;
  now?: () => number;
}

export class PollSchedule {
  /** The full polls' backoff: the wait the last full poll chose. */
  private fullWaitMs: number;
  private fullDueAt: number;
  private watchedNow = false;
  private readonly now: () => number;

  constructor(private readonly options: PollScheduleOptions) {
    this.now = options.now ?? Date.now;
    this.fullWaitMs = options.intervalMs;
    this.fullDueAt = this.now();
  }

  get watched(): boolean {
    return this.watchedNow;
  }

  set watched(watched: boolean) {
    this.watchedNow = watched;
  }

  /** A wake (a submit, a resume): a full poll now, and the backoff starts over. */
  restart(): void {
    this.fullWaitMs = this.options.intervalMs;
    this.fullDueAt = this.now();
  }

  /** The kind of poll a tick that fires now makes. */
  kind(): PollKind {
    if (!this.watchedNow || !this.options.lightPolls) return 'full';
    return this.now() >= this.fullDueAt ? 'full' : 'light';
  }

  /** After a full poll: its outcome moves the backoff. Returns the wait until the next tick. */
  afterFull(changed: boolean): number {
    const previous = this.fullWaitMs;
    const { policy, intervalMs, maxIntervalMs } = this.options;
    this.fullWaitMs = policy ? policy.nextDelayMs(previous, changed) : changed ? intervalMs : Math.min(previous * 2, maxIntervalMs);
    this.fullDueAt = this.now() + this.fullWaitMs;
    return this.waitMs();
  }

  /**
   * After a light poll; `needsFullPoll`: it saw what only a full poll can
   * settle. The backoff is not reset by the log growth it saw: those bytes
   * are delivered already, and the scheduler has nothing new to say about them.
   */
  afterLight(needsFullPoll: boolean): number {
    if (needsFullPoll) this.fullDueAt = this.now();
    return this.waitMs();
  }

  /** The wait from now until the next tick. */
  waitMs(): number {
    const untilFull = Math.max(0, this.fullDueAt - this.now());
    return this.watchedNow ? Math.min(untilFull, this.options.watchedMs) : untilFull;
  }
}
