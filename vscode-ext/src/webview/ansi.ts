/**
 * ANSI SGR colour codes (what `print` with colours, tqdm and loggers emit) to
 * styled runs of text. Other escape sequences are dropped.
 */

export interface StyledRun {
  text: string;
  /** CSS classes, e.g. `fg-1 bold`; empty for plain text. */
  classes: string;
}

// eslint-disable-next-line no-control-regex
const ESCAPE = /\x1b\[([0-9;]*)([A-Za-z])/g;

export function ansiRuns(text: string): StyledRun[] {
  const runs: StyledRun[] = [];
  let fg: number | undefined;
  let bold = false;
  let last = 0;
  const push = (part: string) => {
    if (!part) return;
    const classes = [fg !== undefined ? `fg-${fg}` : '', bold ? 'bold' : ''].filter(Boolean).join(' ');
    runs.push({ text: part, classes });
  };
  for (const match of text.matchAll(ESCAPE)) {
    push(text.slice(last, match.index));
    last = match.index + match[0].length;
    if (match[2] !== 'm') continue;
    const codes = match[1] === '' ? [0] : match[1]!.split(';').map(Number);
    for (const code of codes) {
      if (code === 0) {
        fg = undefined;
        bold = false;
      } else if (code === 1) bold = true;
      else if (code === 22) bold = false;
      else if (code === 39) fg = undefined;
      else if (code >= 30 && code <= 37) fg = code - 30;
      else if (code >= 90 && code <= 97) fg = code - 90 + 8;
    }
  }
  push(text.slice(last));
  return runs;
}
