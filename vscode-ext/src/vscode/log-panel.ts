/**
 * The log view: one editor-area webview showing the selected step's log.
 * The host owns the session (what is loaded, following); the page only
 * renders. The page's HTML and script come from a `LogViewContent`, so a
 * richer renderer (the shared log viewer component) can replace the plain one
 * without touching the session or the protocol.
 */
import { randomBytes } from 'node:crypto';
import * as vscode from 'vscode';
import type { Run } from '@ferry/core';
import { LogSession, type LogSource } from '../model/log-session.js';
import { isLogViewMessage, type LogHostMessage } from '../webview/log-protocol.js';

/** What a log view page is made of. */
export interface LogViewContent {
  /** Folders the page may load files from (the bundle only). */
  roots(extensionUri: vscode.Uri): vscode.Uri[];
  html(webview: vscode.Webview, extensionUri: vscode.Uri, nonce: string): string;
}

export class LogPanel implements vscode.Disposable {
  private panel: vscode.WebviewPanel | undefined;
  private session: LogSession | undefined;
  private selected: { run: Run; step: string } | undefined;
  private ready = false;

  constructor(
    private readonly extensionUri: vscode.Uri,
    private readonly content: LogViewContent,
    private readonly source: () => Promise<LogSource>,
  ) {}

  /** Shows a step's log, replacing whatever the view showed. */
  show(run: Run, step: string): void {
    this.selected = { run, step };
    if (!this.panel) this.panel = this.createPanel();
    this.panel.title = `Log: ${step} (${run.pipeline})`;
    this.panel.reveal(undefined, false);
    if (this.ready) void this.startSession();
  }

  private createPanel(): vscode.WebviewPanel {
    const panel = vscode.window.createWebviewPanel('ferry.log', 'Ferry log', vscode.ViewColumn.Active, {
      enableScripts: true,
      enableFindWidget: true, // search in the log with Ctrl+F
      localResourceRoots: this.content.roots(this.extensionUri),
    });
    this.ready = false;
    panel.webview.html = this.content.html(panel.webview, this.extensionUri, randomBytes(16).toString('base64'));
    panel.webview.onDidReceiveMessage((message: unknown) => {
      if (!isLogViewMessage(message)) return;
      switch (message.type) {
        case 'ready':
          // Also after the page was reloaded (hidden and shown again): start over from the tail.
          this.ready = true;
          void this.startSession();
          break;
        case 'loadEarlier':
          void this.session?.loadEarlier();
          break;
      }
    });
    panel.onDidDispose(() => {
      this.session?.dispose();
      this.session = undefined;
      this.panel = undefined;
      this.ready = false;
    });
    return panel;
  }

  private async startSession(): Promise<void> {
    this.session?.dispose();
    const selected = this.selected;
    const panel = this.panel;
    if (!selected || !panel) return;
    const post = (message: LogHostMessage) => void panel.webview.postMessage(message);
    let source: LogSource;
    try {
      source = await this.source();
    } catch (error) {
      post({ type: 'error', message: (error as Error).message });
      return;
    }
    const state = selected.run.steps.find((step) => step.name === selected.step)?.state ?? 'unknown';
    const session = new LogSession(source, selected.run.id, selected.step, post, `${selected.run.pipeline} › ${selected.step}`);
    this.session = session;
    await session.start(state);
  }

  dispose(): void {
    this.session?.dispose();
    this.panel?.dispose();
  }
}

/** The plain renderer: a `<pre>` with a toolbar, styled with VS Code's theme variables. */
export const plainLogView: LogViewContent = {
  roots: (extensionUri) => [vscode.Uri.joinPath(extensionUri, 'bundle', 'webview')],
  html(webview, extensionUri, nonce) {
    const asset = (name: string) => webview.asWebviewUri(vscode.Uri.joinPath(extensionUri, 'bundle', 'webview', name));
    const csp = [
      "default-src 'none'",
      `style-src ${webview.cspSource}`,
      `script-src 'nonce-${nonce}'`,
      `font-src ${webview.cspSource}`,
    ].join('; ');
    return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="${csp}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<link rel="stylesheet" href="${asset('log-view.css')}">
<title>Ferry log</title>
</head>
<body>
<header>
  <span id="title"></span><span id="state" class="badge"></span>
  <span class="spacer"></span>
  <button id="earlier" hidden>Load earlier</button>
  <button id="follow" aria-pressed="true">Pause</button>
</header>
<div id="problem" role="alert" hidden></div>
<pre id="log" tabindex="0" aria-label="Step log"></pre>
<script nonce="${nonce}" src="${asset('log-view.js')}"></script>
</body>
</html>`;
  },
};
