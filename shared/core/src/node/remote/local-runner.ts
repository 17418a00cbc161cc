/**
 * CommandRunner on this machine, for when Ferry runs on the cluster's login
 * node itself: each command is `bash -c COMMAND` in its own process group,
 * so a timeout or an abort stops everything it started, not just bash.
 */
import { spawn } from 'node:child_process';
import { FerryError } from '../../errors.js';
import { terminateProcessGroup } from '../targets/processes.js';
import type { CommandRunner, ExecOptions, ExecResult } from './command-runner.js';

/** Between SIGTERM and SIGKILL for a command that is stopped. */
const KILL_GRACE_MS = 2_000;

export class LocalCommandRunner implements CommandRunner {
  readonly description = 'this machine';
  /** How to stop each running command (rejecting its exec with the reason). */
  private readonly running = new Set<(reason: unknown) => Promise<void>>();
  private closed = false;

  exec(command: string, options: ExecOptions = {}): Promise<ExecResult> {
    if (this.closed) return Promise.reject(new FerryError('target', 'the local command runner was closed'));
    if (options.signal?.aborted) return Promise.reject(options.signal.reason);
    return new Promise<ExecResult>((resolve, reject) => {
      // detached: the command leads a new process group (and session) that can be signalled as a whole.
      const child = spawn('bash', ['-c', command], { detached: true, stdio: ['pipe', 'pipe', 'pipe'] });
      const stdout: Buffer[] = [];
      const stderr: Buffer[] = [];
      let stopped = false;
      const stop = async (reason: unknown): Promise<void> => {
        if (stopped || child.pid === undefined) return;
        stopped = true;
        reject(reason);
        await terminateProcessGroup(child.pid, KILL_GRACE_MS);
      };
      this.running.add(stop);
      const onAbort = (): void => void stop(options.signal!.reason);
      options.signal?.addEventListener('abort', onAbort, { once: true });
      const timer =
        options.timeoutMs === undefined
          ? undefined
          : setTimeout(() => void stop(timeoutError(command, options.timeoutMs!)), options.timeoutMs);
      const finish = (): void => {
        clearTimeout(timer);
        options.signal?.removeEventListener('abort', onAbort);
        this.running.delete(stop);
      };

      child.stdout.on('data', (chunk: Buffer) => stdout.push(chunk));
      child.stderr.on('data', (chunk: Buffer) => stderr.push(chunk));
      child.stdin.on('error', () => {}); // EPIPE: the command exited without reading all its input
      child.on('error', (error) => {
        finish();
        reject(new FerryError('target', `cannot run bash on this machine: ${error.message}`));
      });
      // 'close', not 'exit': all output has been read by then.
      child.on('close', (code, signal) => {
        finish();
        if (!stopped) resolve({ code, signal, stdout: Buffer.concat(stdout), stderr: Buffer.concat(stderr).toString('utf8') });
      });
      child.stdin.end(options.stdin);
    });
  }

  /** Stops commands still running (their whole process groups; their execs fail), and refuses new ones. */
  async close(): Promise<void> {
    this.closed = true;
    const closed = new FerryError('target', 'the local command runner was closed while the command ran');
    await Promise.all([...this.running].map((stop) => stop(closed)));
  }
}

function timeoutError(command: string, timeoutMs: number): FerryError {
  const program = command.trim().split(/\s+/, 1)[0]!.slice(0, 40);
  return new FerryError('target', `\`${program}\` did not finish within ${timeoutMs / 1000} s on this machine; it was stopped`);
}
