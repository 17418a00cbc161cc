/**
 * Which runs "Compare Runs" compares, and how its tab names them: the side
 * panel's selection, or the points of a sweep when one of its runs is
 * picked alone (comparing a run with itself says nothing).
 */
import type { Run } from '@ferry/core';

export interface RunsSelection {
  readonly runs: readonly Run[];
  readonly selectedIds: readonly string[];
}

/**
 * The runs to compare: those selected, or, when `clicked` (the row a context
 * menu opened on) is not among them, that run; one run of a sweep alone
 * stands for every point of its sweep. Fewer than two means nothing to compare.
 */
export function runsToCompare(model: RunsSelection, clicked?: string): string[] {
  const picked = clicked === undefined || model.selectedIds.includes(clicked) ? [...model.selectedIds] : [clicked];
  if (picked.length !== 1) return picked;
  const sweepId = model.runs.find((run) => run.id === picked[0])?.sweepId;
  if (sweepId === undefined) return picked;
  return model.runs
    .filter((run) => run.sweepId === sweepId)
    .sort((a, b) => (a.sweepIndex ?? 0) - (b.sweepIndex ?? 0))
    .map((run) => run.id);
}

/** How many runs a tab names; the tooltip names them all. */
const SHOWN_IDS = 3;
/** A run's id in a tab: its last six characters, as the metrics tabs show it. */
const shortId = (id: string) => id.slice(-6);

/** The compare tab's label (the pipeline and the runs) and its tooltip (every run in full). */
export function compareTitle(runIds: readonly string[], runOf: (id: string) => Run | undefined): { label: string; caption: string } {
  const pipelines = new Set(runIds.map((id) => runOf(id)?.pipeline).filter((name) => name !== undefined));
  const what = pipelines.size === 1 ? `${[...pipelines][0]} ` : '';
  const shown = runIds.slice(0, SHOWN_IDS).map(shortId).join(', ');
  const more = runIds.length > SHOWN_IDS ? ` +${runIds.length - SHOWN_IDS}` : '';
  const lines = runIds.map((id) => {
    const run = runOf(id);
    const parameters = run ? Object.entries(run.parameters).map(([name, value]) => `${name}=${JSON.stringify(value)}`).join(', ') : '';
    return parameters ? `${id} (${parameters})` : id;
  });
  return { label: `Compare ${what}${shown}${more}`, caption: `Compare ${runIds.length} runs:\n${lines.join('\n')}` };
}
