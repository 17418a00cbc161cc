import { resolve } from 'node:path';
import { isFinalRunState, parseParameterArgs, type FerryClient, type StepMode } from '@ferry/core';
import { UsageError, ensureNoExtra, parse, positional } from '../args.js';
import { followLogs, waitForRun } from '../follow.js';
import { answerPromptsAtTerminal } from '../prompts.js';
import { printJson } from '../output.js';
import { describeMetrics, describeRun, withoutSpec } from './runs.js';

const USAGE =
  'ferry run NOTEBOOK [--target T] [-p NAME=VALUE]... [--mode script|notebook] [--wait] [--follow] [--json]';

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
    },
    USAGE,
  );
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
    return await submitAndWatch(api, notebookPath, mode, values);
  } finally {
    prompts.abort();
    await answering.catch(() => undefined);
  }
}

async function submitAndWatch(
  api: FerryClient,
  notebookPath: string,
  mode: StepMode | undefined,
  values: { target?: string; param?: string[]; wait?: boolean; follow?: boolean; json?: boolean },
): Promise<number> {
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
