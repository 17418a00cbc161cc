/** The extension points other plugins (and other extensions) depend on. */
import type { FerryClient } from '@ferry/core';
import { Token } from '@lumino/coreutils';
import type { RunsModel } from './models/runs-model.js';

/** The typed client of the user's Ferry server, reached through the Jupyter server's `/ferry/api`. */
export type IFerryClient = FerryClient;
export const IFerryClient = new Token<IFerryClient>(
  '@ferry/jupyterlab:IFerryClient',
  'The typed Ferry API client; every request goes through the Jupyter server with Jupyter auth.',
);

/** Every run the server knows, kept live from its event stream, and the selected one. */
export type IRunsModel = RunsModel;
export const IRunsModel = new Token<IRunsModel>(
  '@ferry/jupyterlab:IRunsModel',
  'The live list of Ferry runs and the selection shared by the side panel and the commands.',
);
