/**
 * One exploration chart of the compare view (parallel coordinates, scatter
 * or bars), with its own pickers. The chart module comes from the loader the
 * host gave: it is first asked for when this panel mounts, i.e. when the
 * user opens a chart. The panel stays mounted across live updates (the
 * pickers keep their choice); a new spec redraws only what changed.
 */
import { useEffect, useLayoutEffect, useRef, useState } from 'react';
import { useControls } from '../../controls.js';
import type { ThemeColors } from '../../metrics/chart-theme.js';
import { axisTitleText } from './axis-title.js';
import type { BrushRanges, ExploreAxis } from './axes.js';
import type { ExploreChart, ExploreKind, ExploreLoader, ExploreModule, ExploreRun, ExploreSpec } from './types.js';

export interface ExplorePanelProps {
  kind: ExploreKind;
  load: ExploreLoader;
  /** In the table's order; scatter and bars get the runs the brush keeps, parallel coordinates all of them. */
  runs: readonly ExploreRun[];
  axes: readonly ExploreAxis[];
  theme: ThemeColors;
  brush: BrushRanges;
  onBrush(axis: string, ranges: Array<[number, number]>): void;
}

export function ExplorePanel({ kind, load, runs, axes, theme, brush, onBrush }: ExplorePanelProps) {
  const { Select } = useControls();
  const element = useRef<HTMLDivElement>(null);
  const chart = useRef<ExploreChart>();
  const [module, setModule] = useState<ExploreModule>();
  const [failure, setFailure] = useState<string>();
  const [x, setX] = useState<string>();
  const [y, setY] = useState<string>();
  const [metric, setMetric] = useState<string>();
  // The chart calls back long after a render: it reaches the latest handler through this.
  const brushed = useRef(onBrush);
  brushed.current = onBrush;

  useEffect(() => {
    let live = true;
    load().then(
      (loaded) => live && setModule(loaded),
      (error: unknown) => live && setFailure(error instanceof Error ? error.message : String(error)),
    );
    return () => {
      live = false;
    };
  }, [load]);

  // A chart per kind: the three share nothing worth keeping.
  useLayoutEffect(() => {
    if (!module) return;
    const target = element.current!;
    const made = module.createExploreChart(target, { onBrush: (axis, ranges) => brushed.current(axis, ranges) });
    chart.current = made;
    const observer = typeof ResizeObserver === 'undefined' ? undefined : new ResizeObserver(() => made.resize());
    observer?.observe(target);
    return () => {
      observer?.disconnect();
      made.dispose();
      chart.current = undefined;
    };
  }, [module, kind]);

  const parameters = axes.filter((axis) => axis.kind === 'parameter');
  const metrics = axes.filter((axis) => axis.kind === 'metric');
  const spec: ExploreSpec =
    kind === 'parallel' ? { kind, runs, axes, theme, brush } : kind === 'scatter' ? { kind, runs, axes, theme, x, y } : { kind, runs, axes, theme, metric };
  // Every render: the chart compares the options it would draw with those it drew.
  useLayoutEffect(() => chart.current?.show(spec));

  const empty = kind === 'parallel' ? axes.length === 0 : kind === 'scatter' ? parameters.length === 0 || metrics.length === 0 : metrics.length === 0;
  const options = (list: readonly ExploreAxis[]) => list.map((axis) => ({ value: axis.key, label: axisTitleText(axis) }));
  return (
    <section className="ferry-chart-card ferry-compare-explore" data-explore={kind} data-loaded={module ? 'true' : undefined}>
      {kind === 'scatter' && parameters.length > 0 && metrics.length > 0 && (
        <div className="ferry-toolbar">
          <span className="ferry-field-inline">
            x <Select className="ferry-compare-scatter-x" ariaLabel="parameter on x" value={x ?? parameters[0]!.key} options={options(parameters)} onChange={setX} />
          </span>
          <span className="ferry-field-inline">
            y <Select className="ferry-compare-scatter-y" ariaLabel="metric on y" value={y ?? metrics[0]!.key} options={options(metrics)} onChange={setY} />
          </span>
        </div>
      )}
      {kind === 'bars' && metrics.length > 0 && (
        <div className="ferry-toolbar">
          <span className="ferry-field-inline">
            metric <Select className="ferry-compare-bars-metric" ariaLabel="metric" value={metric ?? metrics[0]!.key} options={options(metrics)} onChange={setMetric} />
          </span>
        </div>
      )}
      {kind === 'parallel' && <p className="ferry-muted">Drag along an axis to keep only the runs inside that range in the table; click the axis outside the range to clear it.</p>}
      {failure && (
        <div className="ferry-error" role="alert">
          The charts failed to load: {failure}
        </div>
      )}
      {!module && !failure && <p className="ferry-muted">Loading the chart…</p>}
      {empty && <p className="ferry-muted">{kind === 'scatter' ? 'A scatter needs a differing parameter and a metric.' : kind === 'bars' ? 'No metric to plot.' : 'No differing parameter or metric to plot.'}</p>}
      <div ref={element} className="ferry-compare-explore-chart" />
    </section>
  );
}
