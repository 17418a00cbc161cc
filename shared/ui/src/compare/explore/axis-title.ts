/** How an axis is named in the pickers and on the charts: a metric says how each run was reduced, as the table's header does. */
import type { ExploreAxis } from './axes.js';

export function axisTitleText(axis: ExploreAxis): string {
  return axis.kind === 'metric' ? `${axis.name} (${axis.choice!.reducer})` : axis.name;
}
