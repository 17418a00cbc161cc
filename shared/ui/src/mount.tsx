/**
 * Mounting a view into any element: what a webview's script or a plain
 * JupyterLab widget calls. React stays inside; the caller sees a disposable.
 */
import { createRoot } from 'react-dom/client';
import type { ReactElement } from 'react';
import type { ViewHost } from './host.js';
import { CompareView } from './compare/CompareView.js';
import { LogView } from './log/LogView.js';
import { MetricsView } from './metrics/MetricsView.js';
import { ParameterForm } from './parameters/ParameterForm.js';
import type { SweepSyntax } from './parameters/validate.js';

export interface MountedView {
  /** Unmounts the view and stops listening to the host. */
  dispose(): void;
}

function mount(element: HTMLElement, view: ReactElement): MountedView {
  const root = createRoot(element);
  root.render(view);
  return { dispose: () => root.unmount() };
}

export function mountLogView(element: HTMLElement, host: ViewHost): MountedView {
  return mount(element, <LogView host={host} />);
}

export function mountMetricsView(element: HTMLElement, host: ViewHost): MountedView {
  return mount(element, <MetricsView host={host} />);
}

export function mountParameterForm(element: HTMLElement, host: ViewHost, options: { sweepSyntax?: SweepSyntax } = {}): MountedView {
  return mount(element, <ParameterForm host={host} sweepSyntax={options.sweepSyntax} />);
}

export function mountCompareView(element: HTMLElement, host: ViewHost): MountedView {
  return mount(element, <CompareView host={host} />);
}
