/**
 * The checks every target's part of the config file shares: each failure is
 * a 'request' error that names the file and the field (`targets.hpc.port`),
 * so formatError prints where to look before what is wrong.
 */
import { FerryError } from '../errors.js';

export type RawObject = Record<string, unknown>;

export function stringList(value: unknown, file: string, field: string, message: string): string[] {
  if (value === undefined) return [];
  if (!Array.isArray(value) || !value.every((item) => typeof item === 'string' && !item.includes('\0'))) fail(file, field, message);
  return value as string[];
}

export function rejectUnknownKeys(raw: RawObject, valid: readonly string[], name: string, field: string, file: string): void {
  for (const key of Object.keys(raw)) {
    if (!valid.includes(key)) {
      fail(file, `${field}.${key}`, `target "${name}" (type ${String(raw.type)}): unknown key "${key}"; valid keys: ${valid.join(', ')}`);
    }
  }
}

export function expectObject(value: unknown, file: string, field: string, message: string): RawObject {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) fail(file, field, message);
  return value as RawObject;
}

export function fail(file: string, field: string, message: string): never {
  // The file travels in the location, so formatError prints it once, in front.
  throw new FerryError('request', message, field ? { file, field } : { file });
}
