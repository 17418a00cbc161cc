/**
 * One metric of the compared runs in a uPlot chart: a line per run in the
 * run's colour, the cursor shared with the other charts of the view, and
 * drag-to-zoom on x reported to the view (which asks the host for that range
 * at full resolution). New points go to the same chart with the zoom kept;
 * the chart is made again only when its lines, axis or scale change.
 */
import { useEffect, useLayoutEffect, useRef } from 'react';
import uPlot from 'uplot';
import { axisOptions, themeColors } from '../metrics/chart-theme.js';
import type { XAxis } from '../metrics/series-table.js';
import type { CompareChartData } from './chart-data.js';
import { followWidth } from '../metrics/follow-width.js';

const FALLBACK_WIDTH = 600;
/** A drag narrower than this is a click, not a zoom. */
const MIN_ZOOM_PIXELS = 4;

export interface XRange {
  x0: number;
  x1: number;
}

export interface CompareChartProps {
  chart: CompareChartData;
  x: XAxis;
  logY: boolean;
  zoom: XRange | undefined;
  onZoom(range: XRange | undefined): void;
  /** Charts with the same key move their cursors together. */
  syncKey: string;
  height?: number;
  /** Called with the chart each time it is made (tests read its series and data). */
  onChart?: (chart: uPlot) => void;
}

export function CompareChart({ chart, x, logY, zoom, onZoom, syncKey, height = 220, onChart }: CompareChartProps) {
  const plot = useRef<HTMLDivElement>(null);
  const instance = useRef<uPlot>();
  const latest = useRef({ chart, zoom, onZoom, onChart });
  latest.current = { chart, zoom, onZoom, onChart };
  const structure = JSON.stringify([x, logY, chart.lines.map((line) => [line.key, line.label, line.color, line.faded, line.dashed])]);

  useLayoutEffect(() => {
    const element = plot.current!;
    const colors = themeColors(element);
    const { chart: initial } = latest.current;
    const created = new uPlot(
      {
        width: element.clientWidth || FALLBACK_WIDTH,
        height,
        scales: { x: { time: x === 'time' }, y: logY ? { distr: 3 } : {} },
        series: [
          { label: x },
          ...initial.lines.map((line): uPlot.Series => ({
            label: line.label,
            stroke: line.faded ? fade(line.color) : line.color,
            width: line.faded ? 1 : 1.5,
            dash: line.dashed ? [6, 4] : undefined,
            spanGaps: true,
          })),
        ],
        axes: [axisOptions(colors), axisOptions(colors)],
        legend: { show: true },
        cursor: { sync: { key: syncKey }, drag: { x: true, y: false, setScale: false } },
        hooks: {
          setSelect: [
            (u) => {
              if (u.select.width < MIN_ZOOM_PIXELS) return;
              const x0 = u.posToVal(u.select.left, 'x');
              const x1 = u.posToVal(u.select.left + u.select.width, 'x');
              u.setSelect({ left: 0, top: 0, width: 0, height: 0 }, false);
              latest.current.onZoom({ x0, x1 });
            },
          ],
        },
      },
      initial.data as uPlot.AlignedData,
      element,
    );
    // A raw line behind a smoothed one needs no legend row of its own.
    const legendRows = created.root.querySelectorAll('.u-legend .u-series');
    initial.lines.forEach((line, i) => line.faded && legendRows[i + 1]?.classList.add('ferry-compare-raw'));
    const resetZoom = () => latest.current.onZoom(undefined);
    created.over.addEventListener('dblclick', resetZoom);
    instance.current = created;
    applyZoom(created, latest.current.zoom);
    latest.current.onChart?.(created);
    const stopFollowing = followWidth(element, created, height);
    return () => {
      stopFollowing();
      created.over.removeEventListener('dblclick', resetZoom);
      created.destroy();
      instance.current = undefined;
    };
  }, [structure, height, syncKey]);

  // Every render: the points (history answers, live deltas) go to the same chart, zoom kept.
  useEffect(() => {
    const current = instance.current;
    if (!current) return;
    current.setData(chart.data as uPlot.AlignedData, !zoom);
    applyZoom(current, zoom);
  });

  return (
    <figure className="ferry-chart" data-metric={chart.metric} data-points={drawnPoints(chart)}>
      <figcaption className="ferry-chart-title">{chart.metric}</figcaption>
      <div ref={plot} className="ferry-chart-plot" />
    </figure>
  );
}

/** The points of the chart's lines (raw lines behind smoothed ones not counted twice). */
function drawnPoints(chart: CompareChartData): number {
  return chart.lines.reduce((sum, line, i) => (line.faded ? sum : sum + chart.data[i + 1]!.filter((v) => v !== null).length), 0);
}

function applyZoom(chart: uPlot, zoom: XRange | undefined): void {
  if (zoom) chart.setScale('x', { min: zoom.x0, max: zoom.x1 });
}

/** The raw line behind a smoothed one: the run's colour, mostly transparent. */
function fade(color: string): string {
  if (/^#[0-9a-f]{6}$/i.test(color)) return `${color}4d`;
  return `color-mix(in srgb, ${color} 30%, transparent)`;
}
