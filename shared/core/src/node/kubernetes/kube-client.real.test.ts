/**
 * What the dev Kubernetes control plane answers to credentials it refuses,
 * to a user without permission, and what a server that never answers looks
 * like — each as the FerryError a user reads.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { KubeConfig, type User } from '@kubernetes/client-node';
import { FerryError } from '../../errors.js';
import { apiServerAddress, devClients, skipWithoutDevK8s, TcpRelay } from './dev-k8s-testing.js';
import { checkKubeAccess, kubeClientsFor, type KubeClients } from './kube-client.js';

/** The dev cluster's clients with another user in the context. */
function clientsAs(user: Omit<User, 'name'>): KubeClients {
  const dev = devClients();
  const original = dev.kubeConfig;
  const contextName = original.getCurrentContext();
  const context = original.getContextObject(contextName)!;
  const kubeConfig = new KubeConfig();
  kubeConfig.loadFromOptions({
    clusters: original.clusters,
    users: [{ ...user, name: 'ferry-test-user' }],
    contexts: [{ ...context, user: 'ferry-test-user' }],
    currentContext: contextName,
  });
  return kubeClientsFor(kubeConfig, dev.location);
}

describe('API server refusals, as errors', { skip: skipWithoutDevK8s }, () => {
  test('the dev credentials can list Jobs', async () => {
    await checkKubeAccess(devClients(), 'default');
  });

  test('a token the server does not know: 401, and the token is not in the message', async () => {
    const token = 'ferry-test-not-a-token-5f1c';
    const clients = clientsAs({ token });
    await assert.rejects(checkKubeAccess(clients, 'default'), (error: unknown) => {
      assert.ok(error instanceof FerryError);
      assert.match(error.message, /^context "[^"]+" \(https:\/\/127\.0\.0\.1:\d+\): listing jobs in namespace "default": the API server did not accept the credentials \(HTTP 401 Unauthorized\)/);
      assert.ok(!error.message.includes(token) && !JSON.stringify(error.toJSON()).includes(token), 'no token in the error');
      assert.deepEqual(error.location, { file: clients.location.kubeconfig });
      return true;
    });
  });

  test('a user without the permission: 403 with the server\'s reason', async () => {
    const dev = devClients();
    const user = dev.kubeConfig.getCurrentUser()!;
    // The admin acting as a user no role binds.
    const clients = clientsAs({ ...user, impersonateUser: 'ferry-test-nobody' });
    await assert.rejects(
      checkKubeAccess(clients, 'default'),
      (error: unknown) =>
        error instanceof FerryError &&
        /listing jobs in namespace "default": not allowed \(HTTP 403 Forbidden: jobs.batch is forbidden: User "ferry-test-nobody" cannot list resource "jobs" in API group "batch" in the namespace "default"\)/.test(error.message),
    );
  });

  describe('a server that accepts connections and never answers', () => {
    let relay: TcpRelay;

    before(async () => {
      relay = await TcpRelay.start(apiServerAddress());
      relay.newConnections = 'silent';
    });

    after(async () => {
      await relay?.close();
    });

    test('the check gives up after its time limit and says so', async () => {
      const startedAt = Date.now();
      await assert.rejects(checkKubeAccess(devClients(relay), 'default', 1_000), (error: unknown) => {
        assert.ok(error instanceof FerryError);
        assert.match(error.message, new RegExp(`^context "[^"]+" \\(https://127\\.0\\.0\\.1:${relay.port}\\): listing jobs in namespace "default": no answer within 1 s$`));
        return true;
      });
      assert.ok(Date.now() - startedAt < 5_000);
    });
  });
});
