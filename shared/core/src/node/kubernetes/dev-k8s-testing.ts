/**
 * What the tests against the dev Kubernetes control plane
 * (scripts/dev-k8s.sh) share: its description (the file $FERRY_DEV_K8S
 * names), kubectl on it as a witness independent of Ferry's client, a
 * namespace of a test's own, pods whose logs kwok serves from a file the test
 * writes, and a TCP relay that breaks connections the way networks do
 * (silently, or by cutting them). Not part of the API.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { appendFileSync, chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, connect, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import { KubeConfig } from '@kubernetes/client-node';
import { kubeClientsFor, loadKubeClients, type KubeClients } from './kube-client.js';

/** cluster.json, as scripts/dev-k8s.sh writes it. */
export interface DevK8s {
  kubeconfig: string;
  namespace: string;
  kubectl: string;
  logs: string;
}

const CLUSTER_JSON = process.env.FERRY_DEV_K8S;
export const devK8s = CLUSTER_JSON && existsSync(CLUSTER_JSON) ? (JSON.parse(readFileSync(CLUSTER_JSON, 'utf8')) as DevK8s) : undefined;
/** For `describe(..., { skip })`: false, or why the tests cannot run here. */
export const skipWithoutDevK8s = devK8s
  ? false
  : CLUSTER_JSON
    ? `FERRY_DEV_K8S names ${CLUSTER_JSON}, which does not exist; start the dev cluster with: bash scripts/dev-k8s.sh up`
    : 'FERRY_DEV_K8S is not set; start the dev cluster with `bash scripts/dev-k8s.sh up` and set FERRY_DEV_K8S=/var/lib/ferry-dev-k8s/cluster.json';

/** kubectl on the dev cluster; its stdout. */
export function kubectl(args: string[], input?: string): string {
  return execFileSync(devK8s!.kubectl, ['--kubeconfig', devK8s!.kubeconfig, ...args], { encoding: 'utf8', input, stdio: ['pipe', 'pipe', 'pipe'] });
}

/** Ferry's clients on the dev cluster, or through `relay` to it. */
export function devClients(relay?: TcpRelay): KubeClients {
  const clients = loadKubeClients({ kubeconfig: devK8s!.kubeconfig });
  if (!relay) return clients;
  const original = clients.kubeConfig;
  const cluster = original.getCurrentCluster()!;
  const server = `https://127.0.0.1:${relay.port}`;
  const kubeConfig = new KubeConfig();
  kubeConfig.loadFromOptions({
    clusters: original.clusters.map((c) => (c.name === cluster.name ? { ...c, server } : c)),
    users: original.users,
    contexts: original.contexts,
    currentContext: original.currentContext,
  });
  return kubeClientsFor(kubeConfig, { ...clients.location, server });
}

/** host and port of the dev cluster's API server. */
export function apiServerAddress(): { host: string; port: number } {
  const url = new URL(loadKubeClients({ kubeconfig: devK8s!.kubeconfig }).location.server);
  return { host: url.hostname, port: Number(url.port || 443) };
}

/** A namespace of the test's own, enforcing Pod Security "restricted" like the real ones. */
export function createTestNamespace(prefix: string): string {
  const name = `${prefix}-${randomBytes(4).toString('hex')}`;
  kubectl(['create', 'namespace', name]);
  kubectl(['label', 'namespace', name, 'pod-security.kubernetes.io/enforce=restricted']);
  return name;
}

export function deleteTestNamespace(name: string): void {
  kubectl(['delete', 'namespace', name, '--ignore-not-found', '--wait=false']);
}

const RESTRICTED_POD_SPEC = {
  securityContext: { runAsNonRoot: true, runAsUser: 1000, seccompProfile: { type: 'RuntimeDefault' } },
  containers: [{ name: 'step', image: 'python:3.12', command: ['python3', '-c', 'pass'], securityContext: { allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] } } }],
};

/** A suspended Job (no pods) that Pod Security "restricted" admits. */
export function jobManifest(namespace: string, name: string, labels: Record<string, string> = {}): string {
  return JSON.stringify({
    apiVersion: 'batch/v1',
    kind: 'Job',
    metadata: { name, namespace, labels },
    spec: { suspend: true, template: { spec: { ...RESTRICTED_POD_SPEC, restartPolicy: 'Never' } } },
  });
}

/** A pod on kwok's node whose container "step" logs what the test appends to `logFile` (CRI format). */
export interface LoggingPod {
  namespace: string;
  pod: string;
  container: string;
  logFile: string;
  /** Appends lines at the given times (ISO with nanoseconds, as a runtime writes them). */
  write(lines: ReadonlyArray<{ at: string; text: string }>): void;
  /** Marks the container terminated, as a kubelet would once it exited. */
  terminate(): void;
  cleanup(): void;
}

export function createLoggingPod(namespace: string, pod: string): LoggingPod {
  const dir = mkdtempSync(join(tmpdir(), 'ferry-pod-log-'));
  // kwok reads the file as whatever user it runs as.
  chmodSync(dir, 0o755);
  const logFile = join(dir, 'step.log');
  writeFileSync(logFile, '', { mode: 0o644 });
  const podManifest = { apiVersion: 'v1', kind: 'Pod', metadata: { name: pod, namespace }, spec: { ...RESTRICTED_POD_SPEC, restartPolicy: 'Never' } };
  const logs = {
    apiVersion: 'kwok.x-k8s.io/v1alpha1',
    kind: 'Logs',
    metadata: { name: pod, namespace },
    spec: { logs: [{ containers: ['step'], logsFile: logFile, follow: true }] },
  };
  kubectl(['apply', '-f', '-'], JSON.stringify({ apiVersion: 'v1', kind: 'List', items: [podManifest, logs] }));
  return {
    namespace,
    pod,
    container: 'step',
    logFile,
    write: (lines) => appendFileSync(logFile, lines.map(({ at, text }) => `${at} stdout F ${text}\n`).join('')),
    terminate: () => {
      const now = new Date().toISOString().replace(/\.\d{3}Z$/, 'Z');
      const status = {
        phase: 'Succeeded',
        containerStatuses: [
          { name: 'step', image: 'python:3.12', imageID: '', ready: false, restartCount: 0, started: false, state: { terminated: { exitCode: 0, reason: 'Completed', startedAt: now, finishedAt: now } } },
        ],
      };
      kubectl(['-n', namespace, 'patch', 'pod', pod, '--subresource=status', '--type=merge', '-p', JSON.stringify({ status })]);
    },
    cleanup: () => rmSync(dir, { recursive: true, force: true }),
  };
}

/** The phase of a pod, per kubectl. */
export function podPhase(namespace: string, pod: string): string {
  return kubectl(['-n', namespace, 'get', 'pod', pod, '-o', 'jsonpath={.status.phase}']);
}

/**
 * A TCP relay to the API server on a local port: a stand-in for the
 * network. `freeze()` makes the connections open now go silent (nothing
 * passes, nothing closes), as when a NAT or a VPN drops them; `cut()` ends
 * them; `newConnections` says what happens to the next ones: passed on,
 * refused (closed at once), or held silent.
 */
export class TcpRelay {
  newConnections: 'pass' | 'refuse' | 'silent' = 'pass';
  private readonly server: Server;
  private readonly pairs = new Set<[Socket, Socket]>();
  private accepted = 0;

  private constructor(
    server: Server,
    readonly port: number,
  ) {
    this.server = server;
  }

  static async start(target: { host: string; port: number }): Promise<TcpRelay> {
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const relay = new TcpRelay(server, (server.address() as { port: number }).port);
    server.on('connection', (client) => relay.relay(client, target));
    return relay;
  }

  /** Connections accepted so far. */
  get connections(): number {
    return this.accepted;
  }

  freeze(): void {
    for (const [client, upstream] of this.pairs) {
      client.pause();
      upstream.pause();
      client.removeAllListeners('data');
      upstream.removeAllListeners('data');
    }
  }

  cut(): void {
    for (const [client, upstream] of this.pairs) {
      client.destroy();
      upstream.destroy();
    }
    this.pairs.clear();
  }

  async close(): Promise<void> {
    this.cut();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private relay(client: Socket, target: { host: string; port: number }): void {
    this.accepted++;
    if (this.newConnections === 'refuse') {
      client.destroy();
      return;
    }
    const upstream = connect(target.port, target.host);
    const pair: [Socket, Socket] = [client, upstream];
    this.pairs.add(pair);
    const end = () => {
      client.destroy();
      upstream.destroy();
      this.pairs.delete(pair);
    };
    for (const socket of pair) {
      socket.on('end', end);
      socket.on('error', end);
      socket.on('close', end);
    }
    if (this.newConnections === 'silent') {
      client.pause();
      return;
    }
    client.on('data', (data) => upstream.write(data));
    upstream.on('data', (data) => client.write(data));
  }
}

/** Timers and sockets of this process, counted by kind (to show something left none behind). */
export function activeHandles(): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const kind of process.getActiveResourcesInfo()) {
    if (kind === 'Timeout' || kind.includes('TCP') || kind.includes('TLS')) counts[kind] = (counts[kind] ?? 0) + 1;
  }
  return counts;
}

/**
 * Asserts that the timers and sockets are back to `before`. A socket that
 * has emitted 'close' still counts until its handle is released, a turn or
 * two of the event loop later, so this waits up to a second for that.
 */
export async function assertNothingLeftOpen(before: Record<string, number>): Promise<void> {
  const deadline = Date.now() + 1_000;
  while (!isDeepStrictEqual(activeHandles(), before) && Date.now() < deadline) await new Promise((resolve) => setImmediate(resolve));
  assert.deepEqual(activeHandles(), before, 'no timer or socket left open');
}
