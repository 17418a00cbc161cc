/** The parts of an nbformat v4 notebook that Ferry reads. */

import type { JsonValue } from '../spec.js';

export type CellType = 'code' | 'markdown' | 'raw';

export interface NotebookCell {
  /** Index in the notebook's `cells` array: what error locations and specs call "cell". */
  index: number;
  cellType: CellType;
  /** The cell's source, with nbformat's line arrays joined. */
  source: string;
  /** `metadata.tags`, as written (empty when absent). */
  tags: string[];
}

export interface Notebook {
  nbformat: 4;
  nbformatMinor: number;
  /** Notebook-level metadata (kernelspec, language_info, ...), untouched. */
  metadata: { [key: string]: JsonValue };
  cells: NotebookCell[];
}
