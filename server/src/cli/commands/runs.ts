import { isSweepId, type Run, type RunWithSpec } from '@ferry/core';
import { elapsed, formatNumber, stateGlyph, summarizeSeries } from '@ferry/ui';
import type { FerryClient } from '@ferry/core';
import { ensureNoExtra, parse, positional } from '../args.js';
import { printJson, table } from '../output.js';
import { printSweep } from './sweeps.js';

const RUNS_USAGE = 'ferry runs [--sweep SWEEP] [--limit N] [--json]';
const STATUS_USAGE = 'ferry status RUN|SWEEP [--json]';

export async function runsCommand(argv: string[], client: () => Promise<FerryClient>): Promise<number> {
  const { values, positionals } = parse(argv, { json: { type: 'boolean' }, limit: { type: 'string' }, sweep: { type: 'string' } }, RUNS_USAGE);
  ensureNoExtra(positionals, 0, RUNS_USAGE);
  const runs = await (await client()).runs({ limit: values.limit ? Number(values.limit) : 20, ...(values.sweep && { sweep: values.sweep }) });
  if (values.json) printJson(runs);
  else if (runs.length === 0) process.stdout.write(values.sweep ? `no runs of sweep ${values.sweep}\n` : 'no runs yet: start one with `ferry run NOTEBOOK`\n');
  else {
    process.stdout.write(
      table(
        ['RUN', 'PIPELINE', 'TARGET', 'STATE', 'STEPS', 'SWEEP', 'CREATED', 'DURATION'],
        runs.map((run) => [
          run.id,
          run.pipeline,
          run.target,
          `${stateGlyph(run.state)} ${run.state}`,
          `${run.steps.filter((s) => s.state === 'succeeded').length}/${run.steps.length}`,
          run.sweepId === undefined ? '' : `${run.sweepId} #${run.sweepIndex}`,
          run.createdAt.replace('T', ' ').slice(0, 19),
          elapsed(run.startedAt, run.finishedAt),
        ]),
      ),
    );
  }
  return 0;
}

export async function statusCommand(argv: string[], client: () => Promise<FerryClient>): Promise<number> {
  const { values, positionals } = parse(argv, { json: { type: 'boolean' } }, STATUS_USAGE);
  ensureNoExtra(positionals, 1, STATUS_USAGE);
  const api = await client();
  const id = positional(positionals, 0, 'RUN', STATUS_USAGE);
  if (isSweepId(id)) {
    await printSweep(api, await api.sweep(id), Boolean(values.json));
    return 0;
  }
  const run = await api.run(id);
  if (values.json) printJson(withoutSpec(run));
  else process.stdout.write(describeRun(run) + describeMetrics(await api.metrics(run.id)));
  return 0;
}

export function describeRun(run: Run): string {
  const parameters = Object.entries(run.parameters)
    .map(([name, value]) => `${name}=${JSON.stringify(value)}`)
    .join(' ');
  let text = `run ${run.id}  ${run.pipeline} on ${run.target} (${run.mode})  ${stateGlyph(run.state)} ${run.state}`;
  text += run.startedAt ? `  ${elapsed(run.startedAt, run.finishedAt)}\n` : '\n';
  if (run.sweepId !== undefined) text += `point ${run.sweepIndex} of sweep ${run.sweepId}\n`;
  if (parameters) text += `parameters: ${parameters}\n`;
  text += '\n';
  text += table(
    ['STEP', 'STATE', 'DURATION', 'EXIT', 'JOB', 'REASON'],
    run.steps.map((s) => [
      s.name,
      `${stateGlyph(s.state)} ${s.state}`,
      elapsed(s.startedAt, s.finishedAt),
      s.exitCode === undefined ? '' : String(s.exitCode),
      s.jobId ?? '',
      s.reason ?? '',
    ]),
  );
  return text;
}

export function describeMetrics(metrics: Awaited<ReturnType<FerryClient['metrics']>>): string {
  const summaries = summarizeSeries(metrics.series);
  if (summaries.length === 0) return '';
  return (
    '\n' +
    table(
      ['STEP', 'METRIC', 'LAST', 'MIN', 'MAX', 'POINTS'],
      summaries.map((s) => [s.stepName, s.name, formatNumber(s.last), formatNumber(s.min), formatNumber(s.max), String(s.count)]),
    )
  );
}

/** The spec is large and available from `ferry compile`; scripts want the run. */
export function withoutSpec(run: RunWithSpec | Run): Run {
  const { spec: _spec, ...rest } = run as RunWithSpec;
  return rest;
}
