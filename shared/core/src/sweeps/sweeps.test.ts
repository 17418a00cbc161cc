import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { FerryError } from '../errors.js';
import type { JsonValue, ParameterSpec, ParamType } from '../spec.js';
import { planSweep, type SweepRequestValues } from './expand-sweep.js';
import { seededRandom } from './random.js';
import { parseSweepArg } from './sweep-args.js';
import { MAX_SWEEP_POINTS, sweepCounts, sweepState } from './sweep.js';

function param(name: string, type: ParamType, value: JsonValue, line: number): ParameterSpec {
  return { name, type, default: value, cell: 2, line };
}

const spec = {
  parameters: [
    param('lr', 'float', 0.5, 1),
    param('batch', 'int', 32, 2),
    param('optimizer', 'str', 'sgd', 3),
    param('shuffle', 'bool', true, 4),
    param('layers', 'list', [64], 5),
    param('dropout', 'float', 0.1, 6),
  ],
};

const cli = (axisStrings: string[], rest: Omit<SweepRequestValues, 'axisStrings'> = {}) => planSweep(spec, { axisStrings, fromStrings: true, ...rest });
const swept = (points: Record<string, JsonValue>[], ...names: string[]) => points.map((point) => names.map((name) => point[name]));

function rejects(run: () => unknown, message: RegExp, location?: FerryError['location']) {
  assert.throws(run, (error: unknown) => {
    assert.ok(error instanceof FerryError, String(error));
    assert.equal(error.category, 'parameter');
    assert.match(error.message, message);
    if (location) assert.deepEqual(error.location, location);
    return true;
  });
}

describe('--sweep arguments', () => {
  test('values are converted by the parameter type; commas inside brackets and quotes do not split', () => {
    assert.deepEqual(parseSweepArg(spec, 'lr=0.1,0.01'), { parameter: 'lr', values: [0.1, 0.01] });
    assert.deepEqual(parseSweepArg(spec, 'batch = 32, 64'), { parameter: 'batch', values: [32, 64] });
    assert.deepEqual(parseSweepArg(spec, 'layers=[64,64],[128]'), { parameter: 'layers', values: [[64, 64], [128]] });
    assert.deepEqual(parseSweepArg(spec, `optimizer=adam,"sgd, momentum",'../x'`), { parameter: 'optimizer', values: ['adam', 'sgd, momentum', '../x'] });
    assert.deepEqual(parseSweepArg(spec, 'shuffle=true,no'), { parameter: 'shuffle', values: [true, false] });
  });

  test('ranges of int and float parameters, with :log and :N in either order', () => {
    assert.deepEqual(parseSweepArg(spec, 'lr=1e-4..1e-1:log'), { parameter: 'lr', range: { low: 1e-4, high: 0.1, scale: 'log' } });
    assert.deepEqual(parseSweepArg(spec, 'dropout=0.1..0.5'), { parameter: 'dropout', range: { low: 0.1, high: 0.5, scale: 'linear' } });
    assert.deepEqual(parseSweepArg(spec, 'batch=16..128:4:log'), { parameter: 'batch', range: { low: 16, high: 128, scale: 'log', count: 4 } });
    assert.deepEqual(parseSweepArg(spec, 'optimizer=1..2'), { parameter: 'optimizer', values: ['1..2'] }, 'a str parameter takes `..` as text');
  });

  test('errors name the argument and the parameter (and its cell and line)', () => {
    const at = (parameter: string, line: number) => ({ parameter, cell: 2, line });
    rejects(() => parseSweepArg(spec, 'batch=32,0.5'), /^--sweep batch=32,0\.5: parameter `batch` expects int, got '0\.5'$/, at('batch', 2));
    rejects(() => parseSweepArg(spec, 'lr'), /^--sweep lr: expected NAME=VALUES/);
    rejects(() => parseSweepArg(spec, 'epochs=1,2'), /^--sweep epochs=1,2: unknown parameter `epochs`; known parameters: lr, batch, optimizer/);
    rejects(() => parseSweepArg(spec, 'lr='), /no values after `=`/, at('lr', 1));
    rejects(() => parseSweepArg(spec, 'lr=0.1,,0.2'), /value 2 of 3 is empty/);
    rejects(() => parseSweepArg(spec, 'layers=[1,2'), /unclosed \[ in the values/);
    rejects(() => parseSweepArg(spec, 'lr=0.1..x'), /a range is LOW\.\.HIGH with numbers on both sides/);
    rejects(() => parseSweepArg(spec, 'lr=0.1..1:lin'), /`:lin` after the range is neither :log nor a number of grid points/);
    rejects(() => parseSweepArg(spec, 'lr=0.1..1:log:log'), /two :log suffixes/);
  });
});

describe('grids', () => {
  test('the product of the axes, the last varying fastest; the other parameters at their defaults or -p values', () => {
    const { definition, points } = cli(['lr=0.1,0.01', 'batch=32,64'], { values: { optimizer: 'adam' } });
    assert.deepEqual(swept(points, 'lr', 'batch'), [[0.1, 32], [0.1, 64], [0.01, 32], [0.01, 64]]);
    assert.deepEqual(points[0], { lr: 0.1, batch: 32, optimizer: 'adam', shuffle: true, layers: [64], dropout: 0.1 });
    assert.deepEqual(definition, { axes: [{ parameter: 'lr', values: [0.1, 0.01] }, { parameter: 'batch', values: [32, 64] }] });
  });

  test('ranges with a number of points: even, geometric, whole numbers for ints', () => {
    assert.deepEqual(swept(cli(['dropout=0.1..0.5:5']).points, 'dropout'), [[0.1], [0.2], [0.3], [0.4], [0.5]]);
    assert.deepEqual(swept(cli(['lr=1e-4..1e-1:log:4']).points, 'lr'), [[1e-4], [1e-3], [1e-2], [1e-1]]);
    assert.deepEqual(swept(cli(['batch=16..128:log:4']).points, 'batch'), [[16], [32], [64], [128]]);
    assert.deepEqual(swept(cli(['batch=1..3:5']).points, 'batch'), [[1], [2], [3]], 'ints rounded, repeats dropped');
    assert.deepEqual(swept(cli(['batch=7..9:1']).points, 'batch'), [[7]]);
  });

  test('a grid needs a number of points for a range; too large a grid is refused before anything runs', () => {
    rejects(() => cli(['lr=1e-4..1e-1:log']), /^--sweep lr=1e-4\.\.1e-1:log: a range in a grid needs its number of points \(e\.g\. lr=0\.0001\.\.0\.1:log:4\), or draw random points with --sample N$/);
    rejects(() => cli(['lr=0..1:1000', 'batch=1..2:2']), new RegExp(`the grid has 2000 points, more than the ${MAX_SWEEP_POINTS} a sweep may have`));
    rejects(() => cli(['lr=0.1'], { seed: 3 }), /--seed only applies to a random sample/);
  });

  test('checks across axes: swept twice, swept and fixed, ranges only for numbers, bounds', () => {
    rejects(() => cli(['lr=0.1', 'lr=0.2']), /^--sweep lr=0\.2: parameter `lr` is swept twice$/);
    rejects(() => cli(['lr=0.1,0.2'], { values: { lr: '0.3' } }), /both swept and given a fixed value \(-p\)/);
    rejects(() => cli(['batch=1.5..4:2']), /expects int, so the range bounds must be whole numbers, got 1\.5\.\.4/);
    rejects(() => cli(['lr=0..1:log:3']), /a log range needs bounds above 0/);
    rejects(() => cli(['lr=1..0.1:3']), /goes from 1 down to 0\.1/);
    rejects(() => cli([]), /at least one swept parameter/);
    rejects(() => cli(['lr=0.1'], { maxParallel: 0 }), /--max-parallel must be a whole number at least 1, got 0/);
  });

  test('typed axes (the API): values checked against the types, ranges only for numbers', () => {
    const plan = planSweep(spec, { axes: [{ parameter: 'batch', values: [8, 16] }], maxParallel: 1 });
    assert.deepEqual(swept(plan.points, 'batch'), [[8], [16]]);
    assert.equal(plan.definition.maxParallel, 1);
    rejects(() => planSweep(spec, { axes: [{ parameter: 'batch', values: [8, 0.5] }] }), /^axes\[0\]: parameter `batch` expects int, got 0\.5$/, { parameter: 'batch', cell: 2, line: 2 });
    rejects(() => planSweep(spec, { axes: [{ parameter: 'optimizer', range: { low: 0, high: 1, scale: 'linear', count: 2 } }] }), /a range needs an int or float parameter; `optimizer` is str/);
    rejects(() => planSweep(spec, { axes: [{ parameter: 'batch', values: [] }] }), /no values for parameter `batch`/);
  });
});

describe('random samples', () => {
  test('the same seed draws the same points; each value within its range or list', () => {
    const request = ['lr=1e-4..1e-1:log', 'dropout=0.1..0.5', 'optimizer=adam,sgd,rmsprop', 'batch=16..128'];
    const a = cli(request, { sample: 50, seed: 42 });
    const b = cli(request, { sample: 50, seed: 42 });
    assert.deepEqual(a.points, b.points);
    assert.deepEqual([a.definition.sample, a.definition.seed], [50, 42]);
    assert.notDeepEqual(cli(request, { sample: 50, seed: 43 }).points, a.points);
    for (const point of a.points) {
      assert.ok((point.lr as number) >= 1e-4 && (point.lr as number) <= 1e-1);
      assert.ok((point.dropout as number) >= 0.1 && (point.dropout as number) <= 0.5);
      assert.ok(['adam', 'sgd', 'rmsprop'].includes(point.optimizer as string));
      assert.ok(Number.isInteger(point.batch) && (point.batch as number) >= 16 && (point.batch as number) <= 128);
    }
    // A log range spreads over the decades: about a third of the draws below 1e-3.
    const small = a.points.filter((point) => (point.lr as number) < 1e-3).length;
    assert.ok(small > 5 && small < 30, `${small} of 50 below 1e-3`);
  });

  test('the draws are pinned: mulberry32 from the seed, one draw per axis per point', () => {
    const random = seededRandom(1);
    assert.deepEqual([random(), random()].map((x) => x.toFixed(10)), ['0.6270739406', '0.0027357212']);
    assert.deepEqual(cli(['batch=1..6', 'optimizer=a,b'], { sample: 2, seed: 1 }).points.map((p) => [p.batch, p.optimizer]), [[4, 'a'], [4, 'b']]);
  });

  test('without a seed one is chosen and kept; a range with :N samples its grid points', () => {
    const plan = cli(['batch=16..128:log:4'], { sample: 20 });
    assert.ok(Number.isInteger(plan.definition.seed));
    assert.ok(plan.points.every((point) => [16, 32, 64, 128].includes(point.batch as number)));
    rejects(() => cli(['lr=0..1'], { sample: 0 }), /--sample must be a whole number from 1 to 1000, got 0/);
    rejects(() => cli(['lr=0..1'], { sample: 5, seed: -1 }), /--seed must be a whole number from 0 to 4294967295, got -1/);
  });
});

describe('sweep state', () => {
  test('from the points: queued, running, then succeeded, failed or cancelled', () => {
    const of = (...states: string[]) => sweepState(states.map((state) => ({ state })) as { state: 'queued' }[]);
    assert.equal(of('queued', 'queued'), 'queued');
    assert.equal(of('queued', 'succeeded'), 'running');
    assert.equal(of('running', 'failed'), 'running');
    assert.equal(of('succeeded', 'succeeded'), 'succeeded');
    assert.equal(of('succeeded', 'cancelled', 'failed'), 'failed');
    assert.equal(of('succeeded', 'cancelled'), 'cancelled');
    assert.deepEqual(sweepCounts([{ state: 'succeeded' }, { state: 'failed' }, { state: 'succeeded' }]), { succeeded: 2, failed: 1 });
  });
});
