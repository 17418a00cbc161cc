/**
 * What the node-side tests share: a private FERRY_HOME per test, handwritten
 * pipeline specs (independent of the compiler), an engine on the real local
 * target with the project's Python, and bounded waiting. Not part of the API.
 */
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { setTimeout as sleep } from 'node:timers/promises';
import { isFinalRunState, type Run } from '../run.js';
import { SPEC_VERSION, type JsonValue, type ParamType, type PipelineSpec, type StepSpec } from '../spec.js';
import { RunEngine } from './engine.js';
import { ferryPaths, type FerryPaths } from './paths.js';
import { groupIsAlive } from './targets/processes.js';

/** dist/node → the repository root. */
const repoRoot = fileURLToPath(new URL('../../../../', import.meta.url));

/** The project's venv when it exists (scripts/python-env.sh), as CI sets it up. */
export const PYTHON =
  process.env.FERRY_PYTHON ?? (existsSync(join(repoRoot, '.venv/bin/python')) ? join(repoRoot, '.venv/bin/python') : 'python3');

export interface TestHome {
  dir: string;
  paths: FerryPaths;
  /** A notebook path in its own directory (steps run there); the file itself is not needed. */
  notebookPath: string;
  cleanup(): void;
}

export function testHome(): TestHome {
  const dir = mkdtempSync(join(tmpdir(), 'ferry-node-test-'));
  const paths = ferryPaths({ FERRY_HOME: join(dir, 'home') });
  const notebookDir = join(dir, 'notebooks');
  mkdirSync(notebookDir);
  const notebookPath = join(notebookDir, 'pipeline.ipynb');
  writeFileSync(notebookPath, '{}');
  return { dir, paths, notebookPath, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

export interface StepSketch {
  name: string;
  /** Python source of the step's single cell. */
  code: string;
  dependsOn?: string[];
  inputs?: { name: string; from: string }[];
  outputs?: string[];
  metrics?: string[];
}

/** A PipelineSpec written by hand: one cell per step, steps in the order given (dependencies first). */
export function pipeline(name: string, steps: StepSketch[], parameters: Record<string, JsonValue> = {}): PipelineSpec {
  return {
    specVersion: SPEC_VERSION,
    name,
    notebook: `${name}.ipynb`,
    prelude: [{ cell: 0, source: 'import time\nimport ferry' }],
    parameters: Object.entries(parameters).map(([param, value], line) => ({
      name: param,
      type: pythonType(value),
      default: value,
      cell: 1,
      line: line + 1,
    })),
    steps: steps.map(
      (step, index): StepSpec => ({
        name: step.name,
        cells: [{ cell: index + 2, source: step.code }],
        dependsOn: step.dependsOn ?? [],
        inputs: step.inputs ?? [],
        outputs: step.outputs ?? [],
        metrics: step.metrics ?? [],
        resources: {},
      }),
    ),
  };
}

function pythonType(value: JsonValue): ParamType {
  if (value === null) return 'None';
  if (typeof value === 'boolean') return 'bool';
  if (typeof value === 'number') return Number.isInteger(value) ? 'int' : 'float';
  if (typeof value === 'string') return 'str';
  return Array.isArray(value) ? 'list' : 'dict';
}

export function openEngine(home: TestHome, options: { maxParallel?: number; cancelGraceMs?: number } = {}): Promise<RunEngine> {
  return RunEngine.open({
    paths: home.paths,
    config: { targets: { local: { type: 'local', python: PYTHON, maxParallel: options.maxParallel ?? 4 } } },
    pollIntervalMs: 50,
    cancelGraceMs: options.cancelGraceMs ?? 5_000,
  });
}

/** Submits `spec` with its parameter defaults overridden by `parameters`. */
export function submit(engine: RunEngine, home: TestHome, spec: PipelineSpec, parameters: Record<string, JsonValue> = {}): Promise<Run> {
  const values = Object.fromEntries(spec.parameters.map((param) => [param.name, param.default]));
  return engine.submit({ notebookPath: home.notebookPath, spec, target: 'local', mode: 'script', parameters: { ...values, ...parameters } });
}

/** Polls `probe` until it returns a value, failing with `what` after `timeoutMs`. */
export async function waitFor<T>(what: string, probe: () => T | undefined | false | Promise<T | undefined | false>, timeoutMs = 60_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(25);
  }
}

export function waitForFinalRun(engine: RunEngine, runId: string, timeoutMs = 60_000): Promise<Run> {
  return waitFor(`run ${runId} to finish`, async () => {
    const run = await engine.getRun(runId);
    return isFinalRunState(run.state) ? run : undefined;
  }, timeoutMs);
}

/** Kills every step process group a test left behind (a failed assertion mid-run). */
export function killLeftovers(runs: Run[]): void {
  for (const step of runs.flatMap((run) => run.steps)) {
    const pid = Number(step.jobId);
    if (!pid || !groupIsAlive(pid)) continue;
    try {
      process.kill(-pid, 'SIGKILL');
    } catch {
      // gone meanwhile
    }
  }
}

export function stepOf(run: Run, name: string) {
  const step = run.steps.find((candidate) => candidate.name === name);
  if (!step) throw new Error(`run ${run.id} has no step ${name}`);
  return step;
}
