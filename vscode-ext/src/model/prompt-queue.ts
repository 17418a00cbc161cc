/**
 * The SSH questions targets are waiting on, as the extension asks them: one
 * at a time, in the order they came, and a question someone answered
 * elsewhere (another window, the CLI, JupyterLab) leaves the queue or, when
 * it is the one shown, closes.
 */
import type { PromptEvent, PromptRequest } from '@ferry/core';

export class PromptQueue {
  private readonly waiting: PromptRequest[] = [];
  private shown: PromptRequest | undefined;

  constructor(
    /** Shows a question; the queue calls it for one question at a time. */
    private readonly show: (prompt: PromptRequest) => void,
    /** Closes the question shown (it was answered elsewhere). */
    private readonly close: (id: string) => void,
  ) {}

  apply(event: PromptEvent): void {
    if (event.type === 'prompt') {
      if (this.shown?.id === event.prompt.id || this.waiting.some((p) => p.id === event.prompt.id)) return; // listed again after a reconnect
      this.waiting.push(event.prompt);
      this.showNext();
      return;
    }
    const index = this.waiting.findIndex((p) => p.id === event.id);
    if (index >= 0) this.waiting.splice(index, 1);
    if (this.shown?.id === event.id) {
      this.shown = undefined;
      this.close(event.id);
      this.showNext();
    }
  }

  /** The shown question was answered (or declined) here. */
  done(id: string): void {
    if (this.shown?.id !== id) return;
    this.shown = undefined;
    this.showNext();
  }

  /** After a reconnect the server lists what is still pending: forget the rest. */
  clear(): void {
    this.waiting.length = 0;
    if (this.shown) this.close(this.shown.id);
    this.shown = undefined;
  }

  private showNext(): void {
    if (this.shown) return;
    this.shown = this.waiting.shift();
    if (this.shown) this.show(this.shown);
  }
}
