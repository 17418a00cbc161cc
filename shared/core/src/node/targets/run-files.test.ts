/**
 * Reading a whole file of a run directory: which paths may be asked for, and
 * what both targets answer, on the same files. The Slurm target runs its
 * generated script through bash on this machine (a login-node install), the
 * same script SSH carries to a cluster.
 */
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { FerryError } from '../../errors.js';
import type { Run } from '../../run.js';
import { LocalCommandRunner } from '../remote/local-runner.js';
import { SlurmTarget } from '../slurm/slurm-target.js';
import { LocalTarget } from './local.js';
import { checkRunFilePath } from './run-files.js';
import type { Target } from './target.js';

const refused = (pattern: RegExp) => (error: unknown) => error instanceof FerryError && error.category === 'request' && pattern.test(error.message);

describe('checkRunFilePath', () => {
  test('accepts files under steps/<step>/', () => {
    for (const path of ['steps/train/executed.ipynb', 'steps/_prep-2/log.txt', 'steps/train/mlruns/0/meta.yaml']) {
      assert.equal(checkRunFilePath(path), path);
    }
  });

  test('refuses a way out of the run directory, saying what is wrong', () => {
    const cases: Array<[string, RegExp]> = [
      ['../../etc/passwd', /only files under steps\/<step>\//],
      ['/etc/passwd', /only files under steps\/<step>\//],
      ['steps/../../../etc/passwd', /"\.\." is not a step name/],
      ['steps/train/../../../etc/passwd', /"\.\." is not allowed in the path/],
      ['steps/train/./executed.ipynb', /"\." is not allowed/],
      ['steps/train/..\\..\\x', /is not allowed/],
      ['steps/train/.ssh', /"\.ssh" is not allowed/],
      ['steps/train//executed.ipynb', /empty segment/],
      ['steps/train/', /empty segment/],
      ['steps/train', /only files under steps\/<step>\//],
      ['spec.json', /only files under steps\/<step>\//],
      ['steps/a b/executed.ipynb', /"a b" is not a step name/],
      ["steps/train/x'; rm -rf ~; '", /is not allowed/],
      ['steps/train/$(id)', /is not allowed/],
      ['steps/train/x\0y', /is not allowed/],
    ];
    for (const [path, pattern] of cases) assert.throws(() => checkRunFilePath(path), refused(pattern), path);
  });
});

describe('readRunFile on both targets', () => {
  let dir: string;
  let run: Run;
  const notebook = Buffer.concat([Buffer.from('{"nbformat": 4, "cells": ["é ✓"]}\n'), Buffer.from([0xff, 0x00, 0x80])]);
  const targets: Target[] = [];

  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'ferry-run-files-'));
    // A quote and a space in the run directory: it must reach the shell quoted.
    const runDir = join(dir, "alice's runs", 'r-1');
    mkdirSync(join(runDir, 'steps', 'train'), { recursive: true });
    writeFileSync(join(runDir, 'steps', 'train', 'executed.ipynb'), notebook);
    writeFileSync(join(runDir, 'spec.json'), '{}');
    writeFileSync(join(dir, 'secret'), 'not for clients');
    symlinkSync(join(dir, 'secret'), join(runDir, 'steps', 'train', 'leak.txt'));
    symlinkSync('../../spec.json', join(runDir, 'steps', 'train', 'spec-link.json'));
    run = { id: 'r-1', target: 'here', runDir, mode: 'notebook', pipeline: 'p', notebookPath: join(dir, 'p.ipynb'), state: 'succeeded', parameters: {}, createdAt: '', steps: [] };
    targets.push(
      new LocalTarget('here', { type: 'local', python: 'python3', maxParallel: 1 }, { runsDir: dir }),
      new SlurmTarget('here', { type: 'slurm', host: 'localhost', workdir: dir, python: 'python3', setup: [], local: true }, { connect: () => new LocalCommandRunner() }),
    );
  });
  after(async () => {
    await Promise.all(targets.map((target) => target.dispose()));
    rmSync(dir, { recursive: true, force: true });
  });

  const each = async (check: (target: Target) => Promise<void>) => {
    for (const target of targets) await check(target);
  };

  test('return the bytes exactly', () =>
    each(async (target) => {
      assert.deepEqual(await target.readRunFile(run, 'steps/train/executed.ipynb', 1024), notebook, target.type);
      assert.equal((await target.readRunFile(run, 'steps/train/spec-link.json', 1024)).toString(), '{}', `${target.type}: a link inside the run directory is fine`);
    }));

  test('a missing file is not-found, naming it and where it was looked for', () =>
    each(async (target) => {
      for (const path of ['steps/evaluate/executed.ipynb', 'steps/train/nothing.ipynb', 'steps/train/executed.ipynb/x']) {
        await assert.rejects(target.readRunFile(run, path, 1024), (error: unknown) => {
          assert.ok(error instanceof FerryError, `${target.type}: ${String(error)}`);
          assert.equal(error.category, 'not-found', `${target.type}: ${error.message}`);
          assert.ok(error.message.includes(path) && error.message.includes(run.runDir), error.message);
          return true;
        });
      }
    }));

  test('a file over the cap is refused with its size', () =>
    each(async (target) => {
      await assert.rejects(target.readRunFile(run, 'steps/train/executed.ipynb', notebook.length - 1), (error: unknown) => {
        assert.ok(error instanceof FerryError && error.category === 'conflict', `${target.type}: ${String(error)}`);
        assert.match(error.message, new RegExp(`is ${notebook.length} bytes, more than the ${notebook.length - 1} bytes`));
        return true;
      });
    }));

  test('a symbolic link out of the run directory is not followed', () =>
    each(async (target) => {
      await assert.rejects(target.readRunFile(run, 'steps/train/leak.txt', 1024), refused(/leads outside the run directory/), target.type);
    }));

  test('a path escape is refused before anything is read', () =>
    each(async (target) => {
      await assert.rejects(target.readRunFile(run, 'steps/train/../../../secret', 1024), refused(/is not allowed in the path/), target.type);
      await assert.rejects(target.readRunFile(run, '../secret', 1024), refused(/only files under steps/), target.type);
    }));
});
