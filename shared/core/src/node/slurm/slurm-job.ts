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

/** A job's fields as one of Slurm's tools prints them (each tool names and orders them its own way). */
export interface PrintedJob {
  jobId: string;
  state: string;
  reason?: string;
  start?: string;
  end?: string;
  nodes?: string;
  timeLimit?: string;
  exitCode?: string;
  submit?: string;
}

/** One SlurmJob from squeue, sacct or scontrol: the same reading of states, "none" values and exit codes for all three. */
export function slurmJob(source: SlurmJob['source'], printed: PrintedJob): SlurmJob {
  return compact({
    jobId: printed.jobId,
    ...splitState(printed.state),
    reason: slurmValue(printed.reason),
    start: slurmValue(printed.start),
    end: slurmValue(printed.end),
    nodes: slurmValue(printed.nodes),
    exitCode: parseExitCode(printed.exitCode),
    timeLimit: slurmValue(printed.timeLimit),
    submit: slurmValue(printed.submit),
    source,
  });
}

/** Drops the keys whose value is undefined, so records compare and print cleanly. */
export function compact<T extends object>(record: T): T {
  return Object.fromEntries(Object.entries(record).filter(([, value]) => value !== undefined)) as T;
}

/** The job id an array task belongs to: `123_4` → `123`; a plain id stays as it is. */
export function arrayJobId(jobId: string): string {
  return jobId.split('_', 1)[0]!;
}

/**
 * Records by job id; of several for one id (a reused id, a requeue), the
 * newest by submit time. A record of several array tasks (`123_[1-3%2]`:
 * squeue without --array, sacct and scontrol for tasks not started) stands
 * for each of them, under each task's own id (`123_1`, `123_2`, `123_3`).
 */
export function newestRecords(jobs: readonly SlurmJob[]): Map<string, SlurmJob> {
  const byId = new Map<string, SlurmJob>();
  for (const record of jobs) {
    for (const jobId of arrayTaskIds(record.jobId)) {
      const job = jobId === record.jobId ? record : { ...record, jobId };
      const seen = byId.get(jobId);
      if (!seen || (job.submit ?? '') >= (seen.submit ?? '')) byId.set(jobId, job);
    }
  }
  return byId;
}

/**
 * The task ids a job id names: `123_[0-2,5%2]` → `123_0`, `123_1`, `123_2`,
 * `123_5` (the `%2` throttle dropped; `0-9:3` steps honoured); any other id
 * names itself.
 */
export function arrayTaskIds(jobId: string): string[] {
  const match = /^(\d+)_\[([\d,:-]+)(?:%\d+)?\]$/.exec(jobId);
  if (!match) return [jobId];
  const tasks: string[] = [];
  for (const part of match[2]!.split(',')) {
    const range = /^(\d+)(?:-(\d+)(?::(\d+))?)?$/.exec(part);
    if (!range) return [jobId]; // a form this parser does not know: keep the record as it is
    const first = Number(range[1]);
    const last = range[2] === undefined ? first : Number(range[2]);
    const step = Math.max(1, Number(range[3] ?? 1));
    for (let task = first; task <= last; task += step) tasks.push(`${match[1]}_${task}`);
  }
  return tasks;
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
