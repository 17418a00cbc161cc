/**
 * The time limit for setting up one SSH connection (TCP, handshake,
 * authentication). It stands still while a person is asked something — a
 * host key, a passphrase, an MFA code — since people take longer than
 * networks, and the prompt relay has its own timeout.
 */
export class SetupDeadline {
  private timer: NodeJS.Timeout | undefined;
  private remainingMs: number;
  private startedAt = 0;
  private pauses = 0;
  private finished = false;

  constructor(
    readonly limitMs: number,
    private readonly onExpire: () => void,
  ) {
    this.remainingMs = limitMs;
    this.run();
  }

  async pausedWhile<T>(work: () => Promise<T>): Promise<T> {
    this.pause();
    try {
      return await work();
    } finally {
      this.resume();
    }
  }

  clear(): void {
    this.finished = true;
    clearTimeout(this.timer);
  }

  private pause(): void {
    if (this.pauses++ === 0 && !this.finished) {
      clearTimeout(this.timer);
      this.remainingMs -= Date.now() - this.startedAt;
    }
  }

  private resume(): void {
    if (--this.pauses === 0 && !this.finished) this.run();
  }

  private run(): void {
    this.startedAt = Date.now();
    this.timer = setTimeout(() => {
      this.finished = true;
      this.onExpire();
    }, Math.max(0, this.remainingMs));
  }
}
