/**
 * Resuming a pod log without losing or repeating lines. With
 * `timestamps=true` the API server prefixes each line with the time the
 * container runtime read it (`2026-12-02T07:10:00.123456789Z text`). After a
 * dropped connection the log is asked for again from `sinceTime`, which the
 * server takes to the whole second only, and which filters line by line: the
 * new answer repeats the lines of that second that were already delivered.
 * LogResume remembers those (time and text, counted, since several lines can
 * share a timestamp) and lets through only the others.
 */
import { FerryError } from '../../errors.js';

/** A log line as served with timestamps=true. */
export interface TimestampedLine {
  /** Nanoseconds since the Unix epoch. */
  nanos: bigint;
  text: string;
}

const NANOS_PER_SECOND = 1_000_000_000n;
const TIMESTAMP = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?(Z|[+-]\d{2}:\d{2})$/i;

/**
 * An RFC 3339 time with up to nanoseconds and any zone offset (kubelet
 * writes 9 digits and Z; a runtime may keep its local offset), as
 * nanoseconds since the epoch; undefined if it is not one.
 */
export function parseLogTimestamp(text: string): bigint | undefined {
  const match = TIMESTAMP.exec(text);
  if (!match) return undefined;
  const [, year, month, day, hour, minute, second, fraction = '', zone] = match;
  const fields = [Number(month), Number(day), Number(hour), Number(minute), Number(second)];
  if (fields[0]! < 1 || fields[0]! > 12 || fields[1]! < 1 || fields[1]! > 31 || fields[2]! > 23 || fields[3]! > 59 || fields[4]! > 60) return undefined;
  const utcMs = Date.UTC(Number(year), fields[0]! - 1, fields[1]!, fields[2]!, fields[3]!, fields[4]!);
  const offsetMinutes = zone!.toUpperCase() === 'Z' ? 0 : (zone![0] === '-' ? -1 : 1) * (Number(zone!.slice(1, 3)) * 60 + Number(zone!.slice(4, 6)));
  const seconds = BigInt(utcMs / 1000 - offsetMinutes * 60);
  return seconds * NANOS_PER_SECOND + BigInt(fraction.padEnd(9, '0'));
}

/** `<timestamp> <text>` split; the text keeps everything after the first space. */
export function parseTimestampedLine(line: string): TimestampedLine {
  const space = line.indexOf(' ');
  const nanos = parseLogTimestamp(space < 0 ? line : line.slice(0, space));
  if (nanos === undefined) throw new FerryError('target', `a pod log line does not start with a timestamp: "${line.slice(0, 80)}"`);
  return { nanos, text: space < 0 ? '' : line.slice(space + 1) };
}

/** The `sinceTime` that asks again for the second of `nanos`: whole seconds, UTC, as the API takes it. */
export function sinceTimeOf(nanos: bigint): string {
  return new Date(Number(nanos / NANOS_PER_SECOND) * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/**
 * What was delivered of one log, to resume it: call `resume()` before
 * reading a new answer (it returns the sinceTime to ask for), then
 * `accept()` each of its lines in order; accepted lines are new.
 */
export class LogResume {
  /** The latest delivered time, and the delivered lines from its second on ("nanos text" → how many). */
  private latest: bigint | undefined;
  private window = new Map<string, number>();
  /** Of the window, what the current answer has not repeated yet. */
  private repeats = new Map<string, number>();

  /** Starts a new answer; the sinceTime for it (undefined: from the beginning). */
  resume(): string | undefined {
    this.repeats = new Map(this.window);
    return this.latest === undefined ? undefined : sinceTimeOf(this.latest);
  }

  /** Whether `line` (of the current answer) is new; if so it counts as delivered. */
  accept(line: TimestampedLine): boolean {
    const key = `${line.nanos} ${line.text}`;
    const repeated = this.repeats.get(key) ?? 0;
    if (repeated > 0) {
      this.repeats.set(key, repeated - 1);
      return false;
    }
    if (this.latest === undefined || line.nanos > this.latest) this.advanceTo(line.nanos);
    this.window.set(key, (this.window.get(key) ?? 0) + 1);
    return true;
  }

  /** Forgets lines from before the second of `nanos`: a later sinceTime will not bring them back. */
  private advanceTo(nanos: bigint): void {
    const second = secondOf(nanos);
    if (this.latest === undefined || second > secondOf(this.latest)) {
      for (const key of this.window.keys()) {
        if (BigInt(key.slice(0, key.indexOf(' '))) < second) this.window.delete(key);
      }
    }
    this.latest = nanos;
  }
}

function secondOf(nanos: bigint): bigint {
  return nanos - (nanos % NANOS_PER_SECOND);
}
