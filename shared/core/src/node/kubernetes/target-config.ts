/**
 * A `"type": "kubernetes"` entry of the config file, read as strictly as the
 * others: every name, label and quantity is checked against Kubernetes' own
 * rules here, so a mistake names its field in the config file instead of
 * coming back from the API server when a run starts.
 */
import type { KubernetesAccessMode, KubernetesStorageConfig, KubernetesTargetConfig, KubernetesToleration } from '../config.js';
import { expectObject, fail, rejectUnknownKeys, stringList, type RawObject } from '../config-fields.js';
import { isFerryKey } from './labels.js';
import {
  DNS_LABEL_RULE,
  DNS_SUBDOMAIN_RULE,
  isDnsLabel,
  isDnsSubdomain,
  isEnvName,
  isLabelValue,
  isQualifiedName,
  isStorageSize,
  LABEL_VALUE_RULE,
  QUALIFIED_NAME_RULE,
} from './object-names.js';
import { FERRY_ENV_NAMES } from './pod-env.js';

type Env = Record<string, string | undefined>;
type Problem = (key: string, message: string) => never;

const KUBERNETES_KEYS = [
  'type', 'kubeconfig', 'context', 'namespace', 'image', 'python', 'serviceAccount', 'imagePullSecrets', 'nodeSelector',
  'tolerations', 'env', 'storage', 'backoffLimit', 'podAnnotations', 'podLabels', 'runAsUser',
] as const;
const STORAGE_KEYS = ['claim', 'size', 'storageClass', 'accessModes'] as const;
const TOLERATION_KEYS = ['key', 'operator', 'value', 'effect', 'tolerationSeconds'] as const;
const ACCESS_MODES: readonly string[] = ['ReadWriteOnce', 'ReadWriteMany', 'ReadWriteOncePod'];
const EFFECTS: readonly string[] = ['NoSchedule', 'PreferNoSchedule', 'NoExecute'];

export function parseKubernetesTarget(name: string, raw: RawObject, file: string, env: Env): KubernetesTargetConfig {
  const field = `targets.${name}`;
  rejectUnknownKeys(raw, KUBERNETES_KEYS, name, field, file);
  const problem: Problem = (key, message) => fail(file, `${field}.${key}`, `target "${name}": ${message}`);
  if (!isLabelValue(name)) {
    fail(file, field, `target "${name}": the name of a Kubernetes target goes into labels, so it must be ${LABEL_VALUE_RULE}`);
  }
  const text = (key: string, what: string): string | undefined => {
    const value = raw[key];
    if (value === undefined) return undefined;
    if (typeof value !== 'string' || value.trim() === '' || /[\0\n\r]/.test(value)) problem(key, `"${key}" must be ${what} on one line`);
    return value as string;
  };
  const named = (key: string, check: (value: string) => boolean, rule: string): string | undefined => {
    const value = text(key, 'a name');
    if (value !== undefined && !check(value)) problem(key, `"${key}" must be a Kubernetes name: ${rule}, not ${JSON.stringify(value)}`);
    return value;
  };
  const image = text('image', 'a container image (with Python and the packages the notebook imports)');
  if (image === undefined) problem('image', '"image" is needed: the container image steps run in, with Python and the packages the notebook imports');
  if (/\s/.test(image!)) problem('image', `"image" must be an image reference without spaces, not ${JSON.stringify(image)}`);
  const context = text('context', 'a context of the kubeconfig');
  const serviceAccount = named('serviceAccount', isDnsSubdomain, DNS_SUBDOMAIN_RULE);
  const imagePullSecrets = stringList(raw.imagePullSecrets, file, `${field}.imagePullSecrets`, `target "${name}": "imagePullSecrets" must be a list of secret names`);
  const badSecret = imagePullSecrets.find((secret) => !isDnsSubdomain(secret));
  if (badSecret !== undefined) problem('imagePullSecrets', `"imagePullSecrets": ${JSON.stringify(badSecret)} is not a secret name (${DNS_SUBDOMAIN_RULE})`);
  const maps = { file, field, name };
  return {
    type: 'kubernetes',
    kubeconfig: text('kubeconfig', 'a kubeconfig file') ?? (env.KUBECONFIG || '~/.kube/config'),
    ...(context !== undefined && { context }),
    namespace: named('namespace', isDnsLabel, DNS_LABEL_RULE) ?? 'default',
    image: image!,
    python: text('python', 'a command or a path in the image') ?? 'python3',
    ...(serviceAccount !== undefined && { serviceAccount }),
    imagePullSecrets,
    nodeSelector: stringMap(raw, 'nodeSelector', maps, { key: labelKeyProblem, value: labelValueProblem }),
    tolerations: tolerationList(raw.tolerations, problem),
    env: stringMap(raw, 'env', maps, { key: envNameProblem }),
    storage: parseStorage(raw.storage, name, (key, message) => problem(key ? `storage.${key}` : 'storage', message)),
    backoffLimit: wholeNumber(raw, 'backoffLimit', 0, 1, problem),
    podAnnotations: stringMap(raw, 'podAnnotations', maps, { key: (key) => labelKeyProblem(key) ?? ferryKeyProblem(key) }),
    podLabels: stringMap(raw, 'podLabels', maps, { key: (key) => labelKeyProblem(key) ?? ferryKeyProblem(key), value: labelValueProblem }),
    runAsUser: wholeNumber(raw, 'runAsUser', 1, 1000, problem, ' (steps never run as root, so not 0)'),
  };
}

/** `ferry-<target name>-artifacts`, the name lower-cased and `_` written `-` (claim names are DNS subdomains). */
export function defaultClaimName(targetName: string): string {
  return `ferry-${targetName.toLowerCase().replaceAll('_', '-')}-artifacts`;
}

/** What is wrong with a key or a value, or undefined when nothing is. */
type Check = (text: string) => string | undefined;

const labelKeyProblem: Check = (key) => (isQualifiedName(key) ? undefined : `must be a key: ${QUALIFIED_NAME_RULE}`);
const labelValueProblem: Check = (value) => (isLabelValue(value) ? undefined : `must be a label value: ${LABEL_VALUE_RULE}`);
const ferryKeyProblem: Check = (key) => (isFerryKey(key) ? 'is a key Ferry sets itself (app.kubernetes.io/name, managed-by, instance, component, and ferry.dev/...)' : undefined);
const envNameProblem: Check = (name) => {
  if (FERRY_ENV_NAMES.includes(name)) return `is set by Ferry itself in every step's container and cannot be replaced (Ferry sets ${FERRY_ENV_NAMES.join(', ')})`;
  return isEnvName(name) ? undefined : 'must be a variable name of letters, digits, "_", "-" and ".", not beginning with a digit';
};

/** An object of strings to strings (absent: empty), its keys and values checked. */
function stringMap(raw: RawObject, key: string, where: { file: string; field: string; name: string }, checks: { key: Check; value?: Check }): Record<string, string> {
  const value = raw[key];
  if (value === undefined) return {};
  const field = `${where.field}.${key}`;
  const map = expectObject(value, where.file, field, `target "${where.name}": "${key}" must be an object of strings, like {"name": "value"}`);
  for (const [entry, text] of Object.entries(map)) {
    const refuse = (message: string) => fail(where.file, `${field}.${entry}`, `target "${where.name}": "${key}": ${message}`);
    const keyProblem = checks.key(entry);
    if (keyProblem !== undefined) refuse(`${JSON.stringify(entry)} ${keyProblem}`);
    if (typeof text !== 'string' || text.includes('\0')) refuse(`the value of ${JSON.stringify(entry)} must be a string`);
    const valueProblem = checks.value?.(text as string);
    if (valueProblem !== undefined) refuse(`the value of ${JSON.stringify(entry)} ${valueProblem}, not ${JSON.stringify(text)}`);
  }
  return map as Record<string, string>;
}

function wholeNumber(raw: RawObject, key: string, min: number, fallback: number, problem: Problem, why = ''): number {
  const value = raw[key] ?? fallback;
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < min || value > 2_147_483_647) {
    problem(key, `"${key}" must be a whole number ≥ ${min}${why}, not ${JSON.stringify(value)}`);
  }
  return value as number;
}

/** `problem` takes the key inside `storage` ('' for storage itself). */
function parseStorage(value: unknown, targetName: string, problem: Problem): KubernetesStorageConfig {
  if (value !== undefined && (typeof value !== 'object' || value === null || Array.isArray(value))) {
    problem('', '"storage" must be an object like {"size": "20Gi"}');
  }
  const raw = (value ?? {}) as RawObject;
  for (const key of Object.keys(raw)) {
    if (!(STORAGE_KEYS as readonly string[]).includes(key)) problem(key, `unknown storage key "${key}"; valid keys: ${STORAGE_KEYS.join(', ')}`);
  }
  const claim = raw.claim ?? defaultClaimName(targetName);
  if (typeof claim !== 'string' || !isDnsSubdomain(claim)) {
    const given = raw.claim === undefined ? `the default ${JSON.stringify(claim)} made from the target's name is not one; set "storage.claim"` : `not ${JSON.stringify(claim)}`;
    problem('claim', `"storage.claim" must be a claim name (${DNS_SUBDOMAIN_RULE}); ${given}`);
  }
  const size = raw.size ?? '10Gi';
  if (typeof size !== 'string' || !isStorageSize(size)) problem('size', `"storage.size" must be a size like "10Gi" or "500M", not ${JSON.stringify(size)}`);
  const storageClass = raw.storageClass;
  if (storageClass !== undefined && (typeof storageClass !== 'string' || (storageClass !== '' && !isDnsSubdomain(storageClass)))) {
    problem('storageClass', `"storage.storageClass" must be a storage class name (${DNS_SUBDOMAIN_RULE}), or "" for none, not ${JSON.stringify(storageClass)}`);
  }
  const accessModes = raw.accessModes ?? ['ReadWriteOnce'];
  if (!Array.isArray(accessModes) || accessModes.length === 0 || !accessModes.every((mode) => ACCESS_MODES.includes(mode as string))) {
    problem('accessModes', `"storage.accessModes" must be a non-empty list of ${ACCESS_MODES.join(', ')} (steps write to the volume, so not ReadOnlyMany), not ${JSON.stringify(accessModes)}`);
  }
  return {
    claim: claim as string,
    size: size as string,
    ...(storageClass !== undefined && { storageClass: storageClass as string }),
    accessModes: accessModes as KubernetesAccessMode[],
  };
}

/** Tolerations as Kubernetes validates them: an empty key only with Exists, which takes no value; tolerationSeconds only for NoExecute. */
function tolerationList(value: unknown, problem: Problem): KubernetesToleration[] {
  if (value === undefined) return [];
  if (!Array.isArray(value)) problem('tolerations', '"tolerations" must be a list of objects like {"key": "gpu", "operator": "Exists", "effect": "NoSchedule"}');
  return (value as unknown[]).map((item, index): KubernetesToleration => {
    const at = `tolerations[${index}]`;
    if (typeof item !== 'object' || item === null || Array.isArray(item)) problem(at, `"${at}" must be an object like {"key": "gpu", "operator": "Exists"}`);
    const raw = item as RawObject;
    for (const key of Object.keys(raw)) {
      if (!(TOLERATION_KEYS as readonly string[]).includes(key)) problem(`${at}.${key}`, `unknown toleration key "${key}"; valid keys: ${TOLERATION_KEYS.join(', ')}`);
    }
    const { key, value: text, effect, tolerationSeconds: seconds } = raw;
    const operator = raw.operator ?? 'Equal';
    if (key !== undefined && (typeof key !== 'string' || (key !== '' && !isQualifiedName(key)))) {
      problem(`${at}.key`, `"${at}.key" must be a taint key: ${QUALIFIED_NAME_RULE}`);
    }
    if (operator !== 'Exists' && operator !== 'Equal') problem(`${at}.operator`, `"${at}.operator" must be "Exists" or "Equal", not ${JSON.stringify(operator)}`);
    if (!key && operator !== 'Exists') problem(`${at}.operator`, `"${at}": without a key, the operator must be "Exists" (it then tolerates every taint)`);
    if (text !== undefined && typeof text !== 'string') problem(`${at}.value`, `"${at}.value" must be a string`);
    if (operator === 'Exists' && text) problem(`${at}.value`, `"${at}": with the operator "Exists", give no value`);
    if (operator === 'Equal' && text !== undefined && !isLabelValue(text as string)) problem(`${at}.value`, `"${at}.value" must be ${LABEL_VALUE_RULE}`);
    if (effect !== undefined && !EFFECTS.includes(effect as string)) problem(`${at}.effect`, `"${at}.effect" must be one of ${EFFECTS.join(', ')} (absent: every effect), not ${JSON.stringify(effect)}`);
    if (seconds !== undefined) {
      if (typeof seconds !== 'number' || !Number.isSafeInteger(seconds) || seconds < 0) problem(`${at}.tolerationSeconds`, `"${at}.tolerationSeconds" must be a whole number of seconds ≥ 0`);
      if (effect !== 'NoExecute') problem(`${at}.tolerationSeconds`, `"${at}": "tolerationSeconds" applies to the effect "NoExecute" only`);
    }
    return {
      ...(key !== undefined && { key: key as string }),
      operator,
      ...(text !== undefined && { value: text as string }),
      ...(effect !== undefined && { effect: effect as KubernetesToleration['effect'] }),
      ...(seconds !== undefined && { tolerationSeconds: seconds as number }),
    };
  });
}
