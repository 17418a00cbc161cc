/** Small notebooks written for one test: a step whose code the test chooses. */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * A notebook with one step `train` running `code` (with `time` and Ferry's
 * `log_metric` imported), written to a fresh directory; returns its path.
 */
export function oneStepNotebook(name: string, code: string): string {
  const file = join(mkdtempSync(join(tmpdir(), 'ferry-test-nb-')), `${name}.ipynb`);
  const cell = (source: string, tags: string[]) => ({ cell_type: 'code', source, metadata: { tags }, outputs: [], execution_count: null });
  writeFileSync(
    file,
    JSON.stringify({
      nbformat: 4,
      nbformat_minor: 5,
      metadata: {},
      cells: [cell('import time\nfrom ferry import log_metric', ['imports']), cell(code, ['step:train'])],
    }),
  );
  return file;
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
