/**
 * The log view: one editor-area webview showing the selected step's log with
 * @ferry/ui's log view. The host owns the session (which step, what is
 * loaded); the view renders, follows or pauses, searches, and asks for
 * earlier pages.
 */
import * as vscode from 'vscode';
import type { Run } from '@ferry/core';
import { LogSession, type LogSource } from '../model/log-session.js';
import { ViewPanel } from './view-panel.js';

export class LogPanel implements vscode.Disposable {
  private view: ViewPanel | undefined;
  private session: LogSession | undefined;
  private selected: { run: Run; step: string } | undefined;

  constructor(
    private readonly extensionUri: vscode.Uri,
    private readonly source: () => Promise<LogSource>,
  ) {}

  /** Shows a step's log, replacing whatever the view showed. */
  show(run: Run, step: string): void {
    this.selected = { run, step };
    this.view ??= this.createView();
    this.view.panel.title = `Log: ${step} (${run.pipeline})`;
    this.view.reveal();
    if (this.view.isReady) void this.startSession();
  }

  private createView(): ViewPanel {
    const view = new ViewPanel(this.extensionUri, { kind: 'log', viewType: 'ferry.log', title: 'Ferry log' });
    return view.connect({
      // Also after the page was reloaded (hidden and shown again): start over from the tail.
      onReady: () => void this.startSession(),
      onIntent: (intent) => {
        if (intent.type === 'log/loadEarlier') void this.session?.loadEarlier(intent.before);
      },
      onDispose: () => {
        this.session?.dispose();
        this.session = undefined;
        this.view = undefined;
      },
    });
  }

  private async startSession(): Promise<void> {
    this.session?.dispose();
    const selected = this.selected;
    const view = this.view;
    if (!selected || !view) return;
    let source: LogSource;
    try {
      source = await this.source();
    } catch (error) {
      view.post({ type: 'error', message: (error as Error).message });
      return;
    }
    if (this.selected !== selected || this.view !== view) return; // another step was chosen meanwhile
    this.session?.dispose();
    const state = selected.run.steps.find((step) => step.name === selected.step)?.state;
    const session = new LogSession(source, selected.run.id, selected.step, (message) => view.post(message));
    this.session = session;
    await session.start(state);
  }

  dispose(): void {
    this.session?.dispose();
    this.view?.dispose();
  }
}
