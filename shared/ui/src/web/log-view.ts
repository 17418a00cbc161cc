/** Entry of the `log-view.js` browser bundle (see README, "In a VS Code webview"): the view with VS Code's controls. */
import type { ViewHost } from '../host.js';
import { mountLogView, type MountedView } from '../mount.js';
import { vscodeControls } from './vscode-controls.js';

export function mount(element: HTMLElement, host: ViewHost): MountedView {
  return mountLogView(element, host, { controls: vscodeControls });
}
export { windowMessageHost } from '../host.js';
