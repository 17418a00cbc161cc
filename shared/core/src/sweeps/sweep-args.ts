/**
 * `--sweep` arguments as typed on a command line, turned into typed axes
 * against the compiled parameters:
 *
 *   NAME=V1,V2,...             the values NAME takes (any parameter type);
 *                              commas inside [], {}, () or quotes do not split
 *   NAME=LOW..HIGH             a range of an int or float parameter, for --sample
 *   NAME=LOW..HIGH:N           N evenly spaced grid points, both ends included
 *   NAME=LOW..HIGH:log[:N]     log scale: log-uniform draws, or N geometric points
 *
 * Whether `..` means a range depends on the parameter's type, so a str
 * parameter can still take `../data` as a value. Every error names the
 * argument it comes from.
 */
import { FerryError } from '../errors.js';
import { parsePythonLiteral } from '../python/literal.js';
import { parseParameterValue } from '../parameters/parameter-values.js';
import type { JsonValue, ParameterSpec, PipelineSpec } from '../spec.js';
import type { SweepAxis, SweepRange } from './sweep.js';

const PARAMETER_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
const NUMBER = /^[+-]?(?:\d[\d_]*\.?[\d_]*|\.\d[\d_]*)(?:[eE][+-]?\d+)?$/;

/** One `--sweep NAME=...` argument as an axis of the spec's parameter NAME, its values converted by type. */
export function parseSweepArg(spec: Pick<PipelineSpec, 'parameters'>, text: string): SweepAxis {
  const equals = text.indexOf('=');
  const name = (equals < 0 ? text : text.slice(0, equals)).trim();
  if (equals < 0 || !PARAMETER_NAME.test(name)) {
    throw argError(text, 'expected NAME=VALUES (e.g. lr=0.1,0.01 or lr=1e-4..1e-1:log)', PARAMETER_NAME.test(name) ? { parameter: name } : undefined);
  }
  const parameter = spec.parameters.find((candidate) => candidate.name === name);
  if (!parameter) {
    const known = spec.parameters.length ? spec.parameters.map((p) => p.name).join(', ') : 'none (no parameters cell)';
    throw argError(text, `unknown parameter \`${name}\`; known parameters: ${known}`, { parameter: name });
  }
  const body = text.slice(equals + 1).trim();
  if (body === '') throw argError(text, 'no values after `=`', locationOf(parameter));
  const numeric = parameter.type === 'int' || parameter.type === 'float';
  if (numeric && body.includes('..') && !body.includes(',')) return { parameter: name, range: parseRange(text, parameter, body) };
  return { parameter: name, values: splitValues(text, parameter, body).map((item) => valueOf(text, parameter, item)) };
}

function parseRange(text: string, parameter: ParameterSpec, body: string): SweepRange {
  const dots = body.indexOf('..');
  const [highText = '', ...modifiers] = body.slice(dots + 2).split(':');
  const lowText = body.slice(0, dots);
  if (!NUMBER.test(lowText.trim()) || !NUMBER.test(highText.trim())) {
    throw argError(text, 'a range is LOW..HIGH with numbers on both sides, optionally followed by :log and :N (grid points)', locationOf(parameter));
  }
  const range: SweepRange = { low: Number(lowText.replaceAll('_', '')), high: Number(highText.replaceAll('_', '')), scale: 'linear' };
  const seen = new Set<string>();
  for (const modifier of modifiers.map((m) => m.trim())) {
    const kind = modifier === 'log' ? 'log' : 'count';
    if (seen.has(kind)) throw argError(text, `the range has two ${kind === 'log' ? ':log' : ':N'} suffixes`, locationOf(parameter));
    seen.add(kind);
    if (kind === 'log') range.scale = 'log';
    else if (/^\d+$/.test(modifier) && Number(modifier) >= 1) range.count = Number(modifier);
    else throw argError(text, `\`:${modifier}\` after the range is neither :log nor a number of grid points (:N, N ≥ 1)`, locationOf(parameter));
  }
  return range;
}

const CLOSERS: Record<string, string> = { '[': ']', '{': '}', '(': ')' };

/** The values, split at commas outside brackets and quotes. */
function splitValues(text: string, parameter: ParameterSpec, body: string): string[] {
  const items: string[] = [];
  const open: string[] = [];
  let quote: string | undefined;
  let start = 0;
  for (let i = 0; i < body.length; i++) {
    const char = body[i]!;
    if (quote) {
      if (char === '\\') i++;
      else if (char === quote) quote = undefined;
    } else if (char === '"' || char === "'") quote = char;
    else if (CLOSERS[char]) open.push(char);
    else if (open.length > 0 && char === CLOSERS[open[open.length - 1]!]) open.pop();
    else if (char === ',' && open.length === 0) {
      items.push(body.slice(start, i));
      start = i + 1;
    }
  }
  const unclosed = quote ?? open.pop();
  if (unclosed) throw argError(text, `unclosed ${unclosed} in the values`, locationOf(parameter));
  items.push(body.slice(start));
  const empty = items.findIndex((item) => item.trim() === '');
  if (empty >= 0) throw argError(text, `value ${empty + 1} of ${items.length} is empty`, locationOf(parameter));
  return items.map((item) => item.trim());
}

function valueOf(text: string, parameter: ParameterSpec, item: string): JsonValue {
  // A quoted value of a str parameter is a string literal: it may hold commas.
  if (parameter.type === 'str' && /^(['"]).*\1$/s.test(item)) {
    const literal = parsePythonLiteral(item);
    if (literal && typeof literal.value === 'string') return literal.value;
  }
  try {
    return parseParameterValue(parameter, item);
  } catch (error) {
    if (error instanceof FerryError) throw argError(text, error.message, error.location);
    throw error;
  }
}

function locationOf(parameter: ParameterSpec): FerryError['location'] {
  return { parameter: parameter.name, cell: parameter.cell, line: parameter.line };
}

function argError(text: string, message: string, location?: FerryError['location']): FerryError {
  return new FerryError('parameter', `--sweep ${text}: ${message}`, location);
}
