/**
 * One log line as DOM nodes: spans for styled text, marks for search hits.
 * Text always goes in as text nodes, never as markup.
 */
import { memo } from 'react';
import { parseAnsi, type AnsiSegment, type AnsiStyle } from './ansi.js';
import { segmentLook } from './ansi-look.js';

export interface LineHighlight {
  start: number;
  end: number;
  current: boolean;
}

interface Piece extends AnsiSegment {
  highlight?: 'match' | 'current';
}

/** Cuts styled segments where highlights start and end (positions are in the shown text). */
export function highlightPieces(segments: AnsiSegment[], highlights: readonly LineHighlight[]): Piece[] {
  if (highlights.length === 0) return segments;
  const pieces: Piece[] = [];
  let position = 0;
  for (const segment of segments) {
    const end = position + segment.text.length;
    let at = position;
    for (const h of highlights) {
      if (h.end <= at || h.start >= end) continue;
      if (h.start > at) pieces.push({ text: segment.text.slice(at - position, h.start - position), style: segment.style });
      const to = Math.min(h.end, end);
      pieces.push({ text: segment.text.slice(Math.max(h.start, at) - position, to - position), style: segment.style, highlight: h.current ? 'current' : 'match' });
      at = to;
    }
    if (at < end) pieces.push({ text: segment.text.slice(at - position), style: segment.style });
    position = end;
  }
  return pieces;
}

export interface LogLineProps {
  text: string;
  startStyle: AnsiStyle;
  highlights: readonly LineHighlight[];
  height: number;
}

export const LogLine = memo(function LogLine({ text, startStyle, highlights, height }: LogLineProps) {
  const pieces = highlightPieces(parseAnsi(text, startStyle).segments, highlights);
  return (
    <div className="ferry-log-line" style={{ height }}>
      {pieces.map((piece, i) => {
        const look = segmentLook(piece.style);
        const style = look.color || look.backgroundColor ? { color: look.color, backgroundColor: look.backgroundColor } : undefined;
        const span = (
          <span key={piece.highlight ? undefined : i} className={look.className || undefined} style={style}>
            {piece.text}
          </span>
        );
        if (!piece.highlight) return span;
        return (
          <mark key={i} className={piece.highlight === 'current' ? 'ferry-log-match ferry-log-match-current' : 'ferry-log-match'}>
            {span}
          </mark>
        );
      })}
    </div>
  );
});
