import { LabIcon } from '@jupyterlab/ui-components';

// A ferry on water, drawn for 16px; fill follows the theme's icon colour.
const FERRY_SVG = `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 24 24" width="16" height="16">
<path class="jp-icon3" fill="#616161" d="M6 6h9l2 4h3l-2 5H4L3 10h3zM8 8v2h2V8zm4 0v2h2V8zM2 18c2 0 2-1 4-1s2 1 4 1 2-1 4-1 2 1 4 1 2-1 4-1v2c-2 0-2 1-4 1s-2-1-4-1-2 1-4 1-2-1-4-1-2 1-4 1z"/>
</svg>`;

export const ferryIcon = new LabIcon({ name: 'ferry:ferry', svgstr: FERRY_SVG });
