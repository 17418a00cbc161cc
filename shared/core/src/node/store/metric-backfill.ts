/** Builds the block summaries of points stored before there were any (a store from an older Ferry). */
import type Database from 'better-sqlite3';
import { BlockWriter } from './metric-blocks.js';

/** One series at a time (a connection cannot write while it iterates), points in the order they were logged. */
export function backfillMetricBlocks(db: Database.Database): void {
  const writer = new BlockWriter(db);
  const series = db.prepare('SELECT DISTINCT run_id, step_name, name FROM metrics').all() as Array<{ run_id: string; step_name: string; name: string }>;
  const points = db.prepare('SELECT name, step, time, value FROM metrics WHERE run_id = ? AND step_name = ? AND name = ? ORDER BY rowid');
  for (const { run_id, step_name, name } of series) {
    const rows = points.all(run_id, step_name, name) as Array<{ name: string; step: number; time: number; value: number | null }>;
    writer.record(run_id, step_name, rows.map((row) => ({ ...row, value: row.value ?? Number.NaN })));
  }
}
