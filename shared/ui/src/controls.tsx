/**
 * The form controls the views draw with. By default plain HTML themed by
 * ferry-ui.css, so the views look the same in every host; a host may provide
 * another kit (the VS Code webviews use @vscode-elements/elements) through
 * `ControlsContext`. Only what the views need, nothing more.
 */
import { createContext, useContext, type ComponentType, type ReactNode } from 'react';

export interface ButtonProps {
  children: ReactNode;
  type?: 'button' | 'submit';
  /** The main action of its group (drawn filled). */
  primary?: boolean;
  disabled?: boolean;
  onClick?(): void;
}

export interface TextFieldProps {
  id?: string;
  value: string;
  placeholder?: string;
  invalid?: boolean;
  /** Ids of the elements that describe the field (`aria-describedby`). */
  describedBy?: string;
  onChange(value: string): void;
}

export interface CheckboxProps {
  id?: string;
  checked: boolean;
  /** Text beside the box that toggles it too. */
  label?: string;
  describedBy?: string;
  onChange(checked: boolean): void;
}

export interface SelectProps {
  id?: string;
  value: string;
  options: readonly { value: string; label: string }[];
  onChange(value: string): void;
}

export interface Controls {
  Button: ComponentType<ButtonProps>;
  TextField: ComponentType<TextFieldProps>;
  Checkbox: ComponentType<CheckboxProps>;
  Select: ComponentType<SelectProps>;
}

export const plainControls: Controls = {
  Button: ({ children, type = 'button', primary, disabled, onClick }) => (
    <button type={type} className={primary ? 'ferry-button ferry-button-primary' : 'ferry-button'} disabled={disabled} onClick={onClick}>
      {children}
    </button>
  ),
  TextField: ({ id, value, placeholder, invalid, describedBy, onChange }) => (
    <input
      id={id}
      type="text"
      className="ferry-input"
      value={value}
      placeholder={placeholder}
      spellCheck={false}
      aria-invalid={invalid ? true : undefined}
      aria-describedby={describedBy}
      onChange={(event) => onChange(event.target.value)}
    />
  ),
  Checkbox: ({ id, checked, label, describedBy, onChange }) => {
    const box = (
      <input id={id} type="checkbox" className="ferry-checkbox" checked={checked} aria-describedby={describedBy} onChange={(event) => onChange(event.target.checked)} />
    );
    return label ? (
      <label>
        {box} {label}
      </label>
    ) : (
      box
    );
  },
  Select: ({ id, value, options, onChange }) => (
    <select id={id} className="ferry-input" value={value} onChange={(event) => onChange(event.target.value)}>
      {options.map((option) => (
        <option key={option.value} value={option.value}>
          {option.label}
        </option>
      ))}
    </select>
  ),
};

export const ControlsContext = createContext<Controls>(plainControls);

export function useControls(): Controls {
  return useContext(ControlsContext);
}
