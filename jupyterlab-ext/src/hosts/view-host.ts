/**
 * The host side of @ferry/core's webview protocol, in the same page: a view
 * from @ferry/ui talks to this object as a VS Code webview talks to its
 * extension. Subclasses answer `ready` and the view's intents.
 */
import {
  isViewToHostMessage,
  WEBVIEW_PROTOCOL_VERSION,
  type HostToViewMessage,
  type ViewToHostMessage,
  type WebviewKind,
} from '@ferry/core';

export abstract class InPageHost<Out extends HostToViewMessage> {
  private readonly listeners = new Set<(message: HostToViewMessage) => void>();
  private session: AbortController | undefined;
  private disposed = false;

  constructor(private readonly view: WebviewKind) {}

  /** ViewHost: the view's intents arrive here. */
  postMessage(message: ViewToHostMessage): void {
    if (this.disposed || !isViewToHostMessage(message)) return;
    if (message.type === 'ready') {
      if (message.view !== this.view || message.protocol !== WEBVIEW_PROTOCOL_VERSION) {
        this.send({ type: 'error', message: `this ${this.view} host speaks protocol ${WEBVIEW_PROTOCOL_VERSION}, the view ${message.view} ${message.protocol}` });
        return;
      }
      // Every ready starts over: the view resets on its init message.
      this.session?.abort();
      this.session = new AbortController();
      void this.start(this.session.signal);
      return;
    }
    this.intent(message);
  }

  /** ViewHost: the view listens. */
  onMessage(listener: (message: HostToViewMessage) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  get isDisposed(): boolean {
    return this.disposed;
  }

  dispose(): void {
    this.disposed = true;
    this.session?.abort();
    this.listeners.clear();
  }

  protected send(message: Out | HostToViewMessage): void {
    for (const listener of [...this.listeners]) listener(message);
  }

  /** Sends the view's init and streams updates until `signal` aborts. */
  protected abstract start(signal: AbortSignal): Promise<void>;

  /** Intents other than `ready`. */
  protected intent(_message: Exclude<ViewToHostMessage, { type: 'ready' }>): void {}
}

export function describeError(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

export function pause(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, ms);
    signal.addEventListener('abort', () => {
      clearTimeout(timer);
      resolve();
    }, { once: true });
  });
}
