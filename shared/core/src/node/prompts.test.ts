import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { PromptRequest } from '../api/contract.js';
import { FerryError } from '../errors.js';
import { PromptBroker } from './prompts.js';

test('a question waits for the first answer, and every listener hears it settled', async () => {
  const broker = new PromptBroker();
  const seen: PromptRequest[] = [];
  const settled: string[] = [];
  broker.on('prompt', (p) => seen.push(p));
  broker.on('settled', (id) => settled.push(id));
  const asked = broker.ask({ kind: 'keyboard-interactive', target: 'hpc', name: '', instructions: 'Duo', prompts: [{ prompt: 'Code: ', echo: false }] });
  assert.equal(seen.length, 1);
  assert.deepEqual(broker.list(), seen);
  broker.answer(seen[0]!.id, { answers: ['123456'] });
  assert.deepEqual(await asked, { answers: ['123456'] });
  assert.deepEqual(settled, [seen[0]!.id]);
  assert.equal(broker.list().length, 0);
  assert.throws(() => broker.answer(seen[0]!.id, { answers: ['again'] }), (e: unknown) => e instanceof FerryError && e.category === 'not-found');
});

test('an answer of the wrong shape is refused and the question stays open', async () => {
  const broker = new PromptBroker();
  const asked = broker.ask({ kind: 'unknown-host-key', target: 'hpc', host: 'login1', port: 22, keyType: 'ssh-ed25519', fingerprint: 'SHA256:abc' });
  const [prompt] = broker.list();
  assert.throws(() => broker.answer(prompt!.id, { answers: ['yes'] }), (e: unknown) => e instanceof FerryError && e.category === 'request');
  broker.answer(prompt!.id, { accept: false });
  assert.deepEqual(await asked, { accept: false });
});

test('nobody answering in time is a target error naming what was asked', async () => {
  const broker = new PromptBroker(20);
  const keepAlive = setTimeout(() => undefined, 5_000); // the broker's own timer does not hold the process open
  await assert.rejects(
    broker.ask({ kind: 'passphrase', target: 'hpc', keyFile: '/home/me/.ssh/id_ed25519' }),
    (e: unknown) => e instanceof FerryError && e.category === 'target' && /passphrase of \/home\/me\/.ssh\/id_ed25519/.test(e.message),
  );
  assert.equal(broker.list().length, 0);
  clearTimeout(keepAlive);
});
