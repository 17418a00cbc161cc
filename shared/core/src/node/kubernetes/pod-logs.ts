/**
 * A pod container's log: followed while the container runs, or read whole
 * once it has finished. Following survives dropped connections: the log is
 * asked for again from the second of the last line delivered, and the lines
 * of that second already delivered are left out (LogResume), so each line
 * arrives once, in order. The follow ends when the container has terminated
 * and everything it wrote has been read: the pod's state is read now and
 * then, and once it says so, the log is read a last time without follow
 * (the server need not end a followed log by itself).
 */
import type { IncomingMessage } from 'node:http';
import type { V1Pod } from '@kubernetes/client-node';
import { FerryError } from '../../errors.js';
import { reconnectDelayMs, type BackoffPolicy } from '../ssh/reconnect-backoff.js';
import { httpStatusOf, kubeError, type KubeClients } from './kube-client.js';
import { closeAnswer, kubeGet, kubeGetJson } from './kube-http.js';
import { LogResume, parseTimestampedLine } from './log-resume.js';

export interface PodContainer {
  namespace: string;
  pod: string;
  container: string;
}

export interface FollowPodLogOptions {
  /** Each new line, in order, without its timestamp and newline. */
  onLine: (text: string) => void;
  /** How often the pod's state is read while its log is followed or its container has not started (default 2 s). */
  statusIntervalMs?: number;
  /** Time limit of one read of the pod's state, and of a pause in the answer of a finished container's log (default 30 s). */
  requestTimeoutMs?: number;
  /** Waits between failed attempts (default 0.5 s doubling to 30 s, with jitter). */
  backoff?: BackoffPolicy;
}

/** Why a follow ended: the container terminated and its log was read to the end, the pod went away, or stop(). */
export type PodLogEnd = 'terminated' | 'pod-deleted' | 'stopped';

type ContainerState = 'waiting' | 'running' | 'terminated' | 'gone';

const STOPPED = Symbol('stopped');
const FINISHED = Symbol('finished');

/** A followed log; `done` settles when following ends (rejects on what retrying cannot fix: 401, 403, no such container). */
export class PodLogFollower {
  readonly done: Promise<PodLogEnd>;
  private readonly resume = new LogResume();
  private stopped = false;
  private failures = 0;
  private interrupted = 0;
  private podSeen = false;
  private readonly inFlight = new Set<AbortController>();
  private timer: NodeJS.Timeout | undefined;
  private wake: (() => void) | undefined;

  constructor(
    private readonly clients: KubeClients,
    readonly target: PodContainer,
    private readonly options: FollowPodLogOptions,
  ) {
    this.done = this.run();
  }

  /** How many times following was cut off (a dropped connection, an error) and resumed. */
  get interruptions(): number {
    return this.interrupted;
  }

  /** Stops following; `done` resolves with 'stopped' and no timer or connection is left. */
  stop(): Promise<PodLogEnd> {
    this.stopped = true;
    for (const controller of this.inFlight) controller.abort(STOPPED);
    clearTimeout(this.timer);
    this.wake?.();
    return this.done.catch(() => 'stopped' as const);
  }

  private async run(): Promise<PodLogEnd> {
    for (;;) {
      if (this.stopped) return 'stopped';
      try {
        const state = await this.containerState();
        if (state === 'gone') return this.stopped ? 'stopped' : 'pod-deleted';
        if (state === 'waiting') {
          await this.sleep(this.statusIntervalMs());
          continue;
        }
        if (state === 'terminated') {
          await this.read(false);
          return this.stopped ? 'stopped' : 'terminated';
        }
        // Running: follow until the answer ends (a dropped connection, or a server that ends it at the container's exit) or the state poll sees the end.
        const end = await this.read(true);
        if (end === 'ended' && !this.stopped) {
          this.interrupted++;
          await this.sleep(reconnectDelayMs(++this.failures, this.backoff()));
        }
      } catch (error) {
        if (this.stopped) return 'stopped';
        if (error instanceof ListenerError) throw error.cause;
        const status = httpStatusOf(error);
        if (status === 401 || status === 403 || (error instanceof FerryError && error.category === 'not-found')) {
          throw kubeError(error, `reading the log of ${describe(this.target)}`, this.clients.location);
        }
        this.interrupted++;
        await this.sleep(reconnectDelayMs(++this.failures, this.backoff()));
      }
    }
  }

  /** One answer of the log from where delivery stands: 'finished' if the state poll ended it, 'ended' if the server did. */
  private async read(follow: boolean): Promise<'ended' | 'finished'> {
    const controller = this.begin();
    const query = { container: this.target.container, timestamps: true, follow: follow || undefined, sinceTime: this.resume.resume() };
    // While following, the pod's state is read now and then on a connection of its own, ended with this answer.
    const polls = new AbortController();
    let poll: NodeJS.Timeout | undefined;
    const schedulePoll = () => {
      if (polls.signal.aborted) return;
      poll = setTimeout(() => {
        this.containerState(polls.signal).then(
          (state) => (state === 'terminated' || state === 'gone' ? controller.abort(FINISHED) : schedulePoll()),
          () => schedulePoll(),
        );
      }, this.statusIntervalMs());
    };
    if (follow) schedulePoll();
    // A finished container's log comes at once: a pause means a dead connection. (A followed one may rightly pause for hours.)
    let idle: NodeJS.Timeout | undefined;
    const limitMs = this.requestTimeoutMs();
    const stillComing = () => {
      clearTimeout(idle);
      if (!follow) idle = setTimeout(() => controller.abort(new FerryError('target', `the log of ${describe(this.target)} stopped coming for ${limitMs / 1000} s`)), limitMs);
    };
    stillComing();
    let response: IncomingMessage | undefined;
    try {
      response = await kubeGet(this.clients.kubeConfig, `${podPath(this.target)}/log`, query, controller.signal);
      response.setEncoding('utf8');
      let partial = '';
      for await (const chunk of response as AsyncIterable<string>) {
        stillComing();
        const lines = (partial + chunk).split('\n');
        partial = lines.pop()!;
        for (const line of lines) this.deliver(line);
      }
      // Only a whole read ends for good; a followed answer cut short may have cut a line, which the next answer repeats whole.
      if (!follow && partial) this.deliver(partial);
      return 'ended';
    } catch (error) {
      if (controller.signal.reason === FINISHED) return 'finished';
      throw controller.signal.reason instanceof FerryError ? controller.signal.reason : error;
    } finally {
      polls.abort(STOPPED);
      clearTimeout(poll);
      clearTimeout(idle);
      if (response) await closeAnswer(response);
      this.end(controller);
    }
  }

  private deliver(raw: string): void {
    const line = parseLine(raw);
    if (line && !this.resume.accept(line)) return;
    this.failures = 0;
    try {
      this.options.onLine(line ? line.text : raw);
    } catch (error) {
      throw new ListenerError(error);
    }
  }

  /** The container's state from the pod's; `until` (if given) ends the read early. */
  private async containerState(until?: AbortSignal): Promise<ContainerState> {
    const controller = this.begin();
    const limitMs = this.requestTimeoutMs();
    const timer = setTimeout(() => controller.abort(new FerryError('target', `reading pod ${this.target.namespace}/${this.target.pod} got no answer within ${limitMs / 1000} s`)), limitMs);
    const cancel = () => controller.abort(STOPPED);
    until?.addEventListener('abort', cancel);
    try {
      const pod = await kubeGetJson<V1Pod>(this.clients.kubeConfig, podPath(this.target), {}, controller.signal);
      this.podSeen = true;
      return containerStateIn(pod, this.target);
    } catch (error) {
      if (httpStatusOf(error) === 404) {
        if (this.podSeen) return 'gone';
        throw new FerryError('not-found', `pod ${this.target.namespace}/${this.target.pod} does not exist`);
      }
      throw controller.signal.aborted && controller.signal.reason !== STOPPED ? controller.signal.reason : error;
    } finally {
      clearTimeout(timer);
      until?.removeEventListener('abort', cancel);
      this.end(controller);
    }
  }

  private begin(): AbortController {
    const controller = new AbortController();
    if (this.stopped) controller.abort(STOPPED);
    this.inFlight.add(controller);
    return controller;
  }

  private end(controller: AbortController): void {
    if (!controller.signal.aborted) controller.abort(STOPPED);
    this.inFlight.delete(controller);
  }

  private sleep(ms: number): Promise<void> {
    if (this.stopped) return Promise.resolve();
    return new Promise<void>((resolve) => {
      this.wake = resolve;
      this.timer = setTimeout(resolve, ms);
    }).then(() => {
      this.wake = undefined;
    });
  }

  private statusIntervalMs(): number {
    return this.options.statusIntervalMs ?? 2_000;
  }

  private requestTimeoutMs(): number {
    return this.options.requestTimeoutMs ?? 30_000;
  }

  private backoff(): BackoffPolicy {
    return this.options.backoff ?? { initialMs: 500, maxMs: 30_000 };
  }
}

/** Follows the log of `target` from its beginning. */
export function followPodLog(clients: KubeClients, target: PodContainer, options: FollowPodLogOptions): PodLogFollower {
  return new PodLogFollower(clients, target, options);
}

/** The whole log of a container, as lines (for a finished pod). */
export async function readPodLog(clients: KubeClients, target: PodContainer, signal: AbortSignal = new AbortController().signal): Promise<string[]> {
  let response: IncomingMessage | undefined;
  try {
    response = await kubeGet(clients.kubeConfig, `${podPath(target)}/log`, { container: target.container }, signal);
    response.setEncoding('utf8');
    let text = '';
    for await (const chunk of response as AsyncIterable<string>) text += chunk;
    const lines = text.split('\n');
    if (lines.at(-1) === '') lines.pop();
    return lines;
  } catch (error) {
    throw kubeError(error, `reading the log of ${describe(target)}`, clients.location);
  } finally {
    if (response) await closeAnswer(response);
  }
}

function podPath(target: PodContainer): string {
  return `/api/v1/namespaces/${encodeURIComponent(target.namespace)}/pods/${encodeURIComponent(target.pod)}`;
}

/** Where the container stands, from the pod's status; a container the pod does not have is an error. */
export function containerStateIn(pod: V1Pod, target: PodContainer): ContainerState {
  const spec = pod.spec;
  const names = [...(spec?.initContainers ?? []), ...(spec?.containers ?? [])].map((c) => c.name);
  if (!names.includes(target.container)) {
    throw new FerryError('not-found', `${describe(target)}: the pod has no such container (it has ${names.map((name) => `"${name}"`).join(', ') || 'none'})`);
  }
  const statuses = [...(pod.status?.initContainerStatuses ?? []), ...(pod.status?.containerStatuses ?? [])];
  const state = statuses.find((status) => status.name === target.container)?.state;
  if (state?.terminated) return 'terminated';
  if (state?.running) return 'running';
  // A finished pod may never have started this container (a failed init container before it).
  return pod.status?.phase === 'Succeeded' || pod.status?.phase === 'Failed' ? 'terminated' : 'waiting';
}

function parseLine(raw: string) {
  try {
    return parseTimestampedLine(raw);
  } catch {
    // Not from a kubelet; delivered as it is (it cannot be told apart from a repeat after a reconnect).
    return undefined;
  }
}

function describe(target: PodContainer): string {
  return `container "${target.container}" of pod ${target.namespace}/${target.pod}`;
}

/** An exception of the onLine callback: it ends the follow, not retried. */
class ListenerError extends Error {
  constructor(override readonly cause: unknown) {
    super('the log listener failed');
  }
}
