import type { FerryClient } from '@ferry/core';
import { ensureNoExtra, parse, positional } from '../args.js';
import { followLogs } from '../follow.js';

const USAGE = 'ferry logs RUN [STEP] [-f|--follow]';
const PAGE = 1024 * 1024;

export async function logsCommand(argv: string[], client: () => Promise<FerryClient>): Promise<number> {
  const { values, positionals } = parse(argv, { follow: { type: 'boolean', short: 'f' } }, USAGE);
  ensureNoExtra(positionals, 2, USAGE);
  const api = await client();
  const run = await api.run(positional(positionals, 0, 'RUN', USAGE));
  const steps = positionals[1] ? [positionals[1]] : run.steps.map((s) => s.name);
  if (values.follow) {
    await followLogs(api, run.id, steps);
    return 0;
  }
  for (const step of steps) {
    if (steps.length > 1) process.stdout.write(`==> ${step} <==\n`);
    let offset = 0;
    for (;;) {
      const chunk = await api.log(run.id, step, { offset, maxBytes: PAGE });
      process.stdout.write(chunk.data);
      if (chunk.nextOffset === offset || chunk.nextOffset >= chunk.size) break;
      offset = chunk.nextOffset;
    }
  }
  return 0;
}
