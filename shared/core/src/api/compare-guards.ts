/**
 * Shape checks of the comparison API's answers, for a receiver that must
 * not trust them: a view gets them from its host through a message channel
 * (webview-protocol.ts). Numbers that may be NaN arrive as `null` (JSON has
 * no NaN), so reduced values and history values accept `null`.
 */
import type { CompareResponse, ComparedRun, HistoryResponse, HistorySeries, MetricColumn, ReducedMetric } from './compare-contract.js';
import { METRIC_REDUCERS } from './compare-contract.js';

type Fields = Record<string, unknown>;

const isObject = (value: unknown): value is Fields => typeof value === 'object' && value !== null && !Array.isArray(value);
const isString = (value: unknown): value is string => typeof value === 'string';
const isNumber = (value: unknown): value is number => typeof value === 'number';
const isFinite = (value: unknown): value is number => typeof value === 'number' && Number.isFinite(value);
const isCount = (value: unknown): value is number => Number.isSafeInteger(value) && (value as number) >= 0;
const isNumberOrNull = (value: unknown): value is number | null => value === null || isNumber(value);
const optional = (value: unknown, check: (v: unknown) => boolean): boolean => value === undefined || check(value);
const isArrayOf = (value: unknown, item: (v: unknown) => boolean): value is unknown[] => Array.isArray(value) && value.every(item);

/**
 * Arrays of numbers, checked in a plain loop: a history carries millions of
 * them, and a callback per item (`every`) costs several times as much.
 */
export function isFiniteNumbers(value: unknown): value is number[] {
  if (!Array.isArray(value)) return false;
  for (let i = 0; i < value.length; i++) {
    const item: unknown = value[i];
    if (typeof item !== 'number' || !Number.isFinite(item)) return false;
  }
  return true;
}

/** As isFiniteNumbers, with NaN and ±Infinity allowed, and null (JSON's NaN). */
export function isNullableNumbers(value: unknown): value is Array<number | null> {
  if (!Array.isArray(value)) return false;
  for (let i = 0; i < value.length; i++) {
    const item: unknown = value[i];
    if (item !== null && typeof item !== 'number') return false;
  }
  return true;
}

function isJson(value: unknown): boolean {
  if (value === null || typeof value === 'boolean' || typeof value === 'string') return true;
  if (typeof value === 'number') return Number.isFinite(value);
  if (Array.isArray(value)) return value.every(isJson);
  return isObject(value) && Object.values(value).every(isJson);
}

function isReducedMetric(value: unknown): value is ReducedMetric {
  return (
    isObject(value) &&
    isString(value.stepName) &&
    isString(value.name) &&
    isCount(value.count) &&
    isNumberOrNull(value.last) &&
    isNumberOrNull(value.lastStep) &&
    optional(value.min, isNumberOrNull) &&
    optional(value.max, isNumberOrNull) &&
    optional(value.mean, isNumberOrNull)
  );
}

function isJobFacts(value: unknown): boolean {
  return (
    isObject(value) &&
    isString(value.target) &&
    isString(value.state) &&
    isObject(value.jobIds) &&
    Object.values(value.jobIds).every(isString) &&
    optional(value.gpus, isFinite) &&
    optional(value.exitCode, isFinite) &&
    optional(value.failedStep, isString) &&
    optional(value.failureReason, isString) &&
    optional(value.oom, (v) => typeof v === 'boolean') &&
    optional(value.queueWaitSeconds, isFinite) &&
    optional(value.durationSeconds, isFinite) &&
    optional(value.node, isString) &&
    optional(value.retries, isFinite)
  );
}

function isComparedRun(value: unknown): value is ComparedRun {
  return (
    isObject(value) &&
    isString(value.id) &&
    isString(value.pipeline) &&
    isString(value.createdAt) &&
    optional(value.sweepId, isString) &&
    optional(value.sweepIndex, isFinite) &&
    isObject(value.parameters) &&
    Object.values(value.parameters).every(isJson) &&
    isArrayOf(value.metrics, isReducedMetric) &&
    isJobFacts(value.job)
  );
}

function isMetricColumn(value: unknown): value is MetricColumn {
  return (
    isObject(value) &&
    isString(value.name) &&
    optional(value.goal, (v) => v === 'lower' || v === 'higher') &&
    METRIC_REDUCERS.includes(value.reducer as MetricColumn['reducer'])
  );
}

export function isCompareResponse(value: unknown): value is CompareResponse {
  return (
    isObject(value) &&
    isArrayOf(value.runs, isComparedRun) &&
    isArrayOf(value.parameters, isString) &&
    isArrayOf(value.differingParameters, isString) &&
    isArrayOf(value.metrics, isMetricColumn) &&
    isArrayOf(value.unrecorded, isString)
  );
}

function isHistorySeries(value: unknown): value is HistorySeries {
  return (
    isObject(value) &&
    isString(value.runId) &&
    isString(value.stepName) &&
    isString(value.name) &&
    isCount(value.count) &&
    typeof value.complete === 'boolean' &&
    isFiniteNumbers(value.step) &&
    isFiniteNumbers(value.time) &&
    isNullableNumbers(value.value) &&
    value.step.length === value.value.length &&
    value.time.length === value.value.length
  );
}

export function isHistoryResponse(value: unknown): value is HistoryResponse {
  return (
    isObject(value) &&
    (value.x === 'step' || value.x === 'time') &&
    optional(value.x0, isFinite) &&
    optional(value.x1, isFinite) &&
    isCount(value.width) &&
    isArrayOf(value.series, isHistorySeries)
  );
}
