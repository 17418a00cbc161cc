/**
 * Where Ferry keeps its files on this machine. Two places on purpose: a small
 * "home" a user edits and other programs discover (config.json, server.json),
 * and a data directory that may grow large (the run store and run files).
 */
import { mkdirSync } from 'node:fs';
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';

export interface FerryPaths {
  /** `$FERRY_HOME`, else `~/.ferry`. */
  home: string;
  /** `<home>/config.json`: targets and their settings, shared by every client. */
  configFile: string;
  /** `<home>/server.json`: port and token of the running server (mode 0600). */
  discoveryFile: string;
  /** `$FERRY_DATA_DIR`, else `$FERRY_HOME/data`, else `$XDG_DATA_HOME/ferry`, else `~/.local/share/ferry`. */
  dataDir: string;
  /** `<dataDir>/ferry.db`: the run store. */
  dbFile: string;
  /** `<dataDir>/runs`: one directory per run on the local target. */
  runsDir: string;
}

type Env = Record<string, string | undefined>;

/** Resolves Ferry's paths and creates the directories (mode 0700: runs hold user data and tokens). */
export function ferryPaths(env: Env = process.env): FerryPaths {
  const home = resolve(nonEmpty(env.FERRY_HOME) ?? join(homeDir(env), '.ferry'));
  const dataDir = resolve(
    nonEmpty(env.FERRY_DATA_DIR) ??
      (nonEmpty(env.FERRY_HOME) ? join(home, 'data') : undefined) ??
      join(nonEmpty(env.XDG_DATA_HOME) ?? join(homeDir(env), '.local', 'share'), 'ferry'),
  );
  const runsDir = join(dataDir, 'runs');
  for (const dir of [home, dataDir, runsDir]) mkdirSync(dir, { recursive: true, mode: 0o700 });
  return {
    home,
    configFile: join(home, 'config.json'),
    discoveryFile: join(home, 'server.json'),
    dataDir,
    dbFile: join(dataDir, 'ferry.db'),
    runsDir,
  };
}

function homeDir(env: Env): string {
  // Honour $HOME from the given env so tests and sandboxes can relocate it.
  return nonEmpty(env.HOME) ?? homedir();
}

function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value === '' ? undefined : value;
}
