/**
 * The questions an SSH connection may have to ask a person. Ferry's server
 * has no terminal: it relays them to whichever client is listening (see
 * ../prompts.ts). Answers are secrets — they live only in the returned
 * promise and are handed straight to ssh2, never logged or stored.
 */
import { FerryError } from '../../errors.js';
import type { PromptBroker } from '../prompts.js';

export interface KeyboardInteractiveRequest {
  /** What the server calls this exchange (often empty). */
  name: string;
  instructions: string;
  /** `echo: false` for secrets (passwords, one-time codes). */
  prompts: Array<{ prompt: string; echo: boolean }>;
}

export interface UnknownHostKeyRequest {
  host: string;
  port: number;
  keyType: string;
  /** `SHA256:...`, as `ssh` shows it. */
  fingerprint: string;
}

export interface PassphraseRequest {
  keyFile: string;
}

export interface SshPrompter {
  /** One answer per prompt, in order (a password, an MFA code, ...). Rejecting ends the connection attempt. */
  keyboardInteractive(request: KeyboardInteractiveRequest): Promise<string[]>;
  /** Whether to trust (and remember) a host key seen for the first time. */
  unknownHostKey(request: UnknownHostKeyRequest): Promise<boolean>;
  /** The passphrase of an encrypted key file; undefined skips the key. */
  passphrase(request: PassphraseRequest): Promise<string | undefined>;
}

/** Asks through the server's prompt broker, on behalf of the target named `target`. */
export function brokerPrompter(broker: PromptBroker, target: string): SshPrompter {
  return {
    async keyboardInteractive(request) {
      const answer = await broker.ask({ kind: 'keyboard-interactive', target, ...request });
      if ('answers' in answer) return answer.answers;
      throw new FerryError('target', `the SSH login to target "${target}" was cancelled at the prompt "${request.prompts.map((p) => p.prompt.trim()).join(' / ')}"`);
    },
    async unknownHostKey(request) {
      const answer = await broker.ask({ kind: 'unknown-host-key', target, ...request });
      return 'accept' in answer && answer.accept;
    },
    async passphrase(request) {
      const answer = await broker.ask({ kind: 'passphrase', target, ...request });
      return 'passphrase' in answer ? answer.passphrase : undefined;
    },
  };
}
