/**
 * Mounting a view into any element: what a webview's script or a plain
 * JupyterLab widget calls. React stays inside; the caller sees a disposable.
 */
import { createRoot } from 'react-dom/client';
import type { ReactElement } from 'react';
import { ControlsContext, type Controls } from './controls.js';
import type { ViewHost } from './host.js';
import { CompareView } from './compare/CompareView.js';
import { LogView } from './log/LogView.js';
import { MetricsView } from './metrics/MetricsView.js';
import { ParameterForm } from './parameters/ParameterForm.js';
import type { SweepSyntax } from './parameters/validate.js';
import type { ExploreLoader } from './compare/explore/types.js';

export interface MountedView {
  /** Unmounts the view and stops listening to the host. */
  dispose(): void;
}

export interface MountOptions {
  /** The form controls to draw with; plain HTML when not given. */
  controls?: Controls;
}

function mount(element: HTMLElement, view: ReactElement, { controls }: MountOptions): MountedView {
  const root = createRoot(element);
  root.render(controls ? <ControlsContext.Provider value={controls}>{view}</ControlsContext.Provider> : view);
  return { dispose: () => root.unmount() };
}

export function mountLogView(element: HTMLElement, host: ViewHost, options: MountOptions = {}): MountedView {
  return mount(element, <LogView host={host} />, options);
}

export function mountMetricsView(element: HTMLElement, host: ViewHost, options: MountOptions = {}): MountedView {
  return mount(element, <MetricsView host={host} />, options);
}

export function mountParameterForm(element: HTMLElement, host: ViewHost, options: MountOptions & { sweepSyntax?: SweepSyntax } = {}): MountedView {
  return mount(element, <ParameterForm host={host} sweepSyntax={options.sweepSyntax} />, options);
}

/** `loadExplore` loads the exploration charts when the user opens one (`loadExplore` of this package in an ES module host); without it the view offers only the curves. */
export function mountCompareView(element: HTMLElement, host: ViewHost, options: MountOptions & { loadExplore?: ExploreLoader } = {}): MountedView {
  return mount(element, <CompareView host={host} loadExplore={options.loadExplore} />, options);
}
