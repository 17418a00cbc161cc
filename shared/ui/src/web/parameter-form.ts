/** Entry of the `parameter-form.js` browser bundle (see README, "In a VS Code webview"). */
export { mountParameterForm as mount } from '../mount.js';
export { windowMessageHost } from '../host.js';
