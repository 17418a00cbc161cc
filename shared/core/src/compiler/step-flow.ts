/** A step's data flow: its cells' flows chained in order. */

import type { CellDataFlow } from '../python/data-flow.js';

export interface StepFlow {
  /** Names the step reads before binding them, each with the first cell that does. */
  uses: Map<string, number>;
  /** Names bound when the step ends. */
  defines: Set<string>;
}

export function chainCellFlows(cells: readonly { cell: number; flow: CellDataFlow }[]): StepFlow {
  const uses = new Map<string, number>();
  const defines = new Set<string>();
  for (const { cell, flow } of cells) {
    for (const name of flow.uses) if (!defines.has(name) && !uses.has(name)) uses.set(name, cell);
    for (const name of flow.deletes) defines.delete(name);
    for (const name of flow.defines) defines.add(name);
  }
  return { uses, defines };
}
