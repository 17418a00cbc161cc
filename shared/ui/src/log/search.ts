/**
 * Finding text in the lines a log view holds, as shown (escape sequences
 * removed, progress-bar overwrites applied). Incremental: while a step writes,
 * only new lines are searched. Pure: no DOM.
 */
import { plainText } from './ansi.js';
import type { LogLineStore } from './line-store.js';

export interface LogMatch {
  line: number;
  /** Range in the line's shown text. */
  start: number;
  end: number;
}

export class LogSearch {
  private query = '';
  private generation = -1;
  /** Lines already searched; the last one may have grown since, so it is searched again. */
  private searchedLines = 0;
  private found: LogMatch[] = [];

  constructor(private readonly store: LogLineStore) {}

  /** All matches of `query` (case-insensitive), in line order. */
  matches(query: string): readonly LogMatch[] {
    if (query !== this.query || this.store.generation !== this.generation) {
      this.query = query;
      this.generation = this.store.generation;
      this.searchedLines = 0;
      this.found = [];
    }
    if (!query) return this.found;
    const from = Math.max(0, this.searchedLines - 1);
    while (this.found.length && this.found[this.found.length - 1]!.line >= from) this.found.pop();
    const needle = query.toLowerCase();
    const count = this.store.lineCount;
    for (let line = from; line < count; line++) {
      const text = plainText(this.store.line(line)).toLowerCase();
      for (let at = text.indexOf(needle); at >= 0; at = text.indexOf(needle, at + needle.length)) {
        this.found.push({ line, start: at, end: at + needle.length });
      }
    }
    this.searchedLines = count;
    return this.found;
  }
}
