/**
 * A step pod's log, kept on Ferry's side as it streams: the text in
 * `steps/<step>/log.txt` and the metric records in `metrics.jsonl` of the
 * run's local directory, the same files the other targets fill. So logs and
 * metrics outlive the pods (and their Jobs' clean-up), the monitor and the
 * views read them like any run's, and a restarted server picks up where the
 * files end: each reading of the pod's log starts at its beginning and only
 * what lies past the kept text and records is written.
 *
 * Once the pod has ended, `finish` reads the whole log one more time, without
 * follow, and keeps what the stream had not delivered: a follow may end
 * before the last lines (a dropped connection) or, on some nodes, not at all.
 */
import { appendFile, mkdir, readFile, stat } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { StepStatus } from '../targets/step-files.js';
import { PodLogRecordSplitter, type PodLogPart } from './pod-log-records.js';

/** Follows a pod's log while it runs; hands over the text in order. */
export type FollowPodLog = (pod: string, onText: (text: string) => Promise<void>, signal: AbortSignal) => Promise<void>;
/** The whole log of a pod, once. */
export type ReadPodLog = (pod: string) => Promise<string>;

export interface MirrorFiles {
  log: string;
  metrics: string;
}

export class LogMirror {
  private readonly abort = new AbortController();
  private keptText = 0;
  private keptMetrics = 0;
  private readonly ready: Promise<void>;
  private following: Promise<void>;
  /** Set once `finish` was called. */
  finishing?: Promise<void>;
  /** The runtime's last status record, when it wrote one. */
  status?: StepStatus;
  /** The whole log is kept (after `finish`). */
  finished = false;
  error?: Error;

  constructor(
    readonly pod: string,
    private readonly files: MirrorFiles,
    follow: FollowPodLog,
  ) {
    this.ready = this.countKept();
    this.following = this.ready.then(() => this.follow(follow));
  }

  /** The pod has ended: stop following and keep whatever of its log is not kept yet. */
  finish(read: ReadPodLog): Promise<void> {
    return (this.finishing ??= (async () => {
      this.abort.abort();
      await this.following;
      try {
        await this.keepStream(await read(this.pod));
      } catch (error) {
        this.error = error as Error;
      }
      this.finished = true;
    })());
  }

  stop(): void {
    this.abort.abort();
  }

  private async countKept(): Promise<void> {
    await mkdir(dirname(this.files.log), { recursive: true });
    this.keptText = await sizeOf(this.files.log);
    this.keptMetrics = await lineCount(this.files.metrics);
  }

  private async follow(follow: FollowPodLog): Promise<void> {
    if (this.abort.signal.aborted) return; // finished before it began: `finish` reads it all
    const reading = this.reading();
    try {
      await follow(this.pod, (text) => reading.push(text), this.abort.signal);
      if (!this.abort.signal.aborted) await reading.end();
    } catch (error) {
      // The pod may not serve a log yet (or any); `finish` reads it again.
      if (!this.abort.signal.aborted) this.error = error as Error;
    }
  }

  private async keepStream(log: string): Promise<void> {
    const reading = this.reading();
    await reading.push(log);
    await reading.end();
  }

  /** One reading of the log from its beginning: writes only what lies past what is kept. */
  private reading() {
    const splitter = new PodLogRecordSplitter();
    let textSeen = 0;
    let metricsSeen = 0;
    const keep = async (part: PodLogPart) => {
      if (part.status) this.status = part.status;
      const text = Buffer.from(part.text);
      const fresh = text.subarray(Math.max(0, Math.min(text.length, this.keptText - textSeen)));
      textSeen += text.length;
      if (fresh.length > 0) {
        await appendFile(this.files.log, fresh);
        this.keptText += fresh.length;
      }
      const metrics = part.metrics.slice(Math.max(0, Math.min(part.metrics.length, this.keptMetrics - metricsSeen)));
      metricsSeen += part.metrics.length;
      if (metrics.length > 0) {
        await appendFile(this.files.metrics, metrics.map((line) => `${line}\n`).join(''));
        this.keptMetrics += metrics.length;
      }
    };
    return { push: (text: string) => keep(splitter.push(text)), end: () => keep(splitter.end()) };
  }
}

async function sizeOf(file: string): Promise<number> {
  try {
    return (await stat(file)).size;
  } catch {
    return 0;
  }
}

async function lineCount(file: string): Promise<number> {
  try {
    return (await readFile(file, 'utf8')).split('\n').filter((line) => line !== '').length;
  } catch {
    return 0;
  }
}
