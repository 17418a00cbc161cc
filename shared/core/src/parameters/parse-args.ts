/** `-p name=value` pairs from a command line, before any typing. */

import { FerryError } from '../errors.js';
import { setOwn } from './own-property.js';

const PARAMETER_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** Splits each `name=value` at the first `=` (values may contain `=`). */
export function parseParameterArgs(args: readonly string[]): Record<string, string> {
  const values: Record<string, string> = {};
  for (const arg of args) {
    const equals = arg.indexOf('=');
    const name = (equals < 0 ? arg : arg.slice(0, equals)).trim();
    const validName = PARAMETER_NAME.test(name);
    if (equals < 0 || !validName) {
      throw new FerryError('parameter', `expected NAME=VALUE after -p, got '${arg}'`, validName ? { parameter: name } : undefined);
    }
    if (Object.hasOwn(values, name)) {
      throw new FerryError('parameter', `parameter \`${name}\` is given twice`, { parameter: name });
    }
    setOwn(values, name, arg.slice(equals + 1));
  }
  return values;
}
