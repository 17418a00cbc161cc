/**
 * The one config file every client shares (`<home>/config.json`): the targets
 * a user can run on. Strict on purpose: a misspelt key is an error that names
 * the file, the target and the key, and lists the keys that are valid, rather
 * than a setting silently ignored.
 */
import { readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { FerryError } from '../errors.js';
import type { FerryPaths } from './paths.js';

export interface LocalTargetConfig {
  type: 'local';
  /** The Python that runs steps: `$FERRY_PYTHON`, else `python3`. */
  python: string;
  /** Steps this target runs at once; the rest wait as 'queued'. Default: the number of CPUs. */
  maxParallel: number;
}

/** Slurm and Kubernetes join this union when their targets land. */
export type TargetConfig = LocalTargetConfig;

export interface FerryConfig {
  /** Always has a `local` target. */
  targets: Record<string, TargetConfig>;
}

type Env = Record<string, string | undefined>;
type RawObject = Record<string, unknown>;

const LOCAL_KEYS = ['type', 'python', 'maxParallel'] as const;
const TARGET_TYPES: readonly string[] = ['local'];

/** Reads `paths.configFile`; a missing file means the defaults (one `local` target). */
export function loadConfig(paths: Pick<FerryPaths, 'configFile'>, env: Env = process.env): FerryConfig {
  const file = paths.configFile;
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return parseConfig({}, file, env);
    throw new FerryError('request', `cannot read the config file: ${(error as Error).message}`, { file });
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (error) {
    throw new FerryError('request', `the config file is not valid JSON: ${(error as Error).message}`, { file });
  }
  return parseConfig(raw, file, env);
}

/** Validates an already-parsed config object; `file` is only used in messages. */
export function parseConfig(raw: unknown, file: string, env: Env = process.env): FerryConfig {
  const root = expectObject(raw, file, '', 'the config file must hold a JSON object');
  for (const key of Object.keys(root)) {
    if (key !== 'targets') fail(file, key, `unknown key "${key}"; valid keys: targets`);
  }
  const rawTargets = root.targets === undefined ? {} : expectObject(root.targets, file, 'targets', '"targets" must be an object of named targets');
  const targets: Record<string, TargetConfig> = {};
  for (const [name, value] of Object.entries(rawTargets)) {
    targets[name] = parseTarget(name, value, file, env);
  }
  targets.local ??= parseTarget('local', { type: 'local' }, file, env);
  return { targets };
}

function parseTarget(name: string, value: unknown, file: string, env: Env): TargetConfig {
  const field = `targets.${name}`;
  const raw = expectObject(value, file, field, `target "${name}" must be an object`);
  if (typeof raw.type !== 'string' || !TARGET_TYPES.includes(raw.type)) {
    fail(file, `${field}.type`, `target "${name}": unknown type ${JSON.stringify(raw.type)}; valid types: ${TARGET_TYPES.join(', ')}`);
  }
  rejectUnknownKeys(raw, LOCAL_KEYS, name, field, file);
  const python = raw.python ?? (env.FERRY_PYTHON || 'python3');
  if (typeof python !== 'string' || python === '') {
    fail(file, `${field}.python`, `target "${name}": "python" must be a non-empty string (a command or a path)`);
  }
  const maxParallel = raw.maxParallel ?? Math.max(1, availableParallelism());
  if (typeof maxParallel !== 'number' || !Number.isInteger(maxParallel) || maxParallel < 1) {
    fail(file, `${field}.maxParallel`, `target "${name}": "maxParallel" must be a whole number ≥ 1, not ${JSON.stringify(maxParallel)}`);
  }
  return { type: 'local', python, maxParallel };
}

function rejectUnknownKeys(raw: RawObject, valid: readonly string[], name: string, field: string, file: string): void {
  for (const key of Object.keys(raw)) {
    if (!valid.includes(key)) {
      fail(file, `${field}.${key}`, `target "${name}" (type ${String(raw.type)}): unknown key "${key}"; valid keys: ${valid.join(', ')}`);
    }
  }
}

function expectObject(value: unknown, file: string, field: string, message: string): RawObject {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) fail(file, field, message);
  return value as RawObject;
}

function fail(file: string, field: string, message: string): never {
  // The file travels in the location, so formatError prints it once, in front.
  throw new FerryError('request', message, field ? { file, field } : { file });
}
