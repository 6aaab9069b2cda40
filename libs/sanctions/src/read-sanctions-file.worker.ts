// The body of `readSanctionsFileOffThread`'s worker: parses one list file and posts the result (or the
// format error's message) back.
import { parentPort, workerData } from 'node:worker_threads';
import { readSanctionsFile } from './read-sanctions-file';
import { SanctionsFormatError } from './sanctions-list';

const { content, format, ofacAliases } = workerData as {
  content: Uint8Array;
  format?: string;
  ofacAliases?: Uint8Array;
};
try {
  const file = readSanctionsFile(
    Buffer.from(content.buffer, content.byteOffset, content.byteLength),
    format,
    ofacAliases && Buffer.from(ofacAliases.buffer, ofacAliases.byteOffset, ofacAliases.byteLength),
  );
  parentPort!.postMessage({ ok: true, file });
} catch (error) {
  parentPort!.postMessage({
    ok: false,
    formatError: error instanceof SanctionsFormatError,
    message: (error as Error).message,
  });
}
