/** Live views in the terminal: a run's state changes and its steps' logs. */
import { isFinalRunState, type FerryClient, type Run, type SweepResponse } from '@ferry/core';
import { stateGlyph } from '@ferry/ui';

/**
 * Waits until the run is final, printing each step's state change (unless
 * `quiet`). Listens to the event stream before reading the current state, so
 * no change can fall in between.
 */
export async function waitForRun(client: FerryClient, runId: string, quiet: boolean): Promise<Run> {
  const abort = new AbortController();
  const events = client.runEvents(abort.signal);
  const seen = new Map<string, string>();
  const report = (run: Run) => {
    if (quiet) return;
    for (const step of run.steps) {
      if (seen.get(step.name) === step.state) continue;
      seen.set(step.name, step.state);
      const reason = step.reason ? ` (${step.reason})` : '';
      process.stderr.write(`  ${stateGlyph(step.state)} ${step.name}: ${step.state}${reason}\n`);
    }
  };
  let pending = events.next(); // opens the stream before the state is read
  try {
    let current: Run = await client.run(runId);
    report(current);
    while (!isFinalRunState(current.state)) {
      const next = await pending;
      if (next.done) {
        // The server went away mid-run (restart): ask again, then re-subscribe.
        current = await reconnect(() => client.run(runId));
        return waitForRun(client, current.id, quiet);
      }
      if (next.value.run.id === runId) {
        current = next.value.run;
        report(current);
      }
      pending = events.next();
    }
    return current;
  } finally {
    // Closing the stream rejects the read still waiting on it; that is expected.
    pending.catch(() => undefined);
    abort.abort();
  }
}

/**
 * Waits until every point of the sweep is final, printing each point's state
 * changes (unless `quiet`); subscribes before reading, like waitForRun.
 */
export async function waitForSweep(client: FerryClient, sweepId: string, quiet: boolean): Promise<SweepResponse> {
  const abort = new AbortController();
  const events = client.runEvents(abort.signal);
  const seen = new Map<string, string>();
  const report = (run: Run) => {
    if (quiet || seen.get(run.id) === run.state) return;
    seen.set(run.id, run.state);
    process.stderr.write(`  ${stateGlyph(run.state)} point ${run.sweepIndex} (${run.id}): ${run.state}\n`);
  };
  let pending = events.next();
  try {
    const points = new Map((await client.sweep(sweepId)).runs.map((run) => [run.id, run]));
    points.forEach(report);
    while (![...points.values()].every((run) => isFinalRunState(run.state))) {
      const next = await pending;
      if (next.done) {
        await reconnect(() => client.sweep(sweepId));
        return waitForSweep(client, sweepId, quiet);
      }
      if (next.value.run.sweepId === sweepId) {
        points.set(next.value.run.id, next.value.run);
        report(next.value.run);
      }
      pending = events.next();
    }
    return await client.sweep(sweepId);
  } finally {
    pending.catch(() => undefined);
    abort.abort();
  }
}

async function reconnect<T>(read: () => Promise<T>): Promise<T> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await read();
    } catch (error) {
      if (attempt >= 50) throw error;
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  }
}

/**
 * Streams the logs of `steps` to stdout as they are written, each line
 * prefixed with its step when there is more than one.
 */
export async function followLogs(client: FerryClient, runId: string, steps: string[]): Promise<void> {
  const prefixed = steps.length > 1;
  await Promise.all(
    steps.map(async (step) => {
      let partial = '';
      const write = (text: string) => {
        if (!prefixed) {
          process.stdout.write(text);
          return;
        }
        const lines = (partial + text).split('\n');
        partial = lines.pop()!;
        for (const line of lines) process.stdout.write(`[${step}] ${line}\n`);
      };
      for await (const event of client.followLog(runId, step, 0)) {
        if (event.type === 'log') write(event.chunk.data);
      }
      if (partial) process.stdout.write(`[${step}] ${partial}\n`);
    }),
  );
}
