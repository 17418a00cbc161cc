/**
 * Reads a byte range of a step's log on the cluster: the file's size, then at
 * most `maxBytes` from `offset` (base64, so any bytes survive), in one exec.
 * The size is read first and bounds the range, so a log that grows meanwhile
 * never yields more than `size - offset` bytes.
 *
 * Record: `range SIZE DATA_B64` (size 0 when the log does not exist yet).
 */
import { shellQuote } from '../remote/command-runner.js';
import { remoteScript } from './remote-script.js';

export function readLogScript(nonce: string, file: string, offset: number, maxBytes: number): string {
  const start = Math.max(0, Math.floor(offset));
  const body = [
    `ferry_file=${shellQuote(file)}`,
    'ferry_size=$(stat -c %s "$ferry_file" 2>/dev/null) || ferry_size=0',
    `ferry_count=$((ferry_size - ${start})); [ "$ferry_count" -gt ${Math.max(0, Math.floor(maxBytes))} ] && ferry_count=${Math.max(0, Math.floor(maxBytes))}`,
    `printf '%s range %s ' "$ferry_mark" "$ferry_size"`,
    `if [ "$ferry_count" -gt 0 ]; then tail -c +${start + 1} "$ferry_file" | head -c "$ferry_count" | base64 -w0; fi`,
    "printf '\\n'",
  ];
  return remoteScript(nonce, 'Ferry: read a step log', body);
}
