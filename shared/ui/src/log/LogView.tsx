/**
 * A step's log, streaming. Follows the end while the step writes, pauses as
 * soon as the user scrolls up, and resumes when they scroll back to the end
 * or press Follow. Only the rows in view are in the DOM; earlier pages of a
 * long log are asked from the host when the user reaches the top.
 */
import type { HostToViewMessage } from '@ferry/core';
import { useCallback, useLayoutEffect, useMemo, useRef, useState } from 'react';
import { useControls, type KeyPress } from '../controls.js';
import { useHost, type ViewHost } from '../host.js';
import { formatBytes } from '../format.js';
import { LogLine, type LineHighlight } from './LogLine.js';
import { LogLineStore } from './line-store.js';
import { LogSearch, type LogMatch } from './search.js';
import { contentTop, isAtBottom, scrollTopFor, scrollTopToReveal, visibleRows, type ViewportGeometry } from './viewport.js';

/** Used until a row can be measured (and where nothing is laid out). */
const FALLBACK_ROW_HEIGHT = 18;
/** Ask for the earlier page when the top is this many rows away. */
const PAGE_AHEAD_ROWS = 30;
const NO_HIGHLIGHTS: LineHighlight[] = [];

interface StepInfo {
  runId: string;
  step: string;
  ended?: string;
}

export interface LogViewProps {
  host: ViewHost;
}

export function LogView({ host }: LogViewProps) {
  const [store] = useState(() => new LogLineStore());
  const search = useMemo(() => new LogSearch(store), [store]);
  const scroller = useRef<HTMLDivElement>(null);
  const probe = useRef<HTMLDivElement>(null);
  const [, setVersion] = useState(0);
  const [step, setStep] = useState<StepInfo>();
  const [error, setError] = useState<string>();
  const [follow, setFollow] = useState(true);
  const [scrollTop, setScrollTop] = useState(0);
  const [viewportHeight, setViewportHeight] = useState(0);
  const [rowHeight, setRowHeight] = useState(FALLBACK_ROW_HEIGHT);
  const [query, setQuery] = useState('');
  const [currentMatch, setCurrentMatch] = useState(0);
  /** `before` of the page asked for, until it arrives. */
  const pageAsked = useRef<number>();
  /** Lines a page added above, to keep the same text in view after the next render. */
  const linesAddedAbove = useRef(0);
  /** The scroll position last set by the view itself, to tell its scroll events from the user's. */
  const scrollSetByView = useRef<number>();

  const changed = useCallback(() => setVersion((v) => v + 1), []);
  const geometry: ViewportGeometry = { rowCount: store.lineCount, rowHeight, viewportHeight };

  useHost(host, 'log', (message: HostToViewMessage) => {
    switch (message.type) {
      case 'log/init':
        store.reset(message.chunk.offset);
        store.appendChunk(message.chunk);
        pageAsked.current = undefined;
        setStep({ runId: message.runId, step: message.step, ended: message.finished ? 'finished' : undefined });
        setError(undefined);
        setFollow(true);
        break;
      case 'log/append':
        store.appendChunk(message.chunk);
        break;
      case 'log/page':
        if (pageAsked.current === message.chunk.nextOffset) pageAsked.current = undefined;
        linesAddedAbove.current += store.prependChunk(message.chunk);
        break;
      case 'log/end':
        setStep((info) => info && { ...info, ended: message.state });
        break;
      case 'error':
        pageAsked.current = undefined;
        setError(message.message);
        break;
    }
    changed();
  });

  const scrollTo = useCallback((top: number) => {
    const element = scroller.current;
    if (!element) return;
    element.scrollTop = top;
    scrollSetByView.current = element.scrollTop;
    setScrollTop(element.scrollTop);
  }, []);

  // Measure the viewport and a row, now and whenever the host resizes or restyles the view.
  useLayoutEffect(() => {
    const element = scroller.current;
    if (!element) return;
    const measure = () => {
      // Never more than the window shows, even if a host forgot to bound the view's height.
      setViewportHeight(Math.min(element.clientHeight, window.innerHeight || Infinity));
      setRowHeight(probe.current?.getBoundingClientRect().height || FALLBACK_ROW_HEIGHT);
    };
    measure();
    if (typeof ResizeObserver === 'undefined') return;
    const observer = new ResizeObserver(measure);
    observer.observe(element);
    return () => observer.disconnect();
  }, []);

  // After each change: keep the end in view while following; keep the same text in view after a page came in above.
  useLayoutEffect(() => {
    if (follow) {
      scrollTo(scrollTopFor(geometry, geometry.rowCount * rowHeight));
    } else if (linesAddedAbove.current) {
      const before: ViewportGeometry = { ...geometry, rowCount: geometry.rowCount - linesAddedAbove.current };
      scrollTo(scrollTopFor(geometry, contentTop(before, scrollTop) + linesAddedAbove.current * rowHeight));
    }
    linesAddedAbove.current = 0;
  });

  // Near the top of what is held, and the log has more before it: ask for the previous page.
  // (Read where the view is now: the effect above may just have moved it.)
  useLayoutEffect(() => {
    const nearTop = contentTop(geometry, scroller.current?.scrollTop ?? 0) < PAGE_AHEAD_ROWS * rowHeight;
    if (nearTop && store.hasEarlier && pageAsked.current === undefined && !error) {
      pageAsked.current = store.startOffset;
      host.postMessage({ type: 'log/loadEarlier', before: store.startOffset });
    }
  });

  const onScroll = () => {
    const element = scroller.current!;
    const top = element.scrollTop;
    setScrollTop(top);
    if (scrollSetByView.current !== undefined && Math.abs(top - scrollSetByView.current) < 1) return;
    scrollSetByView.current = undefined;
    setFollow(isAtBottom(geometry, top));
  };

  const matches: readonly LogMatch[] = search.matches(query);
  const current = matches.length ? Math.min(currentMatch, matches.length - 1) : -1;
  const goToMatch = (index: number) => {
    if (!matches.length) return;
    const wrapped = (index + matches.length) % matches.length;
    setCurrentMatch(wrapped);
    setFollow(false);
    scrollTo(scrollTopToReveal(geometry, matches[wrapped]!.line));
  };
  const { Button, TextField } = useControls();
  const onSearchKey = (event: KeyPress) => {
    if (event.key === 'Enter') goToMatch(current + (event.shiftKey ? -1 : 1));
    if (event.key === 'Escape') setQuery('');
  };

  const rows = visibleRows(geometry, scrollTop);
  const highlightsByLine = groupByLine(matches, current, rows.first, rows.last);
  const earlierBytes = store.startOffset;

  return (
    <div className="ferry-view ferry-log-view">
      <div className="ferry-toolbar" role="toolbar" aria-label="Log">
        <span className="ferry-log-title">
          {step ? step.step : 'Waiting for the log…'}
          {step?.ended && <span className="ferry-muted"> · {step.ended}</span>}
        </span>
        <Button
          className="ferry-log-follow"
          pressed={follow}
          title={follow ? 'Following the end; scroll up to pause' : 'Paused; show the end and follow it'}
          onClick={() => setFollow(!follow)}
        >
          {follow ? 'Following' : 'Follow'}
        </Button>
        <TextField
          search
          className="ferry-log-search"
          placeholder="Find in log"
          ariaLabel="Find in log"
          value={query}
          onChange={(text) => {
            setQuery(text);
            setCurrentMatch(0);
          }}
          onKeyDown={onSearchKey}
        />
        <Button className="ferry-log-previous" ariaLabel="Previous match" disabled={!matches.length} onClick={() => goToMatch(current - 1)}>
          ↑
        </Button>
        <Button className="ferry-log-next" ariaLabel="Next match" disabled={!matches.length} onClick={() => goToMatch(current + 1)}>
          ↓
        </Button>
        <span className="ferry-muted ferry-log-match-count" aria-live="polite">
          {query ? (matches.length ? `${current + 1} of ${matches.length}` : 'No results') : ''}
        </span>
      </div>
      {error && (
        <div className="ferry-error" role="alert">
          {error}
        </div>
      )}
      {earlierBytes > 0 && (
        <div className="ferry-log-earlier ferry-muted">
          {pageAsked.current !== undefined ? 'Loading earlier output…' : `${formatBytes(earlierBytes)} earlier; scroll up to load`}
        </div>
      )}
      <div
        ref={scroller}
        className="ferry-log-scroller"
        tabIndex={0}
        role="log"
        aria-label="Step log"
        onScroll={onScroll}
        onWheel={(event) => event.deltaY < 0 && setFollow(false)}
      >
        <div className="ferry-log-spacer" style={{ height: rows.scrollHeight }}>
          <div className="ferry-log-rows" style={{ transform: `translateY(${rows.top}px)` }}>
            {range(rows.first, rows.last).map((index) => (
              <LogLine
                key={index}
                text={store.line(index)}
                startStyle={store.styleAt(index)}
                highlights={highlightsByLine.get(index) ?? NO_HIGHLIGHTS}
                height={rowHeight}
              />
            ))}
          </div>
        </div>
        <div ref={probe} className="ferry-log-line ferry-log-probe" aria-hidden="true">
          M
        </div>
      </div>
    </div>
  );
}

function range(from: number, to: number): number[] {
  return Array.from({ length: Math.max(0, to - from) }, (_, i) => from + i);
}

/** The matches on the rendered lines, by line. */
function groupByLine(matches: readonly LogMatch[], current: number, first: number, last: number): Map<number, LineHighlight[]> {
  const byLine = new Map<number, LineHighlight[]>();
  let low = 0;
  let high = matches.length;
  while (low < high) {
    const mid = (low + high) >> 1;
    if (matches[mid]!.line < first) low = mid + 1;
    else high = mid;
  }
  for (let i = low; i < matches.length && matches[i]!.line < last; i++) {
    const match = matches[i]!;
    const list = byLine.get(match.line) ?? [];
    list.push({ start: match.start, end: match.end, current: i === current });
    byLine.set(match.line, list);
  }
  return byLine;
}
