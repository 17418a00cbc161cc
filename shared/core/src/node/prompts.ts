/**
 * Questions targets must ask a person (SSH keyboard-interactive prompts, new
 * host keys, key passphrases). The server has no terminal: it holds each
 * question here, every client that listens shows it, and the first answer
 * settles it. Answers are secrets: they live only in the promise they
 * resolve, never in logs, events or the store.
 */
import { randomUUID } from 'node:crypto';
import { EventEmitter } from 'node:events';
import type { PromptAnswer, PromptRequest } from '../api/contract.js';
import { FerryError } from '../errors.js';

/** A prompt as a target asks it, before the broker gives it an id. */
export type PromptQuestion = PromptRequest extends infer R ? (R extends PromptRequest ? Omit<R, 'id'> : never) : never;

interface Pending {
  request: PromptRequest;
  resolve(answer: PromptAnswer): void;
  timer: NodeJS.Timeout;
}

export interface PromptBrokerEvents {
  prompt: [PromptRequest];
  settled: [string];
}

export class PromptBroker extends EventEmitter<PromptBrokerEvents> {
  private readonly pending = new Map<string, Pending>();

  constructor(private readonly timeoutMs = 5 * 60_000) {
    super();
  }

  /** Waits for a person's answer; a 'target' error when nobody answers in time or they decline. */
  ask(question: PromptQuestion): Promise<PromptAnswer> {
    const request = { ...question, id: randomUUID() } as PromptRequest;
    return new Promise<PromptAnswer>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.settle(request.id);
        reject(
          new FerryError(
            'target',
            `target "${request.target}" waited ${Math.round(this.timeoutMs / 1000)} s for an answer to ${describe(request)}; ` +
              'answer it in a Ferry panel or with a `ferry` command that is waiting on the run',
          ),
        );
      }, this.timeoutMs);
      timer.unref();
      this.pending.set(request.id, { request, resolve, timer });
      this.emit('prompt', request);
    });
  }

  list(): PromptRequest[] {
    return [...this.pending.values()].map((p) => p.request);
  }

  answer(id: string, answer: PromptAnswer): void {
    const pending = this.pending.get(id);
    if (!pending) throw new FerryError('not-found', `no pending prompt ${id} (already answered, or timed out)`);
    checkShape(pending.request, answer);
    this.settle(id);
    pending.resolve(answer);
  }

  private settle(id: string): void {
    const pending = this.pending.get(id);
    if (!pending) return;
    clearTimeout(pending.timer);
    this.pending.delete(id);
    this.emit('settled', id);
  }
}

function describe(request: PromptRequest): string {
  switch (request.kind) {
    case 'keyboard-interactive':
      return `the SSH prompt "${request.prompts.map((p) => p.prompt.trim()).join(' / ')}"`;
    case 'unknown-host-key':
      return `whether to trust the host key ${request.fingerprint} of ${request.host}:${request.port}`;
    case 'passphrase':
      return `the passphrase of ${request.keyFile}`;
  }
}

function checkShape(request: PromptRequest, answer: PromptAnswer): void {
  if ('cancel' in answer && answer.cancel === true) return;
  const ok =
    (request.kind === 'keyboard-interactive' &&
      'answers' in answer &&
      Array.isArray(answer.answers) &&
      answer.answers.length === request.prompts.length &&
      answer.answers.every((a) => typeof a === 'string')) ||
    (request.kind === 'unknown-host-key' && 'accept' in answer && typeof answer.accept === 'boolean') ||
    (request.kind === 'passphrase' && 'passphrase' in answer && typeof answer.passphrase === 'string');
  if (!ok) {
    const expected = { 'keyboard-interactive': `{"answers": [${request.kind === 'keyboard-interactive' ? request.prompts.length : 0} strings]}`, 'unknown-host-key': '{"accept": true|false}', passphrase: '{"passphrase": "..."}' }[request.kind];
    throw new FerryError('request', `a ${request.kind} prompt is answered with ${expected} or {"cancel": true}`);
  }
}
