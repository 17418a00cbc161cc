import '../testing/dom.js';
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { runInThisContext } from 'node:vm';
import type { ViewToHostMessage } from '@ferry/core';
import type { MountedView } from '../mount.js';
import type { ViewHost } from '../host.js';

// The build script lives beside dist/: shared/ui/scripts/build-web.mjs.
const buildScript = new URL('../../scripts/build-web.mjs', import.meta.url).href;

interface BundleGlobal {
  mount(element: HTMLElement, host: ViewHost): MountedView;
  windowMessageHost(post: (message: ViewToHostMessage) => void): ViewHost;
}

let outdir: string;

async function until(condition: () => boolean, what: string): Promise<void> {
  for (let i = 0; i < 200 && !condition(); i++) await new Promise((resolve) => setTimeout(resolve, 10));
  assert.ok(condition(), what);
}

before(async () => {
  outdir = await mkdtemp(path.join(tmpdir(), 'ferry-web-'));
  const { buildWebBundles } = (await import(buildScript)) as { buildWebBundles(options: { outdir: string; minify: boolean }): Promise<string[]> };
  await buildWebBundles({ outdir, minify: true });
});
after(() => rm(outdir, { recursive: true, force: true }));

describe('browser bundles', () => {
  test('the log view bundle mounts in a page and talks through window messages', async () => {
    runInThisContext(await readFile(path.join(outdir, 'log-view.js'), 'utf8'));
    const bundle = (globalThis as unknown as { FerryLogView: BundleGlobal }).FerryLogView;
    const posted: ViewToHostMessage[] = [];
    const element = document.createElement('div');
    document.body.appendChild(element);
    const view = bundle.mount(element, bundle.windowMessageHost((message) => posted.push(message)));

    await until(() => posted.length > 0, 'the view says ready');
    assert.deepEqual(posted[0], { type: 'ready', view: 'log', protocol: 1 });
    const data = 'hello from the bundle\n';
    window.dispatchEvent(
      new MessageEvent('message', {
        data: { type: 'log/init', runId: 'r', step: 'train', chunk: { offset: 0, nextOffset: data.length, size: data.length, data }, finished: true },
      }),
    );
    await until(() => element.querySelector('.ferry-log-line')?.textContent === 'hello from the bundle', 'the line shows');
    // The bundle draws its toolbar with VS Code's own controls.
    assert.ok(element.querySelector('vscode-textfield.ferry-log-search'), 'the search box is a vscode-textfield');
    assert.ok(element.querySelector('vscode-button.ferry-log-follow'), 'follow is a vscode-button');
    assert.equal(element.querySelector('input, button'), null, 'no plain HTML controls');
    view.dispose();
    assert.equal(element.querySelector('.ferry-log-view'), null);
  });

  test('every view has its bundle and one stylesheet carries uPlot and the theme classes', async () => {
    for (const [file, name] of [
      ['metrics-view.js', 'FerryMetricsView'],
      ['parameter-form.js', 'FerryParameterForm'],
      ['compare-view.js', 'FerryCompareView'],
    ]) {
      runInThisContext(await readFile(path.join(outdir, file!), 'utf8'));
      assert.equal(typeof (globalThis as unknown as Record<string, BundleGlobal>)[name!]!.mount, 'function', file);
    }
    const css = await readFile(path.join(outdir, 'ferry-ui.css'), 'utf8');
    assert.match(css, /\.uplot/);
    assert.match(css, /\.ferry-compare-table/);
    assert.match(css, /\.ferry-ansi-fg-1\{color:var\(--ferry-ansi-1\)\}/);
  });

  test('ECharts is only in compare-explore.js, the bundle the compare view loads when the user opens an exploration chart', async () => {
    const view = await readFile(path.join(outdir, 'compare-view.js'), 'utf8');
    const explore = await readFile(path.join(outdir, 'compare-explore.js'), 'utf8');
    // ECharts' own marks: the instance id prefix and the parallel axis brush action.
    for (const mark of ['echarts_instance_', 'axisAreaSelect']) {
      assert.ok(!view.includes(mark), `compare-view.js does not carry ECharts (${mark})`);
      assert.ok(explore.includes(mark), `compare-explore.js carries ECharts (${mark})`);
    }
    assert.ok(!/__SECRET_INTERNALS|useLayoutEffect/.test(explore), 'compare-explore.js carries no second React');
    runInThisContext(explore);
    const module = (globalThis as unknown as Record<string, { createExploreChart?: unknown }>)['FerryCompareExplore'];
    assert.equal(typeof module?.createExploreChart, 'function');
  });
});
