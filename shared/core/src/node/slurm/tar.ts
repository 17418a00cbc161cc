/**
 * A minimal ustar (POSIX.1-1988) archive writer: enough to send a run
 * directory to a cluster in one transfer (`tar -xf -` on the other side),
 * without an npm dependency. Regular files, directories and relative symbolic
 * links; names up to 255 bytes (split into ustar's prefix and name fields),
 * link targets up to 100.
 */

export interface TarEntry {
  /** Relative path with `/` separators; directories without a trailing slash. */
  path: string;
  /** Permission bits, e.g. 0o600. */
  mode: number;
  /** File contents; absent for a directory or a link. */
  data?: Buffer | string;
  /** A symbolic link to this relative path (mode is then ignored). */
  link?: string;
}

const BLOCK = 512;

/** The archive: one header (+ data padded to 512 bytes) per entry, then two zero blocks. */
export function tarArchive(entries: readonly TarEntry[], mtime: Date = new Date()): Buffer {
  const parts: Buffer[] = [];
  const seconds = Math.floor(mtime.getTime() / 1000);
  for (const entry of entries) {
    const data = entry.data === undefined ? undefined : Buffer.from(entry.data);
    parts.push(header(entry, data?.length ?? 0, seconds));
    if (data && data.length > 0) {
      parts.push(data, Buffer.alloc((BLOCK - (data.length % BLOCK)) % BLOCK));
    }
  }
  parts.push(Buffer.alloc(2 * BLOCK));
  return Buffer.concat(parts);
}

function header(entry: TarEntry, size: number, mtime: number): Buffer {
  const link = entry.link;
  const directory = entry.data === undefined && link === undefined;
  const [prefix, name] = splitPath(directory ? `${entry.path}/` : entry.path);
  const block = Buffer.alloc(BLOCK);
  block.write(name, 0, 100, 'utf8');
  writeOctal(block, 100, 8, link === undefined ? entry.mode & 0o7777 : 0o777);
  writeOctal(block, 108, 8, 0); // uid, gid: the extracting user owns the files
  writeOctal(block, 116, 8, 0);
  writeOctal(block, 124, 12, size);
  writeOctal(block, 136, 12, mtime);
  block.write(link !== undefined ? '2' : directory ? '5' : '0', 156, 1, 'ascii');
  if (link !== undefined) {
    if (link.includes('\0') || link.startsWith('/') || Buffer.byteLength(link) > 100) {
      throw new Error(`tar: refusing the link target ${JSON.stringify(link)} (relative, at most 100 bytes)`);
    }
    block.write(link, 157, 100, 'utf8');
  }
  block.write('ustar\0', 257, 6, 'ascii');
  block.write('00', 263, 2, 'ascii');
  block.write(prefix, 345, 155, 'utf8');
  // The checksum is computed with its own field read as eight spaces.
  block.fill(' ', 148, 156);
  let sum = 0;
  for (const byte of block) sum += byte;
  block.write(`${sum.toString(8).padStart(6, '0')}\0 `, 148, 8, 'ascii');
  return block;
}

/** ustar keeps long names as prefix (≤155 bytes) + "/" + name (≤100 bytes), split at a slash. */
function splitPath(path: string): [prefix: string, name: string] {
  if (path.includes('\0') || path.startsWith('/') || path.split('/').includes('..')) {
    throw new Error(`tar: refusing the path ${JSON.stringify(path)}`);
  }
  if (Buffer.byteLength(path) <= 100) return ['', path];
  // A directory's trailing slash stays with the name.
  for (let cut = path.lastIndexOf('/', path.length - 2); cut > 0; cut = path.lastIndexOf('/', cut - 1)) {
    const prefix = path.slice(0, cut);
    const name = path.slice(cut + 1);
    if (Buffer.byteLength(prefix) <= 155 && Buffer.byteLength(name) <= 100) return [prefix, name];
  }
  throw new Error(`tar: the path is too long for a ustar archive: ${path}`);
}

function writeOctal(block: Buffer, offset: number, width: number, value: number): void {
  const digits = value.toString(8);
  if (digits.length > width - 1) throw new Error(`tar: ${value} does not fit in a ${width}-byte header field`);
  block.write(`${digits.padStart(width - 1, '0')}\0`, offset, width, 'ascii');
}
