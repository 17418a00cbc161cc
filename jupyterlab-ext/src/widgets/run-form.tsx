/**
 * The body of the Run on cluster dialog: target, mode, and a field per
 * compiled parameter with its default, help and type, checked as typed with
 * the same converter the server uses.
 */
import type { ParameterSpec, StepMode, TargetInfo } from '@ferry/core';
import { ReactWidget } from '@jupyterlab/ui-components';
import * as React from 'react';
import { checkParameters, defaultText } from '../models/parameter-form.js';

export interface RunFormValue {
  target: string;
  mode: StepMode;
  texts: Record<string, string>;
  /** Several values of a parameter, as `ferry run --sweep` reads them (`0.1, 0.01`, `1e-4..1e-1:log`). */
  sweeps: Record<string, string>;
}

/** The parameters given several values: each becomes an axis of a sweep. */
export function sweptNames(value: RunFormValue): string[] {
  return Object.entries(value.sweeps).flatMap(([name, text]) => (text.trim() ? [name] : []));
}

export interface RunFormOptions {
  pipeline: string;
  steps: string[];
  targets: TargetInfo[];
  parameters: ParameterSpec[];
  initial: RunFormValue;
  /** Shown above the form, e.g. why a previous try was refused. */
  problem?: string;
}

export class RunForm extends ReactWidget {
  private value: RunFormValue;

  constructor(private readonly options: RunFormOptions) {
    super();
    this.addClass('jp-FerryRunForm');
    this.value = { ...options.initial, texts: { ...options.initial.texts }, sweeps: { ...options.initial.sweeps } };
  }

  getValue(): RunFormValue {
    return this.value;
  }

  private change(patch: Partial<RunFormValue>): void {
    this.value = { ...this.value, ...patch };
    this.update();
  }

  protected render(): React.ReactElement {
    const { targets, parameters, pipeline, steps, problem } = this.options;
    const swept = new Set(sweptNames(this.value));
    const { errors } = checkParameters(parameters.filter((p) => !swept.has(p.name)), this.value.texts);
    return (
      <form className="jp-FerryRunForm-body" onSubmit={(event) => event.preventDefault()}>
        <div className="jp-FerryRunForm-summary">
          {pipeline}: {steps.length} step{steps.length === 1 ? '' : 's'} ({steps.join(' → ')})
        </div>
        {problem && <div className="jp-FerryRunForm-problem">{problem}</div>}
        <label className="jp-FerryRunForm-field">
          <span>Target</span>
          <select name="target" value={this.value.target} onChange={(e) => this.change({ target: e.currentTarget.value })}>
            {targets.map((target) => (
              <option key={target.name} value={target.name} title={target.description}>
                {target.name} ({target.type}) — {target.description}
              </option>
            ))}
          </select>
        </label>
        <label className="jp-FerryRunForm-field">
          <span>Mode</span>
          <select name="mode" value={this.value.mode} onChange={(e) => this.change({ mode: e.currentTarget.value as StepMode })}>
            <option value="script">script (each step as a Python program)</option>
            <option value="notebook">notebook (each step in a kernel, outputs kept)</option>
          </select>
        </label>
        {parameters.length > 0 && <div className="jp-FerryRunForm-heading">Parameters</div>}
        {parameters.map((parameter) => {
          const text = this.value.texts[parameter.name] ?? defaultText(parameter);
          const error = errors[parameter.name];
          return (
            <label key={parameter.name} className={`jp-FerryRunForm-field${error ? ' jp-mod-invalid' : ''}`}>
              <span>
                {parameter.name} <code>{parameter.type}</code>
              </span>
              {parameter.type === 'bool' ? (
                <select
                  name={`param-${parameter.name}`}
                  value={['true', '1', 'yes'].includes(text.trim().toLowerCase()) ? 'True' : 'False'}
                  onChange={(e) => this.change({ texts: { ...this.value.texts, [parameter.name]: e.currentTarget.value } })}
                >
                  <option value="True">True</option>
                  <option value="False">False</option>
                </select>
              ) : (
                <input
                  name={`param-${parameter.name}`}
                  value={text}
                  spellCheck={false}
                  inputMode={parameter.type === 'int' ? 'numeric' : parameter.type === 'float' ? 'decimal' : 'text'}
                  onChange={(e) => this.change({ texts: { ...this.value.texts, [parameter.name]: e.currentTarget.value } })}
                />
              )}
              <input
                name={`sweep-${parameter.name}`}
                className="jp-FerryRunForm-sweep"
                value={this.value.sweeps[parameter.name] ?? ''}
                placeholder="sweep: several values, e.g. 1, 2, 3 or 1e-4..1e-1:log"
                spellCheck={false}
                onChange={(e) => this.change({ sweeps: { ...this.value.sweeps, [parameter.name]: e.currentTarget.value } })}
              />
              {parameter.help && <small className="jp-FerryRunForm-help">{parameter.help}</small>}
              {error && <small className="jp-FerryRunForm-error">{error}</small>}
            </label>
          );
        })}
      </form>
    );
  }
}
