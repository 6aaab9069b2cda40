import * as fs from 'node:fs';
import { StringDecoder } from 'node:string_decoder';
import { createGunzip } from 'node:zlib';
import type { VerificationReport } from './chain-verifier';
import { verifyExport } from './export-verification';
import { CSV_COLUMNS } from './export-format';

/** The two bytes every gzip member starts with (RFC 1952, ID1 ID2). */
const GZIP_MAGIC = [0x1f, 0x8b];

/** Whether a file is gzip-compressed, by its first two bytes (not its name). */
export async function isGzipFile(file: string): Promise<boolean> {
  const handle = await fs.promises.open(file, 'r');
  try {
    const head = Buffer.alloc(2);
    const { bytesRead } = await handle.read(head, 0, 2, 0);
    return bytesRead === 2 && head[0] === GZIP_MAGIC[0] && head[1] === GZIP_MAGIC[1];
  } finally {
    await handle.close();
  }
}

/**
 * The lines of an NDJSON export or archive file, decompressed when the file is gzip (by its magic bytes),
 * read as a stream: memory stays at one line. Throws when the file cannot be read or decompressed (a
 * corrupt gzip member fails its CRC or its deflate data).
 */
export async function* exportFileLines(file: string): AsyncGenerator<string> {
  const gzip = await isGzipFile(file);
  const input = fs.createReadStream(file);
  const source = gzip ? input.pipe(createGunzip()) : input;
  let failure: unknown;
  const fail = (error: unknown) => {
    failure ??= error;
    source.destroy();
  };
  input.on('error', fail);
  source.on('error', fail);
  // Lines end at "\n" only (NDJSON): readline would also end one at "\r", so a "\n" turned into "\r" would
  // read the same and pass, though the digest covers every byte.
  const decoder = new StringDecoder('utf8');
  let pending = '';
  try {
    for await (const chunk of source as AsyncIterable<Buffer>) {
      if (failure) break;
      pending += decoder.write(chunk);
      let start = 0;
      for (let end = pending.indexOf('\n'); end >= 0; end = pending.indexOf('\n', start)) {
        yield pending.slice(start, end);
        start = end + 1;
      }
      pending = pending.slice(start);
    }
    if (failure) throw failure;
    pending += decoder.end();
    if (pending !== '') yield pending;
  } finally {
    input.destroy();
  }
}

/**
 * Verifies an export or archive file offline (`aidwatch verify --file`), gzip or not. A file that cannot be
 * read or decompressed is reported as broken where reading stopped, never thrown.
 */
export function verifyExportFile(
  file: string,
): Promise<VerificationReport & { checkpointRoot: string | null }> {
  return verifyExport(exportFileLines(file));
}

/**
 * Whether a file (gzip or not) is a CSV export: its first line is the CSV header (`position,stream,…`). A CSV
 * export has no start and completion lines, so it cannot be verified offline; `aidwatch verify` refuses it.
 */
export async function isCsvExportFile(file: string): Promise<boolean> {
  const lines = exportFileLines(file);
  try {
    const first = await lines.next();
    return !first.done && first.value.replace(/\r$/, '') === CSV_COLUMNS.join(',');
  } finally {
    await lines.return(undefined);
  }
}
