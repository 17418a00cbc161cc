/**
 * The form controls the views draw with. By default plain HTML themed by
 * ferry-ui.css, so the views look the same in every host; a host may provide
 * another kit (the VS Code webviews use @vscode-elements/elements) through
 * `ControlsContext`. Only what the views need, nothing more.
 */
import { createContext, useContext, type ComponentType, type ReactNode } from 'react';

/** What every control takes besides its own props. */
export interface ControlProps {
  id?: string;
  /** Extra classes, for the views' own styling and for tests to find the control. */
  className?: string;
  /** The accessible name, where no visible label names the control. */
  ariaLabel?: string;
  /** The tooltip. */
  title?: string;
}

export interface ButtonProps extends ControlProps {
  children: ReactNode;
  type?: 'button' | 'submit';
  /** The main action of its group (drawn filled). */
  primary?: boolean;
  /** A toggle button's state (drawn filled while on); absent for plain buttons. */
  pressed?: boolean;
  disabled?: boolean;
  onClick?(): void;
}

/** The part of a key press the views read. */
export interface KeyPress {
  key: string;
  shiftKey: boolean;
  preventDefault(): void;
}

export interface TextFieldProps extends ControlProps {
  value: string;
  placeholder?: string;
  invalid?: boolean;
  /** A search box (Escape clears it in browsers that support it). */
  search?: boolean;
  /** Ids of the elements that describe the field (`aria-describedby`). */
  describedBy?: string;
  onChange(value: string): void;
  onKeyDown?(key: KeyPress): void;
}

export interface CheckboxProps extends ControlProps {
  checked: boolean;
  /** Text beside the box that toggles it too. */
  label?: string;
  describedBy?: string;
  onChange(checked: boolean): void;
}

export interface SelectProps extends ControlProps {
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

const classes = (...names: (string | false | undefined)[]) => names.filter(Boolean).join(' ');

export const plainControls: Controls = {
  Button: ({ id, className, ariaLabel, title, children, type = 'button', primary, pressed, disabled, onClick }) => (
    <button
      id={id}
      type={type}
      className={classes('ferry-button', primary && 'ferry-button-primary', pressed !== undefined && 'ferry-toggle', className)}
      aria-label={ariaLabel}
      aria-pressed={pressed}
      title={title}
      disabled={disabled}
      onClick={onClick}
    >
      {children}
    </button>
  ),
  TextField: ({ id, className, ariaLabel, title, value, placeholder, invalid, search, describedBy, onChange, onKeyDown }) => (
    <input
      id={id}
      type={search ? 'search' : 'text'}
      className={classes('ferry-input', className)}
      value={value}
      placeholder={placeholder}
      spellCheck={false}
      aria-label={ariaLabel}
      title={title}
      aria-invalid={invalid ? true : undefined}
      aria-describedby={describedBy}
      onChange={(event) => onChange(event.target.value)}
      onKeyDown={onKeyDown}
    />
  ),
  Checkbox: ({ id, className, ariaLabel, title, checked, label, describedBy, onChange }) => {
    const box = (
      <input
        id={id}
        type="checkbox"
        className={classes('ferry-checkbox', className)}
        checked={checked}
        aria-label={ariaLabel}
        title={title}
        aria-describedby={describedBy}
        onChange={(event) => onChange(event.target.checked)}
      />
    );
    return label ? (
      <label className="ferry-field-inline">
        {box} {label}
      </label>
    ) : (
      box
    );
  },
  Select: ({ id, className, ariaLabel, title, value, options, onChange }) => (
    <select id={id} className={classes('ferry-input', className)} aria-label={ariaLabel} title={title} value={value} onChange={(event) => onChange(event.target.value)}>
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
