/**
 * A compare-runs view's host side, in @ferry/core's webview protocol: the
 * comparison first, then the histories the view asks for (its width, its
 * zoom) and the points the runs append live, until every run has ended.
 * Each run that ends brings the table again (its reduced metrics, state and
 * duration are final then), and so does a point of a metric the table does
 * not have yet (a run that starts logging it while the view is open): its
 * column and chart appear while the run still runs.
 */
import { CompareTables, type CompareHistoryRequestMessage, type CompareHostMessage, type CompareStreamEvent, type FerryClient } from '@ferry/core';

export type CompareSource = Pick<FerryClient, 'compare' | 'compareHistory' | 'followCompare'>;

export class CompareSession {
  private readonly abort = new AbortController();
  /** The table, read again when a point of a metric it lacks arrives. */
  private readonly tables = new CompareTables(() => this.source.compare(this.runIds));

  constructor(
    private readonly source: CompareSource,
    readonly runIds: readonly string[],
    private readonly post: (message: CompareHostMessage) => void,
  ) {}

  async start(): Promise<void> {
    try {
      // The stream opens before the view can ask for a history, so no point falls between the two.
      const events = this.source.followCompare(this.runIds, [], this.abort.signal)[Symbol.asyncIterator]();
      const first = events.next();
      first.catch(() => undefined); // reported below, when awaited
      this.post({ type: 'compare/init', compare: await this.tables.table() });
      for (let next = await first; !next.done; next = await events.next()) {
        if (!(await this.forward(next.value))) break;
      }
    } catch (error) {
      if (!this.abort.signal.aborted) this.post({ type: 'error', message: (error as Error).message });
    }
  }

  /** Answers the view's request for histories (the chart's width, a zoomed range). */
  async history(request: CompareHistoryRequestMessage): Promise<void> {
    try {
      const history = await this.source.compareHistory({
        runs: [...this.runIds],
        metrics: request.metrics,
        width: request.width,
        x: request.x,
        ...(request.x0 !== undefined && request.x1 !== undefined ? { x0: request.x0, x1: request.x1 } : {}),
      });
      if (!this.abort.signal.aborted) this.post({ type: 'compare/history', request: request.request, history });
    } catch (error) {
      if (!this.abort.signal.aborted) this.post({ type: 'error', message: (error as Error).message });
    }
  }

  /** Returns false once the stream says every run has ended. */
  private async forward(event: CompareStreamEvent): Promise<boolean> {
    switch (event.type) {
      case 'points': {
        const { type: _type, ...points } = event;
        this.post({ type: 'compare/points', ...points });
        // The store holds the point before the stream sends it: the table read now has its metric.
        if (this.tables.lacks(event.name)) this.post({ type: 'compare/table', compare: await this.tables.table(event.name) });
        return true;
      }
      case 'run':
        this.post({ type: 'compare/run', runId: event.runId, state: event.state });
        this.post({ type: 'compare/table', compare: await this.tables.table() });
        return true;
      case 'end':
        return false;
    }
  }

  dispose(): void {
    this.abort.abort();
  }
}

/** The runs a set of sidebar items stands for: runs themselves, a sweep's points, a step's run; each once, in order. */
export function runIdsOf(
  nodes: ReadonlyArray<{ kind: string; runId?: string; sweepId?: string }>,
  pointsOf: (sweepId: string) => ReadonlyArray<{ id: string }>,
): string[] {
  const ids = nodes.flatMap((node) => {
    if (node.kind === 'sweep' && node.sweepId !== undefined) return pointsOf(node.sweepId).map((run) => run.id);
    return node.runId !== undefined ? [node.runId] : [];
  });
  return [...new Set(ids)];
}
