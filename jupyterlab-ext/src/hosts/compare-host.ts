/**
 * Feeds a @ferry/ui compare view a set of runs: the comparison first, then
 * the histories the view asks for (its chart width, its zoom) and the points
 * the runs append live, from the server's compare event stream, until every
 * run has ended. Each run that ends brings the table again (its reduced
 * metrics, state and duration are final then), and so does a point of a
 * metric the table does not have yet (a run that starts logging it while the
 * view is open): its column and chart appear while the run still runs.
 */
import { CompareTables, type CompareHistoryRequestMessage, type CompareHostMessage, type CompareStreamEvent, type FerryClient, type ViewToHostMessage } from '@ferry/core';
import { describeError, InPageHost, pause } from './view-host.js';

export type CompareSource = Pick<FerryClient, 'compare' | 'compareHistory' | 'followCompare'>;

const RETRY_MS = 2000;

export class CompareHost extends InPageHost<CompareHostMessage> {
  /** The current session's signal: a history answered after a restart belongs to no view. */
  private current: AbortSignal | undefined;
  /** The table, read again when a point of a metric it lacks arrives. */
  private readonly tables = new CompareTables(() => this.client.compare(this.runIds));

  constructor(
    private readonly client: CompareSource,
    readonly runIds: readonly string[],
    /** Opens a step's log (a click on a chart point); the plugin passes its open-log command. */
    private readonly openLog: (runId: string, step: string) => void = () => undefined,
  ) {
    super('compare');
  }

  protected async start(signal: AbortSignal): Promise<void> {
    this.current = signal;
    while (!signal.aborted) {
      try {
        // The stream opens before the view can ask for a history, so no point falls between the two.
        const events = this.client.followCompare(this.runIds, [], signal)[Symbol.asyncIterator]();
        const first = events.next();
        first.catch(() => undefined); // observed below, when awaited
        const compare = await this.tables.table();
        if (signal.aborted) return;
        // Every (re)connection starts the view over: it asks for the histories again.
        this.send({ type: 'compare/init', compare });
        for (let next = await first; !next.done; next = await events.next()) {
          if (!(await this.forward(next.value, signal))) return;
        }
        return;
      } catch (error) {
        if (signal.aborted) return;
        this.send({ type: 'error', message: `the comparison broke off (${describeError(error)}); reconnecting` });
        await pause(RETRY_MS, signal);
      }
    }
  }

  protected override intent(message: Exclude<ViewToHostMessage, { type: 'ready' }>): void {
    if (message.type === 'compare/history') void this.history(message);
    else if (message.type === 'compare/openLog') this.openLog(message.runId, message.step);
  }

  private async history(request: CompareHistoryRequestMessage): Promise<void> {
    const session = this.current;
    if (!session || session.aborted) return;
    try {
      const history = await this.client.compareHistory({
        runs: [...this.runIds],
        metrics: request.metrics,
        width: request.width,
        x: request.x,
        ...(request.x0 !== undefined && request.x1 !== undefined ? { x0: request.x0, x1: request.x1 } : {}),
      });
      if (!session.aborted) this.send({ type: 'compare/history', request: request.request, history });
    } catch (error) {
      if (!session.aborted) this.send({ type: 'error', message: `cannot read the metric histories: ${describeError(error)}` });
    }
  }

  /** Returns false once the stream says every run has ended. */
  private async forward(event: CompareStreamEvent, signal: AbortSignal): Promise<boolean> {
    switch (event.type) {
      case 'points': {
        const { type: _type, ...points } = event;
        this.send({ type: 'compare/points', ...points });
        // The store holds the point before the stream sends it: the table read now has its metric.
        if (this.tables.lacks(event.name)) {
          const compare = await this.tables.table(event.name);
          if (!signal.aborted) this.send({ type: 'compare/table', compare });
        }
        return true;
      }
      case 'run': {
        this.send({ type: 'compare/run', runId: event.runId, state: event.state });
        const compare = await this.tables.table();
        if (!signal.aborted) this.send({ type: 'compare/table', compare });
        return true;
      }
      case 'end':
        return false;
    }
  }
}
