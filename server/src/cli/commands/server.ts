import { FerryError } from '@ferry/core';
import { ferryPaths, readDiscovery } from '@ferry/core/node';
import { UsageError, ensureNoExtra, parse } from '../args.js';
import { connect } from '../../launch.js';
import { printJson } from '../output.js';

const USAGE = 'ferry server start|stop|status [--json]';
const STOP_TIMEOUT_MS = 10_000;

/** Manage the per-user server by hand; the other commands start it themselves. */
export async function serverCommand(argv: string[]): Promise<number> {
  const { values, positionals } = parse(argv, { json: { type: 'boolean' } }, USAGE);
  ensureNoExtra(positionals, 1, USAGE);
  const paths = ferryPaths();
  switch (positionals[0] ?? 'status') {
    case 'start': {
      const health = await (await connect({ paths })).health();
      report(values.json, { running: true, pid: health.pid, version: health.version });
      return 0;
    }
    case 'status': {
      const discovery = readDiscovery(paths.discoveryFile);
      const health = discovery && (await connect({ paths, start: false }).then((c) => c.health(), () => undefined));
      // Never print the token: the discovery file is the one place it lives.
      report(values.json, health ? { running: true, url: discovery.url, pid: health.pid, version: health.version } : { running: false });
      return health ? 0 : 1;
    }
    case 'stop': {
      const discovery = readDiscovery(paths.discoveryFile);
      if (!discovery || !alive(discovery.pid)) {
        report(values.json, { running: false });
        return 0;
      }
      process.kill(discovery.pid, 'SIGTERM');
      const deadline = Date.now() + STOP_TIMEOUT_MS;
      while (alive(discovery.pid)) {
        if (Date.now() > deadline) throw new FerryError('target', `the server (pid ${discovery.pid}) did not stop`);
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      report(values.json, { running: false, stopped: discovery.pid });
      return 0;
    }
    default:
      throw new UsageError(`unknown server action '${positionals[0]}'\nusage: ${USAGE}`);
  }
}

function report(json: boolean | undefined, state: Record<string, unknown>): void {
  if (json) printJson(state);
  else if (state.running) process.stdout.write(`ferry server ${state.version} running, pid ${state.pid}${state.url ? `, ${state.url}` : ''}\n`);
  else process.stdout.write(state.stopped ? `ferry server (pid ${state.stopped}) stopped\n` : 'no ferry server running\n');
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}
