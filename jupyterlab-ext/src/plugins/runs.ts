/** Provides IRunsModel: the live list of runs, connected once for every view. */
import type { JupyterFrontEnd, JupyterFrontEndPlugin } from '@jupyterlab/application';
import { ISettingRegistry } from '@jupyterlab/settingregistry';
import { RunsModel } from '../models/runs-model.js';
import { IFerryClient, IRunsModel } from '../tokens.js';

export const runsPlugin: JupyterFrontEndPlugin<IRunsModel> = {
  id: '@ferry/jupyterlab:runs',
  description: 'The live model of Ferry runs.',
  autoStart: true,
  requires: [IFerryClient],
  optional: [ISettingRegistry],
  provides: IRunsModel,
  activate: (app: JupyterFrontEnd, client: IFerryClient, settings: ISettingRegistry | null) => {
    const model = new RunsModel(client);
    model.start();
    if (settings) {
      void settings.load(runsPlugin.id).then((loaded) => {
        const apply = () => model.setLimit(loaded.get('limit').composite as number);
        apply();
        loaded.changed.connect(apply);
      });
    }
    return model;
  },
};
