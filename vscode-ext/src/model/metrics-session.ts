/**
 * One run's metric curves as the metrics view shows them, in @ferry/core's
 * webview protocol: an empty chart set first, then every point the server's
 * metrics stream sends (all recorded points, then new ones live) until the
 * run ends.
 */
import type { FerryClient, MetricsHostMessage, Run } from '@ferry/core';
import { shortId } from './run-tree.js';

export type MetricsSource = Pick<FerryClient, 'followMetrics'>;

export class MetricsSession {
  private readonly abort = new AbortController();

  constructor(
    private readonly source: MetricsSource,
    readonly run: Pick<Run, 'id' | 'pipeline' | 'parameters'>,
    private readonly post: (message: MetricsHostMessage) => void,
  ) {}

  async start(): Promise<void> {
    const runId = this.run.id;
    this.post({ type: 'metrics/init', runs: [{ runId, label: runLabel(this.run), series: [] }] });
    try {
      for await (const event of this.source.followMetrics(runId, this.abort.signal)) {
        if (event.type === 'metrics') this.post({ type: 'metrics/append', runId, stepName: event.stepName, name: event.name, points: event.points });
        else this.post({ type: 'metrics/end', runId, state: event.state });
      }
    } catch (error) {
      if (!this.abort.signal.aborted) this.post({ type: 'error', message: (error as Error).message });
    }
  }

  dispose(): void {
    this.abort.abort();
  }
}

/** How the legend names a run: `train_pipeline 20261202 (lr=0.1, epochs=3)`. */
export function runLabel(run: Pick<Run, 'id' | 'pipeline' | 'parameters'>): string {
  const parameters = Object.entries(run.parameters).map(([name, value]) => `${name}=${JSON.stringify(value)}`);
  return `${run.pipeline} ${shortId(run.id)}${parameters.length ? ` (${parameters.join(', ')})` : ''}`;
}
