/**
 * Valid Python that @lezer/python 1.1 does not accept. Its error recovery
 * leaves an error node at a recognizable place in a tree that is otherwise
 * right; those errors are not the user's, so they must not stop
 * compilation. Gaps that leave a wrong tree, such as parenthesized context
 * managers `with (a as b, c as d):` or `with x as (a, b):`, are still
 * reported as syntax errors.
 */

import type { SyntaxNode } from '@lezer/common';

const COMPREHENSIONS = new Set([
  'ComprehensionExpression',
  'ArrayComprehensionExpression',
  'SetComprehensionExpression',
  'DictionaryComprehensionExpression',
  'ArgList', // a generator argument, `f(x for x in xs)`
]);

export function isGrammarGap(error: SyntaxNode): boolean {
  const parent = error.parent;
  if (!parent) return false;
  // `yield` with no value: a bare `yield` statement (maybe with a comment), or `x = (yield)`
  let previous = error.prevSibling;
  while (previous?.name === 'Comment') previous = previous.prevSibling;
  if (error.from === error.to && previous?.name === 'yield') return true;
  // `1.`, `2.*x`: a float written with a trailing dot
  if (isTrailingDotFloat(parent)) return true;
  // `case Point():`, `case str() | bytes():` class patterns with no arguments
  const argList = parent.name === 'PatternArgList' ? parent : parent.parent;
  if (argList?.name === 'PatternArgList' && argList.to - argList.from === 2) return true;
  // `[f(*rest) for first, *rest in rows]`: a starred comprehension target
  return COMPREHENSIONS.has(parent.name) && error.firstChild?.name === '*' && error.to - error.from === 1;
}

/**
 * `1.` parses as a member access on `1` with a missing property name
 * (possibly with a comment before the empty error node).
 */
export function isTrailingDotFloat(node: SyntaxNode): boolean {
  if (node.name !== 'MemberExpression') return false;
  const number = node.firstChild;
  const dot = number?.nextSibling;
  if (number?.name !== 'Number' || dot?.name !== '.' || number.to !== dot.from) return false;
  let rest = dot.nextSibling;
  while (rest?.name === 'Comment') rest = rest.nextSibling;
  return rest?.type.isError === true && rest.from === rest.to && !rest.nextSibling;
}

/** The float's own text, without a comment the parser put inside the node. */
export function trailingDotFloatText(node: SyntaxNode, source: string): string {
  return source.slice(node.from, node.firstChild!.nextSibling!.to);
}
