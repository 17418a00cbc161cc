/** Small notebooks written for one test: a step whose code the test chooses. */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** A code cell as nbformat 4 stores it. */
export function codeCell(source: string, tags: string[] = []) {
  return { cell_type: 'code', source, metadata: { tags }, outputs: [], execution_count: null };
}

/** Writes a notebook of these cells as `dir/name.ipynb` (a fresh directory unless given); returns its path. */
export function writeNotebook(name: string, cells: ReadonlyArray<ReturnType<typeof codeCell>>, dir = mkdtempSync(join(tmpdir(), 'ferry-test-nb-'))): string {
  const file = join(dir, `${name}.ipynb`);
  writeFileSync(file, JSON.stringify({ nbformat: 4, nbformat_minor: 5, metadata: {}, cells }));
  return file;
}

/**
 * A notebook with one step `train` running `code` (with `time` and Ferry's
 * `log_metric` imported), written to a fresh directory; returns its path.
 */
export function oneStepNotebook(name: string, code: string): string {
  return writeNotebook(name, [codeCell('import time\nfrom ferry import log_metric', ['imports']), codeCell(code, ['step:train'])]);
}

/**
 * Logs `loss` for a few steps, pauses, then starts logging `accuracy`, and
 * keeps running a while after: a metric that appears while someone watches.
 */
export function lateMetricNotebook(): string {
  return oneStepNotebook(
    'late_metric',
    [
      'for i in range(3):',
      '    log_metric("loss", 1.0 / (i + 1), step=i)',
      '    time.sleep(0.3)',
      'time.sleep(2)',
      'for i in range(3):',
      '    log_metric("accuracy", 0.5 + i / 10, step=i)',
      '    time.sleep(0.3)',
      'time.sleep(2)',
    ].join('\n'),
  );
}
