/**
 * Reaching a Kubernetes cluster: a kubeconfig (a given file, or $KUBECONFIG,
 * or ~/.kube/config) and one of its contexts, turned into the API clients
 * Ferry uses. Every failure — a missing file, an unknown context, a server
 * that does not answer or refuses the credentials — becomes a 'target' error
 * that names the kubeconfig, the context and the server, never a token or a
 * key.
 */
import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { delimiter, resolve } from 'node:path';
import {
  ApiException,
  AuthorizationV1Api,
  BatchV1Api,
  CoreV1Api,
  KubeConfig,
  Observable,
  type ConfigurationOptions,
  type Context,
} from '@kubernetes/client-node';
import { FerryError } from '../../errors.js';
import { describeKubeStatus, KubeHttpError } from './kube-http.js';

export interface KubeClientOptions {
  /** A kubeconfig file (`~` allowed); default: the files in $KUBECONFIG, else ~/.kube/config. */
  kubeconfig?: string;
  /** A context of the kubeconfig; default: its current-context. */
  context?: string;
  /** Where $KUBECONFIG and $HOME are read (tests); default: process.env. */
  env?: NodeJS.ProcessEnv;
}

/** Where the clients point, for messages. */
export interface KubeLocation {
  /** The kubeconfig file (several joined by the path delimiter when $KUBECONFIG names several). */
  kubeconfig: string;
  context: string;
  /** The API server's URL. */
  server: string;
  /** The context's namespace, if it names one. */
  namespace: string | undefined;
}

export interface KubeClients {
  kubeConfig: KubeConfig;
  batch: BatchV1Api;
  core: CoreV1Api;
  authorization: AuthorizationV1Api;
  location: KubeLocation;
}

export function loadKubeClients(options: KubeClientOptions = {}): KubeClients {
  const env = options.env ?? process.env;
  const files = kubeconfigFiles(options, env);
  const shown = files.join(delimiter);
  const present = files.filter((file) => existsSync(file));
  if (present.length === 0) {
    const why = options.kubeconfig ? 'the kubeconfig file does not exist' : files.length > 1 ? 'none of the files in $KUBECONFIG exists' : 'no kubeconfig: the file does not exist and $KUBECONFIG is not set';
    throw new FerryError('target', why, { file: shown });
  }
  const kubeConfig = new KubeConfig();
  for (const file of present) {
    try {
      if (file === present[0]) {
        kubeConfig.loadFromFile(file);
      } else {
        const next = new KubeConfig();
        next.loadFromFile(file);
        mergeFirstWins(kubeConfig, next);
      }
    } catch (error) {
      throw new FerryError('target', `the kubeconfig cannot be read: ${readError(error)}`, { file });
    }
  }
  const contextName = options.context ?? kubeConfig.getCurrentContext();
  if (!contextName) throw new FerryError('target', 'the kubeconfig sets no current-context; name a context', { file: shown, field: 'current-context' });
  const context = kubeConfig.getContextObject(contextName);
  if (!context) {
    const known = kubeConfig.getContexts().map((c) => c.name);
    const list = known.length > 0 ? `it has ${known.map((name) => `"${name}"`).join(', ')}` : 'it has none';
    throw new FerryError('target', `the kubeconfig has no context "${contextName}"; ${list}`, { file: shown, field: 'contexts' });
  }
  kubeConfig.setCurrentContext(contextName);
  const server = checkContext(kubeConfig, context, shown);
  return kubeClientsFor(kubeConfig, { kubeconfig: shown, context: contextName, server, namespace: context.namespace || undefined });
}

/** The clients for a KubeConfig already loaded and set to its context. */
export function kubeClientsFor(kubeConfig: KubeConfig, location: KubeLocation): KubeClients {
  return {
    kubeConfig,
    batch: kubeConfig.makeApiClient(BatchV1Api),
    core: kubeConfig.makeApiClient(CoreV1Api),
    authorization: kubeConfig.makeApiClient(AuthorizationV1Api),
    location,
  };
}

/** `context "prod" (https://api.example:6443)` — what messages say about where. */
export function describeKubeLocation(location: KubeLocation): string {
  return `context "${location.context}" (${location.server})`;
}

/**
 * A failed call to the API server as a FerryError: `doing` says what Ferry
 * was doing ("listing jobs in namespace x"). Network failures, 401 and 403
 * get words of their own.
 */
export function kubeError(error: unknown, doing: string, location: KubeLocation): FerryError {
  if (error instanceof FerryError) return error;
  const where = describeKubeLocation(location);
  const file = { file: location.kubeconfig };
  const status = httpStatusOf(error);
  if (status === 401) {
    return new FerryError('target', `${where}: ${doing}: the API server did not accept the credentials (${describeApiError(error)}); check the user of the context, or log in again`, file);
  }
  if (status === 403) {
    return new FerryError('target', `${where}: ${doing}: not allowed (${describeApiError(error)}); the user of the context lacks this permission`, file);
  }
  if (status !== undefined) return new FerryError('target', `${where}: ${doing}: ${describeApiError(error)}`, file);
  const network = networkReason(error);
  if (network) return new FerryError('target', `${where}: ${doing}: cannot reach the API server: ${network}`, file);
  return new FerryError('target', `${where}: ${doing}: ${(error as Error).message ?? String(error)}`, file);
}

/** An API call whose failure becomes a FerryError saying what was being done, and where (`where` is asked only then). */
export async function kubeCall<T>(where: () => KubeLocation, doing: string, request: () => Promise<T>): Promise<T> {
  try {
    return await request();
  } catch (error) {
    throw kubeError(error, doing, where());
  }
}

/** As `kubeCall`, but an answer with HTTP status `status` (404, 409) is undefined instead of an error. */
export async function kubeCallUnless<T>(status: number, where: () => KubeLocation, doing: string, request: () => Promise<T>): Promise<T | undefined> {
  try {
    return await request();
  } catch (error) {
    if (httpStatusOf(error) === status) return undefined;
    throw kubeError(error, doing, where());
  }
}

/**
 * What an API call's failure says: "HTTP 403 Forbidden: jobs.batch is
 * forbidden: ..." from client-node's ApiException (whose own message
 * carries the response headers) or from a KubeHttpError.
 */
export function describeApiError(error: unknown): string {
  if (error instanceof KubeHttpError) return error.message;
  if (error instanceof ApiException) return describeKubeStatus(error.code, error.body);
  return (error as Error)?.message ?? String(error);
}

/** The HTTP status of a failed call, if the server answered. */
export function httpStatusOf(error: unknown): number | undefined {
  if (error instanceof KubeHttpError) return error.status;
  if (error instanceof ApiException) return error.code;
  return undefined;
}

/** Options for a typed API call that ends it when `signal` aborts (client-node's calls have no time limit of their own). */
export function abortableCall(signal: AbortSignal): ConfigurationOptions {
  return {
    middleware: [
      {
        pre: (context) => {
          context.setSignal(signal);
          return new Observable(Promise.resolve(context));
        },
        post: (context) => new Observable(Promise.resolve(context)),
      },
    ],
    middlewareMergeStrategy: 'append',
  };
}

/** Verifies that the server answers and lets the context's user list Jobs in `namespace`. */
export async function checkKubeAccess(clients: KubeClients, namespace: string, timeoutMs = 20_000): Promise<void> {
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(new Error(`no answer within ${timeoutMs / 1000} s`)), timeoutMs);
  try {
    await clients.batch.listNamespacedJob({ namespace, limit: 1 }, abortableCall(controller.signal));
  } catch (error) {
    const reason = controller.signal.aborted ? controller.signal.reason : error;
    throw kubeError(reason, `listing jobs in namespace "${namespace}"`, clients.location);
  } finally {
    clearTimeout(timer);
  }
}

function kubeconfigFiles(options: KubeClientOptions, env: NodeJS.ProcessEnv): string[] {
  const home = env.HOME || homedir();
  const expand = (file: string) => resolve(file === '~' ? home : file.startsWith('~/') ? home + file.slice(1) : file);
  if (options.kubeconfig) return [expand(options.kubeconfig)];
  const fromEnv = (env.KUBECONFIG ?? '').split(delimiter).filter(Boolean);
  return fromEnv.length > 0 ? fromEnv.map(expand) : [expand('~/.kube/config')];
}

/** kubectl's rule for several $KUBECONFIG files: the first file to name a cluster, user, context or current-context wins. */
function mergeFirstWins(into: KubeConfig, next: KubeConfig): void {
  const add = <T extends { name: string }>(have: T[], more: T[]) => {
    for (const item of more) if (!have.some((known) => known.name === item.name)) have.push(item);
  };
  add(into.clusters, next.clusters);
  add(into.users, next.users);
  add(into.contexts, next.contexts);
  if (!into.currentContext && next.currentContext) into.currentContext = next.currentContext;
}

/** The context's server; fails on what would otherwise fail later with a bare ENOENT or "No active cluster!". */
function checkContext(kubeConfig: KubeConfig, context: Context, file: string): string {
  const cluster = kubeConfig.getCluster(context.cluster);
  if (!cluster) throw new FerryError('target', `context "${context.name}" names the cluster "${context.cluster}", which the kubeconfig does not define`, { file, field: 'clusters' });
  const server = cluster.server.replace(/\/+$/, '');
  if (!/^https?:\/\/[^/]/.test(server)) throw new FerryError('target', `cluster "${cluster.name}" has the server "${server}", not an http(s) URL`, { file, field: 'clusters' });
  const missing = (what: string, path: string | undefined) => {
    if (path && !existsSync(path)) throw new FerryError('target', `context "${context.name}": the ${what} file ${path} does not exist`, { file });
  };
  missing(`certificate-authority (cluster "${cluster.name}")`, cluster.caFile);
  const user = kubeConfig.getUser(context.user);
  missing(`client-certificate (user "${context.user}")`, user?.certFile);
  missing(`client-key (user "${context.user}")`, user?.keyFile);
  return server;
}

/** Why a kubeconfig could not be read, without the excerpt of the file YAML errors quote (it may hold a token or a key). */
function readError(error: unknown): string {
  const e = error as { name?: string; reason?: string; mark?: { line: number; column: number }; message?: string };
  if (e?.name === 'YAMLException') return `not YAML: ${e.reason ?? 'syntax error'}${e.mark ? ` (line ${e.mark.line + 1}, column ${e.mark.column + 1})` : ''}`;
  return e?.message ?? String(error);
}

const NETWORK_CODES = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'ECONNRESET', 'EPIPE', 'UND_ERR_SOCKET']);

/** Why the server could not be reached (refused, no such host, TLS), or undefined when the error is something else. */
function networkReason(error: unknown): string | undefined {
  const e = error as { code?: string; errno?: string; type?: string; message?: string; cause?: unknown } | undefined;
  if (!e || typeof e !== 'object') return undefined;
  const code = e.code ?? e.errno;
  // node-fetch says "request to <url> failed, reason: <why>"; the URL is in the location already.
  const reason = (e.message ?? '').replace(/^request to \S+ failed, reason: /, '');
  if (code && (NETWORK_CODES.has(code) || /^(ERR_TLS|CERT_|UNABLE_TO|DEPTH_ZERO|SELF_SIGNED|ERR_SSL)/.test(code))) return reason || code;
  if (e.type === 'system' || e.type === 'request-timeout') return reason;
  if (e.cause) return networkReason(e.cause);
  return undefined;
}
