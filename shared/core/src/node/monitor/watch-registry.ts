/**
 * Who follows what live, counted: several clients may follow one step (two
 * log panels, a `ferry logs -f`), and each release must end only its own
 * watch. A watch of a whole run covers each of its steps.
 */
export class WatchRegistry {
  /** Counts by `runId` (the whole run) or `runId/step`. */
  private readonly counts = new Map<string, number>();

  /** `onChange(watched)`: called when the first watch starts and when the last one ends. */
  constructor(private readonly onChange: (watched: boolean) => void) {}

  get watched(): boolean {
    return this.counts.size > 0;
  }

  /** Registers a watch; the returned release ends it (once: calling it again does nothing). */
  add(runId: string, step?: string): () => void {
    const key = watchKey(runId, step);
    const wasWatched = this.watched;
    this.counts.set(key, (this.counts.get(key) ?? 0) + 1);
    if (!wasWatched) this.onChange(true);
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const left = (this.counts.get(key) ?? 1) - 1;
      if (left > 0) this.counts.set(key, left);
      else this.counts.delete(key);
      if (!this.watched) this.onChange(false);
    };
  }

  /** Whether someone follows this step (or its whole run). */
  covers(runId: string, step: string): boolean {
    return this.counts.has(watchKey(runId, step)) || this.counts.has(watchKey(runId));
  }
}

function watchKey(runId: string, step?: string): string {
  return step === undefined ? runId : `${runId}/${step}`;
}
