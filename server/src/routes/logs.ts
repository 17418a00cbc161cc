import { FerryError, isFinalStepState, type LogChunk, type LogStreamEvent, type Run, type StepRun } from '@ferry/core';
import type { RunEngine } from '@ferry/core/node';
import type { Router } from '../http/router.js';
import { intParam, sendJson } from '../http/respond.js';
import { openEventStream } from '../http/sse.js';
import { leadingPartialBytes, trailingPartialBytes } from '../http/utf8.js';
import type { ServerContext } from './context.js';

const DEFAULT_CHUNK = 256 * 1024;
const MAX_CHUNK = 8 * 1024 * 1024;
const READ_RETRY_MS = 2_000;

export function registerLogRoutes(router: Router, { engine }: ServerContext): void {
  router.on('GET', '/api/runs/:id/steps/:step/log', async ({ res, params, query }) => {
    const offset = intParam(query, 'offset', 0, { min: -Infinity });
    // At least one whole UTF-8 character must fit, or a reader could never advance.
    const maxBytes = Math.min(intParam(query, 'maxBytes', DEFAULT_CHUNK, { min: 4 }), MAX_CHUNK);
    sendJson(res, 200, await readChunk(engine, params.id!, params.step!, offset, maxBytes));
  });

  router.on('GET', '/api/runs/:id/steps/:step/log/events', async ({ req, res, params, query }) => {
    const runId = params.id!;
    const step = params.step!;
    let cursor = intParam(query, 'offset', 0);
    stepOf(await engine.getRun(runId), step); // 404 before the stream opens
    const stream = openEventStream(req, res);

    // One reader at a time; growth seen while reading triggers one more pass.
    let reading = false;
    let again = false;
    const drain = async (): Promise<void> => {
      if (reading) {
        again = true;
        return;
      }
      reading = true;
      try {
        do {
          again = false;
          for (;;) {
            const chunk = await readChunk(engine, runId, step, cursor, DEFAULT_CHUNK);
            if (chunk.nextOffset === cursor) break;
            cursor = chunk.nextOffset;
            stream.send({ type: 'log', chunk } satisfies LogStreamEvent);
          }
          const state = stepOf(await engine.getRun(runId), step).state;
          if (isFinalStepState(state)) {
            stream.send({ type: 'end', state } satisfies LogStreamEvent);
            stream.end();
            return;
          }
        } while (again && !stream.closed);
      } finally {
        reading = false;
      }
    };
    // A read that fails (the connection to the cluster dropped) is tried again: the cursor did not move, so no byte is lost or sent twice.
    const pump = (): void => {
      void drain().catch(() => {
        if (!stream.closed) setTimeout(pump, READ_RETRY_MS).unref();
      });
    };
    const onLog = (event: { runId: string; step: string }) => {
      if (event.runId === runId && event.step === step) pump();
    };
    const onChange = (event: { runId: string; step?: string }) => {
      if (event.runId === runId && (event.step === step || event.step === undefined)) pump();
    };
    engine.on('log', onLog);
    engine.on('change', onChange);
    // While someone follows this step, its target polls it fast enough for a live log.
    const unwatch = engine.watch(runId, step);
    stream.onClose(() => {
      unwatch();
      engine.off('log', onLog);
      engine.off('change', onChange);
    });
    pump();
  });
}

/** Reads a range cut to whole UTF-8 characters; a negative offset counts from the end. */
async function readChunk(
  engine: RunEngine,
  runId: string,
  step: string,
  offset: number,
  maxBytes: number,
): Promise<LogChunk> {
  let start = offset;
  if (start < 0) {
    const { size } = await engine.readLog(runId, step, 0, 0);
    start = Math.max(0, size + start);
  }
  const read = await engine.readLog(runId, step, start, maxBytes);
  let data = read.data;
  // A tail can start inside a character: skip to the next one.
  const skip = offset < 0 ? leadingPartialBytes(data) : 0;
  // An unfinished character is left for the next read, when the writer has finished it.
  const drop = trailingPartialBytes(data);
  data = data.subarray(skip, data.length - drop);
  return {
    offset: start + skip,
    nextOffset: start + skip + data.length,
    size: read.size,
    data: data.toString('utf8'),
  };
}

function stepOf(run: Run, step: string): StepRun {
  const found = run.steps.find((candidate) => candidate.name === step);
  if (!found) {
    const names = run.steps.map((candidate) => candidate.name).join(', ');
    throw new FerryError('not-found', `run ${run.id} has no step '${step}' (steps: ${names})`, { step });
  }
  return found;
}
