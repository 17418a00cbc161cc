/**
 * One Slurm job as squeue, sacct or `scontrol show job` describe it, in one
 * shape, with Slurm's own words kept: the monitor maps states to Ferry's
 * vocabulary (job-observation.ts) but reasons show the raw state.
 */

export interface SlurmJob {
  /** As Slurm prints it: `123`, `123_4` (array task), `123_[5-9%2]` (pending array tasks). */
  jobId: string;
  /** The state's first word, upper case: PENDING, RUNNING, CANCELLED, TIMEOUT, ... */
  state: string;
  /** Words after the state, e.g. `by 1000` of sacct's `CANCELLED by 1000`. */
  stateDetail?: string;
  /** Why the job waits or ended (`Dependency`, `Resources`, `NonZeroExitCode`); absent for `None`. */
  reason?: string;
  /** Slurm's local time (`2026-11-22T23:49:39`); absent for Unknown / None / N/A. */
  start?: string;
  end?: string;
  /** Absent when none was assigned. */
  nodes?: string;
  /** `ExitCode` as `code:signal` (sacct, scontrol); squeue has none. */
  exitCode?: { code: number; signal: number };
  /** The time limit as Slurm prints it (`10:00`, `1-00:00:00`, `UNLIMITED`). */
  timeLimit?: string;
  /** Submit time, to tell apart records of a job id reused by a reinstalled cluster. */
  submit?: string;
  source: 'squeue' | 'sacct' | 'scontrol';
}

/** `CANCELLED by 1000` → state CANCELLED, detail `by 1000`; `CANCELLED+` (sacct's truncation mark) too. */
export function splitState(text: string): Pick<SlurmJob, 'state' | 'stateDetail'> {
  const [first = '', ...rest] = text.trim().split(/\s+/);
  const state = first.replace(/\+$/, '').toUpperCase();
  const detail = rest.join(' ');
  return detail ? { state, stateDetail: detail } : { state };
}

/** Slurm's words for "no value here". */
const EMPTY_VALUES = new Set(['', 'Unknown', 'None', 'N/A', '(null)', 'None assigned', 'n/a']);

export function slurmValue(text: string | undefined): string | undefined {
  const value = text?.trim();
  return value === undefined || EMPTY_VALUES.has(value) ? undefined : value;
}

/** `0:0`, `1:0`, `0:15` → code and signal; undefined for anything else. */
export function parseExitCode(text: string | undefined): SlurmJob['exitCode'] {
  const match = /^(\d+):(\d+)$/.exec(text?.trim() ?? '');
  return match ? { code: Number(match[1]), signal: Number(match[2]) } : undefined;
}

/** The job id an array task belongs to: `123_4` → `123`; a plain id stays as it is. */
export function arrayJobId(jobId: string): string {
  return jobId.split('_', 1)[0]!;
}

/** Of several records for one job id (a reused id, a requeue), the newest by submit time. */
export function newestRecords(jobs: readonly SlurmJob[]): Map<string, SlurmJob> {
  const byId = new Map<string, SlurmJob>();
  for (const job of jobs) {
    const seen = byId.get(job.jobId);
    if (!seen || (job.submit ?? '') >= (seen.submit ?? '')) byId.set(job.jobId, job);
  }
  return byId;
}

/** Minutes of a Slurm duration (`MM`, `MM:SS`, `HH:MM:SS`, `D-HH`, `D-HH:MM`, `D-HH:MM:SS`); undefined for UNLIMITED and the like. */
export function durationMinutes(text: string | undefined): number | undefined {
  const match = /^(?:(\d+)-)?(\d+)(?::(\d+))?(?::(\d+))?$/.exec(text?.trim() ?? '');
  if (!match) return undefined;
  const [, days, a, b, c] = match;
  const numbers = [a, b, c].filter((part): part is string => part !== undefined).map(Number);
  let seconds: number;
  if (days !== undefined) {
    // D-HH, D-HH:MM, D-HH:MM:SS
    const [hours = 0, minutes = 0, secs = 0] = numbers;
    seconds = ((Number(days) * 24 + hours) * 60 + minutes) * 60 + secs;
  } else if (numbers.length === 1) {
    seconds = numbers[0]! * 60; // MM
  } else if (numbers.length === 2) {
    seconds = numbers[0]! * 60 + numbers[1]!; // MM:SS
  } else {
    seconds = (numbers[0]! * 60 + numbers[1]!) * 60 + numbers[2]!; // HH:MM:SS
  }
  return seconds / 60;
}

/** `90` → `1h30m`, for reasons people read. */
export function formatMinutes(minutes: number): string {
  const whole = Math.round(minutes);
  const days = Math.floor(whole / 1440);
  const hours = Math.floor((whole % 1440) / 60);
  const rest = whole % 60;
  return [days && `${days}d`, hours && `${hours}h`, (rest || whole === 0) && `${rest}m`].filter(Boolean).join('');
}

/** A Slurm local time (`YYYY-MM-DDTHH:MM:SS`, no zone) as ISO-8601 UTC, given the cluster's UTC offset (`+0100`). */
export function slurmTimeToIso(text: string | undefined, utcOffset: string): string | undefined {
  const match = /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2})$/.exec(text?.trim() ?? '');
  if (!match) return undefined;
  const zone = /^([+-])(\d{2})(\d{2})$/.exec(utcOffset.trim());
  const suffix = zone ? `${zone[1]}${zone[2]}:${zone[3]}` : 'Z';
  const time = new Date(`${match[1]}${suffix}`);
  return Number.isNaN(time.getTime()) ? undefined : time.toISOString();
}
