/**
 * The files of a step in a run directory (docs/run-directory.md), read the
 * way the monitor needs them: status.json as the runtime last wrote it, sizes
 * and byte ranges of the files it appends to.
 */
import { open, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';

export const stepDir = (runDir: string, step: string) => join(runDir, 'steps', step);
export const logFile = (runDir: string, step: string) => join(stepDir(runDir, step), 'log.txt');
export const metricsFile = (runDir: string, step: string) => join(stepDir(runDir, step), 'metrics.jsonl');
export const statusFile = (runDir: string, step: string) => join(stepDir(runDir, step), 'status.json');

/** status.json as written by ferry_runtime.py. */
export interface StepStatus {
  /** 'cancelled': the process got SIGTERM (from a cancel, or from someone else). */
  state: 'running' | 'succeeded' | 'failed' | 'cancelled';
  pid?: number;
  /** Slurm's name of the node the step ran on (SLURMD_NODENAME), where there is one. */
  node?: string;
  /** How often Slurm started the job over (SLURM_RESTART_COUNT), in a Slurm job. */
  restarts?: number;
  startedAt?: string;
  finishedAt?: string;
  exitCode?: number;
  error?: { type?: string; message?: string; traceback?: string; cell?: number };
}

/** The last status the runtime wrote, or undefined before it wrote one. */
export async function readStepStatus(runDir: string, step: string): Promise<StepStatus | undefined> {
  let text: string;
  try {
    text = await readFile(statusFile(runDir, step), 'utf8');
  } catch {
    return undefined;
  }
  try {
    // The runtime replaces the file atomically, so a parse error means a foreign writer: ignore it.
    const status = JSON.parse(text) as StepStatus;
    return typeof status === 'object' && status !== null && typeof status.state === 'string' ? status : undefined;
  } catch {
    return undefined;
  }
}

export interface FileRange {
  data: Buffer;
  offset: number;
  /** The file's size when read; 0 when it does not exist. */
  size: number;
}

/** Up to `maxBytes` from `offset` (clamped to the file), and the file's size. */
export async function readRange(file: string, offset: number, maxBytes: number): Promise<FileRange> {
  let handle;
  try {
    handle = await open(file, 'r');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { data: Buffer.alloc(0), offset: 0, size: 0 };
    throw error;
  }
  try {
    const { size } = await handle.stat();
    const start = Math.min(Math.max(0, offset), size);
    const length = Math.max(0, Math.min(maxBytes, size - start));
    const data = Buffer.alloc(length);
    const { bytesRead } = length > 0 ? await handle.read(data, 0, length, start) : { bytesRead: 0 };
    return { data: data.subarray(0, bytesRead), offset: start, size };
  } finally {
    await handle.close();
  }
}

/** A file's size, 0 when it does not exist yet. */
export async function fileSize(file: string): Promise<number> {
  try {
    return (await stat(file)).size;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return 0;
    throw error;
  }
}
