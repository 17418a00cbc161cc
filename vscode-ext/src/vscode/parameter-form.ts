/**
 * The parameter form: an editor-area webview with @ferry/ui's form (typed
 * fields, defaults, help text, several values for a sweep). The host keeps
 * the form open while it submits; a refusal shows in the form, under the
 * field it is about, and the user corrects it there.
 */
import * as vscode from 'vscode';
import type { JsonValue, ParameterSpec } from '@ferry/core';
import { rejectionOf } from '../model/submission.js';
import { ViewPanel } from './view-panel.js';

export interface ParameterFormRequest {
  title: string;
  pipeline: string;
  parameters: ParameterSpec[];
  /** Values to start from instead of the defaults (re-run with edited parameters). */
  values?: Record<string, JsonValue>;
  submitLabel: string;
}

export type FormSubmit<T> = (values: Record<string, JsonValue>, sweep: Record<string, JsonValue[]>) => Promise<T>;

/**
 * Shows the form and calls `submit` with each submission until one succeeds;
 * resolves with its result, or undefined when the user cancels or closes the form.
 */
export function askWithParameterForm<T>(extensionUri: vscode.Uri, request: ParameterFormRequest, submit: FormSubmit<T>): Promise<T | undefined> {
  const view = new ViewPanel(extensionUri, { kind: 'parameters', viewType: 'ferry.parameters', title: request.title });
  return new Promise<T | undefined>((resolve) => {
    let done = false;
    const finish = (result: T | undefined) => {
      if (done) return;
      done = true;
      resolve(result);
      view.dispose();
    };
    view.connect({
      onReady: () =>
        view.post({
          type: 'parameters/init',
          pipeline: request.pipeline,
          parameters: request.parameters,
          ...(request.values ? { values: request.values } : {}),
          sweepable: request.parameters.map((parameter) => parameter.name),
          submitLabel: request.submitLabel,
        }),
      onIntent: async (intent) => {
        if (intent.type === 'parameters/cancel') return finish(undefined);
        if (intent.type !== 'parameters/submit') return;
        try {
          finish(await submit(intent.values, intent.sweep));
        } catch (error) {
          view.post({ type: 'parameters/rejected', ...rejectionOf(error) });
        }
      },
      onDispose: () => finish(undefined),
    });
  });
}
