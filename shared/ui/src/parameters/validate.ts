/**
 * The parameter form's rules, apart from any DOM: the text of each field is
 * read by the parameter's type (the same conversion the CLI's `-p` uses),
 * with one message per field that says what is wrong in the user's terms.
 * A sweepable field may hold several values: a comma list, or a range
 * through `SweepSyntax.expandRange`.
 */
import { checkParameterValue, parseParameterValue, type JsonValue, type ParameterSpec, type ParamType } from '@ferry/core';

export interface FieldInput {
  text: string;
  /** The field holds several values (a sweep). */
  sweep: boolean;
}

export type FormInput = Record<string, FieldInput>;

/** How sweep text is read beyond comma lists; the range syntax plugs in here. */
export interface SweepSyntax {
  /**
   * Values of a range written in a field (e.g. `1..10:5`); undefined when the
   * text is not a range. A range that cannot be read throws: its message shows
   * under the field.
   */
  expandRange?(parameter: ParameterSpec, text: string): JsonValue[] | undefined;
}

export interface FieldResult {
  /** The value, or for a sweep its first value. */
  value?: JsonValue;
  sweep?: JsonValue[];
  error?: string;
}

export interface FormValidation {
  ok: boolean;
  values: Record<string, JsonValue>;
  sweep: Record<string, JsonValue[]>;
  errors: Record<string, string>;
  /** Runs the form asks for: the product of the sweeps' sizes. */
  runCount: number;
}

const EXPECTED: Record<ParamType, string> = {
  int: 'a whole number',
  float: 'a number',
  bool: 'true or false',
  str: 'text',
  list: 'a list, e.g. [1, 2]',
  dict: 'a dict, e.g. {"a": 1}',
  None: 'a value',
};

/** Types whose values can be listed with commas. */
const SWEEPABLE_TYPES: readonly ParamType[] = ['int', 'float', 'bool', 'str'];

export function canSweep(parameter: ParameterSpec, sweepable: readonly string[]): boolean {
  return sweepable.includes(parameter.name) && SWEEPABLE_TYPES.includes(parameter.type);
}

/** How a value reads in a field: as the user would type it. */
export function fieldText(value: JsonValue): string {
  if (value === null) return '';
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return JSON.stringify(value);
}

/** The fields as the form opens: the given values where there are some, else the defaults. */
export function initialInput(parameters: readonly ParameterSpec[], values: Record<string, JsonValue> = {}): FormInput {
  return Object.fromEntries(
    parameters.map((p) => [p.name, { text: fieldText(Object.hasOwn(values, p.name) ? values[p.name]! : p.default), sweep: false }]),
  );
}

export function validateField(parameter: ParameterSpec, input: FieldInput, syntax: SweepSyntax = {}): FieldResult {
  if (!input.sweep) {
    const parsed = parseOne(parameter, input.text);
    return 'error' in parsed ? { error: parsed.error } : { value: parsed.value };
  }
  const text = input.text.trim();
  if (!text) return { error: 'List one or more values, separated by commas.' };
  let range: JsonValue[] | undefined;
  try {
    range = syntax.expandRange?.(parameter, text);
  } catch (error) {
    return { error: error instanceof Error ? error.message : String(error) };
  }
  const values = range ? checkAll(parameter, range) : parseList(parameter, text);
  if ('error' in values) return { error: values.error };
  if (values.list.length === 0) return { error: 'The range has no values.' };
  const seen = new Set<string>();
  for (const value of values.list) {
    const key = JSON.stringify(value);
    if (seen.has(key)) return { error: `${fieldText(value)} is listed twice.` };
    seen.add(key);
  }
  return { value: values.list[0], sweep: values.list };
}

export function validateParameterForm(parameters: readonly ParameterSpec[], input: FormInput, syntax?: SweepSyntax): FormValidation {
  const result: FormValidation = { ok: true, values: {}, sweep: {}, errors: {}, runCount: 1 };
  for (const parameter of parameters) {
    const field = input[parameter.name] ?? { text: fieldText(parameter.default), sweep: false };
    const checked = validateField(parameter, field, syntax);
    if (checked.error !== undefined) {
      result.errors[parameter.name] = checked.error;
      result.ok = false;
      continue;
    }
    result.values[parameter.name] = checked.value!;
    if (checked.sweep) {
      result.sweep[parameter.name] = checked.sweep;
      result.runCount *= checked.sweep.length;
    }
  }
  return result;
}

type Parsed = { value: JsonValue } | { error: string };

function parseOne(parameter: ParameterSpec, text: string): Parsed {
  // An empty field means None where None is allowed, and the empty string for text.
  if (text.trim() === '' && parameter.type !== 'str') {
    return parameter.default === null ? { value: null } : { error: `Enter ${EXPECTED[parameter.type]}.` };
  }
  try {
    return { value: parseParameterValue(parameter, text) };
  } catch {
    return { error: `Expected ${EXPECTED[parameter.type]}, got ${quote(text)}.` };
  }
}

function parseList(parameter: ParameterSpec, text: string): { list: JsonValue[] } | { error: string } {
  const items = text.split(',').map((item) => item.trim());
  const list: JsonValue[] = [];
  for (const [i, item] of items.entries()) {
    if (!item) return { error: `Value ${i + 1} of ${items.length} is empty.` };
    const parsed = parseOne(parameter, item);
    if ('error' in parsed) return { error: `Value ${i + 1} of ${items.length}: expected ${EXPECTED[parameter.type]}, got ${quote(item)}.` };
    list.push(parsed.value);
  }
  return { list };
}

function checkAll(parameter: ParameterSpec, values: JsonValue[]): { list: JsonValue[] } | { error: string } {
  for (const value of values) {
    try {
      checkParameterValue(parameter, value);
    } catch {
      return { error: `The range gives ${fieldText(value)}, not ${EXPECTED[parameter.type]}.` };
    }
  }
  return { list: values };
}

function quote(text: string): string {
  return `'${text.length > 40 ? `${text.slice(0, 37)}...` : text}'`;
}
