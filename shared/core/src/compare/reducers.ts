/**
 * Reducing a metric series to one number for a table column, and guessing
 * from a metric's name whether lower or higher is better (loss → lower,
 * accuracy → higher) and so which reducer a column shows by default.
 */
import { FerryError } from '../errors.js';
import { METRIC_REDUCERS, type MetricColumn, type MetricGoal, type MetricReducer, type ReducedMetric } from '../api/compare-contract.js';
import type { HistoryPoint } from './downsample.js';

// Whole words of a metric name ("val_loss", "train/accuracy", "eval-f1", "top1Acc").
const LOWER_IS_BETTER = new Set([
  'loss', 'error', 'err', 'mse', 'mae', 'rmse', 'nll', 'perplexity', 'ppl', 'wer', 'cer', 'fid', 'regret', 'cost', 'distance', 'latency', 'divergence', 'kl',
]);
const HIGHER_IS_BETTER = new Set([
  'acc', 'accuracy', 'ap', 'top1', 'top5', 'f1', 'auc', 'auroc', 'roc', 'precision', 'recall', 'iou', 'miou', 'map', 'bleu', 'rouge', 'r2', 'dice', 'reward', 'return', 'score', 'ndcg', 'mrr', 'psnr', 'ssim', 'hit', 'hits',
]);

/** The words of a metric name: split at separators and camelCase humps, lower-cased. */
export function metricNameWords(name: string): string[] {
  return name
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .toLowerCase()
    .split(/[^a-z0-9]+/)
    .filter(Boolean);
}

/**
 * Lower or higher is better, from the name's words; the last word that
 * tells wins ("accuracy_error" is an error). Undefined when no word tells.
 */
export function guessGoal(name: string): MetricGoal | undefined {
  const words = metricNameWords(name);
  for (let i = words.length - 1; i >= 0; i--) {
    const word = words[i]!.replace(/@?\d+$/, '') || words[i]!; // "f1" stays, "acc5"/"hits10" lose the k
    if (LOWER_IS_BETTER.has(words[i]!) || LOWER_IS_BETTER.has(word)) return 'lower';
    if (HIGHER_IS_BETTER.has(words[i]!) || HIGHER_IS_BETTER.has(word)) return 'higher';
  }
  return undefined;
}

/** The reducer a column shows by default: the best value for a known goal, else the last value. */
export function defaultReducer(goal: MetricGoal | undefined): MetricReducer {
  if (goal === 'lower') return 'min';
  if (goal === 'higher') return 'max';
  return 'last';
}

/** A metric column as guessed from its name, unless `overrides` (from `--metric name:min`) says otherwise. */
export function metricColumn(name: string, overrides: ReadonlyMap<string, MetricReducer> = new Map()): MetricColumn {
  const goal = guessGoal(name);
  const override = overrides.get(name);
  const reducer = override ?? defaultReducer(goal);
  // A chosen min/max also says which way is better; last/mean keep the guess.
  const chosenGoal: MetricGoal | undefined = override === 'min' ? 'lower' : override === 'max' ? 'higher' : goal;
  return { name, reducer, ...(chosenGoal && { goal: chosenGoal }) };
}

/** Parses `NAME:REDUCER` (as given to `ferry compare --metric`); a clear error names what is wrong. */
export function parseMetricOverride(text: string): [string, MetricReducer] {
  const at = text.lastIndexOf(':');
  const name = at > 0 ? text.slice(0, at) : '';
  const reducer = text.slice(at + 1);
  if (at <= 0 || !(METRIC_REDUCERS as readonly string[]).includes(reducer)) {
    throw new FerryError('request', `--metric takes NAME:REDUCER with REDUCER one of ${METRIC_REDUCERS.join(', ')}, got '${text}'`, { field: 'metric' });
  }
  return [name, reducer as MetricReducer];
}

/** The value a reducer picks; undefined when the series has no (non-NaN) value for it. */
export function reducedValue(metric: ReducedMetric, reducer: MetricReducer): number | undefined {
  const value = metric[reducer];
  return value === undefined || Number.isNaN(value) ? undefined : value;
}

/** Reduces points in logged order (last = the last logged). NaN counts as a point but not as a value. */
export function reducePoints(stepName: string, name: string, points: readonly HistoryPoint[]): ReducedMetric | undefined {
  const lastPoint = points.at(-1);
  if (!lastPoint) return undefined;
  let min = Infinity;
  let max = -Infinity;
  let total = 0;
  let finite = 0;
  for (const { value } of points) {
    if (Number.isNaN(value)) continue;
    if (value < min) min = value;
    if (value > max) max = value;
    total += value;
    finite++;
  }
  return {
    stepName,
    name,
    count: points.length,
    last: lastPoint.value,
    lastStep: lastPoint.step,
    ...(finite > 0 && { min, max, mean: total / finite }),
  };
}
