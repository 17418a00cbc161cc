/** Reading and writing a cell's `metadata.tags` through JupyterLab's cell model. */
import type { ICellModel } from '@jupyterlab/cells';

export function cellTagsOf(model: ICellModel): string[] {
  const tags = model.getMetadata('tags');
  return Array.isArray(tags) ? tags.filter((tag): tag is string => typeof tag === 'string') : [];
}

/** Writes the tags; an empty list removes the key, as JupyterLab's own tag editor does. */
export function setCellTags(model: ICellModel, tags: string[]): void {
  if (tags.length === 0) model.deleteMetadata('tags');
  else model.setMetadata('tags', tags);
}
