/**
 * An Argo Workflow (argoproj.io/v1alpha1) with one DAG: the stage task,
 * then one container template per step running the Ferry step runtime.
 * The pipeline's parameters are the workflow's arguments, as text (Argo
 * parameters are strings; the stage task reads them back by type). The
 * volume is the claim every pod mounts.
 */
import { FerryError } from '../errors.js';
import type { JsonValue, PipelineSpec, StepSpec } from '../spec.js';
import { checkPodMetadata, containerResources, kubernetesName, taskNames } from './kubernetes.js';
import { notebookFileName, parameterText, resolveExportOptions, runDirectory, STAGE_TASK, stagedFiles, stepCommand, type ExportOptions, type ResolvedExportOptions } from './layout.js';
import { STAGE_PROGRAM, stageArgs } from './stage.js';

type Json = { [key: string]: JsonValue };

/** The entrypoint: the DAG template. */
const DAG_TEMPLATE = 'ferry-pipeline';
const VOLUME = 'ferry-runs';
/** Unique per workflow, and kept by `argo retry`, which then reuses the run directory. */
const RUN_ID = '{{workflow.uid}}';
/** Argo's rule for parameter names. */
const ARGO_PARAMETER_NAME = /^[-a-zA-Z0-9_]+$/;
/** A workflow's generated name adds 5 characters to the prefix; object names stay within 63. */
const MAX_NAME_PREFIX = 57;

export function argoWorkflow(spec: PipelineSpec, exportOptions: ExportOptions): Json {
  const options = resolveExportOptions(exportOptions);
  for (const step of spec.steps) {
    checkPodMetadata(step);
    checkArgoAnnotations(step);
  }
  for (const parameter of spec.parameters) {
    if (!ARGO_PARAMETER_NAME.test(parameter.name)) {
      throw new FerryError('parameter', `Argo parameter names are ASCII letters, digits, "_" and "-"; rename \`${parameter.name}\``, {
        parameter: parameter.name,
        cell: parameter.cell,
        line: parameter.line,
      });
    }
  }
  const names = taskNames(spec.steps, [STAGE_TASK, DAG_TEMPLATE]);
  const runDir = runDirectory(options, RUN_ID);
  const volumeMounts = [{ name: VOLUME, mountPath: options.mountPath }];

  const stageParameters = spec.parameters.map((p) => ({ name: p.name, type: p.type, value: `{{workflow.parameters.${p.name}}}` }));
  const templates: JsonValue[] = [
    {
      name: DAG_TEMPLATE,
      dag: {
        tasks: [
          { name: STAGE_TASK, template: STAGE_TASK },
          ...spec.steps.map((step) => ({
            name: names.get(step.name)!,
            template: names.get(step.name)!,
            dependencies: step.dependsOn.length ? step.dependsOn.map((upstream) => names.get(upstream)!) : [STAGE_TASK],
          })),
        ],
      },
    },
    {
      name: STAGE_TASK,
      container: {
        image: options.image,
        command: ['python3', '-c', STAGE_PROGRAM],
        args: stageArgs(runDir, stagedFiles(spec, options), stageParameters),
        volumeMounts,
      },
    },
    ...spec.steps.map((step) => stepTemplate(step, names.get(step.name)!, options, runDir, volumeMounts)),
  ];

  return {
    apiVersion: 'argoproj.io/v1alpha1',
    kind: 'Workflow',
    metadata: {
      generateName: `${kubernetesName(spec.name, 'ferry-pipeline').slice(0, MAX_NAME_PREFIX).replace(/-$/, '')}-`,
      annotations: { 'workflows.argoproj.io/description': `Ferry pipeline ${spec.name} from ${notebookFileName(spec)}` },
    },
    spec: {
      entrypoint: DAG_TEMPLATE,
      ...(spec.parameters.length > 0 && {
        arguments: {
          parameters: spec.parameters.map((p) => ({
            name: p.name,
            value: parameterText(p.default),
            ...(p.type === 'bool' && { enum: ['true', 'false'] }),
            ...(p.help ? { description: p.help } : {}),
          })),
        },
      }),
      volumes: [{ name: VOLUME, persistentVolumeClaim: { claimName: options.claimName } }],
      templates,
    },
  };
}

function stepTemplate(step: StepSpec, name: string, options: ResolvedExportOptions, runDir: string, volumeMounts: JsonValue): Json {
  const labels = step.labels ?? {};
  const annotations = step.annotations ?? {};
  const resources = containerResources(step.resources);
  const { command, args } = stepCommand(options, runDir, step.name);
  return {
    name,
    ...((Object.keys(labels).length > 0 || Object.keys(annotations).length > 0) && {
      metadata: { ...(Object.keys(labels).length > 0 && { labels }), ...(Object.keys(annotations).length > 0 && { annotations }) },
    }),
    // A string: Argo's field is an int-or-string, and its SDKs type it as a string.
    ...(step.resources.timeMinutes ? { activeDeadlineSeconds: String(step.resources.timeMinutes * 60) } : {}),
    container: {
      image: options.image,
      command,
      args,
      env: [{ name: 'PYTHONUNBUFFERED', value: '1' }],
      ...(resources && { resources }),
      volumeMounts,
    },
  };
}

/** Argo reads `{{...}}` anywhere in a template as an expression; an annotation is part of the step's template. */
function checkArgoAnnotations(step: StepSpec): void {
  for (const [key, value] of Object.entries(step.annotations ?? {})) {
    if (value.includes('{{')) {
      throw new FerryError('tag', `step ${step.name}: annotation \`${key}\` contains "{{", which Argo would read as a template expression`, { step: step.name });
    }
  }
}
