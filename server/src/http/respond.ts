/** JSON in and out, and errors as typed JSON with the status of their category. */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { FerryError, httpStatusFor } from '@ferry/core';

const MAX_BODY_BYTES = 64 * 1024 * 1024; // a notebook with embedded plots can be large

export function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(text),
    'cache-control': 'no-store',
  });
  res.end(text);
}

export function sendError(res: ServerResponse, error: unknown): void {
  const ferry =
    error instanceof FerryError
      ? error
      : new FerryError('internal', `internal error: ${(error as Error)?.message ?? String(error)}`);
  if (res.headersSent) {
    // Mid-stream (an event stream): the status is gone; end the stream instead.
    res.destroy();
    return;
  }
  sendJson(res, httpStatusFor(ferry.category), { error: ferry.toJSON() });
}

export async function readJson(req: IncomingMessage): Promise<Record<string, unknown>> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY_BYTES) throw new FerryError('request', `request body is larger than ${MAX_BODY_BYTES} bytes`);
    chunks.push(chunk as Buffer);
  }
  const text = Buffer.concat(chunks).toString('utf8');
  if (!text.trim()) return {};
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new FerryError('request', `request body is not valid JSON: ${(error as Error).message}`);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new FerryError('request', 'request body must be a JSON object');
  }
  return value as Record<string, unknown>;
}

/** An integer query parameter (≥ 0 unless `min` says otherwise), or the default; anything else is a 400. */
export function intParam(query: URLSearchParams, name: string, fallback: number, options: { min?: number } = {}): number {
  const raw = query.get(name);
  if (raw === null || raw === '') return fallback;
  const value = Number(raw);
  const min = options.min ?? 0;
  if (!Number.isSafeInteger(value) || value < min) {
    const bound = min > -Infinity ? ` ≥ ${min}` : '';
    throw new FerryError('request', `query parameter ${name} must be an integer${bound}, got '${raw}'`, { field: name });
  }
  return value;
}
