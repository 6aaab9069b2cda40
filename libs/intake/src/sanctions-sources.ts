import * as fs from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { MAX_SANCTIONS_FILE_BYTES } from '@aidwatch/sanctions';

/** A configured list location (`SANCTIONS_SOURCES`): `file://` or `https://` only. */
export function sanctionsSourceProblem(url: string): string | undefined {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return `"${url}" is not a URL`;
  }
  if (parsed.protocol !== 'file:' && parsed.protocol !== 'https:')
    return `"${url}" is neither file:// nor https://`;
  return undefined;
}

/**
 * The bytes of a list at `url`: a `file://` path read from disk, or an `https://` download (redirects
 * followed, `timeoutMs` for the whole transfer, at most `maxBytes`). Throws with a sentence naming the
 * URL on any failure (not found, HTTP status other than 200, too large, timeout).
 */
/**
 * A file's bytes, at most `maxBytes` (else an error naming `label`): read in 1 MiB pieces, so a device or a
 * pipe (`/dev/zero`, whose reported size is 0) is refused once the limit is passed instead of filling memory.
 */
export async function readFileAtMost(path: string, maxBytes: number, label = path): Promise<Buffer> {
  const handle = await fs.open(path, 'r');
  try {
    const chunks: Buffer[] = [];
    let size = 0;
    for (;;) {
      const piece = Buffer.allocUnsafe(1024 * 1024);
      const { bytesRead } = await handle.read(piece, 0, piece.length, null);
      if (bytesRead === 0) break;
      size += bytesRead;
      if (size > maxBytes) throw new Error(`${label}: more than ${maxBytes} bytes`);
      chunks.push(piece.subarray(0, bytesRead));
    }
    return chunks.length === 1 ? chunks[0] : Buffer.concat(chunks, size);
  } finally {
    await handle.close();
  }
}

export async function readSanctionsSource(
  url: string,
  {
    timeoutMs = 120_000,
    maxBytes = MAX_SANCTIONS_FILE_BYTES,
  }: { timeoutMs?: number; maxBytes?: number } = {},
): Promise<Buffer> {
  const problem = sanctionsSourceProblem(url);
  if (problem) throw new Error(problem);
  if (url.startsWith('file:')) return readFileAtMost(fileURLToPath(url), maxBytes, url);
  const response = await fetch(url, { signal: AbortSignal.timeout(timeoutMs), redirect: 'follow' });
  if (response.status !== 200) throw new Error(`${url}: HTTP ${response.status}`);
  const declared = Number(response.headers.get('content-length') ?? 0);
  if (declared > maxBytes) throw new Error(`${url}: ${declared} bytes, more than ${maxBytes}`);
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of response.body as unknown as AsyncIterable<Uint8Array>) {
    size += chunk.length;
    if (size > maxBytes) throw new Error(`${url}: more than ${maxBytes} bytes`);
    chunks.push(Buffer.from(chunk));
  }
  return Buffer.concat(chunks);
}
