/**
 * A stable topological order: among the steps that are ready, the one that
 * comes first in the notebook runs first, so the order reads like the
 * notebook wherever the dependencies allow.
 */

export type TopologicalResult = { order: number[] } | { cycle: number[] };

/**
 * `dependencies[i]` lists the nodes i waits for. Returns the order, or one
 * cycle in running order (`[a, b, a]`: a before b before a), starting with
 * its lowest node.
 */
export function stableTopologicalOrder(dependencies: readonly (readonly number[])[]): TopologicalResult {
  const count = dependencies.length;
  const waitingFor = dependencies.map((deps) => new Set(deps).size);
  const dependents: number[][] = Array.from({ length: count }, () => []);
  dependencies.forEach((deps, node) => {
    for (const dep of new Set(deps)) dependents[dep]!.push(node);
  });

  const ready = new MinHeap();
  waitingFor.forEach((n, node) => n === 0 && ready.push(node));
  const order: number[] = [];
  while (ready.size > 0) {
    const node = ready.pop();
    order.push(node);
    for (const dependent of dependents[node]!) if (--waitingFor[dependent]! === 0) ready.push(dependent);
  }
  if (order.length === count) return { order };
  return { cycle: findCycle(dependencies, waitingFor) };
}

/** Every node left unordered waits for another unordered node, so walking those edges must loop. */
function findCycle(dependencies: readonly (readonly number[])[], waitingFor: number[]): number[] {
  const unordered = (node: number) => waitingFor[node]! > 0;
  const path: number[] = [];
  const seenAt = new Map<number, number>();
  let node = waitingFor.findIndex((n) => n > 0);
  while (!seenAt.has(node)) {
    seenAt.set(node, path.length);
    path.push(node);
    node = [...dependencies[node]!].sort((a, b) => a - b).find(unordered)!;
  }
  // path follows "waits for" edges; running order is the reverse
  const cycle = path.slice(seenAt.get(node)).reverse();
  const lowest = cycle.indexOf(Math.min(...cycle));
  const rotated = [...cycle.slice(lowest), ...cycle.slice(0, lowest)];
  return [...rotated, rotated[0]!];
}

class MinHeap {
  private readonly items: number[] = [];

  get size(): number {
    return this.items.length;
  }

  push(value: number): void {
    const items = this.items;
    let i = items.push(value) - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (items[parent]! <= value) break;
      items[i] = items[parent]!;
      i = parent;
    }
    items[i] = value;
  }

  pop(): number {
    const items = this.items;
    const top = items[0]!;
    const last = items.pop()!;
    if (items.length > 0) {
      let i = 0;
      for (;;) {
        const left = 2 * i + 1;
        if (left >= items.length) break;
        const right = left + 1;
        const child = right < items.length && items[right]! < items[left]! ? right : left;
        if (items[child]! >= last) break;
        items[i] = items[child]!;
        i = child;
      }
      items[i] = last;
    }
    return top;
  }
}
