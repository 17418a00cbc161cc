/**
 * Parameter entry as text (input boxes now, a form later): what to show as
 * the default, and whether a typed value fits the parameter's type. The
 * checks are the core's, so the form and the server agree.
 */
import { parseParameterValue, type JsonValue, type ParameterSpec } from '@ferry/core';

/** A value as a notebook user would type it: `0.5`, `True`, `[1, 2]`, plain text for strings. */
export function valueText(parameter: Pick<ParameterSpec, 'type'>, value: JsonValue): string {
  if (value === null) return 'None';
  if (typeof value === 'boolean') return value ? 'True' : 'False';
  if (typeof value === 'string') return value;
  if (typeof value === 'number' && parameter.type === 'float' && Number.isInteger(value)) return value.toFixed(1);
  return JSON.stringify(value);
}

/** Undefined when `text` is a valid value for the parameter, else what is wrong with it. */
export function checkParameterText(parameter: ParameterSpec, text: string): string | undefined {
  try {
    parseParameterValue(parameter, text);
    return undefined;
  } catch (error) {
    return (error as Error).message;
  }
}

/** The prompt shown above the input box: the help text from the parameters cell, and the type. */
export function parameterPrompt(parameter: ParameterSpec, index: number, count: number): string {
  const help = parameter.help ? `${parameter.help} ` : '';
  return `${help}(${parameter.type}, default ${valueText(parameter, parameter.default)}) — parameter ${index + 1} of ${count}`;
}

/** Only the values that differ from the defaults, as text the server converts by type. */
export function changedParameterStrings(
  parameters: readonly ParameterSpec[],
  texts: Readonly<Record<string, string>>,
): Record<string, string> {
  const changed: Array<[string, string]> = [];
  for (const parameter of parameters) {
    const text = Object.hasOwn(texts, parameter.name) ? texts[parameter.name] : undefined;
    if (text === undefined || text === valueText(parameter, parameter.default)) continue;
    changed.push([parameter.name, text]);
  }
  // fromEntries makes own properties, so a parameter named `__proto__` is data, not a prototype.
  return Object.fromEntries(changed);
}
