/**
 * The one seam through which Ferry runs commands on a cluster: over SSH
 * (ssh2) from a laptop, or as local processes when Ferry runs on the login
 * node itself. Cluster commands are built as templates over this seam
 * (sbatch, squeue, sacct, scancel, tar), never by the targets talking SSH.
 *
 * `command` is a POSIX shell command line. It is built only from constant
 * text and values passed through `shellQuote`: no value from a user, a
 * notebook or a config file ever reaches the shell unquoted.
 */

export interface ExecOptions {
  /** Bytes for the command's standard input (e.g. a tar archive to unpack). */
  stdin?: Buffer | string;
  /** Kill the command (and fail) after this long. */
  timeoutMs?: number;
  signal?: AbortSignal;
}

export interface ExecResult {
  /** Exit status, or null when the command was ended by a signal (a dropped connection rejects the exec instead). */
  code: number | null;
  signal: string | null;
  stdout: Buffer;
  stderr: string;
}

export interface CommandRunner {
  /** For people: "ssh alice@login1:22", "this machine". */
  readonly description: string;
  exec(command: string, options?: ExecOptions): Promise<ExecResult>;
  /** Closes connections; later execs fail. */
  close(): Promise<void>;
}

/** POSIX single-quoting: the value reaches the program as one argument, byte for byte. */
export function shellQuote(value: string): string {
  if (value.includes('\0')) throw new Error('a shell argument cannot contain a NUL byte');
  if (/^[A-Za-z0-9_@%+=:,./-]+$/.test(value)) return value;
  return `'${value.replace(/'/g, `'\\''`)}'`;
}
