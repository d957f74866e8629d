import { gunzipSync } from 'node:zlib';

/**
 * Extracts one file from a gzipped tar archive in memory (Caddy and Node ship their Linux
 * releases as .tar.gz). Understands ustar prefixes and GNU long names.
 */
export function untarEntry(tgz: Buffer, name: string): Buffer {
  const tar = gunzipSync(tgz);
  let longName: string | undefined;
  for (let at = 0; at + 512 <= tar.length; ) {
    const header = tar.subarray(at, at + 512);
    if (header.every((b) => b === 0)) break;
    const field = (from: number, length: number) => header.toString('utf8', from, from + length).replace(/\0.*$/s, '');
    const size = parseInt(field(124, 12).trim() || '0', 8);
    const type = String.fromCharCode(header[156]!);
    const data = tar.subarray(at + 512, at + 512 + size);
    const prefix = field(345, 155);
    const entry = longName ?? (prefix ? `${prefix}/${field(0, 100)}` : field(0, 100));
    longName = undefined;
    if (type === 'L') longName = data.toString('utf8').replace(/\0.*$/s, '');
    else if ((type === '0' || type === '\0') && entry.replace(/^\.\//, '') === name) return Buffer.from(data);
    at += 512 + Math.ceil(size / 512) * 512;
  }
  throw new Error(`tar archive has no file ${name}`);
}
