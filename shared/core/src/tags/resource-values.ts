/**
 * Resource quantities as users write them in tags, in the Slurm and
 * Kubernetes notations they already know. Each parser returns undefined for
 * text it does not accept, and the caller reports the tag.
 */

const MIB_PER_UNIT: Record<string, number> = { k: 1 / 1024, m: 1, g: 1024, t: 1024 * 1024 };

/**
 * `512M`, `4Gi`, `2GB`, `1.5G` → MiB, rounded up. Units are binary whatever
 * the spelling (Slurm's convention: `--mem=2G` is 2048 MiB). A unit is
 * required: a bare number means MB to Slurm but bytes to Kubernetes.
 */
export function parseMemoryMiB(text: string): number | undefined {
  const match = /^(\d+(?:\.\d+)?)([KMGT])(i?)(B?)$/i.exec(text);
  if (!match) return undefined;
  const mib = Math.ceil(Number(match[1]) * MIB_PER_UNIT[match[2]!.toLowerCase()]!);
  return mib > 0 ? mib : undefined;
}

/**
 * Wall time in minutes, rounded up:
 * - `90m`, `2h`, `1h30m`, `45s`, `2d`, `1d12h` (units in decreasing order);
 * - Slurm's `MM`, `MM:SS`, `HH:MM:SS`, `D-HH`, `D-HH:MM`, `D-HH:MM:SS`.
 */
export function parseTimeMinutes(text: string): number | undefined {
  const seconds = unitDurationSeconds(text) ?? slurmDurationSeconds(text);
  if (seconds === undefined || seconds <= 0) return undefined;
  return Math.ceil(seconds / 60);
}

function unitDurationSeconds(text: string): number | undefined {
  const match = /^(?:(\d+)d)?(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s)?$/.exec(text);
  if (!match || text === '') return undefined;
  const [, d = '0', h = '0', m = '0', s = '0'] = match;
  return ((Number(d) * 24 + Number(h)) * 60 + Number(m)) * 60 + Number(s);
}

function slurmDurationSeconds(text: string): number | undefined {
  const match = /^(?:(\d+)-)?(\d+)(?::(\d+))?(?::(\d+))?$/.exec(text);
  if (!match) return undefined;
  const [, days, a, b, c] = match;
  const n = (value: string | undefined) => Number(value ?? '0');
  if (days !== undefined) {
    // D-HH, D-HH:MM, D-HH:MM:SS
    return ((n(days) * 24 + n(a)) * 60 + n(b)) * 60 + n(c);
  }
  if (c !== undefined) return (n(a) * 60 + n(b)) * 60 + n(c); // HH:MM:SS
  if (b !== undefined) return n(a) * 60 + n(b); // MM:SS
  return n(a) * 60; // MM
}

/** A whole number ≥ 0 (GPUs). */
export function parseWholeNumber(text: string): number | undefined {
  if (!/^\d+$/.test(text)) return undefined;
  const value = Number(text);
  return Number.isSafeInteger(value) ? value : undefined;
}

/** A positive number of CPUs: `4`, `0.5`; with `allowMilli`, Kubernetes' `500m` too. */
export function parseCpus(text: string, allowMilli = false): number | undefined {
  const milli = allowMilli ? /^(\d+)m$/.exec(text) : null;
  const value = milli ? Number(milli[1]) / 1000 : /^\d+(?:\.\d+)?$/.test(text) ? Number(text) : NaN;
  return value > 0 && Number.isFinite(value) ? value : undefined;
}
