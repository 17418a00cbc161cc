export * from './downsample.js';
export * from './reducers.js';
export * from './parameters.js';
export * from './job-facts.js';
