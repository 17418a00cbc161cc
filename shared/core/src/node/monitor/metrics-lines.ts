/**
 * Parses new bytes of a step's metrics.jsonl (docs/run-directory.md). Only
 * whole lines count: the runtime writes each line with one write, so a chunk
 * that ends mid-line is the start of a line still being written, read again
 * from the same offset next time.
 */
import type { NewMetricPoint } from '../store/run-store.js';

export interface MalformedLine {
  /** Byte offset of the line within the chunk. */
  offset: number;
  text: string;
  problem: string;
}

export interface ParsedMetrics {
  points: NewMetricPoint[];
  /** Bytes of the chunk taken (through its last newline); the cursor advances by this much. */
  consumed: number;
  malformed: MalformedLine[];
}

const SPECIAL_VALUES: Record<string, number> = { NaN: Number.NaN, Infinity: Infinity, '-Infinity': -Infinity };

export function parseMetricLines(chunk: Buffer): ParsedMetrics {
  const consumed = chunk.lastIndexOf(0x0a) + 1;
  const points: NewMetricPoint[] = [];
  const malformed: MalformedLine[] = [];
  let start = 0;
  while (start < consumed) {
    const end = chunk.indexOf(0x0a, start);
    const text = chunk.subarray(start, end).toString('utf8').trim();
    if (text !== '') {
      const parsed = parseLine(text);
      if (typeof parsed === 'string') malformed.push({ offset: start, text, problem: parsed });
      else points.push(parsed);
    }
    start = end + 1;
  }
  return { points, consumed, malformed };
}

/** A point, or what is wrong with the line. */
function parseLine(text: string): NewMetricPoint | string {
  const json = parseJson(text);
  if ('problem' in json) return json.problem;
  const record = json.value;
  if (typeof record !== 'object' || record === null || Array.isArray(record)) return 'not a JSON object';
  const { name, value, step, time } = record as Record<string, unknown>;
  if (typeof name !== 'string' || name === '') return 'no "name"';
  const number = typeof value === 'number' ? value : typeof value === 'string' ? SPECIAL_VALUES[value] : undefined;
  if (number === undefined) return `"value" is not a number: ${JSON.stringify(value)}`;
  if (typeof step !== 'number' || !Number.isFinite(step)) return `"step" is not a number: ${JSON.stringify(step)}`;
  if (time !== undefined && (typeof time !== 'number' || !Number.isFinite(time))) return `"time" is not a number: ${JSON.stringify(time)}`;
  return { name, value: number, step, time: (time as number | undefined) ?? Date.now() / 1000 };
}

function parseJson(text: string): { value: unknown } | { problem: string } {
  try {
    return { value: JSON.parse(text) };
  } catch {
    // Python's json module writes NaN and ±Infinity as bare words unless told
    // otherwise; accept them as the string forms.
    try {
      return { value: JSON.parse(text.replace(/(?<=:\s*)(NaN|-?Infinity)(?=\s*[,}])/g, '"$1"')) };
    } catch (error) {
      return { problem: `not JSON: ${(error as Error).message}` };
    }
  }
}
