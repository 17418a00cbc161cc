/**
 * Renders a view into the test page with an in-page host that records what
 * the view posts and delivers what the test sends, each step inside `act` so
 * React has finished rendering when the test looks.
 */
import type { HostToViewMessage, ViewToHostMessage } from '@ferry/core';
import { act, type ReactElement } from 'react';
import { createRoot, type Root } from 'react-dom/client';
import type { ViewHost } from '../host.js';

export class TestHost implements ViewHost {
  readonly posted: ViewToHostMessage[] = [];
  private readonly listeners = new Set<(message: HostToViewMessage) => void>();

  postMessage(message: ViewToHostMessage): void {
    this.posted.push(message);
  }

  onMessage(listener: (message: HostToViewMessage) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Sends a message the way a host would (possibly malformed: views must check). */
  send(message: HostToViewMessage | { type: string; [key: string]: unknown }): void {
    act(() => {
      for (const listener of this.listeners) listener(message as HostToViewMessage);
    });
  }

  get listening(): number {
    return this.listeners.size;
  }
}

export interface RenderedView {
  container: HTMLElement;
  /** Renders the same root with new props, as a parent re-rendering would. */
  rerender(view: ReactElement): void;
  unmount(): void;
}

export function render(view: ReactElement): RenderedView {
  const container = document.createElement('div');
  document.body.appendChild(container);
  let root: Root;
  act(() => {
    root = createRoot(container);
    root.render(view);
  });
  return {
    container,
    rerender(next) {
      act(() => root.render(next));
    },
    unmount() {
      act(() => root.unmount());
      container.remove();
    },
  };
}

/** Runs a user action (an event, a scroll) and lets React finish. */
export function user(action: () => void): void {
  act(action);
}

export function typeInto(input: HTMLInputElement, text: string): void {
  act(() => {
    // React tracks the last value it set; going through the prototype's setter makes it see a change.
    Object.getOwnPropertyDescriptor(HTMLInputElement.prototype, 'value')!.set!.call(input, text);
    input.dispatchEvent(new Event('input', { bubbles: true }));
  });
}
