// Merged into @jupyterlab/builder's config. @ferry/core comes from the root
// workspace's node_modules, which lacks the builder's browser shims (process);
// resolve those from this package's own node_modules as a fallback.
const path = require('path');

module.exports = {
  resolve: {
    modules: ['node_modules', path.resolve(__dirname, 'node_modules')],
  },
};
