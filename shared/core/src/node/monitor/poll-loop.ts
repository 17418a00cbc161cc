/**
 * The timing of one monitor loop: a setTimeout chain (never setInterval), so
 * polls never overlap however slow a target answers. It polls at the base
 * interval while things change, backs off while nothing does, and sleeps
 * entirely when nothing is active until `wake()` (a new run, a resume).
 * While a client watches, it polls at least every `watchedMs`, with the
 * target's light poll where it has one (see poll-schedule.ts).
 */
import { PollSchedule } from './poll-schedule.js';

export interface TickResult {
  /** Anything still running or waiting on this target. */
  active: boolean;
  /** Anything changed in this tick (state, log, metrics). */
  changed: boolean;
}

export interface LightTickResult {
  /** The light poll saw something only a full poll can settle (a step started or ended). */
  needsFullPoll: boolean;
}

/** A target's own polling rhythm (its polls are round trips to a cluster). */
export interface PollPolicy {
  /** The wait before the next full poll, given the last wait and whether that poll saw a change. */
  nextDelayMs(previousMs: number, changed: boolean): number;
  /** The longest wait between polls while a client watches a step live (default 500 ms). */
  readonly watchedMs?: number;
}

export interface PollLoopOptions {
  intervalMs: number;
  /** Longest wait between polls while steps are active but quiet, or after errors. */
  maxIntervalMs: number;
  /** Replaces the doubling from `intervalMs` to `maxIntervalMs`. */
  policy?: PollPolicy;
  /** A cheap poll of only what clients watch, made between full polls while they do. */
  light?: () => Promise<LightTickResult>;
  onError(error: unknown): void;
  /** For tests of the timing. */
  now?: () => number;
}

/** Where a target's policy does not say: twice a second keeps a watched log within a second. */
export const DEFAULT_WATCHED_MS = 500;

export class PollLoop {
  private timer: NodeJS.Timeout | undefined;
  private inFlight: Promise<void> | undefined;
  private wakeRequested = false;
  private stopped = false;
  private readonly schedule: PollSchedule;

  constructor(
    private readonly tick: () => Promise<TickResult>,
    private readonly options: PollLoopOptions,
  ) {
    this.schedule = new PollSchedule({
      intervalMs: options.intervalMs,
      maxIntervalMs: options.maxIntervalMs,
      ...(options.policy && { policy: options.policy }),
      watchedMs: options.policy?.watchedMs ?? DEFAULT_WATCHED_MS,
      lightPolls: options.light !== undefined,
      ...(options.now && { now: options.now }),
    });
  }

  /** Polls as soon as possible (after the poll in flight, if any). */
  wake(): void {
    if (this.stopped) return;
    if (this.inFlight) {
      this.wakeRequested = true;
      return;
    }
    clearTimeout(this.timer);
    this.timer = undefined;
    this.schedule.restart();
    this.inFlight = this.run();
  }

  /**
   * Whether a client watches something of this target now. Turning it on
   * shortens a long wait already under way; turning it off lets the backoff
   * rhythm take over again from the next poll.
   */
  setWatched(watched: boolean): void {
    if (this.schedule.watched === watched) return;
    this.schedule.watched = watched;
    if (this.stopped || this.inFlight || !this.timer) return; // a poll in flight re-arms itself; an idle loop has nothing to watch
    this.arm(this.schedule.waitMs());
  }

  /** Stops polling; resolves when the poll in flight (if any) has finished. */
  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.inFlight;
  }

  private async run(): Promise<void> {
    const waitMs = this.schedule.kind() === 'light' ? await this.runLight() : await this.runFull();
    this.inFlight = undefined;
    if (this.stopped) return;
    if (this.wakeRequested) {
      this.wakeRequested = false;
      this.wake();
      return;
    }
    if (waitMs !== undefined) this.arm(waitMs);
  }

  /** The wait until the next tick, or undefined when nothing is active (asleep until wake()). */
  private async runFull(): Promise<number | undefined> {
    let result: TickResult;
    try {
      result = await this.tick();
    } catch (error) {
      this.options.onError(error);
      result = { active: true, changed: false }; // retry, backing off
    }
    return result.active ? this.schedule.afterFull(result.changed) : undefined;
  }

  private async runLight(): Promise<number> {
    let needsFullPoll = false;
    try {
      needsFullPoll = (await this.options.light!()).needsFullPoll;
    } catch {
      // Not reported: the next full poll meets the same problem (a dropped connection) and reports it once.
    }
    return this.schedule.afterLight(needsFullPoll);
  }

  private arm(waitMs: number): void {
    clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.inFlight = this.run();
    }, waitMs);
    this.timer.unref(); // never what keeps a process alive
  }
}
