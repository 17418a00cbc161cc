/**
 * How long to wait before the next connection attempt after `failures`
 * failed ones in a row: doubling from `initialMs` up to `maxMs`, with "equal
 * jitter" (half fixed, half random) so that many clients of one cluster do
 * not all come back at the same moment.
 */
export interface BackoffPolicy {
  initialMs: number;
  maxMs: number;
}

export const DEFAULT_RECONNECT_BACKOFF: BackoffPolicy = { initialMs: 1_000, maxMs: 30_000 };

export function reconnectDelayMs(failures: number, policy: BackoffPolicy = DEFAULT_RECONNECT_BACKOFF, random: () => number = Math.random): number {
  if (failures <= 0) return 0;
  const ceiling = Math.min(policy.maxMs, policy.initialMs * 2 ** (failures - 1));
  return Math.round(ceiling / 2 + random() * (ceiling / 2));
}
