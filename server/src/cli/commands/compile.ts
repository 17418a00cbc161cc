import { resolve } from 'node:path';
import type { PipelineSpec, Resources } from '@ferry/core';
import { compileNotebookFile } from '@ferry/core/node';
import { ensureNoExtra, parse, positional } from '../args.js';
import { printJson, table } from '../output.js';

const USAGE = 'ferry compile NOTEBOOK [--json]';

/** Compiling is pure and local: no server needed to see what a notebook becomes. */
export async function compileCommand(argv: string[]): Promise<number> {
  const { values, positionals } = parse(argv, { json: { type: 'boolean' } }, USAGE);
  ensureNoExtra(positionals, 1, USAGE);
  const spec = await compileNotebookFile(resolve(positional(positionals, 0, 'NOTEBOOK', USAGE)));
  if (values.json) printJson(spec);
  else process.stdout.write(describeSpec(spec));
  return 0;
}

export function describeSpec(spec: PipelineSpec): string {
  let text = `pipeline ${spec.name}: ${spec.steps.length} step${spec.steps.length === 1 ? '' : 's'}\n\n`;
  if (spec.parameters.length) {
    text += table(
      ['PARAMETER', 'TYPE', 'DEFAULT', 'HELP'],
      spec.parameters.map((p) => [p.name, p.type, JSON.stringify(p.default), p.help ?? '']),
    );
    text += '\n';
  }
  text += table(
    ['STEP', 'AFTER', 'INPUTS', 'OUTPUTS', 'RESOURCES'],
    spec.steps.map((s) => [
      s.name,
      s.dependsOn.join(',') || '-',
      s.inputs.map((i) => `${i.name}←${i.from}`).join(' ') || '-',
      s.outputs.join(' ') || '-',
      describeResources(s.resources) || '-',
    ]),
  );
  return text;
}

function describeResources(r: Resources): string {
  const parts: string[] = [];
  if (r.gpus) parts.push(`gpus=${r.gpus}`);
  if (r.cpus) parts.push(`cpus=${r.cpus}`);
  if (r.memoryMiB) parts.push(`mem=${r.memoryMiB}MiB`);
  if (r.timeMinutes) parts.push(`time=${r.timeMinutes}m`);
  return parts.join(' ');
}
