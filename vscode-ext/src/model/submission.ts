/**
 * What the parameter form's submission asks the server for: one run with the
 * typed values, or, when some parameters hold several values, a sweep (the
 * grid of every combination) with the other parameters fixed. Server
 * refusals map back onto the form's fields.
 */
import { isFerryError, formatError, type JsonValue, type SubmitRequest, type SweepSubmitRequest } from '@ferry/core';

export type Submission =
  | { kind: 'run'; request: SubmitRequest }
  | { kind: 'sweep'; request: SweepSubmitRequest; runCount: number };

export function submissionOf(
  base: { notebookPath: string; target: string },
  values: Readonly<Record<string, JsonValue>>,
  sweep: Readonly<Record<string, readonly JsonValue[]>>,
): Submission {
  const swept = Object.entries(sweep).filter(([, list]) => list.length > 0);
  if (swept.length === 0) return { kind: 'run', request: { ...base, parameters: { ...values } } };
  const sweptNames = new Set(swept.map(([name]) => name));
  // A swept parameter must not also be given a fixed value: the server refuses both at once.
  const fixed = Object.fromEntries(Object.entries(values).filter(([name]) => !sweptNames.has(name)));
  return {
    kind: 'sweep',
    request: { ...base, parameters: fixed, axes: swept.map(([parameter, list]) => ({ parameter, values: [...list] })) },
    runCount: swept.reduce((count, [, list]) => count * list.length, 1),
  };
}

/** A refusal as the form shows it: the message on top, and under the parameter's field when the error names one. */
export function rejectionOf(error: unknown): { message: string; errors?: Record<string, string> } {
  if (!isFerryError(error)) return { message: (error as Error).message };
  const parameter = error.location?.parameter;
  return parameter ? { message: formatError(error), errors: Object.fromEntries([[parameter, error.message]]) } : { message: formatError(error) };
}
