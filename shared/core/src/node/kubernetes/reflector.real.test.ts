/**
 * The reflector against the dev Kubernetes control plane: what it sees of
 * Jobs, what it does when the server no longer has its resourceVersion, when
 * a watch goes silent, and when connections fail — each checked against
 * kubectl's view. Network trouble comes from a TCP relay in front of the
 * real API server.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { waitFor } from '../testing.js';
import { activeHandles, apiServerAddress, assertNothingLeftOpen, createTestNamespace, deleteTestNamespace, devClients, jobManifest, kubectl, skipWithoutDevK8s, TcpRelay } from './dev-k8s-testing.js';
import { Reflector, type KubeObject, type ReflectorEvents } from './reflector.js';

interface Job extends KubeObject {
  metadata?: KubeObject['metadata'] & { annotations?: Record<string, string> };
}

const LABEL = { 'ferry.test/reflector': 'yes' };
const SELECTOR = 'ferry.test/reflector=yes';

/** Everything a reflector tells, in order: "add a", "update a", "delete a", "synced", "restart timeout", "failure". */
function record<T extends Job>(reflector: Reflector<T>) {
  const events: string[] = [];
  const failures: Array<ReflectorEvents<T>['failure'][0]> = [];
  reflector.on('add', (job) => events.push(`add ${job.metadata?.name}`));
  reflector.on('update', (job) => events.push(`update ${job.metadata?.name}`));
  reflector.on('delete', (job) => events.push(`delete ${job.metadata?.name}`));
  reflector.on('synced', () => events.push('synced'));
  reflector.on('restart', ({ reason }) => events.push(`restart ${reason}`));
  reflector.on('failure', (failure) => {
    events.push('failure');
    failures.push(failure);
  });
  return { events, failures, count: (event: string) => events.filter((e) => e === event).length };
}

const names = (reflector: Reflector<Job | KubeObject>) => reflector.list().map((job) => job.metadata!.name!).sort();

describe('a reflector on the dev cluster', { skip: skipWithoutDevK8s }, () => {
  let namespace: string;
  const jobsPath = () => `/apis/batch/v1/namespaces/${namespace}/jobs`;
  /** kubectl's word: the names of the labelled Jobs. */
  const labelledJobs = () => kubectl(['-n', namespace, 'get', 'jobs', '-l', SELECTOR, '-o', 'jsonpath={.items[*].metadata.name}']).split(' ').filter(Boolean).sort();
  const createJob = (name: string, labels: Record<string, string> = LABEL) => kubectl(['create', '-f', '-'], jobManifest(namespace, name, labels));

  before(() => {
    namespace = createTestNamespace('ferry-reflector-test');
  });

  after(() => {
    if (namespace) deleteTestNamespace(namespace);
  });

  test('sees the Jobs with its label created, updated and deleted, and no others; stop() leaves nothing open', async () => {
    const handlesBefore = activeHandles();
    createJob('early');
    const reflector = new Reflector<Job>({ kubeConfig: devClients().kubeConfig, path: jobsPath(), labelSelector: SELECTOR, watchTimeoutSeconds: 30 });
    const { events } = record(reflector);
    const updates: Array<[Job, Job]> = [];
    reflector.on('update', (job, previous) => updates.push([job, previous]));
    reflector.start();
    await reflector.waitForSync();
    assert.deepEqual(names(reflector), ['early']);

    createJob('created');
    createJob('unlabelled', {});
    await waitFor('the new Job', () => events.includes('add created'), 20_000);
    kubectl(['-n', namespace, 'annotate', 'job', 'created', 'ferry.test/note=changed']);
    await waitFor('the annotation', () => reflector.get(namespace, 'created')?.metadata?.annotations?.['ferry.test/note'] === 'changed', 20_000);
    const noted = updates.find(([job]) => job.metadata?.annotations?.['ferry.test/note'] === 'changed');
    assert.ok(noted, 'an update event carries the change');
    assert.equal(noted[1].metadata?.annotations?.['ferry.test/note'], undefined, 'and the object as it was before');
    kubectl(['-n', namespace, 'delete', 'job', 'created']);
    await waitFor('the deletion', () => events.includes('delete created'), 20_000);

    assert.deepEqual(names(reflector), labelledJobs());
    assert.deepEqual(names(reflector), ['early']);
    assert.ok(!events.some((event) => event.endsWith(' unlabelled')), `nothing about the unlabelled Job: ${events.join(', ')}`);
    assert.equal(events.filter((event) => event === 'synced').length, 1);

    await reflector.stop();
    await assertNothingLeftOpen(handlesBefore);
  });

  test('each watch ends at its timeout and the next starts from the latest bookmark', async () => {
    const reflector = new Reflector<Job>({ kubeConfig: devClients().kubeConfig, path: jobsPath(), labelSelector: 'ferry.test/reflector=none', watchTimeoutSeconds: 4 });
    const { events, count } = record(reflector);
    reflector.start();
    await reflector.waitForSync();
    const listed = BigInt(reflector.lastResourceVersion!);
    // Changes the selector does not match move the server's resourceVersion; only bookmarks carry it to this watch.
    for (let i = 0; i < 3; i++) createJob(`elsewhere-${i}`, {});
    await waitFor('a bookmark past the list', () => BigInt(reflector.lastResourceVersion!) > listed, 20_000);
    await waitFor('two renewed watches', () => count('restart timeout') >= 2, 20_000);
    assert.equal(count('synced'), 1, 'renewing a watch does not list again');
    assert.deepEqual(events.filter((event) => /^(add|update|delete) /.test(event)), []);

    kubectl(['-n', namespace, 'label', 'job', 'elsewhere-0', 'ferry.test/reflector=none']);
    await waitFor('the Job that now matches', () => events.includes('add elsewhere-0'), 20_000);
    await reflector.stop();
  });

  test('a resourceVersion the server no longer has: it answers 410 Gone, and the reflector lists again', async () => {
    // kwok's Logs, a custom resource: its watch cache began long after resourceVersion 1.
    const path = `/apis/kwok.x-k8s.io/v1alpha1/namespaces/${namespace}/logs`;
    const logs = (name: string) => ({ apiVersion: 'kwok.x-k8s.io/v1alpha1', kind: 'Logs', metadata: { name, namespace }, spec: { logs: [{ containers: ['step'], logsFile: '/dev/null' }] } });
    kubectl(['create', '-f', '-'], JSON.stringify(logs('kept')));
    const answer = kubectl(['get', '--raw', `${path}?watch=true&resourceVersion=1&timeoutSeconds=2`]);
    assert.match(answer, /"type":"ERROR".*"reason":"Expired".*"code":410/, `the server's answer to a watch from resourceVersion 1: ${answer}`);

    const ghost = { ...logs('ghost'), metadata: { name: 'ghost', namespace, resourceVersion: '1' } };
    const reflector = new Reflector<KubeObject>({ kubeConfig: devClients().kubeConfig, path, watchTimeoutSeconds: 30, resumeFrom: { resourceVersion: '1', objects: [ghost] } });
    const { events } = record(reflector);
    assert.deepEqual(names(reflector), ['ghost'], 'the cache starts with what it was given');
    reflector.start();
    await waitFor('the relist', () => events.includes('synced'), 20_000);
    assert.deepEqual(events.slice(0, 4), ['restart expired', 'delete ghost', 'add kept', 'synced']);
    assert.deepEqual(names(reflector), ['kept']);
    assert.equal(events.filter((event) => event === 'failure').length, 0, '410 is no failure: no waiting before the list');

    kubectl(['-n', namespace, 'delete', 'logs.kwok.x-k8s.io', 'kept']);
    await waitFor('the deletion, seen by the watch after the list', () => events.includes('delete kept'), 20_000);
    await reflector.stop();
  });

  test('Jobs resumed from resourceVersion 1: whatever the server answers (410, or its history), the cache ends as the server lists', async (t) => {
    createJob('stays');
    createJob('goes');
    kubectl(['-n', namespace, 'delete', 'job', 'goes']);
    const raw = kubectl(['get', '--raw', `${jobsPath()}?watch=true&resourceVersion=1&timeoutSeconds=2&labelSelector=${encodeURIComponent(SELECTOR)}`]);
    const expired = /"code":410/.test(raw);
    t.diagnostic(expired ? 'the server answered 410 Gone' : 'the server replayed its history from resourceVersion 1');

    const reflector = new Reflector<Job>({ kubeConfig: devClients().kubeConfig, path: jobsPath(), labelSelector: SELECTOR, watchTimeoutSeconds: 30, resumeFrom: { resourceVersion: '1' } });
    const { events } = record(reflector);
    reflector.start();
    const expected = labelledJobs();
    assert.ok(expected.includes('stays') && !expected.includes('goes'));
    await waitFor('the cache to match kubectl', () => names(reflector).join() === expected.join(), 20_000);
    if (expired) assert.ok(events.includes('restart expired') && events.includes('synced'), events.join(', '));
    else assert.ok(events.includes('add goes') && events.includes('delete goes'), `the history, replayed: ${events.join(', ')}`);
    await reflector.stop();
  });

  describe('through a relay that breaks connections', () => {
    let relay: TcpRelay;

    before(async () => {
      relay = await TcpRelay.start(apiServerAddress());
    });

    after(async () => {
      await relay?.close();
    });

    test('the watchdog ends a watch gone silent, and the next one sees what happened meanwhile', async () => {
      const handlesBefore = activeHandles();
      const reflector = new Reflector<Job>({ kubeConfig: devClients(relay).kubeConfig, path: jobsPath(), labelSelector: SELECTOR, watchTimeoutSeconds: 3, watchdogMarginMs: 1_500 });
      const { events, count } = record(reflector);
      reflector.start();
      await reflector.waitForSync();
      await waitFor('a watch renewed at its timeout', () => count('restart timeout') >= 1, 20_000);
      assert.equal(count('restart watchdog'), 0, 'a healthy watch is ended by the server, not the watchdog');

      // Silence from now until the watchdog acts: the watch open now, and any that starts meanwhile.
      relay.freeze();
      relay.newConnections = 'silent';
      reflector.on('restart', ({ reason }) => reason === 'watchdog' && (relay.newConnections = 'pass'));
      const frozenAt = Date.now();
      createJob('during-silence');
      await waitFor('the watchdog', () => count('restart watchdog') >= 1, 20_000);
      const silentMs = Date.now() - frozenAt;
      assert.ok(silentMs >= 1_500 && silentMs < 4_500 + 3_000, `the watchdog fired ${silentMs} ms after the connection went silent`);
      await waitFor('the Job created during the silence', () => events.includes('add during-silence'), 20_000);
      assert.deepEqual(names(reflector), labelledJobs());

      await reflector.stop();
      relay.cut();
      await assertNothingLeftOpen(handlesBefore);
    });

    test('failed attempts wait longer each time, and the wait starts small again after a success', async () => {
      const reflector = new Reflector<Job>({
        kubeConfig: devClients(relay).kubeConfig,
        path: jobsPath(),
        labelSelector: SELECTOR,
        watchTimeoutSeconds: 30,
        backoff: { initialMs: 200, maxMs: 1_600 },
      });
      const { events, failures } = record(reflector);
      reflector.start();
      await reflector.waitForSync();

      relay.newConnections = 'refuse';
      relay.cut();
      await waitFor('four failed attempts', () => failures.length >= 4, 20_000);
      const waits = failures.map((failure) => failure.retryInMs);
      assert.ok(waits[0]! <= 200 && waits[3]! >= 800, `waits ${waits.join(', ')} ms: 0.2 s doubling, with jitter`);
      assert.deepEqual(names(reflector), labelledJobs(), 'the cache keeps what it had');

      relay.newConnections = 'pass';
      createJob('after-outage');
      await waitFor('the Job created during the outage', () => events.includes('add after-outage'), 20_000);

      const before = failures.length;
      relay.newConnections = 'refuse';
      relay.cut();
      await waitFor('a failure after the recovery', () => failures.length > before, 20_000);
      assert.ok(failures[before]!.retryInMs <= 200, `after a success the wait is short again: ${failures[before]!.retryInMs} ms`);
      relay.newConnections = 'pass';
      await reflector.stop();
    });
  });
});
