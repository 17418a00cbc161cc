export * from './format.js';
export { windowMessageHost, useHost, type ViewHost, type MessageEventSource } from './host.js';
export { mountLogView, mountMetricsView, mountParameterForm, type MountedView } from './mount.js';
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
