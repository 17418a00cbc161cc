import type { PromptAnswer, PromptEvent, PromptRequest } from '@ferry/core';
import type { Router } from '../http/router.js';
import { readJson, sendJson } from '../http/respond.js';
import { openEventStream } from '../http/sse.js';
import type { ServerContext } from './context.js';

/** SSH prompts and host-key questions, relayed to whichever client answers first. */
export function registerPromptRoutes(router: Router, { engine }: ServerContext): void {
  const broker = engine.prompts;

  router.on('GET', '/api/prompts/events', ({ req, res }) => {
    const stream = openEventStream(req, res);
    const onPrompt = (prompt: PromptRequest) => stream.send({ type: 'prompt', prompt } satisfies PromptEvent);
    const onSettled = (id: string) => stream.send({ type: 'settled', id } satisfies PromptEvent);
    broker.on('prompt', onPrompt);
    broker.on('settled', onSettled);
    stream.onClose(() => {
      broker.off('prompt', onPrompt);
      broker.off('settled', onSettled);
    });
    for (const prompt of broker.list()) stream.send({ type: 'prompt', prompt } satisfies PromptEvent);
  });

  router.on('POST', '/api/prompts/:id', async ({ req, res, params }) => {
    broker.answer(params.id!, (await readJson(req)) as PromptAnswer);
    sendJson(res, 200, { ok: true });
  });
}
