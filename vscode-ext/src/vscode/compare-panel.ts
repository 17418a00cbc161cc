/**
 * Compare runs: an editor-area webview with @ferry/ui's compare view for a
 * set of runs, fed by a CompareSession (the table, the histories the view
 * asks for, live points). Comparing the same runs again reveals their panel;
 * a reloaded page starts over from a fresh table.
 */
import { CompareSession, type CompareSource } from '../model/compare-session.js';
import { SessionPanels } from './session-panels.js';

export class ComparePanels extends SessionPanels<CompareSource, CompareSession> {
  show(runIds: readonly string[], title: string): void {
    this.showPanel(
      runIds.join(' '),
      { kind: 'compare', viewType: 'ferry.compare', title },
      (source, post) => new CompareSession(source, runIds, post),
      (intent, session) => {
        if (intent.type === 'compare/history') void session?.history(intent);
      },
    );
  }
}
