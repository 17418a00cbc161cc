/**
 * OpenSSH host patterns, as used by `Host` lines in ssh_config and by the
 * host field of known_hosts: comma- or space-separated globs where `*` is any
 * run of characters, `?` exactly one, and a leading `!` negates. A list
 * matches when some positive pattern matches and no negated one does: a
 * negated match vetoes the whole list (OpenSSH's match_pattern_list).
 */

/** Host names compare case-insensitively, as OpenSSH lowercases them. */
export function matchesPattern(host: string, pattern: string): boolean {
  return globToRegExp(pattern, 'is').test(host);
}

export function matchesPatternList(host: string, patterns: readonly string[]): boolean {
  let matched = false;
  for (const raw of patterns) {
    const negated = raw.startsWith('!');
    const pattern = negated ? raw.slice(1) : raw;
    if (!matchesPattern(host, pattern)) continue;
    if (negated) return false;
    matched = true;
  }
  return matched;
}

/** A glob as an anchored regular expression; `*` and `?` are the only special characters. */
export function globToRegExp(pattern: string, flags = 's'): RegExp {
  const body = [...pattern]
    .map((char) => (char === '*' ? '.*' : char === '?' ? '.' : char.replace(/[\\^$.|+()[\]{}]/g, '\\$&')))
    .join('');
  return new RegExp(`^${body}$`, flags);
}
