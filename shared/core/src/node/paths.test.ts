import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { ferryPaths } from './paths.js';

const root = mkdtempSync(join(tmpdir(), 'ferry-paths-test-'));
after(() => rmSync(root, { recursive: true, force: true }));

test('FERRY_HOME holds config, discovery and (by default) the data directory', () => {
  const home = join(root, 'a', 'ferry-home');
  const paths = ferryPaths({ FERRY_HOME: home, XDG_DATA_HOME: join(root, 'ignored') });
  assert.deepEqual(paths, {
    home,
    configFile: join(home, 'config.json'),
    discoveryFile: join(home, 'server.json'),
    dataDir: join(home, 'data'),
    dbFile: join(home, 'data', 'ferry.db'),
    runsDir: join(home, 'data', 'runs'),
  });
});

test('FERRY_DATA_DIR wins over FERRY_HOME for the data directory', () => {
  const paths = ferryPaths({ FERRY_HOME: join(root, 'b', 'home'), FERRY_DATA_DIR: join(root, 'b', 'data') });
  assert.equal(paths.dataDir, join(root, 'b', 'data'));
  assert.equal(paths.dbFile, join(root, 'b', 'data', 'ferry.db'));
});

test('without FERRY_HOME: ~/.ferry and the XDG data directory', () => {
  const fakeHome = join(root, 'c', 'user');
  assert.deepEqual(
    [ferryPaths({ HOME: fakeHome }).home, ferryPaths({ HOME: fakeHome }).dataDir],
    [join(fakeHome, '.ferry'), join(fakeHome, '.local', 'share', 'ferry')],
  );
  assert.equal(ferryPaths({ HOME: fakeHome, XDG_DATA_HOME: join(root, 'c', 'xdg') }).dataDir, join(root, 'c', 'xdg', 'ferry'));
});

test('directories are created private to the user (0700)', () => {
  const paths = ferryPaths({ FERRY_HOME: join(root, 'd', 'home') });
  for (const dir of [paths.home, paths.dataDir, paths.runsDir]) {
    assert.equal(statSync(dir).mode & 0o777, 0o700, dir);
  }
});
