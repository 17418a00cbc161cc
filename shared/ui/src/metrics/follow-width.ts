import type uPlot from 'uplot';

/**
 * Keeps a uPlot chart as wide as its element (a panel resized, a sidebar
 * toggled); returns what stops it. Where ResizeObserver is missing (a DOM
 * for tests) the chart keeps its first width.
 */
export function followWidth(element: HTMLElement, chart: uPlot, height: number): () => void {
  if (typeof ResizeObserver === 'undefined') return () => {};
  const observer = new ResizeObserver(() => element.clientWidth && chart.setSize({ width: element.clientWidth, height }));
  observer.observe(element);
  return () => observer.disconnect();
}
