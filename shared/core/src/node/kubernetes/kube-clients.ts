/**
 * What the Kubernetes target talks to the cluster with, built from the
 * target's kubeconfig and context: the API clients, the pod log follower and
 * the `targets test` checks of reachability and namespace.
 */
import { AuthorizationV1Api, BatchV1Api, CoreV1Api, KubeConfig, Log, VersionApi } from '@kubernetes/client-node';
import { homedir } from 'node:os';
import { PassThrough } from 'node:stream';
import { FerryError } from '../../errors.js';
import type { TargetCheck } from '../../api/contract.js';
import type { KubernetesTargetConfig } from '../config.js';
import type { KubeClients } from './kubernetes-target.js';
import type { FollowPodLog } from './log-mirror.js';
import { STEP_CONTAINER } from './pod-template.js';

/** The target's kubeconfig (`~/` expanded) at its context; errors name the file and the context. */
export function loadKubeConfig(targetName: string, config: Pick<KubernetesTargetConfig, 'kubeconfig' | 'context'>): KubeConfig {
  const file = config.kubeconfig.replace(/^~(?=\/|$)/, homedir());
  const kubeConfig = new KubeConfig();
  try {
    kubeConfig.loadFromFile(file);
  } catch (error) {
    throw new FerryError('target', `target "${targetName}": cannot read kubeconfig ${file}: ${(error as Error).message}`);
  }
  if (config.context !== undefined) {
    if (!kubeConfig.getContextObject(config.context)) {
      throw new FerryError('target', `target "${targetName}": kubeconfig ${file} has no context "${config.context}" (it has: ${kubeConfig.getContexts().map((context) => context.name).join(', ') || 'none'})`);
    }
    kubeConfig.setCurrentContext(config.context);
  }
  return kubeConfig;
}

export function kubeClients(kubeConfig: KubeConfig, config: Pick<KubernetesTargetConfig, 'namespace'>): KubeClients {
  const core = kubeConfig.makeApiClient(CoreV1Api);
  const describe = () => {
    const user = kubeConfig.getCurrentUser()?.name ?? 'the kubeconfig user';
    const server = kubeConfig.getCurrentCluster()?.server ?? 'no server';
    return `${user} at ${server}`;
  };
  return {
    batch: kubeConfig.makeApiClient(BatchV1Api),
    core,
    authorization: kubeConfig.makeApiClient(AuthorizationV1Api),
    followLog: (namespace) => followWithLogApi(new Log(kubeConfig), namespace),
    readLog: (namespace) => async (pod) => {
      try {
        return await core.readNamespacedPodLog({ name: pod, namespace, container: STEP_CONTAINER });
      } catch (error) {
        // 400: the container never started, or its node keeps no log of it.
        if ((error as { code?: number }).code === 400) return '';
        throw error;
      }
    },
    describe,
    check: async () => {
      const checks: TargetCheck[] = [];
      try {
        const version = await kubeConfig.makeApiClient(VersionApi).getCode();
        checks.push({ name: 'API server', ok: true, detail: `${describe()}: Kubernetes ${version.gitVersion}` });
      } catch (error) {
        checks.push({ name: 'API server', ok: false, detail: `${describe()}: ${(error as Error).message}`, fix: 'check the kubeconfig, its context and that the API server is reachable from here' });
        return checks;
      }
      try {
        await core.readNamespace({ name: config.namespace });
        checks.push({ name: 'namespace', ok: true, detail: config.namespace });
      } catch (error) {
        const missing = (error as { code?: number }).code === 404;
        checks.push({
          name: 'namespace',
          ok: !missing,
          optional: !missing,
          detail: missing ? `namespace ${config.namespace} does not exist` : `could not read namespace ${config.namespace} (often not allowed; not needed)`,
          ...(missing && { fix: `create it (kubectl create namespace ${config.namespace}) or set "namespace" in the target` }),
        });
      }
      return checks;
    },
    close: () => undefined,
  };
}

/** The step container's log, followed to its end. */
function followWithLogApi(logs: Log, namespace: string): FollowPodLog {
  return async (pod, onText, signal) => {
    const stream = new PassThrough();
    let writing = Promise.resolve();
    stream.on('data', (chunk: Buffer) => {
      writing = writing.then(() => onText(chunk.toString('utf8')));
    });
    const ended = new Promise<void>((resolve, reject) => {
      stream.on('end', resolve);
      stream.on('error', reject);
      // An aborted request may never end the stream: stop waiting for it.
      signal.addEventListener('abort', () => resolve(), { once: true });
    });
    const request = await logs.log(namespace, pod, STEP_CONTAINER, stream, { follow: true });
    if (signal.aborted) request.abort();
    signal.addEventListener('abort', () => request.abort(), { once: true });
    await ended.catch(() => undefined);
    await writing;
  };
}
