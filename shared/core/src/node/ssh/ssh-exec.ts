/**
 * One command on one `session` channel of an established connection: stdin
 * bytes in (then EOF, so a command reading stdin never waits for more),
 * stdout as bytes and stderr as text out, and the exit status or signal.
 */
import type { ClientChannel } from 'ssh2';
import { FerryError } from '../../errors.js';
import type { ExecResult } from '../remote/command-runner.js';
import type { SshClient } from './ssh-connect.js';

/** The server would not open another session channel (its MaxSessions, or it is shutting down). */
export class ChannelRefusedError extends Error {}

/** How long a stopped command gets between SIGTERM and SIGKILL. */
const KILL_GRACE_MS = 2_000;

export interface ChannelExec {
  client: SshClient;
  command: string;
  stdin: Buffer | string | undefined;
  /** Aborting stops the remote command (SIGTERM, then SIGKILL) and rejects with the signal's reason. */
  signal: AbortSignal;
  /** Set once the connection is gone; then a channel that closes without an exit status rejects with it. */
  connectionLost: () => Error | undefined;
}

export function execOnChannel({ client, command, stdin, signal, connectionLost }: ChannelExec): Promise<ExecResult> {
  return new Promise<ExecResult>((resolve, reject) => {
    if (signal.aborted) return reject(signal.reason);
    const opened = (error: Error | undefined, channel: ClientChannel): void => {
      if (error) return reject(connectionLost() ?? new ChannelRefusedError(error.message.replace(/^\(SSH\) /, '')));
      if (signal.aborted) {
        channel.close();
        return reject(signal.reason);
      }
      collect(channel, { resolve, reject }, connectionLost);
      const stop = (): void => {
        reject(signal.reason);
        stopRemoteCommand(channel);
      };
      signal.addEventListener('abort', stop, { once: true });
      channel.on('close', () => signal.removeEventListener('abort', stop));
      // A write after the command exited without reading its input; the outcome still arrives with 'close'.
      channel.on('error', () => {});
      channel.end(stdin);
    };
    try {
      client.exec(command, opened);
    } catch (error) {
      // ssh2 throws synchronously when the socket is no longer writable, maybe before the drop is reported.
      reject(connectionLost() ?? new FerryError('target', `the SSH connection went away as a command was being sent (${(error as Error).message}); the command did not start`));
    }
  });
}

function collect(channel: ClientChannel, settle: { resolve: (result: ExecResult) => void; reject: (error: Error) => void }, connectionLost: () => Error | undefined): void {
  const stdout: Buffer[] = [];
  const stderr: Buffer[] = [];
  let exit: { code: number | null; signal: string | null } | undefined;
  channel.on('data', (chunk: Buffer) => stdout.push(chunk));
  channel.stderr.on('data', (chunk: Buffer) => stderr.push(chunk));
  channel.on('exit', (code: number | null, signalName?: string) => {
    exit = { code: code ?? null, signal: code === null || code === undefined ? (signalName ?? null) : null };
  });
  channel.on('close', () => {
    // ssh2 closes every channel when the connection drops, after it has told the runner.
    const lost = exit ? undefined : connectionLost();
    if (lost) return settle.reject(lost);
    settle.resolve({ code: exit?.code ?? null, signal: exit?.signal ?? null, stdout: Buffer.concat(stdout), stderr: Buffer.concat(stderr).toString('utf8') });
  });
}

/** SIGTERM to the command's process group (sshd's `signal` request), SIGKILL if it lingers, then close the channel. */
function stopRemoteCommand(channel: ClientChannel): void {
  sendSignal(channel, 'TERM');
  const timer = setTimeout(() => {
    sendSignal(channel, 'KILL');
    channel.close();
  }, KILL_GRACE_MS);
  timer.unref();
  channel.once('close', () => clearTimeout(timer));
}

/**
 * ssh2's Channel.signal() gives up once we have sent EOF (we always end
 * stdin), though RFC 4254 allows channel requests after EOF; so it is sent
 * through ssh2's protocol object directly. Best effort: servers without
 * signal support (OpenSSH before 7.8) ignore it.
 */
function sendSignal(channel: ClientChannel, name: 'TERM' | 'KILL'): void {
  const internals = channel as unknown as {
    outgoing?: { id: number; state: string };
    _client?: { _protocol?: { signal(id: number, signal: string): void } };
  };
  try {
    const state = internals.outgoing?.state;
    if (state === 'open' || state === 'eof') internals._client?._protocol?.signal(internals.outgoing!.id, name);
  } catch {
    // the connection went away meanwhile
  }
}
