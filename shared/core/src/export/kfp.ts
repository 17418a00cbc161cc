/**
 * A Kubeflow Pipelines v2 pipeline: the PipelineSpec IR that `kfp.compiler`
 * writes (schemaVersion 2.1.0), and the Kubernetes PlatformSpec that
 * kfp-kubernetes adds beside it for the volume, pod metadata and time
 * limits. The pipeline's parameters are its inputs; only the stage task
 * takes them (it writes params.json). Every step is one component running
 * the Ferry step runtime. Caching is off: a step's output is files on the
 * volume, not something KFP could hand to a later run.
 */
import type { JsonValue, ParamType, PipelineSpec, StepSpec } from '../spec.js';
import { checkPodMetadata, containerResources, cpuQuantity, GPU_RESOURCE, kubernetesName, memoryQuantity, taskNames } from './kubernetes.js';
import { notebookFileName, parameterText, resolveExportOptions, runDirectory, STAGE_TASK, stagedFiles, stepCommand, type ExportOptions, type ResolvedExportOptions } from './layout.js';
import { STAGE_PROGRAM, stageArgs } from './stage.js';

type Json = { [key: string]: JsonValue };

export interface KfpPipeline {
  pipelineSpec: Json;
  platformSpec: Json;
}

/** The run's id as KFP fills it in: unique per run, the same when a run is retried. */
const RUN_ID = '{{$.pipeline_job_uuid}}';

/** A parameter of type None (its default is None) travels as text: `None`, JSON, or a string. */
const PARAMETER_TYPES: Record<ParamType, string> = {
  int: 'NUMBER_INTEGER',
  float: 'NUMBER_DOUBLE',
  str: 'STRING',
  bool: 'BOOLEAN',
  list: 'LIST',
  dict: 'STRUCT',
  None: 'STRING',
};

export function kfpPipeline(spec: PipelineSpec, exportOptions: ExportOptions): KfpPipeline {
  const options = resolveExportOptions(exportOptions);
  spec.steps.forEach(checkPodMetadata);
  const names = taskNames(spec.steps, [STAGE_TASK]);
  const runDir = runDirectory(options, RUN_ID);
  const tasks = [STAGE_TASK, ...spec.steps.map((step) => names.get(step.name)!)];

  const components: Json = {};
  const executors: Json = {};
  const platformExecutors: Json = {};
  for (const task of tasks) {
    components[`comp-${task}`] = { executorLabel: `exec-${task}` };
    platformExecutors[`exec-${task}`] = { pvcMount: [volumeMount(options)] };
  }
  if (spec.parameters.length) {
    components[`comp-${STAGE_TASK}`] = {
      executorLabel: `exec-${STAGE_TASK}`,
      inputDefinitions: { parameters: Object.fromEntries(spec.parameters.map((p) => [p.name, { parameterType: PARAMETER_TYPES[p.type] }])) },
    };
  }
  const stageParameters = spec.parameters.map((p) => ({ name: p.name, type: p.type, value: `{{$.inputs.parameters['${p.name}']}}` }));
  executors[`exec-${STAGE_TASK}`] = {
    container: { image: options.image, command: ['python3', '-c', STAGE_PROGRAM], args: stageArgs(runDir, stagedFiles(spec, options), stageParameters) },
  };
  for (const step of spec.steps) {
    const task = names.get(step.name)!;
    executors[`exec-${task}`] = { container: stepContainer(step, options, runDir) };
    Object.assign(platformExecutors[`exec-${task}`] as Json, podSettings(step));
  }

  const dagTasks: Json = {
    [STAGE_TASK]: {
      cachingOptions: { enableCache: false },
      componentRef: { name: `comp-${STAGE_TASK}` },
      ...(spec.parameters.length > 0 && {
        inputs: { parameters: Object.fromEntries(spec.parameters.map((p) => [p.name, { componentInputParameter: p.name }])) },
      }),
      taskInfo: { name: STAGE_TASK },
    },
  };
  for (const step of spec.steps) {
    const task = names.get(step.name)!;
    dagTasks[task] = {
      cachingOptions: { enableCache: false },
      componentRef: { name: `comp-${task}` },
      // Steps without upstream steps wait for the stage task; the others wait for theirs, which waited for it.
      dependentTasks: step.dependsOn.length ? step.dependsOn.map((upstream) => names.get(upstream)!) : [STAGE_TASK],
      taskInfo: { name: step.name },
    };
  }

  const pipelineSpec: Json = {
    components,
    deploymentSpec: { executors },
    pipelineInfo: { name: kubernetesName(spec.name, 'ferry-pipeline'), displayName: spec.name, description: `Ferry pipeline from ${notebookFileName(spec)}` },
    root: {
      dag: { tasks: dagTasks },
      ...(spec.parameters.length > 0 && {
        inputDefinitions: {
          parameters: Object.fromEntries(
            spec.parameters.map((p) => [
              p.name,
              {
                parameterType: PARAMETER_TYPES[p.type],
                defaultValue: p.type === 'None' ? parameterText(p.default) : p.default,
                isOptional: true,
                ...(p.help ? { description: p.help } : {}),
              },
            ]),
          ),
        },
      }),
    },
    schemaVersion: '2.1.0',
  };
  const platformSpec: Json = { platforms: { kubernetes: { deploymentSpec: { executors: platformExecutors } } } };
  return { pipelineSpec, platformSpec };
}

function stepContainer(step: StepSpec, options: ResolvedExportOptions, runDir: string): Json {
  const { command, args } = stepCommand(options, runDir, step.name);
  const container: Json = { image: options.image, command, args, env: [{ name: 'PYTHONUNBUFFERED', value: '1' }] };
  if (containerResources(step.resources)) container['resources'] = kfpResources(step);
  return container;
}

/**
 * Both spellings KFP reads, as kfp.compiler writes them: the quantities
 * (`resourceCpuLimit: '1500m'`) and, for older backends, numbers (CPUs, and
 * memory in GB).
 */
function kfpResources(step: StepSpec): Json {
  const { cpus, memoryMiB, gpus } = step.resources;
  const resources: Json = {};
  if (cpus) {
    Object.assign(resources, { cpuLimit: cpus, cpuRequest: cpus, resourceCpuLimit: cpuQuantity(cpus), resourceCpuRequest: cpuQuantity(cpus) });
  }
  if (memoryMiB) {
    const gigabytes = (memoryMiB * 1024 * 1024) / 1e9;
    Object.assign(resources, {
      memoryLimit: gigabytes,
      memoryRequest: gigabytes,
      resourceMemoryLimit: memoryQuantity(memoryMiB),
      resourceMemoryRequest: memoryQuantity(memoryMiB),
    });
  }
  if (gpus) resources['accelerator'] = { type: GPU_RESOURCE, count: String(gpus), resourceType: GPU_RESOURCE, resourceCount: String(gpus) };
  return resources;
}

/** The claim, named both ways kfp-kubernetes writes it (older backends read `constant`). */
function volumeMount(options: ResolvedExportOptions): Json {
  return { constant: options.claimName, mountPath: options.mountPath, pvcNameParameter: { runtimeValue: { constant: options.claimName } } };
}

function podSettings(step: StepSpec): Json {
  const settings: Json = {};
  const labels = step.labels ?? {};
  const annotations = step.annotations ?? {};
  if (Object.keys(labels).length || Object.keys(annotations).length) {
    settings['podMetadata'] = { ...(Object.keys(labels).length > 0 && { labels }), ...(Object.keys(annotations).length > 0 && { annotations }) };
  }
  if (step.resources.timeMinutes) settings['activeDeadlineSeconds'] = step.resources.timeMinutes * 60;
  return settings;
}
