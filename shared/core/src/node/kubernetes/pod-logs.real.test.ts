/**
 * Pod logs on the dev Kubernetes control plane. kwok serves each test pod's
 * log from a file the test writes in CRI format, with the times the test
 * chooses (several lines in one second, several with one timestamp), and
 * the test plays the kubelet's part of marking the container terminated.
 * Dropped connections come from a TCP relay in front of the API server.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { FerryError } from '../../errors.js';
import { waitFor } from '../testing.js';
import { activeHandles, apiServerAddress, assertNothingLeftOpen, createLoggingPod, createTestNamespace, deleteTestNamespace, devClients, podPhase, skipWithoutDevK8s, TcpRelay, type LoggingPod } from './dev-k8s-testing.js';
import { followPodLog, readPodLog, type PodLogFollower } from './pod-logs.js';

/** An RFC 3339 time with nanoseconds: `second` (ms since the epoch, whole) plus `nanos`. */
function at(second: number, nanos: number): string {
  return new Date(second).toISOString().replace(/\.\d{3}Z$/, `.${String(nanos).padStart(9, '0')}Z`);
}

function thisSecond(): number {
  return Math.floor(Date.now() / 1000) * 1000;
}

/** Lines written at `second`: [nanos, text] pairs. */
function lines(second: number, ...entries: Array<[number, string]>) {
  return entries.map(([nanos, text]) => ({ at: at(second, nanos), text }));
}

describe('pod logs on the dev cluster', { skip: skipWithoutDevK8s }, () => {
  let namespace: string;
  const pods: LoggingPod[] = [];
  const loggingPod = (name: string) => {
    const pod = createLoggingPod(namespace, name);
    pods.push(pod);
    return pod;
  };

  before(() => {
    namespace = createTestNamespace('ferry-podlogs-test');
  });

  after(() => {
    if (namespace) deleteTestNamespace(namespace);
    for (const pod of pods) pod.cleanup();
  });

  test('followed from before the container starts: lines come in order as they are written, and the follow ends once it has terminated', async () => {
    const handlesBefore = activeHandles();
    const pod = loggingPod('talker');
    const delivered: string[] = [];
    const follower = followPodLog(devClients(), pod, { onLine: (text) => delivered.push(text), statusIntervalMs: 300 });
    const written: string[] = [];
    const write = (entries: Array<{ at: string; text: string }>) => {
      pod.write(entries);
      written.push(...entries.map((entry) => entry.text));
    };

    write(lines(thisSecond(), [1, 'starting'], [2, '']));
    await waitFor('the pod to run', () => podPhase(namespace, 'talker') === 'Running', 30_000);
    for (let batch = 0; batch < 5; batch++) {
      const second = thisSecond();
      write(lines(second, [100 * batch, `batch ${batch} a`], [100 * batch, `batch ${batch} b`], [100 * batch + 1, `batch ${batch} c  with  spaces`]));
      await waitFor(`batch ${batch}`, () => delivered.length === written.length && delivered, 20_000);
    }
    assert.deepEqual(delivered, written, 'in order, each once, as it was written');

    write(lines(thisSecond(), [999_999_999, 'last words']));
    pod.terminate();
    assert.equal(await follower.done, 'terminated');
    assert.deepEqual(delivered, written);
    assert.equal(follower.interruptions, 0);
    await assertNothingLeftOpen(handlesBefore);
  });

  describe('through a relay that breaks connections', () => {
    let relay: TcpRelay;

    before(async () => {
      relay = await TcpRelay.start(apiServerAddress());
    });

    after(async () => {
      await relay?.close();
    });

    test('a cut connection resumes from the last second: no line lost, none twice, same timestamps included', async () => {
      const pod = loggingPod('cut-off');
      await waitFor('the pod to run', () => podPhase(namespace, 'cut-off') === 'Running', 30_000);
      const delivered: string[] = [];
      const follower = followPodLog(devClients(relay), pod, { onLine: (text) => delivered.push(text), statusIntervalMs: 300, backoff: { initialMs: 100, maxMs: 400 } });
      const written: string[] = [];
      const write = (entries: Array<{ at: string; text: string }>) => {
        pod.write(entries);
        written.push(...entries.map((entry) => entry.text));
      };
      const second = thisSecond();

      write(lines(second, [100, 'one'], [100, 'two'], [200, 'same'], [200, 'same']));
      await waitFor('the first lines', () => delivered.length === 4, 20_000);
      relay.cut();
      // The same second again: the resumed answer repeats the four above; the third "same" at the same time is new.
      write(lines(second, [200, 'same'], [300, 'three']));
      await waitFor('the lines after the first cut', () => delivered.length === 6, 20_000);
      write(lines(second + 1000, [0, 'next second']));
      relay.cut();
      write(lines(second + 1000, [0, 'next second'], [5, 'four']));
      await waitFor('the lines after the second cut', () => delivered.length === written.length, 20_000);
      assert.deepEqual(delivered, written);
      assert.ok(follower.interruptions >= 2, `the cuts were noticed (${follower.interruptions} interruptions)`);

      pod.terminate();
      assert.equal(await follower.done, 'terminated');
      assert.deepEqual(delivered, written, 'in order, each once');
    });

    test('a server that stops answering: each read gives up after its time limit and is tried again', async () => {
      const pod = loggingPod('unanswered');
      const entries = lines(thisSecond(), [0, 'first'], [1, 'second']);
      pod.write(entries);
      await waitFor('the pod to run', () => podPhase(namespace, 'unanswered') === 'Running', 30_000);
      pod.terminate();
      relay.newConnections = 'silent';
      const delivered: string[] = [];
      const follower = followPodLog(devClients(relay), pod, { onLine: (text) => delivered.push(text), requestTimeoutMs: 500, backoff: { initialMs: 100, maxMs: 200 } });
      await waitFor('two reads given up', () => follower.interruptions >= 2, 20_000);
      assert.deepEqual(delivered, []);
      relay.newConnections = 'pass';
      assert.equal(await follower.done, 'terminated');
      assert.deepEqual(delivered, entries.map((entry) => entry.text));
    });
  });

  test('a finished pod: its whole log read once, and a follow that reads it whole and ends', async () => {
    const pod = loggingPod('finished');
    const second = thisSecond();
    const entries = lines(second, [1, 'alpha'], [1, 'alpha'], [2, ''], [3, 'omega']);
    pod.write(entries);
    await waitFor('the pod to run', () => podPhase(namespace, 'finished') === 'Running', 30_000);
    pod.terminate();

    const texts = entries.map((entry) => entry.text);
    assert.deepEqual(await readPodLog(devClients(), pod), texts);
    const delivered: string[] = [];
    const follower = followPodLog(devClients(), pod, { onLine: (text) => delivered.push(text) });
    assert.equal(await follower.done, 'terminated');
    assert.deepEqual(delivered, texts);
  });

  test('stop() ends a follow at once and leaves nothing open', async () => {
    const pod = loggingPod('stopped');
    await waitFor('the pod to run', () => podPhase(namespace, 'stopped') === 'Running', 30_000);
    const handlesBefore = activeHandles();
    const delivered: string[] = [];
    const follower: PodLogFollower = followPodLog(devClients(), pod, { onLine: (text) => delivered.push(text), statusIntervalMs: 300 });
    pod.write(lines(thisSecond(), [0, 'hello']));
    await waitFor('the line', () => delivered.length === 1, 20_000);
    assert.equal(await follower.stop(), 'stopped');
    await assertNothingLeftOpen(handlesBefore);
  });

  test('what cannot be followed says what and where', async () => {
    const pod = loggingPod('wrong-container');
    const clients = devClients();
    await assert.rejects(
      followPodLog(clients, { ...pod, container: 'nosuch' }, { onLine: () => {} }).done,
      (error: unknown) => error instanceof FerryError && error.category === 'not-found' && /container "nosuch" of pod .*\/wrong-container: the pod has no such container \(it has "step"\)/.test(error.message),
    );
    await assert.rejects(
      followPodLog(clients, { ...pod, pod: 'absent' }, { onLine: () => {} }).done,
      (error: unknown) => error instanceof FerryError && error.category === 'not-found' && /pod .*\/absent does not exist/.test(error.message),
    );
    await assert.rejects(readPodLog(clients, { ...pod, pod: 'absent' }), (error: unknown) => {
      assert.ok(error instanceof FerryError);
      assert.match(error.message, /^context "[^"]+" \(https:\/\/127\.0\.0\.1:\d+\): reading the log of container "step" of pod .*\/absent: HTTP 404 Not Found: pods "absent" not found$/);
      return true;
    });
  });
});
