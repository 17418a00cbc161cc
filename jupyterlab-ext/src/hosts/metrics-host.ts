/** Feeds a @ferry/ui metrics view one run's curves from the server's metrics event stream. */
import type { FerryClient, MetricsHostMessage } from '@ferry/core';
import { describeError, InPageHost, pause } from './view-host.js';

const RETRY_MS = 2000;

export class MetricsHost extends InPageHost<MetricsHostMessage> {
  constructor(
    private readonly client: Pick<FerryClient, 'followMetrics'>,
    readonly runId: string,
    private readonly label: string,
  ) {
    super('metrics');
  }

  protected async start(signal: AbortSignal): Promise<void> {
    while (!signal.aborted) {
      try {
        // The stream starts with every point so far: each (re)connection starts the view over.
        this.send({ type: 'metrics/init', runs: [{ runId: this.runId, label: this.label, series: [] }] });
        for await (const event of this.client.followMetrics(this.runId, signal)) {
          if (event.type === 'end') {
            this.send({ type: 'metrics/end', runId: this.runId, state: event.state });
            return;
          }
          this.send({ type: 'metrics/append', runId: this.runId, stepName: event.stepName, name: event.name, points: event.points });
        }
        return;
      } catch (error) {
        if (signal.aborted) return;
        this.send({ type: 'error', message: `the metrics stream broke off (${describeError(error)}); reconnecting` });
        await pause(RETRY_MS, signal);
      }
    }
  }
}
