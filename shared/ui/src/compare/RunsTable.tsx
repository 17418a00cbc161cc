/**
 * The compared runs side by side: a row per run (its colour swatch is its
 * curves' colour), a column per shown parameter, metric and job fact. Headers
 * sort; a metric header also picks the reducer and which way is better. The
 * base run stays pinned under the header and the cells that differ from it
 * are marked. Only the rows in view are in the DOM, and with many columns
 * only the columns in view (virtual-columns.tsx). Where the charts
 * highlight a hovered run, hovering its row highlights it too.
 */
import type { ComparedRun, MetricReducer } from '@ferry/core';
import { METRIC_REDUCERS } from '@ferry/core';
import { useLayoutEffect, useRef, useState, type ReactNode } from 'react';
import { useControls } from '../controls.js';
import {
  bestValue,
  cellText,
  chooseReducer,
  differsFromBase,
  metricValue,
  nextGoal,
  runLabel,
  shortRunId,
  type Column,
  type MetricChoice,
  type SortOrder,
} from './runs-table.js';
import { cellsPerRow, columnWindow, ColumnSizes, ColumnSpacer, FALLBACK_VIEWPORT_WIDTH } from './virtual-columns.js';

export const ROW_HEIGHT = 26;
/** Rows rendered above and below the viewport, so a fast scroll shows no blank. */
const OVERSCAN = 6;
/** Before the table is laid out (or where nothing is), assume this much height. */
const FALLBACK_VIEWPORT = 480;

export interface RunsTableProps {
  /** In display order, the base run first. */
  rows: readonly ComparedRun[];
  columns: readonly Column[];
  baseId: string | undefined;
  differing: readonly string[];
  colors: ReadonlyMap<string, { color: string; dashed: boolean }>;
  sort: SortOrder | undefined;
  onSort(column: string): void;
  onChoice(metric: string, choice: MetricChoice): void;
  onBase(runId: string | undefined): void;
  /** The run highlighted in the charts. */
  highlighted?: string | undefined;
  /** Hovering a row (leaving it: undefined) highlights its run; absent when the charts do not highlight. */
  onHighlight?(runId: string | undefined): void;
}

export function RunsTable({ rows, columns, baseId, differing, colors, sort, onSort, onChoice, onBase, highlighted, onHighlight }: RunsTableProps) {
  const scroller = useRef<HTMLDivElement>(null);
  const [scrollTop, setScrollTop] = useState(0);
  const [viewport, setViewport] = useState(FALLBACK_VIEWPORT);
  const [scrollLeft, setScrollLeft] = useState(0);
  const [viewportWidth, setViewportWidth] = useState(FALLBACK_VIEWPORT_WIDTH);
  useLayoutEffect(() => {
    const element = scroller.current!;
    const measure = () => {
      setViewport(element.clientHeight || FALLBACK_VIEWPORT);
      setViewportWidth(element.clientWidth || FALLBACK_VIEWPORT_WIDTH);
    };
    measure();
    const observer = typeof ResizeObserver === 'undefined' ? undefined : new ResizeObserver(measure);
    observer?.observe(element);
    return () => observer?.disconnect();
  }, []);

  const base = rows.find((run) => run.id === baseId);
  const body = base ? rows.slice(1) : rows;
  const first = Math.max(0, Math.floor(scrollTop / ROW_HEIGHT) - OVERSCAN);
  const last = Math.min(body.length, Math.ceil((scrollTop + viewport) / ROW_HEIGHT) + OVERSCAN);
  const inView = columnWindow(columns.length, scrollLeft, viewportWidth);
  const shown = columns.slice(inView.first, inView.last);
  const best = new Map(shown.map((column) => [column.key, bestValue(rows, column)]));
  const leftOut = (side: 'left' | 'right') => ((side === 'left' ? inView.first > 0 : inView.last < inView.count) ? <ColumnSpacer /> : null);

  const row = (run: ComparedRun, pinned: boolean) => (
    <tr
      key={run.id}
      data-run={run.id}
      className={[pinned && 'ferry-compare-base', run.id === highlighted && 'ferry-compare-highlighted'].filter(Boolean).join(' ') || undefined}
      onMouseEnter={onHighlight && (() => onHighlight(run.id))}
      onMouseLeave={onHighlight && (() => onHighlight(undefined))}
    >
      <th scope="row" className="ferry-compare-run" title={run.id}>
        <Swatch {...colors.get(run.id)!} />
        <button
          type="button"
          className="ferry-toggle ferry-compare-pin"
          aria-pressed={pinned}
          title={pinned ? 'Unpin the base run' : 'Pin as the base run (the others are compared with it)'}
          onClick={() => onBase(pinned ? undefined : run.id)}
        >
          {pinned ? 'base' : 'pin'}
        </button>{' '}
        <span className="ferry-compare-run-label">{runLabel(run, differing)}</span> <span className="ferry-muted">{shortRunId(run.id)}</span>
      </th>
      {leftOut('left')}
      {shown.map((column) => (
        <td key={column.key} data-column={column.key} className={cellClass(run, column, base, best.get(column.key))}>
          {cellText(run, column)}
        </td>
      ))}
      {leftOut('right')}
    </tr>
  );

  return (
    <div
      ref={scroller}
      className="ferry-compare-scroller"
      onScroll={(event) => {
        setScrollTop(event.currentTarget.scrollTop);
        setScrollLeft(event.currentTarget.scrollLeft);
      }}
    >
      <table className={`ferry-compare-table${inView.virtual ? ' ferry-compare-table-virtual' : ''}`}>
        {inView.virtual && <ColumnSizes range={inView} />}
        <thead>
          <tr>
            <th scope="col">run</th>
            {leftOut('left')}
            {shown.map((column) => (
              <HeaderCell key={column.key} column={column} sort={sort} onSort={onSort} onChoice={onChoice} />
            ))}
            {leftOut('right')}
          </tr>
          {base && row(base, true)}
        </thead>
        <tbody>
          {first > 0 && <Spacer height={first * ROW_HEIGHT} span={cellsPerRow(inView)} />}
          {body.slice(first, last).map((run) => row(run, false))}
          {last < body.length && <Spacer height={(body.length - last) * ROW_HEIGHT} span={cellsPerRow(inView)} />}
        </tbody>
      </table>
    </div>
  );
}

function cellClass(run: ComparedRun, column: Column, base: ComparedRun | undefined, best: number | undefined): string | undefined {
  const classes: string[] = [`ferry-compare-${column.kind}`];
  if (column.kind === 'parameter' && differsFromBase(run, base, column.name)) classes.push('ferry-compare-differs');
  if (column.kind === 'metric' && best !== undefined && metricValue(run, column.name, column.choice.reducer) === best) classes.push('ferry-compare-best');
  return classes.join(' ');
}

const REDUCER_OPTIONS = METRIC_REDUCERS.map((reducer) => ({ value: reducer, label: reducer }));

function HeaderCell({ column, sort, onSort, onChoice }: { column: Column; sort: SortOrder | undefined; onSort(key: string): void; onChoice(metric: string, choice: MetricChoice): void }) {
  const { Button, Select } = useControls();
  const sorted = sort?.column === column.key;
  const label: ReactNode = column.kind === 'fact' ? column.label : column.name;
  // A metric with a goal sorts best first; aria-sort says the direction of the values.
  const descending = sorted && ((column.kind === 'metric' && column.choice.goal === 'higher') !== sort.reversed);
  return (
    <th scope="col" data-column={column.key} aria-sort={sorted ? (descending ? 'descending' : 'ascending') : 'none'} className={`ferry-compare-${column.kind}`}>
      <button type="button" className="ferry-compare-sort" title={`Sort by ${column.kind === 'fact' ? column.label : column.name}`} onClick={() => onSort(column.key)}>
        {label}
        {sorted ? (descending ? ' ▼' : ' ▲') : ''}
      </button>
      {column.kind === 'metric' && (
        <span className="ferry-compare-metric-choice">
          <Select
            className="ferry-compare-reducer"
            ariaLabel={`${column.name}: reduce each run's series with`}
            value={column.choice.reducer}
            options={REDUCER_OPTIONS}
            onChange={(value) => onChoice(column.name, chooseReducer(column.choice, value as MetricReducer))}
          />
          <Button
            className={`ferry-compare-goal ferry-compare-goal-${column.choice.goal ?? 'none'}`}
            title={column.choice.goal ? `${column.choice.goal} is better (click to change)` : 'no better direction (click to set)'}
            onClick={() => onChoice(column.name, { ...column.choice, goal: nextGoal(column.choice.goal) })}
          >
            {column.choice.goal === 'lower' ? '↓' : column.choice.goal === 'higher' ? '↑' : '·'}
          </Button>
        </span>
      )}
    </th>
  );
}

/** The run's colour, as its curves are drawn (dashed curves get a dashed swatch). */
function Swatch({ color, dashed }: { color: string; dashed: boolean }) {
  const ref = useRef<HTMLSpanElement>(null);
  // Set through the DOM: a strict CSP allows style properties, not style attributes.
  useLayoutEffect(() => {
    ref.current!.style.setProperty('--ferry-swatch', color);
  }, [color]);
  return <span ref={ref} className={`ferry-compare-swatch${dashed ? ' ferry-compare-swatch-dashed' : ''}`} data-color={color} aria-hidden="true" />;
}

function Spacer({ height, span }: { height: number; span: number }) {
  const ref = useRef<HTMLTableRowElement>(null);
  useLayoutEffect(() => {
    ref.current!.style.height = `${height}px`;
  }, [height]);
  return (
    <tr ref={ref} className="ferry-compare-spacer" aria-hidden="true">
      <td colSpan={span} />
    </tr>
  );
}
