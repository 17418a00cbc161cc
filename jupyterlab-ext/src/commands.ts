/** Command ids, in one place so plugins can call each other's commands by id. */
export const CommandIDs = {
  runOnCluster: 'ferry:run-on-cluster',
  editCellTags: 'ferry:edit-cell-tags',
  openLog: 'ferry:open-log',
  openMetrics: 'ferry:open-metrics',
  compareRuns: 'ferry:compare-runs',
  openExecutedNotebook: 'ferry:open-executed-notebook',
  cancelRun: 'ferry:cancel-run',
  rerun: 'ferry:rerun',
  rerunEdited: 'ferry:rerun-edited',
  showRuns: 'ferry:show-runs',
} as const;

/** Arguments of the run-level and step-level commands. */
export interface RunArgs {
  runId: string;
  step?: string;
}

export function runArgs(args: Record<string, unknown>): RunArgs {
  const runId = args.runId;
  if (typeof runId !== 'string' || runId === '') throw new Error('this command needs a runId');
  const step = typeof args.step === 'string' ? args.step : undefined;
  return step === undefined ? { runId } : { runId, step };
}

/** The runs named by a command's `runIds` argument, when it has one. */
export function runIdsArg(args: Record<string, unknown>): string[] | undefined {
  const ids = args.runIds;
  if (ids === undefined) return undefined;
  if (!Array.isArray(ids) || !ids.every((id) => typeof id === 'string' && id !== '')) throw new Error('runIds must be a list of run ids');
  return [...new Set(ids as string[])];
}
