/** The cell tag editor: role, step, dependencies and resources of one cell. */
import { ReactWidget } from '@jupyterlab/ui-components';
import * as React from 'react';
import { CELL_ROLES, type CellTagFields } from '../models/cell-tag-fields.js';

export interface TagFormOptions {
  fields: CellTagFields;
  /** Steps already named in the notebook, offered for step and dependencies. */
  knownSteps: string[];
  problem?: string;
}

const RESOURCE_HINTS: Record<'gpus' | 'cpus' | 'mem' | 'time', string> = {
  gpus: 'e.g. 1',
  cpus: 'e.g. 8',
  mem: 'e.g. 32G',
  time: 'e.g. 2h, 90m',
};

export class TagForm extends ReactWidget {
  private fields: CellTagFields;

  constructor(private readonly options: TagFormOptions) {
    super();
    this.addClass('jp-FerryTagForm');
    this.fields = { ...options.fields, after: [...options.fields.after] };
  }

  getValue(): CellTagFields {
    return this.fields;
  }

  private change(patch: Partial<CellTagFields>): void {
    this.fields = { ...this.fields, ...patch };
    this.update();
  }

  protected render(): React.ReactElement {
    const { knownSteps, problem } = this.options;
    const fields = this.fields;
    const isStep = fields.role === 'step';
    return (
      <form className="jp-FerryTagForm-body" onSubmit={(event) => event.preventDefault()}>
        {problem && <div className="jp-FerryRunForm-problem">{problem}</div>}
        <label className="jp-FerryRunForm-field">
          <span>Role</span>
          <select name="role" value={fields.role} onChange={(e) => this.change({ role: e.currentTarget.value as CellTagFields['role'] })}>
            {CELL_ROLES.map((role) => (
              <option key={role} value={role}>
                {role === 'step' ? 'pipeline step' : role}
              </option>
            ))}
          </select>
        </label>
        {isStep && (
          <>
            <label className="jp-FerryRunForm-field">
              <span>Step</span>
              <input
                name="step"
                list="jp-FerryTagForm-steps"
                value={fields.step}
                placeholder="empty: continue the step above"
                spellCheck={false}
                onChange={(e) => this.change({ step: e.currentTarget.value })}
              />
              <datalist id="jp-FerryTagForm-steps">
                {knownSteps.map((step) => (
                  <option key={step} value={step} />
                ))}
              </datalist>
            </label>
            <label className="jp-FerryRunForm-field">
              <span>Runs after</span>
              <input
                name="after"
                value={fields.after.join(', ')}
                placeholder={knownSteps.length ? `e.g. ${knownSteps[0]}` : 'step names, comma separated'}
                spellCheck={false}
                onChange={(e) => this.change({ after: e.currentTarget.value.split(',').map((s) => s.trim()) })}
              />
            </label>
            <div className="jp-FerryTagForm-resources">
              {(Object.keys(RESOURCE_HINTS) as Array<keyof typeof RESOURCE_HINTS>).map((key) => (
                <label key={key} className="jp-FerryRunForm-field">
                  <span>{key}</span>
                  <input
                    name={key}
                    value={fields[key]}
                    placeholder={RESOURCE_HINTS[key]}
                    spellCheck={false}
                    onChange={(e) => this.change({ [key]: e.currentTarget.value })}
                  />
                </label>
              ))}
            </div>
          </>
        )}
      </form>
    );
  }
}
