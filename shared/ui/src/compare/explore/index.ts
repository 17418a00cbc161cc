/** The exploration charts' module, loaded on demand (see types.ts): ECharts and the option builders. */
export { createExploreChart } from './chart.js';
export { buildOption, parallelOption, scatterOption, barOption } from './options.js';
