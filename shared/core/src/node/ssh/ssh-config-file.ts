/**
 * Reading OpenSSH client config files (ssh_config(5)) for one host: which
 * lines apply to it, in the order OpenSSH reads them. `Host` blocks apply
 * when their patterns match the name given; `Include` pulls other files in
 * where it stands; `Match` blocks are skipped with a note, because applying
 * their settings without evaluating their criteria could connect somewhere
 * the user did not mean. What the applicable lines mean is ssh-config.ts's job.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { isAbsolute, join } from 'node:path';
import { matchesPatternList, globToRegExp } from './host-patterns.js';

/** One applicable `Keyword arguments...` line. */
export interface ConfigDirective {
  /** Lowercased: keywords are case-insensitive. */
  keyword: string;
  args: string[];
  file: string;
  line: number;
}

export interface ConfigReadContext {
  /** The name being looked up, as given (before any `HostName`). */
  host: string;
  home: string;
  /** Where relative `Include` paths point: ~/.ssh for user files, /etc/ssh for the system file. */
  includeBase: string;
  /** Things Ferry did not apply, for people reading an error or a `ferry targets test`. */
  notes: string[];
}

/** OpenSSH's own limit on nested Includes; it also stops include cycles. */
const MAX_INCLUDE_DEPTH = 16;

/** The directives of `file` (and what it includes) that apply to `context.host`; a missing file has none. */
export function readApplicableDirectives(file: string, context: ConfigReadContext): ConfigDirective[] {
  const out: ConfigDirective[] = [];
  readFile(file, context, 0, out);
  return out;
}

function readFile(file: string, context: ConfigReadContext, depth: number, out: ConfigDirective[]): void {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code !== 'ENOENT' && code !== 'ENOTDIR') context.notes.push(`${file}: not read (${code ?? (error as Error).message})`);
    return;
  }
  // Lines before the first Host/Match apply to every host (and an included
  // file starts in the state of the line that included it: applicable).
  let applies = true;
  const lines = text.split(/\r?\n/);
  for (let index = 0; index < lines.length; index++) {
    const line = index + 1;
    const parsed = parseLine(lines[index]!);
    if (!parsed) continue;
    const { keyword, args } = parsed;
    if (keyword === 'host') {
      applies = matchesPatternList(context.host, args);
    } else if (keyword === 'match') {
      applies = false;
      context.notes.push(`${file}:${line}: a Match block is not evaluated by Ferry; its settings were ignored`);
    } else if (!applies) {
      continue;
    } else if (keyword === 'include') {
      if (depth >= MAX_INCLUDE_DEPTH) {
        context.notes.push(`${file}:${line}: Include nested deeper than ${MAX_INCLUDE_DEPTH} levels was ignored`);
        continue;
      }
      for (const pattern of args) {
        for (const included of expandIncludePattern(pattern, context)) readFile(included, context, depth + 1, out);
      }
      // A Host line inside an included file ends at the end of that file:
      // `applies` here is untouched, as in OpenSSH.
    } else {
      out.push({ keyword, args, file, line });
    }
  }
}

/**
 * `Keyword args`, `Keyword=args` or `Keyword = args`; arguments split on
 * blanks, with "double" or 'single' quotes grouping and `#` starting a
 * comment. Null for blank and comment lines.
 */
export function parseLine(text: string): { keyword: string; args: string[] } | null {
  const trimmed = text.trim();
  if (trimmed === '' || trimmed.startsWith('#')) return null;
  const match = /^([^\s=]+)\s*=?\s*(.*)$/s.exec(trimmed);
  if (!match) return null;
  return { keyword: match[1]!.toLowerCase(), args: splitArguments(match[2]!) };
}

/** OpenSSH's argv_split: a backslash escapes only a quote, a backslash, or (outside quotes) a space. */
function splitArguments(text: string): string[] {
  const args: string[] = [];
  let current: string | null = null;
  let quote: string | null = null;
  for (let i = 0; i < text.length; i++) {
    const char = text[i]!;
    const next = text[i + 1];
    if (char === '\\' && (next === '"' || next === "'" || next === '\\' || (!quote && next === ' '))) {
      current = (current ?? '') + next;
      i++;
    } else if (quote) {
      if (char === quote) quote = null;
      else current += char;
    } else if (char === '"' || char === "'") {
      quote = char;
      current ??= '';
    } else if (/\s/.test(char)) {
      if (current !== null) args.push(current);
      current = null;
    } else if (char === '#' && current === null) {
      break;
    } else {
      current = (current ?? '') + char;
    }
  }
  if (current !== null) args.push(current);
  return args;
}

/** `~/x`, absolute paths, or paths relative to the include base; `*` and `?` globs in any component, sorted like glob(3). */
function expandIncludePattern(pattern: string, context: ConfigReadContext): string[] {
  const path = pattern.startsWith('~/') ? join(context.home, pattern.slice(2)) : isAbsolute(pattern) ? pattern : join(context.includeBase, pattern);
  return expandGlob(path);
}

function expandGlob(path: string): string[] {
  if (!/[*?]/.test(path)) return [path];
  const [root, ...parts] = path.split('/');
  let candidates = [root === '' ? '/' : root!];
  for (const part of parts) {
    if (part === '') continue;
    if (!/[*?]/.test(part)) {
      candidates = candidates.map((dir) => join(dir, part));
      continue;
    }
    const regExp = globToRegExp(part);
    candidates = candidates.flatMap((dir) => {
      try {
        // Like glob(3), a wildcard does not match a leading dot.
        return readdirSync(dir)
          .filter((name) => !name.startsWith('.') && regExp.test(name))
          .sort()
          .map((name) => join(dir, name));
      } catch {
        return [];
      }
    });
  }
  return candidates;
}
