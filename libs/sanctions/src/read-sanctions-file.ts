import { isUtf8 } from 'node:buffer';
import { parseOfacAltCsv, parseOfacSdnCsv } from './ofac-sdn-csv';
import { parseOfacSdnXml } from './ofac-sdn-xml';
import {
  SanctionsFormatError,
  SanctionsFormats,
  type SanctionsFormat,
  type SanctionsListFile,
} from './sanctions-list';
import { parseUnConsolidatedXml } from './un-consolidated-xml';

/** Largest list file read (bytes): OFAC's full SDN.XML is about 30 MB, the UN list about 2 MB. */
export const MAX_SANCTIONS_FILE_BYTES = 64 * 1024 * 1024;

/**
 * The format of a list file by its content: XML whose root is `sdnList` (OFAC) or `CONSOLIDATED_LIST`
 * (UN), else OFAC's SDN CSV. Throws `SanctionsFormatError` for an empty file, JSON, and XML with another
 * root (a web page named as such).
 */
export function detectSanctionsFormat(text: string): SanctionsFormat {
  const head = text.replace(/^\uFEFF/, '').trimStart();
  if (head === '') throw new SanctionsFormatError('the file is empty');
  if (head.startsWith('{') || head.startsWith('['))
    throw new SanctionsFormatError(
      'unknown list: JSON (expected OFAC SDN.CSV or SDN.XML, or the UN Consolidated List XML)',
    );
  if (!head.startsWith('<')) return 'ofac-sdn-csv';
  const root = /<(?!\?|!)(?:[A-Za-z_][\w.-]*:)?([A-Za-z_][\w.-]*)/.exec(head)?.[1];
  if (root === 'sdnList') return 'ofac-sdn-xml';
  if (root === 'CONSOLIDATED_LIST') return 'un-consolidated-xml';
  throw new SanctionsFormatError(
    `unknown list: XML with root element ${root ?? '?'} (expected sdnList or CONSOLIDATED_LIST)` +
      (root?.toLowerCase() === 'html' ? ': a web page, not the list (an error page, or a login?)' : ''),
  );
}

/**
 * Whether `content` is OFAC's `ALT.CSV` (the aliases of SDN.CSV's entries: five columns, entry and alias
 * numbers first) rather than a list: a scheduled source may name it beside `SDN.CSV`. Judged on the file's
 * first 64 KiB (whole records), so a list of tens of megabytes is not read whole on the caller's thread; the
 * whole file is checked when its aliases are read.
 */
export function isOfacAltCsv(content: Buffer | string): boolean {
  const head = (
    typeof content === 'string' ? content.slice(0, 65_536) : content.subarray(0, 65_536).toString('utf8')
  ).replace(/^\uFEFF/, '');
  if (head.trimStart().startsWith('<')) return false;
  const whole = head.length < 65_536 ? head : head.slice(0, head.lastIndexOf('\n') + 1);
  try {
    return parseOfacAltCsv(whole).size > 0;
  } catch {
    return false;
  }
}

/**
 * The bytes as UTF-8 text. Refused (`SanctionsFormatError`): UTF-16 or UTF-32 (told by its byte-order mark,
 * or by the NULs of ASCII text in it), and bytes that are not UTF-8 at all — a Latin-1 `Ö` would otherwise
 * become U+FFFD in a vessel's name and count as a changed listing.
 */
export function utf8Text(bytes: Buffer): string {
  const head = bytes.subarray(0, 4);
  const utf16 =
    (head[0] === 0xff && head[1] === 0xfe) ||
    (head[0] === 0xfe && head[1] === 0xff) ||
    (head.length >= 2 && (head[0] === 0 || head[1] === 0));
  if (utf16)
    throw new SanctionsFormatError(
      'the file is UTF-16 or UTF-32 text; convert it to UTF-8 and send it again',
    );
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    let at = 0;
    // Where: the first byte from which the valid prefix ends (found by halving; the file is already in memory).
    let lo = 0;
    let hi = bytes.length;
    while (hi - lo > 64) {
      const mid = (lo + hi) >>> 1;
      if (isUtf8(bytes.subarray(0, mid))) lo = mid;
      else hi = mid;
    }
    at = lo;
    throw new SanctionsFormatError(
      `the file is not UTF-8 text (an invalid byte near byte ${at}: Latin-1 or Windows-1252?); convert it to UTF-8 and send it again`,
    );
  }
}

/**
 * Reads a list file (UTF-8) in `format`, or in the format its content shows; `ofacAliases` is OFAC's
 * `ALT.CSV`, whose aliases are given to the vessels of an `SDN.CSV` (refused with another format). Throws
 * `SanctionsFormatError` for an unknown format, a file too large, or content that is not the format.
 */
export function readSanctionsFile(
  content: Buffer | string,
  format?: string,
  ofacAliases?: Buffer | string,
): SanctionsListFile {
  const size = typeof content === 'string' ? Buffer.byteLength(content) : content.length;
  if (size > MAX_SANCTIONS_FILE_BYTES)
    throw new SanctionsFormatError(`list file of ${size} bytes is larger than ${MAX_SANCTIONS_FILE_BYTES}`);
  if (format !== undefined && !(SanctionsFormats as readonly string[]).includes(format))
    throw new SanctionsFormatError(`unknown format ${format} (one of ${SanctionsFormats.join(', ')})`);
  const text = typeof content === 'string' ? content : utf8Text(content);
  const detected = (format as SanctionsFormat | undefined) ?? detectSanctionsFormat(text);
  if (ofacAliases !== undefined && detected !== 'ofac-sdn-csv')
    throw new SanctionsFormatError(`an ALT.CSV goes with OFAC's SDN.CSV, not with ${detected}`);
  switch (detected) {
    case 'ofac-sdn-csv':
      return parseOfacSdnCsv(
        text,
        ofacAliases === undefined
          ? undefined
          : parseOfacAltCsv(typeof ofacAliases === 'string' ? ofacAliases : utf8Text(ofacAliases)),
      );
    case 'ofac-sdn-xml':
      return parseOfacSdnXml(text);
    case 'un-consolidated-xml':
      return parseUnConsolidatedXml(text);
  }
}
