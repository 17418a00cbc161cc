/**
 * The comparison table as an IDE host hands it to a compare view, with the
 * metric names it has had: a live point of a metric the table lacks (a run
 * that started logging it while the view was open) is the host's cue to send
 * the table again, so its column and chart appear while the run still runs.
 * A name asked about once is not asked about at every later point, even if
 * the table still lacks it.
 */
import type { CompareResponse } from './compare-contract.js';

export class CompareTables {
  private readonly known = new Set<string>();

  constructor(private readonly read: () => Promise<CompareResponse>) {}

  /** Whether a point of `metric` should bring the table again. */
  lacks(metric: string): boolean {
    return !this.known.has(metric);
  }

  /** The table as the server has it now; `asked`, the metric that prompted it, counts as had. */
  async table(asked?: string): Promise<CompareResponse> {
    if (asked !== undefined) this.known.add(asked);
    const compare = await this.read();
    for (const metric of compare.metrics) this.known.add(metric.name);
    return compare;
  }
}
