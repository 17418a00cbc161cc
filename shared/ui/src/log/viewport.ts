/**
 * Which log lines are on screen. Only those (plus a few either side) are in
 * the DOM. Browsers cap an element's height (around 16M px in some), so past
 * MAX_SCROLL_HEIGHT the scroll range is scaled: a scroll position maps to a
 * content position proportionally. Pure: numbers in, numbers out.
 */

export const MAX_SCROLL_HEIGHT = 8_000_000;

export interface ViewportGeometry {
  rowCount: number;
  rowHeight: number;
  viewportHeight: number;
}

export interface VisibleRows {
  /** First line to render (inclusive) and last (exclusive). */
  first: number;
  last: number;
  /** Where, in scroll coordinates, the first rendered line's top goes. */
  top: number;
  /** Height of the scrollable area. */
  scrollHeight: number;
}

const contentHeight = (g: ViewportGeometry) => g.rowCount * g.rowHeight;
const scrollHeightOf = (g: ViewportGeometry) => Math.min(contentHeight(g), MAX_SCROLL_HEIGHT);

/** Ratio of content movement to scroll movement (1 unless the content is taller than the cap). */
function scale(g: ViewportGeometry): number {
  const scrollRange = scrollHeightOf(g) - g.viewportHeight;
  const contentRange = contentHeight(g) - g.viewportHeight;
  return scrollRange > 0 && contentRange > scrollRange ? contentRange / scrollRange : 1;
}

/** The content position (px from the first line's top) shown at the viewport's top. */
export function contentTop(g: ViewportGeometry, scrollTop: number): number {
  return scrollTop * scale(g);
}

/** The scroll position that shows content position `top` at the viewport's top. */
export function scrollTopFor(g: ViewportGeometry, top: number): number {
  const max = Math.max(0, scrollHeightOf(g) - g.viewportHeight);
  return Math.min(max, Math.max(0, top / scale(g)));
}

export function visibleRows(g: ViewportGeometry, scrollTop: number, overscan = 8): VisibleRows {
  const top = contentTop(g, scrollTop);
  const first = Math.max(0, Math.floor(top / g.rowHeight) - overscan);
  const last = Math.min(g.rowCount, Math.ceil((top + g.viewportHeight) / g.rowHeight) + overscan);
  return { first, last, top: scrollTop + (first * g.rowHeight - top), scrollHeight: scrollHeightOf(g) };
}

/** Whether the last line is in view (half a line of slack for rounding). */
export function isAtBottom(g: ViewportGeometry, scrollTop: number): boolean {
  return contentTop(g, scrollTop) + g.viewportHeight >= contentHeight(g) - g.rowHeight / 2;
}

/** The scroll position that puts line `index` in the middle of the viewport. */
export function scrollTopToReveal(g: ViewportGeometry, index: number): number {
  return scrollTopFor(g, index * g.rowHeight - (g.viewportHeight - g.rowHeight) / 2);
}
