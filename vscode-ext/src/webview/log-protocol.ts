/**
 * Messages between the log view (a webview) and the extension host. The host
 * owns the state (what is loaded, where following resumes); the view renders
 * it and sends intents back. Nothing is posted before the view says `ready`.
 */

export type LogHostMessage =
  /** Start over with a step's log: its tail, and how many bytes come before it. */
  | { type: 'reset'; title: string; state: string; text: string; earlierBytes: number }
  /** New bytes at the end, as the step writes them. */
  | { type: 'append'; text: string }
  /** An earlier page, to put before what is shown. */
  | { type: 'prepend'; text: string; earlierBytes: number }
  /** The step's state changed; `ended` once it will write no more. */
  | { type: 'state'; state: string; ended: boolean }
  | { type: 'error'; message: string };

export type LogViewMessage = { type: 'ready' } | { type: 'loadEarlier' };

export function isLogViewMessage(value: unknown): value is LogViewMessage {
  const type = (value as { type?: unknown } | null)?.type;
  return type === 'ready' || type === 'loadEarlier';
}
