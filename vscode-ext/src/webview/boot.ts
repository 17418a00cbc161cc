/**
 * The page script every Ferry webview runs after its @ferry/ui bundle: it
 * mounts the view the page names (`<body data-view>`) and connects it to the
 * extension through VS Code's message channel. It carries no state and no
 * markup; the view and the host speak @ferry/core's webview protocol.
 */
import type { ViewToHostMessage, WebviewKind } from '@ferry/core';

interface ViewBundle {
  mount(element: HTMLElement, host: unknown): { dispose(): void };
  windowMessageHost(post: (message: ViewToHostMessage) => void): unknown;
}

declare function acquireVsCodeApi(): { postMessage(message: ViewToHostMessage): void };

/** The global each @ferry/ui browser bundle defines (shared/ui/scripts/build-web.mjs). */
const BUNDLE_GLOBALS: Record<WebviewKind, string> = {
  log: 'FerryLogView',
  metrics: 'FerryMetricsView',
  parameters: 'FerryParameterForm',
  compare: 'FerryCompareView',
};

const kind = document.body.dataset.view as WebviewKind;
const bundle = (window as unknown as Record<string, ViewBundle | undefined>)[BUNDLE_GLOBALS[kind]];
const root = document.getElementById('root')!;
if (!bundle) {
  root.textContent = `The ${kind} view failed to load.`;
} else {
  const vscode = acquireVsCodeApi();
  bundle.mount(root, bundle.windowMessageHost((message) => vscode.postMessage(message)));
}
