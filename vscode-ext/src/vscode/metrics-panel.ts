/**
 * Run metrics: one editor-area webview per run with @ferry/ui's metrics view
 * (uPlot curves), fed live from the server's metrics stream while the run
 * logs metrics. Opening a run's metrics again reveals its panel; a reloaded
 * page gets every point again.
 */
import type { Run } from '@ferry/core';
import { MetricsSession, type MetricsSource } from '../model/metrics-session.js';
import { shortId } from '../model/run-tree.js';
import { SessionPanels } from './session-panels.js';

export class MetricsPanels extends SessionPanels<MetricsSource, MetricsSession> {
  show(run: Run): void {
    this.showPanel(
      run.id,
      { kind: 'metrics', viewType: 'ferry.metrics', title: `Metrics: ${run.pipeline} ${shortId(run.id)}` },
      (source, post) => new MetricsSession(source, run, post),
    );
  }
}
