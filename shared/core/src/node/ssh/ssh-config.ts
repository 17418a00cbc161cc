/**
 * What `ssh HOST` would do, as data: the user's ~/.ssh/config (then
 * /etc/ssh/ssh_config) applied to a host alias with OpenSSH's rules — the
 * first value obtained for a keyword wins, IdentityFile lines add up, `%`
 * tokens and `~` expand, and unset keywords take OpenSSH's defaults. Only the
 * keywords Ferry's SSH connection uses are read; the rest are ignored.
 */
import { existsSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { homedir, hostname as localHostname, userInfo } from 'node:os';
import { join } from 'node:path';
import { FerryError } from '../../errors.js';
import { readApplicableDirectives, type ConfigDirective } from './ssh-config-file.js';
import { parsePort, parseSshDestination, type SshDestination } from './ssh-destination.js';

export type StrictHostKeyChecking = 'yes' | 'ask' | 'accept-new' | 'no';

export interface ResolvedHost {
  /** The name that was looked up ("ferry-dev"), for messages. */
  alias: string;
  /** The name or address to connect to (`HostName`, else the alias). */
  host: string;
  port: number;
  user: string;
  /** Private key files to offer, in order (configured ones even when missing; defaults only when present). */
  identityFiles: string[];
  /** Offer only `identityFiles`, also from the agent (IdentitiesOnly). */
  identitiesOnly: boolean;
  /** The ssh-agent socket (IdentityAgent, else $SSH_AUTH_SOCK); undefined: no agent. */
  identityAgent: string | undefined;
  /** Hosts to hop through, first to last (ProxyJump, flattened); each hop has an empty `proxyJump`. */
  proxyJump: ResolvedHost[];
  /** The user's known_hosts files; new keys are added to the first. */
  knownHostsFiles: string[];
  /** System-wide known_hosts files, only read. */
  globalKnownHostsFiles: string[];
  /** Write new known_hosts lines with hashed host names (HashKnownHosts). */
  hashKnownHosts: boolean;
  /** The name to look the host key up under instead of host/port (HostKeyAlias). */
  hostKeyAlias: string | undefined;
  strictHostKeyChecking: StrictHostKeyChecking;
  /** undefined: not configured (the runner picks its default); 0: keepalives off. */
  serverAliveIntervalMs: number | undefined;
  serverAliveCountMax: number;
  connectTimeoutMs: number | undefined;
  /** Settings Ferry saw but did not apply (Match blocks, ProxyCommand, ...). */
  notes: string[];
}

type Env = Record<string, string | undefined>;

export interface ResolveSshHostOptions {
  /** Like `ssh -F`: this file instead of ~/.ssh/config, and no system file. */
  configFile?: string;
  /** Default /etc/ssh/ssh_config when no `configFile` is given; null: none. */
  systemConfigFile?: string | null;
  /** HOME, USER and SSH_AUTH_SOCK come from here (default: process.env). */
  env?: Env;
  /** Override the config's User / Port, like `ssh -l` / `ssh -p`. */
  user?: string;
  port?: number;
  /**
   * For the destination only (not its jump hosts), like ssh's options:
   * `-i` (tried before the config's IdentityFiles), `-o UserKnownHostsFile`
   * and `-J` (instead of the config's ProxyJump).
   */
  identityFile?: string;
  knownHostsFile?: string;
  proxyJump?: string;
}

/** A chain longer than this is a ProxyJump loop in the config. */
const MAX_JUMP_HOPS = 8;

/** `destination`: an alias or host, optionally `user@host:port` (see ssh-destination.ts). */
export function resolveSshHost(destination: string, options: ResolveSshHostOptions = {}): ResolvedHost {
  const parsed = parseSshDestination(destination);
  return resolve(
    { host: parsed.host, user: options.user ?? parsed.user, port: options.port ?? parsed.port },
    options,
    { followProxyJump: true, hopsSoFar: 0 },
  );
}

interface ChainState {
  /** OpenSSH honours a hop's own ProxyJump only for the first hop of a chain (ssh -J runs `ssh FIRST -W NEXT`). */
  followProxyJump: boolean;
  hopsSoFar: number;
}

function resolve(destination: SshDestination, options: ResolveSshHostOptions, chain: ChainState): ResolvedHost {
  const env = options.env ?? process.env;
  const home = env.HOME || homedir();
  const localUser = env.USER || userInfo().username;
  const notes: string[] = [];
  const directives = readDirectives(destination.host, options, home, notes);
  const settings = firstValues(directives);
  const arg = (keyword: string): string | undefined => settings.get(keyword)?.args[0];

  const alias = destination.host;
  const host = expandTokens(arg('hostname') ?? '%h', { h: alias }, settings.get('hostname'));
  const port = destination.port ?? (arg('port') !== undefined ? parsePort(arg('port')!, where(settings.get('port')) + 'Port') : 22);
  const user = destination.user ?? arg('user') ?? localUser;
  const hostKeyAlias = arg('hostkeyalias');
  const tokens: Tokens = {
    d: home,
    u: localUser,
    h: host,
    r: user,
    p: String(port),
    n: alias,
    k: hostKeyAlias ?? alias,
    i: String(userInfo().uid),
    l: localHostname(),
    L: localHostname().split('.')[0]!,
    C: createHash('sha1').update(`${localHostname()}${host}${port}${user}`).digest('hex'),
  };
  const path = (text: string, directive?: ConfigDirective): string => expandPath(expandTokens(text, tokens, directive), home);

  const configuredIdentities = [
    ...(options.identityFile ? [path(options.identityFile)] : []),
    ...directives.filter((d) => d.keyword === 'identityfile').flatMap((d) => d.args.map((a) => path(a, d))),
  ];
  const identityFiles = configuredIdentities.length > 0 ? configuredIdentities : defaultIdentityFiles(home);

  const knownHostsFiles = (options.knownHostsFile ? [path(options.knownHostsFile)] : undefined) ??
    filesOf(settings.get('userknownhostsfile'), path) ?? [join(home, '.ssh/known_hosts'), join(home, '.ssh/known_hosts2')];
  const globalKnownHostsFiles = filesOf(settings.get('globalknownhostsfile'), path) ?? ['/etc/ssh/ssh_known_hosts', '/etc/ssh/ssh_known_hosts2'];

  const proxyCommand = settings.get('proxycommand');
  if (proxyCommand && proxyCommand.args[0] !== 'none') {
    notes.push(`${where(proxyCommand)}ProxyCommand is not supported by Ferry (connected directly); use ProxyJump instead`);
  }

  const resolved: ResolvedHost = {
    alias,
    host,
    port,
    user,
    identityFiles,
    identitiesOnly: parseYesNo(settings.get('identitiesonly'), false),
    identityAgent: identityAgentOf(settings.get('identityagent'), env, path),
    proxyJump: [],
    knownHostsFiles,
    globalKnownHostsFiles,
    hashKnownHosts: parseYesNo(settings.get('hashknownhosts'), false),
    hostKeyAlias,
    strictHostKeyChecking: parseStrictHostKeyChecking(settings.get('stricthostkeychecking')),
    serverAliveIntervalMs: optionalSeconds(settings.get('serveraliveinterval')),
    serverAliveCountMax: settings.has('serveralivecountmax') ? parseCount(settings.get('serveralivecountmax')!) : 3,
    connectTimeoutMs: optionalSeconds(settings.get('connecttimeout')),
    notes,
  };
  const jumpSetting = settings.get('proxyjump');
  const jump = options.proxyJump ?? jumpSetting?.args[0];
  if (jump && chain.followProxyJump) resolved.proxyJump = resolveJumpChain(jump, options.proxyJump ? undefined : jumpSetting, options, chain.hopsSoFar);
  return resolved;
}

function readDirectives(host: string, options: ResolveSshHostOptions, home: string, notes: string[]): ConfigDirective[] {
  const userFile = options.configFile ?? join(home, '.ssh/config');
  const systemFile = options.systemConfigFile !== undefined ? options.systemConfigFile : options.configFile ? null : '/etc/ssh/ssh_config';
  const directives = readApplicableDirectives(userFile, { host, home, includeBase: join(home, '.ssh'), notes });
  if (systemFile) directives.push(...readApplicableDirectives(systemFile, { host, home, includeBase: '/etc/ssh', notes }));
  return directives;
}

/** The first directive of each keyword: in ssh_config, the first value obtained wins. */
function firstValues(directives: ConfigDirective[]): Map<string, ConfigDirective> {
  const first = new Map<string, ConfigDirective>();
  for (const directive of directives) {
    if (directive.args.length > 0 && !first.has(directive.keyword)) first.set(directive.keyword, directive);
  }
  return first;
}

/**
 * `ProxyJump a,user@b:2200`: each hop is itself looked up in the config. The
 * first hop's own ProxyJump is followed (and comes before it); later hops'
 * are not, exactly as `ssh -J` chains behave.
 */
function resolveJumpChain(value: string, source: ConfigDirective | undefined, options: ResolveSshHostOptions, hopsSoFar: number): ResolvedHost[] {
  if (value === 'none') return [];
  const specs = value.split(',').map((text) => parseSshDestination(text));
  const chain: ResolvedHost[] = [];
  specs.forEach((spec, index) => {
    if (hopsSoFar + chain.length + 1 > MAX_JUMP_HOPS) {
      throw new FerryError('target', `${where(source)}ProxyJump leads through more than ${MAX_JUMP_HOPS} hosts; is there a loop in the config?`, location(source));
    }
    // Like `ssh -J`, only the config file and the hop's own user/port carry over to a jump host.
    const hopOptions: ResolveSshHostOptions = { configFile: options.configFile, systemConfigFile: options.systemConfigFile, env: options.env, user: spec.user, port: spec.port };
    const hop = resolve(spec, hopOptions, { followProxyJump: index === 0, hopsSoFar: hopsSoFar + chain.length + 1 });
    chain.push(...hop.proxyJump, { ...hop, proxyJump: [] });
  });
  return chain;
}

/** A files setting (UserKnownHostsFile, ...): its paths, none for `none`; undefined when not set. */
function filesOf(directive: ConfigDirective | undefined, path: (text: string, directive: ConfigDirective) => string): string[] | undefined {
  return directive?.args.filter((arg) => arg !== 'none').map((arg) => path(arg, directive));
}

/** IdentityAgent: a socket path, `$VAR`, `SSH_AUTH_SOCK` (the default) or `none`. */
function identityAgentOf(directive: ConfigDirective | undefined, env: Env, path: (text: string, directive: ConfigDirective) => string): string | undefined {
  const value = directive?.args[0] ?? 'SSH_AUTH_SOCK';
  if (value === 'none') return undefined;
  if (value === 'SSH_AUTH_SOCK') return env.SSH_AUTH_SOCK || undefined;
  if (value.startsWith('$')) return env[value.slice(1)] || undefined;
  return path(value, directive!);
}

function defaultIdentityFiles(home: string): string[] {
  // OpenSSH's default order; the FIDO (-sk) and XMSS kinds are left out: ssh2 cannot use them.
  return ['id_rsa', 'id_ecdsa', 'id_ed25519'].map((name) => join(home, '.ssh', name)).filter((file) => existsSync(file));
}

type Tokens = Record<string, string>;

/** `%h`-style tokens; `%%` is a literal percent sign. An unknown token is a config error, as in OpenSSH. */
function expandTokens(text: string, tokens: Tokens, directive?: ConfigDirective): string {
  return text.replace(/%(.)/gs, (whole, key: string) => {
    if (key === '%') return '%';
    const value = tokens[key];
    if (value === undefined) {
      const keyword = directive ? `${keywordName(directive)} ` : '';
      throw new FerryError('target', `${where(directive)}${keyword}uses the token ${whole}, which Ferry does not know`, location(directive));
    }
    return value;
  });
}

/** `~` and `~/...`; other paths are kept as written (OpenSSH reads relative ones from its working directory). */
function expandPath(text: string, home: string): string {
  if (text === '~') return home;
  if (text.startsWith('~/')) return join(home, text.slice(2));
  return text;
}

function parseYesNo(directive: ConfigDirective | undefined, fallback: boolean): boolean {
  if (!directive) return fallback;
  const value = directive.args[0]!.toLowerCase();
  if (value === 'yes' || value === 'true') return true;
  if (value === 'no' || value === 'false') return false;
  throw invalid(directive, 'yes or no');
}

function parseStrictHostKeyChecking(directive: ConfigDirective | undefined): StrictHostKeyChecking {
  if (!directive) return 'ask';
  const value = directive.args[0]!.toLowerCase();
  if (value === 'yes' || value === 'true') return 'yes';
  if (value === 'no' || value === 'off' || value === 'false') return 'no';
  if (value === 'ask' || value === 'accept-new') return value;
  throw invalid(directive, 'yes, no, ask or accept-new');
}

/** OpenSSH time values: `30`, `30s`, `5m`, `1h30m`. */
function optionalSeconds(directive: ConfigDirective | undefined): number | undefined {
  if (!directive) return undefined;
  const text = directive.args[0]!;
  if (text === 'none') return undefined;
  const units: Record<string, number> = { '': 1, s: 1, m: 60, h: 3600, d: 86_400, w: 604_800 };
  const parts = /^(?:\d+[smhdw]?)+$/i.test(text) ? [...text.matchAll(/(\d+)([smhdw]?)/gi)] : [];
  if (parts.length === 0) throw invalid(directive, 'a number of seconds (or a time like 5m)');
  return parts.reduce((sum, [, amount, unit]) => sum + Number(amount) * units[unit!.toLowerCase()]!, 0) * 1000;
}

function parseCount(directive: ConfigDirective): number {
  const text = directive.args[0]!;
  if (!/^\d+$/.test(text)) throw invalid(directive, 'a whole number');
  return Number(text);
}

function invalid(directive: ConfigDirective, expected: string): FerryError {
  return new FerryError('target', `${where(directive)}${keywordName(directive)} must be ${expected}, not "${directive.args[0]}"`, location(directive));
}

const KEYWORD_NAMES = [
  'HostName', 'Port', 'User', 'IdentityFile', 'IdentitiesOnly', 'IdentityAgent', 'ProxyJump', 'ProxyCommand',
  'UserKnownHostsFile', 'GlobalKnownHostsFile', 'HashKnownHosts', 'HostKeyAlias', 'StrictHostKeyChecking',
  'ServerAliveInterval', 'ServerAliveCountMax', 'ConnectTimeout',
];

/** The keyword as the manual spells it, for messages. */
function keywordName(directive: ConfigDirective): string {
  return KEYWORD_NAMES.find((name) => name.toLowerCase() === directive.keyword) ?? directive.keyword;
}

function where(directive: ConfigDirective | undefined): string {
  return directive ? `${directive.file}:${directive.line}: ` : '';
}

function location(directive: ConfigDirective | undefined): { file: string; line: number } | undefined {
  return directive ? { file: directive.file, line: directive.line } : undefined;
}
