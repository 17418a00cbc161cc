/**
 * Plain GET requests to the API server with a kubeconfig's credentials, for
 * what client-node's typed calls do not do well: long answers read as they
 * come (watches, followed logs) that must end at once on an abort, and
 * errors that keep the server's Status (code, reason, message).
 */
import { once } from 'node:events';
import http, { STATUS_CODES, type IncomingMessage } from 'node:http';
import https from 'node:https';
import type { KubeConfig } from '@kubernetes/client-node';
import { FerryError } from '../../errors.js';

/** The API server answered with an error status. */
export class KubeHttpError extends Error {
  override readonly name = 'KubeHttpError';
  constructor(
    readonly status: number,
    /** The Status reason: Expired, Forbidden, NotFound, BadRequest, ... */
    readonly reason: string | undefined,
    message: string,
  ) {
    super(message);
  }
}

export type KubeQuery = Record<string, string | number | boolean | undefined>;

/** A Status object as the API server sends it (an error answer, or a watch event of type ERROR). */
export interface KubeStatus {
  kind?: string;
  status?: string;
  code?: number;
  reason?: string;
  message?: string;
}

/**
 * GETs `path` (e.g. `/apis/batch/v1/namespaces/ns/jobs`) with `query` and
 * resolves with the answer once it starts, status 200; any other status
 * rejects with a KubeHttpError. Aborting `signal` ends the request and its
 * answer, wherever they are.
 */
export async function kubeGet(kubeConfig: KubeConfig, path: string, query: KubeQuery, signal: AbortSignal): Promise<IncomingMessage> {
  const cluster = kubeConfig.getCurrentCluster();
  if (!cluster) throw new FerryError('target', `the kubeconfig has no cluster for its context "${kubeConfig.getCurrentContext()}"`);
  const url = new URL(cluster.server.replace(/\/+$/, '') + path);
  for (const [key, value] of Object.entries(query)) if (value !== undefined) url.searchParams.set(key, String(value));
  const options: https.RequestOptions = { headers: { Accept: 'application/json, */*' } };
  // Credentials (client certificate, token, exec plugin) and the TLS settings of the context, on an agent of this request's own.
  await kubeConfig.applyToHTTPSOptions(options);
  signal.throwIfAborted();
  return new Promise<IncomingMessage>((resolve, reject) => {
    const request = (url.protocol === 'http:' ? http : https).request(url, { ...options, method: 'GET', signal }, (response) => {
      if (response.statusCode === 200) {
        resolve(response);
        return;
      }
      const status = response.statusCode ?? 0;
      readBody(response, 64 * 1024).then(
        (body) => reject(statusError(status, body)),
        () => reject(new KubeHttpError(status, undefined, `HTTP ${status} ${STATUS_CODES[status] ?? ''}`.trim())),
      );
    });
    request.on('error', reject);
    request.end();
  });
}

/** Ends an answer, read or not, and resolves once its connection has closed: nothing of it is left open. */
export async function closeAnswer(response: IncomingMessage): Promise<void> {
  const socket = response.socket;
  response.destroy();
  if (socket && !socket.destroyed) socket.destroy();
  if (socket && !socket.closed) await once(socket, 'close');
}

/** kubeGet, read whole and parsed as JSON. */
export async function kubeGetJson<T>(kubeConfig: KubeConfig, path: string, query: KubeQuery, signal: AbortSignal): Promise<T> {
  const response = await kubeGet(kubeConfig, path, query, signal);
  try {
    return JSON.parse(await readBody(response, Infinity)) as T;
  } finally {
    await closeAnswer(response);
  }
}

/** The error for a failed answer or an ERROR watch event: "HTTP 410 Gone (Expired): too old resource version: 1 (363)". */
export function statusError(code: number, body: unknown): KubeHttpError {
  const status = asStatus(body);
  return new KubeHttpError(code, status?.reason, describeKubeStatus(code, body));
}

/** Words for an HTTP status and the Status object (or text) that came with it. */
export function describeKubeStatus(code: number, body: unknown): string {
  const phrase = STATUS_CODES[code];
  const head = phrase ? `HTTP ${code} ${phrase}` : `HTTP ${code}`;
  const status = asStatus(body);
  if (status) {
    const reason = status.reason && status.reason.replace(/\s/g, '') !== phrase?.replace(/\s/g, '') ? ` (${status.reason})` : '';
    return status.message ? `${head}${reason}: ${status.message}` : `${head}${reason}`;
  }
  const text = typeof body === 'string' ? body.trim().split('\n')[0]!.slice(0, 200) : '';
  return text ? `${head}: ${text}` : head;
}

function asStatus(body: unknown): KubeStatus | undefined {
  let value = body;
  if (typeof body === 'string') {
    try {
      value = JSON.parse(body);
    } catch {
      return undefined;
    }
  }
  return value && typeof value === 'object' && (value as KubeStatus).kind === 'Status' ? (value as KubeStatus) : undefined;
}

async function readBody(response: IncomingMessage, limit: number): Promise<string> {
  response.setEncoding('utf8');
  let text = '';
  for await (const chunk of response as AsyncIterable<string>) {
    text += chunk;
    if (text.length > limit) break;
  }
  return text;
}
