/**
 * The typed client every Ferry front end uses to talk to the per-user server.
 * Browser-safe: only fetch, streams and TextDecoder.
 */
import { FerryError, type FerryErrorJson } from '../errors.js';
import type { Run } from '../run.js';
import {
  apiPaths,
  type CompareResponse,
  type CompareStreamEvent,
  type HistoryRequest,
  type HistoryResponse,
  type CompileRequest,
  type CompileResponse,
  type ExecutedNotebook,
  type HealthResponse,
  type LogChunk,
  type LogStreamEvent,
  type MetricsResponse,
  type MetricsStreamEvent,
  type PromptAnswer,
  type PromptEvent,
  type RunChangedEvent,
  type RunListResponse,
  type RunResponse,
  type SubmitRequest,
  type SweepListResponse,
  type SweepResponse,
  type SweepSubmitRequest,
  type TargetInfo,
  type TargetTestResponse,
} from './contract.js';
import { readSse } from './sse.js';

export interface FerryClientOptions {
  /** e.g. `http://127.0.0.1:43121`; a JupyterLab proxy prefix works too. */
  baseUrl: string;
  token?: string;
  /** Defaults to the global fetch. */
  fetch?: typeof fetch;
}

export interface LogReadOptions {
  /** Byte offset to read from; negative counts back from the end (a tail). */
  offset?: number;
  maxBytes?: number;
}

export class FerryClient {
  private readonly baseUrl: string;
  private readonly fetchImpl: typeof fetch;

  constructor(private readonly options: FerryClientOptions) {
    this.baseUrl = options.baseUrl.replace(/\/+$/, '');
    this.fetchImpl = options.fetch ?? ((input, init) => fetch(input, init));
  }

  health(): Promise<HealthResponse> {
    return this.json('GET', apiPaths.health());
  }

  async targets(): Promise<TargetInfo[]> {
    return (await this.json<{ targets: TargetInfo[] }>('GET', apiPaths.targets())).targets;
  }

  /** Runs the target's checks (connection, scheduler, Python); slow for remote targets. */
  testTarget(name: string): Promise<TargetTestResponse> {
    return this.json('POST', apiPaths.testTarget(name));
  }

  compile(request: CompileRequest): Promise<CompileResponse> {
    return this.json('POST', apiPaths.compile(), request);
  }

  async submit(request: SubmitRequest): Promise<RunResponse['run']> {
    return (await this.json<RunResponse>('POST', apiPaths.runs(), request)).run;
  }

  /** Newest first; `sweep` keeps the points of one sweep (in index order). */
  async runs(query: { limit?: number; sweep?: string } = {}): Promise<Run[]> {
    const search = new URLSearchParams();
    if (query.limit) search.set('limit', String(query.limit));
    if (query.sweep) search.set('sweep', query.sweep);
    return (await this.json<RunListResponse>('GET', apiPaths.runs() + (search.size ? `?${search}` : ''))).runs;
  }

  /** Starts a sweep: one run per point, all checked before any is staged. */
  submitSweep(request: SweepSubmitRequest): Promise<SweepResponse> {
    return this.json('POST', apiPaths.sweeps(), request);
  }

  /** Newest first. */
  async sweeps(query: { limit?: number } = {}): Promise<SweepResponse['sweep'][]> {
    const search = query.limit ? `?limit=${query.limit}` : '';
    return (await this.json<SweepListResponse>('GET', apiPaths.sweeps() + search)).sweeps;
  }

  sweep(id: string): Promise<SweepResponse> {
    return this.json('GET', apiPaths.sweep(id));
  }

  /** Cancels every point of the sweep that has not finished. */
  cancelSweep(id: string): Promise<SweepResponse> {
    return this.json('POST', apiPaths.cancelSweep(id));
  }

  async run(id: string): Promise<RunResponse['run']> {
    return (await this.json<RunResponse>('GET', apiPaths.run(id))).run;
  }

  async cancel(id: string): Promise<RunResponse['run']> {
    return (await this.json<RunResponse>('POST', apiPaths.cancel(id))).run;
  }

  log(id: string, step: string, options: LogReadOptions = {}): Promise<LogChunk> {
    const search = new URLSearchParams();
    if (options.offset !== undefined) search.set('offset', String(options.offset));
    if (options.maxBytes !== undefined) search.set('maxBytes', String(options.maxBytes));
    const query = search.size ? `?${search}` : '';
    return this.json('GET', apiPaths.log(id, step) + query);
  }

  /** A notebook-mode step's executed notebook, with its outputs, from wherever the run ran. */
  executedNotebook(id: string, step: string): Promise<ExecutedNotebook> {
    return this.json('GET', apiPaths.executedNotebook(id, step));
  }

  metrics(id: string): Promise<MetricsResponse> {
    return this.json('GET', apiPaths.metrics(id));
  }

  /** Streams a step's log from `offset` until the step ends. */
  followLog(id: string, step: string, offset = 0, signal?: AbortSignal): AsyncGenerator<LogStreamEvent> {
    return this.events<LogStreamEvent>(`${apiPaths.logEvents(id, step)}?offset=${offset}`, signal);
  }

  /** Streams a run's metric points (all of them first, then live) until it ends. */
  followMetrics(id: string, signal?: AbortSignal): AsyncGenerator<MetricsStreamEvent> {
    return this.events<MetricsStreamEvent>(apiPaths.metricsEvents(id), signal);
  }

  /** The runs side by side: parameters (and which differ), reduced metrics, job facts. */
  compare(runIds: readonly string[]): Promise<CompareResponse> {
    return this.json('GET', `${apiPaths.compare()}?${repeated('run', runIds)}`);
  }

  /** Metric histories downsampled on the server to `width` pixels; ask again with x0/x1 to zoom. */
  compareHistory(request: HistoryRequest): Promise<HistoryResponse> {
    const search = new URLSearchParams(`${repeated('run', request.runs)}&${repeated('metric', request.metrics)}`);
    search.set('width', String(request.width));
    if (request.x) search.set('x', request.x);
    if (request.x0 !== undefined) search.set('x0', String(request.x0));
    if (request.x1 !== undefined) search.set('x1', String(request.x1));
    return this.json('GET', `${apiPaths.compareHistory()}?${search}`);
  }

  /** Points appended to the runs' series (all, or the named metrics) from now on, until every run has ended. */
  followCompare(runIds: readonly string[], metrics: readonly string[] = [], signal?: AbortSignal): AsyncGenerator<CompareStreamEvent> {
    const search = [repeated('run', runIds), repeated('metric', metrics)].filter(Boolean).join('&');
    return this.events<CompareStreamEvent>(`${apiPaths.compareEvents()}?${search}`, signal);
  }

  /** Every change of any run, as long as `signal` lets it. */
  runEvents(signal?: AbortSignal): AsyncGenerator<RunChangedEvent> {
    return this.events<RunChangedEvent>(apiPaths.events(), signal);
  }

  /** Prompts targets are waiting on (SSH passwords, MFA codes, new host keys), live. */
  promptEvents(signal?: AbortSignal): AsyncGenerator<PromptEvent> {
    return this.events<PromptEvent>(apiPaths.promptEvents(), signal);
  }

  async answerPrompt(id: string, answer: PromptAnswer): Promise<void> {
    await this.request('POST', apiPaths.prompt(id), answer);
  }

  private headers(body: boolean): Record<string, string> {
    const headers: Record<string, string> = { accept: 'application/json' };
    if (this.options.token) headers.authorization = `Bearer ${this.options.token}`;
    if (body) headers['content-type'] = 'application/json';
    return headers;
  }

  private async request(method: string, path: string, body?: unknown, signal?: AbortSignal): Promise<Response> {
    let response: Response;
    try {
      response = await this.fetchImpl(this.baseUrl + path, {
        method,
        headers: this.headers(body !== undefined),
        body: body === undefined ? undefined : JSON.stringify(body),
        signal,
      });
    } catch (error) {
      if (signal?.aborted) throw error;
      throw new FerryError('target', `cannot reach the Ferry server at ${this.baseUrl}: ${describe(error)}`);
    }
    if (!response.ok) throw await errorFrom(response);
    return response;
  }

  private async json<T>(method: string, path: string, body?: unknown): Promise<T> {
    return (await (await this.request(method, path, body)).json()) as T;
  }

  private async *events<T>(path: string, signal?: AbortSignal): AsyncGenerator<T> {
    const response = await this.request('GET', path, undefined, signal);
    if (!response.body) return;
    for await (const message of readSse(response.body)) {
      yield JSON.parse(message.data) as T;
    }
  }
}

/** `name=a&name=b`, each value escaped. */
function repeated(name: string, values: readonly string[]): string {
  return values.map((value) => `${name}=${encodeURIComponent(value)}`).join('&');
}

async function errorFrom(response: Response): Promise<FerryError> {
  const text = await response.text();
  try {
    const body = JSON.parse(text) as { error?: FerryErrorJson };
    if (body.error?.category && body.error.message) return FerryError.fromJSON(body.error);
  } catch {
    // Not our JSON: a proxy or another program answered; say what came back.
  }
  return new FerryError(
    response.status === 401 ? 'auth' : 'internal',
    `the server answered ${response.status} ${response.statusText}: ${text.slice(0, 200)}`,
  );
}

function describe(error: unknown): string {
  const cause = (error as { cause?: { code?: string; message?: string } }).cause;
  return cause?.code ?? cause?.message ?? (error as Error).message ?? String(error);
}

