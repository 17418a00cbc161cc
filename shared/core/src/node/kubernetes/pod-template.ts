/**
 * The pod of one step: the step runtime in the target's image, meeting the
 * Pod Security "restricted" profile (non-root, no privilege escalation, no
 * capabilities, read-only root file system, RuntimeDefault seccomp), with
 *   /ferry/code   the run's ConfigMap (read-only),
 *   /ferry/run    the run directory on the artifacts claim (or /ferry/runs,
 *                 every run directory, for a sweep's point to find its own),
 *   /tmp, $HOME   emptyDirs, the only other places a step can write.
 */
import type { V1Container, V1PodSpec, V1PodTemplateSpec, V1ResourceRequirements, V1SecurityContext } from '@kubernetes/client-node';
import { FerryError } from '../../errors.js';
import type { Resources, StepSpec } from '../../spec.js';
import type { KubernetesTargetConfig } from '../config.js';
import { isFerryKey } from './labels.js';
import { isLabelValue, isQualifiedName, LABEL_VALUE_RULE, QUALIFIED_NAME_RULE } from './object-names.js';
import { HOME_DIR, stepEnv, type PodOwner } from './pod-env.js';
import { RUNTIME_FILE_NAME } from './runtime-files.js';

export const CODE_DIR = '/ferry/code';
/** Where the init container sees the whole artifacts volume. */
const VOLUME_DIR = '/ferry/volume';
export const STEP_CONTAINER = 'step';

/** Where a step container has the artifacts claim, and the directory of it that must exist first. */
export interface RunMount {
  mountPath: string;
  /** The claim's directory mounted there, e.g. `runs/<runId>`. */
  subPath: string;
}

export interface PodPlan {
  owner: PodOwner;
  step: StepSpec;
  configMap: string;
  /** The runtime's arguments after `<python> /ferry/code/ferry_runtime.py`. */
  runtimeArgs: string[];
  run: RunMount;
  /** The working directory: the run directory where the pod knows it. */
  workingDir?: string;
  /** Ferry's own labels of the pod. */
  labels: Record<string, string>;
}

export function podTemplate(plan: PodPlan, config: KubernetesTargetConfig): V1PodTemplateSpec {
  const { step } = plan;
  const resources = containerResources(step.resources);
  const container: V1Container = {
    name: STEP_CONTAINER,
    image: config.image,
    command: [config.python, `${CODE_DIR}/${RUNTIME_FILE_NAME}`, ...plan.runtimeArgs],
    ...(plan.workingDir !== undefined && { workingDir: plan.workingDir }),
    env: stepEnv(plan.owner, step.name, config.env),
    ...(resources && { resources }),
    securityContext: CONTAINER_SECURITY,
    // A step killed before it printed its status line still says why, in the pod's status.
    terminationMessagePolicy: 'FallbackToLogsOnError',
    volumeMounts: [
      { name: 'code', mountPath: CODE_DIR, readOnly: true },
      { name: 'run', mountPath: plan.run.mountPath, subPath: plan.run.subPath },
      { name: 'tmp', mountPath: '/tmp' },
      { name: 'home', mountPath: HOME_DIR },
    ],
  };
  const spec: V1PodSpec = {
    restartPolicy: 'Never',
    // The step's time limit counts from the pod's start, so time spent waiting for a node does not count (like Slurm's --time).
    ...(step.resources.timeMinutes !== undefined && { activeDeadlineSeconds: Math.max(1, Math.ceil(step.resources.timeMinutes * 60)) }),
    automountServiceAccountToken: false,
    ...(config.serviceAccount !== undefined && { serviceAccountName: config.serviceAccount }),
    ...(config.imagePullSecrets.length > 0 && { imagePullSecrets: config.imagePullSecrets.map((name) => ({ name })) }),
    ...(Object.keys(config.nodeSelector).length > 0 && { nodeSelector: { ...config.nodeSelector } }),
    ...(config.tolerations.length > 0 && { tolerations: config.tolerations.map((toleration) => ({ ...toleration })) }),
    securityContext: {
      runAsNonRoot: true,
      runAsUser: config.runAsUser,
      runAsGroup: config.runAsUser,
      fsGroup: config.runAsUser,
      seccompProfile: { type: 'RuntimeDefault' },
    },
    initContainers: [prepareRunContainer(plan.run, config, resources)],
    containers: [container],
    volumes: [
      { name: 'code', configMap: { name: plan.configMap, defaultMode: 0o444 } },
      { name: 'run', persistentVolumeClaim: { claimName: config.storage.claim } },
      { name: 'tmp', emptyDir: {} },
      { name: 'home', emptyDir: {} },
    ],
  };
  const annotations = { ...config.podAnnotations, ...checkedTags(step, 'annotation', step.annotations) };
  return {
    metadata: {
      // The step's own labels win over the target's; Ferry's may not be replaced by either.
      labels: { ...config.podLabels, ...checkedTags(step, 'label', step.labels), ...plan.labels },
      ...(Object.keys(annotations).length > 0 && { annotations }),
    },
    spec,
  };
}

/**
 * Creates the run directory on the claim as the step's user before the step
 * container mounts it: a directory kubelet creates for a subPath belongs to
 * root (mode 0755), where a non-root step could not write. The path goes
 * in as an argument, never into the Python source.
 */
function prepareRunContainer(run: RunMount, config: KubernetesTargetConfig, resources: V1ResourceRequirements | undefined): V1Container {
  return {
    name: 'prepare-run',
    image: config.image,
    command: [config.python, '-c', 'import os, sys; os.makedirs(sys.argv[1], exist_ok=True)', `${VOLUME_DIR}/${run.subPath}`],
    // The same as the step's, so the pod asks for no more than the step does, and a namespace's LimitRange sees the same.
    ...(resources && { resources }),
    securityContext: CONTAINER_SECURITY,
    volumeMounts: [{ name: 'run', mountPath: VOLUME_DIR }],
  };
}

const CONTAINER_SECURITY: V1SecurityContext = {
  allowPrivilegeEscalation: false,
  capabilities: { drop: ['ALL'] },
  readOnlyRootFilesystem: true,
  runAsNonRoot: true,
};

/** The normalized resources in Kubernetes' terms: requests equal to limits (the step gets what it asked for, no more); absent ones left to the namespace. */
export function containerResources(resources: Resources): V1ResourceRequirements | undefined {
  const amounts: Record<string, string> = {};
  if (resources.cpus !== undefined) amounts.cpu = Number.isInteger(resources.cpus) ? String(resources.cpus) : `${Math.ceil(resources.cpus * 1000)}m`;
  if (resources.memoryMiB !== undefined) amounts.memory = `${Math.max(1, Math.ceil(resources.memoryMiB))}Mi`;
  // GPUs are extended resources: a limit alone, which Kubernetes also takes as the request.
  const gpus: Record<string, string> = resources.gpus ? { 'nvidia.com/gpu': String(Math.ceil(resources.gpus)) } : {};
  if (Object.keys(amounts).length === 0 && Object.keys(gpus).length === 0) return undefined;
  return {
    ...(Object.keys(amounts).length > 0 && { requests: { ...amounts } }),
    limits: { ...amounts, ...gpus },
  };
}

/** Kale `label:` / `annotation:` tags, checked as Kubernetes would, so the error names the step rather than coming from the API server. */
function checkedTags(step: StepSpec, kind: 'label' | 'annotation', tags: Record<string, string> | undefined): Record<string, string> {
  for (const [key, value] of Object.entries(tags ?? {})) {
    const refuse = (why: string) => {
      throw new FerryError('pipeline', `step "${step.name}": the ${kind} tag ${JSON.stringify(`${key}:${value}`)} ${why}`, { step: step.name });
    };
    if (!isQualifiedName(key)) refuse(`has a key Kubernetes refuses: it must be ${QUALIFIED_NAME_RULE}`);
    if (isFerryKey(key)) refuse(`sets ${key}, which Ferry sets itself`);
    if (kind === 'label' && !isLabelValue(value)) refuse(`has a value Kubernetes refuses: label values are ${LABEL_VALUE_RULE}`);
  }
  return { ...tags };
}
