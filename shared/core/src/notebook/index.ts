export type { CellType, Notebook, NotebookCell } from './notebook.js';
export { readNotebook } from './read-notebook.js';
