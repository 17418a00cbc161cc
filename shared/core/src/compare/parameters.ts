/** Which parameters tell runs apart: the columns a comparison shows by default. */
import type { JsonValue } from '../spec.js';

/** Every parameter name of any run, in first-seen order. */
export function parameterNames(runs: ReadonlyArray<{ parameters: Record<string, JsonValue> }>): string[] {
  const names = new Set<string>();
  for (const run of runs) for (const name of Object.keys(run.parameters)) names.add(name);
  return [...names];
}

/**
 * The names whose values are not equal in every run, in first-seen order.
 * Values compare as JSON (1 and 1.0 are equal, key order of objects does not
 * matter); a parameter one run lacks differs. With one run nothing differs.
 */
export function differingParameters(runs: ReadonlyArray<{ parameters: Record<string, JsonValue> }>): string[] {
  return parameterNames(runs).filter((name) => {
    const [first, ...rest] = runs.map((run) => (Object.hasOwn(run.parameters, name) ? canonical(run.parameters[name]!) : undefined));
    return rest.some((value) => value !== first);
  });
}

/** JSON text with object keys sorted, so equal values give equal text. */
function canonical(value: JsonValue): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const keys = Object.keys(value).sort();
    return `{${keys.map((key) => `${JSON.stringify(key)}:${canonical(value[key]!)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}
