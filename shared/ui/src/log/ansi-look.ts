/**
 * How an ANSI style looks in the page: the 16 theme colours and the
 * attributes become classes (so hosts theme them with CSS variables, see
 * README), 256-palette and 24-bit colours become inline colours.
 */
import { paletteColor, type AnsiColor, type AnsiStyle } from './ansi.js';

export interface SegmentLook {
  className: string;
  color?: string;
  backgroundColor?: string;
}

const ATTRIBUTE_CLASSES: Array<[keyof AnsiStyle, string]> = [
  ['bold', 'ferry-ansi-bold'],
  ['dim', 'ferry-ansi-dim'],
  ['italic', 'ferry-ansi-italic'],
  ['underline', 'ferry-ansi-underline'],
  ['strike', 'ferry-ansi-strike'],
];

/** `inverse` swaps the colours; a swapped default colour is the log's own foreground or background. */
export function segmentLook(style: AnsiStyle): SegmentLook {
  const classes: string[] = [];
  const look: SegmentLook = { className: '' };
  const fg = style.inverse ? (style.bg ?? 'background') : style.fg;
  const bg = style.inverse ? (style.fg ?? 'foreground') : style.bg;
  paint(fg, 'fg', classes, (css) => (look.color = css));
  paint(bg, 'bg', classes, (css) => (look.backgroundColor = css));
  for (const [key, className] of ATTRIBUTE_CLASSES) if (style[key]) classes.push(className);
  look.className = classes.join(' ');
  return look;
}

function paint(
  color: AnsiColor | 'foreground' | 'background' | undefined,
  layer: 'fg' | 'bg',
  classes: string[],
  inline: (css: string) => void,
): void {
  if (color === undefined) return;
  if (color === 'foreground' || color === 'background') classes.push(`ferry-ansi-${layer}-${color}`);
  else if (typeof color === 'number' && color < 16) classes.push(`ferry-ansi-${layer}-${color}`);
  else inline(typeof color === 'number' ? paletteColor(color) : color);
}
