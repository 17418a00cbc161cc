/**
 * Reads a file of a run directory on this machine, whole, only when it
 * really lies inside the run directory: a symbolic link a step left there
 * pointing elsewhere (`~/.ssh/...`) is not followed out.
 */
import { open, realpath } from 'node:fs/promises';
import { join, relative, isAbsolute } from 'node:path';
import type { Run } from '../../run.js';
import { runFileMissing, runFileOutside, runFileTooLarge } from './run-files.js';

/** `relativePath` has passed checkRunFilePath. */
export async function readConfinedFile(run: Pick<Run, 'id' | 'target' | 'runDir'>, relativePath: string, maxBytes: number): Promise<Buffer> {
  let real: string;
  let root: string;
  try {
    root = await realpath(run.runDir);
    real = await realpath(join(run.runDir, relativePath));
  } catch (error) {
    if (isMissing(error)) throw runFileMissing(run, relativePath);
    throw error;
  }
  const inside = relative(root, real);
  if (inside === '' || inside.startsWith('..') || isAbsolute(inside)) throw runFileOutside(run, relativePath);
  const handle = await open(real, 'r');
  try {
    const stats = await handle.stat();
    if (!stats.isFile()) throw runFileMissing(run, relativePath);
    if (stats.size > maxBytes) throw runFileTooLarge(run, relativePath, stats.size, maxBytes);
    // At most `size` bytes even if the file grows while it is read.
    const data = Buffer.alloc(stats.size);
    let filled = 0;
    while (filled < data.length) {
      const { bytesRead } = await handle.read(data, filled, data.length - filled, filled);
      if (bytesRead === 0) break; // it shrank
      filled += bytesRead;
    }
    return data.subarray(0, filled);
  } finally {
    await handle.close();
  }
}

function isMissing(error: unknown): boolean {
  const code = (error as NodeJS.ErrnoException).code;
  return code === 'ENOENT' || code === 'ENOTDIR';
}
