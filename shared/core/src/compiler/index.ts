export { compileNotebook, compileNotebookText, type CompileOptions } from './compile.js';
export { SINGLE_STEP_NAME } from './notebook-layout.js';
