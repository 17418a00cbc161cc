import type { FerryClient } from '@ferry/core';
import { ensureNoExtra, parse } from '../args.js';
import { printJson, table } from '../output.js';

const USAGE = 'ferry targets [--json]';

export async function targetsCommand(argv: string[], client: () => Promise<FerryClient>): Promise<number> {
  const { values, positionals } = parse(argv, { json: { type: 'boolean' } }, USAGE);
  ensureNoExtra(positionals, 0, USAGE);
  const targets = await (await client()).targets();
  if (values.json) printJson(targets);
  else process.stdout.write(table(['TARGET', 'TYPE', 'DESCRIPTION'], targets.map((t) => [t.name, t.type, t.description])));
  return 0;
}
