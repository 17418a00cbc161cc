/**
 * The Run dialog's parameter form as data: each parameter's text (its default
 * to start with) and the typed value or the error the core's converter gives.
 */
import { parseParameterValue, type JsonValue, type ParameterSpec } from '@ferry/core';

export interface ParameterCheck {
  /** Typed values for every parameter, when all are valid. */
  values?: Record<string, JsonValue>;
  /** name → what is wrong with its text. */
  errors: Record<string, string>;
}

/** How a default is shown in a text field, in the form the converter reads back. */
export function defaultText(parameter: ParameterSpec): string {
  return textOf(parameter.default);
}

/** A value as a text field shows it (and the converter reads it back). */
export function textOf(value: JsonValue): string {
  if (value === null) return 'None';
  if (typeof value === 'string') return value;
  if (typeof value === 'boolean') return value ? 'True' : 'False';
  return JSON.stringify(value);
}

export function checkParameters(parameters: readonly ParameterSpec[], texts: Readonly<Record<string, string>>): ParameterCheck {
  const values: Record<string, JsonValue> = {};
  const errors: Record<string, string> = {};
  for (const parameter of parameters) {
    const text = Object.hasOwn(texts, parameter.name) ? texts[parameter.name]! : defaultText(parameter);
    try {
      values[parameter.name] = parseParameterValue(parameter, text);
    } catch (error) {
      errors[parameter.name] = error instanceof Error ? error.message : String(error);
    }
  }
  return Object.keys(errors).length ? { errors } : { values, errors };
}
