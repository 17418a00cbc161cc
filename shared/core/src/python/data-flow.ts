/**
 * Which module-level names a cell reads and binds, from a scope-aware walk
 * of its syntax tree. Steps exchange exactly these names, so the walk
 * follows Python's binding rules closely (comprehension scopes, `global`,
 * `except ... as`, walrus, `del`, match captures) and errs on the side of
 * "uses" when Python itself only knows at run time.
 */

import type { SyntaxNode } from '@lezer/common';
import { childrenOf, type PythonCell } from './python-cell.js';
import { ClassScope, ComprehensionScope, FunctionScope, ModuleScope, type Scope } from './scopes.js';

export interface CellDataFlow {
  /** Names read before the cell binds them, in order of first use (builtins included). */
  uses: string[];
  /** Names bound when the cell ends: assigned, imported, defined, or changed in place. */
  defines: string[];
  /** Names the cell deletes and does not bind again. */
  deletes: string[];
}

export function analyzeCellDataFlow(cell: PythonCell): CellDataFlow {
  const module = new ModuleScope();
  new CellWalker(cell, module).statements(cell.tree.topNode);
  return module.result();
}

/** Tokens that never carry a name. */
const PUNCTUATION = new Set(['(', ')', '[', ']', '{', '}', ',', ':', ';', '*', '**', '.']);

const COMPREHENSIONS = new Set([
  'ComprehensionExpression',
  'ArrayComprehensionExpression',
  'SetComprehensionExpression',
  'DictionaryComprehensionExpression',
]);

const SEQUENCE_TARGETS = new Set(['TupleExpression', 'ArrayExpression', 'ParenthesizedExpression']);

class CellWalker {
  /** Where names read and bound right now go. */
  private scope: Scope;

  constructor(
    private readonly cell: PythonCell,
    private readonly module: ModuleScope,
  ) {
    this.scope = module;
  }

  private name(node: SyntaxNode): string {
    return this.cell.text(node);
  }

  private within(scope: Scope, walk: () => void): void {
    const outer = this.scope;
    this.scope = scope;
    try {
      walk();
    } finally {
      this.scope = outer;
    }
  }

  // ---- statements ----

  statements(parent: SyntaxNode): void {
    for (let node = parent.firstChild; node; node = node.nextSibling) this.statement(node);
  }

  private statement(node: SyntaxNode): void {
    switch (node.name) {
      case 'AssignStatement':
        return this.assignment(node);
      case 'UpdateStatement':
        return this.augmentedAssignment(node);
      case 'DeleteStatement':
        for (const target of childrenOf(node).slice(1)) this.deleteTarget(target);
        return;
      case 'ImportStatement':
        return this.importStatement(node);
      case 'ScopeStatement':
        return this.scopeDeclaration(node);
      case 'FunctionDefinition':
        return this.functionDefinition(node);
      case 'ClassDefinition':
        return this.classDefinition(node);
      case 'DecoratedStatement':
        return this.decorated(node);
      case 'ForStatement':
        return this.forStatement(node);
      case 'WithStatement':
        return this.withStatement(node);
      case 'TryStatement':
        return this.tryStatement(node);
      case 'MatchStatement':
        return this.matchStatement(node);
      case 'TypeDefinition':
        return this.typeAlias(node);
      case 'StatementGroup':
      case 'Body':
        return this.statements(node);
      default:
        // if/while/return/raise/assert/expression statements: expressions and bodies in order
        for (let child = node.firstChild; child; child = child.nextSibling) {
          if (child.name === 'Body') this.statements(child);
          else this.expression(child);
        }
    }
  }

  /** `a = b = value`, `x: T = value`, `x: T` (annotation only: binds nothing). */
  private assignment(node: SyntaxNode): void {
    const segments: SyntaxNode[][] = [[]];
    for (const child of childrenOf(node)) {
      if (child.name === 'AssignOp') segments.push([]);
      else segments[segments.length - 1]!.push(child);
    }
    const annotation = segments[0]!.find((child) => child.name === 'TypeDef');
    if (segments.length === 1) {
      if (annotation) this.expression(annotation);
      return;
    }
    // Python evaluates the value first, then binds targets left to right.
    for (const value of segments[segments.length - 1]!) this.expression(value);
    if (annotation) this.expression(annotation);
    for (const targets of segments.slice(0, -1)) {
      for (const target of targets) if (target !== annotation) this.target(target);
    }
  }

  /** `x += v` reads x, then binds it; `d[k] += v` changes d in place. */
  private augmentedAssignment(node: SyntaxNode): void {
    const children = childrenOf(node);
    const operator = children.findIndex((child) => child.name === 'UpdateOp');
    const targets = children.slice(0, operator);
    for (const target of targets) this.expression(target);
    for (const value of children.slice(operator + 1)) this.expression(value);
    for (const target of targets) this.target(target);
  }

  private target(node: SyntaxNode): void {
    if (node.name === 'VariableName') {
      this.scope.bind(this.name(node));
    } else if (SEQUENCE_TARGETS.has(node.name)) {
      for (let child = node.firstChild; child; child = child.nextSibling) this.target(child);
    } else if (node.name === 'MemberExpression') {
      this.expression(node);
      const base = this.baseName(node);
      if (base !== undefined) this.scope.mutate(base);
    } else if (!PUNCTUATION.has(node.name)) {
      this.expression(node);
    }
  }

  private deleteTarget(node: SyntaxNode): void {
    if (node.name === 'VariableName') {
      this.scope.delete(this.name(node));
    } else if (SEQUENCE_TARGETS.has(node.name)) {
      for (let child = node.firstChild; child; child = child.nextSibling) this.deleteTarget(child);
    } else {
      this.target(node); // `del d[k]`, `del obj.attr`: the object changes in place
    }
  }

  /** `a.b[0].c` → `a`; undefined when the base is not a name (`f().x`). */
  private baseName(node: SyntaxNode): string | undefined {
    let base: SyntaxNode | null = node;
    while (base?.name === 'MemberExpression') base = base.firstChild;
    return base?.name === 'VariableName' ? this.name(base) : undefined;
  }

  /** `import a.b` binds `a`; `import a.b as c` and `from m import x as c` bind `c`. */
  private importStatement(node: SyntaxNode): void {
    const children = childrenOf(node);
    const importKeyword = children.findIndex((child) => child.name === 'import');
    let group: SyntaxNode[] = [];
    const bindGroup = () => {
      const alias = group.findIndex((child) => child.name === 'as');
      const bound = alias >= 0 ? group[alias + 1] : group.find((child) => child.name === 'VariableName');
      if (bound) this.scope.bind(this.name(bound));
      group = [];
    };
    for (const child of children.slice(importKeyword + 1)) {
      if (child.name === ',') bindGroup();
      else if (child.name !== '(' && child.name !== ')') group.push(child);
    }
    bindGroup(); // `from m import *` leaves a group of just `*`: nothing known is bound
  }

  private scopeDeclaration(node: SyntaxNode): void {
    if (!(this.scope instanceof FunctionScope)) return; // `global x` at module level changes nothing
    const [keyword, ...names] = childrenOf(node);
    for (const name of names) {
      if (name.name !== 'VariableName') continue;
      if (keyword?.name === 'global') this.scope.declareGlobal(this.name(name));
      else this.scope.declareNonlocal(this.name(name));
    }
  }

  /**
   * Defaults are read when `def` runs; annotations and the body belong to
   * the function (type parameters are visible there), whose free names are
   * read later.
   */
  private functionDefinition(node: SyntaxNode): void {
    const fn = new FunctionScope(this.scope, this.module);
    let name: string | undefined;
    for (const child of childrenOf(node)) {
      if (child.name === 'VariableName') name = this.name(child);
      else if (child.name === 'TypeParamList') this.within(fn, () => this.typeParameters(child));
      else if (child.name === 'ParamList') this.parameters(child, fn);
      else if (child.name === 'TypeDef') this.within(fn, () => this.expression(child));
    }
    if (name !== undefined) this.scope.bind(name);
    const body = node.getChild('Body');
    if (body) this.within(fn, () => this.statements(body));
    fn.close();
  }

  /** `(a, b: T = default, *args, **kwargs)` or a lambda's `a, b=default`. */
  private parameters(list: SyntaxNode, fn: FunctionScope): void {
    let isDefault = false;
    for (let child = list.firstChild; child; child = child.nextSibling) {
      if (isDefault) {
        this.expression(child);
        isDefault = false;
      } else if (child.name === 'AssignOp') {
        isDefault = true;
      } else if (child.name === 'VariableName') {
        fn.bind(this.name(child));
      } else if (child.name === 'TypeDef') {
        this.within(fn, () => this.expression(child));
      }
    }
  }

  private typeParameters(list: SyntaxNode): void {
    for (const param of list.getChildren('TypeParam')) {
      for (let child = param.firstChild; child; child = child.nextSibling) {
        if (child.name === 'VariableName') this.scope.bind(this.name(child));
        else this.expression(child);
      }
    }
  }

  private classDefinition(node: SyntaxNode): void {
    const cls = new ClassScope(this.scope);
    const name = node.getChild('VariableName');
    const typeParams = node.getChild('TypeParamList');
    if (typeParams) this.within(cls, () => this.typeParameters(typeParams));
    const bases = node.getChild('ArgList');
    if (bases) this.argumentList(bases);
    const body = node.getChild('Body');
    if (body) this.within(cls, () => this.statements(body));
    if (name) this.scope.bind(this.name(name));
  }

  /** `@a.b(args)`: `a` is read (the grammar calls `b` a VariableName too). */
  private decorated(node: SyntaxNode): void {
    for (let child = node.firstChild; child; child = child.nextSibling) {
      if (child.name === 'Decorator') {
        const base = child.getChild('VariableName');
        if (base) this.scope.read(this.name(base));
        const args = child.getChild('ArgList');
        if (args) this.argumentList(args);
      } else {
        this.statement(child);
      }
    }
  }

  private forStatement(node: SyntaxNode): void {
    const children = childrenOf(node);
    const inKeyword = children.findIndex((child) => child.name === 'in');
    const firstBody = children.findIndex((child) => child.name === 'Body');
    const forKeyword = children.findIndex((child) => child.name === 'for');
    for (const iterable of children.slice(inKeyword + 1, firstBody)) this.expression(iterable);
    for (const target of children.slice(forKeyword + 1, inKeyword)) this.target(target);
    for (const child of children.slice(firstBody)) if (child.name === 'Body') this.statements(child);
  }

  private withStatement(node: SyntaxNode): void {
    const children = childrenOf(node);
    for (let i = 0; i < children.length; i++) {
      const child = children[i]!;
      if (child.name === 'as') this.target(children[++i]!);
      else if (child.name === 'Body') this.statements(child);
      else this.expression(child);
    }
  }

  /** `except E as e`: `e` exists only inside the handler (Python 3 deletes it after). */
  private tryStatement(node: SyntaxNode): void {
    const children = childrenOf(node);
    let handlerName: string | undefined;
    for (let i = 0; i < children.length; i++) {
      const child = children[i]!;
      if (child.name === 'Body') {
        if (handlerName === undefined) {
          this.statements(child);
          continue;
        }
        const name = handlerName;
        const wasBound = this.scope.has(name);
        this.scope.bind(name);
        this.statements(child);
        if (!wasBound) this.scope.forget(name);
        handlerName = undefined;
      } else if ((child.name === 'as' || child.name === ',') && children[i + 1]?.name === 'VariableName') {
        handlerName = this.name(children[++i]!);
      } else {
        this.expression(child);
      }
    }
  }

  private matchStatement(node: SyntaxNode): void {
    for (let child = node.firstChild; child; child = child.nextSibling) {
      if (child.name !== 'MatchBody') {
        this.expression(child);
        continue;
      }
      for (const clause of child.getChildren('MatchClause')) {
        for (let part = clause.firstChild; part; part = part.nextSibling) {
          if (part.name === 'Guard') this.expression(part);
          else if (part.name === 'Body') this.statements(part);
          else this.pattern(part);
        }
      }
    }
  }

  private pattern(node: SyntaxNode): void {
    switch (node.name) {
      case 'CapturePattern': {
        const name = this.name(node);
        if (name !== '_') this.scope.bind(name); // `case _:` is a wildcard, not a binding
        return;
      }
      case 'AsPattern':
        for (let child = node.firstChild; child; child = child.nextSibling) {
          if (child.name === 'VariableName') this.scope.bind(this.name(child));
          else this.pattern(child);
        }
        return;
      case 'KeywordPattern': // `Point(x=px)`: `x` is an attribute name
        for (let child = node.firstChild?.nextSibling ?? null; child; child = child.nextSibling) this.pattern(child);
        return;
      case 'AttributePattern': // `Color.RED`
        this.expression(node.firstChild!);
        return;
      case 'LiteralPattern':
        return;
      default:
        // sequence, mapping, class, or, star patterns: class names and mapping keys are read
        for (let child = node.firstChild; child; child = child.nextSibling) {
          if (child.name === 'VariableName') this.scope.read(this.name(child));
          else this.pattern(child);
        }
    }
  }

  /** `type Alias[T] = ...` is evaluated lazily, like a function body. */
  private typeAlias(node: SyntaxNode): void {
    const fn = new FunctionScope(this.scope, this.module);
    const name = node.getChild('VariableName');
    if (name) this.scope.bind(this.name(name));
    for (let child = name?.nextSibling ?? null; child; child = child.nextSibling) {
      if (child.name === 'TypeParamList') this.within(fn, () => this.typeParameters(child));
      else this.within(fn, () => this.expression(child));
    }
    fn.close();
  }

  // ---- expressions ----

  private expression(node: SyntaxNode): void {
    switch (node.name) {
      case 'VariableName':
        return this.scope.read(this.name(node));
      case 'PropertyName':
        return;
      case 'NamedExpression': {
        const [target, , value] = childrenOf(node);
        if (value) this.expression(value);
        if (target?.name === 'VariableName') this.scope.walrusTarget().bind(this.name(target));
        return;
      }
      case 'LambdaExpression':
        return this.lambda(node);
      case 'ArgList':
        return this.argumentList(node);
      default:
        if (COMPREHENSIONS.has(node.name)) return this.comprehension(childrenOf(node).slice(1, -1));
        for (let child = node.firstChild; child; child = child.nextSibling) this.expression(child);
    }
  }

  private lambda(node: SyntaxNode): void {
    const fn = new FunctionScope(this.scope, this.module);
    const params = node.getChild('ParamList');
    if (params) this.parameters(params, fn);
    const body = node.lastChild;
    if (body && body !== params) this.within(fn, () => this.expression(body));
    fn.close();
  }

  /** Keyword names in calls are not reads; `f(x for x in xs)` is a generator. */
  private argumentList(node: SyntaxNode): void {
    const args: SyntaxNode[][] = [[]];
    for (const child of childrenOf(node).slice(1, -1)) {
      if (child.name === ',') args.push([]);
      else args[args.length - 1]!.push(child);
    }
    for (const arg of args) {
      if (arg.some((part) => part.name === 'for')) {
        this.comprehension(arg);
      } else if (arg[0]?.name === 'VariableName' && arg[1]?.name === 'AssignOp') {
        for (const value of arg.slice(2)) this.expression(value);
        if (this.cell.text(arg[1]) === ':=') this.scope.walrusTarget().bind(this.name(arg[0]));
      } else {
        for (const part of arg) this.expression(part);
      }
    }
  }

  /**
   * `element for targets in iterable [if cond] [for ...]`, flattened by the
   * grammar into one list. The first iterable is evaluated outside; the rest
   * runs in the comprehension's own scope, element last.
   */
  private comprehension(parts: SyntaxNode[]): void {
    const isClauseStart = (node: SyntaxNode) => node.name === 'for' || node.name === 'if' || node.name === 'async';
    const firstClause = parts.findIndex(isClauseStart);
    if (firstClause < 0) return parts.forEach((node) => this.expression(node));
    const element = parts.slice(0, firstClause);
    const comprehensionScope = new ComprehensionScope(this.scope);
    let first = true;
    for (let i = firstClause; i < parts.length; ) {
      const keyword = parts[i++]!.name;
      if (keyword === 'async') continue;
      const clause: SyntaxNode[] = [];
      while (i < parts.length && !isClauseStart(parts[i]!)) clause.push(parts[i++]!);
      if (keyword === 'if') {
        this.within(comprehensionScope, () => clause.forEach((node) => this.expression(node)));
        continue;
      }
      const inKeyword = clause.findIndex((node) => node.name === 'in');
      const iterable = clause.slice(inKeyword + 1);
      if (first) iterable.forEach((node) => this.expression(node));
      this.within(comprehensionScope, () => {
        if (!first) iterable.forEach((node) => this.expression(node));
        clause.slice(0, inKeyword).forEach((node) => this.target(node));
      });
      first = false;
    }
    this.within(comprehensionScope, () => element.forEach((node) => this.expression(node)));
  }
}
