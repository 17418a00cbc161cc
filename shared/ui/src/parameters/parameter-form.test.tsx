import '../testing/dom.js';
import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, test } from 'node:test';
import type { ParameterSpec } from '@ferry/core';
import { render, TestHost, typeInto, user, type RenderedView } from '../testing/view-harness.js';
import { ParameterForm } from './ParameterForm.js';

const parameters: ParameterSpec[] = [
  { name: 'epochs', type: 'int', default: 10, help: 'passes over the training set', cell: 1, line: 1 },
  { name: 'lr', type: 'float', default: 0.001, cell: 1, line: 2 },
  { name: 'augment', type: 'bool', default: true, cell: 1, line: 3 },
  { name: 'layers', type: 'list', default: [64, 32], cell: 1, line: 4 },
];

let host: TestHost;
let view: RenderedView;
const field = (name: string) => [...view.container.querySelectorAll<HTMLElement>('.ferry-field')].find((f) => f.querySelector('.ferry-field-name')!.textContent === name)!;
const input = (name: string) => field(name).querySelector<HTMLInputElement>('input')!;
const errorOf = (name: string) => field(name).querySelector('.ferry-field-error')?.textContent;
const submitButton = () => view.container.querySelector<HTMLButtonElement>('button[type=submit]')!;
const submit = () => user(() => submitButton().click());

beforeEach(() => {
  host = new TestHost();
  view = render(<ParameterForm host={host} />);
  host.send({ type: 'parameters/init', pipeline: 'train', parameters, sweepable: ['lr', 'epochs', 'layers'], submitLabel: 'Run on slurm' });
});
afterEach(() => view.unmount());

describe('parameter form', () => {
  test('opens with the defaults and help text, and submits typed values', () => {
    assert.deepEqual(host.posted[0], { type: 'ready', view: 'parameters', protocol: 1 });
    assert.equal(input('epochs').value, '10');
    assert.equal(input('layers').value, '[64,32]');
    assert.equal(input('augment').checked, true);
    assert.equal(field('epochs').querySelector('.ferry-field-help')!.textContent, 'passes over the training set');
    typeInto(input('epochs'), '3');
    submit();
    assert.deepEqual(host.posted.at(-1), {
      type: 'parameters/submit',
      values: { epochs: 3, lr: 0.001, augment: true, layers: [64, 32] },
      sweep: {},
    });
  });

  test('a bad int shows its message under the field and nothing is submitted', () => {
    typeInto(input('epochs'), '10.5');
    assert.equal(errorOf('epochs'), "Expected a whole number, got '10.5'.");
    assert.equal(input('epochs').getAttribute('aria-invalid'), 'true');
    assert.equal(errorOf('lr'), undefined, 'other fields stay quiet');
    submit();
    assert.equal(host.posted.length, 1, 'only the ready message');
    typeInto(input('epochs'), '12');
    assert.equal(errorOf('epochs'), undefined);
  });

  test('a sweepable field takes several values and the button counts the runs', () => {
    assert.equal(field('augment').querySelector('.ferry-field-sweep'), null, 'not marked sweepable');
    assert.equal(field('layers').querySelector('.ferry-field-sweep'), null, 'a list cannot be comma-swept');
    user(() => field('lr').querySelector<HTMLInputElement>('.ferry-field-sweep input')!.click());
    typeInto(input('lr'), '0.1, 0.01, 0.001');
    assert.equal(submitButton().textContent, 'Run on slurm (3 runs)');
    typeInto(input('lr'), '0.1, fast');
    assert.equal(errorOf('lr'), "Value 2 of 2: expected a number, got 'fast'.");
    typeInto(input('lr'), '0.1,0.01');
    submit();
    assert.deepEqual(host.posted.at(-1), {
      type: 'parameters/submit',
      values: { epochs: 10, lr: 0.1, augment: true, layers: [64, 32] },
      sweep: { lr: [0.1, 0.01] },
    });
  });

  test('a refusal from the host shows on the form and on the field it names', () => {
    submit();
    assert.equal(submitButton().disabled, true, 'no double submit while the host works');
    host.send({ type: 'parameters/rejected', message: 'The target refused the run.', errors: { epochs: 'at most 5 on this partition' } });
    assert.equal(view.container.querySelector('[role=alert]')!.textContent, 'The target refused the run.');
    assert.equal(errorOf('epochs'), 'at most 5 on this partition');
    assert.equal(submitButton().disabled, false);
  });

  test('cancel tells the host', () => {
    user(() => [...view.container.querySelectorAll('button')].find((b) => b.textContent === 'Cancel')!.click());
    assert.deepEqual(host.posted.at(-1), { type: 'parameters/cancel' });
  });
});
