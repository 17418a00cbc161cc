/** Sweeps: the pipeline once per point of a grid or a random sample; each point is a run (see runs.ts). */
import { FerryError, planSweep, type SweepAxis } from '@ferry/core';
import type { Router } from '../http/router.js';
import { intParam, readJson, sendJson } from '../http/respond.js';
import type { ServerContext } from './context.js';
import { submissionOf } from './runs.js';

export function registerSweepRoutes(router: Router, { engine }: ServerContext): void {
  router.on('POST', '/api/sweeps', async ({ req, res }) => {
    const body = await readJson(req);
    const { values, fromStrings, ...input } = await submissionOf(body);
    // Every point is checked against the parameters' types before anything is staged.
    const { definition, points } = planSweep(input.spec, {
      values,
      fromStrings,
      ...optionalArray(body, 'axes', (item) => typeof item === 'object' && item !== null && !Array.isArray(item), 'objects'),
      ...optionalArray(body, 'axisStrings', (item) => typeof item === 'string', 'strings'),
      ...optionalInteger(body, 'sample'),
      ...optionalInteger(body, 'seed'),
      ...optionalInteger(body, 'maxParallel'),
    });
    sendJson(res, 201, await engine.submitSweep({ ...input, definition, points }));
  });

  router.on('GET', '/api/sweeps', async ({ res, query }) => {
    sendJson(res, 200, { sweeps: await engine.listSweeps({ limit: intParam(query, 'limit', 100, { min: 1 }) }) });
  });

  router.on('GET', '/api/sweeps/:id', async ({ res, params }) => {
    sendJson(res, 200, await engine.getSweep(params.id!));
  });

  router.on('POST', '/api/sweeps/:id/cancel', async ({ res, params }) => {
    sendJson(res, 200, await engine.cancelSweep(params.id!));
  });
}

function optionalArray<K extends 'axes' | 'axisStrings'>(body: Record<string, unknown>, field: K, ok: (item: unknown) => boolean, what: string) {
  const value = body[field];
  if (value === undefined || value === null) return {};
  if (!Array.isArray(value) || !value.every(ok)) throw new FerryError('request', `${field} must be an array of ${what}`, { field });
  return { [field]: value } as K extends 'axes' ? { axes: SweepAxis[] } : { axisStrings: string[] };
}

function optionalInteger(body: Record<string, unknown>, field: 'sample' | 'seed' | 'maxParallel') {
  const value = body[field];
  if (value === undefined || value === null) return {};
  if (typeof value !== 'number') throw new FerryError('request', `${field} must be a number`, { field });
  return { [field]: value };
}
