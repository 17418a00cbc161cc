/**
 * A browser page for the view tests: happy-dom's window installed as the
 * globals React, the views and uPlot use. Import it before anything that
 * touches the DOM (uPlot reads `window` when it loads).
 *
 * happy-dom lays nothing out and has no canvas: `clientHeight` of a log
 * scroller is set by `setViewportHeight`, and canvases get a 2D context that
 * draws nothing (charts are checked through their DOM and data, not pixels).
 */
import { GlobalRegistrator } from '@happy-dom/global-registrator';

GlobalRegistrator.register({ url: 'http://localhost/', width: 1024, height: 768 });
(globalThis as { IS_REACT_ACT_ENVIRONMENT?: boolean }).IS_REACT_ACT_ENVIRONMENT = true;

const drawsNothing: ProxyHandler<object> = {
  get(target, key) {
    if (key in target) return (target as Record<PropertyKey, unknown>)[key];
    if (key === 'measureText') return () => ({ width: 0, actualBoundingBoxAscent: 0, actualBoundingBoxDescent: 0 });
    return () => undefined;
  },
  set: () => true,
};

HTMLCanvasElement.prototype.getContext = function getContext(this: HTMLCanvasElement) {
  return new Proxy({ canvas: this }, drawsNothing);
} as typeof HTMLCanvasElement.prototype.getContext;

(globalThis as { Path2D?: unknown }).Path2D ??= class Path2D {
  constructor() {
    return new Proxy(this, drawsNothing);
  }
};

let viewportHeight = 0;

/** What `clientHeight` of a log scroller (or the compare table's) reads, as if the page laid it out that tall. */
export function setViewportHeight(pixels: number): void {
  viewportHeight = pixels;
}

Object.defineProperty(HTMLElement.prototype, 'clientHeight', {
  configurable: true,
  get(this: HTMLElement) {
    return this.classList.contains('ferry-log-scroller') || this.classList.contains('ferry-compare-scroller') ? viewportHeight : 0;
  },
});

// The tests load every bundle into one window, so each registers the same
// elements again; a webview loads one bundle and never sees that warning.
(window as unknown as { __vscodeElements_disableRegistryWarning__: boolean }).__vscodeElements_disableRegistryWarning__ = true;

// happy-dom has no form-associated custom elements; @vscode-elements' controls
// call attachInternals() when created. A stand-in that accepts the calls lets
// the VS Code bundles mount here (their looks are checked in the real workbench).
HTMLElement.prototype.attachInternals ??= function attachInternals(this: HTMLElement) {
  return new Proxy({ form: null, labels: [], validity: {}, states: new Set() }, drawsNothing) as ElementInternals;
};
