/**
 * The files of a run directory that say what to run (docs/run-directory.md):
 * the compiled pipeline and the run's parameter values. Every target stages
 * these same files, whatever carries them there: a local write, a tar stream
 * to a cluster, a ConfigMap the pods copy them from.
 */
import type { RunWithSpec } from '../../run.js';

export interface StagedFile {
  /** Relative to the run directory. */
  path: string;
  text: string;
}

export function runFiles(run: Pick<RunWithSpec, 'spec' | 'parameters'>): StagedFile[] {
  return [
    { path: 'spec.json', text: JSON.stringify(run.spec, null, 2) + '\n' },
    { path: 'params.json', text: JSON.stringify(run.parameters, null, 2) + '\n' },
  ];
}
