/**
 * The compare view's table as data: which columns show (differing
 * parameters only, or all), each metric column's reducer and goal, the
 * value of every cell, the best value of a metric column, and the row order
 * (a sorted column, the base run pinned first). Pure: no DOM.
 */
import type { CompareResponse, ComparedRun, JobFacts, JsonValue, MetricGoal, MetricReducer } from '@ferry/core';
import { formatDuration } from '../format.js';

/** How a metric column sums up each run: the API's guess unless the user chose otherwise. */
export interface MetricChoice {
  reducer: MetricReducer;
  goal?: MetricGoal;
}

export type Column =
  | { kind: 'parameter'; key: string; name: string }
  | { kind: 'metric'; key: string; name: string; choice: MetricChoice }
  | { kind: 'fact'; key: string; fact: FactName; label: string };

/** Job facts as columns, in the order they read left to right. */
export type FactName = 'target' | 'place' | 'state' | 'gpus' | 'exitCode' | 'failure' | 'queueWaitSeconds' | 'durationSeconds' | 'node' | 'retries' | 'jobIds';

const FACTS: ReadonlyArray<{ fact: FactName; label: string; has: (job: JobFacts) => boolean }> = [
  { fact: 'target', label: 'target', has: () => true },
  { fact: 'place', label: 'place', has: (job) => job.place !== undefined },
  { fact: 'state', label: 'state', has: () => true },
  { fact: 'gpus', label: 'GPUs', has: (job) => job.gpus !== undefined },
  { fact: 'exitCode', label: 'exit', has: (job) => job.exitCode !== undefined },
  { fact: 'failure', label: 'failure', has: (job) => job.failureReason !== undefined || job.oom === true },
  { fact: 'queueWaitSeconds', label: 'queue wait', has: (job) => job.queueWaitSeconds !== undefined },
  { fact: 'durationSeconds', label: 'duration', has: (job) => job.durationSeconds !== undefined },
  { fact: 'node', label: 'node', has: (job) => job.node !== undefined },
  { fact: 'retries', label: 'retries', has: (job) => job.retries !== undefined },
  { fact: 'jobIds', label: 'job ids', has: (job) => Object.keys(job.jobIds).length > 0 },
];

export interface ColumnOptions {
  /** Every parameter, not only those whose values differ. */
  allParameters: boolean;
  /** Reducer and goal per metric name, where the user changed the API's guess. */
  choices: ReadonlyMap<string, MetricChoice>;
}

export function tableColumns(compare: CompareResponse, options: ColumnOptions): Column[] {
  const parameters = options.allParameters ? compare.parameters : compare.differingParameters;
  const unrecorded = new Set<string>(compare.unrecorded);
  return [
    ...parameters.map((name): Column => ({ kind: 'parameter', key: `parameter:${name}`, name })),
    ...compare.metrics.map((column): Column => ({
      kind: 'metric',
      key: `metric:${column.name}`,
      name: column.name,
      choice: options.choices.get(column.name) ?? { reducer: column.reducer, goal: column.goal },
    })),
    // A fact no target records, or no compared run has, would be an empty column.
    ...FACTS.filter(({ fact, has }) => !unrecorded.has(fact) && compare.runs.some((run) => has(run.job))).map(
      ({ fact, label }): Column => ({ kind: 'fact', key: `fact:${fact}`, fact, label }),
    ),
  ];
}

/** A reducer chosen for a metric also says which way is better when it can (`min`, `max`), as the CLI's `--metric` does. */
export function chooseReducer(previous: MetricChoice, reducer: MetricReducer): MetricChoice {
  if (reducer === 'min') return { reducer, goal: 'lower' };
  if (reducer === 'max') return { reducer, goal: 'higher' };
  return { reducer, goal: previous.goal };
}

/** lower → higher → no goal → lower. */
export function nextGoal(goal: MetricGoal | undefined): MetricGoal | undefined {
  return goal === 'lower' ? 'higher' : goal === 'higher' ? undefined : 'lower';
}

/** A run's metric reduced; the first step that logs the name counts. JSON's null (a NaN) reads as no value. */
export function metricValue(run: ComparedRun, name: string, reducer: MetricReducer): number | undefined {
  const reduced = run.metrics.find((metric) => metric.name === name);
  const value = reduced?.[reducer] as number | null | undefined;
  return typeof value === 'number' && Number.isFinite(value) ? value : undefined;
}

/** What a cell sorts by: a number where there is one, else text; undefined sorts last. */
export function sortValue(run: ComparedRun, column: Column): number | string | undefined {
  switch (column.kind) {
    case 'parameter': {
      const value = run.parameters[column.name];
      if (value === undefined) return undefined;
      return typeof value === 'number' ? value : parameterText(value);
    }
    case 'metric':
      return metricValue(run, column.name, column.choice.reducer);
    case 'fact':
      return factSortValue(run.job, column.fact);
  }
}

function factSortValue(job: JobFacts, fact: FactName): number | string | undefined {
  switch (fact) {
    case 'failure':
      return job.failureReason;
    case 'jobIds':
      return Object.values(job.jobIds).join(' ') || undefined;
    default:
      return job[fact];
  }
}

export function cellText(run: ComparedRun, column: Column): string {
  switch (column.kind) {
    case 'parameter': {
      const value = run.parameters[column.name];
      return value === undefined ? '—' : parameterText(value);
    }
    case 'metric': {
      const value = metricValue(run, column.name, column.choice.reducer);
      return value === undefined ? '—' : formatMetric(value);
    }
    case 'fact':
      return factText(run.job, column.fact);
  }
}

function factText(job: JobFacts, fact: FactName): string {
  switch (fact) {
    case 'failure':
      return [job.failedStep && `${job.failedStep}:`, job.failureReason, job.oom ? '(out of memory)' : ''].filter(Boolean).join(' ');
    case 'queueWaitSeconds':
    case 'durationSeconds':
      return job[fact] === undefined ? '' : formatDuration(job[fact]! * 1000);
    case 'jobIds':
      return Object.entries(job.jobIds)
        .map(([step, id]) => `${step}=${id}`)
        .join(' ');
    default:
      return job[fact] === undefined ? '' : String(job[fact]);
  }
}

export function parameterText(value: JsonValue): string {
  return typeof value === 'string' ? value : JSON.stringify(value);
}

/** Four significant digits, as in a results table; small and large numbers in exponent form. */
export function formatMetric(value: number): string {
  if (value === 0 || (Math.abs(value) >= 1e-3 && Math.abs(value) < 1e6)) return String(Number(value.toPrecision(4)));
  return value.toExponential(3);
}

/** The best value of a metric column with a goal; none without one. */
export function bestValue(runs: readonly ComparedRun[], column: Column): number | undefined {
  if (column.kind !== 'metric' || !column.choice.goal) return undefined;
  const values = runs.map((run) => metricValue(run, column.name, column.choice.reducer)).filter((v): v is number => v !== undefined);
  if (values.length === 0) return undefined;
  return column.choice.goal === 'lower' ? Math.min(...values) : Math.max(...values);
}

export interface SortOrder {
  column: string;
  /** Best first for a metric with a goal; ascending otherwise. */
  reversed: boolean;
}

/**
 * The rows in order: the base run first, then the others by the sort column
 * (a metric with a goal sorts best first; clicking again reverses), runs
 * without a value last, ties in the order the host gave.
 */
export function orderRuns(runs: readonly ComparedRun[], columns: readonly Column[], sort: SortOrder | undefined, baseId: string | undefined): ComparedRun[] {
  const column = sort && columns.find((c) => c.key === sort.column);
  const others = runs.filter((run) => run.id !== baseId);
  if (column) {
    const direction = (column.kind === 'metric' && column.choice.goal === 'higher' ? -1 : 1) * (sort!.reversed ? -1 : 1);
    const keyed = others.map((run, index) => ({ run, index, value: sortValue(run, column) }));
    keyed.sort((a, b) => {
      if (a.value === undefined || b.value === undefined) return a.value === b.value ? a.index - b.index : a.value === undefined ? 1 : -1;
      const order = typeof a.value === 'number' && typeof b.value === 'number' ? a.value - b.value : String(a.value).localeCompare(String(b.value), undefined, { numeric: true });
      return order * direction || a.index - b.index;
    });
    others.splice(0, others.length, ...keyed.map(({ run }) => run));
  }
  const base = runs.find((run) => run.id === baseId);
  return base ? [base, ...others] : others;
}

/** Whether a parameter's value differs from the base run's (compared as JSON, key order aside). */
export function differsFromBase(run: ComparedRun, base: ComparedRun | undefined, name: string): boolean {
  if (!base || base.id === run.id) return false;
  return canonical(run.parameters[name]) !== canonical(base.parameters[name]);
}

/** A value as JSON with object keys sorted: equal values, equal strings. */
export function canonical(value: JsonValue | undefined): string {
  if (value === undefined) return 'undefined';
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    return `{${Object.keys(value)
      .sort()
      .map((key) => `${JSON.stringify(key)}:${canonical(value[key])}`)
      .join(',')}}`;
  }
  return JSON.stringify(value);
}

/** How a run is named in the legend and the table: its differing parameters, else its id. */
export function runLabel(run: ComparedRun, differing: readonly string[]): string {
  const parts = differing.filter((name) => run.parameters[name] !== undefined).map((name) => `${name}=${parameterText(run.parameters[name]!)}`);
  return parts.length ? parts.join(', ') : shortRunId(run.id);
}

/** The distinctive end of a run id (`r-20261202-011840-3f9a1c` → `3f9a1c`). */
export function shortRunId(id: string): string {
  return id.split('-').at(-1) ?? id;
}
