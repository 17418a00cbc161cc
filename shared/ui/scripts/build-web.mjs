// Browser bundles of each view for webviews: `npm run build:web -w @ferry/ui`
// after `npm run build` (it bundles the compiled dist/web entries). Writes
// dist-web/{log-view,metrics-view,parameter-form,compare-view}.js (IIFE, React included),
// dist-web/compare-explore.js (the compare view's ECharts charts, which compare-view.js
// loads as a second script only when the user opens one) and dist-web/ferry-ui.css.
// See README, "In a VS Code webview".
import { build } from 'esbuild';
import { fileURLToPath } from 'node:url';
import path from 'node:path';

const packageRoot = path.dirname(path.dirname(fileURLToPath(import.meta.url)));

export const VIEWS = [
  { file: 'log-view', globalName: 'FerryLogView' },
  { file: 'metrics-view', globalName: 'FerryMetricsView' },
  { file: 'parameter-form', globalName: 'FerryParameterForm' },
  { file: 'compare-view', globalName: 'FerryCompareView' },
  { file: 'compare-explore', globalName: 'FerryCompareExplore' },
];

/** Builds every bundle into `outdir`; returns the files written. */
export async function buildWebBundles({ outdir = path.join(packageRoot, 'dist-web'), minify = true } = {}) {
  const common = {
    bundle: true,
    minify,
    sourcemap: 'linked',
    target: ['es2022'],
    platform: 'browser',
    legalComments: 'linked',
    define: { 'process.env.NODE_ENV': '"production"' },
    logLevel: 'warning',
  };
  const written = [];
  for (const view of VIEWS) {
    const outfile = path.join(outdir, `${view.file}.js`);
    await build({ ...common, entryPoints: [path.join(packageRoot, 'dist/web', `${view.file}.js`)], format: 'iife', globalName: view.globalName, outfile });
    written.push(outfile);
  }
  const css = path.join(outdir, 'ferry-ui.css');
  await build({ ...common, entryPoints: [path.join(packageRoot, 'style/index.css')], outfile: css });
  written.push(css);
  return written;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const files = await buildWebBundles();
  for (const file of files) console.log(path.relative(process.cwd(), file));
}
