/**
 * Step names end up in file paths, Slurm job names and Kubernetes object
 * names, so they are restricted to characters that are safe in all of them.
 */

export const STEP_NAME_PATTERN = /^[A-Za-z_][A-Za-z0-9_-]{0,62}$/;

export function isValidStepName(name: string): boolean {
  return STEP_NAME_PATTERN.test(name);
}

/**
 * Names that targets may fold together (Kubernetes lowercases, some tools
 * treat `-` and `_` alike) must not name two different steps.
 */
export function stepNameKey(name: string): string {
  return name.toLowerCase().replaceAll('-', '_');
}
