/**
 * The one message protocol between an IDE (the host: a VS Code extension, a
 * JupyterLab plugin) and Ferry's views (log, metrics, parameter form,
 * compare runs) from
 * @ferry/ui, whether they run in a webview or in the same page.
 *
 * Handshake: the view posts `ready` once it listens; the host posts nothing
 * before that, then answers with the view's `*\/init` message and streams
 * updates. The host owns the state (which run, which step, the data); the
 * view projects it and sends intents back (`log/loadEarlier`, `parameters/submit`,
 * `compare/history`, `compare/openLog`).
 *
 * Messages cross a trust boundary (a webview can be scripted by what it
 * shows), so each side checks what it receives with the guards below.
 */
import type { MetricPoint, MetricSeries } from '../run.js';
import type { JsonValue, ParameterSpec, ParamType } from '../spec.js';
import type { LogChunk } from './contract.js';
import type { CompareResponse, HistoryAxis, HistoryResponse } from './compare-contract.js';
import { isCompareResponse, isFiniteNumbers, isHistoryResponse, isNullableNumbers } from './compare-guards.js';

/** Bumped on any incompatible change; a host answers a `ready` of another version with an `error`. */
export const WEBVIEW_PROTOCOL_VERSION = 1;

export type WebviewKind = 'log' | 'metrics' | 'parameters' | 'compare';
const WEBVIEW_KINDS: readonly WebviewKind[] = ['log', 'metrics', 'parameters', 'compare'];

/** One run's curves in a metrics view; several runs overlay (compare runs). */
export interface MetricsRun {
  runId: string;
  /** How the legend names the run, e.g. "run 12 (lr=0.1)". */
  label: string;
  series: MetricSeries[];
}

// ---- host → view ----------------------------------------------------------

/** The tail of the log first; `chunk.offset > 0` means earlier bytes can be paged in. */
export interface LogInitMessage {
  type: 'log/init';
  runId: string;
  step: string;
  chunk: LogChunk;
  /** The step has ended: no `log/append` will follow. */
  finished: boolean;
}

/** New bytes at the end; `chunk.offset` is where the previous chunk ended. */
export interface LogAppendMessage {
  type: 'log/append';
  chunk: LogChunk;
}

/** An earlier page answering `log/loadEarlier`: `chunk.nextOffset` is the `before` asked for. */
export interface LogPageMessage {
  type: 'log/page';
  chunk: LogChunk;
}

export interface LogEndMessage {
  type: 'log/end';
  /** The step's final state, e.g. `succeeded`. */
  state: string;
}

export interface MetricsInitMessage {
  type: 'metrics/init';
  runs: MetricsRun[];
  /** What the x axis shows; `step` when absent. */
  x?: 'step' | 'time';
}

/** New points of one series (the shape of the server's metrics stream, plus the run). */
export interface MetricsAppendMessage {
  type: 'metrics/append';
  runId: string;
  stepName: string;
  name: string;
  points: MetricPoint[];
}

export interface MetricsEndMessage {
  type: 'metrics/end';
  runId: string;
  state: string;
}

export interface ParametersInitMessage {
  type: 'parameters/init';
  pipeline: string;
  parameters: ParameterSpec[];
  /** Values to start from instead of the defaults (re-run with edited parameters). */
  values?: Record<string, JsonValue>;
  /** Parameters that accept several values (a sweep); none when absent. */
  sweepable?: string[];
  /** The submit button's text, e.g. "Run on slurm-a". */
  submitLabel?: string;
}

/** The host (or the server) refused a submission; per-parameter messages where known. */
export interface ParametersRejectedMessage {
  type: 'parameters/rejected';
  message: string;
  errors?: Record<string, string>;
}

/** The runs to compare (the API's `CompareResponse`): the view starts over (no zoom, default sort). */
export interface CompareInitMessage {
  type: 'compare/init';
  compare: CompareResponse;
}

/** The same runs compared again (a run ended): the view keeps its zoom, sort and choices. */
export interface CompareTableMessage {
  type: 'compare/table';
  compare: CompareResponse;
}

/** Answers the view's `compare/history` with the same `request` number (older answers are stale). */
export interface CompareHistoryAnswerMessage {
  type: 'compare/history';
  request: number;
  history: HistoryResponse;
}

/**
 * Points appended to one series after the history was read (the API's
 * `points` stream event): `from` is the series' point count before them.
 */
export interface ComparePointsMessage {
  type: 'compare/points';
  runId: string;
  stepName: string;
  name: string;
  from: number;
  step: number[];
  time: number[];
  value: Array<number | null>;
}

/** A compared run changed state (e.g. ended). */
export interface CompareRunMessage {
  type: 'compare/run';
  runId: string;
  state: string;
}

/** Something failed on the host's side (server unreachable, run gone); the view shows it in place. */
export interface HostErrorMessage {
  type: 'error';
  message: string;
}

export type LogHostMessage = LogInitMessage | LogAppendMessage | LogPageMessage | LogEndMessage | HostErrorMessage;
export type MetricsHostMessage = MetricsInitMessage | MetricsAppendMessage | MetricsEndMessage | HostErrorMessage;
export type ParametersHostMessage = ParametersInitMessage | ParametersRejectedMessage | HostErrorMessage;
export type CompareHostMessage =
  | CompareInitMessage
  | CompareTableMessage
  | CompareHistoryAnswerMessage
  | ComparePointsMessage
  | CompareRunMessage
  | HostErrorMessage;
export type HostToViewMessage = LogHostMessage | MetricsHostMessage | ParametersHostMessage | CompareHostMessage;

// ---- view → host ----------------------------------------------------------

export interface ReadyMessage {
  type: 'ready';
  view: WebviewKind;
  protocol: number;
}

/** Asks for the page of the log that ends at byte `before` (the first byte the view holds). */
export interface LogLoadEarlierMessage {
  type: 'log/loadEarlier';
  before: number;
}

export interface ParametersSubmitMessage {
  type: 'parameters/submit';
  /** One typed value per parameter (for a swept one, its first value). */
  values: Record<string, JsonValue>;
  /** Swept parameters and all their values, typed; empty when nothing is swept. */
  sweep: Record<string, JsonValue[]>;
}

export interface ParametersCancelMessage {
  type: 'parameters/cancel';
}

/**
 * Asks for the histories of `metrics` for a chart `width` pixels wide, over
 * [x0, x1] when zoomed (the API's `HistoryRequest` for the compared runs);
 * the host answers with `compare/history` carrying the same `request`.
 */
export interface CompareHistoryRequestMessage {
  type: 'compare/history';
  request: number;
  metrics: string[];
  width: number;
  x: HistoryAxis;
  x0?: number;
  x1?: number;
}

/** The user clicked a point of a compared run's curve: open the log of the step (`stepName`) that logged it. */
export interface CompareOpenLogMessage {
  type: 'compare/openLog';
  runId: string;
  step: string;
}

export type ViewToHostMessage =
  | ReadyMessage
  | LogLoadEarlierMessage
  | ParametersSubmitMessage
  | ParametersCancelMessage
  | CompareHistoryRequestMessage
  | CompareOpenLogMessage;

// ---- guards ---------------------------------------------------------------

type Record_ = Record<string, unknown>;

const isObject = (value: unknown): value is Record_ =>
  typeof value === 'object' && value !== null && !Array.isArray(value);
const isString = (value: unknown): value is string => typeof value === 'string';
const isOffset = (value: unknown): value is number => Number.isSafeInteger(value) && (value as number) >= 0;
const isFiniteNumber = (value: unknown): value is number => typeof value === 'number' && Number.isFinite(value);
const isArrayOf = <T>(value: unknown, item: (v: unknown) => v is T): value is T[] => Array.isArray(value) && value.every(item);
const isRecordOf = <T>(value: unknown, item: (v: unknown) => v is T): value is Record<string, T> =>
  isObject(value) && Object.values(value).every(item);

const PARAM_TYPES: readonly ParamType[] = ['int', 'float', 'str', 'bool', 'list', 'dict', 'None'];

export function isJsonValue(value: unknown): value is JsonValue {
  if (value === null || typeof value === 'boolean' || typeof value === 'string') return true;
  if (typeof value === 'number') return Number.isFinite(value);
  if (Array.isArray(value)) return value.every(isJsonValue);
  return isObject(value) && Object.values(value).every(isJsonValue);
}

export function isLogChunk(value: unknown): value is LogChunk {
  return (
    isObject(value) &&
    isOffset(value.offset) &&
    isOffset(value.nextOffset) &&
    isOffset(value.size) &&
    isString(value.data) &&
    value.nextOffset >= value.offset
  );
}

/**
 * A metric value may be NaN or ±Infinity (a diverged loss), and JSON carries
 * NaN as null: views read a null value as NaN. Step and time must be numbers.
 */
function isMetricPoint(value: unknown): value is MetricPoint {
  return (
    isObject(value) &&
    isFiniteNumber(value.step) &&
    (typeof value.value === 'number' || value.value === null) &&
    isFiniteNumber(value.time)
  );
}

function isMetricSeries(value: unknown): value is MetricSeries {
  return isObject(value) && isString(value.stepName) && isString(value.name) && isArrayOf(value.points, isMetricPoint);
}

function isMetricsRun(value: unknown): value is MetricsRun {
  return isObject(value) && isString(value.runId) && isString(value.label) && isArrayOf(value.series, isMetricSeries);
}

function isParameterSpec(value: unknown): value is ParameterSpec {
  return (
    isObject(value) &&
    isString(value.name) &&
    PARAM_TYPES.includes(value.type as ParamType) &&
    isJsonValue(value.default) &&
    (value.help === undefined || isString(value.help)) &&
    Number.isSafeInteger(value.cell) &&
    Number.isSafeInteger(value.line)
  );
}

const optional = <T>(value: unknown, check: (v: unknown) => v is T): boolean => value === undefined || check(value);

const HOST_MESSAGE_CHECKS: { [K in HostToViewMessage['type']]: (m: Record_) => boolean } = {
  'log/init': (m) => isString(m.runId) && isString(m.step) && isLogChunk(m.chunk) && typeof m.finished === 'boolean',
  'log/append': (m) => isLogChunk(m.chunk),
  'log/page': (m) => isLogChunk(m.chunk),
  'log/end': (m) => isString(m.state),
  'metrics/init': (m) => isArrayOf(m.runs, isMetricsRun) && (m.x === undefined || m.x === 'step' || m.x === 'time'),
  'metrics/append': (m) =>
    isString(m.runId) && isString(m.stepName) && isString(m.name) && isArrayOf(m.points, isMetricPoint),
  'metrics/end': (m) => isString(m.runId) && isString(m.state),
  'parameters/init': (m) =>
    isString(m.pipeline) &&
    isArrayOf(m.parameters, isParameterSpec) &&
    optional(m.values, (v): v is Record<string, JsonValue> => isRecordOf(v, isJsonValue)) &&
    optional(m.sweepable, (v): v is string[] => isArrayOf(v, isString)) &&
    optional(m.submitLabel, isString),
  'parameters/rejected': (m) => isString(m.message) && optional(m.errors, (v): v is Record<string, string> => isRecordOf(v, isString)),
  'compare/init': (m) => isCompareResponse(m.compare),
  'compare/table': (m) => isCompareResponse(m.compare),
  'compare/history': (m) => Number.isSafeInteger(m.request) && isHistoryResponse(m.history),
  'compare/points': (m) =>
    isString(m.runId) &&
    isString(m.stepName) &&
    isString(m.name) &&
    isOffset(m.from) &&
    isFiniteNumbers(m.step) &&
    isFiniteNumbers(m.time) &&
    isNullableNumbers(m.value) &&
    m.step.length === m.value.length &&
    m.time.length === m.value.length,
  'compare/run': (m) => isString(m.runId) && isString(m.state),
  error: (m) => isString(m.message),
};

const VIEW_MESSAGE_CHECKS: { [K in ViewToHostMessage['type']]: (m: Record_) => boolean } = {
  ready: (m) => WEBVIEW_KINDS.includes(m.view as WebviewKind) && Number.isSafeInteger(m.protocol),
  'log/loadEarlier': (m) => isOffset(m.before),
  'parameters/submit': (m) =>
    isRecordOf(m.values, isJsonValue) && isRecordOf(m.sweep, (v): v is JsonValue[] => isArrayOf(v, isJsonValue)),
  'parameters/cancel': () => true,
  'compare/history': (m) =>
    Number.isSafeInteger(m.request) &&
    isArrayOf(m.metrics, isString) &&
    Number.isSafeInteger(m.width) &&
    (m.width as number) >= 1 &&
    (m.x === 'step' || m.x === 'time') &&
    optional(m.x0, isFiniteNumber) &&
    optional(m.x1, isFiniteNumber),
  'compare/openLog': (m) => isString(m.runId) && isString(m.step),
};

function checkWith(checks: Record<string, (m: Record_) => boolean>, value: unknown): boolean {
  if (!isObject(value) || !isString(value.type) || !Object.hasOwn(checks, value.type)) return false;
  return checks[value.type]!(value);
}

/** A message a view may act on: a known type with every field of the right type. */
export function isHostToViewMessage(value: unknown): value is HostToViewMessage {
  return checkWith(HOST_MESSAGE_CHECKS, value);
}

/** A message a host may act on: a known type with every field of the right type. */
export function isViewToHostMessage(value: unknown): value is ViewToHostMessage {
  return checkWith(VIEW_MESSAGE_CHECKS, value);
}
