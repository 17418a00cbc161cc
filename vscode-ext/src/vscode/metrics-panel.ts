/**
 * Run metrics: one editor-area webview per run with @ferry/ui's metrics view
 * (uPlot curves), fed live from the server's metrics stream while the run
 * logs metrics. Opening a run's metrics again reveals its panel.
 */
import * as vscode from 'vscode';
import type { Run } from '@ferry/core';
import { MetricsSession, type MetricsSource } from '../model/metrics-session.js';
import { shortId } from '../model/run-tree.js';
import { ViewPanel } from './view-panel.js';

export class MetricsPanels implements vscode.Disposable {
  private readonly open = new Map<string, { view: ViewPanel; session?: MetricsSession }>();

  constructor(
    private readonly extensionUri: vscode.Uri,
    private readonly source: () => Promise<MetricsSource>,
  ) {}

  show(run: Run): void {
    const existing = this.open.get(run.id);
    if (existing) {
      existing.view.reveal();
      return;
    }
    const view = new ViewPanel(this.extensionUri, {
      kind: 'metrics',
      viewType: 'ferry.metrics',
      title: `Metrics: ${run.pipeline} ${shortId(run.id)}`,
    });
    const entry: { view: ViewPanel; session?: MetricsSession } = { view };
    this.open.set(run.id, entry);
    view.connect({
      // Also after a reload of the page: the stream starts over with every point.
      onReady: () => void this.start(entry, run),
      onDispose: () => {
        entry.session?.dispose();
        this.open.delete(run.id);
      },
    });
  }

  private async start(entry: { view: ViewPanel; session?: MetricsSession }, run: Run): Promise<void> {
    entry.session?.dispose();
    entry.session = undefined;
    let source: MetricsSource;
    try {
      source = await this.source();
    } catch (error) {
      entry.view.post({ type: 'error', message: (error as Error).message });
      return;
    }
    const session = new MetricsSession(source, run, (message) => entry.view.post(message));
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
