/**
 * Kubernetes' rules for names, label keys and values, and the names Ferry
 * gives its objects. The API server refuses a bad name with a terse message
 * after a round trip; checking here lets the error say which config field or
 * notebook tag to change.
 */
import { createHash } from 'node:crypto';
import { FerryError } from '../../errors.js';
import { SWEEP_ID_PATTERN } from '../../sweeps/sweep.js';
import { RUN_ID_PATTERN } from '../store/run-id.js';

const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const LABEL_VALUE = /^([A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?)?$/;
const NAME_PART = /^[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$/;
/** What a container's env var name may be (the classic rule: every Kubernetes version takes it). */
const ENV_NAME = /^[-._a-zA-Z][-._a-zA-Z0-9]*$/;
/** A positive quantity in bytes as a PVC's size takes it: `10Gi`, `500M`, `1.5Ti`. */
const STORAGE_SIZE = /^(\d+(\.\d+)?|\.\d+)(Ki|Mi|Gi|Ti|Pi|Ei|k|M|G|T|P|E)?$/;

export const MAX_NAME_LENGTH = 63;

/** A namespace or a Job name: lower-case letters, digits and `-`, at most 63. */
export function isDnsLabel(name: string): boolean {
  return name.length <= MAX_NAME_LENGTH && DNS_LABEL.test(name);
}

/** A ConfigMap, claim, service account or secret name: DNS labels joined by dots, at most 253. */
export function isDnsSubdomain(name: string): boolean {
  return name.length <= 253 && DNS_SUBDOMAIN.test(name);
}

export function isLabelValue(value: string): boolean {
  return value.length <= MAX_NAME_LENGTH && LABEL_VALUE.test(value);
}

/** A label or annotation key: `name` or `prefix/name`, the prefix a DNS subdomain. */
export function isQualifiedName(key: string): boolean {
  const slash = key.lastIndexOf('/');
  const name = key.slice(slash + 1);
  const prefix = slash < 0 ? undefined : key.slice(0, slash);
  return name.length <= MAX_NAME_LENGTH && NAME_PART.test(name) && (prefix === undefined || isDnsSubdomain(prefix));
}

export function isEnvName(name: string): boolean {
  return ENV_NAME.test(name);
}

export function isStorageSize(size: string): boolean {
  return STORAGE_SIZE.test(size) && Number.parseFloat(size) > 0;
}

export const LABEL_VALUE_RULE = 'letters, digits, "-", "_" and "." beginning and ending with a letter or digit, at most 63 characters';
export const QUALIFIED_NAME_RULE = 'a name of letters, digits, "-", "_" and "." (at most 63), optionally after a DNS prefix and "/", e.g. "example.com/team"';
export const DNS_SUBDOMAIN_RULE = 'lower-case letters, digits, "-" and "." beginning and ending with a letter or digit, at most 253 characters';
export const DNS_LABEL_RULE = 'lower-case letters, digits and "-" beginning and ending with a letter or digit, at most 63 characters';

/** `ferry-<runId>` or `ferry-<sweepId>`: the ConfigMap holding the files a run's (or a sweep's) pods stage. */
export function codeConfigMapName(ownerId: string): string {
  checkOwnerId(ownerId);
  return `ferry-${ownerId}`;
}

const HASH_LENGTH = 8;

/**
 * The Job of one step of a run (or of a sweep): `ferry-<id>-<step>`, the step
 * name lower-cased with `_` as `-`. Ids are 24 characters, so the step keeps
 * 31 of them; a longer name, or one ending in `_` or `-`, is cut to 23 and
 * followed by `-` and a hash of the exact name. Plain names are at most 62
 * characters long and hashed ones exactly 63, so the two never meet; plain
 * ones are unique because the compiler refuses step names that differ only
 * in case or `-`/`_`.
 */
export function stepJobName(ownerId: string, step: string): string {
  checkOwnerId(ownerId);
  const prefix = `ferry-${ownerId}-`;
  const plain = step.toLowerCase().replaceAll('_', '-');
  if (prefix.length + plain.length < MAX_NAME_LENGTH && /^[a-z0-9-]*[a-z0-9]$/.test(plain)) return prefix + plain;
  const room = MAX_NAME_LENGTH - prefix.length - 1 - HASH_LENGTH;
  return `${prefix}${plain.slice(0, room)}-${shortHash(step)}`;
}

/**
 * The `ferry.dev/step` label: the step name itself, unless Kubernetes would
 * refuse it as a label value (a name beginning or ending with `_` or `-`);
 * then the name trimmed to letters and digits at both ends with a hash of
 * the exact name. The exact name is always in the `ferry.dev/step` annotation.
 */
export function stepLabelValue(step: string): string {
  if (isLabelValue(step)) return step;
  const trimmed = step.replace(/^[-_]+|[-_]+$/g, '').slice(0, MAX_NAME_LENGTH - 1 - HASH_LENGTH);
  return trimmed ? `${trimmed}-${shortHash(step)}` : shortHash(step);
}

function shortHash(text: string): string {
  return createHash('sha256').update(text).digest('hex').slice(0, HASH_LENGTH);
}

/** Run and sweep ids go into object names: hold them to their patterns (made by Ferry, never from user text). */
function checkOwnerId(id: string): void {
  if (!RUN_ID_PATTERN.test(id) && !SWEEP_ID_PATTERN.test(id)) throw new FerryError('internal', `not a run or sweep id: ${JSON.stringify(id)}`);
}
