/**
 * The cell tag grammar: Ferry's own tags plus Kale's and Papermill's, so
 * notebooks written for those tools compile unchanged. A tag that is not
 * understood is an error rather than silently ignored: a typo in `step:` or
 * `gpus:` would otherwise change what runs, or where.
 */

import { FerryError, type ErrorLocation } from '../errors.js';
import type { Resources } from '../spec.js';
import { parseCpus, parseMemoryMiB, parseTimeMinutes, parseWholeNumber } from './resource-values.js';
import { isValidStepName } from './step-name.js';

/** What a cell is for, when it is not (part of) a step. */
export type CellRole = 'parameters' | 'imports' | 'functions' | 'metrics' | 'skip';

export type CellTag =
  | { kind: 'step'; name: string }
  | { kind: 'after'; name: string }
  | { kind: 'role'; role: CellRole }
  | { kind: 'resource'; resource: keyof Resources; value: number }
  | { kind: 'label' | 'annotation'; key: string; value: string }
  /** Accepted for compatibility, without effect on the pipeline. */
  | { kind: 'ignored' };

/** Every accepted form, as shown to users when a tag is not understood. */
export const TAG_FORMS: readonly string[] = [
  'step:NAME (Kale: block:NAME)',
  'after:NAME (Kale: prev:NAME)',
  'parameters (Kale: pipeline-parameters)',
  'imports',
  'functions',
  'pipeline-metrics',
  'skip',
  'gpus:N',
  'cpus:N',
  'mem:SIZE (e.g. 512M, 4Gi, 2GB)',
  'time:DURATION (e.g. 90m, 2h, 1h30m, 2d, 12:00:00, 1-12:00:00)',
  'limit:nvidia.com/gpu:N',
  'limit:cpu:N',
  'limit:memory:SIZE',
  'label:KEY:VALUE',
  'annotation:KEY:VALUE',
];

const ROLE_TAGS: Record<string, CellRole> = {
  parameters: 'parameters',
  'pipeline-parameters': 'parameters',
  imports: 'imports',
  functions: 'functions',
  'pipeline-metrics': 'metrics',
  skip: 'skip',
};

/** Papermill's marker for the cell it injected, and Jupyter Book / nbconvert display tags. */
const IGNORED_TAGS = new Set([
  'injected-parameters',
  'hide-input',
  'hide-output',
  'hide-cell',
  'remove-input',
  'remove-output',
  'remove-cell',
  'raises-exception',
]);

const STEP_NAME_RULE =
  'step names use letters, digits, `_` and `-`, start with a letter or `_`, and have at most 63 characters';

export function parseTag(tag: string, where: ErrorLocation = {}): CellTag {
  const role = ROLE_TAGS[tag];
  if (role) return { kind: 'role', role };
  if (IGNORED_TAGS.has(tag)) return { kind: 'ignored' };

  const colon = tag.indexOf(':');
  const prefix = colon < 0 ? tag : tag.slice(0, colon);
  const value = colon < 0 ? undefined : tag.slice(colon + 1);
  const fail = (message: string): never => {
    throw new FerryError('tag', message, where);
  };

  if (value === undefined) return fail(unknownTagMessage(tag));

  switch (prefix) {
    case 'step':
    case 'block':
      return { kind: 'step', name: stepName(tag, value, fail) };
    case 'after':
    case 'prev':
      return { kind: 'after', name: stepName(tag, value, fail) };
    case 'gpus':
      return resource(tag, 'gpus', parseWholeNumber(value), 'a whole number of GPUs, e.g. `gpus:1`', fail);
    case 'cpus':
      return resource(tag, 'cpus', parseCpus(value), 'a positive number of CPUs, e.g. `cpus:8`', fail);
    case 'mem':
      return resource(tag, 'memoryMiB', parseMemoryMiB(value), 'a size with a unit, e.g. `mem:512M`, `mem:32G`', fail);
    case 'time':
      return resource(
        tag,
        'timeMinutes',
        parseTimeMinutes(value),
        'a positive duration, e.g. `time:90m`, `time:2h`, `time:1h30m`, `time:1-12:00:00`',
        fail,
      );
    case 'limit':
      return kaleLimit(tag, value, fail);
    case 'label':
    case 'annotation':
      return keyValue(tag, prefix, value, fail);
    default:
      return fail(unknownTagMessage(tag));
  }
}

function stepName(tag: string, name: string, fail: (message: string) => never): string {
  if (name === '') fail(`tag \`${tag}\` needs a step name, e.g. \`${tag}train\``);
  if (!isValidStepName(name)) fail(`tag \`${tag}\`: \`${name}\` is not a valid step name; ${STEP_NAME_RULE}`);
  return name;
}

function resource(
  tag: string,
  resource: keyof Resources,
  value: number | undefined,
  expected: string,
  fail: (message: string) => never,
): CellTag {
  if (value === undefined) fail(`tag \`${tag}\`: expected ${expected}`);
  return { kind: 'resource', resource, value: value! };
}

/** Kale's Kubernetes-style limits: `limit:nvidia.com/gpu:1`, `limit:cpu:4`, `limit:memory:8Gi`. */
function kaleLimit(tag: string, spec: string, fail: (message: string) => never): CellTag {
  const colon = spec.lastIndexOf(':');
  const key = spec.slice(0, Math.max(colon, 0));
  const value = spec.slice(colon + 1);
  switch (key) {
    case 'nvidia.com/gpu':
      return resource(tag, 'gpus', parseWholeNumber(value), 'a whole number of GPUs, e.g. `limit:nvidia.com/gpu:1`', fail);
    case 'cpu':
      return resource(tag, 'cpus', parseCpus(value, true), 'a positive number of CPUs, e.g. `limit:cpu:4`, `limit:cpu:500m`', fail);
    case 'memory':
      return resource(tag, 'memoryMiB', parseMemoryMiB(value), 'a size with a unit, e.g. `limit:memory:8Gi`', fail);
    default:
      return fail(
        `tag \`${tag}\`: unknown limit; valid limits are limit:nvidia.com/gpu:N, limit:cpu:N and limit:memory:SIZE`,
      );
  }
}

function keyValue(
  tag: string,
  kind: 'label' | 'annotation',
  spec: string,
  fail: (message: string) => never,
): CellTag {
  const colon = spec.indexOf(':');
  const key = colon < 0 ? '' : spec.slice(0, colon);
  // Kubernetes keys: an optional DNS-style prefix and a name, e.g. `app.kubernetes.io/part-of`.
  if (!/^[A-Za-z0-9]([A-Za-z0-9._/-]*[A-Za-z0-9])?$/.test(key)) {
    fail(`tag \`${tag}\`: expected ${kind}:KEY:VALUE with a key of letters, digits, \`.\`, \`_\`, \`-\`, \`/\``);
  }
  return { kind, key, value: spec.slice(colon + 1) };
}

function unknownTagMessage(tag: string): string {
  const suggestion = closestKnownTag(tag);
  const hint = suggestion ? ` (did you mean \`${suggestion}\`?)` : '';
  return `unknown tag \`${tag}\`${hint}; valid tags: ${TAG_FORMS.join(', ')}`;
}

/** A likely intended tag for a typo such as `paramters` or `setp:train`. */
function closestKnownTag(tag: string): string | undefined {
  const colon = tag.indexOf(':');
  const head = colon < 0 ? tag : tag.slice(0, colon);
  const rest = colon < 0 ? '' : tag.slice(colon);
  const candidates =
    colon < 0
      ? [...Object.keys(ROLE_TAGS), ...IGNORED_TAGS]
      : ['step', 'block', 'after', 'prev', 'gpus', 'cpus', 'mem', 'time', 'limit', 'label', 'annotation'];
  let best: string | undefined;
  let bestDistance = 3;
  for (const candidate of candidates) {
    const distance = editDistance(head.toLowerCase(), candidate);
    if (distance < bestDistance) {
      best = candidate + rest;
      bestDistance = distance;
    }
  }
  return best === tag ? undefined : best;
}

function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      const substitution = previous[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1);
      current.push(Math.min(previous[j]! + 1, current[j - 1]! + 1, substitution));
    }
    previous = current;
  }
  return previous[b.length]!;
}
