/**
 * Keyboard-interactive logins (passwords, MFA codes) through the prompter.
 * The dev cluster's OpenSSH runs without PAM, so it cannot ask such
 * questions; these tests use the SSH server of the ssh2 library instead — a
 * real SSH protocol peer over TCP, set up like a site that wants a key AND a
 * one-time code (OpenSSH's `AuthenticationMethods publickey,keyboard-interactive`).
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, afterEach, before, describe, test } from 'node:test';
import ssh2, { type Connection } from 'ssh2';
import { FerryError } from '../../errors.js';
import { resolveSshHost, type ResolvedHost } from './ssh-config.js';
import type { KeyboardInteractiveRequest, SshPrompter } from './ssh-prompter.js';
import { SshCommandRunner } from './ssh-runner.js';

const { Server, utils } = ssh2;

type Policy = 'key-then-code' | 'password';

describe('keyboard-interactive and password logins (ssh2 server)', () => {
  let dir: string;
  let server: InstanceType<typeof Server>;
  let port: number;
  let policy: Policy = 'key-then-code';
  const connections: Connection[] = [];
  const runners: SshCommandRunner[] = [];

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'ferry-ssh-auth-'));
    for (const name of ['host_key', 'user_key']) execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', join(dir, name)]);
    const userKey = utils.parseKey(readFileSync(join(dir, 'user_key.pub')));
    if (userKey instanceof Error) throw userKey;
    server = new Server({ hostKeys: [readFileSync(join(dir, 'host_key'))] }, (connection) => {
      connections.push(connection);
      connection.on('error', () => {});
      connection.on('authentication', (ctx) => {
        if (policy === 'password') {
          if (ctx.method === 'password' && ctx.password === 'hunter2') return ctx.accept();
          return ctx.reject(['password']);
        }
        if (ctx.method === 'publickey' && ctx.key.data.equals(userKey.getPublicSSH())) {
          if (!ctx.signature) return ctx.accept(); // "this key would do": the client signs next
          if (!userKey.verify(ctx.blob!, ctx.signature, ctx.hashAlgo)) return ctx.reject();
          return ctx.reject(['keyboard-interactive'], true); // key accepted; a code is still needed
        }
        if (ctx.method === 'keyboard-interactive') {
          return ctx.prompt([{ prompt: 'Verification code: ', echo: false }], 'Duo', 'Enter the code from your phone', (answers) =>
            answers[0] === '123456' ? ctx.accept() : ctx.reject(['keyboard-interactive']),
          );
        }
        ctx.reject(['publickey']);
      });
      connection.on('ready', () =>
        connection.on('session', (accept) =>
          accept().on('exec', (acceptExec, _reject, info) => {
            const channel = acceptExec();
            channel.write(`ran: ${info.command}`);
            channel.exit(0);
            channel.end();
          }),
        ),
      );
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as AddressInfo).port;
    const hostKey = readFileSync(join(dir, 'host_key.pub'), 'utf8').split(' ').slice(0, 2).join(' ');
    writeFileSync(join(dir, 'known_hosts'), `[127.0.0.1]:${port} ${hostKey}\n`);
  });
  afterEach(async () => {
    await Promise.all(runners.splice(0).map((runner) => runner.close()));
    policy = 'key-then-code';
  });
  after(async () => {
    await new Promise((resolve) => server.close(resolve));
    rmSync(dir, { recursive: true, force: true });
  });

  function destination(): ResolvedHost {
    writeFileSync(join(dir, 'config'), '');
    const base = resolveSshHost(`alice@127.0.0.1:${port}`, { configFile: join(dir, 'config'), env: { HOME: dir, USER: 'alice' } });
    return { ...base, identityFiles: [join(dir, 'user_key')], knownHostsFiles: [join(dir, 'known_hosts')], strictHostKeyChecking: 'yes' };
  }

  function prompter(answers: string[], asked: KeyboardInteractiveRequest[]): SshPrompter {
    return {
      keyboardInteractive: async (request) => {
        asked.push(request);
        const answer = answers.shift();
        if (answer === undefined) throw new FerryError('target', 'the person declined the prompt');
        return [answer];
      },
      unknownHostKey: async () => false,
      passphrase: async () => undefined,
    };
  }

  function runner(answers: string[], asked: KeyboardInteractiveRequest[]): SshCommandRunner {
    const created = new SshCommandRunner(destination(), { prompter: prompter(answers, asked) });
    runners.push(created);
    return created;
  }

  test('a key, then a one-time code: the prompter sees the server question as sent', async () => {
    const asked: KeyboardInteractiveRequest[] = [];
    const ssh = runner(['123456'], asked);
    assert.equal((await ssh.exec('id -un')).stdout.toString(), 'ran: id -un');
    assert.deepEqual(asked, [{ name: 'Duo', instructions: 'Enter the code from your phone', prompts: [{ prompt: 'Verification code: ', echo: false }] }]);
  });

  test('after the connection drops, the next command logs in again and asks again', async () => {
    const asked: KeyboardInteractiveRequest[] = [];
    const ssh = runner(['123456', '654321', '123456'], asked);
    await ssh.exec('first');
    connections.at(-1)!.end();
    await new Promise((resolve) => ssh.once('disconnected', resolve));
    assert.equal((await ssh.exec('second')).stdout.toString(), 'ran: second');
    assert.equal(asked.length, 3, 'one code for the first login, a wrong and a right one for the second');
  });

  test('wrong codes: the error says what was tried; a declined prompt fails with its own reason', async () => {
    const wrong = runner(['1', '2', '3'], []);
    await assert.rejects(wrong.exec('x'), /authentication as alice@127\.0\.0\.1:\d+ failed\. Tried: key .*user_key, keyboard-interactive\. The server accepts: keyboard-interactive/);
    const declined = runner([], []);
    await assert.rejects(declined.exec('x'), /the person declined the prompt/);
  });

  test('a password-only server: the password is asked through the prompter', async () => {
    policy = 'password';
    const asked: KeyboardInteractiveRequest[] = [];
    const ssh = runner(['hunter2'], asked);
    assert.equal((await ssh.exec('hostname')).stdout.toString(), 'ran: hostname');
    assert.deepEqual(asked[0]?.prompts, [{ prompt: "alice@127.0.0.1's password: ", echo: false }]);
  });
});
