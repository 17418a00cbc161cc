/** Command-line parsing shared by the commands (node:util parseArgs, strict). */
import { parseArgs, type ParseArgsConfig } from 'node:util';

export type Options = NonNullable<ParseArgsConfig['options']>;

type Config<T extends Options> = { args: string[]; options: T; allowPositionals: true; strict: true };

export function parse<T extends Options>(argv: string[], options: T, usage: string): ReturnType<typeof parseArgs<Config<T>>> {
  try {
    return parseArgs({ args: argv, options, allowPositionals: true, strict: true });
  } catch (error) {
    throw new UsageError(`${(error as Error).message}\nusage: ${usage}`);
  }
}

/** Wrong command-line use: printed with the usage line, exit status 2. */
export class UsageError extends Error {}

export function positional(values: string[], index: number, name: string, usage: string): string {
  const value = values[index];
  if (value === undefined) throw new UsageError(`missing ${name}\nusage: ${usage}`);
  return value;
}

export function ensureNoExtra(values: string[], count: number, usage: string): void {
  if (values.length > count) throw new UsageError(`unexpected argument '${values[count]}'\nusage: ${usage}`);
}
