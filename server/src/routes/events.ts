import type { Run } from '@ferry/core';
import type { Router } from '../http/router.js';
import { openEventStream } from '../http/sse.js';
import type { ServerContext } from './context.js';

/** Every run change, for side panels that show all runs live. */
export function registerEventRoutes(router: Router, { engine }: ServerContext): void {
  router.on('GET', '/api/events', ({ req, res }) => {
    const stream = openEventStream(req, res);
    const onChange = (event: { run: Run }) => stream.send({ run: event.run });
    engine.on('change', onChange);
    stream.onClose(() => engine.off('change', onChange));
  });
}
