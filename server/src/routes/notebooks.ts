import type { Router } from '../http/router.js';
import type { ServerContext } from './context.js';

/** The executed notebook of a notebook-mode step, as the runtime saved it, from the run's target (local or remote alike). */
export function registerNotebookRoutes(router: Router, { engine }: ServerContext): void {
  router.on('GET', '/api/runs/:id/steps/:step/notebook', async ({ res, params }) => {
    const notebook = await engine.readExecutedNotebook(params.id!, params.step!);
    res.writeHead(200, {
      'content-type': 'application/x-ipynb+json; charset=utf-8',
      'content-length': notebook.length,
      'content-disposition': `attachment; filename="${params.step!}.executed.ipynb"`,
      'cache-control': 'no-store',
    });
    res.end(notebook);
  });
}
