import type { FerryClient } from '@ferry/core';
import { ensureNoExtra, parse, positional } from '../args.js';
import { printJson } from '../output.js';
import { describeRun, withoutSpec } from './runs.js';

const USAGE = 'ferry cancel RUN [--json]';

export async function cancelCommand(argv: string[], client: () => Promise<FerryClient>): Promise<number> {
  const { values, positionals } = parse(argv, { json: { type: 'boolean' } }, USAGE);
  ensureNoExtra(positionals, 1, USAGE);
  const run = await (await client()).cancel(positional(positionals, 0, 'RUN', USAGE));
  if (values.json) printJson(withoutSpec(run));
  else process.stdout.write(describeRun(run));
  return 0;
}
