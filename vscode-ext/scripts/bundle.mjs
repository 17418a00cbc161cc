// Bundles the extension (Node, CommonJS, as VS Code loads it) and the log view's page script (browser).
import { copyFile, mkdir, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const production = process.argv.includes('--production');

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

await build({
  entryPoints: [join(root, 'src/webview/log-view.ts')],
  outfile: join(root, 'bundle/webview/log-view.js'),
  bundle: true,
  platform: 'browser',
  format: 'iife',
  target: 'es2022',
  sourcemap: !production,
  minify: production,
  logLevel: 'warning',
});

await mkdir(join(root, 'bundle/webview'), { recursive: true });
await copyFile(join(root, 'media/log-view.css'), join(root, 'bundle/webview/log-view.css'));
// Marks the bundle folder CommonJS whatever the package's own type says.
await writeFile(join(root, 'bundle/package.json'), '{ "type": "commonjs" }\n');
