/**
 * The contract between the compare view and its exploration charts, which
 * live in a module loaded only when the user opens one of them (ECharts is
 * large): the view hands the loaded module a spec to draw, and hears back
 * what the user brushed. Types only: importing this loads nothing.
 */
import type { ComparedRun } from '@ferry/core';
import type { ThemeColors } from '../../metrics/chart-theme.js';
import type { BrushRanges, ExploreAxis } from './axes.js';

/** The exploration charts: parallel coordinates, a parameter-vs-metric scatter, bars of a reduced metric. */
export type ExploreKind = 'parallel' | 'scatter' | 'bars';

export interface ExploreRun {
  run: ComparedRun;
  label: string;
  color: string;
  dashed: boolean;
}

interface SpecBase {
  runs: readonly ExploreRun[];
  axes: readonly ExploreAxis[];
  theme: ThemeColors;
}

export type ExploreSpec =
  | (SpecBase & { kind: 'parallel'; brush: BrushRanges })
  | (SpecBase & { kind: 'scatter'; x: string | undefined; y: string | undefined })
  | (SpecBase & { kind: 'bars'; metric: string | undefined });

export interface ExploreChartEvents {
  /** The user brushed a parallel axis (an empty list: cleared it). */
  onBrush(axis: string, ranges: Array<[number, number]>): void;
}

export interface ExploreChart {
  /** Draws the spec; the same spec again changes nothing, a brush in it is put on the axes. */
  show(spec: ExploreSpec): void;
  resize(): void;
  dispose(): void;
}

/** What the loaded module offers. */
export interface ExploreModule {
  createExploreChart(element: HTMLElement, events: ExploreChartEvents): ExploreChart;
}

/** Loads the exploration charts: a dynamic import in an ES module host, a second script in a webview. */
export type ExploreLoader = () => Promise<ExploreModule>;
