/**
 * Local process facts: is a step process still alive (and still ours), and
 * stopping a whole process group. Linux answers from /proc, which also tells
 * zombies and reused pids apart; elsewhere `kill(pid, 0)` is the best we have.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';

interface ProcStat {
  /** R, S, D, Z (zombie), X (dead), ... */
  state: string;
  processGroup: number;
}

/**
 * Whether `pid` runs and its command line contains every string in
 * `expectedArgs`: a pid the kernel reused for another program counts as gone.
 */
export function isProcessAlive(pid: number, expectedArgs: readonly string[] = []): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    // ESRCH: gone. EPERM: the pid exists but belongs to another user, so it is not our step.
    return false;
  }
  const stat = readProcStat(pid);
  if (stat === undefined) return true; // no /proc: trust kill(0)
  if (stat === null || isDead(stat)) return false;
  const args = readCmdline(pid);
  return args === undefined || expectedArgs.every((arg) => args.includes(arg));
}

/**
 * SIGTERM to the process group `pgid` (a detached step and everything it
 * started), then SIGKILL after `graceMs` if any member is still alive.
 * Resolves once the group is gone, or shortly after SIGKILL at the latest.
 */
export async function terminateProcessGroup(pgid: number, graceMs: number): Promise<void> {
  if (!groupIsAlive(pgid)) return; // nothing left, and the id may since belong to someone else
  signalGroup(pgid, 'SIGTERM');
  if (await waitUntilGone(pgid, graceMs)) return;
  signalGroup(pgid, 'SIGKILL');
  await waitUntilGone(pgid, 2_000);
}

function signalGroup(pgid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pgid, signal);
  } catch {
    // ESRCH: the group ended meanwhile.
  }
}

async function waitUntilGone(pgid: number, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (!groupIsAlive(pgid)) return true;
    if (Date.now() >= deadline) return false;
    await sleep(50);
  }
}

/**
 * Whether any live member of the group remains. A group id cannot be reused
 * while it has members, so signalling a group seen alive here is safe.
 * Zombies do not count: an orphan nobody reaps is already dead.
 */
export function groupIsAlive(pgid: number): boolean {
  try {
    process.kill(-pgid, 0);
  } catch {
    return false;
  }
  let pids: string[];
  try {
    pids = readdirSync('/proc').filter((entry) => /^\d+$/.test(entry));
  } catch {
    return true; // no /proc: trust kill(0)
  }
  return pids.some((pid) => {
    const stat = readProcStat(Number(pid));
    return !!stat && stat.processGroup === pgid && !isDead(stat);
  });
}

function isDead(stat: ProcStat): boolean {
  return stat.state === 'Z' || stat.state === 'X';
}

/** undefined: no /proc on this system; null: no such process. */
function readProcStat(pid: number): ProcStat | null | undefined {
  let text: string;
  try {
    text = readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'ENOENT' && procMounted() ? null : undefined;
  }
  // "pid (comm) state ppid pgrp ...": comm may hold spaces and parentheses, so cut at the last ')'.
  const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');
  return { state: fields[0] ?? '', processGroup: Number(fields[2]) };
}

function readCmdline(pid: number): string[] | undefined {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');
  } catch {
    return undefined;
  }
}

let procMountedCache: boolean | undefined;
function procMounted(): boolean {
  procMountedCache ??= (() => {
    try {
      readFileSync('/proc/self/stat');
      return true;
    } catch {
      return false;
    }
  })();
  return procMountedCache;
}
