/**
 * The log view's page script (runs in the webview, bundled separately). It
 * renders what the host sends and sends back intents: load earlier lines.
 * Following (keeping the newest line in sight) pauses when the user scrolls
 * up and resumes at the bottom or with the Follow button.
 */
import { ansiRuns } from './ansi.js';
import type { LogHostMessage, LogViewMessage } from './log-protocol.js';

declare function acquireVsCodeApi(): { postMessage(message: LogViewMessage): void };

const vscode = acquireVsCodeApi();
const byId = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;
const log = byId<HTMLPreElement>('log');
const title = byId<HTMLSpanElement>('title');
const state = byId<HTMLSpanElement>('state');
const earlier = byId<HTMLButtonElement>('earlier');
const follow = byId<HTMLButtonElement>('follow');
const problem = byId<HTMLDivElement>('problem');

let following = true;

function fragment(text: string): DocumentFragment {
  const parts = document.createDocumentFragment();
  for (const run of ansiRuns(text)) {
    if (!run.classes) {
      parts.append(document.createTextNode(run.text));
      continue;
    }
    const span = document.createElement('span');
    span.className = run.classes;
    span.textContent = run.text;
    parts.append(span);
  }
  return parts;
}

function setFollowing(value: boolean): void {
  following = value;
  follow.textContent = value ? 'Pause' : 'Follow';
  follow.setAttribute('aria-pressed', String(value));
  if (value) log.scrollTop = log.scrollHeight;
}

function setEarlier(bytes: number): void {
  earlier.hidden = bytes === 0;
  earlier.textContent = `Load earlier (${formatBytes(bytes)} before)`;
}

function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(0)} KiB`;
  return `${(bytes / 1024 / 1024).toFixed(1)} MiB`;
}

window.addEventListener('message', (event: MessageEvent<LogHostMessage>) => {
  const message = event.data;
  switch (message.type) {
    case 'reset':
      title.textContent = message.title;
      state.textContent = message.state;
      problem.hidden = true;
      log.replaceChildren(fragment(message.text));
      setEarlier(message.earlierBytes);
      setFollowing(true);
      break;
    case 'append':
      log.append(fragment(message.text));
      if (following) log.scrollTop = log.scrollHeight;
      break;
    case 'prepend': {
      // Keep the lines the user is looking at where they are.
      const fromBottom = log.scrollHeight - log.scrollTop;
      log.prepend(fragment(message.text));
      log.scrollTop = log.scrollHeight - fromBottom;
      setEarlier(message.earlierBytes);
      earlier.disabled = false;
      break;
    }
    case 'state':
      state.textContent = message.state;
      break;
    case 'error':
      problem.textContent = message.message;
      problem.hidden = false;
      break;
  }
});

earlier.addEventListener('click', () => {
  earlier.disabled = true;
  vscode.postMessage({ type: 'loadEarlier' });
});
follow.addEventListener('click', () => setFollowing(!following));
log.addEventListener('scroll', () => {
  const atBottom = log.scrollHeight - log.scrollTop - log.clientHeight < 4;
  if (following !== atBottom) setFollowing(atBottom);
});

vscode.postMessage({ type: 'ready' });
