/**
 * A run's metric curves, live: one chart per metric (or all in one), several
 * runs overlaid when the host sends several (compare runs). Below each chart,
 * the last, lowest and highest value of each series.
 */
import type { HostToViewMessage, MetricPoint } from '@ferry/core';
import { useState } from 'react';
import { useControls } from '../controls.js';
import { formatNumber, summarizeSeries } from '../format.js';
import { useHost, type ViewHost } from '../host.js';
import { MetricChart } from './MetricChart.js';
import { MetricsModel, type ChartLayout, type ChartSpec } from './metrics-model.js';
import type { XAxis } from './series-table.js';

export interface MetricsViewProps {
  host: ViewHost;
}

const X_AXES = [
  { value: 'step', label: 'step' },
  { value: 'time', label: 'time' },
];

export function MetricsView({ host }: MetricsViewProps) {
  const [model] = useState(() => new MetricsModel());
  const [, setVersion] = useState(0);
  const [received, setReceived] = useState(false);
  const [error, setError] = useState<string>();
  const [layout, setLayout] = useState<ChartLayout>('per-metric');
  const [x, setX] = useState<XAxis>('step');
  const { Checkbox, Select } = useControls();

  useHost(host, 'metrics', (message: HostToViewMessage) => {
    switch (message.type) {
      case 'metrics/init':
        model.init(message.runs, message.x);
        setX(message.x ?? 'step');
        setReceived(true);
        setError(undefined);
        break;
      case 'metrics/append':
        model.append(message);
        break;
      case 'metrics/end':
        model.ended.set(message.runId, message.state);
        break;
      case 'error':
        setError(message.message);
        break;
    }
    setVersion((v) => v + 1);
  });

  const charts = model.charts(layout);
  const running = model.runs.filter((run) => !model.ended.has(run.runId)).length;

  return (
    <div className="ferry-view ferry-metrics-view">
      <div className="ferry-toolbar" role="toolbar" aria-label="Metrics">
        <span className="ferry-muted">
          {received ? `${model.runs.length} run${model.runs.length === 1 ? '' : 's'}${running ? ', updating live' : ''}` : 'Waiting for metrics…'}
        </span>
        <span className="ferry-field-inline">
          x axis{' '}
          <Select className="ferry-metrics-x" ariaLabel="x axis" value={x} options={X_AXES} onChange={(value) => setX(value as XAxis)} />
        </span>
        <Checkbox
          className="ferry-metrics-one-chart"
          checked={layout === 'single'}
          label="one chart"
          onChange={(checked) => setLayout(checked ? 'single' : 'per-metric')}
        />
      </div>
      {error && (
        <div className="ferry-error" role="alert">
          {error}
        </div>
      )}
      {received && charts.length === 0 && <p className="ferry-muted">No metrics logged yet. Steps log them with ferry.log_metric(name, value).</p>}
      <div className="ferry-charts">
        {charts.map((spec) => (
          <section key={spec.key} className="ferry-chart-card">
            <MetricChart title={spec.title} series={spec.series} x={x} />
            <SeriesSummary spec={spec} />
          </section>
        ))}
      </div>
    </div>
  );
}

function SeriesSummary({ spec }: { spec: ChartSpec }) {
  const summaries = summarizeSeries(spec.series.map((s) => ({ stepName: s.key, name: s.label, points: s.points as MetricPoint[] })));
  return (
    <table className="ferry-series-summary">
      <thead>
        <tr>
          <th scope="col">series</th>
          <th scope="col">last</th>
          <th scope="col">min</th>
          <th scope="col">max</th>
          <th scope="col">points</th>
        </tr>
      </thead>
      <tbody>
        {summaries.map((s) => (
          <tr key={s.stepName}>
            <th scope="row">{s.name}</th>
            <td>{formatNumber(s.last)}</td>
            <td>{formatNumber(s.min)}</td>
            <td>{formatNumber(s.max)}</td>
            <td>{s.count}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
