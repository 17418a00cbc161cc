/** Provides IFerryClient: the typed client over the Jupyter server's `/ferry/api`. */
import type { JupyterFrontEnd, JupyterFrontEndPlugin } from '@jupyterlab/application';
import { createJupyterFerryClient } from '../client.js';
import { IFerryClient } from '../tokens.js';

export const clientPlugin: JupyterFrontEndPlugin<IFerryClient> = {
  id: '@ferry/jupyterlab:client',
  description: 'The Ferry API client, through the Jupyter server.',
  autoStart: true,
  provides: IFerryClient,
  activate: (app: JupyterFrontEnd) => createJupyterFerryClient(app.serviceManager.serverSettings),
};
