/**
 * How many commands run at once on one SSH connection. OpenSSH's sshd allows
 * MaxSessions (default 10) open channels per connection and refuses more, so
 * Ferry stays below that and queues the rest, first come, first served. If a
 * server refuses a channel anyway (a lower MaxSessions), the limit drops to
 * what it did accept.
 */
export class ChannelSlots {
  private inUse = 0;
  private readonly waiting: Array<{ grant: () => void; onAbort: () => void }> = [];

  constructor(private limit: number) {
    if (!(limit >= 1)) throw new Error(`the channel limit must be at least 1, not ${limit}`);
  }

  get active(): number {
    return this.inUse;
  }

  get queued(): number {
    return this.waiting.length;
  }

  get max(): number {
    return this.limit;
  }

  /** Resolves with a release function once a slot is free; rejects with the signal's reason if aborted while waiting. */
  acquire(signal?: AbortSignal): Promise<() => void> {
    if (signal?.aborted) return Promise.reject(signal.reason);
    if (this.inUse < this.limit) {
      this.inUse++;
      return Promise.resolve(this.releaser());
    }
    return new Promise((resolve, reject) => {
      const waiter = {
        grant: () => {
          signal?.removeEventListener('abort', waiter.onAbort);
          this.inUse++;
          resolve(this.releaser());
        },
        onAbort: () => {
          this.waiting.splice(this.waiting.indexOf(waiter), 1);
          reject(signal!.reason);
        },
      };
      signal?.addEventListener('abort', waiter.onAbort, { once: true });
      this.waiting.push(waiter);
    });
  }

  /** The server refused a channel while `accepted` others were open. */
  lowerLimitTo(accepted: number): void {
    this.limit = Math.max(1, Math.min(this.limit, accepted));
  }

  private releaser(): () => void {
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.inUse--;
      while (this.inUse < this.limit && this.waiting.length > 0) this.waiting.shift()!.grant();
    };
  }
}
