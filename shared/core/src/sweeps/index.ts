export * from './sweep.js';
export { parseSweepArg } from './sweep-args.js';
export { planSweep, type SweepPlan, type SweepRequestValues } from './expand-sweep.js';
export { seededRandom } from './random.js';
