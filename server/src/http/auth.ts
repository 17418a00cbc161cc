/** Every request must carry the server's token; compared in constant time. */
import { timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { FerryError } from '@ferry/core';

export function checkToken(req: IncomingMessage, token: string): void {
  const header = req.headers.authorization ?? '';
  const given = header.startsWith('Bearer ') ? header.slice('Bearer '.length) : '';
  const expected = Buffer.from(token);
  const actual = Buffer.from(given);
  if (actual.length !== expected.length || !timingSafeEqual(actual, expected)) {
    throw new FerryError('auth', 'missing or wrong token: send "Authorization: Bearer <token>" from the discovery file');
  }
}
