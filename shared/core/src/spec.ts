/**
 * The compiled pipeline: pure, serializable data shared by the compiler, the
 * targets, the Python step runtime (which reads spec.json) and every client.
 * Bump SPEC_VERSION on any incompatible change; readers reject other versions.
 */

export const SPEC_VERSION = 1;

export type JsonValue =
  | null
  | boolean
  | number
  | string
  | JsonValue[]
  | { [key: string]: JsonValue };

/** Python types a parameter can have, named as Python names them. */
export type ParamType = 'int' | 'float' | 'str' | 'bool' | 'list' | 'dict' | 'None';

export interface ParameterSpec {
  name: string;
  type: ParamType;
  default: JsonValue;
  /** From the trailing `# comment` on the assignment line. */
  help?: string;
  /** Index of the parameters cell in the notebook, and 1-based line in it. */
  cell: number;
  line: number;
}

/** One notebook code cell as it goes into a step. */
export interface CellSource {
  /** Index in the notebook's `cells` array (markdown cells count). */
  cell: number;
  source: string;
}

/** A value a step loads before it runs, saved by the upstream step `from`. */
export interface StepInput {
  name: string;
  from: string;
}

/** Normalized resource vocabulary; every target maps it to its own terms. */
export interface Resources {
  gpus?: number;
  cpus?: number;
  memoryMiB?: number;
  timeMinutes?: number;
}

export interface StepSpec {
  name: string;
  cells: CellSource[];
  /** Steps that must succeed first. */
  dependsOn: string[];
  inputs: StepInput[];
  /** Names this step saves because a downstream step uses them. */
  outputs: string[];
  /** `pipeline-metrics` variables recorded when this step ends. */
  metrics: string[];
  resources: Resources;
  /** Kale `label:` / `annotation:` tags, kept for targets that use them. */
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
}

export interface PipelineSpec {
  specVersion: typeof SPEC_VERSION;
  /** Pipeline name: the notebook's file name without `.ipynb`. */
  name: string;
  /** The notebook's file name as given to the compiler. */
  notebook: string;
  /** `imports` and `functions` cells, prepended to every step. */
  prelude: CellSource[];
  parameters: ParameterSpec[];
  /** Steps in a topological order (dependencies first, notebook order otherwise). */
  steps: StepSpec[];
}

/** How a step's cells are executed by the Python runtime. */
export type StepMode = 'script' | 'notebook';
