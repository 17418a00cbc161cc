/**
 * One cell's Python, parsed once with @lezer/python and shared by every
 * analysis (syntax check, parameters, data flow, metrics).
 */

import type { SyntaxNode, Tree } from '@lezer/common';
import { parser } from '@lezer/python';
import { isGrammarGap } from './grammar-gaps.js';
import { blankIPythonMagics } from './ipython-magics.js';

export interface PythonCell {
  /** The source as parsed: the cell's text with IPython magic lines blanked (same offsets). */
  readonly source: string;
  readonly tree: Tree;
  /** Offset of the first place lezer had to recover from a syntax error, if any. */
  readonly errorAt: number | undefined;
  /** 1-based line of an offset. */
  lineAt(offset: number): number;
  text(node: SyntaxNode): string;
}

export function parsePythonCell(source: string): PythonCell {
  // Python reads a form feed as whitespace; lezer does not.
  if (source.includes('\f')) source = source.replaceAll('\f', ' ');
  let tree = parser.parse(source);
  let errorAt = firstErrorOffset(tree);
  // Magics are not Python, so they always make the parse fail; only then is
  // it worth looking for them.
  if (errorAt !== undefined) {
    const blanked = blankIPythonMagics(source, (offset) => isInsideBracketsOrString(tree, offset));
    if (blanked !== source) {
      source = blanked;
      tree = parser.parse(source);
      errorAt = firstErrorOffset(tree);
    }
  }
  return new ParsedCell(source, tree, errorAt);
}

const CONTINUATION_CONTEXTS = new Set([
  'String',
  'FormatString',
  'ArgList',
  'ParamList',
  'ParenthesizedExpression',
  'TupleExpression',
  'ArrayExpression',
  'DictionaryExpression',
  'SetExpression',
  'ComprehensionExpression',
  'ArrayComprehensionExpression',
  'DictionaryComprehensionExpression',
  'SetComprehensionExpression',
]);

/**
 * A line starting with `%` inside brackets or a string is Python (`("%s"\n
 * % x)`, a multi-line string), not a magic: the first parse already shows it.
 */
function isInsideBracketsOrString(tree: Tree, offset: number): boolean {
  for (let node: SyntaxNode | null = tree.resolveInner(offset, 1); node; node = node.parent) {
    if (node.from < offset && CONTINUATION_CONTEXTS.has(node.name)) return true;
  }
  return false;
}

class ParsedCell implements PythonCell {
  private lineStarts: number[] | undefined;
  constructor(
    readonly source: string,
    readonly tree: Tree,
    readonly errorAt: number | undefined,
  ) {}

  lineAt(offset: number): number {
    const starts = (this.lineStarts ??= computeLineStarts(this.source));
    let low = 0;
    let high = starts.length - 1;
    while (low < high) {
      const mid = (low + high + 1) >> 1;
      if (starts[mid]! <= offset) low = mid;
      else high = mid - 1;
    }
    return low + 1;
  }

  text(node: SyntaxNode): string {
    return this.source.slice(node.from, node.to);
  }
}

function computeLineStarts(source: string): number[] {
  const starts = [0];
  for (let i = 0; i < source.length; i++) if (source.charCodeAt(i) === 10) starts.push(i + 1);
  return starts;
}

function firstErrorOffset(tree: Tree): number | undefined {
  let offset: number | undefined;
  tree.iterate({
    enter: (node) => {
      if (offset !== undefined) return false;
      if (node.type.isError && !isGrammarGap(node.node)) offset = node.from;
      return undefined;
    },
  });
  return offset;
}

export interface SyntaxErrorPosition {
  line: number;
  /** The offending line's text, trimmed, for the message. */
  lineText: string;
}

/** The first place lezer had to recover from an error, if any. */
export function findSyntaxError(cell: PythonCell): SyntaxErrorPosition | undefined {
  if (cell.errorAt === undefined) return undefined;
  const lines = cell.source.split('\n');
  let line = cell.lineAt(cell.errorAt);
  // An error found at the end of the input (an unclosed bracket) belongs to the last line of code.
  while (line > 1 && !lines[line - 1]!.trim()) line--;
  return { line, lineText: lines[line - 1]!.trim() };
}

/** The node's children, in order (tokens such as `(`, `,` and keywords included). */
export function childrenOf(node: SyntaxNode): SyntaxNode[] {
  const children: SyntaxNode[] = [];
  for (let child = node.firstChild; child; child = child.nextSibling) children.push(child);
  return children;
}
