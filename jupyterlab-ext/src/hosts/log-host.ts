/**
 * Feeds a @ferry/ui log view one step's log: the tail first, then each new
 * chunk from the server's log event stream (no polling), earlier pages on
 * request. After a dropped stream it resumes from the last byte it sent.
 */
import type { FerryClient, LogHostMessage, ViewToHostMessage } from '@ferry/core';
import { describeError, InPageHost, pause } from './view-host.js';

/** Bytes of the log's end sent first, and per earlier page. */
export const LOG_PAGE_BYTES = 256 * 1024;
const RETRY_MS = 2000;

export class LogHost extends InPageHost<LogHostMessage> {
  constructor(
    private readonly client: Pick<FerryClient, 'log' | 'followLog'>,
    readonly runId: string,
    readonly step: string,
  ) {
    super('log');
  }

  protected async start(signal: AbortSignal): Promise<void> {
    let offset: number | undefined;
    while (!signal.aborted) {
      try {
        if (offset === undefined) {
          const tail = await this.client.log(this.runId, this.step, { offset: -LOG_PAGE_BYTES });
          if (signal.aborted) return;
          this.send({ type: 'log/init', runId: this.runId, step: this.step, chunk: tail, finished: false });
          offset = tail.nextOffset;
        }
        for await (const event of this.client.followLog(this.runId, this.step, offset, signal)) {
          if (event.type === 'end') {
            this.send({ type: 'log/end', state: event.state });
            return;
          }
          // The stream resumes where asked; anything before `offset` was sent already.
          if (event.chunk.nextOffset <= offset) continue;
          this.send({ type: 'log/append', chunk: event.chunk });
          offset = event.chunk.nextOffset;
        }
        return;
      } catch (error) {
        if (signal.aborted) return;
        this.send({ type: 'error', message: `the log stream broke off (${describeError(error)}); reconnecting` });
        await pause(RETRY_MS, signal);
      }
    }
  }

  protected override intent(message: Exclude<ViewToHostMessage, { type: 'ready' }>): void {
    if (message.type !== 'log/loadEarlier') return;
    const before = message.before;
    const offset = Math.max(0, before - LOG_PAGE_BYTES);
    void this.client
      .log(this.runId, this.step, { offset, maxBytes: Math.max(4, before - offset) })
      .then((chunk) => this.send({ type: 'log/page', chunk }))
      .catch((error: unknown) => this.send({ type: 'error', message: `cannot read the earlier log: ${describeError(error)}` }));
  }
}
