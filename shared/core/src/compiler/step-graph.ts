/**
 * Which values flow between steps, and so which step waits for which.
 *
 * A step without `after:` tags depends on the producers of its inputs, the
 * producer of a name being the nearest earlier step (in notebook order) that
 * defines it; steps that share no data can then run in parallel. A step with
 * `after:` tags depends on exactly those steps, and takes its inputs from its
 * ancestors; using a value that only a step outside its ancestry defines is
 * an error, since it would silently read a stale or missing value.
 */

import { FerryError } from '../errors.js';
import type { StepInput } from '../spec.js';
import { stepNameKey } from '../tags/step-name.js';
import type { StepFlow } from './step-flow.js';
import { stableTopologicalOrder } from './topological-order.js';

export interface GraphStep extends StepFlow {
  name: string;
  firstCell: number;
  after: readonly { name: string; cell: number }[];
}

export interface MetricName {
  name: string;
  cell: number;
  line: number;
}

export interface ResolvedStep {
  dependsOn: string[];
  inputs: StepInput[];
  outputs: string[];
  metrics: string[];
}

export interface StepGraph {
  /** Step indices (into the input array) in running order. */
  order: number[];
  steps: ResolvedStep[];
}

export function resolveStepGraph(
  steps: readonly GraphStep[],
  /** Names steps never exchange: parameters, prelude definitions, builtins. */
  isExternal: (name: string) => boolean,
  metrics: readonly MetricName[],
  file: string,
): StepGraph {
  const definers = indexDefiners(steps);
  const explicit = resolveAfterTags(steps, file);
  const inputs: Map<string, number>[] = steps.map(() => new Map());

  const dependencies = steps.map((step, i) => {
    if (explicit[i]) return explicit[i]!.map((edge) => edge.step);
    const producers = new Set<number>();
    for (const name of step.uses.keys()) {
      if (isExternal(name)) continue;
      const producer = lastBefore(definers.get(name), i);
      if (producer === undefined) continue; // defined nowhere earlier: a star import, or a NameError at run time
      inputs[i]!.set(name, producer);
      producers.add(producer);
    }
    return [...producers].sort((a, b) => a - b);
  });

  const sorted = stableTopologicalOrder(dependencies);
  if ('cycle' in sorted) throw cycleError(sorted.cycle, steps, explicit, file);

  if (explicit.some(Boolean)) {
    const ancestors = ancestorSets(sorted.order, dependencies);
    steps.forEach((step, i) => {
      if (!explicit[i]) return;
      for (const [name, cell] of step.uses) {
        if (isExternal(name)) continue;
        const producer = upstreamProducer(definers.get(name) ?? [], i, ancestors[i]!);
        if (producer !== undefined) {
          inputs[i]!.set(name, producer);
          continue;
        }
        const outside = lastBefore(definers.get(name), i);
        if (outside === undefined) continue;
        const other = steps[outside]!.name;
        throw new FerryError(
          'pipeline',
          `step \`${step.name}\` uses \`${name}\`, defined in step \`${other}\`, which is not upstream of it; add \`after:${other}\``,
          { file, cell, step: step.name },
        );
      }
    });
  }

  const resolved: ResolvedStep[] = steps.map((_, i) => ({
    dependsOn: dependencies[i]!.map((d) => steps[d]!.name),
    inputs: [...inputs[i]!]
      .map(([name, from]) => ({ name, from: steps[from]!.name }))
      .sort((a, b) => compareText(a.name, b.name)),
    outputs: [],
    metrics: [],
  }));
  const outputs = steps.map(() => new Set<string>());
  inputs.forEach((map) => map.forEach((from, name) => outputs[from]!.add(name)));
  outputs.forEach((names, i) => (resolved[i]!.outputs = [...names].sort(compareText)));

  assignMetrics(metrics, steps, sorted.order, resolved, file);
  return { order: sorted.order, steps: resolved };
}

/** Code-unit order: the same on every machine, unlike localeCompare. */
function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** For each name, the indices of the steps that define it, ascending. */
function indexDefiners(steps: readonly GraphStep[]): Map<string, number[]> {
  const definers = new Map<string, number[]>();
  steps.forEach((step, i) => {
    for (const name of step.defines) {
      const list = definers.get(name);
      if (list) list.push(i);
      else definers.set(name, [i]);
    }
  });
  return definers;
}

/** The largest element of an ascending list below `limit`. */
function lastBefore(sorted: readonly number[] | undefined, limit: number): number | undefined {
  if (!sorted) return undefined;
  let low = 0;
  let high = sorted.length; // answer index is low - 1
  while (low < high) {
    const mid = (low + high) >> 1;
    if (sorted[mid]! < limit) low = mid + 1;
    else high = mid;
  }
  return low > 0 ? sorted[low - 1] : undefined;
}

/** Among the definers that are ancestors: the nearest earlier one, else the last later one. */
function upstreamProducer(definers: readonly number[], step: number, ancestors: Uint32Array): number | undefined {
  const isAncestor = (d: number) => (ancestors[d >> 5]! & (1 << (d & 31))) !== 0;
  let later: number | undefined;
  for (let k = definers.length - 1; k >= 0; k--) {
    const d = definers[k]!;
    if (!isAncestor(d)) continue;
    if (d < step) return d;
    later ??= d;
  }
  return later;
}

/** Ancestors of every step as bit sets, built in running order (linear in edges × steps/32). */
function ancestorSets(order: readonly number[], dependencies: readonly (readonly number[])[]): Uint32Array[] {
  const words = (dependencies.length + 31) >> 5;
  const sets = dependencies.map(() => new Uint32Array(words));
  for (const node of order) {
    const set = sets[node]!;
    for (const dep of dependencies[node]!) {
      const depSet = sets[dep]!;
      for (let w = 0; w < words; w++) set[w]! |= depSet[w]!;
      set[dep >> 5]! |= 1 << (dep & 31);
    }
  }
  return sets;
}

type ExplicitEdges = ({ step: number; cell: number }[] | undefined)[];

/** `after:` names → step indices (matched like duplicate names are: case- and `-`/`_`-blind). */
function resolveAfterTags(steps: readonly GraphStep[], file: string): ExplicitEdges {
  const byKey = new Map(steps.map((step, i) => [stepNameKey(step.name), i]));
  return steps.map((step) => {
    if (step.after.length === 0) return undefined;
    const edges: { step: number; cell: number }[] = [];
    for (const { name, cell } of step.after) {
      const target = byKey.get(stepNameKey(name));
      if (target === undefined) {
        throw new FerryError(
          'pipeline',
          `step \`${step.name}\` runs after \`${name}\`, but there is no such step; steps: ${steps.map((s) => s.name).join(', ')}`,
          { file, cell, step: step.name },
        );
      }
      if (!edges.some((edge) => edge.step === target)) edges.push({ step: target, cell });
    }
    return edges.sort((a, b) => a.step - b.step);
  });
}

function cycleError(cycle: number[], steps: readonly GraphStep[], explicit: ExplicitEdges, file: string): FerryError {
  // the cell to fix for each "x runs before y" edge: y's `after:x` tag (or y's first cell)
  const cells = cycle.slice(1).map((node, k) => {
    const before = cycle[k]!;
    return explicit[node]?.find((edge) => edge.step === before)?.cell ?? steps[node]!.firstCell;
  });
  const names = cycle.map((node) => steps[node]!.name);
  const uniqueCells = [...new Set(cells)].sort((a, b) => a - b);
  return new FerryError(
    'pipeline',
    `steps depend on each other in a cycle: ${names.join(' → ')} (cells ${uniqueCells.join(', ')})`,
    { file, cell: cells[0], step: names[1] },
  );
}

/** Each `pipeline-metrics` name goes to the last step (in running order) that defines it. */
function assignMetrics(
  metrics: readonly MetricName[],
  steps: readonly GraphStep[],
  order: readonly number[],
  resolved: ResolvedStep[],
  file: string,
): void {
  for (const metric of metrics) {
    let owner: number | undefined;
    for (let k = order.length - 1; k >= 0 && owner === undefined; k--) {
      if (steps[order[k]!]!.defines.has(metric.name)) owner = order[k];
    }
    if (owner === undefined) {
      throw new FerryError(
        'pipeline',
        `metric \`${metric.name}\` in the pipeline-metrics cell is not defined by any step`,
        { file, cell: metric.cell, line: metric.line },
      );
    }
    const list = resolved[owner]!.metrics;
    if (!list.includes(metric.name)) list.push(metric.name);
  }
}
