import { resolve } from 'node:path';
import { isFinalRunState, parseParameterArgs, type FerryClient, type StepMode } from '@ferry/core';
import { UsageError, ensureNoExtra, parse, positional } from '../args.js';
import { followLogs, waitForRun, waitForSweep } from '../follow.js';
import { answerPromptsAtTerminal } from '../prompts.js';
import { printJson } from '../output.js';
import { describeMetrics, describeRun, withoutSpec } from './runs.js';
import { printSweep } from './sweeps.js';

const USAGE =
  'ferry run NOTEBOOK [--target T] [-p NAME=VALUE]... [--mode script|notebook] [--wait] [--follow] [--json]\n' +
  '       ferry run NOTEBOOK --sweep NAME=VALUES... [--sample N [--seed S]] [--max-parallel M] [--target T] [-p NAME=VALUE]... [--wait] [--json]';

type RunValues = {
  target?: string;
  param?: string[];
  wait?: boolean;
  follow?: boolean;
  json?: boolean;
  sweep?: string[];
  sample?: string;
  seed?: string;
  'max-parallel'?: string;
};

export async function runCommand(argv: string[], client: () => Promise<FerryClient>): Promise<number> {
  const { values, positionals } = parse(
    argv,
    {
      target: { type: 'string', short: 't' },
      param: { type: 'string', short: 'p', multiple: true },
      mode: { type: 'string' },
      wait: { type: 'boolean', short: 'w' },
      follow: { type: 'boolean', short: 'f' },
      json: { type: 'boolean' },
      sweep: { type: 'string', short: 's', multiple: true },
      sample: { type: 'string' },
      seed: { type: 'string' },
      'max-parallel': { type: 'string' },
    },
    USAGE,
  );
  const sweeping = values.sweep !== undefined;
  for (const flag of ['sample', 'seed', 'max-parallel'] as const) {
    if (values[flag] !== undefined && !sweeping) throw new UsageError(`--${flag} needs --sweep NAME=VALUES\nusage: ${USAGE}`);
  }
  if (values.seed !== undefined && values.sample === undefined) throw new UsageError(`--seed needs --sample N (a grid has no randomness)\nusage: ${USAGE}`);
  if (sweeping && values.follow) {
    throw new UsageError(`--follow shows one run's logs; with --sweep use --wait, then \`ferry logs RUN STEP -f\` for a point\nusage: ${USAGE}`);
  }
  ensureNoExtra(positionals, 1, USAGE);
  const notebookPath = resolve(positional(positionals, 0, 'NOTEBOOK', USAGE));
  const mode = values.mode as StepMode | undefined;
  if (mode !== undefined && mode !== 'script' && mode !== 'notebook') {
    throw new UsageError(`--mode must be script or notebook, got '${mode}'\nusage: ${USAGE}`);
  }
  const api = await client();
  // Submitting may need a person (an SSH password, MFA code or new host key): listen first.
  const prompts = new AbortController();
  const answering = answerPromptsAtTerminal(api, prompts.signal);
  try {
    return await (sweeping ? submitSweepAndWait(api, notebookPath, mode, values) : submitAndWatch(api, notebookPath, mode, values));
  } finally {
    prompts.abort();
    await answering.catch(() => undefined);
  }
}

async function submitAndWatch(api: FerryClient, notebookPath: string, mode: StepMode | undefined, values: RunValues): Promise<number> {
  const submitted = await api.submit({
    notebookPath,
    target: values.target,
    mode,
    parameterStrings: parseParameterArgs(values.param ?? []),
  });
  const quiet = Boolean(values.json);
  if (!quiet) process.stderr.write(`run ${submitted.id} submitted to ${submitted.target}\n`);
  if (!values.wait && !values.follow) {
    if (values.json) printJson(withoutSpec(submitted));
    else process.stdout.write(describeRun(submitted));
    return 0;
  }
  const [finished] = await Promise.all([
    waitForRun(api, submitted.id, quiet || Boolean(values.follow)),
    values.follow ? followLogs(api, submitted.id, submitted.spec.steps.map((s) => s.name)) : undefined,
  ]);
  if (values.json) printJson(withoutSpec(finished));
  else process.stdout.write('\n' + describeRun(finished) + describeMetrics(await api.metrics(finished.id)));
  return isFinalRunState(finished.state) && finished.state === 'succeeded' ? 0 : 1;
}

/** One run per point; the server checks every value against the parameters' types before anything is submitted. */
async function submitSweepAndWait(api: FerryClient, notebookPath: string, mode: StepMode | undefined, values: RunValues): Promise<number> {
  const submitted = await api.submitSweep({
    notebookPath,
    target: values.target,
    mode,
    parameterStrings: parseParameterArgs(values.param ?? []),
    axisStrings: values.sweep!,
    sample: wholeNumber(values.sample, '--sample'),
    seed: wholeNumber(values.seed, '--seed'),
    maxParallel: wholeNumber(values['max-parallel'], '--max-parallel'),
  });
  const { sweep } = submitted;
  if (!values.json) {
    const drawn = sweep.sample !== undefined ? ` (drawn with --seed ${sweep.seed})` : '';
    process.stderr.write(`sweep ${sweep.id} submitted to ${sweep.target}: ${sweep.size} points${drawn}\n`);
  }
  if (!values.wait) {
    await printSweep(api, submitted, Boolean(values.json));
    return 0;
  }
  const finished = await waitForSweep(api, sweep.id, Boolean(values.json));
  if (!values.json) process.stdout.write('\n');
  await printSweep(api, finished, Boolean(values.json));
  return finished.runs.every((run) => run.state === 'succeeded') ? 0 : 1;
}

function wholeNumber(text: string | undefined, flag: string): number | undefined {
  if (text === undefined) return undefined;
  if (!/^\d+$/.test(text.trim())) throw new UsageError(`${flag} must be a whole number, got '${text}'\nusage: ${USAGE}`);
  return Number(text);
}
