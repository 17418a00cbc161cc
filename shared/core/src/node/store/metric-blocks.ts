/**
 * Summaries of metric series, kept as points are stored, so a chart of a
 * long series reads about one row per pixel instead of every point.
 *
 * A series' points, in the order logged, are cut into blocks of 16 points
 * (level 0), 64 (level 1), ... 4^6 × 16 (level 6). Each block keeps its count,
 * sum, x extents and four real points: first, last, lowest and highest. A
 * block also says whether x (step, time) never went down inside it and from
 * the point before it: only then does its x extent hold nothing but its own
 * points, and only such blocks stand in for their points in a history.
 * Blocks combine like their points do, so every level is folded in the
 * same pass, and the top level sums up a whole series in a few rows.
 */
import type Database from 'better-sqlite3';
import type { HistoryPoint } from '../../compare/downsample.js';

export const BLOCK_LEVELS = 7;
const LEVEL0_POINTS = 16;
const LEVEL_FACTOR = 4;
export const TOP_LEVEL = BLOCK_LEVELS - 1;

/** Points a full block of `level` holds. */
export function blockCapacity(level: number): number {
  return LEVEL0_POINTS * LEVEL_FACTOR ** level;
}

export const METRIC_BLOCKS_SCHEMA = `
  CREATE TABLE metric_blocks (
    run_id      TEXT NOT NULL,
    level       INTEGER NOT NULL,
    step_name   TEXT NOT NULL,
    name        TEXT NOT NULL,
    block       INTEGER NOT NULL, -- index of the block within its series and level
    count       INTEGER NOT NULL,
    finite      INTEGER NOT NULL, -- points that are not NaN
    total       REAL NOT NULL,    -- sum of those
    sorted_step INTEGER NOT NULL, -- 1: step never went down within the block nor from the point before it
    sorted_time INTEGER NOT NULL,
    lo_step REAL NOT NULL, hi_step REAL NOT NULL, lo_time REAL NOT NULL, hi_time REAL NOT NULL,
    first_step REAL NOT NULL, first_time REAL NOT NULL, first_value REAL, -- NULL: NaN
    last_step  REAL NOT NULL, last_time  REAL NOT NULL, last_value  REAL,
    min_step REAL, min_time REAL, min_value REAL, -- NULL when every point is NaN
    max_step REAL, max_time REAL, max_value REAL,
    PRIMARY KEY (run_id, level, step_name, name, block),
    FOREIGN KEY (run_id, step_name) REFERENCES steps (run_id, name) ON DELETE CASCADE
  ) WITHOUT ROWID;
`;

/** A block as the store keeps it; points carry NaN, never null. */
export interface Block {
  level: number;
  block: number;
  count: number;
  finite: number;
  total: number;
  sortedStep: boolean;
  sortedTime: boolean;
  loStep: number;
  hiStep: number;
  loTime: number;
  hiTime: number;
  first: HistoryPoint;
  last: HistoryPoint;
  min?: HistoryPoint;
  max?: HistoryPoint;
}

export interface BlockRow {
  run_id: string;
  level: number;
  step_name: string;
  name: string;
  block: number;
  count: number;
  finite: number;
  total: number;
  sorted_step: number;
  sorted_time: number;
  lo_step: number;
  hi_step: number;
  lo_time: number;
  hi_time: number;
  first_step: number;
  first_time: number;
  first_value: number | null;
  last_step: number;
  last_time: number;
  last_value: number | null;
  min_step: number | null;
  min_time: number | null;
  min_value: number | null;
  max_step: number | null;
  max_time: number | null;
  max_value: number | null;
}

export function toBlock(row: BlockRow): Block {
  return {
    level: row.level,
    block: row.block,
    count: row.count,
    finite: row.finite,
    total: row.total,
    sortedStep: row.sorted_step === 1,
    sortedTime: row.sorted_time === 1,
    loStep: row.lo_step,
    hiStep: row.hi_step,
    loTime: row.lo_time,
    hiTime: row.hi_time,
    first: { step: row.first_step, time: row.first_time, value: row.first_value ?? Number.NaN },
    last: { step: row.last_step, time: row.last_time, value: row.last_value ?? Number.NaN },
    ...(row.min_step !== null && { min: { step: row.min_step, time: row.min_time!, value: row.min_value! } }),
    ...(row.max_step !== null && { max: { step: row.max_step, time: row.max_time!, value: row.max_value! } }),
  };
}

/** Adds `point` to `block` (the point before it in the series is `previous`); a missing block starts with it. */
export function foldPoint(block: Block | undefined, level: number, index: number, point: HistoryPoint, previous: HistoryPoint | undefined): Block {
  const upStep = previous === undefined || point.step >= previous.step;
  const upTime = previous === undefined || point.time >= previous.time;
  const finite = !Number.isNaN(point.value);
  if (!block) {
    return {
      level,
      block: index,
      count: 1,
      finite: finite ? 1 : 0,
      total: finite ? point.value : 0,
      sortedStep: upStep,
      sortedTime: upTime,
      loStep: point.step,
      hiStep: point.step,
      loTime: point.time,
      hiTime: point.time,
      first: point,
      last: point,
      ...(finite && { min: point, max: point }),
    };
  }
  block.count++;
  block.sortedStep &&= upStep;
  block.sortedTime &&= upTime;
  block.loStep = Math.min(block.loStep, point.step);
  block.hiStep = Math.max(block.hiStep, point.step);
  block.loTime = Math.min(block.loTime, point.time);
  block.hiTime = Math.max(block.hiTime, point.time);
  block.last = point;
  if (finite) {
    block.finite++;
    block.total += point.value;
    if (!block.min || point.value < block.min.value) block.min = point;
    if (!block.max || point.value > block.max.value) block.max = point;
  }
  return block;
}

/** Folds blocks of one series, in order, into one (for a whole-series summary). */
export function foldBlocks(blocks: readonly Block[]): Block | undefined {
  let out: Block | undefined;
  for (const block of blocks) {
    if (!out) {
      out = { ...block };
      continue;
    }
    out.sortedStep &&= block.sortedStep;
    out.sortedTime &&= block.sortedTime;
    out.count += block.count;
    out.finite += block.finite;
    out.total += block.total;
    out.loStep = Math.min(out.loStep, block.loStep);
    out.hiStep = Math.max(out.hiStep, block.hiStep);
    out.loTime = Math.min(out.loTime, block.loTime);
    out.hiTime = Math.max(out.hiTime, block.hiTime);
    out.last = block.last;
    if (block.min && (!out.min || block.min.value < out.min.value)) out.min = block.min;
    if (block.max && (!out.max || block.max.value > out.max.value)) out.max = block.max;
  }
  return out;
}

/** Keeps the blocks of every level up to date as points are stored; call inside the transaction that stores them. */
export class BlockWriter {
  private readonly lastBlock: Database.Statement;
  private readonly upsert: Database.Statement;

  constructor(db: Database.Database) {
    this.lastBlock = db.prepare('SELECT * FROM metric_blocks WHERE run_id = ? AND level = ? AND step_name = ? AND name = ? ORDER BY block DESC LIMIT 1');
    this.upsert = db.prepare(
      `INSERT OR REPLACE INTO metric_blocks VALUES (
        @run_id, @level, @step_name, @name, @block, @count, @finite, @total, @sorted_step, @sorted_time,
        @lo_step, @hi_step, @lo_time, @hi_time, @first_step, @first_time, @first_value, @last_step, @last_time, @last_value,
        @min_step, @min_time, @min_value, @max_step, @max_time, @max_value)`,
    );
  }

  /** Points of one step, any names, in the order logged. */
  record(runId: string, stepName: string, points: ReadonlyArray<HistoryPoint & { name: string }>): void {
    const byName = new Map<string, HistoryPoint[]>();
    for (const { name, ...point } of points) {
      const list = byName.get(name);
      if (list) list.push(point);
      else byName.set(name, [point]);
    }
    for (const [name, list] of byName) this.recordSeries(runId, stepName, name, list);
  }

  private recordSeries(runId: string, stepName: string, name: string, points: readonly HistoryPoint[]): void {
    const current: Array<Block | undefined> = [];
    const next: number[] = [];
    let previous: HistoryPoint | undefined;
    for (let level = 0; level < BLOCK_LEVELS; level++) {
      const row = this.lastBlock.get(runId, level, stepName, name) as BlockRow | undefined;
      const block = row && toBlock(row);
      if (level === 0) previous = block?.last;
      const full = block !== undefined && block.count >= blockCapacity(level);
      current[level] = full ? undefined : block;
      next[level] = block ? (full ? block.block + 1 : block.block) : 0;
    }
    for (const point of points) {
      for (let level = 0; level < BLOCK_LEVELS; level++) {
        const block = foldPoint(current[level], level, next[level]!, point, previous);
        current[level] = block;
        if (block.count >= blockCapacity(level)) {
          this.write(runId, stepName, name, block);
          current[level] = undefined;
          next[level]!++;
        }
      }
      previous = point;
    }
    for (const block of current) if (block) this.write(runId, stepName, name, block);
  }

  private write(runId: string, stepName: string, name: string, block: Block): void {
    this.upsert.run({
      run_id: runId,
      level: block.level,
      step_name: stepName,
      name,
      block: block.block,
      count: block.count,
      finite: block.finite,
      total: block.total,
      sorted_step: block.sortedStep ? 1 : 0,
      sorted_time: block.sortedTime ? 1 : 0,
      lo_step: block.loStep,
      hi_step: block.hiStep,
      lo_time: block.loTime,
      hi_time: block.hiTime,
      ...pointColumns('first', block.first),
      ...pointColumns('last', block.last),
      ...pointColumns('min', block.min),
      ...pointColumns('max', block.max),
    });
  }
}

function pointColumns(prefix: string, point: HistoryPoint | undefined): Record<string, number | null> {
  return {
    [`${prefix}_step`]: point?.step ?? null,
    [`${prefix}_time`]: point?.time ?? null,
    [`${prefix}_value`]: point === undefined || Number.isNaN(point.value) ? null : point.value,
  };
}
