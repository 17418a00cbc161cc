/**
 * The Run dialog and what follows it: target, mode and parameters (or a
 * sweep), checked, submitted, and the new run selected. A refusal (a bad
 * value, an unknown target) opens the dialog again with the values kept and
 * the server's message above them. Used by Run on cluster and by Re-run with
 * other parameters.
 */
import { Dialog, Notification, showDialog } from '@jupyterlab/apputils';
import { isFerryError, type PipelineSpec, type Run, type TargetInfo } from '@ferry/core';
import { checkParameters } from './models/parameter-form.js';
import type { IFerryClient, IRunsModel } from './tokens.js';
import { RunForm, sweptNames, type RunFormValue } from './widgets/run-form.js';

const RETRYABLE = ['parameter', 'target', 'request', 'conflict'];

export interface RunDialogOptions {
  client: IFerryClient;
  runs: IRunsModel;
  spec: PipelineSpec;
  /** A Jupyter contents path (the server extension resolves it) or an absolute one from a run. */
  notebookPath: string;
  targets: TargetInfo[];
  initial: RunFormValue;
  title?: string;
}

/** Resolves to the runs started, or none when the user cancelled. */
export async function askAndSubmit(options: RunDialogOptions): Promise<Run[]> {
  const { client, runs, spec, notebookPath, targets } = options;
  let value = options.initial;
  let problem: string | undefined;
  for (;;) {
    const form = new RunForm({
      pipeline: spec.name,
      steps: spec.steps.map((step) => step.name),
      targets,
      parameters: spec.parameters,
      initial: value,
      ...(problem ? { problem } : {}),
    });
    const result = await showDialog({
      title: options.title ?? 'Run on cluster',
      body: form,
      buttons: [Dialog.cancelButton(), Dialog.okButton({ label: 'Run', ariaLabel: 'Run on cluster' })],
    });
    if (!result.button.accept || !result.value) return [];
    value = result.value;
    const swept = sweptNames(value);
    // A swept parameter takes its values from the sweep field, not the value field.
    const check = checkParameters(spec.parameters.filter((p) => !swept.includes(p.name)), value.texts);
    if (!check.values) {
      problem = `Fix the parameters: ${Object.entries(check.errors).map(([name, error]) => `${name}: ${error}`).join('; ')}`;
      continue;
    }
    const request = { notebookPath, target: value.target, mode: value.mode, parameters: check.values };
    const submitted = swept.length
      ? client.submitSweep({ ...request, axisStrings: swept.map((name) => `${name}=${value.sweeps[name]!.trim()}`) }).then((sweep) => sweep.runs)
      : client.submit(request).then((run) => [run]);
    const what = swept.length ? `a sweep of ${spec.name} over ${swept.join(', ')}` : spec.name;
    Notification.promise(submitted.then((started) => started.length), {
      pending: { message: `Submitting ${what} to ${value.target}…` },
      success: { message: (count) => `${count} run${count === 1 ? '' : 's'} of ${spec.name} started on ${value.target}`, options: { autoClose: 4000 } },
      error: { message: (error) => `Submitting ${what} failed: ${(error as Error).message}` },
    });
    try {
      const started = await submitted;
      for (const run of started) runs.upsert(run);
      if (started[0]) runs.select(started[0].id);
      return started;
    } catch (error) {
      if (!isFerryError(error) || !RETRYABLE.includes(error.category)) return [];
      problem = error.message;
    }
  }
}
