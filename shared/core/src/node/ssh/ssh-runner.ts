/**
 * CommandRunner over SSH: one long-lived connection to a cluster, shared by
 * every caller, each command on its own channel (at most `maxChannels` at
 * once, the rest queued).
 *
 * The connection opens on the first exec, not before: opening may need a
 * person (a new host key, an MFA code), and nobody should be asked while
 * nothing needs the cluster. When it drops, commands running on it fail with
 * a 'target' error — they may or may not have finished remotely, so callers
 * decide whether to retry — and the next exec connects again, asking again
 * whatever must be asked. Failed attempts are spaced out with exponential
 * backoff: an exec during the wait fails at once with the last failure,
 * rather than hammering a server that is down or locking out an account.
 */
import { EventEmitter } from 'node:events';
import { FerryError } from '../../errors.js';
import type { CommandRunner, ExecOptions, ExecResult } from '../remote/command-runner.js';
import { ChannelSlots } from './channel-slots.js';
import { DEFAULT_RECONNECT_BACKOFF, reconnectDelayMs, type BackoffPolicy } from './reconnect-backoff.js';
import type { ResolvedHost } from './ssh-config.js';
import { describeHop, lastErrorOf, openSshChain, type SshClient } from './ssh-connect.js';
import { ChannelRefusedError, execOnChannel } from './ssh-exec.js';
import type { SshPrompter } from './ssh-prompter.js';

export interface SshRunnerOptions {
  /** Who answers host-key, passphrase and keyboard-interactive questions; without one they fail. */
  prompter?: SshPrompter;
  /** Commands at once on the connection; default 8, under sshd's default MaxSessions of 10. */
  maxChannels?: number;
  /** Keepalive interval when ssh_config sets no ServerAliveInterval; default 15 s. */
  keepaliveIntervalMs?: number;
  /** Set-up time limit (per hop) when ssh_config sets no ConnectTimeout; default 20 s. */
  connectTimeoutMs?: number;
  reconnectBackoff?: BackoffPolicy;
}

export interface SshRunnerEvents {
  /** A connection (with its whole jump chain) is up; `count` numbers them from 1 over the runner's life. */
  connected: [{ count: number }];
  /** The connection went away (dropped, or closed by Ferry). */
  disconnected: [{ reason: FerryError }];
}

interface Connection {
  /** Jump hosts first, the destination last. */
  clients: SshClient[];
  /** Those whose socket has not closed yet. */
  open: Set<SshClient>;
  /** Set when the connection is gone: what in-flight commands fail with. */
  lost: FerryError | undefined;
}

export class SshCommandRunner extends EventEmitter<SshRunnerEvents> implements CommandRunner {
  readonly description: string;
  private readonly slots: ChannelSlots;
  private current: Connection | undefined;
  private opening: Promise<Connection> | undefined;
  private connections = 0;
  private failures = 0;
  private retryAt = 0;
  private lastFailure: FerryError | undefined;
  private closed = false;

  constructor(
    readonly destination: ResolvedHost,
    private readonly options: SshRunnerOptions = {},
  ) {
    super();
    const via = destination.proxyJump.length > 0 ? ` via ${destination.proxyJump.map((hop) => `${hop.user}@${hop.host}:${hop.port}`).join(', ')}` : '';
    this.description = `ssh ${destination.user}@${destination.host}:${destination.port}${via}`;
    this.slots = new ChannelSlots(options.maxChannels ?? 8);
  }

  get isClosed(): boolean {
    return this.closed;
  }

  async exec(command: string, options: ExecOptions = {}): Promise<ExecResult> {
    if (this.closed) throw this.closedError();
    const limit = execLimit(options, command, this.description);
    try {
      for (;;) {
        // A slot first, then the connection: a command that waited in the queue must not use one that dropped meanwhile.
        const release = await this.slots.acquire(limit.signal);
        const othersRunning = this.slots.active - 1;
        try {
          const connection = await abortable(this.connection(), limit.signal);
          return await execOnChannel({
            client: connection.clients.at(-1)!,
            command,
            stdin: options.stdin,
            signal: limit.signal,
            connectionLost: () => connection.lost,
          });
        } catch (error) {
          if (!(error instanceof ChannelRefusedError)) throw error;
          if (othersRunning === 0) {
            throw new FerryError('target', `${describeHop(this.destination)} refused to run a command (${error.message}); its sshd may not allow sessions for this user`);
          }
          // Its MaxSessions is lower than our limit: wait for one of the others to finish.
          this.slots.lowerLimitTo(othersRunning);
        } finally {
          release();
        }
      }
    } finally {
      limit.dispose();
    }
  }

  /** Ends the connection; commands running on it fail, and later execs fail. */
  async close(): Promise<void> {
    this.closed = true;
    const connection = this.current;
    // A connection still opening (perhaps waiting on a person) is ended as soon as it is up.
    if (connection) await this.end(connection, this.closedError());
  }

  private connection(): Promise<Connection> {
    if (this.closed) return Promise.reject(this.closedError());
    if (this.current && !this.current.lost) return Promise.resolve(this.current);
    if (this.opening) return this.opening;
    const waitMs = this.retryAt - Date.now();
    if (waitMs > 0 && this.lastFailure) {
      return Promise.reject(new FerryError('target', `${this.lastFailure.message} (Ferry tries again in ${Math.ceil(waitMs / 1000)} s)`));
    }
    this.opening = openSshChain(this.destination, {
      prompter: this.options.prompter,
      defaultKeepaliveMs: this.options.keepaliveIntervalMs ?? 15_000,
      defaultConnectTimeoutMs: this.options.connectTimeoutMs ?? 20_000,
    }).then(
      (clients) => this.adopt(clients),
      (error: unknown) => {
        this.opening = undefined;
        this.failures++;
        this.retryAt = Date.now() + reconnectDelayMs(this.failures, this.options.reconnectBackoff ?? DEFAULT_RECONNECT_BACKOFF);
        this.lastFailure = error instanceof FerryError ? error : new FerryError('target', `cannot connect (${this.description}): ${(error as Error).message}`);
        throw this.lastFailure;
      },
    );
    return this.opening;
  }

  private adopt(clients: SshClient[]): Connection {
    this.opening = undefined;
    const connection: Connection = { clients, open: new Set(clients), lost: undefined };
    for (const client of clients) {
      client.on('close', () => {
        connection.open.delete(client);
        void this.end(connection, this.lostError(connection));
      });
    }
    if (this.closed) {
      void this.end(connection, this.closedError());
      throw this.closedError();
    }
    this.current = connection;
    this.failures = 0;
    this.retryAt = 0;
    this.emit('connected', { count: ++this.connections });
    return connection;
  }

  /** Marks the connection gone (in-flight commands then fail with `reason`) and ends every hop of it. */
  private async end(connection: Connection, reason: FerryError): Promise<void> {
    if (connection.lost) return;
    connection.lost = reason;
    if (this.current === connection) this.current = undefined;
    const closed = [...connection.open].map((client) => new Promise<void>((resolve) => client.once('close', () => resolve())));
    for (const client of [...connection.clients].reverse()) client.end();
    this.emit('disconnected', { reason });
    // Bounded: a peer that never answers our disconnect must not hang close().
    await Promise.race([Promise.all(closed), new Promise((resolve) => setTimeout(resolve, 2_000).unref())]);
  }

  private lostError(connection: Connection): FerryError {
    const error = connection.clients.map(lastErrorOf).find((e) => e !== undefined);
    const cause = error ? ` (${error.message})` : '';
    return new FerryError(
      'target',
      `the SSH connection to ${describeHop(this.destination)} was lost${cause}; a command running at that moment may or may not have finished on the cluster. The next command connects again.`,
    );
  }

  private closedError(): FerryError {
    return new FerryError('target', `the SSH connection to ${describeHop(this.destination)} was closed by Ferry`);
  }
}

/** One AbortSignal for the caller's signal and the timeout; the timeout's reason names the command. */
function execLimit(options: ExecOptions, command: string, where: string): { signal: AbortSignal; dispose(): void } {
  const controller = new AbortController();
  const forward = (): void => controller.abort(options.signal!.reason);
  if (options.signal?.aborted) forward();
  options.signal?.addEventListener('abort', forward, { once: true });
  const timer =
    options.timeoutMs === undefined
      ? undefined
      : setTimeout(() => {
          const program = command.trim().split(/\s+/, 1)[0]!.slice(0, 40);
          controller.abort(new FerryError('target', `\`${program}\` did not finish within ${options.timeoutMs! / 1000} s (${where}); it was stopped`));
        }, options.timeoutMs);
  return {
    signal: controller.signal,
    dispose: () => {
      clearTimeout(timer);
      options.signal?.removeEventListener('abort', forward);
    },
  };
}

/** `promise`, or the signal's reason if it aborts first (the work itself goes on: a shared connection attempt). */
function abortable<T>(promise: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) return Promise.reject(signal.reason);
  return new Promise<T>((resolve, reject) => {
    const onAbort = (): void => reject(signal.reason);
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(
      (value) => {
        signal.removeEventListener('abort', onAbort);
        resolve(value);
      },
      (error: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(error);
      },
    );
  });
}
