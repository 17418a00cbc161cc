/**
 * Galata in Debian's chromium (never a downloaded browser) against the
 * JupyterLab that scripts/jupyterlab-e2e.sh prepares: `local` runs against the
 * local target, `slurm` against the dev cluster, `kubernetes` against the dev
 * Kubernetes control plane.
 */
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import baseConfig from '@jupyterlab/galata/lib/playwright-config.js';
import { defineConfig } from '@playwright/test';

const here = dirname(fileURLToPath(import.meta.url));
const port = process.env.FERRY_JLAB_PORT ?? '8888';
const venv = process.env.FERRY_JLAB_VENV ?? resolve(here, '../../.cache/jlab-venv');

export default defineConfig({
  ...baseConfig,
  testDir: './tests',
  reporter: [
    ['list'],
    ['html', { open: 'never', outputFolder: './playwright-report' }],
    // scripts/jupyterlab-test.sh sets the file to count results for scripts/test.sh.
    ...(process.env.PLAYWRIGHT_JUNIT_OUTPUT_FILE ? [['junit'] as ['junit']] : []),
  ],
  workers: 1,
  retries: 0,
  timeout: 180_000,
  expect: { timeout: 30_000 },
  use: {
    ...baseConfig.use,
    baseURL: `http://127.0.0.1:${port}`,
    launchOptions: { executablePath: '/usr/bin/chromium' },
    screenshot: 'only-on-failure',
    trace: 'retain-on-failure',
    video: 'off',
  },
  projects: [
    // One output folder each: a run of one project must not wipe the other's failure screenshots.
    { name: 'local', testMatch: /local\.spec\.ts/, outputDir: './test-results/local' },
    { name: 'slurm', testMatch: /slurm\.spec\.ts/, outputDir: './test-results/slurm', timeout: 600_000 },
    { name: 'kubernetes', testMatch: /kubernetes\.spec\.ts/, outputDir: './test-results/kubernetes', timeout: 300_000 },
  ],
  webServer: {
    command: `${venv}/bin/jupyter lab --config jupyter_server_test_config.py`,
    cwd: here,
    url: `http://127.0.0.1:${port}/lab`,
    timeout: 120_000,
    reuseExistingServer: false,
    stdout: 'pipe',
  },
});
