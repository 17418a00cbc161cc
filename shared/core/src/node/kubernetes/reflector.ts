/**
 * A cache of one kind of Kubernetes object (the Jobs of a namespace with a
 * label, say) kept current by list + watch, like client-go's reflector.
 * client-node's informer is not used: it gives up on errors other than 410,
 * and its watch has no working time limit, so a connection that dies
 * silently is never noticed.
 *
 * It lists, then watches from the list's resourceVersion with bookmarks and
 * a server-side timeout, so each watch ends by itself and a new one starts
 * where it stopped. A resourceVersion the server no longer has (410 Gone,
 * as an HTTP status or an ERROR event) leads to a new list; other failures
 * to a retry after a growing, jittered wait. A watchdog ends a watch that
 * was silent (no event, no bookmark) for longer than its timeout and a
 * margin: the server would have ended it, so the connection is dead.
 *
 * Objects are kept and handed out as the server sends them (JSON: times
 * are strings), listed or watched alike.
 */
import { EventEmitter } from 'node:events';
import type { IncomingMessage } from 'node:http';
import type { KubeConfig } from '@kubernetes/client-node';
import { FerryError } from '../../errors.js';
import { reconnectDelayMs, type BackoffPolicy } from '../ssh/reconnect-backoff.js';
import { closeAnswer, kubeGet, kubeGetJson, statusError, type KubeStatus } from './kube-http.js';

/** What the reflector needs of an object. */
export interface KubeObject {
  metadata?: { name?: string; namespace?: string; resourceVersion?: string };
}

export interface ReflectorEvents<T> {
  add: [object: T];
  update: [object: T, previous: T];
  delete: [object: T];
  /** The cache holds the whole collection as a list returned it (after the first list, and after each relist). */
  synced: [];
  /** A watch ended and another starts: by itself (its timeout), on a 410, by the watchdog, or after a failure. */
  restart: [{ reason: WatchEnd | 'failure' }];
  /** A list or watch failed; the reflector tries again in `retryInMs`. */
  failure: [{ error: Error; retryInMs: number }];
}

export interface ReflectorOptions<T> {
  kubeConfig: KubeConfig;
  /** The collection, e.g. `/apis/batch/v1/namespaces/ns/jobs`: listed, then watched. */
  path: string;
  labelSelector?: string;
  fieldSelector?: string;
  /** How long the server keeps one watch open (default 300 s). */
  watchTimeoutSeconds?: number;
  /** How much longer than that a watch may stay silent before the watchdog ends it (default 30 s). */
  watchdogMarginMs?: number;
  /** Time limit of one list (default 60 s). */
  listTimeoutMs?: number;
  /** Waits between failed attempts (default 0.5 s doubling to 30 s, with jitter). */
  backoff?: BackoffPolicy;
  /**
   * Watch from here first instead of listing: the cache starts with
   * `objects` (as of `resourceVersion`). A resourceVersion the server no
   * longer has makes the reflector list.
   */
  resumeFrom?: { resourceVersion: string; objects?: T[] };
}

/** Why a watch ended without failing. */
export type WatchEnd = 'timeout' | 'expired' | 'watchdog';

export const DEFAULT_REFLECTOR_BACKOFF: BackoffPolicy = { initialMs: 500, maxMs: 30_000 };

interface WatchEvent<T> {
  type: 'ADDED' | 'MODIFIED' | 'DELETED' | 'BOOKMARK' | 'ERROR';
  object: T | KubeStatus;
}

interface KubeList<T> {
  metadata?: { resourceVersion?: string };
  items?: T[];
}

const STOPPED = Symbol('stopped');
const SILENT = Symbol('silent');

export class Reflector<T extends KubeObject> extends EventEmitter<ReflectorEvents<T>> {
  private readonly cache = new Map<string, T>();
  private resourceVersion: string | undefined;
  private hasSynced = false;
  private failures = 0;
  private stopped = false;
  private running: Promise<void> | undefined;
  private current: AbortController | undefined;
  private wake: (() => void) | undefined;
  private sleepTimer: NodeJS.Timeout | undefined;

  constructor(private readonly options: ReflectorOptions<T>) {
    super();
    const resume = options.resumeFrom;
    if (resume) {
      for (const object of resume.objects ?? []) this.cache.set(keyOf(object), object);
      this.resourceVersion = resume.resourceVersion;
      // The caller vouches for the objects as of that version; events from there on keep them current.
      this.hasSynced = true;
    }
  }

  /** Starts listing and watching; resolves at once (see 'synced' and waitForSync). */
  start(): void {
    if (this.running || this.stopped) return;
    this.running = this.run();
  }

  /** Ends the watch, the list or the wait in progress; no timer or connection is left. */
  async stop(): Promise<void> {
    this.stopped = true;
    this.current?.abort(STOPPED);
    clearTimeout(this.sleepTimer);
    this.wake?.();
    await this.running;
  }

  get synced(): boolean {
    return this.hasSynced;
  }

  /** The resourceVersion the next watch starts from (of the last list, event or bookmark). */
  get lastResourceVersion(): string | undefined {
    return this.resourceVersion;
  }

  get(namespace: string | undefined, name: string): T | undefined {
    return this.cache.get(`${namespace ?? ''}/${name}`);
  }

  list(): T[] {
    return [...this.cache.values()];
  }

  /** Resolves once the cache holds the whole collection (at once if it does; never if stopped before). */
  waitForSync(): Promise<void> {
    return this.hasSynced ? Promise.resolve() : new Promise((resolve) => this.once('synced', resolve));
  }

  private async run(): Promise<void> {
    let needList = this.resourceVersion === undefined;
    while (!this.stopped) {
      try {
        if (needList) {
          await this.relist();
          needList = false;
        }
        const end = await this.watch();
        if (end === 'expired') needList = true;
        if (!this.stopped) this.emit('restart', { reason: end });
      } catch (error) {
        if (this.stopped) break;
        this.failures++;
        const retryInMs = reconnectDelayMs(this.failures, this.options.backoff ?? DEFAULT_REFLECTOR_BACKOFF);
        this.emit('failure', { error: error as Error, retryInMs });
        await this.sleep(retryInMs);
        if (!this.stopped) this.emit('restart', { reason: 'failure' });
      }
    }
  }

  /** Lists the collection and makes the cache equal to it, telling what changed. */
  private async relist(): Promise<void> {
    const controller = this.begin();
    const limitMs = this.options.listTimeoutMs ?? 60_000;
    const timer = setTimeout(() => controller.abort(new FerryError('target', `listing ${this.options.path} got no answer within ${limitMs / 1000} s`)), limitMs);
    let list: KubeList<T>;
    try {
      list = await kubeGetJson<KubeList<T>>(this.options.kubeConfig, this.options.path, this.selectors(), controller.signal);
    } catch (error) {
      throw controller.signal.aborted && controller.signal.reason !== STOPPED ? controller.signal.reason : error;
    } finally {
      clearTimeout(timer);
      this.end(controller);
    }
    if (this.stopped) return;
    this.failures = 0;
    const listed = new Map((list.items ?? []).map((object) => [keyOf(object), object] as const));
    for (const [key, previous] of [...this.cache]) {
      if (!listed.has(key)) {
        this.cache.delete(key);
        this.emit('delete', previous);
      }
    }
    for (const [key, object] of listed) this.put(key, object);
    this.resourceVersion = list.metadata?.resourceVersion;
    this.hasSynced = true;
    this.emit('synced');
  }

  /** One watch, until the server ends it, it expires, or the watchdog or stop() ends it; failures throw. */
  private async watch(): Promise<WatchEnd> {
    const controller = this.begin();
    const limitMs = this.watchTimeoutSeconds() * 1000 + (this.options.watchdogMarginMs ?? 30_000);
    let lastHeard = Date.now();
    let watchdog: NodeJS.Timeout | undefined;
    const arm = (delayMs: number) => {
      watchdog = setTimeout(() => {
        const silentMs = Date.now() - lastHeard;
        if (silentMs >= limitMs) controller.abort(SILENT);
        else arm(limitMs - silentMs);
      }, delayMs);
    };
    arm(limitMs);
    const startedAt = Date.now();
    let events = 0;
    let response: IncomingMessage | undefined;
    try {
      const query = { ...this.selectors(), watch: 1, allowWatchBookmarks: true, timeoutSeconds: this.watchTimeoutSeconds(), resourceVersion: this.resourceVersion };
      response = await kubeGet(this.options.kubeConfig, this.options.path, query, controller.signal);
      for await (const line of jsonLines(response)) {
        lastHeard = Date.now();
        const event = JSON.parse(line) as WatchEvent<T>;
        if (event.type === 'ERROR') {
          const status = event.object as KubeStatus;
          if (status.code === 410) return 'expired';
          throw statusError(status.code ?? 500, status);
        }
        this.apply(event as WatchEvent<T> & { object: T });
        events++;
        this.failures = 0;
      }
      // A watch the server ends at once, with nothing in it, is a failure in disguise (a proxy, an overloaded server): wait before the next.
      if (events === 0 && Date.now() - startedAt < 1000) throw new FerryError('target', `the watch of ${this.options.path} ended at once, without an event`);
      this.failures = 0;
      return 'timeout';
    } catch (error) {
      if (controller.signal.reason === SILENT) return 'watchdog';
      if (controller.signal.reason === STOPPED) return 'timeout';
      if ((error as { status?: number }).status === 410) return 'expired';
      throw error;
    } finally {
      clearTimeout(watchdog);
      if (response) await closeAnswer(response);
      this.end(controller);
    }
  }

  private apply(event: WatchEvent<T> & { object: T }): void {
    const object = event.object;
    const version = object.metadata?.resourceVersion;
    switch (event.type) {
      case 'ADDED':
      case 'MODIFIED':
        this.put(keyOf(object), object);
        break;
      case 'DELETED': {
        const key = keyOf(object);
        if (this.cache.delete(key)) this.emit('delete', object);
        break;
      }
      case 'BOOKMARK':
        break;
      default:
        throw new FerryError('target', `the watch of ${this.options.path} sent an event of unknown type "${String(event.type)}"`);
    }
    if (version) this.resourceVersion = version;
  }

  private put(key: string, object: T): void {
    const previous = this.cache.get(key);
    if (previous && previous.metadata?.resourceVersion === object.metadata?.resourceVersion) return;
    this.cache.set(key, object);
    if (previous) this.emit('update', object, previous);
    else this.emit('add', object);
  }

  private selectors() {
    return { labelSelector: this.options.labelSelector, fieldSelector: this.options.fieldSelector };
  }

  private watchTimeoutSeconds(): number {
    return this.options.watchTimeoutSeconds ?? 300;
  }

  private begin(): AbortController {
    const controller = new AbortController();
    this.current = controller;
    if (this.stopped) controller.abort(STOPPED);
    return controller;
  }

  private end(controller: AbortController): void {
    if (!controller.signal.aborted) controller.abort(STOPPED);
    if (this.current === controller) this.current = undefined;
  }

  private sleep(ms: number): Promise<void> {
    return new Promise<void>((resolve) => {
      this.wake = resolve;
      this.sleepTimer = setTimeout(resolve, ms);
    }).then(() => {
      this.wake = undefined;
      this.sleepTimer = undefined;
    });
  }
}

/** namespace/name, the cache's key. */
export function keyOf(object: KubeObject): string {
  const name = object.metadata?.name;
  if (!name) throw new FerryError('target', `an object without metadata.name came from the API server: ${JSON.stringify(object).slice(0, 200)}`);
  return `${object.metadata?.namespace ?? ''}/${name}`;
}

/** The lines of a watch answer (one JSON event per line), as they arrive. */
async function* jsonLines(response: IncomingMessage): AsyncGenerator<string> {
  response.setEncoding('utf8');
  let partial = '';
  for await (const chunk of response as AsyncIterable<string>) {
    const lines = (partial + chunk).split('\n');
    partial = lines.pop()!;
    for (const line of lines) if (line.trim()) yield line;
  }
  if (partial.trim()) yield partial;
}
