/**
 * The run store: the single source of truth for runs, their steps, state
 * history and metric series. Embedded SQLite (better-sqlite3, synchronous):
 * every method is one short statement or one transaction, so callers never
 * see a half-written run, and a restarted server finds everything it needs
 * to reattach to running jobs.
 */
import Database from 'better-sqlite3';
import { FerryError } from '../../errors.js';
import type { JsonValue, PipelineSpec, StepMode } from '../../spec.js';
import {
  FINAL_RUN_STATES,
  type MetricSeries,
  type Run,
  type RunState,
  type RunWithSpec,
  type StateChange,
  type StepRun,
  type StepState,
} from '../../run.js';
import type { Sweep, SweepDefinition } from '../../sweeps/sweep.js';
import { migrate, migrations as allMigrations, type Migration } from './migrations.js';
import { BlockWriter } from './metric-blocks.js';
import { MetricHistory } from './metric-history.js';
import {
  toMetricSeries,
  toRun,
  toStateChange,
  toSweep,
  type MetricRow,
  type RunRow,
  type StateChangeRow,
  type StepRow,
  type SweepRow,
} from './rows.js';

export interface NewRun {
  id: string;
  pipeline: string;
  notebookPath: string;
  target: string;
  mode: StepMode;
  parameters: Record<string, JsonValue>;
  spec: PipelineSpec;
  runDir: string;
}

/** A sweep's record; its points come as NewRuns, in index order. */
export interface NewSweep {
  id: string;
  pipeline: string;
  notebookPath: string;
  target: string;
  mode: StepMode;
  definition: SweepDefinition;
}

/** Fields to change; `undefined` leaves a field alone, `null` clears it. */
export type StepPatch = Nullable<Partial<Pick<StepRun, 'state' | 'jobId' | 'exitCode' | 'reason' | 'startedAt' | 'finishedAt' | 'node' | 'retries' | 'logOffset' | 'metricsOffset'>>>;
/** `reason` is not a run column: it goes into the state change only. */
export type RunPatch = Nullable<Partial<Pick<Run, 'state' | 'startedAt' | 'finishedAt'>>> & { reason?: string };
type Nullable<T> = { [K in keyof T]: T[K] | null };

/** A metric point as the monitor parsed it from metrics.jsonl. */
export interface NewMetricPoint {
  name: string;
  step: number;
  value: number;
  time: number;
}

export interface ListRunsOptions {
  limit: number;
  offset?: number;
  state?: RunState;
  /** Only the points of this sweep. */
  sweepId?: string;
}

const STEP_COLUMNS: Record<keyof StepPatch, string> = {
  state: 'state',
  jobId: 'job_id',
  exitCode: 'exit_code',
  reason: 'reason',
  startedAt: 'started_at',
  finishedAt: 'finished_at',
  node: 'node',
  retries: 'retries',
  logOffset: 'log_offset',
  metricsOffset: 'metrics_offset',
};
const RUN_COLUMNS: Record<keyof Omit<RunPatch, 'reason'>, string> = {
  state: 'state',
  startedAt: 'started_at',
  finishedAt: 'finished_at',
};

export class RunStore {
  /** Opens (creating if needed) the store at `file` and applies pending migrations. */
  static open(file: string, migrations: readonly Migration[] = allMigrations): RunStore {
    const db = new Database(file);
    try {
      // WAL: readers (the API) never block the monitor's writes.
      db.pragma('journal_mode = WAL');
      db.pragma('busy_timeout = 5000');
      db.pragma('foreign_keys = ON');
      migrate(db, migrations);
    } catch (error) {
      db.close();
      throw error;
    }
    return new RunStore(db);
  }

  // Made on first use: their statements need the schema's latest tables.
  private history: MetricHistory | undefined;
  private blocks: BlockWriter | undefined;

  private constructor(private readonly db: Database.Database) {}

  /** Reductions and downsampled histories of metric series, for comparing runs. */
  get metricHistory(): MetricHistory {
    return (this.history ??= new MetricHistory(this.db));
  }

  close(): void {
    this.db.close();
  }

  /** Schema version (migrations applied); for tests and diagnostics. */
  schemaVersion(): number {
    return this.db.pragma('user_version', { simple: true }) as number;
  }

  hasRun(id: string): boolean {
    return this.db.prepare('SELECT 1 FROM runs WHERE id = ?').get(id) !== undefined;
  }

  /** Inserts the run ('queued') and all its steps ('waiting') at once. */
  createRun(input: NewRun): RunWithSpec {
    this.db.transaction(() => this.insertRun(input, isoNow()))();
    return this.getRunWithSpec(input.id);
  }

  hasSweep(id: string): boolean {
    return this.db.prepare('SELECT 1 FROM sweeps WHERE id = ?').get(id) !== undefined;
  }

  /**
   * Inserts the sweep and all its points (runs 'queued', steps 'waiting') in
   * one transaction: the monitor never sees part of a sweep, so a target
   * that submits a sweep whole (Slurm job arrays) gets every point at once.
   */
  createSweep(sweep: NewSweep, points: readonly NewRun[]): Sweep {
    const now = isoNow();
    this.db.transaction(() => {
      this.db
        .prepare(
          `INSERT INTO sweeps (id, pipeline, notebook_path, target, mode, definition, size, created_at)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
        )
        .run(sweep.id, sweep.pipeline, sweep.notebookPath, sweep.target, sweep.mode, JSON.stringify(sweep.definition), points.length, now);
      points.forEach((point, index) => this.insertRun(point, now, { id: sweep.id, index }));
    })();
    return this.getSweep(sweep.id);
  }

  /** FerryError 'not-found' when there is none. */
  getSweep(id: string): Sweep {
    const row = this.db.prepare('SELECT * FROM sweeps WHERE id = ?').get(id) as SweepRow | undefined;
    if (!row) throw new FerryError('not-found', `no sweep with id "${id}"`);
    return toSweep(row);
  }

  /** Newest first. */
  listSweeps(options: { limit: number; offset?: number }): Sweep[] {
    const rows = this.db
      .prepare('SELECT * FROM sweeps ORDER BY created_at DESC, id DESC LIMIT ? OFFSET ?')
      .all(options.limit, options.offset ?? 0) as SweepRow[];
    return rows.map(toSweep);
  }

  /** The run with its steps in spec order; FerryError 'not-found' when there is none. */
  getRun(id: string): Run {
    return toRun(this.runRow(id), this.stepRows(id));
  }

  getRunWithSpec(id: string): RunWithSpec {
    const row = this.runRow(id);
    return { ...toRun(row, this.stepRows(id)), spec: JSON.parse(row.spec) as PipelineSpec };
  }

  /** Newest first; the points of a sweep (created together) in index order. */
  listRuns(options: ListRunsOptions): Run[] {
    const rows = this.db
      .prepare(
        `SELECT * FROM runs WHERE (@state IS NULL OR state = @state) AND (@sweepId IS NULL OR sweep_id = @sweepId)
         ORDER BY created_at DESC, sweep_index, id DESC LIMIT @limit OFFSET @offset`,
      )
      .all({ state: options.state ?? null, sweepId: options.sweepId ?? null, limit: options.limit, offset: options.offset ?? 0 }) as RunRow[];
    return rows.map((row) => toRun(row, this.stepRows(row.id)));
  }

  /** Runs not in a final state, oldest first (the order the scheduler serves them; a sweep's points by index). */
  activeRuns(): Run[] {
    const finals = FINAL_RUN_STATES.map(() => '?').join(', ');
    const rows = this.db
      .prepare(`SELECT * FROM runs WHERE state NOT IN (${finals}) ORDER BY created_at, sweep_index, id`)
      .all(...FINAL_RUN_STATES) as RunRow[];
    return rows.map((row) => toRun(row, this.stepRows(row.id)));
  }

  /** Applies `patch`; records a state change (and returns it) when the state changes. */
  updateStep(runId: string, step: string, patch: StepPatch): StateChange | undefined {
    return this.db.transaction(() => {
      const before = this.db.prepare('SELECT state FROM steps WHERE run_id = ? AND name = ?').get(runId, step) as { state: StepState } | undefined;
      if (!before) throw new FerryError('not-found', `run ${runId} has no step "${step}"`, { step });
      this.update('steps', STEP_COLUMNS, patch, 'run_id = @runId AND name = @step', { runId, step });
      if (patch.state && patch.state !== before.state) {
        return this.insertStateChange({ runId, step, state: patch.state, reason: patch.reason ?? undefined, at: isoNow() });
      }
      return undefined;
    })();
  }

  /** Applies `patch` to the run; records a state change (and returns it) when the state changes. */
  updateRun(runId: string, patch: RunPatch): StateChange | undefined {
    return this.db.transaction(() => {
      const before = this.runRow(runId);
      const { reason, ...columns } = patch;
      this.update('runs', RUN_COLUMNS, columns, 'id = @runId', { runId });
      if (patch.state && patch.state !== before.state) {
        return this.insertStateChange({ runId, state: patch.state, reason, at: isoNow() });
      }
      return undefined;
    })();
  }

  setLogOffset(runId: string, step: string, offset: number): void {
    this.db.prepare('UPDATE steps SET log_offset = ? WHERE run_id = ? AND name = ?').run(offset, runId, step);
  }

  /**
   * Stores points read from a step's metrics file together with the file
   * offset just past them, in one transaction: after a crash either both or
   * neither are stored, so re-reading from the stored offset never loses or
   * duplicates a point.
   */
  appendMetrics(runId: string, stepName: string, points: readonly NewMetricPoint[], newMetricsOffset: number): void {
    const insert = this.db.prepare('INSERT INTO metrics (run_id, step_name, name, step, value, time) VALUES (?, ?, ?, ?, ?, ?)');
    this.db.transaction(() => {
      for (const point of points) {
        // SQLite turns NaN into NULL anyway; say so explicitly (read back as NaN).
        insert.run(runId, stepName, point.name, point.step, Number.isNaN(point.value) ? null : point.value, point.time);
      }
      (this.blocks ??= new BlockWriter(this.db)).record(runId, stepName, points);
      this.db.prepare('UPDATE steps SET metrics_offset = ? WHERE run_id = ? AND name = ?').run(newMetricsOffset, runId, stepName);
    })();
  }

  /** Every series of the run: by step (spec order), then name; points in the order logged. */
  getMetrics(runId: string): MetricSeries[] {
    this.runRow(runId); // 'not-found' for an unknown run rather than an empty answer
    const rows = this.db
      .prepare(
        `SELECT m.step_name, m.name, m.step, m.value, m.time
         FROM metrics m JOIN steps s ON s.run_id = m.run_id AND s.name = m.step_name
         WHERE m.run_id = ? ORDER BY s.position, m.name, m.rowid`,
      )
      .all(runId) as MetricRow[];
    return toMetricSeries(rows);
  }

  /** The run's history, oldest first. */
  stateChanges(runId: string): StateChange[] {
    const rows = this.db.prepare('SELECT * FROM state_changes WHERE run_id = ? ORDER BY id').all(runId) as StateChangeRow[];
    return rows.map(toStateChange);
  }

  private insertRun(input: NewRun, now: string, sweep?: { id: string; index: number }): void {
    this.db
      .prepare(
        `INSERT INTO runs (id, pipeline, notebook_path, target, mode, state, parameters, spec, run_dir, created_at, sweep_id, sweep_index)
         VALUES (?, ?, ?, ?, ?, 'queued', ?, ?, ?, ?, ?, ?)`,
      )
      .run(
        input.id, input.pipeline, input.notebookPath, input.target, input.mode, JSON.stringify(input.parameters), JSON.stringify(input.spec),
        input.runDir, now, sweep?.id ?? null, sweep?.index ?? null,
      );
    const insertStep = this.db.prepare(`INSERT INTO steps (run_id, name, position, state) VALUES (?, ?, ?, 'waiting')`);
    input.spec.steps.forEach((step, position) => insertStep.run(input.id, step.name, position));
    this.insertStateChange({ runId: input.id, state: 'queued', at: now });
  }

  private runRow(id: string): RunRow {
    const row = this.db.prepare('SELECT * FROM runs WHERE id = ?').get(id) as RunRow | undefined;
    if (!row) throw new FerryError('not-found', `no run with id "${id}"`);
    return row;
  }

  private stepRows(runId: string): StepRow[] {
    return this.db.prepare('SELECT * FROM steps WHERE run_id = ? ORDER BY position').all(runId) as StepRow[];
  }

  private insertStateChange(change: StateChange): StateChange {
    this.db
      .prepare('INSERT INTO state_changes (run_id, step, state, reason, at) VALUES (?, ?, ?, ?, ?)')
      .run(change.runId, change.step ?? null, change.state, change.reason ?? null, change.at);
    return toStateChange({ run_id: change.runId, step: change.step ?? null, state: change.state, reason: change.reason ?? null, at: change.at });
  }

  /** UPDATE with only the patch's defined fields; column names come from our own whitelist. */
  private update<P extends object>(table: string, columns: Record<keyof P, string>, patch: P, where: string, keys: Record<string, string>): void {
    const sets: string[] = [];
    const values: Record<string, unknown> = { ...keys };
    for (const [field, column] of Object.entries(columns) as [string, string][]) {
      const value = (patch as Record<string, unknown>)[field];
      if (value === undefined) continue;
      sets.push(`${column} = @${field}`);
      values[field] = value;
    }
    if (sets.length > 0) this.db.prepare(`UPDATE ${table} SET ${sets.join(', ')} WHERE ${where}`).run(values);
  }
}

export function isoNow(): string {
  return new Date().toISOString();
}
