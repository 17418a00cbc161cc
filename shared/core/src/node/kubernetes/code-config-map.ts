/**
 * The ConfigMap a run's pods mount read-only at /ferry/code: the step runtime
 * under its own file names, and the run's staged files under flat keys `f0`,
 * `f1`, ... (ConfigMap keys cannot hold `/`), listed in `files.json` with
 * the path each has in the run directory. `ferry_runtime.py --stage-from`
 * copies them onto the artifacts volume before the step runs.
 *
 * A sweep has one ConfigMap for all its points: a file the points share
 * (spec.json) is stored once, and `points.json` lists, by completion index,
 * each point's run id and files in the same form as files.json.
 */
import type { V1ConfigMap } from '@kubernetes/client-node';
import { FerryError } from '../../errors.js';
import type { RunWithSpec } from '../../run.js';
import type { Sweep } from '../../sweeps/sweep.js';
import type { KubernetesTargetConfig } from '../config.js';
import { runFiles, type StagedFile } from '../targets/staged-files.js';
import { ferryLabels } from './labels.js';
import { codeConfigMapName } from './object-names.js';
import { RUNTIME_FILE_NAME, type RuntimeFiles } from './runtime-files.js';

export const FILES_LIST_KEY = 'files.json';
export const POINTS_LIST_KEY = 'points.json';

/** What the API server accepts in a ConfigMap's data, keys included. */
export const CONFIG_MAP_LIMIT = 1024 * 1024;
/** Kept free of files, so the whole object with its metadata stays well within what etcd stores. */
const METADATA_ROOM = 16 * 1024;

/** What a ConfigMap needs of a run: its id and what `stage` writes. */
export type StagedRun = Pick<RunWithSpec, 'id' | 'spec' | 'parameters'>;

/** One entry of points.json. */
export interface SweepPointFiles {
  runId: string;
  /** Key → path in the run directory, as in files.json. */
  files: Record<string, string>;
}

export function runConfigMap(run: StagedRun, runtime: RuntimeFiles, config: KubernetesTargetConfig, targetName: string): V1ConfigMap {
  const keys = new ContentKeys();
  const files = keys.add(runFiles(run), (path) => path);
  const data = { ...runtimeData(runtime), ...keys.data, [FILES_LIST_KEY]: jsonText(files) };
  checkSize(data, { ...keys.labels, [FILES_LIST_KEY]: FILES_LIST_KEY }, `the files of run ${run.id}`);
  return codeConfigMap(run.id, ferryLabels({ run: run.id }, targetName, 'code'), config, data);
}

/** Points in completion-index order: index i of the sweep's Jobs runs `points[i]`. */
export function sweepConfigMap(sweep: Pick<Sweep, 'id'>, points: readonly StagedRun[], runtime: RuntimeFiles, config: KubernetesTargetConfig, targetName: string): V1ConfigMap {
  if (points.length === 0) throw new FerryError('internal', `sweep ${sweep.id} has no points to stage`);
  const keys = new ContentKeys();
  const list = points.map((point): SweepPointFiles => ({ runId: point.id, files: keys.add(runFiles(point), (path) => `${path} of ${point.id}`) }));
  const data = { ...runtimeData(runtime), ...keys.data, [POINTS_LIST_KEY]: jsonText(list) };
  checkSize(data, { ...keys.labels, [POINTS_LIST_KEY]: POINTS_LIST_KEY }, `the files of sweep ${sweep.id} (${points.length} points)`);
  return codeConfigMap(sweep.id, ferryLabels({ sweep: sweep.id }, targetName, 'code'), config, data);
}

/** The immutable ConfigMap of a run's or a sweep's code, named after its owner. */
function codeConfigMap(ownerId: string, labels: Record<string, string>, config: KubernetesTargetConfig, data: Record<string, string>): V1ConfigMap {
  return {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: { name: codeConfigMapName(ownerId), namespace: config.namespace, labels },
    immutable: true,
    data,
  };
}

/** Flat keys for file contents, one per distinct content, with what each holds for messages. */
class ContentKeys {
  readonly data: Record<string, string> = {};
  readonly labels: Record<string, string> = {};
  private readonly byText = new Map<string, string>();

  /** The files' key → path list; `label` says in messages what a file is. */
  add(files: readonly StagedFile[], label: (path: string) => string): Record<string, string> {
    const list: Record<string, string> = {};
    for (const file of files) {
      let key = this.byText.get(file.text);
      if (key === undefined) {
        key = `f${this.byText.size}`;
        this.byText.set(file.text, key);
        this.data[key] = file.text;
        this.labels[key] = label(file.path);
      } else {
        this.labels[key] = `${file.path} (shared)`;
      }
      list[key] = file.path;
    }
    return list;
  }
}

function runtimeData(runtime: RuntimeFiles): Record<string, string> {
  if (runtime[RUNTIME_FILE_NAME] === undefined) throw new FerryError('internal', `the step runtime files lack ${RUNTIME_FILE_NAME}`);
  const bad = Object.keys(runtime).find((name) => !/^[A-Za-z0-9_][A-Za-z0-9_.-]*\.py$/.test(name) || /^f\d+$/.test(name));
  if (bad !== undefined) throw new FerryError('internal', `not a runtime file name for a ConfigMap key: ${JSON.stringify(bad)}`);
  return { ...runtime };
}

function jsonText(value: unknown): string {
  return JSON.stringify(value, null, 2) + '\n';
}

/** Refuses data a ConfigMap cannot hold, saying how much there is and which files take the most. */
function checkSize(data: Record<string, string>, labels: Record<string, string>, what: string): void {
  const sizes = Object.entries(data).map(([key, text]) => ({ label: labels[key] ?? key, bytes: Buffer.byteLength(key) + Buffer.byteLength(text) }));
  const total = sizes.reduce((sum, entry) => sum + entry.bytes, 0);
  const budget = CONFIG_MAP_LIMIT - METADATA_ROOM;
  if (total <= budget) return;
  const largest = sizes.sort((a, b) => b.bytes - a.bytes).slice(0, 3).map((entry) => `${entry.label} (${formatSize(entry.bytes)})`);
  throw new FerryError(
    'target',
    `${what} take ${formatSize(total)}, more than the ${formatSize(budget)} a Kubernetes ConfigMap can carry ` +
      `(${formatSize(CONFIG_MAP_LIMIT)}, less room for its metadata); the largest: ${largest.join(', ')}. ` +
      'Large literals in the notebook\'s cells or parameter values make spec.json and params.json large: read such data from files instead',
  );
}

export function formatSize(bytes: number): string {
  if (bytes < 1024) return `${bytes} bytes`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KiB`;
  return `${(bytes / (1024 * 1024)).toFixed(2)} MiB`;
}
