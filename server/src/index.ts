export { createApp, type AppOptions } from './app.js';
export { serve, type RunningServer, type ServeOptions } from './serve.js';
export { connect, serverEntryPath } from './launch.js';
