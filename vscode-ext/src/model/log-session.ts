/**
 * One step's log as a view shows it: the tail first (a 100 MB log opens as
 * fast as a small one), then new bytes as the step writes them, and earlier
 * pages only when asked for. Pages start at a line boundary.
 */
import type { FerryClient } from '@ferry/core';
import type { LogHostMessage } from '../webview/log-protocol.js';

export const TAIL_BYTES = 256 * 1024;
export const PAGE_BYTES = 256 * 1024;

export type LogSource = Pick<FerryClient, 'log' | 'followLog'>;

const encoder = new TextEncoder();

export class LogSession {
  /** Byte offset of the first byte shown. */
  private first = 0;
  private loadingEarlier = false;
  private readonly abort = new AbortController();

  constructor(
    private readonly source: LogSource,
    readonly runId: string,
    readonly step: string,
    private readonly post: (message: LogHostMessage) => void,
    private readonly title: string,
  ) {}

  /** Shows the tail, then follows until the step ends or the session is disposed. */
  async start(state: string): Promise<void> {
    try {
      const tail = await this.source.log(this.runId, this.step, { offset: -TAIL_BYTES, maxBytes: TAIL_BYTES });
      const text = tail.offset > 0 ? fromLineStart(tail.data) : tail.data;
      // Measured from the end: the text kept is whole characters, whatever the page's first bytes were.
      this.first = tail.nextOffset - byteLength(text);
      this.post({ type: 'reset', title: this.title, state, text, earlierBytes: this.first });
      for await (const event of this.source.followLog(this.runId, this.step, tail.nextOffset, this.abort.signal)) {
        if (event.type === 'log') this.post({ type: 'append', text: event.chunk.data });
        else this.post({ type: 'state', state: event.state, ended: true });
      }
    } catch (error) {
      if (!this.abort.signal.aborted) this.post({ type: 'error', message: (error as Error).message });
    }
  }

  async loadEarlier(): Promise<void> {
    if (this.first === 0 || this.loadingEarlier) return;
    this.loadingEarlier = true;
    try {
      const start = Math.max(0, this.first - PAGE_BYTES);
      const chunk = await this.source.log(this.runId, this.step, { offset: start, maxBytes: this.first - start });
      const text = start > 0 ? fromLineStart(chunk.data) : chunk.data;
      this.first = chunk.nextOffset - byteLength(text);
      this.post({ type: 'prepend', text, earlierBytes: this.first });
    } catch (error) {
      this.post({ type: 'error', message: (error as Error).message });
    } finally {
      this.loadingEarlier = false;
    }
  }

  dispose(): void {
    this.abort.abort();
  }
}

/** Drops a partial first line (a page cut mid-line, or mid-character). */
function fromLineStart(text: string): string {
  const newline = text.indexOf('\n');
  return newline < 0 ? text : text.slice(newline + 1);
}

function byteLength(text: string): number {
  return encoder.encode(text).length;
}
