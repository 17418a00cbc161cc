/**
 * The permission check against the real control plane (scripts/dev-k8s.sh):
 * a service account bound to Ferry's Role may do all Ferry needs; bound to
 * the same Role without `pods/log`, the check names exactly that, as that
 * account (its own token), through SelfSubjectAccessReview.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, describe, test } from 'node:test';
import { AuthorizationV1Api, CoreV1Api, KubeConfig, RbacAuthorizationV1Api, type V1Role } from '@kubernetes/client-node';
import type { KubernetesTargetConfig } from '../config.js';
import { kubeClientsFor } from './kube-client.js';
import { KubernetesTarget } from './kubernetes-target.js';
import { ferryRole, missingPermissions, permissionsCheck } from './rbac.js';

const clusterFile = process.env.FERRY_DEV_K8S;
const skip = clusterFile ? false : 'no dev Kubernetes control plane (FERRY_DEV_K8S unset; `bash scripts/dev-k8s.sh up` starts one)';

describe('Ferry\'s Role on the real API server', { skip }, () => {
  const admin = new KubeConfig();
  const namespace = `ferry-rbac-${process.pid}-${Date.now().toString(36)}`;
  let core: CoreV1Api;
  let rbac: RbacAuthorizationV1Api;

  before(async () => {
    admin.loadFromFile((JSON.parse(readFileSync(clusterFile!, 'utf8')) as { kubeconfig: string }).kubeconfig);
    core = admin.makeApiClient(CoreV1Api);
    rbac = admin.makeApiClient(RbacAuthorizationV1Api);
    await core.createNamespace({ body: { metadata: { name: namespace, labels: { 'pod-security.kubernetes.io/enforce': 'restricted' } } } });
  });
  after(async () => {
    await core?.deleteNamespace({ name: namespace }).catch(() => undefined);
  });

  /** The authorization API as a new service account bound to `role`, with that account's own token. */
  async function asAccountWith(role: V1Role): Promise<AuthorizationV1Api> {
    return (await kubeConfigOfAccountWith(role)).makeApiClient(AuthorizationV1Api);
  }

  /** A kubeconfig (in memory only) of a new service account bound to `role`. */
  async function kubeConfigOfAccountWith(role: V1Role): Promise<KubeConfig> {
    const name = role.metadata!.name!;
    await core.createNamespacedServiceAccount({ namespace, body: { metadata: { name } } });
    await rbac.createNamespacedRole({ namespace, body: role });
    await rbac.createNamespacedRoleBinding({
      namespace,
      body: {
        metadata: { name },
        roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name },
        subjects: [{ kind: 'ServiceAccount', name, namespace }],
      },
    });
    const token = await core.createNamespacedServiceAccountToken({ name, namespace, body: { spec: { audiences: [], expirationSeconds: 600 } } });
    const cluster = admin.getCurrentCluster()!;
    const user = new KubeConfig();
    user.loadFromOptions({
      clusters: [cluster],
      users: [{ name, token: token.status!.token }],
      contexts: [{ name, cluster: cluster.name, user: name, namespace }],
      currentContext: name,
    });
    return user;
  }

  test('bound to the Role, the account may do everything Ferry needs', async () => {
    const authorization = await asAccountWith(ferryRole(namespace, 'ferry-full'));
    assert.deepEqual(await missingPermissions(authorization, namespace), []);
    const check = await permissionsCheck(authorization, namespace, 'ferry-full');
    assert.equal(check.ok, true, check.detail);
  });

  test('without pods/log, the check names that permission and what it is for', async () => {
    const role = ferryRole(namespace, 'ferry-no-logs');
    role.rules = role.rules!.map((rule) => ({ ...rule, resources: rule.resources!.filter((resource) => resource !== 'pods/log') })).filter((rule) => rule.resources!.length > 0);
    const authorization = await asAccountWith(role);
    assert.deepEqual(
      (await missingPermissions(authorization, namespace)).map(({ verb, resource }) => `${verb} ${resource}`),
      ['get pods/log'],
    );
    const check = await permissionsCheck(authorization, namespace, 'ferry-no-logs');
    assert.equal(check.ok, false);
    assert.match(check.detail, /may not: get pods\/log \(to stream a step's log/);
    assert.match(check.fix ?? '', /docs\/kubernetes\.md/);
  });

  test('in a namespace it has no Role in, the account is refused everything', async () => {
    const authorization = await asAccountWith(ferryRole(namespace, 'ferry-elsewhere'));
    const missing = await missingPermissions(authorization, 'default');
    assert.ok(missing.some((m) => m.verb === 'create' && m.resource === 'jobs.batch'));
    assert.ok(missing.some((m) => m.verb === 'get' && m.resource === 'pods/log'));
  });

  test('`targets test` of a Kubernetes target whose user lacks pods/log says so, and how to fix it', async () => {
    const role = ferryRole(namespace, 'ferry-target-no-logs');
    role.rules = role.rules!.map((rule) => ({ ...rule, resources: rule.resources!.filter((resource) => resource !== 'pods/log') })).filter((rule) => rule.resources!.length > 0);
    const kubeConfig = await kubeConfigOfAccountWith(role);
    const config = { kubeconfig: 'in memory', namespace } as KubernetesTargetConfig;
    const location = { kubeconfig: 'in memory', context: kubeConfig.currentContext, server: kubeConfig.getCurrentCluster()!.server, namespace };
    const target = new KubernetesTarget('team', { ...config, image: 'python:3.12-slim' }, { runsDir: '/nonexistent', connect: () => kubeClientsFor(kubeConfig, location) });
    const checks = await target.check();
    const server = checks.find((check) => check.name === 'API server')!;
    assert.equal(server.ok, true, server.detail);
    assert.match(server.detail, /Kubernetes v1\.36/);
    const permissions = checks.find((check) => check.name.startsWith('permissions'))!;
    assert.equal(permissions.ok, false);
    assert.match(permissions.detail, /may not: get pods\/log/);
    assert.match(permissions.fix ?? '', /Role in docs\/kubernetes\.md/);
    await target.dispose();
  });
});
