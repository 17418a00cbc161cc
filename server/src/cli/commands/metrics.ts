import type { FerryClient } from '@ferry/core';
import { ensureNoExtra, parse, positional } from '../args.js';
import { printJson } from '../output.js';
import { describeMetrics } from './runs.js';

const USAGE = 'ferry metrics RUN [--json]';

export async function metricsCommand(argv: string[], client: () => Promise<FerryClient>): Promise<number> {
  const { values, positionals } = parse(argv, { json: { type: 'boolean' } }, USAGE);
  ensureNoExtra(positionals, 1, USAGE);
  const metrics = await (await client()).metrics(positional(positionals, 0, 'RUN', USAGE));
  if (values.json) printJson(metrics);
  else process.stdout.write(describeMetrics(metrics).trimStart() || 'no metrics recorded\n');
  return 0;
}
