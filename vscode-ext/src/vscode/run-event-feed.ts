/**
 * Keeps the run tree current from the server's event stream (`/api/events`):
 * a snapshot on every (re)connect, then each run change as it happens. The
 * extension never polls a cluster; when the server is unreachable the tree
 * says so and the feed retries with backoff.
 */
import * as vscode from 'vscode';
import type { Run } from '@ferry/core';
import type { RunTreeModel } from '../model/run-tree.js';
import type { ServerConnection } from './server-connection.js';

const FIRST_RETRY_MS = 1000;
const MAX_RETRY_MS = 30_000;
const SNAPSHOT_LIMIT = 200;

export class RunEventFeed implements vscode.Disposable {
  private disposed = false;
  private stream: AbortController | undefined;
  private wake: (() => void) | undefined;
  private readonly runChanged = new vscode.EventEmitter<Run>();
  /** Each run change, after the model has it. */
  readonly onDidChangeRun = this.runChanged.event;

  constructor(
    private readonly connection: ServerConnection,
    private readonly model: RunTreeModel,
    private readonly refresh: () => void,
    private readonly log: vscode.LogOutputChannel,
  ) {}

  start(): void {
    void this.loop();
  }

  /** Reconnect now (the Refresh button, a retry after an error). */
  reconnect(): void {
    this.stream?.abort();
    this.wake?.();
  }

  private async loop(): Promise<void> {
    let delay = FIRST_RETRY_MS;
    while (!this.disposed) {
      const controller = new AbortController();
      this.stream = controller;
      try {
        const client = await this.connection.client();
        const events = client.runEvents(controller.signal);
        const first = events.next(); // opens the stream before the snapshot, so no change falls between
        const [targets, runs] = await Promise.all([client.targets(), client.runs({ limit: SNAPSHOT_LIMIT })]);
        this.model.setTargets(targets);
        this.model.setRuns(runs);
        this.model.setProblem(undefined);
        this.refresh();
        delay = FIRST_RETRY_MS;
        for (let next = await first; !next.done; next = await events.next()) {
          this.model.applyRun(next.value.run);
          this.runChanged.fire(next.value.run);
          this.refresh();
        }
        if (!controller.signal.aborted) throw new Error('the Ferry server closed the event stream');
      } catch (error) {
        if (this.disposed) return;
        if (!controller.signal.aborted) {
          const message = (error as Error).message;
          this.log.warn(`run events: ${message}`);
          this.model.setProblem(`Ferry server unavailable: ${message} (click to retry)`);
          this.refresh();
          this.connection.reset();
        }
      }
      if (controller.signal.aborted) continue; // an explicit reconnect: no wait
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, delay);
        this.wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      this.wake = undefined;
      delay = Math.min(delay * 2, MAX_RETRY_MS);
    }
  }

  dispose(): void {
    this.disposed = true;
    this.stream?.abort();
    this.wake?.();
    this.runChanged.dispose();
  }
}
