import type { FerryClient } from '@ferry/core';
import { ensureNoExtra, parse, positional } from '../args.js';
import { followLogs } from '../follow.js';
import { printJson } from '../output.js';

const USAGE = 'ferry logs RUN [STEP] [-f|--follow] [--json]';
const PAGE = 1024 * 1024;

export async function logsCommand(argv: string[], client: () => Promise<FerryClient>): Promise<number> {
  const { values, positionals } = parse(argv, { follow: { type: 'boolean', short: 'f' }, json: { type: 'boolean' } }, USAGE);
  ensureNoExtra(positionals, 2, USAGE);
  const api = await client();
  const run = await api.run(positional(positionals, 0, 'RUN', USAGE));
  const steps = positionals[1] ? [positionals[1]] : run.steps.map((s) => s.name);
  if (values.follow) {
    await followLogs(api, run.id, steps);
    return 0;
  }
  const logs: Array<{ step: string; size: number; data: string }> = [];
  for (const step of steps) {
    let data = '';
    let offset = 0;
    let size = 0;
    for (;;) {
      const chunk = await api.log(run.id, step, { offset, maxBytes: PAGE });
      data += chunk.data;
      size = chunk.size;
      if (chunk.nextOffset === offset || chunk.nextOffset >= chunk.size) break;
      offset = chunk.nextOffset;
    }
    logs.push({ step, size, data });
  }
  if (values.json) {
    printJson(logs);
    return 0;
  }
  for (const log of logs) {
    if (logs.length > 1) process.stdout.write(`==> ${log.step} <==\n`);
    process.stdout.write(log.data);
  }
  return 0;
}
