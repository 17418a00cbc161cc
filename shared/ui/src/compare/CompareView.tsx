/**
 * Compare runs: the runs table (differing parameters, reduced metrics, job
 * facts) above one chart per metric with the runs overlaid, each run in one
 * colour everywhere. The host sends the comparison and answers history
 * requests (the chart's width; a zoomed range comes at full resolution); live
 * points append without losing the zoom, the sort or the user's choices.
 * A y zoom stays in the view (the points held already cover it). Runs that
 * differ only in a seed can be drawn as one mean line and band. With many
 * lines, the run hovered in a chart or the table is highlighted in every
 * chart; clicking a point asks the host to open that step's log.
 */
import type { CompareResponse, HostToViewMessage } from '@ferry/core';
import { useLayoutEffect, useMemo, useRef, useState } from 'react';
import type uPlot from 'uplot';
import { useControls } from '../controls.js';
import { useHost, type ViewHost } from '../host.js';
import { FALLBACK_COLORS, themeColors, type ThemeColors } from '../metrics/chart-theme.js';
import { compareChartSet, historyAxis, runColors, type CompareX } from './chart-data.js';
import { ChartPlaceholder, CompareChart, type XRange, type YRange } from './CompareChart.js';
import { epochStepRange } from './epoch-axis.js';
import { exploreAxes, keptRunIds, withAxisBrush, type BrushRanges } from './explore/axes.js';
import { ExplorePanel } from './explore/ExplorePanel.js';
import type { ExploreKind, ExploreLoader } from './explore/types.js';
import { HistoryStore } from './history-store.js';
import { NoEpochNote } from './NoEpochNote.js';
import { RunsTable } from './RunsTable.js';
import { WhenInSight } from './WhenInSight.js';
import { orderRuns, runLabel, tableColumns, type MetricChoice, type SortOrder } from './runs-table.js';

/** Chart width asked for before the page is laid out. */
const FALLBACK_CHART_WIDTH = 600;
/** A chart card's padding and border on both sides (ferry-ui.css, .ferry-chart-card). */
const CARD_INSET = 18;
const X_AXES = [
  { value: 'step', label: 'step' },
  { value: 'time', label: 'wall time' },
  { value: 'relative', label: 'relative time' },
  { value: 'epoch', label: 'epoch' },
];
/** Above this many lines in a chart, hovering one highlights its run and fades the others. */
const HIGHLIGHT_ABOVE_LINES = 20;
let nextSyncKey = 0;

export interface CompareViewProps {
  host: ViewHost;
  /** Called with each chart as it is made, and its metric (e.g. for a host that reads what is drawn). */
  onChart?: (metric: string, chart: uPlot) => void;
  /** Loads the exploration charts (ECharts) when the user opens one; without it only the curves are offered. */
  loadExplore?: ExploreLoader;
}

/** What the chart area shows: the curves, or one of the exploration charts. */
const CHART_VIEWS: ReadonlyArray<{ view: 'curves' | ExploreKind; label: string }> = [
  { view: 'curves', label: 'curves' },
  { view: 'parallel', label: 'parallel coordinates' },
  { view: 'scatter', label: 'scatter' },
  { view: 'bars', label: 'bars' },
];

export function CompareView({ host, onChart, loadExplore }: CompareViewProps) {
  const root = useRef<HTMLDivElement>(null);
  const charts = useRef<HTMLDivElement>(null);
  const [store] = useState(() => new HistoryStore());
  const [syncKey] = useState(() => `ferry-compare-${nextSyncKey++}`);
  const request = useRef(0);
  // Bumped by every message: the held histories changed (the charts' data is made again only then).
  const [version, setVersion] = useState(0);
  const [compare, setCompare] = useState<CompareResponse>();
  const [error, setError] = useState<string>();
  // The user's choices: kept across live updates, reset by a new comparison.
  const [allParameters, setAllParameters] = useState(false);
  const [choices, setChoices] = useState<ReadonlyMap<string, MetricChoice>>(new Map());
  const [sort, setSort] = useState<SortOrder>();
  const [baseId, setBaseId] = useState<string>();
  const [x, setX] = useState<CompareX>('step');
  const { Button, Checkbox, Select } = useControls();
  const [logY, setLogY] = useState(false);
  const [smoothing, setSmoothing] = useState(0);
  const [zoom, setZoom] = useState<XRange>();
  const [zoomY, setZoomY] = useState(false);
  const [groupSeeds, setGroupSeeds] = useState(false);
  const [yZooms, setYZooms] = useState<ReadonlyMap<string, YRange>>(new Map());
  const [highlighted, setHighlighted] = useState<string>();
  const [chartView, setChartView] = useState<'curves' | ExploreKind>('curves');
  // The parallel coordinates' brush: it filters the table's rows, kept across live updates.
  const [brush, setBrush] = useState<BrushRanges>(new Map());
  // The IDE theme's colours, read once laid out; the runs' colours are its series palette.
  const [theme, setTheme] = useState<ThemeColors>();
  useLayoutEffect(() => setTheme(themeColors(root.current!)), []);
  const palette = theme?.series ?? FALLBACK_COLORS;

  const askHistory = (of: CompareResponse, axis: CompareX, range: XRange | undefined) => {
    // The host windows by step or wall time: relative time and epochs are mapped onto those.
    const onHost = !range ? undefined : axis === 'relative' ? wallTimeRange(range, store.runStarts()) : axis === 'epoch' ? epochStepRange(range, store.series()) : range;
    request.current += 1;
    store.requested(request.current);
    const width = Math.max(100, Math.round(chartPlotWidth(charts.current)));
    host.postMessage({
      type: 'compare/history',
      request: request.current,
      metrics: of.metrics.map((metric) => metric.name),
      width,
      x: historyAxis(axis),
      ...(onHost ? { x0: Math.min(onHost.x0, onHost.x1), x1: Math.max(onHost.x0, onHost.x1) } : {}),
    });
  };

  useHost(host, 'compare', (message: HostToViewMessage) => {
    switch (message.type) {
      case 'compare/init':
        store.clear();
        setCompare(message.compare);
        setError(undefined);
        setAllParameters(false);
        setChoices(new Map());
        setSort(undefined);
        setBaseId(message.compare.runs[0]?.id);
        setZoom(undefined);
        setYZooms(new Map());
        setHighlighted(undefined);
        setBrush(new Map());
        askHistory(message.compare, x, undefined);
        break;
      case 'compare/table': {
        const known = new Set(compare?.metrics.map((metric) => metric.name));
        setCompare(message.compare);
        if (message.compare.metrics.some((metric) => !known.has(metric.name))) askHistory(message.compare, x, zoom);
        break;
      }
      case 'compare/history':
        store.answer(message.request, message.history);
        break;
      case 'compare/points':
        store.append(message);
        break;
      case 'compare/run':
        setCompare((current) => current && { ...current, runs: current.runs.map((run) => (run.id === message.runId ? { ...run, job: { ...run.job, state: message.state as typeof run.job.state } } : run)) });
        break;
      case 'error':
        setError(message.message);
        break;
    }
    setVersion((v) => v + 1);
  });

  const changeX = (axis: CompareX) => {
    setX(axis);
    setZoom(undefined);
    if (compare) askHistory(compare, axis, undefined);
  };
  /** An x range is asked for again at full resolution; no range (reset) also lets y range itself again. */
  const changeZoom = (range: XRange | undefined) => {
    if (!range) setYZooms(new Map());
    if (!range && !zoom) return;
    setZoom(range);
    if (compare) askHistory(compare, x, range);
  };
  const zoomYOf = (metric: string) => (range: YRange) => setYZooms((current) => new Map(current).set(metric, range));
  const sortBy = (column: string) => setSort((current) => ({ column, reversed: current?.column === column ? !current.reversed : false }));

  const columns = compare ? tableColumns(compare, { allParameters, choices }) : [];
  const rows = compare ? orderRuns(compare.runs, columns, sort, baseId) : [];
  const colors = compare ? runColors(compare.runs, palette) : new Map();
  const axes = compare ? exploreAxes(compare.runs, columns, compare.differingParameters) : [];
  const kept = compare ? keptRunIds(compare.runs, axes, brush) : undefined;
  const shownRows = kept ? rows.filter((run) => kept.has(run.id)) : rows;
  const exploreRuns = (of: typeof rows) => of.map((run) => ({ run, label: runLabel(run, compare!.differingParameters), ...colors.get(run.id)! }));
  // Made again only when the data or a drawing choice changed (not on a hover, a sort or a brush); each chart's data when first drawn.
  const chartSet = useMemo(
    () =>
      compare &&
      compareChartSet(compare.runs, compare.differingParameters, compare.metrics.map((metric) => metric.name), store.series(), palette, {
        x,
        smoothing,
        logY,
        runStarts: store.runStarts(),
        grid: store.grid(),
        groupSeeds,
      }),
    // The store is mutable: `version` says it changed.
    [compare, version, palette, x, smoothing, logY, groupSeeds],
  );
  const highlighting = (chartSet?.mostLines ?? 0) > HIGHLIGHT_ABOVE_LINES;
  const running = compare?.runs.filter((run) => run.job.state === 'running' || run.job.state === 'queued').length ?? 0;

  return (
    <div ref={root} className="ferry-view ferry-compare-view">
      <div className="ferry-toolbar" role="toolbar" aria-label="Compare runs">
        <span className="ferry-muted ferry-compare-status">
          {compare
            ? `${compare.runs.length} runs, ${compare.differingParameters.length} differing parameter${compare.differingParameters.length === 1 ? '' : 's'}${running ? `, ${running} running` : ''}`
            : 'Waiting for the runs…'}
        </span>
        <Checkbox className="ferry-compare-all-parameters" checked={allParameters} label="all parameters" onChange={setAllParameters} />
        <span className="ferry-field-inline">
          x axis{' '}
          <Select className="ferry-compare-x" ariaLabel="x axis" value={x} options={X_AXES} onChange={(value) => changeX(value as CompareX)} />
        </span>
        <Checkbox className="ferry-compare-log-y" checked={logY} label="log y" onChange={setLogY} />
        <label className="ferry-field-inline">
          smoothing{' '}
          <input
            type="range"
            className="ferry-compare-smoothing"
            min={0}
            max={0.99}
            step={0.01}
            value={smoothing}
            onChange={(event) => setSmoothing(Number(event.target.value))}
          />{' '}
          <span className="ferry-muted">{smoothing.toFixed(2)}</span>
        </label>
        <Checkbox className="ferry-compare-group-seeds" checked={groupSeeds} label="group seeds" onChange={setGroupSeeds} />
        <Checkbox className="ferry-compare-zoom-y" checked={zoomY} label="drag zooms y" onChange={setZoomY} />
        <Button className="ferry-compare-reset-zoom" disabled={!zoom && yZooms.size === 0} onClick={() => changeZoom(undefined)}>
          Reset zoom
        </Button>
        {loadExplore && (
          <span className="ferry-compare-chart-views" role="group" aria-label="chart">
            {CHART_VIEWS.map(({ view, label }) => (
              <Button key={view} className={`ferry-compare-view-${view}`} pressed={chartView === view} onClick={() => setChartView(view)}>
                {label}
              </Button>
            ))}
          </span>
        )}
      </div>
      {error && (
        <div className="ferry-error" role="alert">
          {error}
        </div>
      )}
      {compare && kept && (
        <p className="ferry-compare-brushed">
          <span className="ferry-compare-brushed-count">{`${kept.size} of ${compare.runs.length} runs`}</span> inside the brushed ranges{' '}
          <Button className="ferry-compare-clear-brush" onClick={() => setBrush(new Map())}>
            Show all runs
          </Button>
        </p>
      )}
      {compare && (
        <RunsTable
          rows={shownRows}
          columns={columns}
          baseId={baseId}
          differing={compare.differingParameters}
          colors={colors}
          sort={sort}
          onSort={sortBy}
          onChoice={(metric, choice) => setChoices((current) => new Map(current).set(metric, choice))}
          onBase={setBaseId}
          highlighted={highlighting ? highlighted : undefined}
          onHighlight={highlighting ? setHighlighted : undefined}
        />
      )}
      {compare && chartSet?.metrics.length === 0 && <p className="ferry-muted">None of these runs logged a metric.</p>}
      {compare && x === 'epoch' && <NoEpochNote runs={compare.runs} differing={compare.differingParameters} />}
      {compare && loadExplore && theme && chartView !== 'curves' && (
        <ExplorePanel
          kind={chartView}
          load={loadExplore}
          runs={exploreRuns(chartView === 'parallel' ? rows : shownRows)}
          axes={axes}
          theme={theme}
          brush={brush}
          onBrush={(axis, ranges) => setBrush((current) => withAxisBrush(current, axis, ranges))}
        />
      )}
      <div ref={charts} className="ferry-charts ferry-compare-charts">
        {chartView === 'curves' && chartSet?.metrics.map((metric, order) => (
          <section key={metric} className="ferry-chart-card">
            <WhenInSight order={order} placeholder={<ChartPlaceholder metric={metric} />}>
              {() => {
                const chart = chartSet.chart(metric);
                return (
                  <CompareChart
                    chart={chart}
                    x={x}
                    logY={logY}
                    zoom={zoom}
                    onZoom={changeZoom}
                    zoomY={zoomY}
                    yZoom={yZooms.get(chart.metric)}
                    onZoomY={zoomYOf(chart.metric)}
                    highlighting={highlighting}
                    highlighted={highlighted}
                    onHighlight={setHighlighted}
                    onOpenLine={(line) => host.postMessage({ type: 'compare/openLog', runId: line.runId, step: line.stepName })}
                    syncKey={syncKey}
                    onChart={onChart && ((made) => onChart(chart.metric, made))}
                  />
                );
              }}
            </WhenInSight>
          </section>
        ))}
      </div>
    </div>
  );
}

/**
 * The pixel width of one chart's plot, which the host downsamples for (a few
 * points per pixel column): a chart's own where one is laid out, else the
 * first column of the charts' grid less the card's padding and border.
 */
function chartPlotWidth(charts: HTMLElement | null): number {
  if (!charts) return FALLBACK_CHART_WIDTH;
  const plot = charts.querySelector<HTMLElement>('.ferry-chart-plot');
  if (plot?.clientWidth) return plot.clientWidth;
  const column = parseFloat(getComputedStyle(charts).gridTemplateColumns);
  if (column > CARD_INSET) return column - CARD_INSET;
  return charts.clientWidth || FALLBACK_CHART_WIDTH;
}

/**
 * A relative-time range as wall time for the host: from the earliest run's
 * start + x0 to the latest run's start + x1, so every run's part of the range
 * comes back. Undefined (everything) before any run's start is known.
 */
function wallTimeRange(range: XRange, starts: ReadonlyMap<string, number>): XRange | undefined {
  if (starts.size === 0) return undefined;
  const values = [...starts.values()];
  const lo = Math.min(range.x0, range.x1);
  const hi = Math.max(range.x0, range.x1);
  return { x0: Math.min(...values) + lo, x1: Math.max(...values) + hi };
}
