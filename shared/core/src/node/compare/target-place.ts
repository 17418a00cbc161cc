/** Where in a cluster a target sends its work, as the compare view's `place` column shows it. */
import type { TargetConfig } from '../config.js';

/** "partition gpu" for Slurm, "namespace ml-team" for Kubernetes; undefined locally, or for Slurm's default partition. */
export function targetPlace(config: TargetConfig | undefined): string | undefined {
  switch (config?.type) {
    case 'slurm':
      return config.partition !== undefined ? `partition ${config.partition}` : undefined;
    case 'kubernetes':
      return `namespace ${config.namespace}`;
    default:
      return undefined;
  }
}
