import { randomBytes } from 'node:crypto';

/**
 * A run id: `r-20261122-221530-ab12cd`. The UTC start time makes ids sort
 * by creation and read well in a terminal; 24 random bits keep two runs
 * started in the same second apart. Never derived from user text, so ids are
 * safe in paths, URLs and job names on every target.
 */
export function newRunId(now: Date = new Date()): string {
  return newId('r', now);
}

/** A sweep id, made the same way: `s-20261122-221530-ab12cd` (SWEEP_ID_PATTERN). */
export function newSweepId(now: Date = new Date()): string {
  return newId('s', now);
}

function newId(prefix: string, now: Date): string {
  const stamp = now.toISOString().replace(/[-:]/g, '').replace('T', '-').slice(0, 15);
  return `${prefix}-${stamp}-${randomBytes(3).toString('hex')}`;
}

export const RUN_ID_PATTERN = /^r-\d{8}-\d{6}-[0-9a-f]{6}$/;
