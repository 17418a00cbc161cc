/**
 * The HTTP API between Ferry's per-user server and every client (CLI, VS Code,
 * JupyterLab). Paths, request and response bodies live here so both sides are
 * typed by the same declarations.
 *
 * Every request carries `Authorization: Bearer <token>`. Errors come back as
 * `{ "error": FerryErrorJson }` with the HTTP status of their category.
 * Live data comes as server-sent events; see the `*Event` types.
 */
import type { FerryErrorJson } from '../errors.js';
import type { MetricPoint, MetricSeries, Run, RunWithSpec } from '../run.js';
import type { JsonValue, PipelineSpec, StepMode } from '../spec.js';
import type { Sweep, SweepAxis } from '../sweeps/sweep.js';

export * from './compare-contract.js';

export const API_VERSION = 1;

export interface HealthResponse {
  ok: true;
  apiVersion: number;
  version: string;
  pid: number;
}

export interface TargetInfo {
  name: string;
  type: 'local' | 'slurm' | 'kubernetes';
  /** One line a user can read, e.g. "this machine, 4 steps at once". */
  description: string;
}

/** One thing `ferry targets test` checked, and what to do when it failed. */
export interface TargetCheck {
  name: string;
  ok: boolean;
  /** What was seen: a version, an error message. */
  detail: string;
  /** How to fix it, when it failed. */
  fix?: string;
  /** A failed optional check limits a feature (e.g. notebook mode) but runs still work. */
  optional?: boolean;
}

export interface TargetTestResponse {
  target: string;
  /** Every required check passed. */
  ok: boolean;
  checks: TargetCheck[];
}

export interface CompileRequest {
  /** Absolute path of a notebook on the server's machine... */
  notebookPath?: string;
  /** ...or the notebook itself (nbformat JSON), as an IDE holds it unsaved. */
  notebook?: JsonValue;
  /** Names the notebook in errors and the spec when `notebook` is given. */
  fileName?: string;
}

export interface CompileResponse {
  spec: PipelineSpec;
}

export interface SubmitRequest {
  /** Absolute path of the notebook on the server's machine. */
  notebookPath: string;
  /** Target name; `local` when absent. */
  target?: string;
  mode?: StepMode;
  /** Typed values, validated against the parameters' types. */
  parameters?: Record<string, JsonValue>;
  /** Values as typed on a command line (`-p epochs=10`), converted by type. */
  parameterStrings?: Record<string, string>;
}

/**
 * `POST /api/sweeps`: the pipeline once per point of a grid (the product of
 * the axes) or of a random sample (`sample`). Fixed values of the other
 * parameters come as in SubmitRequest. Every value is checked against the
 * parameters' types before anything is staged.
 */
export interface SweepSubmitRequest extends SubmitRequest {
  /** Typed axes... */
  axes?: SweepAxis[];
  /** ...or as typed after `--sweep`: `lr=0.1,0.01`, `lr=1e-4..1e-1:log`, `epochs=10..50:5` (docs/sweeps.md). */
  axisStrings?: string[];
  /** Random points to draw over the axes instead of the full grid. */
  sample?: number;
  /** Seed of the sample; a random one is chosen (and returned) when absent. */
  seed?: number;
  /** Points that may run at once. */
  maxParallel?: number;
}

/** A sweep and its points, in index order. */
export interface SweepResponse {
  sweep: Sweep;
  runs: Run[];
}

export interface SweepListResponse {
  sweeps: Sweep[];
}

export interface RunListResponse {
  runs: Run[];
}

export interface RunResponse {
  run: RunWithSpec;
}

/** A byte range of a step's log. `data` is UTF-8 text cut at a character boundary. */
export interface LogChunk {
  offset: number;
  /** Where the next read starts: offset + bytes of data. */
  nextOffset: number;
  /** Size of the whole log when read. */
  size: number;
  data: string;
}

/**
 * `GET /api/runs/:id/steps/:step/notebook`: a notebook-mode step's executed
 * notebook, nbformat 4 JSON exactly as the step runtime saved it
 * (content-type `application/x-ipynb+json`), read from the run's target.
 */
export interface ExecutedNotebook {
  nbformat: 4;
  nbformat_minor: number;
  metadata: { [key: string]: JsonValue };
  cells: Array<{
    cell_type: 'code' | 'markdown' | 'raw';
    source: string | string[];
    metadata: { [key: string]: JsonValue };
    /** Code cells: what running them printed, displayed or raised. */
    outputs?: Array<{ output_type: string; [key: string]: JsonValue }>;
    execution_count?: number | null;
    id?: string;
  }>;
}

export interface MetricsResponse {
  series: MetricSeries[];
}

export interface ErrorResponse {
  error: FerryErrorJson;
}

/** `GET /api/events`: every change of any run. */
export interface RunChangedEvent {
  run: Run;
}

/** `GET /api/runs/:id/steps/:step/log/events`: new bytes of one step's log. */
export type LogStreamEvent =
  | { type: 'log'; chunk: LogChunk }
  | { type: 'end'; state: string };

/** `GET /api/runs/:id/metrics/events`: new points of a run's metrics. */
export type MetricsStreamEvent =
  | { type: 'metrics'; stepName: string; name: string; points: MetricPoint[] }
  | { type: 'end'; state: string };

/**
 * A question a target needs a person to answer before it can go on: an SSH
 * server's keyboard-interactive prompts (passwords, MFA codes), a host key
 * seen for the first time, a key's passphrase. Every client shows the ones
 * pending; the first answer wins.
 */
export type PromptRequest =
  | {
      id: string;
      kind: 'keyboard-interactive';
      target: string;
      name: string;
      instructions: string;
      prompts: Array<{ prompt: string; echo: boolean }>;
    }
  | { id: string; kind: 'unknown-host-key'; target: string; host: string; port: number; keyType: string; fingerprint: string }
  | { id: string; kind: 'passphrase'; target: string; keyFile: string };

/** `POST /api/prompts/:id`: the answer, by kind; `cancel` declines any prompt. */
export type PromptAnswer =
  | { answers: string[] }
  | { accept: boolean }
  | { passphrase: string }
  | { cancel: true };

/** `GET /api/prompts/events`: the pending prompts first, then each new one and each settled one. */
export type PromptEvent = { type: 'prompt'; prompt: PromptRequest } | { type: 'settled'; id: string };

/** Paths, built in one place so clients and the server agree. */
export const apiPaths = {
  health: () => '/api/health',
  targets: () => '/api/targets',
  testTarget: (name: string) => `/api/targets/${encodeURIComponent(name)}/test`,
  compile: () => '/api/compile',
  runs: () => '/api/runs',
  run: (id: string) => `/api/runs/${encodeURIComponent(id)}`,
  cancel: (id: string) => `/api/runs/${encodeURIComponent(id)}/cancel`,
  sweeps: () => '/api/sweeps',
  sweep: (id: string) => `/api/sweeps/${encodeURIComponent(id)}`,
  cancelSweep: (id: string) => `/api/sweeps/${encodeURIComponent(id)}/cancel`,
  log: (id: string, step: string) =>
    `/api/runs/${encodeURIComponent(id)}/steps/${encodeURIComponent(step)}/log`,
  logEvents: (id: string, step: string) =>
    `/api/runs/${encodeURIComponent(id)}/steps/${encodeURIComponent(step)}/log/events`,
  executedNotebook: (id: string, step: string) =>
    `/api/runs/${encodeURIComponent(id)}/steps/${encodeURIComponent(step)}/notebook`,
  metrics: (id: string) => `/api/runs/${encodeURIComponent(id)}/metrics`,
  metricsEvents: (id: string) => `/api/runs/${encodeURIComponent(id)}/metrics/events`,
  events: () => '/api/events',
  compare: () => '/api/compare',
  compareHistory: () => '/api/compare/history',
  compareEvents: () => '/api/compare/events',
  promptEvents: () => '/api/prompts/events',
  prompt: (id: string) => `/api/prompts/${encodeURIComponent(id)}`,
} as const;
