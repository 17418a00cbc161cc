// Small helpers shared by the benchmarks: figures and tiny notebooks.

export const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

/** The value below which `fraction` of the values lie (nearest rank). */
export function percentile(values, fraction) {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(fraction * sorted.length) - 1))];
}

export const ms = (value) => `${value.toFixed(1)} ms`;

export function code(source, tags = []) {
  return { cell_type: 'code', metadata: { tags }, source, outputs: [], execution_count: null };
}

export function notebook(cells) {
  return { nbformat: 4, nbformat_minor: 5, metadata: { kernelspec: { name: 'python3', display_name: 'Python 3', language: 'python' } }, cells };
}
