/**
 * The shared @ferry/ui views (the log view with ANSI colours, search and
 * virtual scrolling; the uPlot metrics view; the compare-runs view) in
 * JupyterLab's main area, each driven by an in-page host over the Ferry client.
 */
import { CompareView, loadExplore, LogView, MetricsView } from '@ferry/ui';
import { ReactWidget } from '@jupyterlab/ui-components';
import * as React from 'react';
import type { CompareHost } from '../hosts/compare-host.js';
import type { LogHost } from '../hosts/log-host.js';
import type { MetricsHost } from '../hosts/metrics-host.js';

export class LogWidget extends ReactWidget {
  constructor(readonly host: LogHost) {
    super();
    this.addClass('jp-FerryView');
    this.addClass('jp-FerryLogWidget');
    this.id = `ferry-log-${host.runId}-${host.step}`;
    this.title.label = `${host.step} log`;
    this.title.caption = `Log of step ${host.step} of run ${host.runId}`;
    this.title.closable = true;
  }

  protected render(): React.ReactElement {
    return <LogView host={this.host} />;
  }

  override dispose(): void {
    this.host.dispose(); // ends the log stream
    super.dispose();
  }
}

export class MetricsWidget extends ReactWidget {
  constructor(readonly host: MetricsHost) {
    super();
    this.addClass('jp-FerryView');
    this.addClass('jp-FerryMetricsWidget');
    this.id = `ferry-metrics-${host.runId}`;
    this.title.label = `metrics ${host.runId.slice(-6)}`;
    this.title.caption = `Metrics of run ${host.runId}`;
    this.title.closable = true;
  }

  protected render(): React.ReactElement {
    return <MetricsView host={this.host} />;
  }

  override dispose(): void {
    this.host.dispose();
    super.dispose();
  }
}

export class CompareWidget extends ReactWidget {
  constructor(
    readonly host: CompareHost,
    title: { label: string; caption: string },
  ) {
    super();
    this.addClass('jp-FerryView');
    this.addClass('jp-FerryCompareWidget');
    this.id = `ferry-compare-${host.runIds.join('-')}`;
    this.title.label = title.label;
    this.title.caption = title.caption;
    this.title.closable = true;
  }

  protected render(): React.ReactElement {
    // The exploration charts (ECharts) are a chunk of their own, fetched when the user opens one.
    return <CompareView host={this.host} loadExplore={loadExplore} />;
  }

  override dispose(): void {
    this.host.dispose(); // ends the compare stream
    super.dispose();
  }
}
