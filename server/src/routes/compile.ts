import { isAbsolute } from 'node:path';
import { FerryError, compileNotebookText, type PipelineSpec } from '@ferry/core';
import { compileNotebookFile } from '@ferry/core/node';
import type { Router } from '../http/router.js';
import { readJson, sendJson } from '../http/respond.js';

export function registerCompileRoutes(router: Router): void {
  router.on('POST', '/api/compile', async ({ req, res }) => {
    const body = await readJson(req);
    let spec: PipelineSpec;
    if (body.notebook !== undefined) {
      const fileName = typeof body.fileName === 'string' ? body.fileName : 'notebook.ipynb';
      spec = compileNotebookText(JSON.stringify(body.notebook), fileName);
    } else {
      spec = await compileNotebookFile(notebookPathOf(body));
    }
    sendJson(res, 200, { spec });
  });
}

/** The notebook is read by the server, so the path must be absolute on its machine. */
export function notebookPathOf(body: Record<string, unknown>): string {
  const path = body.notebookPath;
  if (typeof path !== 'string' || !isAbsolute(path)) {
    throw new FerryError('request', 'notebookPath must be an absolute path to a .ipynb file', { field: 'notebookPath' });
  }
  return path;
}
