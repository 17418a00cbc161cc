/** The full set of values a run binds: every parameter, user values over defaults. */

import { FerryError } from '../errors.js';
import type { JsonValue, PipelineSpec } from '../spec.js';
import { setOwn } from './own-property.js';
import { checkParameterValue, parseParameterValue } from './parameter-values.js';

export interface ResolveOptions {
  /** The values are text to convert (command line, form fields) rather than typed JSON (API). */
  fromStrings?: boolean;
}

/** Returns every parameter of the spec, in the spec's order. */
export function resolveParameters(
  spec: Pick<PipelineSpec, 'parameters'>,
  values: Readonly<Record<string, JsonValue>>,
  options: ResolveOptions = {},
): Record<string, JsonValue> {
  const known = new Map(spec.parameters.map((parameter) => [parameter.name, parameter]));
  for (const name of Object.keys(values)) {
    if (known.has(name)) continue;
    const list = spec.parameters.length ? spec.parameters.map((p) => p.name).join(', ') : 'none (no parameters cell)';
    throw new FerryError('parameter', `unknown parameter \`${name}\`; known parameters: ${list}`, { parameter: name });
  }

  const resolved: Record<string, JsonValue> = {};
  for (const parameter of spec.parameters) {
    let value: JsonValue = parameter.default;
    if (Object.hasOwn(values, parameter.name)) {
      const given = values[parameter.name]!;
      value =
        options.fromStrings && typeof given === 'string'
          ? parseParameterValue(parameter, given)
          : checkParameterValue(parameter, given);
    }
    setOwn(resolved, parameter.name, value);
  }
  return resolved;
}
