import { API_VERSION } from '@ferry/core';
import type { Router } from '../http/router.js';
import { sendJson } from '../http/respond.js';
import type { ServerContext } from './context.js';

export function registerTargetRoutes(router: Router, { engine, version }: ServerContext): void {
  router.on('GET', '/api/health', ({ res }) =>
    sendJson(res, 200, { ok: true, apiVersion: API_VERSION, version, pid: process.pid }),
  );
  router.on('GET', '/api/targets', ({ res }) => sendJson(res, 200, { targets: engine.targets() }));
  router.on('POST', '/api/targets/:name/test', async ({ res, params }) => sendJson(res, 200, await engine.testTarget(params.name!)));
}
