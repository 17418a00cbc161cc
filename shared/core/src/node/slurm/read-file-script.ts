/**
 * Reads one whole file of a run directory on the cluster, in one exec: the
 * file must resolve (symbolic links followed) to a regular file inside the
 * run directory and be at most `maxBytes` long; its bytes travel base64.
 * The path is the run directory plus a relative path checked by
 * checkRunFilePath, and both reach the shell only shell-quoted.
 *
 * Records, one of:
 *   `missing`              no such regular file
 *   `outside`              it resolves outside the run directory
 *   `too-large SIZE`       larger than maxBytes
 *   `file SIZE DATA_B64`   the contents (at most SIZE bytes, should it grow meanwhile)
 */
import { posix } from 'node:path';
import { shellQuote } from '../remote/command-runner.js';
import { remoteScript } from './remote-script.js';

export function readFileScript(nonce: string, runDir: string, relativePath: string, maxBytes: number): string {
  const cap = Math.max(0, Math.floor(maxBytes));
  // No early `return`: the script must reach its `end` record whatever it found.
  const body = [
    `ferry_dir=${shellQuote(runDir)}`,
    `ferry_file=${shellQuote(posix.join(runDir, relativePath))}`,
    'if [ -f "$ferry_file" ] && ferry_root=$(realpath -e -- "$ferry_dir") && ferry_real=$(realpath -e -- "$ferry_file") \\',
    '    && ferry_size=$(stat -c %s -- "$ferry_real"); then',
    '  case "$ferry_real" in',
    '    "$ferry_root"/*)',
    `      if [ "$ferry_size" -gt ${cap} ]; then`,
    '        ferry_record too-large "$ferry_size"',
    '      else',
    `        printf '%s file %s ' "$ferry_mark" "$ferry_size"`,
    '        head -c "$ferry_size" -- "$ferry_real" | base64 -w0',
    "        printf '\\n'",
    '      fi ;;',
    '    *) ferry_record outside ;;',
    '  esac',
    'else',
    '  ferry_record missing',
    'fi',
  ];
  return remoteScript(nonce, 'Ferry: read a file of a run directory', body);
}
