/**
 * IPython syntax that is not Python: line magics (`%matplotlib inline`),
 * shell escapes (`!pip install x`) and cell magics (`%%time`). They are
 * replaced by spaces, or by `0` where a statement must stay (an indented
 * `!cmd` may be the only line of a block), so offsets and line numbers in
 * the parse still match the cell.
 */

/** Cell magics whose body is Python run in the notebook's namespace. */
const PYTHON_BODY_CELL_MAGICS = new Set(['time', 'timeit', 'capture', 'prun']);

/**
 * `isPython(offset)` says whether a line starting at `offset` with `%` or
 * `!` is really Python (e.g. a `% x` continuation inside parentheses).
 */
export function blankIPythonMagics(source: string, isPython: (offset: number) => boolean = () => false): string {
  const lines = source.split('\n');
  const firstLine = lines[0]!.trimStart();
  if (firstLine.startsWith('%%')) {
    const magic = /^%%(\w+)/.exec(firstLine)?.[1] ?? '';
    // `%%bash`, `%%writefile`, `%%html`...: the whole cell is some other language.
    if (!PYTHON_BODY_CELL_MAGICS.has(magic)) return lines.map(blank).join('\n');
    lines[0] = blank(lines[0]!);
  }
  let offset = 0;
  const result = lines.map((line) => {
    const start = offset + line.length - line.trimStart().length;
    offset += line.length + 1;
    return isMagicLine(line) && !isPython(start) ? replaceWithStatement(line) : line;
  });
  return result.join('\n');
}

function isMagicLine(line: string): boolean {
  const start = line.trimStart();
  return start.startsWith('%') || start.startsWith('!');
}

function blank(line: string): string {
  return ' '.repeat(line.length);
}

function replaceWithStatement(line: string): string {
  const indent = line.length - line.trimStart().length;
  return line.slice(0, indent) + '0' + ' '.repeat(line.length - indent - 1);
}
