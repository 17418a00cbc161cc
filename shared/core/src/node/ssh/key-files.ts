/**
 * Private key files for public-key authentication. Keys are read into memory
 * for one connection attempt and never written anywhere; an encrypted key is
 * only decrypted with a passphrase a person typed for this attempt.
 */
import { readFileSync } from 'node:fs';
import ssh2, { type ParsedKey } from 'ssh2';

// ssh2 is CommonJS: Node exposes its exports on the default import only.
const { utils } = ssh2;

export type IdentityFile =
  | { file: string; status: 'missing' }
  | { file: string; status: 'unusable'; reason: string }
  | { file: string; status: 'ready'; key: ParsedKey; publicBlob: Buffer }
  /** `publicBlob` comes from the `.pub` file or the key's unencrypted header, when either has it. */
  | { file: string; status: 'encrypted'; data: Buffer; publicBlob: Buffer | undefined };

export function loadIdentityFile(file: string): IdentityFile {
  let data: Buffer;
  try {
    data = readFileSync(file);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    return code === 'ENOENT' ? { file, status: 'missing' } : { file, status: 'unusable', reason: code ?? 'unreadable' };
  }
  const parsed = parseOne(utils.parseKey(data));
  if (parsed instanceof Error) {
    if (/no passphrase given/i.test(parsed.message)) return { file, status: 'encrypted', data, publicBlob: publicBlobOf(file, data) };
    return { file, status: 'unusable', reason: parsed.message };
  }
  if (!parsed.isPrivateKey()) return { file, status: 'unusable', reason: 'not a private key' };
  return { file, status: 'ready', key: parsed, publicBlob: parsed.getPublicSSH() };
}

/** The decrypted key, or null when the passphrase is wrong. */
export function decryptIdentity(data: Buffer, passphrase: string): ParsedKey | null {
  const parsed = parseOne(utils.parseKey(data, passphrase));
  return parsed instanceof Error ? null : parsed;
}

function parseOne(result: ParsedKey | ParsedKey[] | Error): ParsedKey | Error {
  // OpenSSH's format could hold several keys; it only ever stores one.
  return Array.isArray(result) ? (result[0] ?? new Error('no key in the file')) : result;
}

/**
 * The public half of an encrypted key without its passphrase: `FILE.pub`
 * when present, else the openssh-key-v1 header, which stores the public key
 * in clear ("PROTOCOL.key" in OpenSSH's sources).
 */
function publicBlobOf(file: string, data: Buffer): Buffer | undefined {
  try {
    const pub = parseOne(utils.parseKey(readFileSync(`${file}.pub`)));
    if (!(pub instanceof Error)) return pub.getPublicSSH();
  } catch {
    // no .pub file: try the header
  }
  return openSshHeaderPublicKey(data.toString('latin1'));
}

function openSshHeaderPublicKey(text: string): Buffer | undefined {
  const body = /-----BEGIN OPENSSH PRIVATE KEY-----([\s\S]*?)-----END OPENSSH PRIVATE KEY-----/.exec(text)?.[1];
  if (!body) return undefined;
  const bytes = Buffer.from(body.replace(/\s+/g, ''), 'base64');
  const magic = 'openssh-key-v1\0';
  if (bytes.toString('latin1', 0, magic.length) !== magic) return undefined;
  let offset = magic.length;
  const readString = (): Buffer | undefined => {
    if (offset + 4 > bytes.length) return undefined;
    const length = bytes.readUInt32BE(offset);
    const start = offset + 4;
    offset = start + length;
    return offset <= bytes.length ? bytes.subarray(start, offset) : undefined;
  };
  readString(); // cipher name
  readString(); // KDF name
  readString(); // KDF options
  offset += 4; // number of keys
  return readString();
}
