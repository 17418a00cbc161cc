/** `ferry targets test` for the local target: the step Python, the runs directory, notebook mode. */
import { execFile } from 'node:child_process';
import { constants } from 'node:fs';
import { access, mkdir } from 'node:fs/promises';
import { promisify } from 'node:util';
import type { TargetCheck } from '../../api/contract.js';

const run = promisify(execFile);
const TIMEOUT_MS = 20_000;

export async function checkLocalTarget(python: string, runsDir: string): Promise<TargetCheck[]> {
  return [await checkPython(python), await checkRunsDir(runsDir), await checkNotebookMode(python)];
}

async function checkPython(python: string): Promise<TargetCheck> {
  const fix = 'set "python" for this target in config.json, or FERRY_PYTHON, to a Python ≥ 3.8';
  try {
    const { stdout } = await run(python, ['-c', 'import sys; print("%d.%d.%d" % sys.version_info[:3])'], { timeout: TIMEOUT_MS });
    const version = stdout.trim();
    const [major, minor] = version.split('.').map(Number);
    const ok = major === 3 && minor! >= 8;
    return { name: 'python', ok, detail: `${python} is Python ${version}`, ...(!ok && { fix }) };
  } catch (error) {
    return { name: 'python', ok: false, detail: `${python} could not be run: ${(error as Error).message.split('\n')[0]}`, fix };
  }
}

async function checkRunsDir(runsDir: string): Promise<TargetCheck> {
  try {
    await mkdir(runsDir, { recursive: true, mode: 0o700 });
    await access(runsDir, constants.W_OK);
    return { name: 'runs directory', ok: true, detail: `${runsDir} is writable` };
  } catch (error) {
    return {
      name: 'runs directory',
      ok: false,
      detail: `${runsDir}: ${(error as Error).message}`,
      fix: 'make it writable, or point FERRY_DATA_DIR somewhere that is',
    };
  }
}

async function checkNotebookMode(python: string): Promise<TargetCheck> {
  try {
    await run(python, ['-c', 'import nbclient, nbformat, ipykernel'], { timeout: TIMEOUT_MS });
    return { name: 'notebook mode', ok: true, detail: 'nbclient, nbformat and ipykernel are installed', optional: true };
  } catch {
    return {
      name: 'notebook mode',
      ok: false,
      detail: 'nbclient, nbformat or ipykernel is missing: --mode notebook will fail, script mode works',
      fix: `${python} -m pip install nbclient nbformat ipykernel`,
      optional: true,
    };
  }
}
