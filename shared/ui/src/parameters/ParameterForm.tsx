/**
 * The form a user fills before a run: one field per compiled parameter, with
 * its default, its help text (the comment on its line in the notebook) and a
 * message under it as soon as what is typed does not fit its type.
 * Sweepable fields can hold several values.
 */
import type { HostToViewMessage, JsonValue, ParameterSpec } from '@ferry/core';
import { useId, useState, type FormEvent } from 'react';
import { useControls } from '../controls.js';
import { useHost, type ViewHost } from '../host.js';
import { canSweep, initialInput, validateField, validateParameterForm, type FieldInput, type FormInput, type SweepSyntax } from './validate.js';

interface FormState {
  pipeline: string;
  parameters: ParameterSpec[];
  sweepable: string[];
  submitLabel: string;
}

export interface ParameterFormProps {
  host: ViewHost;
  /** How sweep text beyond comma lists (ranges) is read. */
  sweepSyntax?: SweepSyntax;
}

export function ParameterForm({ host, sweepSyntax }: ParameterFormProps) {
  const [form, setForm] = useState<FormState>();
  const [input, setInput] = useState<FormInput>({});
  /** Fields whose message shows: edited ones, and all after a submit. */
  const [touched, setTouched] = useState<Set<string>>(new Set());
  const [hostErrors, setHostErrors] = useState<Record<string, string>>({});
  const [banner, setBanner] = useState<string>();
  const [submitted, setSubmitted] = useState(false);
  const { Button } = useControls();

  useHost(host, 'parameters', (message: HostToViewMessage) => {
    switch (message.type) {
      case 'parameters/init':
        setForm({
          pipeline: message.pipeline,
          parameters: message.parameters,
          sweepable: message.sweepable ?? [],
          submitLabel: message.submitLabel ?? 'Run',
        });
        setInput(initialInput(message.parameters, message.values));
        setTouched(new Set());
        setHostErrors({});
        setBanner(undefined);
        setSubmitted(false);
        break;
      case 'parameters/rejected':
        setBanner(message.message);
        setHostErrors(message.errors ?? {});
        setSubmitted(false);
        break;
      case 'error':
        setBanner(message.message);
        setSubmitted(false);
        break;
    }
  });

  if (!form) return <div className="ferry-view ferry-muted">Loading parameters…</div>;

  const validation = validateParameterForm(form.parameters, input, sweepSyntax);
  const change = (name: string, field: FieldInput) => {
    setInput((current) => ({ ...current, [name]: field }));
    setTouched((current) => new Set(current).add(name));
    setHostErrors(({ [name]: _dropped, ...rest }) => rest);
  };
  const submit = (event: FormEvent) => {
    event.preventDefault();
    setTouched(new Set(form.parameters.map((p) => p.name)));
    if (!validation.ok) return;
    setBanner(undefined);
    setSubmitted(true);
    host.postMessage({ type: 'parameters/submit', values: validation.values, sweep: validation.sweep });
  };

  return (
    <form className="ferry-view ferry-parameter-form" onSubmit={submit} noValidate>
      <h2 className="ferry-form-title">Parameters of {form.pipeline}</h2>
      {banner && (
        <div className="ferry-error" role="alert">
          {banner}
        </div>
      )}
      {form.parameters.length === 0 && <p className="ferry-muted">This notebook has no parameters cell.</p>}
      {form.parameters.map((parameter) => (
        <ParameterField
          key={parameter.name}
          parameter={parameter}
          field={input[parameter.name]!}
          sweepable={canSweep(parameter, form.sweepable)}
          error={hostErrors[parameter.name] ?? (touched.has(parameter.name) ? validateField(parameter, input[parameter.name]!, sweepSyntax).error : undefined)}
          onChange={(field) => change(parameter.name, field)}
        />
      ))}
      <div className="ferry-form-actions">
        <Button type="submit" primary disabled={submitted}>
          {validation.runCount > 1 ? `${form.submitLabel} (${validation.runCount} runs)` : form.submitLabel}
        </Button>
        <Button onClick={() => host.postMessage({ type: 'parameters/cancel' })}>Cancel</Button>
      </div>
    </form>
  );
}

interface ParameterFieldProps {
  parameter: ParameterSpec;
  field: FieldInput;
  sweepable: boolean;
  error?: string;
  onChange(field: FieldInput): void;
}

function ParameterField({ parameter, field, sweepable, error, onChange }: ParameterFieldProps) {
  const id = useId();
  const helpId = `${id}-help`;
  const errorId = `${id}-error`;
  const describedBy = [parameter.help ? helpId : '', error ? errorId : ''].filter(Boolean).join(' ') || undefined;
  const asCheckbox = parameter.type === 'bool' && !field.sweep;
  const { Checkbox, TextField } = useControls();
  return (
    <div className={error ? 'ferry-field ferry-field-invalid' : 'ferry-field'}>
      <label className="ferry-field-label" htmlFor={id}>
        <span className="ferry-field-name">{parameter.name}</span> <span className="ferry-field-type">{parameter.type}</span>
      </label>
      {asCheckbox ? (
        <Checkbox
          id={id}
          checked={field.text.trim().toLowerCase() === 'true'}
          describedBy={describedBy}
          onChange={(checked) => onChange({ ...field, text: String(checked) })}
        />
      ) : (
        <TextField
          id={id}
          value={field.text}
          placeholder={field.sweep ? 'values separated by commas' : placeholderOf(parameter.default)}
          invalid={Boolean(error)}
          describedBy={describedBy}
          onChange={(text) => onChange({ ...field, text })}
        />
      )}
      {sweepable && (
        <div className="ferry-field-sweep">
          <Checkbox checked={field.sweep} label="several values" onChange={(sweep) => onChange({ ...field, sweep })} />
        </div>
      )}
      {parameter.help && (
        <div id={helpId} className="ferry-field-help">
          {parameter.help}
        </div>
      )}
      {error && (
        <div id={errorId} className="ferry-field-error" role="alert">
          {error}
        </div>
      )}
    </div>
  );
}

function placeholderOf(value: JsonValue): string {
  return value === null ? 'None' : '';
}
