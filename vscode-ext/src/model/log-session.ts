/**
 * One step's log as the log view shows it, in @ferry/core's webview
 * protocol: the tail first (a 100 MB log opens as fast as a small one), then
 * new bytes as the step writes them, and earlier pages only when the view
 * asks for them. The chunks are the server's as they come; the view joins
 * lines cut across chunks.
 */
import { isFinalStepState, type FerryClient, type LogHostMessage, type StepState } from '@ferry/core';

export const TAIL_BYTES = 256 * 1024;
export const PAGE_BYTES = 256 * 1024;

export type LogSource = Pick<FerryClient, 'log' | 'followLog'>;

export class LogSession {
  private readonly abort = new AbortController();
  /** `before` of the page being read, so a view that asks twice gets it once. */
  private pageReading: number | undefined;

  constructor(
    private readonly source: LogSource,
    readonly runId: string,
    readonly step: string,
    private readonly post: (message: LogHostMessage) => void,
  ) {}

  /** Shows the tail, then follows until the step ends or the session is disposed. */
  async start(state: StepState | undefined): Promise<void> {
    try {
      const tail = await this.source.log(this.runId, this.step, { offset: -TAIL_BYTES, maxBytes: TAIL_BYTES });
      if (this.abort.signal.aborted) return;
      const finished = state !== undefined && isFinalStepState(state);
      this.post({ type: 'log/init', runId: this.runId, step: this.step, chunk: tail, finished });
      for await (const event of this.source.followLog(this.runId, this.step, tail.nextOffset, this.abort.signal)) {
        if (event.type === 'log') this.post({ type: 'log/append', chunk: event.chunk });
        else this.post({ type: 'log/end', state: event.state });
      }
    } catch (error) {
      if (!this.abort.signal.aborted) this.post({ type: 'error', message: (error as Error).message });
    }
  }

  /** The page that ends at byte `before` (the first byte the view holds). */
  async loadEarlier(before: number): Promise<void> {
    if (before <= 0 || this.pageReading === before) return;
    this.pageReading = before;
    try {
      const offset = Math.max(0, before - PAGE_BYTES);
      const chunk = await this.source.log(this.runId, this.step, { offset, maxBytes: before - offset });
      if (!this.abort.signal.aborted) this.post({ type: 'log/page', chunk });
    } catch (error) {
      if (!this.abort.signal.aborted) this.post({ type: 'error', message: (error as Error).message });
    } finally {
      this.pageReading = undefined;
    }
  }

  dispose(): void {
    this.abort.abort();
  }
}
