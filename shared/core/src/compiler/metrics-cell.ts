/**
 * Kale's `pipeline-metrics` cell: one variable name per line (`accuracy`,
 * or `print(accuracy)` as Kale also allows). Each names a value that is
 * recorded as a final metric of the step that produces it.
 */

import { FerryError } from '../errors.js';
import { childrenOf, type PythonCell } from '../python/python-cell.js';
import type { MetricName } from './step-graph.js';

export function readMetricsCell(cell: PythonCell, where: { file: string; cell: number }): MetricName[] {
  const names: MetricName[] = [];
  for (const statement of childrenOf(cell.tree.topNode)) {
    if (statement.name === 'Comment') continue;
    const line = cell.lineAt(statement.from);
    const name = metricName(cell, statement);
    if (name === undefined) {
      throw new FerryError(
        'pipeline',
        `the pipeline-metrics cell lists variable names, one per line; line ${line} is \`${cell.text(statement).split('\n')[0]}\``,
        { file: where.file, cell: where.cell, line },
      );
    }
    names.push({ name, cell: where.cell, line });
  }
  return names;
}

function metricName(cell: PythonCell, statement: ReturnType<typeof childrenOf>[number]): string | undefined {
  const [expression, ...rest] = statement.name === 'ExpressionStatement' ? childrenOf(statement) : [];
  if (!expression || rest.length > 0) return undefined;
  if (expression.name === 'VariableName') return cell.text(expression);
  if (expression.name !== 'CallExpression') return undefined;
  const [callee, args] = childrenOf(expression);
  if (!callee || callee.name !== 'VariableName' || cell.text(callee) !== 'print' || !args) return undefined;
  const inner = childrenOf(args).filter((node) => node.name !== '(' && node.name !== ')');
  return inner.length === 1 && inner[0]!.name === 'VariableName' ? cell.text(inner[0]!) : undefined;
}
