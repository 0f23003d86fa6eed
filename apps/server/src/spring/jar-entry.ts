import { open } from 'node:fs/promises';
import { inflateRawSync } from 'node:zlib';

/**
 * Reads one entry of a jar (a zip) without unpacking it: the end-of-central-directory record, the
 * central directory, then the entry's local header and data (stored or deflated). Enough for the
 * few kilobytes of a Spring Boot metadata file; Zip64 archives (over 4 GiB) are not read.
 */

const EOCD = 0x06054b50;
const CENTRAL = 0x02014b50;
const LOCAL = 0x04034b50;

export async function readJarEntry(path: string, names: readonly string[]): Promise<Buffer | undefined> {
  const file = await open(path, 'r');
  try {
    const { size } = await file.stat();
    const tailLength = Math.min(size, 22 + 65_535);
    const tail = Buffer.alloc(tailLength);
    await file.read(tail, 0, tailLength, size - tailLength);
    let eocd = -1;
    for (let i = tailLength - 22; i >= 0; i--) {
      if (tail.readUInt32LE(i) === EOCD) {
        eocd = i;
        break;
      }
    }
    if (eocd < 0) throw new Error(`${path} is not a zip archive`);
    const count = tail.readUInt16LE(eocd + 10);
    const dirSize = tail.readUInt32LE(eocd + 12);
    const dirOffset = tail.readUInt32LE(eocd + 16);
    const dir = Buffer.alloc(dirSize);
    await file.read(dir, 0, dirSize, dirOffset);
    let p = 0;
    for (let n = 0; n < count && p + 46 <= dir.length; n++) {
      if (dir.readUInt32LE(p) !== CENTRAL) break;
      const method = dir.readUInt16LE(p + 10);
      const compressed = dir.readUInt32LE(p + 20);
      const nameLength = dir.readUInt16LE(p + 28);
      const extraLength = dir.readUInt16LE(p + 30);
      const commentLength = dir.readUInt16LE(p + 32);
      const localOffset = dir.readUInt32LE(p + 42);
      const name = dir.toString('utf8', p + 46, p + 46 + nameLength);
      p += 46 + nameLength + extraLength + commentLength;
      if (!names.includes(name)) continue;
      const header = Buffer.alloc(30);
      await file.read(header, 0, 30, localOffset);
      if (header.readUInt32LE(0) !== LOCAL) throw new Error(`${path}: bad local header for ${name}`);
      const start = localOffset + 30 + header.readUInt16LE(26) + header.readUInt16LE(28);
      const data = Buffer.alloc(compressed);
      await file.read(data, 0, compressed, start);
      if (method === 0) return data;
      if (method === 8) return inflateRawSync(data);
      throw new Error(`${path}: ${name} uses compression method ${method}`);
    }
    return undefined;
  } finally {
    await file.close();
  }
}
