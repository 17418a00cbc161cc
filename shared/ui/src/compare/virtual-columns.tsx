/**
 * Column virtualization for the runs table: with many parameter and metric
 * columns ("all parameters" of a big sweep), only the columns in the
 * horizontal viewport, and a few either side, are in the DOM. The table then
 * lays out fixed, every column the same width, so where a column sits follows
 * from its index; one spacer column on each side stands in for the columns
 * left out and keeps the scroll width. The run column stays (it is sticky).
 * Below the threshold every column is drawn and sized by its content.
 */
import { useLayoutEffect, useRef } from 'react';

/** Above this many columns, only those in view are drawn. */
export const VIRTUAL_COLUMNS_ABOVE = 40;
/** Every column's width, in pixels, when only those in view are drawn. */
export const COLUMN_WIDTH = 150;
/** The run column's width then. */
export const RUN_COLUMN_WIDTH = 260;
/** Columns drawn left and right of the viewport, so a fast scroll shows no blank. */
const COLUMN_OVERSCAN = 3;
/** Before the table is laid out (or where nothing is), assume this much width. */
export const FALLBACK_VIEWPORT_WIDTH = 1200;

/** The columns drawn: [first, last) of `count`; `virtual` when some are left out. */
export interface ColumnWindow {
  virtual: boolean;
  first: number;
  last: number;
  count: number;
}

export function columnWindow(count: number, scrollLeft: number, viewportWidth: number): ColumnWindow {
  if (count <= VIRTUAL_COLUMNS_ABOVE) return { virtual: false, first: 0, last: count, count };
  // The sticky run column covers the viewport's left part: the other columns show in the rest.
  const first = Math.min(count, Math.max(0, Math.floor(scrollLeft / COLUMN_WIDTH) - COLUMN_OVERSCAN));
  const last = Math.min(count, Math.max(first, Math.ceil((scrollLeft + Math.max(0, viewportWidth - RUN_COLUMN_WIDTH)) / COLUMN_WIDTH) + COLUMN_OVERSCAN));
  return { virtual: true, first, last, count };
}

/** The cells of a row, the run's included: what a full-width cell spans. */
export function cellsPerRow(range: ColumnWindow): number {
  return 1 + (range.first > 0 ? 1 : 0) + (range.last - range.first) + (range.last < range.count ? 1 : 0);
}

/** The fixed layout's widths: one <col> per cell of a row, and the table as wide as every column. */
export function ColumnSizes({ range }: { range: ColumnWindow }) {
  const group = useRef<HTMLTableColElement>(null);
  // Set through the DOM: a strict CSP allows style properties, not style attributes.
  useLayoutEffect(() => {
    const table = group.current!.closest('table');
    if (table) table.style.width = `${RUN_COLUMN_WIDTH + range.count * COLUMN_WIDTH}px`;
    const cols = [...group.current!.children] as HTMLElement[];
    const widths = [RUN_COLUMN_WIDTH, ...(range.first > 0 ? [range.first * COLUMN_WIDTH] : [])];
    for (let i = range.first; i < range.last; i++) widths.push(COLUMN_WIDTH);
    if (range.last < range.count) widths.push((range.count - range.last) * COLUMN_WIDTH);
    cols.forEach((col, i) => (col.style.width = `${widths[i]}px`));
    return () => {
      if (table) table.style.width = '';
    };
  }, [range.first, range.last, range.count]);
  return <colgroup ref={group}>{Array.from({ length: cellsPerRow(range) }, (_, i) => <col key={i} />)}</colgroup>;
}

/** Stands in for the columns left out on one side of a row. */
export function ColumnSpacer() {
  return <td className="ferry-compare-column-spacer" aria-hidden="true" />;
}
