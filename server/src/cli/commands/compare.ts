/** `ferry compare RUN...`: runs side by side, differing parameters first of all. */
import {
  metricColumn,
  parseMetricOverride,
  reducedValue,
  type CompareResponse,
  type ComparedRun,
  type FerryClient,
  type JsonValue,
  type MetricColumn,
  type MetricReducer,
} from '@ferry/core';
import { formatDuration, formatNumber, stateGlyph } from '@ferry/ui';
import { parse, UsageError } from '../args.js';
import { printJson, table } from '../output.js';

const USAGE = 'ferry compare RUN... [--all] [--metric NAME:last|min|max|mean]... [--json]';

/** What `ferry compare` shows: the server's comparison with the columns chosen. */
export interface CompareView extends CompareResponse {
  /** The parameter columns shown: the differing ones, or all with --all. */
  shownParameters: string[];
}

export async function compareCommand(argv: string[], client: () => Promise<FerryClient>): Promise<number> {
  const { values, positionals } = parse(
    argv,
    { json: { type: 'boolean' }, all: { type: 'boolean' }, metric: { type: 'string', multiple: true } },
    USAGE,
  );
  if (positionals.length === 0) throw new UsageError(`name at least one RUN\nusage: ${USAGE}`);
  const overrides = new Map<string, MetricReducer>();
  for (const text of values.metric ?? []) {
    try {
      const [name, reducer] = parseMetricOverride(text);
      overrides.set(name, reducer);
    } catch (error) {
      throw new UsageError(`${(error as Error).message}\nusage: ${USAGE}`);
    }
  }
  const response = await (await client()).compare(positionals);
  const view = compareView(response, { all: values.all === true, overrides });
  if (values.json) printJson(view);
  else process.stdout.write(describeComparison(view));
  return 0;
}

/** Applies --all and --metric; a --metric naming no metric of the runs is a usage error. */
export function compareView(response: CompareResponse, options: { all: boolean; overrides: ReadonlyMap<string, MetricReducer> }): CompareView {
  const known = new Set(response.metrics.map((column) => column.name));
  const unknown = [...options.overrides.keys()].filter((name) => !known.has(name));
  if (unknown.length > 0) {
    throw new UsageError(`--metric ${unknown.join(', ')}: no such metric in these runs (metrics: ${[...known].join(', ') || 'none'})`);
  }
  return {
    ...response,
    metrics: response.metrics.map((column) => metricColumn(column.name, options.overrides)),
    shownParameters: options.all ? response.parameters : response.differingParameters,
  };
}

/** One row per run: parameters, reduced metrics (the best of each marked *), job facts; failures spelled out below. */
export function describeComparison(view: CompareView): string {
  // Where the runs went, only when some run says: local runs have no place, an older server records no node.
  const has = (fact: 'place' | 'node' | 'retries') => view.runs.some((run) => run.job[fact] !== undefined);
  const [showPlace, showNode, showRetries] = [has('place'), has('node'), has('retries')];
  const header = [
    'RUN',
    ...view.shownParameters,
    ...view.metrics.map((column) => `${column.name} (${column.reducer})`),
    'STATE',
    'TARGET',
    ...(showPlace ? ['PLACE'] : []),
    'GPUS',
    'WAIT',
    'DURATION',
    'EXIT',
    ...(showNode ? ['NODE'] : []),
    ...(showRetries ? ['RETRIES'] : []),
  ];
  const best = view.metrics.map((column) => bestValue(view.runs, column));
  const rows = view.runs.map((run) => [
    run.id,
    ...view.shownParameters.map((name) => (Object.hasOwn(run.parameters, name) ? formatParameter(run.parameters[name]!) : '')),
    ...view.metrics.map((column, index) => {
      const value = metricValue(run, column);
      if (value === undefined) return '';
      return formatNumber(value) + (value === best[index] ? ' *' : '');
    }),
    `${stateGlyph(run.job.state)} ${run.job.state}`,
    run.job.target,
    ...(showPlace ? [run.job.place ?? ''] : []),
    run.job.gpus === undefined ? '' : String(run.job.gpus),
    seconds(run.job.queueWaitSeconds),
    seconds(run.job.durationSeconds),
    run.job.exitCode === undefined ? '' : String(run.job.exitCode),
    ...(showNode ? [run.job.node ?? ''] : []),
    ...(showRetries ? [run.job.retries === undefined ? '' : String(run.job.retries)] : []),
  ]);
  let text = table(header, rows);
  if (view.shownParameters.length === 0 && view.parameters.length > 0 && view.runs.length > 1) {
    text += `\nevery parameter is the same in these runs (--all shows them)\n`;
  }
  const failures = view.runs.filter((run) => run.job.failedStep !== undefined);
  if (failures.length > 0) {
    text += '\n';
    for (const run of failures) {
      text += `${run.id}: step ${run.job.failedStep} failed${run.job.oom ? ' (out of memory)' : ''}${run.job.failureReason ? `: ${run.job.failureReason}` : ''}\n`;
    }
  }
  return text;
}

/** The run's value for a column: the reducer over its series of that name (the first step's, when several steps log it). */
function metricValue(run: ComparedRun, column: MetricColumn): number | undefined {
  const metric = run.metrics.find((candidate) => candidate.name === column.name);
  return metric && reducedValue(metric, column.reducer);
}

/** The best value of a column when its goal is known and at least two runs have one. */
function bestValue(runs: readonly ComparedRun[], column: MetricColumn): number | undefined {
  if (!column.goal) return undefined;
  const values = runs.map((run) => metricValue(run, column)).filter((value): value is number => value !== undefined);
  if (values.length < 2) return undefined;
  return column.goal === 'lower' ? Math.min(...values) : Math.max(...values);
}

function formatParameter(value: JsonValue): string {
  if (typeof value === 'string') return value;
  if (typeof value === 'number') return formatNumber(value);
  return JSON.stringify(value);
}

function seconds(value: number | undefined): string {
  return value === undefined ? '' : formatDuration(value * 1000);
}
