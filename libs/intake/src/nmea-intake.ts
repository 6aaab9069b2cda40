import { validateInboundEvent, type AidEvent } from '@aidwatch/domain';
import { isNmeaDecoded, isNmeaError, NmeaDecoder, nmeaToCloudEvent } from '@aidwatch/maritime';

/** A Kafka value or HTTP body that holds raw NMEA sentences (optionally with tag blocks) rather than JSON. */
export function looksLikeNmea(text: string): boolean {
  const start = text.trimStart();
  return start.startsWith('!') || start.startsWith('$') || start.startsWith('\\');
}

/** One line of the input: its number (from 1), why it gave no event, and the line itself. */
export interface NmeaLineReport {
  line: number;
  reason: string;
  sentence: string;
}

/**
 * What became of each line of a receiver log: the events of the decodable reports; the lines refused
 * (bad checksum, implausible time, invalid values…); the lines skipped (NMEA other than AIS, AIS types
 * AidWatch does not use, a message already heard by another station); the fragments still waiting for the
 * rest of their message. One bad line never costs the others.
 */
export interface NmeaLinesResult {
  events: AidEvent[];
  rejected: NmeaLineReport[];
  skipped: NmeaLineReport[];
  pending: NmeaLineReport[];
}

/**
 * Decodes the lines of one message or request. Multipart messages are assembled across calls by the
 * decoder the caller shares (per process: fragments are told apart by station). Sentences without a
 * tag-block time take `receivedAtMs`; `station` names the receiver when the lines do not.
 * With `stationFixed` (UDP/TCP listeners, whose station is configured per sender or connection) a tag
 * block naming another station (`s:`) is refused with a reason: the sender cannot claim another station.
 */
export function decodeNmeaLines(
  decoder: NmeaDecoder,
  text: string,
  receivedAtMs: number,
  station?: string,
  options: { stationFixed?: boolean } = {},
): NmeaLinesResult {
  const out: NmeaLinesResult = { events: [], rejected: [], skipped: [], pending: [] };
  text.split(/\r?\n/).forEach((raw, index) => {
    const sentence = raw.trim();
    if (sentence === '') return;
    const line = index + 1;
    for (const result of decoder.decode(sentence, receivedAtMs, station)) {
      if (isNmeaError(result)) out.rejected.push({ line, reason: result.error, sentence });
      else if (!isNmeaDecoded(result)) {
        (result.note === 'pending' ? out.pending : out.skipped).push({
          line,
          reason: result.detail,
          sentence,
        });
      } else if (
        options.stationFixed &&
        result.meta.station !== undefined &&
        result.meta.station !== station
      ) {
        out.rejected.push({
          line,
          reason: `tag block names station ${JSON.stringify(result.meta.station)}; this listener's station is ${JSON.stringify(station)}`,
          sentence,
        });
      } else {
        const checked = validateInboundEvent(nmeaToCloudEvent(result, { station }));
        if (checked.ok) out.events.push(checked.event);
        else out.rejected.push({ line, reason: checked.reason, sentence });
      }
    }
  });
  return out;
}

export { NmeaDecoder };
