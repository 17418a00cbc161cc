/**
 * The completion indexes an Indexed Job's status lists as text
 * (`status.completedIndexes`, `status.failedIndexes`): increasing decimal
 * numbers separated by commas, runs of three or more written `first-last`,
 * e.g. "1,3-5,7". Kept as ranges, so a long run costs nothing.
 */
import { FerryError } from '../../errors.js';

export class JobIndexes {
  static readonly none = new JobIndexes([]);

  private constructor(private readonly ranges: readonly (readonly [number, number])[]) {}

  /** `text` as the API server writes it (undefined or '' for none); `what` names the field in the error. */
  static parse(text: string | undefined, what: string): JobIndexes {
    if (text === undefined || text === '') return JobIndexes.none;
    const ranges: [number, number][] = [];
    for (const part of text.split(',')) {
      const match = /^(\d{1,9})(?:-(\d{1,9}))?$/.exec(part);
      const first = Number(match?.[1]);
      const last = match?.[2] === undefined ? first : Number(match[2]);
      const previous = ranges.at(-1)?.[1] ?? -1;
      if (!match || last < first || first <= previous) {
        throw new FerryError('target', `${what} is ${JSON.stringify(text)}, not increasing completion indexes like "0-2,4"`);
      }
      ranges.push([first, last]);
    }
    return new JobIndexes(ranges);
  }

  has(index: number): boolean {
    return this.ranges.some(([first, last]) => index >= first && index <= last);
  }

  get size(): number {
    return this.ranges.reduce((sum, [first, last]) => sum + last - first + 1, 0);
  }
}
