export { parseTag, TAG_FORMS, type CellRole, type CellTag } from './tag.js';
export { readCellTags, type CellTags, type NonStepRole } from './cell-tags.js';
export { isValidStepName, stepNameKey, STEP_NAME_PATTERN } from './step-name.js';
export { parseMemoryMiB, parseTimeMinutes } from './resource-values.js';
