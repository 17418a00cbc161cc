/**
 * The lines of one step's log that a view holds: a window [startOffset,
 * endOffset) of the log's bytes, grown at the end as the step writes and at
 * the start as the user pages back. Chunks may cut lines, UTF-8 characters
 * (bytes) and escape sequences anywhere; lines are only read once complete,
 * so a cut never shows. Lines live in blocks so a prepended page costs its
 * own size, not the size of everything held. Pure: no DOM.
 */
import type { LogChunk } from '@ferry/core';
import { PLAIN_STYLE, styleAfter, type AnsiStyle } from './ansi.js';

const BLOCK_LINES = 4096;

interface Block {
  lines: string[];
  /** The ANSI style in force where each line starts (styles carry over line ends). */
  styles: AnsiStyle[];
}

export class LogLineStore {
  /** Byte offset in the log of the first byte held. */
  startOffset = 0;
  /** Byte offset just after the last byte held: where the next chunk starts. */
  endOffset = 0;
  /** Size of the whole log when last heard of. */
  size = 0;
  /** Counts prepends and resets, so views know line numbers have shifted. */
  generation = 0;

  private blocks: Block[] = [];
  /** Line index of each block's first line. */
  private blockStarts: number[] = [];
  private completeLines = 0;
  /** Text after the last newline: the line still being written. */
  private partial = '';
  private partialStyle: AnsiStyle = PLAIN_STYLE;
  private decoder: TextDecoder | undefined;

  /** Forgets everything and starts holding the log at `offset` (the tail the host sent first). */
  reset(offset = 0): void {
    this.blocks = [];
    this.blockStarts = [];
    this.completeLines = 0;
    this.partial = '';
    this.partialStyle = PLAIN_STYLE;
    this.decoder = undefined;
    this.startOffset = this.endOffset = this.size = offset;
    this.generation++;
  }

  /** Lines held, counting the one still being written. */
  get lineCount(): number {
    return this.completeLines + (this.partial ? 1 : 0);
  }

  /** Whether the log has bytes before the first one held. */
  get hasEarlier(): boolean {
    return this.startOffset > 0;
  }

  /** Line `index` as written, escape sequences included, without its newline. */
  line(index: number): string {
    if (index === this.completeLines) return this.partial;
    const [block, at] = this.locate(index);
    return block.lines[at]!;
  }

  /** The style in force at the start of line `index`. */
  styleAt(index: number): AnsiStyle {
    if (index === this.completeLines) return this.partialStyle;
    const [block, at] = this.locate(index);
    return block.styles[at]!;
  }

  /**
   * Adds a chunk at the end. A chunk that overlaps what is held is trimmed; one
   * that leaves a gap (bytes the host never sent) is marked by a line saying so.
   */
  appendChunk(chunk: LogChunk): void {
    this.size = Math.max(this.size, chunk.size);
    if (chunk.nextOffset <= this.endOffset) return;
    let data = chunk.data;
    if (chunk.offset < this.endOffset) data = dropLeadingBytes(data, this.endOffset - chunk.offset);
    if (chunk.offset > this.endOffset) {
      this.appendText(`${this.partial ? '\n' : ''}[… ${chunk.offset - this.endOffset} bytes not received …]\n`);
    }
    this.appendText(data);
    this.endOffset = chunk.nextOffset;
  }

  /** Adds raw bytes at the end; a UTF-8 character cut between two calls is joined. */
  appendBytes(bytes: Uint8Array): void {
    this.decoder ??= new TextDecoder('utf-8');
    this.appendText(this.decoder.decode(bytes, { stream: true }));
    this.endOffset += bytes.byteLength;
    this.size = Math.max(this.size, this.endOffset);
  }

  /** Adds text at the end (offsets are the caller's business). */
  appendText(text: string): void {
    if (!text) return;
    const pieces = (this.partial + text).split('\n');
    this.partial = pieces.pop()!;
    let style = this.partialStyle;
    for (const piece of pieces) {
      const line = piece.endsWith('\r') ? piece.slice(0, -1) : piece;
      this.pushLine(line, style);
      style = styleAfter(line, style);
    }
    this.partialStyle = style;
  }

  /**
   * Adds a page that ends where the held bytes start (`chunk.nextOffset ===
   * startOffset`). Its last, unterminated piece joins the first held line.
   * Returns how many lines now come before the line that was first, so a view
   * can keep showing the same text.
   */
  prependChunk(chunk: LogChunk): number {
    if (chunk.nextOffset !== this.startOffset || chunk.offset >= this.startOffset) return 0;
    this.size = Math.max(this.size, chunk.size);
    const pieces = chunk.data.split('\n');
    const joinsFirstLine = pieces.pop()!;
    const lines = pieces.map((piece) => (piece.endsWith('\r') ? piece.slice(0, -1) : piece));
    const styles: AnsiStyle[] = [];
    let style: AnsiStyle = PLAIN_STYLE; // nothing is known about the bytes before this page
    for (const line of lines) {
      styles.push(style);
      style = styleAfter(line, style);
    }
    if (this.completeLines === 0) this.partial = joinsFirstLine + this.partial;
    else this.blocks[0]!.lines[0] = joinsFirstLine + this.blocks[0]!.lines[0]!;
    const pageBlocks: Block[] = [];
    for (let at = 0; at < lines.length; at += BLOCK_LINES) {
      pageBlocks.push({ lines: lines.slice(at, at + BLOCK_LINES), styles: styles.slice(at, at + BLOCK_LINES) });
    }
    this.blocks.unshift(...pageBlocks);
    this.completeLines += lines.length;
    this.reindex();
    this.carryStyleFrom(lines.length, style);
    this.startOffset = chunk.offset;
    this.generation++;
    return lines.length;
  }

  /**
   * Line `from` (the one a page was joined to) now starts with `style` and has
   * new text: restyle it and the lines after it, until the styles agree again.
   */
  private carryStyleFrom(from: number, style: AnsiStyle): void {
    let current = style;
    for (let index = from; index < this.completeLines; index++) {
      const [block, at] = this.locate(index);
      if (index > from && sameStyle(block.styles[at]!, current)) return;
      block.styles[at] = current;
      current = styleAfter(block.lines[at]!, current);
    }
    this.partialStyle = current;
  }

  private pushLine(line: string, style: AnsiStyle): void {
    let last = this.blocks[this.blocks.length - 1];
    if (!last || last.lines.length >= BLOCK_LINES) {
      last = { lines: [], styles: [] };
      this.blocks.push(last);
      this.blockStarts.push(this.completeLines);
    }
    last.lines.push(line);
    last.styles.push(style);
    this.completeLines++;
  }

  private reindex(): void {
    let start = 0;
    this.blockStarts = this.blocks.map((block) => {
      const at = start;
      start += block.lines.length;
      return at;
    });
  }

  /** The block holding line `index` and the line's place in it (binary search). */
  private locate(index: number): [Block, number] {
    if (index < 0 || index >= this.completeLines) throw new RangeError(`line ${index} is not held`);
    let low = 0;
    let high = this.blockStarts.length - 1;
    while (low < high) {
      const mid = (low + high + 1) >> 1;
      if (this.blockStarts[mid]! <= index) low = mid;
      else high = mid - 1;
    }
    return [this.blocks[low]!, index - this.blockStarts[low]!];
  }
}

function sameStyle(a: AnsiStyle, b: AnsiStyle): boolean {
  if (a === b) return true;
  const keys = Object.keys(a) as Array<keyof AnsiStyle>;
  return keys.length === Object.keys(b).length && keys.every((key) => a[key] === b[key]);
}

/** Drops the first `count` bytes of the UTF-8 encoding of `text`. */
function dropLeadingBytes(text: string, count: number): string {
  const bytes = new TextEncoder().encode(text);
  return new TextDecoder('utf-8').decode(bytes.subarray(Math.min(count, bytes.length)));
}
