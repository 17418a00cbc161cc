/**
 * The value of one Python string token (`'a'`, `"""doc"""`, `r"\d"`,
 * `u"\u00e9"`), decoded the way CPython does. Used for parameter defaults,
 * so that what the form shows is what the notebook would have bound.
 */

export class UnsupportedString extends Error {}

const SIMPLE_ESCAPES: Record<string, string> = {
  '\\': '\\',
  "'": "'",
  '"': '"',
  a: '\x07',
  b: '\b',
  f: '\f',
  n: '\n',
  r: '\r',
  t: '\t',
  v: '\v',
};

/** Decodes a string token; throws UnsupportedString for bytes and `\N{...}` escapes. */
export function decodeStringToken(token: string): string {
  const quoteAt = token.search(/['"]/);
  const prefix = token.slice(0, quoteAt).toLowerCase();
  if (prefix.includes('b')) throw new UnsupportedString('a bytes literal');
  const quote = token[quoteAt]!;
  const quoteLength = token.startsWith(quote.repeat(3), quoteAt) ? 3 : 1;
  const body = token.slice(quoteAt + quoteLength, token.length - quoteLength);
  return prefix.includes('r') ? body : decodeEscapes(body);
}

function decodeEscapes(body: string): string {
  let out = '';
  let i = 0;
  while (i < body.length) {
    const backslash = body.indexOf('\\', i);
    if (backslash < 0) {
      out += body.slice(i);
      break;
    }
    out += body.slice(i, backslash);
    const c = body[backslash + 1] ?? '';
    i = backslash + 2;
    if (c === '\n') continue; // a backslash at the end of a line joins the lines
    if (c in SIMPLE_ESCAPES) {
      out += SIMPLE_ESCAPES[c];
    } else if (c >= '0' && c <= '7') {
      const octal = /^[0-7]{1,3}/.exec(body.slice(backslash + 1))![0];
      out += String.fromCodePoint(parseInt(octal, 8));
      i = backslash + 1 + octal.length;
    } else if (c === 'x' || c === 'u' || c === 'U') {
      const length = c === 'x' ? 2 : c === 'u' ? 4 : 8;
      const hex = body.slice(i, i + length);
      if (!new RegExp(`^[0-9a-fA-F]{${length}}$`).test(hex)) throw new UnsupportedString(`a malformed \\${c} escape`);
      const codePoint = parseInt(hex, 16);
      if (codePoint > 0x10ffff) throw new UnsupportedString(`a malformed \\${c} escape`);
      out += String.fromCodePoint(codePoint);
      i += length;
    } else if (c === 'N') {
      throw new UnsupportedString('a \\N{...} escape (write the character itself)');
    } else {
      out += '\\' + c; // Python keeps unknown escapes such as `\d` as written
    }
  }
  return out;
}
