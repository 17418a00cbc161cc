export { parsePythonCell, findSyntaxError, type PythonCell, type SyntaxErrorPosition } from './python-cell.js';
export { analyzeCellDataFlow, type CellDataFlow } from './data-flow.js';
export { extractParameters } from './parameters-cell.js';
export { parsePythonLiteral, type PythonLiteral } from './literal.js';
export { PYTHON_BUILTINS } from './builtins.js';
