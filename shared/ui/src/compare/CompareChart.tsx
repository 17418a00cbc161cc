/**
 * One metric of the compared runs in a uPlot chart: a line per run in the
 * run's colour, the cursor shared with the other charts of the view, and
 * drag-to-zoom on x reported to the view (which asks the host for that range
 * at full resolution), or on y alone (the points held are enough: nothing is
 * asked). With many lines, the one under the pointer is reported so that the
 * view can highlight its run everywhere: that run's lines drawn on top at full
 * opacity, the others faded. Clicking near a point reports its line (to open
 * the step's log). New points go to the same chart with the zoom kept; the
 * chart is made again only when its lines, axis, scale or drag mode change.
 */
import { useEffect, useLayoutEffect, useMemo, useRef } from 'react';
import uPlot from 'uplot';
import { axisOptions, themeColors } from '../metrics/chart-theme.js';
import type { ChartLine, CompareChartData, CompareX } from './chart-data.js';
import { followWidth } from '../metrics/follow-width.js';

const FALLBACK_WIDTH = 600;
/** A drag narrower than this is a click, not a zoom. */
const MIN_ZOOM_PIXELS = 4;
/** How far (in pixels, up or down) from a line the pointer may be to hover or click it. */
const NEAR_PIXELS = 12;
/** Opacity of the lines of the runs not highlighted. */
const FADED_ALPHA = 0.15;

export interface XRange {
  x0: number;
  x1: number;
}

export interface YRange {
  y0: number;
  y1: number;
}

export interface CompareChartProps {
  chart: CompareChartData;
  x: CompareX;
  logY: boolean;
  zoom: XRange | undefined;
  onZoom(range: XRange | undefined): void;
  /** A drag zooms y instead of x. */
  zoomY?: boolean;
  yZoom?: YRange | undefined;
  onZoomY?(range: YRange): void;
  /** Report the run under the pointer (`onHighlight`) and draw `highlighted` on top, the others faded. */
  highlighting?: boolean;
  highlighted?: string | undefined;
  onHighlight?(runId: string | undefined): void;
  /** The user clicked near a point of a line. */
  onOpenLine?(line: ChartLine): void;
  /** Charts with the same key move their cursors together. */
  syncKey: string;
  height?: number;
  /** Called with the chart each time it is made (tests read its series and data). */
  onChart?: (chart: uPlot) => void;
}

export function CompareChart(props: CompareChartProps) {
  const { chart, x, logY, zoom, zoomY = false, yZoom, highlighting = false, highlighted, syncKey, height = 220 } = props;
  const plot = useRef<HTMLDivElement>(null);
  const instance = useRef<uPlot>();
  const latest = useRef(props);
  latest.current = props;
  const structure = JSON.stringify([x, logY, zoomY, chart.bands, chart.lines.map((line) => [line.key, line.label, line.color, line.faded, line.dashed, line.band])]);

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
          { label: x === 'relative' ? 'seconds' : x },
          ...initial.lines.map((line): uPlot.Series => ({
            label: line.label,
            // A band's edges are the band: only its fill is drawn.
            stroke: line.band ? 'transparent' : line.faded ? fade(line.color) : line.color,
            width: line.band ? 0 : line.faded ? 1 : 1.5,
            dash: line.dashed ? [6, 4] : undefined,
            spanGaps: true,
          })),
        ],
        bands: initial.bands.map(([upper, lower]) => ({ series: [upper, lower], fill: fade(initial.lines[upper - 1]!.color, 20) })),
        axes: [axisOptions(colors), axisOptions(colors)],
        legend: { show: true },
        cursor: { sync: { key: syncKey }, drag: { x: !zoomY, y: zoomY, setScale: false } },
        hooks: {
          setSelect: [
            (u) => {
              const { left, top, width, height: tall } = u.select;
              if ((zoomY ? tall : width) < MIN_ZOOM_PIXELS) return;
              u.setSelect({ left: 0, top: 0, width: 0, height: 0 }, false);
              if (zoomY) latest.current.onZoomY?.({ y0: u.posToVal(top + tall, 'y'), y1: u.posToVal(top, 'y') });
              else latest.current.onZoom({ x0: u.posToVal(left, 'x'), x1: u.posToVal(left + width, 'x') });
            },
          ],
          draw: [(u) => drawOnTop(u, latest.current.chart.lines, latest.current.highlighting ? latest.current.highlighted : undefined)],
        },
      },
      initial.data as uPlot.AlignedData,
      element,
    );
    // A raw line behind a smoothed one, or a band's edge, needs no legend row of its own.
    const legendRows = created.root.querySelectorAll('.u-legend .u-series');
    initial.lines.forEach((line, i) => (line.faded || line.band) && legendRows[i + 1]?.classList.add('ferry-compare-raw'));
    const resetZoom = () => latest.current.onZoom(undefined);
    const hover = () => {
      if (!latest.current.highlighting) return;
      const line = nearestLine(created, latest.current.chart.lines);
      if (line?.runId !== latest.current.highlighted) latest.current.onHighlight?.(line?.runId);
    };
    const leave = () => latest.current.highlighting && latest.current.highlighted !== undefined && latest.current.onHighlight?.(undefined);
    // uPlot stops the click that ends a drag (a zoom) before it gets here; a double click resets the zoom.
    const click = (event: MouseEvent) => {
      if (event.detail > 1) return;
      const line = nearestLine(created, latest.current.chart.lines);
      if (line) latest.current.onOpenLine?.(line);
    };
    created.over.addEventListener('dblclick', resetZoom);
    created.over.addEventListener('mousemove', hover);
    created.over.addEventListener('mouseleave', leave);
    created.over.addEventListener('click', click);
    instance.current = created;
    applyZoom(created, latest.current.zoom, latest.current.yZoom);
    applyHighlight(created, latest.current.chart.lines, latest.current.highlighting ? latest.current.highlighted : undefined);
    latest.current.onChart?.(created);
    const stopFollowing = followWidth(element, created, height);
    return () => {
      stopFollowing();
      created.over.removeEventListener('dblclick', resetZoom);
      created.over.removeEventListener('mousemove', hover);
      created.over.removeEventListener('mouseleave', leave);
      created.over.removeEventListener('click', click);
      created.destroy();
      instance.current = undefined;
    };
  }, [structure, height, syncKey]);

  // Every render: the points (history answers, live deltas) go to the same chart, zoom kept.
  useEffect(() => {
    const current = instance.current;
    if (!current) return;
    current.batch(() => {
      current.setData(chart.data as uPlot.AlignedData, !zoom);
      applyZoom(current, zoom, yZoom);
      applyHighlight(current, chart.lines, highlighting ? highlighted : undefined);
    });
  });

  const points = useMemo(() => drawnPoints(chart), [chart]);
  return (
    <figure
      className="ferry-chart"
      data-metric={chart.metric}
      data-points={points}
      data-highlighted={highlighting ? highlighted : undefined}
    >
      <figcaption className="ferry-chart-title">{chart.metric}</figcaption>
      <div ref={plot} className="ferry-chart-plot" />
    </figure>
  );
}

/** A chart's place before it is drawn: its title, and room for the plot. */
export function ChartPlaceholder({ metric, height = 220 }: { metric: string; height?: number }) {
  return (
    <figure className="ferry-chart ferry-chart-pending" data-pending-metric={metric}>
      <figcaption className="ferry-chart-title">{metric}</figcaption>
      <div className="ferry-chart-plot" style={{ height }} />
    </figure>
  );
}

/** The points of the chart's lines (raw lines behind smoothed ones, and band edges, not counted). */
function drawnPoints(chart: CompareChartData): number {
  let points = 0;
  chart.lines.forEach((line, i) => {
    if (line.faded || line.band) return;
    for (const value of chart.data[i + 1]!) if (value !== null) points += 1;
  });
  return points;
}

function applyZoom(chart: uPlot, zoom: XRange | undefined, yZoom: YRange | undefined): void {
  // In one batch: a y range set alone would be auto-ranged again by the x change.
  chart.batch(() => {
    if (zoom) chart.setScale('x', { min: zoom.x0, max: zoom.x1 });
    if (yZoom) chart.setScale('y', { min: yZoom.y0, max: yZoom.y1 });
  });
}

/** The line nearest the cursor, up or down, at the cursor's x: none when no line is within reach. */
function nearestLine(chart: uPlot, lines: readonly ChartLine[]): ChartLine | undefined {
  const { idx, top } = chart.cursor;
  if (idx === null || idx === undefined || top === undefined || top < 0) return undefined;
  let nearest: ChartLine | undefined;
  let distance = NEAR_PIXELS;
  lines.forEach((line, i) => {
    const value = chart.data[i + 1]?.[idx];
    if (line.faded || line.band || value === null || value === undefined) return;
    const away = Math.abs(chart.valToPos(value, 'y') - top);
    if (away <= distance) {
      distance = away;
      nearest = line;
    }
  });
  return nearest;
}

/** The highlighted run's lines at full opacity, the others faded; every line as it was with none. */
function applyHighlight(chart: uPlot, lines: readonly ChartLine[], runId: string | undefined): void {
  let changed = false;
  lines.forEach((line, i) => {
    const alpha = runId === undefined || line.members.includes(runId) ? 1 : FADED_ALPHA;
    const series = chart.series[i + 1]!;
    if (series.alpha !== alpha) {
      series.alpha = alpha;
      changed = true;
    }
  });
  if (changed) chart.redraw(false);
}

/** The highlighted run's lines stroked again after the others, so that no faded line crosses them. */
function drawOnTop(chart: uPlot, lines: readonly ChartLine[], runId: string | undefined): void {
  if (runId === undefined) return;
  const { ctx, bbox } = chart;
  ctx.save();
  ctx.beginPath();
  ctx.rect(bbox.left, bbox.top, bbox.width, bbox.height);
  ctx.clip();
  lines.forEach((line, i) => {
    const series = chart.series[i + 1] as uPlot.Series & { _paths?: { stroke?: Path2D | null } | null };
    const path = series._paths?.stroke;
    if (!line.members.includes(runId) || line.faded || line.band || !series.show || !path) return;
    ctx.globalAlpha = 1;
    ctx.strokeStyle = line.color;
    ctx.lineWidth = (series.width ?? 1) * uPlot.pxRatio;
    ctx.setLineDash(line.dashed ? [6 * uPlot.pxRatio, 4 * uPlot.pxRatio] : []);
    ctx.stroke(path);
  });
  ctx.restore();
}

/** The raw line behind a smoothed one, or a band: the run's colour, mostly transparent. */
function fade(color: string, percent = 30): string {
  if (/^#[0-9a-f]{6}$/i.test(color)) return `${color}${Math.round((percent / 100) * 255).toString(16).padStart(2, '0')}`;
  return `color-mix(in srgb, ${color} ${percent}%, transparent)`;
}
