/**
 * Python's name scopes, reduced to what data flow between steps needs:
 * which module-level names a cell reads before binding them, and which it
 * binds. Function bodies run later, so their free names are only known
 * once the whole function has been seen (Python decides "local" per
 * function, not per line); class bodies and comprehensions run at once.
 */

export interface Scope {
  read(name: string): void;
  bind(name: string): void;
  /** `del name`: a read, after which the name is gone. */
  delete(name: string): void;
  /** `name[...] = v`, `name.attr = v`: the object changes in place. */
  mutate(name: string): void;
  /** A free name of a function defined here, read whenever the function is called. */
  readLater(name: string): void;
  /** Where `:=` binds: the nearest scope that is not a comprehension. */
  walrusTarget(): Scope;
  has(name: string): boolean;
  /** Undoes a binding that does not outlive a block (`except ... as e`). */
  forget(name: string): void;
}

export class ModuleScope implements Scope {
  private readonly bound = new Set<string>();
  private readonly everBound = new Set<string>();
  private readonly deleted = new Set<string>();
  private readonly reads = new Set<string>();
  private readonly laterReads = new Set<string>();

  read(name: string): void {
    if (!this.bound.has(name)) this.reads.add(name);
  }
  bind(name: string): void {
    this.bound.add(name);
    this.everBound.add(name);
    this.deleted.delete(name);
  }
  delete(name: string): void {
    this.read(name);
    this.bound.delete(name);
    this.deleted.add(name);
  }
  /**
   * Mutating an upstream object changes the value downstream steps should
   * see, so the cell both needs the name and counts as (re)defining it.
   */
  mutate(name: string): void {
    this.read(name);
    this.bind(name);
  }
  readLater(name: string): void {
    this.laterReads.add(name);
  }
  walrusTarget(): Scope {
    return this;
  }
  has(name: string): boolean {
    return this.bound.has(name);
  }
  forget(name: string): void {
    this.bound.delete(name);
  }

  /**
   * A function's free names count as reads of the cell unless the cell binds
   * them somewhere: `def main(): helper()` may come before `def helper()`.
   */
  result(): { uses: string[]; defines: string[]; deletes: string[] } {
    const uses = new Set(this.reads);
    for (const name of this.laterReads) if (!this.everBound.has(name)) uses.add(name);
    return { uses: [...uses], defines: [...this.bound], deletes: [...this.deleted] };
  }
}

export class FunctionScope implements Scope {
  private readonly locals = new Set<string>();
  private readonly reads = new Set<string>();
  private readonly globals = new Set<string>();
  private readonly nonlocals = new Set<string>();

  constructor(
    private readonly parent: Scope,
    private readonly module: ModuleScope,
  ) {}

  declareGlobal(name: string): void {
    this.globals.add(name);
  }
  declareNonlocal(name: string): void {
    this.nonlocals.add(name);
  }

  read(name: string): void {
    this.reads.add(name);
  }
  /**
   * A `global` name assigned in a function is a module-level definition:
   * `def init(): global model; model = ...` is how notebooks often set state.
   */
  bind(name: string): void {
    if (this.globals.has(name)) this.module.bind(name);
    else if (!this.nonlocals.has(name)) this.locals.add(name);
  }
  delete(name: string): void {
    if (this.globals.has(name)) return this.module.delete(name);
    this.read(name);
    this.bind(name);
  }
  /** Subscript or attribute assignment does not make a name local. */
  mutate(name: string): void {
    this.read(name);
  }
  readLater(name: string): void {
    this.reads.add(name);
  }
  walrusTarget(): Scope {
    return this;
  }
  has(name: string): boolean {
    return this.locals.has(name);
  }
  forget(): void {
    // the handler name stays local to the function, bound or not
  }

  /** Called when the whole body has been walked: free names go outwards. */
  close(): void {
    for (const name of this.reads) {
      if (this.globals.has(name)) this.module.readLater(name);
      else if (!this.locals.has(name)) this.parent.readLater(name);
    }
  }
}

/** A class body runs at once; its names are attributes, not module names. */
export class ClassScope implements Scope {
  private readonly bound = new Set<string>();
  constructor(private readonly parent: Scope) {}

  read(name: string): void {
    if (!this.bound.has(name)) this.parent.read(name);
  }
  bind(name: string): void {
    this.bound.add(name);
  }
  delete(name: string): void {
    this.read(name);
    this.bound.delete(name);
  }
  mutate(name: string): void {
    this.read(name);
  }
  /** Methods do not see class attributes as bare names. */
  readLater(name: string): void {
    this.parent.readLater(name);
  }
  walrusTarget(): Scope {
    return this;
  }
  has(name: string): boolean {
    return this.bound.has(name);
  }
  forget(name: string): void {
    this.bound.delete(name);
  }
}

/** A comprehension runs at once; its loop variables do not leak out. */
export class ComprehensionScope implements Scope {
  private readonly bound = new Set<string>();
  constructor(private readonly parent: Scope) {}

  read(name: string): void {
    if (!this.bound.has(name)) this.parent.read(name);
  }
  bind(name: string): void {
    this.bound.add(name);
  }
  delete(name: string): void {
    this.parent.delete(name);
  }
  mutate(name: string): void {
    this.read(name);
  }
  readLater(name: string): void {
    if (!this.bound.has(name)) this.parent.readLater(name);
  }
  walrusTarget(): Scope {
    return this.parent.walrusTarget();
  }
  has(name: string): boolean {
    return this.bound.has(name);
  }
  forget(name: string): void {
    this.bound.delete(name);
  }
}
