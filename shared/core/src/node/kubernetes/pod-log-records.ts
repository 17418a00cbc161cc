/**
 * A step pod's log (pods/log) split into what the user sees and the records
 * ferry_runtime.py writes on stdout with FERRY_STDOUT_RECORDS=1: one
 * `##ferry:metric <JSON>` line per line it appends to metrics.jsonl, and a last
 * `##ferry:status <JSON of status.json>`. The run's volume cannot be read from
 * outside the cluster, so these lines are how metrics and failure reasons
 * reach Ferry.
 *
 * A record is a whole line that starts with its prefix and holds a JSON
 * object. Anything else stays in the text as it came: the same words in the
 * middle of a line, or followed by something that is not a JSON object, are
 * the step's own output.
 */
import type { StepStatus } from '../targets/step-files.js';

export const METRIC_RECORD_PREFIX = '##ferry:metric ';
export const STATUS_RECORD_PREFIX = '##ferry:status ';

/**
 * The longest line held back while it may still become a record. A status
 * carries a traceback, so it may be long; past this, the line is released as
 * text rather than held (and kept from the user) without end.
 */
export const MAX_RECORD_CHARS = 4 * 1024 * 1024;

export interface PodLogPart {
  /** The log as the user sees it: record lines removed, everything else unchanged. */
  text: string;
  /** Each metric record's JSON text (without the line break), in order: a line for metrics.jsonl. */
  metrics: string[];
  /** The step's final status, when its record was in this part of the log. */
  status?: StepStatus;
}

const PREFIXES = [METRIC_RECORD_PREFIX, STATUS_RECORD_PREFIX];

export class PodLogRecordSplitter {
  private readonly decoder = new TextDecoder('utf-8');
  /** The start of the current line, held back while it may become a record. */
  private held = '';
  /** Records only start lines: in the middle of one, everything up to its end is text. */
  private atLineStart = true;

  /** The next piece of the log; lines (and UTF-8 characters) may be split between pieces. */
  push(chunk: Buffer | string): PodLogPart {
    const data = this.held + (typeof chunk === 'string' ? chunk : this.decoder.decode(chunk, { stream: true }));
    this.held = '';
    const part = new PartBuilder();
    let position = 0;
    while (position < data.length) {
      const newline = data.indexOf('\n', position);
      if (newline < 0) {
        this.keepLineStart(data.slice(position), part);
        break;
      }
      const line = data.slice(position, newline + 1);
      if (!this.atLineStart || !part.takeRecord(line)) part.addText(line);
      this.atLineStart = true;
      position = newline + 1;
    }
    return part.build();
  }

  /** The end of the log: a last line without a line break is a whole line. */
  end(): PodLogPart {
    const rest = this.held + this.decoder.decode();
    this.held = '';
    const part = new PartBuilder();
    if (rest !== '' && !(this.atLineStart && part.takeRecord(rest))) part.addText(rest);
    this.atLineStart = true;
    return part.build();
  }

  /** A line not ended yet: held while it may become a record, else shown at once. */
  private keepLineStart(start: string, part: PartBuilder) {
    if (this.atLineStart && start.length <= MAX_RECORD_CHARS && PREFIXES.some((prefix) => mayBecome(start, prefix))) {
      this.held = start;
      return;
    }
    part.addText(start);
    this.atLineStart = false;
  }
}

/** Whether `start` is the beginning of a line that starts with `prefix`. */
function mayBecome(start: string, prefix: string): boolean {
  return start.length < prefix.length ? prefix.startsWith(start) : start.startsWith(prefix);
}

class PartBuilder {
  private readonly texts: string[] = [];
  private readonly metrics: string[] = [];
  private status: StepStatus | undefined;

  addText(text: string) {
    this.texts.push(text);
  }

  /** Takes `line` (with its line break, if any) as a record if it is one. */
  takeRecord(line: string): boolean {
    const content = line.replace(/\r?\n$/, '');
    if (content.startsWith(METRIC_RECORD_PREFIX)) {
      const json = content.slice(METRIC_RECORD_PREFIX.length);
      if (parseObject(json) === undefined) return false;
      this.metrics.push(json);
      return true;
    }
    if (content.startsWith(STATUS_RECORD_PREFIX)) {
      const status = parseObject(content.slice(STATUS_RECORD_PREFIX.length));
      if (typeof status?.state !== 'string') return false;
      this.status = status as unknown as StepStatus;
      return true;
    }
    return false;
  }

  build(): PodLogPart {
    const part: PodLogPart = { text: this.texts.join(''), metrics: this.metrics };
    if (this.status !== undefined) part.status = this.status;
    return part;
  }
}

function parseObject(json: string): Record<string, unknown> | undefined {
  try {
    const value: unknown = JSON.parse(json);
    return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}
