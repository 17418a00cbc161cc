import type { FerryConfig, TargetConfig } from '../config.js';
import type { FerryPaths } from '../paths.js';
import { LocalTarget } from './local.js';
import type { Target } from './target.js';

export interface TargetOptions {
  /** Local target: time between SIGTERM and SIGKILL when cancelling. */
  cancelGraceMs?: number;
}

/** Builds the target a config entry describes; the one place that knows every target type. */
export function createTarget(name: string, config: TargetConfig, paths: FerryPaths, options: TargetOptions = {}): Target {
  switch (config.type) {
    case 'local':
      return new LocalTarget(name, config, { runsDir: paths.runsDir, ...options });
  }
}

export function createTargets(config: FerryConfig, paths: FerryPaths, options: TargetOptions = {}): Map<string, Target> {
  return new Map(Object.entries(config.targets).map(([name, target]) => [name, createTarget(name, target, paths, options)]));
}
