/**
 * User authentication for one SSH hop, in OpenSSH's order: the agent's keys,
 * then the identity files (asking for passphrases of encrypted ones), then
 * keyboard-interactive (passwords, MFA codes) or a password, asked through
 * the prompter. Methods the server does not accept are skipped; after a
 * partial success (e.g. key, then MFA) only what the server still wants is
 * tried. The sequence remembers what it tried so a failure can say so.
 */
import { homedir } from 'node:os';
import type { AnyAuthMethod, AuthHandlerMiddleware, KeyboardInteractiveCallback, Prompt } from 'ssh2';
import { FerryError } from '../../errors.js';
import { decryptIdentity, loadIdentityFile } from './key-files.js';
import { ObservedAgent } from './ssh-agent.js';
import type { ResolvedHost } from './ssh-config.js';
import type { SshPrompter } from './ssh-prompter.js';

export interface AuthHooks {
  /** Asks a person; the connection's setup deadline must not run meanwhile. */
  ask<T>(question: () => Promise<T>): Promise<T>;
  /** Ends the connection attempt with this error (a person declined a prompt, ...). */
  abort(error: Error): void;
}

/** ssh2 takes `false` for "no more methods to try"; its typings leave that out. */
const NO_MORE_METHODS = false as unknown as AnyAuthMethod;

/** OpenSSH's NumberOfPasswordPrompts default: how often a password / MFA code / passphrase may be retyped. */
const MAX_PROMPT_TRIES = 3;

export class AuthSequence {
  private serverMethods: string[] | undefined;
  private readonly tried: string[] = [];
  private readonly skipped: string[] = [];
  private agent: ObservedAgent | undefined;
  private readonly attempts: AsyncGenerator<AnyAuthMethod>;

  constructor(
    private readonly hop: ResolvedHost,
    private readonly prompter: SshPrompter | undefined,
    private readonly hooks: AuthHooks,
  ) {
    this.attempts = this.generateAttempts();
  }

  /** For ssh2's `authHandler`: called first with null, then after each failure with the methods the server still accepts. */
  readonly handler: AuthHandlerMiddleware = (methodsLeft, _partialSuccess, next) => {
    if (methodsLeft) this.serverMethods = methodsLeft;
    this.attempts.next().then(
      (result) => next(result.done ? NO_MORE_METHODS : result.value),
      (error: Error) => {
        this.hooks.abort(error);
        next(NO_MORE_METHODS);
      },
    );
  };

  /** Why authentication failed, with what was tried (key file names only, never their contents). */
  failure(): FerryError {
    const { user, host, port } = this.hop;
    const tried = this.tried.map((label) => (label === 'ssh-agent' ? `ssh-agent (${count(this.agent?.offered.length ?? 0, 'key')})` : label));
    const parts = [`authentication as ${user}@${host}:${port} failed.`];
    parts.push(tried.length > 0 ? `Tried: ${tried.join(', ')}.` : 'Ferry had no method to try.');
    if (this.skipped.length > 0) parts.push(`Not used: ${this.skipped.join('; ')}.`);
    if (this.serverMethods) parts.push(`The server accepts: ${this.serverMethods.join(', ')}.`);
    if (!this.prompter && this.accepts('keyboard-interactive')) parts.push('It asks for a password or code, and nobody can answer here.');
    parts.push(`Check that one of your public keys is in ~${user}/.ssh/authorized_keys on ${host}, or name the right key with IdentityFile in ~/.ssh/config.`);
    return new FerryError('target', parts.join(' '));
  }

  private accepts(method: string): boolean {
    return this.serverMethods === undefined || this.serverMethods.includes(method);
  }

  private async *generateAttempts(): AsyncGenerator<AnyAuthMethod> {
    const username = this.hop.user;
    // "none" first, like OpenSSH: the server's answer lists the methods it accepts.
    yield { type: 'none', username };
    if (this.accepts('publickey') && this.hop.identityAgent) {
      const onlyKeys = this.hop.identitiesOnly ? this.identityPublicKeys() : undefined;
      this.agent = new ObservedAgent(this.hop.identityAgent, onlyKeys);
      this.tried.push('ssh-agent');
      yield { type: 'agent', username, agent: this.agent };
    }
    for (const file of this.hop.identityFiles) {
      if (!this.accepts('publickey')) break;
      const key = await this.privateKey(file);
      if (!key) continue;
      this.tried.push(`key ${tilde(file)}`);
      yield { type: 'publickey', username, key };
    }
    if (!this.prompter) return;
    for (let i = 0; i < MAX_PROMPT_TRIES && this.accepts('keyboard-interactive'); i++) {
      if (i === 0) this.tried.push('keyboard-interactive');
      yield { type: 'keyboard-interactive', username, prompt: this.keyboardPrompt(this.prompter) };
    }
    for (let i = 0; i < MAX_PROMPT_TRIES && this.serverMethods?.includes('password') && !this.accepts('keyboard-interactive'); i++) {
      if (i === 0) this.tried.push('password');
      const [password] = await this.hooks.ask(() =>
        this.prompter!.keyboardInteractive({ name: 'password', instructions: '', prompts: [{ prompt: `${username}@${this.hop.host}'s password: `, echo: false }] }),
      );
      yield { type: 'password', username, password: password ?? '' };
    }
  }

  /** The parsed key of an identity file, asking for its passphrase when encrypted; undefined when it cannot be used. */
  private async privateKey(file: string) {
    const identity = loadIdentityFile(file);
    switch (identity.status) {
      case 'missing':
        this.skipped.push(`${tilde(file)} (not found)`);
        return undefined;
      case 'unusable':
        this.skipped.push(`${tilde(file)} (${identity.reason})`);
        return undefined;
      case 'ready':
        if (this.agent?.holds(identity.publicBlob)) return undefined; // already offered by the agent
        return identity.key;
      case 'encrypted': {
        if (this.agent?.holds(identity.publicBlob)) return undefined;
        return this.decrypt(file, identity.data);
      }
    }
  }

  private async decrypt(file: string, data: Buffer) {
    if (!this.prompter) {
      this.skipped.push(`${tilde(file)} (encrypted, and nobody can type its passphrase here; add it to ssh-agent)`);
      return undefined;
    }
    for (let i = 0; i < MAX_PROMPT_TRIES; i++) {
      const passphrase = await this.hooks.ask(() => this.prompter!.passphrase({ keyFile: file }));
      if (passphrase === undefined) {
        this.skipped.push(`${tilde(file)} (no passphrase given)`);
        return undefined;
      }
      const key = decryptIdentity(data, passphrase);
      if (key) return key;
    }
    this.skipped.push(`${tilde(file)} (wrong passphrase ${MAX_PROMPT_TRIES} times)`);
    return undefined;
  }

  private keyboardPrompt(prompter: SshPrompter) {
    return (name: string, instructions: string, _lang: string, prompts: Prompt[], finish: KeyboardInteractiveCallback): void => {
      const request = { name, instructions, prompts: prompts.map((p) => ({ prompt: p.prompt, echo: p.echo === true })) };
      this.hooks.ask(() => prompter.keyboardInteractive(request)).then(finish, (error: Error) => this.hooks.abort(error));
    };
  }

  /** With IdentitiesOnly, the agent may only offer the keys of the configured files. */
  private identityPublicKeys(): Buffer[] {
    return this.hop.identityFiles.flatMap((file) => {
      const identity = loadIdentityFile(file);
      return (identity.status === 'ready' || identity.status === 'encrypted') && identity.publicBlob ? [identity.publicBlob] : [];
    });
  }
}

function tilde(file: string): string {
  const home = homedir();
  return file.startsWith(`${home}/`) ? `~${file.slice(home.length)}` : file;
}

function count(n: number, noun: string): string {
  return `${n} ${noun}${n === 1 ? '' : 's'}`;
}
