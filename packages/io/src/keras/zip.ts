import { inflateSync, zipSync } from 'fflate';
import { FormatError } from '../errors';

/** One member of a ZIP archive, as read from its central directory. */
export interface ZipEntry {
  name: string;
  /** 0 = STORED, 8 = DEFLATE (the only two methods read). */
  method: number;
  compressedSize: number;
  /** Size the archive declares for the uncompressed member. */
  size: number;
  crc32: number;
  /** Offset of the member's local header. */
  offset: number;
}

const GIB4 = 4 * 1024 ** 3;
/** Keras' `_reject_zip_bomb`: a member is refused when it declares > 4 GiB AND > 100x its stored size. */
const MAX_RATIO = 100;

const EOCD_SIG = 0x06054b50;
const ZIP64_LOCATOR_SIG = 0x07064b50;
const ZIP64_EOCD_SIG = 0x06064b50;
const CENTRAL_SIG = 0x02014b50;
const LOCAL_SIG = 0x04034b50;

const utf8 = new TextDecoder('utf-8');
const latin1 = new TextDecoder('latin1');

function u64(view: DataView, at: number): number {
  return view.getUint32(at, true) + view.getUint32(at + 4, true) * 2 ** 32;
}

/**
 * Refuses a member name that would land outside the archive root when extracted (`../x`,
 * `/etc/x`, `C:\x`), as every safe unzipper does; Keras reads members by name but we never
 * want such an archive to look valid.
 */
function checkName(name: string, file: string): void {
  const norm = name.replace(/\\/g, '/');
  if (norm.startsWith('/') || /^[A-Za-z]:/.test(norm) || norm.split('/').includes('..')) {
    throw new FormatError(file, `zip member "${name}" points outside the archive root; refusing to read it.`);
  }
}

/** Keras' zip-bomb guard: declared size > 4 GiB and > 100x the stored size. */
export function checkZipBomb(entry: Pick<ZipEntry, 'name' | 'size' | 'compressedSize'>, file: string): void {
  if (entry.size > GIB4 && entry.size > MAX_RATIO * entry.compressedSize) {
    throw new FormatError(
      file,
      `zip member "${entry.name}" declares ${entry.size} bytes uncompressed from ${entry.compressedSize} stored bytes (more than 4 GiB and more than ${MAX_RATIO}x); refusing a possible zip bomb.`,
    );
  }
}

/** Lists the members of a ZIP archive (central directory, Zip64 aware); names are checked. */
export function listZip(bytes: Uint8Array, file: string): ZipEntry[] {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  // The end-of-central-directory record sits in the last 22 + 65535 (comment) bytes.
  let eocd = -1;
  for (let i = bytes.length - 22; i >= Math.max(0, bytes.length - 22 - 0xffff); i--) {
    if (view.getUint32(i, true) === EOCD_SIG) {
      eocd = i;
      break;
    }
  }
  if (eocd < 0) throw new FormatError(file, 'not a ZIP archive (no end-of-central-directory record; truncated or not a .keras file).');
  let count = view.getUint16(eocd + 10, true);
  let cdSize = view.getUint32(eocd + 12, true);
  let cdOffset = view.getUint32(eocd + 16, true);
  if ((count === 0xffff || cdOffset === 0xffffffff || cdSize === 0xffffffff) && eocd >= 20 && view.getUint32(eocd - 20, true) === ZIP64_LOCATOR_SIG) {
    const z64 = u64(view, eocd - 20 + 8);
    if (z64 + 56 > bytes.length || view.getUint32(z64, true) !== ZIP64_EOCD_SIG) {
      throw new FormatError(file, 'corrupt ZIP archive: the Zip64 end-of-central-directory record is missing.');
    }
    count = u64(view, z64 + 32);
    cdSize = u64(view, z64 + 40);
    cdOffset = u64(view, z64 + 48);
  }
  if (cdOffset + cdSize > bytes.length) throw new FormatError(file, 'corrupt ZIP archive: the central directory lies past the end of the file (truncated?).');
  const entries: ZipEntry[] = [];
  let p = cdOffset;
  for (let n = 0; n < count; n++) {
    if (p + 46 > bytes.length || view.getUint32(p, true) !== CENTRAL_SIG) {
      throw new FormatError(file, `corrupt ZIP archive: central directory entry ${n} is damaged.`);
    }
    const flags = view.getUint16(p + 8, true);
    const method = view.getUint16(p + 10, true);
    const crc32 = view.getUint32(p + 16, true);
    let compressedSize = view.getUint32(p + 20, true);
    let size = view.getUint32(p + 24, true);
    const nameLen = view.getUint16(p + 28, true);
    const extraLen = view.getUint16(p + 30, true);
    const commentLen = view.getUint16(p + 32, true);
    let offset = view.getUint32(p + 42, true);
    if (p + 46 + nameLen + extraLen + commentLen > bytes.length) throw new FormatError(file, `corrupt ZIP archive: central directory entry ${n} is truncated.`);
    const rawName = bytes.subarray(p + 46, p + 46 + nameLen);
    // Bit 11: the name is UTF-8; otherwise CP437, which we read as latin1 (ASCII names are equal).
    const name = (flags & 0x800 ? utf8 : latin1).decode(rawName);
    // Zip64 extended information: the 0xffffffff fields follow in order size, compressed, offset.
    let q = p + 46 + nameLen;
    const extraEnd = q + extraLen;
    while (q + 4 <= extraEnd) {
      const id = view.getUint16(q, true);
      const len = view.getUint16(q + 2, true);
      if (id === 0x0001) {
        let r = q + 4;
        if (size === 0xffffffff && r + 8 <= q + 4 + len) { size = u64(view, r); r += 8; }
        if (compressedSize === 0xffffffff && r + 8 <= q + 4 + len) { compressedSize = u64(view, r); r += 8; }
        if (offset === 0xffffffff && r + 8 <= q + 4 + len) { offset = u64(view, r); r += 8; }
      }
      q += 4 + len;
    }
    checkName(name, file);
    const entry = { name, method, compressedSize, size, crc32, offset };
    checkZipBomb(entry, file);
    entries.push(entry);
    p += 46 + nameLen + extraLen + commentLen;
  }
  return entries;
}

/** The uncompressed bytes of one member (STORED or DEFLATE), checked against its declared size. */
export function readZipEntry(bytes: Uint8Array, entry: ZipEntry, file: string): Uint8Array {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const at = entry.offset;
  if (at + 30 > bytes.length || view.getUint32(at, true) !== LOCAL_SIG) {
    throw new FormatError(file, `corrupt ZIP archive: the local header of "${entry.name}" is missing.`);
  }
  const start = at + 30 + view.getUint16(at + 26, true) + view.getUint16(at + 28, true);
  const end = start + entry.compressedSize;
  if (end > bytes.length) throw new FormatError(file, `zip member "${entry.name}" is truncated (${entry.compressedSize} bytes declared, ${Math.max(0, bytes.length - start)} present).`);
  const raw = bytes.subarray(start, end);
  let data: Uint8Array;
  if (entry.method === 0) data = raw;
  else if (entry.method === 8) {
    try {
      data = inflateSync(raw, { out: new Uint8Array(entry.size) });
    } catch (e) {
      throw new FormatError(file, `zip member "${entry.name}": corrupt DEFLATE data (${(e as Error).message}).`, { cause: e });
    }
  } else {
    throw new FormatError(file, `zip member "${entry.name}" uses compression method ${entry.method}; only STORED (0) and DEFLATE (8) are supported.`);
  }
  if (data.length !== entry.size) {
    throw new FormatError(file, `zip member "${entry.name}" has ${data.length} bytes, but the archive declares ${entry.size}.`);
  }
  if (crc32(data) !== entry.crc32) throw new FormatError(file, `zip member "${entry.name}" fails its CRC-32 check (corrupt archive).`);
  return data;
}

/** Reads every member into a name -> bytes map (insertion order = archive order). */
export function readZip(bytes: Uint8Array, file: string): Map<string, Uint8Array> {
  const out = new Map<string, Uint8Array>();
  for (const entry of listZip(bytes, file)) {
    if (entry.name.endsWith('/')) continue; // directory entries
    out.set(entry.name, readZipEntry(bytes, entry, file));
  }
  return out;
}

/**
 * Writes members STORED, in the given order, with Python zipfile's Unix attributes (0o600).
 * `mtimes` maps a member to its timestamp; others get 1980-01-01 00:00 as `ZipFile.writestr` does.
 */
export function writeZip(members: [string, Uint8Array][], mtimes: Record<string, Date> = {}): Uint8Array {
  const files: Record<string, [Uint8Array, { level: 0; mtime: Date; os: number; attrs: number }]> = {};
  for (const [name, data] of members) {
    files[name] = [data, { level: 0, mtime: mtimes[name] ?? new Date(1980, 0, 1, 0, 0, 0), os: 3, attrs: 0o600 << 16 }];
  }
  return zipSync(files);
}

let crcTable: Int32Array | null = null;

/** CRC-32 (IEEE, as ZIP uses). */
export function crc32(data: Uint8Array): number {
  if (crcTable == null) {
    crcTable = new Int32Array(256);
    for (let n = 0; n < 256; n++) {
      let c = n;
      for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
      crcTable[n] = c;
    }
  }
  let c = -1;
  for (let i = 0; i < data.length; i++) c = crcTable[(c ^ data[i]!) & 0xff]! ^ (c >>> 8);
  return (c ^ -1) >>> 0;
}
