/**
 * How Ferry shows states, durations and metric summaries, the same in the CLI,
 * VS Code and JupyterLab. Pure functions: no DOM, no Node.
 */
import type { MetricSeries, RunState, StepState } from '@ferry/core';

export type Tone = 'ok' | 'bad' | 'busy' | 'idle';

const TONES: Record<StepState | RunState, Tone> = {
  waiting: 'idle',
  queued: 'idle',
  running: 'busy',
  succeeded: 'ok',
  failed: 'bad',
  cancelled: 'bad',
  skipped: 'idle',
};

const GLYPHS: Record<Tone, string> = { ok: '✓', bad: '✗', busy: '▶', idle: '·' };

export function stateTone(state: StepState | RunState): Tone {
  return TONES[state];
}

export function stateGlyph(state: StepState | RunState): string {
  return GLYPHS[TONES[state]];
}

/** 97 ms → "97ms", 4.25 s → "4.2s", 75 s → "1m15s", 2 h 3 min → "2h03m". */
export function formatDuration(ms: number): string {
  if (!Number.isFinite(ms) || ms < 0) return '';
  if (ms < 1000) return `${Math.round(ms)}ms`;
  if (ms < 60_000) return `${(Math.floor(ms / 100) / 10).toFixed(1)}s`;
  const totalSeconds = Math.floor(ms / 1000);
  const hours = Math.floor(totalSeconds / 3600);
  const minutes = Math.floor((totalSeconds % 3600) / 60);
  const seconds = totalSeconds % 60;
  if (hours === 0) return `${minutes}m${String(seconds).padStart(2, '0')}s`;
  return `${hours}h${String(minutes).padStart(2, '0')}m`;
}

/** Duration between two ISO timestamps; running ones count to `now`. */
export function elapsed(startedAt?: string, finishedAt?: string, now = Date.now()): string {
  if (!startedAt) return '';
  const end = finishedAt ? Date.parse(finishedAt) : now;
  return formatDuration(end - Date.parse(startedAt));
}

export interface SeriesSummary {
  stepName: string;
  name: string;
  last: number;
  min: number;
  max: number;
  count: number;
}

/** Last, min and max of each series; NaN points are counted but not compared. */
export function summarizeSeries(series: MetricSeries[]): SeriesSummary[] {
  return series
    .filter((s) => s.points.length > 0)
    .map((s) => {
      const values = s.points.map((p) => p.value).filter((v) => !Number.isNaN(v));
      return {
        stepName: s.stepName,
        name: s.name,
        last: s.points[s.points.length - 1]!.value,
        min: values.length ? Math.min(...values) : NaN,
        max: values.length ? Math.max(...values) : NaN,
        count: s.points.length,
      };
    });
}

/** Up to 6 significant digits, no trailing zeros: 0.123456789 → "0.123457". */
export function formatNumber(value: number): string {
  if (!Number.isFinite(value)) return String(value);
  if (Number.isInteger(value)) return String(value);
  return String(Number(value.toPrecision(6)));
}

/** 512 → "512 B", 1536 → "1.5 KB", 104857600 → "100 MB" (powers of 1024). */
export function formatBytes(bytes: number): string {
  const units = ['B', 'KB', 'MB', 'GB', 'TB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return `${unit === 0 ? value : Number(value.toFixed(1))} ${units[unit]}`;
}
