/**
 * Schema migrations of the run store. The database's `PRAGMA user_version` is
 * the number of migrations applied; opening a store applies the missing ones
 * in order, each in its own transaction, so a crash leaves the database at a
 * whole version. Append new migrations; never edit a released one.
 */
import type Database from 'better-sqlite3';
import { FerryError } from '../../errors.js';
import { backfillMetricBlocks } from './metric-backfill.js';
import { METRIC_BLOCKS_SCHEMA } from './metric-blocks.js';

export interface Migration {
  /** What the migration does, for error messages. */
  description: string;
  up(db: Database.Database): void;
}

export const migrations: readonly Migration[] = [
  {
    description: 'runs, steps, state changes and metrics',
    up(db) {
      db.exec(`
        CREATE TABLE runs (
          id            TEXT PRIMARY KEY,
          pipeline      TEXT NOT NULL,
          notebook_path TEXT NOT NULL,
          target        TEXT NOT NULL,
          mode          TEXT NOT NULL,
          state         TEXT NOT NULL,
          parameters    TEXT NOT NULL, -- JSON object
          spec          TEXT NOT NULL, -- JSON PipelineSpec
          run_dir       TEXT NOT NULL,
          created_at    TEXT NOT NULL,
          started_at    TEXT,
          finished_at   TEXT
        );
        CREATE INDEX runs_by_created ON runs (created_at DESC, id DESC);
        CREATE INDEX runs_by_state ON runs (state);

        CREATE TABLE steps (
          run_id         TEXT NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
          name           TEXT NOT NULL,
          position       INTEGER NOT NULL, -- index in spec.steps
          state          TEXT NOT NULL,
          job_id         TEXT,
          exit_code      INTEGER,
          reason         TEXT,
          started_at     TEXT,
          finished_at    TEXT,
          log_offset     INTEGER NOT NULL DEFAULT 0,
          metrics_offset INTEGER NOT NULL DEFAULT 0,
          PRIMARY KEY (run_id, name)
        );

        CREATE TABLE state_changes (
          id     INTEGER PRIMARY KEY,
          run_id TEXT NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
          step   TEXT, -- NULL: the run as a whole
          state  TEXT NOT NULL,
          reason TEXT,
          at     TEXT NOT NULL
        );
        CREATE INDEX state_changes_by_run ON state_changes (run_id, id);

        -- Points keep their insertion order (rowid) within a series.
        CREATE TABLE metrics (
          run_id    TEXT NOT NULL,
          step_name TEXT NOT NULL,
          name      TEXT NOT NULL,
          step      REAL NOT NULL,
          value     REAL, -- NULL stands for NaN: SQLite cannot store NaN
          time      REAL NOT NULL,
          FOREIGN KEY (run_id, step_name) REFERENCES steps (run_id, name) ON DELETE CASCADE
        );
        CREATE INDEX metrics_by_run ON metrics (run_id, step_name, name);
      `);
    },
  },
  {
    description: 'sweeps, and the sweep and index of each run that is a sweep point',
    up(db) {
      db.exec(`
        CREATE TABLE sweeps (
          id            TEXT PRIMARY KEY,
          pipeline      TEXT NOT NULL,
          notebook_path TEXT NOT NULL,
          target        TEXT NOT NULL,
          mode          TEXT NOT NULL,
          definition    TEXT NOT NULL, -- JSON SweepDefinition: axes, sample, seed, maxParallel
          size          INTEGER NOT NULL,
          created_at    TEXT NOT NULL
        );
        CREATE INDEX sweeps_by_created ON sweeps (created_at DESC, id DESC);

        -- NULL for runs of their own (every run stored before this migration).
        ALTER TABLE runs ADD COLUMN sweep_id TEXT REFERENCES sweeps (id) ON DELETE CASCADE;
        ALTER TABLE runs ADD COLUMN sweep_index INTEGER;
        CREATE UNIQUE INDEX runs_by_sweep ON runs (sweep_id, sweep_index) WHERE sweep_id IS NOT NULL;
      `);
    },
  },
  {
    description: 'metric block summaries and range indexes for comparing runs',
    up(db) {
      db.exec(METRIC_BLOCKS_SCHEMA);
      // Range scans of one series by step or by time; the first also serves every lookup the old index did.
      db.exec(`
        CREATE INDEX metrics_by_series_step ON metrics (run_id, step_name, name, step);
        CREATE INDEX metrics_by_series_time ON metrics (run_id, step_name, name, time);
        DROP INDEX metrics_by_run;
      `);
      backfillMetricBlocks(db);
    },
  },
  {
    description: 'the node each step ran on and how often it was retried',
    up(db) {
      // NULL for steps stored before this migration, and for targets that do not say.
      db.exec(`
        ALTER TABLE steps ADD COLUMN node TEXT;
        ALTER TABLE steps ADD COLUMN retries INTEGER;
      `);
    },
  },
];

/** Brings `db` up to `list.length` applied migrations; refuses a database from a newer Ferry. */
export function migrate(db: Database.Database, list: readonly Migration[] = migrations): void {
  const current = db.pragma('user_version', { simple: true }) as number;
  if (current > list.length) {
    throw new FerryError(
      'internal',
      `the run store ${db.name} has schema version ${current}, newer than this Ferry knows (${list.length}); upgrade Ferry`,
      { file: db.name },
    );
  }
  for (let version = current; version < list.length; version++) {
    const migration = list[version]!;
    const apply = db.transaction(() => {
      migration.up(db);
      // PRAGMA takes no bound parameters; `version` is our own integer.
      db.pragma(`user_version = ${version + 1}`);
    });
    try {
      apply.immediate();
    } catch (error) {
      throw new FerryError(
        'internal',
        `run store migration ${version + 1} (${migration.description}) failed: ${(error as Error).message}`,
        { file: db.name },
      );
    }
  }
}
