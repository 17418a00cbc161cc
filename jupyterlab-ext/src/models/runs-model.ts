/**
 * Every run the Ferry server knows, newest first, kept live from the server's
 * run event stream (no polling), plus the selection: the selected run (the
 * one the side panel opens) and the runs selected with it to compare. Views
 * project it; commands change it through the client and it follows from the
 * events.
 */
import type { FerryClient, Run, RunState, StepState } from '@ferry/core';
import { Signal, type ISignal } from '@lumino/signaling';

export type RunsConnection = { state: 'connecting' } | { state: 'live' } | { state: 'offline'; error: string };

export interface RunsModelOptions {
  /** How many recent runs to list. */
  limit?: number;
  /** Reconnect delays after the stream fails, growing to the last one. */
  retryDelaysMs?: readonly number[];
}

const DEFAULT_RETRY_MS = [500, 1000, 2000, 5000, 10_000];

export class RunsModel {
  private readonly byId = new Map<string, Run>();
  private sorted: Run[] = [];
  private selected: string | undefined;
  /** Every selected run, the selected one included, in the order they were chosen. */
  private chosen: string[] = [];
  private status: RunsConnection = { state: 'connecting' };
  private abort: AbortController | undefined;
  private readonly changedSignal = new Signal<this, void>(this);
  private readonly selectionSignal = new Signal<this, string | undefined>(this);
  private disposed = false;
  private limit: number;
  private readonly retryDelaysMs: readonly number[];

  constructor(
    private readonly client: Pick<FerryClient, 'runs' | 'runEvents'>,
    options: RunsModelOptions = {},
  ) {
    this.limit = options.limit ?? 50;
    this.retryDelaysMs = options.retryDelaysMs ?? DEFAULT_RETRY_MS;
  }

  /** Emitted after any run, the selection or the connection changed. */
  get changed(): ISignal<this, void> {
    return this.changedSignal;
  }

  /** Emitted when the selection changes (e.g. a new run started from the notebook). */
  get selectionChanged(): ISignal<this, string | undefined> {
    return this.selectionSignal;
  }

  get runs(): readonly Run[] {
    return this.sorted;
  }

  get connection(): RunsConnection {
    return this.status;
  }

  get selectedId(): string | undefined {
    return this.selected;
  }

  /** The selected run and the runs selected with it (Ctrl/Shift+click), in list order. */
  get selectedIds(): readonly string[] {
    const chosen = new Set(this.chosen);
    return this.sorted.filter((run) => chosen.has(run.id)).map((run) => run.id);
  }

  isSelected(id: string): boolean {
    return this.chosen.includes(id);
  }

  get isDisposed(): boolean {
    return this.disposed;
  }

  get(id: string): Run | undefined {
    return this.byId.get(id);
  }

  /** Selects one run alone (or none). */
  select(id: string | undefined): void {
    const alone = id === undefined ? [] : [id];
    if (this.selected === id && this.chosen.length === alone.length) return;
    const moved = this.selected !== id;
    this.selected = id;
    this.chosen = alone;
    if (moved) this.selectionSignal.emit(id);
    this.changedSignal.emit();
  }

  /** Adds a run to the selection or takes it out (Ctrl+click); the selected run stays open. */
  toggleSelected(id: string): void {
    if (this.chosen.includes(id)) {
      this.chosen = this.chosen.filter((chosen) => chosen !== id);
      if (this.selected === id) this.selected = undefined;
    } else {
      this.chosen = [...this.chosen, id];
      if (this.selected === undefined) this.selected = id;
    }
    this.changedSignal.emit();
  }

  /** Selects the runs listed from the selected run to `id` (Shift+click), keeping the selected run open. */
  selectRange(id: string): void {
    const ids = this.sorted.map((run) => run.id);
    const from = this.selected === undefined ? -1 : ids.indexOf(this.selected);
    const to = ids.indexOf(id);
    if (from < 0 || to < 0) {
      this.select(id);
      return;
    }
    this.chosen = ids.slice(Math.min(from, to), Math.max(from, to) + 1);
    this.changedSignal.emit();
  }

  setLimit(limit: number): void {
    this.limit = Math.max(1, Math.floor(limit));
    this.sort();
    this.changedSignal.emit();
  }

  /**
   * Adds a run from the answer to a submit, cancel or re-run. The event stream
   * can be ahead of such an answer (a fast step is already running when the
   * submit answer arrives), so an answer never takes a run backwards.
   */
  upsert(run: Run): void {
    const known = this.byId.get(run.id);
    if (known && runProgress(known) > runProgress(run)) return;
    this.apply(run);
  }

  /** The stream's events come in order: each replaces what was there. */
  private apply(run: Run): void {
    this.byId.set(run.id, run);
    this.sort();
    this.changedSignal.emit();
  }

  /** Connects and stays connected until disposed: a snapshot first, then every change. */
  start(): void {
    if (this.abort || this.disposed) return;
    this.abort = new AbortController();
    void this.follow(this.abort.signal);
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    this.abort?.abort();
    Signal.clearData(this);
  }

  private async follow(signal: AbortSignal): Promise<void> {
    let failures = 0;
    while (!signal.aborted) {
      try {
        // Subscribe first and read the snapshot second, so no change falls between them.
        const events = this.client.runEvents(signal);
        const first = events.next();
        first.catch(() => undefined); // observed below; keeps an early failure from going unhandled
        const snapshot = await this.client.runs({ limit: this.limit });
        for (const run of snapshot) this.byId.set(run.id, run);
        this.sort();
        this.setStatus({ state: 'live' });
        failures = 0;
        for (let next = await first; !next.done; next = await events.next()) {
          this.apply(next.value.run);
        }
        throw new Error('the server closed the run event stream');
      } catch (error) {
        if (signal.aborted) return;
        this.setStatus({ state: 'offline', error: error instanceof Error ? error.message : String(error) });
        const delay = this.retryDelaysMs[Math.min(failures, this.retryDelaysMs.length - 1)] ?? 1000;
        failures += 1;
        await sleep(delay, signal);
      }
    }
  }

  private setStatus(status: RunsConnection): void {
    this.status = status;
    this.changedSignal.emit();
  }

  private sort(): void {
    const all = [...this.byId.values()].sort((a, b) => b.createdAt.localeCompare(a.createdAt) || b.id.localeCompare(a.id));
    // Keep memory bounded: only the newest `limit` runs (and the selected ones) stay.
    for (const run of all.slice(this.limit)) {
      if (run.id !== this.selected && !this.chosen.includes(run.id)) this.byId.delete(run.id);
    }
    this.sorted = all.filter((run) => this.byId.has(run.id));
  }
}

const STEP_RANK: Record<StepState, number> = { waiting: 0, queued: 1, running: 2, succeeded: 3, failed: 3, cancelled: 3, skipped: 3 };
const RUN_RANK: Record<RunState, number> = { queued: 0, running: 1, succeeded: 2, failed: 2, cancelled: 2 };

/** How far a run has got: states only move forward, so a larger number is a later view of it. */
export function runProgress(run: Run): number {
  return run.steps.reduce((sum, step) => sum + STEP_RANK[step.state], RUN_RANK[run.state] * 1000);
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, ms);
    signal.addEventListener('abort', () => {
      clearTimeout(timer);
      resolve();
    }, { once: true });
  });
}
