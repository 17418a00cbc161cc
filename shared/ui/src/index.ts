export * from './format.js';
export { windowMessageHost, useHost, type ViewHost, type MessageEventSource } from './host.js';
export { mountLogView, mountMetricsView, mountParameterForm, mountCompareView, type MountedView, type MountOptions } from './mount.js';
export {
  ControlsContext,
  plainControls,
  useControls,
  type Controls,
  type ButtonProps,
  type TextFieldProps,
  type CheckboxProps,
  type SelectProps,
} from './controls.js';
export { CompareView, type CompareViewProps } from './compare/CompareView.js';
export { CompareChart, type CompareChartProps, type XRange } from './compare/CompareChart.js';
export { HistoryStore, seriesKey, type HeldSeries, type SeriesDelta } from './compare/history-store.js';
export { compareCharts, runColors, ema, type ChartLine, type CompareChartData, type ChartOptions } from './compare/chart-data.js';
export * as runsTable from './compare/runs-table.js';
export { loadExplore } from './compare/explore/load.js';
export { exploreAxes, keptRunIds, type ExploreAxis, type BrushRanges } from './compare/explore/axes.js';
export type { ExploreKind, ExploreLoader, ExploreModule, ExploreSpec } from './compare/explore/types.js';
export { FALLBACK_COLORS, themeColors, type ThemeColors } from './metrics/chart-theme.js';
export { LogView, type LogViewProps } from './log/LogView.js';
export { LogLineStore } from './log/line-store.js';
export { LogSearch, type LogMatch } from './log/search.js';
export { parseAnsi, plainText, applySgr, PLAIN_STYLE, type AnsiStyle, type AnsiSegment, type AnsiColor } from './log/ansi.js';
export { MetricsView, type MetricsViewProps } from './metrics/MetricsView.js';
export { MetricChart, type MetricChartProps } from './metrics/MetricChart.js';
export { MetricsModel, type ChartLayout, type ChartSpec } from './metrics/metrics-model.js';
export { alignSeries, type ChartSeriesInput, type XAxis } from './metrics/series-table.js';
export { ParameterForm, type ParameterFormProps } from './parameters/ParameterForm.js';
export {
  validateParameterForm,
  validateField,
  initialInput,
  canSweep,
  fieldText,
  type FieldInput,
  type FormInput,
  type FormValidation,
  type SweepSyntax,
} from './parameters/validate.js';
