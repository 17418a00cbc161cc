/**
 * The exploration charts drawn with ECharts, tree-shaken to the three chart
 * types and the components they use. This module (and so ECharts) is loaded
 * only when the user opens one of the charts: `index.ts` is its entry.
 */
import { BarChart, ParallelChart, ScatterChart } from 'echarts/charts';
import { GridComponent, ParallelComponent, TooltipComponent } from 'echarts/components';
import { init, use, type EChartsType } from 'echarts/core';
import { CanvasRenderer } from 'echarts/renderers';
import { buildOption } from './options.js';
import type { ExploreChart, ExploreChartEvents, ExploreSpec } from './types.js';

use([ParallelChart, ScatterChart, BarChart, ParallelComponent, GridComponent, TooltipComponent, CanvasRenderer]);

/** The chart's element carries its ECharts instance, so end-to-end tests can drive what a drag would. */
export interface ExploreChartElement extends HTMLElement {
  ferryChart?: EChartsType;
}

interface AxisAreaSelected {
  parallelAxisId: string;
  intervals: Array<[number, number]>;
}

export function createExploreChart(element: ExploreChartElement, events: ExploreChartEvents): ExploreChart {
  const chart = init(element, undefined, { renderer: 'canvas' });
  element.ferryChart = chart;
  let shown: string | undefined;
  /** The ranges on each axis of the chart, as JSON: what the brush in a spec is compared with. */
  const onChart = new Map<string, string>();
  chart.on('axisareaselected', (params) => {
    const { parallelAxisId, intervals } = params as AxisAreaSelected;
    onChart.set(parallelAxisId, JSON.stringify(intervals ?? []));
    events.onBrush(
      parallelAxisId,
      (intervals ?? []).map(([a, b]) => [a, b]),
    );
  });

  return {
    show(spec: ExploreSpec) {
      const option = buildOption(spec);
      // A live update that changes nothing drawn leaves the chart alone (and the user's hover with it).
      const key = JSON.stringify(option);
      if (key !== shown) {
        // Axes and series matched by id are updated in place: a brushed axis keeps its range.
        chart.setOption(option, shown === undefined ? { notMerge: true } : { replaceMerge: ['parallelAxis', 'series', 'xAxis', 'yAxis'] });
        shown = key;
      }
      if (spec.kind !== 'parallel') return;
      const keys = new Set(spec.axes.map((axis) => axis.key));
      for (const axis of onChart.keys()) if (!keys.has(axis)) onChart.delete(axis);
      // The view's brush is the truth: a chart made again (or a brush cleared from the view) gets it put back.
      for (const axis of spec.axes) {
        const wanted = JSON.stringify(spec.brush.get(axis.key) ?? []);
        if (wanted === (onChart.get(axis.key) ?? '[]')) continue;
        onChart.set(axis.key, wanted);
        chart.dispatchAction({ type: 'axisAreaSelect', parallelAxisId: axis.key, intervals: JSON.parse(wanted) });
      }
    },
    resize: () => chart.resize(),
    dispose() {
      chart.dispose();
      delete element.ferryChart;
    },
  };
}
