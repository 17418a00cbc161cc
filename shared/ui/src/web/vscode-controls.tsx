/**
 * The controls kit of the VS Code webviews: @vscode-elements/elements web
 * components, so forms look and behave like the workbench's own. Each element
 * is imported on its own so a bundle carries only these. React 18 sets only
 * attributes on custom elements and does not hear their events, so values go
 * in as properties through refs and `input`/`change` are listened to directly;
 * `class` is written as is (React 18 would write a `classname` attribute).
 */
import '@vscode-elements/elements/dist/vscode-button/index.js';
import '@vscode-elements/elements/dist/vscode-checkbox/index.js';
import '@vscode-elements/elements/dist/vscode-option/index.js';
import '@vscode-elements/elements/dist/vscode-single-select/index.js';
import '@vscode-elements/elements/dist/vscode-textfield/index.js';
import { createElement, useLayoutEffect, useRef, type RefObject } from 'react';
import type { ButtonProps, CheckboxProps, Controls, SelectProps, TextFieldProps } from '../controls.js';

type ValueElement = HTMLElement & { value: string };
type CheckedElement = HTMLElement & { checked: boolean };

/** A boolean attribute: React would write `"false"`, which still reads as set. */
const flag = (on: boolean | undefined) => (on ? '' : undefined);

/** Calls the latest `listener` on each `type` event of the element. */
function useEvent<E extends HTMLElement>(ref: RefObject<E | null>, type: string, listener: (element: E) => void): void {
  const latest = useRef(listener);
  latest.current = listener;
  useLayoutEffect(() => {
    const element = ref.current!;
    const handle = () => latest.current(element);
    element.addEventListener(type, handle);
    return () => element.removeEventListener(type, handle);
  }, [ref, type]);
}

/** Keeps a property of the element at `value` (set only when it differs, so typing is not disturbed). */
function useProperty<E extends HTMLElement, K extends keyof E>(ref: RefObject<E | null>, key: K, value: E[K]): void {
  useLayoutEffect(() => {
    const element = ref.current!;
    if (element[key] !== value) element[key] = value;
  });
}

function Button({ id, className, ariaLabel, title, children, type = 'button', primary, pressed, disabled, onClick }: ButtonProps) {
  // A toggle is drawn filled while on, as the plain kit does.
  const filled = pressed ?? primary;
  return createElement(
    'vscode-button',
    { id, class: className, 'aria-label': ariaLabel, 'aria-pressed': pressed, title, type, secondary: flag(!filled), disabled: flag(disabled), onClick },
    children,
  );
}

function TextField({ id, className, ariaLabel, title, value, placeholder, invalid, search, describedBy, onChange, onKeyDown }: TextFieldProps) {
  const ref = useRef<ValueElement>(null);
  useProperty(ref, 'value', value);
  useEvent(ref, 'input', (element) => onChange(element.value));
  return createElement('vscode-textfield', {
    ref,
    id,
    class: className,
    type: search ? 'search' : undefined,
    label: ariaLabel,
    title,
    placeholder,
    invalid: flag(invalid),
    'aria-describedby': describedBy,
    // A native keydown from inside the element's shadow input: React's onKeyDown hears it (it bubbles, composed).
    onKeyDown,
  });
}

function Checkbox({ id, className, ariaLabel, title, checked, label, describedBy, onChange }: CheckboxProps) {
  const ref = useRef<CheckedElement>(null);
  useProperty(ref, 'checked', checked);
  useEvent(ref, 'change', (element) => onChange(element.checked));
  // The label goes in the element's slot: only a click there or on the box toggles it.
  return createElement('vscode-checkbox', { ref, id, class: className, 'aria-label': ariaLabel, title, 'aria-describedby': describedBy }, label);
}

function Select({ id, className, ariaLabel, title, value, options, onChange }: SelectProps) {
  const ref = useRef<ValueElement>(null);
  useProperty(ref, 'value', value);
  useEvent(ref, 'change', (element) => onChange(element.value));
  return createElement(
    'vscode-single-select',
    { ref, id, class: className, 'aria-label': ariaLabel, title },
    options.map((option) => createElement('vscode-option', { key: option.value, value: option.value }, option.label)),
  );
}

export const vscodeControls: Controls = { Button, TextField, Checkbox, Select };
