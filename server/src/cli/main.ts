/** `ferry`: the command line over the typed client. */
import { formatError, isFerryError, type FerryClient } from '@ferry/core';
import { connect } from '../launch.js';
import { SERVER_VERSION } from '../version.js';
import { UsageError } from './args.js';
import { cancelCommand } from './commands/cancel.js';
import { compareCommand } from './commands/compare.js';
import { compileCommand } from './commands/compile.js';
import { exportCommand } from './commands/export.js';
import { logsCommand } from './commands/logs.js';
import { metricsCommand } from './commands/metrics.js';
import { notebookCommand } from './commands/notebook.js';
import { runCommand } from './commands/run.js';
import { runsCommand, statusCommand } from './commands/runs.js';
import { serverCommand } from './commands/server.js';
import { sweepsCommand } from './commands/sweeps.js';
import { targetsCommand } from './commands/targets.js';

const HELP = `ferry ${SERVER_VERSION}: run Jupyter notebooks as pipelines of steps

  ferry compile NOTEBOOK [--json]            show the steps, data flow and parameters
  ferry export NOTEBOOK --format kfp|argo --image IMAGE [--pvc CLAIM] [--mode script|notebook]
                     [--json] [-o FILE]      a Kubeflow Pipelines v2 pipeline or an Argo Workflow
                                             (YAML; --json: JSON), run directories on a volume claim
                                             (default ferry-runs; docs/export.md)
  ferry run NOTEBOOK [--target T] [-p NAME=VALUE]... [--mode script|notebook]
                     [--wait] [--follow] [--json]
  ferry run NOTEBOOK --sweep NAME=VALUES... [--sample N [--seed S]] [--max-parallel M] ...
                     one run per point of a grid, or of N random points (docs/sweeps.md):
                     --sweep lr=0.1,0.01   --sweep lr=1e-4..1e-1:log[:N]   --sweep dropout=0.1..0.5
  ferry runs [--sweep SWEEP] [--limit N] [--json]
                                             recent runs (a sweep's points name it)
  ferry sweeps [--limit N] [--json]          recent sweeps
  ferry status RUN|SWEEP [--json]            a run's steps, states and metrics; a sweep's points side by side
  ferry logs RUN [STEP] [-f] [--json]        a step's output (all steps without STEP)
  ferry metrics RUN [--json]                 the run's metric series
  ferry notebook RUN STEP [-o FILE|-] [--force]
                                             save a notebook-mode step's executed notebook
                                             (default: STEP.executed.ipynb here; never over a file without --force)
  ferry compare RUN... [--all] [--metric NAME:last|min|max|mean]... [--json]
                                             runs side by side: differing parameters (--all: every one),
                                             reduced metrics (best marked *), job facts
  ferry cancel RUN|SWEEP [--json]            a run (or one point); a sweep: every point
  ferry targets [--json]                     where runs can go
  ferry targets test NAME [--json]           check a target: connection, scheduler, Python
  ferry server start|stop|status             the per-user server (started on demand)
`;

type Command = (argv: string[], client: () => Promise<FerryClient>) => Promise<number>;

const COMMANDS: Record<string, Command> = {
  compile: compileCommand,
  export: exportCommand,
  run: runCommand,
  runs: runsCommand,
  sweeps: sweepsCommand,
  status: statusCommand,
  logs: logsCommand,
  metrics: metricsCommand,
  notebook: notebookCommand,
  compare: compareCommand,
  cancel: cancelCommand,
  targets: targetsCommand,
  server: serverCommand,
};

async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    process.stdout.write(HELP);
    return name ? 0 : 2;
  }
  if (name === '--version' || name === '-V') {
    process.stdout.write(`${SERVER_VERSION}\n`);
    return 0;
  }
  const command = COMMANDS[name];
  if (!command) throw new UsageError(`unknown command '${name}'\n\n${HELP}`);
  let client: Promise<FerryClient> | undefined;
  return command(rest, () => (client ??= connect()));
}

try {
  process.exitCode = await main(process.argv.slice(2));
} catch (error) {
  if (error instanceof UsageError) {
    process.stderr.write(`ferry: ${error.message}\n`);
    process.exitCode = 2;
  } else if (isFerryError(error)) {
    process.stderr.write(`ferry: ${error.category} error: ${formatError(error)}\n`);
    process.exitCode = 2;
  } else {
    process.stderr.write(`ferry: ${(error as Error)?.stack ?? String(error)}\n`);
    process.exitCode = 70; // EX_SOFTWARE: a bug in Ferry, not in the input
  }
}
