/**
 * Editor-area webviews, one per key, each fed by a session that the host
 * starts whenever the page says it is ready (again after a reload: the view
 * starts over from the host's state) and disposes with the panel. What the
 * metrics and compare panels have in common.
 */
import type * as vscode from 'vscode';
import type { HostToViewMessage } from '@ferry/core';
import { ViewPanel, type ViewIntent, type ViewPanelOptions } from './view-panel.js';

export interface PanelSession {
  start(): Promise<void>;
  dispose(): void;
}

interface OpenPanel<S> {
  view: ViewPanel;
  session?: S;
}

export class SessionPanels<Source, S extends PanelSession> implements vscode.Disposable {
  private readonly open = new Map<string, OpenPanel<S>>();

  constructor(
    private readonly extensionUri: vscode.Uri,
    private readonly source: () => Promise<Source>,
  ) {}

  /** Reveals the panel of `key`, or opens one whose sessions `create` makes. */
  protected showPanel(
    key: string,
    options: ViewPanelOptions,
    create: (source: Source, post: (message: HostToViewMessage) => void) => S,
    onIntent?: (intent: ViewIntent, session: S | undefined) => void,
  ): void {
    const existing = this.open.get(key);
    if (existing) {
      existing.view.reveal();
      return;
    }
    const entry: OpenPanel<S> = { view: new ViewPanel(this.extensionUri, options) };
    this.open.set(key, entry);
    entry.view.connect({
      onReady: () => void this.start(entry, create),
      ...(onIntent && { onIntent: (intent: ViewIntent) => onIntent(intent, entry.session) }),
      onDispose: () => {
        entry.session?.dispose();
        this.open.delete(key);
      },
    });
  }

  private async start(entry: OpenPanel<S>, create: (source: Source, post: (message: HostToViewMessage) => void) => S): Promise<void> {
    entry.session?.dispose();
    entry.session = undefined;
    let source: Source;
    try {
      source = await this.source();
    } catch (error) {
      // The server could not be reached: the view shows why instead of waiting forever.
      entry.view.post({ type: 'error', message: (error as Error).message });
      return;
    }
    const session = create(source, (message) => entry.view.post(message));
    entry.session = session;
    await session.start();
  }

  dispose(): void {
    for (const { view, session } of this.open.values()) {
      session?.dispose();
      view.dispose();
    }
    this.open.clear();
  }
}
