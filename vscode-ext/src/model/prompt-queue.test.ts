import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { PromptRequest } from '@ferry/core';
import { PromptQueue } from './prompt-queue.js';

const hostKey = (id: string): PromptRequest => ({ id, kind: 'unknown-host-key', target: 'slurm', host: 'login', port: 22, keyType: 'ssh-ed25519', fingerprint: 'SHA256:abc' });

test('questions are asked one at a time, in the order they came', () => {
  const shown: string[] = [];
  const queue = new PromptQueue((prompt) => shown.push(prompt.id), () => undefined);
  queue.apply({ type: 'prompt', prompt: hostKey('a') });
  queue.apply({ type: 'prompt', prompt: hostKey('b') });
  queue.apply({ type: 'prompt', prompt: hostKey('a') }); // listed again after a reconnect
  assert.deepEqual(shown, ['a']);
  queue.done('a');
  assert.deepEqual(shown, ['a', 'b']);
});

test('a question answered elsewhere closes if shown and is never asked if waiting', () => {
  const shown: string[] = [];
  const closed: string[] = [];
  const queue = new PromptQueue((prompt) => shown.push(prompt.id), (id) => closed.push(id));
  queue.apply({ type: 'prompt', prompt: hostKey('a') });
  queue.apply({ type: 'prompt', prompt: hostKey('b') });
  queue.apply({ type: 'prompt', prompt: hostKey('c') });
  queue.apply({ type: 'settled', id: 'b' });
  queue.apply({ type: 'settled', id: 'a' });
  assert.deepEqual(closed, ['a']);
  assert.deepEqual(shown, ['a', 'c']);
});
