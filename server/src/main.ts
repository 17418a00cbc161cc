/** `node server/dist/main.js [--port N]`: the server process the clients start. */
import { parseArgs } from 'node:util';
import { formatError, isFerryError } from '@ferry/core';
import { serve } from './serve.js';

const { values } = parseArgs({ options: { port: { type: 'string' } } });
try {
  const server = await serve({ port: values.port ? Number(values.port) : 0 });
  console.log(`ferry server listening on ${server.url} (pid ${process.pid})`);
  const stop = () => {
    void server.close().then(() => process.exit(0));
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
} catch (error) {
  console.error(isFerryError(error) ? formatError(error) : error);
  process.exit(1);
}
