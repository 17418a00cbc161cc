/**
 * Evaluating Python literals (the subset `ast.literal_eval` accepts that
 * maps onto JSON) from the syntax tree, never by running or rewriting code.
 * Used for parameter defaults and for list/dict values typed on the command
 * line in Python notation.
 */

import type { SyntaxNode } from '@lezer/common';
import type { JsonValue, ParamType } from '../spec.js';
import { isTrailingDotFloat, trailingDotFloatText } from './grammar-gaps.js';
import { childrenOf, findSyntaxError, parsePythonCell, type PythonCell } from './python-cell.js';
import { decodeStringToken, UnsupportedString } from './string-literal.js';

export interface PythonLiteral {
  value: JsonValue;
  type: ParamType;
}

/** Why an expression has no literal value; `message` reads on its own ("`f(x)` is a function call"). */
export class NotALiteral extends Error {
  constructor(
    message: string,
    readonly node: SyntaxNode,
  ) {
    super(message);
  }
}

const PUNCTUATION = new Set(['(', ')', '[', ']', '{', '}', ',', ':']);

/** Throws NotALiteral when the expression is anything but a JSON-compatible literal. */
export function evaluateLiteral(node: SyntaxNode, cell: PythonCell): PythonLiteral {
  const fail = (what: string): never => {
    throw new NotALiteral(`\`${snippet(cell.text(node))}\` is ${what}`, node);
  };
  switch (node.name) {
    case 'Number':
      return evaluateNumber(cell.text(node), fail);
    case 'String':
    case 'ContinuedString':
      return { value: evaluateString(node, cell, fail), type: 'str' };
    case 'Boolean':
      return { value: cell.text(node) === 'True', type: 'bool' };
    case 'None':
      return { value: null, type: 'None' };
    case 'UnaryExpression':
      return evaluateSigned(node, cell, fail);
    case 'ParenthesizedExpression':
      return evaluateLiteral(elementsOf(node, fail)[0] ?? fail('empty parentheses'), cell);
    case 'ArrayExpression':
    case 'TupleExpression':
      // Tuples become lists: JSON has only one sequence type.
      return { value: elementsOf(node, fail).map((element) => evaluateLiteral(element, cell).value), type: 'list' };
    case 'DictionaryExpression':
      return { value: evaluateDict(node, cell, fail), type: 'dict' };
    case 'MemberExpression':
      if (isTrailingDotFloat(node)) {
        return { value: Number(trailingDotFloatText(node, cell.source).replaceAll('_', '')), type: 'float' };
      }
      return fail(describe(node));
    default:
      return fail(describe(node));
  }
}

/**
 * A whole text as one Python literal, e.g. `[1, 'a']` typed on a command
 * line; undefined when it is not exactly one literal expression.
 */
export function parsePythonLiteral(text: string): PythonLiteral | undefined {
  const cell = parsePythonCell(text);
  if (findSyntaxError(cell)) return undefined;
  const statements = childrenOf(cell.tree.topNode).filter((node) => node.name !== 'Comment');
  if (statements.length !== 1 || statements[0]!.name !== 'ExpressionStatement') return undefined;
  const expressions = childrenOf(statements[0]!);
  if (expressions.length !== 1) return undefined;
  try {
    return evaluateLiteral(expressions[0]!, cell);
  } catch (e) {
    if (e instanceof NotALiteral) return undefined;
    throw e;
  }
}

function evaluateNumber(text: string, fail: (what: string) => never): PythonLiteral {
  const digits = text.replaceAll('_', '');
  if (/[jJ]$/.test(digits)) fail('a complex number, which JSON cannot carry');
  const radix = /^0[xX]/.test(digits) ? 16 : /^0[oO]/.test(digits) ? 8 : /^0[bB]/.test(digits) ? 2 : 10;
  if (radix !== 10) return integer(parseInt(digits.slice(2), radix), fail);
  if (/^\d+$/.test(digits)) return integer(Number(digits), fail);
  const value = Number(digits);
  if (!Number.isFinite(value)) fail('too large for a float');
  return { value, type: 'float' };
}

function integer(value: number, fail: (what: string) => never): PythonLiteral {
  // JSON numbers are doubles on the way through JavaScript: larger integers would silently change.
  if (!Number.isSafeInteger(value)) fail('an integer too large to pass exactly (the limit is ±2^53)');
  return { value, type: 'int' };
}

function evaluateSigned(node: SyntaxNode, cell: PythonCell, fail: (what: string) => never): PythonLiteral {
  const [operator, operand] = childrenOf(node);
  const sign = operator && cell.text(operator);
  if (!operand || (sign !== '-' && sign !== '+')) return fail('an expression');
  const inner = evaluateLiteral(operand, cell);
  if (inner.type !== 'int' && inner.type !== 'float') return fail('an expression');
  // `-0` stays 0: JSON has no negative zero for integers.
  const value = sign === '-' && inner.value !== 0 ? -(inner.value as number) : (inner.value as number);
  return { value, type: inner.type };
}

function evaluateString(node: SyntaxNode, cell: PythonCell, fail: (what: string) => never): string {
  const parts = node.name === 'String' ? [node] : childrenOf(node);
  let value = '';
  for (const part of parts) {
    if (part.name !== 'String') return fail('an f-string, which is computed when the cell runs');
    try {
      value += decodeStringToken(cell.text(part));
    } catch (e) {
      if (e instanceof UnsupportedString) return fail(e.message);
      throw e;
    }
  }
  return value;
}

function evaluateDict(node: SyntaxNode, cell: PythonCell, fail: (what: string) => never): JsonValue {
  const entries = new Map<string, JsonValue>();
  const children = childrenOf(node).filter((child) => child.name !== '{' && child.name !== '}');
  for (let i = 0; i < children.length; ) {
    const key = children[i]!;
    if (key.name === '**') return fail('a dict with `**` unpacking');
    if (children[i + 1]?.name !== ':' || !children[i + 2]) return fail('not a plain dict');
    const keyValue = evaluateLiteral(key, cell);
    if (keyValue.type !== 'str') {
      throw new NotALiteral(`dict key \`${snippet(cell.text(key))}\` is not a string; JSON keys are strings`, key);
    }
    entries.set(keyValue.value as string, evaluateLiteral(children[i + 2]!, cell).value);
    i += children[i + 3]?.name === ',' ? 4 : 3;
  }
  // fromEntries, unlike assignment, keeps a key such as `__proto__` as data.
  return Object.fromEntries(entries);
}

/** The element expressions of a bracketed node; starred elements are not literals. */
function elementsOf(node: SyntaxNode, fail: (what: string) => never): SyntaxNode[] {
  const elements = childrenOf(node).filter((child) => !PUNCTUATION.has(child.name));
  if (elements.some((child) => child.name === '*')) fail('a sequence with `*` unpacking');
  return elements;
}

function describe(node: SyntaxNode): string {
  switch (node.name) {
    case 'CallExpression':
      return 'a function call';
    case 'VariableName':
      return 'a variable';
    case 'MemberExpression':
      return 'an attribute or subscript';
    case 'FormatString':
      return 'an f-string, which is computed when the cell runs';
    case 'SetExpression':
      return 'a set, which JSON cannot carry (use a list)';
    case 'LambdaExpression':
      return 'a lambda';
    case 'ArrayComprehensionExpression':
    case 'ComprehensionExpression':
    case 'SetComprehensionExpression':
    case 'DictionaryComprehensionExpression':
      return 'a comprehension';
    default:
      return 'an expression';
  }
}

function snippet(text: string): string {
  const oneLine = text.replace(/\s+/g, ' ');
  return oneLine.length > 40 ? `${oneLine.slice(0, 37)}...` : oneLine;
}
