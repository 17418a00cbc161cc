/**
 * The parameters cell (Papermill's `parameters`, Kale's
 * `pipeline-parameters`) read as declarations: each `name = literal` or
 * `name: type = literal` line is one parameter, with the trailing comment as
 * its help text. The runtime binds the values itself, so the cell must hold
 * nothing that needs running.
 */

import type { SyntaxNode } from '@lezer/common';
import { FerryError } from '../errors.js';
import type { ParameterSpec, ParamType } from '../spec.js';
import { evaluateLiteral, NotALiteral, type PythonLiteral } from './literal.js';
import { childrenOf, type PythonCell } from './python-cell.js';

export interface CellLocation {
  file?: string;
  cell: number;
}

const LITERAL_KINDS = 'numbers, strings, True/False, None, lists, dicts';

export function extractParameters(cell: PythonCell, where: CellLocation): ParameterSpec[] {
  const parameters: ParameterSpec[] = [];
  const top = childrenOf(cell.tree.topNode);
  top.forEach((node, i) => {
    if (node.name === 'Comment' || isDocstring(node)) return;
    const help = trailingComment(cell, node, top[i + 1]);
    const statements = node.name === 'StatementGroup' ? childrenOf(node) : [node];
    statements.forEach((statement, j) => {
      const parameter = readAssignment(cell, statement, where, j === statements.length - 1 ? help : undefined);
      const earlier = parameters.find((p) => p.name === parameter.name);
      if (earlier) {
        throw new FerryError(
          'parameter',
          `parameter \`${parameter.name}\` is assigned twice (lines ${earlier.line} and ${parameter.line})`,
          { ...where, line: parameter.line, parameter: parameter.name },
        );
      }
      parameters.push(parameter);
    });
  });
  return parameters;
}

function isDocstring(node: SyntaxNode): boolean {
  const only = node.name === 'ExpressionStatement' ? childrenOf(node) : [];
  return only.length === 1 && (only[0]!.name === 'String' || only[0]!.name === 'ContinuedString');
}

/**
 * `x = 1  # help`: a comment that follows the statement on its last line.
 * Usually the comment is the statement's next sibling; after some recovered
 * grammar gaps (`lr = 1.  # help`) it ends up inside the statement.
 */
function trailingComment(cell: PythonCell, statement: SyntaxNode, next: SyntaxNode | undefined): string | undefined {
  const inner = cell.tree.resolveInner(statement.to, -1);
  const comment =
    inner.name === 'Comment' && inner.to === statement.to
      ? inner
      : next?.name === 'Comment' && !cell.source.slice(statement.to, next.from).includes('\n')
        ? next
        : undefined;
  const text = comment && cell.text(comment).replace(/^#+/, '').trim();
  return text || undefined;
}

function readAssignment(
  cell: PythonCell,
  statement: SyntaxNode,
  where: CellLocation,
  help: string | undefined,
): ParameterSpec {
  const line = cell.lineAt(statement.from);
  const children = statement.name === 'AssignStatement' ? childrenOf(statement) : [];
  const [target, ...rest] = children;
  if (target?.name !== 'VariableName') {
    throw new FerryError(
      'parameter',
      `the parameters cell may only assign defaults, one name per line (\`name = value\`); line ${line} is \`${firstLine(cell.text(statement))}\``,
      { ...where, line },
    );
  }
  const name = cell.text(target);
  const annotation = rest[0]?.name === 'TypeDef' ? rest.shift() : undefined;
  const at = { ...where, line, parameter: name };
  if (rest.length === 0) {
    throw new FerryError('parameter', `parameter \`${name}\` has no default value`, at);
  }
  if (rest.length !== 2 || rest[0]!.name !== 'AssignOp') {
    throw new FerryError('parameter', `parameter \`${name}\`: assign one name per line (\`name = value\`)`, at);
  }

  let literal: PythonLiteral;
  try {
    literal = evaluateLiteral(rest[1]!, cell);
  } catch (e) {
    if (!(e instanceof NotALiteral)) throw e;
    throw new FerryError(
      'parameter',
      `parameter \`${name}\`: defaults must be literals (${LITERAL_KINDS}); ${e.message}`,
      at,
    );
  }

  const declared = annotation && annotatedType(cell, childrenOf(annotation).find((n) => n.name !== ':'));
  const type = declared ?? literal.type;
  if (declared && !defaultFits(declared, literal.type)) {
    throw new FerryError(
      'parameter',
      `parameter \`${name}\` is annotated \`${declared}\` but its default \`${cell.text(rest[1]!)}\` is ${withArticle(literal.type)}`,
      at,
    );
  }
  return { name, type, default: literal.value, ...(help ? { help } : {}), cell: where.cell, line };
}

/** Python allows an int where a float is declared, and None for any `Optional`-style default. */
function defaultFits(declared: ParamType, actual: ParamType): boolean {
  return declared === actual || actual === 'None' || (declared === 'float' && actual === 'int');
}

const TYPE_NAMES: Record<string, ParamType> = {
  int: 'int',
  float: 'float',
  str: 'str',
  bool: 'bool',
  list: 'list',
  tuple: 'list',
  dict: 'dict',
  List: 'list',
  Tuple: 'list',
  Sequence: 'list',
  Dict: 'dict',
  Mapping: 'dict',
};

/**
 * The parameter type an annotation names: `int`, `list[int]`, `Dict[str, int]`,
 * `Optional[float]`, `float | None`. Anything else (custom classes, unions
 * of several types) says nothing usable, and the default decides.
 */
function annotatedType(cell: PythonCell, node: SyntaxNode | undefined): ParamType | undefined {
  if (!node) return undefined;
  switch (node.name) {
    case 'None':
      return 'None';
    case 'VariableName':
      return Object.hasOwn(TYPE_NAMES, cell.text(node)) ? TYPE_NAMES[cell.text(node)] : undefined;
    case 'MemberExpression': {
      const [base, ...rest] = childrenOf(node);
      if (base?.name !== 'VariableName' || rest[0]?.name !== '[') return undefined;
      if (cell.text(base) === 'Optional') return annotatedType(cell, rest[1]);
      return annotatedType(cell, base);
    }
    case 'BinaryExpression': {
      // `float | None`
      const [left, operator, right] = childrenOf(node);
      if (operator && cell.text(operator) === '|' && right?.name === 'None') return annotatedType(cell, left);
      return undefined;
    }
    default:
      return undefined;
  }
}

function withArticle(type: ParamType): string {
  return type === 'int' ? 'an int' : `a ${type}`;
}

function firstLine(text: string): string {
  const line = text.split('\n')[0]!;
  return line.length > 60 ? `${line.slice(0, 57)}...` : line;
}
