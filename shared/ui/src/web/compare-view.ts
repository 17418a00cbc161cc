/** Entry of the `compare-view.js` browser bundle (see README, "In a VS Code webview"). */
export { mountCompareView as mount } from '../mount.js';
export { windowMessageHost } from '../host.js';
