/**
 * SshCommandRunner against the real OpenSSH server of the dev cluster
 * (scripts/dev-slurm.sh: sshd on 127.0.0.1:2222, user ferrytest). Skipped,
 * saying why, where that cluster is not running; CI always runs it.
 *
 * Evidence comes from outside the runner where it can: the TCP connections
 * this process holds (ss), what the remote shell sees ($SSH_CONNECTION,
 * $PPID), files and processes on the server.
 */
import assert from 'node:assert/strict';
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { randomBytes, createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { after, afterEach, before, describe, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { FerryError } from '../../errors.js';
import { shellQuote } from '../remote/command-runner.js';
import { resolveSshHost, type ResolvedHost } from './ssh-config.js';
import type { SshPrompter } from './ssh-prompter.js';
import { SshConnectionPool } from './ssh-pool.js';
import { SshCommandRunner, type SshRunnerOptions } from './ssh-runner.js';

const CLUSTER_FILE = process.env.FERRY_DEV_CLUSTER ?? '/var/lib/ferry-dev-cluster/cluster.json';

interface DevCluster {
  host: string;
  port: number;
  user: string;
  identityFile: string;
  knownHostsFile: string;
  sshConfigFile: string;
  /** The Host alias of sshConfigFile ("ferry-dev"). */
  sshHostAlias?: string;
  hostKeyFingerprint: string;
}

const cluster: DevCluster | undefined = existsSync(CLUSTER_FILE) ? (JSON.parse(readFileSync(CLUSTER_FILE, 'utf8')) as DevCluster) : undefined;
/** scripts/dev-slurm.sh keeps the sshd log next to cluster.json (LogLevel VERBOSE: one "Accepted publickey" line per login). */
const SSHD_LOG = join(dirname(CLUSTER_FILE), 'sshd.log');
const skip = cluster ? false : `no dev cluster: ${CLUSTER_FILE} does not exist (start one with scripts/dev-slurm.sh)`;

/** Fails a test that would otherwise hang, rather than the whole run. */
const TEST_TIMEOUT_MS = 60_000;

describe('SshCommandRunner on the dev cluster sshd', { skip, timeout: TEST_TIMEOUT_MS * 4 }, () => {
  const c = cluster!;
  let work: string;
  /** A home without ~/.ssh and an environment without an agent: nothing of the machine's own SSH set-up leaks in. */
  let env: Record<string, string>;
  const opened: Array<{ close(): Promise<void> }> = [];

  before(() => {
    work = mkdtempSync(join(tmpdir(), 'ferry-ssh-it-'));
    mkdirSync(join(work, 'home'));
    writeFileSync(join(work, 'empty_config'), '');
    env = { HOME: join(work, 'home'), USER: 'ferry-test-client' };
  });
  afterEach(async () => {
    await Promise.all(opened.splice(0).map((runner) => runner.close()));
  });
  after(() => rmSync(work, { recursive: true, force: true }));

  /** The dev cluster as a resolved destination, trusting its recorded host key only. */
  function clusterHost(overrides: Partial<ResolvedHost> = {}): ResolvedHost {
    const base = resolveSshHost(`${c.user}@${c.host}:${c.port}`, { configFile: join(work, 'empty_config'), env });
    return { ...base, identityFiles: [c.identityFile], knownHostsFiles: [c.knownHostsFile], strictHostKeyChecking: 'yes', ...overrides };
  }

  function runner(destination: ResolvedHost, options: SshRunnerOptions = {}): SshCommandRunner & { connects: number } {
    const created = Object.assign(new SshCommandRunner(destination, options), { connects: 0 });
    created.on('connected', () => created.connects++);
    opened.push(created);
    return created;
  }

  /** Local ports of this process's established TCP connections to the sshd. */
  function ourConnectionsToSshd(): number[] {
    const out = execFileSync('ss', ['-tnpH', 'state', 'established', `( dport = :${c.port} )`], { encoding: 'utf8' });
    return out
      .split('\n')
      .filter((line) => line.includes(`pid=${process.pid},`))
      .map((line) => Number(/:(\d+)\s+\S+:\d+\s/.exec(line)?.[1]));
  }

  const isTargetError = (pattern: RegExp) => (error: unknown) => {
    assert.ok(error instanceof FerryError, `a FerryError, not ${String(error)}`);
    assert.equal(error.category, 'target');
    assert.match(error.message, pattern);
    return true;
  };

  test('exec returns stdout, stderr and the exit code', async () => {
    const ssh = runner(clusterHost());
    const who = await ssh.exec('id -un');
    assert.equal(who.stdout.toString(), `${c.user}\n`);
    assert.equal(who.code, 0);
    const failing = await ssh.exec(`printf 'a\\0b'; echo 'to stderr' >&2; exit 3`);
    assert.deepEqual(failing.stdout, Buffer.from('a\0b'));
    assert.equal(failing.stderr, 'to stderr\n');
    assert.equal(failing.code, 3);
    assert.equal(failing.signal, null);
    assert.match(ssh.description, new RegExp(`^ssh ${c.user}@${c.host}:${c.port}$`));
  });

  test('stdin bytes arrive intact: a local tar unpacked remotely', async () => {
    const source = join(work, 'upload');
    mkdirSync(join(source, 'sub'), { recursive: true });
    const blob = randomBytes(2 * 1024 * 1024);
    writeFileSync(join(source, 'sub/blob.bin'), blob);
    writeFileSync(join(source, 'notes with spaces.txt'), 'héllo\n');
    const tar = execFileSync('tar', ['-cf', '-', '-C', source, '.'], { maxBuffer: 64 * 1024 * 1024 });
    const ssh = runner(clusterHost());
    const remoteDir = (await ssh.exec('mktemp -d')).stdout.toString().trim();
    try {
      const unpacked = await ssh.exec(`tar -xf - -C ${shellQuote(remoteDir)} && cd ${shellQuote(remoteDir)} && sha256sum sub/blob.bin && cat 'notes with spaces.txt'`, {
        stdin: tar,
        timeoutMs: 30_000,
      });
      assert.equal(unpacked.code, 0, unpacked.stderr);
      const [hash, ...rest] = unpacked.stdout.toString().split('\n');
      assert.equal(hash!.split(' ')[0], createHash('sha256').update(blob).digest('hex'));
      assert.equal(rest.join('\n'), 'héllo\n');
    } finally {
      await ssh.exec(`rm -rf ${shellQuote(remoteDir)}`);
    }
  });

  test('20 concurrent commands share one connection (more than sshd MaxSessions allows at once)', async () => {
    const ssh = runner(clusterHost());
    const portsSeen = new Set<number>();
    let peakConnections = 0;
    const sample = (): void => {
      const ports = ourConnectionsToSshd();
      ports.forEach((port) => portsSeen.add(port));
      peakConnections = Math.max(peakConnections, ports.length);
    };
    const sampler = setInterval(sample, 100);
    try {
      const results = await Promise.all(Array.from({ length: 20 }, (_, i) => ssh.exec(`sleep 0.5; echo ${i}`, { timeoutMs: 30_000 })));
      sample();
      assert.deepEqual(
        results.map((r) => r.stdout.toString().trim()),
        Array.from({ length: 20 }, (_, i) => String(i)),
      );
      assert.ok(results.every((r) => r.code === 0));
    } finally {
      clearInterval(sampler);
    }
    assert.equal(ssh.connects, 1);
    assert.equal(peakConnections, 1, 'one TCP connection to sshd from this process');
    if (existsSync(SSHD_LOG)) {
      // The server's side of it: exactly one login from our connection's port.
      const logins = readFileSync(SSHD_LOG, 'utf8')
        .split('\n')
        .filter((line) => [...portsSeen].some((port) => line.includes(`Accepted publickey for ${c.user} from 127.0.0.1 port ${port} `)));
      assert.equal(logins.length, 1, logins.join('\n'));
    }
  });

  test('the pool resolves the ssh_config alias and hands every caller the same connection', async () => {
    const pool = new SshConnectionPool();
    opened.push({ close: () => pool.closeAll() });
    const aliasName = c.sshHostAlias ?? 'ferry-dev';
    const alias = pool.get({ host: aliasName, configFile: c.sshConfigFile, env });
    assert.equal(alias.destination.host, c.host);
    assert.equal(alias.destination.port, c.port);
    assert.equal((await alias.exec('id -un')).stdout.toString().trim(), c.user);
    const sameAgain = pool.get({ host: aliasName, configFile: c.sshConfigFile, env });
    // The same destination spelt out, trusting the same known_hosts file the alias names.
    const spelledOut = pool.get({ host: `${c.user}@${c.host}:${c.port}`, configFile: c.sshConfigFile, env, knownHostsFile: c.knownHostsFile });
    assert.equal(sameAgain, alias);
    assert.equal(spelledOut, alias, 'keyed by the resolved destination, not the spelling');
    await Promise.all([sameAgain.exec('true'), spelledOut.exec('true')]);
    assert.equal(ourConnectionsToSshd().length, 1);
    await pool.closeAll();
    assert.notEqual(pool.get({ host: aliasName, configFile: c.sshConfigFile, env }), alias, 'a closed runner is replaced');
  });

  test('ProxyJump: a real two-hop chain through the same sshd', async () => {
    const jump = { ...clusterHost(), alias: 'jump' };
    const ssh = runner({ ...clusterHost(), alias: 'behind-jump', proxyJump: [jump] });
    const seen = (await ssh.exec('echo $SSH_CONNECTION')).stdout.toString().trim().split(' ');
    const ours = ourConnectionsToSshd();
    assert.equal(ours.length, 1, 'this process holds one TCP connection: to the jump host');
    assert.equal(seen[3], String(c.port));
    assert.ok(!ours.includes(Number(seen[1])), `the destination session came through the jump host (from port ${seen[1]}), not from this process (port ${ours[0]})`);
    assert.match(ssh.description, / via /);
  });

  test('a changed host key is refused and nothing runs', async () => {
    const serverKeyType = readFileSync(c.knownHostsFile, 'utf8').trim().split('\n')[0]!.split(/\s+/)[1]!;
    const impostor = join(work, 'impostor');
    execFileSync('ssh-keygen', ['-q', '-t', serverKeyType === 'ssh-rsa' ? 'rsa' : serverKeyType.startsWith('ecdsa') ? 'ecdsa' : 'ed25519', '-N', '', '-f', impostor]);
    const knownHosts = join(work, 'known_hosts_changed');
    writeFileSync(knownHosts, `[${c.host}]:${c.port} ${readFileSync(`${impostor}.pub`, 'utf8').split(' ').slice(0, 2).join(' ')}\n`);
    const marker = `/tmp/ferry-changed-key-${process.pid}`;
    const asked: unknown[] = [];
    const ssh = runner(clusterHost({ knownHostsFiles: [knownHosts], strictHostKeyChecking: 'ask' }), { prompter: recordingPrompter(asked, true) });
    await assert.rejects(ssh.exec(`touch ${marker}`), isTargetError(new RegExp(`the host key of \\[${c.host.replace(/\./g, '\\.')}\\]:${c.port} has CHANGED.*remove the old line 1 from ${knownHosts}`)));
    assert.deepEqual(asked, []);
    const check = await runner(clusterHost()).exec(`test -e ${marker} && echo exists || echo absent`);
    assert.equal(check.stdout.toString().trim(), 'absent');
  });

  test('an unknown host key is asked about: refused fails, accepted connects and is remembered', async () => {
    const knownHosts = join(work, 'known_hosts_new');
    const refusals: unknown[] = [];
    const refused = runner(clusterHost({ knownHostsFiles: [knownHosts], strictHostKeyChecking: 'ask' }), { prompter: recordingPrompter(refusals, false) });
    await assert.rejects(refused.exec('true'), isTargetError(/was not accepted; Ferry did not connect/));
    assert.deepEqual(refusals, [{ kind: 'host', host: c.host, port: c.port, fingerprint: c.hostKeyFingerprint }]);
    assert.equal(existsSync(knownHosts), false);

    const accepts: unknown[] = [];
    const accepted = runner(clusterHost({ knownHostsFiles: [knownHosts], strictHostKeyChecking: 'ask' }), { prompter: recordingPrompter(accepts, true) });
    assert.equal((await accepted.exec('id -un')).stdout.toString().trim(), c.user);
    assert.equal(accepts.length, 1);
    assert.match(execFileSync('ssh-keygen', ['-F', `[${c.host}]:${c.port}`, '-f', knownHosts], { encoding: 'utf8' }), /found: line 1/);
  });

  test('without a prompter an unknown host key fails with what to do', async () => {
    const ssh = runner(clusterHost({ knownHostsFiles: [join(work, 'known_hosts_none')], strictHostKeyChecking: 'ask' }));
    await assert.rejects(ssh.exec('true'), isTargetError(/not known yet and nobody can be asked here; connect once with ssh -p/));
  });

  test('when the sshd process serving us dies, the running command fails as lost and the next one reconnects', async () => {
    const ssh = runner(clusterHost());
    const disconnects: FerryError[] = [];
    ssh.on('disconnected', ({ reason }) => disconnects.push(reason));
    // The parent of our remote shell is the sshd process that serves this connection (and only it).
    const servingPid = Number((await ssh.exec('echo $PPID')).stdout.toString().trim());
    // The orphaned command records its pid, so the test can clean it up afterwards.
    const pidFile = `/tmp/ferry-in-flight-${process.pid}`;
    const inFlight = ssh.exec(`echo $$ > ${pidFile}; exec sleep 30`, { timeoutMs: 25_000 });
    const failed = assert.rejects(inFlight, isTargetError(/SSH connection to .* was lost.*may or may not have finished/));
    await sleep(300);
    const killer = runner(clusterHost());
    await killer.exec(`kill -9 ${servingPid}`);
    await failed;
    assert.equal(disconnects.length, 1);
    const after = await ssh.exec('id -un');
    assert.equal(after.stdout.toString().trim(), c.user);
    assert.equal(ssh.connects, 2);
    const newServer = Number((await ssh.exec('echo $PPID')).stdout.toString().trim());
    assert.notEqual(newServer, servingPid);
    // Losing the connection does not stop what already runs remotely ("may or may not have finished").
    const orphan = await ssh.exec(`kill $(cat ${pidFile}) && echo was-still-running; rm -f ${pidFile}`);
    assert.equal(orphan.stdout.toString().trim(), 'was-still-running');
  });

  test('a timeout stops the remote command', async () => {
    const ssh = runner(clusterHost());
    const tag = 4000 + (process.pid % 1000);
    await assert.rejects(ssh.exec(`sleep ${tag}`, { timeoutMs: 1_000 }), isTargetError(/`sleep` did not finish within 1 s/));
    let left = '';
    for (let i = 0; i < 30; i++) {
      // [s]leep: the pattern must not match the shell that runs pgrep.
      left = (await ssh.exec(`pgrep -u ${c.user} -f '[s]leep ${tag}$' || true`)).stdout.toString().trim();
      if (left === '') break;
      await sleep(200);
    }
    assert.equal(left, '', 'the remote sleep was killed');
  });

  test('a closed port: a clear error naming host and port, then backoff', async () => {
    const port = await freePort();
    const ssh = runner(clusterHost({ port, alias: 'nowhere' }));
    await assert.rejects(ssh.exec('true'), isTargetError(new RegExp(`cannot connect to nowhere \\(${c.user}@${c.host.replace(/\./g, '\\.')}:${port}\\): connection refused`)));
    await assert.rejects(ssh.exec('true'), isTargetError(/connection refused.*\(Ferry tries again in \d+ s\)/));
  });

  test('authentication failure lists what was tried, never key contents', async () => {
    const stranger = join(work, 'stranger');
    execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', stranger]);
    const ssh = runner(clusterHost({ identityFiles: [stranger, join(work, 'no_such_key')] }));
    await assert.rejects(ssh.exec('true'), (error: unknown) => {
      isTargetError(new RegExp(`authentication as ${c.user}@.* failed\\. Tried: key ${stranger}\\. Not used: ${join(work, 'no_such_key')} \\(not found\\)\\. The server accepts: .*publickey`))(error);
      assert.doesNotMatch((error as Error).message, /PRIVATE KEY|AAAA/);
      return true;
    });
  });

  describe('keys the server only knows once we add them', () => {
    const comment = `ferry-test-${process.pid}`;
    let encryptedKey: string;

    before(async () => {
      encryptedKey = join(work, 'encrypted_key');
      execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', 'open sesame', '-C', comment, '-f', encryptedKey]);
      const admin = new SshCommandRunner(clusterHost());
      try {
        const added = await admin.exec('umask 077; mkdir -p ~/.ssh && cat >> ~/.ssh/authorized_keys', { stdin: readFileSync(`${encryptedKey}.pub`) });
        assert.equal(added.code, 0, added.stderr);
      } finally {
        await admin.close();
      }
    });
    after(async () => {
      const admin = new SshCommandRunner(clusterHost());
      try {
        await admin.exec(`grep -v -F ${shellQuote(comment)} ~/.ssh/authorized_keys > ~/.ssh/authorized_keys.ferry-tmp; cat ~/.ssh/authorized_keys.ferry-tmp > ~/.ssh/authorized_keys; rm -f ~/.ssh/authorized_keys.ferry-tmp`);
      } finally {
        await admin.close();
      }
    });

    test('an encrypted key: the passphrase is asked for, and asked again when wrong', async () => {
      const answers = ['wrong', 'open sesame'];
      const asked: unknown[] = [];
      const prompter = { ...recordingPrompter(asked, false), passphrase: async (request: { keyFile: string }) => (asked.push(request), answers.shift()) };
      const ssh = runner(clusterHost({ identityFiles: [encryptedKey] }), { prompter });
      assert.equal((await ssh.exec('id -un')).stdout.toString().trim(), c.user);
      assert.deepEqual(asked, [{ keyFile: encryptedKey }, { keyFile: encryptedKey }]);
    });

    test('ssh-agent: its keys are used; IdentitiesOnly filters them; a key it already offered is not asked about', async () => {
      const agent = await startAgent(join(work, 'agent.sock'));
      try {
        addToAgent(agent.socket, c.identityFile);
        const agentOnly = runner(clusterHost({ identityFiles: [], identityAgent: agent.socket }));
        assert.equal((await agentOnly.exec('id -un')).stdout.toString().trim(), c.user);

        // IdentitiesOnly with a key file the agent does not hold: the agent may offer nothing.
        const none = runner(clusterHost({ identityFiles: [join(work, 'no_such_key')], identitiesOnly: true, identityAgent: agent.socket }));
        await assert.rejects(none.exec('true'), isTargetError(/Tried: ssh-agent \(0 keys\)\./));

        // An encrypted key the server refuses, loaded in the agent: after the agent offered it,
        // offering the file too would only ask for a passphrase in vain.
        const refusedKey = join(work, 'refused_encrypted');
        execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', 'secret', '-f', refusedKey]);
        addToAgent(agent.socket, refusedKey, 'secret');
        const asked: unknown[] = [];
        const deduplicated = runner(clusterHost({ identityFiles: [refusedKey], identitiesOnly: true, identityAgent: agent.socket }), {
          prompter: recordingPrompter(asked, false),
        });
        await assert.rejects(deduplicated.exec('true'), isTargetError(/Tried: ssh-agent \(1 key\)\. The server accepts/));
        assert.deepEqual(asked, []);
      } finally {
        agent.process.kill();
      }
    });
  });
});

/** A prompter that records host-key questions (answering `accept`) and refuses the rest. */
function recordingPrompter(asked: unknown[], accept: boolean): SshPrompter {
  return {
    unknownHostKey: async ({ host, port, fingerprint }) => {
      asked.push({ kind: 'host', host, port, fingerprint });
      return accept;
    },
    keyboardInteractive: async () => {
      asked.push({ kind: 'keyboard-interactive' });
      throw new FerryError('target', 'declined in the test');
    },
    passphrase: async ({ keyFile }) => {
      asked.push({ kind: 'passphrase', keyFile });
      return undefined;
    },
  };
}

async function startAgent(socket: string): Promise<{ socket: string; process: ChildProcess }> {
  const child = spawn('ssh-agent', ['-D', '-a', socket], { stdio: 'ignore' });
  for (let i = 0; i < 50 && !existsSync(socket); i++) await sleep(50);
  return { socket, process: child };
}

/** ssh-add, answering an encrypted key's passphrase through SSH_ASKPASS (it would otherwise want a terminal). */
function addToAgent(socket: string, keyFile: string, passphrase = ''): void {
  const askpass = join(keyFile + '.askpass');
  writeFileSync(askpass, `#!/bin/sh\necho ${shellQuote(passphrase)}\n`, { mode: 0o700 });
  execFileSync('ssh-add', [keyFile], {
    env: { ...process.env, SSH_AUTH_SOCK: socket, SSH_ASKPASS: askpass, SSH_ASKPASS_REQUIRE: 'force', DISPLAY: ':0' },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
    server.on('error', reject);
  });
}
