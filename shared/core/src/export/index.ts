/**
 * `ferry export`: a compiled pipeline as a Kubeflow Pipelines v2 pipeline
 * or an Argo Workflow, for clusters that already run one of them
 * (docs/export.md). Pure: the caller reads the runtime files and writes
 * the text.
 */
import { FerryError } from '../errors.js';
import type { JsonValue, PipelineSpec } from '../spec.js';
import { argoWorkflow } from './argo.js';
import { kfpPipeline } from './kfp.js';
import { EXPORT_FORMATS, notebookFileName, type ExportFormat, type ExportOptions } from './layout.js';
import { toYaml } from './yaml.js';

export { argoWorkflow } from './argo.js';
export { kfpPipeline, type KfpPipeline } from './kfp.js';
export {
  DEFAULT_CLAIM_NAME,
  DEFAULT_MOUNT_PATH,
  EXPORT_FORMATS,
  RUNTIME_FILE,
  STAGE_TASK,
  type ExportFormat,
  type ExportOptions,
} from './layout.js';
export { STAGE_PROGRAM, type ExportedFile } from './stage.js';
export { toYaml } from './yaml.js';

export type ExportSyntax = 'yaml' | 'json';

export interface ExportRequest extends ExportOptions {
  format: ExportFormat;
  /** Default yaml. */
  syntax?: ExportSyntax;
}

/**
 * The text of the exported pipeline. KFP in YAML is what kfp.compiler
 * writes: the PipelineSpec, then `---` and the PlatformSpec; in JSON it is
 * the one object the KFP API takes, `{pipeline_spec, platform_spec}`.
 */
export function exportPipeline(spec: PipelineSpec, request: ExportRequest): string {
  const json = request.syntax === 'json';
  const from = `from ${notebookFileName(spec)}`;
  switch (request.format) {
    case 'kfp': {
      const { pipelineSpec, platformSpec } = kfpPipeline(spec, request);
      if (json) return render({ pipeline_spec: pipelineSpec, platform_spec: platformSpec });
      const header = [`Kubeflow Pipelines pipeline ${spec.name}, exported by Ferry ${from}.`, 'Upload it as it is; run directories go to a volume claim (docs/export.md).'];
      return toYaml(pipelineSpec, header) + '---\n' + toYaml(platformSpec);
    }
    case 'argo': {
      const workflow = argoWorkflow(spec, request);
      if (json) return render(workflow);
      const header = [`Argo Workflow for the pipeline ${spec.name}, exported by Ferry ${from}.`, 'Submit it as it is (argo submit); run directories go to a volume claim (docs/export.md).'];
      return toYaml(workflow, header);
    }
    default:
      throw new FerryError('request', `unknown export format "${String(request.format)}"; formats: ${EXPORT_FORMATS.join(', ')}`, { field: 'format' });
  }
}

function render(value: JsonValue): string {
  return JSON.stringify(value, null, 2) + '\n';
}
