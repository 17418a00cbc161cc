/**
 * Comparison queries over stored metrics: whole-series reductions and
 * histories downsampled to a chart's width. Both read the block summaries
 * (metric-blocks.ts): a reduction folds the few top-level blocks of a
 * series; a history starts from the coarsest level with a block for every
 * bucket and splits only the blocks wider than two buckets, level by level,
 * so it reads one to a few rows per bucket whatever the series' length. Short
 * ranges (a zoom) and series whose x ever went down are read point by point
 * through an index range scan, straight into the bucket reducer, without
 * building an object per point.
 */
import type Database from 'better-sqlite3';
import type { HistoryAxis, HistorySeries, ReducedMetric } from '../../api/compare-contract.js';
import { BucketReducer, bucketOf, type BucketGrid } from '../../compare/downsample.js';
import { BLOCK_LEVELS, TOP_LEVEL, blockCapacity, foldBlocks, toBlock, type Block, type BlockRow } from './metric-blocks.js';

/** One series of one run. */
export interface SeriesKey {
  runId: string;
  stepName: string;
  name: string;
}

/** A whole series summed up: its reduction, its x extents and whether x ever went down. */
export interface SeriesSummary extends SeriesKey {
  block: Block;
}

/** At most this many points per bucket come back: first, last, lowest, highest. */
export const POINTS_PER_BUCKET = 4;

export class MetricHistory {
  private readonly topBlocksOfRun: Database.Statement;
  private readonly blocksInRange: Record<HistoryAxis, Database.Statement>;
  private readonly childrenInRange: Record<HistoryAxis, Database.Statement>;
  private readonly pointsInRange: Record<HistoryAxis, Database.Statement>;

  constructor(db: Database.Database) {
    // Series in spec order of their step, then by name: as getMetrics lists them.
    this.topBlocksOfRun = db.prepare(
      `SELECT b.* FROM metric_blocks b JOIN steps s ON s.run_id = b.run_id AND s.name = b.step_name
       WHERE b.run_id = ? AND b.level = ${TOP_LEVEL} ORDER BY s.position, b.name, b.block`,
    );
    // Raw tuples of the columns a history needs: a row object per block would cost more than the rest.
    const columns = (lo: string, hi: string) => `count, ${lo}, ${hi}, first_step, first_time, first_value, last_step, last_time, last_value,
      min_step, min_time, min_value, max_step, max_time, max_value, block`;
    const series = 'run_id = @runId AND level = @level AND step_name = @stepName AND name = @name';
    const blocks = (lo: string, hi: string) =>
      db.prepare(`SELECT ${columns(lo, hi)} FROM metric_blocks WHERE ${series} AND ${hi} >= @x0 AND ${lo} <= @x1 ORDER BY block`).raw(true);
    this.blocksInRange = { step: blocks('lo_step', 'hi_step'), time: blocks('lo_time', 'hi_time') };
    const children = (lo: string, hi: string) =>
      db
        .prepare(`SELECT ${columns(lo, hi)} FROM metric_blocks WHERE ${series} AND block IN (SELECT value FROM json_each(@blocks)) AND ${hi} >= @x0 AND ${lo} <= @x1`)
        .raw(true);
    this.childrenInRange = { step: children('lo_step', 'hi_step'), time: children('lo_time', 'hi_time') };
    const points = (x: string) =>
      db
        .prepare(
          `SELECT step, time, value FROM metrics WHERE run_id = @runId AND step_name = @stepName AND name = @name
           AND ${x} BETWEEN @x0 AND @x1 ORDER BY ${x}, rowid`,
        )
        .raw(true);
    this.pointsInRange = { step: points('step'), time: points('time') };
  }

  /** Every series of the run summed up, in spec order of their step, then by name. */
  summaries(runId: string): SeriesSummary[] {
    const rows = this.topBlocksOfRun.all(runId) as BlockRow[];
    const out: SeriesSummary[] = [];
    let group: BlockRow[] = [];
    const flush = () => {
      const block = foldBlocks(group.map(toBlock));
      if (block) out.push({ runId, stepName: group[0]!.step_name, name: group[0]!.name, block });
      group = [];
    };
    for (const row of rows) {
      if (group.length > 0 && (group[0]!.step_name !== row.step_name || group[0]!.name !== row.name)) flush();
      group.push(row);
    }
    flush();
    return out;
  }

  /**
   * The series downsampled onto `grid` (x = `axis`). `count` is the
   * series' size, the cursor live deltas continue from.
   */
  history(summary: SeriesSummary, axis: HistoryAxis, grid: BucketGrid): HistorySeries {
    const { block: whole } = summary;
    const base = { runId: summary.runId, stepName: summary.stepName, name: summary.name, count: whole.count };
    const sorted = axis === 'step' ? whole.sortedStep : whole.sortedTime;
    let inRange = sorted ? this.countInRange(summary, axis, grid) : whole.count;
    let blocks: BlockTuple[] | undefined;
    let level: number | undefined;
    // The coarsest level with a block for every bucket or more; a count taken at a coarse level is refined at the finer one.
    for (;;) {
      level = levelFor(inRange, grid.width);
      if (!sorted || level === undefined) break;
      blocks = this.blocks(summary, axis, grid, level);
      const counted = blocks.reduce((sum, block) => sum + block[0], 0);
      if (enoughBlocks(blocks.length, grid.width) || level === 0 || counted >= inRange) break;
      inRange = counted;
    }
    if (!blocks || level === undefined || !enoughBlocks(blocks.length, grid.width)) return { ...base, ...this.scan(summary, axis, grid) };
    const reducer = new BucketReducer(grid, axis);
    const key = { runId: summary.runId, stepName: summary.stepName, name: summary.name, x0: grid.x0, x1: grid.x1 };
    // A block within two neighbouring buckets gives its four points to their
    // own buckets: every point of it then lies within the kept lowest and
    // highest of its pixel column or the next. A wider block is split into
    // its four children, level by level; at level 0 (16 points) it is read
    // point by point, and so are the blocks an end of the range cuts, so the
    // ends are exact.
    for (let pending = blocks; pending.length > 0; level--) {
      const cut: number[] = [];
      for (const block of pending) {
        const [, lo, hi] = block;
        const inside = lo >= grid.x0 && hi <= grid.x1;
        if (inside && bucketOf(grid, hi) - bucketOf(grid, lo) <= 1) {
          // First, last, lowest, highest; the extremes are NULL when every point is NaN.
          for (let at = 3; at < 15; at += 3) if (block[at] !== null) reducer.add(block[at]!, block[at + 1]!, block[at + 2] ?? Number.NaN);
        } else if (level === 0) {
          const part = { x0: Math.max(grid.x0, lo), x1: Math.min(grid.x1, hi) };
          for (const [step, time, value] of this.iterate(summary, axis, part)) reducer.add(step, time, value ?? Number.NaN);
        } else {
          const index = block[15]!;
          cut.push(index * 4, index * 4 + 1, index * 4 + 2, index * 4 + 3);
        }
      }
      if (cut.length === 0) break;
      pending = this.childrenInRange[axis].all({ ...key, level: level - 1, blocks: JSON.stringify(cut) }) as BlockTuple[];
    }
    return { ...base, complete: false, ...wire(reducer.result()) };
  }

  /** Every point in the range, one index range scan: all of them when few enough, else folded into buckets as they come. */
  private scan(summary: SeriesKey, axis: HistoryAxis, grid: BucketGrid): Pick<HistorySeries, 'complete' | 'step' | 'time' | 'value'> {
    const limit = POINTS_PER_BUCKET * grid.width;
    const kept: Array<[number, number, number | null]> = [];
    let reducer: BucketReducer | undefined;
    for (const row of this.iterate(summary, axis, grid)) {
      if (reducer) {
        reducer.add(row[0], row[1], row[2] ?? Number.NaN);
        continue;
      }
      kept.push(row);
      if (kept.length > limit) {
        reducer = new BucketReducer(grid, axis);
        for (const [step, time, value] of kept) reducer.add(step, time, value ?? Number.NaN);
      }
    }
    if (!reducer) return { complete: true, step: kept.map((p) => p[0]), time: kept.map((p) => p[1]), value: kept.map((p) => p[2]) };
    return { complete: false, ...wire(reducer.result()) };
  }

  /** Points of the top-level blocks that overlap the range: an upper bound of the points in it. */
  private countInRange(summary: SeriesSummary, axis: HistoryAxis, grid: BucketGrid): number {
    return this.blocks(summary, axis, grid, TOP_LEVEL).reduce((sum, block) => sum + block[0], 0);
  }

  private blocks(summary: SeriesSummary, axis: HistoryAxis, grid: BucketGrid, level: number): BlockTuple[] {
    return this.blocksInRange[axis].all({ runId: summary.runId, stepName: summary.stepName, name: summary.name, level, x0: grid.x0, x1: grid.x1 }) as BlockTuple[];
  }

  private iterate(summary: SeriesKey, axis: HistoryAxis, range: { x0: number; x1: number }): IterableIterator<[number, number, number | null]> {
    return this.pointsInRange[axis].iterate({ runId: summary.runId, stepName: summary.stepName, name: summary.name, x0: range.x0, x1: range.x1 }) as IterableIterator<
      [number, number, number | null]
    >;
  }
}

/**
 * Blocks of one level in a range: count, x extent (low, high), then first,
 * last, lowest and highest point as step, time, value, then the block's index.
 */
type BlockTuple = [number, number, number, ...Array<number | null>];

/**
 * Enough blocks stand in for the points when there is one for every bucket:
 * then nearly every block lies within two neighbouring buckets and is taken
 * as it is. With fewer, most would have to be split or read point by point,
 * which costs more than one range scan of the points.
 */
function enoughBlocks(blocks: number, width: number): boolean {
  return blocks >= width;
}

/** The coarsest level with enough blocks for `points` points; undefined when even level 0's are too few. */
export function levelFor(points: number, width: number): number | undefined {
  let chosen: number | undefined;
  for (let level = 0; level < BLOCK_LEVELS; level++) if (enoughBlocks(points / blockCapacity(level), width)) chosen = level;
  return chosen;
}

/** A series' whole reduction, from its summary. */
export function toReducedMetric(summary: SeriesSummary): ReducedMetric {
  const { block } = summary;
  return {
    stepName: summary.stepName,
    name: summary.name,
    count: block.count,
    last: block.last.value,
    lastStep: block.last.step,
    ...(block.min && block.max && block.finite > 0 && { min: block.min.value, max: block.max.value, mean: block.total / block.finite }),
  };
}

function wire(points: { step: number[]; time: number[]; value: number[] }): Pick<HistorySeries, 'step' | 'time' | 'value'> {
  return { step: points.step, time: points.time, value: points.value.map((v) => (Number.isNaN(v) ? null : v)) };
}
