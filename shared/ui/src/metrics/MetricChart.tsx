/**
 * One uPlot chart of any number of series (one metric, or several runs of it
 * overlaid). Created once; new points and new series are handed to the same
 * chart, so it updates live without flicker or losing the legend.
 */
import { useEffect, useLayoutEffect, useRef } from 'react';
import uPlot from 'uplot';
import { axisOptions, themeColors, type ThemeColors } from './chart-theme.js';
import { alignSeries, type ChartSeriesInput, type XAxis } from './series-table.js';
import { followWidth } from './follow-width.js';
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
    const stopFollowing = followWidth(element, created, height);
    return () => {
      stopFollowing();
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

function seriesOptions(series: ChartSeriesInput, index: number, colors: ThemeColors): uPlot.Series {
  return { label: series.label, stroke: colors.series[index % colors.series.length], width: 1.5, spanGaps: true };
}
