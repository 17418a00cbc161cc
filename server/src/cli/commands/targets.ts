import { stateGlyph } from '@ferry/ui';
import type { FerryClient, TargetTestResponse } from '@ferry/core';
import { UsageError, ensureNoExtra, parse, positional } from '../args.js';
import { printJson, table } from '../output.js';
import { answerPromptsAtTerminal } from '../prompts.js';

const USAGE = 'ferry targets [--json] | ferry targets test NAME [--json]';

export async function targetsCommand(argv: string[], client: () => Promise<FerryClient>): Promise<number> {
  const { values, positionals } = parse(argv, { json: { type: 'boolean' } }, USAGE);
  if (positionals[0] === 'test') {
    ensureNoExtra(positionals, 2, USAGE);
    return testTarget(await client(), positional(positionals, 1, 'NAME', USAGE), Boolean(values.json));
  }
  if (positionals.length > 0) throw new UsageError(`unknown targets action '${positionals[0]}'\nusage: ${USAGE}`);
  const targets = await (await client()).targets();
  if (values.json) printJson(targets);
  else process.stdout.write(table(['TARGET', 'TYPE', 'DESCRIPTION'], targets.map((t) => [t.name, t.type, t.description])));
  return 0;
}

async function testTarget(api: FerryClient, name: string, json: boolean): Promise<number> {
  // Connecting may ask for a password, an MFA code or a new host key.
  const prompts = new AbortController();
  const answering = answerPromptsAtTerminal(api, prompts.signal);
  let result: TargetTestResponse;
  try {
    result = await api.testTarget(name);
  } finally {
    prompts.abort();
    await answering.catch(() => undefined);
  }
  if (json) printJson(result);
  else {
    for (const check of result.checks) {
      const mark = check.ok ? stateGlyph('succeeded') : check.optional ? '!' : stateGlyph('failed');
      process.stdout.write(`${mark} ${check.name}: ${check.detail}\n`);
      if (!check.ok && check.fix) process.stdout.write(`    fix: ${check.fix}\n`);
    }
    process.stdout.write(result.ok ? `target "${name}" is ready\n` : `target "${name}" is not ready\n`);
  }
  return result.ok ? 0 : 1;
}
