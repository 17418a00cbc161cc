/**
 * Loads the exploration charts in an ES module host (JupyterLab's webpack
 * makes the dynamic import a chunk of its own, fetched on first use). A
 * webview's single-file bundle loads them as a second script instead
 * (web/explore-script.ts).
 */
import type { ExploreLoader } from './types.js';

export const loadExplore: ExploreLoader = () => import('./index.js');
