/**
 * Everything the Kubernetes target creates, as plain objects ready for the
 * API (pure functions, no cluster access): per run a ConfigMap with the
 * files its pods stage and one suspended Job per step; per sweep one
 * ConfigMap and one Indexed Job per step; per target the artifacts claim.
 * Every value from the user goes into a field of its own, never into a
 * shell command or Python source.
 */
export { artifactsClaim } from './artifacts-claim.js';
export { CONFIG_MAP_LIMIT, FILES_LIST_KEY, POINTS_LIST_KEY, runConfigMap, sweepConfigMap, type StagedRun, type SweepPointFiles } from './code-config-map.js';
export { ANNOTATION, LABEL } from './labels.js';
export { codeConfigMapName, stepJobName, stepLabelValue } from './object-names.js';
export { CODE_DIR, STEP_CONTAINER } from './pod-template.js';
export { readRuntimeFiles, type RuntimeFiles } from './runtime-files.js';
export { RUN_DIR, RUNS_DIR, stepJob, sweepJob, type JobRun, type JobSweep } from './step-job.js';
