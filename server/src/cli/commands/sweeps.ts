/** Sweeps in the terminal: the list, and one sweep's points side by side. */
import { sweepCounts, sweepState, type FerryClient, type JsonValue, type Run, type SweepResponse } from '@ferry/core';
import { elapsed, formatNumber, stateGlyph, summarizeSeries } from '@ferry/ui';
import { ensureNoExtra, parse } from '../args.js';
import { printJson, table } from '../output.js';

const SWEEPS_USAGE = 'ferry sweeps [--limit N] [--json]';

export async function sweepsCommand(argv: string[], client: () => Promise<FerryClient>): Promise<number> {
  const { values, positionals } = parse(argv, { json: { type: 'boolean' }, limit: { type: 'string' } }, SWEEPS_USAGE);
  ensureNoExtra(positionals, 0, SWEEPS_USAGE);
  const api = await client();
  const sweeps = await api.sweeps({ limit: values.limit ? Number(values.limit) : 20 });
  if (values.json) {
    printJson(sweeps);
    return 0;
  }
  if (sweeps.length === 0) {
    process.stdout.write('no sweeps yet: start one with `ferry run NOTEBOOK --sweep NAME=V1,V2`\n');
    return 0;
  }
  const rows = await Promise.all(
    sweeps.map(async (sweep) => {
      const runs = await api.runs({ sweep: sweep.id, limit: sweep.size });
      const state = sweepState(runs);
      return [sweep.id, sweep.pipeline, sweep.target, `${stateGlyph(state)} ${state}`, countsText(runs), describeAxes(sweep), sweep.createdAt.replace('T', ' ').slice(0, 19)];
    }),
  );
  process.stdout.write(table(['SWEEP', 'PIPELINE', 'TARGET', 'STATE', 'POINTS', 'AXES', 'CREATED'], rows));
  return 0;
}

/** A sweep as JSON, or described for people. */
export async function printSweep(api: FerryClient, sweep: SweepResponse, json: boolean): Promise<void> {
  if (json) printJson(sweep);
  else process.stdout.write(await describeSweep(api, sweep));
}

/** The sweep, then one row per point: its run, state, swept values and last metric values, side by side. */
export async function describeSweep(api: FerryClient, { sweep, runs }: SweepResponse): Promise<string> {
  const state = sweepState(runs);
  let text = `sweep ${sweep.id}  ${sweep.pipeline} on ${sweep.target} (${sweep.mode})  ${stateGlyph(state)} ${state}\n`;
  text += `${sweep.size} points${sweep.sample !== undefined ? `, a random sample (seed ${sweep.seed})` : ', a grid'}`;
  text += `${sweep.maxParallel !== undefined ? `, at most ${sweep.maxParallel} at once` : ''}: ${countsText(runs)}\n`;
  text += `axes: ${describeAxes(sweep)}\n\n`;
  const swept = sweep.axes.map((axis) => axis.parameter);
  // The last value of each metric of each finished point, the columns named by metric (step/metric where names repeat).
  const metrics = await Promise.all(runs.map(async (run) => (run.state === 'succeeded' ? summarizeSeries((await api.metrics(run.id)).series) : [])));
  const names = [...new Set(metrics.flat().map((series) => series.name))];
  const repeated = new Set(names.filter((name) => new Set(metrics.flat().filter((s) => s.name === name).map((s) => s.stepName)).size > 1));
  const columns = [...new Set(metrics.flat().map((s) => (repeated.has(s.name) ? `${s.stepName}/${s.name}` : s.name)))];
  const rows = runs.map((run, index) => {
    const last = new Map(metrics[index]!.map((s) => [repeated.has(s.name) ? `${s.stepName}/${s.name}` : s.name, formatNumber(s.last)]));
    return [
      String(run.sweepIndex ?? index),
      run.id,
      `${stateGlyph(run.state)} ${run.state}`,
      ...swept.map((name) => showValue(run.parameters[name])),
      elapsed(run.startedAt, run.finishedAt),
      ...columns.map((column) => last.get(column) ?? ''),
    ];
  });
  return text + table(['#', 'RUN', 'STATE', ...swept, 'DURATION', ...columns], rows);
}

export function describeAxes(sweep: SweepResponse['sweep']): string {
  return sweep.axes
    .map((axis) => {
      if ('values' in axis) return `${axis.parameter}=${axis.values.map(showValue).join(',')}`;
      const { low, high, scale, count } = axis.range;
      return `${axis.parameter}=${low}..${high}${scale === 'log' ? ':log' : ''}${count !== undefined ? `:${count}` : ''}`;
    })
    .join('  ');
}

function countsText(runs: readonly Run[]): string {
  return Object.entries(sweepCounts(runs))
    .map(([state, count]) => `${count} ${state}`)
    .join(', ');
}

function showValue(value: JsonValue | undefined): string {
  if (typeof value === 'number') return formatNumber(value);
  if (typeof value === 'string') return value;
  return JSON.stringify(value) ?? '';
}
