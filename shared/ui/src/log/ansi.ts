/**
 * ANSI escape sequences in log lines, read as a terminal would show them:
 * SGR colours (16, 256 and 24-bit) and attributes become styles; every other
 * control sequence (cursor moves, erase line, OSC titles and hyperlinks) is
 * dropped; a carriage return lets the text after it replace the text before
 * it, so progress bars show their last state. Pure: no DOM.
 */

/** 0–255: the terminal palette (0–15 follow the host's theme); a string: `#rrggbb`. */
export type AnsiColor = number | string;

export interface AnsiStyle {
  readonly fg?: AnsiColor;
  readonly bg?: AnsiColor;
  readonly bold?: boolean;
  readonly dim?: boolean;
  readonly italic?: boolean;
  readonly underline?: boolean;
  readonly inverse?: boolean;
  readonly strike?: boolean;
}

/** The style of text no sequence has touched; shared so "unchanged" is a cheap `===`. */
export const PLAIN_STYLE: AnsiStyle = Object.freeze({});

export interface AnsiSegment {
  text: string;
  style: AnsiStyle;
}

export interface ParsedLine {
  /** What the line shows, split where the style changes. */
  segments: AnsiSegment[];
  /** The style in force after the line: the next line starts with it. */
  end: AnsiStyle;
}

const ESC = '\x1b';
// Control characters a terminal would not print; keeps \t (\x09), and \n never reaches a line.
// eslint-disable-next-line no-control-regex -- matching control characters is the point
const CONTROL_TO_DROP = /[\x00-\x08\x0b-\x1f\x7f]/g;

/** Splits a line into styled segments, starting from the style the previous line left. */
export function parseAnsi(line: string, start: AnsiStyle = PLAIN_STYLE): ParsedLine {
  if (!line.includes(ESC) && !line.includes('\r')) {
    const text = line.replace(CONTROL_TO_DROP, '');
    return { segments: text ? [{ text, style: start }] : [], end: start };
  }
  let segments: AnsiSegment[] = [];
  let style = start;
  let text = '';
  let overwrite = false;
  const flush = () => {
    if (!text) return;
    const last = segments[segments.length - 1];
    if (last && last.style === style) last.text += text;
    else segments.push({ text, style });
    text = '';
  };
  let i = 0;
  while (i < line.length) {
    const char = line[i]!;
    if (char === ESC) {
      const sequence = readEscape(line, i);
      if (sequence.sgr) {
        const next = applySgr(style, sequence.sgr);
        if (next !== style) {
          flush();
          style = next;
        }
      }
      i = sequence.end;
      continue;
    }
    if (char === '\r') {
      // The cursor went back to the line start: what follows replaces what was shown.
      overwrite = true;
      i++;
      continue;
    }
    if (overwrite) {
      text = '';
      segments = [];
      overwrite = false;
    }
    text += char;
    i++;
  }
  flush();
  for (const segment of segments) segment.text = segment.text.replace(CONTROL_TO_DROP, '');
  return { segments: segments.filter((s) => s.text), end: style };
}

/** The style after a line, without building its segments (used for every line appended). */
export function styleAfter(line: string, start: AnsiStyle): AnsiStyle {
  if (!line.includes(ESC)) return start;
  let style = start;
  for (let i = line.indexOf(ESC); i >= 0 && i < line.length; i = line.indexOf(ESC, i)) {
    const sequence = readEscape(line, i);
    if (sequence.sgr) style = applySgr(style, sequence.sgr);
    i = sequence.end;
  }
  return style;
}

/** What the line shows, without styles (for search and copying). */
export function plainText(line: string): string {
  return parseAnsi(line)
    .segments.map((s) => s.text)
    .join('');
}

interface EscapeSequence {
  /** Index just after the sequence (the line's end when it is cut off). */
  end: number;
  /** Parameters of an SGR (`ESC [ … m`) sequence. */
  sgr?: string;
}

/** Reads one escape sequence at `start` (which holds ESC). */
function readEscape(line: string, start: number): EscapeSequence {
  const kind = line[start + 1];
  if (kind === '[') {
    // CSI: parameter bytes 0x30–0x3F, intermediate bytes 0x20–0x2F, one final byte 0x40–0x7E.
    let i = start + 2;
    while (i < line.length && line.charCodeAt(i) >= 0x20 && line.charCodeAt(i) <= 0x3f) i++;
    const final = line.charCodeAt(i);
    if (i >= line.length || final < 0x40 || final > 0x7e) return { end: Math.min(i, line.length) };
    return line[i] === 'm' ? { end: i + 1, sgr: line.slice(start + 2, i) } : { end: i + 1 };
  }
  if (kind === ']' || kind === 'P' || kind === '_' || kind === '^') {
    // OSC / DCS / APC / PM: a string ended by BEL or ESC \ (hyperlinks keep their text, not their target).
    for (let i = start + 2; i < line.length; i++) {
      if (line[i] === '\x07') return { end: i + 1 };
      if (line[i] === ESC && line[i + 1] === '\\') return { end: i + 2 };
    }
    return { end: line.length };
  }
  return { end: Math.min(start + 2, line.length) };
}

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

/**
 * Applies SGR parameters (`1;31`, `38;5;208`, `38;2;255;0;0`, or the colon
 * forms `38:2::255:0:0`) to a style. Returns the same object when nothing changed.
 */
export function applySgr(style: AnsiStyle, parameters: string): AnsiStyle {
  const codes = parameters === '' ? ['0'] : parameters.split(';');
  let next: Mutable<AnsiStyle> | undefined;
  const edit = (): Mutable<AnsiStyle> => (next ??= { ...style });
  for (let k = 0; k < codes.length; k++) {
    const code = codes[k]!;
    if (code.includes(':')) {
      applyColonForm(edit, code.split(':').map(toInt));
      continue;
    }
    const n = toInt(code);
    if (n === 38 || n === 48) {
      const mode = toInt(codes[k + 1]);
      if (mode === 5) {
        setColor(edit, n, paletteIndex(codes[k + 2]));
        k += 2;
      } else if (mode === 2) {
        setColor(edit, n, rgb(codes[k + 2], codes[k + 3], codes[k + 4]));
        k += 4;
      } else {
        k += 1;
      }
      continue;
    }
    applyCode(edit, n);
  }
  return next ? normalize(next) : style;
}

function applyCode(edit: () => Mutable<AnsiStyle>, n: number): void {
  if (n === 0) {
    const s = edit();
    for (const key of Object.keys(s) as Array<keyof AnsiStyle>) delete s[key];
  } else if (n === 1) edit().bold = true;
  else if (n === 2) edit().dim = true;
  else if (n === 3) edit().italic = true;
  else if (n === 4) edit().underline = true;
  else if (n === 7) edit().inverse = true;
  else if (n === 9) edit().strike = true;
  else if (n === 22) Object.assign(edit(), { bold: undefined, dim: undefined });
  else if (n === 23) edit().italic = undefined;
  else if (n === 24) edit().underline = undefined;
  else if (n === 27) edit().inverse = undefined;
  else if (n === 29) edit().strike = undefined;
  else if (n >= 30 && n <= 37) edit().fg = n - 30;
  else if (n === 39) edit().fg = undefined;
  else if (n >= 40 && n <= 47) edit().bg = n - 40;
  else if (n === 49) edit().bg = undefined;
  else if (n >= 90 && n <= 97) edit().fg = n - 90 + 8;
  else if (n >= 100 && n <= 107) edit().bg = n - 100 + 8;
  // Anything else (blink, fonts, overline, …) changes nothing a log view shows.
}

/** `38:5:n`, `38:2:r:g:b`, `38:2::r:g:b` (with a colour-space id), `4:0` / `4:3` (underline styles). */
function applyColonForm(edit: () => Mutable<AnsiStyle>, parts: number[]): void {
  const [n, mode] = parts;
  if (n === 38 || n === 48) {
    if (mode === 5) setColor(edit, n, paletteIndex(String(parts[2])));
    if (mode === 2) {
      const channels = parts.length >= 6 ? parts.slice(3, 6) : parts.slice(2, 5);
      setColor(edit, n, rgb(...channels.map(String)));
    }
  } else if (n === 4) {
    edit().underline = mode === 0 ? undefined : true;
  }
}

function setColor(edit: () => Mutable<AnsiStyle>, which: number, color: AnsiColor | undefined): void {
  if (color === undefined) return;
  if (which === 38) edit().fg = color;
  else edit().bg = color;
}

function toInt(text: string | undefined): number {
  const n = Number.parseInt(text ?? '', 10);
  return Number.isNaN(n) ? 0 : n;
}

function paletteIndex(text: string | undefined): number | undefined {
  const n = Number.parseInt(text ?? '', 10);
  return n >= 0 && n <= 255 ? n : undefined;
}

function rgb(...channels: Array<string | undefined>): string | undefined {
  const values = channels.map((c) => Number.parseInt(c ?? '', 10));
  if (values.length !== 3 || values.some((v) => !(v >= 0 && v <= 255))) return undefined;
  return `#${values.map((v) => v.toString(16).padStart(2, '0')).join('')}`;
}

/** Drops unset keys so equal styles print alike, and returns the shared plain style when empty. */
function normalize(style: Mutable<AnsiStyle>): AnsiStyle {
  for (const key of Object.keys(style) as Array<keyof AnsiStyle>) {
    if (style[key] === undefined || style[key] === false) delete style[key];
  }
  return Object.keys(style).length === 0 ? PLAIN_STYLE : Object.freeze(style);
}

/** The colour of a 256-palette index above 15 (the 6×6×6 cube and the grey ramp), as `#rrggbb`. */
export function paletteColor(index: number): string {
  if (index >= 232) {
    const grey = 8 + 10 * (index - 232);
    return rgb(String(grey), String(grey), String(grey))!;
  }
  const cube = index - 16;
  const level = (n: number) => String(n === 0 ? 0 : 55 + 40 * n);
  return rgb(level(Math.floor(cube / 36)), level(Math.floor(cube / 6) % 6), level(cube % 6))!;
}
