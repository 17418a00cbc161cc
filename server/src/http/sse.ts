/** Server-sent event streams: the live channel for run states, logs and metrics. */
import type { IncomingMessage, ServerResponse } from 'node:http';

const KEEPALIVE_MS = 15_000;

export interface EventStream {
  send(data: unknown, event?: string): void;
  end(): void;
  /** Called once when the stream ends, by either side. */
  onClose(listener: () => void): void;
  readonly closed: boolean;
}

export function openEventStream(req: IncomingMessage, res: ServerResponse): EventStream {
  res.writeHead(200, {
    'content-type': 'text/event-stream; charset=utf-8',
    'cache-control': 'no-store',
    connection: 'keep-alive',
    // Proxies (JupyterLab's server extension, nginx) must not buffer the stream.
    'x-accel-buffering': 'no',
  });
  res.write(': ferry\n\n');
  const listeners: Array<() => void> = [];
  let closed = false;
  const keepalive = setInterval(() => res.write(': keepalive\n\n'), KEEPALIVE_MS);
  const close = () => {
    if (closed) return;
    closed = true;
    clearInterval(keepalive);
    for (const listener of listeners) listener();
  };
  req.on('close', close);
  res.on('close', close);
  return {
    send(data, event) {
      if (closed) return;
      const lines = JSON.stringify(data);
      res.write(`${event ? `event: ${event}\n` : ''}data: ${lines}\n\n`);
    },
    end() {
      if (!closed) res.end();
      close();
    },
    onClose(listener) {
      if (closed) listener();
      else listeners.push(listener);
    },
    get closed() {
      return closed;
    },
  };
}
