/** Entry of the `compare-view.js` browser bundle (see README, "In a VS Code webview"): the view with VS Code's controls. */
import type { ViewHost } from '../host.js';
import { mountCompareView, type MountedView } from '../mount.js';
import { scriptExploreLoader } from './explore-script.js';
import { vscodeControls } from './vscode-controls.js';

// The exploration charts (ECharts) are a bundle of their own, loaded when the user opens one.
const loadExplore = scriptExploreLoader();

export function mount(element: HTMLElement, host: ViewHost): MountedView {
  return mountCompareView(element, host, { controls: vscodeControls, loadExplore });
}
export { windowMessageHost } from '../host.js';
