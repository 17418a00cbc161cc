import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { PromptAnswer, PromptRequest } from '../../api/contract.js';
import { PromptBroker } from '../prompts.js';
import { brokerPrompter } from './ssh-prompter.js';

/** A broker whose every prompt is answered by `answer`, recording what was asked. */
function answeringBroker(answer: (request: PromptRequest) => PromptAnswer): { broker: PromptBroker; asked: PromptRequest[] } {
  const broker = new PromptBroker(5_000);
  const asked: PromptRequest[] = [];
  broker.on('prompt', (request) => {
    asked.push(request);
    queueMicrotask(() => broker.answer(request.id, answer(request)));
  });
  return { broker, asked };
}

test('the SSH questions travel through the prompt broker, named after the target', async () => {
  const { broker, asked } = answeringBroker((request) =>
    request.kind === 'keyboard-interactive' ? { answers: ['123456'] } : request.kind === 'unknown-host-key' ? { accept: true } : { passphrase: 'pw' },
  );
  const prompter = brokerPrompter(broker, 'hpc');
  assert.deepEqual(await prompter.keyboardInteractive({ name: '', instructions: 'MFA', prompts: [{ prompt: 'Code: ', echo: false }] }), ['123456']);
  assert.equal(await prompter.unknownHostKey({ host: 'login1', port: 22, keyType: 'ssh-ed25519', fingerprint: 'SHA256:x' }), true);
  assert.equal(await prompter.passphrase({ keyFile: '/home/a/.ssh/id_ed25519' }), 'pw');
  assert.deepEqual(
    asked.map(({ kind, target }) => ({ kind, target })),
    [
      { kind: 'keyboard-interactive', target: 'hpc' },
      { kind: 'unknown-host-key', target: 'hpc' },
      { kind: 'passphrase', target: 'hpc' },
    ],
  );
});

test('a cancelled prompt declines: no host key trust, no passphrase, a failed login', async () => {
  const { broker } = answeringBroker(() => ({ cancel: true }));
  const prompter = brokerPrompter(broker, 'hpc');
  assert.equal(await prompter.unknownHostKey({ host: 'login1', port: 22, keyType: 'ssh-ed25519', fingerprint: 'SHA256:x' }), false);
  assert.equal(await prompter.passphrase({ keyFile: 'k' }), undefined);
  await assert.rejects(prompter.keyboardInteractive({ name: '', instructions: '', prompts: [{ prompt: 'Password: ', echo: false }] }), /cancelled at the prompt "Password:"/);
});
