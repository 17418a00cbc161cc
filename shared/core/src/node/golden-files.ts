/**
 * Golden files for the tests of generators (the compiler's specs, the Slurm
 * scripts, the Kubernetes manifests, exported pipelines): the generated text
 * must equal the file; a difference fails with the differing lines and the
 * command that accepts it. With FERRY_UPDATE_GOLDEN=1 the files are written
 * instead, to be reviewed in the diff. Not part of the API.
 */
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { relative } from 'node:path';
import { fileURLToPath } from 'node:url';

export const updatingGolden = process.env['FERRY_UPDATE_GOLDEN'] === '1';
// dist/node/ → the repository root
const repoRoot = fileURLToPath(new URL('../../../../', import.meta.url));

/** `actual` equals the golden file at `path`; `testFile` is the compiled test, named in the command that regenerates. */
export function assertGolden(path: string, actual: string, testFile: string): void {
  if (updatingGolden) {
    writeFileSync(path, actual);
    return;
  }
  const regenerate = `npx tsc -b && FERRY_UPDATE_GOLDEN=1 node --test ${relative(repoRoot, fileURLToPath(testFile))}`;
  let expected: string;
  try {
    expected = readFileSync(path, 'utf8');
  } catch {
    assert.fail(`no golden file ${path}; create it (${regenerate}) and review it`);
  }
  if (actual !== expected) assert.fail(describeDifference(relative(repoRoot, path), expected, actual, regenerate));
}

/** The differing lines between the common head and tail, as -/+ lines. */
function describeDifference(label: string, expected: string, actual: string, regenerate: string): string {
  const want = expected.split('\n');
  const got = actual.split('\n');
  let head = 0;
  while (head < want.length && head < got.length && want[head] === got[head]) head++;
  let tail = 0;
  while (tail < want.length - head && tail < got.length - head && want[want.length - 1 - tail] === got[got.length - 1 - tail]) tail++;
  return [
    `the generated file differs from ${label} at line ${head + 1} (- golden, + generated):`,
    ...want.slice(head, want.length - tail).slice(0, 20).map((line) => `- ${line}`),
    ...got.slice(head, got.length - tail).slice(0, 20).map((line) => `+ ${line}`),
    `if the change is intended, regenerate: ${regenerate}`,
  ].join('\n');
}
