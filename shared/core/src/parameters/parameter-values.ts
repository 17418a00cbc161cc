/**
 * User-given parameter values, checked against the parameter's declared
 * type. Strings (command line, form fields) are converted the way a user
 * would expect from the Python default; JSON values (API) are checked as
 * they are. Values stay data: nothing here produces or runs source code.
 */

import { FerryError } from '../errors.js';
import { parsePythonLiteral } from '../python/literal.js';
import type { JsonValue, ParameterSpec, ParamType } from '../spec.js';

/** A value typed as text, converted to the parameter's type. */
export function parseParameterValue(parameter: ParameterSpec, text: string): JsonValue {
  const fail = (): never => {
    throw typeError(parameter, text);
  };
  // A parameter whose default is None can be given None back.
  if (parameter.default === null && (text === 'None' || text === 'null')) return null;
  switch (parameter.type) {
    case 'str':
      return text;
    case 'int': {
      const digits = text.trim().replaceAll('_', '');
      const value = /^[+-]?\d+$/.test(digits) ? Number(digits) : NaN;
      return Number.isSafeInteger(value) ? value : fail();
    }
    case 'float': {
      const digits = text.trim().replaceAll('_', '');
      // Decimal notation only: `inf`, `nan` and `0x10` have no place in JSON or in a float form field.
      const value = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/.test(digits) ? Number(digits) : NaN;
      return Number.isFinite(value) ? value : fail();
    }
    case 'bool': {
      const word = text.trim().toLowerCase();
      if (['true', '1', 'yes'].includes(word)) return true;
      if (['false', '0', 'no'].includes(word)) return false;
      return fail();
    }
    case 'list':
    case 'dict': {
      const value = parseStructured(text);
      return value !== undefined && typeOfValue(value) === parameter.type ? value : fail();
    }
    case 'None': {
      // No type to go by: structured if it parses as such, else the text itself.
      const value = parseStructured(text);
      return value === undefined ? text : value;
    }
  }
}

/** A JSON value (from the API) checked against the parameter's type. */
export function checkParameterValue(parameter: ParameterSpec, value: JsonValue): JsonValue {
  if (value === null && parameter.default === null) return value;
  const ok = (() => {
    switch (parameter.type) {
      case 'int':
        return typeof value === 'number' && Number.isSafeInteger(value);
      case 'float':
        return typeof value === 'number' && Number.isFinite(value);
      case 'None':
        return true;
      default:
        return typeOfValue(value) === parameter.type;
    }
  })();
  if (!ok) throw typeError(parameter, value);
  return value;
}

/** JSON first (what tools write), then Python literal notation (what notebook users write). */
function parseStructured(text: string): JsonValue | undefined {
  try {
    return JSON.parse(text) as JsonValue;
  } catch {
    return parsePythonLiteral(text)?.value;
  }
}

function typeOfValue(value: JsonValue): ParamType {
  if (value === null) return 'None';
  if (Array.isArray(value)) return 'list';
  switch (typeof value) {
    case 'boolean':
      return 'bool';
    case 'string':
      return 'str';
    case 'number':
      return Number.isInteger(value) ? 'int' : 'float';
    default:
      return 'dict';
  }
}

function typeError(parameter: ParameterSpec, value: JsonValue): FerryError {
  return new FerryError('parameter', `parameter \`${parameter.name}\` expects ${parameter.type}, got ${show(value)}`, {
    parameter: parameter.name,
    cell: parameter.cell,
    line: parameter.line,
  });
}

function show(value: JsonValue): string {
  const text = typeof value === 'string' ? `'${value}'` : JSON.stringify(value);
  return text.length > 80 ? `${text.slice(0, 77)}...` : text;
}
