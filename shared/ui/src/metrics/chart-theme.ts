/**
 * What charts read from the theme: series colours (`--ferry-chart-1` … `-8`),
 * text and grid colours. Canvas needs real colours, so the CSS variables are
 * read once per chart; every view that colours runs uses the same palette.
 */
import type uPlot from 'uplot';

/** Used when the host sets no `--ferry-chart-N` (a palette that reads on light and dark themes). */
export const FALLBACK_COLORS = ['#3794ff', '#f14c4c', '#23d18b', '#e5a50a', '#b180d7', '#29b8db', '#f5a97f', '#8a8a8a'];

export interface ThemeColors {
  series: string[];
  text: string;
  grid: string;
}

export function themeColors(element: HTMLElement): ThemeColors {
  const style = getComputedStyle(element);
  const read = (name: string) => style.getPropertyValue(name).trim();
  return {
    series: FALLBACK_COLORS.map((fallback, i) => read(`--ferry-chart-${i + 1}`) || fallback),
    text: read('--ferry-muted-fg') || '#888888',
    grid: read('--ferry-border') || 'rgba(128, 128, 128, 0.25)',
  };
}

export function axisOptions(colors: ThemeColors): uPlot.Axis {
  return { stroke: colors.text, grid: { stroke: colors.grid, width: 1 }, ticks: { stroke: colors.grid, width: 1 } };
}
