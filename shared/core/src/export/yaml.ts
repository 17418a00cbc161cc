/**
 * JSON values as block-style YAML that YAML 1.1 readers (PyYAML, Go's
 * yaml.v2 behind kubectl and the Argo CLI) and YAML 1.2 readers load back
 * to the same value. A string is written plain only when nothing could read
 * it as another type (`yes`, `1e3`, `null`, `0x10`, dates, ...), as a
 * literal block when it is readable multi-line text, and double-quoted
 * (JSON escapes, plus escapes for YAML's own line breaks) otherwise.
 */
import type { JsonValue } from '../spec.js';

/** One YAML document (no `---`); `header` lines become `# ` comments above it. */
export function toYaml(value: JsonValue, header: readonly string[] = []): string {
  const comments = header.map((line) => `# ${line}`.trimEnd() + '\n').join('');
  return comments + (isCollection(value) && !isEmpty(value) ? block(value, 0) : `${scalar(value, 0)}\n`);
}

function block(value: JsonValue[] | { [key: string]: JsonValue }, indent: number): string {
  const pad = ' '.repeat(indent);
  let text = '';
  if (Array.isArray(value)) {
    for (const item of value) {
      if (isCollection(item) && !isEmpty(item)) {
        // `- key: value` with the rest of the mapping under the first key; a list in a list opens on its own line.
        const inner = block(item, indent + 2);
        text += Array.isArray(item) ? `${pad}-\n${inner}` : `${pad}- ${inner.slice(indent + 2)}`;
      } else {
        text += `${pad}- ${scalar(item, indent + 2)}\n`;
      }
    }
    return text;
  }
  for (const [name, item] of Object.entries(value)) {
    if (isCollection(item) && !isEmpty(item)) {
      // Sequences sit at their key's indentation, as kfp.compiler and kubectl write them.
      text += `${pad}${key(name)}:\n${block(item, Array.isArray(item) ? indent : indent + 2)}`;
    } else {
      text += `${pad}${key(name)}: ${scalar(item, indent + 2)}\n`;
    }
  }
  return text;
}

function isCollection(value: JsonValue): value is JsonValue[] | { [key: string]: JsonValue } {
  return typeof value === 'object' && value !== null;
}

function isEmpty(value: JsonValue[] | { [key: string]: JsonValue }): boolean {
  return Array.isArray(value) ? value.length === 0 : Object.keys(value).length === 0;
}

function scalar(value: JsonValue, indent: number): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return '[]';
  switch (typeof value) {
    case 'boolean':
      return String(value);
    case 'number':
      return number(value);
    case 'string':
      return string(value, indent);
    default:
      return '{}';
  }
}

/** `1e-7` is a string to YAML 1.1: exponents get a `.0` mantissa (`1.0e-7`). */
function number(value: number): string {
  if (!Number.isFinite(value)) throw new Error(`YAML export of a non-finite number: ${value}`);
  const text = String(value);
  return /e/.test(text) && !/\./.test(text) ? text.replace('e', '.0e') : text;
}

/** Words some YAML reader takes for a boolean or null (compared in lower case). */
const RESERVED = new Set(['y', 'n', 'yes', 'no', 'true', 'false', 'on', 'off', 'null', '~']);
/** Starts with a letter, `_` or `/`; then only characters that mean nothing to YAML. */
const PLAIN = /^[A-Za-z_/][A-Za-z0-9_./-]*$/;

/** Keys are plain or quoted, never blocks. */
function key(text: string): string {
  return PLAIN.test(text) && !RESERVED.has(text.toLowerCase()) ? text : quoted(text);
}

function string(text: string, indent: number): string {
  if (PLAIN.test(text) && !RESERVED.has(text.toLowerCase())) return text;
  if (isLiteralBlock(text)) {
    const lines = text.replace(/\n$/, '').split('\n');
    const pad = ' '.repeat(indent);
    const chomp = text.endsWith('\n') ? '' : '-';
    return `|${chomp}\n` + lines.map((line) => (line ? pad + line : '')).join('\n');
  }
  return quoted(text);
}

/**
 * Multi-line text of printable characters whose first line is not indented
 * (the block's indentation is read from it), without trailing whitespace on
 * any line (editors drop it) and with at most one final newline.
 */
function isLiteralBlock(text: string): boolean {
  return (
    text.includes('\n') &&
    !/^[ \t\n]/.test(text) &&
    !/[ \t]\n|[ \t]$|\n\n$/.test(text) &&
    // Tab, newline and printable characters, minus YAML's own line breaks and the byte order mark.
    !/[^\t\n\x20-\x7e\xa0-\u2027\u202a-\ud7ff\ue000-\ufefe\uff00-\ufffd\u{10000}-\u{10ffff}]/u.test(text)
  );
}

/** JSON's escapes are YAML's; characters YAML reads as line breaks or refuses are escaped too. */
function quoted(text: string): string {
  return JSON.stringify(text).replace(/[\x7f-\x9f\u2028\u2029\ufeff\ufffe\uffff]|\p{Cs}/gu, (char) => `\\u${char.charCodeAt(0).toString(16).padStart(4, '0')}`);
}
