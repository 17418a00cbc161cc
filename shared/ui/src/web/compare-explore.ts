/** Entry of the `compare-explore.js` browser bundle: the compare view's exploration charts (ECharts), loaded by compare-view.js on first use. */
export * from '../compare/explore/index.js';
