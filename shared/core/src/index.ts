/** @ferry/core, browser-safe entry: no Node APIs, no native modules. */
export * from './spec.js';
export * from './errors.js';
export * from './run.js';
