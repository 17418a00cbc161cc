export { parseParameterArgs } from './parse-args.js';
export { resolveParameters, type ResolveOptions } from './resolve-parameters.js';
export { parseParameterValue, checkParameterValue } from './parameter-values.js';
