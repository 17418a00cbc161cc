/**
 * The one config file every client shares (`<home>/config.json`): the targets
 * a user can run on. Strict on purpose: a misspelt key is an error that names
 * the file, the target and the key, and lists the keys that are valid, rather
 * than a setting silently ignored.
 */
import { readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { FerryError } from '../errors.js';
import { expectObject, fail, rejectUnknownKeys, stringList, type RawObject } from './config-fields.js';
import { parseKubernetesTarget } from './kubernetes/target-config.js';
import type { FerryPaths } from './paths.js';

export interface LocalTargetConfig {
  type: 'local';
  /** The Python that runs steps: `$FERRY_PYTHON`, else `python3`. */
  python: string;
  /** Steps this target runs at once; the rest wait as 'queued'. Default: the number of CPUs. */
  maxParallel: number;
}

/** Run steps inside a container image on the cluster (`apptainer exec IMAGE python3 ...`). */
export interface SlurmContainerConfig {
  /** An image path on the cluster (`.sif`) or a URI apptainer understands (`docker://...`). */
  image: string;
  runtime: 'apptainer' | 'singularity';
  /** `--bind` specs, e.g. `/scratch` or `/data:/data:ro`. */
  bind: string[];
}

export interface SlurmTargetConfig {
  type: 'slurm';
  /** An ssh_config alias or a host name (optionally `user@host:port`). */
  host: string;
  user?: string;
  port?: number;
  identityFile?: string;
  /** Like `ssh -F`: this file instead of ~/.ssh/config. */
  sshConfigFile?: string;
  knownHostsFile?: string;
  /** Jump hosts, as ssh's `-J` takes them (`user@bastion:22,other`). */
  proxyJump?: string;
  /** Where run directories go on the cluster (`<workdir>/runs/<runId>`); `~/` is the remote home. Default `~/ferry`. */
  workdir: string;
  partition?: string;
  account?: string;
  qos?: string;
  /** The Python that runs steps on the compute nodes (after `setup`). Default `python3`. */
  python: string;
  /**
   * Shell lines run before each step in its batch script (`module load ...`,
   * `source venv/bin/activate`, `conda activate env`). They are the user's own
   * shell code, written into the script as-is on purpose: that is what they
   * are for. Nothing else from the config reaches a shell unquoted.
   */
  setup: string[];
  container?: SlurmContainerConfig;
  /** Ferry runs on the login node itself: commands run here (bash), not over SSH. */
  local: boolean;
}

export type KubernetesAccessMode = 'ReadWriteOnce' | 'ReadWriteMany' | 'ReadWriteOncePod';

/** The volume steps exchange values through: one PersistentVolumeClaim per target, each run under `runs/<runId>` on it. */
export interface KubernetesStorageConfig {
  /** The claim's name; Ferry creates it when it is missing. Default `ferry-<target name>-artifacts`. */
  claim: string;
  /** The size Ferry asks for when it creates the claim. Default "10Gi". */
  size: string;
  /** Absent: the cluster's default class; "" asks for no class (a volume bound by hand). */
  storageClass?: string;
  /** Default ["ReadWriteOnce"], which holds all of a run's pods to one node at a time; ReadWriteMany lets them spread. */
  accessModes: KubernetesAccessMode[];
}

/** A toleration of the step pods, as Kubernetes takes it. */
export interface KubernetesToleration {
  key?: string;
  operator?: 'Exists' | 'Equal';
  value?: string;
  effect?: 'NoSchedule' | 'PreferNoSchedule' | 'NoExecute';
  tolerationSeconds?: number;
}

/** Run each step as a Kubernetes Job in a container image that has Python and the notebook's packages. */
export interface KubernetesTargetConfig {
  type: 'kubernetes';
  /** A kubeconfig path as given (`~/` allowed; resolved when connecting). Default `$KUBECONFIG`, then `~/.kube/config`. */
  kubeconfig: string;
  /** A context of the kubeconfig; absent: its current context. */
  context?: string;
  /** Default "default". */
  namespace: string;
  image: string;
  /** The Python in the image that runs steps. Default `python3`. */
  python: string;
  serviceAccount?: string;
  imagePullSecrets: string[];
  nodeSelector: Record<string, string>;
  tolerations: KubernetesToleration[];
  /** Set in each step's container, beside (never over) Ferry's own variables. */
  env: Record<string, string>;
  storage: KubernetesStorageConfig;
  /** Retries of a step pod that failed other than by the step's own exit (a lost node). Default 1. */
  backoffLimit: number;
  /** Added to every step pod, e.g. to switch off a service mesh's sidecar. */
  podAnnotations: Record<string, string>;
  podLabels: Record<string, string>;
  /** The user (and group) steps run as; never root. Default 1000. */
  runAsUser: number;
}

export type TargetConfig = LocalTargetConfig | SlurmTargetConfig | KubernetesTargetConfig;

export interface FerryConfig {
  /** Always has a `local` target. */
  targets: Record<string, TargetConfig>;
}

type Env = Record<string, string | undefined>;

const LOCAL_KEYS = ['type', 'python', 'maxParallel'] as const;
const SLURM_KEYS = [
  'type', 'host', 'user', 'port', 'identityFile', 'sshConfigFile', 'knownHostsFile', 'proxyJump',
  'workdir', 'partition', 'account', 'qos', 'python', 'setup', 'container', 'local',
] as const;
const CONTAINER_KEYS = ['image', 'runtime', 'bind'] as const;
const TARGET_TYPES: readonly string[] = ['local', 'slurm', 'kubernetes'];

/** Reads `paths.configFile`; a missing file means the defaults (one `local` target). */
export function loadConfig(paths: Pick<FerryPaths, 'configFile'>, env: Env = process.env): FerryConfig {
  const file = paths.configFile;
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return parseConfig({}, file, env);
    throw new FerryError('request', `cannot read the config file: ${(error as Error).message}`, { file });
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (error) {
    throw new FerryError('request', `the config file is not valid JSON: ${(error as Error).message}`, { file });
  }
  return parseConfig(raw, file, env);
}

/** Validates an already-parsed config object; `file` is only used in messages. */
export function parseConfig(raw: unknown, file: string, env: Env = process.env): FerryConfig {
  const root = expectObject(raw, file, '', 'the config file must hold a JSON object');
  for (const key of Object.keys(root)) {
    if (key !== 'targets') fail(file, key, `unknown key "${key}"; valid keys: targets`);
  }
  const rawTargets = root.targets === undefined ? {} : expectObject(root.targets, file, 'targets', '"targets" must be an object of named targets');
  const targets: Record<string, TargetConfig> = {};
  for (const [name, value] of Object.entries(rawTargets)) {
    targets[name] = parseTarget(name, value, file, env);
  }
  targets.local ??= parseTarget('local', { type: 'local' }, file, env);
  return { targets };
}

function parseTarget(name: string, value: unknown, file: string, env: Env): TargetConfig {
  const field = `targets.${name}`;
  const raw = expectObject(value, file, field, `target "${name}" must be an object`);
  if (typeof raw.type !== 'string' || !TARGET_TYPES.includes(raw.type)) {
    fail(file, `${field}.type`, `target "${name}": unknown type ${JSON.stringify(raw.type)}; valid types: ${TARGET_TYPES.join(', ')}`);
  }
  if (raw.type === 'slurm') return parseSlurmTarget(name, raw, file);
  if (raw.type === 'kubernetes') return parseKubernetesTarget(name, raw, file, env);
  rejectUnknownKeys(raw, LOCAL_KEYS, name, field, file);
  const python = raw.python ?? (env.FERRY_PYTHON || 'python3');
  if (typeof python !== 'string' || python === '') {
    fail(file, `${field}.python`, `target "${name}": "python" must be a non-empty string (a command or a path)`);
  }
  const maxParallel = raw.maxParallel ?? Math.max(1, availableParallelism());
  if (typeof maxParallel !== 'number' || !Number.isInteger(maxParallel) || maxParallel < 1) {
    fail(file, `${field}.maxParallel`, `target "${name}": "maxParallel" must be a whole number ≥ 1, not ${JSON.stringify(maxParallel)}`);
  }
  return { type: 'local', python, maxParallel };
}

function parseSlurmTarget(name: string, raw: RawObject, file: string): SlurmTargetConfig {
  const field = `targets.${name}`;
  rejectUnknownKeys(raw, SLURM_KEYS, name, field, file);
  const text = (key: string, what: string): string | undefined => {
    const value = raw[key];
    if (value === undefined) return undefined;
    if (typeof value !== 'string' || value.trim() === '' || /[\0\n\r]/.test(value)) {
      fail(file, `${field}.${key}`, `target "${name}": "${key}" must be ${what} on one line`);
    }
    return value;
  };
  // Ferry on the login node itself never connects anywhere: no host needed there.
  const host = text('host', 'a host name or an ssh_config alias') ?? (raw.local === true ? 'localhost' : undefined);
  if (host === undefined) fail(file, `${field}.host`, `target "${name}" (type slurm) needs "host": an ssh_config alias or a host name (or "local": true on a login node)`);
  const port = raw.port;
  if (port !== undefined && (typeof port !== 'number' || !Number.isInteger(port) || port < 1 || port > 65535)) {
    fail(file, `${field}.port`, `target "${name}": "port" must be a TCP port number, not ${JSON.stringify(port)}`);
  }
  const workdir = text('workdir', 'a directory on the cluster (absolute, or under ~/)') ?? '~/ferry';
  if (/^~[^/]/.test(workdir)) {
    fail(file, `${field}.workdir`, `target "${name}": "workdir" must be absolute or start with "~/" (another user's ~name is not supported)`);
  }
  if (raw.local !== undefined && typeof raw.local !== 'boolean') {
    fail(file, `${field}.local`, `target "${name}": "local" must be true (Ferry runs on the login node) or false`);
  }
  const optional = (key: string, what: string) => {
    const value = text(key, what);
    return value === undefined ? {} : { [key]: value };
  };
  return {
    type: 'slurm',
    host,
    ...optional('user', 'a user name'),
    ...(port !== undefined && { port: port as number }),
    ...optional('identityFile', 'a private key file'),
    ...optional('sshConfigFile', 'an ssh_config file'),
    ...optional('knownHostsFile', 'a known_hosts file'),
    ...optional('proxyJump', 'jump hosts as ssh -J takes them'),
    workdir,
    ...optional('partition', 'a partition name'),
    ...optional('account', 'an account name'),
    ...optional('qos', 'a QOS name'),
    python: text('python', 'a command or a path') ?? 'python3',
    setup: stringList(raw.setup, file, `${field}.setup`, `target "${name}": "setup" must be a list of shell lines (strings)`),
    ...(raw.container !== undefined && { container: parseContainer(name, raw.container, file, `${field}.container`) }),
    local: raw.local === true,
  };
}

function parseContainer(name: string, value: unknown, file: string, field: string): SlurmContainerConfig {
  const raw = expectObject(value, file, field, `target "${name}": "container" must be an object like {"image": "/path/image.sif"}`);
  for (const key of Object.keys(raw)) {
    if (!(CONTAINER_KEYS as readonly string[]).includes(key)) {
      fail(file, `${field}.${key}`, `target "${name}": unknown container key "${key}"; valid keys: ${CONTAINER_KEYS.join(', ')}`);
    }
  }
  if (typeof raw.image !== 'string' || raw.image.trim() === '') {
    fail(file, `${field}.image`, `target "${name}": "container.image" must name an image (a .sif path or a docker:// URI)`);
  }
  const runtime = raw.runtime ?? 'apptainer';
  if (runtime !== 'apptainer' && runtime !== 'singularity') {
    fail(file, `${field}.runtime`, `target "${name}": "container.runtime" must be "apptainer" or "singularity", not ${JSON.stringify(runtime)}`);
  }
  const bind = stringList(raw.bind, file, `${field}.bind`, `target "${name}": "container.bind" must be a list of bind specs (strings)`);
  return { image: raw.image, runtime, bind };
}
