/** Entry of the `metrics-view.js` browser bundle (see README, "In a VS Code webview"). */
export { mountMetricsView as mount } from '../mount.js';
export { windowMessageHost } from '../host.js';
