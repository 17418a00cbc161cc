import { FerryError, resolveParameters, type JsonValue, type StepMode } from '@ferry/core';
import { compileNotebookFile } from '@ferry/core/node';
import type { Router } from '../http/router.js';
import { intParam, readJson, sendJson } from '../http/respond.js';
import { notebookPathOf } from './compile.js';
import type { ServerContext } from './context.js';

const MODES: readonly StepMode[] = ['script', 'notebook'];

export function registerRunRoutes(router: Router, { engine }: ServerContext): void {
  router.on('POST', '/api/runs', async ({ req, res }) => {
    const { values, fromStrings, ...input } = await submissionOf(await readJson(req));
    const parameters = resolveParameters(input.spec, values, { fromStrings });
    const run = await engine.submit({ ...input, parameters });
    sendJson(res, 201, { run: await engine.getRunWithSpec(run.id) });
  });

  router.on('GET', '/api/runs', async ({ res, query }) => {
    const limit = intParam(query, 'limit', 100, { min: 1 });
    const sweepId = query.get('sweep') || undefined;
    sendJson(res, 200, { runs: await engine.listRuns({ limit, ...(sweepId && { sweepId }) }) });
  });

  router.on('GET', '/api/runs/:id', async ({ res, params }) => {
    sendJson(res, 200, { run: await engine.getRunWithSpec(params.id!) });
  });

  router.on('POST', '/api/runs/:id/cancel', async ({ res, params }) => {
    await engine.cancel(params.id!);
    sendJson(res, 200, { run: await engine.getRunWithSpec(params.id!) });
  });
}

/** What a run and a sweep are submitted with (SubmitRequest): the notebook compiled, the target, the mode, the given values. */
export async function submissionOf(body: Record<string, unknown>) {
  const notebookPath = notebookPathOf(body);
  const target = optionalString(body, 'target') ?? 'local';
  const mode = (optionalString(body, 'mode') ?? 'script') as StepMode;
  if (!MODES.includes(mode)) {
    throw new FerryError('request', `mode must be one of ${MODES.join(', ')}, got '${mode}'`, { field: 'mode' });
  }
  const typed = optionalObject(body, 'parameters');
  const strings = optionalObject(body, 'parameterStrings');
  if (typed && strings) {
    throw new FerryError('request', 'give parameters or parameterStrings, not both', { field: 'parameters' });
  }
  // Everything is checked before anything is staged: a bad value runs nothing.
  const spec = await compileNotebookFile(notebookPath);
  return { notebookPath, target, mode, spec, values: (strings ?? typed ?? {}) as Record<string, JsonValue>, fromStrings: strings !== undefined };
}

export function optionalString(body: Record<string, unknown>, field: string): string | undefined {
  const value = body[field];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string') throw new FerryError('request', `${field} must be a string`, { field });
  return value;
}

function optionalObject(body: Record<string, unknown>, field: string): Record<string, unknown> | undefined {
  const value = body[field];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'object' || Array.isArray(value)) {
    throw new FerryError('request', `${field} must be an object of name → value`, { field });
  }
  if (field === 'parameterStrings' && Object.values(value).some((v) => typeof v !== 'string')) {
    throw new FerryError('request', 'parameterStrings values must be strings', { field });
  }
  return value as Record<string, unknown>;
}
