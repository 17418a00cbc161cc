// Bundles the extension (Node, CommonJS, as VS Code loads it) and the webview
// pages: @ferry/ui's browser bundles (built from its compiled dist/ straight
// into bundle/webview, so the .vsix always ships the views of this checkout),
// the page's boot script and its stylesheet. bundle/webview is the only
// folder a webview may load files from.
import { copyFile, mkdir, rm, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { buildWebBundles } from '../../shared/ui/scripts/build-web.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const production = process.argv.includes('--production');
const webview = join(root, 'bundle/webview');

await build({
  entryPoints: [join(root, 'src/extension.ts')],
  outfile: join(root, 'bundle/extension.cjs'),
  bundle: true,
  platform: 'node',
  format: 'cjs',
  target: 'node20',
  external: ['vscode'],
  sourcemap: !production,
  minify: production,
  logLevel: 'warning',
});

await rm(webview, { recursive: true, force: true });
await mkdir(webview, { recursive: true });
await buildWebBundles({ outdir: webview, minify: true });
await build({
  entryPoints: [join(root, 'src/webview/boot.ts')],
  outfile: join(webview, 'boot.js'),
  bundle: true,
  platform: 'browser',
  format: 'iife',
  target: 'es2022',
  minify: production,
  logLevel: 'warning',
});
await copyFile(join(root, 'media/webview.css'), join(webview, 'page.css'));
// Marks the bundle folder CommonJS whatever the package's own type says.
await writeFile(join(root, 'bundle/package.json'), '{ "type": "commonjs" }\n');
