import { createReadStream } from 'node:fs';
import iconv from 'iconv-lite';

/** Encodings an import file can be read in. */
export type FileEncoding = 'utf-8' | 'gb18030' | 'utf-16le';
export type RequestedEncoding = FileEncoding | 'auto';

/**
 * The encoding to read an uploaded CSV in. A named encoding is taken as given. `auto`: a UTF-8
 * or UTF-16LE byte-order mark says so; otherwise the whole file is checked for valid UTF-8
 * (Excel on Chinese Windows saves "CSV" in GBK, which is almost never valid UTF-8, while a
 * UTF-8 file is always valid), and anything that is not is read as GB18030 — the national
 * standard that contains GBK, so both decode. The whole file, not a prefix: a GBK file whose
 * first megabyte is ASCII codes would otherwise be read as UTF-8 and its names turn to mojibake.
 */
export async function detectFileEncoding(path: string, requested: RequestedEncoding): Promise<FileEncoding> {
  if (requested !== 'auto') return requested;
  const decoder = new TextDecoder('utf-8', { fatal: true });
  let first = true;
  try {
    for await (const chunk of createReadStream(path, { highWaterMark: 1 << 20 }) as AsyncIterable<Buffer>) {
      if (first) {
        first = false;
        if (chunk[0] === 0xff && chunk[1] === 0xfe) return 'utf-16le';
      }
      decoder.decode(chunk, { stream: true });
    }
    decoder.decode();
    return 'utf-8';
  } catch {
    return 'gb18030';
  }
}

/** The text of `bytes` in `encoding` (a UTF-8 BOM is dropped by the CSV parser, a UTF-16 one here). */
export function decodeBytes(bytes: Buffer, encoding: FileEncoding): string {
  return encoding === 'utf-8' ? bytes.toString('utf8') : iconv.decode(bytes, encoding);
}

/**
 * The file stream as text in `encoding`: UTF-8 is handed on as bytes (csv-parse decodes and
 * strips the BOM itself, fastest for the million-row path); others go through iconv-lite.
 */
export function decodedStream(stream: NodeJS.ReadableStream, encoding: FileEncoding): NodeJS.ReadableStream {
  return encoding === 'utf-8' ? stream : stream.pipe(iconv.decodeStream(encoding, { stripBOM: true }));
}
