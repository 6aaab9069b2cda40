// Framing of AIS sentences (IEC 61162-1 / NMEA 0183 `!xxVDM` and `!xxVDO`), with the optional IEC 61162-450
// tag block in front (`\s:station,c:1700000000*hh\`) and the USCG receiver trailer behind the checksum
// (`,s…,d…,T…,r<station>,<unix seconds>`).

export interface AisSentence {
  /** The sentence itself, from `!` to the checksum, without tag block or trailer. */
  text: string;
  talker: string;
  /** true for `VDO` (own ship), false for `VDM`. */
  own: boolean;
  fragmentCount: number;
  fragmentNumber: number;
  /** Sequential message id tying the fragments of one message together; '' when absent. */
  sequenceId: string;
  channel: string;
  payload: string;
  fillBits: number;
  /** Receive time from the tag block `c:` or the USCG trailer, in ms since the epoch. */
  receivedAtMs?: number;
  /** Receiving station from the tag block `s:` or the USCG trailer `r…`. */
  station?: string;
  /** Tag block sentence grouping `g:<number>-<total>-<id>`. */
  groupId?: string;
}

export type SentenceParse =
  | { ok: true; sentence: AisSentence }
  | { ok: false; error: string }
  /** A well-formed NMEA sentence that is not AIS (`$GPRMC`, `$GPVTG`, `$ARVSI`…): skipped, not an error. */
  | { ok: false; skipped: string };

const SENTENCE = /^!([A-Z]{2})(VDM|VDO)$/;
// Six-bit armoring uses ASCII 48-87 and 96-119.
const PAYLOAD = /^[0-9:;<=>?@A-W`a-w]*$/;
const HEX2 = /^[0-9A-Fa-f]{2}$/;
// Any NMEA 0183 sentence: `$` or `!`, a talker and formatter (or a proprietary `P…` address), fields.
const OTHER_SENTENCE = /^([$!])([A-Z][A-Z0-9]{1,9}),[^\r\n]*$/;

/** The NMEA checksum: XOR of every character between the start delimiter and `*`, as two hex digits. */
export function nmeaChecksum(body: string): string {
  let sum = 0;
  for (let i = 0; i < body.length; i++) sum ^= body.charCodeAt(i);
  return sum.toString(16).toUpperCase().padStart(2, '0');
}

export function parseAisSentence(line: string): SentenceParse {
  let rest = line.trim();
  let tags: TagFields = {};
  if (rest.startsWith('\\')) {
    const end = rest.indexOf('\\', 1);
    if (end < 0) return fail('tag block is not closed');
    const parsed = parseTagBlock(rest.slice(1, end));
    if ('error' in parsed) return fail(parsed.error);
    tags = parsed;
    rest = rest.slice(end + 1);
  }
  const other = OTHER_SENTENCE.exec(rest);
  if (other && !SENTENCE.test(`!${other[2]}`)) return { ok: false, skipped: other[2] };
  if (!rest.startsWith('!'))
    return fail('not an NMEA sentence (expected "!xxVDM", "!xxVDO" or another "$…" / "!…" sentence)');
  const star = rest.indexOf('*');
  if (star < 0) return fail('checksum missing');
  const body = rest.slice(1, star);
  const given = rest.slice(star + 1, star + 3);
  if (!HEX2.test(given)) return fail('checksum missing');
  const expected = nmeaChecksum(body);
  if (given.toUpperCase() !== expected)
    return fail(`checksum mismatch: sentence says ${given}, content gives ${expected}`);
  const trailer = parseUscgTrailer(rest.slice(star + 3));

  const fields = body.split(',');
  if (fields.length !== 7) return fail(`expected 7 fields, found ${fields.length}`);
  const [address, count, number, sequenceId, channel, payload, fill] = fields;
  const kind = SENTENCE.exec(`!${address}`);
  if (!kind) return fail(`not an AIS sentence: ${address}`);
  const fragmentCount = Number(count);
  const fragmentNumber = Number(number);
  const fillBits = Number(fill);
  if (!Number.isInteger(fragmentCount) || fragmentCount < 1 || fragmentCount > 9) {
    return fail(`bad fragment count "${count}"`);
  }
  if (!Number.isInteger(fragmentNumber) || fragmentNumber < 1 || fragmentNumber > fragmentCount) {
    return fail(`bad fragment number "${number}" of ${fragmentCount}`);
  }
  if (!/^\d?$/.test(sequenceId)) return fail(`bad sequential message id "${sequenceId}"`);
  if (!Number.isInteger(fillBits) || fill === '' || fillBits < 0 || fillBits > 5) {
    return fail(`bad fill bits "${fill}"`);
  }
  if (payload === '' || !PAYLOAD.test(payload)) return fail('payload is empty or not six-bit armored');

  return {
    ok: true,
    sentence: {
      text: rest.slice(0, star + 3),
      talker: kind[1],
      own: kind[2] === 'VDO',
      fragmentCount,
      fragmentNumber,
      sequenceId,
      channel,
      payload,
      fillBits,
      receivedAtMs: tags.receivedAtMs ?? trailer.receivedAtMs,
      station: tags.station ?? trailer.station,
      groupId: tags.groupId,
    },
  };
}

interface TagFields {
  receivedAtMs?: number;
  station?: string;
  groupId?: string;
}

function parseTagBlock(block: string): TagFields | { error: string } {
  const star = block.lastIndexOf('*');
  if (star < 0 || !HEX2.test(block.slice(star + 1))) return { error: 'tag block checksum missing' };
  const content = block.slice(0, star);
  const expected = nmeaChecksum(content);
  if (block.slice(star + 1).toUpperCase() !== expected) {
    return {
      error: `tag block checksum mismatch: block says ${block.slice(star + 1)}, content gives ${expected}`,
    };
  }
  const out: TagFields = {};
  for (const field of content.split(',')) {
    const colon = field.indexOf(':');
    const key = field.slice(0, colon);
    const value = field.slice(colon + 1);
    if (colon < 1) return { error: `bad tag block field "${field}"` };
    if (key === 'c') {
      const time = unixToMs(value);
      if (time === undefined) return { error: `bad tag block time "c:${value}"` };
      out.receivedAtMs = time;
    } else if (key === 's' && value !== '') {
      out.station = value;
    } else if (key === 'g') {
      out.groupId = value.split('-')[2];
    }
  }
  return out;
}

function parseUscgTrailer(trailer: string): TagFields {
  if (!trailer.startsWith(',')) return {};
  const fields = trailer.slice(1).split(',');
  const out: TagFields = {};
  const station = fields.find((f) => /^r\S+$/.test(f));
  if (station) out.station = station.slice(1);
  const last = fields[fields.length - 1];
  if (/^\d{9,10}$/.test(last)) out.receivedAtMs = Number(last) * 1000;
  return out;
}

// IEC 61162-450 gives Unix seconds (up to 10 digits, optionally with a fraction); some feeds send
// milliseconds (13 digits). Anything else (11 or 12 digits: year 5138 or later) is no time at all;
// whether a time is plausible is the decoder's to judge, against the time of receipt.
function unixToMs(value: string): number | undefined {
  const seconds = /^\d{1,10}(\.\d+)?$/.test(value);
  if (!seconds && !/^\d{13}$/.test(value)) return undefined;
  const n = Number(value);
  return Math.round(seconds ? n * 1000 : n);
}

const fail = (error: string): SentenceParse => ({ ok: false, error });
