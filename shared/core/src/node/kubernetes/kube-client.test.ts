import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { after, describe, test } from 'node:test';
import { FerryError } from '../../errors.js';
import { checkKubeAccess, loadKubeClients } from './kube-client.js';
import { describeKubeStatus, statusError } from './kube-http.js';

const dir = mkdtempSync(join(tmpdir(), 'ferry-kubeconfig-'));
after(() => rmSync(dir, { recursive: true, force: true }));

function kubeconfig(name: string, body: object): string {
  const file = join(dir, name);
  writeFileSync(file, JSON.stringify({ apiVersion: 'v1', kind: 'Config', ...body }));
  return file;
}

function config(context: string, server: string, user: object = {}) {
  return {
    clusters: [{ name: `${context}-cluster`, cluster: { server, 'insecure-skip-tls-verify': true } }],
    users: [{ name: `${context}-user`, user }],
    contexts: [{ name: context, context: { cluster: `${context}-cluster`, user: `${context}-user`, namespace: `${context}-ns` } }],
    'current-context': context,
  };
}

function ferryError(pattern: RegExp, location?: object) {
  return (error: unknown) => {
    assert.ok(error instanceof FerryError, String(error));
    assert.equal(error.category, 'target');
    assert.match(error.message, pattern);
    if (location) assert.deepEqual(error.location, location);
    return true;
  };
}

describe('loading a kubeconfig', () => {
  test('the given file, its current context, server and namespace', () => {
    const file = kubeconfig('one.yaml', config('dev', 'https://10.1.2.3:6443/'));
    const clients = loadKubeClients({ kubeconfig: file });
    assert.deepEqual(clients.location, { kubeconfig: file, context: 'dev', server: 'https://10.1.2.3:6443', namespace: 'dev-ns' });
    assert.equal(clients.kubeConfig.getCurrentContext(), 'dev');
  });

  test('a missing file is named', () => {
    const file = join(dir, 'nowhere.yaml');
    assert.throws(() => loadKubeClients({ kubeconfig: file }), ferryError(/the kubeconfig file does not exist/, { file }));
    const home = join(dir, 'home');
    assert.throws(() => loadKubeClients({ env: { HOME: home } }), ferryError(/no kubeconfig: the file does not exist and \$KUBECONFIG is not set/, { file: join(home, '.kube/config') }));
  });

  test('$KUBECONFIG: several files merged, the first to name something wins, missing ones skipped', () => {
    const first = kubeconfig('first.yaml', { ...config('a', 'https://a.example:6443'), 'current-context': undefined });
    const second = kubeconfig('second.yaml', {
      ...config('b', 'https://b.example:6443'),
      contexts: [
        { name: 'a', context: { cluster: 'b-cluster', user: 'b-user' } },
        { name: 'b', context: { cluster: 'b-cluster', user: 'b-user' } },
      ],
    });
    const env = { HOME: dir, KUBECONFIG: [first, join(dir, 'missing.yaml'), second].join(delimiter) };
    const clients = loadKubeClients({ env });
    assert.equal(clients.location.context, 'b', "the current-context comes from the first file that sets one");
    assert.equal(clients.location.server, 'https://b.example:6443');
    assert.equal(loadKubeClients({ env, context: 'a' }).location.server, 'https://a.example:6443', 'context "a" of the first file wins');
  });

  test('an unknown context is named, with the known ones', () => {
    const file = kubeconfig('two.yaml', config('dev', 'https://10.1.2.3:6443'));
    assert.throws(() => loadKubeClients({ kubeconfig: file, context: 'prod' }), ferryError(/has no context "prod"; it has "dev"/, { file, field: 'contexts' }));
  });

  test('a context whose cluster is not defined', () => {
    const file = kubeconfig('three.yaml', { ...config('dev', 'https://10.1.2.3:6443'), clusters: [] });
    assert.throws(() => loadKubeClients({ kubeconfig: file }), ferryError(/context "dev" names the cluster "dev-cluster", which the kubeconfig does not define/));
  });

  test('a client key file that is not there is named, with its user', () => {
    const key = join(dir, 'absent.key');
    const file = kubeconfig('four.yaml', config('dev', 'https://10.1.2.3:6443', { 'client-certificate': join(dir, 'absent.crt'), 'client-key': key }));
    assert.throws(() => loadKubeClients({ kubeconfig: file }), ferryError(/client-certificate \(user "dev-user"\) file .*absent\.crt does not exist/));
    writeFileSync(join(dir, 'absent.crt'), '');
    assert.throws(() => loadKubeClients({ kubeconfig: file }), ferryError(new RegExp(`client-key \\(user "dev-user"\\) file ${key} does not exist`)));
  });

  test('a file that is not YAML: where, without quoting it (it may hold a token)', () => {
    const file = join(dir, 'broken.yaml');
    writeFileSync(file, 'users:\n- name: me\n  user:\n    token: s3cr3t-t0ken\n   bad: [\n');
    assert.throws(() => loadKubeClients({ kubeconfig: file }), (error: unknown) => {
      assert.ok(error instanceof FerryError);
      assert.match(error.message, /^the kubeconfig cannot be read: not YAML: .+ \(line \d+, column \d+\)$/);
      assert.ok(!error.message.includes('s3cr3t'), error.message);
      assert.deepEqual(error.location, { file });
      return true;
    });
  });

  test('a server that does not answer: what, where and why', async () => {
    const port = await closedPort();
    const file = kubeconfig('refused.yaml', config('gone', `https://127.0.0.1:${port}`));
    await assert.rejects(
      checkKubeAccess(loadKubeClients({ kubeconfig: file }), 'team'),
      ferryError(new RegExp(`^context "gone" \\(https://127\\.0\\.0\\.1:${port}\\): listing jobs in namespace "team": cannot reach the API server: .*ECONNREFUSED`), { file }),
    );
  });
});

describe('API server errors in words', () => {
  test('the HTTP status, the Status reason when it says more, and its message', () => {
    const expired = { kind: 'Status', apiVersion: 'v1', status: 'Failure', message: 'too old resource version: 1 (223)', reason: 'Expired', code: 410 };
    assert.equal(describeKubeStatus(410, JSON.stringify(expired)), 'HTTP 410 Gone (Expired): too old resource version: 1 (223)');
    const forbidden = { kind: 'Status', message: 'jobs.batch is forbidden: User "x" cannot list resource "jobs"', reason: 'Forbidden', code: 403 };
    assert.equal(describeKubeStatus(403, forbidden), 'HTTP 403 Forbidden: jobs.batch is forbidden: User "x" cannot list resource "jobs"');
    assert.equal(describeKubeStatus(401, undefined), 'HTTP 401 Unauthorized');
    assert.equal(describeKubeStatus(502, '<html>\n<body>Bad gateway</body>'), 'HTTP 502 Bad Gateway: <html>');
    const error = statusError(410, expired);
    assert.equal(error.status, 410);
    assert.equal(error.reason, 'Expired');
  });
});

async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}
