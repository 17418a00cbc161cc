/**
 * Typed errors. Every failure a user can cause carries a category (what kind
 * of problem) and a location (where: file, cell, line, field, step,
 * parameter), travels as JSON over the API, and maps to one HTTP status.
 */

export type ErrorCategory =
  /** The notebook file is missing, not JSON, or not nbformat v4. */
  | 'notebook'
  /** A cell tag is unknown or malformed. */
  | 'tag'
  /** A parameter default or a user-given value is invalid. */
  | 'parameter'
  /** The step graph is wrong: cycle, unknown step, duplicate name, bad data flow. */
  | 'pipeline'
  /** An API request is malformed. */
  | 'request'
  /** Missing or wrong token. */
  | 'auth'
  /** A run, step, target or file that does not exist. */
  | 'not-found'
  /** The request conflicts with the current state (e.g. cancelling a finished run). */
  | 'conflict'
  /** A target could not be reached or refused the work. */
  | 'target'
  | 'internal';

export interface ErrorLocation {
  file?: string;
  /** Index in the notebook's `cells` array. */
  cell?: number;
  /** 1-based line within the cell. */
  line?: number;
  /** JSON path of the offending field, e.g. `cells[3].metadata.tags`. */
  field?: string;
  step?: string;
  parameter?: string;
}

export interface FerryErrorJson {
  category: ErrorCategory;
  message: string;
  location?: ErrorLocation;
}

export class FerryError extends Error {
  override readonly name = 'FerryError';
  constructor(
    readonly category: ErrorCategory,
    message: string,
    readonly location?: ErrorLocation,
  ) {
    super(message);
  }

  toJSON(): FerryErrorJson {
    return this.location
      ? { category: this.category, message: this.message, location: this.location }
      : { category: this.category, message: this.message };
  }

  static fromJSON(json: FerryErrorJson): FerryError {
    return new FerryError(json.category, json.message, json.location);
  }
}

export function isFerryError(value: unknown): value is FerryError {
  return value instanceof FerryError;
}

const HTTP_STATUS: Record<ErrorCategory, number> = {
  notebook: 422,
  tag: 422,
  parameter: 422,
  pipeline: 422,
  request: 400,
  auth: 401,
  'not-found': 404,
  conflict: 409,
  target: 502,
  internal: 500,
};

export function httpStatusFor(category: ErrorCategory): number {
  return HTTP_STATUS[category];
}

/** "train.ipynb, cell 3, line 2: message" — how errors read in a terminal. */
export function formatError(error: FerryErrorJson): string {
  const where: string[] = [];
  const loc = error.location;
  if (loc?.file) where.push(loc.file);
  if (loc?.cell !== undefined) where.push(`cell ${loc.cell}`);
  if (loc?.line !== undefined) where.push(`line ${loc.line}`);
  if (loc?.field) where.push(loc.field);
  if (loc?.step) where.push(`step ${loc.step}`);
  if (loc?.parameter) where.push(`parameter ${loc.parameter}`);
  return where.length ? `${where.join(', ')}: ${error.message}` : error.message;
}
