/**
 * A sweep's points: every combination of the axes' values (a grid, the last
 * axis varying fastest, like Python's itertools.product), or `sample` random
 * points drawn with a seeded generator, so the same seed draws the same
 * points. Everything is checked against the compiled parameters' types
 * before a single point exists: nothing is submitted for a bad sweep.
 */
import { FerryError } from '../errors.js';
import { checkParameterValue } from '../parameters/parameter-values.js';
import { resolveParameters } from '../parameters/resolve-parameters.js';
import { setOwn } from '../parameters/own-property.js';
import type { JsonValue, ParameterSpec, PipelineSpec } from '../spec.js';
import { seededRandom } from './random.js';
import { parseSweepArg } from './sweep-args.js';
import { MAX_SWEEP_POINTS, type SweepAxis, type SweepDefinition, type SweepRange } from './sweep.js';

export interface SweepPlan {
  /** The definition as run: axes typed, the seed of a sample filled in. */
  definition: SweepDefinition;
  /** Every parameter's value, per point, in point order. */
  points: Record<string, JsonValue>[];
}

export interface SweepRequestValues {
  /** Fixed values of parameters that are not swept (`-p`), typed or as text. */
  values?: Readonly<Record<string, JsonValue>>;
  /** `values` are text to convert by type (command line) rather than typed JSON (API). */
  fromStrings?: boolean;
  /** Typed axes (an IDE's form)... */
  axes?: readonly SweepAxis[];
  /** ...or `--sweep` arguments as typed (see sweep-args.ts). */
  axisStrings?: readonly string[];
  sample?: number;
  seed?: number;
  maxParallel?: number;
}

/** Checks a sweep request against the spec and expands it into its points. */
export function planSweep(spec: Pick<PipelineSpec, 'parameters'>, request: SweepRequestValues): SweepPlan {
  if (request.axes && request.axisStrings) {
    throw new FerryError('request', 'give axes or axisStrings, not both', { field: 'axes' });
  }
  const labels = request.axisStrings ? request.axisStrings.map((text) => `--sweep ${text}`) : (request.axes ?? []).map((_, index) => `axes[${index}]`);
  const axes = request.axisStrings ? request.axisStrings.map((text) => parseSweepArg(spec, text)) : [...(request.axes ?? [])];
  if (axes.length === 0) throw new FerryError('parameter', 'a sweep needs at least one swept parameter (--sweep NAME=VALUES)', { field: 'axes' });
  const given = request.values ?? {};
  const fixed = resolveParameters(spec, given, { fromStrings: request.fromStrings ?? false });

  const parameters = new Map(spec.parameters.map((parameter) => [parameter.name, parameter]));
  const typed = axes.map((axis, index) => checkAxis(axis, labels[index]!, parameters));
  typed.forEach((axis, index) => {
    if (typed.findIndex((other) => other.parameter === axis.parameter) !== index) {
      throw new FerryError('parameter', `${labels[index]}: parameter \`${axis.parameter}\` is swept twice`, { parameter: axis.parameter });
    }
    if (Object.hasOwn(given, axis.parameter)) {
      throw new FerryError('parameter', `${labels[index]}: parameter \`${axis.parameter}\` is both swept and given a fixed value (-p)`, { parameter: axis.parameter });
    }
  });

  const maxParallel = checkCount(request.maxParallel, 'maxParallel', '--max-parallel', Number.MAX_SAFE_INTEGER);
  const definition: SweepDefinition = { axes: typed, ...(maxParallel !== undefined && { maxParallel }) };
  let combinations: JsonValue[][];
  if (request.sample === undefined) {
    if (request.seed !== undefined) throw new FerryError('parameter', '--seed only applies to a random sample (--sample N)', { field: 'seed' });
    typed.forEach((axis, index) => {
      if ('range' in axis && axis.range.count === undefined) {
        throw new FerryError(
          'parameter',
          `${labels[index]}: a range in a grid needs its number of points (e.g. ${axis.parameter}=${axis.range.low}..${axis.range.high}${axis.range.scale === 'log' ? ':log' : ''}:4), or draw random points with --sample N`,
          { parameter: axis.parameter },
        );
      }
    });
    const size = typed.reduce((product, axis) => product * axisValues(axis, parameters.get(axis.parameter)!).length, 1);
    if (size > MAX_SWEEP_POINTS) {
      throw new FerryError('parameter', `the grid has ${size} points, more than the ${MAX_SWEEP_POINTS} a sweep may have; sweep fewer values or draw a --sample`, { field: 'axes' });
    }
    combinations = product(typed.map((axis) => axisValues(axis, parameters.get(axis.parameter)!)));
  } else {
    const sample = checkCount(request.sample, 'sample', '--sample', MAX_SWEEP_POINTS)!;
    const seed = request.seed ?? randomSeed();
    if (!Number.isInteger(seed) || seed < 0 || seed > 0xffffffff) {
      throw new FerryError('parameter', `--seed must be a whole number from 0 to ${0xffffffff}, got ${seed}`, { field: 'seed' });
    }
    const random = seededRandom(seed);
    // Per point, one draw per axis in axis order: the documented order that makes a seed reproducible.
    combinations = Array.from({ length: sample }, () => typed.map((axis) => draw(axis, parameters.get(axis.parameter)!, random)));
    Object.assign(definition, { sample, seed });
  }

  const points = combinations.map((values) => {
    const point = { ...fixed };
    typed.forEach((axis, index) => setOwn(point, axis.parameter, values[index]!));
    return point;
  });
  return { definition, points };
}

/** The axis with its values checked against the parameter's type, or its range against the parameter's kind. */
function checkAxis(axis: SweepAxis, label: string, parameters: Map<string, ParameterSpec>): SweepAxis {
  const parameter = parameters.get(axis.parameter);
  if (!parameter) {
    const known = parameters.size ? [...parameters.keys()].join(', ') : 'none (no parameters cell)';
    throw new FerryError('parameter', `${label}: unknown parameter \`${axis.parameter}\`; known parameters: ${known}`, { parameter: axis.parameter });
  }
  const fail = (message: string): never => {
    throw new FerryError('parameter', `${label}: ${message}`, { parameter: parameter.name, cell: parameter.cell, line: parameter.line });
  };
  if ('values' in axis) {
    if (!Array.isArray(axis.values) || axis.values.length === 0) fail(`no values for parameter \`${parameter.name}\``);
    for (const value of axis.values) {
      try {
        checkParameterValue(parameter, value);
      } catch (error) {
        if (error instanceof FerryError) fail(error.message);
        throw error;
      }
    }
    return { parameter: parameter.name, values: [...axis.values] };
  }
  if (typeof axis.range !== 'object' || axis.range === null) fail('an axis has `values` (a list) or a `range` ({low, high, scale, count})');
  const { low, high, scale = 'linear', count } = axis.range;
  if (parameter.type !== 'int' && parameter.type !== 'float') {
    fail(`a range needs an int or float parameter; \`${parameter.name}\` is ${parameter.type} (list its values instead: ${parameter.name}=A,B,C)`);
  }
  if (!Number.isFinite(low) || !Number.isFinite(high)) fail('the range bounds must be finite numbers');
  if (low > high) fail(`the range goes from ${low} down to ${high}; write it LOW..HIGH`);
  if (parameter.type === 'int' && (!Number.isSafeInteger(low) || !Number.isSafeInteger(high))) {
    fail(`parameter \`${parameter.name}\` expects int, so the range bounds must be whole numbers, got ${low}..${high}`);
  }
  if (scale !== 'linear' && scale !== 'log') fail(`a range's scale is linear or log, got ${JSON.stringify(scale)}`);
  if (scale === 'log' && low <= 0) fail(`a log range needs bounds above 0, got ${low}..${high}`);
  if (count !== undefined && (!Number.isInteger(count) || count < 1 || count > MAX_SWEEP_POINTS)) {
    fail(`the number of grid points must be a whole number from 1 to ${MAX_SWEEP_POINTS}, got ${count}`);
  }
  const range: SweepRange = { low, high, scale, ...(count !== undefined && { count }) };
  return { parameter: parameter.name, range };
}

/** The values of an axis in a grid: its list, or its range's evenly (or geometrically) spaced points, deduplicated for ints. */
function axisValues(axis: SweepAxis, parameter: ParameterSpec): JsonValue[] {
  if ('values' in axis) return axis.values;
  const { low, high, scale, count = 1 } = axis.range;
  const values = Array.from({ length: count }, (_, i) => {
    const t = count === 1 ? 0 : i / (count - 1);
    return scale === 'log' ? Math.exp(Math.log(low) + t * (Math.log(high) - Math.log(low))) : low + t * (high - low);
  });
  if (parameter.type === 'int') return [...new Set(values.map((value) => Math.round(value)))];
  // The ends exactly as given; float noise (0.30000000000000004) trimmed in between.
  return values.map((value, i) => (i === 0 ? low : i === count - 1 ? high : tidy(value)));
}

function draw(axis: SweepAxis, parameter: ParameterSpec, random: () => number): JsonValue {
  if ('values' in axis || axis.range.count !== undefined) {
    const values = axisValues(axis, parameter);
    return values[Math.floor(random() * values.length)]!;
  }
  const { low, high, scale } = axis.range;
  const u = random();
  if (parameter.type === 'int') {
    // Whole numbers from low to high, both included: uniform, or log-uniform over [low, high + 1).
    const value = scale === 'log' ? Math.floor(Math.exp(Math.log(low) + u * (Math.log(high + 1) - Math.log(low)))) : low + Math.floor(u * (high - low + 1));
    return Math.min(high, Math.max(low, value));
  }
  return tidy(scale === 'log' ? Math.exp(Math.log(low) + u * (Math.log(high) - Math.log(low))) : low + u * (high - low));
}

/** Every combination, the last list varying fastest. */
function product(lists: JsonValue[][]): JsonValue[][] {
  return lists.reduce<JsonValue[][]>((combinations, list) => combinations.flatMap((prefix) => list.map((value) => [...prefix, value])), [[]]);
}

function tidy(value: number): number {
  return Number(value.toPrecision(12));
}

function checkCount(value: number | undefined, field: string, flag: string, max: number): number | undefined {
  if (value === undefined) return undefined;
  if (!Number.isInteger(value) || value < 1 || value > max) {
    const range = max === Number.MAX_SAFE_INTEGER ? 'at least 1' : `from 1 to ${max}`;
    throw new FerryError('parameter', `${flag} must be a whole number ${range}, got ${String(value)}`, { field });
  }
  return value;
}

function randomSeed(): number {
  return globalThis.crypto.getRandomValues(new Uint32Array(1))[0]!;
}
