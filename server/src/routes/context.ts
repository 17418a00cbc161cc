/** What every route module gets: the engine and the server's identity. */
import type { RunEngine } from '@ferry/core/node';

export interface ServerContext {
  engine: RunEngine;
  version: string;
}
