/**
 * What every exported pipeline shares, whatever the platform: the options
 * (checked here, so both formats refuse the same things the same way), the
 * run directory on the shared volume, the stage task's files and the
 * command of a step pod.
 *
 * A run's directory is `<mountPath>/runs/<run id>` on one
 * PersistentVolumeClaim mounted into every pod. The stage task writes it
 * first; each step pod then runs `python3 ferry_runtime.py --run-dir DIR
 * --step NAME --mode MODE` from it, as on Slurm, and the values passed
 * between steps are files under `artifacts/` in it.
 */
import { FerryError } from '../errors.js';
import type { JsonValue, PipelineSpec, StepMode } from '../spec.js';
import type { ExportedFile } from './stage.js';

export type ExportFormat = 'kfp' | 'argo';
export const EXPORT_FORMATS: readonly ExportFormat[] = ['kfp', 'argo'];

export const DEFAULT_CLAIM_NAME = 'ferry-runs';
export const DEFAULT_MOUNT_PATH = '/ferry';
export const RUNTIME_FILE = 'ferry_runtime.py';
/** The task that writes the run directory; no step gets this name. */
export const STAGE_TASK = 'ferry-stage';

export interface ExportOptions {
  /** The container image of every pod: Python ≥ 3.8 with the notebook's packages. */
  image: string;
  /** The PersistentVolumeClaim that holds the run directories (default `ferry-runs`). */
  claimName?: string;
  /** Where pods mount it (default `/ferry`). */
  mountPath?: string;
  mode?: StepMode;
  /** ferry_runtime.py and the modules it loads from its directory, staged into every run directory. */
  runtime: readonly ExportedFile[];
}

export type ResolvedExportOptions = Required<ExportOptions>;

const IMAGE = /^[^\s\p{Cc}]{1,1024}$/u;
const MOUNT_PATH = /^(\/[A-Za-z0-9_.-]+)+$/;

export function resolveExportOptions(options: ExportOptions): ResolvedExportOptions {
  const refuse = (field: string, message: string): never => {
    throw new FerryError('request', message, { field });
  };
  const resolved: ResolvedExportOptions = {
    image: options.image,
    claimName: options.claimName ?? DEFAULT_CLAIM_NAME,
    mountPath: options.mountPath ?? DEFAULT_MOUNT_PATH,
    mode: options.mode ?? 'script',
    runtime: options.runtime,
  };
  if (!IMAGE.test(resolved.image)) {
    refuse('image', `the image must be a container image reference such as python:3.12 or registry.example.org/team/ml:1.4, got ${JSON.stringify(resolved.image)}`);
  }
  if (!isClaimName(resolved.claimName)) {
    refuse('claimName', `"${resolved.claimName}" is not a PersistentVolumeClaim name (lowercase letters, digits, "-" and ".", starting and ending with a letter or digit)`);
  }
  if (!MOUNT_PATH.test(resolved.mountPath) || resolved.mountPath.split('/').some((part) => part === '.' || part === '..')) {
    refuse('mountPath', `the mount path must be an absolute path of plain names, got "${resolved.mountPath}"`);
  }
  if (resolved.mode !== 'script' && resolved.mode !== 'notebook') refuse('mode', `the mode must be script or notebook, got "${String(resolved.mode)}"`);
  if (!resolved.runtime.some((file) => file.name === RUNTIME_FILE)) throw new FerryError('internal', `the files to stage lack ${RUNTIME_FILE}`);
  return resolved;
}

function isClaimName(name: string): boolean {
  return name.length <= 253 && /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/.test(name);
}

/** The run directory of the run whose id the platform puts in place of `runId`. */
export const runDirectory = (options: ResolvedExportOptions, runId: string) => `${options.mountPath}/runs/${runId}`;

/** Everything the stage task writes except params.json, which it makes from the run's parameter values. */
export function stagedFiles(spec: PipelineSpec, options: ResolvedExportOptions): ExportedFile[] {
  // As the local and Slurm targets write spec.json.
  return [{ name: 'spec.json', text: JSON.stringify(spec, null, 2) + '\n' }, ...options.runtime];
}

/** A step pod's command: the step runtime from the run directory, no shell. */
export function stepCommand(options: ResolvedExportOptions, runDir: string, step: string): { command: string[]; args: string[] } {
  return {
    command: ['python3'],
    args: [`${runDir}/${RUNTIME_FILE}`, '--run-dir', runDir, '--step', step, '--mode', options.mode],
  };
}

/** The parameter text of a default, as `ferry run -p` and the stage task read it back. */
export function parameterText(value: JsonValue): string {
  if (value === null) return 'None';
  return typeof value === 'string' ? value : JSON.stringify(value);
}

/** "a notebook.ipynb" from whatever path the spec was compiled from. */
export const notebookFileName = (spec: PipelineSpec) => spec.notebook.split(/[\\/]/).pop() || spec.notebook;
