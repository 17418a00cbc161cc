/** The HTTP API over one RunEngine. Loopback only; every request needs the token. */
import { createServer, type Server } from 'node:http';
import { FerryError } from '@ferry/core';
import type { RunEngine } from '@ferry/core/node';
import { checkToken } from './http/auth.js';
import { sendError } from './http/respond.js';
import { Router } from './http/router.js';
import { registerCompareRoutes } from './routes/compare.js';
import { registerCompileRoutes } from './routes/compile.js';
import { registerEventRoutes } from './routes/events.js';
import { registerLogRoutes } from './routes/logs.js';
import { registerMetricRoutes } from './routes/metrics.js';
import { registerNotebookRoutes } from './routes/notebooks.js';
import { registerPromptRoutes } from './routes/prompts.js';
import { registerRunRoutes } from './routes/runs.js';
import { registerSweepRoutes } from './routes/sweeps.js';
import { registerTargetRoutes } from './routes/targets.js';

export interface AppOptions {
  engine: RunEngine;
  token: string;
  version: string;
}

export function createApp({ engine, token, version }: AppOptions): Server {
  const context = { engine, version };
  const router = new Router();
  registerTargetRoutes(router, context);
  registerCompileRoutes(router);
  registerRunRoutes(router, context);
  registerSweepRoutes(router, context);
  registerLogRoutes(router, context);
  registerMetricRoutes(router, context);
  registerNotebookRoutes(router, context);
  registerCompareRoutes(router, context);
  registerEventRoutes(router, context);
  registerPromptRoutes(router, context);

  return createServer(async (req, res) => {
    try {
      const url = new URL(req.url ?? '/', 'http://localhost');
      checkToken(req, token);
      const route = router.match(req.method ?? 'GET', url.pathname);
      if (route === 'not-found') throw new FerryError('not-found', `no such endpoint: ${url.pathname}`);
      if (route === 'method') throw new FerryError('request', `${req.method} is not allowed on ${url.pathname}`);
      await route.handler({ req, res, params: route.params, query: url.searchParams });
    } catch (error) {
      sendError(res, error);
    }
  });
}
