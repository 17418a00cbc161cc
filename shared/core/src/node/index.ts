/** @ferry/core/node: the parts that need Node (files, processes, SQLite). */
export * from './discovery.js';
export { ferryPaths, type FerryPaths } from './paths.js';
export { loadConfig, parseConfig, type FerryConfig, type LocalTargetConfig, type TargetConfig } from './config.js';
export { RunEngine, MAX_LOG_READ, type RunEngineOptions, type SubmitInput } from './engine.js';
export type { LogEvent, MetricsEvent, RunChangeEvent, RunEngineEvents, WarningEvent } from './events.js';
export { RunStore, type ListRunsOptions, type NewMetricPoint, type NewRun, type RunPatch, type StepPatch } from './store/run-store.js';
export { migrations, type Migration } from './store/migrations.js';
export { newRunId, RUN_ID_PATTERN } from './store/run-id.js';
export type { ActiveStep, LogRange, StartOutcome, StepObservation, Target, TargetType } from './targets/target.js';
export { LocalTarget, BUNDLED_RUNTIME, type LocalTargetOptions } from './targets/local.js';
export { compileNotebookFile } from './compile-file.js';
