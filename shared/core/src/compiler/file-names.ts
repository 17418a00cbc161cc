/** File name handling without node:path, so the compiler also runs in a browser or webview. */

export function baseName(file: string): string {
  const parts = file.split(/[\\/]/);
  return parts[parts.length - 1] || file;
}

/** `runs/train.ipynb` → `train`. */
export function pipelineName(file: string): string {
  return baseName(file).replace(/\.ipynb$/i, '');
}
