/**
 * The seam between a view and the IDE that shows it. A view only ever talks
 * to a `ViewHost`: in a VS Code webview that is `acquireVsCodeApi()` plus the
 * window's message events (`windowMessageHost`); in JupyterLab it can be a
 * plain object in the same page.
 */
import {
  isHostToViewMessage,
  WEBVIEW_PROTOCOL_VERSION,
  type HostToViewMessage,
  type ViewToHostMessage,
  type WebviewKind,
} from '@ferry/core';
import { useEffect, useRef } from 'react';

export interface ViewHost {
  /** Sends an intent to the host. */
  postMessage(message: ViewToHostMessage): void;
  /** Starts listening to the host; returns how to stop. */
  onMessage(listener: (message: HostToViewMessage) => void): () => void;
}

/** Something that delivers `message` events (a window; in tests, any event target). */
export interface MessageEventSource {
  addEventListener(type: 'message', listener: (event: MessageEvent) => void): void;
  removeEventListener(type: 'message', listener: (event: MessageEvent) => void): void;
}

/**
 * A host reached through `postMessage`: what a VS Code webview has.
 *   const vscode = acquireVsCodeApi();
 *   windowMessageHost((message) => vscode.postMessage(message));
 */
export function windowMessageHost(
  post: (message: ViewToHostMessage) => void,
  source: MessageEventSource = window,
): ViewHost {
  return {
    postMessage: post,
    onMessage(listener) {
      const onEvent = (event: MessageEvent) => listener(event.data as HostToViewMessage);
      source.addEventListener('message', onEvent);
      return () => source.removeEventListener('message', onEvent);
    },
  };
}

/**
 * Subscribes a view to its host, then says `ready` (nothing is posted to a
 * view before that). Messages that are not the protocol's are dropped here,
 * whatever the host is.
 */
export function useHost(host: ViewHost, view: WebviewKind, onMessage: (message: HostToViewMessage) => void): void {
  const latest = useRef(onMessage);
  latest.current = onMessage;
  useEffect(() => {
    const stop = host.onMessage((message) => {
      if (isHostToViewMessage(message)) latest.current(message);
    });
    host.postMessage({ type: 'ready', view, protocol: WEBVIEW_PROTOCOL_VERSION });
    return stop;
  }, [host, view]);
}
