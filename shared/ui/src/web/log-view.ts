/** Entry of the `log-view.js` browser bundle (see README, "In a VS Code webview"). */
export { mountLogView as mount } from '../mount.js';
export { windowMessageHost } from '../host.js';
