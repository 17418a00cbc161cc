/** Entry of the `parameter-form.js` browser bundle (see README, "In a VS Code webview"): the form with VS Code's controls. */
import type { ViewHost } from '../host.js';
import { mountParameterForm, type MountedView } from '../mount.js';
import { vscodeControls } from './vscode-controls.js';

export function mount(element: HTMLElement, host: ViewHost): MountedView {
  return mountParameterForm(element, host, { controls: vscodeControls });
}
export { windowMessageHost } from '../host.js';
