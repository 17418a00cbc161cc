/** On the epoch axis, names the runs that log no epoch: their curves are not drawn. */
import type { ComparedRun } from '@ferry/core';
import { runsWithoutEpoch } from './epoch-axis.js';
import { runLabel } from './runs-table.js';

/** Runs named in the note; the rest are counted. */
const NAMED = 5;

export function NoEpochNote({ runs, differing }: { runs: readonly ComparedRun[]; differing: readonly string[] }) {
  const without = runsWithoutEpoch(runs);
  if (without.length === 0) return null;
  const named = without.slice(0, NAMED).map((run) => runLabel(run, differing));
  const more = without.length > NAMED ? ` and ${without.length - NAMED} more` : '';
  return <p className="ferry-muted ferry-compare-no-epoch">No epoch logged, not drawn: {named.join('; ') + more}</p>;
}
