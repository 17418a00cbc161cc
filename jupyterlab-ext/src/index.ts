/** Ferry for JupyterLab: one plugin per file, wired through the tokens in tokens.ts. */
import type { JupyterFrontEndPlugin } from '@jupyterlab/application';
import { cellTagsPlugin } from './plugins/cell-tags.js';
import { clientPlugin } from './plugins/client.js';
import { comparePlugin } from './plugins/compare.js';
import { executedNotebooksPlugin } from './plugins/executed-notebooks.js';
import { logsPlugin } from './plugins/logs.js';
import { metricsPlugin } from './plugins/metrics.js';
import { panelPlugin } from './plugins/panel.js';
import { runActionsPlugin } from './plugins/run-actions.js';
import { runOnClusterPlugin } from './plugins/run-on-cluster.js';
import { runningPlugin } from './plugins/running.js';
import { runsPlugin } from './plugins/runs.js';
import { stepBadgesPlugin } from './plugins/step-badges.js';

export { IFerryClient, IRunsModel } from './tokens.js';

const plugins: JupyterFrontEndPlugin<unknown>[] = [
  clientPlugin,
  runsPlugin,
  panelPlugin,
  runActionsPlugin,
  runOnClusterPlugin,
  cellTagsPlugin,
  stepBadgesPlugin,
  logsPlugin,
  metricsPlugin,
  comparePlugin,
  executedNotebooksPlugin,
  runningPlugin,
];

export default plugins;
