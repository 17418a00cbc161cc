import { isSweepId, type FerryClient } from '@ferry/core';
import { ensureNoExtra, parse, positional } from '../args.js';
import { printJson } from '../output.js';
import { describeRun, withoutSpec } from './runs.js';
import { printSweep } from './sweeps.js';

const USAGE = 'ferry cancel RUN|SWEEP [--json]';

/** A run (one point of a sweep, too), or a whole sweep: every point not finished. */
export async function cancelCommand(argv: string[], client: () => Promise<FerryClient>): Promise<number> {
  const { values, positionals } = parse(argv, { json: { type: 'boolean' } }, USAGE);
  ensureNoExtra(positionals, 1, USAGE);
  const api = await client();
  const id = positional(positionals, 0, 'RUN', USAGE);
  if (isSweepId(id)) {
    await printSweep(api, await api.cancelSweep(id), Boolean(values.json));
    return 0;
  }
  const run = await api.cancel(id);
  if (values.json) printJson(withoutSpec(run));
  else process.stdout.write(describeRun(run));
  return 0;
}
