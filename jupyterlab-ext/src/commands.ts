/** Command ids, in one place so plugins can call each other's commands by id. */
export const CommandIDs = {
  runOnCluster: 'ferry:run-on-cluster',
  editCellTags: 'ferry:edit-cell-tags',
  openLog: 'ferry:open-log',
  openMetrics: 'ferry:open-metrics',
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
