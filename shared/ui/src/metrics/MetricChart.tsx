/**
 * One uPlot chart of any number of series (one metric, or several runs of it
 * overlaid). Created once; new points and new series are handed to the same
 * chart, so it updates live without flicker or losing the legend.
 */
import { useEffect, useLayoutEffect, useRef } from 'react';
import uPlot from 'uplot';
import { alignSeries, type ChartSeriesInput, type XAxis } from './series-table.js';

/** Used when the host sets no `--ferry-chart-N` (a palette that reads on light and dark themes). */
const FALLBACK_COLORS = ['#3794ff', '#f14c4c', '#23d18b', '#e5a50a', '#b180d7', '#29b8db', '#f5a97f', '#8a8a8a'];
const FALLBACK_WIDTH = 600;

export interface MetricChartProps {
  title: string;
  series: readonly ChartSeriesInput[];
  x?: XAxis;
  height?: number;
  /** Called with the chart once created (e.g. to sync cursors across charts). */
  onChart?: (chart: uPlot) => void;
}

export function MetricChart({ title, series, x = 'step', height = 220, onChart }: MetricChartProps) {
  const plot = useRef<HTMLDivElement>(null);
  const chart = useRef<uPlot>();
  const shownKeys = useRef<string[]>([]);
  const latest = useRef({ series, onChart });
  latest.current = { series, onChart };

  // Created once per x axis kind (a time axis is a different scale).
  useLayoutEffect(() => {
    const element = plot.current!;
    const colors = themeColors(element);
    const initial = latest.current.series;
    const created = new uPlot(
      {
        width: element.clientWidth || FALLBACK_WIDTH,
        height,
        scales: { x: { time: x === 'time' } },
        series: [{ label: x }, ...initial.map((s, i) => seriesOptions(s, i, colors))],
        axes: [axisOptions(colors), axisOptions(colors)],
        legend: { show: true },
        cursor: { drag: { x: true, y: false } },
      },
      alignSeries(initial, x) as uPlot.AlignedData,
      element,
    );
    chart.current = created;
    shownKeys.current = initial.map((s) => s.key);
    latest.current.onChart?.(created);
    const observer =
      typeof ResizeObserver === 'undefined'
        ? undefined
        : new ResizeObserver(() => element.clientWidth && created.setSize({ width: element.clientWidth, height }));
    observer?.observe(element);
    return () => {
      observer?.disconnect();
      created.destroy();
      chart.current = undefined;
    };
  }, [x, height]);

  // Every render: new series join the chart, then all data is handed over.
  useEffect(() => {
    const current = chart.current;
    if (!current) return;
    syncSeries(current, shownKeys.current, series, themeColors(plot.current!));
    shownKeys.current = series.map((s) => s.key);
    current.setData(alignSeries(series, x) as uPlot.AlignedData);
  });

  return (
    <figure className="ferry-chart">
      <figcaption className="ferry-chart-title">{title}</figcaption>
      <div ref={plot} className="ferry-chart-plot" />
    </figure>
  );
}

/** Adds the series the chart lacks; if any it shows went away or moved, starts its series over. */
function syncSeries(chart: uPlot, shown: string[], wanted: readonly ChartSeriesInput[], colors: ThemeColors): void {
  const keepsOrder = shown.every((key, i) => wanted[i]?.key === key);
  if (keepsOrder && shown.length === wanted.length) return;
  if (!keepsOrder) {
    for (let i = shown.length; i >= 1; i--) chart.delSeries(i);
    shown = [];
  }
  wanted.slice(shown.length).forEach((s, i) => chart.addSeries(seriesOptions(s, shown.length + i, colors)));
}

interface ThemeColors {
  series: string[];
  text: string;
  grid: string;
}

/** Canvas needs real colours: read the CSS variables once per chart. */
function themeColors(element: HTMLElement): ThemeColors {
  const style = getComputedStyle(element);
  const read = (name: string) => style.getPropertyValue(name).trim();
  return {
    series: FALLBACK_COLORS.map((fallback, i) => read(`--ferry-chart-${i + 1}`) || fallback),
    text: read('--ferry-muted-fg') || '#888888',
    grid: read('--ferry-border') || 'rgba(128, 128, 128, 0.25)',
  };
}

function seriesOptions(series: ChartSeriesInput, index: number, colors: ThemeColors): uPlot.Series {
  return { label: series.label, stroke: colors.series[index % colors.series.length], width: 1.5, spanGaps: true };
}

function axisOptions(colors: ThemeColors): uPlot.Axis {
  return { stroke: colors.text, grid: { stroke: colors.grid, width: 1 }, ticks: { stroke: colors.grid, width: 1 } };
}
