/**
 * The timing of one monitor loop: a setTimeout chain (never setInterval), so
 * polls never overlap however slow a target answers. It polls at the base
 * interval while things change, backs off while nothing does, and sleeps
 * entirely when nothing is active until `wake()` (a new run, a resume).
 */
export interface TickResult {
  /** Anything still running or waiting on this target. */
  active: boolean;
  /** Anything changed in this tick (state, log, metrics). */
  changed: boolean;
}

/** A target's own polling rhythm (its polls are round trips to a cluster). */
export interface PollPolicy {
  /**
   * The wait before the next poll, given the last wait and whether that poll
   * saw a change. TODO(watch): a client watching a step's live log should
   * make this short (≤ 1 s); the server has no way to say so yet.
   */
  nextDelayMs(previousMs: number, changed: boolean): number;
}

export interface PollLoopOptions {
  intervalMs: number;
  /** Longest wait between polls while steps are active but quiet, or after errors. */
  maxIntervalMs: number;
  /** Replaces the doubling from `intervalMs` to `maxIntervalMs`. */
  policy?: PollPolicy;
  onError(error: unknown): void;
}

export class PollLoop {
  private timer: NodeJS.Timeout | undefined;
  private inFlight: Promise<void> | undefined;
  private wakeRequested = false;
  private stopped = false;
  private delayMs: number;

  constructor(
    private readonly tick: () => Promise<TickResult>,
    private readonly options: PollLoopOptions,
  ) {
    this.delayMs = options.intervalMs;
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
    this.delayMs = this.options.intervalMs;
    this.inFlight = this.run();
  }

  /** Stops polling; resolves when the poll in flight (if any) has finished. */
  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.inFlight;
  }

  private async run(): Promise<void> {
    let result: TickResult;
    try {
      result = await this.tick();
    } catch (error) {
      this.options.onError(error);
      result = { active: true, changed: false }; // retry, backing off
    }
    this.inFlight = undefined;
    if (this.stopped) return;
    if (this.wakeRequested) {
      this.wakeRequested = false;
      this.wake();
      return;
    }
    if (!result.active) return; // asleep until wake()
    this.delayMs = this.options.policy
      ? this.options.policy.nextDelayMs(this.delayMs, result.changed)
      : result.changed
        ? this.options.intervalMs
        : Math.min(this.delayMs * 2, this.options.maxIntervalMs);
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.inFlight = this.run();
    }, this.delayMs);
    this.timer.unref(); // never what keeps a process alive
  }
}
