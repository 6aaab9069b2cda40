import * as path from 'node:path';
import { Worker } from 'node:worker_threads';
import { readSanctionsFile } from './read-sanctions-file';
import { SanctionsFormatError, type SanctionsListFile } from './sanctions-list';

/** Files up to this size (bytes) are parsed on the calling thread: a few milliseconds, no thread started. */
export const SANCTIONS_INLINE_PARSE_BYTES = 1024 * 1024;

/**
 * `readSanctionsFile` on a worker thread for files larger than `SANCTIONS_INLINE_PARSE_BYTES` (OFAC's full
 * SDN.XML is about 30 MB: seconds of parsing that would otherwise block the event loop of the API that
 * received it). Same result and the same `SanctionsFormatError`s; smaller files are parsed inline.
 * A `Buffer` content that owns its memory (a file read, an HTTP body) is moved to the worker, not copied:
 * it is empty afterwards. A string is encoded first (a copy on this thread: pass bytes where you have them).
 */
export async function readSanctionsFileOffThread(
  content: Buffer | string,
  format?: string,
  ofacAliases?: Buffer | string,
): Promise<SanctionsListFile> {
  const size = typeof content === 'string' ? Buffer.byteLength(content) : content.length;
  if (size <= SANCTIONS_INLINE_PARSE_BYTES) return readSanctionsFile(content, format, ofacAliases);
  const fromSource = __filename.endsWith('.ts');
  const bytes = typeof content === 'string' ? Buffer.from(content) : content;
  // Tens of megabytes cloned into the worker would block this loop for as long as the copy takes.
  const movable = bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength;
  const worker = new Worker(path.join(__dirname, `read-sanctions-file.worker.${fromSource ? 'ts' : 'js'}`), {
    workerData: {
      content: bytes,
      format,
      ofacAliases: typeof ofacAliases === 'string' ? Buffer.from(ofacAliases) : ofacAliases,
    },
    transferList: movable ? [bytes.buffer as ArrayBuffer] : [],
    // From the TypeScript sources (tests, `AIDWATCH_CLI_FROM_SOURCE`) the worker compiles its module too.
    // Resolved here: the process may run from another directory (a CLI run from the sources).
    execArgv: fromSource ? ['--require', require.resolve('@swc-node/register')] : [],
    env: fromSource
      ? {
          ...process.env,
          SWC_NODE_PROJECT: process.env.SWC_NODE_PROJECT ?? path.join(__dirname, '../../../tsconfig.json'),
        }
      : process.env,
  });
  try {
    const reply = await new Promise<
      { ok: true; file: SanctionsListFile } | { ok: false; formatError: boolean; message: string }
    >((resolve, reject) => {
      worker.once('message', resolve);
      worker.once('error', reject);
      worker.once('exit', (code) => reject(new Error(`the list parser stopped (exit ${code})`)));
    });
    if (reply.ok) return reply.file;
    throw reply.formatError ? new SanctionsFormatError(reply.message) : new Error(reply.message);
  } finally {
    await worker.terminate();
  }
}
