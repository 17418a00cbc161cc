export * from './contract.js';
export * from './client.js';
export { CompareTables } from './compare-tables.js';
export { SseParser, readSse, type SseMessage } from './sse.js';
export * from './webview-protocol.js';
