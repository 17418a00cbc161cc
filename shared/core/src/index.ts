/** @ferry/core, browser-safe entry: no Node APIs, no native modules. */
export * from './spec.js';
export * from './errors.js';
export * from './run.js';
export * from './api/index.js';
export * from './notebook/index.js';
export * from './tags/index.js';
export * from './python/index.js';
export * from './compiler/index.js';
export * from './parameters/index.js';
export * from './sweeps/index.js';
export * from './compare/index.js';
export * from './export/index.js';
