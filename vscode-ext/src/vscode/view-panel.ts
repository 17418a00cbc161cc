/**
 * An editor-area webview showing one of @ferry/ui's views (log, metrics,
 * parameter form, compare runs), with the webview discipline in one place: a strict CSP
 * with a fresh nonce, files only from the extension's bundle/webview folder,
 * @ferry/core's typed protocol checked on every message, and nothing posted
 * before the view says `ready` (again after each reload of the page).
 */
import { randomBytes } from 'node:crypto';
import * as vscode from 'vscode';
import {
  isViewToHostMessage,
  WEBVIEW_PROTOCOL_VERSION,
  type HostToViewMessage,
  type ReadyMessage,
  type ViewToHostMessage,
  type WebviewKind,
} from '@ferry/core';

/** What the page of each view loads from bundle/webview. */
const VIEW_BUNDLES: Record<WebviewKind, string> = {
  log: 'log-view.js',
  metrics: 'metrics-view.js',
  parameters: 'parameter-form.js',
  compare: 'compare-view.js',
};

export type ViewIntent = Exclude<ViewToHostMessage, ReadyMessage>;

export interface ViewPanelHandlers {
  /** The view listens (first load, or the page was reloaded): post its `*\/init`. */
  onReady(): void;
  /** An intent the view sent (already checked against the protocol). */
  onIntent?(intent: ViewIntent): void;
  /** The user closed the panel. */
  onDispose?(): void;
}

export interface ViewPanelOptions {
  kind: WebviewKind;
  viewType: string;
  title: string;
  column?: vscode.ViewColumn;
}

export class ViewPanel implements vscode.Disposable {
  readonly panel: vscode.WebviewPanel;
  private ready = false;
  private handlers: ViewPanelHandlers | undefined;

  constructor(
    extensionUri: vscode.Uri,
    private readonly options: ViewPanelOptions,
  ) {
    const root = webviewRoot(extensionUri);
    // A form being filled in keeps its page while in a background tab; the other views start over from the host's state.
    const retain = options.kind === 'parameters';
    this.panel = vscode.window.createWebviewPanel(options.viewType, options.title, options.column ?? vscode.ViewColumn.Active, {
      enableScripts: true,
      localResourceRoots: [root],
      retainContextWhenHidden: retain,
    });
    this.panel.webview.html = viewHtml(this.panel.webview, root, options.kind, options.title, randomBytes(16).toString('base64'));
    this.panel.webview.onDidReceiveMessage((message: unknown) => this.receive(message));
    // A hidden webview's page is discarded; shown again it reloads and says ready again.
    this.panel.onDidChangeViewState(({ webviewPanel }) => {
      if (!webviewPanel.visible && !retain) this.ready = false;
    });
    this.panel.onDidDispose(() => {
      this.ready = false;
      this.handlers?.onDispose?.();
    });
  }

  /** Who answers the view; set before the view can say ready (the page loads asynchronously). */
  connect(handlers: ViewPanelHandlers): this {
    this.handlers = handlers;
    return this;
  }

  get isReady(): boolean {
    return this.ready;
  }

  /** Posts to the view; dropped while it is not listening (it gets a fresh init when it is). */
  post(message: HostToViewMessage): void {
    if (this.ready) void this.panel.webview.postMessage(message);
  }

  reveal(): void {
    this.panel.reveal(undefined, false);
  }

  private receive(message: unknown): void {
    if (!isViewToHostMessage(message)) return; // not the protocol: a page is untrusted input
    switch (message.type) {
      case 'ready':
        if (message.view !== this.options.kind) return;
        if (message.protocol !== WEBVIEW_PROTOCOL_VERSION) {
          void this.panel.webview.postMessage({
            type: 'error',
            message: `This view speaks protocol ${message.protocol}; the extension speaks ${WEBVIEW_PROTOCOL_VERSION}. Reload the window.`,
          } satisfies HostToViewMessage);
          return;
        }
        this.ready = true;
        this.handlers?.onReady();
        break;
      case 'log/loadEarlier':
      case 'parameters/submit':
      case 'parameters/cancel':
      case 'compare/history':
      case 'compare/openLog':
        if (this.ready) this.handlers?.onIntent?.(message);
        break;
      default:
        message satisfies never;
    }
  }

  dispose(): void {
    this.panel.dispose();
  }
}

export function webviewRoot(extensionUri: vscode.Uri): vscode.Uri {
  return vscode.Uri.joinPath(extensionUri, 'bundle', 'webview');
}

/**
 * The page: the shared stylesheet, the view's bundle and the boot script, all
 * from the bundle folder and all under the nonce (the compare view adds its
 * chart bundle, compare-explore.js, from the same folder with the same nonce
 * when the user opens an exploration chart). No inline script or style,
 * so the CSP needs no 'unsafe-inline' (views set sizes and colours through the
 * DOM's style properties, which CSP allows).
 */
export function viewHtml(webview: vscode.Webview, root: vscode.Uri, kind: WebviewKind, title: string, nonce: string): string {
  const asset = (name: string) => webview.asWebviewUri(vscode.Uri.joinPath(root, name)).toString();
  const csp = [
    "default-src 'none'",
    `style-src ${webview.cspSource}`,
    `font-src ${webview.cspSource}`,
    `img-src ${webview.cspSource} data:`,
    `script-src 'nonce-${nonce}'`,
  ].join('; ');
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="${csp}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<link rel="stylesheet" href="${asset('ferry-ui.css')}">
<link rel="stylesheet" href="${asset('page.css')}">
<title>${escapeHtml(title)}</title>
</head>
<body data-view="${kind}">
<div id="root"></div>
<script nonce="${nonce}" src="${asset(VIEW_BUNDLES[kind])}"></script>
<script nonce="${nonce}" src="${asset('boot.js')}"></script>
</body>
</html>`;
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}
