/**
 * Logs are read in byte ranges, but clients get text. A range can start or end
 * inside a multi-byte character; these trim it to whole characters so no
 * replacement characters appear, and report how many bytes were kept.
 */

const isContinuation = (byte: number) => (byte & 0b1100_0000) === 0b1000_0000;

/** Bytes to skip at the start so the range begins on a character. */
export function leadingPartialBytes(data: Uint8Array): number {
  let skip = 0;
  while (skip < data.length && skip < 3 && isContinuation(data[skip]!)) skip++;
  return skip;
}

/** Bytes to drop at the end so the range ends on a character. */
export function trailingPartialBytes(data: Uint8Array): number {
  // Walk back over continuation bytes to the lead byte, then see if the
  // sequence it starts is complete.
  for (let back = 1; back <= Math.min(4, data.length); back++) {
    const byte = data[data.length - back]!;
    if (isContinuation(byte)) continue;
    const length = byte < 0x80 ? 1 : byte >= 0xf0 ? 4 : byte >= 0xe0 ? 3 : byte >= 0xc0 ? 2 : 1;
    return length > back ? back : 0;
  }
  return 0;
}
