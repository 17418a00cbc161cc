/**
 * Kubernetes vocabulary shared by the exported formats: object names made
 * from step and pipeline names, resource quantities from the spec's
 * normalized resources, and the checks Kubernetes would otherwise make only
 * when a pod is created, long after the export.
 */
import { FerryError } from '../errors.js';
import type { Resources, StepSpec } from '../spec.js';

/** Longest DNS-1123 label: task, template and component names stay within it. */
const MAX_LABEL_LENGTH = 63;

/**
 * `load_data` → `load-data`: lowercase letters, digits and single `-`, as
 * the KFP SDK sanitizes names (Argo refuses `_` in task and template names).
 */
export function kubernetesName(text: string, fallback: string): string {
  const name = text
    .toLowerCase()
    .replace(/[^-0-9a-z]+/g, '-')
    .replace(/-+/g, '-')
    .replace(/^-|-$/g, '')
    .slice(0, MAX_LABEL_LENGTH)
    .replace(/-$/, '');
  return name || fallback;
}

/**
 * One Kubernetes-safe name per step, none equal to a reserved name. The
 * compiler already refuses steps whose names differ only in case or `-`/`_`;
 * a clash left (a reserved name, a leading `_`) gets a numbered suffix.
 */
export function taskNames(steps: readonly StepSpec[], reserved: readonly string[]): Map<string, string> {
  const taken = new Set(reserved);
  const names = new Map<string, string>();
  for (const step of steps) {
    const base = kubernetesName(step.name, 'step');
    let name = base;
    for (let n = 2; taken.has(name); n++) name = `${base.slice(0, MAX_LABEL_LENGTH - String(n).length - 1)}-${n}`;
    taken.add(name);
    names.set(step.name, name);
  }
  return names;
}

/** `2`, `1500m`: whole CPUs as they are, fractions in millicores. */
export function cpuQuantity(cpus: number): string {
  return Number.isInteger(cpus) ? String(cpus) : `${Math.ceil(cpus * 1000)}m`;
}

/** `4096Mi`: the spec keeps memory in whole MiB. */
export function memoryQuantity(memoryMiB: number): string {
  return `${Math.ceil(memoryMiB)}Mi`;
}

/** A step's resources as Kubernetes requests and limits (GPUs only as limits, as Kubernetes wants them). */
export function containerResources(resources: Resources): { requests: Record<string, string>; limits: Record<string, string> } | undefined {
  const requests: Record<string, string> = {};
  if (resources.cpus) requests['cpu'] = cpuQuantity(resources.cpus);
  if (resources.memoryMiB) requests['memory'] = memoryQuantity(resources.memoryMiB);
  // Requests equal to limits: what the step asked for is reserved, as on Slurm.
  const limits: Record<string, string> = { ...requests };
  if (resources.gpus) limits[GPU_RESOURCE] = String(resources.gpus);
  if (Object.keys(limits).length === 0) return undefined;
  return { requests, limits };
}

export const GPU_RESOURCE = 'nvidia.com/gpu';

const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const LABEL_NAME = /^[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$/;

/** A DNS-1123 subdomain, what Kubernetes wants for the name of a claim. */
export function isDnsSubdomain(text: string): boolean {
  return text.length <= 253 && text.split('.').every((part) => DNS_LABEL.test(part));
}

/**
 * Kale's `label:` and `annotation:` tags, checked as Kubernetes checks pod
 * metadata, so a bad one is reported against its step now.
 */
export function checkPodMetadata(step: StepSpec): void {
  const fail = (message: string): never => {
    throw new FerryError('tag', `step ${step.name}: ${message}`, { step: step.name });
  };
  for (const [kind, entries] of [['label', step.labels], ['annotation', step.annotations]] as const) {
    for (const key of Object.keys(entries ?? {})) {
      if (!isMetadataKey(key)) fail(`${kind} key \`${key}\` is not a Kubernetes key (an optional DNS prefix and \`/\`, then at most 63 letters, digits, \`-\`, \`_\`, \`.\`)`);
    }
  }
  for (const [key, value] of Object.entries(step.labels ?? {})) {
    if (value !== '' && (value.length > MAX_LABEL_LENGTH || !LABEL_NAME.test(value))) {
      fail(`label \`${key}\` has the value \`${value}\`; Kubernetes label values are at most 63 letters, digits, \`-\`, \`_\`, \`.\`, starting and ending with a letter or digit`);
    }
  }
}

function isMetadataKey(key: string): boolean {
  const slash = key.lastIndexOf('/');
  const prefix = slash < 0 ? undefined : key.slice(0, slash);
  const name = slash < 0 ? key : key.slice(slash + 1);
  if (prefix !== undefined && !isDnsSubdomain(prefix)) return false;
  return name.length <= MAX_LABEL_LENGTH && LABEL_NAME.test(name);
}
