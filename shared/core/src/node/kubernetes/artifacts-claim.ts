/**
 * The target's artifacts volume: one PersistentVolumeClaim that every run of
 * the target uses, each in its own directory `runs/<runId>`. Steps of a run
 * exchange values through it; it outlives the runs, so a later step (a
 * resumed run) still finds what an earlier one saved.
 */
import type { V1PersistentVolumeClaim } from '@kubernetes/client-node';
import type { KubernetesTargetConfig } from '../config.js';
import { ferryLabels } from './labels.js';

export function artifactsClaim(config: KubernetesTargetConfig, targetName: string): V1PersistentVolumeClaim {
  const { storage } = config;
  return {
    apiVersion: 'v1',
    kind: 'PersistentVolumeClaim',
    metadata: { name: storage.claim, namespace: config.namespace, labels: ferryLabels({ target: targetName }, targetName, 'artifacts') },
    spec: {
      accessModes: [...storage.accessModes],
      resources: { requests: { storage: storage.size } },
      ...(storage.storageClass !== undefined && { storageClassName: storage.storageClass }),
    },
  };
}
