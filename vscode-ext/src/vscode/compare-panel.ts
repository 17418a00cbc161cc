/**
 * Compare runs: an editor-area webview with @ferry/ui's compare view for a
 * set of runs, fed by a CompareSession (the table, the histories the view
 * asks for, live points). Comparing the same runs again reveals their panel.
 */
import * as vscode from 'vscode';
import { CompareSession, type CompareSource } from '../model/compare-session.js';
import { ViewPanel } from './view-panel.js';

interface OpenCompare {
  view: ViewPanel;
  session?: CompareSession;
}

export class ComparePanels implements vscode.Disposable {
  private readonly open = new Map<string, OpenCompare>();

  constructor(
    private readonly extensionUri: vscode.Uri,
    private readonly source: () => Promise<CompareSource>,
  ) {}

  show(runIds: readonly string[], title: string): void {
    const key = runIds.join(' ');
    const existing = this.open.get(key);
    if (existing) {
      existing.view.reveal();
      return;
    }
    const view = new ViewPanel(this.extensionUri, { kind: 'compare', viewType: 'ferry.compare', title });
    const entry: OpenCompare = { view };
    this.open.set(key, entry);
    view.connect({
      // Also after a reload of the page: the view starts over from a fresh table.
      onReady: () => void this.start(entry, runIds),
      onIntent: (intent) => {
        if (intent.type === 'compare/history') void entry.session?.history(intent);
      },
      onDispose: () => {
        entry.session?.dispose();
        this.open.delete(key);
      },
    });
  }

  private async start(entry: OpenCompare, runIds: readonly string[]): Promise<void> {
    entry.session?.dispose();
    entry.session = undefined;
    let source: CompareSource;
    try {
      source = await this.source();
    } catch (error) {
      entry.view.post({ type: 'error', message: (error as Error).message });
      return;
    }
    const session = new CompareSession(source, runIds, (message) => entry.view.post(message));
    entry.session = session;
    await session.start();
  }

  dispose(): void {
    for (const { view, session } of this.open.values()) {
      session?.dispose();
      view.dispose();
    }
    this.open.clear();
  }
}
